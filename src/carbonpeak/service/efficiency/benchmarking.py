"""Benchmarking: every production line in scope against the limit standard in force.

Read-only use cases over the stored inventories (nothing here writes):

* :func:`line_frame` — one row per production line in the caller's VIEW scope whose
  enterprise has an official inventory of the year, with the line's unit-product
  comprehensive energy [kgce/t] that year (one GROUP BY over the fact table);
* :func:`classify` — those lines graded by :func:`carbonpeak.benchmark.classify.classify_unit_energy`
  (evaluation date ``{year}-12-31``), with an ``assessment`` column saying why a line was not
  graded;
* :func:`capacity_share` — the capacity-weighted share at benchmark of Cu/Pb/Zn smelting
  lines, or (``metals=AL_SHARE_METALS``) of electrolytic-aluminium lines (computed on every
  call, never stored); a city user gets its city's share, the province role the province's;
* :func:`below_limit` — the lines worse than the limit in force, with the gap in kgce/t and
  tce/a.

Aluminium electrolysis is limited on AC power per tonne of molten aluminium [kWh/t]
(GB 21346-2022 6.2.1; GB 21346-2013 before 2024-01-01), not on kgce/t: a line that reports
the potlines' metered AC power (activity item ``al_ac_power`` [kWh]) is graded on
``ac_power_kwh_per_t`` (Σ kWh / output t over the line's official figures) against
the ``ac_power`` levels and the 标杆/基准 levels of 发改产业〔2023〕723号 (13 000 / 13 350
kWh/t); its ``unit_energy`` is then that figure and ``value_unit`` is ``kWh/t``. A line
without it is reported ``not_assessed_ac_power`` rather than compared with a level in
another unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak import catalogue, refdata
from carbonpeak.benchmark.classify import (
    capacity_share_at_benchmark,
    classify_unit_energy,
    lines_below_limit,
)
from carbonpeak.benchmark.levels import VALUES_NOT_SOURCED, Levels, load_levels
from carbonpeak.service.inventories import official
from carbonpeak.service.platform.context import Context

__all__ = [
    "AC_POWER_ROUTES",
    "AL_SHARE_METALS",
    "AL_UNVERIFIED_NOTE",
    "ASSESSMENT_NOTES",
    "SHARE_METALS",
    "STANDIN_NOTE",
    "below_limit",
    "capacity_share",
    "classify",
    "classify_cached",
    "coverage",
    "line_frame",
]

#: Metals of the plan's "capacity at benchmark" target (Hunan plan 一(三)).
SHARE_METALS = ("Cu", "Pb", "Zn")
#: Route kinds that count as smelting capacity (processing lines are not smelting).
SMELTING_KINDS = ("primary", "secondary")
#: Routes graded on AC power per tonne [kWh/t] (GB 21346), and the only Al routes of the
#: national "electrolytic aluminium at benchmark" targets.
AC_POWER_ROUTES = frozenset({"al_electrolysis"})
#: Metals of the national electrolytic-aluminium capacity-at-benchmark targets.
AL_SHARE_METALS = ("Al",)

#: Why a line was or was not graded: code → (zh, en).
#: From catalogue/benchmark_notes.toml (key -> zh, en); new entries go there.
ASSESSMENT_NOTES: dict[str, tuple[str, str]] = catalogue.pairs("benchmark_notes")

#: Shown next to a share whose benchmark is the limit standard's grade 1 (§0b.5).
STANDIN_NOTE = catalogue.pair("benchmark_share_notes.standin")
#: Shown next to an electrolytic-aluminium share: the 723号 标杆 value is flagged unverified.
AL_UNVERIFIED_NOTE = catalogue.pair("benchmark_share_notes.al_unverified")

LINE_COLUMNS = [
    "line_id",
    "line_code",
    "line_name_zh",
    "line_name_en",
    "enterprise_id",
    "credit_code",
    "enterprise_name_zh",
    "enterprise_name_en",
    "city",
    "city_name_zh",
    "city_name_en",
    "park",
    "metal",
    "route",
    "product",
    "technology",
    "route_kind",
    "capacity_t_per_a",
    "status",
    "above_designated_size",
    "year",
    "date",
    "unit_energy",
    "energy_tce",
    "output_t",
    "ac_power_kwh_per_t",
    "run_id",
]


def line_frame(ctx: Context, year: int | None) -> pd.DataFrame:
    """Production lines in scope whose enterprise has an **official** inventory of *year*,
    and their unit energy in *year* (``year=None``: every year with official figures, one
    row per line and year).

    Parameters
    ----------
    ctx : Context
        Who is asking (VIEW scope).
    year : int
        Reporting year [a]; the evaluation date is ``{year}-12-31``.

    Returns
    -------
    DataFrame
        :data:`LINE_COLUMNS`: ``product`` (the register's product, which picks the limit row;
        None: the route's default) and ``technology`` (potline cell technology), ``unit_energy``
        [kgce/t] (NaN where the inventory has no output
        or energy for the line that year), ``energy_tce`` [tce/a], ``output_t`` [t/a],
        ``ac_power_kwh_per_t`` [kWh/t] (NaN unless the line reports ``al_ac_power``),
        ``capacity_t_per_a`` [t/a], ``route_kind`` (sector/process_routes ``kind``). The
        figures come from one GROUP BY over the fact table for all years (cached by data
        version, :func:`carbonpeak.service.inventories.official.line_totals`).
    """
    reg = official.register_lines(ctx)
    figs = official.line_totals(ctx)
    ent_years = official.year_totals(ctx)[["enterprise_id", "year"]]
    if year is not None:
        figs = figs[figs["year"] == year]
        ent_years = ent_years[ent_years["year"] == year]
    d = reg.merge(ent_years, on="enterprise_id", how="inner")
    if d.empty:
        return pd.DataFrame(columns=LINE_COLUMNS)
    d = d.merge(figs, on=["enterprise_id", "line_code", "year"], how="left")
    kinds = {str(r["id"]): str(r["kind"]) for r in refdata.process_routes()}
    cities = {str(r["id"]): (str(r["name_zh"]), str(r["name_en"])) for r in refdata.load_table("geo/cities")}
    out = pd.DataFrame(
        {
            "line_id": d["credit_code"] + "/" + d["line_code"],
            "line_code": d["line_code"],
            "line_name_zh": d["line_name_zh"],
            "line_name_en": d["line_name_en"],
            "enterprise_id": d["enterprise_id"],
            "credit_code": d["credit_code"],
            "enterprise_name_zh": d["enterprise_name_zh"],
            "enterprise_name_en": d["enterprise_name_en"],
            "city": d["city"],
            "city_name_zh": d["city"].astype(str).map({k: v[0] for k, v in cities.items()}).fillna(""),
            "city_name_en": d["city"].astype(str).map({k: v[1] for k, v in cities.items()}).fillna(""),
            "park": d["park"],
            "metal": d["metal"],
            "route": d["route"],
            "product": d["product"].astype(object).where(d["product"].notna() & (d["product"] != ""), None),
            "technology": d["technology"].astype(object).where(d["technology"].notna(), None),
            "route_kind": d["route"].map(kinds),
            "capacity_t_per_a": d["capacity_t_per_a"].astype(float),
            "status": d["status"],
            "above_designated_size": d["above_designated_size"].astype(bool),
            "year": d["year"].astype(np.int64),
            "date": d["year"].astype(str) + "-12-31",
        }
    )
    energy = d["energy_tce"].astype(float)
    output = d["output_t"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["unit_energy"] = np.where(output > 0, energy * 1000.0 / output, np.nan)
        out["ac_power_kwh_per_t"] = np.where(output > 0, d["ac_power_kwh"].astype(float) / output, np.nan)
    out["energy_tce"] = energy
    out["output_t"] = output
    out["run_id"] = d["run_id"].astype("Int64")
    return out[LINE_COLUMNS].reset_index(drop=True)


def _routes_graded_by_product() -> frozenset[str]:
    """Routes whose lines are graded only once they name a product (a product of the route
    has limit rows, the route itself none: rare-earth separation, copper wire rod …)."""
    by_route = {r for row in refdata.load_table("benchmark/limit_levels") for r in row["route"]}
    graded = {
        r for row in refdata.load_table("sector/products") if row["graded_by"] for r in row["routes"]
    }
    return frozenset(graded - by_route)


def classify(
    ctx: Context, year: int | None, *, levels: Levels | None = None, on: str | None = None
) -> pd.DataFrame:
    """Every line of :func:`line_frame` graded against the limit standard in force.

    Lines with a unit energy are passed to
    :func:`~carbonpeak.benchmark.classify.classify_unit_energy` with their register product
    (which picks the limit row: zinc with or without residue treatment, the GB 29435
    rare-earth products …) and the edition in force on the evaluation date, except aluminium
    electrolysis, which is graded on ``ac_power_kwh_per_t`` [kWh/t] (indicator
    ``ac_power``) where the line reports it (its ``unit_energy`` becomes that figure) and is
    otherwise not graded.

    Returns
    -------
    DataFrame
        The line columns, the engine's level and classification columns (NaN/None for lines
        not graded), and ``assessment`` (a key of :data:`ASSESSMENT_NOTES`: ``assessed``,
        ``not_sourced`` — the edition in force, ``edition_in_force``, is not held —,
        ``no_level_in_force``, ``no_level``, ``no_product``, ``no_data``,
        ``not_assessed_ac_power``) with ``assessment_zh``/``assessment_en``.
    """
    lines = line_frame(ctx, year)
    if on is not None:
        lines["date"] = on
    lv = levels if levels is not None else load_levels()
    ac = lines["route"].isin(AC_POWER_ROUTES).to_numpy()
    has_e = lines["unit_energy"].notna().to_numpy()
    has_ac = ac & lines["ac_power_kwh_per_t"].notna().to_numpy()
    graded_mask = has_e & ~ac
    parts = []
    for mask, frame in (
        (graded_mask, lines),
        # electrolytic Al: graded on AC power per t against the ac_power levels (kWh/t)
        (has_ac, lines.assign(unit_energy=lines["ac_power_kwh_per_t"], indicator="ac_power")),
    ):
        if mask.any():
            graded = classify_unit_energy(frame[mask], lv)
            graded["assessment"] = np.where(
                graded["level_status"] == "in_force",
                "assessed",
                np.where(
                    graded["level_reason"] == VALUES_NOT_SOURCED,
                    "not_sourced",
                    np.where(
                        (graded["level_status"] == "no_level")
                        & graded["product"].isna()
                        & graded["route"].isin(_routes_graded_by_product()),
                        "no_product",
                        graded["level_status"],
                    ),
                ),
            )
            parts.append(graded)
    left = ~graded_mask & ~has_ac
    rest = lines[left].copy()
    rest["assessment"] = np.where(ac[left], "not_assessed_ac_power", "no_data")
    parts.append(rest)
    out = pd.concat([p for p in parts if not p.empty] or [rest], sort=False).sort_index()
    for col in ("below_limit",):
        if col in out:
            out[col] = out[col].fillna(False).astype(bool)
        else:
            out[col] = False
    for col in ("grade", "band", "standard", "level_id", "benchmark_basis", "edition_in_force"):
        if col not in out:
            out[col] = None
    for col in (
        "gap_to_limit",
        "gap_tce_per_a",
        "grade1",
        "grade2",
        "grade3",
        "benchmark_value",
        "baseline_value",
    ):
        if col not in out:
            out[col] = np.nan
    if "at_benchmark" not in out:
        out["at_benchmark"] = pd.array([pd.NA] * len(out), dtype="boolean")
    if "benchmark_unverified" not in out:
        out["benchmark_unverified"] = pd.array([pd.NA] * len(out), dtype="boolean")
    out["assessment_zh"] = out["assessment"].map({k: v[0] for k, v in ASSESSMENT_NOTES.items()})
    out["assessment_en"] = out["assessment"].map({k: v[1] for k, v in ASSESSMENT_NOTES.items()})
    return out.reset_index(drop=True)


def classify_cached(ctx: Context, year: int) -> pd.DataFrame:
    """:func:`classify` of *year*, sliced from one classification of every year (one engine
    call), cached by the store's data version (do not mutate)."""
    every = official.cached(ctx, "classify", (), lambda: classify(ctx, None))
    return official.cached(
        ctx, "classify_year", (year,), lambda: every[every["year"] == year].reset_index(drop=True)
    )


def coverage(ctx: Context, year: int) -> dict[str, Any]:
    """The coverage of *year*'s official figures in the caller's scope (every aggregate
    states it; :class:`carbonpeak.service.inventories.official.Coverage`)."""
    return official.coverage(ctx, year).as_dict()


def _share_lines(classified: pd.DataFrame, metals: Sequence[str] = SHARE_METALS) -> pd.DataFrame:
    """Smelting lines of *metals* operating in the year (those with a unit energy); for
    aluminium only the electrolysis lines (:data:`AC_POWER_ROUTES`)."""
    metal = classified["metal"]
    return classified[
        metal.isin(list(metals))
        & classified["route_kind"].isin(SMELTING_KINDS)
        & classified["unit_energy"].notna()
        & ((metal != "Al") | classified["route"].isin(AC_POWER_ROUTES))
    ]


def _share_columns(by: Sequence[str]) -> list[str]:
    """The columns of a capacity-share frame grouped *by*."""
    return [
        *by,
        "capacity_t_per_a",
        "capacity_at_benchmark_t_per_a",
        "share",
        "lines",
        "lines_unassessed",
        "unverified",
        "year",
        "note_zh",
        "note_en",
    ]


def capacity_share(
    ctx: Context,
    year: int,
    by: Sequence[str] = ("metal",),
    *,
    classified: pd.DataFrame | None = None,
    metals: Sequence[str] = SHARE_METALS,
) -> pd.DataFrame:
    """Capacity-weighted share of Cu/Pb/Zn smelting capacity (or, with
    ``metals=AL_SHARE_METALS``, of electrolytic-aluminium capacity) at benchmark in *year*.

    Computed from the stored unit energies on every call (never stored). Only the lines in
    the caller's scope count: a city user gets its city's share.

    Parameters
    ----------
    by : sequence of str
        Grouping columns of :func:`classify` (e.g. ``("metal",)``, ``("city", "metal")``,
        ``()`` for one total).
    classified : DataFrame, optional
        A :func:`classify` result of the same *year* to reuse.
    metals : sequence of str
        The metals counted (default :data:`SHARE_METALS`, the Hunan plan's Cu/Pb/Zn).

    Returns
    -------
    DataFrame
        The groups as columns, then the columns of
        :func:`~carbonpeak.benchmark.classify.capacity_share_at_benchmark` (``share`` 0–1,
        ``unverified``), ``year``, and ``note_zh``/``note_en`` (:data:`STANDIN_NOTE` where a
        stand-in benchmark was used, :data:`AL_UNVERIFIED_NOTE` for aluminium's unverified
        标杆 level, else empty).
    """
    c = classified if classified is not None else classify(ctx, year)
    sel = _share_lines(c, metals)
    keys = list(by)
    if sel.empty:
        return pd.DataFrame(columns=_share_columns(keys))
    agg = capacity_share_at_benchmark(sel, by=keys)
    out = agg.reset_index() if keys else agg.reset_index(drop=True)
    out["year"] = year
    out["unverified"] = out["unverified"].astype(bool)
    note = AL_UNVERIFIED_NOTE if set(metals) == set(AL_SHARE_METALS) else STANDIN_NOTE
    out["note_zh"] = np.where(out["unverified"], note[0], "")
    out["note_en"] = np.where(out["unverified"], note[1], "")
    return out


def capacity_share_by_year(
    classified: pd.DataFrame,
    years: Sequence[int],
    by: Sequence[str] = ("metal",),
    *,
    metals: Sequence[str] = SHARE_METALS,
) -> dict[int, pd.DataFrame]:
    """:func:`capacity_share` of every year in *years* from one :func:`classify` frame of
    several years (one grouped engine call): year → the frame ``capacity_share`` returns."""
    sel = _share_lines(classified, metals)
    keys = ["year", *by]
    note = AL_UNVERIFIED_NOTE if set(metals) == set(AL_SHARE_METALS) else STANDIN_NOTE
    cols = _share_columns(by)
    out: dict[int, pd.DataFrame] = {y: pd.DataFrame(columns=cols) for y in years}
    if sel.empty:
        return out
    agg = capacity_share_at_benchmark(sel, by=keys).reset_index()
    agg["unverified"] = agg["unverified"].astype(bool)
    agg["note_zh"] = np.where(agg["unverified"], note[0], "")
    agg["note_en"] = np.where(agg["unverified"], note[1], "")
    for y in years:
        g = agg[agg["year"] == y]
        if len(g):
            out[y] = g[cols].reset_index(drop=True)
    return out


def below_limit(ctx: Context, year: int, *, classified: pd.DataFrame | None = None) -> pd.DataFrame:
    """The lines in scope worse than the limit in force in *year* (must exit or retrofit),
    largest gap [tce/a] first, with ``gap_to_limit`` [kgce/t] and ``gap_tce_per_a``."""
    c = classified if classified is not None else classify(ctx, year)
    return lines_below_limit(c[c["assessment"] == "assessed"]).reset_index(drop=True)
