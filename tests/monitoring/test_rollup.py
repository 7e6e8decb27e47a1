"""Rollups: each level is the sum of the level below and of the raw intervals (Hypothesis);
days and months in Beijing time."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.monitoring.rollup import FREQS, period_start, rollup, rollup_from

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _ts(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=BEIJING).timestamp())  # type: ignore[misc]


def test_periods_start_at_beijing_midnight_and_on_the_first() -> None:
    t = _ts(2026, 3, 31, 23, 50)
    assert period_start(np.array([t]), "15min")[0] == _ts(2026, 3, 31, 23, 45)
    assert period_start(np.array([t]), "hour")[0] == _ts(2026, 3, 31, 23, 0)
    assert period_start(np.array([t]), "day")[0] == _ts(2026, 3, 31)
    assert period_start(np.array([t]), "month")[0] == _ts(2026, 3, 1)
    # 07:59 UTC on 1 April is already April in Beijing
    assert period_start(np.array([_ts(2026, 4, 1, 7, 59)]), "month")[0] == _ts(2026, 4, 1)


frames = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=4),
        st.integers(min_value=_ts(2026, 1, 30), max_value=_ts(2026, 3, 2)),
        st.floats(min_value=0, max_value=1e6, allow_nan=False),
    ),
    min_size=1,
    max_size=80,
)


@settings(max_examples=100)
@given(rows=frames)
def test_each_level_is_the_sum_of_the_level_below_and_of_the_raw_intervals(
    rows: list[tuple[int, int, float]],
) -> None:
    cons = pd.DataFrame(rows, columns=["meter_id", "ts", "consumption"]).assign(flag="")
    levels = {f: rollup(cons, f) for f in FREQS}
    for finer, coarser in itertools.pairwise(FREQS):
        pd.testing.assert_frame_equal(
            rollup_from(levels[finer], coarser), levels[coarser], check_exact=False, rtol=1e-9
        )
    per_meter = cons.groupby("meter_id")["consumption"].sum()
    for f in FREQS:
        got = levels[f].groupby("meter_id")["consumption"].sum()
        assert np.allclose(got.to_numpy(), per_meter.to_numpy(), rtol=1e-9)
        assert levels[f]["intervals"].sum() == len(cons)
