"""``carbonpeak catalogue …``: the energy-saving and low-carbon technology catalogue (read-only).

``list`` prints the technologies of box 2 (per metal) and the cross-cutting measures of box 3
of the Hunan plan, with status, the routes they apply to and every figure with its source and
confidence. Import and publishing of editions come with a later slice (docs/plans.md).
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, handles_errors

if TYPE_CHECKING:  # the service (refdata, pandas) is imported when a command runs: a quick --help
    from carbonpeak.service.planning.catalogue import FigurePublic, TechnologyPublic

__all__ = ["catalogue_app", "register"]

catalogue_app = typer.Typer(help="Technology catalogue / 节能降碳技术目录", no_args_is_help=True)

_STATUS = {
    "promote": "推广 promote",
    "research": "研发 research",
    "research_promote": "研发推广 R&D + promote",
}


def register(root: typer.Typer) -> None:
    """Add this area's group to the root ``carbonpeak`` app."""
    root.add_typer(catalogue_app, name="catalogue")


def _figure(name: str, f: FigurePublic) -> str:
    if f.value is None:
        return ""
    return f"{name} {f.value:g} {f.unit} [{f.source_id}, {f.confidence}]"


def _figures(t: TechnologyPublic) -> str:
    text = "; ".join(s for s in (_figure(n, f) for n, f in t.figures.items()) if s)
    return text or "—（待填 / blank）"


@catalogue_app.command("list")
@handles_errors
def catalogue_list(
    metal: Annotated[
        str | None,
        typer.Option(
            help="metal id or name (Zn, 锌…): its technologies plus the cross-cutting measures / 金属"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the rows as JSON")] = False,
) -> None:
    """List the catalogue: technology, metal, status, routes, figures with source and confidence."""
    from carbonpeak.service.planning.catalogue import list_technologies  # noqa: PLC0415

    rows = list_technologies(metal)
    if as_json:
        doc = [dataclasses.asdict(t) for t in rows]
        console.print_json(json.dumps(doc, ensure_ascii=False, allow_nan=False))
        return
    table = RichTable(
        title="节能降碳技术目录 / Technology catalogue (湖南省有色金属行业碳达峰实施方案 专栏2、专栏3)"
    )
    for col in (
        "id",
        "技术 / technology",
        "金属 / metal",
        "状态 / status",
        "条款 / clause",
        "工艺路线 / routes",
        "数值（来源，可信度） / figures",
    ):
        table.add_column(col, overflow="fold")
    for t in rows:
        table.add_row(
            t.id,
            f"{t.name_zh}\n{t.name_en}",
            t.metal or "通用 / all",
            _STATUS.get(t.status, t.status),
            t.clause,
            "; ".join(t.routes) or "—",
            escape(_figures(t)),
        )
    console.print(table)
    n = sum(t.sourced_figures for t in rows)
    console.print(f"{len(rows)} 项技术，{n} 个有来源的数值 / {len(rows)} technologies, {n} sourced figures")
