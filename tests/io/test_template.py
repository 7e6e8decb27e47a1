"""The reporting template: sheets, bilingual headers, drop-downs, protection, units."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from carbonpeak import refdata, units
from carbonpeak.accounting.factors import load_factors
from carbonpeak.io.template import (
    COLUMNS,
    FIRST_DATA_ROW,
    SHEET_DATA,
    SHEET_HELP,
    SHEET_INFO,
    SHEET_LISTS,
    TEMPLATE_VERSION,
    UNIT_CHOICES,
    TemplateLine,
    TemplateSpec,
    dimension_key,
    route_items,
    write_template,
)


def _spec(is_demo: bool = True, lang: str = "zh") -> TemplateSpec:
    f = load_factors()
    items = {
        str(r["id"]): (str(r["name_en"] if lang == "en" else r["name_zh"]), str(r["canonical_unit"]))
        for r in refdata.load_table("accounting/items")
        if r["id"] in f.items.index
    }
    return TemplateSpec(
        credit_code="91430400XU6TWF13XG",
        name="测试冶炼有限公司（示例）",
        year=2030,
        method="other_nonferrous_2015",
        method_name="其他有色金属冶炼和压延加工业企业温室气体排放核算方法与报告指南（试行）",
        lines=(
            TemplateLine("L01", "底吹炼铅", route_items("pb_bottom_blown", "primary")),
            TemplateLine("L02", "再生铝", route_items("al_secondary", "secondary")),
        ),
        items=items,
        is_demo=is_demo,
        lang=lang,
    )


@pytest.fixture(scope="module")
def wb():  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(write_template(_spec())))


def test_sheets_and_info(wb) -> None:  # type: ignore[no-untyped-def]
    assert wb.sheetnames == [SHEET_HELP, SHEET_DATA, SHEET_INFO, SHEET_LISTS]
    assert wb.active.title == SHEET_DATA
    assert wb[SHEET_LISTS].sheet_state == "hidden"
    info = {r[0].value: r[2].value for r in wb[SHEET_INFO].iter_rows(min_row=2)}
    assert info["统一社会信用代码"] == "91430400XU6TWF13XG"
    assert info["填报年份"] == 2030
    assert info["核算方法"] == "other_nonferrous_2015"
    assert info["模板版本"] == TEMPLATE_VERSION
    for name in (SHEET_INFO, SHEET_DATA, SHEET_HELP, SHEET_LISTS):
        assert wb[name].protection.sheet, name
    help_text = " ".join(str(c.value) for row in wb[SHEET_HELP].iter_rows() for c in row if c.value)
    assert "合成数据" in help_text and "synthetic" in help_text
    assert "3 倍" in help_text and "3×" in help_text


def test_headers_zh_over_en(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb[SHEET_DATA]
    zh = [c.value for c in ws[1]]
    en = [c.value for c in ws[2]]
    assert zh[:4] == ["生产线代码", "项目", "单位", "1月"] and zh[14] == "12月" and zh[15] == "全年合计"
    assert en[:4] == ["Line code", "Item", "Unit", "Jan"] and en[14] == "Dec" and en[16] == "Notes"
    assert len(zh) == len(COLUMNS)
    assert ws.freeze_panes == "D3"
    assert ws.column_dimensions["B"].width == 26
    assert ws.column_dimensions["R"].hidden


def test_prefilled_rows_by_route_and_protection(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb[SHEET_DATA]
    rows = [(r[0].value, r[1].value, r[2].value) for r in ws.iter_rows(min_row=FIRST_DATA_ROW) if r[1].value]
    assert rows[0] == ("L01", "烟煤", "t")
    assert ("L01", "购入电力", "MWh") in rows and ("L01", "天然气", "万Nm³") in rows
    assert ("L02", "焦炭（还原剂）", "t") in rows and ("L02", "产品产量", "t") in rows
    assert ("L02", "烟煤", "t") not in rows  # secondary lines burn no coal by default
    last = ws.max_row
    assert last == FIRST_DATA_ROW + len(rows) + 30 - 1  # thirty blank rows for more
    r = FIRST_DATA_ROW
    for col in "ABCDOQ":
        assert ws[f"{col}{r}"].protection.locked is False, col
    total = ws[f"P{r}"]
    assert total.protection.locked is not False
    assert total.value == f'=IF(COUNT(D{r}:O{r})=0,"",SUM(D{r}:O{r}))'


def test_drop_downs(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb[SHEET_DATA]
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    last = ws.max_row
    assert dvs[f"B3:B{last}"].formula1 == "items_list"
    assert dvs[f"A3:A{last}"].type == "list"
    assert dvs[f"C3:C{last}"].formula1 == 'INDIRECT("units_"&$R3)'
    assert dvs[f"D3:O{last}"].type == "decimal" and dvs[f"D3:O{last}"].formula1 == "0"
    names = set(wb.defined_names)
    assert {"items_list", "units_all", *(f"units_{k}" for k in UNIT_CHOICES)} <= names
    lists = wb[SHEET_LISTS]
    listed = {r[0].value: r[1].value for r in lists.iter_rows(min_row=2, max_col=2) if r[0].value}
    assert listed["烟煤"] == "mass" and listed["购入电力"] == "energy" and listed["天然气"] == "volume"
    assert listed["工业增加值"] == "money"


def test_every_offered_unit_parses_and_fits_its_dimension() -> None:
    for key, choices in UNIT_CHOICES.items():
        for u in choices:
            units.parse_unit(u, expected=choices[0])
            assert dimension_key(u) == key
    f = load_factors()
    for canon in set(f.items["canonical_unit"]):
        key = dimension_key(str(canon))
        assert key is not None, canon
        units.parse_unit(UNIT_CHOICES[key][0], expected=str(canon))


def test_english_template_and_non_demo() -> None:
    wb = load_workbook(io.BytesIO(write_template(_spec(is_demo=False, lang="en"))))
    ws = wb[SHEET_DATA]
    assert ws["B3"].value == "Bituminous coal"
    help_text = " ".join(str(c.value) for row in wb[SHEET_HELP].iter_rows() for c in row if c.value)
    assert "synthetic" not in help_text
