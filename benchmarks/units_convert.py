"""Throughput of unit conversion at the edge: vectorised factor vs pint per value.

Converts N quantities written in 万千瓦时 to kWh two ways in the same process and prints
values/s and the ratio. The vectorised path is what io/ uses for a whole column.
"""

from __future__ import annotations

import time

import numpy as np

from carbonpeak import units

N = 1_000_000
BASELINE_N = 20_000


def main() -> None:
    rng = np.random.default_rng(1)
    values = rng.uniform(0, 1e4, N)
    units.convert(1.0, "万千瓦时", "kWh")  # parse once; both paths reuse the parsed unit
    t0 = time.perf_counter()
    out = units.convert(values, "万千瓦时", "kWh")
    vec = N / (time.perf_counter() - t0)
    reg = units.registry()
    unit = units.parse_unit("万千瓦时")
    t0 = time.perf_counter()
    base = [reg.Quantity(v, unit).to("kWh").magnitude for v in values[:BASELINE_N]]
    per = BASELINE_N / (time.perf_counter() - t0)
    if not np.allclose(out[:BASELINE_N], base):
        raise SystemExit("the two paths disagree")
    print(f"vectorised convert: {vec:,.0f} values/s")
    print(f"pint per value (baseline): {per:,.0f} values/s")
    print(f"ratio: {vec / per:,.0f}x")


if __name__ == "__main__":
    main()
