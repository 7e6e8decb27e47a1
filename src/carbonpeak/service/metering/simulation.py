"""Simulated meter readings (every figure synthetic): to a file, over MQTT, and the demo's
metering system.

:func:`simulated_readings` wraps :func:`carbonpeak.monitoring.simulate.simulate` for an
enterprise; :func:`load_demo_meters` registers ``demo/meters.csv`` (three demo enterprises,
marked demo) and stores two days of simulated readings with their replacement events, so the
demo's pages show meters, readings and quality findings.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Final

import pandas as pd
from sqlalchemy import select

from carbonpeak.errors import InputError, NotFound, Problem
from carbonpeak.io.meters import parse_timestamps, read_meter_table
from carbonpeak.model import Action
from carbonpeak.monitoring.simulate import Simulation, simulate
from carbonpeak.service.metering.meters import get_meter, register_meters
from carbonpeak.service.metering.readings import IngestResult, ingest
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.store.models import Enterprise, Meter, MeterEvent

__all__ = [
    "DEMO_DAYS",
    "DEMO_START",
    "load_demo_meters",
    "parse_time",
    "record_replacement",
    "simulated_readings",
    "write_readings",
]

#: the demo readings' first day (Beijing time) and how many days they cover
DEMO_START: Final = dt.date(2026, 11, 30)
DEMO_DAYS: Final = 2


def simulated_readings(
    n_meters: int,
    interval_s: int,
    days: int,
    start_ts: int,
    *,
    enterprise: str = "SIM",
    seed: int = 20261206,
    prefix: str = "M",
) -> tuple[pd.DataFrame, Simulation]:
    """The readings of a simulated balance group as a loadable frame (``enterprise``,
    ``meter``, ``ts`` [s, UTC epoch], ``value``, ``quality``) and the simulation itself."""
    sim = simulate(n_meters, interval_s, days, start_ts, seed, prefix=prefix)
    frame = pd.DataFrame(
        {
            "enterprise": enterprise,
            "meter": sim.readings["code"].to_numpy(dtype=object),
            "ts": sim.readings["ts"].to_numpy(dtype="int64"),
            "value": sim.readings["value"].to_numpy(dtype=float),
            "quality": "good",
        }
    )
    return frame, sim


def parse_time(text: str) -> int:
    """UTC epoch seconds of *text* (ISO 8601 — Beijing time without an offset — or epoch
    seconds); :class:`InputError` (``reading_bad_time``) otherwise."""
    ts, bad = parse_timestamps(pd.Series([text], dtype=object))
    if bad[0]:
        raise InputError([Problem("reading_bad_time", column="at", value=text)])
    return int(ts[0])


def write_readings(frame: pd.DataFrame, path: Path) -> int:
    """Write *frame* as a readings file (CSV or Parquet by the suffix; ``ts`` ISO 8601 UTC in
    CSV); returns the rows written."""
    out = frame.loc[:, ["enterprise", "meter", "ts", "value", "quality"]]
    if path.suffix.lower() == ".parquet":
        out.to_parquet(path, index=False)
    else:
        iso = pd.to_datetime(out["ts"], unit="s", utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        out.assign(ts=iso).to_csv(path, index=False)
    return len(out)


@transactional
def record_replacement(
    ctx: Context, meter_id: int, ts: int, old_final: float, new_initial: float, note: str = ""
) -> int:
    """Record that meter *meter_id*'s register was replaced at *ts* [s, UTC epoch]: the old
    register's final reading and the new one's first [meter unit]; audited ``meter.replace``."""
    meter = get_meter(ctx, meter_id, Action.CHANGE)
    ev = MeterEvent(
        meter_id=meter.id,
        kind="replacement",
        ts=ts,
        old_final=old_final,
        new_initial=new_initial,
        note=note,
        created_at=audit.now_iso(),
        created_by=ctx.principal.username,
    )
    ctx.db.add(ev)
    ctx.db.flush()
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "meter.replace",
        "meter",
        meter.id,
        after={"ts": ts, "old_final": old_final, "new_initial": new_initial, "note": note},
    )
    return ev.id


def load_demo_meters(ctx: Context) -> IngestResult | None:
    """Register the demo metering system and store its simulated readings (synthetic)."""
    data = resources.files("carbonpeak.demo").joinpath("meters.csv").read_bytes()
    table = read_meter_table(data, "meters.csv")
    register_meters(ctx, table, demo=True)
    start = (
        int(dt.datetime(DEMO_START.year, DEMO_START.month, DEMO_START.day, tzinfo=dt.UTC).timestamp())
        - 8 * 3600
    )
    frames = []
    result = None
    credit_codes = sorted({r["enterprise"] for _n, r in table.rows})
    for k, credit in enumerate(credit_codes):
        n = sum(1 for _n, r in table.rows if r["enterprise"] == credit)
        frame, sim = simulated_readings(n, 900, DEMO_DAYS, start, enterprise=credit, seed=20261206 + k)
        frames.append(frame)
        eid = ctx.db.execute(select(Enterprise.id).where(Enterprise.credit_code == credit)).scalar_one()
        for _i, ev in sim.events.iterrows():
            mid = ctx.db.execute(
                select(Meter.id).where(Meter.enterprise_id == eid, Meter.code == ev["code"])
            ).scalar_one_or_none()
            if mid is None:
                raise NotFound(object="meter", key=ev["code"])
            record_replacement(
                ctx,
                mid,
                int(ev["ts"]),
                float(ev["old_final"]),
                float(ev["new_initial"]),
                "示例：换表 / demo replacement",
            )
    if frames:
        all_rows = pd.concat(frames, ignore_index=True)
        all_rows.insert(0, "row", range(1, len(all_rows) + 1))
        result = ingest(ctx, all_rows, "sim", strict=True, name="demo simulation")
    return result
