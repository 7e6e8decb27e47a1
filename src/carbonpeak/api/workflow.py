"""API — Submission workflow and evidence (issue 6): submit, verify, adjust, approve, return.

Thin: each handler parses, calls :mod:`carbonpeak.service.reporting.workflow` or
:mod:`carbonpeak.service.reporting.evidence` (which check role and scope), and returns. A move the
role may not make is 403, a submission outside scope 404, a move from the wrong state
409 (``workflow_wrong_state``, zh/en).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from pydantic import Field

from carbonpeak.http.deps import Ctx
from carbonpeak.http.files import attachment_response, read_upload
from carbonpeak.http.params import TEXT_PATTERN, BodyId, IdPath
from carbonpeak.model.schemas import TextSafeModel
from carbonpeak.service.reporting import evidence, workflow
from carbonpeak.service.schemas.common import error_responses, file_response
from carbonpeak.service.schemas.workflow import AdjustmentPublic, EvidencePublic, HistoryPublic, MovePublic

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["workflow"], responses=error_responses())


class MoveBody(TextSafeModel):
    """An optional comment (required to return a submission)."""

    comment: str = Field(default="", max_length=4000)


class AdjustmentBody(TextSafeModel):
    """A verifier's correction of one figure: the quantity as read, with its unit."""

    value_id: BodyId
    quantity: float | str
    unit: str = Field(max_length=32)
    reason: str = Field(max_length=4000)
    evidence_id: BodyId | None = None


def _comment(body: MoveBody | None) -> str:
    return body.comment if body is not None else ""


@router.post("/submissions/{submission_id}/submit", response_model=MovePublic)
def submit(ctx: Ctx, submission_id: IdPath, body: MoveBody | None = None) -> dict[str, Any]:
    """draft/returned → submitted (the enterprise, or an authority in scope for it)."""
    return workflow.submit(ctx, submission_id, _comment(body))


@router.post("/submissions/{submission_id}/start-verification", response_model=MovePublic)
def start_verification(ctx: Ctx, submission_id: IdPath, body: MoveBody | None = None) -> dict[str, Any]:
    """submitted → under verification (the assigned verifier)."""
    return workflow.start_verification(ctx, submission_id, _comment(body))


@router.post("/submissions/{submission_id}/verify", response_model=MovePublic)
def verify(ctx: Ctx, submission_id: IdPath, body: MoveBody | None = None) -> dict[str, Any]:
    """under verification → verified (the assigned verifier); recomputes the inventory."""
    return workflow.verify(ctx, submission_id, _comment(body))


@router.post("/submissions/{submission_id}/approve", response_model=MovePublic)
def approve(ctx: Ctx, submission_id: IdPath, body: MoveBody | None = None) -> dict[str, Any]:
    """verified → approved (the province, or the city for its own city)."""
    return workflow.approve(ctx, submission_id, _comment(body))


@router.post("/submissions/{submission_id}/return", response_model=MovePublic)
def return_submission(ctx: Ctx, submission_id: IdPath, body: MoveBody | None = None) -> dict[str, Any]:
    """Back to returned, with a comment, by the party that may act at the current step."""
    return workflow.return_submission(ctx, submission_id, _comment(body))


@router.post("/submissions/{submission_id}/adjustments", status_code=201, response_model=AdjustmentPublic)
def adjust(ctx: Ctx, submission_id: IdPath, body: AdjustmentBody) -> dict[str, Any]:
    """Correct one figure of the current version (the assigned verifier, under verification);
    the original stays."""
    return workflow.adjust(
        ctx,
        body.value_id,
        body.quantity,
        body.unit,
        body.reason,
        body.evidence_id,
        submission_id=submission_id,
    )


@router.get("/submissions/{submission_id}/history", response_model=HistoryPublic)
def history(ctx: Ctx, submission_id: IdPath) -> dict[str, Any]:
    """The workflow steps (who, role, when) and the audit events of a submission."""
    return workflow.history(ctx, submission_id)


@router.post("/submissions/{submission_id}/evidence", status_code=201, response_model=EvidencePublic)
async def attach_evidence(
    request: Request,
    ctx: Ctx,
    submission_id: IdPath,
    file: Annotated[UploadFile, File()],
    line_code: Annotated[str, Form(max_length=32, pattern=TEXT_PATTERN)] = "",
    description: Annotated[str, Form(max_length=2000, pattern=TEXT_PATTERN)] = "",
) -> dict[str, Any]:
    """Attach a PDF, PNG, JPEG or xlsx file (type read from its bytes) to a submission line."""
    data = await read_upload(request, file)
    return evidence.attach(
        ctx,
        submission_id,
        data,
        file.filename or "evidence",
        line_code=line_code,
        description=description,
        max_bytes=request.app.state.settings.max_upload_mb * 1024 * 1024,
    )


@router.get("/submissions/{submission_id}/evidence", response_model=list[EvidencePublic])
def list_evidence(ctx: Ctx, submission_id: IdPath) -> list[dict[str, Any]]:
    """The evidence attached to a submission."""
    return evidence.list_evidence(ctx, submission_id)


@router.get(
    "/evidence/{evidence_id}",
    response_class=Response,
    responses=file_response(*(media for media, _ext in evidence.KINDS.values())),
)
def download_evidence(ctx: Ctx, evidence_id: IdPath) -> Response:
    """Download an evidence file (only within the submission's scope)."""
    return attachment_response(evidence.download(ctx, evidence_id))
