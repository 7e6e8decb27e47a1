"""The reference-data loader and the shipped tables."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from carbonpeak import refdata
from carbonpeak.errors import RefdataError
from carbonpeak.refdata.loader import (
    PROVENANCE,
    load_sources,
    read_table,
    table_names,
    validate_all,
)

SOURCES = load_sources("""
[sources.plan]
title_zh = "方案"
title_en = "Plan"
kind = "policy"
""")


def _schema(**extra: dict[str, Any]) -> dict[str, Any]:
    cols: dict[str, Any] = {c: {"type": "date" if c.startswith("valid") else "str"} for c in PROVENANCE}
    cols["confidence"] = {"type": "enum", "values": ["V", "S+", "S", "R"]}
    cols.update(extra)
    return {"title_zh": "测试", "title_en": "test", "columns": cols}


def _csv(schema: dict[str, Any], *rows: list[str]) -> bytes:
    head = ",".join(schema["columns"])
    return ("\n".join([head, *(",".join(r) for r in rows)]) + "\n").encode()


ROW = ["r1", "名称", "name", "plan", "表1", "2020-01-01", "", "V"]


def test_every_shipped_table_loads_and_the_factor_set_resolves() -> None:
    names = validate_all()
    assert {"geo/cities", "geo/parks", "sector/metals", "sector/process_routes"} <= set(names)
    foundation = refdata.factor_set("2026.1")
    assert set(foundation.digests) == {"geo/cities", "geo/parks", "sector/metals", "sector/process_routes"}
    latest = refdata.factor_set()
    assert latest.version == "2026.3"
    assert set(foundation.digests) < set(latest.digests)
    assert "accounting/fuels" in latest.digests
    # a table shared by two versions is the same bytes in both
    assert latest.digests["geo/cities"] == foundation.digests["geo/cities"]
    assert all(len(d) == 64 for d in latest.digests.values())


def test_hunan_has_fourteen_cities_and_prefectures() -> None:
    cities = refdata.cities()
    assert len(cities) == 14
    # GB/T 2260: Hunan's prefecture-level codes 4301..4313 and Xiangxi 4331
    assert {c["id"] for c in cities} == {f"43{n:02d}00" for n in range(1, 14)} | {"433100"}
    assert cities.get("431300")["name_zh"] == "娄底市"
    assert cities.get("433100")["kind"] == "autonomous_prefecture"


def test_parks_the_plan_names_lie_in_their_cities() -> None:
    parks = refdata.parks()
    city_ids = set(refdata.cities().by_id)
    assert all(p["city_id"] in city_ids for p in parks)
    assert parks.get("shuikoushan")["city_id"] == "430400"  # 衡阳 水口山
    assert parks.get("yongzhou_re")["city_id"] == "431100"  # 永州 稀土产业园
    assert parks.get("yongxing_circular")["city_id"] == "431000"  # 郴州 永兴
    # the five national bulk-solid-waste bases of 专栏4
    bases = {p["id"] for p in parks if "solid_waste_base" in p["designations"]}
    assert bases == {"loudi_city", "anhua_county", "shuikoushan", "miluo_hitech", "yongxing_etdz"}


def test_every_route_belongs_to_a_known_metal() -> None:
    metals = set(refdata.metals().by_id)
    assert all(r["metal"] in metals for r in refdata.process_routes())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("娄底市", "431300"),
        ("娄底", "431300"),
        ("431300", "431300"),
        ("Loudi", "431300"),
        ("loudi", "431300"),
        ("湘西州", "433100"),
        ("湘西", "433100"),
        ("", None),
        (None, None),
        ("北京市", None),
    ],
)
def test_resolve_city_spellings(text: str | None, expected: str | None) -> None:
    assert refdata.resolve("geo/cities", text) == expected


def test_every_row_cites_a_registered_source() -> None:
    sources = load_sources()
    for name in table_names():
        for row in refdata.load_table(name):
            assert row["source_id"] in sources, (name, row["id"])


def test_loader_rejects_an_unknown_source() -> None:
    schema = _schema()
    bad = ROW.copy()
    bad[3] = "nowhere"
    with pytest.raises(RefdataError) as err:
        read_table("t/x", _csv(schema, ROW, bad), schema, SOURCES)
    assert err.value.code == "refdata_unknown_source"
    assert err.value.fields["row"] == 3
    assert "nowhere" in err.value.message_en and "未登记" in err.value.message_zh


def test_loader_rejects_a_unit_that_does_not_parse_in_a_unit_column() -> None:
    schema = _schema(unit={"type": "unit"})
    with pytest.raises(RefdataError) as err:
        read_table("t/x", _csv(schema, [*ROW, "furlongs/fortnight"]), schema, SOURCES)
    assert err.value.code == "refdata_bad_unit"
    assert err.value.fields["value"] == "furlongs/fortnight"


def test_loader_rejects_a_declared_column_unit_that_does_not_parse() -> None:
    schema = _schema(value={"type": "float", "unit": "kgce/bushel"})
    with pytest.raises(RefdataError) as err:
        read_table("t/x", _csv(schema, [*ROW, "1.0"]), schema, SOURCES)
    assert err.value.code == "refdata_bad_unit"


def test_loader_accepts_good_units_and_types() -> None:
    schema = _schema(value={"type": "float", "unit": "kgce/kWh"}, unit={"type": "unit"})
    t = read_table("t/x", _csv(schema, [*ROW, "0.1229", "万Nm³"]), schema, SOURCES)
    assert t.get("r1")["value"] == 0.1229
    assert t.get("r1")["valid_from"] == dt.date(2020, 1, 1)
    assert t.get("r1")["valid_to"] is None
    assert len(t.valid_on(dt.date(2019, 12, 31))) == 0
    assert len(t.valid_on(dt.date(2030, 1, 1))) == 1


def test_loader_refuses_recalled_values() -> None:
    schema = _schema()
    bad = ROW.copy()
    bad[7] = "R"
    with pytest.raises(RefdataError, match="confidence"):
        read_table("t/x", _csv(schema, bad), schema, SOURCES)


def test_loader_rejects_a_header_that_differs_from_the_schema() -> None:
    schema = _schema()
    data = _csv(schema, ROW).replace(b"clause", b"clauses")
    with pytest.raises(RefdataError, match="header"):
        read_table("t/x", data, schema, SOURCES)


def test_loader_rejects_duplicate_ids_and_bad_values() -> None:
    schema = _schema(n={"type": "int"})
    with pytest.raises(RefdataError, match="duplicate"):
        read_table("t/x", _csv(schema, [*ROW, "1"], [*ROW, "2"]), schema, SOURCES)
    with pytest.raises(RefdataError, match="not a int"):
        read_table("t/x", _csv(schema, [*ROW, "one"]), schema, SOURCES)


def test_schemas_describe_every_column() -> None:
    from carbonpeak.refdata.loader import shipped_path

    for name in table_names():
        schema = json.loads((shipped_path() / f"{name}.schema.json").read_text("utf-8"))
        assert list(schema["columns"])[: len(PROVENANCE)] == list(PROVENANCE), name


def test_every_table_with_a_clause_ends_with_read_in() -> None:
    from carbonpeak.refdata.loader import READ_IN, shipped_path

    for name in table_names():
        schema = json.loads((shipped_path() / f"{name}.schema.json").read_text("utf-8"))
        assert list(schema["columns"])[-1] == READ_IN, name
        assert not schema["columns"][READ_IN].get("required"), name


@pytest.mark.parametrize("name", table_names())
def test_no_clause_carries_an_address_or_a_research_note(name: str) -> None:
    # item 8 of issue 12: a clause is the standard's own table, clause or annex, which a verifier
    # can cite; where the value was read (a repost, repository, page, search-index id) is read_in.
    for row in refdata.load_table(name):
        clause = row["clause"].lower()
        for marker in ("http", "github", "index id", "transcribed"):
            assert marker not in clause, (name, row["id"], row["clause"])
        assert isinstance(row["read_in"], str), (name, row["id"])


def test_a_row_one_field_short_reads_read_in_as_empty() -> None:
    # rows written before read_in existed (the old column set) still load; read_in is ""
    schema = _schema(read_in={"type": "str"})
    t = read_table("t/x", _csv(schema, ROW, ["r2", *ROW[1:], "a repost"]), schema, SOURCES)
    assert [r["read_in"] for r in t] == ["", "a repost"]
