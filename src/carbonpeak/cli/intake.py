"""Command-line faces: carbonpeak template xlsx, carbonpeak import, carbonpeak export (issue 6).

- ``carbonpeak template xlsx --enterprise CODE --year Y [--out F] [--lang zh|en]``
- ``carbonpeak import FILE|DIR ... [--acknowledge-warnings] [--marked-out F]``: each file
  is imported on its own, all-or-nothing; problems print in a table (zh and en); the
  command exits 2 when any file was rejected. A file identical to its submission's current
  version is reported ``未变化 / unchanged`` and not stored again, so a batch interrupted
  half-way is simply run again.
- ``carbonpeak export submission ID --format xlsx|csv [--version N] [--out F]``,
  ``carbonpeak export inventory RUN --format xlsx|csv [--out F]``

Like every command, they act as the ``system`` principal (province scope, audited).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, err_console, handles_errors, report
from carbonpeak.cli._store import system_context
from carbonpeak.errors import CarbonpeakError, InputError, Problem

__all__ = ["register"]

template_app = typer.Typer(help="Reporting templates / 填报模板", no_args_is_help=True)
export_app = typer.Typer(help="Exports (xlsx, csv) / 导出", no_args_is_help=True)
SUFFIXES = (".xlsx", ".xlsm", ".csv")


def register(root: typer.Typer) -> None:
    """Add this area's groups and commands to the root ``carbonpeak`` app."""
    root.add_typer(template_app, name="template")
    root.add_typer(export_app, name="export")
    root.command("import")(import_files)


@template_app.command("xlsx")
@handles_errors
def template_xlsx(
    enterprise: Annotated[str, typer.Option(help="credit code / 统一社会信用代码")],
    year: Annotated[int, typer.Option(help="reporting year / 填报年份")],
    out: Annotated[Path | None, typer.Option(help="output file (default: template-CODE-YEAR.xlsx)")] = None,
    lang: Annotated[str, typer.Option(help="zh or en item names")] = "zh",
) -> None:
    """Write the reporting workbook for an enterprise and year."""
    from carbonpeak.service.registry import enterprises  # noqa: PLC0415
    from carbonpeak.service.reporting import intake  # noqa: PLC0415

    with system_context() as ctx:
        ent_id = enterprises.enterprise_id_by_code(ctx, enterprise)
        data, filename = intake.template_workbook(ctx, ent_id, year, lang)
    path = out or Path(filename)
    path.write_bytes(data)
    console.print(f"模板已写入 / template written: {path} ({len(data):,} bytes)")


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file()))
        else:
            out.append(p)
    return out


def _problem_table(title: str, problems: list[Problem]) -> RichTable:
    t = RichTable(title=title, show_lines=False)
    t.add_column("#", no_wrap=True)
    t.add_column("sheet", overflow="fold")
    t.add_column("row", no_wrap=True)
    t.add_column("col", no_wrap=True)
    t.add_column("value", overflow="fold")
    width = max((len(p.code) for p in problems), default=4)
    t.add_column("code", no_wrap=True, min_width=width)
    t.add_column("原因", overflow="fold")
    t.add_column("reason", overflow="fold")
    for i, p in enumerate(problems, start=1):
        t.add_row(
            str(i),
            p.sheet or "",
            "" if p.row is None else str(p.row),
            p.column or "",
            "" if p.value is None else str(p.value)[:30],
            p.code,
            p.message_zh,
            p.message_en,
        )
    return t


def import_files(
    files: Annotated[list[Path], typer.Argument(exists=True, help="xlsx/csv files or folders")],
    acknowledge_warnings: Annotated[
        bool, typer.Option("--acknowledge-warnings", help="store plausibility warnings / 确认合理性提示")
    ] = False,
    marked_out: Annotated[
        Path | None,
        typer.Option(help="write a copy of a rejected workbook with the bad cells marked (one file only)"),
    ] = None,
    note: Annotated[str, typer.Option(help="a note stored with each version")] = "",
) -> None:
    """Import filled templates or activity CSVs; each file all-or-nothing, as a new version."""
    from carbonpeak.service.reporting import intake  # noqa: PLC0415

    paths = _files(files)
    if not paths:
        err_console.print("没有可导入的文件 / no xlsx or csv files found")
        raise typer.Exit(2)
    rejected = 0
    accepted: list[tuple[str, intake.ImportOutcome]] = []
    with (
        system_context() as ctx,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=len(paths) < 2,
        ) as progress,
    ):
        task = progress.add_task("导入 / importing", total=len(paths))
        for path in paths:
            data = path.read_bytes()
            try:
                out = intake.import_submission(
                    ctx, data, path.name, acknowledge_warnings=acknowledge_warnings, note=note
                )
                accepted.append((path.name, out))
            except InputError as exc:
                rejected += 1
                title = f"{path.name}: {exc.message_zh} / {exc.fields.get('count', '')} problem(s)"
                err_console.print(_problem_table(title, exc.problems))
                if isinstance(exc, intake.WarningsNotAcknowledged):
                    err_console.print("用 --acknowledge-warnings 确认后导入 / use --acknowledge-warnings")
                if marked_out is not None and len(paths) == 1 and path.suffix.lower() in (".xlsx", ".xlsm"):
                    marked_out.write_bytes(intake.marked_workbook(data, path.name, exc.problems))
                    err_console.print(f"已标注的工作簿 / marked workbook: {marked_out}")
            except CarbonpeakError as exc:
                rejected += 1
                err_console.print(f"[bold]{path.name}[/]")
                report(exc)
            progress.advance(task)
    if accepted:
        t = RichTable("file", "enterprise", "year", "version", "figures", "warnings", "inventory run")
        for name, o in accepted:
            t.add_row(
                name,
                o.credit_code,
                str(o.year),
                f"{o.version_no} 未变化 / unchanged" if o.unchanged else str(o.version_no),
                str(o.rows),
                str(len(o.warnings)),
                str(o.inventory_run_id),
            )
        console.print(t)
    same = sum(1 for _n, o in accepted if o.unchanged)
    new = len(accepted) - same
    console.print(
        f"导入 {new} 个，拒绝 {rejected} 个，未变化 {same} 个 / "
        f"imported {new}, rejected {rejected}, unchanged {same}"
    )
    if rejected:
        raise typer.Exit(2)


@export_app.command("submission")
@handles_errors
def export_submission(
    submission_id: Annotated[int, typer.Argument(help="submission id")],
    format: Annotated[str, typer.Option("--format", help="xlsx or csv")] = "xlsx",
    version: Annotated[int | None, typer.Option(help="version number (default: current)")] = None,
    out: Annotated[Path | None, typer.Option(help="output file")] = None,
) -> None:
    """Export a submission's figures (formula-safe)."""
    from carbonpeak.service.reporting import intake  # noqa: PLC0415

    with system_context() as ctx:
        data, filename, _media = intake.export_submission(ctx, submission_id, format, version)
    path = out or Path(filename)
    path.write_bytes(data)
    console.print(f"已导出 / exported: {path} ({len(data):,} bytes)")


@export_app.command("inventory")
@handles_errors
def export_inventory(
    run_id: Annotated[int, typer.Argument(help="inventory run id")],
    format: Annotated[str, typer.Option("--format", help="xlsx or csv")] = "xlsx",
    out: Annotated[Path | None, typer.Option(help="output file")] = None,
) -> None:
    """Export an inventory run's lines (formula-safe)."""
    from carbonpeak.service.reporting import intake  # noqa: PLC0415

    with system_context() as ctx:
        data, filename, _media = intake.export_inventory(ctx, run_id, format)
    path = out or Path(filename)
    path.write_bytes(data)
    console.print(f"已导出 / exported: {path} ({len(data):,} bytes)")
