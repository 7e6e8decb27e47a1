"""The peak finder: plateau rule, the 2030 verdict, invariances, vectorised form, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from carbonpeak.errors import InputError
from carbonpeak.scenarios.peak import find_peak, find_peaks

YEARS = np.arange(2020, 2061)
levels = st.floats(1.0, 1e6, allow_nan=False, allow_infinity=False)
series = st.integers(2, 41).flatmap(lambda n: arrays(np.float64, n, elements=levels))


def test_a_plateau_peaks_in_the_year_it_is_first_reached() -> None:
    p = find_peak([2025, 2026, 2027, 2028, 2029], [1.0, 5.0, 5.0, 5.0, 4.0])
    assert (p.year, p.value, p.peaked, p.before_2030, p.index) == (2026, 5.0, True, True, 1)


def test_a_series_rising_at_its_end_has_not_peaked() -> None:
    p = find_peak([2020, 2021, 2022], [1.0, 2.0, 3.0])
    assert (p.year, p.value, p.peaked, p.before_2030) == (2022, 3.0, False, False)
    # even when the rise stays within the tolerance: the final year is the highest yet
    assert not find_peak([2020, 2021, 2022], [100.0, 100.5, 100.9]).peaked
    assert not find_peak([2020], [1.0]).peaked


def test_the_2030_verdict_counts_2030_itself() -> None:
    years = np.arange(2025, 2036)
    at = np.where(years <= 2030, years - 2000.0, 60.0 - (years - 2000.0))
    assert find_peak(years, at).year == 2030 and find_peak(years, at).before_2030
    later = np.roll(at, 1)
    later[0] = 0.0
    p = find_peak(years, later)
    assert p.year == 2031 and p.peaked and not p.before_2030
    assert find_peak(years, later, deadline=2031).before_2030


def test_a_rebound_within_tolerance_keeps_the_peak_beyond_it_moves_it() -> None:
    years = [2026, 2027, 2028, 2029, 2030, 2031, 2032, 2033]
    within = [90, 95, 100, 99, 97, 98, 100.5, 96]
    p = find_peak(years, within)
    assert (p.year, p.value, p.max_year, p.max_value) == (2028, 100.0, 2032, 100.5)
    beyond = [90, 95, 100, 99, 97, 98, 101.5, 96]
    assert find_peak(years, beyond).year == 2032
    assert find_peak(years, within, tolerance=0.0).year == 2032
    assert find_peak(years, beyond, tolerance=0.02).year == 2028


@given(series)
def test_a_strictly_rising_series_has_no_peak_before_its_end(v: np.ndarray) -> None:
    rising = np.cumsum(v)  # strictly increasing: every step is at least 1
    years = YEARS[: rising.size]
    p = find_peak(years, rising)
    assert not p.peaked and not p.before_2030
    assert p.year == years[-1]


@given(series, st.integers(-300, 300))
def test_shifting_a_series_shifts_its_peak(v: np.ndarray, shift: int) -> None:
    years = YEARS[: v.size]
    a, b = find_peak(years, v), find_peak(years + shift, v)
    assert b.year == a.year + shift
    assert (b.value, b.peaked) == (a.value, a.peaked)


@given(series, st.sampled_from([1e-3, 0.5, 2.0, 7.0, 1e3]))
def test_scaling_a_series_keeps_its_peak_year(v: np.ndarray, c: float) -> None:
    years = YEARS[: v.size]
    a, b = find_peak(years, v), find_peak(years, v * c)
    assert (b.year, b.peaked) == (a.year, a.peaked)


@given(st.floats(0.0, 0.2), st.floats(0.0, 0.5))
def test_tolerance_behaves_as_documented(tol: float, rebound: float) -> None:
    # peak 100 in 2025, a dip, a rebound by the fraction `rebound` in 2028, a fall after
    assume(abs(rebound - tol) > 1e-9)
    v = [80.0, 100.0, 90.0, 85.0, 100.0 * (1 + rebound), 70.0]
    p = find_peak(np.arange(2024, 2030), v, tolerance=tol)
    assert p.peaked
    if rebound <= tol:
        assert (p.year, p.value) == (2025, 100.0)  # within tolerance: the earlier peak stays
        assert p.max_value <= p.value * (1 + tol)
    else:
        assert (p.year, p.value) == (2028, v[4])  # beyond: the peak moves to the rebound


def test_the_vectorised_form_agrees_with_the_scalar_one() -> None:
    rng = np.random.default_rng(7)
    paths = 100 + rng.normal(0, 2, (500, YEARS.size)).cumsum(axis=1)
    many = find_peaks(YEARS, paths)
    for j in range(0, 500, 7):
        one = find_peak(YEARS, paths[j])
        assert (many.year[j], many.value[j], many.peaked[j], many.before_deadline[j]) == (
            one.year,
            one.value,
            one.peaked,
            one.before_2030,
        )
    assert many.share_before_deadline() == pytest.approx(many.before_deadline.mean())


def test_bad_input_is_named() -> None:
    with pytest.raises(InputError) as e:
        find_peak([2020, 2022, 2021], [1.0, np.nan, 2.0])
    codes = {p.code: p for p in e.value.problems}
    assert set(codes) == {"years_not_increasing", "not_finite"}
    assert codes["years_not_increasing"].value == 2021
    assert "position 2" in codes["years_not_increasing"].message_en
    assert codes["not_finite"].column == "2022"
    with pytest.raises(InputError, match="2 years but 3 values"):
        find_peak([2020, 2021], [1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="empty"):
        find_peak([], [])
    with pytest.raises(InputError, match="tolerance"):
        find_peak([2020, 2021], [1.0, 2.0], tolerance=-0.1)
    with pytest.raises(InputError) as e:
        find_peaks([2020, 2021], [[1.0, 2.0], [3.0, np.inf]])
    assert [(p.code, p.row, p.column) for p in e.value.problems] == [("not_finite", 1, "2021")]
