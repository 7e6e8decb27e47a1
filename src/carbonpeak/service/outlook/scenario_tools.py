"""The scenario engines on files and on the synthetic demo base year, without the store — the
use cases behind ``carbonpeak decompose lmdi``, ``carbonpeak macc`` and ``carbonpeak scenario
run|compare|montecarlo``.

- :func:`lmdi_csv` — LMDI-I effects of a CSV (year, category, one column per factor), per period;
- :func:`macc_csv` — the marginal abatement cost curve of a CSV of measures;
- :func:`demo_scenarios` — the demo scenarios, plus (overriding) those of a driver-path file;
  :func:`run_demo`, :func:`compare_demo` and :func:`montecarlo_demo` project them from the
  demo base year (:data:`~carbonpeak.scenarios.demo_scenarios.DEMO_BASE_YEAR`).

Every result is plain Python data (lists, dicts, floats) ready to print or dump as JSON. A
problem in a file is an :class:`~carbonpeak.errors.InputError` whose problems name the file.
The store-backed scenarios (stored inventories as the base year) are
:mod:`carbonpeak.service.outlook.scenarios`'s; :func:`compare_stored`, :func:`run_stored` and
:func:`montecarlo_stored` call them and shape their answers like the demo ones.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError, Problem
from carbonpeak.io.iamc import read_driver_paths_xlsx, to_iamc, write_iamc_csv, write_iamc_xlsx
from carbonpeak.scenarios.demo_scenarios import (
    DEMO_BASE_YEAR,
    DEMO_SCENARIOS,
    DEMO_UNCERTAINTY,
    demo_base_frame,
)
from carbonpeak.scenarios.lmdi import Method, lmdi_frame
from carbonpeak.scenarios.macc import macc
from carbonpeak.scenarios.montecarlo import run_montecarlo
from carbonpeak.scenarios.peak import DEFAULT_TOLERANCE, Peak, find_peak
from carbonpeak.scenarios.projection import BaseYear, Projection, Scenario, base_year, project
from carbonpeak.service.outlook.mc_runner import DEFAULT_CONNECT_TIMEOUT, mapper_for
from carbonpeak.service.platform.context import Context

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_SCENARIO",
    "DEFAULT_TOLERANCE",
    "DEMO_BASE_YEAR",
    "FAN_YEARS",
    "MACC_COLUMNS",
    "DemoScenarios",
    "LmdiPeriods",
    "MaccCurve",
    "MonteCarloSummary",
    "Peak",
    "ScenarioRun",
    "compare_demo",
    "compare_stored",
    "demo_scenarios",
    "lmdi_csv",
    "macc_csv",
    "montecarlo_demo",
    "montecarlo_stored",
    "run_demo",
    "run_stored",
]

#: The scenario projected when none is named (and no driver file names one).
DEFAULT_SCENARIO = "plan_policy"
#: The years of the Monte Carlo fan table.
FAN_YEARS = (2025, 2030, 2040, 2050, 2060)
#: The curve's numeric columns, in the order of :attr:`MaccCurve.rows`' values.
MACC_COLUMNS = (
    "annualised_cost_yuan_per_a",
    "mac_yuan_per_tco2e",
    "abatement_standalone_tco2e_per_a",
    "abatement_realised_tco2e_per_a",
    "cumulative_abatement_tco2e_per_a",
)


def _in_file(exc: InputError, name: str) -> InputError:
    """The same error with ``file`` set on every problem."""
    problems = [dataclasses.replace(p, file=p.file or name) for p in exc.problems]
    return InputError(problems, code=exc.code, **exc.fields)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, encoding="utf-8-sig", skipinitialspace=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError([Problem("bad_file", file=path.name, fields={"reason": str(exc)})]) from exc


# ---------------------------------------------------------------- LMDI


@dataclass(frozen=True)
class LmdiPeriods:
    """LMDI-I effects per period.

    ``periods`` holds, per period: ``year_from``, ``year_to``, ``v_from``, ``v_to``,
    ``effects`` (factor → ΔV_k, or D_k when multiplicative), ``change`` (ΔV or V_T/V_0) and
    ``residual`` (closure: Σ or Π of the effects minus the change). ``total_effect`` is Σ
    (additive) or Π (multiplicative) of every period's effects.

    ``by_category`` (with ``by_category=True`` only) holds, per period and sub-category:
    ``year_from``, ``year_to``, ``category``, ``v_from``, ``v_to`` (the sub-category's v_i),
    ``contributions`` (factor → C_ik, additive [unit of V] whatever the method), ``change``
    (v_i^T − v_i^0) and ``residual`` (Σ_k C_ik − change). LMDI is a perfect decomposition:
    over sub-categories and factors the contributions sum to the period's ΔV.
    """

    method: Method
    chained: bool
    factors: list[str]
    periods: list[dict[str, Any]]
    total_effect: float
    by_category: list[dict[str, Any]] = field(default_factory=list)


def lmdi_csv(
    path: Path, *, multiplicative: bool = False, chained: bool = True, by_category: bool = False
) -> LmdiPeriods:
    """LMDI-I decomposition of V = Σ_category Π_factor x from a CSV (Ang 2005; zeros: Ang & Liu 2007).

    Every column other than ``year``, ``category`` and ``row`` is a factor. *by_category*: also
    the sub-category × factor contributions (:attr:`LmdiPeriods.by_category`).
    """
    frame = _read_csv(path)
    factors = [c for c in frame.columns if c not in ("year", "category", "row")]
    method: Method = "multiplicative" if multiplicative else "additive"
    data = frame.assign(category=frame["category"].astype(str)) if "category" in frame else frame
    try:
        out = lmdi_frame(data, factors, method=method, chained=chained)
        cells = lmdi_frame(data, factors, chained=chained, by_category=True) if by_category else None
    except InputError as exc:
        raise _in_file(exc, path.name) from exc
    n_k = len(factors)
    effect = out["effect"].to_numpy(dtype=float).reshape(-1, n_k)  # periods × factors
    first_of = slice(None, None, n_k)
    y0s = out["year_from"].to_numpy(dtype=np.int64)[first_of]
    y1s = out["year_to"].to_numpy(dtype=np.int64)[first_of]
    v0s = out["v_from"].to_numpy(dtype=float)[first_of]
    v1s = out["v_to"].to_numpy(dtype=float)[first_of]
    change = v1s / v0s if multiplicative else v1s - v0s
    closed = effect.prod(axis=1) if multiplicative else effect.sum(axis=1)
    records: list[dict[str, Any]] = [
        {
            "year_from": int(y0s[p]),
            "year_to": int(y1s[p]),
            "v_from": float(v0s[p]),
            "v_to": float(v1s[p]),
            "effects": dict(zip(factors, effect[p].tolist(), strict=True)),
            "change": float(change[p]),
            "residual": float(closed[p] - change[p]),
        }
        for p in range(effect.shape[0])
    ]
    if multiplicative:
        total = float(np.prod([np.prod(list(r["effects"].values())) for r in records]))
    else:
        total = float(sum(sum(r["effects"].values()) for r in records))
    return LmdiPeriods(
        method=method,
        chained=chained,
        factors=factors,
        periods=records,
        total_effect=total,
        by_category=[] if cells is None else _lmdi_cells(cells, data, factors),
    )


def _lmdi_cells(cells: pd.DataFrame, data: pd.DataFrame, factors: list[str]) -> list[dict[str, Any]]:
    """Per period and sub-category: v_i in both years, C_ik by factor, Δv_i and the residual,
    from :func:`~carbonpeak.scenarios.lmdi.lmdi_frame`'s ``by_category`` rows (period-major,
    then sub-category, then factor)."""
    n_k = len(factors)
    c = cells["effect"].to_numpy(dtype=float).reshape(-1, n_k)  # (period × category) × factor
    first = slice(None, None, n_k)
    y0 = cells["year_from"].to_numpy(dtype=np.int64)[first]
    y1 = cells["year_to"].to_numpy(dtype=np.int64)[first]
    cat = cells["category"].to_numpy(dtype=object)[first]
    # v_i = Π_k x_ik of the sub-category in a year (the engine's identity)
    v = data.assign(_v=data[factors].apply(pd.to_numeric).prod(axis=1)).set_index(["year", "category"])["_v"]
    v0 = v.reindex(pd.MultiIndex.from_arrays([y0, cat])).to_numpy(dtype=float)
    v1 = v.reindex(pd.MultiIndex.from_arrays([y1, cat])).to_numpy(dtype=float)
    change = v1 - v0
    residual = c.sum(axis=1) - change
    return [
        {
            "year_from": int(y0[j]),
            "year_to": int(y1[j]),
            "category": str(cat[j]),
            "v_from": float(v0[j]),
            "v_to": float(v1[j]),
            "contributions": dict(zip(factors, c[j].tolist(), strict=True)),
            "change": float(change[j]),
            "residual": float(residual[j]),
        }
        for j in range(c.shape[0])
    ]


# ---------------------------------------------------------------- MACC


@dataclass(frozen=True)
class MaccCurve:
    """A marginal abatement cost curve, ranked.

    ``rows``: (group or None, rank, measure id, the :data:`MACC_COLUMNS` values); ``json``:
    the curve's records as JSON text; ``abated`` and ``baseline`` [tCO2e/a] summed over groups.
    """

    by: str | None
    rows: list[tuple[str | None, int, str, tuple[float, ...]]]
    json: str
    abated: float
    baseline: float


def macc_csv(
    path: Path,
    *,
    baseline: float | None = None,
    discount_rate: float | None = None,
    by: str | None = None,
) -> MaccCurve:
    """The MAC curve of the measures in a CSV: sorted by cost per tCO2e, with interaction.

    The baseline [tCO2e/a] is *baseline*, else the file's ``baseline_tco2e`` column (its first
    value per group of *by*).
    """
    frame = _read_csv(path)
    try:
        if baseline is not None:
            base: float | dict[Any, float] = baseline
        elif "baseline_tco2e" in frame:
            key = frame[by] if by else pd.Series(None, index=frame.index, dtype=object)
            firsts = frame.groupby(key, dropna=False, sort=False)["baseline_tco2e"].first()
            base = {(None if by is None else k): float(v) for k, v in firsts.items()}
        else:
            raise InputError([Problem("missing_column", column="baseline_tco2e")])
        curve = macc(frame, base, discount_rate=discount_rate, by=by)
    except InputError as exc:
        raise _in_file(exc, path.name) from exc
    cols = [curve[c].to_numpy(dtype=float) for c in MACC_COLUMNS]
    groups = curve[by].astype(str).tolist() if by else []
    rows = [
        (groups[j] if by else None, rank, mid, tuple(float(a[j]) for a in cols))
        for j, (rank, mid) in enumerate(
            zip(curve["rank"].tolist(), curve["id"].astype(str).tolist(), strict=True)
        )
    ]
    baselines = (
        curve.drop_duplicates(by)["baseline_tco2e_per_a"] if by else curve["baseline_tco2e_per_a"].iloc[:1]
    )
    return MaccCurve(
        by=by,
        rows=rows,
        json=curve.to_json(orient="records", force_ascii=False),
        abated=float(curve["abatement_realised_tco2e_per_a"].sum()),
        baseline=float(baselines.sum()),
    )


# ---------------------------------------------------------------- demo scenarios


@dataclass(frozen=True)
class DemoScenarios:
    """The demo scenarios plus those of a driver-path file; ``first`` is the file's first."""

    registry: dict[str, Scenario]
    first: str | None = None

    def name(self, scenario: str | None) -> str:
        """*scenario*, else the file's first, else :data:`DEFAULT_SCENARIO`."""
        return scenario or self.first or DEFAULT_SCENARIO

    def pick(self, name: str) -> Scenario:
        """The scenario called *name*; an ``InputError`` listing the names otherwise."""
        if name not in self.registry:
            allowed = ", ".join(self.registry)
            raise InputError(
                [Problem("bad_enum", column="scenario", value=name, fields={"allowed": allowed})]
            )
        return self.registry[name]


def demo_scenarios(drivers: Path | None = None) -> DemoScenarios:
    """The demo scenarios, plus (overriding) those of *drivers* (xlsx/csv of driver paths)."""
    registry = dict(DEMO_SCENARIOS)
    if drivers is None:
        return DemoScenarios(registry)
    try:
        read = read_driver_paths_xlsx(drivers)
    except InputError as exc:
        raise _in_file(exc, drivers.name) from exc
    registry.update(read)
    return DemoScenarios(registry, next(iter(read), None))


@dataclass(frozen=True)
class ScenarioRun:
    """One scenario projected from the demo base year [tCO2/a]; ``by_metal`` only from :func:`run_demo`."""

    name: str
    years: list[int]
    total: list[float]
    peak: Peak
    cumulative: float
    by_metal: dict[str, list[float]] = field(default_factory=dict)

    def at(self, year: int) -> float:
        """Total emissions in *year* [tCO2/a]; NaN outside the projection."""
        return self.total[self.years.index(year)] if year in self.years else math.nan


def _demo_base() -> BaseYear:
    return base_year(demo_base_frame(), DEMO_BASE_YEAR)


def _project(
    base: BaseYear, scenarios: DemoScenarios, name: str, tolerance: float, *, by_metal: bool = False
) -> tuple[ScenarioRun, Projection]:
    proj = project(base, scenarios.pick(name), registry=scenarios.registry)
    total = proj.total()
    metals: dict[str, list[float]] = {}
    if by_metal:
        names = list(dict.fromkeys(proj.groups["metal"].tolist()))
        codes = pd.Categorical(proj.groups["metal"], categories=names).codes
        co2 = proj.arrays["co2_t"]
        stacked = np.stack([co2[codes == j].sum(axis=0) for j in range(len(names))])
        metals = {m: stacked[j].tolist() for j, m in enumerate(names)}
    run = ScenarioRun(
        name=name,
        years=proj.years.tolist(),
        total=total.tolist(),
        peak=find_peak(proj.years, total, tolerance),
        cumulative=float(total.sum()),
        by_metal=metals,
    )
    return run, proj


def run_demo(
    scenarios: DemoScenarios, name: str, *, tolerance: float = DEFAULT_TOLERANCE, iamc: Path | None = None
) -> ScenarioRun:
    """Project scenario *name* to 2060 on the demo base year: CO2 total and by metal, the peak;
    with *iamc*, also write the projection in IAMC format (.csv, else .xlsx)."""
    run, proj = _project(_demo_base(), scenarios, name, tolerance, by_metal=True)
    if iamc is not None:
        table = to_iamc(proj.frame)
        (write_iamc_csv if iamc.suffix.lower() == ".csv" else write_iamc_xlsx)(table, iamc)
    return run


def compare_stored(
    ctx: Context, names: Sequence[str], *, tolerance: float = DEFAULT_TOLERANCE
) -> tuple[int, list[ScenarioRun]]:
    """Scenarios *names* projected from the official inventories in *ctx*'s scope, with the
    project register's capacity changes — exactly what the scenarios page and the
    dashboard's peak card compute (:func:`carbonpeak.service.outlook.scenarios.run`); returns the
    base year and the runs."""
    from carbonpeak.service.outlook import scenarios as scenario_service  # noqa: PLC0415

    if not names:
        raise InputError([Problem("required", column="--scenarios")])
    r = scenario_service.run(ctx, list(names), tolerance=tolerance)
    years = [int(y) for y in r["years"]]
    out = []
    for name in names:
        total = np.asarray(r["scenarios"][name]["co2_t"]["total"], dtype=float)
        out.append(
            ScenarioRun(
                name=name,
                years=years,
                total=total.tolist(),
                peak=find_peak(np.asarray(years), total, tolerance),
                cumulative=float(total.sum()),
            )
        )
    return int(r["base_year"]), out


def run_stored(
    ctx: Context,
    scenarios: DemoScenarios,
    name: str,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    iamc: Path | None = None,
) -> tuple[int, ScenarioRun]:
    """Scenario *name* (a demo one or one of the driver file's) projected from the official
    inventories in *ctx*'s scope with the project register's capacity changes — the scenarios
    page's :func:`carbonpeak.service.outlook.scenarios.run`; returns the base year and the run
    (CO2 total and by metal, the peak). With *iamc*, also writes the projection in IAMC
    format (:func:`~carbonpeak.service.outlook.scenarios.iamc_export`; .csv, else .xlsx)."""
    from carbonpeak.service.outlook import scenarios as scenario_service  # noqa: PLC0415

    scenarios.pick(name)  # an unknown name is refused before the store is read
    r = scenario_service.run(ctx, [name], tolerance=tolerance, uploaded=scenarios.registry)
    years = [int(y) for y in r["years"]]
    co2 = r["scenarios"][name]["co2_t"]
    total = np.asarray(co2["total"], dtype=float)
    run = ScenarioRun(
        name=name,
        years=years,
        total=total.tolist(),
        peak=find_peak(np.asarray(years), total, tolerance),
        cumulative=float(total.sum()),
        by_metal={str(m): [float(v) for v in series] for m, series in co2["by_metal"].items()},
    )
    if iamc is not None:
        fmt: Literal["csv", "xlsx"] = "csv" if iamc.suffix.lower() == ".csv" else "xlsx"
        data = scenario_service.iamc_export(ctx, [name], fmt, uploaded=scenarios.registry)
        iamc.write_bytes(data)
    return int(r["base_year"]), run


def compare_demo(
    scenarios: DemoScenarios,
    names: Sequence[str],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    base: BaseYear | None = None,
) -> list[ScenarioRun]:
    """Scenarios *names* projected side by side; every unknown name is one located problem."""
    if not names:
        raise InputError([Problem("required", column="--scenarios")])
    missing = [n for n in names if n not in scenarios.registry]
    if missing:
        raise InputError(
            [
                Problem(
                    "bad_enum", column="scenario", value=n, fields={"allowed": ", ".join(scenarios.registry)}
                )
                for n in missing
            ]
        )
    b = base if base is not None else _demo_base()
    return [_project(b, scenarios, n, tolerance)[0] for n in names]


@dataclass(frozen=True)
class MonteCarloSummary:
    """N trajectories of one scenario summarised.

    ``peak_years``: (year, trajectories) of the peaked ones; ``before_deadline``: trajectories
    peaked by 2030; ``fan``: (year, percentile levels, deterministic level) [tCO2/a] for the
    :data:`FAN_YEARS` in the projection.
    """

    name: str
    n: int
    years: list[int]
    p_peak_by_deadline: float
    peak_years: list[tuple[int, int]]
    not_peaked: int
    before_deadline: int
    percentiles: tuple[float, ...]
    fan: list[tuple[int, list[float], float]]


def _scheduler(value: str) -> str | None:
    return None if value.strip().lower() in ("numpy", "none", "") else value.strip()


def montecarlo_demo(
    scenarios: DemoScenarios,
    name: str,
    *,
    n: int,
    seed: int,
    chunk: int = 1_000,
    scheduler: str = "threads",
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    tolerance: float = DEFAULT_TOLERANCE,
    progress: Callable[[int, int], None] | None = None,
) -> MonteCarloSummary:
    """Monte Carlo of scenario *name* on the demo's synthetic uncertain drivers.

    *scheduler*: ``threads`` (Dask's local threads), ``numpy`` (in-process, no Dask),
    ``local`` (a Dask LocalCluster) or ``tcp://host:port``; *progress* is called with
    (chunks done, chunks).
    """
    mapper = mapper_for(_scheduler(scheduler), connect_timeout)
    chosen = scenarios.pick(name)
    res = run_montecarlo(
        _demo_base(),
        chosen,
        DEMO_UNCERTAINTY,
        n,
        seed,
        registry=scenarios.registry,
        chunk=chunk,
        tolerance=tolerance,
        progress=progress,
        map_chunks=mapper,
    )
    years = res.years.tolist()
    fan_cols = [years.index(y) for y in FAN_YEARS if y in years]
    peaked_years, counts = np.unique(res.peak_year[res.peaked], return_counts=True)
    return MonteCarloSummary(
        name=name,
        n=n,
        years=years,
        p_peak_by_deadline=res.p_peak_by_deadline,
        peak_years=list(zip(peaked_years.tolist(), counts.tolist(), strict=True)),
        not_peaked=int((~res.peaked).sum()),
        before_deadline=int((res.peaked & (res.peak_year <= 2030)).sum()),
        percentiles=tuple(res.percentiles),
        fan=[(years[k], res.fan[:, k].tolist(), float(res.deterministic[k])) for k in fan_cols],
    )


def montecarlo_stored(
    ctx: Context,
    scenarios: DemoScenarios,
    name: str,
    *,
    n: int,
    seed: int,
    chunk: int = 1_000,
    scheduler: str = "threads",
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    tolerance: float = DEFAULT_TOLERANCE,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, MonteCarloSummary]:
    """Monte Carlo of scenario *name* from the official inventories in *ctx*'s scope (the
    scenarios page's :func:`carbonpeak.service.outlook.scenarios.montecarlo`, on the demo's
    synthetic uncertain drivers, without the per-request cap); returns the base year and the
    summary, shaped as :func:`montecarlo_demo`'s."""
    from carbonpeak.service.outlook import scenarios as scenario_service  # noqa: PLC0415

    scenarios.pick(name)
    r = scenario_service.montecarlo(
        ctx,
        name,
        n=n,
        seed=seed,
        chunk=chunk,
        scheduler=_scheduler(scheduler) or "numpy",
        connect_timeout=connect_timeout,
        tolerance=tolerance,
        uploaded=scenarios.registry,
        progress=progress,
        capped=False,
    )
    years = [int(y) for y in r["years"]]
    # shares are count / n; a trajectory that has not peaked carries the final year
    counts = {int(y): round(share * n) for y, share in r["peak_year_share"].items()}
    peaked = sorted((y, c) for y, c in counts.items() if y != years[-1])
    quantiles = [str(q) for q in r["fan_co2_t"]]  # "p5", "p25", …
    fan = [
        (years[k], [float(r["fan_co2_t"][q][k]) for q in quantiles], float(r["deterministic_co2_t"][k]))
        for k in (years.index(y) for y in FAN_YEARS if y in years)
    ]
    summary = MonteCarloSummary(
        name=name,
        n=n,
        years=years,
        p_peak_by_deadline=float(r["p_peak_by_2030"]),
        peak_years=peaked,
        not_peaked=round(float(r["not_peaked_share"]) * n),
        before_deadline=sum(c for y, c in peaked if y <= 2030),
        percentiles=tuple(float(q[1:]) for q in quantiles),
        fan=fan,
    )
    return int(r["base_year"]), summary
