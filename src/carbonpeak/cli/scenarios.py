"""Command-line faces of the scenario engines: ``carbonpeak decompose lmdi``, ``carbonpeak macc``
and ``carbonpeak scenario run|compare|montecarlo``.

:func:`register` mounts the three Typer apps defined here on the root ``carbonpeak`` app
(``decompose``, ``macc``, ``scenario``).

They read a CSV (or, for ``scenario``, project the synthetic demo base year under the
demo scenarios or those of a driver-path xlsx), call the pure engines of
:mod:`carbonpeak.scenarios`, and print a rich table (or JSON); ``scenario montecarlo``
shows a progress bar over its chunks on stderr. Errors print in Chinese and English with
their location (the file name is added to every problem) and the command exits with
status 2, through the printer shared with the rest of the CLI (:mod:`carbonpeak.cli._console`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, err_console, handles_errors
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
from carbonpeak.scenarios.montecarlo import DEFAULT_CONNECT_TIMEOUT, run_montecarlo
from carbonpeak.scenarios.peak import DEFAULT_TOLERANCE, Peak, find_peak
from carbonpeak.scenarios.projection import BaseYear, Projection, Scenario, base_year, project

__all__ = ["decompose_app", "macc_app", "register", "scenario_app"]

decompose_app = typer.Typer(help="Decomposition analysis / 因素分解（LMDI）", no_args_is_help=True)
# A group with only a callback, so ``carbonpeak macc MEASURES.csv --baseline …`` works;
# interspersed options let the options follow the file name.
macc_app = typer.Typer(
    help="Marginal abatement cost curve / 边际减排成本曲线",
    context_settings={"allow_interspersed_args": True},
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


def _num(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:,.6g}"


@decompose_app.command("lmdi")
@handles_errors
def lmdi(
    data: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV: year, category, one column per factor")
    ],
    multiplicative: Annotated[
        bool, typer.Option("--multiplicative", help="multiplicative effects D_k instead of additive ΔV_k")
    ] = False,
    base_to_end: Annotated[
        bool, typer.Option("--base-to-end", help="one period, first year to last (default: chained)")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the effects as JSON")] = False,
) -> None:
    """LMDI-I decomposition of V = Σ_category Π_factor x (Ang 2005; zeros: Ang & Liu 2007)."""
    frame = _read_csv(data)
    factors = [c for c in frame.columns if c not in ("year", "category", "row")]
    method: Method = "multiplicative" if multiplicative else "additive"
    try:
        out = lmdi_frame(
            frame.assign(category=frame["category"].astype(str)) if "category" in frame else frame,
            factors,
            method=method,
            chained=not base_to_end,
        )
    except InputError as exc:
        raise _in_file(exc, data.name) from exc
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
    if as_json:
        console.print_json(
            json.dumps(
                {"method": method, "chained": not base_to_end, "factors": factors, "periods": records},
                ensure_ascii=False,
            )
        )
        return
    label = "D (V_T/V_0)" if multiplicative else "ΔV"
    t = RichTable(
        "period / 时期",
        *factors,
        label,
        "closure residual",
        title=f"LMDI-I {method} effects / 分解效应 ({'base-to-end' if base_to_end else 'chained'})",
    )
    for r in records:
        t.add_row(
            f"{r['year_from']}→{r['year_to']}",
            *(_num(r["effects"][f]) for f in factors),
            _num(r["change"]),
            f"{r['residual']:.2e}",
        )
    console.print(t)
    first, last = records[0]["v_from"], records[-1]["v_to"]
    if multiplicative:
        total = float(np.prod([np.prod(list(r["effects"].values())) for r in records]))
        console.print(
            f"V {_num(first)} → {_num(last)}: Π effects = {total:.9g}, "
            f"V_T/V_0 = {last / first:.9g} (closes / 闭合)"
        )
    else:
        total = float(sum(sum(r["effects"].values()) for r in records))
        console.print(
            f"V {_num(first)} → {_num(last)}: Σ effects = {total:,.9g}, "
            f"ΔV = {last - first:,.9g} (closes / 闭合)"
        )


@macc_app.callback(invoke_without_command=True)
@handles_errors
def macc_curve(
    measures: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="CSV: id, capex_yuan, delta_opex_yuan_per_a, energy_saving_value_yuan_per_a, "
            "lifetime_a, abatement_tco2e_per_a or abatement_share, discount_rate",
        ),
    ],
    baseline: Annotated[
        float | None,
        typer.Option(help="baseline emissions, tCO2e/a (else a baseline_tco2e column, per group)"),
    ] = None,
    discount_rate: Annotated[
        float | None, typer.Option(help="discount rate for measures without one, 1/a")
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="column grouping the measures (enterprise, city…); one curve per group")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the curve as JSON")] = False,
) -> None:
    """Marginal abatement cost curve: measures sorted by cost per tCO2e, with interaction."""
    frame = _read_csv(measures)
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
        raise _in_file(exc, measures.name) from exc
    if as_json:
        console.print_json(curve.to_json(orient="records", force_ascii=False))
        return
    t = RichTable(title="边际减排成本曲线 / marginal abatement cost curve")
    for head in [
        *([by] if by else []),
        "rank",
        "id",
        "cost yuan/a",
        "MAC yuan/t",
        "alone t/a",
        "realised t/a",
        "cumul. t/a",
    ]:
        t.add_column(head, overflow="fold")
    cols = {
        c: curve[c].to_numpy(dtype=float)
        for c in (
            "annualised_cost_yuan_per_a",
            "mac_yuan_per_tco2e",
            "abatement_standalone_tco2e_per_a",
            "abatement_realised_tco2e_per_a",
            "cumulative_abatement_tco2e_per_a",
        )
    }
    groups = curve[by].astype(str).tolist() if by else []
    for j, (rank, mid) in enumerate(
        zip(curve["rank"].tolist(), curve["id"].astype(str).tolist(), strict=True)
    ):
        t.add_row(*([groups[j]] if by else []), str(rank), mid, *(_num(float(a[j])) for a in cols.values()))
    console.print(t)
    abated = float(curve["abatement_realised_tco2e_per_a"].sum())
    baselines = (
        curve.drop_duplicates(by)["baseline_tco2e_per_a"] if by else curve["baseline_tco2e_per_a"].iloc[:1]
    )
    console.print(
        f"{len(curve)} measures: {_num(abated)} of {_num(float(baselines.sum()))} tCO2e/a abated / 合计减排"
    )


# ---------------------------------------------------------------- carbonpeak scenario …

scenario_app = typer.Typer(
    help="Scenarios to 2060 / 情景预测：run, compare, montecarlo", no_args_is_help=True
)

_DEFAULT_SCENARIO = "plan_policy"
_FAN_YEARS = (2025, 2030, 2040, 2050, 2060)
_SCHEDULER_HELP = (
    "threads (Dask's local threaded scheduler, default), numpy (in-process, no Dask), "
    "local (an in-process Dask LocalCluster) or tcp://host:port (a running Dask scheduler)"
)

DriversOpt = Annotated[
    Path | None,
    typer.Option(
        "--drivers",
        exists=True,
        dir_okay=False,
        help="xlsx/csv of driver paths (scenario, driver, selector, year, value[, parent]); "
        "its scenarios may inherit from the demo ones",
    ),
]
ToleranceOpt = Annotated[
    float, typer.Option(help="plateau tolerance of the peak rule, fraction of the peak level")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the result as JSON")]


@dataclasses.dataclass(frozen=True)
class _Run:
    """One scenario projected and summarised (emissions in tCO2/a)."""

    name: str
    projection: Projection
    total: np.ndarray[Any, np.dtype[np.float64]]
    peak: Peak

    def at(self, year: int) -> float:
        hit = np.flatnonzero(self.projection.years == year)
        return float(self.total[hit[0]]) if hit.size else math.nan


def _registry(drivers: Path | None) -> tuple[dict[str, Scenario], str | None]:
    """The demo scenarios, plus (overriding) those of *drivers*; and the file's first scenario."""
    registry = dict(DEMO_SCENARIOS)
    if drivers is None:
        return registry, None
    try:
        read = read_driver_paths_xlsx(drivers)
    except InputError as exc:
        raise _in_file(exc, drivers.name) from exc
    registry.update(read)
    return registry, next(iter(read), None)


def _pick(registry: dict[str, Scenario], name: str) -> Scenario:
    if name not in registry:
        raise InputError(
            [Problem("bad_enum", column="scenario", value=name, fields={"allowed": ", ".join(registry)})]
        )
    return registry[name]


def _demo_base() -> BaseYear:
    return base_year(demo_base_frame(), DEMO_BASE_YEAR)


def _project(base: BaseYear, registry: dict[str, Scenario], name: str, tolerance: float) -> _Run:
    scenario = _pick(registry, name)
    proj = project(base, scenario, registry=registry)
    total = proj.total()
    return _Run(name=name, projection=proj, total=total, peak=find_peak(proj.years, total, tolerance))


def _mt(t: float, digits: int = 2) -> str:
    """tCO2 → Mt CO2, formatted."""
    return "—" if not math.isfinite(t) else f"{t / 1e6:,.{digits}f}"


def _verdict(peak: Peak, last_year: int) -> str:
    if not peak.peaked:
        return f"no — still rising in {last_year} / 否，{last_year} 年仍在上升"
    return "yes / 是" if peak.before_2030 else "no / 否"


def _peak_json(peak: Peak) -> dict[str, Any]:
    return {"year": peak.year, "co2_t": peak.value, "peaked": peak.peaked, "before_2030": peak.before_2030}


def _scheduler(value: str) -> str | None:
    return None if value.strip().lower() in ("numpy", "none", "") else value.strip()


@scenario_app.command("run")
@handles_errors
def run(
    scenario: Annotated[
        str | None,
        typer.Option(help=f"scenario name (default {_DEFAULT_SCENARIO}; with --drivers, the file's first)"),
    ] = None,
    drivers: DriversOpt = None,
    iamc: Annotated[
        Path | None,
        typer.Option(
            "--iamc", dir_okay=False, help="also write the projection in IAMC format (.csv or .xlsx)"
        ),
    ] = None,
    tolerance: ToleranceOpt = DEFAULT_TOLERANCE,
    as_json: JsonOpt = False,
) -> None:
    """Project a scenario to 2060 on the (synthetic) demo base year: CO2 by metal and the peak."""
    if iamc is not None and iamc.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(
            [
                Problem(
                    "bad_enum",
                    column="--iamc",
                    value=iamc.suffix or iamc.name,
                    fields={"allowed": ".csv, .xlsx"},
                )
            ]
        )
    registry, first = _registry(drivers)
    name = scenario or first or _DEFAULT_SCENARIO
    r = _project(_demo_base(), registry, name, tolerance)
    proj = r.projection
    years = proj.years.tolist()
    metals = list(dict.fromkeys(proj.groups["metal"].tolist()))
    codes = pd.Categorical(proj.groups["metal"], categories=metals).codes
    co2 = proj.arrays["co2_t"]
    by_metal = np.stack([co2[codes == j].sum(axis=0) for j in range(len(metals))])
    if iamc is not None:
        table = to_iamc(proj.frame)
        (write_iamc_csv if iamc.suffix.lower() == ".csv" else write_iamc_xlsx)(table, iamc)
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "scenario": name,
                    "tolerance": tolerance,
                    "years": years,
                    "co2_t": {
                        "total": r.total.tolist(),
                        "by_metal": {m: by_metal[j].tolist() for j, m in enumerate(metals)},
                    },
                    "peak": _peak_json(r.peak),
                    "iamc": None if iamc is None else str(iamc),
                },
                ensure_ascii=False,
            )
        )
        return
    step = [j for j, y in enumerate(years) if (y - years[0]) % 5 == 0 or j == len(years) - 1]
    t = RichTable(
        "metal / 金属",
        *(str(years[j]) for j in step),
        title=f"CO2 by metal, Mt CO2/a — {name} / 分金属二氧化碳排放（百万吨/年）",
    )
    for j, m in enumerate(metals):
        t.add_row(m, *(_mt(float(by_metal[j, k])) for k in step))
    t.add_row("total / 合计", *(_mt(float(r.total[k])) for k in step), style="bold")
    console.print(t)
    p = r.peak
    console.print(
        f"Peak / 达峰: {p.year}, {_mt(p.value, 3)} Mt CO2/a; peaked by 2030 / "
        f"2030 年前达峰: {_verdict(p, years[-1])} (plateau tolerance / 平台容差 "
        f"{tolerance:.1%})",
        soft_wrap=True,
    )
    if iamc is not None:
        console.print(f"IAMC written / 已写出: {iamc}", soft_wrap=True, markup=False)


@scenario_app.command("compare")
@handles_errors
def compare(
    scenarios: Annotated[
        str, typer.Option(help="comma-separated scenario names")
    ] = "baseline,plan_policy,accelerated",
    drivers: DriversOpt = None,
    tolerance: ToleranceOpt = DEFAULT_TOLERANCE,
    as_json: JsonOpt = False,
) -> None:
    """Scenarios side by side: peak year and level, 2030 and 2060 emissions, cumulative CO2."""
    registry, _ = _registry(drivers)
    names = [s.strip() for s in scenarios.split(",") if s.strip()]
    if not names:
        raise InputError([Problem("required", column="--scenarios")])
    missing = [n for n in names if n not in registry]
    if missing:
        raise InputError(
            [
                Problem("bad_enum", column="scenario", value=n, fields={"allowed": ", ".join(registry)})
                for n in missing
            ]
        )
    base = _demo_base()
    runs = [_project(base, registry, n, tolerance) for n in names]
    first, last = int(runs[0].projection.years[0]), int(runs[0].projection.years[-1])
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "tolerance": tolerance,
                    "scenarios": [
                        {
                            "scenario": r.name,
                            "peak": _peak_json(r.peak),
                            "co2_2030_t": r.at(2030),
                            "co2_2060_t": r.at(2060),
                            "cumulative_co2_t": float(r.total.sum()),
                            "cumulative_years": [first, last],
                        }
                        for r in runs
                    ],
                },
                ensure_ascii=False,
            )
        )
        return
    t = RichTable(title="Scenario comparison, Mt CO2 / 情景对比（百万吨二氧化碳）")
    t.add_column("scenario 情景", no_wrap=True)
    for head in ("peak 峰值年", "peak Mt", "≤2030", "2030 Mt", "2060 Mt"):
        t.add_column(head, justify="right")
    t.add_column(f"Σ{first}–{last % 100:02d} Mt", justify="right")
    for r in runs:
        t.add_row(
            r.name,
            str(r.peak.year) if r.peak.peaked else f">{r.peak.year}",
            _mt(r.peak.value),
            "yes 是" if r.peak.before_2030 else "no 否",
            _mt(r.at(2030)),
            _mt(r.at(2060)),
            _mt(float(r.total.sum()), 1),
        )
    console.print(t)
    console.print(
        f"Peak year marked > when still rising in {last} / 标 > 表示仍在上升; "
        f"Σ over annual steps; plateau tolerance / 平台容差 {tolerance:.1%}; "
        "demo base year is synthetic / 演示基准年数据为合成数据",
        soft_wrap=True,
    )


@scenario_app.command("montecarlo")
@handles_errors
def montecarlo(
    scenario: Annotated[
        str | None,
        typer.Option(help=f"scenario name (default {_DEFAULT_SCENARIO}; with --drivers, the file's first)"),
    ] = None,
    drivers: DriversOpt = None,
    n: Annotated[int, typer.Option("--n", help="number of trajectories")] = 10_000,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same result)")] = 1,
    chunk: Annotated[int, typer.Option(help="trajectories per chunk (bounds memory)")] = 1_000,
    scheduler: Annotated[str, typer.Option(help=_SCHEDULER_HELP)] = "threads",
    connect_timeout: Annotated[
        float, typer.Option(help="seconds to wait for a tcp:// scheduler")
    ] = DEFAULT_CONNECT_TIMEOUT,
    tolerance: ToleranceOpt = DEFAULT_TOLERANCE,
    as_json: JsonOpt = False,
) -> None:
    """Monte Carlo on the demo's (synthetic) uncertain drivers: P(peak ≤ 2030), peak years, fan."""
    registry, first = _registry(drivers)
    name = scenario or first or _DEFAULT_SCENARIO
    chosen = _pick(registry, name)
    base = _demo_base()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("chunks / 批"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console) as bar:
        task = bar.add_task(f"Monte Carlo {name} / 蒙特卡洛", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        res = run_montecarlo(
            base,
            chosen,
            DEMO_UNCERTAINTY,
            n,
            seed,
            registry=registry,
            chunk=chunk,
            scheduler=_scheduler(scheduler),
            tolerance=tolerance,
            progress=advance,
            connect_timeout=connect_timeout,
        )
    years = res.years.tolist()
    fan_cols = [years.index(y) for y in _FAN_YEARS if y in years]
    peaked_years, counts = np.unique(res.peak_year[res.peaked], return_counts=True)
    not_peaked = int((~res.peaked).sum())
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "scenario": name,
                    "n": n,
                    "seed": seed,
                    "chunk": chunk,
                    "tolerance": tolerance,
                    "p_peak_by_2030": res.p_peak_by_deadline,
                    "peak_year_share": {
                        str(int(y)): int(c) / n for y, c in zip(peaked_years, counts, strict=True)
                    },
                    "not_peaked_share": not_peaked / n,
                    "fan_co2_t": {
                        str(years[k]): dict(
                            zip([f"p{q:g}" for q in res.percentiles], res.fan[:, k].tolist(), strict=True)
                        )
                        for k in fan_cols
                    },
                    "deterministic_co2_t": {str(years[k]): float(res.deterministic[k]) for k in fan_cols},
                },
                ensure_ascii=False,
            )
        )
        return
    before = int((res.peaked & (res.peak_year <= 2030)).sum())
    console.print(
        f"P(peak ≤ 2030) / 2030 年前达峰概率: {res.p_peak_by_deadline:.1%} "
        f"({before} of {n} trajectories / 条轨迹; {name}, seed {seed}, plateau tolerance "
        f"{tolerance:.1%})",
        soft_wrap=True,
    )
    t = RichTable(
        "peak year / 峰值年",
        "share / 占比",
        "trajectories / 轨迹数",
        title="Peak-year distribution / 峰值年分布",
    )
    for y, c in zip(peaked_years.tolist(), counts.tolist(), strict=True):
        t.add_row(str(y), f"{c / n:.1%}", str(c))
    if not_peaked:
        t.add_row(f"not by {years[-1]} / 未达峰", f"{not_peaked / n:.1%}", str(not_peaked))
    console.print(t)
    f = RichTable(
        "year / 年份",
        *(f"P{q:g}" for q in res.percentiles),
        "deterministic / 确定性",
        title="Fan, Mt CO2/a / 排放分位数（百万吨/年）",
    )
    for k in fan_cols:
        f.add_row(str(years[k]), *(_mt(float(v)) for v in res.fan[:, k]), _mt(float(res.deterministic[k])))
    console.print(f)
    console.print(
        "Distributions are the demo's synthetic set (demo_scenarios.DEMO_UNCERTAINTY) / 分布为演示用合成设定",
        soft_wrap=True,
    )


def register(root: typer.Typer) -> None:
    """Add this area's groups to the root ``carbonpeak`` app."""
    root.add_typer(decompose_app, name="decompose")
    root.add_typer(macc_app, name="macc")
    root.add_typer(scenario_app, name="scenario")
