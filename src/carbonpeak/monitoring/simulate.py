"""Synthetic meter readings for the demo and the tests (every figure invented).

:func:`simulate` builds a balance group — meter 0 the main meter, the others its children —
of electricity meters read every *interval_s* for *days* days, with:

- a **daily load shape** (day shift 08:00–22:00 Beijing time heavier than the night) and a
  **weekly** one (weekends at 70 %), noise of ±5 %, the main meter 2 % above its children
  (line losses);
- **anomalies**, each on its own child meter while there are enough of them: a counter that
  **rolls over** (``counter_max`` 10⁶, starting just below it), a **replacement** half-way
  (a new register starting at 0, with its event), a **gap** (8 readings missing), a **stuck**
  meter (the same value 20 times, then catching up), a **spike** (an interval meter, one
  reading ×20).

Pure: the generator is seeded; the result tells where every anomaly was put, so tests can
check that the quality rules find exactly those.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbonpeak.monitoring.rollup import BEIJING_OFFSET_S

__all__ = ["ANOMALIES", "Simulation", "simulate"]

#: the anomalies, in the order they are given to child meters 1, 2, …
ANOMALIES = ("rollover", "replacement", "gap", "stuck", "spike")
ROLLOVER_MAX = 1_000_000.0
GAP_POINTS = 8
STUCK_POINTS = 20
SPIKE_FACTOR = 20.0


@dataclass(frozen=True)
class Simulation:
    """Meters (``code``, ``kind``, ``multiplier``, ``counter_max``, ``interval_s``, ``parent``
    (a code or ""), ``unit``, ``carrier``), readings (``code``, ``ts``, ``value``), events
    (``code``, ``ts``, ``old_final``, ``new_initial``) and where each anomaly is (anomaly →
    (meter code, ts)); ``true_kwh`` the consumption each meter really metered [kWh]."""

    meters: pd.DataFrame
    readings: pd.DataFrame
    events: pd.DataFrame
    anomalies: dict[str, tuple[str, int]] = field(default_factory=dict)
    true_kwh: dict[str, float] = field(default_factory=dict)


def _shape(ts: np.ndarray) -> np.ndarray:
    local = ts + BEIJING_OFFSET_S
    hour = (local % 86400) / 3600
    weekday = ((local // 86400) + 3) % 7  # 1970-01-01 was a Thursday → 0 = Monday
    day = np.where((hour >= 8) & (hour < 22), 1.0, 0.55)
    week = np.where(weekday >= 5, 0.7, 1.0)
    return day * week


def simulate(
    n_meters: int,
    interval_s: int = 900,
    days: int = 1,
    start_ts: int = 1_764_518_400,  # 2025-12-01 00:00 Beijing time
    seed: int = 20261206,
    *,
    prefix: str = "SIM",
) -> Simulation:
    """Readings of *n_meters* meters (≥ 1) every *interval_s* [s] for *days* days from
    *start_ts* [s, UTC epoch; a local midnight], seeded by *seed*. Codes are ``{prefix}-000`` …"""
    if n_meters < 1 or interval_s <= 0 or days < 1:
        raise ValueError("n_meters, interval_s and days must be positive")
    rng = np.random.default_rng(seed)
    n_points = days * 86400 // interval_s
    ts = start_ts + interval_s * np.arange(n_points + 1, dtype="int64")  # + the closing reading
    codes = [f"{prefix}-{i:03d}" for i in range(n_meters)]
    base_kw = rng.uniform(50, 400, size=n_meters)
    shape = _shape(ts)
    hours = interval_s / 3600
    kwh = base_kw[:, None] * shape[None, :] * hours * rng.uniform(0.95, 1.05, size=(n_meters, len(ts)))
    if n_meters > 1:
        kwh[0] = 1.02 * kwh[1:].sum(axis=0)
    kinds = ["cumulative"] * n_meters
    counter_max = [np.nan] * n_meters
    multiplier = [1.0] * n_meters
    multiplier[0] = 10.0  # the main meter behind a 10:1 current transformer
    start_value = rng.uniform(1_000, 50_000, size=n_meters)

    anomalies: dict[str, tuple[str, int]] = {}
    events: list[dict[str, object]] = []
    roles = dict(zip(range(1, n_meters), ANOMALIES, strict=False))
    values: list[np.ndarray] = []
    keep: list[np.ndarray] = []
    true_kwh: dict[str, float] = {}
    for i in range(n_meters):
        q = kwh[i, :-1] / multiplier[i]  # register units per interval (the last reading closes)
        role = roles.get(i)
        mask = np.ones(len(ts), dtype=bool)
        if role == "spike":
            kinds[i] = "interval"
            v = np.append(q, q[-1])
            k = len(q) // 3
            v[k] = v[k] * SPIKE_FACTOR
            anomalies["spike"] = (codes[i], int(ts[k]))
            values.append(v[:-1])
            keep.append(mask[:-1])
            true_kwh[codes[i]] = float(v[:-1].sum() * multiplier[i])
            continue
        reg = np.concatenate([[0.0], np.cumsum(q)])
        true_kwh[codes[i]] = float(reg[-1] * multiplier[i])
        if role == "rollover":
            counter_max[i] = ROLLOVER_MAX
            v = np.mod(ROLLOVER_MAX - reg[len(reg) // 2] + reg, ROLLOVER_MAX)
            k = int(np.argmax(np.diff(v) < 0))
            anomalies["rollover"] = (codes[i], int(ts[k]))
        elif role == "replacement":
            k = len(reg) // 2
            v = start_value[i] + reg
            t_e = int(ts[k] + interval_s // 2)
            # the old register's final reading at t_e; the new one starts at 0 and counts on
            used_before = q[k] / 2
            old_final = float(v[k] + used_before)
            v[k + 1 :] = reg[k + 1 :] - reg[k] - used_before
            events.append({"code": codes[i], "ts": t_e, "old_final": old_final, "new_initial": 0.0})
            anomalies["replacement"] = (codes[i], t_e)
        else:
            v = start_value[i] + reg
        if role == "gap":
            k = len(ts) // 4
            mask[k : k + GAP_POINTS] = False
            anomalies["gap"] = (codes[i], int(ts[k - 1]))
        if role == "stuck":
            k = len(ts) // 3
            v = v.copy()
            v[k : k + STUCK_POINTS] = v[k]
            anomalies["stuck"] = (codes[i], int(ts[k]))
        values.append(v)
        keep.append(mask)

    rows = []
    for i, (v, m) in enumerate(zip(values, keep, strict=True)):
        t = ts[: len(v)][m]
        rows.append(pd.DataFrame({"code": codes[i], "ts": t, "value": np.round(v[m], 4)}))
    meters = pd.DataFrame(
        {
            "code": codes,
            "kind": kinds,
            "multiplier": multiplier,
            "counter_max": counter_max,
            "interval_s": interval_s,
            "parent": ["" if i == 0 or n_meters == 1 else codes[0] for i in range(n_meters)],
            "unit": "kWh",
            "carrier": "electricity_purchased",
        }
    )
    return Simulation(
        meters=meters,
        readings=pd.concat(rows, ignore_index=True),
        events=pd.DataFrame(events, columns=["code", "ts", "old_final", "new_initial"]),
        anomalies=anomalies,
        true_kwh=true_kwh,
    )
