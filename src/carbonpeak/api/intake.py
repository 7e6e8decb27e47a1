"""API — Data intake (issue 6): templates, imports, versions, diffs, exports.

Routes (all need a bearer token; role and scope are checked in
:mod:`carbonpeak.service.reporting.intake`):

- ``GET  /intake/template?enterprise_id=&year=&lang=`` — the reporting workbook (xlsx)
- ``POST /intake/import`` — multipart ``file`` (+ form ``acknowledge_warnings``, ``note``,
  optional ``enterprise_id``/``year`` the file must match): 201 with the new version; 200
  with ``unchanged`` when the file is identical to the current version (nothing stored);
  422 listing every problem (``input_invalid``) or every unacknowledged warning
  (``intake_warnings_unacknowledged``); 409 when the submission is locked; 413 too large
- ``POST /intake/marked`` — the same upload back as a workbook with the bad cells marked
  (nothing stored; ``X-Problem-Count`` header)
- ``GET  /intake/submissions`` (``enterprise_id``, ``status``, ``year``), ``…/{id}``,
  ``…/{id}/versions``, ``…/{id}/export?format=xlsx|csv&version_no=``
- ``GET  /intake/versions/{version_id}/values``, ``GET /intake/diff?a=&b=``
- ``GET  /intake/inventories/{run_id}/export?format=xlsx|csv``
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from carbonpeak.http.deps import Ctx
from carbonpeak.http.files import XLSX, download, read_upload
from carbonpeak.http.params import (
    IdForm,
    IdPath,
    IdQuery,
    IdQueryRequired,
    TextForm,
    TextParam,
    TextQuery,
    Year,
    YearForm,
    YearQuery,
)
from carbonpeak.service.reporting import intake
from carbonpeak.service.schemas.common import CSV_MEDIA, XLSX_MEDIA, error_responses, file_response
from carbonpeak.service.schemas.intake import (
    DiffPublic,
    ImportPublic,
    SubmissionDetailPublic,
    SubmissionPublic,
    ValuePublic,
    VersionPublic,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=error_responses())


@router.get("/intake/template", tags=["intake"], response_class=Response, responses=file_response(XLSX_MEDIA))
def template(ctx: Ctx, enterprise_id: IdQueryRequired, year: Year, lang: TextParam = "zh") -> Response:
    """The reporting workbook for an enterprise's lines and method (xlsx)."""
    data, filename = intake.template_workbook(ctx, enterprise_id, year, lang)
    return download(data, filename, XLSX)


@router.post(
    "/intake/import",
    status_code=201,
    tags=["intake"],
    response_model=ImportPublic,
    responses={200: {"model": ImportPublic, "description": "unchanged: identical to the current version"}},
)
async def import_file(
    request: Request,
    response: Response,
    ctx: Ctx,
    file: Annotated[UploadFile, File()],
    acknowledge_warnings: Annotated[bool, Form()] = False,
    note: TextForm = "",
    enterprise_id: IdForm = None,
    year: YearForm = None,
) -> dict[str, Any]:
    """Import a filled template (xlsx) or activity CSV as a new version, all-or-nothing
    (201); a file identical to the current version is not stored again (200, ``unchanged``)."""
    data = await read_upload(request, file)
    out = intake.import_submission(
        ctx,
        data,
        file.filename or "upload.xlsx",
        acknowledge_warnings=acknowledge_warnings,
        note=note,
        enterprise_id=enterprise_id,
        year=year,
    )
    if out.unchanged:
        response.status_code = 200
    return out.as_dict()


@router.post("/intake/marked", tags=["intake"], response_class=Response, responses=file_response(XLSX_MEDIA))
async def marked(
    request: Request,
    ctx: Ctx,
    file: Annotated[UploadFile, File()],
    enterprise_id: IdForm = None,
    year: YearForm = None,
) -> Response:
    """The uploaded workbook with every bad cell marked red and commented (zh + en) and a
    problems sheet; nothing is stored."""
    data = await read_upload(request, file)
    name = file.filename or "upload.xlsx"
    checked = intake.check_submission(ctx, data, name, enterprise_id=enterprise_id, year=year)
    problems = checked.problems or checked.warnings
    out = intake.marked_workbook(data, name, problems)
    stem = name.rsplit(".", 1)[0].encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return download(out, f"{stem}-marked.xlsx", XLSX, {"X-Problem-Count": str(len(problems))})


@router.get("/intake/submissions", tags=["intake"], response_model=list[SubmissionPublic])
def submissions(
    ctx: Ctx,
    response: Response,
    enterprise_id: IdQuery = None,
    status: TextQuery = None,
    year: YearQuery = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    """Submissions in the caller's scope, newest change first: a page of *limit* from
    *offset* (``X-Total-Count`` gives the total; a province holds tens of thousands)."""
    rows = intake.list_submissions(ctx, enterprise_id=enterprise_id, status=status, year=year)
    response.headers["X-Total-Count"] = str(len(rows))
    return rows[offset : offset + limit]


@router.get(
    "/intake/submissions/{submission_id}",
    tags=["intake"],
    response_model=SubmissionDetailPublic,
    response_model_exclude_unset=True,
)
def submission(ctx: Ctx, submission_id: IdPath) -> dict[str, Any]:
    """One submission with its versions and workflow steps."""
    return intake.get_submission(ctx, submission_id)


@router.get(
    "/intake/submissions/{submission_id}/versions", tags=["intake"], response_model=list[VersionPublic]
)
def versions(ctx: Ctx, submission_id: IdPath) -> list[dict[str, Any]]:
    """Every version of a submission, oldest first."""
    return intake.list_versions(ctx, submission_id)


@router.get(
    "/intake/submissions/{submission_id}/export",
    tags=["intake"],
    response_class=Response,
    responses=file_response(XLSX_MEDIA, CSV_MEDIA),
)
def export_submission(
    ctx: Ctx, submission_id: IdPath, format: TextParam = "xlsx", version_no: IdQuery = None
) -> Response:
    """A version's figures (default the current one) as xlsx or csv, formula-safe."""
    data, filename, media = intake.export_submission(ctx, submission_id, format, version_no)
    return download(data, filename, media)


@router.get("/intake/versions/{version_id}/values", tags=["intake"], response_model=list[ValuePublic])
def values(ctx: Ctx, version_id: IdPath) -> list[dict[str, Any]]:
    """The figures of a version as entered, with adjustments."""
    return intake.version_values(ctx, version_id)


@router.get("/intake/diff", tags=["intake"], response_model=DiffPublic, response_model_exclude_unset=True)
def diff(ctx: Ctx, a: IdQueryRequired, b: IdQueryRequired) -> dict[str, Any]:
    """Figures added, removed and changed from version *a* to version *b*."""
    return intake.diff_versions(ctx, a, b)


@router.get(
    "/intake/inventories/{run_id}/export",
    tags=["intake"],
    response_class=Response,
    responses=file_response(XLSX_MEDIA, CSV_MEDIA),
)
def export_inventory(ctx: Ctx, run_id: IdPath, format: TextParam = "xlsx") -> Response:
    """An inventory run's lines as xlsx or csv, formula-safe."""
    data, filename, media = intake.export_inventory(ctx, run_id, format)
    return download(data, filename, media)
