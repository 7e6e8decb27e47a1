"""Inventories: compute (and optionally store) enterprise GHG and energy inventories.

- :func:`compute_table` parses an activity table and runs the engine, per method, without
  touching the store (``carbonpeak inventory compute``).
- :func:`store_table` does the same, then stores it through the one door: a version per
  enterprise and year (a bulk load, :mod:`carbonpeak.service.inventories.bulk_load`).
- :func:`recompute` recomputes a stored run with the current (or a chosen) factor set;
  the old run stays, marked ``superseded``; :func:`recompute_all` does every run at once.
- :func:`explain` explains one line of a run: formula, factors with source and clause,
  arithmetic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from carbonpeak import catalogue, refdata
from carbonpeak.accounting.carriers import equal_value_notices
from carbonpeak.accounting.engine import CATEGORIES, compute_inventory, split_pfc
from carbonpeak.accounting.explain import Explanation, explain_line
from carbonpeak.accounting.factors import (
    AccountingChoices,
    FactorTables,
    load_factors,
    user_equal_value_row,
)
from carbonpeak.accounting.notices import inventory_notices
from carbonpeak.accounting.summary import AC_POWER_ITEM, SUM_FIELDS, summarise
from carbonpeak.accounting.totals import category_totals
from carbonpeak.errors import InputError, NotFound, PermissionDenied, Problem
from carbonpeak.io.activity import parse_activity, parse_activity_frame
from carbonpeak.io.tabular import Table
from carbonpeak.model import Action
from carbonpeak.service.inventories import bulk_load
from carbonpeak.service.inventories.bulk_load import BulkLoad
from carbonpeak.service.inventories.inventory_write import LINE_COLUMNS, RunSpec, recompute_all, write_runs
from carbonpeak.service.inventories.official import official_statuses
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.store import facts
from carbonpeak.store.models import (
    Enterprise,
    Evidence,
    InventoryLine,
    InventoryRun,
    ProductionLine,
    Submission,
    SubmissionVersion,
)
from carbonpeak.store.scope import enterprise_scope, restrict

__all__ = [
    "AC_POWER_ITEM",
    "SUM_FIELDS",
    "BulkLoad",
    "ComputeResult",
    "compute_report",
    "compute_table",
    "enterprise_inventory",
    "explain",
    "get_run",
    "list_runs",
    "method_of",
    "recompute",
    "recompute_all",
    "run_frame",
    "store_table",
    "summarise",
    "with_register_technology",
]

#: The method ``auto`` gives an electrolytic-aluminium smelter (and any enterprise reporting 原铝).
AL_METHOD = "aluminium_2013"
#: A stored line's fields (the fact table's columns but its keys and flag).
LINE_FIELDS = [c for c in LINE_COLUMNS if c not in ("run_id", "line_no", "in_total")]


@dataclass(frozen=True)
class ComputeResult:
    """Per-line results of a computation and the provenance of each method group."""

    lines: pd.DataFrame
    methods: Mapping[str, FactorTables]  # enterprise credit code -> the factor tables used
    #: located warnings (figures right by the rules that a verifier must be told about)
    warnings: tuple[Problem, ...] = ()


def method_of(ctx: Context, codes: list[str], default: str) -> dict[str, str]:
    """Enterprises with an electrolytic-aluminium line use the aluminium method unless one
    was chosen; everyone else the 其他有色 guideline."""
    if default != "auto":
        return dict.fromkeys(codes, default)
    smelters = set(
        ctx.db.execute(
            select(Enterprise.credit_code)
            .join(ProductionLine)
            .where(Enterprise.credit_code.in_(codes), ProductionLine.route == "al_electrolysis")
        ).scalars()
    )
    return {c: AL_METHOD if c in smelters else "other_nonferrous_2015" for c in codes}


def with_register_technology(
    ctx: Context, frame: pd.DataFrame, enterprise: str | None = None
) -> pd.DataFrame:
    """*frame* with the registered potline technology (``production_line.technology``: CWPB,
    SWPB, VSS, HSS) on its primary-aluminium rows that give none: the technology of the row's
    production line, else the enterprise's when all its registered potlines share one. The
    engine picks the PFC method from it (:mod:`carbonpeak.accounting.measured`). *enterprise*
    is the credit code of a frame without an ``enterprise`` column."""
    item = frame["item"].astype(str).to_numpy()
    prod = item == "primary_aluminium"
    if not prod.any():
        return frame
    n = len(frame)
    ent = (
        frame["enterprise"].astype(str).to_numpy() if "enterprise" in frame else np.full(n, enterprise or "")
    )
    codes = sorted(set(ent[prod].tolist()))
    rows = ctx.db.execute(
        select(Enterprise.credit_code, ProductionLine.code, ProductionLine.technology)
        .join(ProductionLine)
        .where(
            Enterprise.credit_code.in_(codes),
            ProductionLine.technology.is_not(None),
            ProductionLine.technology != "",
        )
    ).all()
    if not rows:
        return frame
    by_line = {(str(c), str(ln)): str(t) for c, ln, t in rows}
    techs: dict[str, set[str]] = {}
    for c, _ln, t in rows:
        techs.setdefault(str(c), set()).add(str(t))
    only = {c: next(iter(ts)) for c, ts in techs.items() if len(ts) == 1}
    line = frame["line"].astype(str).to_numpy() if "line" in frame else np.full(n, "")
    cur = np.full(n, "", dtype=object)
    if "technology" in frame:
        given = frame["technology"].astype(object)
        cur = given.where(given.notna(), "").astype(str).to_numpy(dtype=object)
    for i in np.flatnonzero(prod & (cur == "")):
        cur[i] = by_line.get((ent[i], line[i]), only.get(ent[i], ""))
    if (cur == "").all():
        return frame
    return frame.assign(technology=cur)


def compute_table(
    ctx: Context,
    table: Table | pd.DataFrame,
    choices: AccountingChoices | None = None,
    *,
    method: str = "auto",
    year: int | None = None,
    file: str = "",
) -> ComputeResult:
    """Parse *table* (a :class:`Table`, or a raw frame from
    :func:`~carbonpeak.io.activity.read_activity_frame`) and compute every line; nothing is
    stored."""
    choices = choices or AccountingChoices()
    base = load_factors(choices)
    if isinstance(table, Table):
        frame = parse_activity(table, base.items, base.aliases)
    else:
        frame = parse_activity_frame(table, base.items, base.aliases, file=file)
    if year is not None:
        years = sorted({int(y) for y in frame["year"].unique()})
        frame = frame[frame["year"] == year]
        if frame.empty and years:  # a filter that matches nothing is an error, not "[]"
            years_text = ", ".join(map(str, years))
            raise InputError(
                [Problem("year_not_in_file", column="period", value=year, fields={"years": years_text})]
            )
    codes = sorted(frame["enterprise"].unique().tolist())
    frame = with_register_technology(ctx, frame)
    by_ent = method_of(ctx, codes, method)
    warnings: list[Problem] = []
    if method == "auto":  # 原铝 output without an electrolysis line: the aluminium method, warned
        reports_al = frame["item"].astype(str).to_numpy() == "primary_aluminium"
        for code in sorted(set(frame["enterprise"][reports_al].astype(str))):
            if by_ent.get(code) != AL_METHOD:
                by_ent[code] = AL_METHOD
                warnings.append(
                    Problem(
                        "aluminium_method_assumed", column="item", value=code, fields={"method": AL_METHOD}
                    )
                )
    parts, used = [], {}
    problems: list[Problem] = []
    for m in sorted(set(by_ent.values())):
        f = base if m == base.method.id else load_factors(replace(choices, method=m))
        sub = frame[frame["enterprise"].map(by_ent) == m]
        try:
            parts.append(part := compute_inventory(sub, f))
            warnings.extend(inventory_notices(part, f))
            warnings.extend(equal_value_notices(part, f))
        except InputError as exc:
            problems.extend(exc.problems)
        used.update(dict.fromkeys(sub["enterprise"].unique().tolist(), f))
    if problems:
        raise InputError(problems)
    lines = pd.concat(parts, ignore_index=True) if parts else compute_inventory(frame, base)
    return ComputeResult(
        lines=lines.sort_values(["enterprise", "row"]).reset_index(drop=True),
        methods=used,
        warnings=tuple(warnings),
    )


def _strict(value: Any) -> Any:
    """A JSON-safe scalar: NaN, ±Infinity and pandas' missing values become None."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _strict(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def compute_report(result: ComputeResult) -> dict[str, Any]:
    """A computation as strict JSON data (``json.dumps(..., allow_nan=False)`` succeeds).

    ``lines``: every computed line, every gas in its category (a primary-aluminium line is
    followed by its PFC line, category ``pfc``); ``totals``: one row per enterprise, year
    and source category, and per enterprise and year over all categories (category
    ``total``), location-based ``co2e_t`` and market-based ``co2e_market_t`` [t CO2e] with
    the other sums (:func:`carbonpeak.accounting.totals.category_totals`); ``categories``:
    the names; ``methods``: per enterprise the method, factor set, GWP set and grid series
    used; ``warnings``: the located warnings (:func:`carbonpeak.accounting.notices.
    inventory_notices`, the aluminium method assumed). A figure that is unavailable (等价值
    without a coefficient) is None, never NaN.
    """
    lines = split_pfc(result.lines.drop(columns=["file"], errors="ignore"))
    return {
        "lines": _records(lines),
        "totals": _records(category_totals(result.lines, by=("enterprise", "year"))),
        "categories": {k: {"zh": v[0], "en": v[1]} for k, v in CATEGORIES.items()},
        "warnings": [w.as_dict() for w in result.warnings],
        "methods": {
            code: {
                "method": f.method.id,
                "factor_set": f.factor_set,
                "gwp_set": f.gwp_set,
                "grid_series": f.grid_series,
                "grid_region": f.grid_region,
            }
            for code, f in result.methods.items()
        },
    }


def store_table(
    ctx: Context,
    table: Table | pd.DataFrame,
    choices: AccountingChoices | None = None,
    *,
    method: str = "auto",
    year: int | None = None,
    file: str = "",
) -> BulkLoad:
    """Compute *table* and store it as versions, one per enterprise and year (a bulk load,
    :func:`carbonpeak.service.inventories.bulk_load.store_table`); all-or-nothing."""
    return bulk_load.store_table(ctx, table, choices, method=method, year=year, file=file)


def _run(ctx: Context, run_id: int, action: Action = Action.VIEW) -> InventoryRun:
    run = ctx.db.get(InventoryRun, run_id)
    if run is None:
        raise NotFound(object="inventory run", key=run_id)
    visible = ctx.db.execute(
        restrict(select(Enterprise.id).where(Enterprise.id == run.enterprise_id), ctx.principal, Action.VIEW)
    ).first()
    if not visible:
        raise NotFound(object="inventory run", key=run_id)
    if (
        action is not Action.VIEW
        and not ctx.db.execute(
            select(Enterprise.id).where(
                Enterprise.id == run.enterprise_id, enterprise_scope(ctx.principal, action)
            )
        ).first()
    ):
        raise PermissionDenied(role=str(ctx.principal.role), action=f"inventory.{action}")
    return run


def run_frame(run: InventoryRun) -> pd.DataFrame:
    """The stored lines of *run* as a frame (the engine's output columns)."""
    recs = [
        {
            "line_no": ln.line_no,
            "line": ln.line_code,
            **{k: getattr(ln, k) for k in LINE_FIELDS if k != "line_code"},
        }
        for ln in run.lines
    ]
    frame = pd.DataFrame(recs, columns=["line_no", "line", *LINE_FIELDS[1:]])
    frame["month"] = frame["month"].astype("float")
    return frame


def _version_status(ctx: Context, run: InventoryRun) -> tuple[str | None, int | None, str | None]:
    """(submission status, submission id, version origin) of the run's version."""
    if run.version_id is None:
        return None, None, None
    row = ctx.db.execute(
        select(Submission.status, Submission.id, SubmissionVersion.origin)
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .where(SubmissionVersion.id == run.version_id)
    ).first()
    return (str(row[0]), int(row[1]), str(row[2])) if row else (None, None, None)


def get_run(ctx: Context, run_id: int) -> dict[str, Any]:
    """A run with its provenance, its version's workflow status, totals and lines (scoped)."""
    run = _run(ctx, run_id)
    ent = ctx.db.get(Enterprise, run.enterprise_id)
    frame = run_frame(run)
    status, submission_id, origin = _version_status(ctx, run)
    return {
        "id": run.id,
        "enterprise_id": run.enterprise_id,
        "credit_code": ent.credit_code if ent else "",
        "year": run.year,
        "version_id": run.version_id,
        "submission_id": submission_id,
        "submission_status": status,
        "official": status in official_statuses(),
        "origin": origin,
        "method": run.method,
        "method_version": run.method_version,
        "factor_set": run.factor_set,
        "gwp_set": run.gwp_set,
        "grid_series": run.grid_series,
        "grid_region": run.grid_region,
        "status": run.status,
        "superseded_by": run.superseded_by,
        "created_at": run.created_at,
        "created_by": run.created_by,
        "source_file": run.source_file,
        "input_digest": run.input_digest,
        "totals": summarise(frame),
        "categories": {k: {"zh": v[0], "en": v[1]} for k, v in CATEGORIES.items()},
        # every gas in its category: a primary-aluminium line is followed by its PFC line
        "lines": split_pfc(frame).replace({np.nan: None}).to_dict("records"),
    }


def list_runs(ctx: Context, enterprise_id: int) -> list[dict[str, Any]]:
    """The runs of an enterprise, newest first (scoped), each with its year, its version's
    workflow status (an enterprise sees its drafts, marked as such) and its year total."""
    ok = ctx.db.execute(
        restrict(select(Enterprise.id).where(Enterprise.id == enterprise_id), ctx.principal, Action.VIEW)
    ).first()
    if not ok:
        raise NotFound(object="enterprise", key=enterprise_id)
    rows = ctx.db.execute(
        select(
            InventoryRun.id,
            InventoryRun.status,
            InventoryRun.method,
            InventoryRun.factor_set,
            InventoryRun.created_at,
            InventoryRun.superseded_by,
            InventoryRun.year,
            InventoryRun.version_id,
            Submission.status,
        )
        .outerjoin(SubmissionVersion, SubmissionVersion.id == InventoryRun.version_id)
        .outerjoin(Submission, Submission.id == SubmissionVersion.submission_id)
        .where(InventoryRun.enterprise_id == enterprise_id)
        .order_by(InventoryRun.id.desc())
    ).all()
    totals = facts.run_totals(ctx.db, [int(r[0]) for r in rows])
    official = official_statuses()
    return [
        {
            "id": r[0],
            "status": r[1],
            "method": r[2],
            "factor_set": r[3],
            "created_at": r[4],
            "superseded_by": r[5],
            "year": r[6],
            "version_id": r[7],
            "submission_status": r[8],
            "official": r[8] in official,
            "totals": totals.get(int(r[0]), {}),
        }
        for r in rows
    ]


@transactional
def recompute(ctx: Context, run_id: int, choices: AccountingChoices | None = None) -> int:
    """Recompute a run from its stored inputs; the old run is kept and marked superseded, and
    the run's version points at the new one."""
    old = _run(ctx, run_id, Action.CHANGE)
    prev = AccountingChoices(**json.loads(old.choices))
    choices = choices or replace(prev, factor_set=None)
    f = load_factors(replace(choices, method=old.method))
    frame = run_frame(old).rename(columns={"line_no": "row"})
    # factor_ids: the measured values a line used (accounting.measured.restore_inputs)
    inputs = frame[
        [
            "row",
            "line",
            "period",
            "year",
            "month",
            "item",
            "quantity",
            "quantity_in",
            "unit_in",
            "purity",
            "factor_ids",
        ]
    ].copy()
    inputs["enterprise"] = ""
    lines = compute_inventory(inputs, f).assign(_run=0)
    spec = RunSpec(old.enterprise_id, old.version_id, old.year, f, choices, old.source_file)
    (new_id,) = write_runs(ctx, lines, [spec])
    old.status, old.superseded_by = "superseded", new_id
    if old.version_id is not None:
        ver = ctx.db.get(SubmissionVersion, old.version_id)
        if ver is not None:
            ver.inventory_run_id = new_id
    ctx.db.flush()
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "inventory.recompute",
        "inventory_run",
        new_id,
        before={"run": old.id, "factor_set": old.factor_set},
        after={
            "run": new_id,
            "factor_set": f.factor_set,
            "total_co2e_t": facts.run_totals(ctx.db, [new_id]).get(new_id, {}).get("co2e_t"),
        },
    )
    return new_id


def _lookup(fid: str) -> Mapping[str, Any]:
    table, _, row_id = fid.partition("#")
    return user_equal_value_row(row_id) or refdata.load_table(table).get(row_id)


def _source_title(sid: str) -> str:
    src = refdata.load_sources().get(sid)
    return src.title_zh if src else sid


def explain(ctx: Context, run_id: int, line_no: int) -> Explanation:
    """Explain line *line_no* of run *run_id* (scoped)."""
    run = _run(ctx, run_id)
    line = next((ln for ln in run.lines if ln.line_no == line_no), None)
    if line is None:
        raise NotFound(object="line", key=f"{run_id}/{line_no}")
    rec = {k: getattr(line, k) for k in ("line_no", *LINE_FIELDS)}
    return _with_evidence(ctx, run, str(line.line_code or ""), explain_line(rec, _lookup, _source_title))


def _with_evidence(ctx: Context, run: InventoryRun, line_code: str, exp: Explanation) -> Explanation:
    """*exp* with each measured parameter's basis naming the evidence files attached to the
    line of the run's submission (实测（证明材料：FILE）/ measured (evidence: FILE)); as it
    was when nothing is measured, the run has no version or the line has no evidence."""
    if run.version_id is None or not any(p.basis == "measured" for p in exp.parameters):
        return exp
    files = (
        ctx.db.execute(
            select(Evidence.filename)
            .join(SubmissionVersion, SubmissionVersion.submission_id == Evidence.submission_id)
            .where(SubmissionVersion.id == run.version_id, Evidence.line_code == line_code)
            .order_by(Evidence.id)
        )
        .scalars()
        .all()
    )
    if not files:
        return exp
    names = ", ".join(files)
    params = []
    for p in exp.parameters:
        if p.basis == "measured":
            zh, en = catalogue.pair(
                "explain.measured_with_evidence", basis_zh=p.basis_zh, basis_en=p.basis_en, files=names
            )
            params.append(replace(p, basis_zh=zh, basis_en=en))
        else:
            params.append(p)
    return replace(exp, parameters=tuple(params))


def enterprise_inventory(ctx: Context, enterprise_id: int) -> dict[str, Any] | None:
    """The enterprise's inventory over its years (scoped; its own page): per year, the run of
    its submission's current version — drafts included, each year marked with its workflow
    status and whether it is official. Returns the newest year's run (provenance) with the
    lines of every year, and ``year_status`` {year: {status, official, run_id}}; None when
    no year has an inventory."""
    ok = ctx.db.execute(
        restrict(select(Enterprise.id).where(Enterprise.id == enterprise_id), ctx.principal, Action.VIEW)
    ).first()
    if not ok:
        raise NotFound(object="enterprise", key=enterprise_id)
    rows = ctx.db.execute(
        select(Submission.year, Submission.status, SubmissionVersion.inventory_run_id)
        .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
        .where(Submission.enterprise_id == enterprise_id, SubmissionVersion.inventory_run_id.is_not(None))
        .order_by(Submission.year)
    ).all()
    if not rows:
        return None
    official = official_statuses()
    ids = [int(r[2] or 0) for r in rows]  # the query keeps versions with a run only
    year_status = {
        str(y): {"status": str(st), "official": st in official, "run_id": rid}
        for (y, st, _r), rid in zip(rows, ids, strict=True)
    }
    newest = get_run(ctx, ids[-1])
    cols = [getattr(InventoryLine, c) for c in ("run_id", "line_no", *LINE_FIELDS)]
    frame = pd.DataFrame(
        ctx.db.execute(
            select(*cols)
            .where(InventoryLine.run_id.in_(ids))
            .order_by(InventoryLine.run_id, InventoryLine.line_no)
        ).all(),
        columns=["run_id", "line_no", *LINE_FIELDS],
    ).rename(columns={"line_code": "line"})
    frame["month"] = frame["month"].astype(float)
    return {
        **newest,
        # every gas in its category: a primary-aluminium line is followed by its PFC line
        "lines": split_pfc(frame).replace({np.nan: None}).to_dict("records"),
        "year_status": year_status,
    }
