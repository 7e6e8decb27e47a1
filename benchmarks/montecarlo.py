"""Throughput of the Monte Carlo engine: 100 000 trajectories × 2020–2060 × the demo sector.

Runs :func:`carbonpeak.scenarios.montecarlo.run_montecarlo` on the synthetic demo base year
(22 metal × route × city groups) and the ``plan_policy`` scenario with four uncertain
drivers (two of them correlated), chunked, in-process (NumPy) and on a local Dask cluster
(threads); reports seconds, the peak of traced memory (tracemalloc, a separate run) and a
plain-Python loop reference (one trajectory, group and year at a time) on a few
trajectories, checked against the engine, with the per-trajectory ratio.
Target: < 3 s for the whole run on the 2-core machine.
"""

from __future__ import annotations

import math
import time
import tracemalloc

import numpy as np

from carbonpeak.scenarios.demo_scenarios import DEMO_BASE_YEAR, DEMO_SCENARIOS, demo_base_frame
from carbonpeak.scenarios.montecarlo import Distribution, _factor, run_montecarlo, sample_drivers
from carbonpeak.scenarios.projection import MWH_PER_TCE, base_year, driver_arrays, resolve

N, SEED, CHUNK = 100_000, 2026, 1_000
N_LOOP = 20
DISTS = [
    Distribution("output_growth", "normal", {"mean": 0.0, "sd": 0.01}),
    Distribution("grid_ef", "lognormal", {"mu": 0.0, "sigma": 0.1}, mode="scale"),
    Distribution("energy_intensity_improvement", "triangular", {"left": -0.005, "mode": 0.0, "right": 0.01}),
    Distribution("green_power_share", "uniform", {"low": -0.05, "high": 0.1}),
]
CORR = np.array([[1.0, 0.5, 0, 0], [0.5, 1.0, 0, 0], [0, 0, 1.0, 0], [0, 0, 0, 1.0]])


def plain_loop(n: int) -> np.ndarray:
    """Totals [tCO2/a] of the first n trajectories of a one-chunk run, one scalar at a time."""
    b = base_year(demo_base_frame(), DEMO_BASE_YEAR)
    s = resolve(DEMO_SCENARIOS["plan_policy"], DEMO_SCENARIOS)
    years = list(range(DEMO_BASE_YEAR, 2061))
    d = {k: v.tolist() for k, v in driver_arrays(b, s, years).items()}
    v = {k: a.tolist() for k, a in b.values.items()}
    metal = b.groups["metal"].tolist()
    sec = b.secondary.tolist()
    q_m = {m: sum(v["output_t"][g] for g in range(len(metal)) if metal[g] == m) for m in set(metal)}
    r0 = {
        m: sum(v["output_t"][g] for g in range(len(metal)) if metal[g] == m and sec[g]) / q_m[m] for m in q_m
    }
    rng = np.random.default_rng(np.random.SeedSequence(SEED).spawn(1)[0])
    x = sample_drivers(DISTS, _factor(CORR), n, rng).tolist()
    out = np.zeros((n, len(years)))
    for i in range(n):
        for g in range(len(metal)):
            oi, ii = 1.0, 1.0
            for t in range(len(years)):
                if t > 0:
                    oi *= 1.0 + max(d["output_growth"][g][t] + x[i][0], -0.99)
                    ii *= 1.0 - min(d["energy_intensity_improvement"][g][t] + x[i][2], 1.0)
                r = d["recycled_share"][g][t]
                mix = 1.0 if math.isnan(r) else (r / r0[metal[g]] if sec[g] else (1 - r) / (1 - r0[metal[g]]))
                q = max(
                    v["output_t"][g] * oi * mix + d["capacity_addition"][g][t] - d["capacity_exit"][g][t], 0.0
                )
                k = q / v["output_t"][g] * ii
                e, c = d["electrification"][g][t], d["coal_to_gas"][g][t]
                gef = max(d["grid_ef"][g][t] * x[i][1], 0.0)
                gp = min(max(d["green_power_share"][g][t] + x[i][3], 0.0), 1.0)
                coal = v["coal_tce"][g] * k * (1 - e) * (1 - c)
                gas = (v["gas_tce"][g] + c * v["coal_tce"][g]) * k * (1 - e)
                oil = v["oil_tce"][g] * k * (1 - e)
                fossil0 = v["coal_tce"][g] + v["gas_tce"][g] + v["oil_tce"][g]
                elec = (v["electricity_mwh"][g] + e * fossil0 * MWH_PER_TCE) * k
                out[i, t] += (
                    coal * v["ef_coal_tco2_per_tce"][g]
                    + gas * v["ef_gas_tco2_per_tce"][g]
                    + oil * v["ef_oil_tco2_per_tce"][g]
                    + q * v["process_co2_t_per_t"][g]
                    + elec * gef * (1 - gp)
                    + v["heat_gj"][g] * k * v["ef_heat_tco2_per_gj"][g]
                )
    return out


def main() -> None:
    b = base_year(demo_base_frame(), DEMO_BASE_YEAR)
    kw = {"correlation": CORR, "registry": DEMO_SCENARIOS, "chunk": CHUNK}
    run_montecarlo(b, DEMO_SCENARIOS["plan_policy"], DISTS, 2_000, SEED, **kw)  # warm up
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = run_montecarlo(b, DEMO_SCENARIOS["plan_policy"], DISTS, N, SEED, **kw)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    rd = run_montecarlo(b, DEMO_SCENARIOS["plan_policy"], DISTS, N, SEED, scheduler="local", **kw)
    dask_s = time.perf_counter() - t0
    same = np.array_equal(r.fan, rd.fan) and np.array_equal(r.peak_year, rd.peak_year)
    t0 = time.perf_counter()
    rt = run_montecarlo(b, DEMO_SCENARIOS["plan_policy"], DISTS, N, SEED, scheduler="threads", **kw)
    threads_s = time.perf_counter() - t0
    same_t = np.array_equal(r.fan, rt.fan) and np.array_equal(r.peak_year, rt.peak_year)
    tracemalloc.start()
    run_montecarlo(b, DEMO_SCENARIOS["plan_policy"], DISTS, N, SEED, **kw)
    peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    t0 = time.perf_counter()
    ref = plain_loop(N_LOOP)
    loop_s = time.perf_counter() - t0
    small = run_montecarlo(
        b,
        DEMO_SCENARIOS["plan_policy"],
        DISTS,
        N_LOOP,
        SEED,
        correlation=CORR,
        registry=DEMO_SCENARIOS,
        chunk=N_LOOP,
    )
    if not np.allclose(small.fan, np.percentile(ref, small.percentiles, axis=0), rtol=1e-9):
        raise SystemExit("the engine and the plain loop disagree")

    groups, years = len(b.groups), r.years.size
    best = min(times)
    print(
        f"Monte Carlo: {N:,} trajectories × {years} years ({r.years[0]}–{r.years[-1]}) × "
        f"{groups} groups, 4 drivers (2 correlated), chunk {CHUNK:,}"
    )
    print(
        f"NumPy in-process: best {best:.2f} s, median {float(np.median(times)):.2f} s of 3 "
        f"→ {N / best:,.0f} trajectories/s"
    )
    print(
        f"Dask LocalCluster (1 worker × 2 threads): {dask_s:.2f} s incl. cluster start; "
        f"identical to NumPy: {same}"
    )
    print(
        f"Dask threaded scheduler (the default; no cluster): {threads_s:.2f} s; identical to NumPy: {same_t}"
    )
    print(
        f"peak traced memory (NumPy run): {peak_mb:.0f} MiB "
        f"(one full array would be {N * groups * years * 8 / 2**20:.0f} MiB)"
    )
    print(
        f"plain Python loop ({N_LOOP} trajectories): {loop_s:.2f} s → {N_LOOP / loop_s:,.0f} trajectories/s"
    )
    print(f"ratio: {(N / best) / (N_LOOP / loop_s):,.0f}x")
    print(f"P(peak ≤ 2030) = {r.p_peak_by_deadline:.3f}; median peak year {int(np.median(r.peak_year))}")
    print("target (< 3 s):", "met" if best < 3 else "NOT met")


if __name__ == "__main__":
    main()
