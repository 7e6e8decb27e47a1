"""Command-line faces of the enterprise register: ``carbonpeak enterprise import|list|delete|reactivate``.

``delete CODE`` deletes an enterprise without history and deactivates one with history
(recoverable: ``reactivate CODE``); ``list --deactivated`` shows the deactivated ones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, handles_errors
from carbonpeak.cli._store import system_context

__all__ = ["register"]

ent_app = typer.Typer(help="Enterprise register / 企业名录", no_args_is_help=True)
CODE_HELP = "credit code / 统一社会信用代码"


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
    city: Annotated[str | None, typer.Option()] = None,
    metal: Annotated[str | None, typer.Option()] = None,
    deactivated: Annotated[
        bool, typer.Option("--deactivated", help="the deactivated enterprises / 已停用的企业")
    ] = False,
) -> None:
    """List enterprises (optionally of one city or metal), or the deactivated ones."""
    from carbonpeak.service.registry import deactivation, enterprises  # noqa: PLC0415

    with system_context() as ctx:
        if deactivated:
            rows = deactivation.list_deactivated(ctx, limit=100_000)
        else:
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


@ent_app.command("delete")
@handles_errors
def enterprise_delete(credit_code: Annotated[str, typer.Argument(help=CODE_HELP)]) -> None:
    """Delete an enterprise; one with history is deactivated instead (recoverable)."""
    from carbonpeak.service.registry import enterprises  # noqa: PLC0415

    with system_context() as ctx:
        outcome = enterprises.delete_enterprise(ctx, enterprises.enterprise_id_by_code(ctx, credit_code))
    if outcome == "deactivated":
        console.print(
            f"{credit_code}: 有历史数据，已停用（可用 reactivate 恢复） / "
            "has history: deactivated (restore with reactivate)"
        )
    else:
        console.print(f"{credit_code}: 无历史数据，已删除 / no history: deleted")


@ent_app.command("reactivate")
@handles_errors
def enterprise_reactivate(credit_code: Annotated[str, typer.Argument(help=CODE_HELP)]) -> None:
    """Bring a deactivated enterprise back, with its history."""
    from carbonpeak.service.registry import deactivation, enterprises  # noqa: PLC0415

    with system_context() as ctx:
        ent = deactivation.reactivate_enterprise(ctx, enterprises.enterprise_id_by_code(ctx, credit_code))
    console.print(f"{ent.credit_code}: 已恢复 / reactivated")
