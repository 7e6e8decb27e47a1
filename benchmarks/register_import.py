"""Throughput of the all-or-nothing register import (validate + store + audit) on SQLite.

Generates N synthetic enterprises with two lines each, imports them into a fresh SQLite
store, and prints enterprises/s; the baseline in the same run is validation alone
(parse_register), so the ratio shows what storing and auditing cost.
Set CARBONPEAK_DATABASE_URL to a PostgreSQL URL to measure there instead.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from rich.progress import track

from carbonpeak.io.register import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_OPTIONAL,
    LINE_COLUMNS,
    LINE_OPTIONAL,
    parse_register,
)
from carbonpeak.io.tabular import read_rows
from carbonpeak.model.credit_code import check_character
from carbonpeak.service.platform.bootstrap import prepare_store
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.registry.enterprises import import_register
from carbonpeak.store.db import sessionmaker_for

N = 2_000
CITIES = ["430100", "430200", "430400", "431000", "431300"]


def files(n: int) -> tuple[bytes, bytes]:
    ents = ["credit_code,name_zh,name_en,city,park,metals,above_designated_size"]
    lines = ["enterprise,line_code,name_zh,name_en,metal,route,capacity,capacity_unit,status,commissioned"]
    for i in track(range(n), description="generating"):
        city = CITIES[i % len(CITIES)]
        first = f"91{city}{i:09d}"
        code = first + check_character(first)
        ents.append(f"{code},基准测试企业{i}（示例）,Bench {i} (demo),{city},,Zn,true")
        lines.append(f"{code},L01,电锌,,Zn,zn_hydro,10,万t/a,existing,2010")
        lines.append(f"{code},L02,再生锌,,Zn,zn_secondary,5000,吨/年,planned,")
    return "\n".join(ents).encode(), "\n".join(lines).encode()


def main() -> None:
    ents_b, lines_b = files(N)
    et = read_rows(ents_b, "e.csv", ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL)
    lt = read_rows(lines_b, "l.csv", LINE_COLUMNS, LINE_OPTIONAL)
    t0 = time.perf_counter()
    parse_register(et, lt)
    validate = N / (time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("CARBONPEAK_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'b.db'}"
        prepare_store(url, demo=False)
        with sessionmaker_for(url)() as db:
            t0 = time.perf_counter()
            import_register(Context(db=db, principal=SYSTEM), et, lt)
            full = N / (time.perf_counter() - t0)
    print(f"validate only (baseline): {validate:,.0f} enterprises/s")
    print(f"validate + store + audit: {full:,.0f} enterprises/s ({2 * full:,.0f} lines/s)")
    print(f"ratio full/validate: {full / validate:.2f}")


if __name__ == "__main__":
    main()
