"""Data intake: reporting templates, all-or-nothing imports as versions, diffs and exports.

An accepted import is a new :class:`~carbonpeak.store.models.SubmissionVersion` of the
enterprise's submission for the year (never an overwrite), its figures stored in bulk,
one audit event, and an inventory computed from the figures — all in one transaction, so
a rejected or crashed import changes nothing. Errors raise, with every located problem::

    InputError                         (422) every problem: file, sheet, row, column, value
    └── WarningsNotAcknowledged        (422) code intake_warnings_unacknowledged: only
                                             plausibility warnings; import again with
                                             acknowledge_warnings=True to store them
    Conflict intake_submission_locked  (409) the submission is past draft/returned
    PermissionDenied                   (403) a verifier or public principal
    PayloadTooLarge                    (413) over settings.max_upload_mb

Idempotent: a file identical (SHA-256) to the current version of its submission is not
stored again; the import answers with that version and ``unchanged`` set (re-running an
interrupted batch import adds no duplicate versions).

Plausibility: a figure more than :data:`WARN_FACTOR` times off (above or below) the same
line × item × month last year, or the row's own monthly average of the year, is a
warning (``intake_warn_last_year``, ``intake_warn_year_average``). Last year's figures
come from the previous year's submission (its current version, verifier adjustments
applied) or, failing that, the newest current inventory run with monthly figures of that
year. The setting ``CARBONPEAK_INTAKE_WARN_FACTOR`` (> 1, checked at start-up) sets the factor.

Reads, diffs and exports live in :mod:`carbonpeak.service.reporting.intake_read` and are
re-exported here. Scope: reads need VIEW on the enterprise (a verifier sees its assigned enterprises),
imports CHANGE (the enterprise's own user, its city, the province); everything goes
through :func:`~carbonpeak.store.scope.restrict`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carbonpeak import catalogue
from carbonpeak.accounting.engine import compute_inventory as engine_compute
from carbonpeak.accounting.factors import AccountingChoices, FactorTables, load_factors, methods
from carbonpeak.accounting.notices import measured_notices
from carbonpeak.errors import (
    Conflict,
    InputError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    Problem,
)
from carbonpeak.io.intake import (
    RawSubmission,
    Validated,
    locate_measured,
    mark_workbook,
    read_submission,
    validate,
)
from carbonpeak.io.template import TemplateLine, TemplateSpec, route_items, write_template
from carbonpeak.model import Action
from carbonpeak.service.inventories import inventory as inventory_service
from carbonpeak.service.inventories.inventory_write import (
    MEASURED_VALUE_COLUMNS,
    RunSpec,
    write_runs,
    write_values,
)
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.service.reporting.intake_read import (
    SUBMISSION_EXPORT_COLUMNS,
    diff_versions,
    effective_frame,
    export_inventory,
    export_submission,
    get_submission,
    list_submissions,
    list_versions,
    version_or_404,
    version_values,
)
from carbonpeak.service.reporting.plausibility import physical_warnings
from carbonpeak.settings import get_settings
from carbonpeak.store.models import (
    Enterprise,
    InventoryRun,
    Submission,
    SubmissionVersion,
)
from carbonpeak.store.scope import allowed, enterprise_scope, restrict

__all__ = [
    "EDITABLE_STATUSES",
    "SUBMISSION_EXPORT_COLUMNS",
    "WARN_FACTOR",
    "CheckResult",
    "ImportOutcome",
    "WarningsNotAcknowledged",
    "check_submission",
    "compute_inventory",
    "diff_versions",
    "effective_frame",
    "export_inventory",
    "export_submission",
    "get_submission",
    "import_submission",
    "list_submissions",
    "list_versions",
    "marked_workbook",
    "template_workbook",
    "version_values",
    "warn_factor",
]

#: A figure this many times above (or below 1/this of) its reference is a warning.
WARN_FACTOR = 3.0
#: Statuses in which a new version may be imported.
EDITABLE_STATUSES = ("draft", "returned")


def warn_factor() -> float:
    """The plausibility factor (setting ``intake_warn_factor``,
    ``CARBONPEAK_INTAKE_WARN_FACTOR``, > 1; :data:`WARN_FACTOR` by default)."""
    return float(get_settings().intake_warn_factor)


class WarningsNotAcknowledged(InputError):
    """The upload is valid but has plausibility warnings the submitter has not acknowledged;
    ``problems`` are the warnings."""

    code = "intake_warnings_unacknowledged"

    def __init__(self, warnings: Sequence[Problem]) -> None:
        super().__init__(warnings, code="intake_warnings_unacknowledged")


@dataclass(frozen=True)
class ImportOutcome:
    """What an accepted import created."""

    submission_id: int
    version_id: int
    version_no: int
    enterprise_id: int
    year: int
    rows: int
    warnings: list[Problem] = field(default_factory=list)
    inventory_run_id: int | None = None
    credit_code: str = ""
    #: True when the file was identical (SHA-256) to the submission's current version:
    #: nothing was stored, the ids are the current version's
    unchanged: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "unchanged": self.unchanged,
            "submission_id": self.submission_id,
            "version_id": self.version_id,
            "version_no": self.version_no,
            "enterprise_id": self.enterprise_id,
            "credit_code": self.credit_code,
            "year": self.year,
            "rows": self.rows,
            "inventory_run_id": self.inventory_run_id,
            "warnings": [w.as_dict() for w in self.warnings],
        }


@dataclass(frozen=True)
class CheckResult:
    """A validated upload: the enterprise, year, figures, errors and warnings."""

    raw: RawSubmission
    enterprise: Enterprise | None
    year: int | None
    values: pd.DataFrame
    problems: list[Problem]
    warnings: list[Problem]
    method: str = ""
    #: the engine's result for the figures (computed once, by the check; None on problems)
    lines: pd.DataFrame | None = None


# --- helpers --------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _factors(method: str) -> FactorTables:
    return load_factors(AccountingChoices(method=method))


def _method_for(ctx: Context, ent: Enterprise) -> str:
    return inventory_service.method_of(ctx, [ent.credit_code], "auto")[ent.credit_code]


def _enterprise(ctx: Context, enterprise_id: int, action: Action = Action.VIEW) -> Enterprise:
    ent = ctx.db.execute(
        restrict(select(Enterprise).where(Enterprise.id == enterprise_id), ctx.principal, Action.VIEW)
    ).scalar_one_or_none()
    if ent is None:
        raise NotFound(object="enterprise", key=enterprise_id)
    if action is not Action.VIEW:
        ok = ctx.db.execute(
            restrict(select(Enterprise.id).where(Enterprise.id == enterprise_id), ctx.principal, action)
        ).first()
        if not ok:
            raise PermissionDenied(role=str(ctx.principal.role), action=f"submission.{action}")
    return ent


def _can_import(ctx: Context) -> None:
    if not allowed(ctx.principal, Action.CHANGE):
        raise PermissionDenied(role=str(ctx.principal.role), action="submission.import")


# --- templates ------------------------------------------------------------------------------


def template_workbook(ctx: Context, enterprise_id: int, year: int, lang: str = "zh") -> tuple[bytes, str]:
    """The reporting workbook for an enterprise and year (VIEW scope): (xlsx bytes, filename)."""
    from carbonpeak import refdata  # noqa: PLC0415

    if not 2000 <= year <= 2100:
        raise InputError([Problem("intake_bad_year", column="year", value=year)])
    ent = _enterprise(ctx, enterprise_id)
    method = _method_for(ctx, ent)
    f = _factors(method)
    m = methods()[method]
    lang = "en" if lang == "en" else "zh"
    items_t = refdata.load_table("accounting/items")
    items = {
        str(r["id"]): (str(catalogue.loc(r, lang)), str(r["canonical_unit"]))
        for r in items_t
        if r["id"] in f.items.index
    }
    routes = refdata.process_routes().by_id
    lines = tuple(
        TemplateLine(
            code=ln.code,
            name=catalogue.loc(ln, lang),
            items=route_items(ln.route, str(routes.get(ln.route, {}).get("kind", "processing"))),
        )
        for ln in ent.lines
    )
    spec = TemplateSpec(
        credit_code=ent.credit_code,
        name=catalogue.loc(ent, lang),
        year=year,
        method=method,
        method_name=catalogue.loc(m, lang),
        lines=lines,
        items=items,
        is_demo=ent.is_demo,
        lang=lang,
    )
    return write_template(spec), f"template-{ent.credit_code}-{year}.xlsx"


# --- validation -----------------------------------------------------------------------------


def _check_size(data: bytes) -> None:
    limit_mb = get_settings().max_upload_mb
    if len(data) > limit_mb * 1024 * 1024:
        raise PayloadTooLarge(limit_mb=limit_mb)


def check_submission(
    ctx: Context,
    data: bytes,
    filename: str,
    *,
    enterprise_id: int | None = None,
    year: int | None = None,
    with_warnings: bool = True,
) -> CheckResult:
    """Read and validate an upload without storing anything.

    Raises :class:`InputError` only when the file cannot be read at all (not an xlsx, not
    the template, a zip bomb); every cell-level problem is returned in ``problems``.
    """
    _can_import(ctx)
    _check_size(data)
    raw = read_submission(data, filename)
    problems: list[Problem] = []
    ent: Enterprise | None = None
    if not raw.credit_code:
        problems.append(raw.info_problem("credit_code", "intake_required"))
    else:
        ent = ctx.db.execute(
            restrict(
                select(Enterprise).where(Enterprise.credit_code == raw.credit_code),
                ctx.principal,
                Action.CHANGE,
            )
        ).scalar_one_or_none()
        if ent is None:
            problems.append(raw.info_problem("credit_code", "intake_unknown_enterprise", raw.credit_code))
        elif enterprise_id is not None and ent.id != enterprise_id:
            expected = ctx.db.get(Enterprise, enterprise_id)
            problems.append(
                raw.info_problem(
                    "credit_code",
                    "intake_wrong_enterprise",
                    raw.credit_code,
                    expected=expected.credit_code if expected else enterprise_id,
                )
            )
            ent = None
    method = _method_for(ctx, ent) if ent is not None else "other_nonferrous_2015"
    f = _factors(method)
    file_year: int | None = None
    checked: Validated = validate(
        raw, f.items, f.aliases, [ln.code for ln in ent.lines] if ent is not None else None
    )
    file_year = checked.year
    if year is not None and file_year is not None and file_year != year:
        problems.append(raw.info_problem("year", "intake_wrong_year", file_year, expected=year))
    problems.extend(checked.problems)
    values = checked.values
    lines: pd.DataFrame | None = None
    if not values.empty and file_year is not None:
        lines, engine_problems = _engine_lines(raw, values, f, ent.credit_code if ent else "", file_year)
        problems.extend(engine_problems)
    warnings: list[Problem] = []
    if not problems and ent is not None and file_year is not None and with_warnings:
        warnings = _plausibility(ctx, raw, ent, file_year, values)
        warnings += physical_warnings(raw, ent.lines, values, lines)
        warnings += _measured_warnings(raw, values, lines, f)
    return CheckResult(
        raw=raw,
        enterprise=ent,
        year=file_year,
        values=values,
        problems=problems,
        warnings=warnings,
        method=method,
        lines=None if problems else lines,
    )


def _activity(values: pd.DataFrame, credit_code: str, year: int) -> pd.DataFrame:
    """A values frame as the engine's activity frame."""
    return pd.DataFrame(
        {
            "row": np.arange(1, len(values) + 1, dtype=np.int64),
            "enterprise": credit_code,
            "line": values["line_code"].astype(str).to_numpy(),
            "period": values["period"].to_numpy(),
            "year": np.full(len(values), year, dtype=np.int64),
            "month": values["month"].to_numpy(dtype=float),
            "item": values["item"].to_numpy(),
            "quantity": values["quantity"].to_numpy(dtype=float),
            "quantity_in": values["quantity_in"].to_numpy(dtype=float),
            "unit_in": values["unit_in"].to_numpy(),
            "purity": values["purity"].to_numpy(dtype=float),
            # measured parameters (实测值) of the figures' rows, where given
            **{k: values[k].to_numpy(dtype=float) for k in MEASURED_VALUE_COLUMNS if k in values},
        }
    )


def _engine_lines(
    raw: RawSubmission, values: pd.DataFrame, f: FactorTables, credit_code: str, year: int
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The inventory of the figures, computed once here and stored by the import; or the
    items the method has no factor for (and years outside its validity), once per row."""
    act = _activity(values, credit_code, year)
    try:
        return engine_compute(act, f), []
    except InputError as exc:
        out: dict[tuple[int, str], Problem] = {}
        rows = values["row"].to_numpy(dtype=np.int64)
        for p in exc.problems:
            src = int(rows[(p.row or 1) - 1])
            code = "intake_no_factor" if p.code == "no_factor" else "intake_period_outside"
            out.setdefault(
                (src, code),
                Problem(
                    code,
                    column=raw.letters.get("item"),
                    value=p.value,
                    row=src,
                    file=raw.file,
                    sheet=raw.sheet,
                    fields=dict(p.fields),
                ),
            )
        return None, list(out.values())


def _measured_warnings(
    raw: RawSubmission, values: pd.DataFrame, lines: pd.DataFrame | None, f: FactorTables
) -> list[Problem]:
    """``measured_far_from_default`` (the engine's notice: a measured value more than
    :data:`~carbonpeak.accounting.notices.FAR_FROM_DEFAULT` times off the method's default) as
    an import warning, once per source row, located at the measured value's cell."""
    if lines is None or lines.empty or not any(c in values for c in MEASURED_VALUE_COLUMNS):
        return []
    rows = values["row"].to_numpy(dtype=np.int64)
    out: dict[tuple[int, str], Problem] = {}
    for p in measured_notices(lines, f):
        if p.code == "measured_far_from_default":
            src = int(rows[(p.row or 1) - 1])
            out.setdefault((src, str(p.column)), locate_measured(raw, p, src))
    return list(out.values())


def _fmt(x: float) -> str:
    return f"{x:,.4g}"


def _last_year(ctx: Context, ent: Enterprise, year: int) -> pd.DataFrame:
    """Last year's monthly figures (its submission's current version, adjustments applied;
    every stored inventory belongs to one): columns line_code, item, month, quantity."""
    prev = ctx.db.execute(
        select(Submission).where(Submission.enterprise_id == ent.id, Submission.year == year - 1)
    ).scalar_one_or_none()
    if prev is not None and prev.current_version_id is not None:
        fr = effective_frame(ctx.db, prev.current_version_id)
        return (
            fr.rename(columns={"line": "line_code"})
            .groupby(["line_code", "item", "month"], observed=True)["quantity"]
            .sum()
            .reset_index()
        )
    return pd.DataFrame(columns=["line_code", "item", "month", "quantity"])


def _plausibility(
    ctx: Context, raw: RawSubmission, ent: Enterprise, year: int, values: pd.DataFrame
) -> list[Problem]:
    """Warnings for figures more than the factor off last year's month or the row average."""
    k = warn_factor()
    out: list[Problem] = []
    v = values.reset_index(drop=True)
    q = v["quantity"].to_numpy(dtype=float)

    def flag(ref: np.ndarray, code: str) -> None:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = q / ref
        bad = (ref > 0) & np.isfinite(ratio) & ((ratio > k) | (ratio < 1.0 / k))
        for i in (int(j) for j in np.flatnonzero(bad)):
            out.append(
                Problem(
                    code,
                    column=str(v["col"].iat[i]),
                    value=_fmt(q[i]),
                    row=int(v["row"].to_numpy(dtype=np.int64)[i]),
                    file=raw.file,
                    sheet=raw.sheet,
                    fields={
                        "unit": str(v["unit"].iat[i]),
                        "reference": _fmt(float(ref[i])),
                        "ratio": f"{ratio[i]:.2f}",
                        "factor": f"{k:g}",
                        "item": str(v["item"].iat[i]),
                        "line": str(v["line_code"].iat[i]),
                        "period": str(v["period"].iat[i]),
                    },
                )
            )

    last = _last_year(ctx, ent, year)
    if not last.empty:
        keyed = last.set_index(["line_code", "item", "month"])["quantity"]
        idx = pd.MultiIndex.from_arrays(
            [v["line_code"].astype(str), v["item"].astype(str), v["month"].astype(np.int64)]
        )
        keyed.index = pd.MultiIndex.from_arrays(
            [
                keyed.index.get_level_values(0).astype(str),
                keyed.index.get_level_values(1).astype(str),
                keyed.index.get_level_values(2).astype(np.int64),
            ]
        )
        flag(keyed.reindex(idx).to_numpy(dtype=float), "intake_warn_last_year")
    mean = v.groupby(["line_code", "item"], observed=True)["quantity"].transform("mean").to_numpy(dtype=float)
    flag(mean, "intake_warn_year_average")
    out.sort(key=lambda p: (p.row or 0, len(p.column or ""), p.column or "", p.code))
    return out


# --- import ---------------------------------------------------------------------------------


@transactional
def import_submission(
    ctx: Context,
    data: bytes,
    filename: str,
    *,
    acknowledge_warnings: bool = False,
    note: str = "",
    enterprise_id: int | None = None,
    year: int | None = None,
) -> ImportOutcome:
    """Import a filled template (xlsx) or activity CSV as a new version, all-or-nothing.

    *enterprise_id* / *year*, when given (an upload on a given enterprise's page), must
    match the file. A file identical (SHA-256) to the current version of a submission the
    caller may change is not stored again: the outcome is that version, ``unchanged`` set
    (so a batch re-run after an interruption adds no duplicate versions). See the module
    docstring for the errors raised.
    """
    _can_import(ctx)
    _check_size(data)
    sha256 = hashlib.sha256(data).hexdigest()
    same = _current_with_hash(ctx, sha256, enterprise_id, year)
    if same is not None:
        return same
    checked = check_submission(ctx, data, filename, enterprise_id=enterprise_id, year=year)
    if checked.problems:
        raise InputError(checked.problems)
    ent, yr = checked.enterprise, checked.year
    assert ent is not None  # noqa: S101 — no problems means the enterprise is known
    assert yr is not None  # noqa: S101 — and so is the year
    if checked.warnings and not acknowledge_warnings:
        raise WarningsNotAcknowledged(checked.warnings)
    now = audit.now_iso()
    sub = ctx.db.execute(
        select(Submission).where(Submission.enterprise_id == ent.id, Submission.year == yr).with_for_update()
    ).scalar_one_or_none()
    if sub is None:
        sub = Submission(enterprise_id=ent.id, year=yr, status="draft", created_at=now, updated_at=now)
        ctx.db.add(sub)
        _flush_or_conflict(ctx.db, f"{ent.credit_code}/{yr}")
    elif (same := _current_with_hash(ctx, sha256, ent.id, yr)) is not None:
        return same  # the same file, imported meanwhile by a concurrent request (row now locked)
    elif sub.status not in EDITABLE_STATUSES:
        raise Conflict("intake_submission_locked", year=yr, status=sub.status)
    last_no = ctx.db.execute(
        select(func.max(SubmissionVersion.version_no)).where(SubmissionVersion.submission_id == sub.id)
    ).scalar_one()
    ver = SubmissionVersion(
        submission_id=sub.id,
        version_no=int(last_no or 0) + 1,
        source_file=checked.raw.file[:255],
        file_sha256=sha256,
        row_count=len(checked.values),
        warnings=json.dumps([w.as_dict() for w in checked.warnings], ensure_ascii=False),
        note=note,
        created_at=now,
        created_by=ctx.principal.username,
    )
    ctx.db.add(ver)
    _flush_or_conflict(ctx.db, f"{ent.credit_code}/{yr} v{ver.version_no}")
    write_values(ctx, checked.values.assign(version_id=ver.id))
    previous = ctx.db.get(SubmissionVersion, sub.current_version_id) if sub.current_version_id else None
    sub.current_version_id = ver.id
    sub.updated_at = now
    assert checked.lines is not None  # noqa: S101 — no problems means the check computed it
    run_id = _store_inventory(ctx, ver, sub, ent, checked.method, checked.lines, previous)
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "submission.import",
        "submission_version",
        ver.id,
        after={
            "submission": sub.id,
            "enterprise": ent.credit_code,
            "year": yr,
            "version_no": ver.version_no,
            "file": ver.source_file,
            "sha256": ver.file_sha256,
            "rows": ver.row_count,
            "warnings": len(checked.warnings),
            "inventory_run": run_id,
            "note": note,
        },
    )
    return ImportOutcome(
        submission_id=sub.id,
        version_id=ver.id,
        version_no=ver.version_no,
        enterprise_id=ent.id,
        year=yr,
        rows=ver.row_count,
        warnings=list(checked.warnings),
        inventory_run_id=run_id,
        credit_code=ent.credit_code,
    )


def _current_with_hash(
    ctx: Context, sha256: str, enterprise_id: int | None, year: int | None
) -> ImportOutcome | None:
    """The current version (in the caller's CHANGE scope) whose file has *sha256*, as an
    ``unchanged`` outcome; None when there is none."""
    stmt = (
        select(SubmissionVersion, Submission, Enterprise.credit_code)
        .join(Submission, Submission.current_version_id == SubmissionVersion.id)
        .join(Enterprise, Enterprise.id == Submission.enterprise_id)
        .where(SubmissionVersion.file_sha256 == sha256, enterprise_scope(ctx.principal, Action.CHANGE))
        .order_by(SubmissionVersion.id.desc())
        .limit(1)
    )
    if enterprise_id is not None:
        stmt = stmt.where(Submission.enterprise_id == enterprise_id)
    if year is not None:
        stmt = stmt.where(Submission.year == year)
    row = ctx.db.execute(stmt).first()
    if row is None:
        return None
    ver, sub, credit_code = row
    return ImportOutcome(
        submission_id=sub.id,
        version_id=ver.id,
        version_no=ver.version_no,
        enterprise_id=sub.enterprise_id,
        year=sub.year,
        rows=ver.row_count,
        inventory_run_id=ver.inventory_run_id,
        credit_code=credit_code,
        unchanged=True,
    )


def _flush_or_conflict(db: Session, key: str) -> None:
    """Flush; a concurrent import that created the same submission or version first is a
    409, not a 500 (the transaction is rolled back by the caller)."""
    try:
        db.flush()
    except IntegrityError as exc:
        raise Conflict("exists", value=key) from exc


# --- figures and inventories ----------------------------------------------------------------


def _store_inventory(
    ctx: Context,
    ver: SubmissionVersion,
    sub: Submission,
    ent: Enterprise,
    method: str,
    lines: pd.DataFrame,
    previous: SubmissionVersion | None = None,
) -> int:
    """Store *lines* (the engine's result for the version's figures) as the version's run;
    the run the version (or the *previous* current version) had before is superseded."""
    f = _factors(method)
    source = f"submission {sub.id} v{ver.version_no}: {ver.source_file}"
    spec = RunSpec(ent.id, ver.id, sub.year, f, AccountingChoices(method=method), source)
    (run_id,) = write_runs(ctx, lines.assign(_run=0), [spec])
    for old_id in {ver.inventory_run_id, previous.inventory_run_id if previous else None} - {None}:
        old = ctx.db.get(InventoryRun, old_id)
        if old is not None and old.status == "current":
            old.status, old.superseded_by = "superseded", run_id
    ver.inventory_run_id = run_id
    ctx.db.flush()
    return run_id


def compute_inventory(ctx: Context, version_id: int) -> int:
    """Compute and store an inventory run from the version's effective (adjusted) figures,
    set ``version.inventory_run_id``, supersede the version's previous run, and record an
    audit event; returns the run id.

    Runs inside the caller's transaction (it flushes, never commits): the workflow calls
    it when a submission is verified, having authorised that step. Needs VIEW scope.
    """
    ver, sub = version_or_404(ctx, version_id)
    ent = ctx.db.get(Enterprise, sub.enterprise_id)
    assert ent is not None  # noqa: S101 — FK guarantees it
    before = ver.inventory_run_id
    method = _method_for(ctx, ent)
    fr = effective_frame(ctx.db, ver.id)
    fr = inventory_service.with_register_technology(ctx, fr, ent.credit_code)  # PFC by technology
    lines = engine_compute(fr.drop(columns=["value_id", "unit", "adjusted"]), _factors(method))
    run_id = _store_inventory(ctx, ver, sub, ent, method, lines)
    run = ctx.db.get(InventoryRun, run_id)
    assert run is not None  # noqa: S101 — just written
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "inventory.compute",
        "inventory_run",
        run.id,
        before={"run": before} if before else None,
        after={
            "enterprise": ent.credit_code,
            "submission": sub.id,
            "version_no": ver.version_no,
            "method": run.method,
            "factor_set": run.factor_set,
            "input_digest": run.input_digest,
        },
    )
    return run.id


def marked_workbook(data: bytes, filename: str, problems: Sequence[Problem]) -> bytes:
    """A copy of the uploaded workbook with the bad cells red, commented (zh + en), and a
    ``问题 Problems`` sheet listing every problem."""
    _check_size(data)
    return mark_workbook(data, filename, problems)
