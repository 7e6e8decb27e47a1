"""Reading and validating a filled template or activity CSV: each check on its own, with
its code, location and zh/en message; the marked workbook."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

import pytest
from openpyxl import load_workbook

from carbonpeak.accounting.factors import load_factors
from carbonpeak.errors import InputError, Problem
from carbonpeak.io.intake import column_letter, mark_workbook, parse_year, read_submission, validate
from carbonpeak.io.template import SHEET_DATA, write_template
from tests.intake_support import GOOD_ROWS, fill, steady
from tests.io.test_template import _spec

F = load_factors()
LINES = ("L01", "L02", "L03")


@pytest.fixture(scope="module")
def template() -> bytes:
    return write_template(_spec())


def check(
    data: bytes, name: str = "f.xlsx", lines: Sequence[str] | None = LINES
) -> tuple[Any, list[Problem]]:
    raw = read_submission(data, name)
    v = validate(raw, F.items, F.aliases, lines)
    return v.values, v.problems


def one(template: bytes, row: tuple[str, str, str, Sequence[Any]]) -> list[Problem]:
    _values, problems = check(fill(template, [("L01", "烟煤", "t", steady(10.0)), row]))
    return problems


def test_a_good_workbook(template: bytes) -> None:
    values, problems = check(fill(template, GOOD_ROWS))
    assert problems == []
    assert len(values) == 72
    coal = values[(values["item"] == "bituminous_coal") & (values["line_code"] == "L01")]
    assert list(coal["period"]) == [f"2030-{m:02d}" for m in range(1, 13)]
    assert list(coal["col"]) == [column_letter(i) for i in range(3, 15)]
    gas = values[values["item"] == "natural_gas"].iloc[0]
    assert (gas["unit_in"], gas["unit"], gas["quantity"]) == ("万Nm3", "万Nm3", gas["quantity_in"])
    elec = values[values["item"] == "electricity_purchased"].iloc[0]
    assert elec["quantity"] == pytest.approx(elec["quantity_in"] * 10.0)  # 万kWh → MWh
    heat = values[values["item"] == "heat_purchased"]
    assert set(heat["line_code"]) == {""}


def test_untouched_prefilled_rows_are_not_reported(template: bytes) -> None:
    raw = read_submission(template, "t.xlsx")
    assert raw.credit_code == "91430400XU6TWF13XG" and raw.year_text == "2030"
    assert raw.cells.empty
    _v, problems = check(template)
    assert [p.code for p in problems] == ["intake_empty"]


@pytest.mark.parametrize(
    ("row", "code", "column", "value"),
    [
        (("L01", "铂金", "t", steady(1.0)), "intake_unknown_item", "B", "铂金"),
        (("L01", "天然气", "桶", steady(1.0)), "intake_unknown_unit", "C", "桶"),
        (("L01", "购入电力", "t", steady(1.0)), "intake_wrong_dimension", "C", "t"),
        (("L01", "天然气", "", steady(1.0)), "intake_required", "C", None),
        (("L01", "", "t", steady(1.0)), "intake_required", "B", None),
        (("L01", "天然气", "万Nm³", [-1.0, *steady(1.0)[1:]]), "intake_negative", "D", -1.0),
        (("L01", "天然气", "万Nm³", ["x1", *steady(1.0)[1:]]), "intake_not_a_number", "D", "x1"),
        (("L01", "天然气", "万Nm³", [True, *steady(1.0)[1:]]), "intake_not_a_number", "D", True),
        (("L01", "天然气", "万Nm³", [*steady(1.0)[:11], None]), "intake_month_missing", "O", None),
        (("L01", "天然气", "万Nm³", [*steady(1.0)[:11], "  "]), "intake_month_missing", "O", None),
        (("L01", "烟煤", "吨", steady(1.0)), "intake_duplicate_row", "B", "烟煤"),
        (("L07", "天然气", "万Nm³", steady(1.0)), "intake_unknown_line", "A", "L07"),
    ],
)
def test_each_check(
    template: bytes, row: tuple[str, str, str, Sequence[Any]], code: str, column: str, value: Any
) -> None:
    problems = one(template, row)
    assert [(p.code, p.row, p.column, p.sheet, p.file) for p in problems] == [
        (code, 4, column, SHEET_DATA, "f.xlsx")
    ]
    assert problems[0].value == value
    zh, en = problems[0].message_zh, problems[0].message_en
    assert zh and en and "{" not in zh + en


def test_numbers_as_text_and_item_spellings(template: bytes) -> None:
    rows = [
        ("l01", "Natural gas", "万立方米", ["1,234.5", " 12 ", *steady(5.0)[2:]]),
        ("L02", "bituminous_coal", "吨", steady(2.0)),
        ("L03", "管道天然气", "Nm3", steady(10000.0)),
    ]
    values, problems = check(fill(template, rows))
    assert problems == []
    first = values.iloc[0]
    assert first["line_code"] == "L01" and first["item"] == "natural_gas"
    assert first["quantity_in"] == 1234.5 and first["quantity"] == pytest.approx(1234.5)
    l03 = values[values["line_code"] == "L03"]
    assert l03["quantity"].iloc[0] == pytest.approx(steady(10000.0)[0] / 1e4)  # Nm³ → 万Nm³


def test_info_and_structure(template: bytes) -> None:
    _v, problems = check(fill(template, GOOD_ROWS, info={"填报年份": "明年"}))
    assert [(p.code, p.sheet, p.row, p.column, p.value) for p in problems] == [
        ("intake_bad_year", "信息 Info", 4, "C", "明年")
    ]
    assert parse_year("2030.0") == 2030 and parse_year("2030年") == 2030 and parse_year("1899") is None
    wb = load_workbook(io.BytesIO(fill(template, GOOD_ROWS)))
    wb[SHEET_DATA]["F1"].value = None
    wb[SHEET_DATA]["F2"].value = None
    buf = io.BytesIO()
    wb.save(buf)
    values, problems = check(buf.getvalue())
    assert [(p.code, p.row, p.column) for p in problems] == [("intake_missing_column", 1, "F")]
    assert "3月" in problems[0].message_zh and "Mar" in problems[0].message_en
    assert "2030-03" not in set(values["period"]) and len(values) == 66  # March is not read


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    return buf.getvalue()


def _other_workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.create_sheet("信息 Info")
    wb.create_sheet("数据 Data")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: b"not a zip at all", "bad_file"),
        (lambda: b"PK\x03\x04 broken", "bad_file"),
        (_bomb, "bad_file"),
        (_other_workbook, "intake_not_template"),
    ],
)
def test_files_that_are_not_templates(make: Any, code: str) -> None:
    with pytest.raises(InputError) as err:
        read_submission(make(), "x.xlsx")
    assert [p.code for p in err.value.problems] == [code]
    assert err.value.problems[0].file == "x.xlsx"


CODE = "91430400XU6TWF13XG"


def _csv(rows: list[str]) -> bytes:
    return ("enterprise,period,item,quantity,unit,line\n" + "\n".join(rows) + "\n").encode()


def test_csv_alternative() -> None:
    good = [f"{CODE},2030-{m:02d},烟煤,{100 + m},t,L01" for m in range(1, 13)]
    values, problems = check(_csv(good), "a.csv")
    assert problems == [] and len(values) == 12
    assert list(values["col"].unique()) == ["D"] and list(values["row"]) == list(range(2, 14))
    raw = read_submission(_csv(good), "a.csv")
    assert (raw.credit_code, raw.year_text, raw.kind) == (CODE, "2030", "csv")
    # a month missing, a second year, a bad period, a duplicate, a negative
    bad = [
        *good[:11],
        f"{CODE},2031-01,烟煤,1,t,L02",
        f"{CODE},2030-13,烟煤,1,t,L01",
        f"{CODE},2030-01,烟煤,1,t,L01",
        f"{CODE},2030-02,天然气,-1,万Nm3,L01",
    ]
    _v, problems = check(_csv(bad), "b.csv")
    got = {(p.code, p.row, p.column) for p in problems}
    assert ("intake_bad_period", 14, "B") in got
    assert ("intake_csv_mixed", 13, "B") in got
    assert ("intake_duplicate_row", 15, "C") in got
    assert ("intake_negative", 16, "D") in got
    assert ("intake_month_missing", 2, "B") in got  # December of L01 coal, at the group's first row
    other = [*good[:1], "91431300PF5LKFBQ3D,2030-02,烟煤,1,t,L01"]
    _v, problems = check(_csv(other), "c.csv")
    assert ("intake_csv_mixed", 3, "A") in {(p.code, p.row, p.column) for p in problems}


def test_mark_workbook(template: bytes) -> None:
    data = fill(template, [("L01", "烟煤", "t", [-1.0, *steady(1.0)[1:]]), ("L01", "铂", "t", steady(1.0))])
    _v, problems = check(data)
    marked = load_workbook(io.BytesIO(mark_workbook(data, "f.xlsx", problems)))
    assert marked.sheetnames[0] == "问题 Problems"
    ws = marked[SHEET_DATA]
    assert ws["D3"].fill.fgColor.rgb.endswith("FF9999") and ws["B4"].fill.fgColor.rgb.endswith("FF9999")
    assert ws["E3"].comment is None
    assert "负" in ws["D3"].comment.text and "negative" in ws["D3"].comment.text
    assert ws.protection.sheet  # protection kept
    listed = [[c.value for c in r] for r in marked["问题 Problems"].iter_rows(min_row=2)]
    assert [(r[2], r[3], r[5]) for r in listed] == [
        (3, "D", "intake_negative"),
        (4, "B", "intake_unknown_item"),
    ]
    with pytest.raises(InputError):
        mark_workbook(b"a,b\n", "x.csv", problems)
