"""The plan's targets: each indicator computed from stored data, against its target.

:func:`indicators` loads the rows of refdata ``benchmark/targets`` and computes, over the
enterprises in the caller's VIEW scope (a city user: its city), what the stored inventories
allow:

* ``energy_intensity_change`` — energy [tce, 当量值, ``energy_tce``] per 万元 value added of
  the above-designated-size enterprises, change vs the base year [%], province and by city;
* ``co2_intensity_change`` — CO2 [t, ``co2_t``: fossil and process CO2 plus purchased
  electricity and heat, location-based] per 万元 value added, change vs the base year [%];
* ``capacity_share_at_benchmark`` — Cu/Pb/Zn smelting capacity at benchmark [%] by year
  (:func:`carbonpeak.service.benchmarking.capacity_share`); aluminium needs AC power per t,
  which the inventories do not carry (no_data);
* ``recycled_share`` — output of secondary routes (sector/process_routes ``kind =
  secondary``) over the output of primary and secondary routes [%], by year and metal;
* ``peak_year`` — the peak of the yearly CO2e totals (sum over enterprises of the current
  runs' annual totals) via :func:`carbonpeak.targets.indicators.peak_status`;
* ``new_green_factories`` — no registry yet: ``no_data`` with the reason.

Each indicator carries value, target, gap, trend (least-squares slope over the years up to
the reporting year), projected value, and the red/amber/green status with its rule
(:func:`carbonpeak.targets.indicators.status`). Yearly totals take, per enterprise and
year, the newest current run that has that year.
"""

from __future__ import annotations

import json
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import select

from carbonpeak import refdata
from carbonpeak.errors import InputError
from carbonpeak.service import benchmarking
from carbonpeak.service.context import Context
from carbonpeak.store.models import Enterprise, InventoryLine
from carbonpeak.targets.indicators import (
    intensity_change,
    linear_trend,
    peak_status,
    recycled_share,
    status,
)

__all__ = ["NO_DATA_REASONS", "TARGETS_TABLE", "indicators", "yearly_totals"]

TARGETS_TABLE = "benchmark/targets"

NO_DATA_REASONS: dict[str, tuple[str, str]] = {
    "new_green_factories": ("尚无绿色工厂名录数据（待建绿色制造名录）", "no green-factory registry yet"),
    "ac_power": (
        "电解铝按铝液交流电耗（kWh/t）评价，核算数据仅有综合能耗（kgce/t）",
        "electrolytic aluminium is assessed on AC power per t (kWh/t); the "
        "inventories give comprehensive energy in kgce/t only",
    ),
    "no_value_added": (
        "缺少基准年或报告年的工业增加值或能耗数据",
        "value added or energy missing for the base or reporting year",
    ),
    "no_share": (
        "报告年无可评价的产能（评价日无现行限额标准或无数据）",
        "no assessable capacity in the reporting year (no limit standard in force on "
        "the evaluation date, or no data)",
    ),
    "no_output": ("无分工艺产量数据", "no output by route"),
    "no_totals": ("无年度排放数据", "no yearly emission totals"),
    "unknown": ("该指标暂不能由已存数据计算", "this indicator cannot be computed from stored data yet"),
}


def yearly_totals(ctx: Context) -> pd.DataFrame:
    """Per enterprise in scope and year: ``energy_tce``, ``co2_t``, ``co2e_t`` (annual totals
    of the newest current run with that year) and ``value_added_wan_yuan`` [万元], with
    ``city`` and ``above_designated_size``."""
    runs = benchmarking.current_runs(ctx)
    ents = {
        e.id: e
        for e in ctx.db.execute(
            select(Enterprise).where(Enterprise.id.in_({r.enterprise_id for r in runs}))
        ).scalars()
    }
    figures: dict[tuple[int, int], dict[str, Any]] = {}
    run_of: dict[tuple[int, int], int] = {}
    for run in runs:
        for y, vals in json.loads(run.totals).get("by_year", {}).items():
            figures[(run.enterprise_id, int(y))] = vals
            run_of[(run.enterprise_id, int(y))] = run.id
    va_rows = ctx.db.execute(
        select(InventoryLine.run_id, InventoryLine.year, InventoryLine.month, InventoryLine.quantity).where(
            InventoryLine.item == "value_added", InventoryLine.run_id.in_(sorted(set(run_of.values())))
        )
    ).all()
    va = pd.DataFrame(va_rows, columns=["run_id", "year", "month", "quantity"])
    value_added: dict[tuple[int, int], float] = {}
    if not va.empty:
        for key, g in va.groupby(["run_id", "year"]):
            run_id, year = cast(tuple[int, int], key)
            annual = g[g["month"].isna()]
            value_added[(int(run_id), int(year))] = float(
                (annual if not annual.empty else g)["quantity"].sum()
            )
    recs = []
    for (eid, year), vals in sorted(figures.items()):
        e = ents[eid]
        recs.append(
            {
                "enterprise_id": eid,
                "city": e.city_code,
                "above_designated_size": bool(e.above_designated_size),
                "year": year,
                "energy_tce": float(vals.get("energy_tce") or 0.0),
                "co2_t": float(vals.get("co2_t") or 0.0),
                "co2e_t": float(vals.get("co2e_t") or 0.0),
                "value_added_wan_yuan": value_added.get((run_of[(eid, year)], year), np.nan),
            }
        )
    return pd.DataFrame(
        recs,
        columns=[
            "enterprise_id",
            "city",
            "above_designated_size",
            "year",
            "energy_tce",
            "co2_t",
            "co2e_t",
            "value_added_wan_yuan",
        ],
    )


def _finite(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _series_dict(s: pd.Series) -> dict[int, float | None]:
    return {int(str(k)): _finite(v) for k, v in s.items()}


def _judge(base: dict[str, Any], series: pd.Series, year: int, *, reason: str) -> dict[str, Any]:
    """Value in *year*, trend over the years up to it, and the RAG status."""
    s = series.dropna()
    s = s[s.index <= year]
    out = {**base, "series": _series_dict(series)}
    if year not in s.index:
        zh, en = NO_DATA_REASONS[reason]
        return {**out, "status": "no_data", "reason_zh": zh, "reason_en": en}
    value = float(s.loc[year])
    trend = linear_trend(s.index.to_numpy(dtype=float), s.to_numpy(dtype=float))
    st = status(value, float(base["target"]), str(base["comparison"]), year, int(base["target_year"]), trend)
    return {
        **out,
        "value": value,
        "trend": _finite(trend),
        "projected": st.projected,
        "gap": st.gap,
        "status": st.status,
        "rule": st.rule,
        "rule_zh": st.rule_zh,
        "rule_en": st.rule_en,
    }


def _intensity(totals: pd.DataFrame, column: str, base_year: int) -> pd.Series:
    """Change of *column* per 万元 value added vs *base_year* [%], by year (NaN: not
    computable)."""
    t = totals[totals["above_designated_size"] & totals["value_added_wan_yuan"].notna()]
    g = t.groupby("year")[[column, "value_added_wan_yuan"]].sum()
    try:
        frame = intensity_change(g[column], g["value_added_wan_yuan"], base_year)
    except InputError:
        return pd.Series(dtype=float)
    return frame["change_vs_base_pct"]


def _recycled(ctx: Context, years: list[int]) -> tuple[pd.Series, dict[str, Any]]:
    parts = []
    for y in years:
        f = benchmarking.line_frame(ctx, y)
        f = f[f["route_kind"].isin(("primary", "secondary")) & f["output_t"].notna()]
        parts.append(f[["year", "metal", "route_kind", "output_t"]])
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if frame.empty:
        return pd.Series(dtype=float), {}
    sec = frame["route_kind"] == "secondary"
    total = recycled_share(frame.set_index("year")["output_t"], sec)
    by_metal = recycled_share(frame.set_index(["year", "metal"])["output_t"], sec)
    breakdown = {
        str(m): _series_dict(100.0 * g.droplevel("metal")["recycled_share"])
        for m, g in by_metal.groupby(level="metal")
    }
    return 100.0 * total["recycled_share"], {"by_metal": breakdown}


def indicators(ctx: Context, year: int = 2025, *, first_year: int = 2020) -> list[dict[str, Any]]:
    """Every target of refdata ``benchmark/targets`` with its indicator computed for *year*.

    Parameters
    ----------
    ctx : Context
        Who is asking (VIEW scope: the province role sees the province, a city user its city).
    year : int
        Reporting year [a].
    first_year : int
        First year of the series [a] (the plan's base year 2020).

    Returns
    -------
    list of dict
        One per target row: ``id``, ``indicator``, ``name_zh``/``name_en``, ``scope``,
        ``base_year``, ``target_year``, ``target``, ``unit``, ``comparison``, ``clause``,
        ``source_id``, ``confidence``, ``year``, ``series`` {year: value}, and either
        ``value``, ``trend`` [unit/a], ``projected``, ``gap``, ``status`` (green/amber/red),
        ``rule``/``rule_zh``/``rule_en`` — or ``status = "no_data"`` with
        ``reason_zh``/``reason_en``; ``breakdown`` where computed (by city, by metal), and
        ``note_zh``/``note_en`` (e.g. the benchmark stand-in).
    """
    years = list(range(first_year, year + 1))
    totals = yearly_totals(ctx)
    cache: dict[str, Any] = {}

    def shares() -> dict[int, pd.DataFrame]:
        if "shares" not in cache:
            cache["shares"] = {y: benchmarking.capacity_share(ctx, y, by=()) for y in years}
            cache["shares_metal"] = {y: benchmarking.capacity_share(ctx, y) for y in years}
        return dict(cache["shares"])

    out = []
    for row in refdata.load_table(TARGETS_TABLE):
        base: dict[str, Any] = {
            "id": row["id"],
            "indicator": row["indicator"],
            "name_zh": row["name_zh"],
            "name_en": row["name_en"],
            "scope": row["scope"],
            "base_year": row["base_year"],
            "target_year": int(row["target_year"]),
            "target": float(row["target_value"]),
            "unit": row["value_unit"],
            "comparison": row["comparison"],
            "clause": row["clause"],
            "source_id": row["source_id"],
            "confidence": row["confidence"],
            "year": year,
            "series": {},
            "breakdown": {},
            "note_zh": "",
            "note_en": "",
        }
        ind = str(row["indicator"])
        if ind in ("energy_intensity_change", "co2_intensity_change"):
            col = "energy_tce" if ind == "energy_intensity_change" else "co2_t"
            by = int(row["base_year"] or first_year)
            series = _intensity(totals, col, by)
            res = _judge(base, series, year, reason="no_value_added")
            res["breakdown"] = {
                "by_city": {str(c): _series_dict(_intensity(g, col, by)) for c, g in totals.groupby("city")}
            }
        elif ind == "capacity_share_at_benchmark":
            if "Al" in str(row["scope"]).split(";"):
                zh, en = NO_DATA_REASONS["ac_power"]
                res = {**base, "status": "no_data", "reason_zh": zh, "reason_en": en}
            else:
                sh = shares()
                series = pd.Series(
                    {y: 100.0 * float(f["share"].iloc[0]) if len(f) else np.nan for y, f in sh.items()},
                    dtype=float,
                )
                res = _judge(base, series, year, reason="no_share")
                per_metal = pd.concat(cache["shares_metal"].values(), ignore_index=True)
                res["breakdown"] = {
                    "by_metal": {
                        str(m): {
                            int(y): _finite(100.0 * float(v))
                            for y, v in zip(g["year"].tolist(), g["share"].tolist(), strict=True)
                        }
                        for m, g in per_metal.groupby("metal")
                    }
                }
                if any(bool(f["unverified"].any()) for f in sh.values() if len(f)):
                    res["note_zh"], res["note_en"] = benchmarking.STANDIN_NOTE
        elif ind == "recycled_share":
            series, breakdown = _recycled(ctx, years)
            res = _judge(base, series, year, reason="no_output")
            res["breakdown"] = breakdown
        elif ind == "peak_year":
            res = _peak(base, totals, year)
        else:
            key = ind if ind in NO_DATA_REASONS else "unknown"
            zh, en = NO_DATA_REASONS[key]
            res = {**base, "status": "no_data", "reason_zh": zh, "reason_en": en}
        out.append(res)
    return out


def _peak(base: dict[str, Any], totals: pd.DataFrame, year: int) -> dict[str, Any]:
    t = totals[totals["year"] <= year].groupby("year")["co2e_t"].sum()
    if len(t) < 2:
        zh, en = NO_DATA_REASONS["no_totals"]
        return {**base, "status": "no_data", "reason_zh": zh, "reason_en": en}
    p = peak_status(t.index.to_numpy(), t.to_numpy(dtype=float), deadline=int(base["target_year"]))
    return {
        **base,
        "series": _series_dict(t),
        "value": float(p.year),
        "trend": None,
        "projected": None,
        "gap": float(max(p.year - base["target"], 0)) if p.peaked else None,
        "status": p.status,
        "rule": p.rule,
        "rule_zh": p.rule_zh,
        "rule_en": p.rule_en,
        "peaked": p.peaked,
        "peak_co2e_t": p.value,
    }
