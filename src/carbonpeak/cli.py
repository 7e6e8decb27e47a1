"""The ``carbonpeak`` command line: run the platform, manage users, import, verify the audit.

Every command calls the same service functions as the API and the pages, acting as the
``system`` principal (province scope; audited as ``system``). Errors print in Chinese and
English with their location, and the command exits with status 2.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.table import Table as RichTable

from carbonpeak import __version__, intake_cli, refdata, review_cli, units, workflow_cli
from carbonpeak.cli_support import console, err_console, handles_errors
from carbonpeak.io.register import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_OPTIONAL,
    LINE_COLUMNS,
    LINE_OPTIONAL,
)
from carbonpeak.io.tabular import read_rows
from carbonpeak.model import Role
from carbonpeak.scenarios_cli import decompose_app, macc_app, scenario_app
from carbonpeak.service import audit, auth, enterprises
from carbonpeak.service.bootstrap import prepare_store
from carbonpeak.service.context import SYSTEM, Context
from carbonpeak.service.demo import DEMO_VERIFIER_PARK, demo_users
from carbonpeak.settings import get_settings
from carbonpeak.store.db import migrate, sessionmaker_for

__all__ = ["app"]

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    help="carbonpeak — 湖南省有色金属行业碳达峰平台 / nonferrous carbon-peak platform",
    no_args_is_help=True,
    add_completion=False,
)
user_app = typer.Typer(help="Users / 用户", no_args_is_help=True)
audit_app = typer.Typer(help="Audit trail / 审计链", no_args_is_help=True)
db_app = typer.Typer(help="Store / 数据库", no_args_is_help=True)
ent_app = typer.Typer(help="Enterprise register / 企业名录", no_args_is_help=True)
refdata_app = typer.Typer(help="Reference data / 参考数据", no_args_is_help=True)
units_app = typer.Typer(help="Units / 计量单位", no_args_is_help=True)
inv_app = typer.Typer(help="Inventories / 温室气体与能耗核算", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")
app.add_typer(ent_app, name="enterprise")
app.add_typer(refdata_app, name="refdata")
app.add_typer(units_app, name="units")
app.add_typer(inv_app, name="inventory")
app.add_typer(decompose_app, name="decompose")
app.add_typer(macc_app, name="macc")
app.add_typer(scenario_app, name="scenario")
intake_cli.register(app)
workflow_cli.register(app)
review_cli.register(app)

#: CSV files larger than this are read with pyarrow (columnar) rather than row by row.
BULK_CSV_BYTES = 20 * 1024 * 1024


def _ctx() -> Context:
    url = get_settings().database_url
    migrate(url)
    return Context(db=sessionmaker_for(url)(), principal=SYSTEM, request_id="cli")


@app.command()
def version() -> None:
    """Print the version and the newest factor set."""
    console.print(f"carbonpeak {__version__} (factor set {refdata.factor_set().version})")


@app.command()
@handles_errors
def run(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
    demo: Annotated[bool, typer.Option(help="load the demo data into an empty store")] = True,
) -> None:
    """Migrate the store, load the demo data if it is empty, and serve the platform."""
    import uvicorn  # noqa: PLC0415

    from carbonpeak.api.app import create_app  # noqa: PLC0415

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    with console.status("准备数据库 / preparing the store…"):
        loaded = prepare_store(settings.database_url, demo=demo)
    if loaded:
        console.print(f"已载入演示数据 / loaded the synthetic demo sector: {loaded} enterprises")
    console.print(f"\n[bold green]carbonpeak[/] → http://{host}:{port}/\n")
    if demo:
        t = RichTable(title="演示账号 / demo logins (synthetic data)")
        for col in ("user / 用户名", "password / 密码", "role / 角色", "scope / 范围"):
            t.add_column(col, overflow="fold")
        for u in demo_users():
            t.add_row(u["username"], u["password"], u["role"], _demo_scope(u))
        console.print(t)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _demo_scope(u: dict[str, str]) -> str:
    if u["role"] == "province":
        return "全省 / all"
    if u["role"] == "verifier":
        return f"{DEMO_VERIFIER_PARK} 园区企业 / assigned"
    if u["role"] == "public":
        return "公开汇总 / aggregates"
    if u["enterprise"]:
        return u["enterprise"]
    city = refdata.cities().by_id.get(u["city"])
    return str(city["name_zh"]) if city else u["city"]


@db_app.command("migrate")
@handles_errors
def db_migrate() -> None:
    """Bring the store to the newest schema."""
    migrate(get_settings().database_url)
    console.print("ok")


@db_app.command("load-demo")
@handles_errors
def db_load_demo() -> None:
    """Migrate and load the synthetic demo sector if the store is empty."""
    n = prepare_store(get_settings().database_url)
    console.print(f"loaded {n} demo enterprises" if n else "the store is not empty; nothing loaded")


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
    if password is None:
        password = getpass.getpass("密码 / password: ")
        if password != getpass.getpass("再次输入 / again: "):
            err_console.print("两次输入不一致 / the passwords differ")
            raise typer.Exit(2)
    ctx = _ctx()
    with ctx.db:
        u = auth.add_user(
            ctx, username, password, role, city=city, enterprises=enterprise or [], display_name=display_name
        )
    console.print(f"created user [bold]{u.username}[/] ({u.role}) id={u.id}")


@user_app.command("list")
@handles_errors
def user_list() -> None:
    """List users."""
    ctx = _ctx()
    with ctx.db:
        t = RichTable("id", "username", "role", "city", "enterprises", "display name")
        for u in auth.list_users(ctx):
            t.add_row(
                str(u.id),
                u.username,
                u.role,
                u.city_code or "",
                ",".join(map(str, u.enterprise_ids)),
                u.display_name,
            )
    console.print(t)


@audit_app.command("verify")
@handles_errors
def audit_verify() -> None:
    """Walk the audit hash chain; exit 1 if any row was edited or deleted."""
    ctx = _ctx()
    with ctx.db:
        checked, problems = audit.verify(ctx.db)
    if problems:
        t = RichTable("event", "kind", "detail", title="审计链被破坏 / the audit chain is broken")
        for p in problems:
            t.add_row(str(p.event_id), p.kind, p.detail)
        err_console.print(t)
        raise typer.Exit(1)
    console.print(f"审计链完整 / audit chain intact: {checked} events")


@ent_app.command("import")
@handles_errors
def enterprise_import(
    enterprises_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    lines: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="production lines CSV/XLSX")
    ] = None,
) -> None:
    """Import an enterprise register (and lines), all-or-nothing."""
    ents = read_rows(
        enterprises_file.read_bytes(), enterprises_file.name, ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL
    )
    line_table = read_rows(lines.read_bytes(), lines.name, LINE_COLUMNS, LINE_OPTIONAL) if lines else None
    ctx = _ctx()
    with ctx.db:
        added = enterprises.import_register(ctx, ents, line_table)
    console.print(f"imported {len(added)} enterprises, {sum(len(e.lines) for e in added)} lines")


@ent_app.command("list")
@handles_errors
def enterprise_list(
    city: Annotated[str | None, typer.Option()] = None, metal: Annotated[str | None, typer.Option()] = None
) -> None:
    """List enterprises (optionally of one city or metal)."""
    ctx = _ctx()
    with ctx.db:
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


@refdata_app.command("check")
@handles_errors
def refdata_check() -> None:
    """Load and validate every shipped reference table."""
    from carbonpeak.refdata.loader import validate_all  # noqa: PLC0415

    names = validate_all()
    fs = refdata.factor_set()
    t = RichTable("table", "rows", "title", "sha256", title=f"factor set {fs.version}")
    for n in names:
        tab = refdata.load_table(n)
        t.add_row(n, str(len(tab)), tab.title_zh, tab.digest[:12])
    console.print(t)


@units_app.command("convert")
@handles_errors
def units_convert(value: float, from_unit: str, to_unit: str) -> None:
    """Convert a value, e.g. ``carbonpeak units convert 3 万千瓦时 MWh``."""
    console.print(
        f"{value:g} {units.unit_symbol(from_unit)} = "
        f"{units.convert(value, from_unit, to_unit):.6g} {units.unit_symbol(to_unit)}"
    )


def main(argv: list[str] | None = None) -> Any:
    return app(argv if argv is not None else sys.argv[1:])


@inv_app.command("compute")
@handles_errors
def inventory_compute(
    activity: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="activity CSV/XLSX")],
    method: Annotated[
        str, typer.Option(help="auto | other_nonferrous_2015 | aluminium_2013 | cets_al_2024")
    ] = "auto",
    year: Annotated[int | None, typer.Option(help="only this year's rows")] = None,
    gwp: Annotated[str | None, typer.Option(help="GWP set: SAR | AR5 | AR6")] = None,
    grid: Annotated[str | None, typer.Option(help="grid-factor series id")] = None,
    factor_set: Annotated[str | None, typer.Option(help="factor-set version")] = None,
    store: Annotated[bool, typer.Option(help="store the result as inventory runs")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print every line as JSON")] = False,
) -> None:
    """Compute GHG and energy inventories from an activity file (stored only with --store)."""
    import json  # noqa: PLC0415

    from carbonpeak.accounting.engine import CATEGORIES  # noqa: PLC0415
    from carbonpeak.accounting.factors import AccountingChoices  # noqa: PLC0415
    from carbonpeak.io.activity import (  # noqa: PLC0415
        ACTIVITY_COLUMNS,
        ACTIVITY_OPTIONAL,
        read_activity_frame,
    )
    from carbonpeak.service import inventory  # noqa: PLC0415

    choices = AccountingChoices(
        method="other_nonferrous_2015" if method == "auto" else method,
        gwp_set=gwp,
        grid_series=grid,
        factor_set=factor_set,
    )
    bulk = activity.suffix.lower() == ".parquet" or (
        activity.suffix.lower() == ".csv" and activity.stat().st_size > BULK_CSV_BYTES
    )
    with console.status("读取 / reading…", spinner="dots"):
        data = activity.read_bytes()
        table = (
            read_activity_frame(data, activity.name)
            if bulk
            else read_rows(data, activity.name, ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
        )
    rows = len(table) if bulk else len(table.rows)  # type: ignore[arg-type]
    ctx = _ctx()
    with ctx.db, console.status(f"核算 {rows:,} 行 / computing…", spinner="dots"):
        if store:
            ids = inventory.store_table(ctx, table, choices, method=method, year=year, file=activity.name)
            console.print(f"stored runs: {', '.join(map(str, ids))}")
            return
        result = inventory.compute_table(ctx, table, choices, method=method, year=year, file=activity.name)
    lines = result.lines
    if as_json:
        console.print_json(
            json.dumps(lines.drop(columns=["file"]).to_dict("records"), ensure_ascii=False, default=float)
        )
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


@inv_app.command("explain")
@handles_errors
def inventory_explain(run_id: int, line: int) -> None:
    """Explain one line of a stored run: formula, factors with source and clause, arithmetic."""
    from carbonpeak.service import inventory  # noqa: PLC0415

    ctx = _ctx()
    with ctx.db:
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
    console.print("计算 / arithmetic:")
    for step in e.arithmetic:
        console.print(f"  {step}")


@inv_app.command("recompute")
@handles_errors
def inventory_recompute(run_id: int, factor_set: Annotated[str | None, typer.Option()] = None) -> None:
    """Recompute a stored run with the newest (or a chosen) factor set; the old run stays."""
    from dataclasses import replace  # noqa: PLC0415

    from carbonpeak.accounting.factors import AccountingChoices  # noqa: PLC0415
    from carbonpeak.service import inventory  # noqa: PLC0415

    ctx = _ctx()
    with ctx.db:
        old = inventory.get_run(ctx, run_id)
        choices = replace(AccountingChoices(method=old["method"]), factor_set=factor_set)
        new = inventory.recompute(ctx, run_id, choices)
    console.print(f"run {run_id} superseded by run {new}")


def _fmt(v: object, spec: str = ",.1f", scale: float = 1.0) -> str:
    """A number (times *scale*) for a table cell; '—' for missing."""
    try:
        x = float(v) * scale  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    return "—" if x != x else format(x, spec)  # noqa: PLR0124 — NaN check


@app.command()
@handles_errors
def benchmark(
    year: Annotated[int, typer.Option(help="reporting year / 年份")] = 2024,
    city: Annotated[str | None, typer.Option(help="city code or name / 市州")] = None,
) -> None:
    """Benchmark league table, capacity share at benchmark (Cu/Pb/Zn; electrolytic Al on AC
    power per t), lines below the limit."""
    from carbonpeak.errors import InputError, Problem  # noqa: PLC0415
    from carbonpeak.service import benchmarking  # noqa: PLC0415

    ctx = _ctx()
    with ctx.db:
        c = benchmarking.classify(ctx, year)
    if city:
        code = refdata.resolve("geo/cities", city)
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
            str(r.standard) if graded else "—",
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


@app.command()
@handles_errors
def targets(year: Annotated[int, typer.Option(help="reporting year / 年份")] = 2025) -> None:
    """The plan's targets: each indicator's value, target, gap, status and rule."""
    from carbonpeak.service import targets as targets_service  # noqa: PLC0415

    ctx = _ctx()
    with ctx.db:
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
