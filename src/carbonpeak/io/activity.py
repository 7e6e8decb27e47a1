"""Activity data in files: ``enterprise, period, item, quantity, unit[, line][, purity]`` and the
optional measured parameters ``ncv, ncv_unit, carbon_content, carbon_content_unit, oxidation,
technology`` (docs/formats.md).

Every row is validated (item resolved from its code or Chinese/English name, unit parsed
and of the item's dimension, quantity a non-negative number, period ``YYYY`` or
``YYYY-MM``) and every problem collected before anything is returned. The work is
vectorised: text columns are factorised and each distinct value (a unit, an item name, a
period) is checked once, quantities converted with one factor per (unit, item) pair, so a
province-size file converts about as fast as it is read.

CSV and XLSX come through :func:`carbonpeak.io.tabular.read_rows`; large CSV and Parquet
files through :func:`read_activity_frame` (pyarrow, dictionary-encoded columns).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from carbonpeak import units
from carbonpeak.errors import InputError, Problem, UnitError
from carbonpeak.io.numbers import number_text, parse_numbers
from carbonpeak.io.tabular import Table

__all__ = [
    "ACTIVITY_COLUMNS",
    "ACTIVITY_OPTIONAL",
    "MAX_QUANTITY",
    "parse_activity",
    "parse_activity_frame",
    "parse_period",
    "read_activity_frame",
    "table_frame",
]

ACTIVITY_COLUMNS = ("enterprise", "period", "item", "quantity", "unit")
ACTIVITY_OPTIONAL = (
    "line",
    "purity",
    "ncv",
    "ncv_unit",
    "carbon_content",
    "carbon_content_unit",
    "oxidation",
    "technology",
)
#: The largest figure accepted, |value| in the item's canonical unit (t, kWh, GJ, Nm³ …): a
#: province's whole annual consumption of any carrier is below 1e12; beyond 1e15 is a typo
#: or an attack (1e300 would overflow the totals), refused as ``figure_too_large``. NaN and
#: ±inf are ``not_a_number`` / ``intake_not_finite``.
MAX_QUANTITY = 1e15
_PERIOD = re.compile(r"^\s*(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*月?)?\s*$")


def parse_period(text: str) -> tuple[int, int | None] | None:
    """``"2024"`` → (2024, None); ``"2024-03"``, ``"2024年3月"`` → (2024, 3); else None."""
    m = _PERIOD.match(str(text))
    if not m:
        return None
    y, mo = int(m.group(1)), (int(m.group(2)) if m.group(2) else None)
    if not 1900 <= y <= 2100 or (mo is not None and not 1 <= mo <= 12):
        return None
    return y, mo


def table_frame(table: Table) -> pd.DataFrame:
    """A :class:`Table` as a frame of text columns plus ``row`` (the row the user sees)."""
    cols = [*ACTIVITY_COLUMNS, *(c for c in ACTIVITY_OPTIONAL if table.rows and c in table.rows[0][1])]
    data = {c: [r.get(c, "") for _n, r in table.rows] for c in cols}
    frame = pd.DataFrame(data, columns=cols)
    frame.insert(0, "row", np.asarray([n for n, _r in table.rows], dtype=np.int64))
    return frame


def read_activity_frame(data: bytes, filename: str) -> pd.DataFrame:
    """Read a large CSV or Parquet activity file with pyarrow (text columns categorical)."""
    import pyarrow as pa  # noqa: PLC0415 — only for bulk files
    import pyarrow.csv as pacsv  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    name = Path(filename).name
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".parquet":
            tab = pq.read_table(io.BytesIO(data))
        elif suffix == ".csv":
            tab = pacsv.read_csv(
                io.BytesIO(data),
                convert_options=pacsv.ConvertOptions(
                    column_types={
                        c: pa.string() for c in (*ACTIVITY_COLUMNS, *ACTIVITY_OPTIONAL) if c != "quantity"
                    },
                    strings_can_be_null=False,
                    auto_dict_encode=True,
                    auto_dict_max_cardinality=1 << 20,
                ),
            )
        else:
            raise InputError(
                [
                    Problem(
                        "bad_file",
                        file=name,
                        fields={
                            "reason": f"unsupported bulk file type {suffix or '?'} (use .csv or .parquet)"
                        },
                    )
                ]
            )
        frame: pd.DataFrame = tab.to_pandas()  # column names not UTF-8 fail here
    except InputError:
        raise
    # ArrowInvalid, and what a file that is not UTF-8 or a damaged Parquet raises
    # (UnicodeDecodeError, ArrowNotImplementedError …)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError([Problem("bad_file", file=name, fields={"reason": str(exc)[:300]})]) from exc
    lower = {c.lower().strip(): c for c in frame.columns}
    missing = [c for c in ACTIVITY_COLUMNS if c not in lower]
    if missing:
        raise InputError([Problem("missing_column", file=name, row=1, column=c) for c in missing])
    frame = frame.rename(columns={v: k for k, v in lower.items()})
    keep = [c for c in (*ACTIVITY_COLUMNS, *ACTIVITY_OPTIONAL) if c in frame.columns]
    frame = frame[keep]
    frame.insert(0, "row", np.arange(2, len(frame) + 2, dtype=np.int64))
    return frame


def _factorised(col: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct stripped texts of a text column (categoricals reuse their codes)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return (np.asarray(col.cat.codes, dtype=np.int64), [str(v).strip() for v in col.cat.categories])
    codes, uniques = pd.factorize(col.fillna("").astype(str), use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), [str(v).strip() for v in uniques]


def parse_activity(
    table: Table,
    items: pd.DataFrame,
    aliases: Mapping[str, str],
) -> pd.DataFrame:
    """Validate a :class:`Table` (CSV/XLSX rows) and return the canonical activity frame."""
    return parse_activity_frame(table_frame(table), items, aliases, file=table.file, sheet=table.sheet)


def parse_activity_frame(
    raw: pd.DataFrame,
    items: pd.DataFrame,
    aliases: Mapping[str, str],
    *,
    file: str | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Validate *raw* (text columns + ``row``) and return the canonical activity frame.

    *items* is the factor set's item frame (index item id; ``canonical_unit``), *aliases*
    maps lower-cased spellings to item ids. Returns columns ``file, row, enterprise, line,
    period, year, month, item`` (categorical), ``quantity`` (canonical unit),
    ``quantity_in, unit_in, purity`` and, where the file has them, the measured parameters
    in the engine's canonical units: ``ncv_gj`` [GJ per the item's canonical unit],
    ``cc_tc_per_tj`` [tC/TJ] or ``cc_tc_per_unit`` [tC per canonical unit] (a carbon content
    per mass or volume), ``oxidation`` [fraction], ``technology`` (text). Raises
    :class:`InputError` listing every problem.
    """
    n = len(raw)
    if n == 0:  # a header and no rows: nothing to check or compute
        raise InputError(
            [Problem("bad_file", file=file, sheet=sheet, fields={"reason": "no rows below the header"})]
        )
    rows = raw["row"].to_numpy(dtype=np.int64)
    problems: list[tuple[int, Problem]] = []

    def flag(mask: np.ndarray, code: str, column: str, values: object = None, **fields: object) -> None:
        for i in np.flatnonzero(mask):
            v = values[i] if isinstance(values, (np.ndarray, list)) else values
            problems.append(
                (
                    int(i),
                    Problem(
                        code, column=column, value=v, row=int(rows[i]), file=file, sheet=sheet, fields=fields
                    ),
                )
            )

    # enterprise
    ent_codes, ent_u = _factorised(raw["enterprise"])
    ent_u_up = np.asarray([u.upper() for u in ent_u], dtype=object)
    flag((ent_u_up == "")[ent_codes], "required", "enterprise")

    # period
    per_codes, per_u = _factorised(raw["period"])
    parsed = [parse_period(u) for u in per_u]
    bad_p = np.asarray([p is None for p in parsed])[per_codes]
    empty_p = np.asarray([u == "" for u in per_u])[per_codes]
    flag(bad_p & empty_p, "required", "period")
    flag(bad_p & ~empty_p, "bad_period", "period", np.asarray(per_u, dtype=object)[per_codes])
    year_u = np.asarray([p[0] if p else 0 for p in parsed], dtype=np.int64)
    month_u = np.asarray([p[1] if p and p[1] else np.nan for p in parsed], dtype=float)
    label_u = np.asarray(
        [("" if p is None else f"{p[0]}" if p[1] is None else f"{p[0]}-{p[1]:02d}") for p in parsed],
        dtype=object,
    )

    # item
    item_codes, item_u = _factorised(raw["item"])
    item_id_u = [aliases.get(u.lower()) for u in item_u]
    unknown_u = np.asarray([i is None for i in item_id_u])
    empty_i = np.asarray([u == "" for u in item_u])
    flag((unknown_u & empty_i)[item_codes], "required", "item")
    flag(
        (unknown_u & ~empty_i)[item_codes],
        "unknown_item",
        "item",
        np.asarray(item_u, dtype=object)[item_codes],
    )

    # quantity
    qcol = raw["quantity"]
    bad_sep = np.zeros(n, dtype=bool)
    if pd.api.types.is_numeric_dtype(qcol):
        qty = qcol.to_numpy(dtype=float)
        not_num = ~np.isfinite(qty)
        empty_q = np.isnan(qty)
    else:
        text = qcol.astype(str)
        qty, bad_sep = parse_numbers(text)  # "1,5" is refused, never read as 15
        not_num = ~np.isfinite(qty)
        empty_q = np.zeros(n, dtype=bool)
        if not_num.any():
            idx = np.flatnonzero(not_num)
            empty_q[idx] = text.iloc[idx].str.strip().isin(["", "nan", "None"]).to_numpy()
    if not_num.any():
        shown = qcol.to_numpy(dtype=object)
        flag(not_num & empty_q, "required", "quantity")
        flag(not_num & ~empty_q & ~bad_sep, "not_a_number", "quantity", shown)
        flag(bad_sep, "bad_thousands_separator", "quantity", shown)
    if (qty < 0).any():
        flag(~not_num & (qty < 0), "negative", "quantity", qcol.to_numpy(dtype=object))

    # unit, against the item's canonical unit, once per distinct (unit, item) pair
    unit_codes, unit_u = _factorised(raw["unit"])
    flag(np.asarray([u == "" for u in unit_u])[unit_codes], "required", "unit")
    item_idx = np.asarray(
        [items.index.get_loc(i) if i is not None else -1 for i in item_id_u], dtype=np.int64
    )[item_codes]
    canon = items["canonical_unit"].to_numpy(dtype=object)
    seen = np.zeros((len(unit_u), len(items) + 1), dtype=bool)
    seen[unit_codes, item_idx + 1] = True
    factor_tab = np.full(seen.shape, np.nan)
    for uc, ic in zip(*np.nonzero(seen), strict=True):
        u, it = unit_u[uc], int(ic) - 1
        if it < 0 or not u:
            continue
        try:
            factor_tab[uc, ic] = units.conversion_factor(u, str(canon[it]))
        except UnitError as exc:
            p = exc.problems[0]
            flag((unit_codes == uc) & (item_idx == it), p.code, "unit", u, **dict(p.fields))
    factor = factor_tab[unit_codes, item_idx + 1]

    # physical bound in the canonical unit (an overflow counts as beyond it)
    with np.errstate(over="ignore", invalid="ignore"):
        canon_qty = qty * factor
    beyond = ~not_num & np.isfinite(factor) & ~(np.abs(canon_qty) <= MAX_QUANTITY)
    for it in np.unique(item_idx[beyond]):
        flag(
            beyond & (item_idx == it),
            "figure_too_large",
            "quantity",
            qcol.to_numpy(dtype=object),
            header_zh="数量",
            header_en="quantity",
            limit=f"{MAX_QUANTITY:.0e}",
            unit=str(canon[int(it)]),
        )

    # purity (optional): a fraction or a percentage
    purity = None
    if "purity" in raw:
        pur_codes, pur_u = _factorised(raw["purity"])
        vals = []
        for u in pur_u:
            try:
                v = float(u.rstrip("%")) / (100.0 if u.endswith("%") else 1.0) if u else np.nan
            except ValueError:
                v = -1.0
            vals.append(v if np.isnan(v) or 0 < v <= 1 else -1.0)
        purity = np.asarray(vals, dtype=float)[pur_codes]
        flag(purity == -1.0, "not_a_number", "purity", np.asarray(pur_u, dtype=object)[pur_codes])

    measured = _measured_columns(raw, item_idx, canon, flag)

    if problems:
        raise InputError([p for _i, p in sorted(problems, key=lambda t: (t[0], t[1].column or ""))])

    line = _cat(*_factorised(raw["line"])) if "line" in raw else _cat(np.zeros(n, dtype=np.int64), [""])
    out = pd.DataFrame(
        {
            "file": _cat(np.zeros(n, dtype=np.int64), [file or ""]),
            "row": rows,
            "enterprise": _cat(ent_codes, list(ent_u_up)),
            "line": line,
            "period": _cat(per_codes, list(label_u)),
            "year": year_u[per_codes],
            "month": month_u[per_codes],
            "item": pd.Categorical.from_codes(item_idx, categories=items.index),
            "quantity": qty * factor,
            "quantity_in": qty,
            "unit_in": _cat(unit_codes, unit_u),
        }
    )
    out["purity"] = np.nan if purity is None else purity
    for k, col in measured.items():
        out[k] = col
    return out


def _fractions(raw: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A number column that may be written with a % sign: (values, codes, distinct texts);
    NaN where empty, −inf where not a number (``26,5`` too: a comma only in thousands groups,
    :mod:`carbonpeak.io.numbers`)."""
    codes, uniq = _factorised(raw[col])
    vals = []
    for u in uniq:
        body = number_text(u.removesuffix("%"))
        t = "not a number" if body is None else body + ("%" if u.endswith("%") else "")
        try:
            v = (
                np.nan
                if t.lower() in ("", "nan")
                else float(t.rstrip("%")) / (100.0 if t.endswith("%") else 1.0)
            )
        except ValueError:
            v = -np.inf
        vals.append(v)
    return np.asarray(vals, dtype=float)[codes], codes, uniq


def _measured_columns(
    raw: pd.DataFrame, item_idx: np.ndarray, canon: np.ndarray, flag: Callable[..., None]
) -> dict[str, np.ndarray | pd.Categorical]:
    """The measured-parameter columns of *raw* in canonical units (problems through *flag*).

    ``ncv`` in ``ncv_unit`` (GJ/t, GJ/万Nm3, MJ/kg …) → ``ncv_gj`` per the item's canonical
    unit; ``carbon_content`` in ``carbon_content_unit``: per heat (tC/TJ, kgC/GJ) →
    ``cc_tc_per_tj``, per mass or volume (tC/t …) → ``cc_tc_per_unit``; ``oxidation`` as a
    fraction or a percentage → ``oxidation``; ``technology`` as written (the engine checks it).
    A value without its unit is ``required``; a unit of the wrong kind ``wrong_dimension``.
    """
    n = len(raw)
    out: dict[str, np.ndarray | pd.Categorical] = {}

    def per_unit(value_col: str, unit_col: str, targets: dict[str, str]) -> None:
        if value_col not in raw:
            return
        vals, _c, _u = _fractions(raw, value_col)
        shown = raw[value_col].to_numpy(dtype=object)
        flag(np.isneginf(vals), "not_a_number", value_col, shown)
        given = np.isfinite(vals)
        if not given.any():
            return
        ucodes, uu = _factorised(raw[unit_col]) if unit_col in raw else (np.zeros(n, dtype=np.int64), [""])
        flag(given & np.asarray([u == "" for u in uu])[ucodes], "required", unit_col)
        res = {k: np.full(n, np.nan) for k in targets}
        pairs = {(int(uc), int(ic)) for uc, ic, g in zip(ucodes, item_idx, given, strict=True) if g}
        for uc, ic in pairs:
            u = uu[uc]
            if not u or ic < 0:
                continue
            sel = given & (ucodes == uc) & (item_idx == ic)
            for target, template in targets.items():
                try:
                    fac = units.conversion_factor(u, template.format(unit=canon[ic]))
                except UnitError:
                    continue
                res[target][sel] = vals[sel] * fac
                break
            else:
                flag(
                    sel,
                    "wrong_dimension",
                    unit_col,
                    u,
                    expected=" | ".join(t.format(unit=canon[ic]) for t in targets.values()),
                )
        for k, v in res.items():
            if not np.isnan(v).all():
                out[k] = v

    per_unit("ncv", "ncv_unit", {"ncv_gj": "GJ/{unit}"})
    per_unit(
        "carbon_content", "carbon_content_unit", {"cc_tc_per_tj": "tC/TJ", "cc_tc_per_unit": "tC/{unit}"}
    )
    if "oxidation" in raw:
        vals, _c, _u = _fractions(raw, "oxidation")
        flag(np.isneginf(vals), "not_a_number", "oxidation", raw["oxidation"].to_numpy(dtype=object))
        if np.isfinite(vals).any():
            out["oxidation"] = np.where(np.isfinite(vals), vals, np.nan)
    if "technology" in raw:
        codes, uniq = _factorised(raw["technology"])
        if any(uniq):
            out["technology"] = _cat(codes, uniq)
    return out


def _cat(codes: np.ndarray, uniques: list[str]) -> pd.Categorical:
    """A categorical from codes into *uniques*, merging uniques that are equal text."""
    recode, labels = pd.factorize(pd.Index(uniques, dtype=object))
    return pd.Categorical.from_codes(np.asarray(recode)[codes], categories=labels)
