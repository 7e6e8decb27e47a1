"""Command-line faces of the energy management centre (issue 14): ``carbonpeak meters …``.

``import`` a meter register, ``list`` the meters, ``load`` a readings file (CSV or Parquet),
``simulate`` readings to a file or to MQTT, ``listen`` to MQTT and store what arrives,
``report`` an enterprise's meters, latest readings and data quality for a day.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from carbonpeak.cli._console import console, err_console, handles_errors
from carbonpeak.cli._store import system_context

__all__ = ["register"]

meters_app = typer.Typer(help="Meters and readings / 能源计量与在线监测", no_args_is_help=True)

_INTERVALS = {"15min": 900, "30min": 1800, "1h": 3600, "5min": 300, "1min": 60}


def register(root: typer.Typer) -> None:
    """Add this area's group to the root ``carbonpeak`` app."""
    root.add_typer(meters_app, name="meters")


@meters_app.command("import")
@handles_errors
def meters_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV/XLSX meter register")],
) -> None:
    """Register meters from a file, all-or-nothing."""
    from carbonpeak.service.metering import meters  # noqa: PLC0415

    table = meters.read_register(file.read_bytes(), file.name)
    with system_context() as ctx:
        added = meters.register_meters(ctx, table)
    console.print(f"已登记 {len(added)} 块计量器具 / registered {len(added)} meters")


@meters_app.command("list")
@handles_errors
def meters_list(enterprise: Annotated[int | None, typer.Option(help="enterprise id")] = None) -> None:
    """List the meters (of one enterprise)."""
    from carbonpeak.service.metering import meters  # noqa: PLC0415

    with system_context() as ctx:
        rows = meters.list_meters(ctx, enterprise)
    t = RichTable(
        "id", "enterprise", "code", "名称", "location", "carrier", "unit", "×", "kind", "level", "parent"
    )
    for r in rows:
        t.add_row(
            str(r.id),
            r.credit_code,
            r.code,
            r.name_zh,
            r.location,
            r.carrier_zh,
            r.unit,
            f"{r.multiplier:g}",
            r.kind,
            r.gb17167_level,
            r.parent_code or "",
        )
    console.print(t)
    console.print(f"{len(rows)} meters")


@meters_app.command("load")
@handles_errors
def meters_load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="readings CSV or Parquet")],
) -> None:
    """Load readings from a file (backfill), all-or-nothing; idempotent on (meter, ts)."""
    from carbonpeak.service.metering import readings  # noqa: PLC0415

    started = time.perf_counter()
    with system_context() as ctx:
        res = readings.load_file(ctx, file.read_bytes(), file.name)
    took = time.perf_counter() - started
    console.print(
        f"读数 {res.received}，写入 {res.stored} / readings {res.received}, stored {res.stored} "
        f"({res.received / max(took, 1e-9):,.0f} readings/s)"
    )


@meters_app.command("simulate")
@handles_errors
def meters_simulate(
    meters: Annotated[int, typer.Option("--meters", min=1, max=100_000, help="number of meters")] = 6,
    interval: Annotated[str, typer.Option(help="15min, 30min, 1h, 5min or 1min")] = "15min",
    days: Annotated[int, typer.Option(min=1, max=366)] = 1,
    start: Annotated[
        str | None, typer.Option(help="first day, YYYY-MM-DD Beijing time (default: today)")
    ] = None,
    enterprise: Annotated[str, typer.Option(help="credit code the readings are for")] = "91430400XU6TWF13XG",
    prefix: Annotated[str, typer.Option(help="meter codes are PREFIX-000 …")] = "M",
    seed: Annotated[int, typer.Option()] = 20261206,
    out: Annotated[Path | None, typer.Option(help="write a CSV or Parquet file")] = None,
    publish: Annotated[bool, typer.Option("--publish", help="publish to MQTT (QoS 1)")] = False,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 1883,
    per_message: Annotated[int, typer.Option(min=1, max=10_000, help="readings per MQTT message")] = 1,
    fmt: Annotated[str, typer.Option("--format", help="MQTT payload: csv or json")] = "csv",
) -> None:
    """Simulate realistic readings (load shapes, roll-over, a replacement, gaps, a stuck meter,
    a spike) — synthetic — to a file or to MQTT."""
    from carbonpeak.service.metering import live, simulation  # noqa: PLC0415

    if interval not in _INTERVALS:
        raise typer.BadParameter(f"one of {', '.join(_INTERVALS)}", param_hint="--interval")
    day = dt.date.fromisoformat(start) if start else (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()
    start_ts = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()) - 8 * 3600
    frame, sim = simulation.simulated_readings(
        meters, _INTERVALS[interval], days, start_ts, enterprise=enterprise.upper(), seed=seed, prefix=prefix
    )
    if out is None and not publish:
        raise typer.BadParameter("give --out FILE or --publish", param_hint="--out")
    if out is not None:
        n = simulation.write_readings(frame, out)
        console.print(f"写入 {n} 条模拟读数 / wrote {n} simulated readings → {out}")
    if publish:
        n = live.publish_readings(frame, host, port, per_message, fmt)
        console.print(f"已发布 {n} 条消息 / published {n} messages ({len(frame)} readings)")
    for name, (code, ts) in sorted(sim.anomalies.items()):
        when = dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()
        console.print(f"  {name}: {code} @ {when}")
    for _i, ev in sim.events.iterrows():  # a replacement travels apart from the readings
        console.print(
            f"  record it (ID: {ev['code']}'s id): carbonpeak meters replace ID --at {int(ev['ts'])} "
            f"--old-final {float(ev['old_final']):.4f} --new-initial {float(ev['new_initial']):g}"
        )


@meters_app.command("replace")
@handles_errors
def meters_replace(
    meter: Annotated[int, typer.Argument(help="meter id")],
    at: Annotated[
        str, typer.Option(help="when: ISO 8601 (Beijing time without an offset) or UTC epoch seconds")
    ],
    old_final: Annotated[float, typer.Option(help="the old register's final reading [meter unit]")],
    new_initial: Annotated[float, typer.Option(help="the new register's first reading [meter unit]")] = 0.0,
    note: Annotated[str, typer.Option(help="why, by whom")] = "",
) -> None:
    """Record a meter replacement, so the counter's reset is not read as a fall."""
    from carbonpeak.service.metering import simulation  # noqa: PLC0415

    with system_context() as ctx:
        ts = simulation.parse_time(at)
        event = simulation.record_replacement(ctx, meter, ts, old_final, new_initial, note)
    console.print(f"已记录换表 / replacement recorded (event {event})")


@meters_app.command("listen")
@handles_errors
def meters_listen(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 1883,
    client_id: Annotated[
        str, typer.Option(help="fixed client id (the persistent session's name)")
    ] = "carbonpeak-listener",
    seconds: Annotated[
        float | None, typer.Option(help="stop after this long (default: until Ctrl-C)")
    ] = None,
) -> None:
    """Subscribe to carbonpeak/<enterprise>/<meter> (QoS 1, persistent session) and store readings."""
    from carbonpeak.service.metering import live  # noqa: PLC0415
    from carbonpeak.service.platform.session import migrate_store  # noqa: PLC0415
    from carbonpeak.settings import get_settings  # noqa: PLC0415

    if not live.mqtt_available():
        err_console.print("缺少 paho-mqtt / paho-mqtt is not installed")
        raise typer.Exit(2)
    url = get_settings().database_url
    migrate_store(url)
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_a: stop.set()) for s in (signal.SIGTERM, signal.SIGINT)}
    timer = threading.Timer(seconds, stop.set) if seconds is not None else None
    if timer is not None:
        timer.start()

    def show(s: live.ListenStats) -> None:
        console.print(
            f"messages {s.messages} readings {s.readings} stored {s.stored} rejected {s.rejected} "
            f"{dict(s.reasons) if s.reasons else ''}"
        )

    console.print(f"listening on {host}:{port} as {client_id} …")
    try:
        stats = live.listen(url, host, port, client_id, stop=stop, on_batch=show)
    finally:
        if timer is not None:
            timer.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    show(stats)


@meters_app.command("report")
@handles_errors
def meters_report(
    enterprise: Annotated[int, typer.Argument(help="enterprise id")],
    day: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (Beijing); default: the newest reading's day")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=62)] = 1,
) -> None:
    """An enterprise's meters: latest reading, consumption, completeness, findings; balance groups."""
    from carbonpeak.service.metering import readings  # noqa: PLC0415

    with system_context() as ctx:
        first = dt.date.fromisoformat(day) if day else readings.latest_day(ctx, enterprise)
        if first is None:
            console.print("no readings")
            return
        rep = readings.meter_report(ctx, enterprise, first, days)
    t = RichTable("code", "名称", "latest", "value", "consumption", "unit", "points", "findings")
    for s in rep.meters:
        t.add_row(
            s.meter.code,
            s.meter.name_zh,
            s.latest_ts or "",
            "" if s.latest_value is None else f"{s.latest_value:,.2f}",
            f"{s.consumption:,.1f}",
            s.meter.unit,
            f"{s.received}/{s.expected}",
            ", ".join(f"{k}×{v}" for k, v in sorted(s.findings.items())),
        )
    console.print(t)
    for b in rep.balance:
        console.print(
            f"balance {b['meter_code']} {b['day']}: main {b['main']:,.1f} children {b['children']:,.1f} "
            f"loss {float(b['loss_ratio']):.2%} {'ok' if b['ok'] else 'FAIL'}"  # type: ignore[arg-type]
        )
