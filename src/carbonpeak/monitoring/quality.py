"""Data quality of meter readings: the national rules and the platform's checks.

National rules of the key-energy-user online monitoring system (重点用能单位能耗在线监测;
GB/T 38692-2020 and the provincial platforms' rules as reposted — see
``docs/monitoring.md``; confidence S, the standard's text not checked here):

- **completeness** (数据完整率): received ÷ expected data points ≥ 90 %
  (:data:`COMPLETENESS_MIN`; an hourly indicator expects 24 a day, a 15-minute one 96);
- **consistency**: Σ daily figures and the monthly figure differ by at most 5 %
  (:data:`CONSISTENCY_MAX`), taken here relative to Σ daily;
- **timestamps**: a daily record starts at 00:00 of its day within ±1 minute
  (:data:`DAILY_TOLERANCE_S`), a monthly record at 00:00 on the 1st within ±1 day
  (:data:`MONTHLY_TOLERANCE_S`). The platform applies the ±1 minute to every real-time
  point too (its offset from the meter's period grid).

Platform checks (our defaults, parameters of :func:`check_readings`, not national rules):
gap (readings further apart than 1.5 periods), stuck meter (the same raw value for
``stuck_points`` readings in a row while the meter normally moves), spike (an interval's
consumption above ``spike_factor`` × the meter's median), negative delta (a counter that
fell without roll-over or replacement), balance-group loss (a main meter against the sum of
its children beyond ``tolerance``).

Findings are rows of :data:`FINDING_COLUMNS`: ``rule``, the meter, the period or reading
``ts`` [s, UTC epoch], the ``measured`` figure and the ``limit`` it broke.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from carbonpeak.monitoring.rollup import BEIJING_OFFSET_S, period_start

__all__ = [
    "COMPLETENESS_MIN",
    "CONSISTENCY_MAX",
    "DAILY_TOLERANCE_S",
    "FINDING_COLUMNS",
    "MONTHLY_TOLERANCE_S",
    "RULES",
    "balance_check",
    "check_readings",
    "completeness_ok",
    "completeness_ratio",
    "daily_monthly_consistent",
    "daily_timestamp_ok",
    "monthly_timestamp_ok",
]

#: received ÷ expected points, at least (GB/T 38692 as reposted; S)
COMPLETENESS_MIN: Final = 0.90
#: |Σ daily − monthly| ÷ Σ daily, at most
CONSISTENCY_MAX: Final = 0.05
#: a daily record's start from 00:00 of its day, at most [s]
DAILY_TOLERANCE_S: Final = 60
#: a monthly record's start from 00:00 on the 1st, at most [s]
MONTHLY_TOLERANCE_S: Final = 86400
FINDING_COLUMNS: Final = ("meter_id", "rule", "ts", "measured", "limit")
#: every rule a finding may name
RULES: Final = (
    "completeness",
    "consistency",
    "timestamp",
    "gap",
    "stuck",
    "spike",
    "negative",
    "balance",
)

FloatArray = npt.NDArray[np.float64]


def completeness_ratio(received: npt.ArrayLike, expected: npt.ArrayLike) -> FloatArray:
    """received ÷ expected points [-] (0 where nothing was expected)."""
    r = np.asarray(received, dtype=float)
    e = np.asarray(expected, dtype=float)
    out: FloatArray = np.divide(r, e, out=np.zeros(np.broadcast(r, e).shape), where=e > 0)
    return out


def completeness_ok(received: npt.ArrayLike, expected: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where received ≥ 90 % of expected, compared in integers (10 r ≥ 9 e), so 87 of 96
    passes and 86 of 96 fails with no rounding in between."""
    r = np.asarray(received, dtype="int64")
    e = np.asarray(expected, dtype="int64")
    return np.asarray(10 * r >= 9 * e)


def daily_monthly_consistent(sum_daily: npt.ArrayLike, monthly: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where |Σ daily − monthly| ≤ 5 % of Σ daily (1 000 against 1 049 passes, 1 051 fails)."""
    d = np.asarray(sum_daily, dtype=float)
    m = np.asarray(monthly, dtype=float)
    return np.asarray(np.abs(d - m) <= CONSISTENCY_MAX * np.abs(d) + 1e-9 * np.maximum(np.abs(d), 1.0))


def daily_timestamp_ok(ts: npt.ArrayLike, tz_offset_s: int = BEIJING_OFFSET_S) -> npt.NDArray[np.bool_]:
    """True where a daily record's *ts* [s, UTC epoch] lies within ±60 s of a local midnight."""
    t = np.asarray(ts, dtype="int64")
    off = np.mod(t + tz_offset_s + 43200, 86400) - 43200  # signed distance to the nearest midnight
    return np.asarray(np.abs(off) <= DAILY_TOLERANCE_S)


def monthly_timestamp_ok(ts: npt.ArrayLike, tz_offset_s: int = BEIJING_OFFSET_S) -> npt.NDArray[np.bool_]:
    """True where a monthly record's *ts* lies within ±1 day of 00:00 on a month's 1st (local)."""
    t = np.asarray(ts, dtype="int64")
    this = period_start(t, "month", tz_offset_s)
    nxt = period_start(this + 40 * 86400, "month", tz_offset_s)
    near = np.minimum(np.abs(t - this), np.abs(nxt - t))
    return np.asarray(near <= MONTHLY_TOLERANCE_S)


def _finding(
    meter_id: npt.ArrayLike, rule: str, ts: npt.ArrayLike, measured: npt.ArrayLike, limit: float
) -> pd.DataFrame:
    mid = np.asarray(meter_id, dtype="int64")
    return pd.DataFrame(
        {
            "meter_id": mid,
            "rule": np.full(len(mid), rule, dtype=object),
            "ts": np.asarray(ts, dtype="int64"),
            "measured": np.asarray(measured, dtype=float),
            "limit": np.full(len(mid), float(limit)),
        }
    )


def check_readings(
    readings: pd.DataFrame,
    meters: pd.DataFrame,
    cons: pd.DataFrame,
    start: int,
    end: int,
    *,
    stuck_points: int = 16,
    spike_factor: float = 5.0,
    tz_offset_s: int = BEIJING_OFFSET_S,
) -> pd.DataFrame:
    """The findings of the readings of [*start*, *end*) [s, UTC epoch; whole local days].

    Parameters
    ----------
    readings : DataFrame
        ``meter_id``, ``ts`` [s], ``value`` [meter unit].
    meters : DataFrame
        ``meter_id``, ``kind``, ``interval_s`` [s] — every meter to check (a meter with no
        reading at all fails completeness with 0 received).
    cons : DataFrame
        The readings' consumption (:func:`~carbonpeak.monitoring.consumption.consumption`).
    stuck_points : int
        Readings in a row with the same raw value that make a stuck meter [-].
    spike_factor : float
        An interval above this multiple of the meter's median positive consumption is a spike [-].

    Returns
    -------
    DataFrame
        :data:`FINDING_COLUMNS`, sorted by meter, rule and time.
    """
    parts: list[pd.DataFrame] = []
    period = meters.set_index("meter_id")["interval_s"].astype("int64")
    r = readings[(readings["ts"] >= start) & (readings["ts"] < end)].sort_values(["meter_id", "ts"])
    mid = r["meter_id"].to_numpy(dtype="int64")
    ts = r["ts"].to_numpy(dtype="int64")
    val = r["value"].to_numpy(dtype=float)
    step = period.reindex(mid).fillna(900).to_numpy(dtype="int64")

    # completeness per meter and local day
    days = np.arange(period_start(np.array([start]), "day", tz_offset_s)[0], end, 86400, dtype="int64")
    if len(days):
        grid = pd.MultiIndex.from_product(
            [period.index.to_numpy(dtype="int64"), days], names=["meter_id", "day"]
        )
        got = (
            pd.Series(1, index=pd.MultiIndex.from_arrays([mid, period_start(ts, "day", tz_offset_s)]))
            .groupby(level=[0, 1])
            .sum()
            .reindex(grid, fill_value=0)
        )
        gm = got.index.get_level_values(0).to_numpy()
        expected = 86400 // period.reindex(gm).to_numpy(dtype="int64")
        received = got.to_numpy(dtype="int64")
        bad = ~completeness_ok(received, expected)
        parts.append(
            _finding(
                gm[bad],
                "completeness",
                got.index.get_level_values(1).to_numpy()[bad],
                completeness_ratio(received, expected)[bad],
                COMPLETENESS_MIN,
            )
        )

    # timestamp: each point within ±60 s of its meter's period grid
    if len(ts):
        off = np.mod(ts + tz_offset_s + step // 2, step) - step // 2
        bad = np.abs(off) > DAILY_TOLERANCE_S
        parts.append(_finding(mid[bad], "timestamp", ts[bad], off[bad], DAILY_TOLERANCE_S))

    # gap: consecutive readings of a meter more than 1.5 periods apart (measured: points missing)
    if len(ts) > 1:
        same = mid[1:] == mid[:-1]
        dt = np.diff(ts)
        bad = same & (dt > 1.5 * step[:-1])
        missing = np.rint(dt / step[:-1]) - 1
        parts.append(_finding(mid[:-1][bad], "gap", ts[:-1][bad], missing[bad], 0))

    # stuck: the same raw value stuck_points times in a row, on a meter whose median moves
    if len(ts):
        new_run = np.ones(len(ts), dtype=bool)
        new_run[1:] = (mid[1:] != mid[:-1]) | (val[1:] != val[:-1])
        run_id = np.cumsum(new_run)
        run_len = np.bincount(run_id)[run_id]
        first = new_run & (run_len >= stuck_points)
        moving = _median_positive(cons).reindex(mid).fillna(0).to_numpy() > 0
        bad = first & moving
        parts.append(_finding(mid[bad], "stuck", ts[bad], run_len[bad], stuck_points))

    # spike and negative, from the consumption
    c = cons[(cons["ts"] >= start) & (cons["ts"] < end)]
    if not c.empty:
        med = _median_positive(c).reindex(c["meter_id"].to_numpy()).fillna(0).to_numpy()
        q = c["consumption"].to_numpy(dtype=float)
        bad = (med > 0) & (q > spike_factor * med)
        ratio = np.divide(q, med, out=np.zeros_like(q), where=med > 0)
        parts.append(
            _finding(
                c["meter_id"].to_numpy()[bad], "spike", c["ts"].to_numpy()[bad], ratio[bad], spike_factor
            )
        )
        neg = c["flag"].to_numpy(dtype=object) == "negative"
        parts.append(
            _finding(
                c["meter_id"].to_numpy()[neg], "negative", c["ts"].to_numpy()[neg], np.zeros(neg.sum()), 0
            )
        )

    found = [p for p in parts if not p.empty]
    if not found:
        return _finding([], "", [], [], 0).iloc[0:0]
    return pd.concat(found, ignore_index=True).sort_values(["meter_id", "rule", "ts"], ignore_index=True)


def _median_positive(cons: pd.DataFrame) -> pd.Series:
    pos = cons[cons["consumption"] > 0]
    return pos.groupby("meter_id")["consumption"].median()


def balance_check(rolled: pd.DataFrame, parent_of: pd.Series, tolerance: float = 0.05) -> pd.DataFrame:
    """Balance groups: each main meter's consumption against the sum of its children's, per period.

    Parameters
    ----------
    rolled : DataFrame
        A rollup (``meter_id``, ``period_start``, ``consumption``) of parents and children, in
        one unit per group.
    parent_of : Series
        meter id → its main meter's id (children only).
    tolerance : float
        The largest |loss| ÷ main meter accepted [-] (a platform default, not a national rule).

    Returns
    -------
    DataFrame
        ``meter_id`` (the main meter), ``period_start``, ``main``, ``children``, ``loss``
        (main − children), ``loss_ratio`` (loss ÷ main; 0 where main is 0 and so are the
        children, 1 where only the children moved), ``ok``.
    """
    kids = rolled[rolled["meter_id"].isin(parent_of.index)]
    summed = (
        kids.assign(parent=parent_of.reindex(kids["meter_id"]).to_numpy(dtype="int64"))
        .groupby(["parent", "period_start"])["consumption"]
        .sum()
        .rename("children")
    )
    main = rolled.set_index(["meter_id", "period_start"])["consumption"].rename("main")
    main.index = main.index.set_names(["parent", "period_start"])
    both = pd.concat([main[main.index.get_level_values(0).isin(parent_of.unique())], summed], axis=1)
    both = both.fillna(0.0).reset_index()
    loss = both["main"].to_numpy() - both["children"].to_numpy()
    m = both["main"].to_numpy()
    ratio = np.divide(loss, m, out=np.where(loss == 0, 0.0, 1.0), where=m != 0)
    return pd.DataFrame(
        {
            "meter_id": both["parent"].to_numpy(dtype="int64"),
            "period_start": both["period_start"].to_numpy(dtype="int64"),
            "main": m,
            "children": both["children"].to_numpy(),
            "loss": loss,
            "loss_ratio": ratio,
            "ok": np.abs(ratio) <= tolerance,
        }
    )
