"""Raw meter readings in bulk: idempotent on (meter, ts), the latest arrival kept.

:func:`upsert_readings` writes a frame of readings inside the caller's transaction:

- **PostgreSQL**: the month partitions the batch needs are created first
  (:func:`ensure_partitions`; ``meter_reading`` is partitioned by month of ``ts`` in the
  schema ``meter_reading_part``, see migration 0011); the rows are ``COPY``-ed into a
  temporary table, then one ``INSERT … SELECT DISTINCT ON (meter_id, ts) … ON CONFLICT
  (meter_id, ts) DO UPDATE … WHERE excluded.received_at >= meter_reading.received_at``
  moves them in, so a late duplicate never overwrites a later arrival.
- **SQLite**: the same statement through one ``executemany`` (the batch first reduced to
  its latest arrival per key in pandas, as ``DISTINCT ON`` does).

Timestamps are UTC epoch seconds (integers).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from carbonpeak.store.bulk import frame_rows, read_frame
from carbonpeak.store.models import MeterReading

__all__ = [
    "PART_SCHEMA",
    "READING_COLUMNS",
    "ensure_partitions",
    "month_bounds",
    "partition_names",
    "read_readings",
    "upsert_readings",
]

PART_SCHEMA = "meter_reading_part"
READING_COLUMNS = ("meter_id", "ts", "value", "quality", "source", "received_at")
_UPDATE = (
    "ON CONFLICT (meter_id, ts) DO UPDATE SET value = excluded.value, quality = excluded.quality, "
    "source = excluded.source, received_at = excluded.received_at "
    "WHERE excluded.received_at >= meter_reading.received_at"
)


def month_bounds(ts: Iterable[int]) -> list[tuple[int, int, int, int]]:
    """The distinct UTC months holding *ts* (epoch seconds): ``(year, month, start, end)``
    with start and end as epoch seconds (end exclusive), in order."""
    arr = np.unique(np.asarray(list(ts) if not isinstance(ts, np.ndarray) else ts, dtype="int64"))
    if arr.size == 0:
        return []
    months = np.unique(arr.astype("datetime64[s]").astype("datetime64[M]"))
    out = []
    for m in months:
        start = int(m.astype("datetime64[s]").astype("int64"))
        end = int((m + 1).astype("datetime64[s]").astype("int64"))
        d = dt.datetime.fromtimestamp(start, dt.UTC)
        out.append((d.year, d.month, start, end))
    return out


def partition_names(db: Session) -> list[str]:
    """The month partitions of ``meter_reading`` on PostgreSQL (none on SQLite)."""
    if db.get_bind().dialect.name != "postgresql":
        return []
    rows = db.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'meter_reading' ORDER BY c.relname"
        )
    )
    return [str(r[0]) for r in rows]


def ensure_partitions(db: Session, ts: Iterable[int]) -> list[str]:
    """Create the month partitions (PostgreSQL) that readings at *ts* need; returns the names
    created. ``CREATE TABLE IF NOT EXISTS`` makes concurrent loaders safe."""
    if db.get_bind().dialect.name != "postgresql":
        return []
    have = set(partition_names(db))
    made = []
    for y, m, start, end in month_bounds(ts):
        name = f"meter_reading_y{y}m{m:02d}"
        if name in have:
            continue
        db.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {PART_SCHEMA}.{name} PARTITION OF meter_reading "
                f"FOR VALUES FROM ({start}) TO ({end})"
            )
        )
        made.append(name)
    return made


def _latest_per_key(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (meter_id, ts): the latest ``received_at`` (the last of equals)."""
    ordered = frame.sort_values(["meter_id", "ts", "received_at"], kind="stable")
    return ordered.drop_duplicates(["meter_id", "ts"], keep="last")


def upsert_readings(db: Session, frame: pd.DataFrame) -> int:
    """Write *frame* (columns :data:`READING_COLUMNS`) into ``meter_reading``; returns the
    number of distinct (meter, ts) keys in the batch. A key already stored is replaced only
    by a reading received at the same time or later."""
    if frame.empty:
        return 0
    batch = frame.loc[:, list(READING_COLUMNS)]
    raw = db.connection().connection.driver_connection
    assert raw is not None  # noqa: S101 — a live connection of the session's transaction
    names = ", ".join(READING_COLUMNS)
    if db.get_bind().dialect.name == "postgresql":
        ensure_partitions(db, batch["ts"].to_numpy())
        rows = frame_rows(batch, READING_COLUMNS)
        with raw.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS meter_reading_in "
                "(meter_id integer, ts bigint, value double precision, quality varchar(8), "
                "source varchar(16), received_at bigint) ON COMMIT DELETE ROWS"
            )
            cur.execute("TRUNCATE meter_reading_in")
            with cur.copy(f"COPY meter_reading_in ({names}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
            cur.execute(
                f"INSERT INTO meter_reading ({names}) "  # noqa: S608 — names are ours
                f"SELECT DISTINCT ON (meter_id, ts) {names} FROM meter_reading_in "
                f"ORDER BY meter_id, ts, received_at DESC {_UPDATE}"
            )
            cur.execute("SELECT count(*) FROM (SELECT DISTINCT meter_id, ts FROM meter_reading_in) k")
            got = cur.fetchone()
            cur.execute("TRUNCATE meter_reading_in")
        return int(got[0]) if got else 0
    latest = _latest_per_key(batch)
    rows = frame_rows(latest, READING_COLUMNS)
    cur = raw.cursor()
    try:
        cur.executemany(
            f"INSERT INTO meter_reading ({names}) VALUES (?, ?, ?, ?, ?, ?) {_UPDATE}",  # noqa: S608 — ours
            rows,
        )
    finally:
        cur.close()
    return len(rows)


def read_readings(
    db: Session, meter_ids: Sequence[int], start: int | None = None, end: int | None = None
) -> pd.DataFrame:
    """The stored readings of *meter_ids* with ``start <= ts < end`` (either bound optional),
    ordered by meter and time, as a frame with :data:`READING_COLUMNS`."""
    if db.get_bind().dialect.name == "postgresql":
        return _copy_out(db, meter_ids, start, end)
    r = MeterReading
    stmt = select(r.meter_id, r.ts, r.value, r.quality, r.source, r.received_at).where(
        r.meter_id.in_(list(meter_ids))
    )
    if start is not None:
        stmt = stmt.where(r.ts >= start)
    if end is not None:
        stmt = stmt.where(r.ts < end)
    out = read_frame(db, stmt.order_by(r.meter_id, r.ts), READING_COLUMNS)
    if out.empty:
        return out.astype({"meter_id": "int64", "ts": "int64", "value": "float64", "received_at": "int64"})
    return out


def _copy_out(db: Session, meter_ids: Sequence[int], start: int | None, end: int | None) -> pd.DataFrame:
    """PostgreSQL: the rows through ``COPY (SELECT …) TO STDOUT`` as CSV, parsed by pandas' C
    reader — several times faster than fetching millions of row tuples. Every value in the
    statement is an integer formatted here (COPY takes no bind parameters)."""
    ids = ",".join(str(int(i)) for i in meter_ids) or "0"
    where = [f"meter_id = ANY('{{{ids}}}'::integer[])"]
    if start is not None:
        where.append(f"ts >= {int(start)}")
    if end is not None:
        where.append(f"ts < {int(end)}")
    names = ", ".join(READING_COLUMNS)
    sql = (
        f"COPY (SELECT {names} FROM meter_reading WHERE {' AND '.join(where)} "  # noqa: S608 — integers only
        "ORDER BY meter_id, ts) TO STDOUT WITH (FORMAT csv)"
    )
    raw = db.connection().connection.driver_connection
    assert raw is not None  # noqa: S101 — a live connection of the session's transaction
    buf = io.BytesIO()
    with raw.cursor() as cur, cur.copy(sql) as copy:
        for block in copy:
            buf.write(block)
    buf.seek(0)
    if buf.getbuffer().nbytes == 0:
        return pd.DataFrame(
            {
                "meter_id": pd.Series(dtype="int64"),
                "ts": pd.Series(dtype="int64"),
                "value": pd.Series(dtype="float64"),
                "quality": pd.Series(dtype=object),
                "source": pd.Series(dtype=object),
                "received_at": pd.Series(dtype="int64"),
            }
        )
    dtypes = {
        c: ("object" if c in ("quality", "source") else "float64" if c == "value" else "int64")
        for c in READING_COLUMNS
    }
    out: pd.DataFrame = pd.read_csv(
        buf,
        header=None,
        names=list(READING_COLUMNS),
        dtype=dtypes,
        keep_default_na=False,
    )
    return out
