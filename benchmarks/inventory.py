"""Province-scale inventory: 5 000 enterprises × 36 months × 40 lines = 7.2 M activity rows.

Prints, in one run:
- the engine pass (compute_inventory on a canonical frame): rows/s and seconds;
- a row-by-row Python reference (the same formulas with dict look-ups) on a sample, its
  rows/s, and the ratio engine/reference; the two agree on the sample;
- end to end from files (Parquet and CSV: read → validate/convert units → engine);
- peak resident memory.

Run: ``.venv/bin/python benchmarks/inventory.py [--rows N]``. Synthetic data only.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import Progress

from carbonpeak.accounting.engine import compute_inventory
from carbonpeak.accounting.factors import KGCE_PER_GJ, FactorTables, load_factors
from carbonpeak.io.activity import parse_activity_frame, read_activity_frame

ENTERPRISES, MONTHS, LINES = 5_000, 36, 40
ITEMS = [
    ("natural_gas", "万Nm3", 5.0),
    ("coke", "t", 300.0),
    ("bituminous_coal", "t", 500.0),
    ("diesel", "t", 5.0),
    ("reductant_coke", "t", 200.0),
    ("limestone", "t", 50.0),
    ("electricity_purchased", "MWh", 2_000.0),
    ("electricity_exported", "MWh", 50.0),
    ("heat_purchased", "GJ", 800.0),
    ("green_power_traded", "MWh", 100.0),
    ("product_output", "t", 1_000.0),
    ("soda_ash", "t", 10.0),
]
console = Console()


def make_frame(n_rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """A canonical activity frame (quantities already in each item's canonical unit)."""
    ent = rng.integers(0, ENTERPRISES, n_rows)
    month = rng.integers(0, MONTHS, n_rows)
    item = rng.integers(0, len(ITEMS), n_rows)
    scale = np.asarray([s for _i, _u, s in ITEMS])[item]
    return pd.DataFrame(
        {
            "enterprise": pd.Categorical.from_codes(ent, [f"E{i:05d}" for i in range(ENTERPRISES)]),
            "line": pd.Categorical.from_codes(
                rng.integers(0, LINES, n_rows), [f"L{i:02d}" for i in range(LINES)]
            ),
            "period": pd.Categorical.from_codes(
                month, [f"{2023 + m // 12}-{m % 12 + 1:02d}" for m in range(MONTHS)]
            ),
            "year": 2023 + month // 12,
            "item": pd.Categorical.from_codes(item, [i for i, _u, _s in ITEMS]),
            "quantity": rng.gamma(2.0, 0.5, n_rows) * scale,
            "unit": pd.Categorical(np.asarray([u for _i, u, _s in ITEMS], dtype=object)[item]),
        }
    )


def reference_row(item: str, q: float, year: int, f: FactorTables) -> tuple[float, float]:
    """One row, the plain-Python way: (co2_t, energy_tce)."""
    kind = f.items.at[item, "kind"]
    sign = f.items.at[item, "sign"]
    q = q * sign
    co2 = 0.0
    if kind == "fuel":
        r = f.fuels.loc[item]
        co2 = q * r["ncv_gj"] * r["cc_tc_per_tj"] / 1000 * r["oxidation"] * 44 / 12
    elif kind == "reductant":
        co2 = q * f.reductants.at[item, "ef_tco2"]
    elif kind in ("carbonate", "oxalic_acid"):
        co2 = q * f.carbonates.at[item, "ef_tco2_per_t"] * f.carbonates.at[item, "default_purity"]
    elif kind == "electricity":
        years = [y for y in f.grid.index if y <= year] or [f.grid.index.min()]
        co2 = q * f.grid.at[max(years), "ef_tco2_per_mwh"]
    elif kind == "heat":
        co2 = q * f.heat_ef
    base = {"reductant_coke": "coke"}.get(item, item)
    tce = 0.0
    if kind in ("fuel", "reductant", "electricity", "heat"):
        if base in f.tce.index:
            tce = q * f.tce.at[base, "tce_per_unit"]
        elif base in f.fuels.index:
            tce = q * f.fuels.at[base, "ncv_gj"] * KGCE_PER_GJ / 1000
    return co2, tce


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=ENTERPRISES * MONTHS * LINES)
    ap.add_argument("--sample", type=int, default=20_000)
    args = ap.parse_args()
    rng = np.random.default_rng(20260101)
    f = load_factors()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("generating synthetic activity", total=1)
        frame = make_frame(args.rows, rng)
        progress.update(task, completed=1)
    n = len(frame)
    console.print(
        f"rows: {n:,} ({ENTERPRISES:,} enterprises × {MONTHS} months × {LINES} lines when full size)"
    )

    compute_inventory(frame.head(1000), f)  # import-time work, not the pass
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        out = compute_inventory(frame, f)
        runs.append(time.perf_counter() - t0)
    engine_s, best_s = runs[0], min(runs)
    engine_rate = n / engine_s

    sample = frame.sample(args.sample, random_state=1)
    t0 = time.perf_counter()
    ref = [
        reference_row(str(i), float(q), int(y), f)
        for i, q, y in zip(sample["item"], sample["quantity"], sample["year"], strict=True)
    ]
    ref_rate = len(sample) / (time.perf_counter() - t0)
    got = out.loc[sample.index, ["co2_t", "energy_tce"]].to_numpy()
    if not np.allclose(got, np.asarray(ref), rtol=1e-9, atol=1e-9):
        raise SystemExit("engine and reference disagree")

    with tempfile.TemporaryDirectory() as tmp:
        raw = frame.drop(columns=["year"]).assign(enterprise=frame["enterprise"], period=frame["period"])
        pq_path = Path(tmp) / "activity.parquet"
        csv_path = Path(tmp) / "activity.csv"
        with console.status("writing the Parquet and CSV files"):
            table = pa.Table.from_pandas(raw, preserve_index=False)
            pq.write_table(table, pq_path)
            pacsv.write_csv(
                table.cast(
                    pa.schema(
                        [
                            (fld.name, pa.string() if pa.types.is_dictionary(fld.type) else fld.type)
                            for fld in table.schema
                        ]
                    )
                ),
                csv_path,
            )
        timings = {}
        for path in (pq_path, csv_path):
            t0 = time.perf_counter()
            data = path.read_bytes()
            rawf = read_activity_frame(data, path.name)
            canon = parse_activity_frame(rawf, f.items, f.aliases, file=path.name)
            res = compute_inventory(canon, f)
            timings[path.suffix] = (time.perf_counter() - t0, path.stat().st_size)
            if not np.isclose(res["co2_t"].sum(), out["co2_t"].sum(), rtol=1e-6):
                raise SystemExit(f"{path.name}: totals differ from the in-memory run")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    console.print(
        f"engine pass: first {engine_s:.2f} s — {engine_rate:,.0f} rows/s; "
        f"best of 3 {best_s:.2f} s — {n / best_s:,.0f} rows/s"
    )
    console.print(f"row-by-row Python reference (sample of {len(sample):,}): {ref_rate:,.0f} rows/s")
    console.print(f"ratio engine/reference: {engine_rate / ref_rate:,.0f}x")
    for suffix, (secs, size) in timings.items():
        console.print(
            f"end to end from {suffix} ({size / 1e6:,.0f} MB): {secs:.2f} s — {n / secs:,.0f} rows/s"
        )
    console.print(f"total CO2 {out['co2_t'].sum() / 1e6:,.2f} Mt; peak memory {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
