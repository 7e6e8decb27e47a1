"""Command-line faces: carbonpeak submission list|show|submit|start-verification|verify|approve|return.

Like every command, they act as the ``system`` principal, the operator's console: it may
make any move of the state machine (:data:`carbonpeak.service.reporting.workflow.TRANSITIONS`) and
every move is recorded as a step and an audit event by ``system``. A move from the wrong
state prints the zh/en conflict and exits 2.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, handles_errors
from carbonpeak.cli._store import system_context

__all__ = ["register"]

submission_app = typer.Typer(help="Submissions and their workflow / 填报与核查流程", no_args_is_help=True)

Comment = Annotated[str, typer.Option("--comment", "-m", help="comment / 意见")]


def register(root: typer.Typer) -> None:
    """Add this area's group to the root ``carbonpeak`` app."""
    root.add_typer(submission_app, name="submission")


def _status(s: str) -> str:
    from carbonpeak.service.reporting.workflow import STATUS_NAMES  # noqa: PLC0415

    zh, en = STATUS_NAMES.get(s, (s, s))
    return f"{zh} / {en}"


@submission_app.command("list")
@handles_errors
def submission_list(
    status: Annotated[str | None, typer.Option(help="draft|submitted|under_verification|…")] = None,
    year: Annotated[int | None, typer.Option()] = None,
    city: Annotated[str | None, typer.Option(help="city code, e.g. 430400")] = None,
) -> None:
    """List submissions, newest change first, with counts by city and status."""
    from carbonpeak.service.reporting import workflow  # noqa: PLC0415

    with system_context() as ctx:
        rows = workflow.queue(ctx, statuses=[status] if status else None, year=year, city=city, limit=100_000)
    t = RichTable("id", "credit code", "企业 enterprise", "city", "year", "status", "version", "updated")
    for r in rows:
        t.add_row(
            str(r["id"]),
            r["credit_code"],
            r["name_zh"],
            r["city_code"],
            str(r["year"]),
            _status(r["status"]),
            str(r["version_no"] or "—"),
            r["updated_at"],
        )
    console.print(t)
    console.print(f"{len(rows)} submissions")


@submission_app.command("show")
@handles_errors
def submission_show(submission_id: int) -> None:
    """One submission: status, versions, adjustments and its history (who, role, when)."""
    from carbonpeak.service.reporting import workflow  # noqa: PLC0415

    with system_context() as ctx:
        sub = workflow.get(ctx, submission_id)
        vers = workflow.versions(ctx, submission_id)
        figs = workflow.figures(ctx, submission_id)
        hist = workflow.history(ctx, submission_id)
    head = f"[bold]#{sub['id']}[/] {sub['name_zh']} ({sub['credit_code']}) {sub['year']}"
    console.print(f"{head}: {_status(sub['status'])}")
    tv = RichTable("version", "file", "figures", "by", "at", "inventory", title="版本 / versions")
    for v in vers:
        tv.add_row(
            f"{v['version_no']}{' *' if v['current'] else ''}",
            v["source_file"],
            str(v["row_count"]),
            v["created_by"],
            v["created_at"],
            str(v["inventory_run_id"] or ""),
        )
    console.print(tv)
    adjusted = [(r, a) for r in figs["rows"] for a in r["adjustments"]]
    if adjusted:
        ta = RichTable(
            "line", "item", "period", "original", "adjusted", "reason", "by", title="调整 / adjustments"
        )
        for r, a in adjusted:
            ta.add_row(
                r["line_code"],
                r["item"],
                r["period"],
                f"{a['original_quantity']:g} {a['unit']}",
                f"{a['quantity']:g} {a['unit']}",
                a["reason"],
                a["created_by"],
            )
        console.print(ta)
    th = RichTable("when", "who", "role", "from", "to", "comment", title="办理记录 / history")
    for s in hist["steps"]:
        th.add_row(s["created_at"], s["actor"], s["role"], s["from_status"], s["to_status"], s["comment"])
    console.print(th)


def _moved(out: dict[str, Any]) -> None:
    console.print(
        f"#{out['submission_id']}: {_status(out['from_status'])} → [bold]{_status(out['status'])}[/]"
        + (f" (inventory run {out['inventory_run_id']})" if out.get("inventory_run_id") else "")
    )


@submission_app.command("submit")
@handles_errors
def submission_submit(submission_id: int, comment: Comment = "") -> None:
    """draft/returned → submitted."""
    from carbonpeak.service.reporting import workflow  # noqa: PLC0415

    with system_context() as ctx:
        _moved(workflow.submit(ctx, submission_id, comment))


@submission_app.command("start-verification")
@handles_errors
def submission_start(submission_id: int, comment: Comment = "") -> None:
    """submitted → under verification."""
    from carbonpeak.service.reporting import workflow  # noqa: PLC0415

    with system_context() as ctx:
        _moved(workflow.start_verification(ctx, submission_id, comment))


@submission_app.command("verify")
@handles_errors
def submission_verify(submission_id: int, comment: Comment = "") -> None:
    """under verification → verified (recomputes the inventory on the verified figures)."""
    from carbonpeak.service.reporting import workflow  # noqa: PLC0415

    with system_context() as ctx:
        _moved(workflow.verify(ctx, submission_id, comment))


@submission_app.command("approve")
@handles_errors
def submission_approve(submission_id: int, comment: Comment = "") -> None:
    """verified → approved."""
    from carbonpeak.service.reporting import workflow  # noqa: PLC0415

    with system_context() as ctx:
        _moved(workflow.approve(ctx, submission_id, comment))


@submission_app.command("return")
@handles_errors
def submission_return(
    submission_id: int,
    comment: Annotated[str, typer.Option("--comment", "-m", help="why / 退回意见 (required)")],
) -> None:
    """Back to returned, with a comment."""
    from carbonpeak.service.reporting import workflow  # noqa: PLC0415

    with system_context() as ctx:
        _moved(workflow.return_submission(ctx, submission_id, comment))
