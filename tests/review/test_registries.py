"""The registries: import all-or-nothing with located errors (CSV and XLSX), scope, audit,
and the targets that read them."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from carbonpeak.errors import InputError, NotFound, PermissionDenied
from carbonpeak.io.tabular import read_rows
from carbonpeak.model import Principal, Role
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.registry import registries
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import AuditEvent, Enterprise, SolidWaste

HENGYANG = "430400"
XICHENG = "91430400XU6TWF13XG"
LOUDI_SB = "91431300PF5LKFBQ3D"


@pytest.fixture
def ctx(demo_url: str) -> Iterator[Context]:
    with sessionmaker_for(demo_url)() as db:
        yield Context(db=db, principal=SYSTEM, request_id="test")


def _as(ctx: Context, role: Role, **kw: object) -> Context:
    return Context(ctx.db, Principal(f"u-{role}", role, user_id=99, **kw), "t")  # type: ignore[arg-type]


def _table(name: str, text: str, filename: str = "f.csv") -> object:
    reg = registries.registry(name)
    return read_rows(text.encode(), filename, reg.required, reg.optional)


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "固废"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_solid_waste_from_xlsx_with_every_problem_located(ctx: Context) -> None:
    before = ctx.db.execute(select(func.count(SolidWaste.id))).scalar_one()
    data = _xlsx(
        [
            ["enterprise", "year", "waste", "generated", "utilised", "unit"],
            [XICHENG, 2026, "slag", 1000, 800, "t"],  # fine
            [XICHENG, 2026, "slag", 5, 1, "t"],  # duplicate of row 2
            ["91430400AAAAAAAAAA", 2026, "冶炼渣", 10, 5, "t"],  # unknown enterprise
            [XICHENG, 2026, "mud", -1, 2, "t"],  # bad kind, negative
            [XICHENG, 2026, "fly_ash", 10, 20, "t"],  # utilised > generated
            [XICHENG, 1800, "tailings", 1, 1, "kWh"],  # year out of range, wrong unit
            [XICHENG, 2020, "slag", 1, 1, "t"],  # exists in the demo registry
        ]
    )
    reg = registries.registry("waste")
    table = read_rows(data, "waste.xlsx", reg.required, reg.optional)
    with pytest.raises(InputError) as e:
        registries.import_registry(ctx, "waste", table)
    found = {(p.row, p.column, p.code) for p in e.value.problems}
    assert found >= {
        (3, "waste", "duplicate"),
        (4, "enterprise", "unknown_enterprise"),
        (5, "waste", "bad_enum"),
        (5, "generated", "negative"),
        (6, "utilised", "registry_part_exceeds_total"),
        (7, "year", "out_of_range"),
        (7, "unit", "wrong_dimension"),
        (8, "waste", "exists"),
    }
    assert all(p.file == "waste.xlsx" and p.sheet == "固废" for p in e.value.problems)
    assert all(p.message_zh and p.message_en for p in e.value.problems)
    assert ctx.db.execute(select(func.count(SolidWaste.id))).scalar_one() == before
    # the good row alone goes in, with a zh alias of the kind and a 万t unit
    ok = _table(
        "waste", f"enterprise,year,waste,generated,utilised,unit\n{XICHENG},2026,冶炼渣,1.5,1.2,万t\n"
    )
    assert registries.import_registry(ctx, "waste", ok) == 1  # type: ignore[arg-type]
    row = registries.list_registry(ctx, "waste", year=2026)[0]
    assert (row["waste"], row["generated_t"], row["utilised_t"]) == ("slag", 15_000.0, 12_000.0)
    assert row["utilisation"] == pytest.approx(0.8)
    n = ctx.db.execute(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "registry.waste.import", AuditEvent.actor == "system"
        )
    ).scalar_one()
    assert n >= 1


def test_green_listings_and_who_may_import(ctx: Context) -> None:
    text = (
        "kind,level,year,certificate_no,name_zh,enterprise,park,city\n"
        f"factory,national,2025,T-GF-1,测试绿色工厂（示例）,{XICHENG},,\n"
        "park,provincial,2025,T-GP-1,测试园区（示例）,,chenzhou_pbzn,\n"
    )
    city = _as(ctx, Role.CITY, city_code=HENGYANG)
    with pytest.raises(InputError) as e:  # the park lies in Chenzhou
        registries.import_registry(city, "green", _table("green", text))  # type: ignore[arg-type]
    assert [(p.row, p.code) for p in e.value.problems] == [(3, "permission_denied")]
    assert registries.import_registry(ctx, "green", _table("green", text)) == 2  # type: ignore[arg-type]
    rows = {r["certificate_no"]: r for r in registries.list_registry(ctx, "green", year=2025)}
    assert rows["T-GP-1"]["city_code"] == "431000"
    assert rows["T-GF-1"]["city_code"] == HENGYANG
    # a city sees the listings of its city only
    seen = registries.list_registry(city, "green")
    assert seen and {r["city_code"] for r in seen} == {HENGYANG}
    # an enterprise reports its own recycled output and waste, not the authorities' lists
    eid = ctx.db.execute(select(Enterprise.id).where(Enterprise.credit_code == XICHENG)).scalar_one()
    ent = _as(ctx, Role.ENTERPRISE, enterprise_ids=frozenset({eid}))
    with pytest.raises(PermissionDenied):
        registries.import_registry(ent, "green", _table("green", text))  # type: ignore[arg-type]
    mine = f"enterprise,year,metal,recycled_output,total_output\n{XICHENG},2025,Zn,100,1000\n"
    assert registries.import_registry(ent, "recycled", _table("recycled", mine)) == 1  # type: ignore[arg-type]
    theirs = f"enterprise,year,metal,recycled_output,total_output\n{LOUDI_SB},2025,Sb,1,10\n"
    with pytest.raises(InputError) as e:
        registries.import_registry(ent, "recycled", _table("recycled", theirs))  # type: ignore[arg-type]
    assert e.value.problems[0].code == "permission_denied"
    assert {r["credit_code"] for r in registries.list_registry(ent, "recycled")} == {XICHENG}
    for role in (Role.VERIFIER, Role.PUBLIC):
        with pytest.raises(PermissionDenied):
            registries.import_registry(
                _as(ctx, role), "waste", _table("waste", "enterprise,year,waste,generated,utilised\n")
            )  # type: ignore[arg-type]
    assert registries.list_registry(_as(ctx, Role.PUBLIC), "green") == []
    with pytest.raises(NotFound):
        registries.list_registry(ctx, "nonsense")
    # deleting is the province's
    entry = rows["T-GF-1"]["id"]
    with pytest.raises(PermissionDenied):
        registries.delete_entry(city, "green", entry)
    registries.delete_entry(ctx, "green", entry)
    assert "T-GF-1" not in {r["certificate_no"] for r in registries.list_registry(ctx, "green")}


def test_demo_registries_are_flagged_and_feed_the_counts(ctx: Context) -> None:
    for name in registries.REGISTRIES:
        rows = registries.list_registry(ctx, name)
        assert rows and all(r["is_demo"] for r in rows), name
    counts = registries.green_factory_counts(ctx)
    assert int(counts[counts["year"] > 2020]["count"].sum()) == 9
    rec = registries.recycled_frame(ctx)
    assert (rec["recycled_output_t"] <= rec["total_output_t"]).all()
