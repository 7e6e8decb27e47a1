"""Metering services: scope (an enterprise its own, a city its city, the province all), the
audit trail (one event per register import per enterprise, one per readings batch), and
all-or-nothing imports."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, NotFound, PermissionDenied
from carbonpeak.io.meters import METER_COLUMNS, METER_OPTIONAL
from carbonpeak.io.tabular import read_rows
from carbonpeak.service.metering import meters, readings
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import AuditEvent, Meter, MeterReading
from tests.service.workflow_support import LOUDI_SB, PBZN, ctx_for, enterprise_id

T0 = 1_764_864_000  # 2025-12-05 00:00 Beijing time


@pytest.fixture
def db(demo_url: str) -> Iterator[Session]:
    s = sessionmaker_for(demo_url)()
    yield s
    s.close()


def _codes(rows: list[meters.MeterRow]) -> set[str]:
    return {r.credit_code for r in rows}


def test_each_role_sees_the_meters_of_its_scope(db: Session) -> None:
    assert _codes(meters.list_meters(ctx_for(db, "province"))) == {PBZN, LOUDI_SB, "91431000J01F12ULCR"}
    assert _codes(meters.list_meters(ctx_for(db, "city-hengyang"))) == {PBZN}
    assert _codes(meters.list_meters(ctx_for(db, "city-changsha"))) == set()
    assert _codes(meters.list_meters(ctx_for(db, "ent-loudi-sb"))) == {LOUDI_SB}
    assert _codes(meters.list_meters(ctx_for(db, "verifier"))) == {PBZN}  # assigned to the park
    with pytest.raises(PermissionDenied):
        meters.list_meters(ctx_for(db, "public"))
    other = (
        db.execute(select(Meter.id).where(Meter.enterprise_id == enterprise_id(db, PBZN))).scalars().first()
    )
    assert other is not None
    with pytest.raises(NotFound):
        meters.get_meter(ctx_for(db, "ent-loudi-sb"), other)
    with pytest.raises(NotFound):
        readings.meter_report(
            ctx_for(db, "ent-loudi-sb"), enterprise_id(db, PBZN), pd.Timestamp("2026-11-30").date()
        )


def _register(text: str) -> object:
    return read_rows(text.encode(), "m.csv", METER_COLUMNS, METER_OPTIONAL)


def test_an_enterprise_registers_its_own_meters_audited_and_not_another_s(db: Session) -> None:
    csv = (
        "enterprise,site,workshop,meter_code,name_zh,carrier,unit,kind,gb17167_level,parent_meter,line_code\n"
        f"{LOUDI_SB},二厂,焙烧,X-1,焙烧总表,electricity_purchased,MWh,cumulative,secondary,M-000,L01\n"
        f"{LOUDI_SB},二厂,焙烧,X-2,焙烧分表,electricity_purchased,kWh,interval,equipment,X-1,\n"
    )
    added = meters.register_meters(ctx_for(db, "ent-loudi-sb"), _register(csv))  # type: ignore[arg-type]
    assert [(m.code, m.parent_code, m.location, m.line_code) for m in added] == [
        ("X-1", "M-000", "二厂 / 焙烧", "L01"),
        ("X-2", "X-1", "二厂 / 焙烧", None),
    ]
    [ev] = db.execute(
        select(AuditEvent).where(AuditEvent.action == "meter.register", AuditEvent.actor == "ent-loudi-sb")
    ).scalars()
    assert (ev.object_type, ev.object_id) == ("enterprise", str(enterprise_id(db, LOUDI_SB)))
    assert json.loads(ev.after or "{}")["meters"] == ["X-1", "X-2"]
    foreign = csv.replace(LOUDI_SB, PBZN).replace("X-", "Y-").replace(",M-000,L01", ",,")
    with pytest.raises(InputError) as err:
        meters.register_meters(ctx_for(db, "ent-loudi-sb"), _register(foreign))  # type: ignore[arg-type]
    assert {(p.code, p.row, p.column) for p in err.value.problems} == {
        ("unknown_enterprise", 2, "enterprise"),
        ("unknown_enterprise", 3, "enterprise"),
    }
    assert db.execute(select(func.count()).select_from(Meter).where(Meter.code.like("Y-%"))).scalar_one() == 0
    with pytest.raises(PermissionDenied):
        meters.register_meters(ctx_for(db, "verifier"), _register(csv))  # type: ignore[arg-type]


def _frame(ent: str, meter: str, ts: list[int], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": range(1, len(ts) + 1),
            "enterprise": ent,
            "meter": meter,
            "ts": ts,
            "value": values,
            "quality": "good",
        }
    )


def test_a_readings_batch_is_one_audit_event_and_idempotent(db: Session) -> None:
    ctx = ctx_for(db, "ent-loudi-sb")
    batch = _frame(LOUDI_SB, "M-001", [T0 + 900 * k for k in range(10)], [float(k) for k in range(10)])
    first = readings.ingest(ctx, batch, "http")
    again = readings.ingest(ctx, batch, "http")
    assert (
        (first.received, first.stored, first.rejected)
        == (10, 10, 0)
        == (again.received, again.stored, again.rejected)
    )
    mid = db.execute(
        select(Meter.id).where(Meter.enterprise_id == enterprise_id(db, LOUDI_SB), Meter.code == "M-001")
    ).scalar_one()
    n = db.execute(
        select(func.count())
        .select_from(MeterReading)
        .where(MeterReading.meter_id == mid, MeterReading.ts.between(T0, T0 + 9 * 900))
    ).scalar_one()
    assert n == 10
    evs = list(
        db.execute(
            select(AuditEvent).where(
                AuditEvent.action == "meter.readings", AuditEvent.actor == "ent-loudi-sb"
            )
        ).scalars()
    )
    assert len(evs) == 2
    after = json.loads(evs[0].after or "{}")
    assert (after["source"], after["received"], after["stored"], after["meters"]) == ("http", 10, 10, 1)


def test_bad_readings_are_refused_with_reasons_or_counted(db: Session) -> None:
    ctx = ctx_for(db, "ent-loudi-sb")
    future = 4_102_444_800  # 2100-01-01
    batch = pd.concat(
        [
            _frame(LOUDI_SB, "M-001", [T0], [1.0]),
            _frame(PBZN, "M-001", [T0], [1.0]),  # another enterprise's meter: unknown here
            _frame(LOUDI_SB, "NOPE", [T0], [1.0]),
            _frame(LOUDI_SB, "M-002", [future], [1.0]),
        ],
        ignore_index=True,
    ).assign(row=[2, 3, 4, 5])
    with pytest.raises(InputError) as err:
        readings.ingest(ctx, batch, "file")
    assert sorted((p.code, p.row) for p in err.value.problems) == [
        ("reading_future", 5),
        ("unknown_meter", 3),
        ("unknown_meter", 4),
    ]
    lenient = readings.ingest(ctx, batch, "mqtt", strict=False)
    assert (lenient.stored, lenient.rejected, lenient.reasons) == (
        1,
        3,
        {"unknown_meter": 2, "reading_future": 1},
    )
