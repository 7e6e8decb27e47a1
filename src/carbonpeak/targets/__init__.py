"""Indicator engines for the plan's targets (pure).

* :mod:`~carbonpeak.targets.indicators` — intensity per 万元 value added and its change
  against a base year, recycled share of output, the red/amber/green status rule, and the
  peak verdict (via :func:`carbonpeak.scenarios.peak.find_peak`). The capacity share at
  benchmark is :func:`carbonpeak.benchmark.classify.capacity_share_at_benchmark`.
"""
