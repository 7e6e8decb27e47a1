"""Inventory summaries: totals by category, period and year, and unit-product figures per
production line — pure functions over the engine's output frame.

A year's total is its annual rows when there are any, else the sum of its months
(:func:`in_total_mask`), so a file carrying both (as the demo does) is not counted twice;
the store keeps the same mask as the fact table's ``in_total`` column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from carbonpeak.accounting.engine import OUTPUT_COLUMNS, category_sums

__all__ = [
    "AC_POWER_ITEM",
    "LINE_TOTAL_FIELDS",
    "RUN_TOTAL_FIELDS",
    "SUM_FIELDS",
    "in_total_mask",
    "line_totals",
    "run_totals",
    "summarise",
]

#: The engine's numeric outputs, summed into totals (t, t CO2e, tce).
SUM_FIELDS = [c for c in OUTPUT_COLUMNS if c not in ("kind", "category", "factor_ids")]
#: The indicator item of the potlines' metered AC power [kWh] (refdata accounting/items).
AC_POWER_ITEM = "al_ac_power"
#: The indicator item of the enterprise's value added [万元].
VALUE_ADDED_ITEM = "value_added"
#: The product-output item of a production line [t].
OUTPUT_ITEM = "product_output"
#: Per run: the year total of every fact column, direct emissions, value added.
RUN_TOTAL_FIELDS = [*SUM_FIELDS, "direct_co2e_t", "value_added_wan_yuan"]
#: Per run and production line: energy, product output, potline AC power.
LINE_TOTAL_FIELDS = ["energy_tce", "output_t", "ac_power_kwh"]
#: The categories of indirect emissions (purchased electricity and heat).
INDIRECT_CATEGORIES = ("electricity", "heat")


def in_total_mask(lines: pd.DataFrame, by: tuple[str, ...] = ()) -> np.ndarray:
    """True for the rows that make a year's total: per *by* group and ``year``, the annual
    rows (``month`` NaN) when there are any, else every month."""
    keys = [lines[k] for k in (*by, "year")]
    annual = lines["month"].isna()
    has_annual = annual.groupby(keys, observed=True).transform("any").to_numpy(dtype=bool)
    out: np.ndarray = np.where(has_annual, annual.to_numpy(dtype=bool), True)
    return out


def _item_sum(lines: pd.DataFrame, keys: list[str], item: str) -> pd.Series:
    """Σ quantity of *item* per *keys* group; NaN for a group without a row of it."""
    rows = lines[lines["item"].astype(str).to_numpy() == item]
    out: pd.Series = rows.groupby(keys, observed=True)["quantity"].sum()
    return out


def run_totals(lines: pd.DataFrame, run: str) -> pd.DataFrame:
    """The year total of each run (group *run*) of the rows that make it (``in_total``):
    every column of :data:`SUM_FIELDS` [t, t CO2e, tce], ``direct_co2e_t`` [t CO2e] (not
    electricity or heat) and ``value_added_wan_yuan`` [万元]. 等价值 is NaN for a run with
    any row lacking its coefficient, value added NaN for a run that reports none — never
    a silent 0. Indexed by *run*; the pre-aggregate the store keeps beside the lines."""
    t = lines[lines["in_total"].to_numpy(dtype=bool)]
    g = t.groupby(run, observed=True, sort=True)
    out = g[SUM_FIELDS].sum()
    eq_missing = t["energy_tce_equal_value"].isna().groupby(t[run], observed=True).any()
    out.loc[eq_missing[eq_missing].index, "energy_tce_equal_value"] = np.nan
    direct = t["co2e_t"].where(~t["category"].astype(str).isin(INDIRECT_CATEGORIES), 0.0)
    out["direct_co2e_t"] = direct.groupby(t[run], observed=True).sum()
    out["value_added_wan_yuan"] = _item_sum(t, [run], VALUE_ADDED_ITEM)
    return out[RUN_TOTAL_FIELDS]


def line_totals(lines: pd.DataFrame, run: str, line: str = "line_code") -> pd.DataFrame:
    """Per run and production line (rows with a line code, ``in_total``): ``energy_tce``
    [tce, 当量值], ``output_t`` [t] (item ``product_output``) and ``ac_power_kwh`` [kWh]
    (item :data:`AC_POWER_ITEM`), NaN where the line reports none. Indexed by (*run*,
    *line*)."""
    t = lines[lines["in_total"].to_numpy(dtype=bool) & (lines[line].astype(str).to_numpy() != "")]
    t = t.assign(**{line: t[line].astype(str)})
    keys = [run, line]
    out = t.groupby(keys, observed=True, sort=True)[["energy_tce"]].sum()
    out["output_t"] = _item_sum(t, keys, OUTPUT_ITEM)
    out["ac_power_kwh"] = _item_sum(t, keys, AC_POWER_ITEM)
    result: pd.DataFrame = out[LINE_TOTAL_FIELDS]
    return result


def summarise(lines: pd.DataFrame) -> dict[str, Any]:
    """Totals by category and by period, and the annual totals per year.

    A year's total is its annual rows when there are any, else the sum of its months, so
    a file carrying both (as the demo does) is not counted twice.
    """
    if lines.empty:
        return {"by_line": {}, "by_category": {}, "by_period": {}, "by_year": {}, "total": {}}
    annual = lines[in_total_mask(lines)]
    cat_year = category_sums(annual, ("year",))  # every gas in its category: PFCs under pfc
    by_cat = cat_year.groupby(level="category").sum()[SUM_FIELDS]
    by_period = lines.groupby("period")[SUM_FIELDS].sum()
    by_year = annual.groupby("year")[SUM_FIELDS].sum()
    # 等价值 is unavailable (NaN) for a year without a coefficient: never a silent 0
    eq_missing = annual["energy_tce_equal_value"].isna()
    for frame_, keys, as_text in ((by_cat, annual["category"], True), (by_year, annual["year"], False)):
        missing = eq_missing.groupby(keys, observed=True).any()
        labels = missing[missing].index
        frame_.loc[labels.astype(str) if as_text else labels, "energy_tce_equal_value"] = np.nan
    # …and for a period (the API's by_period): electricity never silently left out of 等价值
    missing_p = lines["energy_tce_equal_value"].isna().groupby(lines["period"], observed=True).any()
    by_period.loc[missing_p[missing_p].index, "energy_tce_equal_value"] = np.nan
    cat_by_year: dict[str, dict[str, float]] = {}
    for key, t in cat_year["co2e_t"].items():
        y, c = cast(tuple[int, str], key)
        cat_by_year.setdefault(str(y), {})[str(c)] = float(t)
    direct_rows = annual[~annual["category"].astype(str).isin(INDIRECT_CATEGORIES)]
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
    # the per-line sums the store keeps for every run (:func:`line_totals`), here per year
    sums = line_totals(annual.assign(in_total=True), "year", line="line")
    out: dict[str, dict[str, float | None]] = {}
    for key, row in sums.swaplevel().sort_index().iterrows():
        line, yr = cast(tuple[str, int], key)  # a (line, year) MultiIndex key
        tce, t, kwh = float(row["energy_tce"]), row["output_t"], row["ac_power_kwh"]
        figures: dict[str, float | None] = {
            "energy_tce": tce,
            "output_t": None if pd.isna(t) else float(t),
            "unit_energy_kgce_per_t": None if pd.isna(t) or not t else tce * 1000.0 / float(t),
        }
        if not pd.isna(kwh):
            figures["ac_power_kwh"] = float(kwh)
            figures["ac_power_kwh_per_t"] = None if pd.isna(t) or not t else float(kwh) / float(t)
        out[f"{line}/{yr}"] = figures
    return out


def _round(d: Mapping[Any, Any]) -> dict[str, float | None]:
    """Plain floats for JSON; NaN (an unavailable figure) becomes None."""
    return {str(k): (None if pd.isna(v) else float(v)) for k, v in d.items()}
