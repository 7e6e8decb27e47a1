"""Command-line faces of the platform's housekeeping: ``carbonpeak setup`` (the first province
account), ``backup`` and ``restore``, ``db``, ``user``, ``audit``, ``refdata`` and ``units``."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, err_console, handles_errors
from carbonpeak.cli._store import system_context
from carbonpeak.model import Role

__all__ = ["register"]

user_app = typer.Typer(help="Users / 用户", no_args_is_help=True)
audit_app = typer.Typer(help="Audit trail / 审计链", no_args_is_help=True)
db_app = typer.Typer(help="Store / 数据库", no_args_is_help=True)
refdata_app = typer.Typer(help="Reference data / 参考数据", no_args_is_help=True)
units_app = typer.Typer(help="Units / 计量单位", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this area's groups to the root ``carbonpeak`` app."""
    root.command("setup")(setup)
    root.command("backup")(backup)
    root.command("restore")(restore)
    root.add_typer(user_app, name="user")
    root.add_typer(audit_app, name="audit")
    root.add_typer(db_app, name="db")
    root.add_typer(refdata_app, name="refdata")
    root.add_typer(units_app, name="units")


@db_app.command("migrate")
@handles_errors
def db_migrate() -> None:
    """Bring the store to the newest schema."""
    from carbonpeak.service.platform.session import migrate_store  # noqa: PLC0415
    from carbonpeak.settings import get_settings  # noqa: PLC0415

    migrate_store(get_settings().database_url)
    console.print("ok")


@db_app.command("load-demo")
@handles_errors
def db_load_demo() -> None:
    """Migrate and load the synthetic demo sector (with its demo logins) if the store is empty."""
    from carbonpeak.service.platform.bootstrap import prepare_store  # noqa: PLC0415
    from carbonpeak.settings import get_settings  # noqa: PLC0415

    n = prepare_store(get_settings().database_url, demo=True)
    console.print(f"loaded {n} demo enterprises" if n else "the store is not empty; nothing loaded")


@handles_errors
def setup(
    username: Annotated[str, typer.Option(help="the first province account's user name")],
    password_file: Annotated[
        Path | None,
        typer.Option(help="read the password from the first line of this file instead of a prompt"),
    ] = None,
    display_name: Annotated[str, typer.Option(help="name shown in the pages")] = "",
) -> None:
    """Create the first province account of a new installation — once (audited).

    Refused when a province account exists. The password is read twice from a prompt, or
    from ``--password-file``; it follows the password policy of every account.
    """
    from carbonpeak.service.platform import bootstrap  # noqa: PLC0415

    if password_file is not None:
        lines = password_file.read_text("utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        password = getpass.getpass("密码 / password: ")
        if password != getpass.getpass("再次输入 / again: "):
            err_console.print("两次输入不一致 / the passwords differ")
            raise typer.Exit(2)
    with system_context() as ctx:
        u = bootstrap.create_first_account(ctx, username, password, display_name)
    console.print(f"已创建省级账号 / created the province account [bold]{u.username}[/] id={u.id}")


@handles_errors
def backup(
    file: Annotated[Path, typer.Argument(help="the backup file to write (replaced if it exists)")],
) -> None:
    """Back up the store to FILE while the server runs (SQLite: online backup; PostgreSQL: pg_dump)."""
    from carbonpeak.service.platform import backup as backups  # noqa: PLC0415
    from carbonpeak.settings import get_settings  # noqa: PLC0415

    done = backups.backup(get_settings().database_url, file)
    console.print(f"已备份 / backed up ({done.kind}): {done.path} ({done.bytes:,} bytes)")


@handles_errors
def restore(
    file: Annotated[Path, typer.Argument(help="a file written by carbonpeak backup")],
    force: Annotated[
        bool, typer.Option("--force", help="replace a store that holds data (all of it is lost)")
    ] = False,
) -> None:
    """Replace the store with the backup FILE (stop the server first; a store with data needs --force).

    The restored store is migrated to the newest schema and its audit chain verified; the
    command exits 1 if the chain does not verify."""
    from carbonpeak.service.platform import backup as backups  # noqa: PLC0415
    from carbonpeak.settings import get_settings  # noqa: PLC0415

    done = backups.restore(get_settings().database_url, file, force=force)
    if done.problems:
        title = "已恢复，但审计链被破坏 / restored, but the audit chain is broken"
        t = RichTable("event", "kind", "detail", title=title)
        for p in done.problems:
            t.add_row(str(p.event_id), p.kind, p.detail)
        err_console.print(t)
        raise typer.Exit(1)
    console.print(
        f"已恢复 / restored ({done.kind}) from {file}; 审计链完整 / audit chain intact: {done.events} events"
    )


@user_app.command("add")
@handles_errors
def user_add(
    username: str,
    role: Annotated[Role, typer.Option(help="province | city | enterprise | verifier | public")],
    city: Annotated[str | None, typer.Option(help="city code or name (city users)")] = None,
    enterprise: Annotated[
        list[str] | None, typer.Option(help="credit code (enterprise users; repeatable)")
    ] = None,
    display_name: Annotated[str, typer.Option(help="name shown in the pages")] = "",
    password: Annotated[
        str | None,
        typer.Option(
            help="password (omit to be prompted; or set CARBONPEAK_NEW_PASSWORD)",
            envvar="CARBONPEAK_NEW_PASSWORD",
        ),
    ] = None,
) -> None:
    """Create a user; the password is hashed with argon2id."""
    from carbonpeak.service.access import auth  # noqa: PLC0415

    if password is None:
        password = getpass.getpass("密码 / password: ")
        if password != getpass.getpass("再次输入 / again: "):
            err_console.print("两次输入不一致 / the passwords differ")
            raise typer.Exit(2)
    with system_context() as ctx:
        u = auth.add_user(
            ctx, username, password, role, city=city, enterprises=enterprise or [], display_name=display_name
        )
    console.print(f"created user [bold]{u.username}[/] ({u.role}) id={u.id}")


@user_app.command("list")
@handles_errors
def user_list() -> None:
    """List users."""
    from carbonpeak.service.access import accounts  # noqa: PLC0415

    with system_context() as ctx:
        t = RichTable("id", "username", "role", "city", "enterprises", "display name", "state", "tokens")
        t.columns[6].no_wrap, t.columns[6].min_width = True, len("DEACTIVATED")  # never cut to "DEACT…"
        for u in accounts.list_accounts(ctx):
            state = ("active" if u.is_active else "DEACTIVATED") + (
                ", must change password" if u.must_change_password else ""
            )
            t.add_row(
                str(u.id),
                u.username,
                u.role,
                u.city_code or "",
                ",".join(map(str, u.enterprise_ids)),
                u.display_name,
                state,
                str(u.tokens),
            )
    console.print(t)


@user_app.command("tokens")
@handles_errors
def user_tokens(username: str) -> None:
    """List a user's live API tokens (name, created, expires, last used; never the token)."""
    from carbonpeak.service.access import accounts  # noqa: PLC0415

    with system_context() as ctx:
        tokens = accounts.list_tokens(ctx, username)
    t = RichTable("id", "name", "created (UTC)", "expires (UTC)", "last used (UTC)", title=username)
    for tok in tokens:
        t.add_row(
            str(tok.id), tok.name, tok.created_at[:19], tok.expires_at[:19], (tok.last_used_at or "")[:19]
        )
    console.print(t)


@user_app.command("revoke-token")
@handles_errors
def user_revoke_token(token_id: int) -> None:
    """Revoke one API token by its id (see ``user tokens``); audited."""
    from carbonpeak.service.access import accounts  # noqa: PLC0415

    with system_context() as ctx:
        tok = accounts.revoke_token(ctx, token_id)
    console.print(f"已吊销令牌 / revoked token {tok.id} ({tok.name}) of {tok.username}")


@user_app.command("revoke-tokens")
@handles_errors
def user_revoke_tokens(username: str) -> None:
    """Revoke every API token of a user; audited."""
    from carbonpeak.service.access import accounts  # noqa: PLC0415

    with system_context() as ctx:
        n = accounts.revoke_tokens(ctx, username)
    console.print(f"已吊销 {n} 个令牌 / revoked {n} token(s) of {username}")


@user_app.command("deactivate")
@handles_errors
def user_deactivate(username: str) -> None:
    """Deactivate a user: no more sign-ins; its sessions and tokens stop at once; audited."""
    from carbonpeak.service.access import accounts  # noqa: PLC0415

    with system_context() as ctx:
        u = accounts.deactivate_user(ctx, username)
    console.print(f"已停用 / deactivated [bold]{u.username}[/]")


@user_app.command("reactivate")
@handles_errors
def user_reactivate(username: str) -> None:
    """Let a deactivated user sign in again; audited."""
    from carbonpeak.service.access import accounts  # noqa: PLC0415

    with system_context() as ctx:
        u = accounts.reactivate_user(ctx, username)
    console.print(f"已启用 / reactivated [bold]{u.username}[/]")


@user_app.command("reset-password")
@handles_errors
def user_reset_password(username: str) -> None:
    """Set a one-time password (printed once, never stored in clear) that the user must
    change at its next sign-in; its sessions and tokens are revoked; audited."""
    from carbonpeak.service.access import accounts  # noqa: PLC0415

    with system_context() as ctx:
        temp = accounts.reset_password(ctx, username)
    console.print(f"{temp.username} 的临时密码（只显示这一次）/ temporary password (shown once):")
    typer.echo(temp.temporary_password)


@user_app.command("change-password")
@handles_errors
def user_change_password(
    username: str,
    current: Annotated[
        str | None,
        typer.Option(
            help="the current password (omit to be prompted; or set CARBONPEAK_CURRENT_PASSWORD)",
            envvar="CARBONPEAK_CURRENT_PASSWORD",
        ),
    ] = None,
    new: Annotated[
        str | None,
        typer.Option(
            help="the new password (omit to be prompted; or set CARBONPEAK_NEW_PASSWORD)",
            envvar="CARBONPEAK_NEW_PASSWORD",
        ),
    ] = None,
) -> None:
    """Change a user's password with its current one (the user at the console); every
    session and token of the user is revoked; audited."""
    from carbonpeak.service.access import accounts  # noqa: PLC0415

    if current is None:
        current = getpass.getpass("当前密码 / current password: ")
    if new is None:
        new = getpass.getpass("新密码 / new password: ")
        if new != getpass.getpass("再次输入 / again: "):
            err_console.print("两次输入不一致 / the passwords differ")
            raise typer.Exit(2)
    with system_context() as ctx:
        sessions, tokens = accounts.change_password(ctx, current, new, username=username)
    console.print(
        f"密码已修改 / password changed for [bold]{username}[/]; "
        f"revoked {sessions} session(s) and {tokens} token(s)"
    )


@audit_app.command("verify")
@handles_errors
def audit_verify(
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(help="a checkpoint file kept by the operator (JSON Lines; repeatable)"),
    ] = None,
    old_secret_file: Annotated[
        Path | None,
        typer.Option(
            help="earlier CARBONPEAK_SECRET_KEY values, one a line, for segments keyed before a change"
        ),
    ] = None,
) -> None:
    """Walk the keyed audit chain; exit 1 if any row was edited, deleted or rehashed, or a
    checkpoint's event is gone or different."""
    from carbonpeak.service.platform import audit  # noqa: PLC0415

    cps = [cp for path in checkpoint or [] for cp in audit.read_checkpoints(path)]
    keys = [audit.current_key()]
    if old_secret_file is not None:
        lines = old_secret_file.read_text("utf-8").splitlines()
        keys += [audit.chain_key(line.strip().encode("utf-8")) for line in lines if line.strip()]
    with system_context() as ctx:
        checked, problems = audit.verify(ctx.db, keys=keys, checkpoints=cps)
    if problems:
        t = RichTable("event", "kind", "detail", title="审计链被破坏 / the audit chain is broken")
        for p in problems:
            t.add_row(str(p.event_id), p.kind, p.detail)
        err_console.print(t)
        raise typer.Exit(1)
    console.print(
        f"审计链完整 / audit chain intact: {checked} events" + (f", {len(cps)} checkpoints" if cps else "")
    )


@audit_app.command("checkpoint")
@handles_errors
def audit_checkpoint(
    out: Annotated[
        Path | None, typer.Option(help="append the checkpoint to this file (default: print it)")
    ] = None,
) -> None:
    """Verify the chain and write a signed checkpoint of its head (last id and hash, Beijing
    time, HMAC signature) for the operator to keep outside the store; keys the chain first if
    an older version wrote it."""
    from carbonpeak.service.platform import audit  # noqa: PLC0415

    with system_context() as ctx:
        cp = audit.take_checkpoint(ctx)
    if out is None:
        typer.echo(cp.to_line())
        return
    with out.open("a", encoding="utf-8") as f:
        f.write(cp.to_line() + "\n")
    console.print(f"检查点已写入 / checkpoint written: event {cp.last_id} at {cp.at} → {out}")


@refdata_app.command("check")
@handles_errors
def refdata_check() -> None:
    """Load and validate every shipped reference table."""
    from carbonpeak.service.registry import refdata_service  # noqa: PLC0415

    version, tables = refdata_service.check_tables()
    t = RichTable("table", "rows", "title", "sha256", title=f"factor set {version}")
    for tab in tables:
        t.add_row(tab.name, str(tab.rows), tab.title_zh, tab.digest[:12])
    console.print(t)


@units_app.command("convert")
@handles_errors
def units_convert(value: float, from_unit: str, to_unit: str) -> None:
    """Convert a value, e.g. ``carbonpeak units convert 3 万千瓦时 MWh``."""
    from carbonpeak.service.registry import units_service  # noqa: PLC0415

    c = units_service.convert(value, from_unit, to_unit)
    console.print(f"{c.value:g} {c.from_symbol} = {c.result:.6g} {c.to_symbol}")
    if c.basis:  # electricity ↔ standard coal: a published coefficient, named
        console.print(f"依据 / basis: {c.basis} ({c.basis_id})", markup=False, soft_wrap=True)
