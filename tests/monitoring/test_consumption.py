"""Counters → consumption: roll-over, replacement, multiplier, negative deltas, gaps; and the
invariant that a meter's consumption adds up to what its register counted (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.monitoring.consumption import consumption

T0 = 1_764_518_400  # 2025-12-01 00:00 Beijing time


def _meters(**over: object) -> pd.DataFrame:
    row = {"meter_id": 1, "kind": "cumulative", "multiplier": 1.0, "counter_max": np.nan, "interval_s": 900}
    row.update(over)
    return pd.DataFrame([row])


def _readings(values: list[float], step: int = 900, meter: int = 1) -> pd.DataFrame:
    return pd.DataFrame({"meter_id": meter, "ts": T0 + step * np.arange(len(values)), "value": values})


def test_a_counter_gives_the_differences_times_the_ct_pt_ratio() -> None:
    got = consumption(_readings([100.0, 101.5, 104.0]), _meters(multiplier=200.0))
    assert got["consumption"].tolist() == [300.0, 500.0]
    assert got["ts"].tolist() == [T0, T0 + 900]  # labelled by the interval's start
    assert got["flag"].tolist() == ["", ""]


def test_a_counter_rolling_over_its_maximum_counts_through_zero() -> None:
    got = consumption(_readings([99_990.0, 5.0, 20.0]), _meters(counter_max=100_000.0))
    assert got["consumption"].tolist() == [15.0, 15.0]
    assert got["flag"].tolist() == ["rollover", ""]


def test_a_fall_that_is_no_roll_over_is_a_negative_delta_counted_as_zero() -> None:
    got = consumption(_readings([500.0, 490.0, 495.0]), _meters(counter_max=100_000.0))
    assert got["consumption"].tolist() == [0.0, 5.0]
    assert got["flag"].tolist() == ["negative", ""]


def test_a_replacement_joins_the_old_register_to_the_new_one() -> None:
    events = pd.DataFrame({"meter_id": [1], "ts": [T0 + 1000], "old_final": [1004.0], "new_initial": [0.0]})
    got = consumption(_readings([1000.0, 1002.0, 3.0, 7.0]), _meters(), events)
    # [T0+900, T0+1800): 2 on the old register (1002 → 1004) and 3 on the new one (0 → 3)
    assert got["consumption"].tolist() == [2.0, 5.0, 4.0]
    assert got["flag"].tolist() == ["", "replacement", ""]


def test_an_interval_meter_reads_its_own_quantity() -> None:
    got = consumption(_readings([3.0, -1.0, 4.0]), _meters(kind="interval", multiplier=2.0))
    assert got["consumption"].tolist() == [6.0, 0.0, 8.0]
    assert got["flag"].tolist() == ["", "negative", ""]


def test_an_interval_across_a_gap_is_spread_and_flagged_estimated() -> None:
    r = pd.DataFrame({"meter_id": 1, "ts": [T0, T0 + 900, T0 + 4 * 900], "value": [0.0, 1.0, 7.0]})
    got = consumption(r, _meters())
    assert got["ts"].tolist() == [T0, T0 + 900, T0 + 1800, T0 + 2700]
    assert got["consumption"].tolist() == [1.0, 2.0, 2.0, 2.0]
    assert got["flag"].tolist() == ["", "estimated", "estimated", "estimated"]
    assert got["span_s"].sum() == 4 * 900


increments = st.lists(st.floats(min_value=0, max_value=4_000, allow_nan=False), min_size=1, max_size=60)


@settings(max_examples=100)
@given(
    inc=increments,
    start=st.floats(min_value=0, max_value=9_999),
    mult=st.sampled_from([1.0, 40.0, 0.5]),
    gaps=st.lists(st.integers(min_value=1, max_value=5), min_size=60, max_size=60),
)
def test_consumption_adds_up_to_what_the_register_counted(
    inc: list[float], start: float, mult: float, gaps: list[int]
) -> None:
    cmax = 10_000.0  # every increment < cmax / 2, so every fall is a roll-over
    reg = start + np.concatenate([[0.0], np.cumsum(inc)])
    steps = np.array(gaps[: len(inc)]) * 900
    ts = T0 + np.concatenate([[0], np.cumsum(steps)])
    r = pd.DataFrame({"meter_id": 7, "ts": ts, "value": np.mod(reg, cmax)})
    got = consumption(
        r.sample(frac=1.0, random_state=1), _meters(meter_id=7, counter_max=cmax, multiplier=mult)
    )
    assert np.isclose(got["consumption"].sum(), mult * sum(inc), rtol=1e-9, atol=1e-6)
    assert not got["consumption"].isna().any()
    assert int(got["span_s"].sum()) == int(ts[-1] - ts[0])
    assert (got["consumption"] >= 0).all()
