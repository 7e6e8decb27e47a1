"""meter_reading: idempotent upsert on (meter, ts) keeping the latest arrival, late and
out-of-order data, raw values kept; month partitions on PostgreSQL (the same schema,
unpartitioned, on SQLite)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from carbonpeak.io.meters import METER_COLUMNS, METER_OPTIONAL
from carbonpeak.io.tabular import read_rows
from carbonpeak.service.metering.meters import register_meters
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import MeterReading
from carbonpeak.store.readings import ensure_partitions, partition_names, read_readings, upsert_readings
from tests.conftest import IS_PG

PBZN = "91430400XU6TWF13XG"
REGISTER = f"""enterprise,site,meter_code,name_zh,carrier,unit,kind,gb17167_level
{PBZN},厂区,T-1,测试表,electricity_purchased,kWh,cumulative,unit
{PBZN},厂区,T-2,测试表2,electricity_purchased,kWh,cumulative,secondary
""".encode()


@pytest.fixture
def db(demo_url: str) -> Iterator[Session]:
    s = sessionmaker_for(demo_url)()
    yield s
    s.close()


def _meters(db: Session) -> tuple[int, int]:
    table = read_rows(REGISTER, "m.csv", METER_COLUMNS, METER_OPTIONAL)
    rows = register_meters(Context(db=db, principal=SYSTEM, request_id="t"), table)
    return rows[0].id, rows[1].id


def _ts(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> int:
    return int(dt.datetime(y, m, d, h, mi, tzinfo=dt.UTC).timestamp())


def _batch(
    meter: int, ts: list[int], values: list[float], received: int, source: str = "file"
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "meter_id": meter,
            "ts": ts,
            "value": values,
            "quality": "good",
            "source": source,
            "received_at": received,
        }
    )


def _stored(db: Session, *meters: int) -> list[tuple[int, int, float, str, int]]:
    """The stored readings of *meters* (the demo store holds the demo meters' too)."""
    r = MeterReading
    stmt = select(r.meter_id, r.ts, r.value, r.source, r.received_at).where(r.meter_id.in_(meters))
    rows = db.execute(stmt.order_by(r.meter_id, r.ts))
    return [tuple(x) for x in rows]  # type: ignore[misc]


def test_the_same_batch_twice_is_stored_once(db: Session) -> None:
    a, _b = _meters(db)
    t = [_ts(2026, 11, 30, 0, 15 * k) for k in range(4)]
    batch = _batch(a, t, [1.0, 2.0, 3.0, 4.0], received=100)
    assert upsert_readings(db, batch) == 4
    assert upsert_readings(db, batch) == 4
    db.commit()
    assert [x[2] for x in _stored(db, a)] == [1.0, 2.0, 3.0, 4.0]


def test_a_later_arrival_replaces_and_a_late_duplicate_does_not(db: Session) -> None:
    a, b = _meters(db)
    t0 = _ts(2026, 11, 30)
    upsert_readings(db, _batch(a, [t0, t0 + 900], [10.0, 11.0], received=200))
    upsert_readings(db, _batch(a, [t0 + 900], [11.5], received=300, source="mqtt"))  # a correction
    upsert_readings(db, _batch(a, [t0 + 900], [99.0], received=250))  # an older copy, delivered late
    upsert_readings(db, _batch(b, [t0 + 1800, t0], [7.0, 5.0], received=260))  # out of order
    db.commit()
    assert _stored(db, a, b) == [
        (a, t0, 10.0, "file", 200),
        (a, t0 + 900, 11.5, "mqtt", 300),
        (b, t0, 5.0, "file", 260),
        (b, t0 + 1800, 7.0, "file", 260),
    ]


def test_within_one_batch_the_latest_received_of_a_key_wins(db: Session) -> None:
    a, _b = _meters(db)
    t0 = _ts(2026, 11, 30)
    batch = pd.concat(
        [
            _batch(a, [t0], [1.0], received=5),
            _batch(a, [t0], [2.0], received=9),
            _batch(a, [t0], [3.0], received=7),
        ]
    )
    assert upsert_readings(db, batch) == 1
    db.commit()
    assert [x[2] for x in _stored(db, a)] == [2.0]
    got = read_readings(db, [a])
    assert got["value"].tolist() == [2.0] and got["ts"].tolist() == [t0]


@pytest.mark.skipif(not IS_PG, reason="partitions are PostgreSQL's")
def test_a_new_month_gets_its_partition_and_rows_land_in_it(db: Session) -> None:
    a, _b = _meters(db)
    before = set(partition_names(db))
    assert "meter_reading_y2026m11" in before  # created ahead by the migration
    far = _ts(2031, 5, 31, 23, 45)
    upsert_readings(db, _batch(a, [far, far + 900], [1.0, 2.0], received=1))  # May and June 2031
    db.commit()
    made = set(partition_names(db)) - before
    assert made == {"meter_reading_y2031m05", "meter_reading_y2031m06"}
    q = "SELECT tableoid::regclass::text, ts FROM meter_reading WHERE meter_id = :m ORDER BY ts"
    where = db.execute(text(q), {"m": a}).all()
    assert [w[0] for w in where] == [
        "meter_reading_part.meter_reading_y2031m05",
        "meter_reading_part.meter_reading_y2031m06",
    ]
    assert ensure_partitions(db, [far]) == []  # already there


@pytest.mark.skipif(IS_PG, reason="SQLite has no partitions")
def test_sqlite_keeps_one_unpartitioned_table(db: Session) -> None:
    assert partition_names(db) == []
    a, _b = _meters(db)
    upsert_readings(db, _batch(a, [_ts(2031, 5, 31)], [1.0], received=1))
    db.commit()
    assert len(_stored(db, a)) == 1


def test_readings_read_back_exactly_in_order(db: Session) -> None:
    a, b = _meters(db)
    t0 = _ts(2026, 11, 30)
    awkward = [0.1 + 0.2, 1e-300, 12345.678901234567, -0.0, 2.0**53 + 1]
    upsert_readings(db, _batch(b, [t0 + 900 * k for k in range(5)][::-1], awkward[::-1], received=3))
    upsert_readings(db, _batch(a, [t0], [7.0], received=3, source="mqtt"))
    db.commit()
    got = read_readings(db, [b, a], t0, t0 + 3600)
    assert got["meter_id"].tolist() == [a] + [b] * 4
    assert got["value"].tolist() == [7.0, *awkward[:4]]
    assert got["source"].tolist() == ["mqtt"] + ["file"] * 4
    assert [str(d) for d in got.dtypes] == ["int64", "int64", "float64", "object", "object", "int64"]
    assert read_readings(db, [a], t0 + 1, t0 + 2).empty
    assert read_readings(db, []).empty
