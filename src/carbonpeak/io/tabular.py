"""Read a CSV or XLSX file into header-checked rows, keeping sheet and row numbers.

CSV is read as UTF-8 (with or without BOM) and, failing that, as GB 18030, which is what
Excel writes for Chinese CSV on Windows. XLSX is read through :mod:`carbonpeak.io.xlsx`
(read-only, bounded by the sheet's used range and a cell budget, no DTD); formulas are read
as their cached values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carbonpeak.errors import InputError, Problem
from carbonpeak.io.xlsx import open_workbook, sheet_rows
from carbonpeak.model.schemas import CONTROL_CHARACTERS

__all__ = ["Table", "read_rows"]


@dataclass(frozen=True)
class Table:
    """Rows of one sheet: each row is (row number as the user sees it, {column: text})."""

    file: str
    sheet: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError([Problem("bad_file", fields={"reason": "not UTF-8 or GB18030 text"})])


def read_rows(
    data: bytes,
    filename: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    sheet: str | None = None,
) -> Table:
    """Parse *data* (the bytes of *filename*) and check the header.

    Column names are matched case-insensitively after stripping. A missing required
    column raises :class:`InputError` (``missing_column``) naming it; unknown columns are
    ignored. Fully empty rows are skipped.
    """
    name = Path(filename).name
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheet_name, raw_rows = _read_xlsx(data, name, sheet)
    elif suffix in (".csv", ".txt"):
        sheet_name, raw_rows = None, _read_csv(_decode(data), name)
    else:
        raise InputError(
            [Problem("bad_file", file=name, fields={"reason": f"unsupported file type {suffix or '?'}"})]
        )
    if not raw_rows:
        raise InputError(
            [Problem("bad_file", file=name, sheet=sheet_name, fields={"reason": "the file is empty"})]
        )
    header = tuple(_cell(h) for h in raw_rows[0])
    index = {h.lower(): i for i, h in enumerate(header) if h}
    missing = [c for c in required if c.lower() not in index]
    if missing:
        raise InputError(
            [Problem("missing_column", file=name, sheet=sheet_name, row=1, column=c) for c in missing]
        )
    wanted = [*required, *[c for c in optional if c.lower() in index]]
    rows = []
    problems: list[Problem] = []
    for n, raw in enumerate(raw_rows[1:], start=2):
        cells = {c: (_cell(raw[index[c.lower()]]) if index[c.lower()] < len(raw) else "") for c in wanted}
        if any(cells.values()):
            rows.append((n, cells))
            problems.extend(
                Problem("control_character", file=name, sheet=sheet_name, row=n, column=c, value=repr(v))
                for c, v in cells.items()
                if CONTROL_CHARACTERS.search(v)
            )
    if problems:
        raise InputError(problems)
    return Table(file=name, sheet=sheet_name, header=header, rows=tuple(rows))


def _read_csv(text: str, name: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        raise InputError(
            [Problem("bad_file", file=name, row=reader.line_num, fields={"reason": f"malformed CSV ({exc})"})]
        ) from exc


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> tuple[str, list[list[Any]]]:
    wb = open_workbook(data, name)
    try:
        try:
            ws = wb[sheet] if sheet else wb.worksheets[0]
        except (KeyError, IndexError) as exc:
            raise InputError(
                [Problem("bad_file", file=name, sheet=sheet, fields={"reason": "no such sheet"})]
            ) from exc
        return ws.title, sheet_rows(ws, name)
    finally:
        wb.close()
