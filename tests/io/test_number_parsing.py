"""``1,5`` is never 15 (issue 13): a figure typed as text may hold a thousands separator only in
groups of three (1,234,567); anything else (``1,5``, ``12,34``, a European decimal comma) is a
located, bilingual error in every reader — the reporting template (xlsx) and its CSV, the
activity files, the enterprise register, the IAMC driver paths."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.accounting.factors import load_factors
from carbonpeak.errors import InputError, Problem
from carbonpeak.io.activity import ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL, parse_activity
from carbonpeak.io.intake import read_submission, validate
from carbonpeak.io.numbers import number_text, parse_numbers
from carbonpeak.io.register import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_OPTIONAL,
    LINE_COLUMNS,
    LINE_OPTIONAL,
    parse_register,
)
from carbonpeak.io.tabular import read_rows
from carbonpeak.io.template import write_template
from tests.intake_support import fill, steady
from tests.io.test_template import _spec

F = load_factors()
CODE = "91430400XU6TWF13XG"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234,567", 1_234_567.0),
        ("1,234.5", 1234.5),
        ("-12,000", -12_000.0),
        ("+1,000.", 1000.0),
        ("1 234 567", 1_234_567.0),
        ("12\u00a0000", 12_000.0),  # a no-break space
        ("12\u2009000", 12_000.0),  # a thin space
        ("１，２３４", 1234.0),  # full-width digits and comma
        ("  42 ", 42.0),
        ("1.5", 1.5),
        ("1e3", 1000.0),
    ],
)
def test_thousands_separators_in_groups_of_three(text: str, value: float) -> None:
    cleaned = number_text(text)
    assert cleaned is not None and float(cleaned) == value


@pytest.mark.parametrize(
    "text", ["1,5", "0,5", "12,34", "1,2345", "1.234,5", "1 5", "1,234 567", "1,234,", "1_5", "1_000"]
)
def test_anything_else_is_a_bad_separator(text: str) -> None:
    assert number_text(text) is None
    values, bad = parse_numbers([text])
    assert bool(bad[0]) and math.isnan(values[0])


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_a_number_written_with_separators_reads_back(n: int) -> None:
    for shown in (f"{n:,}", f"{n:,}".replace(",", " "), f"{n:,}.25"):
        cleaned = number_text(shown)
        assert cleaned is not None
        assert float(cleaned) == float(n) + (0.25 if n >= 0 else -0.25) * shown.endswith(".25")


@given(st.integers(0, 999), st.integers(0, 10**6).filter(lambda d: len(str(d)) != 3))
def test_a_decimal_comma_is_never_a_number(whole: int, decimals: int) -> None:
    assert number_text(f"{whole},{decimals}") is None


# --- the readers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> bytes:
    return write_template(_spec())


def _template_problems(template: bytes, months: Sequence[Any]) -> tuple[Any, list[Problem]]:
    raw = read_submission(fill(template, [("L01", "天然气", "万Nm³", months)]), "f.xlsx")
    v = validate(raw, F.items, F.aliases, ("L01", "L02", "L03"))
    return v.values, v.problems


def test_the_template_refuses_a_decimal_comma_at_its_cell(template: bytes) -> None:
    values, problems = _template_problems(template, ["1,5", "12,34", *steady(1.0)[2:]])
    got = [(p.code, p.sheet, p.row, p.column, p.value) for p in problems]
    assert got == [
        ("intake_bad_separator", "数据 Data", 3, "D", "1,5"),
        ("intake_bad_separator", "数据 Data", 3, "E", "12,34"),
    ]
    p = problems[0]
    assert "1,5" in p.message_zh and "千位分隔符" in p.message_zh and "1月" in p.message_zh
    assert "1,5" in p.message_en and "thousands separator" in p.message_en
    assert values.empty or "1,5" not in set(values.get("quantity_in", []))


def test_the_template_reads_thousands_groups(template: bytes) -> None:
    values, problems = _template_problems(template, ["1,234.5", "12 000", *steady(1.0)[2:]])
    assert problems == []
    got = values.sort_values("period")["quantity_in"].tolist()
    assert got[:2] == [1234.5, 12_000.0]


def test_the_template_csv_refuses_a_decimal_comma() -> None:
    rows = [f'{CODE},2030-{m:02d},烟煤,"{"1,5" if m == 3 else 100 + m}",t,L01' for m in range(1, 13)]
    data = ("enterprise,period,item,quantity,unit,line\n" + "\n".join(rows) + "\n").encode()
    v = validate(read_submission(data, "a.csv"), F.items, F.aliases, ("L01",))
    assert [(p.code, p.row, p.column, p.value) for p in v.problems] == [
        ("intake_bad_separator", 4, "D", "1,5")
    ]


def _activity(quantity: str) -> Any:
    text = f'enterprise,period,item,quantity,unit\n{CODE},2024,烟煤,"{quantity}",t\n'
    t = read_rows(text.encode(), "a.csv", ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
    return parse_activity(t, F.items, F.aliases)


def test_the_activity_file_refuses_a_decimal_comma() -> None:
    assert float(_activity("12,000")["quantity"].iloc[0]) == 12_000.0
    with pytest.raises(InputError) as exc:
        _activity("1,5")
    [p] = exc.value.problems
    assert (p.code, p.row, p.column, p.value) == ("bad_thousands_separator", 2, "quantity", "1,5")
    assert "千位分隔符" in p.message_zh and "thousands separator" in p.message_en


def _register(capacity: str) -> Any:
    ents = f"credit_code,name_zh,city,metals\n{CODE},测试（示例）,430400,Pb\n"
    lines = (
        "enterprise,line_code,name_zh,metal,route,capacity,capacity_unit\n"
        f'{CODE},L01,铅线,Pb,pb_bottom_blown,"{capacity}",t/a\n'
    )
    return parse_register(
        read_rows(ents.encode(), "e.csv", ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL),
        read_rows(lines.encode(), "l.csv", LINE_COLUMNS, LINE_OPTIONAL),
    )


def test_the_register_refuses_a_decimal_comma() -> None:
    [ent] = _register("12,000")
    assert ent.lines[0].capacity_t_per_a == 12_000.0
    with pytest.raises(InputError) as exc:
        _register("1,5")
    [p] = exc.value.problems
    assert (p.code, p.row, p.column, p.value) == ("bad_thousands_separator", 2, "capacity", "1,5")


def test_a_measured_parameter_refuses_a_decimal_comma() -> None:
    """A measured NCV typed ``26,5`` (GJ/t) is not 265: refused at its cell."""

    def parse(ncv: str) -> Any:
        text = f'enterprise,period,item,quantity,unit,ncv,ncv_unit\n{CODE},2024,烟煤,100,t,"{ncv}",GJ/t\n'
        t = read_rows(text.encode(), "a.csv", ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
        return parse_activity(t, F.items, F.aliases)

    assert float(parse("26.5")["ncv_gj"].iloc[0]) == pytest.approx(26.5)
    with pytest.raises(InputError) as exc:
        parse("26,5")
    assert [(p.row, p.column, p.value) for p in exc.value.problems] == [(2, "ncv", "26,5")]


def test_the_meter_register_refuses_a_decimal_comma() -> None:
    """A CT/PT multiplier typed ``1,5`` is not 15."""
    from carbonpeak.io.meters import parse_meter_register, read_meter_table

    def parse(multiplier: str) -> Any:
        text = (
            "enterprise,site,workshop,process,meter_code,name_zh,carrier,unit,kind,gb17167_level,multiplier\n"
            f'{CODE},厂区,,,M-1,总表,购入电力,万kWh,累计,进出用能单位,"{multiplier}"\n'
        )
        return parse_meter_register(read_meter_table(text.encode(), "meters.csv"))

    [spec] = parse("1,200")
    assert spec.multiplier == 1200.0
    with pytest.raises(InputError) as exc:
        parse("1,5")
    assert [(p.code, p.row, p.column, p.value) for p in exc.value.problems] == [
        ("not_a_number", 2, "multiplier", "1,5")
    ]
