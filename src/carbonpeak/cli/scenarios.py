"""Command-line faces of the scenario engines: ``carbonpeak decompose lmdi``, ``carbonpeak macc``
and ``carbonpeak scenario run|compare|montecarlo``.

:func:`register` mounts the three Typer apps defined here on the root ``carbonpeak`` app
(``decompose``, ``macc``, ``scenario``).

They read a CSV (or, for ``scenario``, project a base year under the demo scenarios or those
of a driver-path xlsx) through :mod:`carbonpeak.service.outlook.scenario_tools` (imported when a
command runs), and print a rich table (or strict JSON: no NaN, missing numbers are null);
``scenario montecarlo`` shows a progress bar over its chunks on stderr. The ``scenario``
commands' base year (``--base``) is by default the store's official inventories, through the
scenario service as the ``system`` principal (:func:`carbonpeak.cli._store.system_context`) —
what the scenarios page and the dashboard compute; ``--base demo`` is the synthetic demo base
year, without the store. Errors print in Chinese and English with
their location (the file name is added to every problem) and the command exits with
status 2, through the printer shared with the rest of the CLI (:mod:`carbonpeak.cli._console`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, err_console, handles_errors
from carbonpeak.cli._store import system_context
from carbonpeak.errors import InputError, Problem

if TYPE_CHECKING:
    from carbonpeak.service.outlook.scenario_tools import Peak

__all__ = ["decompose_app", "macc_app", "register", "scenario_app"]

decompose_app = typer.Typer(help="Decomposition analysis / 因素分解（LMDI）", no_args_is_help=True)
# A group with only a callback, so ``carbonpeak macc MEASURES.csv --baseline …`` works;
# interspersed options let the options follow the file name.
macc_app = typer.Typer(
    help="Marginal abatement cost curve / 边际减排成本曲线",
    context_settings={"allow_interspersed_args": True},
)

#: Defaults shown in --help; equal to the engines' (tests/scenarios/test_scenario_cli.py checks).
_DEFAULT_TOLERANCE = 0.01
_DEFAULT_CONNECT_TIMEOUT = 10.0


def register(root: typer.Typer) -> None:
    """Add this area's groups to the root ``carbonpeak`` app."""
    root.add_typer(decompose_app, name="decompose")
    root.add_typer(macc_app, name="macc")
    root.add_typer(scenario_app, name="scenario")


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
    by_category: Annotated[
        bool,
        typer.Option(
            "--by-category",
            help="also the sub-category × factor contributions C_ik (additive) / 分项 × 因素贡献",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the effects as JSON")] = False,
) -> None:
    """LMDI-I decomposition of V = Σ_category Π_factor x (Ang 2005; zeros: Ang & Liu 2007)."""
    from carbonpeak.service.outlook.scenario_tools import lmdi_csv  # noqa: PLC0415

    res = lmdi_csv(data, multiplicative=multiplicative, chained=not base_to_end, by_category=by_category)
    factors, method, records = res.factors, res.method, res.periods
    if as_json:
        doc: dict[str, object] = {
            "method": method,
            "chained": not base_to_end,
            "factors": factors,
            "periods": records,
        }
        if by_category:
            doc["by_category"] = res.by_category
        console.print_json(json.dumps(doc, ensure_ascii=False, allow_nan=False))
        return
    if by_category:
        _print_lmdi_cells(res.by_category, factors, base_to_end)
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
    total = res.total_effect
    if multiplicative:
        console.print(
            f"V {_num(first)} → {_num(last)}: Π effects = {total:.9g}, "
            f"V_T/V_0 = {last / first:.9g} (closes / 闭合)"
        )
    else:
        console.print(
            f"V {_num(first)} → {_num(last)}: Σ effects = {total:,.9g}, "
            f"ΔV = {last - first:,.9g} (closes / 闭合)"
        )


def _print_lmdi_cells(cells: list[dict[str, Any]], factors: list[str], base_to_end: bool) -> None:
    """The sub-category × factor contributions, one row per period and sub-category, and a
    Σ row per period (the period's additive effects)."""
    t = RichTable(
        "period / 时期",
        "sub-category / 分项",
        *factors,
        "Δv_i",
        "closure residual",
        title="LMDI-I additive contributions by sub-category / 分项 × 因素贡献 "
        f"({'base-to-end' if base_to_end else 'chained'})",
    )
    for j, c in enumerate(cells):
        period = f"{c['year_from']}→{c['year_to']}"
        t.add_row(
            period,
            c["category"],
            *(_num(c["contributions"][f]) for f in factors),
            _num(c["change"]),
            f"{c['residual']:.2e}",
        )
        if j + 1 == len(cells) or cells[j + 1]["year_from"] != c["year_from"]:
            same = [x for x in cells if x["year_from"] == c["year_from"] and x["year_to"] == c["year_to"]]
            t.add_row(
                period,
                "[bold]Σ / 合计[/]",
                *(_num(sum(x["contributions"][f] for x in same)) for f in factors),
                _num(sum(x["change"] for x in same)),
                f"{sum(x['residual'] for x in same):.2e}",
                end_section=True,
            )
    console.print(t)


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
    from carbonpeak.service.outlook.scenario_tools import macc_csv  # noqa: PLC0415

    curve = macc_csv(measures, baseline=baseline, discount_rate=discount_rate, by=by)
    if as_json:
        console.print_json(curve.json)
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
    for group, rank, mid, values in curve.rows:
        t.add_row(*([str(group)] if by else []), str(rank), mid, *(_num(v) for v in values))
    console.print(t)
    console.print(
        f"{len(curve.rows)} measures: {_num(curve.abated)} of {_num(curve.baseline)} tCO2e/a abated"
        " / 合计减排"
    )


# ---------------------------------------------------------------- carbonpeak scenario …

scenario_app = typer.Typer(
    help="Scenarios to 2060 / 情景预测：run, compare, montecarlo", no_args_is_help=True
)

_DEFAULT_SCENARIO = "plan_policy"
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
BaseOpt = Annotated[
    str,
    typer.Option(
        help="inventories: the base year from the store's official inventories and the project "
        "register (as the scenarios page and the dashboard); demo: the synthetic demo base year"
    ),
]
_BASES = ("inventories", "demo")


def _check_base(base: str) -> None:
    if base not in _BASES:
        raise InputError(
            [Problem("bad_enum", column="--base", value=base, fields={"allowed": ", ".join(_BASES)})]
        )


def _base_label(stored: int | None) -> str:
    """Where the base year came from: the store's year, or the synthetic demo."""
    if stored is None:
        return "demo base year is synthetic / 演示基准年数据为合成数据"
    return (
        f"base year {stored} from the official inventories and the project register / "
        f"基准年 {stored} 取自正式核算数据与项目库"
    )


def _base_json(stored: int | None) -> dict[str, object]:
    if stored is None:
        from carbonpeak.service.outlook.scenario_tools import DEMO_BASE_YEAR  # noqa: PLC0415

        return {"base_year": DEMO_BASE_YEAR, "source": "demo", "synthetic": True}
    return {"base_year": stored, "source": "inventories", "synthetic": False}


def _finite(x: Any) -> Any:
    """*x* with every non-finite float replaced by None (strict JSON)."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    return x


def _print_json(doc: dict[str, Any]) -> None:
    console.print_json(json.dumps(_finite(doc), ensure_ascii=False, allow_nan=False))


def _mt(t: float, digits: int = 2) -> str:
    """tCO2 → Mt CO2, formatted."""
    return "—" if not math.isfinite(t) else f"{t / 1e6:,.{digits}f}"


def _verdict(peak: Peak, last_year: int) -> str:
    if not peak.peaked:
        return f"no — still rising in {last_year} / 否，{last_year} 年仍在上升"
    return "yes / 是" if peak.before_2030 else "no / 否"


def _peak_json(peak: Peak) -> dict[str, object]:
    return {"year": peak.year, "co2_t": peak.value, "peaked": peak.peaked, "before_2030": peak.before_2030}


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
    tolerance: ToleranceOpt = _DEFAULT_TOLERANCE,
    as_json: JsonOpt = False,
    base: BaseOpt = "inventories",
) -> None:
    """Project a scenario to 2060 from the base year (--base): CO2 by metal and the peak."""
    from carbonpeak.service.outlook import scenario_tools  # noqa: PLC0415

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
    _check_base(base)
    scenarios = scenario_tools.demo_scenarios(drivers)
    name = scenarios.name(scenario)
    scenarios.pick(name)
    stored: int | None = None
    if base == "inventories":
        with system_context() as ctx:
            stored, r = scenario_tools.run_stored(ctx, scenarios, name, tolerance=tolerance, iamc=iamc)
    else:
        r = scenario_tools.run_demo(scenarios, name, tolerance=tolerance, iamc=iamc)
    years = r.years
    if as_json:
        _print_json(
            {
                "scenario": name,
                **_base_json(stored),
                "tolerance": tolerance,
                "years": years,
                "co2_t": {"total": r.total, "by_metal": r.by_metal},
                "peak": _peak_json(r.peak),
                "iamc": None if iamc is None else str(iamc),
            }
        )
        return
    step = [j for j, y in enumerate(years) if (y - years[0]) % 5 == 0 or j == len(years) - 1]
    t = RichTable(
        "metal / 金属",
        *(str(years[j]) for j in step),
        title=f"CO2 by metal, Mt CO2/a — {name} / 分金属二氧化碳排放（百万吨/年）",
    )
    for m, series in r.by_metal.items():
        t.add_row(m, *(_mt(series[k]) for k in step))
    t.add_row("total / 合计", *(_mt(r.total[k]) for k in step), style="bold")
    console.print(t)
    p = r.peak
    console.print(
        f"Peak / 达峰: {p.year}, {_mt(p.value, 3)} Mt CO2/a; peaked by 2030 / "
        f"2030 年前达峰: {_verdict(p, years[-1])} (plateau tolerance / 平台容差 "
        f"{tolerance:.1%}); {_base_label(stored)}",
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
    tolerance: ToleranceOpt = _DEFAULT_TOLERANCE,
    as_json: JsonOpt = False,
    base: BaseOpt = "inventories",
) -> None:
    """Scenarios side by side: peak year and level, 2030 and 2060 emissions, cumulative CO2."""
    from carbonpeak.service.outlook import scenario_tools  # noqa: PLC0415

    known = scenario_tools.demo_scenarios(drivers)
    names = [s.strip() for s in scenarios.split(",") if s.strip()]
    _check_base(base)
    stored: int | None = None
    if base == "inventories":
        with system_context() as ctx:
            stored, runs = scenario_tools.compare_stored(ctx, names, tolerance=tolerance)
    else:
        runs = scenario_tools.compare_demo(known, names, tolerance=tolerance)
    first, last = runs[0].years[0], runs[0].years[-1]
    if as_json:
        _print_json(
            {
                **_base_json(stored),
                "tolerance": tolerance,
                "scenarios": [
                    {
                        "scenario": r.name,
                        "peak": _peak_json(r.peak),
                        "co2_2030_t": r.at(2030),
                        "co2_2060_t": r.at(2060),
                        "cumulative_co2_t": r.cumulative,
                        "cumulative_years": [first, last],
                    }
                    for r in runs
                ],
            }
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
            _mt(r.cumulative, 1),
        )
    console.print(t)
    console.print(
        f"Peak year marked > when still rising in {last} / 标 > 表示仍在上升; "
        f"Σ over annual steps; plateau tolerance / 平台容差 {tolerance:.1%}; {_base_label(stored)}",
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
    ] = _DEFAULT_CONNECT_TIMEOUT,
    tolerance: ToleranceOpt = _DEFAULT_TOLERANCE,
    as_json: JsonOpt = False,
    base: BaseOpt = "inventories",
) -> None:
    """Monte Carlo from the base year (--base) on the demo's (synthetic) uncertain drivers:
    P(peak ≤ 2030), peak years, fan."""
    from carbonpeak.service.outlook import scenario_tools  # noqa: PLC0415

    _check_base(base)
    known = scenario_tools.demo_scenarios(drivers)
    name = known.name(scenario)
    known.pick(name)
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

        options: dict[str, Any] = {
            "n": n,
            "seed": seed,
            "chunk": chunk,
            "scheduler": scheduler,
            "connect_timeout": connect_timeout,
            "tolerance": tolerance,
            "progress": advance,
        }
        stored: int | None = None
        if base == "inventories":
            with system_context() as ctx:
                stored, res = scenario_tools.montecarlo_stored(ctx, known, name, **options)
        else:
            res = scenario_tools.montecarlo_demo(known, name, **options)
    years = res.years
    if as_json:
        _print_json(
            {
                "scenario": name,
                **_base_json(stored),
                "n": n,
                "seed": seed,
                "chunk": chunk,
                "tolerance": tolerance,
                "p_peak_by_2030": res.p_peak_by_deadline,
                "peak_year_share": {str(y): c / n for y, c in res.peak_years},
                "not_peaked_share": res.not_peaked / n,
                "fan_co2_t": {
                    str(year): dict(zip([f"p{q:g}" for q in res.percentiles], levels, strict=True))
                    for year, levels, _ in res.fan
                },
                "deterministic_co2_t": {str(year): det for year, _, det in res.fan},
            }
        )
        return
    console.print(
        f"P(peak ≤ 2030) / 2030 年前达峰概率: {res.p_peak_by_deadline:.1%} "
        f"({res.before_deadline} of {n} trajectories / 条轨迹; {name}, seed {seed}, plateau tolerance "
        f"{tolerance:.1%})",
        soft_wrap=True,
    )
    t = RichTable(
        "peak year / 峰值年",
        "share / 占比",
        "trajectories / 轨迹数",
        title="Peak-year distribution / 峰值年分布",
    )
    for y, c in res.peak_years:
        t.add_row(str(y), f"{c / n:.1%}", str(c))
    if res.not_peaked:
        t.add_row(f"not by {years[-1]} / 未达峰", f"{res.not_peaked / n:.1%}", str(res.not_peaked))
    console.print(t)
    f = RichTable(
        "year / 年份",
        *(f"P{q:g}" for q in res.percentiles),
        "deterministic / 确定性",
        title="Fan, Mt CO2/a / 排放分位数（百万吨/年）",
    )
    for year, levels, det in res.fan:
        f.add_row(str(year), *(_mt(v) for v in levels), _mt(det))
    console.print(f)
    console.print(
        "Distributions are the demo's synthetic set (demo_scenarios.DEMO_UNCERTAINTY) / "
        f"分布为演示用合成设定; {_base_label(stored)}",
        soft_wrap=True,
    )
