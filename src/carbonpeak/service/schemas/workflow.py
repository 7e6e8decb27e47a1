"""Results of the submission workflow and its evidence."""

from __future__ import annotations

from carbonpeak.service.schemas.common import Result

__all__ = [
    "AdjustmentPublic",
    "AuditEventBrief",
    "EvidencePublic",
    "HistoryPublic",
    "HistoryStep",
    "MovePublic",
]


class MovePublic(Result):
    """A workflow move made: from which status to which, the step, the version, and the
    inventory run a verification recomputed."""

    submission_id: int
    from_status: str
    status: str
    step_id: int
    version_id: int | None
    inventory_run_id: int | None


class AdjustmentPublic(Result):
    """A verifier's correction of one figure; the original stays."""

    id: int
    value_id: int
    item: str
    line_code: str
    period: str
    original_quantity: float
    quantity: float
    unit: str
    quantity_in: float | None
    unit_in: str | None
    reason: str
    evidence_id: int | None
    created_at: str
    created_by: str


class HistoryStep(Result):
    id: int
    from_status: str | None
    to_status: str
    actor: str
    actor_name: str | None
    role: str
    comment: str | None
    version_id: int | None
    created_at: str


class AuditEventBrief(Result):
    """An audit event about the submission; *before*/*after* as stored (JSON text)."""

    id: int
    ts: str
    actor: str
    actor_name: str | None
    role: str | None
    action: str
    request_id: str | None
    before: str | None
    after: str | None


class HistoryPublic(Result):
    """The workflow steps and the audit events of a submission."""

    submission_id: int
    status: str
    steps: list[HistoryStep]
    events: list[AuditEventBrief]


class EvidencePublic(Result):
    """An evidence file attached to a submission (the bytes: ``GET /evidence/{id}``)."""

    id: int
    submission_id: int
    enterprise_id: int
    line_code: str | None
    sha256: str
    filename: str
    content_type: str
    size_bytes: int
    description: str | None
    created_at: str
    created_by: str
