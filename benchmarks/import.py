"""Throughput of the data-intake import: a province-size batch of submissions.

Generates N synthetic enterprises (default 5 000, two lines each) in a fresh store and one
activity CSV per enterprise (12 months × 6 items = 72 figures), plus a sample of filled
xlsx templates, then measures

- **validate**: read + validate every file (io only), rows/s, against a plain row-by-row
  reference in the same run (a Python loop per figure: item lookup, unit parsed and
  converted with pint for every row);
- **store**: the full ``import_submission`` of every file, each its own all-or-nothing
  transaction (validate, plausibility, bulk insert, inventory, one audit event), rows/s;
  and the figures' bulk insert against a row-by-row ORM insert (one object, one flush per
  figure) in the same run.

Usage: ``python benchmarks/import.py [--enterprises N] [--xlsx M]``; set
``CARBONPEAK_DATABASE_URL`` to a PostgreSQL URL to measure there instead of SQLite.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import tempfile
import time
from pathlib import Path

from rich.progress import track
from sqlalchemy import select

from carbonpeak import units
from carbonpeak.accounting.factors import load_factors
from carbonpeak.io.intake import read_submission, validate
from carbonpeak.io.register import ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL, LINE_COLUMNS, LINE_OPTIONAL
from carbonpeak.io.tabular import read_rows
from carbonpeak.io.template import FIRST_DATA_ROW, SHEET_DATA
from carbonpeak.model.credit_code import check_character
from carbonpeak.service.platform.bootstrap import prepare_store
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.registry.enterprises import import_register
from carbonpeak.service.reporting import intake
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import Enterprise, Submission, SubmissionValue, SubmissionVersion

CITIES = ["430100", "430200", "430400", "431000", "431300"]
YEAR = 2030
ITEMS = (
    ("L01", "烟煤", "t", 800.0),
    ("L01", "天然气", "万Nm³", 23.0),
    ("L01", "购入电力", "万kWh", 130.0),
    ("L02", "焦炭（还原剂）", "t", 300.0),
    ("L02", "产品产量", "t", 13000.0),
    ("", "购入热力", "GJ", 500.0),
)


def code_of(i: int) -> str:
    first = f"91{CITIES[i % len(CITIES)]}{i:09d}"
    return first + check_character(first)


def register(n: int) -> tuple[bytes, bytes]:
    ents = ["credit_code,name_zh,name_en,city,park,metals,above_designated_size"]
    lines = ["enterprise,line_code,name_zh,name_en,metal,route,capacity,capacity_unit,status,commissioned"]
    for i in range(n):
        code, city = code_of(i), CITIES[i % len(CITIES)]
        ents.append(f"{code},基准测试企业{i}（示例）,Bench {i} (demo),{city},,Zn,true")
        lines.append(f"{code},L01,电锌,,Zn,zn_hydro,10,万t/a,existing,2010")
        lines.append(f"{code},L02,再生锌,,Zn,zn_secondary,5000,吨/年,existing,2015")
    return "\n".join(ents).encode(), "\n".join(lines).encode()


def activity_csv(i: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["enterprise", "period", "item", "quantity", "unit", "line"])
    code = code_of(i)
    scale = 1.0 + (i % 17) / 10.0
    for line, item, unit, base in ITEMS:
        for m in range(1, 13):
            q = round(base * scale * (1 + 0.01 * ((m * 7 + i) % 13 - 6)), 3)
            w.writerow([code, f"{YEAR}-{m:02d}", item, q, unit, line])
    return buf.getvalue().encode("utf-8")


def one_large_csv(n_lines: int) -> bytes:
    """One enterprise with *n_lines* lines × 6 items × 12 months, in one file."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["enterprise", "period", "item", "quantity", "unit", "line"])
    code = code_of(0)
    for n in range(n_lines):
        for _line, item, unit, base in ITEMS:
            for m in range(1, 13):
                w.writerow([code, f"{YEAR}-{m:02d}", item, base + n, unit, f"X{n:05d}"])
    return buf.getvalue().encode("utf-8")


def fill(template: bytes, rows: list[tuple[str, str, str, list[float]]]) -> bytes:
    """The template with its data rows replaced by *rows* (line, item, unit, 12 months)."""
    from openpyxl import load_workbook  # noqa: PLC0415

    wb = load_workbook(io.BytesIO(template))
    ws = wb[SHEET_DATA]
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        for c in range(1, 16):
            ws.cell(r, c).value = None
    for i, (line, item, unit, months) in enumerate(rows):
        r = FIRST_DATA_ROW + i
        ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 3).value = line or None, item, unit
        for m, v in enumerate(months):
            ws.cell(r, 4 + m).value = v
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row_by_row_validate(data: bytes) -> int:
    """The reference: one Python iteration per figure, pint for every unit."""
    f = load_factors()
    reg = units.registry()
    n = 0
    for r in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        item = f.aliases.get(r["item"].strip().lower())
        if item is None:
            raise ValueError(r["item"])
        q = float(r["quantity"])
        if q < 0:
            raise ValueError(q)
        canon = str(f.items.loc[item, "canonical_unit"])
        unit = reg.parse_units(units.normalise_unit_text(r["unit"]))
        reg.Quantity(q, unit).to(reg.parse_units(units.normalise_unit_text(canon)))
        n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=5_000)
    ap.add_argument("--xlsx", type=int, default=100, help="filled workbooks to validate")
    ap.add_argument("--reference", type=int, default=200, help="files for the row-by-row references")
    args = ap.parse_args()
    n = args.enterprises
    f = load_factors()
    files = [activity_csv(i) for i in track(range(n), description="generating CSV")]
    rows_total = sum(72 for _ in files)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("CARBONPEAK_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.db'}"
        prepare_store(url, demo=False)
        ents_b, lines_b = register(n)
        with sessionmaker_for(url)() as db:
            ctx = Context(db=db, principal=SYSTEM, request_id="bench")
            import_register(
                ctx,
                read_rows(ents_b, "e.csv", ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL),
                read_rows(lines_b, "l.csv", LINE_COLUMNS, LINE_OPTIONAL),
            )
            # --- validate ------------------------------------------------------------------
            t0 = time.perf_counter()
            for data in track(files, description="validating CSV"):
                v = validate(read_submission(data, "a.csv"), f.items, f.aliases, ("L01", "L02"))
                assert not v.problems  # noqa: S101 — the generated files are clean
            t_val = time.perf_counter() - t0
            k = min(args.reference, n)
            t0 = time.perf_counter()
            ref_rows = sum(row_by_row_validate(d) for d in files[:k])
            t_ref = time.perf_counter() - t0
            # xlsx sample
            ent_id = db.execute(
                select(Enterprise.id).where(Enterprise.credit_code == code_of(0))
            ).scalar_one()
            tpl, _ = intake.template_workbook(ctx, ent_id, YEAR)
            books = []
            for i in range(min(args.xlsx, n)):
                scale = 1.0 + (i % 17) / 10.0
                rows = [(ln, it, u, [round(b * scale, 3)] * 12) for ln, it, u, b in ITEMS]
                books.append(fill(tpl, rows))
            t0 = time.perf_counter()
            for data in books:
                v = validate(read_submission(data, "a.xlsx"), f.items, f.aliases, ("L01", "L02"))
                assert not v.problems  # noqa: S101
            t_xlsx = time.perf_counter() - t0
            # --- store -----------------------------------------------------------------------
            t0 = time.perf_counter()
            for data in track(files, description="importing"):
                intake.import_submission(ctx, data, "a.csv", acknowledge_warnings=True)
            t_store = time.perf_counter() - t0
            # bulk insert of figures vs row-by-row ORM inserts, same figures, one version each
            vals = [
                validate(read_submission(d, "a.csv"), f.items, f.aliases, ("L01", "L02")).values
                for d in files[:k]
            ]
            vers = []
            for i in range(2 * k):
                sub = Submission(
                    enterprise_id=1 + i % n,
                    year=YEAR + 1 + i // n,
                    status="draft",
                    created_at="",
                    updated_at="",
                )
                db.add(sub)
                db.flush()
                ver = SubmissionVersion(submission_id=sub.id, version_no=1, created_at="", created_by="bench")
                db.add(ver)
                db.flush()
                vers.append(ver.id)
            db.commit()
            t0 = time.perf_counter()
            for vid, fr in zip(vers[:k], vals, strict=True):
                intake._insert_values(db, vid, fr)  # the bulk path under test
            db.commit()
            t_bulk = time.perf_counter() - t0
            t0 = time.perf_counter()
            for vid, fr in zip(vers[k:], vals, strict=True):
                for r in fr.to_dict("records"):
                    db.add(
                        SubmissionValue(
                            version_id=vid,
                            line_code=str(r["line_code"]),
                            item=str(r["item"]),
                            period=str(r["period"]),
                            quantity=float(r["quantity"]),
                            unit=str(r["unit"]),
                            quantity_in=float(r["quantity_in"]),
                            unit_in=str(r["unit_in"]),
                            purity=None,
                            sheet="",
                            row=int(r["row"]),
                            col=str(r["col"]),
                        )
                    )
                    db.flush()
            db.commit()
            t_rbr = time.perf_counter() - t0
    # one province-size file: the vectorised validation without the per-file overhead
    big = one_large_csv(n)
    big_lines = [f"X{i:05d}" for i in range(n)]
    t0 = time.perf_counter()
    big_v = validate(read_submission(big, "big.csv"), f.items, f.aliases, big_lines)
    t_big = time.perf_counter() - t0
    assert not big_v.problems  # noqa: S101
    store_name = url.split(":", 1)[0]
    ref_rate = ref_rows / t_ref
    val_rate = rows_total / t_val
    print(f"batch: {n:,} enterprises × 12 months = {rows_total:,} figures, store {store_name}")
    print(f"validate CSV (vectorised):        {val_rate:12,.0f} rows/s  ({n / t_val:,.0f} files/s)")
    big_rate = len(big_v.values) / t_big
    print(
        f"validate one {len(big_v.values):,}-row CSV: {big_rate:12,.0f} rows/s  "
        f"ratio {big_rate / ref_rate:.1f}×"
    )
    print(f"validate CSV (row-by-row ref.):   {ref_rate:12,.0f} rows/s  ratio {val_rate / ref_rate:.1f}×")
    print(
        f"validate xlsx templates:          {72 * len(books) / t_xlsx:12,.0f} rows/s  "
        f"({len(books) / t_xlsx:,.1f} workbooks/s)"
    )
    print(
        f"import (validate+store+inventory+audit): {rows_total / t_store:,.0f} rows/s "
        f"({n / t_store:,.1f} submissions/s, {t_store:,.0f} s)"
    )
    bulk, rbr = 72 * k / t_bulk, 72 * k / t_rbr
    print(f"store figures, bulk insert:       {bulk:12,.0f} rows/s")
    print(f"store figures, row-by-row ORM:    {rbr:12,.0f} rows/s  ratio {bulk / rbr:.1f}×")


if __name__ == "__main__":
    main()
