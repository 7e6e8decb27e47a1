"""Target indicators: intensity change, recycled share, the status rule, the peak verdict.

Targets from refdata benchmark/targets (Hunan plan 一(三)): energy per value added −14 % on
2020 by 2025; recycled share ≥ 24 % by 2025; peak before 2030.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.targets.indicators import (
    AMBER_MARGIN,
    intensity_change,
    linear_trend,
    peak_status,
    recycled_share,
    status,
)

YEARS = pd.Index([2020, 2021, 2022, 2023, 2024, 2025], name="year")


def test_intensity_change_against_the_base_year() -> None:
    energy = pd.Series([100.0, 99.0, 98.0, 95.0, 90.0, 86.0], index=YEARS)
    va = pd.Series([1000.0] * 6, index=YEARS)
    out = intensity_change(energy, va, 2020)
    assert out["intensity_per_wan_yuan"].tolist() == pytest.approx(
        [0.1, 0.099, 0.098, 0.095, 0.090, 0.086], rel=1e-12
    )
    assert out.loc[2020, "change_vs_base_pct"] == 0.0
    # 0.086 / 0.1 − 1 = −14 %, the plan's target (tolerance: binary rounding of 0.086)
    assert out.loc[2025, "change_vs_base_pct"] == pytest.approx(-14.0, abs=1e-9)


def test_intensity_rejects_bad_input_with_located_problems() -> None:
    energy = pd.Series([100.0, np.nan, -1.0], index=[2021, 2022, 2023])
    va = pd.Series([1000.0, 0.0, 1000.0], index=[2021, 2022, 2023])
    with pytest.raises(InputError) as exc:
        intensity_change(energy, va, 2020)
    assert [(p.code, p.column, p.row) for p in exc.value.problems] == [
        ("not_a_number", "energy_tce", 2022),
        ("negative", "energy_tce", 2023),
        ("must_be_positive", "value_added_wan_yuan", 2022),
        ("base_year_missing", "year", None),
    ]


def test_recycled_share_by_year_and_metal() -> None:
    idx = pd.MultiIndex.from_tuples(
        [(2025, "Pb"), (2025, "Pb"), (2025, "Zn"), (2025, "Zn"), (2024, "Pb")], names=["year", "metal"]
    )
    out_t = pd.Series([60_000.0, 40_000.0, 300_000.0, 20_000.0, 50_000.0], index=idx)
    sec = pd.Series([False, True, False, True, False], index=idx)
    share = recycled_share(out_t, sec)
    assert share.loc[(2025, "Pb"), "recycled_share"] == 0.4
    assert share.loc[(2025, "Zn"), "recycled_share"] == 20_000.0 / 320_000.0
    assert share.loc[(2024, "Pb"), "recycled_share"] == 0.0
    assert share.loc[(2025, "Pb"), "output_t"] == 100_000.0
    with pytest.raises(InputError) as exc:
        recycled_share(pd.Series([1.0, -2.0, np.nan]), pd.Series([True, False, True]))
    assert [(p.code, p.row) for p in exc.value.problems] == [("not_a_number", 3), ("negative", 2)]
    with pytest.raises(InputError):
        recycled_share(pd.Series([1.0]), pd.Series([True, False]))


@pytest.mark.parametrize(
    ("value", "comparison", "trend", "colour", "rule"),
    [
        (24.0, "at_least", None, "green", "met"),  # exactly at the target meets it
        (25.0, "at_least", None, "green", "met"),
        (20.0, "at_least", 2.0, "green", "on_track"),  # 20 + 2 × 2 = 24 by 2025
        (20.0, "at_least", 1.0, "amber", "near_track"),  # 22: short by 2 ≤ 2.4 (10 % of 24)
        (20.0, "at_least", 0.0, "red", "off_track"),  # 20: short by 4 > 2.4
        (20.0, "at_least", None, "red", "off_track"),  # no trend: no projection
        (-15.0, "at_most", None, "green", "met"),  # −15 % ≤ −14 %
        (-10.0, "at_most", -2.0, "green", "on_track"),  # −10 − 4 = −14
        (-10.0, "at_most", -1.5, "amber", "near_track"),  # −13: short by 1 ≤ 1.4
        (-10.0, "at_most", 0.5, "red", "off_track"),
    ],
)
def test_status_rule(value: float, comparison: str, trend: float | None, colour: str, rule: str) -> None:
    target = 24.0 if comparison == "at_least" else -14.0
    s = status(value, target, comparison, 2023, 2025, trend)
    assert (s.status, s.rule) == (colour, rule)
    assert s.rule_en and s.rule_zh
    assert s.gap == max((target - value) * (1 if comparison == "at_least" else -1), 0.0)


def test_status_after_the_target_year_does_not_project() -> None:
    s = status(22.0, 24.0, "at_least", 2026, 2025, trend=5.0)
    assert s.projected == 22.0
    assert s.status == "amber"  # short by 2 ≤ 10 % of 24
    assert AMBER_MARGIN == 0.10


def test_status_bad_input() -> None:
    with pytest.raises(InputError) as exc:
        status(float("nan"), 24.0, "more", 2023, 2025)
    assert [p.code for p in exc.value.problems] == ["bad_enum", "not_finite"]


def test_linear_trend() -> None:
    assert linear_trend([2021, 2022, 2023], [10.0, 12.0, 14.0]) == pytest.approx(2.0)
    assert math.isnan(linear_trend([2023], [1.0]))
    assert linear_trend([2021, 2022, 2023], [10.0, np.nan, 14.0]) == pytest.approx(2.0)


def test_peak_status() -> None:
    years = list(range(2020, 2036))
    early = [100 + 10 * (min(y, 2027) - 2020) - 10 * max(0, y - 2027) for y in years]
    s = peak_status(years, early)
    assert (s.status, s.rule, s.year, s.peaked) == ("green", "peaked", 2027, True)
    late = [100 + 10 * (min(y, 2032) - 2020) - 10 * max(0, y - 2032) for y in years]
    assert peak_status(years, late).year == 2032
    assert peak_status(years, late).status == "red"
    rising = [100.0 + i for i in range(6)]
    r = peak_status(list(range(2020, 2026)), rising)
    assert (r.status, r.rule, r.peaked) == ("amber", "rising_before_deadline", False)
    assert peak_status(years, [100.0 + i for i in range(len(years))]).status == "red"
