"""Command-line faces: ``carbonpeak verifier assign|unassign|list`` and ``carbonpeak round open|status``.

Like every command, they act as the ``system`` principal (province scope), through
:mod:`carbonpeak.service.reporting.assignments`; every assignment, removal and deadline is an audit
event by ``system``. Errors print in Chinese and English and exit 2.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, handles_errors
from carbonpeak.cli._store import system_context

__all__ = ["register"]

verifier_app = typer.Typer(help="Verifier assignments / 核查机构分配", no_args_is_help=True)
round_app = typer.Typer(help="Reporting rounds / 填报轮次", no_args_is_help=True)

EnterpriseOpt = Annotated[str, typer.Option("--enterprise", "-e", help="credit code / 统一社会信用代码")]
YearOpt = Annotated[int | None, typer.Option("--year", "-y", help="one year (omit: every year / 全部年度)")]


def register(root: typer.Typer) -> None:
    """Add this area's groups to the root ``carbonpeak`` app."""
    root.add_typer(verifier_app, name="verifier")
    root.add_typer(round_app, name="round")


def _year(year: int | None) -> str:
    return "全部年度 / every year" if year is None else str(year)


@verifier_app.command("assign")
@handles_errors
def verifier_assign(user: str, enterprise: EnterpriseOpt, year: YearOpt = None) -> None:
    """Assign the verifier USER to an enterprise for a year (or every year)."""
    from carbonpeak.service.reporting import assignments  # noqa: PLC0415

    with system_context() as ctx:
        a = assignments.assign(ctx, user, enterprise, year)
    console.print(
        f"#{a.id}: {a.verifier_name} ({a.verifier_username}) → {a.enterprise_name_zh} "
        f"({a.credit_code}), {_year(a.year)}"
    )


@verifier_app.command("unassign")
@handles_errors
def verifier_unassign(user: str, enterprise: EnterpriseOpt, year: YearOpt = None) -> None:
    """Remove the assignment of USER to an enterprise for exactly that year (or the undated one)."""
    from carbonpeak.service.reporting import assignments  # noqa: PLC0415

    with system_context() as ctx:
        found = assignments.find_assignment(ctx, user, enterprise, year)
        a = assignments.unassign(ctx, found.id)
    console.print(f"removed / 已撤销 #{a.id}: {a.verifier_username} → {a.credit_code}, {_year(a.year)}")


@verifier_app.command("list")
@handles_errors
def verifier_list(
    year: Annotated[int | None, typer.Option(help="assignments holding for this year")] = None,
    city: Annotated[str | None, typer.Option(help="city code, e.g. 430400")] = None,
    user: Annotated[str | None, typer.Option(help="one verifier (user name)")] = None,
) -> None:
    """List the assignments (verifier, enterprise, city, year)."""
    from carbonpeak.service.reporting import assignments  # noqa: PLC0415

    with system_context() as ctx:
        rows = assignments.list_assignments(ctx, year=year, city=city)
    if user:
        rows = [a for a in rows if a.verifier_username == user]
    t = RichTable(
        "id", "核查机构 verifier", "企业 enterprise", "credit code", "市州 city", "year", "assigned"
    )
    for a in rows:
        t.add_row(
            str(a.id),
            f"{a.verifier_name} ({a.verifier_username})",
            a.enterprise_name_zh,
            a.credit_code,
            a.city_zh,
            _year(a.year),
            a.created_at,
        )
    console.print(t)
    console.print(f"{len(rows)} assignments / 条分配")


@round_app.command("open")
@handles_errors
def round_open(
    year: int,
    deadline: Annotated[str, typer.Option("--deadline", "-d", help="YYYY-MM-DD, Beijing time / 北京时间")],
    note: Annotated[str, typer.Option("--note", "-m", help="note / 说明")] = "",
) -> None:
    """Open YEAR's reporting round with a deadline, or move its deadline."""
    from carbonpeak.service.reporting import assignments  # noqa: PLC0415

    with system_context() as ctx:
        r = assignments.open_round(ctx, year, deadline, note)
    console.print(
        f"{r.year} 年度填报轮次 / reporting round {r.year}: 截止 deadline {r.deadline} (北京时间 Beijing)"
    )


@round_app.command("status")
@handles_errors
def round_status(
    year: int,
    city: Annotated[str | None, typer.Option(help="city code, e.g. 430400")] = None,
    status: Annotated[str | None, typer.Option(help="not_reported|draft|submitted|…")] = None,
) -> None:
    """Who has reported for YEAR and who has not: the deadline, counts and each enterprise."""
    from carbonpeak.service.reporting import assignments  # noqa: PLC0415

    with system_context() as ctx:
        st = assignments.round_status(ctx, year, city=city, status=status)
    if st.deadline is None:
        console.print(f"{year} 年度填报轮次尚未开启 / no reporting round is open for {year}")
    elif st.days_left is not None and st.days_left < 0:
        console.print(
            f"截止 deadline {st.deadline}: "
            f"[bold red]已逾期 {-st.days_left} 天 / {-st.days_left} days overdue[/]"
        )
    else:
        console.print(f"截止 deadline {st.deadline}: 还剩 {st.days_left} 天 / {st.days_left} days left")
    c = st.counts
    counts = RichTable(title=f"{year} 报送情况 / reporting progress")
    names = assignments.STATE_NAMES
    for state in assignments.REPORT_STATES:
        counts.add_column(f"{names[state][0]}\n{names[state][1]}", justify="right")
    counts.add_column("合计\ntotal", justify="right")
    counts.add_row(*(str(getattr(c, s)) for s in assignments.REPORT_STATES), str(c.enterprises))
    console.print(counts)
    t = RichTable("企业 enterprise", "市州 city", "状态 status", "核查机构 verifier")
    for r in st.rows:
        t.add_row(r.name_zh, r.city_zh, f"{r.status_zh} / {r.status_en}", "、".join(r.verifiers) or "—")
    console.print(t)
