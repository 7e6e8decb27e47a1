"""The energy-saving review report (节能审查意见), as XLSX and PDF bytes, in Chinese or English.

Pure builders: a review result (:func:`carbonpeak.service.efficiency.review.review`) in, bytes out; no
disk, no clock. The PDF uses ReportLab's built-in CID font ``STSong-Light`` for Chinese, so
no system font is needed. Every text cell of the workbook is neutralised against formula
injection (a leading ``= + - @`` is quoted).

Contents: the project; the design energy use by carrier (quantity as given, canonical
quantity, tce, CO2, the factor rows used); the unit-product comprehensive energy and its
formula; the verdict against the clause cited (standard, table, row, edition, 1级 value);
the effect on the city's and the province's energy and CO2 and on the targets.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from carbonpeak import catalogue

__all__ = ["LABELS", "build_review_pdf", "build_review_xlsx", "report_rows"]

FONT = "STSong-Light"

#: Report labels: key → (zh, en).
#: From catalogue/review_report.toml (key -> zh, en); new entries go there.
LABELS: dict[str, tuple[str, str]] = catalogue.pairs("review_report")


def _t(key: str, lang: str) -> str:
    return str(catalogue.loc(LABELS[key], lang))


def _num(x: Any, digits: int = 0) -> str:
    if x is None:
        return "—"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{v:,.{digits}f}"


def _neutralise(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def _pct(x: Any) -> str:
    return "—" if x is None else f"{100.0 * float(x):.1f}"


def report_rows(result: Mapping[str, Any], lang: str = "zh") -> dict[str, list[list[Any]]]:
    """The report's sections as rows of cells (the XLSX and PDF builders share them).

    Returns
    -------
    dict
        ``project``, ``energy``, ``verdict``, ``effects``: lists of rows (first row of
        ``energy`` and ``effects`` is the header).
    """
    city = catalogue.loc(result, lang, "city_name") or result.get("city_code")
    project: list[list[Any]] = [
        [_t("name", lang), result.get("name") or "—"],
        [_t("metal", lang), result.get("metal")],
        [_t("route", lang), result.get("route")],
        [
            _t("location", lang),
            f"{city} ({result.get('city_code')})"
            + (f" · {result['park_id']}" if result.get("park_id") else ""),
        ],
        [_t("capacity", lang), _num(result.get("capacity_t_per_a"))],
        [_t("output", lang), _num(result.get("output_t_per_a"))],
        [_t("date", lang), result.get("review_date")],
        [_t("method", lang), f"{result.get('method')} / {result.get('factor_set')}"],
    ]
    energy: list[list[Any]] = [
        [_t(k, lang) for k in ("carrier", "given", "canonical", "tce", "co2", "factors")]
    ]
    for c in result.get("carriers", []):
        energy.append(
            [
                f"{catalogue.loc(c, lang, 'item_name')} ({c['carrier']})",
                f"{_num(c['quantity_in'], 2)} {c['unit_in']}",
                f"{_num(c['quantity'], 2)} {c['unit']}",
                _num(c["energy_tce"], 1),
                _num(c["co2_t"], 1),
                c["factor_ids"].replace(";", "; "),
            ]
        )
    energy.append(
        [
            _t("total", lang),
            "",
            "",
            _num(result.get("energy_tce_per_a"), 1),
            _num(result.get("co2_t_per_a"), 1),
            "",
        ]
    )
    unit = result.get("value_unit") or "kgce/t"
    verdict: list[list[Any]] = [
        [_t("formula", lang), ""],
        [_t("unit_energy", lang), _num(result.get("unit_energy_kgce_per_t"), 1)],
    ]
    if result.get("ac_power_kwh_per_t") is not None:
        verdict.append([_t("ac_power", lang), _num(result.get("ac_power_kwh_per_t"), 0)])
    verdict += [
        [_t("verdict", lang), _t(str(result.get("verdict", "no_level")), lang)],
        [_t("clause", lang), catalogue.loc(result, lang, "citation")],
        *([[_t("read_in", lang), str(result["read_in"])]] if result.get("read_in") else []),
        [_t("advanced", lang), f"{_num(result.get('advanced_value'))} {unit}"],
        [_t("grades", lang), f"{_num(result.get('grade2'))} / {_num(result.get('grade3'))} {unit}"],
        [_t("margin", lang), f"{_num(result.get('margin'), 1)} {unit}"],
        [_t("grade", lang), result.get("grade") or "—"],
    ]
    if result.get("benchmark_required"):
        ok = result.get("meets_benchmark")
        verdict.append(
            [_t("benchmark", lang), f"{_num(result.get('benchmark_value'))} {unit} — {'✓' if ok else '✗'}"]
        )
    eff = result.get("effects") or {}
    effects: list[list[Any]] = [
        [_t("scope", lang), _t("before", lang), _t("after", lang), _t("increase", lang)]
    ]
    totals = eff.get("totals") or {}
    for scope in ("city", "province"):
        t = totals.get(scope)
        if not t:
            continue
        effects.append(
            [
                f"{_t(scope, lang)} · {_t('energy_total', lang)}",
                _num(t["energy_tce"]),
                _num(t["energy_with_tce"]),
                _num(t["energy_increase_pct"], 2),
            ]
        )
        effects.append(
            [
                f"{_t(scope, lang)} · {_t('co2_total', lang)}",
                _num(t["co2_t"]),
                _num(t["co2_with_t"]),
                _num(t["co2_increase_pct"], 2),
            ]
        )
    inten = eff.get("energy_intensity_change_pct") or {}
    if inten.get("without") is not None:
        effects.append(
            [
                f"{_t('province', lang)} · {_t('intensity', lang)}",
                _num(inten["without"], 2),
                _num(inten["with"], 2),
                "",
            ]
        )
    share = eff.get("capacity_share_at_benchmark") or {}
    if share.get("applies"):
        for scope in ("city", "province"):
            s = share[scope]
            effects.append(
                [f"{_t(scope, lang)} · {_t('share', lang)}", _pct(s["without"]), _pct(s["with"]), ""]
            )
        if share["province"].get("unverified"):
            effects.append([_t("standin", lang), "", "", ""])
    if eff.get("year") is not None:
        effects.insert(1, [_t("year", lang), str(eff["year"]), "", ""])
    return {"project": project, "energy": energy, "verdict": verdict, "effects": effects}


def build_review_xlsx(result: Mapping[str, Any], lang: str = "zh") -> bytes:
    """The review report as an XLSX workbook (one sheet per section)."""
    rows = report_rows(result, lang)
    wb = Workbook()
    ws = wb.create_sheet(index=0)
    for extra in wb.worksheets[1:]:
        wb.remove(extra)
    ws.title = _t("sheet", lang)
    ws.append([_neutralise(_t("title", lang))])
    ws["A1"].font = Font(bold=True, size=14)
    colour = {"pass": "C6EFCE", "fail": "FFC7CE"}.get(str(result.get("verdict")), "FFEB9C")
    for section in ("project", "verdict"):
        ws.append([])
        ws.append([_neutralise(_t(section if section == "project" else "verdict", lang))])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        for r in rows[section]:
            ws.append([_neutralise(v) for v in r])
            if section == "verdict" and r[0] == _t("verdict", lang):
                ws.cell(ws.max_row, 2).fill = PatternFill("solid", fgColor=colour)
                ws.cell(ws.max_row, 2).font = Font(bold=True)
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 90
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for section, title in (("energy", "energy"), ("effects", "effects")):
        sh = wb.create_sheet(title if lang == "en" else _t(title, "zh")[:31])
        for r in rows[section]:
            sh.append([_neutralise(v) for v in r])
        for cell in sh[1]:
            cell.font = Font(bold=True)
        for col, w in zip("ABCDEF", (42, 24, 24, 22, 18, 80), strict=False):
            sh.column_dimensions[col].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _table(
    data: Sequence[Sequence[Any]], widths: Sequence[float], style: ParagraphStyle, header: bool
) -> Table:
    cells = [[Paragraph(str(v).replace("&", "&amp;").replace("<", "&lt;"), style) for v in r] for r in data]
    t = Table(cells, colWidths=list(widths), repeatRows=1 if header else 0)
    cmds: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        cmds.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")))
    t.setStyle(TableStyle(cmds))
    return t


def build_review_pdf(result: Mapping[str, Any], lang: str = "zh") -> bytes:
    """The review report as a PDF (A4), Chinese set in STSong-Light."""
    font = _font()
    rows = report_rows(result, lang)
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    h1 = ParagraphStyle("h1", fontName=font, fontSize=15, leading=20, spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=11, leading=15, spaceBefore=8, spaceAfter=4)
    big = ParagraphStyle(
        "big",
        fontName=font,
        fontSize=13,
        leading=18,
        textColor=colors.HexColor(
            {"pass": "#1b7f3b", "fail": "#b3261e"}.get(str(result.get("verdict")), "#8a6d00")
        ),
    )
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_t("title", lang),
        author="carbonpeak",
    )
    width = A4[0] - 30 * mm
    story: list[Any] = [Paragraph(_t("title", lang), h1)]
    colon = _t("colon", lang)
    story.append(
        Paragraph(f"{_t('verdict', lang)}{colon}{_t(str(result.get('verdict', 'no_level')), lang)}", big)
    )
    story.append(Paragraph(f"{_t('clause', lang)}{colon}{catalogue.loc(result, lang, 'citation')}", body))
    if result.get("read_in"):
        story.append(Paragraph(f"{_t('read_in', lang)}{colon}{escape(str(result['read_in']))}", body))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_t("project", lang), h2))
    story.append(_table(rows["project"], (0.3 * width, 0.7 * width), body, False))
    story.append(Paragraph(_t("energy", lang), h2))
    story.append(_table(rows["energy"], [w * width for w in (0.2, 0.15, 0.15, 0.13, 0.12, 0.25)], body, True))
    story.append(Paragraph(_t("verdict", lang), h2))
    story.append(_table(rows["verdict"], (0.3 * width, 0.7 * width), body, False))
    story.append(Paragraph(_t("effects", lang), h2))
    story.append(_table(rows["effects"], [w * width for w in (0.46, 0.18, 0.18, 0.18)], body, True))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_t("disclaimer", lang), body))
    doc.build(story)
    return buf.getvalue()
