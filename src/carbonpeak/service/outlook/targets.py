"""The plan's targets: each indicator computed from stored data, against its target.

:func:`indicators` loads the rows of refdata ``benchmark/targets`` and computes, over the
enterprises in the caller's VIEW scope (a city user: its city), what the stored inventories
allow:

* ``energy_intensity_change`` — energy [tce, 当量值, ``energy_tce``] per 万元 value added of
  the above-designated-size enterprises, change vs the base year [%], province and by city;
* ``co2_intensity_change`` — CO2 [t, ``co2_t``: fossil and process CO2 plus purchased
  electricity and heat, location-based] per 万元 value added, change vs the base year [%];
* ``capacity_share_at_benchmark`` — Cu/Pb/Zn smelting capacity at benchmark [%] by year
  (:func:`carbonpeak.service.efficiency.benchmarking.capacity_share`); for the electrolytic-aluminium
  targets (scope ``Al``) the capacity of the electrolysis lines at the 13 000 kWh/t 标杆,
  graded on their reported AC power per t (GB 21346-2013 until 2023-12-31, 2022 from
  2024-01-01; no_data where no line reports it);
* ``recycled_share`` — output of secondary routes (sector/process_routes ``kind =
  secondary``) over the output of primary and secondary routes [%], by year and metal;
* ``peak_year`` — the peak of the yearly CO2e totals (sum over enterprises of the current
  runs' annual totals) via :func:`carbonpeak.targets.indicators.peak_status`;
* ``new_green_factories`` — national green factories listed after the base year (2020),
  cumulative by year, from the green-manufacturing registry;
* every target also carries ``base_year_used`` and ``base_year_value`` (the series in the
  base year; the plan's base year 2020 where the target names none), with the intensity
  level of the base year for the intensity targets and the CO2e of the base year for the
  peak. The Cu/Pb/Zn share of the base year is evaluated against the standard in force at
  the end of the reporting year (GB 25323-2023 took effect in 2024) and says so.

Each indicator carries value, target, gap, trend (least-squares slope over the years up to
the reporting year), projected value, and the red/amber/green status with its rule
(:func:`carbonpeak.targets.indicators.status`). Yearly totals take, per enterprise and
year, the official inventory (approved; see :mod:`carbonpeak.service.inventories.official`).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak import catalogue, refdata
from carbonpeak.service.efficiency import benchmarking
from carbonpeak.service.inventories import official
from carbonpeak.service.platform.context import Context
from carbonpeak.targets.evaluate import (
    green_factory_series,
    intensity,
    intensity_sums,
    judge,
    recycled_production,
    series_dict,
    share_breakdown,
    with_registry_share,
)
from carbonpeak.targets.indicators import peak_status

__all__ = [
    "NO_DATA_REASONS",
    "TARGETS_TABLE",
    "build_dashboard",
    "check_dashboard_access",
    "dashboard",
    "default_year",
    "indicators",
    "report",
    "yearly_totals",
]

TARGETS_TABLE = "benchmark/targets"

#: From catalogue/target_no_data.toml (key -> zh, en); new entries go there.
NO_DATA_REASONS: dict[str, tuple[str, str]] = catalogue.pairs("target_no_data")


def yearly_totals(ctx: Context) -> pd.DataFrame:
    """Per enterprise in scope and year, from the **official** inventories only
    (:mod:`carbonpeak.service.inventories.official`): ``energy_tce``, ``co2_t``, ``co2e_t`` and
    ``value_added_wan_yuan`` [万元] (NaN where not reported), with ``city`` and
    ``above_designated_size`` — one GROUP BY over the fact table for all years."""
    t = official.year_totals(ctx)
    return t[
        [
            "enterprise_id",
            "city",
            "above_designated_size",
            "year",
            "energy_tce",
            "co2_t",
            "co2e_t",
            "value_added_wan_yuan",
        ]
    ].copy()


def _recycled(
    ctx: Context, years: list[int], frames: dict[int, pd.DataFrame]
) -> tuple[pd.Series, dict[str, Any]]:
    series, breakdown = recycled_production(years, frames)
    from carbonpeak.service.registry import registries  # noqa: PLC0415

    return with_registry_share(series, breakdown, registries.recycled_frame(ctx), years)


def indicators(
    ctx: Context,
    year: int = 2025,
    *,
    first_year: int = 2020,
    classified: dict[int, pd.DataFrame] | None = None,
) -> list[dict[str, Any]]:
    """Every target of refdata ``benchmark/targets`` with its indicator computed for *year*.

    Parameters
    ----------
    ctx : Context
        Who is asking (VIEW scope: the province role sees the province, a city user its city).
    year : int
        Reporting year [a].
    first_year : int
        First year of the series [a] (the plan's base year 2020).
    classified : dict, optional
        Year → :func:`carbonpeak.service.efficiency.benchmarking.classify` frame; missing years are
        computed and added, so a caller (the dashboard) can reuse them.

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
    years = list(range(min(first_year, year), year + 1))
    totals = yearly_totals(ctx)
    # the peak card's projection (its base year read and projected) runs beside the grading
    projection = _projection_beside(ctx)
    cov = official.coverage(ctx, year).as_dict()
    cache: dict[Any, Any] = {}
    graded: dict[int, pd.DataFrame] = classified if classified is not None else {}

    def frames() -> dict[int, pd.DataFrame]:
        """The classified lines of every year (computed once; shared with the caller)."""
        for y in years:
            if y not in graded:
                graded[y] = benchmarking.classify_cached(ctx, y)
        return graded

    def shares(metals: tuple[str, ...]) -> dict[str, dict[int, pd.DataFrame]]:
        """Total, by-metal and by-city shares of *metals* by year (computed once per set)."""
        key = ("shares", metals)
        if key not in cache:
            every = pd.concat([frames()[y] for y in years], ignore_index=True)
            cache[key] = {
                name: benchmarking.capacity_share_by_year(every, years, by=by, metals=metals)
                for name, by in (("total", ()), ("metal", ("metal",)), ("city", ("city",)))
            }
        return dict(cache[key])

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
            if "intensity" not in cache:
                cache["intensity"] = intensity_sums(totals)
            sums = cache["intensity"]
            series = intensity(sums, col, by)
            res = judge(base, series, year, no_data=NO_DATA_REASONS["no_value_added"])
            cities = sums.index.get_level_values("city")
            res["breakdown"] = {
                "by_city": {
                    str(c): series_dict(intensity(sums.xs(c, level="city"), col, by)) if c in cities else {}
                    for c in sorted(totals["city"].dropna().unique())
                }
            }
        elif ind == "capacity_share_at_benchmark":
            is_al = "Al" in str(row["scope"]).split(";")
            metals = benchmarking.AL_SHARE_METALS if is_al else benchmarking.SHARE_METALS
            sh = shares(metals)
            series = pd.Series(
                {y: 100.0 * float(f["share"].iloc[0]) if len(f) else np.nan for y, f in sh["total"].items()},
                dtype=float,
            )
            res = judge(base, series, year, no_data=NO_DATA_REASONS["ac_power" if is_al else "no_share"])
            res["breakdown"] = {
                "by_metal": share_breakdown(sh["metal"], "metal"),
                "by_city": share_breakdown(sh["city"], "city"),
            }
            if res.get("status") != "no_data" and not np.isfinite(series.get(first_year, np.nan)):
                if ("share_base", metals) not in cache:
                    cache[("share_base", metals)] = _share_base(ctx, {}, first_year, year, metals)
                res = {**res, **cache[("share_base", metals)]}
            if any(bool(f["unverified"].any()) for f in sh["total"].values() if len(f)):
                note = benchmarking.AL_UNVERIFIED_NOTE if is_al else benchmarking.STANDIN_NOTE
                res["note_zh"], res["note_en"] = note
        elif ind == "recycled_share":
            series, breakdown = _recycled(ctx, years, frames())
            res = judge(base, series, year, no_data=NO_DATA_REASONS["no_output"])
            res["breakdown"] = breakdown
        elif ind == "peak_year":
            res = _peak(ctx, base, totals, year, projection)
            by_city = totals.groupby(["city", "year"])["co2e_t"].sum()
            res["breakdown"] = {
                "by_city": {
                    str(c): series_dict(g.droplevel("city")) for c, g in by_city.groupby(level="city")
                }
            }
        elif ind == "new_green_factories":
            res = _green(ctx, base, years, year, first_year)
        else:
            key = ind if ind in NO_DATA_REASONS else "unknown"
            zh, en = NO_DATA_REASONS[key]
            res = {**base, "status": "no_data", "reason_zh": zh, "reason_en": en}
        out.append({**_with_base(res, int(row["base_year"] or first_year), totals), "coverage": cov})
    return out


def _share_base(
    ctx: Context,
    res: dict[str, Any],
    base_year: int,
    year: int,
    metals: tuple[str, ...] = benchmarking.SHARE_METALS,
) -> dict[str, Any]:
    """The base year's share evaluated against the edition in force on 31 December of the
    reporting year (no limit standard of today's kind was in force in the base year)."""
    on = f"{year}-12-31"
    c = benchmarking.classify(ctx, base_year, on=on)
    f = benchmarking.capacity_share(ctx, base_year, by=(), classified=c, metals=metals)
    if len(f) and np.isfinite(float(f["share"].iloc[0])):
        res = {**res, "base_year_value": 100.0 * float(f["share"].iloc[0])}
        res["base_note_zh"], res["base_note_en"] = catalogue.pair(
            "target_notes.base_backcast", base_year=base_year, on=on
        )
    return res


def _with_base(res: dict[str, Any], base_year: int, totals: pd.DataFrame) -> dict[str, Any]:
    """Add ``base_year_used`` and ``base_year_value`` (the series' value in the base year;
    for the intensity targets also the intensity level itself, for the peak the CO2e)."""
    out = {**res, "base_year_used": base_year}
    out.setdefault("base_note_zh", "")
    out.setdefault("base_note_en", "")
    if out.get("base_year_value") is None:
        out["base_year_value"] = (res.get("series") or {}).get(base_year)
    ind = res["indicator"]
    if ind in ("energy_intensity_change", "co2_intensity_change"):
        col = "energy_tce" if ind == "energy_intensity_change" else "co2_t"
        t = totals[totals["above_designated_size"] & totals["value_added_wan_yuan"].notna()]
        g = t[t["year"] == base_year][[col, "value_added_wan_yuan"]].sum()
        va = float(g["value_added_wan_yuan"])
        out["base_year_level"] = float(g[col]) / va if va > 0 else None
        out["base_year_level_unit"] = "tce/万元" if col == "energy_tce" else "tCO2/万元"
    if ind == "peak_year":
        g = totals[totals["year"] == base_year]["co2e_t"]
        out["base_year_value"] = float(g.sum()) if len(g) else None
        out["base_year_level_unit"] = "tCO2e"
    if out["base_year_value"] is None and not out["base_note_zh"]:
        zh, en = NO_DATA_REASONS["unknown"]
        out["base_note_zh"], out["base_note_en"] = catalogue.pair(
            "target_notes.no_base_value",
            reason_zh=res.get("reason_zh") or zh,
            reason_en=res.get("reason_en") or en,
        )
    return out


def _green(
    ctx: Context, base: dict[str, Any], years: list[int], year: int, first_year: int
) -> dict[str, Any]:
    """New national green factories since the base year (cumulative count by year), from
    the green-manufacturing registry (:mod:`carbonpeak.service.registry.registries`)."""
    from carbonpeak.service.registry import registries  # noqa: PLC0415

    counts = registries.green_factory_counts(ctx)
    if counts.empty:
        zh, en = NO_DATA_REASONS["new_green_factories"]
        return {**base, "status": "no_data", "reason_zh": zh, "reason_en": en}
    series, breakdown = green_factory_series(counts, years, first_year)
    res = judge(base, series, year, no_data=NO_DATA_REASONS["new_green_factories"])
    res["breakdown"] = breakdown
    return res


#: The scenario whose projection gives the peak card its verdict (current trends, no new
#: policy), and the others shown beside it.
PEAK_VERDICT_SCENARIO = "baseline"
PEAK_OTHER_SCENARIOS = ("plan_policy",)


def _projection(ctx: Context) -> dict[str, Any] | None:
    """The official inventories projected to 2060 (the scenarios page's definition): per
    scenario its peak year, level and verdict; None where the caller may not run scenarios
    or there is no base year."""
    from carbonpeak.errors import CarbonpeakError  # noqa: PLC0415
    from carbonpeak.service.outlook import scenarios  # noqa: PLC0415

    try:
        r = official.cached(
            ctx, "projection", (), lambda: scenarios.run(ctx, [PEAK_VERDICT_SCENARIO, *PEAK_OTHER_SCENARIOS])
        )
    except CarbonpeakError:
        return None
    return {
        "base_year": r["base_year"],
        "scenarios": {
            n: {"peak_year": v["peak"]["year"], "peak_co2_t": v["peak"]["co2_t"], "verdict": v["verdict"]}
            for n, v in r["scenarios"].items()
        },
    }


def _projection_beside(ctx: Context) -> Future[dict[str, Any] | None]:
    """:func:`_projection` started on a thread of its own, with a session of its own on the
    same store, so that a cold targets view reads and projects the base year while it
    grades every line (the two share nothing but the cache)."""

    def work() -> dict[str, Any] | None:
        with Session(ctx.db.get_bind()) as db:
            return _projection(Context(db=db, principal=ctx.principal, request_id=ctx.request_id))

    return _BESIDE.submit(work)


#: Threads for the parts of a cold view computed beside the request's own thread.
_BESIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="carbonpeak-view")


def _verdict_text(
    name: str, base_year: int, peak_year: int | None, verdict: str, deadline: int
) -> tuple[str, str]:
    key = {"yes": "peak_by_deadline", "no": "peak_after_deadline"}.get(verdict, "no_peak_by_2060")
    return catalogue.pair(
        f"target_notes.{key}", name=name, base_year=base_year, peak_year=peak_year, deadline=deadline
    )


def _peak(
    ctx: Context,
    base: dict[str, Any],
    totals: pd.DataFrame,
    year: int,
    projection: Future[dict[str, Any] | None] | None = None,
) -> dict[str, Any]:
    """The peak card: the historical maximum **to date** (official totals up to *year*), and
    the verdict of the projection of those inventories (:func:`_projection`, the scenarios
    page's definition). The status follows the projection of :data:`PEAK_VERDICT_SCENARIO`;
    without a projection (a role that may not run scenarios), the history's own rule."""
    t = totals[totals["year"] <= year].groupby("year")["co2e_t"].sum()
    if len(t) < 2:
        zh, en = NO_DATA_REASONS["no_totals"]
        return {**base, "status": "no_data", "reason_zh": zh, "reason_en": en}
    p = peak_status(t.index.to_numpy(), t.to_numpy(dtype=float), deadline=int(base["target_year"]))
    label_zh, label_en = catalogue.pair("target_notes.peak_to_date", year=p.year)
    out = {
        **base,
        "series": series_dict(t),
        "value": float(p.year),
        "value_label_zh": label_zh,
        "value_label_en": label_en,
        "peak_to_date_year": p.year,
        "peak_to_date_co2e_t": p.value,
        "trend": None,
        "projected": None,
        "gap": float(max(p.year - base["target"], 0)) if p.peaked else None,
        "status": p.status,
        "rule": p.rule,
        "rule_zh": p.rule_zh,
        "rule_en": p.rule_en,
        "peaked": p.peaked,
        "peak_co2e_t": p.value,
        "projection": None,
    }
    proj = projection.result() if projection is not None else _projection(ctx)
    if proj is None or PEAK_VERDICT_SCENARIO not in proj["scenarios"]:
        return out
    v = proj["scenarios"][PEAK_VERDICT_SCENARIO]
    deadline = int(base["target_year"])
    zh, en = _verdict_text(
        PEAK_VERDICT_SCENARIO, int(proj["base_year"]), v["peak_year"], v["verdict"], deadline
    )
    ok = v["verdict"] == "yes"
    out.update(
        projection=proj,
        projected=float(v["peak_year"])
        if v["peak_year"] is not None and v["verdict"] != "not_peaked"
        else None,
        status="green" if ok else "red",
        rule="projection_" + str(v["verdict"]),
        rule_zh=zh,
        rule_en=en,
        gap=float(max(int(v["peak_year"]) - deadline, 0)) if v["verdict"] == "no" else (0.0 if ok else None),
    )
    return out


LEAGUE_COLUMNS = [
    "line_id",
    "line_code",
    "enterprise_name_zh",
    "enterprise_name_en",
    "is_demo",
    "city",
    "city_name_zh",
    "city_name_en",
    "park",
    "metal",
    "route",
    "product",
    "capacity_t_per_a",
    "unit_energy",
    "value_unit",
    "standard",
    "grade1",
    "grade2",
    "grade3",
    "grade",
    "band",
    "benchmark_value",
    "benchmark_basis",
    "benchmark_unverified",
    "gap_to_limit",
    "gap_tce_per_a",
]


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in frame.columns]
    out = []
    for rec in frame[cols].astype(object).to_dict("records"):
        row: dict[str, Any] = {}
        for k, v in rec.items():
            if v is None or (isinstance(v, float) and not np.isfinite(v)) or v is pd.NA:
                row[str(k)] = None
            elif isinstance(v, np.generic):
                row[str(k)] = v.item()
            else:
                row[str(k)] = v
        out.append(row)
    return out


#: Lines of the league table kept per metal at each end (the rest via /benchmark/lines).
LEAGUE_KEEP = 10
#: Lines below the limit kept, largest gap first.
BELOW_KEEP = 50


def default_year(ctx: Context) -> int:
    """The year a view opens on: the newest that is not provisional (2025 without data)."""
    return official.default_year(ctx) or 2025


def report(ctx: Context, year: int | None = None) -> list[dict[str, Any]]:
    """:func:`indicators` for *year* (default :func:`default_year`), cached by data version."""
    y = year if year is not None else default_year(ctx)
    return official.cached(ctx, "targets", (y,), lambda: indicators(ctx, y))


def check_dashboard_access(ctx: Context) -> None:
    """The dashboard is for authorities, enterprises and verifiers; the public role reads
    published aggregates only."""
    from carbonpeak.errors import PermissionDenied  # noqa: PLC0415
    from carbonpeak.model import Role  # noqa: PLC0415

    if ctx.principal.role is Role.PUBLIC:
        raise PermissionDenied(role="public", action="dashboard.view")


def dashboard(ctx: Context, year: int | None = None) -> dict[str, Any]:
    """:func:`build_dashboard` for *year* (default :func:`default_year`), cached by the
    store's data version (any import, move, approval or recompute invalidates it)."""
    check_dashboard_access(ctx)
    y = year if year is not None else default_year(ctx)
    return official.cached(ctx, "dashboard", (y,), lambda: build_dashboard(ctx, y))


def _trim_league(league: pd.DataFrame) -> pd.DataFrame:
    """The best and the worst :data:`LEAGUE_KEEP` lines of each metal."""
    parts = [
        g if len(g) <= 2 * LEAGUE_KEEP else pd.concat([g.head(LEAGUE_KEEP), g.tail(LEAGUE_KEEP)])
        for _, g in league.groupby("metal", sort=True)
    ]
    return pd.concat(parts) if parts else league


def build_dashboard(ctx: Context, year: int = 2025) -> dict[str, Any]:
    """Everything the province dashboard shows, in the caller's VIEW scope.

    Returns
    -------
    dict
        ``year``; ``targets`` (:func:`indicators`); ``league`` — the graded lines, best first
        within each metal by ``unit_energy`` / 1级 (the benchmark league table); ``below_limit``
        — lines worse than the limit with ``gap_to_limit`` [kgce/t] and ``gap_tce_per_a``
        [tce/a]; ``cities`` and ``metals`` in scope (for the drill-down);
        ``standin_note_zh``/``_en`` (the Cu/Pb/Zn benchmark stand-in); ``coverage`` of the
        year and ``coverage_by_year``; ``league_total`` and ``below_limit_total`` (the
        league keeps the best and worst :data:`LEAGUE_KEEP` lines per metal, the
        below-limit list the :data:`BELOW_KEEP` largest gaps: the rest are on
        ``/api/v1/benchmark/lines``).

    Raises
    ------
    PermissionDenied
        For the public role (published aggregates only).
    """
    graded: dict[int, pd.DataFrame] = {}
    inds = indicators(ctx, year, classified=graded)
    c = graded[year] if year in graded else benchmarking.classify_cached(ctx, year)
    assessed = c[c["assessment"] == "assessed"].copy()
    reg = official.register_lines(ctx)
    ents = dict(zip(reg["enterprise_id"].astype(int), reg["is_demo"].astype(bool), strict=False))
    assessed["is_demo"] = assessed["enterprise_id"].map(ents).fillna(False)
    assessed["_ratio"] = pd.to_numeric(assessed["unit_energy"], errors="coerce") / pd.to_numeric(
        assessed["grade1"], errors="coerce"
    )
    league = assessed.sort_values(["metal", "_ratio"], kind="stable")
    below = benchmarking.below_limit(ctx, year, classified=c)
    league_total, below_total = len(league), len(below)
    league, below = _trim_league(league), below.head(BELOW_KEEP)
    if len(below):
        below = below.assign(is_demo=below["enterprise_id"].map(ents).fillna(False))
    cities = (
        c[["city", "city_name_zh", "city_name_en"]].drop_duplicates().sort_values("city").to_dict("records")
        if len(c)
        else []
    )
    return {
        "year": year,
        "coverage": official.coverage(ctx, year).as_dict(),
        "coverage_by_year": {str(y): c_.as_dict() for y, c_ in official.coverage_by_year(ctx).items()},
        "targets": inds,
        "league": _records(league, LEAGUE_COLUMNS),
        "league_total": league_total,
        "below_limit": _records(below, LEAGUE_COLUMNS),
        "below_limit_total": below_total,
        "cities": cities,
        "metals": sorted({str(m) for m in c["metal"].tolist()}),
        "standin_note_zh": benchmarking.STANDIN_NOTE[0],
        "standin_note_en": benchmarking.STANDIN_NOTE[1],
    }
