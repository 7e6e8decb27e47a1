"""Importing the enterprise register: all-or-nothing, every problem located, zh and en."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError, PermissionDenied
from carbonpeak.io.register import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_OPTIONAL,
    LINE_COLUMNS,
    LINE_OPTIONAL,
)
from carbonpeak.io.tabular import read_rows
from carbonpeak.model import Principal, Role
from carbonpeak.model.credit_code import check_character, credit_code_problem
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.registry import enterprises
from carbonpeak.store.db import engine_for, sessionmaker_for
from carbonpeak.store.models import Base

ENT_HEAD = "credit_code,name_zh,name_en,city,park,metals,above_designated_size"
LINE_HEAD = "enterprise,line_code,name_zh,name_en,metal,route,capacity,capacity_unit,status,commissioned"


def code(city: str, serial: str) -> str:
    first = f"91{city}{serial}"
    return first + check_character(first)


A = code("430400", "000000001")
B = code("431300", "000000002")


def ents_csv(*rows: str, head: str = ENT_HEAD) -> bytes:
    return "\n".join([head, *rows]).encode("utf-8")


GOOD_ENTS = ents_csv(
    f"{A},甲铅锌冶炼有限公司（示例）,A Pb-Zn (demo),衡阳市,shuikoushan,Pb;Zn,是",
    f"{B},乙锑业有限公司（示例）,B Sb (demo),娄底,,Sb,true",
)
GOOD_LINES = ents_csv(
    f"{A},L01,电锌,Zn line,Zn,zn_hydro,20,万吨/年,在产,2010",
    f"{A},L02,电铅,Pb line,Pb,pb_bottom_blown,80000,t/a,existing,2015",
    f"{B},L01,精锑,Sb line,Sb,sb_blast_volatilization,1.2,万t/a,拟建,",
    head=LINE_HEAD,
)


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove a rejected import changed nothing."""
    with engine_for(url).connect() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
            for t in Base.metadata.sorted_tables
        }


def run_import(
    url: str,
    ents: bytes,
    lines: bytes | None = None,
    *,
    principal: Principal = SYSTEM,
    ents_name: str = "enterprises.csv",
) -> list[Any]:
    et = read_rows(ents, ents_name, ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL)
    lt = read_rows(lines, "lines.csv", LINE_COLUMNS, LINE_OPTIONAL) if lines else None
    with sessionmaker_for(url)() as db:
        return enterprises.import_register(Context(db=db, principal=principal), et, lt)


def test_a_good_register_imports_with_units_converted(demo_url: str) -> None:
    added = run_import(demo_url, GOOD_ENTS, GOOD_LINES)
    a = next(e for e in added if e.credit_code == A)
    assert a.city_code == "430400" and a.park_id == "shuikoushan"
    assert a.metals == ("Pb", "Zn")
    caps = {ln.code: ln.capacity_t_per_a for ln in a.lines}
    assert caps == {"L01": 200_000.0, "L02": 80_000.0}  # 20 万吨/年 = 200 000 t/a
    b = next(e for e in added if e.credit_code == B)
    assert b.lines[0].status == "planned" and b.lines[0].capacity_t_per_a == 12_000.0


def test_problems_are_all_listed_and_nothing_is_written(demo_url: str) -> None:
    before = dump(demo_url)
    ents = ents_csv(
        f"{A},甲（示例）,,衡阳,shuikoushan,Pb,true",
        f"{A},甲重复（示例）,,衡阳,,Pb,true",  # duplicate credit code
        f"{code('430100', '000000009')[:-1]}X,丙（示例）,,长沙,,Cu,true",  # bad check char
        f"{code('430100', '000000010')},丁（示例）,,火星市,,Cu,maybe",  # unknown city, bad bool
        f"{code('430100', '000000011')},戊（示例）,,长沙,yongzhou_re,Cu,true",  # park elsewhere
    )
    lines = ents_csv(
        f"{A},L01,电铅,,Pb,pb_bottom_blown,5,万 furlongs,existing,2010",  # unknown unit
        f"{A},L02,电铅,,Pb,pb_bottom_blown,5,万kWh,existing,2010",  # wrong dimension
        f"{A},L03,电铅,,Pb,zn_hydro,-5,t/a,existing,2010",  # route/metal, negative
        f"{A},L04,电铅,,Pb,pb_bottom_blown,五万,t/a,existing,2010",  # not a number
        head=LINE_HEAD,
    )
    with pytest.raises(InputError) as err:
        run_import(demo_url, ents, lines)
    found = {(p.file, p.row, p.column, p.code) for p in err.value.problems}
    assert found == {
        ("enterprises.csv", 3, "credit_code", "duplicate"),
        ("enterprises.csv", 4, "credit_code", "bad_credit_code"),
        ("enterprises.csv", 5, "city", "unknown_city"),
        ("enterprises.csv", 5, "above_designated_size", "bad_enum"),
        ("enterprises.csv", 6, "park", "park_city_mismatch"),
        ("lines.csv", 2, "capacity_unit", "unknown_unit"),
        ("lines.csv", 3, "capacity_unit", "wrong_dimension"),
        ("lines.csv", 4, "route", "route_metal_mismatch"),
        ("lines.csv", 4, "capacity", "negative"),
        ("lines.csv", 5, "capacity", "not_a_number"),
    }
    for p in err.value.problems:
        assert p.message_zh and p.message_en and p.message_zh != p.message_en
    dup = next(p for p in err.value.problems if p.code == "duplicate")
    assert "重复" in dup.message_zh and "first seen in row 2" in dup.message_en
    unit = next(p for p in err.value.problems if p.code == "unknown_unit")
    assert "万 furlongs" in unit.message_zh and "Unknown unit" in unit.message_en
    assert dump(demo_url) == before


def test_a_missing_required_column_is_named(demo_url: str) -> None:
    before = dump(demo_url)
    with pytest.raises(InputError) as err:
        run_import(demo_url, ents_csv(f"{A},甲（示例）,,true", head="credit_code,name_zh,name_en,x"))
    assert [(p.column, p.code, p.row) for p in err.value.problems] == [("city", "missing_column", 1)]
    assert "缺少必填列“city”" in err.value.message_zh
    assert "Required column 'city' is missing" in err.value.message_en
    assert dump(demo_url) == before


def test_a_credit_code_already_stored_is_refused(demo_url: str) -> None:
    run_import(demo_url, GOOD_ENTS)
    before = dump(demo_url)
    with pytest.raises(InputError) as err:
        run_import(demo_url, GOOD_ENTS)
    assert {(p.row, p.column, p.code) for p in err.value.problems} == {
        (2, "credit_code", "exists"),
        (3, "credit_code", "exists"),
    }
    assert dump(demo_url) == before


def test_a_city_user_imports_only_its_own_city(demo_url: str) -> None:
    city = Principal(username="city-hengyang", role=Role.CITY, user_id=2, city_code="430400")
    before = dump(demo_url)
    with pytest.raises(InputError) as err:
        run_import(demo_url, GOOD_ENTS, principal=city)
    assert [p.value for p in err.value.problems] == ["431300"]
    assert dump(demo_url) == before
    enterprise = Principal(username="e", role=Role.ENTERPRISE, user_id=5, enterprise_ids=frozenset({1}))
    with pytest.raises(PermissionDenied):
        run_import(demo_url, GOOD_ENTS, principal=enterprise)


def test_gb18030_csv_from_excel_is_read(demo_url: str) -> None:
    added = run_import(demo_url, GOOD_ENTS.decode("utf-8").encode("gb18030"))
    assert {e.name_zh for e in added} == {"甲铅锌冶炼有限公司（示例）", "乙锑业有限公司（示例）"}


def test_a_renamed_binary_is_a_clear_error(demo_url: str) -> None:
    with pytest.raises(InputError) as err:
        run_import(demo_url, b"PK\x03\x04 not really a zip", ents_name="register.xlsx")
    assert err.value.problems[0].code == "bad_file"
    assert "register.xlsx" in err.value.message_en


def test_a_control_character_is_a_located_error_not_a_store_failure(demo_url: str) -> None:
    # found by the property below on PostgreSQL: NUL cannot be stored in PG text
    bad = ents_csv(
        f"{A},甲\x00冶炼有限公司（示例）,A (demo),衡阳市,,Pb,是",
        f"{B},乙（示例）,B\x07,娄底,,Sb,true",
    )
    with pytest.raises(InputError) as err:
        run_import(demo_url, bad)
    found = {(p.code, p.row, p.column) for p in err.value.problems}
    assert found == {("control_character", 2, "name_zh"), ("control_character", 3, "name_en")}
    assert "NUL" in err.value.problems[0].message_en and "控制字符" in err.value.problems[0].message_zh


# --- properties ------------------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "衡阳", "430400", "shuikoushan", "Pb", "万t/a", "t", "-1", "1e3", "是", "否", "=1+1"]
    ),
)


#: The store's state after the last example that was rejected and proved to change nothing,
#: so that the next example need not dump the store again (``demo_url`` → dump). An example
#: takes it (so a failed example leaves nothing behind) and puts back what it verified.
_VERIFIED: dict[str, dict[str, list[tuple[Any, ...]]]] = {}


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(CELLS, min_size=7, max_size=7), min_size=1, max_size=4),
    codes_valid=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_any_register_imports_or_is_rejected_with_locations(
    demo_url: str, rows: list[list[str]], codes_valid: list[bool]
) -> None:
    lines = []
    for i, r in enumerate(rows):
        c = code("430400", f"{i:09d}") if codes_valid[i] else r[0]
        lines.append(
            ",".join(
                [
                    c,
                    *(
                        v.replace(",", " ").replace("\n", " ").replace("\r", " ").replace('"', "")
                        for v in r[1:]
                    ),
                ]
            )
        )
    before = _VERIFIED.pop(demo_url, None) or dump(demo_url)
    problems = None
    try:
        added = run_import(demo_url, ents_csv(*lines))
    except InputError as err:
        problems = err.problems
    if problems is not None:
        assert problems
        assert all(p.row is not None and p.column for p in problems)
        after = dump(demo_url)
        assert after == before
        _VERIFIED[demo_url] = after
    else:
        for e in added:
            assert credit_code_problem(e.credit_code) is None
        count = sa.select(sa.func.count()).select_from(Base.metadata.tables["enterprise"])
        with engine_for(demo_url).connect() as conn:
            n = conn.execute(count).scalar()
        assert n == len(before["enterprise"]) + len(added)


def test_malformed_csv_is_a_located_error(demo_url: str) -> None:
    bad = ENT_HEAD.encode() + b'\n"unterminated,quote\r\nx"y,1\rz,2'
    before = dump(demo_url)
    with pytest.raises(InputError) as err:
        run_import(demo_url, bad)
    assert err.value.problems[0].code in ("bad_file", "bad_credit_code", "required", "unknown_city")
    assert dump(demo_url) == before
