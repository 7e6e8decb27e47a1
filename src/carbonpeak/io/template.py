"""The activity-data reporting template: one xlsx workbook per enterprise and year.

Layout (the reader, :mod:`carbonpeak.io.intake`, relies on it; ``docs/intake.md``):

======================== ===================================================================
sheet                    content
======================== ===================================================================
``说明 Instructions``    how to fill it, units, what the import checks (zh and en)
``信息 Info``            credit code, enterprise, year, accounting method (protected)
``数据 Data``            row 1 Chinese headers, row 2 English; from row 3 one row per line ×
                         item: line code, item, unit, Jan … Dec, annual total (a protected
                         formula), notes; after a hidden helper column the optional
                         measured parameters (实测值) of the row: NCV and unit, carbon
                         content and unit, oxidation rate
``列表 Lists``           hidden: items, line codes and the units of each dimension, the
                         sources of the drop-down lists
======================== ===================================================================

Items and line codes are drop-downs; the unit of a row is a drop-down of the units of
its item's dimension (``INDIRECT`` of a named range picked by a hidden helper column), so
a mass item offers t / 万t / kg and electricity kWh / 万kWh / MWh / GJ / tce. The sheets
are protected with only the input cells unlocked (no password: protection guards
against slips, not against the user).

Text that comes from users (the enterprise name, line codes) is written as text even when
it looks like a formula (``=HYPERLINK(…)``): string cell type with Excel's quote prefix, so
the official who opens the workbook never runs it, and the reader gets the text back as
entered (:func:`literal`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from carbonpeak import catalogue, units
from carbonpeak.io.export import FORMULA_TRIGGERS

__all__ = [
    "COLUMNS",
    "FIRST_DATA_ROW",
    "INFO_FIELDS",
    "MEASURED_KEYS",
    "MEASURED_UNIT_CHOICES",
    "MONTH_KEYS",
    "SHEET_DATA",
    "SHEET_HELP",
    "SHEET_INFO",
    "SHEET_LISTS",
    "TEMPLATE_VERSION",
    "UNIT_CHOICES",
    "Column",
    "TemplateLine",
    "TemplateSpec",
    "dimension_key",
    "literal",
    "route_items",
    "write_template",
]

TEMPLATE_VERSION = "carbonpeak-intake-1"
SHEET_HELP = "说明 Instructions"
SHEET_INFO = "信息 Info"
SHEET_DATA = "数据 Data"
SHEET_LISTS = "列表 Lists"
FIRST_DATA_ROW = 3
BLANK_ROWS = 30

MONTH_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_KEYS = tuple(f"m{m:02d}" for m in range(1, 13))


@dataclass(frozen=True)
class Column:
    """One column of the data sheet: key, Chinese and English header, width."""

    key: str
    zh: str
    en: str
    width: float


COLUMNS: tuple[Column, ...] = (
    Column("line", "生产线代码", "Line code", 12),
    Column("item", "项目", "Item", 26),
    Column("unit", "单位", "Unit", 10),
    *(Column(k, f"{m}月", MONTH_EN[m - 1], 11) for m, k in enumerate(MONTH_KEYS, start=1)),
    Column("total", "全年合计", "Annual total", 13),
    Column("notes", "备注", "Notes", 24),
    Column("dim", "量纲（辅助）", "Dimension (helper)", 6),
    # measured parameters of the row (实测值, optional; blank: the method's default), read as
    # the activity files' columns of the same keys (carbonpeak.io.activity, docs/formats.md)
    Column("ncv", "实测低位发热量", "Measured NCV", 13),
    Column("ncv_unit", "低位发热量单位", "NCV unit", 12),
    Column("carbon_content", "实测单位热值含碳量", "Measured carbon content", 15),
    Column("carbon_content_unit", "含碳量单位", "Carbon content unit", 12),
    Column("oxidation", "实测碳氧化率", "Measured oxidation rate", 13),
)
#: The optional measured-parameter columns (keys of :data:`COLUMNS`).
MEASURED_KEYS = ("ncv", "ncv_unit", "carbon_content", "carbon_content_unit", "oxidation")
#: Units offered in the measured parameters' unit columns (others that parse are accepted).
MEASURED_UNIT_CHOICES: dict[str, tuple[str, ...]] = {
    "ncv_unit": ("GJ/t", "GJ/万Nm³", "MJ/kg", "kJ/kg"),
    "carbon_content_unit": ("tC/TJ", "kgC/GJ", "tC/t"),
}

#: Info sheet: key -> (Chinese label, English label); value in column C, in this order.
#: From catalogue/template_info.toml (key -> zh, en); new entries go there.
INFO_FIELDS: dict[str, tuple[str, str]] = catalogue.pairs("template_info")

#: Units offered per dimension (first = the one shown as an example in messages).
UNIT_CHOICES: dict[str, tuple[str, ...]] = {
    "mass": ("t", "万t", "kg"),
    "volume": ("万Nm³", "Nm³", "万m³", "m³"),
    "energy": ("MWh", "kWh", "万kWh", "GJ", "TJ", "tce"),
    "money": ("万元", "元"),
    "time": ("min",),
    # the potline parameters (accounting-items.md, al_parameter): fractions and t C/t Al, mV
    "ratio": ("%", "t/t", "kg/t"),
    "voltage": ("mV",),
}

#: Items a line of each route kind typically reports (besides the route's own).
_KIND_ITEMS: dict[str, tuple[str, ...]] = {
    "primary": ("bituminous_coal", "natural_gas", "diesel", "reductant_coke", "electricity_purchased"),
    "secondary": ("natural_gas", "diesel", "reductant_coke", "electricity_purchased"),
    "processing": ("natural_gas", "diesel", "electricity_purchased"),
}
#: Route-specific items (process inputs that define the route), added first.
_ROUTE_ITEMS: dict[str, tuple[str, ...]] = {
    # with the potline parameters the 2013 电解铝 guideline lets a smelter measure (实测值; blank:
    # the default) and the anode-effect data of the PFC slope and overvoltage methods
    "al_electrolysis": (
        "primary_aluminium",
        "electricity_purchased",
        "natural_gas",
        "diesel",
        "net_anode_consumption",
        "anode_sulfur",
        "anode_ash",
        "anode_effect_minutes",
        "anode_effect_overvoltage",
        "current_efficiency",
    ),
    "re_separation": ("oxalic_acid", "natural_gas", "electricity_purchased"),
    "w_apt": ("soda_ash", "bituminous_coal", "natural_gas", "electricity_purchased"),
    "pb_sinter_blast": ("bituminous_coal", "reductant_coke", "limestone", "diesel", "electricity_purchased"),
    "zn_isp": ("bituminous_coal", "reductant_coke", "limestone", "diesel", "electricity_purchased"),
    "sn_smelting": ("bituminous_coal", "reductant_anthracite", "electricity_purchased"),
}


def route_items(route: str, kind: str) -> tuple[str, ...]:
    """The items pre-filled for a line of *route* (of route kind *kind*), output last."""
    base = _ROUTE_ITEMS.get(route, _KIND_ITEMS.get(kind, _KIND_ITEMS["processing"]))
    return (*dict.fromkeys(base), "product_output")


@lru_cache(maxsize=64)
def dimension_key(unit: str) -> str | None:
    """The :data:`UNIT_CHOICES` key of *unit*'s dimension (None if none fits)."""
    for key, choices in UNIT_CHOICES.items():
        if units.same_dimension(unit, choices[0]):
            return key
    return None


@dataclass(frozen=True)
class TemplateLine:
    code: str
    name: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class TemplateSpec:
    """Everything the workbook shows: the enterprise, year, method, lines and item list."""

    credit_code: str
    name: str
    year: int
    method: str
    method_name: str
    lines: tuple[TemplateLine, ...]
    #: item id -> (display name in the chosen language, canonical unit)
    items: Mapping[str, tuple[str, str]]
    is_demo: bool = False
    lang: str = "zh"


def _instructions(spec: TemplateSpec) -> list[tuple[str, str]]:
    """The instructions sheet's rows (zh, en), from catalogue/template_instructions.toml."""

    def row(key: str, **values: Any) -> tuple[str, str]:
        return catalogue.pair(f"template_instructions.{key}", **values)

    units_zh = "；".join(f"{k}：{'、'.join(v)}" for k, v in UNIT_CHOICES.items())
    units_en = "; ".join(f"{k}: {', '.join(v)}" for k, v in UNIT_CHOICES.items())
    blank = ("", "")
    rows = [
        row("title"),
        row("enterprise", name=spec.name, credit_code=spec.credit_code, year=spec.year),
        blank,
        row("how"),
        *(row(f"step{n}") for n in range(1, 5)),
        row("step5", units_zh=units_zh, units_en=units_en),
        row("step6"),
        blank,
        row("checks"),
        row("errors"),
        row("plausibility"),
        row("versions"),
    ]
    if spec.is_demo:
        rows.insert(2, row("demo"))
    return rows


def literal(cell: Any) -> Any:
    """Keep *cell*'s text inert: formula-looking text is stored as a string with Excel's
    quote prefix (shown and re-read as typed, never evaluated). Returns the cell."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_template(spec: TemplateSpec) -> bytes:
    """The reporting workbook for *spec*, as xlsx bytes."""
    from openpyxl import Workbook  # noqa: PLC0415 — heavy import only when needed
    from openpyxl.comments import Comment  # noqa: PLC0415
    from openpyxl.styles import Alignment, Font, PatternFill, Protection  # noqa: PLC0415
    from openpyxl.utils import get_column_letter, quote_sheetname  # noqa: PLC0415
    from openpyxl.workbook.defined_name import DefinedName  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    input_fill = PatternFill("solid", fgColor="FFFFF2")
    unlocked = Protection(locked=False)

    # --- instructions -------------------------------------------------------------------
    ws_help = wb.active
    assert ws_help is not None  # noqa: S101 — a new workbook has one sheet
    ws_help.title = SHEET_HELP
    for r, (zh, en) in enumerate(_instructions(spec), start=1):
        literal(ws_help.cell(r, 1, zh)).alignment = Alignment(wrap_text=True, vertical="top")
        literal(ws_help.cell(r, 2, en)).alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1 or zh in ("如何填写", "导入时的检查"):
            ws_help.cell(r, 1).font = ws_help.cell(r, 2).font = bold
    ws_help.column_dimensions["A"].width = 70
    ws_help.column_dimensions["B"].width = 70
    ws_help.protection.sheet = True

    # --- info ---------------------------------------------------------------------------
    ws_info = wb.create_sheet(SHEET_INFO)
    ws_info.append(["项目", "Field", "内容 Value"])
    values = {
        "credit_code": spec.credit_code,
        "name": spec.name,
        "year": spec.year,
        "method": spec.method,
        "method_name": spec.method_name,
        "template": TEMPLATE_VERSION,
    }
    for key, (zh, en) in INFO_FIELDS.items():
        ws_info.append([zh, en, values[key]])
        literal(ws_info.cell(ws_info.max_row, 3))
    for c in ws_info[1]:
        c.font, c.fill = bold, head_fill
    ws_info.column_dimensions["A"].width = 18
    ws_info.column_dimensions["B"].width = 18
    ws_info.column_dimensions["C"].width = 60
    ws_info.protection.sheet = True

    # --- lists (hidden) -------------------------------------------------------------------
    ws_list = wb.create_sheet(SHEET_LISTS)
    item_ids = list(spec.items)
    ws_list.cell(1, 1, "项目 Item")
    ws_list.cell(1, 2, "量纲 Dimension")
    ws_list.cell(1, 3, "代码 Id")
    for r, iid in enumerate(item_ids, start=2):
        ws_list.cell(r, 1, spec.items[iid][0])
        ws_list.cell(r, 2, dimension_key(spec.items[iid][1]) or "")
        ws_list.cell(r, 3, iid)
    n_items = len(item_ids) + 1
    ws_list.cell(1, 4, "生产线 Line")
    for r, ln in enumerate(spec.lines, start=2):
        literal(ws_list.cell(r, 4, ln.code))
    sheet_ref = quote_sheetname(SHEET_LISTS)
    wb.defined_names["items_list"] = DefinedName("items_list", attr_text=f"{sheet_ref}!$A$2:$A${n_items}")
    for j, (key, choices) in enumerate(UNIT_CHOICES.items(), start=5):
        col = get_column_letter(j)
        ws_list.cell(1, j, key)
        for r, u in enumerate(choices, start=2):
            ws_list.cell(r, j, u)
        ref = f"{sheet_ref}!${col}$2:${col}${len(choices) + 1}"
        wb.defined_names[f"units_{key}"] = DefinedName(f"units_{key}", attr_text=ref)
    all_col = get_column_letter(5 + len(UNIT_CHOICES))
    all_units = [u for c in UNIT_CHOICES.values() for u in c]
    ws_list.cell(1, 5 + len(UNIT_CHOICES), "all")
    for r, u in enumerate(all_units, start=2):
        ws_list.cell(r, 5 + len(UNIT_CHOICES), u)
    wb.defined_names["units_all"] = DefinedName(
        "units_all", attr_text=f"{sheet_ref}!${all_col}$2:${all_col}${len(all_units) + 1}"
    )
    ws_list.sheet_state = "hidden"
    ws_list.protection.sheet = True

    # --- data -----------------------------------------------------------------------------
    ws = wb.create_sheet(SHEET_DATA, 1)
    letters = {c.key: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    for i, c in enumerate(COLUMNS, start=1):
        for r, text in ((1, c.zh), (2, c.en)):
            cell = ws.cell(r, i, text)
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.column_dimensions[letters["dim"]].hidden = True
    ws.cell(1, COLUMNS.index(next(c for c in COLUMNS if c.key == "unit")) + 1).comment = Comment(
        "单位须与项目量纲一致 / the unit must fit the item's dimension", "carbonpeak"
    )
    rows: list[tuple[str, str, str]] = []
    for ln in spec.lines:
        for iid in ln.items:
            if iid in spec.items:
                canon = spec.items[iid][1]
                dk = dimension_key(canon)
                rows.append((ln.code, spec.items[iid][0], UNIT_CHOICES[dk][0] if dk else canon))
    rows.extend([("", "", "")] * BLANK_ROWS)
    last = FIRST_DATA_ROW + len(rows) - 1
    m1, m12 = letters["m01"], letters["m12"]
    item_l, unit_l, dim_l = letters["item"], letters["unit"], letters["dim"]
    for r, (line, item, unit) in enumerate(rows, start=FIRST_DATA_ROW):
        ws[f"{letters['line']}{r}"] = line or None
        literal(ws[f"{letters['line']}{r}"])
        ws[f"{item_l}{r}"] = item or None
        ws[f"{unit_l}{r}"] = unit or None
        ws[f"{letters['total']}{r}"] = f'=IF(COUNT({m1}{r}:{m12}{r})=0,"",SUM({m1}{r}:{m12}{r}))'
        ws[f"{dim_l}{r}"] = (
            f'=IF({item_l}{r}="","all",IFERROR(VLOOKUP({item_l}{r},{sheet_ref}!$A$2:$B${n_items},2,FALSE),"all"))'
        )
        for key in ("line", "item", "unit", *MONTH_KEYS, "notes", *MEASURED_KEYS):
            cell = ws[f"{letters[key]}{r}"]
            cell.protection = unlocked
            cell.fill = input_fill
            if key in MONTH_KEYS:
                cell.number_format = "#,##0.####"
        ws[f"{letters['total']}{r}"].number_format = "#,##0.####"
    dv_item = DataValidation(type="list", formula1="items_list", allow_blank=True, showErrorMessage=True)
    dv_item.error = "请从列表选择项目 / choose an item from the list"
    dv_item.add(f"{item_l}{FIRST_DATA_ROW}:{item_l}{last}")
    line_codes = [ln.code for ln in spec.lines]
    dv_line = DataValidation(
        type="list",
        formula1=f"{sheet_ref}!$D$2:$D${max(len(line_codes), 1) + 1}",
        allow_blank=True,
        showErrorMessage=True,
    )
    dv_line.error = "请选择本企业登记的生产线代码，企业层面数据留空 / a registered line code, or blank"
    dv_line.add(f"{letters['line']}{FIRST_DATA_ROW}:{letters['line']}{last}")
    dv_unit = DataValidation(
        type="list",
        formula1=f'INDIRECT("units_"&${dim_l}{FIRST_DATA_ROW})',
        allow_blank=True,
        showErrorMessage=True,
    )
    dv_unit.error = "单位须与项目量纲一致 / the unit must fit the item's dimension"
    dv_unit.add(f"{unit_l}{FIRST_DATA_ROW}:{unit_l}{last}")
    dv_num = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    dv_num.error = "请输入非负数 / enter a non-negative number"
    dv_num.showErrorMessage = True
    dv_num.add(f"{m1}{FIRST_DATA_ROW}:{m12}{last}")
    measured_dvs = []
    for key, choices in MEASURED_UNIT_CHOICES.items():
        # a suggestion list: any unit of the right kind is accepted (checked on import)
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        dv.showErrorMessage = False
        dv.add(f"{letters[key]}{FIRST_DATA_ROW}:{letters[key]}{last}")
        measured_dvs.append(dv)
    ws.cell(1, COLUMNS.index(next(c for c in COLUMNS if c.key == "ncv")) + 1).comment = Comment(
        "实测值（可选）：燃料行按行填写实测低位发热量、单位热值含碳量（tC/TJ，或 tC/t 等按质量/体积）"
        "和碳氧化率（0–1 或百分数）及其单位；留空则用核算方法的缺省值。\n"
        "Measured values (optional), fuel rows only: NCV, carbon content (tC/TJ, or per mass or "
        "volume such as tC/t) and oxidation rate (0–1 or a percentage) with their units; blank: "
        "the method's default.",
        "carbonpeak",
        width=360,
        height=180,
    )
    for dv in (dv_item, dv_line, dv_unit, dv_num, *measured_dvs):
        ws.add_data_validation(dv)
    ws.freeze_panes = f"{letters['m01']}{FIRST_DATA_ROW}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # users may widen columns
    wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def item_names(items: Sequence[tuple[str, str, str, str]], lang: str) -> dict[str, tuple[str, str]]:
    """``{id: (name in *lang*, canonical unit)}`` from (id, name_zh, name_en, unit) rows."""
    return {i: (catalogue.loc((zh, en), lang), unit) for i, zh, en, unit in items}
