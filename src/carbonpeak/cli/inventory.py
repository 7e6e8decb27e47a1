"""Command-line faces of the inventories: ``carbonpeak inventory compute|explain|recompute``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, err_console, handles_errors
from carbonpeak.cli._store import system_context

__all__ = ["register"]

inv_app = typer.Typer(help="Inventories / 温室气体与能耗核算", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this area's group to the root ``carbonpeak`` app."""
    root.add_typer(inv_app, name="inventory")


@inv_app.command("compute")
@handles_errors
def inventory_compute(
    activity: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="activity CSV/XLSX")],
    method: Annotated[
        str, typer.Option(help="auto | other_nonferrous_2015 | aluminium_2013 | cets_al_2024")
    ] = "auto",
    year: Annotated[int | None, typer.Option(help="only this year's rows")] = None,
    gwp: Annotated[str | None, typer.Option(help="GWP set: SAR | AR4 | AR5 | AR6 (any case)")] = None,
    grid: Annotated[str | None, typer.Option(help="grid-factor series id")] = None,
    region: Annotated[
        str | None, typer.Option(help="the grid series' region: 430000 (Hunan), central, CN …")
    ] = None,
    factor_set: Annotated[str | None, typer.Option(help="factor-set version")] = None,
    equal_value: Annotated[
        list[str] | None,
        typer.Option(
            help="电力等价值 electricity equal value [kgce/kWh]: 0.3055 (every year) or 2022=0.3055 "
            "(repeatable); unset: refdata (2020 only), other years unavailable"
        ),
    ] = None,
    tce_variant: Annotated[
        list[str] | None,
        typer.Option(
            help="GB/T 2589 折标系数 variant instead of the default: natural_gas:oil_field (油田天然气), "
            "coke_oven_gas:lower (repeatable)"
        ),
    ] = None,
    pfc_tier1: Annotated[
        bool,
        typer.Option(
            "--pfc-tier1",
            help="原铝 PFC: a potline with a technology but no anode-effect data takes the IPCC 2006 "
            "Tier 1 factors of its technology (Table 4.15) instead of the guideline's default",
        ),
    ] = False,
    store: Annotated[bool, typer.Option(help="store the result as inventory runs")] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="print the lines and the totals by enterprise, year and category as JSON"
        ),
    ] = False,
) -> None:
    """Compute GHG and energy inventories from an activity file (stored only with --store)."""
    import json  # noqa: PLC0415

    from carbonpeak.service.inventories import inventory, inventory_files  # noqa: PLC0415
    from carbonpeak.service.inventories.inventory_files import CATEGORIES  # noqa: PLC0415

    choices = inventory_files.accounting_choices(
        method,
        gwp=gwp,
        grid=grid,
        factor_set=factor_set,
        region=region,
        equal_value=equal_value,
        tce_variants=tce_variant,
    )
    if pfc_tier1:
        choices = replace(choices, pfc_tier1_by_technology=True)
    with console.status("读取 / reading…", spinner="dots"):
        read = inventory_files.read_activity_file(activity)
    table, rows = read.table, read.rows
    with system_context() as ctx, console.status(f"核算 {rows:,} 行 / computing…", spinner="dots"):
        if store:
            done = inventory.store_table(ctx, table, choices, method=method, year=year, file=activity.name)
            state = "已批准（正式） / approved (official)" if done.status == "approved" else "草稿 / draft"
            years = f"{min(done.years)}–{max(done.years)}" if done.years else "-"
            console.print(
                f"已入库 / stored: {done.versions:,} 个版本 versions "
                f"({done.enterprises:,} 家企业 enterprises × {years}), {done.rows:,} 行 rows, "
                f"状态 status: {state}; "
                f"runs {min(done.run_ids, default=0)}–{max(done.run_ids, default=0)}"
            )
            return
        result = inventory.compute_table(ctx, table, choices, method=method, year=year, file=activity.name)
    lines = result.lines
    if as_json:  # strict JSON: a missing figure is null, never NaN
        console.print_json(json.dumps(inventory.compute_report(result), ensure_ascii=False, allow_nan=False))
        return
    summary = inventory.summarise(lines)
    t = RichTable("来源 / source", "tCO2e", "tCO2e (market)", "tce", title="合计 / totals")
    for cat, (zh, en) in CATEGORIES.items():
        vals = summary["by_category"].get(cat)
        if vals is None or cat == "none":
            continue
        t.add_row(
            f"{zh} / {en}",
            f"{vals['co2e_t']:,.1f}",
            f"{vals['co2e_market_t']:,.1f}",
            f"{vals['energy_tce']:,.1f}",
        )
    tot = summary["total"]
    t.add_row(
        "[bold]合计 / total[/]",
        f"[bold]{tot['co2e_t']:,.1f}",
        f"{tot['co2e_market_t']:,.1f}",
        f"{tot['energy_tce']:,.1f}",
    )
    console.print(t)
    for f in {id(f): f for f in result.methods.values()}.values():
        console.print(
            f"method {f.method.id} ({f.method.version}), factor set {f.factor_set}, "
            f"GWP {f.gwp_set}, grid {f.grid_series}/{f.grid_region}"
        )
    console.print(f"{len(lines):,} lines, {lines['enterprise'].nunique()} enterprises")
    for w in result.warnings:  # with --json they are in the JSON's "warnings"
        err_console.print(f"[bold yellow]警告 / warning[/] {escape('[' + (w.location() or '-') + ']')}")
        err_console.print(f"    {w.message_zh}", markup=False, soft_wrap=True)
        err_console.print(f"    {w.message_en}", markup=False, soft_wrap=True)


@inv_app.command("explain")
@handles_errors
def inventory_explain(run_id: int, line: int) -> None:
    """Explain one line of a stored run: formula, factors with source and clause, arithmetic."""
    from carbonpeak.service.inventories import inventory  # noqa: PLC0415

    with system_context() as ctx:
        e = inventory.explain(ctx, run_id, line)
    console.print(f"[bold]run {run_id} line {e.line_no}[/] — {e.item} ({e.category_zh} / {e.category_en})")
    console.print(f"公式 / formula: {e.formula_zh}  ({e.formula_en})")
    console.print("因子 / factors:")
    for u in e.factors:
        vals = ", ".join(f"{k}={v}" for k, v in u.values.items() if v not in (None, "", []))
        console.print(
            f"  [bold]{u.factor_id}[/] {u.name_zh} / {u.name_en} [dim](confidence {u.confidence})[/]",
            soft_wrap=True,
        )
        console.print(f"      {vals}", markup=False, soft_wrap=True)
        console.print(f"      来源 / source: {u.source_title} — {u.clause}", markup=False, soft_wrap=True)
        if u.read_in:
            console.print(f"      读自 / read in: {u.read_in}", markup=False, soft_wrap=True)
    if e.parameters:
        console.print("参数 / parameters (实测 measured · 缺省 default):")
        for p in e.parameters:
            console.print(
                f"  {p.name_zh} / {p.name_en} = {p.value} {p.unit} [{p.basis_zh} / {p.basis_en}]"
                + (f" {p.factor_id}" if p.factor_id else ""),
                markup=False,
                soft_wrap=True,
            )
    console.print("计算 / arithmetic:")
    for step in e.arithmetic:
        console.print(f"  {step}")


@inv_app.command("recompute")
@handles_errors
def inventory_recompute(run_id: int, factor_set: Annotated[str | None, typer.Option()] = None) -> None:
    """Recompute a stored run with the newest (or a chosen) factor set; the old run stays."""
    from carbonpeak.service.inventories import inventory, inventory_files  # noqa: PLC0415

    with system_context() as ctx:
        old = inventory.get_run(ctx, run_id)
        choices = inventory_files.recompute_choices(old["method"], factor_set)
        new = inventory.recompute(ctx, run_id, choices)
    console.print(f"run {run_id} superseded by run {new}")


@inv_app.command("recompute-all")
@handles_errors
def inventory_recompute_all(factor_set: Annotated[str | None, typer.Option()] = None) -> None:
    """Recompute every current inventory (after a factor-set change) in one pass; the old
    runs stay, superseded, and each version points at its new run."""
    from carbonpeak.service.inventories import inventory  # noqa: PLC0415

    with system_context() as ctx, console.status("重算 / recomputing…", spinner="dots"):
        done = inventory.recompute_all(ctx, factor_set)
    console.print(
        f"已重算 / recomputed: {done.runs:,} 个核算 runs, {done.lines:,} 行 lines, "
        f"因子集 factor set {done.factor_set or '-'}"
    )
