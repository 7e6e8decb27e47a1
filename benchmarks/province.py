"""A province through the product's own path: bulk load, recompute, province views.

Builds N synthetic enterprises (default 5 000) in a fresh store — the register through the
register import, then one activity file (Parquet) with, per enterprise, 6 years of annual
figures (2020–2025) and 24 months (2024–2025), 35 activity lines per period on 3
production lines (≈ 1 050 rows per enterprise) — and measures, against N = 100 in the
same run (``--baseline``):

- **bulk store**: ``inventory.store_table`` (read the file, validate, compute, store one
  approved version per enterprise and year with its figures and its inventory lines in
  bulk: COPY on PostgreSQL, executemany on SQLite; one audit event), rows/s;
- **recompute**: every inventory recomputed after a factor-set change
  (``inventory.recompute_all``), s;
- **views**: ``GET /api/v1/targets``, ``/api/v1/dashboard`` and ``/api/v1/benchmark/share``
  on a live server (uvicorn in a thread), cold (first request after the data changed) and
  warm (p50/p95 of 50 concurrent clients × 10 requests each), and the response sizes;
- peak resident memory of the process.

Usage: ``python benchmarks/province.py [--enterprises N] [--baseline M] [--skip-recompute]``;
set ``CARBONPEAK_DATABASE_URL`` to a PostgreSQL server URL to measure there (a new database
is created and dropped) instead of a temporary SQLite file. Synthetic data: no figure here
is a Hunan statistic.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table as RichTable

from carbonpeak.io.activity import read_activity_frame
from carbonpeak.io.register import ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL, LINE_COLUMNS, LINE_OPTIONAL
from carbonpeak.io.tabular import read_rows
from carbonpeak.model.credit_code import check_character
from carbonpeak.service.inventories import inventory
from carbonpeak.service.platform.bootstrap import prepare_store
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.registry.enterprises import import_register
from carbonpeak.store.db import dispose, normalise_url, sessionmaker_for

console = Console()
CITIES = ["430100", "430200", "430300", "430400", "430500", "430700", "430800", "431000", "431100", "431300"]
LINES = (
    ("L01", "Zn", "zn_hydro", 100_000.0),
    ("L02", "Pb", "pb_bottom_blown", 60_000.0),
    ("L03", "Cu", "cu_flash", 80_000.0),
)
#: (item, unit, line, typical annual quantity) — 35 lines of one period (canonical units)
PER_LINE = (
    ("bituminous_coal", "t", 9_000.0),
    ("natural_gas", "万Nm3", 300.0),
    ("diesel", "t", 60.0),
    ("coke", "t", 2_000.0),
    ("reductant_coke", "t", 3_000.0),
    ("limestone", "t", 500.0),
    ("electricity_purchased", "MWh", 60_000.0),
    ("electricity_exported", "MWh", 300.0),
    ("heat_purchased", "GJ", 9_000.0),
    ("green_power_traded", "MWh", 1_000.0),
    ("product_output", "t", 70_000.0),
)
ITEMS = [
    *[(it, u, ln, q) for ln, *_r in LINES for it, u, q in PER_LINE],
    ("soda_ash", "t", "L01", 100.0),
    ("value_added", "万元", "", 50_000.0),
]


def code_of(i: int) -> str:
    city = CITIES[i % len(CITIES)]
    first = f"91{city}{i:09d}"
    return first + check_character(first)


def register_files(n: int) -> tuple[bytes, bytes]:
    ents = ["credit_code,name_zh,name_en,city,park,metals,above_designated_size"]
    lines = ["enterprise,line_code,name_zh,name_en,metal,route,capacity,capacity_unit,status,commissioned"]
    for i in range(n):
        code = code_of(i)
        ents.append(
            f"{code},基准测试企业{i}（示例）,Bench {i} (synthetic),{CITIES[i % len(CITIES)]},,Zn;Pb;Cu,true"
        )
        for ln, metal, route, cap in LINES:
            lines.append(f"{code},{ln},{ln}（示例）,,{metal},{route},{cap:.0f},t/a,existing,2015")
    return "\n".join(ents).encode(), "\n".join(lines).encode()


def activity_parquet(n: int, seed: int = 7) -> tuple[bytes, int]:
    """The province's activity file: annual 2020–2025 and monthly 2024–2025, per enterprise."""
    rng = np.random.default_rng(seed)
    periods = [str(y) for y in range(2020, 2026)] + [
        f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)
    ]
    share = np.asarray([1.0] * 6 + [1.0 / 12] * 24)
    trend = np.asarray([1.0 + 0.03 * (y - 2020) for y in range(2020, 2026)] + [1.15] * 12 + [1.18] * 12)
    n_items, n_per = len(ITEMS), len(periods)
    ent = np.repeat(np.arange(n), n_per * n_items)
    per = np.tile(np.repeat(np.arange(n_per), n_items), n)
    item = np.tile(np.arange(n_items), n * n_per)
    base = np.asarray([q for *_x, q in ITEMS])[item]
    size = rng.uniform(0.3, 2.0, n)[ent]
    qty = base * size * share[per] * trend[per] * rng.uniform(0.9, 1.1, len(ent))
    frame = pd.DataFrame(
        {
            "enterprise": pd.Categorical.from_codes(ent, [code_of(i) for i in range(n)]),
            "period": pd.Categorical.from_codes(per, periods),
            "item": pd.Categorical(np.asarray([i for i, *_x in ITEMS], dtype=object)[item]),
            "quantity": np.round(qty, 3),
            "unit": pd.Categorical(np.asarray([u for _i, u, *_x in ITEMS], dtype=object)[item]),
            "line": pd.Categorical(np.asarray([ln for _i, _u, ln, _q in ITEMS], dtype=object)[item]),
        }
    )
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue(), len(frame)


#: The store to measure, read once (the live server of a run points the variable at its own
#: database).
BASE_URL = os.environ.get("CARBONPEAK_DATABASE_URL", "")


def new_store(tag: str, tmp: Path) -> tuple[str, Any]:
    base = BASE_URL
    if base.startswith("postgres"):
        name = f"cp_bench_{tag}_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            dispose(url)
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return url, drop
    return f"sqlite:///{tmp / f'{tag}.db'}", lambda: dispose(f"sqlite:///{tmp / f'{tag}.db'}")


def serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """The app on a live uvicorn server in its own process (*workers* worker processes), as
    production runs it: the benchmark's 50 client threads do not share its interpreter."""
    env = {**os.environ, "CARBONPEAK_DATABASE_URL": url}
    cmd = [sys.executable, "-m", "uvicorn", "carbonpeak.app:create_app", "--factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env)  # noqa: S603 — our own interpreter and arguments
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def token(base: str, url: str) -> str:
    """A province API token made by the service (the benchmark's own account)."""
    from carbonpeak.service.access import auth  # noqa: PLC0415

    with sessionmaker_for(url)() as db:
        ctx = Context(db=db, principal=SYSTEM)
        name = f"bench-{uuid.uuid4().hex[:6]}"
        auth.add_user(ctx, name, "bench-password-2026!", "province")
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": name, "password": "bench-password-2026!"})
    r.raise_for_status()
    return str(r.json()["access_token"])


async def _load(
    base: str,
    path: str,
    tok: str,
    clients: int,
    per_client: int,
    *,
    cookie: str = "",
    until: float | None = None,
    errors: list[str] | None = None,
    timeout_s: float | None = None,
) -> list[float]:
    """*clients* keep-alive connections, each sending *per_client* GETs of *path* one after
    another; the seconds of every request. A bare HTTP/1.1 client on asyncio streams: a
    Python HTTP library's own cost per request (2–4 ms of CPU for httpx) would otherwise
    be most of what fifty clients measure on a two-core machine.

    For a timed run (``benchmarks/load.py``): *cookie* is sent as the ``Cookie`` header (the
    pages' session); each client stops at ``time.perf_counter()`` *until* (then *per_client*
    is only a ceiling); with an *errors* list, a non-200 status, a request past *timeout_s*
    or a dropped connection is appended to it (the status, ``timeout`` or the exception's
    name; the client reconnects) instead of ending the run, and only the 200s are timed."""
    host, port = base.removeprefix("http://").split(":")
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {tok}\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "Accept-Encoding: identity\r\n\r\n"
    ).encode()

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])  # type: ignore[index]
        await reader.readexactly(length)
        return int(head.split(b" ", 2)[1])

    async def client() -> list[float]:
        reader, writer = await asyncio.open_connection(host, int(port))
        times = []
        try:
            for _ in range(per_client):
                if until is not None and time.perf_counter() >= until:
                    break
                t0 = time.perf_counter()
                try:
                    status = await asyncio.wait_for(one(reader, writer), timeout_s)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, TypeError) as exc:
                    if errors is None:
                        raise
                    errors.append("timeout" if isinstance(exc, TimeoutError) else type(exc).__name__)
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                    continue
                if status != 200:
                    if errors is None:
                        raise SystemExit(f"{path}: {status}")
                    errors.append(str(status))
                    continue
                times.append(time.perf_counter() - t0)
        finally:
            writer.close()
        return times

    parts = await asyncio.gather(*(client() for _ in range(clients)))
    return [t for p in parts for t in p]


def views(
    base: str, tok: str, clients: int = 50, per_client: int = 10, workers: int = 1
) -> dict[str, dict[str, float]]:
    h = {"Authorization": f"Bearer {tok}"}
    out: dict[str, dict[str, float]] = {}
    with httpx.Client(base_url=base, headers=h, timeout=300) as c:
        for path in ("/api/v1/targets", "/api/v1/dashboard", "/api/v1/benchmark/share?year=2025"):
            t0 = time.perf_counter()
            r = c.get(path)
            cold = time.perf_counter() - t0
            if r.status_code != 200:
                raise SystemExit(f"{path}: {r.status_code} {r.text[:300]}")
            if workers > 1:  # every worker keeps its own cache: let each compute its view first
                with ThreadPoolExecutor(4 * workers) as ex:
                    list(ex.map(lambda _i, p=path: c.get(p).status_code, range(4 * workers)))

            warm = sorted(asyncio.run(_load(base, path, tok, clients, per_client)))
            out[path] = {
                "cold_s": cold,
                "p50_ms": 1000 * statistics.median(warm),
                "p95_ms": 1000 * warm[int(0.95 * (len(warm) - 1))],
                "kb": len(r.content) / 1024,
            }
    return out


def run(n: int, tmp: Path, port: int, recompute: bool, workers: int) -> dict[str, Any]:
    url, drop = new_store(f"n{n}", tmp)
    try:
        prepare_store(url, demo=False)
        ents, lines = register_files(n)
        with sessionmaker_for(url)() as db:
            ctx = Context(db=db, principal=SYSTEM, request_id="bench")
            import_register(
                ctx,
                read_rows(ents, "enterprises.csv", ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL),
                read_rows(lines, "lines.csv", LINE_COLUMNS, LINE_OPTIONAL),
            )
        data, rows = activity_parquet(n)
        with console.status(f"N = {n:,}: bulk store of {rows:,} rows…"):
            t0 = time.perf_counter()
            with sessionmaker_for(url)() as db:
                ctx = Context(db=db, principal=SYSTEM, request_id="bench")
                done = inventory.store_table(
                    ctx, read_activity_frame(data, "province.parquet"), file="province.parquet"
                )
            store_s = time.perf_counter() - t0
        rec_s = float("nan")
        if recompute:
            with console.status(f"N = {n:,}: recompute every inventory…"):
                t0 = time.perf_counter()
                with sessionmaker_for(url)() as db:
                    summary = inventory.recompute_all(Context(db=db, principal=SYSTEM, request_id="bench"))
                rec_s = time.perf_counter() - t0
                if summary.runs != done.versions:
                    raise SystemExit(f"recomputed {summary.runs} runs of {done.versions}")
        server = serve(url, port, workers)
        try:
            base = f"http://127.0.0.1:{port}"
            with console.status(f"N = {n:,}: province views, 50 clients, {workers} worker(s)…"):
                v = views(base, token(base, url), workers=workers)
        finally:
            stop(server)
        return {
            "n": n,
            "rows": rows,
            "versions": done.versions,
            "store_s": store_s,
            "recompute_s": rec_s,
            "views": v,
        }
    finally:
        drop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--enterprises", type=int, default=5_000)
    ap.add_argument("--baseline", type=int, default=100)
    ap.add_argument("--skip-recompute", action="store_true")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    args = ap.parse_args()
    store = "PostgreSQL" if BASE_URL.startswith("postgres") else "SQLite"
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        small = run(args.baseline, tmp, args.port, not args.skip_recompute, args.workers)
        big = run(args.enterprises, tmp, args.port + 1, not args.skip_recompute, args.workers)
    t = RichTable(title=f"province, {store}: N = {big['n']:,} against N = {small['n']:,} (synthetic)")
    t.add_column("measure")
    t.add_column(f"N = {small['n']:,}", justify="right")
    t.add_column(f"N = {big['n']:,}", justify="right")
    t.add_column("ratio", justify="right")
    t.add_row("rows", f"{small['rows']:,}", f"{big['rows']:,}", f"{big['rows'] / small['rows']:.0f}")
    t.add_row(
        "bulk store rows/s",
        f"{small['rows'] / small['store_s']:,.0f}",
        f"{big['rows'] / big['store_s']:,.0f}",
        f"{(big['rows'] / big['store_s']) / (small['rows'] / small['store_s']):.2f}",
    )
    t.add_row(
        "bulk store s",
        f"{small['store_s']:.1f}",
        f"{big['store_s']:.1f}",
        f"{big['store_s'] / small['store_s']:.1f}",
    )
    t.add_row(
        "recompute all s",
        f"{small['recompute_s']:.1f}",
        f"{big['recompute_s']:.1f}",
        f"{big['recompute_s'] / small['recompute_s']:.1f}",
    )
    for path in small["views"]:
        a, b = small["views"][path], big["views"][path]
        t.add_row(
            f"{path} cold s", f"{a['cold_s']:.2f}", f"{b['cold_s']:.2f}", f"{b['cold_s'] / a['cold_s']:.1f}"
        )
        t.add_row(
            f"{path} warm p50 ms",
            f"{a['p50_ms']:.1f}",
            f"{b['p50_ms']:.1f}",
            f"{b['p50_ms'] / a['p50_ms']:.2f}",
        )
        t.add_row(
            f"{path} warm p95 ms",
            f"{a['p95_ms']:.1f}",
            f"{b['p95_ms']:.1f}",
            f"{b['p95_ms'] / a['p95_ms']:.2f}",
        )
        t.add_row(f"{path} KB", f"{a['kb']:.0f}", f"{b['kb']:.0f}", f"{b['kb'] / a['kb']:.1f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(t)
    console.print(f"peak resident memory: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
