"""Load: many clients for a fixed time on the pages and the API a province official uses.

A live server in its own process (``benchmarks/province.py``'s :func:`serve`, uvicorn with
``--workers``) over a fresh store holding the synthetic demo sector; *clients* keep-alive
connections (default 50) for *seconds* (default 60), shared out over five routes and all
running at once:

- ``/`` — the home page (a page: the session cookie of the demo province account);
- ``/dashboard`` — the dashboard page;
- ``/api/v1/targets`` — the province's targets (API: the account's bearer token);
- ``/inventories/{id}`` — an inventory page (the first run of the first enterprise);
- ``/api/v1/inventories/{id}`` — the same inventory through the API.

Every request carries both the token and the cookie, as a province user signed in on the
pages and holding an API token. Prints, per route, the requests completed, p50 / p95 / p99
[ms] of those that answered 200, and the errors (any other status, a request past the
timeout, a dropped connection). The clients are ``province.py``'s bare asyncio HTTP/1.1
clients (:func:`_load`), so the figures are the server's, not an HTTP library's.

Usage: ``python benchmarks/load.py [--clients 50] [--seconds 60] [--store sqlite|pg]
[--workers 1] [--timeout 60]``. ``--store pg`` creates a database on the server of
``CARBONPEAK_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``)
and drops it afterwards; SQLite uses a temporary file. Synthetic data: no figure here is a
Hunan statistic.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table as RichTable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import province

from carbonpeak.service.platform.bootstrap import prepare_store
from carbonpeak.store.db import dispose

console = Console(width=130)
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
USER, PASSWORD = "province", "demo-province"  # the demo province account (synthetic data)


def sign_in(base: str) -> tuple[str, str, int]:
    """The demo province account's API token, its pages' cookie header and a run id."""
    with httpx.Client(base_url=base, timeout=120) as c:
        r = c.post("/api/v1/auth/token", data={"username": USER, "password": PASSWORD})
        r.raise_for_status()
        tok = str(r.json()["access_token"])
        c.get("/login")  # the CSRF cookie
        r = c.post(
            "/login",
            data={"username": USER, "password": PASSWORD, "csrf_token": c.cookies.get("cp_csrf", "")},
            follow_redirects=False,
        )
        if r.status_code != 303:
            raise SystemExit(f"page sign-in: {r.status_code}")
        cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
        h = {"Authorization": f"Bearer {tok}"}
        ents = c.get("/api/v1/enterprises", headers=h).json()
        for e in ents:
            runs = c.get(f"/api/v1/enterprises/{e['id']}/inventories", headers=h).json()
            if runs:
                return tok, cookie, int(runs[0]["id"])
    raise SystemExit("the demo store has no inventory run")


def routes(run_id: int) -> list[str]:
    return ["/", "/dashboard", "/api/v1/targets", f"/inventories/{run_id}", f"/api/v1/inventories/{run_id}"]


async def _all(
    base: str, paths: list[str], tok: str, cookie: str, clients: int, seconds: float, timeout_s: float
) -> dict[str, tuple[list[float], list[str]]]:
    until = time.perf_counter() + seconds
    share = [clients // len(paths) + (1 if i < clients % len(paths) else 0) for i in range(len(paths))]
    errors: dict[str, list[str]] = {p: [] for p in paths}
    runs = [
        province._load(
            base,
            p,
            tok,
            n,
            10**9,
            cookie=cookie,
            until=until,
            errors=errors[p],
            timeout_s=timeout_s,
        )
        for p, n in zip(paths, share, strict=True)
        if n > 0
    ]
    times = await asyncio.gather(*runs)
    return {
        p: (t, errors[p])
        for p, t in zip([p for p, n in zip(paths, share, strict=True) if n], times, strict=True)
    }


def _pct(xs: list[float], q: float) -> float:
    return 1000 * xs[min(len(xs) - 1, int(q * (len(xs) - 1)))] if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--store", choices=("sqlite", "pg"), default="sqlite")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    ap.add_argument(
        "--timeout", type=float, default=60.0, help="a request past this many seconds is an error"
    )
    ap.add_argument("--port", type=int, default=8785)
    args = ap.parse_args()
    if args.store == "pg":
        env = os.environ.get("CARBONPEAK_DATABASE_URL", "")
        province.BASE_URL = env if env.startswith("postgres") else DEFAULT_PG
    else:
        province.BASE_URL = ""
    with tempfile.TemporaryDirectory() as d:
        url, drop = province.new_store("load", Path(d))
        try:
            with console.status("loading the demo sector…"):
                prepare_store(url, demo=True)
                dispose(url)
            server = province.serve(url, args.port, args.workers)
            try:
                base = f"http://127.0.0.1:{args.port}"
                tok, cookie, run_id = sign_in(base)
                paths = routes(run_id)
                with console.status(f"{args.clients} clients for {args.seconds:.0f} s…"):
                    t0 = time.perf_counter()
                    res = asyncio.run(
                        _all(base, paths, tok, cookie, args.clients, args.seconds, args.timeout)
                    )
                    wall = time.perf_counter() - t0
            finally:
                province.stop(server)
        finally:
            drop()
    store = "PostgreSQL" if args.store == "pg" else "SQLite"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    t = RichTable(
        title=f"load, {store}, demo sector: {args.clients} clients, {args.seconds:.0f} s, "
        f"{args.workers} worker(s) — {when}"
    )
    for col in ("route", "done", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"):
        t.add_column(col, justify="left" if col in ("route", "errors") else "right")
    for path, (times, errs) in res.items():
        times.sort()
        kinds = ", ".join(f"{k}×{errs.count(k)}" for k in sorted(set(errs))) or "0"
        t.add_row(
            path,
            f"{len(times):,}",
            f"{len(times) / wall:,.1f}",
            f"{1000 * statistics.median(times):.1f}" if times else "–",
            f"{_pct(times, 0.95):.1f}",
            f"{_pct(times, 0.99):.1f}",
            kinds,
        )
    console.print(t)
    console.print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"wall {wall:.1f} s"
    )


if __name__ == "__main__":
    main()
