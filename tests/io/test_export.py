"""Exports are safe from spreadsheet formula injection; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from carbonpeak.errors import InputError
from carbonpeak.io.export import neutralise, write_table

COLS = (("text", "文本", "Text"), ("number", "数值", "Number"))
EVIL = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("text", [EVIL, "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "=1+1"])
def test_formula_like_text_is_quoted(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["L01", "烟煤", "", "1=1", "a-b"])
def test_plain_text_is_unchanged(value: str) -> None:
    assert neutralise(value) == value


def test_numbers_stay_numbers() -> None:
    assert neutralise(-5.0) == -5.0 and neutralise(3) == 3
    assert neutralise(float("nan")) == "" and neutralise(None) == ""
    assert neutralise(True) == "true"


def test_xlsx_hyperlink_reads_back_as_text() -> None:
    data, media = write_table(COLS, [(EVIL, -1.5), ("ok", 2)], "xlsx", meta=[("note", EVIL)])
    assert media.startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["数据 Data"]
    cell = ws["A2"]
    assert isinstance(cell.value, str) and cell.data_type != "f" and cell.value.startswith("'")
    assert cell.value == "'" + EVIL
    assert ws["B2"].value == -1.5 and ws["B2"].data_type == "n"
    assert ws["A3"].value == "ok" and ws["B3"].value == 2
    about = wb["说明 About"]
    meta_cell = next(c for r in about.iter_rows() for c in r if c.value == "note")
    neighbour = about.cell(meta_cell.row, meta_cell.column + 1)
    assert neighbour.data_type != "f" and neighbour.value == "'" + EVIL
    # not even the data-only view finds a formula anywhere
    for w in wb.worksheets:
        for row in w.iter_rows():
            for c in row:
                assert c.data_type != "f", (w.title, c.coordinate)


def test_csv_is_quoted_and_exact() -> None:
    x = 0.1 + 0.2
    data, media = write_table(COLS, [(EVIL, x), ("-3", -3.0)], "csv")
    assert media.startswith("text/csv") and data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["text", "number"]
    assert rows[1] == ["'" + EVIL, repr(x)] and float(rows[1][1]) == x
    assert rows[2] == ["'-3", "-3.0"]


def test_unknown_format() -> None:
    with pytest.raises(InputError) as err:
        write_table(COLS, [], "pdf")
    assert err.value.problems[0].code == "intake_bad_format"
