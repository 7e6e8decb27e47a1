"""Readings → consumption per interval, for cumulative counters and interval registers.

A **cumulative** meter's register only grows; the consumption of [t_i, t_{i+1}) is
``(v_{i+1} − v_i) × multiplier``, labelled t_i, with two corrections:

- **roll-over**: a counter that passes ``counter_max`` restarts from 0, so a fall of more
  than half the counter's range is ``counter_max − v_i + v_{i+1}`` (flag ``rollover``);
- **replacement**: a meter event at t_e (t_i < t_e ≤ t_{i+1}) with the old register's final
  reading and the new one's first gives ``(old_final − v_i) + (v_{i+1} − new_initial)``
  (flag ``replacement``).

Any other fall is a **negative delta**: consumption 0, flag ``negative`` (a quality finding,
never a silent correction). An **interval** meter's reading is already its interval's
quantity (× multiplier), labelled with its own timestamp.

An interval longer than the meter's period (a gap between readings) is spread evenly over
the periods it spans and flagged ``estimated``: the energy is measured, only its timing is
estimated, and the flag says so.

Units: ``consumption`` is in the meter's unit after the multiplier (kWh, Nm³, t …).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CONSUMPTION_COLUMNS", "FLAGS", "consumption"]

CONSUMPTION_COLUMNS = ("meter_id", "ts", "span_s", "consumption", "flag")
#: The flags a consumption row may carry ("" = measured as is).
FLAGS = ("", "rollover", "replacement", "negative", "estimated")


def _meter_column(meters: pd.DataFrame, ids: np.ndarray, column: str, default: float) -> np.ndarray:
    m = meters.set_index("meter_id")[column] if "meter_id" in meters.columns else meters[column]
    out = m.reindex(ids).to_numpy(dtype=float)
    return np.where(np.isnan(out), default, out)


def consumption(
    readings: pd.DataFrame,
    meters: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    spread_gaps: bool = True,
) -> pd.DataFrame:
    """The consumption of every interval between readings.

    Parameters
    ----------
    readings : DataFrame
        ``meter_id``, ``ts`` [s, UTC epoch], ``value`` [meter unit, before the multiplier];
        any order, one row per (meter, ts).
    meters : DataFrame
        ``meter_id``, ``kind`` (``cumulative`` | ``interval``), ``multiplier`` [-],
        ``counter_max`` [meter unit, NaN: none], ``interval_s`` [s].
    events : DataFrame, optional
        Replacements: ``meter_id``, ``ts`` [s], ``old_final``, ``new_initial`` [meter unit].
    spread_gaps : bool
        Spread an interval spanning several periods evenly over them (flag ``estimated``).

    Returns
    -------
    DataFrame
        :data:`CONSUMPTION_COLUMNS`: ``ts`` the interval's start, ``span_s`` its length [s],
        ``consumption`` [meter unit × multiplier] (never NaN), ``flag`` one of :data:`FLAGS`.
    """
    if readings.empty:
        return _empty()
    r = readings.sort_values(["meter_id", "ts"], kind="stable")
    mid = r["meter_id"].to_numpy(dtype="int64")
    ts = r["ts"].to_numpy(dtype="int64")
    v = r["value"].to_numpy(dtype=float)
    kind = meters.set_index("meter_id")["kind"].reindex(mid).to_numpy(dtype=object)
    mult = _meter_column(meters, mid, "multiplier", 1.0)
    cmax = _meter_column(meters, mid, "counter_max", np.nan)
    period = _meter_column(meters, mid, "interval_s", 900.0).astype("int64")
    cumulative = kind == "cumulative"

    # cumulative: pairs (i, i+1) of the same meter
    same = np.zeros(len(mid), dtype=bool)
    same[:-1] = mid[:-1] == mid[1:]
    nxt_v = np.empty_like(v)
    nxt_v[:-1], nxt_v[-1:] = v[1:], np.nan
    nxt_ts = np.empty_like(ts)
    nxt_ts[:-1], nxt_ts[-1:] = ts[1:], ts[-1:]
    delta = nxt_v - v
    flag = np.full(len(v), "", dtype=object)

    replaced = np.zeros(len(v), dtype=bool)
    if events is not None and not events.empty:
        idx = _interval_of_events(mid, ts, nxt_ts, same & cumulative, events)
        ok = idx >= 0
        rows, ev = idx[ok], events.iloc[np.flatnonzero(ok)]
        first = ~pd.Index(rows).duplicated()  # one replacement per interval
        rows = rows[first]
        old_final = ev["old_final"].to_numpy(dtype=float)[first]
        new_initial = ev["new_initial"].to_numpy(dtype=float)[first]
        delta[rows] = (old_final - v[rows]) + (nxt_v[rows] - new_initial)
        replaced[rows] = True
        flag[rows] = "replacement"

    falls = cumulative & same & ~replaced & (delta < 0)
    wrapped = cmax - v + nxt_v
    rollover = falls & ~np.isnan(cmax) & (v - nxt_v > cmax / 2)
    delta = np.where(rollover, wrapped, delta)
    flag[rollover] = "rollover"
    negative_c = falls & ~rollover
    flag[negative_c] = "negative"
    delta = np.where(negative_c, 0.0, delta)

    # interval meters: the reading itself
    negative_i = ~cumulative & (v < 0)
    quantity = np.where(cumulative, delta, np.where(negative_i, 0.0, v))
    flag[negative_i] = "negative"
    keep = np.where(cumulative, same, ~np.isnan(v))
    span = np.where(cumulative, nxt_ts - ts, period)
    out = pd.DataFrame(
        {
            "meter_id": mid[keep],
            "ts": ts[keep],
            "span_s": span[keep].astype("int64"),
            "consumption": (quantity * mult)[keep],
            "flag": flag[keep],
        }
    )
    if spread_gaps and not out.empty:
        out = _spread(out, period[keep])
    out["consumption"] = out["consumption"].fillna(0.0)
    return out.reset_index(drop=True)


def _interval_of_events(
    mid: np.ndarray, ts: np.ndarray, nxt_ts: np.ndarray, pair: np.ndarray, events: pd.DataFrame
) -> np.ndarray:
    """For each event, the row i with t_i < t_e ≤ t_{i+1} of its meter (−1: none)."""
    intervals = pd.DataFrame({"meter_id": mid, "ts": ts, "row": np.arange(len(mid))})[pair]
    ev = pd.DataFrame(
        {
            "meter_id": events["meter_id"].to_numpy(dtype="int64"),
            "ts": events["ts"].to_numpy(dtype="int64"),
            "order": np.arange(len(events)),
        }
    )
    got = pd.merge_asof(
        ev.sort_values("ts"),
        intervals.sort_values("ts"),
        on="ts",
        by="meter_id",
        direction="backward",
        allow_exact_matches=False,
    ).sort_values("order")
    rows = got["row"].to_numpy(dtype=float)
    found = ~np.isnan(rows)
    idx = np.where(found, rows, -1).astype("int64")
    inside = np.zeros(len(idx), dtype=bool)
    inside[found] = got["ts"].to_numpy()[found] <= nxt_ts[idx[found]]
    return np.where(inside, idx, -1)


def _spread(out: pd.DataFrame, period: np.ndarray) -> pd.DataFrame:
    """Split each interval longer than 1.5 periods into equal periods (flag ``estimated``)."""
    span = out["span_s"].to_numpy()
    n = np.maximum(1, np.rint(span / np.maximum(period, 1)).astype("int64"))
    n = np.where(span > 1.5 * period, n, 1)
    if (n == 1).all():
        return out
    rep = np.repeat(np.arange(len(out)), n)
    k = np.arange(len(rep)) - np.repeat(np.cumsum(n) - n, n)
    piece = np.repeat(span // n, n)
    res = out.iloc[rep].reset_index(drop=True)
    res["ts"] = res["ts"].to_numpy() + k * piece
    last = k == np.repeat(n, n) - 1  # the last piece takes the remainder of the span
    res["span_s"] = np.where(last, np.repeat(span - (n - 1) * (span // n), n), piece)
    res["consumption"] = res["consumption"].to_numpy() / np.repeat(n, n)
    split = np.repeat(n > 1, n)
    flags = res["flag"].to_numpy(dtype=object)
    res["flag"] = np.where(split & (flags == ""), "estimated", flags)
    return res


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "meter_id": pd.Series(dtype="int64"),
            "ts": pd.Series(dtype="int64"),
            "span_s": pd.Series(dtype="int64"),
            "consumption": pd.Series(dtype=float),
            "flag": pd.Series(dtype=object),
        }
    )
