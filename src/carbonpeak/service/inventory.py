"""Inventories: compute (and optionally store) enterprise GHG and energy inventories.

- :func:`compute_table` parses an activity table and runs the engine, per method, without
  touching the store (``carbonpeak inventory compute``).
- :func:`store_table` does the same, then stores one run per enterprise in scope, with
  method, factor set and the row ids every figure used, and an audit event.
- :func:`recompute` recomputes a stored run with the current (or a chosen) factor set;
  the old run stays, marked ``superseded``.
- :func:`explain` explains one line of a run: formula, factors with source and clause,
  arithmetic.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import insert, select

from carbonpeak import refdata
from carbonpeak.accounting.engine import CATEGORIES, OUTPUT_COLUMNS, compute_inventory
from carbonpeak.accounting.explain import Explanation, explain_line
from carbonpeak.accounting.factors import AccountingChoices, FactorTables, load_factors
from carbonpeak.errors import InputError, NotFound, PermissionDenied, Problem
from carbonpeak.io.activity import parse_activity, parse_activity_frame
from carbonpeak.io.tabular import Table
from carbonpeak.model import Action
from carbonpeak.service import audit
from carbonpeak.service.context import Context, transactional
from carbonpeak.store.models import Enterprise, InventoryLine, InventoryRun, ProductionLine
from carbonpeak.store.scope import enterprise_scope, restrict

__all__ = [
    "AC_POWER_ITEM",
    "ComputeResult",
    "compute_table",
    "explain",
    "get_run",
    "list_runs",
    "method_of",
    "recompute",
    "save_run",
    "store_table",
    "summarise",
]

LINE_FIELDS = [
    "line_code",
    "period",
    "year",
    "month",
    "item",
    "quantity",
    "unit",
    "quantity_in",
    "unit_in",
    "purity",
    *OUTPUT_COLUMNS,  # what the engine computed, in its order
]
SUM_FIELDS = [
    "co2_t",
    "co2_market_t",
    "cf4_t",
    "c2f6_t",
    "co2e_t",
    "co2e_market_t",
    "energy_tce",
    "energy_tce_equal_value",
]
#: The indicator item of the potlines' metered AC power [kWh] (refdata accounting/items).
AC_POWER_ITEM = "al_ac_power"


@dataclass(frozen=True)
class ComputeResult:
    """Per-line results of a computation and the provenance of each method group."""

    lines: pd.DataFrame
    methods: Mapping[str, FactorTables]  # enterprise credit code -> the factor tables used


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
    return {c: "aluminium_2013" if c in smelters else "other_nonferrous_2015" for c in codes}


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
        frame = frame[frame["year"] == year]
    codes = sorted(frame["enterprise"].unique().tolist())
    by_ent = method_of(ctx, codes, method)
    parts, used = [], {}
    problems: list[Problem] = []
    for m in sorted(set(by_ent.values())):
        f = base if m == base.method.id else load_factors(replace(choices, method=m))
        sub = frame[frame["enterprise"].map(by_ent) == m]
        try:
            parts.append(compute_inventory(sub, f))
        except InputError as exc:
            problems.extend(exc.problems)
        used.update(dict.fromkeys(sub["enterprise"].unique().tolist(), f))
    if problems:
        raise InputError(problems)
    lines = pd.concat(parts, ignore_index=True) if parts else compute_inventory(frame, base)
    return ComputeResult(lines=lines.sort_values(["enterprise", "row"]).reset_index(drop=True), methods=used)


def summarise(lines: pd.DataFrame) -> dict[str, Any]:
    """Totals by category and by period, and the annual totals per year.

    A year's total is its annual rows when there are any, else the sum of its months, so
    a file carrying both (as the demo does) is not counted twice.
    """
    if lines.empty:
        return {"by_line": {}, "by_category": {}, "by_period": {}, "by_year": {}, "total": {}}
    has_annual = lines.groupby("year")["month"].apply(lambda m: bool(m.isna().any()))
    annual_mask = np.where(lines["year"].map(has_annual), lines["month"].isna(), True)
    annual = lines[annual_mask]
    by_cat = annual.groupby("category")[SUM_FIELDS].sum()
    by_period = lines.groupby("period")[SUM_FIELDS].sum()
    by_year = annual.groupby("year")[SUM_FIELDS].sum()
    # 等价值 is unavailable (NaN) for a year without a coefficient: never a silent 0
    eq_missing = annual["energy_tce_equal_value"].isna()
    for frame_, keys in ((by_cat, annual["category"]), (by_year, annual["year"])):
        missing = eq_missing.groupby(keys, observed=True).any()
        frame_.loc[missing[missing].index, "energy_tce_equal_value"] = np.nan
    cat_by_year: dict[str, dict[str, float]] = {}
    for key, t in annual.groupby(["year", "category"], observed=True)["co2e_t"].sum().items():
        y, c = cast(tuple[int, str], key)
        cat_by_year.setdefault(str(y), {})[str(c)] = float(t)
    direct_rows = annual[~annual["category"].isin(["electricity", "heat"])]
    direct_by_year = direct_rows.groupby("year")["co2e_t"].sum()
    direct = direct_rows["co2e_t"].sum()
    return {
        "by_line": _by_line(annual),
        "by_category": {str(k): _round(v) for k, v in by_cat.to_dict("index").items()},
        "by_period": {str(k): _round(v) for k, v in by_period.to_dict("index").items()},
        "by_year": {
            str(k): {
                **_round(v),
                "direct_co2e_t": float(direct_by_year.get(k, 0.0)),
                "by_category": cat_by_year.get(str(k), {}),
            }
            for k, v in by_year.to_dict("index").items()
        },
        "total": {**_round(annual[SUM_FIELDS].sum(skipna=False).to_dict()), "direct_co2e_t": float(direct)},
    }


def _by_line(annual: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """Unit-product comprehensive energy per production line and year (GB/T 2589 §3.8):
    the line's energy (tce, 当量值) over its product output (t), in kgce/t; and, for a line
    that reports the potlines' AC power (item ``al_ac_power`` [kWh]), the AC power per
    tonne of molten aluminium ``ac_power_kwh_per_t`` = Σ al_ac_power [kWh] / output [t]
    (GB 21346-2022 6.2.1), the figure electrolytic aluminium is graded on."""
    if "line" not in annual or annual.empty:
        return {}
    keyed = annual.assign(line=annual["line"].astype(str))
    keyed = keyed[keyed["line"] != ""]
    energy = keyed.groupby(["line", "year"], observed=True)["energy_tce"].sum()
    items = keyed["item"].astype(str)

    def item_sum(item: str) -> pd.Series:
        return keyed[items == item].groupby(["line", "year"], observed=True)["quantity"].sum()

    output = item_sum("product_output")
    ac_power = item_sum(AC_POWER_ITEM)
    out: dict[str, dict[str, float | None]] = {}
    for key, tce in energy.items():
        line, yr = cast(tuple[str, int], key)  # a (line, year) MultiIndex key
        t = output.get((line, yr))
        figures: dict[str, float | None] = {
            "energy_tce": float(tce),
            "output_t": None if t is None else float(t),
            "unit_energy_kgce_per_t": None if not t else float(tce) * 1000.0 / float(t),
        }
        kwh = ac_power.get((line, yr))
        if kwh is not None:
            figures["ac_power_kwh"] = float(kwh)
            figures["ac_power_kwh_per_t"] = None if not t else float(kwh) / float(t)
        out[f"{line}/{yr}"] = figures
    return out


def _round(d: Mapping[Any, Any]) -> dict[str, float | None]:
    """Plain floats for JSON; NaN (an unavailable figure) becomes None."""
    return {str(k): (None if pd.isna(v) else float(v)) for k, v in d.items()}


def _digest(sub: pd.DataFrame) -> str:
    cols = ["line", "period", "item", "quantity"]
    return hashlib.sha256(sub[cols].to_csv(index=False).encode("utf-8")).hexdigest()


def save_run(
    ctx: Context,
    ent: Enterprise,
    sub: pd.DataFrame,
    f: FactorTables,
    choices: AccountingChoices,
    source_file: str,
) -> InventoryRun:
    run = InventoryRun(
        enterprise_id=ent.id,
        method=f.method.id,
        method_version=f.method.version,
        factor_set=f.factor_set,
        gwp_set=f.gwp_set,
        grid_series=f.grid_series,
        grid_region=f.grid_region,
        choices=json.dumps(asdict(replace(choices, method=f.method.id)), sort_keys=True),
        status="current",
        source_file=source_file[:255],
        input_digest=_digest(sub),
        created_at=audit.now_iso(),
        created_by=ctx.principal.username,
        totals=json.dumps(summarise(sub), ensure_ascii=False, sort_keys=True),
    )
    ctx.db.add(run)
    ctx.db.flush()
    recs = sub.rename(columns={"line": "line_code"})
    recs = recs.assign(unit=recs["item"].map(f.items["canonical_unit"]).astype(str))[LINE_FIELDS]
    recs["line_code"] = recs["line_code"].fillna("").astype(str)
    recs.insert(0, "line_no", np.arange(1, len(recs) + 1))
    recs.insert(0, "run_id", run.id)
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()}
        for r in recs.astype(object).where(recs.notna(), None).to_dict("records")
    ]
    for r in rows:
        r["month"] = None if r["month"] is None else int(r["month"])
        r["year"], r["line_no"], r["run_id"] = int(r["year"]), int(r["line_no"]), int(r["run_id"])
    if rows:
        ctx.db.execute(insert(InventoryLine), rows)
    return run


@transactional
def store_table(
    ctx: Context,
    table: Table | pd.DataFrame,
    choices: AccountingChoices | None = None,
    *,
    method: str = "auto",
    year: int | None = None,
    file: str = "",
) -> list[int]:
    """Compute *table* and store one run per enterprise; all-or-nothing.

    Every enterprise of the file must exist and be in the caller's CHANGE scope (an
    unknown or out-of-scope credit code is a located problem); returns the run ids.
    """
    choices = choices or AccountingChoices()
    result = compute_table(ctx, table, choices, method=method, year=year, file=file)
    file = table.file if isinstance(table, Table) else file
    lines = result.lines
    codes = sorted(lines["enterprise"].unique().tolist())
    ents = {
        e.credit_code: e
        for e in ctx.db.execute(
            restrict(
                select(Enterprise).where(Enterprise.credit_code.in_(codes)), ctx.principal, Action.CHANGE
            )
        ).scalars()
    }
    missing = [c for c in codes if c not in ents]
    if missing:
        first_row = lines.groupby("enterprise")["row"].min()
        raise InputError(
            [
                Problem("unknown_enterprise", column="enterprise", value=c, row=int(first_row[c]), file=file)
                for c in missing
            ]
        )
    ids = []
    for code in codes:
        sub = lines[lines["enterprise"] == code]
        run = save_run(ctx, ents[code], sub, result.methods[code], choices, file)
        audit.record(
            ctx.db,
            ctx.principal,
            ctx.request_id,
            "inventory.compute",
            "inventory_run",
            run.id,
            after={
                "enterprise": code,
                "method": run.method,
                "factor_set": run.factor_set,
                "lines": len(sub),
                "input_digest": run.input_digest,
            },
        )
        ids.append(run.id)
    return ids


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
    frame = pd.DataFrame(recs)
    if not frame.empty:
        frame["month"] = frame["month"].astype("float")
    return frame


def get_run(ctx: Context, run_id: int) -> dict[str, Any]:
    """A run with its provenance, totals and lines (scoped)."""
    run = _run(ctx, run_id)
    ent = ctx.db.get(Enterprise, run.enterprise_id)
    return {
        "id": run.id,
        "enterprise_id": run.enterprise_id,
        "credit_code": ent.credit_code if ent else "",
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
        "totals": json.loads(run.totals),
        "categories": {k: {"zh": v[0], "en": v[1]} for k, v in CATEGORIES.items()},
        "lines": run_frame(run).replace({np.nan: None}).to_dict("records"),
    }


def list_runs(ctx: Context, enterprise_id: int) -> list[dict[str, Any]]:
    """The runs of an enterprise, newest first (scoped)."""
    ok = ctx.db.execute(
        restrict(select(Enterprise.id).where(Enterprise.id == enterprise_id), ctx.principal, Action.VIEW)
    ).first()
    if not ok:
        raise NotFound(object="enterprise", key=enterprise_id)
    runs = ctx.db.execute(
        select(InventoryRun)
        .where(InventoryRun.enterprise_id == enterprise_id)
        .order_by(InventoryRun.id.desc())
    ).scalars()
    return [
        {
            "id": r.id,
            "status": r.status,
            "method": r.method,
            "factor_set": r.factor_set,
            "created_at": r.created_at,
            "superseded_by": r.superseded_by,
            "totals": json.loads(r.totals)["total"],
        }
        for r in runs
    ]


@transactional
def recompute(ctx: Context, run_id: int, choices: AccountingChoices | None = None) -> int:
    """Recompute a run from its stored inputs; the old run is kept and marked superseded."""
    old = _run(ctx, run_id, Action.CHANGE)
    prev = AccountingChoices(**json.loads(old.choices))
    choices = choices or replace(prev, factor_set=None)
    f = load_factors(replace(choices, method=old.method))
    frame = run_frame(old).rename(columns={"line_no": "row"})
    inputs = frame[
        ["row", "line", "period", "year", "month", "item", "quantity", "quantity_in", "unit_in", "purity"]
    ].copy()
    inputs["enterprise"] = ""
    lines = compute_inventory(inputs, f)
    ent = ctx.db.get(Enterprise, old.enterprise_id)
    assert ent is not None  # noqa: S101 — FK guarantees it
    lines["enterprise"] = ent.credit_code
    new = save_run(ctx, ent, lines, f, choices, old.source_file)
    ctx.db.flush()
    old.status, old.superseded_by = "superseded", new.id
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "inventory.recompute",
        "inventory_run",
        new.id,
        before={"run": old.id, "factor_set": old.factor_set},
        after={
            "run": new.id,
            "factor_set": new.factor_set,
            "total_co2e_t": json.loads(new.totals)["total"].get("co2e_t"),
        },
    )
    return new.id


def _lookup(fid: str) -> Mapping[str, Any]:
    table, _, row_id = fid.partition("#")
    return refdata.load_table(table).get(row_id)


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
    return explain_line(rec, _lookup, _source_title)
