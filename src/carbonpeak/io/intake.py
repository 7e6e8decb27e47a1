"""Read and validate a filled reporting template (xlsx) or an activity CSV.

Two steps, so the service can look the enterprise up in between:

1. :func:`read_submission` reads the bytes into a :class:`RawSubmission`: the info cells
   (credit code, year) and one long frame of *cells* (one row per line × item × month,
   with the text as entered and where it was: sheet, row, column letter). A file that
   cannot be read, is too large when unzipped, or is not the template raises
   :class:`~carbonpeak.errors.InputError` at once.
2. :func:`validate` checks every cell against the item list, the units, the enterprise's
   line codes and the year, and returns the canonical values frame *and* every located
   problem (never only the first). The work is vectorised: each distinct item text,
   unit text and (unit, item) pair is checked once, quantities parsed with one
   ``to_numeric`` over all cells.

Checks and their message codes (``errors.MESSAGES``): ``intake_not_template``,
``intake_missing_column``, ``intake_required``, ``intake_unknown_item``,
``intake_unknown_unit``, ``intake_wrong_dimension``, ``intake_not_a_number``,
``intake_bad_separator`` (``1,5``: a comma only in thousands groups, :mod:`carbonpeak.io.numbers`),
``intake_not_finite``, ``intake_negative``, ``figure_too_large`` (beyond
:data:`MAX_QUANTITY` in the canonical unit), ``intake_month_missing``,
``intake_duplicate_row``, ``intake_unknown_line``, ``intake_bad_year``,
``intake_bad_period``, ``intake_csv_mixed``, ``intake_empty``.

:func:`mark_workbook` returns a copy of an uploaded workbook with the bad cells filled red,
each with a comment giving the reason in zh and en, plus a ``问题 Problems`` sheet.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak import units
from carbonpeak.accounting import measured as ms
from carbonpeak.errors import InputError, Problem, UnitError
from carbonpeak.io.activity import ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL, MAX_QUANTITY
from carbonpeak.io.activity import _measured_columns as measured_columns
from carbonpeak.io.numbers import parse_numbers
from carbonpeak.io.tabular import read_rows
from carbonpeak.io.template import (
    COLUMNS,
    FIRST_DATA_ROW,
    INFO_FIELDS,
    MEASURED_KEYS,
    MONTH_KEYS,
    SHEET_DATA,
    SHEET_INFO,
    UNIT_CHOICES,
    dimension_key,
)
from carbonpeak.io.xlsx import open_workbook, sheet_rows

__all__ = [
    "MAX_QUANTITY",
    "SHEET_PROBLEMS",
    "VALUE_COLUMNS",
    "RawSubmission",
    "Validated",
    "column_letter",
    "locate_measured",
    "mark_workbook",
    "read_submission",
    "validate",
]

SHEET_PROBLEMS = "问题 Problems"
#: Columns of the values frame :func:`validate` returns (one row per figure).
VALUE_COLUMNS = (
    "line_code",
    "item",
    "period",
    "month",
    "quantity",
    "unit",
    "quantity_in",
    "unit_in",
    "purity",
    "sheet",
    "row",
    "col",
)
_HEADERS = {c.key: (c.zh, c.en) for c in COLUMNS}
_MONTH_HEADERS = {k: _HEADERS[k] for k in MONTH_KEYS}
_REQUIRED = ("line", "item", "unit", *MONTH_KEYS)
_POSITION = {c.key: i for i, c in enumerate(COLUMNS)}


def column_letter(index: int) -> str:
    """``0`` → ``"A"``, ``26`` → ``"AA"`` (a 0-based column index as a spreadsheet letter)."""
    s, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _norm(v: Any) -> str:
    return unicodedata.normalize("NFKC", "" if v is None else str(v)).strip()


def _key(v: Any) -> str:
    return re.sub(r"\s+", "", _norm(v)).lower()


@dataclass
class RawSubmission:
    """What was read from a file, before validation.

    ``cells`` has one row per (source row, month): ``row`` (as the user sees it),
    ``line``, ``item``, ``unit`` (text), ``month`` (1–12), ``value`` (the cell as read:
    a number, text or None), ``col`` (letter of the value cell) and ``year`` (CSV only).
    ``letters`` names the letter of the line/item/unit columns; ``info_cells`` the cell of
    each info field (for locating problems).
    """

    file: str
    kind: str  # "xlsx" or "csv"
    sheet: str | None
    credit_code: str
    year_text: str
    cells: pd.DataFrame
    letters: dict[str, str]
    info_sheet: str | None = None
    info_cells: dict[str, tuple[int, str]] = field(default_factory=dict)
    method: str = ""
    problems: list[Problem] = field(default_factory=list)

    def info_problem(self, key: str, code: str, value: Any = None, **fields: Any) -> Problem:
        row, col = self.info_cells.get(key, (None, None))
        return Problem(
            code,
            column=col,
            value=value,
            row=row,
            file=self.file,
            sheet=self.info_sheet,
            fields={
                "header_zh": INFO_FIELDS.get(key, (key, key))[0],
                "header_en": INFO_FIELDS.get(key, (key, key))[1],
                **fields,
            },
        )


@dataclass(frozen=True)
class Validated:
    """The result of :func:`validate`: figures of every good cell, and every problem."""

    values: pd.DataFrame
    problems: list[Problem]
    year: int | None


def _bad_file(name: str, reason: str) -> InputError:
    return InputError([Problem("bad_file", file=name, fields={"reason": reason})])


def _not_template(name: str, reason_zh: str, reason_en: str, sheet: str | None = None) -> InputError:
    return InputError(
        [
            Problem(
                "intake_not_template",
                file=name,
                sheet=sheet,
                fields={"reason_zh": reason_zh, "reason_en": reason_en},
            )
        ]
    )


def read_submission(data: bytes, filename: str) -> RawSubmission:
    """Read a filled template (``.xlsx``) or an activity CSV (``.csv``)."""
    name = Path(filename).name or "upload"
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data, name)
    if suffix in (".csv", ".txt"):
        return _read_csv(data, name)
    raise _bad_file(name, f"unsupported file type {suffix or '?'} (use .xlsx or .csv)")


def _find_sheet(names: Sequence[str], wanted: str) -> str | None:
    """The sheet called *wanted*, or whose name starts with its Chinese or English word."""
    zh, _, en = wanted.partition(" ")
    for n in names:
        k = n.strip().lower()
        if n == wanted or k in (zh.lower(), en.lower()) or k.startswith((zh.lower(), en.lower())):
            return n
    return None


def _read_xlsx(data: bytes, name: str) -> RawSubmission:
    wb = open_workbook(data, name)
    try:
        info_name = _find_sheet(wb.sheetnames, SHEET_INFO)
        data_name = _find_sheet(wb.sheetnames, SHEET_DATA)
        if info_name is None or data_name is None:
            missing = [s for s, n in ((SHEET_INFO, info_name), (SHEET_DATA, data_name)) if n is None]
            raise _not_template(
                name,
                f"缺少工作表“{'”“'.join(missing)}”",
                "the sheet(s) " + ", ".join(f"'{m}'" for m in missing) + " are missing",
            )
        info_rows = sheet_rows(wb[info_name], name, max_col=3)
        grid = sheet_rows(wb[data_name], name)
    except InputError:
        raise
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise _bad_file(name, f"the workbook cannot be read ({exc})") from exc
    finally:
        wb.close()

    # info cells: label (zh in A, en in B), value in C
    labels = {_key(zh): k for k, (zh, _en) in INFO_FIELDS.items()} | {
        _key(en): k for k, (_zh, en) in INFO_FIELDS.items()
    }
    info: dict[str, Any] = {}
    info_cells: dict[str, tuple[int, str]] = {}
    for rno, row in enumerate(info_rows, start=1):
        trio = [*row, None, None, None][:3]
        field_key = labels.get(_key(trio[0])) or labels.get(_key(trio[1]))
        if field_key and field_key not in info:
            info[field_key] = trio[2]
            info_cells[field_key] = (rno, "C")
    if "credit_code" not in info or "year" not in info:
        raise _not_template(
            name,
            "信息表中没有统一社会信用代码或填报年份",
            "the info sheet has no credit code or year",
            info_name,
        )

    # data header: Chinese in row 1, English in row 2 (either is enough)
    problems: list[Problem] = []
    head = [[_key(v) for v in (grid[i] if len(grid) > i else [])] for i in (0, 1)]
    index: dict[str, int] = {}
    for k, (zh, en) in _HEADERS.items():
        for hrow, text in ((0, zh), (1, en)):
            if _key(text) in head[hrow]:
                index[k] = head[hrow].index(_key(text))
                break
    if not any(k in index for k in ("item", "unit", *MONTH_KEYS)):
        raise _not_template(
            name,
            "数据表没有模板的表头（第 1 行中文、第 2 行英文）",
            "the data sheet has none of the template's headers (row 1 Chinese, row 2 English)",
            data_name,
        )
    for k in _REQUIRED:
        if k not in index:
            zh, en = _HEADERS[k]
            problems.append(
                Problem(
                    "intake_missing_column",
                    column=column_letter(_POSITION[k]),
                    row=1,
                    file=name,
                    sheet=data_name,
                    fields={"header_zh": zh, "header_en": en},
                )
            )
    body = grid[FIRST_DATA_ROW - 1 :]
    width = max((len(r) for r in body), default=0)
    arr = np.full((len(body), max(width, 1)), None, dtype=object)
    for i, r in enumerate(body):
        arr[i, : len(r)] = r

    def col(key: str) -> np.ndarray:
        j = index.get(key)
        if j is None or j >= arr.shape[1]:
            return np.full(len(body), None, dtype=object)
        return arr[:, j]

    months = [k for k in MONTH_KEYS if k in index]
    vals = np.stack([col(k) for k in months], axis=1) if months else np.empty((len(body), 0), dtype=object)
    blank_v = _blank(vals)
    text_cols = {k: np.asarray([_norm(v) for v in col(k)], dtype=object) for k in ("line", "item", "unit")}
    # a row without any month filled is not reported (pre-filled rows may stay unused)
    used = ~blank_v.all(axis=1) if months else np.zeros(len(body), dtype=bool)
    idx = np.flatnonzero(used)
    n_m = len(months)
    cells = pd.DataFrame(
        {
            "row": np.repeat(idx + FIRST_DATA_ROW, n_m).astype(np.int64),
            "line": np.repeat(text_cols["line"][idx], n_m),
            "item": np.repeat(text_cols["item"][idx], n_m),
            "unit": np.repeat(text_cols["unit"][idx], n_m),
            "month": np.tile(np.asarray([int(k[1:]) for k in months], dtype=np.int64), len(idx)),
            "value": vals[idx].reshape(-1) if n_m else np.empty(0, dtype=object),
            "col": np.tile(np.asarray([column_letter(index[k]) for k in months], dtype=object), len(idx)),
        }
    )
    # the row's measured parameters (实测值), as text, where the sheet has their columns
    for k in MEASURED_KEYS:
        if k in index:
            cells[k] = np.repeat(np.asarray([_norm(v) for v in col(k)[idx]], dtype=object), n_m)
    letters: dict[str, str] = {
        k: column_letter(index[k]) for k in ("line", "item", "unit", *MEASURED_KEYS) if k in index
    }
    return RawSubmission(
        file=name,
        kind="xlsx",
        sheet=data_name,
        credit_code=_norm(info.get("credit_code")).upper(),
        year_text=_norm(info.get("year")),
        cells=cells,
        letters=letters,
        info_sheet=info_name,
        info_cells=info_cells,
        method=_norm(info.get("method")),
        problems=problems,
    )


def _blank(vals: np.ndarray) -> np.ndarray:
    """True where a cell is empty (None or blank text)."""
    if vals.size == 0:
        return np.zeros(vals.shape, dtype=bool)
    flat = vals.reshape(-1)
    out = np.fromiter(
        (v is None or (isinstance(v, str) and not v.strip()) for v in flat), dtype=bool, count=flat.size
    )
    return out.reshape(vals.shape)


_PERIOD = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


def _read_csv(data: bytes, name: str) -> RawSubmission:
    table = read_rows(data, name, ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
    header = [h.lower() for h in table.header]
    letters = {
        k: column_letter(header.index(k)) for k in (*ACTIVITY_COLUMNS, "line", *MEASURED_KEYS) if k in header
    }
    rows = table.rows
    ent = np.asarray([r["enterprise"].upper() for _n, r in rows], dtype=object)
    per = np.asarray([r["period"] for _n, r in rows], dtype=object)
    problems: list[Problem] = []
    pcol = letters["period"]
    years = np.zeros(len(rows), dtype=np.int64)
    months = np.zeros(len(rows), dtype=np.int64)
    codes, uniq = pd.factorize(pd.Series(per, dtype=object))
    parsed: list[tuple[int, int] | None] = []
    for u in uniq:
        m = _PERIOD.match(str(u))
        ok = m is not None and 1900 <= int(m.group(1)) <= 2100 and 1 <= int(m.group(2)) <= 12
        parsed.append((int(m.group(1)), int(m.group(2))) if m and ok else None)
    bad = np.asarray([p is None for p in parsed], dtype=bool)[codes] if len(rows) else np.zeros(0, bool)
    for i in np.flatnonzero(bad):
        problems.append(
            Problem(
                "intake_bad_period" if per[i] else "intake_required",
                column=pcol,
                value=per[i],
                row=rows[i][0],
                file=name,
                fields={"header_zh": "期间", "header_en": "period"},
            )
        )
    if len(rows):
        years = np.asarray([p[0] if p else 0 for p in parsed], dtype=np.int64)[codes]
        months = np.asarray([p[1] if p else 0 for p in parsed], dtype=np.int64)[codes]
    # one enterprise and one year per file
    credit = next((e for e in ent if e), "")
    good_years = years[~bad]
    year = int(good_years[0]) if len(good_years) else 0
    other_ent = np.flatnonzero((ent != credit) & (ent != ""))
    other_year = np.flatnonzero(~bad & (years != year))
    for other, arr, letter, zh, en in (
        (other_ent, ent, letters["enterprise"], "企业", "enterprise"),
        (other_year, per, pcol, "年份", "year"),
    ):
        if len(other):
            first_i = int(other[0])
            problems.append(
                Problem(
                    "intake_csv_mixed",
                    column=letter,
                    value=arr[first_i],
                    row=rows[first_i][0],
                    file=name,
                    fields={"what_zh": zh, "what_en": en},
                )
            )
    cells = pd.DataFrame(
        {
            "row": np.asarray([n for n, _r in rows], dtype=np.int64),
            "line": np.asarray([_norm(r.get("line", "")) for _n, r in rows], dtype=object),
            "item": np.asarray([_norm(r["item"]) for _n, r in rows], dtype=object),
            "unit": np.asarray([_norm(r["unit"]) for _n, r in rows], dtype=object),
            "month": months,
            "value": np.asarray([r["quantity"] for _n, r in rows], dtype=object),
            "col": letters["quantity"],
        }
    )
    for k in MEASURED_KEYS:
        if k in header:
            cells[k] = np.asarray([_norm(r.get(k, "")) for _n, r in rows], dtype=object)
    cells = cells[~bad].reset_index(drop=True)
    return RawSubmission(
        file=name,
        kind="csv",
        sheet=None,
        credit_code=credit,
        year_text=str(year) if year else "",
        cells=cells,
        letters=letters,
        info_sheet=None,
        info_cells={"credit_code": (rows[0][0], letters["enterprise"]), "year": (rows[0][0], pcol)}
        if rows
        else {},
        problems=problems,
    )


def parse_year(text: str) -> int | None:
    """The reporting year in an info cell (``2026``, ``2026.0``, ``2026年``), else None."""
    m = re.fullmatch(r"(\d{4})(?:\.0+)?\s*年?", text.strip())
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        return None
    return int(m.group(1))


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(quantity, blank, not-a-number, bad separator) for a column of cells as read; text is
    read by :func:`carbonpeak.io.numbers.parse_numbers` (``1,5`` is a bad separator, not 15)."""
    obj = values.to_numpy(dtype=object)
    n = len(obj)
    is_num = np.fromiter(
        (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in obj),
        dtype=bool,
        count=n,
    )
    blank = np.fromiter(
        (v is None or (isinstance(v, str) and not v.strip()) for v in obj), dtype=bool, count=n
    )
    qty = np.full(n, np.nan)
    if is_num.any():
        qty[is_num] = obj[is_num].astype(float)
    is_text = np.fromiter((isinstance(v, str) for v in obj), dtype=bool, count=n) & ~blank
    bad_sep = np.zeros(n, dtype=bool)
    if is_text.any():
        qty[is_text], bad_sep[is_text] = parse_numbers(obj[is_text])
    not_num = ~blank & np.isnan(qty) & ~bad_sep
    return qty, blank, not_num, bad_sep


def validate(
    raw: RawSubmission,
    items: pd.DataFrame,
    aliases: Mapping[str, str],
    line_codes: Iterable[str] | None,
    year: int | None = None,
) -> Validated:
    """Check every cell of *raw*; return the figures of the good cells and every problem.

    *items* is the factor set's item frame (index item id; ``canonical_unit``), *aliases*
    maps lower-cased spellings (codes, zh and en names) to item ids, *line_codes* the
    enterprise's registered line codes (None: not checked, e.g. an unknown enterprise),
    *year* the reporting year (None: taken from the file).
    """
    problems: list[Problem] = list(raw.problems)
    cells = raw.cells
    file, sheet = raw.file, raw.sheet

    if year is None:
        year = parse_year(raw.year_text) if raw.year_text else None
        if raw.kind == "xlsx" and year is None:
            problems.append(raw.info_problem("year", "intake_bad_year", raw.year_text or None))

    def prob(code: str, i_rows: np.ndarray, column: str | None, values: Any, **fields: Any) -> None:
        for k, r in enumerate(i_rows):
            v = values[k] if isinstance(values, (np.ndarray, list)) else values
            f = {kk: (vv[k] if isinstance(vv, np.ndarray) else vv) for kk, vv in fields.items()}
            problems.append(
                Problem(code, column=column, value=v, row=int(r), file=file, sheet=sheet, fields=f)
            )

    def header(key: str) -> dict[str, str]:
        if raw.kind == "csv":
            return {"header_zh": key, "header_en": key}
        zh, en = _HEADERS[key]
        return {"header_zh": zh, "header_en": en}

    letters = raw.letters
    # --- row-level checks: once per source row --------------------------------------------
    first = ~cells["row"].duplicated().to_numpy()
    rows_df = cells[first]
    r_rows = rows_df["row"].to_numpy(dtype=np.int64)

    item_codes, item_u = pd.factorize(rows_df["item"], use_na_sentinel=False)
    item_id_u = [aliases.get(str(u).lower()) for u in item_u]
    item_empty_u = np.asarray([str(u) == "" for u in item_u], dtype=bool)
    item_unknown_u = np.asarray([i is None for i in item_id_u], dtype=bool)
    m = (item_unknown_u & item_empty_u)[item_codes]
    prob("intake_required", r_rows[m], letters.get("item"), None, **header("item"))
    m = (item_unknown_u & ~item_empty_u)[item_codes]
    prob("intake_unknown_item", r_rows[m], letters.get("item"), rows_df["item"].to_numpy()[m])
    pos_u = np.asarray([items.index.get_loc(i) if i is not None else -1 for i in item_id_u], dtype=np.int64)
    row_item = pos_u[item_codes] if len(item_codes) else np.zeros(0, dtype=np.int64)

    # units, once per distinct (unit, item)
    unit_codes, unit_u = pd.factorize(rows_df["unit"], use_na_sentinel=False)
    unit_empty = np.asarray([str(u) == "" for u in unit_u], dtype=bool)[unit_codes]
    prob("intake_required", r_rows[unit_empty], letters.get("unit"), None, **header("unit"))
    canon = items["canonical_unit"].to_numpy(dtype=object)
    factor = np.full(len(rows_df), np.nan)
    all_units = [u for c in UNIT_CHOICES.values() for u in c]
    pairs = pd.DataFrame({"u": unit_codes, "i": row_item}).drop_duplicates()
    for uc, ic in zip(pairs["u"].to_numpy(), pairs["i"].to_numpy(), strict=True):
        u = str(unit_u[uc])
        if not u:
            continue
        sel = (unit_codes == uc) & (row_item == ic)
        try:
            if ic < 0:
                units.parse_unit(u)  # the unit alone can still be unknown
                continue
            factor[sel] = units.conversion_factor(u, str(canon[ic]))
        except UnitError as exc:
            code = exc.problems[0].code if exc.problems else "unknown_unit"
            if code == "wrong_dimension":
                key = dimension_key(str(canon[ic]))
                prob(
                    "intake_wrong_dimension",
                    r_rows[sel],
                    letters.get("unit"),
                    u,
                    expected=str(canon[ic]),
                    **_item_fields(str(items.index[ic])),
                    **_listed(UNIT_CHOICES[key] if key else [str(canon[ic])]),
                )
            else:
                prob("intake_unknown_unit", r_rows[sel], letters.get("unit"), u, **_listed(all_units))
    unit_sym = np.asarray(
        [units.unit_symbol(str(u)) if _parses(str(u)) else str(u) for u in unit_u], dtype=object
    )

    # line codes
    line_t = rows_df["line"].to_numpy(dtype=object)
    bad_line = np.zeros(len(rows_df), dtype=bool)
    if line_codes is not None:
        known = {c.upper(): c for c in line_codes}
        bad_line = np.asarray([bool(x) and str(x).upper() not in known for x in line_t], dtype=bool)
        prob(
            "intake_unknown_line",
            r_rows[bad_line],
            letters.get("line"),
            line_t[bad_line],
            **_listed(sorted(known.values()) or ["—"]),
        )
        line_t = np.asarray([known.get(str(x).upper(), x) for x in line_t], dtype=object)

    # measured parameters (实测值), once per source row: the activity files' rules and messages
    row_measured, m_problems = _measured_rows(rows_df, row_item, items, letters, file, sheet)
    problems.extend(m_problems)

    # --- cell-level checks ------------------------------------------------------------------
    qty, blank, not_num, bad_sep = _numbers(cells["value"])
    c_rows = cells["row"].to_numpy(dtype=np.int64)
    c_cols = cells["col"].to_numpy(dtype=object)
    c_vals = cells["value"].to_numpy(dtype=object)
    c_month = cells["month"].to_numpy(dtype=np.int64)

    def cell_prob(code: str, mask: np.ndarray, **fields: Any) -> None:
        for i in np.flatnonzero(mask):
            h = _month_header(int(c_month[i]), raw.kind)
            problems.append(
                Problem(
                    code,
                    column=str(c_cols[i]),
                    value=None if code == "intake_month_missing" else c_vals[i],
                    row=int(c_rows[i]),
                    file=file,
                    sheet=sheet,
                    fields={**h, **fields},
                )
            )

    if raw.kind == "xlsx":
        cell_prob("intake_month_missing", blank)
    else:
        cell_prob("intake_required", blank)
    cell_prob("intake_not_a_number", not_num)
    cell_prob("intake_bad_separator", bad_sep)
    inf = ~np.isnan(qty) & ~np.isfinite(qty)
    cell_prob("intake_not_finite", inf)
    neg = np.isfinite(qty) & (qty < 0)
    cell_prob("intake_negative", neg)

    # --- expand row-level results to cells ------------------------------------------------
    pos = pd.Index(r_rows).get_indexer(c_rows)
    cell_item = row_item[pos] if len(pos) else np.zeros(0, dtype=np.int64)
    cell_line = line_t[pos] if len(pos) else np.zeros(0, dtype=object)
    cell_factor = factor[pos] if len(pos) else np.zeros(0)

    # physical bound: |figure| in the item's canonical unit (an overflow counts as beyond)
    with np.errstate(over="ignore", invalid="ignore"):
        canon_qty = qty * cell_factor
    too_large = np.isfinite(qty) & np.isfinite(cell_factor) & ~(np.abs(canon_qty) <= MAX_QUANTITY)
    for i in np.flatnonzero(too_large):
        problems.append(
            Problem(
                "figure_too_large",
                column=str(c_cols[i]),
                value=c_vals[i],
                row=int(c_rows[i]),
                file=file,
                sheet=sheet,
                fields={
                    **_month_header(int(c_month[i]), raw.kind),
                    "limit": f"{MAX_QUANTITY:.0e}",
                    "unit": str(canon[cell_item[i]]) if cell_item[i] >= 0 else "",
                },
            )
        )

    # duplicates: the same line × item (× month) twice
    keys = pd.DataFrame({"l": cell_line, "i": cell_item, "m": c_month})
    dup = keys.duplicated(keep="first").to_numpy() & (cell_item >= 0)
    if dup.any():
        firsts = pd.Series(c_rows, index=pd.MultiIndex.from_frame(keys)).groupby(level=[0, 1, 2]).min()
        seen_rows: set[int] = set()
        for i in np.flatnonzero(dup):
            if int(c_rows[i]) in seen_rows:
                continue
            seen_rows.add(int(c_rows[i]))
            first_row = int(firsts[(cell_line[i], cell_item[i], c_month[i])])
            problems.append(
                Problem(
                    "intake_duplicate_row",
                    column=letters.get("item"),
                    value=str(cells["item"].iat[int(i)]),
                    row=int(c_rows[i]),
                    file=file,
                    sheet=sheet,
                    fields={"line": cell_line[i] or "—", "first_row": first_row},
                )
            )

    # CSV: each line × item needs all twelve months
    if raw.kind == "csv" and len(cells):
        have = pd.DataFrame({"l": cell_line, "i": cell_item, "m": c_month, "row": c_rows})
        have = have[have["i"] >= 0]
        months_per = have.groupby(["l", "i"], sort=False)["m"].transform("nunique")
        have = have[months_per.to_numpy() < 12]  # only incomplete groups are looked at
        for (ln, it), grp in have.groupby(["l", "i"], sort=False):
            missing = sorted(set(range(1, 13)) - set(grp["m"].tolist()))
            for mo in missing:
                problems.append(
                    Problem(
                        "intake_month_missing",
                        column=letters.get("period"),
                        value=None,
                        row=int(grp["row"].min()),
                        file=file,
                        sheet=sheet,
                        fields={
                            **_month_header(mo, "xlsx"),
                            "line": ln,
                            "item": str(items.index[int(str(it))]),
                        },
                    )
                )

    good = (
        ~blank
        & ~not_num
        & np.isfinite(qty)
        & (qty >= 0)
        & (cell_item >= 0)
        & np.isfinite(cell_factor)
        & ~too_large
        & (year is not None)
    )
    if len(pos):
        good &= ~bad_line[pos]
    good &= ~dup
    if not len(cells):
        problems.append(
            Problem(
                "intake_empty",
                file=file,
                sheet=sheet,
            )
        )
    g = np.flatnonzero(good)
    u_codes_cells = unit_codes[pos[g]] if len(g) else np.zeros(0, dtype=np.int64)
    values = pd.DataFrame(
        {
            "line_code": pd.Series(cell_line[g], dtype=object).fillna("").astype(str).to_numpy(),
            "item": np.asarray(items.index, dtype=object)[cell_item[g]],
            "period": [f"{year}-{m_:02d}" for m_ in c_month[g]],
            "month": c_month[g],
            "quantity": qty[g] * cell_factor[g],
            "unit": canon[cell_item[g]],
            "quantity_in": qty[g],
            "unit_in": unit_sym[u_codes_cells] if len(g) else np.zeros(0, dtype=object),
            "purity": np.full(len(g), np.nan),
            "sheet": sheet or "",
            "row": c_rows[g],
            "col": c_cols[g],
        },
        columns=list(VALUE_COLUMNS),
    )
    for k, v in row_measured.items():
        values[k] = v[pos[g]] if len(g) else np.zeros(0)
    problems.sort(key=lambda p: (p.sheet != raw.info_sheet, p.row or 0, _col_order(p.column), p.code))
    return Validated(values=values, problems=problems, year=year)


#: The workbook column of each engine column of a measured parameter.
_MEASURED_SOURCE = {
    "ncv_gj": "ncv",
    "cc_tc_per_tj": "carbon_content",
    "cc_tc_per_unit": "carbon_content",
    "oxidation": "oxidation",
}


def _measured_rows(
    rows_df: pd.DataFrame,
    row_item: np.ndarray,
    items: pd.DataFrame,
    letters: Mapping[str, str],
    file: str,
    sheet: str | None,
) -> tuple[dict[str, np.ndarray], list[Problem]]:
    """The measured parameters of each source row in the engine's canonical units
    (``ncv_gj``, ``cc_tc_per_tj`` or ``cc_tc_per_unit``, ``oxidation``; only the columns
    some row gives), and their located problems.

    The values and their units are read by the activity files' reader
    (:func:`carbonpeak.io.activity._measured_columns`: ``not_a_number``, ``required`` for a
    value without its unit, ``wrong_dimension``), the ranges and the fuel-only rule by the
    engine's (:func:`carbonpeak.accounting.measured.measured_problems`: ``out_of_range``,
    ``measured_not_applicable``); each problem is located at the cell it comes from.
    """
    present = [k for k in MEASURED_KEYS if k in rows_df]
    if not present:
        return {}, []
    problems: list[Problem] = []
    r_rows = rows_df["row"].to_numpy(dtype=np.int64)

    def located(p: Problem, key: str, i: int) -> Problem:
        zh, en = _HEADERS.get(key, (key, key))
        return replace(
            p,
            column=letters.get(key, key),
            row=int(r_rows[i]),
            file=file,
            sheet=sheet,
            fields={**dict(p.fields), "column": f"{zh} {en}" if zh != en else key},
        )

    def flag(mask: np.ndarray, code: str, column: str, values: object = None, **fields: object) -> None:
        for i in np.flatnonzero(mask):
            v = values[i] if isinstance(values, (np.ndarray, list)) else values
            problems.append(located(Problem(code, value=v, fields=fields), column, int(i)))

    raw = pd.DataFrame({k: rows_df[k].to_numpy(dtype=object) for k in present})
    canon = items["canonical_unit"].to_numpy(dtype=object)
    cols = {k: np.asarray(v, dtype=float) for k, v in measured_columns(raw, row_item, canon, flag).items()}
    if cols:
        a = pd.DataFrame(cols).assign(
            item=np.asarray(items.index, dtype=object)[np.clip(row_item, 0, None)] if len(items) else "",
            row=np.arange(len(raw)),
        )
        code = np.where(row_item >= 0, row_item, len(items))
        # an unknown item is reported as such, not again as a non-fuel (its slot counts as fuel)
        fuel_i = np.append(items["kind"].to_numpy(dtype=object) == "fuel", True)
        no_al = np.zeros(len(items) + 1, dtype=bool)
        item_text = rows_df["item"].to_numpy(dtype=object)
        bad_rows: list[int] = []
        for p in ms.measured_problems(a, code, fuel_i, no_al):
            i = int(p.row or 0)
            p2 = p if p.code != "measured_not_applicable" else replace(p, value=str(item_text[i]))
            problems.append(located(p2, _MEASURED_SOURCE.get(str(p.column), str(p.column)), i))
            bad_rows.append(i)
        for v in cols.values():  # refused values do not reach the engine (the import fails anyway)
            v[bad_rows] = np.nan
    return cols, problems


def locate_measured(raw: RawSubmission, p: Problem, row: int) -> Problem:
    """*p*, a problem the engine reports on a measured parameter (``column`` the engine's,
    e.g. ``ncv_gj``), located at the workbook cell it came from: *row*, the letter of its
    source column (``ncv`` …), the file and sheet; the message names the column's headers."""
    key = _MEASURED_SOURCE.get(str(p.column), str(p.column))
    zh, en = _HEADERS.get(key, (key, key))
    return replace(
        p,
        column=raw.letters.get(key, key),
        row=row,
        file=raw.file,
        sheet=raw.sheet,
        fields={**dict(p.fields), "column": f"{zh} {en}" if zh != en else key},
    )


def _col_order(col: str | None) -> tuple[int, str]:
    return (len(col or ""), col or "")


@lru_cache(maxsize=1)
def _item_names() -> dict[str, tuple[str, str]]:
    from carbonpeak import refdata  # noqa: PLC0415 — only for messages

    return {
        str(r["id"]): (str(r["name_zh"]), str(r["name_en"])) for r in refdata.load_table("accounting/items")
    }


def _item_fields(item_id: str) -> dict[str, str]:
    zh, en = _item_names().get(item_id, (item_id, item_id))
    return {"item_zh": zh, "item_en": en, "item": item_id}


def _listed(values: Sequence[str]) -> dict[str, str]:
    """A list shown in a message: ``allowed_zh`` (、-separated) and ``allowed_en`` (commas)."""
    return {"allowed_zh": "、".join(values), "allowed_en": ", ".join(values)}


def _parses(u: str) -> bool:
    try:
        units.parse_unit(u)
    except UnitError:
        return False
    return True


def _month_header(month: int, kind: str) -> dict[str, str]:
    zh, en = _MONTH_HEADERS[MONTH_KEYS[month - 1]]
    return {"header_zh": zh, "header_en": en, "month": str(month)}


# --- marking a rejected workbook ---------------------------------------------------------


def mark_workbook(data: bytes, filename: str, problems: Sequence[Problem]) -> bytes:
    """A copy of the uploaded workbook with every located bad cell filled red, a comment
    giving the reason (zh and en), and a ``问题 Problems`` sheet listing every problem.

    Problems without a cell (a missing sheet) appear on the problems sheet only. The
    input must be a readable xlsx (a CSV or a broken file raises :class:`InputError`).
    """
    from openpyxl.comments import Comment  # noqa: PLC0415
    from openpyxl.styles import Font, PatternFill  # noqa: PLC0415

    name = Path(filename).name or "upload.xlsx"
    if Path(name).suffix.lower() not in (".xlsx", ".xlsm"):
        raise _bad_file(name, "only an xlsx workbook can be marked")
    wb = open_workbook(data, name, read_only=False)
    red = PatternFill("solid", fgColor="FF9999")
    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.sheet and p.sheet in wb.sheetnames and p.row and p.column and p.column.isalpha():
            by_cell.setdefault((p.sheet, f"{p.column}{p.row}"), []).append(p)
    for (sheet, ref), ps in by_cell.items():
        ws = wb[sheet]
        was_protected = ws.protection.sheet
        cell = ws[ref]
        cell.fill = red
        text = "\n".join(f"{p.message_zh}\n{p.message_en}" for p in ps)
        cell.comment = Comment(text[:30000], "carbonpeak", width=320, height=160)
        ws.protection.sheet = was_protected
    if SHEET_PROBLEMS in wb.sheetnames:
        del wb[SHEET_PROBLEMS]
    ws = wb.create_sheet(SHEET_PROBLEMS, 0)
    ws.append(["#", "工作表 Sheet", "行 Row", "列 Column", "值 Value", "代码 Code", "原因", "Reason"])
    for c in ws[1]:
        c.font = Font(bold=True)
    for i, p in enumerate(problems, start=1):
        ws.append(
            [
                i,
                p.sheet or "",
                p.row,
                p.column or "",
                _safe_text(p.value),
                p.code,
                p.message_zh,
                p.message_en,
            ]
        )
    for letter, width in zip("ABCDEFGH", (5, 16, 7, 8, 18, 24, 60, 60), strict=True):
        ws.column_dimensions[letter].width = width
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _safe_text(v: Any) -> str:
    """A value shown on the problems sheet as inert text (formula-looking text quoted)."""
    s = "" if v is None else str(v)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s
