"""Rollups of consumption: 15 minutes, hour, day, month — days and months in Beijing time.

Each level is a sum over the consumption intervals (from
:func:`carbonpeak.monitoring.consumption.consumption`) whose *start* falls in the period, so
every level is recomputable from the raw readings, and a level summed from the level below
(:func:`rollup_from`) equals the level computed from the intervals: the 15-minute, hourly,
daily and monthly totals of a meter all add up to the same energy.

Periods are labelled by their start as UTC epoch seconds. The Beijing offset (UTC+8, no
daylight saving) is a whole number of hours, so 15-minute and hourly periods are the same in
both clocks; days start at 00:00 and months on the 1st, Beijing time (the national platform's
daily and monthly indicators).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

__all__ = ["BEIJING_OFFSET_S", "FREQS", "ROLLUP_COLUMNS", "period_start", "rollup", "rollup_from"]

#: China Standard Time − UTC [s]
BEIJING_OFFSET_S: Final = 8 * 3600
#: The rollup levels, finest first.
FREQS: Final = ("15min", "hour", "day", "month")
ROLLUP_COLUMNS: Final = ("meter_id", "period_start", "consumption", "intervals", "estimated")
_FIXED = {"15min": 900, "hour": 3600, "day": 86400}


def period_start(ts: np.ndarray, freq: str, tz_offset_s: int = BEIJING_OFFSET_S) -> np.ndarray:
    """The start [s, UTC epoch] of the *freq* period holding each *ts* [s, UTC epoch], periods
    aligned to the clock *tz_offset_s* ahead of UTC."""
    t = np.asarray(ts, dtype="int64") + tz_offset_s
    if freq in _FIXED:
        step = _FIXED[freq]
        out: np.ndarray = t - np.mod(t, step) - tz_offset_s
        return out
    if freq == "month":
        months = t.astype("datetime64[s]").astype("datetime64[M]")
        starts: np.ndarray = months.astype("datetime64[s]").astype("int64") - tz_offset_s
        return starts
    raise ValueError(f"unknown rollup frequency {freq!r}; one of {FREQS}")


def rollup(cons: pd.DataFrame, freq: str, tz_offset_s: int = BEIJING_OFFSET_S) -> pd.DataFrame:
    """Sum *cons* (``meter_id``, ``ts``, ``consumption``, ``flag``) per meter and *freq* period.

    Returns :data:`ROLLUP_COLUMNS`: ``consumption`` [meter unit × multiplier], ``intervals``
    the number of intervals summed, ``estimated`` how many of them carry a flag other than
    "measured as is" (roll-over and replacement are measured; ``estimated`` and ``negative``
    count here).
    """
    if cons.empty:
        return _empty()
    start = period_start(cons["ts"].to_numpy(), freq, tz_offset_s)
    flags = cons["flag"].to_numpy(dtype=object) if "flag" in cons.columns else np.full(len(cons), "")
    return _sum(
        cons["meter_id"].to_numpy(dtype="int64"),
        start,
        cons["consumption"].to_numpy(dtype=float),
        np.ones(len(cons), dtype="int64"),
        np.isin(flags, ("estimated", "negative")).astype("int64"),
    )


def rollup_from(finer: pd.DataFrame, freq: str, tz_offset_s: int = BEIJING_OFFSET_S) -> pd.DataFrame:
    """The *freq* rollup summed from a finer rollup (the children add up to the parent)."""
    if finer.empty:
        return _empty()
    return _sum(
        finer["meter_id"].to_numpy(dtype="int64"),
        period_start(finer["period_start"].to_numpy(), freq, tz_offset_s),
        finer["consumption"].to_numpy(dtype=float),
        finer["intervals"].to_numpy(dtype="int64"),
        finer["estimated"].to_numpy(dtype="int64"),
    )


def _sum(
    meter_id: np.ndarray,
    start: np.ndarray,
    consumption: np.ndarray,
    intervals: np.ndarray,
    estimated: np.ndarray,
) -> pd.DataFrame:
    """Sums per (meter, period), sorted by both: one sort and ``reduceat`` (no Python groups)."""
    order = np.lexsort((start, meter_id))
    m, s = meter_id[order], start[order]
    first = np.ones(len(m), dtype=bool)
    first[1:] = (m[1:] != m[:-1]) | (s[1:] != s[:-1])
    at = np.flatnonzero(first)
    return pd.DataFrame(
        {
            "meter_id": m[at],
            "period_start": s[at],
            "consumption": np.add.reduceat(consumption[order], at),
            "intervals": np.add.reduceat(intervals[order], at),
            "estimated": np.add.reduceat(estimated[order], at),
        }
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "meter_id": pd.Series(dtype="int64"),
            "period_start": pd.Series(dtype="int64"),
            "consumption": pd.Series(dtype=float),
            "intervals": pd.Series(dtype="int64"),
            "estimated": pd.Series(dtype="int64"),
        }
    )
