"""The project register: status history, the flow's rules, scope, import with located errors,
and ``capacity_changes`` (the scenarios' contract) checked against the demo files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from importlib import resources

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import InputError, NotFound, PermissionDenied
from carbonpeak.io.tabular import read_rows
from carbonpeak.model import Principal, Role
from carbonpeak.service.efficiency import projects
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import AuditEvent, ProductionLine, Project

HENGYANG, CHENZHOU = "430400", "431000"
XICHENG = "91430400XU6TWF13XG"  # demo enterprise of ent-hengyang-pbzn


@pytest.fixture
def ctx(demo_url: str) -> Iterator[Context]:
    with sessionmaker_for(demo_url)() as db:
        yield Context(db=db, principal=SYSTEM, request_id="test")


def _as(ctx: Context, role: Role, **kw: object) -> Context:
    return Context(ctx.db, Principal(f"u-{role}", role, user_id=99, **kw), "t")  # type: ignore[arg-type]


def _demo(name: str) -> list[dict[str, str]]:
    return list(
        csv.DictReader(io.StringIO(resources.files("carbonpeak.demo").joinpath(name).read_text("utf-8-sig")))
    )


def test_capacity_changes_follow_the_register_and_the_lines(ctx: Context) -> None:
    got = projects.capacity_changes(ctx)
    assert list(got.columns) == ["metal", "route", "city_code", "year", "capacity_t"]
    rows = {tuple(r) for r in got.itertuples(index=False)}
    # the demo projects, by hand from demo/projects.csv (history → year; cancelled → nothing)
    expected_projects = {
        ("Zn", "zn_hydro", HENGYANG, 2027, 100_000.0),  # expansion, planned, expected 2027
        ("Pb", "pb_sinter_blast", HENGYANG, 2024, -55_000.0),  # closure closed 2024-12-31
        ("Pb", "pb_secondary", HENGYANG, 2023, 60_000.0),  # commissioned 2023-09-30
        ("Pb", "pb_bottom_blown", CHENZHOU, 2026, 80_000.0),  # under construction, expected 2026
        ("Zn", "zn_secondary", CHENZHOU, 2022, 30_000.0),  # commissioned 2022-06-30
        ("Zn", "zn_isp", CHENZHOU, 2026, -40_000.0),  # closure approved, expected 2026
        ("Al", "al_secondary", "430100", 2027, 100_000.0),  # approved, expected 2027
        ("Sb", "sb_blast_volatilization", "431300", 2022, -12_000.0),  # closed 2022-12-31
        ("Sb", "sb_bath", "431300", 2026, 10_000.0),  # under construction, expected 2026
    }
    assert expected_projects <= rows
    # plus lines under construction or planned with a commissioning year (demo/lines.csv)
    cities = {e["credit_code"]: e["city"] for e in _demo("enterprises.csv")}
    factor = {"万t/a": 1e4, "万吨/年": 1e4, "t/a": 1.0, "吨/年": 1.0}
    expected_lines = {
        (
            ln["metal"],
            ln["route"],
            cities[ln["enterprise"]],
            int(ln["commissioned"]),
            float(ln["capacity"]) * factor[ln["capacity_unit"]],
        )
        for ln in _demo("lines.csv")
        if ln["status"] in ("under_construction", "planned") and ln["commissioned"]
    }
    assert expected_lines and rows == expected_projects | expected_lines
    assert got["year"].is_monotonic_increasing
    # a city gets its city's changes only
    city = projects.capacity_changes(_as(ctx, Role.CITY, city_code=CHENZHOU))
    assert set(city["city_code"]) == {CHENZHOU}
    assert projects.capacity_changes(_as(ctx, Role.PUBLIC)).empty


def test_status_history_and_commissioning_into_a_line(ctx: Context) -> None:
    city = _as(ctx, Role.CITY, city_code=HENGYANG)
    p = projects.create_project(
        city,
        projects.ProjectCreate(
            code="T-1",
            name_zh="测试项目（示例）",
            enterprise=XICHENG,
            city_code=HENGYANG,
            park_id="shuikoushan",
            metal="Zn",
            route="zn_hydro",
            kind="new",
            capacity_t_per_a=50_000,
            expected_year=2027,
            effective_date="2025-01-10",
        ),
    )
    assert p["status"] == "planned" and len(p["history"]) == 1
    for step, when in (("approved", "2025-03-01"), ("under_construction", "2025-05-01")):
        p = projects.change_status(city, p["id"], step, when, comment=f"to {step}")
    # a step the flow does not allow, or a date going backwards, is refused and changes nothing
    with pytest.raises(InputError) as e:
        projects.change_status(city, p["id"], "planned", "2025-06-01")
    assert e.value.problems[0].code == "project_bad_transition"
    with pytest.raises(InputError) as e:
        projects.change_status(city, p["id"], "commissioned", "2025-04-01")
    assert e.value.problems[0].code == "project_date_order"
    p = projects.change_status(city, p["id"], "commissioned", "2026-11-30")
    assert [h["to_status"] for h in p["history"]] == [
        "planned",
        "approved",
        "under_construction",
        "commissioned",
    ]
    assert [h["from_status"] for h in p["history"]] == [None, "planned", "approved", "under_construction"]
    assert p["history"][2]["comment"] == "to under_construction"
    # it became a production line of the enterprise, counted once
    line = ctx.db.get(ProductionLine, p["line_id"])
    assert line is not None and line.status == "existing" and line.commissioned_year == 2026
    changes = projects.capacity_changes(ctx)
    assert (
        (changes["route"] == "zn_hydro") & (changes["year"] == 2026) & (changes["capacity_t"] == 50_000)
    ).sum() == 1
    actions = set(
        ctx.db.execute(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "project", AuditEvent.object_id == str(p["id"])
            )
        ).scalars()
    )
    assert actions == {"project.add", "project.status"}


def test_scope_of_the_register(ctx: Context) -> None:
    all_p = projects.list_projects(ctx)
    assert len(all_p) == 10 and all(p["is_demo"] for p in all_p)
    hy = projects.list_projects(_as(ctx, Role.CITY, city_code=HENGYANG))
    assert {p["city_code"] for p in hy} == {HENGYANG} and len(hy) == 3
    # filters never widen the scope
    assert projects.list_projects(_as(ctx, Role.CITY, city_code=HENGYANG), city=CHENZHOU) == []
    other = next(p for p in all_p if p["city_code"] != HENGYANG)
    with pytest.raises(NotFound):
        projects.get_project(_as(ctx, Role.CITY, city_code=HENGYANG), other["id"])
    # an enterprise sees its own enterprise's projects, may propose but not move them
    from carbonpeak.store.models import Enterprise

    eid = ctx.db.execute(select(Enterprise.id).where(Enterprise.credit_code == XICHENG)).scalar_one()
    ent = _as(ctx, Role.ENTERPRISE, enterprise_ids=frozenset({eid}))
    mine = projects.list_projects(ent)
    assert [p["code"] for p in mine] == ["DEMO-P-430400-01"]
    with pytest.raises(PermissionDenied):
        projects.change_status(ent, mine[0]["id"], "approved")
    body = projects.ProjectCreate(
        code="T-E",
        name_zh="企业申报（示例）",
        enterprise=XICHENG,
        city_code=HENGYANG,
        metal="Zn",
        route="zn_hydro",
        capacity_t_per_a=1000,
    )
    assert projects.create_project(ent, body)["status"] == "planned"
    with pytest.raises(PermissionDenied):
        projects.create_project(ent, body.model_copy(update={"code": "T-E2", "status": "approved"}))
    with pytest.raises(PermissionDenied):
        projects.create_project(
            _as(ctx, Role.CITY, city_code=CHENZHOU), body.model_copy(update={"code": "T-C"})
        )
    with pytest.raises(PermissionDenied):
        projects.delete_project(_as(ctx, Role.CITY, city_code=HENGYANG), hy[0]["id"])
    assert projects.list_projects(_as(ctx, Role.PUBLIC)) == []


BAD_PROJECTS = """code,name_zh,city,metal,route,kind,capacity,capacity_unit,enterprise,history
OK-1,好项目（示例）,430400,Zn,zn_hydro,new,10,万t/a,,planned@2025-01-01
DEMO-P-430400-01,重复编码,430400,Zn,zn_hydro,new,10,万t/a,,
X-2,,999999,Zn,cu_flash,new,abc,万t/a,,
X-3,坏单位,430400,Zn,zn_hydro,rebuild,10,万kWh,91430400AAAAAAAAAA,planned@2025-01-01;commissioned@2024-01-01
OK-1,重复,430400,Zn,zn_hydro,new,10,t/a,,
"""


def test_import_reports_every_problem_located_and_writes_nothing(ctx: Context) -> None:
    before = ctx.db.execute(select(func.count(Project.id))).scalar_one()
    table = read_rows(
        BAD_PROJECTS.encode(), "projects.csv", projects.PROJECT_COLUMNS, projects.PROJECT_OPTIONAL
    )
    with pytest.raises(InputError) as e:
        projects.import_projects(ctx, table)
    found = {(p.row, p.column, p.code) for p in e.value.problems}
    assert (3, "code", "exists") in found
    assert (4, "name_zh", "required") in found
    assert (4, "capacity", "not_a_number") in found
    assert (5, "capacity_unit", "wrong_dimension") in found
    assert (5, "enterprise", "unknown_enterprise") in found
    assert (6, "code", "duplicate") in found
    assert all(p.file == "projects.csv" for p in e.value.problems)
    assert ctx.db.execute(select(func.count(Project.id))).scalar_one() == before
    # rows 4 and 5 again, with their other cells right, to reach the domain checks
    fixed = BAD_PROJECTS.replace(",,999999,Zn,cu_flash,new,abc,", ",名,999999,Zn,cu_flash,new,1,").replace(
        "万kWh,91430400AAAAAAAAAA", "t/a,"
    )
    with pytest.raises(InputError) as e:
        projects.import_projects(
            ctx, read_rows(fixed.encode(), "p.csv", projects.PROJECT_COLUMNS, projects.PROJECT_OPTIONAL)
        )
    found = {(p.row, p.column, p.code) for p in e.value.problems}
    assert {
        (4, "city", "unknown_city"),
        (4, "route", "route_metal_mismatch"),
        (5, "kind", "bad_enum"),
    } <= found
