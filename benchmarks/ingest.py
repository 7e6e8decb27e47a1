"""Meter readings into the store: the bulk path against a row-at-a-time baseline, and a rollup.

Builds a fresh store with one synthetic enterprise and N meters (default 10 000, registered
through the meter-register import), then measures in the same run:

- **bulk**: ``store.readings.upsert_readings`` of one day of 15-minute readings of every meter
  (N × 96 rows; COPY into a temporary table + INSERT … ON CONFLICT on PostgreSQL,
  executemany of the upsert on SQLite), readings/s, committed; then the same batch again
  (every key already stored: the idempotent path);
- **row at a time**: the same upsert statement executed once per reading for the first
  ``--baseline`` readings (default 20 000) of another day, readings/s;
- **rollup**: a month of 15-minute readings of ``--rollup-meters`` meters (default 1 000,
  2.9 M readings) read back from the store, turned into consumption and rolled up to days
  (``monitoring.consumption`` + ``monitoring.rollup``), s.

Usage: ``python benchmarks/ingest.py [--meters N] [--baseline M] [--rollup-meters K]``; set
``CARBONPEAK_DATABASE_URL`` to a PostgreSQL server URL to measure there (a new database is
created and dropped) instead of a temporary SQLite file. Synthetic data only.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from carbonpeak.io.tabular import Table
from carbonpeak.monitoring.consumption import consumption
from carbonpeak.monitoring.rollup import rollup
from carbonpeak.service.metering.meters import list_meters, meter_frame, register_meters
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import dispose, migrate, normalise_url, sessionmaker_for
from carbonpeak.store.models import Enterprise
from carbonpeak.store.readings import read_readings, upsert_readings

BASE_URL = os.environ.get("CARBONPEAK_DATABASE_URL", "")
CREDIT = "91430400XU6TWF13XG"
T0 = 1_764_518_400  # 2025-12-01 00:00 Beijing time


def new_store(tmp: Path) -> tuple[str, object]:
    if BASE_URL.startswith("postgres"):
        name = f"cp_bench_ingest_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(normalise_url(BASE_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(normalise_url(BASE_URL)).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            dispose(url)
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return url, drop
    url = f"sqlite:///{tmp / 'ingest.db'}"
    return url, lambda: dispose(url)


def readings_of(ids: np.ndarray, start: int, points: int, received: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    k = np.tile(np.arange(points), len(ids))
    return pd.DataFrame(
        {
            "meter_id": np.repeat(ids, points),
            "ts": start + 900 * k,
            "value": 1000.0 + np.cumsum(rng.uniform(0, 5, size=len(k))) % 1e6,
            "quality": "good",
            "source": "file",
            "received_at": received,
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--meters", type=int, default=10_000)
    ap.add_argument("--baseline", type=int, default=20_000)
    ap.add_argument("--rollup-meters", type=int, default=1_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = new_store(Path(tmp))
        try:
            run(url, args.meters, args.baseline, args.rollup_meters)
        finally:
            drop()  # type: ignore[operator]


def run(url: str, n: int, baseline: int, rollup_meters: int) -> None:
    migrate(url)
    db = sessionmaker_for(url)()
    now = audit.now_iso()
    db.add(
        Enterprise(
            credit_code=CREDIT, name_zh="基准企业（合成）", city_code="430400", created_at=now, updated_at=now
        )
    )
    db.commit()
    header = ("enterprise", "site", "meter_code", "name_zh", "carrier", "unit", "kind", "gb17167_level")
    rows = tuple(
        (
            i + 2,
            dict(
                zip(
                    header,
                    (
                        CREDIT,
                        "厂区",
                        f"B-{i:05d}",
                        f"表{i}",
                        "electricity_purchased",
                        "kWh",
                        "cumulative",
                        "equipment",
                    ),
                    strict=True,
                )
            ),
        )
        for i in range(n)
    )
    ctx = Context(db=db, principal=SYSTEM, request_id="bench")
    t = time.perf_counter()
    register_meters(ctx, Table("meters.csv", None, header, rows))
    print(f"register {n} meters: {time.perf_counter() - t:.1f} s")
    ids = meter_frame(list_meters(ctx))["meter_id"].to_numpy()
    dialect = db.get_bind().dialect.name

    day = readings_of(ids, T0, 96, received=1)
    t = time.perf_counter()
    upsert_readings(db, day)
    db.commit()
    bulk = len(day) / (time.perf_counter() - t)
    print(f"[{dialect}] bulk upsert, new keys: {len(day):,} readings, {bulk:,.0f} readings/s")
    t = time.perf_counter()
    upsert_readings(db, day.assign(received_at=2))
    db.commit()
    print(
        f"[{dialect}] bulk upsert, every key stored: {len(day) / (time.perf_counter() - t):,.0f} readings/s"
    )

    one = readings_of(ids, T0 + 86400, 96, received=1).iloc[:baseline]
    sql = sa.text(
        "INSERT INTO meter_reading (meter_id, ts, value, quality, source, received_at) "
        "VALUES (:meter_id, :ts, :value, :quality, :source, :received_at) "
        "ON CONFLICT (meter_id, ts) DO UPDATE SET value = excluded.value, received_at = excluded.received_at "
        "WHERE excluded.received_at >= meter_reading.received_at"
    )
    recs = one.to_dict("records")
    t = time.perf_counter()
    for r in recs:
        db.execute(sql, r)
    db.commit()
    row = len(recs) / (time.perf_counter() - t)
    print(f"[{dialect}] row at a time: {len(recs):,} readings, {row:,.0f} readings/s; bulk ×{bulk / row:.0f}")

    sub = ids[:rollup_meters]
    month = readings_of(sub, T0 + 2 * 86400, 96 * 30, received=1)
    upsert_readings(db, month)
    db.commit()
    meters = meter_frame(list_meters(ctx))
    t = time.perf_counter()
    raw = read_readings(db, sub.tolist(), T0 + 2 * 86400, T0 + 32 * 86400 + 900)
    t_read = time.perf_counter() - t
    cons = consumption(raw, meters)
    days = rollup(cons, "day")
    took = time.perf_counter() - t
    print(
        f"[{dialect}] month rollup of {len(sub):,} meters ({len(raw):,} readings): {took:.1f} s "
        f"(read {t_read:.1f} s, consumption + rollup {took - t_read:.1f} s; {len(days):,} meter-days)"
    )
    db.close()


if __name__ == "__main__":
    main()
