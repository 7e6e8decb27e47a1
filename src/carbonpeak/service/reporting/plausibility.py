"""Physical plausibility warnings of an import (issue 12, item 9): potline AC power above the
electricity available, and unit-product energies outside the plausible range of the line's
product — located at the figure that carries them, acknowledged like the other warnings of
:mod:`carbonpeak.service.reporting.intake` (never a rejection).

The rules and the ranges are the engine's (:mod:`carbonpeak.benchmark.plausibility`,
``refdata/benchmark/plausible_ranges``); this module groups the import's computed figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak import refdata
from carbonpeak.benchmark.levels import load_levels
from carbonpeak.benchmark.plausibility import (
    ac_power_above_available,
    load_ranges,
    outside_range,
    range_product,
)
from carbonpeak.errors import Problem

__all__ = ["AC_POWER_ITEM", "OUTPUT_ITEMS", "physical_warnings"]

#: The potlines' metered AC power [kWh] (GB 21346-2022 6.2.1).
AC_POWER_ITEM = "al_ac_power"
#: Product output items [t]: the denominator of unit-product energy.
OUTPUT_ITEMS = ("product_output", "primary_aluminium")
#: Potline routes: graded on AC power per tonne of molten aluminium.
POTLINE_ROUTES = frozenset({"al_electrolysis"})

_INDICATOR = {
    "comprehensive_energy": ("综合能耗", "comprehensive energy"),
    "ac_power": ("交流电耗", "AC power"),
}


def _available_items() -> list[str]:
    """Electricity the plant receives: the items of kind ``electricity`` entering the
    boundary (sign +1: purchased, and self-generated where the catalogue has such an item)."""
    return [
        str(r["id"])
        for r in refdata.load_table("accounting/items")
        if r["kind"] == "electricity" and float(r["sign"]) > 0
    ]


def _fmt(x: float) -> str:
    return f"{x:,.4g}" if abs(x) < 1e4 else f"{x:,.0f}"


def physical_warnings(
    raw: Any, lines_of_enterprise: Iterable[Any], values: pd.DataFrame, computed: pd.DataFrame | None
) -> list[Problem]:
    """The physical plausibility warnings of one import.

    Parameters
    ----------
    raw : RawSubmission
        The file read (``file``, ``sheet`` for locations).
    lines_of_enterprise : iterable of ProductionLine
        The enterprise's registered lines (``code``, ``route``, ``product``).
    values : DataFrame
        The validated figures (:data:`carbonpeak.io.intake.VALUE_COLUMNS`; canonical
        quantities), one row per figure.
    computed : DataFrame or None
        The engine's lines for those figures (``row`` = 1-based position in *values*,
        ``energy_tce`` [tce]); None when the figures could not be computed.

    Returns
    -------
    list of Problem
        ``intake_warn_ac_power`` (per period) and ``intake_warn_unit_energy`` (per line),
        located at the figure's file, sheet, row and column.
    """
    if computed is None or computed.empty or values.empty:
        return []
    v = values.reset_index(drop=True)
    c = computed.copy()
    pos = c["row"].to_numpy(dtype=np.int64) - 1
    c["line_code"] = v["line_code"].astype(str).to_numpy()[pos]
    c["period"] = v["period"].astype(str).to_numpy()[pos]
    c["_pos"] = pos
    out: list[Problem] = []

    at_row = v["row"].to_numpy(dtype=np.int64)
    at_col = v["col"].astype(str).tolist()
    sheets = v["sheet"].tolist() if "sheet" in v else [None] * len(v)

    def locate(i: int, code: str, value: str, **fields: Any) -> Problem:
        sheet = sheets[i]
        return Problem(
            code,
            column=at_col[i],
            value=value,
            row=int(at_row[i]),
            file=raw.file,
            sheet=sheet if isinstance(sheet, str) and sheet else raw.sheet,
            fields=fields,
        )

    # 1. potline AC power [kWh → MWh] against the electricity available [MWh], per period
    ac = c[c["item"] == AC_POWER_ITEM]
    if len(ac):
        avail = c[c["item"].isin(_available_items())].groupby("period")["quantity"].sum()
        per = ac.groupby("period").agg(
            ac_mwh=("quantity", lambda q: float(q.sum()) / 1000.0), first=("_pos", "min")
        )
        per["available_mwh"] = avail.reindex(per.index).fillna(0.0)
        bad = ac_power_above_available(per["ac_mwh"], per["available_mwh"])
        for period, r in per[bad].iterrows():
            out.append(
                locate(
                    int(r["first"]),
                    "intake_warn_ac_power",
                    _fmt(float(r["ac_mwh"])),
                    reference=_fmt(float(r["available_mwh"])),
                    period=str(period),
                )
            )

    # 2. unit-product energy per line over the file [kgce/t]; potlines' AC power per t [kWh/t]
    reg = {str(ln.code): ln for ln in lines_of_enterprise}
    levels = load_levels()
    ranges = load_ranges()
    graded_by = levels.graded_by or {}
    route_products: dict[str, list[str]] = {}
    for _, lr in levels.limits.sort_values("valid_from", ascending=False, na_position="last").iterrows():
        for rt in lr["route"]:
            route_products.setdefault(rt, []).append(str(lr["product"]))
    on_line = c[c["line_code"].isin(reg) & (c["line_code"] != "")]
    rows = []
    for code, g in on_line.groupby("line_code", sort=True):
        ln = reg[str(code)]
        is_out = g["item"].isin(OUTPUT_ITEMS)
        output_t = float(g.loc[is_out, "quantity"].sum())
        if output_t <= 0:
            continue
        at = int(g.loc[is_out, "_pos"].min())
        product = ln.product or None
        if ln.route in POTLINE_ROUTES:
            kwh = float(g.loc[g["item"] == AC_POWER_ITEM, "quantity"].sum())
            if kwh > 0:
                rows.append((code, at, "ac_power", kwh / output_t, product, ln.route))
        else:
            rows.append(
                (
                    code,
                    at,
                    "comprehensive_energy",
                    1000.0 * float(g["energy_tce"].sum()) / output_t,
                    product,
                    ln.route,
                )
            )
    if rows:
        frame = pd.DataFrame(rows, columns=["line", "at", "indicator", "value", "line_product", "route"])
        frame["product"] = [
            range_product(p, rt, ind, ranges, graded_by, route_products)
            for p, rt, ind in zip(frame["line_product"], frame["route"], frame["indicator"], strict=True)
        ]
        periods = sorted(set(c["period"]))
        span = periods[0] if len(periods) == 1 else f"{periods[0]}…{periods[-1]}"
        for _, r in outside_range(frame, ranges).iterrows():
            zh, en = _INDICATOR[str(r["indicator"])]
            out.append(
                locate(
                    int(r["at"]),
                    "intake_warn_unit_energy",
                    _fmt(float(r["value"])),
                    line=str(r["line"]),
                    period=span,
                    unit=str(r["value_unit"]),
                    low=_fmt(float(r["low"])),
                    high=_fmt(float(r["high"])),
                    limit_row=str(r["limit_id"]),
                    indicator_zh=zh,
                    indicator_en=en,
                )
            )
    return out
