"""The national data-quality rules at their boundaries (../shared/reference/monitoring-rules.md,
"Rules": completeness ≥ 90 %, Σ daily vs monthly ≤ 5 %, a daily record at 00:00 ± 1 minute,
a monthly record at 00:00 on the 1st ± 1 day; the acceptance cases of issue 14 typed in)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from carbonpeak.monitoring import quality

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _ts(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=BEIJING).timestamp())  # type: ignore[misc]


def test_completeness_86_of_96_fails_and_87_passes() -> None:
    assert quality.completeness_ok([86, 87, 96, 0], [96, 96, 96, 96]).tolist() == [False, True, True, False]
    # an hourly indicator expects 24 a day: 21.6 is 90 %, so 22 passes and 21 fails
    assert quality.completeness_ok([21, 22], [24, 24]).tolist() == [False, True]
    assert np.allclose(quality.completeness_ratio([87], [96]), [0.90625])


def test_sum_of_daily_1000_against_monthly_1049_passes_and_1051_fails() -> None:
    got = quality.daily_monthly_consistent([1000, 1000, 1000, 1000], [1049, 1051, 951, 949])
    assert got.tolist() == [True, False, True, False]


def test_a_daily_record_61_s_late_fails_and_60_s_passes() -> None:
    midnight = _ts(2026, 3, 5, 0, 0, 0)
    got = quality.daily_timestamp_ok([midnight, midnight + 60, midnight + 61, midnight - 60, midnight - 61])
    assert got.tolist() == [True, True, False, True, False]


def test_a_daily_record_is_checked_against_beijing_midnight_not_utc() -> None:
    utc_midnight = int(dt.datetime(2026, 3, 5, tzinfo=dt.UTC).timestamp())
    assert quality.daily_timestamp_ok([utc_midnight]).tolist() == [False]
    assert quality.daily_timestamp_ok([utc_midnight], tz_offset_s=0).tolist() == [True]


def test_a_monthly_record_within_one_day_of_the_first_passes() -> None:
    first = _ts(2026, 3, 1)
    day = 86400
    got = quality.monthly_timestamp_ok([first, first + day, first + day + 1, first - day, first - day - 1])
    assert got.tolist() == [True, True, False, True, False]
