"""The one writer of tabular exports (xlsx and csv), safe from spreadsheet formula injection.

A text cell that a spreadsheet would read as a formula — starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return (OWASP "CSV injection") — is written with a
leading apostrophe, so Excel, WPS and LibreOffice show it as text and never evaluate it.
Numbers stay numbers (a negative number is a number, not text starting with ``-``).

xlsx: sheet ``数据 Data`` has the column keys in row 1 (so a submission export imports
again as CSV/xlsx data) and the data from row 2; sheet ``说明 About`` gives each column's
Chinese and English meaning and the export's metadata. csv: UTF-8 with a BOM (Excel opens
Chinese text correctly), header = the column keys.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

from carbonpeak.errors import InputError, Problem

__all__ = ["FORMATS", "FORMULA_TRIGGERS", "MEDIA_TYPES", "neutralise", "write_table"]

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
FORMATS = tuple(MEDIA_TYPES)
#: First characters that make a spreadsheet read text as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGERS = FORMULA_TRIGGERS


def neutralise(value: Any) -> Any:
    """*value* made inert for a spreadsheet: formula-like text gets a leading ``'``.

    ``None`` → ``""``; numbers (not bool) unchanged, NaN → ``""``; anything else as text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return "" if isinstance(value, float) and not math.isfinite(value) else value
    text = str(value)
    return "'" + text if text.startswith(_TRIGGERS) else text


def write_table(
    columns: Sequence[tuple[str, str, str]],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    *,
    meta: Sequence[tuple[str, Any]] = (),
) -> tuple[bytes, str]:
    """Write *rows* under *columns* ``(key, zh, en)`` as *fmt*: (bytes, media type)."""
    if fmt not in MEDIA_TYPES:
        raise InputError([Problem("intake_bad_format", column="format", value=fmt)])
    keys = [k for k, _zh, _en in columns]
    if fmt == "csv":
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(keys)
        for r in rows:
            w.writerow([_csv_cell(v) for v in r])
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), MEDIA_TYPES[fmt]
    return _xlsx(columns, keys, rows, meta), MEDIA_TYPES[fmt]


def _csv_cell(v: Any) -> Any:
    out = neutralise(v)
    return repr(out) if isinstance(out, float) else out  # repr round-trips a float exactly


def _xlsx(
    columns: Sequence[tuple[str, str, str]],
    keys: list[str],
    rows: Iterable[Sequence[Any]],
    meta: Sequence[tuple[str, Any]],
) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 — heavy import only when needed
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据 Data")
    bold = Font(bold=True)
    head = []
    for k in keys:
        c = WriteOnlyCell(ws, value=k)
        c.font = bold
        head.append(c)
    ws.append(head)
    for r in rows:
        cells = []
        for v in r:
            c = WriteOnlyCell(ws, value=neutralise(v))
            if c.data_type == "f":  # never: neutralise quotes formulas; kept as a guard
                c.data_type = "s"
            cells.append(c)
        ws.append(cells)
    about = wb.create_sheet("说明 About")
    about.append(["列 Column", "含义", "Meaning"])
    for k, zh, en in columns:
        about.append([neutralise(k), neutralise(zh), neutralise(en)])
    if meta:
        about.append([])
        for label, value in meta:
            about.append([neutralise(label), neutralise(value)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
