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

__all__ = ["frame_rows", "insert_frame", "insert_rows"]


def frame_rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """The rows of *frame*'s *columns* as tuples of plain Python values (NaN → None)."""
    cols: list[list[Any]] = []
    for c in columns:
        s = frame[c]
        vals: list[Any]
        if isinstance(s.dtype, pd.api.extensions.ExtensionDtype) and not isinstance(
            s.dtype, pd.CategoricalDtype
        ):
            vals = s.astype(object).where(s.notna(), None).tolist()  # Int64 and friends: NA → None
        elif s.dtype.kind == "f":
            arr = s.to_numpy(dtype=float)
            vals = arr.tolist()
            if np.isnan(arr).any():
                vals = [None if math.isnan(v) else v for v in vals]
        elif s.dtype.kind in "iub":
            vals = s.to_numpy().tolist()
        else:
            vals = [
                None if (v is None or (isinstance(v, float) and math.isnan(v))) else v for v in s.tolist()
            ]
            vals = [v if v is None or isinstance(v, str | int | float | bool) else str(v) for v in vals]
        cols.append(vals)
    return list(zip(*cols, strict=True))


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
    """Insert the *columns* of *frame* into *table* (see :func:`insert_rows`)."""
    return insert_rows(db, table, columns, frame_rows(frame, columns))
