"""The one writer of inventory runs and of the inventory fact table.

:func:`write_runs` stores any number of runs (one per enterprise-year version) and their
lines in bulk, in the caller's transaction: the run rows with one multi-row INSERT, the
lines with ``COPY`` (PostgreSQL) or one ``executemany`` (SQLite), each line marked
``in_total`` when it makes its year's total, and the pre-aggregates derived from them
(``inventory_run_total``, ``inventory_line_total``: :func:`carbonpeak.accounting.summary.
run_totals` and ``line_totals``) that province views read. The import (one run), verification (one run),
a province bulk load and :func:`recompute_all` (thousands) all come through here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update

from carbonpeak.accounting.engine import OUTPUT_COLUMNS, compute_inventory
from carbonpeak.accounting.factors import AccountingChoices, FactorTables, load_factors
from carbonpeak.accounting.summary import (
    LINE_TOTAL_FIELDS,
    RUN_TOTAL_FIELDS,
    in_total_mask,
    line_totals,
    run_totals,
)
from carbonpeak.model import Action
from carbonpeak.scenarios.base_builder import BASE_SUM_FIELDS, carrier_sums
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.store.bulk import insert_frame, read_frame
from carbonpeak.store.models import (
    Enterprise,
    InventoryBaseTotal,
    InventoryLine,
    InventoryLineTotal,
    InventoryRun,
    InventoryRunTotal,
    SubmissionValue,
    SubmissionVersion,
)
from carbonpeak.store.scope import enterprise_scope

__all__ = [
    "LINE_COLUMNS",
    "VALUE_COLUMNS",
    "RecomputeSummary",
    "RunSpec",
    "recompute_all",
    "write_runs",
    "write_values",
]

#: The fact table's columns, in the order they are written.
LINE_COLUMNS = [
    "run_id",
    "line_no",
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
    *OUTPUT_COLUMNS,
    "in_total",
]
#: A version's figures as stored (``submission_value``), in the order they are written.
VALUE_COLUMNS = [
    "version_id",
    "line_code",
    "item",
    "period",
    "quantity",
    "unit",
    "quantity_in",
    "unit_in",
    "purity",
    "sheet",
    "row",
    "col",
]
#: Optional measured parameters stored with a figure (canonical units, NULL: the default;
#: :data:`carbonpeak.accounting.measured.FUEL_COLUMNS`).
MEASURED_VALUE_COLUMNS = ["ncv_gj", "cc_tc_per_tj", "cc_tc_per_unit", "oxidation"]
INPUT_COLUMNS = [
    "line_code",
    "period",
    "year",
    "month",
    "item",
    "quantity",
    "quantity_in",
    "unit_in",
    "purity",
]


@dataclass(frozen=True)
class RunSpec:
    """What one run records besides its lines: whose, which version and year, the factor
    tables and choices it was computed with, and where its inputs came from."""

    enterprise_id: int
    version_id: int | None
    year: int | None
    factors: FactorTables
    choices: AccountingChoices
    source_file: str


def _digests(lines: pd.DataFrame, run_col: str, n: int) -> list[str]:
    """SHA-256 per run of its inputs (line, period, item, quantity), order-independent of
    the other runs: one vectorised row hash, then one hash per run."""
    if lines.empty:
        return [hashlib.sha256(b"").hexdigest()] * n
    h = pd.util.hash_pandas_object(
        lines[["line_code", "period", "item", "quantity"]].astype(
            {"line_code": str, "period": str, "item": str, "quantity": float}
        ),
        index=False,
    ).to_numpy(dtype=np.uint64)
    run = lines[run_col].to_numpy(dtype=np.int64)
    order = np.argsort(run, kind="stable")
    bounds = np.searchsorted(run[order], np.arange(n + 1))
    hs = h[order]
    return [hashlib.sha256(hs[bounds[i] : bounds[i + 1]].tobytes()).hexdigest() for i in range(n)]


def _categorical(s: pd.Series, fill: str | None = None) -> pd.Series:
    """*s* as a categorical of strings (cheap to write: each distinct value converted once);
    missing values become *fill* when given."""
    c = s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype("category")
    if not all(isinstance(v, str) for v in c.cat.categories):
        c = c.cat.rename_categories([str(v) for v in c.cat.categories])
    if fill is not None and c.isna().any():
        if fill not in c.cat.categories:
            c = c.cat.add_categories([fill])
        c = c.fillna(fill)
    return c.reset_index(drop=True)


def _units_of(item: pd.Series, canon: pd.Series) -> pd.Series:
    """The canonical unit of every row's item, looked up once per distinct item."""
    units = np.asarray([str(canon.get(c, "") or "") for c in item.cat.categories] + [""], dtype=object)
    codes = item.cat.codes.to_numpy().astype(np.int64)
    return pd.Series(units[codes], dtype="category")  # code -1 (missing) takes the last, ""


def write_values(ctx: Context, values: pd.DataFrame) -> int:
    """Store the figures of one or many versions in bulk (:data:`VALUE_COLUMNS`, one
    ``version_id`` per row), in the caller's transaction; sheet and column names are cut to
    their fields' sizes, a missing line code is ""."""
    if values.empty:
        return 0
    v = values.assign(
        line_code=values["line_code"].astype(object).where(values["line_code"].notna(), "").astype(str),
        sheet=values["sheet"].astype(str).str[:64],
        col=values["col"].astype(str).str[:8],
    )
    # the measured parameters of the figures' rows (实测值), where the frame has them
    cols = [*VALUE_COLUMNS, *(c for c in MEASURED_VALUE_COLUMNS if c in v)]
    return insert_frame(ctx.db, SubmissionValue.__tablename__, v, cols)


def write_runs(
    ctx: Context, lines: pd.DataFrame, specs: Sequence[RunSpec], *, run_col: str = "_run"
) -> list[int]:
    """Store one run per spec and every line of *lines* (the engine's output; column
    *run_col* is the index of the line's spec, column ``line`` or ``line_code`` the
    production line); returns the new run ids in spec order."""
    if not specs:
        return []
    lines = lines.rename(columns={"line": "line_code"}) if "line" in lines else lines
    digests = _digests(lines, run_col, len(specs))
    now, who = audit.now_iso(), ctx.principal.username
    rows = [
        {
            "enterprise_id": s.enterprise_id,
            "version_id": s.version_id,
            "year": s.year,
            "method": s.factors.method.id,
            "method_version": s.factors.method.version,
            "factor_set": s.factors.factor_set,
            "gwp_set": s.factors.gwp_set,
            "grid_series": s.factors.grid_series,
            "grid_region": s.factors.grid_region,
            "choices": json.dumps(asdict(replace(s.choices, method=s.factors.method.id)), sort_keys=True),
            "status": "current",
            "source_file": s.source_file[:255],
            "input_digest": digests[i],
            "created_at": now,
            "created_by": who,
        }
        for i, s in enumerate(specs)
    ]
    ids = list(
        ctx.db.execute(
            insert(InventoryRun).returning(InventoryRun.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    if lines.empty:
        return ids
    run_idx = lines[run_col].to_numpy(dtype=np.int64)
    canon = specs[0].factors.items["canonical_unit"]
    item = _categorical(lines["item"])
    month = lines["month"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "run_id": np.asarray(ids, dtype=np.int64)[run_idx],
            "line_code": _categorical(lines["line_code"], fill=""),
            "period": _categorical(lines["period"]),
            "year": lines["year"].to_numpy(dtype=np.int64),
            "month": pd.array(month, dtype="Float64").astype("Int64"),
            "item": item,
            "quantity": lines["quantity"].to_numpy(dtype=float),
            # the canonical unit of each item: mapped once per category, not per row
            "unit": _units_of(item, canon),
            "quantity_in": lines["quantity_in"].to_numpy(dtype=float),
            "unit_in": _categorical(lines["unit_in"]),
            "purity": lines["purity"].to_numpy(dtype=float) if "purity" in lines else np.nan,
        }
    )
    for c in OUTPUT_COLUMNS:
        col = lines[c]
        out[c] = _categorical(col) if c in ("kind", "category", "factor_ids") else col.to_numpy(dtype=float)
    out["line_no"] = out.groupby("run_id", sort=False).cumcount().to_numpy(dtype=np.int64) + 1
    out["in_total"] = in_total_mask(
        pd.DataFrame({"run_id": out["run_id"], "year": out["year"], "month": month}), by=("run_id",)
    )
    insert_frame(ctx.db, InventoryLine.__tablename__, out, LINE_COLUMNS)
    # the pre-aggregates every province view reads (derived here, in the same transaction)
    totals = run_totals(out, "run_id").reset_index()
    insert_frame(ctx.db, InventoryRunTotal.__tablename__, totals, ["run_id", *RUN_TOTAL_FIELDS])
    per_line = line_totals(out, "run_id").reset_index()
    insert_frame(
        ctx.db, InventoryLineTotal.__tablename__, per_line, ["run_id", "line_code", *LINE_TOTAL_FIELDS]
    )
    signs = {str(k): float(v) for k, v in specs[0].factors.items["sign"].items()}
    base = carrier_sums(out[out["in_total"]], ["run_id", "line_code"], signs=signs).reset_index()
    insert_frame(
        ctx.db, InventoryBaseTotal.__tablename__, base, ["run_id", "line_code", *BASE_SUM_FIELDS]
    )
    return ids


@dataclass(frozen=True)
class RecomputeSummary:
    """What :func:`recompute_all` did."""

    runs: int
    lines: int
    factor_set: str
    old_to_new: dict[int, int]


@transactional
def recompute_all(ctx: Context, factor_set: str | None = None) -> RecomputeSummary:
    """Recompute every current run attached to a version, of the enterprises the caller may
    change, with *factor_set* (default: the newest); the old runs stay, superseded. One
    read of the fact table, one engine pass per method and choices, one bulk write, one
    audit event."""
    runs = ctx.db.execute(
        select(
            InventoryRun.id,
            InventoryRun.enterprise_id,
            InventoryRun.version_id,
            InventoryRun.year,
            InventoryRun.choices,
        )
        .join(Enterprise, Enterprise.id == InventoryRun.enterprise_id)
        .where(
            InventoryRun.status == "current",
            InventoryRun.version_id.is_not(None),
            enterprise_scope(ctx.principal, Action.CHANGE),
        )
        .order_by(InventoryRun.id)
    ).all()
    if not runs:
        return RecomputeSummary(0, 0, factor_set or "", {})
    run_ids = [int(r[0]) for r in runs]
    cols = [InventoryLine.run_id, *(getattr(InventoryLine, c) for c in INPUT_COLUMNS)]
    inputs = read_frame(
        ctx.db,
        select(*cols)
        .where(InventoryLine.run_id.in_(run_ids))
        .order_by(InventoryLine.run_id, InventoryLine.line_no),
        ["old_run", *INPUT_COLUMNS],
    )
    inputs["month"] = inputs["month"].astype(float)
    inputs["purity"] = inputs["purity"].astype(float)
    # the measured values each line used, cited in its factor_ids, are inputs too
    # (carbonpeak.accounting.measured.restore_inputs, run by the engine)
    fids = read_frame(
        ctx.db,
        select(InventoryLine.factor_ids)
        .where(InventoryLine.run_id.in_(run_ids))
        .order_by(InventoryLine.run_id, InventoryLine.line_no),
        ["factor_ids"],
    )
    inputs["factor_ids"] = fids["factor_ids"].to_numpy(dtype=object)
    by_choice: dict[str, list[int]] = {}
    for i, r in enumerate(runs):
        by_choice.setdefault(str(r[4]), []).append(i)
    specs: list[RunSpec] = []
    parts: list[pd.DataFrame] = []
    pos_of = {rid: i for i, rid in enumerate(run_ids)}
    for choice_json, idx in sorted(by_choice.items()):
        choices = replace(AccountingChoices(**json.loads(choice_json)), factor_set=factor_set)
        f = load_factors(choices)
        chosen = {run_ids[i] for i in idx}
        sub = inputs[inputs["old_run"].isin(chosen)].rename(columns={"line_code": "line"})
        sub = sub.assign(row=np.arange(1, len(sub) + 1), enterprise="")
        lines = compute_inventory(sub, f)
        base = len(specs)
        local = {run_ids[i]: base + k for k, i in enumerate(idx)}
        for i in idx:
            r = runs[i]
            specs.append(RunSpec(int(r[1]), r[2], r[3], f, choices, f"recompute of run {r[0]}"))
        lines["_run"] = lines["old_run"].map(local).to_numpy(dtype=np.int64)
        parts.append(lines)
    lines_all = pd.concat(parts, ignore_index=True)
    new_ids = write_runs(ctx, lines_all, specs)
    order = [run_ids[i] for _, idx in sorted(by_choice.items()) for i in idx]
    old_to_new = dict(zip(order, new_ids, strict=True))
    ctx.db.execute(
        update(InventoryRun),
        [{"id": o, "status": "superseded", "superseded_by": n} for o, n in old_to_new.items()],
    )
    ver_of = {int(runs[pos_of[o]][0]): runs[pos_of[o]][2] for o in old_to_new}
    ctx.db.execute(
        update(SubmissionVersion),
        [{"id": ver_of[o], "inventory_run_id": n} for o, n in old_to_new.items() if ver_of[o] is not None],
    )
    fs = specs[0].factors.factor_set
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "inventory.recompute_all",
        "inventory_run",
        f"{min(new_ids)}-{max(new_ids)}",
        before={"runs": len(old_to_new), "first_run": min(old_to_new), "last_run": max(old_to_new)},
        after={"runs": len(new_ids), "factor_set": fs, "lines": len(lines_all)},
    )
    return RecomputeSummary(len(new_ids), len(lines_all), fs, old_to_new)
