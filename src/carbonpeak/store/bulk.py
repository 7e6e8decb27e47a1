"""Bulk writes: many rows into one table inside the caller's transaction.

``COPY … FROM STDIN`` on PostgreSQL (psycopg 3), one ``executemany`` of plain tuples on
SQLite — both bypass the ORM's per-row work, which dominates at province scale (millions
of inventory lines). NaN floats are written as NULL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

__all__ = ["frame_rows", "insert_frame", "insert_rows", "read_frame"]


def _column(s: pd.Series) -> list[Any]:
    """One column as plain Python values (NaN/NA → None), without a per-value Python check
    where the dtype allows it."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = np.asarray([_plain(v) for v in s.cat.categories], dtype=object)
        codes = s.cat.codes.to_numpy()
        out = cats[np.where(codes < 0, 0, codes)] if len(cats) else np.full(len(s), None, dtype=object)
        if (codes < 0).any():
            out = out.copy()
            out[codes < 0] = None
        return list(out.tolist())
    kind = s.dtype.kind if not isinstance(s.dtype, pd.api.extensions.ExtensionDtype) else "O"
    if kind == "f":
        arr = s.to_numpy(dtype=float)
        nan = np.isnan(arr)
        if not nan.any():
            return list(arr.tolist())
        obj = arr.astype(object)
        obj[nan] = None
        return list(obj.tolist())
    if kind in "iub":
        return list(s.to_numpy().tolist())
    obj = s.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]  # pandas-stubs: None is a valid na_value
    if isinstance(s.dtype, pd.api.extensions.ExtensionDtype) and s.dtype.kind in "iub":
        return list(obj.tolist())  # nullable integers and booleans: Python ints/bools and None
    return (
        [_plain(v) for v in obj.tolist()]
        if kind == "O" and len(obj) and not isinstance(obj[0], str)
        else list(obj.tolist())
    )


def _plain(v: Any) -> Any:
    if v is None or isinstance(v, str | bool | int):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    item = getattr(v, "item", None)
    return item() if callable(item) else str(v)


def frame_rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """The rows of *frame*'s *columns* as tuples of plain Python values (NaN → None)."""
    return list(zip(*(_column(frame[c]) for c in columns), strict=True))


def insert_rows(db: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert *rows* (tuples in *columns* order) into *table*; returns the row count."""
    if not rows:
        return 0
    raw = db.connection().connection.driver_connection
    assert raw is not None  # noqa: S101 — a live connection of the session's transaction
    names = ", ".join(columns)
    if db.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
    else:
        marks = ", ".join("?" * len(columns))
        cur = raw.cursor()
        try:
            cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608 — names are ours
        finally:
            cur.close()
    return len(rows)


def insert_frame(db: Session, table: str, frame: pd.DataFrame, columns: Sequence[str]) -> int:
    """Insert the *columns* of *frame* into *table* (see :func:`insert_rows`). On PostgreSQL,
    ``COPY`` fed row tuples built column by column beat a CSV stream formatted by pandas
    (a 400-enterprise bulk load, 420 000 activity rows: 11.9 s against 16.4 s; pandas'
    float formatting costs more than the tuples)."""
    return insert_rows(db, table, columns, frame_rows(frame, columns))


def read_frame(db: Session, stmt: Any, columns: Sequence[str]) -> pd.DataFrame:
    """The rows of *stmt* as a frame with *columns*, built column by column (a frame built
    from row objects pays a per-row attribute probe that dominates at millions of rows)."""
    result = db.connection().execute(stmt)
    # the driver's plain tuples (no per-row Row objects); values are the driver's types
    rows = result.cursor.fetchall() if result.cursor is not None else result.all()
    if not rows:
        return pd.DataFrame(columns=list(columns))
    table = np.array(rows, dtype=object)  # one C pass: rows × columns of driver values
    if table.ndim != 2 or table.shape[1] != len(columns):  # a value that is itself a sequence
        table = np.empty((len(rows), len(columns)), dtype=object)
        for j, col in enumerate(zip(*rows, strict=True)):
            table[:, j] = col
    return pd.DataFrame({c: _array(table[:, j]) for j, c in enumerate(columns)})


def _array(values: np.ndarray) -> pd.Series:
    """One fetched column (an object array of the driver's values) typed by what it holds:
    integers → int64 (float when any is NULL), numbers → float (NULL → NaN), booleans →
    bool, text and the rest → plain objects — one C pass each, without pandas inferring value by value and
    without Arrow-backed strings, whose takes dominate the joins downstream."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    nulls = pd.isna(values)
    if kind == "boolean" and not nulls.any():
        return pd.Series(values.astype(bool), copy=False)
    if kind == "integer" and not nulls.any():
        return pd.Series(values.astype(np.int64), copy=False)
    if kind in ("integer", "floating", "mixed-integer-float"):
        numbers = values.copy()
        numbers[nulls] = np.nan
        return pd.Series(numbers.astype(float), copy=False)
    return pd.Series(values, dtype=object, copy=False)
