"""Command-line faces of the enterprise register: ``carbonpeak enterprise import|list``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, handles_errors
from carbonpeak.cli._store import system_context

__all__ = ["register"]

ent_app = typer.Typer(help="Enterprise register / 企业名录", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this area's group to the root ``carbonpeak`` app."""
    root.add_typer(ent_app, name="enterprise")


@ent_app.command("import")
@handles_errors
def enterprise_import(
    enterprises_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    lines: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="production lines CSV/XLSX")
    ] = None,
) -> None:
    """Import an enterprise register (and lines), all-or-nothing."""
    from carbonpeak.service.registry import enterprises  # noqa: PLC0415

    ents, line_table = enterprises.read_register(
        enterprises_file.read_bytes(),
        enterprises_file.name,
        lines.read_bytes() if lines else None,
        lines.name if lines else "",
    )
    with system_context() as ctx:
        added = enterprises.import_register(ctx, ents, line_table)
    console.print(f"imported {len(added)} enterprises, {sum(len(e.lines) for e in added)} lines")


@ent_app.command("list")
@handles_errors
def enterprise_list(
    city: Annotated[str | None, typer.Option()] = None, metal: Annotated[str | None, typer.Option()] = None
) -> None:
    """List enterprises (optionally of one city or metal)."""
    from carbonpeak.service.registry import enterprises  # noqa: PLC0415

    with system_context() as ctx:
        rows = enterprises.list_enterprises(ctx, city=city, metal=metal)
    t = RichTable("id", "credit code", "名称", "city", "park", "metals", "capacity 万t/a")
    for e in rows:
        t.add_row(
            str(e.id),
            e.credit_code,
            e.name_zh,
            e.city_name_zh,
            e.park_name_zh or "",
            ",".join(e.metals),
            f"{e.capacity_t_per_a / 1e4:,.2f}",
        )
    console.print(t)
    console.print(f"{len(rows)} enterprises")
