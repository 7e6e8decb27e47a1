"""Command-line faces: carbonpeak review, carbonpeak project, carbonpeak registry (issue 5).

* ``carbonpeak review --metal Zn --route zn_hydro --capacity 100000 --energy "electricity=8e8 kWh"
  --energy "coke=12000 t" --city 430400 [--park …] [--date 2025-06-30] [--out report.pdf|.xlsx]
  [--lang zh|en]`` — energy-saving review of a proposal (verdict, clause, effects);
* ``carbonpeak project list|add|status`` — the project register and its status history;
* ``carbonpeak registry import|list`` — green manufacturing, cleaner production, recycled
  output, solid waste.

The CLI acts as the system principal (province scope), like the other commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from carbonpeak.catalogue import loc
from carbonpeak.cli._console import console, handles_errors
from carbonpeak.cli._store import system_context

__all__ = ["register"]

project_app = typer.Typer(help="Project register / 项目清单（在建、拟建、退出）", no_args_is_help=True)
registry_app = typer.Typer(help="Registries / 绿色制造、清洁生产、再生金属、固废名录", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this area's groups and commands to the root ``carbonpeak`` app."""
    root.command("review")(review)
    root.add_typer(project_app, name="project")
    root.add_typer(registry_app, name="registry")


def _n(x: object, digits: int = 0) -> str:
    return "—" if x is None else f"{float(x):,.{digits}f}"  # type: ignore[arg-type]


@handles_errors
def review(
    metal: Annotated[str, typer.Option(help="metal / 金属 (Zn, Cu, Pb, Al…)")],
    route: Annotated[str, typer.Option(help="process route id or name / 工艺路线")],
    capacity: Annotated[float, typer.Option(help="design capacity [t/a] / 设计产能")],
    energy: Annotated[list[str], typer.Option(help='carrier=quantity unit, e.g. "electricity=8e8 kWh"')],
    city: Annotated[str, typer.Option(help="city code / 市州代码")],
    park: Annotated[str | None, typer.Option(help="park id / 园区")] = None,
    product: Annotated[str | None, typer.Option(help="product code of benchmark/limit_levels")] = None,
    output: Annotated[float | None, typer.Option(help="design output [t/a] (default: capacity)")] = None,
    ac_power: Annotated[float | None, typer.Option(help="Al electrolysis: AC power [kWh/t]")] = None,
    date: Annotated[str | None, typer.Option(help="review date YYYY-MM-DD (default today)")] = None,
    name: Annotated[str, typer.Option(help="project name / 项目名称")] = "",
    enterprise: Annotated[str | None, typer.Option(help="credit code of the proposing enterprise")] = None,
    out: Annotated[Path | None, typer.Option(help="write the report (.pdf or .xlsx)")] = None,
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
    save: Annotated[bool, typer.Option(help="store the review record")] = True,
) -> None:
    """Energy-saving review (节能审查) of a proposed project against the 1级 in force."""
    from carbonpeak.errors import InputError, Problem  # noqa: PLC0415
    from carbonpeak.service.efficiency import review as review_service  # noqa: PLC0415
    from carbonpeak.service.efficiency.review_report import review_report  # noqa: PLC0415
    from carbonpeak.service.registry.refdata_service import resolve_city, resolve_park  # noqa: PLC0415

    if out is not None and out.suffix.lower() not in (".pdf", ".xlsx"):
        raise InputError(
            [Problem("bad_enum", column="out", value=out.suffix, fields={"allowed": ".pdf, .xlsx"})]
        )
    req = review_service.ReviewRequest(
        name=name,
        metal=metal,
        route=route,
        product=product,
        capacity_t_per_a=capacity,
        output_t_per_a=output,
        energy=[review_service.parse_energy(e) for e in energy],
        ac_power_kwh_per_t=ac_power,
        city_code=resolve_city(city) or city,
        park_id=(resolve_park(park) or park) if park else None,
        enterprise=enterprise,
        review_date=date,
        save=save,
    )
    with system_context() as ctx:
        r = review_service.review(ctx, req)
    colour = {"pass": "green", "fail": "red"}.get(r["verdict"], "yellow")
    console.print(f"单位产品综合能耗 / unit energy: [bold]{_n(r['unit_energy_kgce_per_t'], 1)}[/] kgce/t")
    console.print(f"结论 / verdict: [bold {colour}]{r['verdict'].upper()}[/]")
    console.print(loc(r, lang, "citation"))
    eff = r.get("effects") or {}
    for scope, t in (eff.get("totals") or {}).items():
        console.print(
            f"{scope}: energy {_n(t['energy_tce'])} → {_n(t['energy_with_tce'])} tce/a "
            f"(+{_n(t['energy_increase_pct'], 2)} %), CO2 {_n(t['co2_t'])} → {_n(t['co2_with_t'])} t/a"
        )
    if out is not None:
        data = review_report(r, lang, out.suffix)
        out.write_bytes(data)
        console.print(f"report → {out}")


@project_app.command("list")
@handles_errors
def project_list(
    city: Annotated[str | None, typer.Option()] = None,
    metal: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str | None, typer.Option()] = None,
) -> None:
    """List the projects with their current status."""
    from carbonpeak.service.efficiency import projects  # noqa: PLC0415

    with system_context() as ctx:
        rows = projects.list_projects(ctx, city=city, metal=metal, status=status)
    t = RichTable(title="项目清单 / project register")
    for col in (
        "id",
        "code",
        "名称 / name",
        "市州 / city",
        "metal",
        "route",
        "kind",
        "t/a",
        "status",
        "since",
    ):
        t.add_column(col)
    for p in rows:
        since = p["history"][-1]["effective_date"] if p["history"] else ""
        t.add_row(
            str(p["id"]),
            p["code"],
            p["name_zh"],
            p["city_name_zh"],
            p["metal"],
            p["route"],
            p["kind"],
            _n(p["capacity_t_per_a"]),
            f"{p['status_zh']} / {p['status']}",
            since,
        )
    console.print(t)


@project_app.command("add")
@handles_errors
def project_add(
    code: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option(help="name (zh)")],
    city: Annotated[str, typer.Option()],
    metal: Annotated[str, typer.Option()],
    route: Annotated[str, typer.Option()],
    capacity: Annotated[float, typer.Option(help="t/a")],
    kind: Annotated[str, typer.Option(help="new / expansion / closure")] = "new",
    enterprise: Annotated[str | None, typer.Option()] = None,
    park: Annotated[str | None, typer.Option()] = None,
    expected_year: Annotated[int | None, typer.Option()] = None,
    date: Annotated[str | None, typer.Option(help="date of the first status (planned)")] = None,
) -> None:
    """Register a project (status planned)."""
    from carbonpeak.service.efficiency import projects  # noqa: PLC0415
    from carbonpeak.service.registry.refdata_service import resolve_city  # noqa: PLC0415

    with system_context() as ctx:
        p = projects.create_project(
            ctx,
            projects.ProjectCreate(
                code=code,
                name_zh=name,
                city_code=resolve_city(city) or city,
                metal=metal,
                route=route,
                capacity_t_per_a=capacity,
                kind=kind,
                enterprise=enterprise,
                park_id=park,
                expected_year=expected_year,
                effective_date=date,
            ),
        )
    console.print(f"project {p['id']} {p['code']}: {p['status']}")


@project_app.command("status")
@handles_errors
def project_status(
    project_id: Annotated[int, typer.Argument()],
    to: Annotated[
        str, typer.Option(help="approved / under_construction / commissioned / closed / cancelled")
    ],
    date: Annotated[str | None, typer.Option(help="effective date YYYY-MM-DD")] = None,
    comment: Annotated[str, typer.Option()] = "",
) -> None:
    """Move a project one step; print its history."""
    from carbonpeak.service.efficiency import projects  # noqa: PLC0415

    with system_context() as ctx:
        p = projects.change_status(ctx, project_id, to, date, comment)
    for h in p["history"]:
        console.print(
            f"{h['effective_date']}  {h['from_status'] or '—'} → {h['to_status']}  "
            f"{h['actor']} {h['comment']}"
        )


@registry_app.command("import")
@handles_errors
def registry_import(
    name: Annotated[str, typer.Argument(help="green / cleaner / recycled / waste")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
) -> None:
    """Import a registry file (CSV/XLSX), all-or-nothing."""
    from carbonpeak.service.registry import registries  # noqa: PLC0415

    table = registries.read_registry(name, file.read_bytes(), file.name)
    with system_context() as ctx:
        n = registries.import_registry(ctx, name, table)
    console.print(f"imported {n} rows into {name}")


@registry_app.command("list")
@handles_errors
def registry_list(
    name: Annotated[str, typer.Argument(help="green / cleaner / recycled / waste")],
    year: Annotated[int | None, typer.Option()] = None,
    city: Annotated[str | None, typer.Option()] = None,
) -> None:
    """List a registry's rows."""
    from carbonpeak.service.registry import registries  # noqa: PLC0415

    with system_context() as ctx:
        rows = registries.list_registry(ctx, name, year=year, city=city)
    if not rows:
        console.print("—")
        return
    skip = {"created_at", "is_demo"}
    cols = [c for c in rows[0] if c not in skip and not c.endswith("_en")]
    t = RichTable(title=f"{registries.registry(name).name_zh} / {registries.registry(name).name_en}")
    for c in cols:
        t.add_column(c)
    for r in rows:
        t.add_row(*[("" if r.get(c) is None else str(r.get(c))) for c in cols])
    console.print(t)
    console.print(f"{len(rows)} rows")
