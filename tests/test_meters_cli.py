"""``carbonpeak meters …`` run as a user would: simulate to a file, load it (twice: stored
once), report; import with a located error."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from carbonpeak.cli._console import console
from carbonpeak.cli.main import app
from carbonpeak.io import mqtt
from carbonpeak.store.db import engine_for

runner = CliRunner()
PBZN = "91430400XU6TWF13XG"


@pytest.fixture(autouse=True)
def wide_console() -> Iterator[None]:
    old = console.width
    console.width = 200
    yield
    console.width = old


def _count(url: str) -> int:
    with engine_for(url).connect() as c:
        return int(c.execute(sa.text("SELECT count(*) FROM meter_reading")).scalar_one())


def test_simulate_load_twice_and_report(store: str, tmp_path: Path) -> None:
    out = tmp_path / "sim.csv"
    r = runner.invoke(
        app,
        ["meters", "simulate", "--meters", "6", "--days", "1", "--start", "2026-12-03", "--out", str(out)],
    )
    assert r.exit_code == 0, r.output
    assert "stuck: M-004" in r.output
    sim_out = r.output
    before = _count(store)
    r = runner.invoke(app, ["meters", "load", str(out)])
    assert r.exit_code == 0, r.output
    # 5 counters × 97 readings (the closing one too) + the interval meter's 96, less the gap's 8
    assert "readings 573, stored 573" in r.output
    r = runner.invoke(app, ["meters", "load", str(out)])
    assert r.exit_code == 0, r.output
    assert _count(store) == before + 573
    with engine_for(store).connect() as c:
        eid = c.execute(sa.text("SELECT id FROM enterprise WHERE credit_code = :c"), {"c": PBZN}).scalar_one()
    r = runner.invoke(app, ["meters", "report", str(eid), "--day", "2026-12-03"])
    assert r.exit_code == 0, r.output
    assert "M-003" in r.output and "gap×1" in r.output
    assert "negative×1" in r.output  # M-002's new register, until its replacement is recorded
    [hint] = [ln for ln in sim_out.splitlines() if "record it" in ln]
    args = hint.split("carbonpeak ", 1)[1].split()
    with engine_for(store).connect() as c:
        q = "SELECT id FROM meter WHERE enterprise_id = :e AND code = 'M-002'"
        args[2] = str(c.execute(sa.text(q), {"e": eid}).scalar_one())
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["meters", "report", str(eid), "--day", "2026-12-03"])
    assert "negative" not in r.output and "gap×1" in r.output


def test_a_reading_for_an_unknown_meter_rejects_the_whole_file(store: str, tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(
        f"enterprise,meter,ts,value\n{PBZN},M-000,2026-12-03T00:00:00+08:00,1\n{PBZN},NOPE,2026-12-03T00:15:00+08:00,2\n"
        f"{PBZN},M-000,2026-12-03T00:30:00+08:00,abc\n",
        encoding="utf-8",
    )
    before = _count(store)
    r = runner.invoke(app, ["meters", "load", str(f)])
    assert r.exit_code == 2
    assert "row=4, column=value" in r.output and "is not a number" in r.output
    f.write_text(
        f"enterprise,meter,ts,value\n{PBZN},M-000,2026-12-03T00:00:00+08:00,1\n{PBZN},NOPE,2026-12-03T00:15:00+08:00,2\n"
    )
    r = runner.invoke(app, ["meters", "load", str(f)])
    assert r.exit_code == 2
    assert "row=3, column=meter" in r.output and f"Unknown meter '{PBZN}/NOPE'" in r.output
    assert _count(store) == before


def test_import_reports_every_problem_with_its_place(store: str, tmp_path: Path) -> None:
    f = tmp_path / "meters.csv"
    f.write_text(
        "enterprise,site,meter_code,name_zh,carrier,unit,kind,gb17167_level,parent_meter\n"
        f"{PBZN},厂区,N-1,新表,electricity_purchased,Nm3,cumulative,unit,\n"
        f"{PBZN},厂区,N-2,新表2,coal,kWh,sometimes,level9,N-9\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["meters", "import", str(f)])
    assert r.exit_code == 2
    for where in (
        "row=2, column=unit",
        "row=3, column=carrier",
        "row=3, column=kind",
        "row=3, column=gb17167_level",
    ):
        assert where in r.output, where
    r = runner.invoke(app, ["meters", "list"])
    assert "N-1" not in r.output and "12 meters" in r.output


def test_listen_stores_what_was_queued_for_its_session(store: str) -> None:
    """``meters listen`` picks up what the broker kept for its persistent session."""
    pytest.importorskip("paho.mqtt.client")
    cid = f"cp-cli-{uuid.uuid4().hex[:10]}"
    first = mqtt.Subscriber("127.0.0.1", 1883, cid)  # the session and its subscription
    assert first.start() and first.subscribed.wait(10)
    first.stop()
    try:
        msgs = [(f"carbonpeak/{PBZN}/M-002", f"{1_764_864_000 + 900 * k},{k}.5".encode()) for k in range(5)]
        mqtt.publish([*msgs, (f"carbonpeak/{PBZN}/M-002", b"garbage")], "127.0.0.1", 1883)
        before = _count(store)
        r = runner.invoke(app, ["meters", "listen", "--client-id", cid, "--seconds", "3"])
        assert r.exit_code == 0, r.output
        assert _count(store) == before + 5
        assert "stored 5 rejected 1" in r.output and "payload_malformed" in r.output
    finally:
        mqtt.forget_session("127.0.0.1", 1883, cid)
