"""Open uploaded xlsx workbooks safely and read their sheets within a cell budget.

Every place that reads a user's workbook goes through here (:mod:`carbonpeak.io.tabular`
for the register, registries, activity and scenario files; :mod:`carbonpeak.io.intake`
for the reporting template and the marked copy). Three bounds, each a located
:class:`~carbonpeak.errors.InputError` with zh and en messages (never a 500):

1. The package (:func:`check_package`): a valid zip that does not expand beyond
   :data:`MAX_UNCOMPRESSED_BYTES` or :data:`MAX_COMPRESSION_RATIO` times its size
   (``bad_file``), whose XML parts carry no DTD (``<!DOCTYPE``/``<!ENTITY``, ``xlsx_dtd``)
   and are not UTF-16 (which would hide a DTD from the scan). A part that is malformed
   XML (control characters, a broken tag) is ``xlsx_malformed``, naming the part.
2. The cells (:func:`sheet_rows`): a sheet is read cell by cell as stored, never padded to
   the range its ``<dimension>`` claims; its *used range* is A1 to the farthest cell that
   holds a value. More than :data:`MAX_CELLS` cells in that range is ``xlsx_too_many_cells``
   naming the sheet and the farthest cell — found while streaming, before any grid is made.
   So an 18 KB workbook with one value in XFD1048576 is refused at once, without
   allocating its 17 × 10⁹ padded cells.
3. openpyxl parses with defusedxml when installed (it is a dependency), so entity
   expansion is refused even inside a part the scan did not see.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Any
from xml.etree.ElementTree import ParseError

from carbonpeak.errors import InputError, Problem

__all__ = [
    "MAX_CELLS",
    "MAX_COMPRESSION_RATIO",
    "MAX_UNCOMPRESSED_BYTES",
    "check_package",
    "column_name",
    "open_workbook",
    "sheet_rows",
]

#: Refuse workbooks that expand beyond this (zip bombs); a province-size workbook is far less.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
#: Cells in a sheet's used range (A1 to the farthest value). The province's reporting
#: template is ~ 30 columns × a few hundred rows; a 50 000-row register × 40 columns fits.
MAX_CELLS = 2_000_000
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CHUNK = 1 << 20
_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY")


def column_name(index: int) -> str:
    """The spreadsheet column name of a 1-based column *index* (1 → A, 16384 → XFD)."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


#: What a damaged package raises while a part is read: a bad CRC, a deflate stream that
#: does not decode (``zlib.error``) or ends early (``EOFError``).
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError)


def _bad(name: str, reason: str) -> InputError:
    return InputError([Problem("bad_file", file=name, fields={"reason": reason})])


def check_package(data: bytes, name: str) -> None:
    """Refuse a workbook that is not a zip, expands too far, or has a DTD in an XML part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(len(data), 1):
                raise _bad(name, f"it expands to {total:,} bytes from {len(data):,} (a zip bomb?)")
            for info in infos:
                if info.filename.lower().endswith(_XML_SUFFIXES):
                    _scan_part(z, info, name)
    except InputError:
        raise
    except (*_ZIP_ERRORS, OSError, ValueError, NotImplementedError) as exc:
        raise _bad(name, f"not a valid xlsx workbook ({exc})") from exc


def _scan_part(z: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Stream one XML part looking for a DTD (chunks overlap, so a mark is never split)."""
    tail = b""
    first = True
    with z.open(info) as f:
        while chunk := f.read(_CHUNK):
            if first and (chunk[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:4]):
                raise InputError(
                    [
                        Problem(
                            "xlsx_malformed",
                            file=name,
                            fields={"member": info.filename, "reason": "not UTF-8"},
                        )
                    ]
                )
            first = False
            window = tail + chunk
            if any(mark in window for mark in _DTD_MARKS):
                raise InputError([Problem("xlsx_dtd", file=name, fields={"member": info.filename})])
            tail = window[-16:]


def _malformed(name: str, exc: BaseException, sheet: str | None = None) -> InputError:
    reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return InputError(
        [
            Problem(
                "xlsx_malformed",
                file=name,
                sheet=sheet,
                fields={"member": sheet or "workbook", "reason": reason},
            )
        ]
    )


def open_workbook(data: bytes, name: str, *, read_only: bool = True) -> Any:
    """The openpyxl workbook of *data* after :func:`check_package`; errors are located.

    Read-only workbooks give formulas' cached values. ``read_only=False`` (to write a marked
    copy; formulas kept) first checks every sheet against the cell budget in read-only mode,
    since a full load keeps every stored cell in memory.
    """
    from openpyxl import load_workbook  # noqa: PLC0415 — heavy import only when needed

    check_package(data, name)
    if not read_only:
        wb = open_workbook(data, name)
        try:
            for ws in wb.worksheets:
                _used_range(ws, name)
        finally:
            wb.close()
    try:
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=read_only)
    except (ParseError, SyntaxError) as exc:
        raise _malformed(name, exc) from exc
    except (*_ZIP_ERRORS, KeyError, ValueError, OSError, TypeError, AttributeError) as exc:
        raise _bad(name, f"not a valid xlsx workbook ({exc})") from exc


def _stored_cells(ws: Any, name: str) -> Any:
    """(row, column, value) of every stored cell holding a value, as the sheet stores them."""
    from openpyxl.worksheet._reader import WorkSheetParser  # noqa: PLC0415

    wb = ws.parent
    try:
        with ws._get_source() as src:
            parser = WorkSheetParser(
                src,
                ws._shared_strings,
                data_only=wb.data_only,
                epoch=wb.epoch,
                date_formats=wb._date_formats,
                timedelta_formats=wb._timedelta_formats,
            )
            for row_no, cells in parser.parse():
                for c in cells:
                    if c["value"] is not None:
                        yield row_no, c["column"], c["value"]
    except (ParseError, SyntaxError) as exc:
        raise _malformed(name, exc, ws.title) from exc
    except (KeyError, ValueError, TypeError, IndexError, OverflowError) as exc:
        raise _malformed(name, exc, ws.title) from exc
    except _ZIP_ERRORS as exc:  # the sheet's part is damaged inside the package
        raise _bad(name, f"not a valid xlsx workbook ({exc})") from exc


def _too_many(name: str, sheet: str, rows: int, cols: int, row: int, col: int, limit: int) -> InputError:
    ref = f"{column_name(col)}{row}"
    return InputError(
        [
            Problem(
                "xlsx_too_many_cells",
                file=name,
                sheet=sheet,
                row=row,
                column=column_name(col),
                value=ref,
                fields={
                    "sheet": sheet,
                    "used_range": f"A1:{column_name(cols)}{rows}",
                    "cells": f"{rows * cols:,}",
                    "limit": f"{limit:,}",
                },
            )
        ]
    )


def _used_range(
    ws: Any, name: str, *, max_col: int | None = None, max_cells: int = MAX_CELLS
) -> tuple[int, int, dict[int, list[tuple[int, Any]]]]:
    rows = cols = 0
    stored: dict[int, list[tuple[int, Any]]] = {}
    for r, c, v in _stored_cells(ws, name):
        if max_col is not None and c > max_col:
            continue
        if r > rows or c > cols:
            rows, cols = max(rows, r), max(cols, c)
            if rows * cols > max_cells:
                raise _too_many(name, ws.title, rows, cols, r, c, max_cells)
        stored.setdefault(r, []).append((c, v))
    return rows, cols, stored


def sheet_rows(
    ws: Any, name: str, *, max_col: int | None = None, max_cells: int = MAX_CELLS
) -> list[list[Any]]:
    """The values of read-only sheet *ws* as rows 1…n of equal width (None where empty).

    Only the used range (A1 to the farthest value; columns up to *max_col* if given) is
    returned; more than *max_cells* cells in it raises ``xlsx_too_many_cells``.
    """
    rows, cols, stored = _used_range(ws, name, max_col=max_col, max_cells=max_cells)
    grid: list[list[Any]] = [[None] * cols for _ in range(rows)]
    for r, cells in stored.items():
        line = grid[r - 1]
        for c, v in cells:
            line[c - 1] = v
    return grid
