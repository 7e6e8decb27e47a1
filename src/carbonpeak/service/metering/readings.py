"""Meter readings in: files, the HTTP bulk endpoint, MQTT; and out: consumption, rollups, quality.

**Ingestion** (:func:`ingest`) resolves each reading's (enterprise, meter) among the meters
the caller may change, refuses a time more than :data:`FUTURE_TOLERANCE_S` ahead of the clock,
and writes the batch through :func:`carbonpeak.store.readings.upsert_readings` (idempotent
on (meter, ts); the latest arrival kept; PostgreSQL partitions created as months arrive).
*strict* batches (a file, an HTTP body) are all-or-nothing with located problems; a
non-strict batch (MQTT) stores what is good and counts the rest by reason. Each batch is
one audit event ``meter.readings`` (source, counts, time range), never one per reading.

**Reports** (:func:`meter_report`) read the raw readings of a period and compute, through the
engines of :mod:`carbonpeak.monitoring`, each meter's consumption, daily rollup, findings
and the balance groups — recomputed from the raw data on every call.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from carbonpeak.errors import InputError, NotFound, PermissionDenied, Problem
from carbonpeak.io.meters import MAX_PROBLEMS, parse_readings_file, validate_reading_frame
from carbonpeak.model import Action
from carbonpeak.monitoring import quality
from carbonpeak.monitoring.consumption import consumption
from carbonpeak.monitoring.rollup import BEIJING_OFFSET_S, period_start, rollup
from carbonpeak.service.metering.meters import MeterRow, list_meters, meter_frame, meters_in_scope
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.store.models import Enterprise, Meter, MeterEvent, MeterReading
from carbonpeak.store.readings import read_readings, upsert_readings
from carbonpeak.store.scope import allowed

__all__ = [
    "FUTURE_TOLERANCE_S",
    "SOURCES",
    "Finding",
    "IngestResult",
    "MeterReport",
    "MeterStatus",
    "ingest",
    "ingest_records",
    "latest_day",
    "load_file",
    "meter_report",
    "report_day",
]

#: how far ahead of the server's clock a reading's time may lie [s]
FUTURE_TOLERANCE_S: Final = 300
SOURCES: Final = ("mqtt", "http", "file", "sim")


@dataclass(frozen=True)
class IngestResult:
    """A batch's outcome: readings received, distinct (meter, ts) stored, rejected by reason."""

    source: str
    received: int
    stored: int
    rejected: int
    reasons: dict[str, int] = field(default_factory=dict)


def _now() -> int:
    return int(time.time())


def _resolve(ctx: Context, frame: pd.DataFrame) -> np.ndarray:
    """Meter ids of the frame's (enterprise, meter) pairs among those the caller may change (0: unknown)."""
    pairs = frame[["enterprise", "meter"]].drop_duplicates()
    ents = sorted(set(pairs["enterprise"]))
    known: dict[tuple[str, str], int] = {}
    for i in range(0, len(ents), 500):
        stmt = (
            select(Enterprise.credit_code, Meter.code, Meter.id)
            .join(Enterprise, Enterprise.id == Meter.enterprise_id)
            .where(
                Enterprise.credit_code.in_(ents[i : i + 500]), meters_in_scope(ctx.principal, Action.CHANGE)
            )
        )
        known.update({(c, m): mid for c, m, mid in ctx.db.execute(stmt)})
    keys = pd.MultiIndex.from_arrays([frame["enterprise"], frame["meter"]])
    lookup = pd.Series(known, dtype="int64")
    if lookup.empty:
        return np.zeros(len(frame), dtype="int64")
    lookup.index = pd.MultiIndex.from_tuples(lookup.index)
    return lookup.reindex(keys).fillna(0).to_numpy(dtype="int64")


@transactional
def ingest(
    ctx: Context, frame: pd.DataFrame, source: str, *, strict: bool = True, name: str | None = None
) -> IngestResult:
    """Store a batch of readings (``row``, ``enterprise``, ``meter``, ``ts`` [s, UTC epoch],
    ``value`` [meter unit], ``quality``) from *source* (one of :data:`SOURCES`)."""
    if not allowed(ctx.principal, Action.CHANGE):
        raise PermissionDenied(role=str(ctx.principal.role), action="meter.readings")
    if source not in SOURCES:
        raise ValueError(source)
    now = _now()
    ids = _resolve(ctx, frame) if len(frame) else np.zeros(0, dtype="int64")
    unknown = ids == 0
    future = (
        frame["ts"].to_numpy(dtype="int64") > now + FUTURE_TOLERANCE_S
        if len(frame)
        else np.zeros(0, dtype=bool)
    )
    future &= ~unknown
    bad = unknown | future
    if strict and bad.any():
        rows = frame["row"].to_numpy()
        problems = [
            Problem(
                "unknown_meter",
                column="meter",
                value=f"{frame['enterprise'].iloc[i]}/{frame['meter'].iloc[i]}",
                row=int(rows[i]),
                file=name,
            )
            for i in np.flatnonzero(unknown)[:MAX_PROBLEMS]
        ] + [
            Problem(
                "reading_future",
                column="ts",
                value=dt.datetime.fromtimestamp(int(frame["ts"].iloc[i]), dt.UTC).isoformat(),
                row=int(rows[i]),
                file=name,
            )
            for i in np.flatnonzero(future)[:MAX_PROBLEMS]
        ]
        raise InputError(problems)
    good = frame[~bad]
    batch = pd.DataFrame(
        {
            "meter_id": ids[~bad],
            "ts": good["ts"].to_numpy(dtype="int64"),
            "value": good["value"].to_numpy(dtype=float),
            "quality": good["quality"].to_numpy(dtype=object),
            "source": source,
            "received_at": now,
        }
    )
    stored = upsert_readings(ctx.db, batch)
    reasons = {
        k: v for k, v in (("unknown_meter", int(unknown.sum())), ("reading_future", int(future.sum()))) if v
    }
    result = IngestResult(
        source=source, received=len(frame), stored=stored, rejected=int(bad.sum()), reasons=reasons
    )
    if len(frame):
        ts = batch["ts"]
        audit.record(
            ctx.db,
            ctx.principal,
            ctx.request_id,
            "meter.readings",
            "reading_batch",
            ctx.request_id,
            after={
                "source": source,
                "file": name,
                "received": result.received,
                "stored": result.stored,
                "rejected": result.rejected,
                "reasons": reasons,
                "meters": int(batch["meter_id"].nunique()),
                "from": _iso(int(ts.min())) if len(ts) else None,
                "to": _iso(int(ts.max())) if len(ts) else None,
            },
        )
    return result


def _iso(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat().replace("+00:00", "Z")


def load_file(ctx: Context, data: bytes, filename: str, source: str = "file") -> IngestResult:
    """Load a readings file (CSV or Parquet), all-or-nothing."""
    frame = parse_readings_file(data, filename)
    return ingest(ctx, frame, source, strict=True, name=filename.rsplit("/", 1)[-1])


def ingest_records(ctx: Context, records: list[dict[str, object]], source: str = "http") -> IngestResult:
    """Store readings given as records (``enterprise``, ``meter``, ``ts``, ``value``,
    ``quality``), all-or-nothing; ``row`` is the record's position from 1."""
    frame = pd.DataFrame.from_records(records, columns=["enterprise", "meter", "ts", "value", "quality"])
    frame["ts"] = frame["ts"].astype(object)
    return ingest(ctx, validate_reading_frame(frame, None, first_row=1), source, strict=True)


# --- reports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One data-quality finding: the rule, the meter, the time (ISO, UTC), the measured figure
    and the limit it broke."""

    meter_id: int
    meter_code: str
    rule: str
    ts: str
    measured: float
    limit: float


@dataclass(frozen=True)
class MeterStatus:
    """A meter's latest reading and its period: consumption [unit × multiplier], the points
    received against those expected, and its findings by rule."""

    meter: MeterRow
    latest_ts: str | None
    latest_value: float | None
    latest_quality: str | None
    consumption: float
    received: int
    expected: int
    completeness: float
    findings: dict[str, int]


@dataclass(frozen=True)
class MeterReport:
    """An enterprise's meters over [start, end) (local days, Beijing time): their status, the
    findings, and the balance groups per day (main meter against the sum of its children)."""

    enterprise_id: int
    start: str
    end: str
    meters: tuple[MeterStatus, ...]
    findings: tuple[Finding, ...]
    balance: tuple[dict[str, object], ...]


def _latest(ctx: Context, ids: list[int]) -> dict[int, tuple[int, float, str]]:
    if not ids:
        return {}
    last = (
        select(MeterReading.meter_id, func.max(MeterReading.ts).label("ts"))
        .where(MeterReading.meter_id.in_(ids))
        .group_by(MeterReading.meter_id)
        .subquery()
    )
    stmt = select(MeterReading.meter_id, MeterReading.ts, MeterReading.value, MeterReading.quality).join(
        last, (last.c.meter_id == MeterReading.meter_id) & (last.c.ts == MeterReading.ts)
    )
    return {m: (t, v, q) for m, t, v, q in ctx.db.execute(stmt)}


def _events(ctx: Context, ids: list[int]) -> pd.DataFrame:
    rows = ctx.db.execute(
        select(MeterEvent.meter_id, MeterEvent.ts, MeterEvent.old_final, MeterEvent.new_initial).where(
            MeterEvent.meter_id.in_(ids), MeterEvent.kind == "replacement"
        )
    ).all()
    return pd.DataFrame(rows, columns=["meter_id", "ts", "old_final", "new_initial"])


def local_day_start(day: dt.date) -> int:
    """UTC epoch seconds of 00:00 Beijing time on *day*."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()) - BEIJING_OFFSET_S


def meter_report(ctx: Context, enterprise_id: int, first_day: dt.date, days: int = 1) -> MeterReport:
    """The status, findings and balance groups of an enterprise's meters over *days* local
    days from *first_day* (Beijing time); :class:`NotFound` outside scope."""
    if not 1 <= days <= 62:
        raise InputError([Problem("out_of_range", column="days", value=days, fields={"low": 1, "high": 62})])
    rows = list_meters(ctx, enterprise_id)
    if not rows:
        visible = ctx.db.execute(
            select(Enterprise.id).where(Enterprise.id == enterprise_id, Enterprise.id.in_(_scoped(ctx)))
        ).first()
        if visible is None:
            raise NotFound(object="enterprise", key=enterprise_id)
    start = local_day_start(first_day)
    end = start + days * 86400
    ids = [r.id for r in rows]
    meters = meter_frame(rows)
    # one interval beyond the end closes the last counter interval of the period
    raw = (
        read_readings(ctx.db, ids, start, end + 3600)
        if ids
        else pd.DataFrame(columns=["meter_id", "ts", "value"])
    )
    events = _events(ctx, ids) if ids else None
    cons = consumption(raw, meters, events)
    cons = cons[(cons["ts"] >= start) & (cons["ts"] < end)]
    in_period = raw[(raw["ts"] >= start) & (raw["ts"] < end)] if len(raw) else raw
    found = (
        quality.check_readings(in_period, meters, cons, start, end)
        if ids
        else pd.DataFrame(columns=quality.FINDING_COLUMNS)
    )
    code = dict(zip(meters["meter_id"], meters["code"], strict=True))
    findings = tuple(
        Finding(int(m), code[int(m)], str(r), _iso(int(t)), float(v), float(lim))
        for m, r, t, v, lim in zip(
            found["meter_id"], found["rule"], found["ts"], found["measured"], found["limit"], strict=True
        )
    )
    by_meter: dict[int, Counter[str]] = {}
    for f in findings:
        by_meter.setdefault(f.meter_id, Counter())[f.rule] += 1
    total = cons.groupby("meter_id")["consumption"].sum()
    got = in_period.groupby("meter_id").size() if len(in_period) else pd.Series(dtype="int64")
    latest = _latest(ctx, ids)
    statuses = []
    for r in rows:
        expected = days * 86400 // r.interval_s
        received = int(got.get(r.id, 0))
        last = latest.get(r.id)
        statuses.append(
            MeterStatus(
                meter=r,
                latest_ts=_iso(last[0]) if last else None,
                latest_value=float(last[1]) if last else None,
                latest_quality=last[2] if last else None,
                consumption=round(float(total.get(r.id, 0.0)), 6),
                received=received,
                expected=expected,
                completeness=round(received / expected, 4) if expected else 0.0,
                findings=dict(by_meter.get(r.id, Counter())),
            )
        )
    parent_of = meters[meters["parent_id"] > 0].set_index("meter_id")["parent_id"]
    balance: list[dict[str, object]] = []
    if len(parent_of):
        bal = quality.balance_check(rollup(cons, "day"), parent_of)
        balance = [
            {
                "meter_code": code[int(m)],
                "day": _iso(int(p)),
                "main": round(float(a), 6),
                "children": round(float(c), 6),
                "loss_ratio": round(float(lr), 6),
                "ok": bool(ok),
            }
            for m, p, a, c, lr, ok in zip(
                bal["meter_id"],
                bal["period_start"],
                bal["main"],
                bal["children"],
                bal["loss_ratio"],
                bal["ok"],
                strict=True,
            )
        ]
    return MeterReport(
        enterprise_id=enterprise_id,
        start=_iso(start),
        end=_iso(end),
        meters=tuple(statuses),
        findings=findings,
        balance=tuple(balance),
    )


def _scoped(ctx: Context) -> Any:
    from carbonpeak.store.scope import enterprise_scope  # noqa: PLC0415

    return select(Enterprise.id).where(enterprise_scope(ctx.principal, Action.VIEW))


def latest_day(ctx: Context, enterprise_id: int) -> dt.date | None:
    """The local (Beijing) day of the enterprise's newest reading in scope, or None."""
    stmt = (
        select(func.max(MeterReading.ts))
        .join(Meter, Meter.id == MeterReading.meter_id)
        .where(Meter.enterprise_id == enterprise_id, meters_in_scope(ctx.principal))
    )
    ts = ctx.db.execute(stmt).scalar_one_or_none()
    if ts is None:
        return None
    start = int(period_start(np.array([int(ts)]), "day")[0]) + BEIJING_OFFSET_S
    return dt.datetime.fromtimestamp(start, dt.UTC).date()


def report_day(ctx: Context, enterprise_id: int, day: dt.date | None = None) -> dt.date:
    """*day*, else the local day of the enterprise's newest reading, else today (Beijing time)."""
    if day is not None:
        return day
    return (
        latest_day(ctx, enterprise_id)
        or (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=BEIJING_OFFSET_S)).date()
    )
