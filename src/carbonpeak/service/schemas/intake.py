"""Results of data intake: submissions, versions, figures, diffs and the import."""

from __future__ import annotations

from pydantic import Field

from carbonpeak.service.schemas.common import ProblemPublic, Result

__all__ = [
    "AdjustmentBrief",
    "DiffLinePublic",
    "DiffPublic",
    "DiffSide",
    "ImportPublic",
    "StepBrief",
    "SubmissionDetailPublic",
    "SubmissionPublic",
    "ValuePublic",
    "VersionPublic",
]


class SubmissionPublic(Result):
    """A submission (enterprise × year) with its status and current version."""

    id: int
    enterprise_id: int
    credit_code: str
    enterprise_name_zh: str
    enterprise_name_en: str | None
    city_code: str
    is_demo: bool
    year: int
    status: str
    current_version_id: int | None
    current_version_no: int | None
    versions: int
    created_at: str
    updated_at: str | None


class VersionPublic(Result):
    """One version of a submission: the file, its digest, rows and warnings acknowledged."""

    id: int
    submission_id: int
    version_no: int
    source_file: str | None
    file_sha256: str | None
    row_count: int | None
    warnings: list[ProblemPublic]
    note: str | None
    inventory_run_id: int | None
    created_at: str
    created_by: str | None
    is_current: bool


class StepBrief(Result):
    """A workflow step of a submission."""

    id: int
    version_id: int | None
    from_: str | None = Field(alias="from")
    to: str
    actor: str
    role: str
    comment: str | None
    at: str


class SubmissionDetailPublic(SubmissionPublic):
    """A submission with its versions and workflow steps."""

    version_list: list[VersionPublic]
    steps: list[StepBrief]


class AdjustmentBrief(Result):
    """A verifier's correction of a figure."""

    id: int
    quantity: float
    quantity_in: float | None
    unit_in: str | None
    reason: str
    evidence_id: int | None
    created_at: str
    created_by: str


class ValuePublic(Result):
    """A figure of a version as entered (and where it was), with its adjustment."""

    id: int
    line_code: str
    item: str
    item_name_zh: str | None
    item_name_en: str | None
    period: str
    quantity: float
    unit: str
    quantity_in: float | None
    unit_in: str | None
    purity: float | None
    #: measured parameters of the row (实测值; ncv_gj, cc_tc_per_tj, cc_tc_per_unit, oxidation)
    measured: dict[str, float] = Field(default_factory=dict)
    #: evidence files of the figure's line, listed where a value is measured
    evidence: list[str] = Field(default_factory=list)
    sheet: str | None
    row: int | None
    col: str | None
    adjusted: bool
    effective_quantity: float
    adjustment: AdjustmentBrief | None


class DiffSide(Result):
    version_id: int
    version_no: int
    submission_id: int


class DiffLinePublic(Result):
    """A figure added, removed (quantity, unit …) or changed (…_a, …_b, delta)."""

    line_code: str
    item: str
    period: str
    quantity: float | None = None
    unit: str | None = None
    quantity_in: float | None = None
    unit_in: str | None = None
    quantity_a: float | None = None
    quantity_b: float | None = None
    delta: float | None = None
    unit_a: str | None = None
    quantity_in_a: float | None = None
    unit_in_a: str | None = None
    quantity_in_b: float | None = None
    unit_in_b: str | None = None
    #: measured parameters (实测值) of the figure, ``ncv_gj=28.435;oxidation=0.93`` ("" none)
    measured: str | None = None
    measured_a: str | None = None
    measured_b: str | None = None


class DiffPublic(Result):
    """Figures added, removed and changed from version *a* to version *b*."""

    a: DiffSide
    b: DiffSide
    added: list[DiffLinePublic]
    removed: list[DiffLinePublic]
    changed: list[DiffLinePublic]
    unchanged: int


class ImportPublic(Result):
    """The new version an import stored, with the warnings acknowledged; with ``unchanged``
    (HTTP 200, not 201) the file was identical to the current version and nothing was stored:
    the ids are that version's."""

    unchanged: bool = False
    submission_id: int
    version_id: int
    version_no: int
    enterprise_id: int
    credit_code: str
    year: int
    rows: int
    inventory_run_id: int | None
    warnings: list[ProblemPublic]
