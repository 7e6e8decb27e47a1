"""A process killed (SIGKILL) in the middle of a large import leaves the store as it was.

A subprocess imports a large activity file (one enterprise with 300 lines, ~70 000
figures plus as many inventory lines). The test watches the store from outside until the
import's write transaction is really open, then kills the process with SIGKILL:

- SQLite: a second connection's ``BEGIN IMMEDIATE`` fails with "database is locked"
  exactly while another connection holds the write lock of an open transaction;
- PostgreSQL: ``pg_stat_activity`` shows a backend of the test database with a
  transaction id (``backend_xid``), i.e. a transaction that has written.

The full dump (every table's rows in primary-key order) after the kill equals the one
before. The same file then imports in-process, which shows the killed import was real.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from carbonpeak.model.credit_code import check_character
from carbonpeak.model.schemas import EnterpriseCreate, LineCreate
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.registry import enterprises
from carbonpeak.service.reporting import intake
from carbonpeak.store.db import dispose, sessionmaker_for
from carbonpeak.store.models import SubmissionVersion
from tests.conftest import IS_PG
from tests.intake_support import dump_store

N_LINES = 300
ITEMS = (
    ("bituminous_coal", "t"),
    ("anthracite", "t"),
    ("coke", "t"),
    ("diesel", "t"),
    ("fuel_oil", "t"),
    ("natural_gas", "万Nm³"),
    ("lpg", "t"),
    ("reductant_coke", "t"),
    ("limestone", "t"),
    ("soda_ash", "t"),
    ("electricity_purchased", "万kWh"),
    ("electricity_exported", "MWh"),
    ("heat_purchased", "GJ"),
    ("oxygen", "万Nm³"),
    ("compressed_air", "万Nm³"),
    ("product_output", "t"),
    ("gasoline", "t"),
    ("kerosene", "t"),
    ("dolomite", "t"),
)
YEAR = 2030

CHILD = """
import sys
from carbonpeak.service.reporting import intake
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for
url, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
with sessionmaker_for(url)() as db:
    print("start", flush=True)
    # synthetic figures (unit energies far outside any product's range): acknowledged, as a
    # user does, so that the write transaction opens
    intake.import_submission(Context(db=db, principal=SYSTEM), data, "large.csv", acknowledge_warnings=True)
print("committed", flush=True)
"""


def _code() -> str:
    first = "91430400990000001"
    return first + check_character(first)


def _large_csv(code: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["enterprise", "period", "item", "quantity", "unit", "line"])
    for n in range(N_LINES):
        for k, (item, unit) in enumerate(ITEMS):
            q = 10.0 + n + k
            for m in range(1, 13):
                w.writerow([code, f"{YEAR}-{m:02d}", item, q, unit, f"K{n:03d}"])
    return buf.getvalue().encode("utf-8")


def _setup(url: str) -> str:
    code = _code()
    lines = tuple(
        LineCreate(
            code=f"K{n:03d}",
            name_zh=f"测试线 {n}（示例）",
            metal="Zn",
            route="zn_hydro",
            capacity_t_per_a=1e4,
        )
        for n in range(N_LINES)
    )
    with sessionmaker_for(url)() as db:
        enterprises.create_enterprise(
            Context(db=db, principal=SYSTEM),
            EnterpriseCreate(
                credit_code=code,
                name_zh="大文件测试冶炼厂（示例）",
                name_en="Large-file test smelter (demo)",
                city_code="430400",
                lines=lines,
                is_demo=True,
            ),
        )
    return code


def _write_txn_open_sqlite(path: str) -> bool:
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    else:
        conn.execute("ROLLBACK")
        return False
    finally:
        conn.close()


def _write_txn_open_pg(url: str) -> bool:
    u = sa.make_url(url)
    dbname = u.database
    admin = u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL "
            "AND state IN ('active', 'idle in transaction') AND pid <> pg_backend_pid()",
            (dbname,),
        ).fetchone()
    return bool(row and row[0])


def test_sigkill_mid_import_leaves_the_store_unchanged(demo_url: str, tmp_path: Path) -> None:
    code = _setup(demo_url)
    data = _large_csv(code)
    path = tmp_path / "large.csv"
    path.write_bytes(data)
    dispose(demo_url)  # no pooled connection of ours holds anything
    before = dump_store(demo_url)
    dispose(demo_url)
    sqlite_path = None if IS_PG else sa.make_url(demo_url).database
    probe = (
        (lambda: _write_txn_open_pg(demo_url))
        if IS_PG
        else (lambda: _write_txn_open_sqlite(str(sqlite_path)))
    )
    env = {**os.environ, "CARBONPEAK_DATABASE_URL": demo_url}
    proc = subprocess.Popen(  # noqa: S603 — our own interpreter and script
        [sys.executable, "-c", CHILD, demo_url, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 180
        opened = None
        while time.monotonic() < deadline and proc.poll() is None:
            if probe():
                opened = opened or time.monotonic()
                # let the transaction write for a while (values, inventory lines), then
                # kill while it is still open
                if time.monotonic() - opened > 0.4 and probe():
                    os.kill(proc.pid, signal.SIGKILL)
                    break
            time.sleep(0.005)
        out_b, err_b = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    out, err = out_b.decode(), err_b.decode()
    assert opened is not None, f"never saw the write transaction open: {out} {err}"
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, out, err)
    assert "committed" not in out
    if IS_PG:  # the server aborts the dead client's transaction; wait until it is gone
        for _ in range(200):
            if not _write_txn_open_pg(demo_url):
                break
            time.sleep(0.05)
    dispose(demo_url)
    assert dump_store(demo_url) == before
    # the same file imports when nobody kills it: the killed import was a real one
    with sessionmaker_for(demo_url)() as db:
        out_ = intake.import_submission(
            Context(db=db, principal=SYSTEM), data, "large.csv", acknowledge_warnings=True
        )
        assert out_.rows == N_LINES * len(ITEMS) * 12
        assert db.get(SubmissionVersion, out_.version_id) is not None


@pytest.mark.skipif(IS_PG, reason="the SQLite probe only")
def test_the_sqlite_probe_sees_an_open_write_transaction(tmp_path: Path) -> None:
    path = str(tmp_path / "probe.db")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x INTEGER)")
    assert not _write_txn_open_sqlite(path)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES (1)")
    assert _write_txn_open_sqlite(path)
    conn.execute("ROLLBACK")
    assert not _write_txn_open_sqlite(path)
    conn.close()
