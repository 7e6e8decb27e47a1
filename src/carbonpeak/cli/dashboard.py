"""Command-line faces of the province's dashboard tables: ``carbonpeak benchmark`` (league
table, capacity share at benchmark, lines below the limit) and ``carbonpeak targets``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, handles_errors
from carbonpeak.cli._store import system_context
from carbonpeak.errors import InputError, Problem

__all__ = ["register"]


def register(root: typer.Typer) -> None:
    """Add this area's commands to the root ``carbonpeak`` app."""
    root.command("benchmark")(benchmark)
    root.command("targets")(targets)


def _fmt(v: object, spec: str = ",.1f", scale: float = 1.0) -> str:
    """A number (times *scale*) for a table cell; '—' for missing."""
    try:
        x = float(v) * scale  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    return "—" if x != x else format(x, spec)  # noqa: PLR0124 — NaN check


def _edition(edition: object) -> str:
    """The edition in force whose values are not held ('—' for none)."""
    return f"{edition}（限额值未收录 / values not sourced）" if isinstance(edition, str) and edition else "—"


@handles_errors
def benchmark(
    year: Annotated[int, typer.Option(help="reporting year / 年份")] = 2024,
    city: Annotated[str | None, typer.Option(help="city code or name / 市州")] = None,
) -> None:
    """Benchmark league table, capacity share at benchmark (Cu/Pb/Zn; electrolytic Al on AC
    power per t), lines below the limit."""
    from carbonpeak.service.efficiency import benchmarking  # noqa: PLC0415
    from carbonpeak.service.registry.refdata_service import resolve_city  # noqa: PLC0415

    with system_context() as ctx:
        c = benchmarking.classify(ctx, year)
    if city:
        code = resolve_city(city)
        if code is None:
            raise InputError([Problem("unknown_city", column="city", value=city)])
        c = c[c["city"] == code]
    shares = benchmarking.capacity_share(ctx, year, classified=c)
    al_shares = benchmarking.capacity_share(ctx, year, classified=c, metals=benchmarking.AL_SHARE_METALS)
    below = benchmarking.below_limit(ctx, year, classified=c)

    t = RichTable(title=f"能效对标 / benchmark league table {year}（评价日 / evaluated on {year}-12-31）")
    for col in (
        "产线 / line",
        "企业 / enterprise",
        "市州 / city",
        "金属 / metal",
        "单耗 / unit value",
        "等级 / grade",
        "对标 / band",
        "标准 / standard",
    ):
        t.add_column(col, overflow="fold")
    rank = c.assign(_a=(c["assessment"] != "assessed").astype(int)).sort_values(
        ["_a", "metal", "unit_energy"], kind="stable"
    )
    for r in rank.itertuples():
        graded = r.assessment == "assessed"
        t.add_row(
            f"{r.line_id} {r.line_name_zh}",
            str(r.enterprise_name_zh),
            str(r.city_name_zh),
            str(r.metal),
            " ".join((_fmt(r.unit_energy), str(r.value_unit) if graded else "kgce/t")),
            str(r.grade) if graded else "—",
            str(r.band or "—") if graded else str(r.assessment_zh),
            str(r.standard) if graded else _edition(r.edition_in_force),
        )
    console.print(t)

    s = RichTable(title=f"能效标杆水平以上产能比例 / capacity share at benchmark {year}")
    for col in (
        "金属 / metal",
        "产能 / capacity t/a",
        "标杆以上 / at benchmark t/a",
        "比例 / share %",
        "产线 / lines",
        "未评价 / unassessed",
    ):
        s.add_column(col)
    for r in (*shares.itertuples(), *al_shares.itertuples()):
        s.add_row(
            str(r.metal),
            _fmt(r.capacity_t_per_a, ",.0f"),
            _fmt(r.capacity_at_benchmark_t_per_a, ",.0f"),
            _fmt(r.share, scale=100.0),
            str(r.lines),
            str(r.lines_unassessed),
        )
    console.print(s)
    notes = ((shares, benchmarking.STANDIN_NOTE), (al_shares, benchmarking.AL_UNVERIFIED_NOTE))
    for frame, (zh, en) in notes:
        if len(frame) and bool(frame["unverified"].any()):
            console.print(f"注 / note: {zh} / {en}", soft_wrap=True)

    b = RichTable(title=f"低于能耗限定值的产线 / lines below the limit {year}: {len(below)}")
    for col in (
        "产线 / line",
        "企业 / enterprise",
        "市州 / city",
        "金属 / metal",
        "单耗 / unit value",
        "限定值 / limit",
        "差距 / gap",
        "差距 / gap tce/a",
    ):
        b.add_column(col, overflow="fold")
    for r in below.itertuples():
        b.add_row(
            f"{r.line_id}",
            str(r.enterprise_name_zh),
            str(r.city_name_zh),
            str(r.metal),
            " ".join((_fmt(r.unit_energy), str(r.value_unit))),
            _fmt(r.grade3, ",.0f"),
            " ".join((_fmt(r.gap_to_limit), str(r.value_unit))),
            _fmt(r.gap_tce_per_a, ",.0f"),
        )
    console.print(b)


@handles_errors
def targets(year: Annotated[int, typer.Option(help="reporting year / 年份")] = 2025) -> None:
    """The plan's targets: each indicator's value, target, gap, status and rule."""
    from carbonpeak.service.outlook import targets as targets_service  # noqa: PLC0415

    with system_context() as ctx:
        rows = targets_service.indicators(ctx, year)
    t = RichTable(title=f"目标指标 / targets ({year})")
    for col in (
        "指标 / indicator",
        "目标年 / due",
        "值 / value",
        "目标 / target",
        "差距 / gap",
        "趋势 / trend /a",
        "状态 / status",
        "规则 / rule",
    ):
        t.add_column(col, overflow="fold")
    colours = {"green": "green", "amber": "yellow", "red": "red", "no_data": "dim"}
    for r in rows:
        unit = "" if r["unit"] in ("count", "year") else f" {r['unit']}"
        value = _fmt(r.get("value"), ".0f" if r["unit"] == "year" else ",.1f")
        rule = (
            f"{r['rule_zh']} / {r['rule_en']}"
            if r["status"] != "no_data"
            else f"{r['reason_zh']} / {r['reason_en']}"
        )
        if r.get("note_en"):
            rule += f"\n注 / note: {r['note_zh']} / {r['note_en']}"
        st = r["status"]
        t.add_row(
            f"{r['name_zh']}\n{r['name_en']}",
            str(r["target_year"]),
            value + (unit if value != "—" else ""),
            f"{'≥' if r['comparison'] == 'at_least' else '≤'} "
            f"{_fmt(r['target'], '.0f' if r['unit'] in ('count', 'year') else ',.1f')}"
            f"{unit}",
            _fmt(r.get("gap")),
            _fmt(r.get("trend"), ",.2f"),
            f"[{colours.get(st, 'white')}]{st}[/]",
            rule,
        )
    console.print(t)
