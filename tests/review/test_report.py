"""The review report builders: formula injection neutralised, both languages, PDF fonts."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader

from carbonpeak.reporting.review_report import LABELS, build_review_pdf, build_review_xlsx

RESULT = {
    "name": '=HYPERLINK("http://evil.example","x")',
    "metal": "Zn",
    "route": "zn_hydro",
    "city_code": "430400",
    "city_name_zh": "衡阳市",
    "city_name_en": "Hengyang",
    "review_date": "2025-06-30",
    "capacity_t_per_a": 1.0,
    "verdict": "no_level",
    "citation_zh": "评价日无现行能耗限额标准",
    "citation_en": "no energy-limit standard in force on the review date",
    "carriers": [],
    "effects": {},
}


def test_text_cells_are_neutralised_and_every_label_is_bilingual() -> None:
    wb = load_workbook(io.BytesIO(build_review_xlsx(RESULT, "en")))
    cells = [
        c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None
    ]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    assert all(zh and en and zh != en for zh, en in LABELS.values() if zh != "—")


def test_pdf_in_both_languages_uses_the_cid_font() -> None:
    for lang, word in (("zh", "无法评价"), ("en", "Not assessable")):
        pdf = PdfReader(io.BytesIO(build_review_pdf(RESULT, lang)))
        text = "".join(p.extract_text() for p in pdf.pages)
        assert word in text
        fonts = {str(f["/BaseFont"]) for p in pdf.pages for f in p["/Resources"]["/Font"].values()}
        assert any("STSong-Light" in f for f in fonts)
