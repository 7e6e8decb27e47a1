"""A target's indicator series judged against it, and the series the province's targets are
computed from — pure functions over frames (the service loads the official figures and the
refdata rows; nothing here reads the store).

* :func:`judge` — value in the reporting year, least-squares trend, projection and the
  red/amber/green status of a series against one target row
  (:func:`carbonpeak.targets.indicators.status`);
* :func:`intensity_sums`, :func:`intensity` — energy or CO2 per 万元 value added of the
  enterprises above designated size, change vs the base year [%];
* :func:`recycled_production` — output of secondary routes over primary + secondary [%], by
  year and metal, from classified lines;
* :func:`share_breakdown` — a capacity share by year per group, in per cent;
* :func:`green_factory_series` — new national green factories since the base year,
  cumulative by year, province and by city.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError
from carbonpeak.targets.indicators import intensity_change, linear_trend, recycled_share, status

__all__ = [
    "finite",
    "green_factory_series",
    "intensity",
    "intensity_sums",
    "judge",
    "recycled_production",
    "series_dict",
    "share_breakdown",
    "with_registry_share",
]


def finite(x: object) -> float | None:
    """*x* as a float, None where it is missing, not a number or infinite."""
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def series_dict(s: pd.Series) -> dict[int, float | None]:
    """A year-indexed series as {year: value or None}."""
    return {int(str(k)): finite(v) for k, v in s.items()}


def judge(
    target: Mapping[str, Any], series: pd.Series, year: int, *, no_data: tuple[str, str]
) -> dict[str, Any]:
    """Value in *year*, trend over the years up to it, and the RAG status.

    Parameters
    ----------
    target : mapping
        The target row as the service shapes it: at least ``target`` [the indicator's unit],
        ``comparison`` (``at_most``/``at_least``) and ``target_year`` [a]; carried into the result.
    series : Series
        The indicator by year [the indicator's unit]; NaN where not computable.
    year : int
        Reporting year [a].
    no_data : (str, str)
        The reason (zh, en) given when *series* has no value in *year*.

    Returns
    -------
    dict
        *target* with ``series`` and either ``value``, ``trend`` [unit/a], ``projected``,
        ``gap``, ``status``, ``rule``/``rule_zh``/``rule_en`` — or ``status = "no_data"``
        with ``reason_zh``/``reason_en``.
    """
    s = series.dropna()
    s = s[s.index <= year]
    out = {**target, "series": series_dict(series)}
    if year not in s.index:
        return {**out, "status": "no_data", "reason_zh": no_data[0], "reason_en": no_data[1]}
    value = float(s.loc[year])
    trend = linear_trend(s.index.to_numpy(dtype=float), s.to_numpy(dtype=float))
    st = status(
        value, float(target["target"]), str(target["comparison"]), year, int(target["target_year"]), trend
    )
    return {
        **out,
        "value": value,
        "trend": finite(trend),
        "projected": st.projected,
        "gap": st.gap,
        "status": st.status,
        "rule": st.rule,
        "rule_zh": st.rule_zh,
        "rule_en": st.rule_en,
    }


def intensity_sums(totals: pd.DataFrame) -> pd.DataFrame:
    """Energy [tce], CO2 [t] and value added [万元] of the enterprises above designated size
    that report value added, summed by city and year (the intensity indicators' inputs).

    *totals*: one row per enterprise and year with ``city``, ``year``,
    ``above_designated_size``, ``energy_tce``, ``co2_t`` and ``value_added_wan_yuan``.
    """
    t = totals[totals["above_designated_size"] & totals["value_added_wan_yuan"].notna()]
    out: pd.DataFrame = t.groupby(["city", "year"])[["energy_tce", "co2_t", "value_added_wan_yuan"]].sum()
    return out


def intensity(sums: pd.DataFrame, column: str, base_year: int) -> pd.Series:
    """Change of *column* per 万元 value added vs *base_year* [%], by year (empty where not
    computable), from sums by year (:func:`intensity_sums`, one city's or all)."""
    g = sums.groupby(level="year").sum() if isinstance(sums.index, pd.MultiIndex) else sums
    try:
        frame = intensity_change(g[column], g["value_added_wan_yuan"], base_year)
    except InputError:
        return pd.Series(dtype=float)
    out: pd.Series = frame["change_vs_base_pct"]
    return out


def recycled_production(
    years: list[int], frames: Mapping[int, pd.DataFrame]
) -> tuple[pd.Series, dict[str, Any]]:
    """Recycled share [%] by year (and ``by_metal``) from each year's classified lines
    (``route_kind``, ``metal``, ``output_t`` [t]): secondary over primary + secondary
    output (:func:`carbonpeak.targets.indicators.recycled_share`)."""
    parts = []
    for y in years:
        f = frames[y]
        f = f[f["route_kind"].isin(("primary", "secondary")) & f["output_t"].notna()]
        parts.append(f[["year", "metal", "route_kind", "output_t"]])
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if frame.empty:
        return pd.Series(dtype=float), {}
    sec = frame["route_kind"] == "secondary"
    total = recycled_share(frame.set_index("year")["output_t"], sec)
    by_metal = recycled_share(frame.set_index(["year", "metal"])["output_t"], sec)
    breakdown = {
        str(m): series_dict(100.0 * g.droplevel("metal")["recycled_share"])
        for m, g in by_metal.groupby(level="metal")
    }
    return 100.0 * total["recycled_share"], {"by_metal": breakdown}


def with_registry_share(
    series: pd.Series, breakdown: dict[str, Any], registry: pd.DataFrame, years: list[int]
) -> tuple[pd.Series, dict[str, Any]]:
    """The recycled share [%] completed from the recycling registry (``year``,
    ``recycled_output_t``, ``total_output_t`` [t]) in the years the production figures lack;
    the registry's own series under ``breakdown["registry"]`` and the years it filled under
    ``breakdown["from_registry_years"]``."""
    if registry.empty:
        return series, breakdown
    g = registry.groupby("year")[["recycled_output_t", "total_output_t"]].sum()
    reg_share = 100.0 * g["recycled_output_t"] / g["total_output_t"].where(g["total_output_t"] > 0)
    out = {**breakdown, "registry": series_dict(reg_share)}
    missing = [y for y in years if y not in series.dropna().index and y in reg_share.index]
    if missing:
        series = pd.concat([series.dropna(), reg_share.loc[missing]]).sort_index()
        out["from_registry_years"] = missing
    return series, out


def share_breakdown(frames: Mapping[int, pd.DataFrame], key: str) -> dict[str, dict[int, float | None]]:
    """{group: {year: share [%]}} of per-year share frames (``year``, *key*, ``share`` as a
    fraction)."""
    parts = [f for f in frames.values() if len(f)]
    if not parts:
        return {}
    per = pd.concat(parts, ignore_index=True)
    return {
        str(k): {
            int(y): finite(100.0 * float(v))
            for y, v in zip(g["year"].tolist(), g["share"].tolist(), strict=True)
        }
        for k, g in per.groupby(key)
    }


def green_factory_series(
    counts: pd.DataFrame, years: list[int], first_year: int
) -> tuple[pd.Series, dict[str, Any]]:
    """New national green factories listed after *first_year*, cumulative by year, and the
    breakdown by city with the stock at the base year.

    *counts*: ``year`` (listing year), ``city_code``, ``count``.
    """
    new = counts[counts["year"] > first_year]
    by_year = new.groupby("year")["count"].sum()
    series = pd.Series({y: float(by_year[by_year.index <= y].sum()) for y in years}, dtype=float)
    breakdown = {
        "by_city": {
            str(c): {y: float(g[(g["year"] > first_year) & (g["year"] <= y)]["count"].sum()) for y in years}
            for c, g in counts.groupby("city_code")
        },
        "stock_at_base": float(counts[counts["year"] <= first_year]["count"].sum()),
    }
    return series, breakdown
