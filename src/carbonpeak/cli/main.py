"""The ``carbonpeak`` command line: the root app, ``version`` and ``run``; every area mounted.

Every command calls the same service functions as the API and the pages, acting as the
``system`` principal (province scope; audited as ``system``). Errors print in Chinese and
English with their location, and the command exits with status 2.

Each area module exposes ``register(root)``, which adds its groups and commands to the
root app; :data:`AREAS` lists them in the order ``carbonpeak --help`` shows them.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from carbonpeak import __version__
from carbonpeak.cli import (
    admin,
    assignments,
    catalogue,
    dashboard,
    enterprise,
    intake,
    inventory,
    meters,
    review,
    scenarios,
    workflow,
)
from carbonpeak.cli._console import console, handles_errors

__all__ = ["AREAS", "app", "main"]

app = typer.Typer(
    help="carbonpeak — 湖南省有色金属行业碳达峰平台 / nonferrous carbon-peak platform",
    no_args_is_help=True,
    add_completion=False,
)

#: The command areas, each mounted by its ``register(root)``.
AREAS = (
    admin,
    enterprise,
    inventory,
    dashboard,
    scenarios,
    intake,
    workflow,
    assignments,
    review,
    meters,
    catalogue,
)


@app.command()
def version() -> None:
    """Print the version and the newest factor set."""
    from carbonpeak.service.registry.refdata_service import factor_set_version  # noqa: PLC0415

    console.print(f"carbonpeak {__version__} (factor set {factor_set_version()})")


@app.command()
@handles_errors
def run(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="worker processes (several on a multi-core server, e.g. one per core; each "
            "keeps its own cache of the province views)",
        ),
    ] = 1,
    demo: Annotated[
        bool | None,
        typer.Option(
            "--demo/--no-demo",
            help="load the synthetic demo sector and its published demo logins into an empty "
            "store (default: yes in development and test, never in production)",
        ),
    ] = None,
) -> None:
    """Migrate the store, load the demo data if allowed and it is empty, and serve the platform.

    A production install (``CARBONPEAK_ENV=production``) starts empty, without demo
    accounts; create its first province account with ``carbonpeak setup``.
    """
    import uvicorn  # noqa: PLC0415

    from carbonpeak.app import create_app  # noqa: PLC0415
    from carbonpeak.service.platform.bootstrap import has_province_account, prepare_store  # noqa: PLC0415
    from carbonpeak.service.platform.demo import demo_users  # noqa: PLC0415
    from carbonpeak.settings import get_settings  # noqa: PLC0415

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    with console.status("准备数据库 / preparing the store…"):
        wanted = settings.load_demo if demo is None else demo
        loaded = prepare_store(settings.database_url, demo=wanted)
    if loaded:
        console.print(f"已载入演示数据 / loaded the synthetic demo sector: {loaded} enterprises")
    console.print(f"\n[bold green]carbonpeak[/] → http://{host}:{port}/\n")
    if not wanted and not has_province_account(settings.database_url):
        console.print(
            "尚无省级账号：请先运行 carbonpeak setup --username 用户名 / no province account yet: "
            "run carbonpeak setup --username NAME first"
        )
    if wanted:
        t = RichTable(title="演示账号 / demo logins (synthetic data)")
        for col in ("user / 用户名", "password / 密码", "role / 角色", "scope / 范围"):
            t.add_column(col, overflow="fold")
        for u in demo_users():
            t.add_row(u["username"], u["password"], u["role"], _demo_scope(u))
        console.print(t)
    if workers > 1:  # each worker process builds its own app from the same environment
        uvicorn.run(
            "carbonpeak.app:create_app", factory=True, host=host, port=port, log_level="info", workers=workers
        )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _demo_scope(u: dict[str, str]) -> str:
    from carbonpeak.service.platform.demo import DEMO_VERIFIER_PARK  # noqa: PLC0415
    from carbonpeak.service.registry.refdata_service import city_name_zh  # noqa: PLC0415

    if u["role"] == "province":
        return "全省 / all"
    if u["role"] == "verifier":
        return f"{DEMO_VERIFIER_PARK} 园区企业 / assigned"
    if u["role"] == "public":
        return "公开汇总 / aggregates"
    if u["enterprise"]:
        return u["enterprise"]
    return city_name_zh(u["city"]) or u["city"]


for _area in AREAS:
    _area.register(app)


def main(argv: list[str] | None = None) -> Any:
    return app(argv if argv is not None else sys.argv[1:])
