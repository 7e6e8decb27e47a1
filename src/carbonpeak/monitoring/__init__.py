"""Energy-monitoring engines (issue 14): pure NumPy/pandas over columnar readings.

Modules (each takes frames and returns frames; none imports store/, io/, a service or a
face; no clock, no randomness but a seeded generator passed in):

* :mod:`~carbonpeak.monitoring.consumption` — cumulative counters and interval registers
  turned into consumption per interval, with the multiplier (CT/PT), counter roll-over and
  meter replacement; intervals spanning a gap spread evenly and flagged as estimated.
* :mod:`~carbonpeak.monitoring.rollup` — 15-minute, hourly, daily and monthly sums (days and
  months in Beijing time), each recomputable from the raw data or from the level below.
* :mod:`~carbonpeak.monitoring.quality` — the national data-quality rules (completeness
  ≥ 90 %, Σ daily vs monthly ≤ 5 %, timestamp tolerance) and the platform's checks
  (gap, stuck meter, spike, negative delta, balance-group loss).
* :mod:`~carbonpeak.monitoring.simulate` — realistic synthetic readings (daily and weekly
  load shapes, roll-over, a replacement, gaps, a stuck meter, a spike) for the demo and tests.

Time is UTC epoch seconds (``ts``, integers) throughout; a reading's interval *starts* at its
timestamp (a counter read at t0 and t1 gives the consumption of [t0, t1), labelled t0).
"""
