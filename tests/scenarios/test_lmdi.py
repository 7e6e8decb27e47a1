"""LMDI-I: the LMDIR reference fixture, closure properties, the zero limits, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from carbonpeak.errors import InputError
from carbonpeak.scenarios.lmdi import (
    EFFECT_COLUMNS,
    lmdi_decompose,
    lmdi_frame,
    lmdi_series,
    logarithmic_mean,
)

# validation-public.md LMDI-01: LMDIR (M.K. Heun) tests/testthat/test_lmdi.R,
# create_simple_LMDI fixture; rows = sub-categories, columns = factors.
X_1971 = [[1, 10, 2], [4, 5, 3]]
X_1972 = [[4, 5, 3], [5, 6, 4]]
# the fixture gives 8-10 significant digits: abs 1e-6 (as validation-public.md states)
FIXTURE_ABS = 1e-6


def test_lmdi01_additive_effects_and_z_matrix() -> None:
    r = lmdi_decompose(X_1971, X_1972)
    assert (r.v0, r.vT, r.delta) == (80.0, 180.0, 100.0)
    assert r.effects == pytest.approx([69.79006598, -9.455125793, 39.66505981], abs=FIXTURE_ABS)
    assert r.contributions == pytest.approx(
        np.array([[50.47438029, -25.23719014, 14.76280986], [19.31568569, 15.78206435, 24.90224996]]),
        abs=FIXTURE_ABS,
    )
    assert r.effects.sum() == pytest.approx(100.0, rel=1e-12)


def test_lmdi01_multiplicative_effects() -> None:
    r = lmdi_decompose(X_1971, X_1972, method="multiplicative")
    assert r.effects == pytest.approx([1.761117821, 0.926191306, 1.379410116], abs=FIXTURE_ABS)
    assert r.ratio == 2.25
    assert np.prod(r.effects) == pytest.approx(2.25, rel=1e-12)
    # contributions stay additive whatever the method
    assert r.contributions.sum() == pytest.approx(100.0, rel=1e-12)


def test_lmdi01_through_the_frame_api() -> None:
    df = pd.DataFrame(
        {
            "year": [1971, 1971, 1972, 1972],
            "category": ["subcat 1", "subcat 2", "subcat 1", "subcat 2"],
            "f1": [1, 4, 4, 5],
            "f2": [10, 5, 5, 6],
            "f3": [2, 3, 3, 4],
        }
    )
    out = lmdi_frame(df, ["f1", "f2", "f3"])
    assert list(out.columns) == EFFECT_COLUMNS
    assert out["factor"].tolist() == ["f1", "f2", "f3"]
    assert out["effect"].to_numpy() == pytest.approx(
        [69.79006598, -9.455125793, 39.66505981], abs=FIXTURE_ABS
    )
    detail = lmdi_frame(df, ["f1", "f2", "f3"], by_category=True)
    z = detail.pivot(index="category", columns="factor", values="effect")
    assert z.loc["subcat 1", "f1"] == pytest.approx(50.47438029, abs=FIXTURE_ABS)
    assert z.loc["subcat 2", "f3"] == pytest.approx(24.90224996, abs=FIXTURE_ABS)


def test_logarithmic_mean_limits() -> None:
    assert logarithmic_mean(2.0, 2.0) == 2.0
    assert logarithmic_mean(np.e, 1.0) == pytest.approx(np.e - 1.0, rel=1e-15)
    assert logarithmic_mean(5.0, 0.0) == 0.0
    # near a = b (series branch): L(1 + ε, 1) = 1 + ε/2 − ε²/12 + O(ε³)
    a, b = 1.0 + 1e-6, 1.0
    eps = a - b
    assert logarithmic_mean(a, b) == pytest.approx(1 + eps / 2 - eps**2 / 12, rel=1e-15)
    # just above the switch, the closed form; both agree with the series to 1e-13
    a = np.exp(2e-3)
    assert logarithmic_mean(a, 1.0) == pytest.approx((a - 1.0) / 2e-3, rel=1e-13)
    assert logarithmic_mean(a, 1.0) == pytest.approx(np.sqrt(a) * (1 + 4e-6 / 24), rel=1e-12)


# --- properties -------------------------------------------------------------------------
positive = st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False)
shapes = st.tuples(st.integers(1, 6), st.integers(1, 5))


@st.composite
def pairs(draw: st.DrawFn, zeros: bool = False) -> tuple[np.ndarray, np.ndarray]:
    n_i, n_k = draw(shapes)
    elems = st.one_of(st.just(0.0), positive) if zeros else positive
    x0 = draw(arrays(np.float64, (n_i, n_k), elements=elems))
    xt = draw(arrays(np.float64, (n_i, n_k), elements=elems))
    return x0, xt


@given(pairs())
def test_additive_effects_add_up_to_the_change(p: tuple[np.ndarray, np.ndarray]) -> None:
    x0, xt = p
    r = lmdi_decompose(x0, xt)
    scale = max(r.v0, r.vT)
    assert abs(r.effects.sum() - (r.vT - r.v0)) <= 1e-9 * scale
    per_cat = xt.prod(axis=1) - x0.prod(axis=1)
    assert np.allclose(r.contributions.sum(axis=1), per_cat, rtol=0, atol=1e-9 * scale)


@given(pairs())
def test_multiplicative_effects_multiply_to_the_ratio(p: tuple[np.ndarray, np.ndarray]) -> None:
    x0, xt = p
    r = lmdi_decompose(x0, xt, method="multiplicative")
    assert np.prod(r.effects) == pytest.approx(r.vT / r.v0, rel=1e-9)
    assert np.all(r.effects > 0)


@given(pairs())
def test_reversing_time_negates_the_additive_effects(p: tuple[np.ndarray, np.ndarray]) -> None:
    x0, xt = p
    fwd, back = lmdi_decompose(x0, xt), lmdi_decompose(xt, x0)
    assert np.allclose(fwd.effects, -back.effects, rtol=1e-9, atol=1e-9 * max(fwd.v0, fwd.vT))


@given(pairs(zeros=True))
@settings(max_examples=200)
def test_zeros_keep_the_decomposition_finite_and_closed(p: tuple[np.ndarray, np.ndarray]) -> None:
    x0, xt = p
    r = lmdi_decompose(x0, xt)
    assert np.isfinite(r.contributions).all()
    per_cat = xt.prod(axis=1) - x0.prod(axis=1)
    scale = max(r.v0, r.vT, 1.0)
    assert np.allclose(r.contributions.sum(axis=1), per_cat, rtol=0, atol=1e-9 * scale)


@given(st.integers(3, 6), st.integers(1, 5), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_chained_periods_add_up_to_the_total_change(n_y: int, n_i: int, n_k: int, seed: int) -> None:
    x = np.random.default_rng(seed).uniform(0.1, 10.0, (n_y, n_i, n_k))
    v = x.prod(axis=-1).sum(axis=-1)
    add = lmdi_series(x)
    assert add.effects.shape == (n_y - 1, n_k)
    assert add.effects.sum() == pytest.approx(v[-1] - v[0], abs=1e-9 * v.max())
    mul = lmdi_series(x, "multiplicative")
    assert np.prod(mul.effects) == pytest.approx(v[-1] / v[0], rel=1e-9)
    end = lmdi_series(x, chained=False)
    assert (end.start.tolist(), end.end.tolist()) == ([0], [n_y - 1])
    assert end.effects.sum() == pytest.approx(v[-1] - v[0], abs=1e-9 * v.max())


def test_chained_over_three_years_in_the_frame() -> None:
    df = pd.DataFrame(
        {
            "year": [2020, 2020, 2021, 2021, 2022, 2022],
            "category": ["a", "b"] * 3,
            "q": [1.0, 4.0, 4.0, 5.0, 3.0, 7.0],
            "i": [10.0, 5.0, 5.0, 6.0, 2.0, 1.0],
        }
    )
    v = {2020: 30.0, 2021: 50.0, 2022: 13.0}
    out = lmdi_frame(df, ["q", "i"])
    assert out[["year_from", "year_to"]].drop_duplicates().values.tolist() == [[2020, 2021], [2021, 2022]]
    for (y0, y1), g in out.groupby(["year_from", "year_to"]):
        assert g["effect"].sum() == pytest.approx(v[y1] - v[y0], rel=1e-12)
    assert out["effect"].sum() == pytest.approx(13.0 - 30.0, rel=1e-12)
    mul = lmdi_frame(df, ["q", "i"], method="multiplicative")
    assert np.prod(mul["effect"]) == pytest.approx(13.0 / 30.0, rel=1e-12)
    whole = lmdi_frame(df, ["q", "i"], chained=False)
    assert whole[["year_from", "year_to"]].drop_duplicates().values.tolist() == [[2020, 2022]]
    assert whole["effect"].sum() == pytest.approx(-17.0, rel=1e-12)


# --- zero values (Ang & Liu 2007) -------------------------------------------------------
def test_an_appearing_sub_category_gives_its_whole_value_to_the_zero_factor() -> None:
    # sub-category 2 appears: its activity (factor 0) is zero in the base year
    x0 = [[2.0, 3.0, 1.0], [0.0, 3.0, 2.0]]
    xt = [[2.0, 4.0, 1.0], [5.0, 2.0, 2.0]]
    r = lmdi_decompose(x0, xt)
    assert r.contributions[1].tolist() == [20.0, 0.0, 0.0]
    assert r.effects.sum() == pytest.approx(r.vT - r.v0, rel=1e-12)
    assert r.delta == 22.0


def test_a_disappearing_sub_category_gives_its_whole_value_to_the_zero_factor() -> None:
    x0 = [[2.0, 3.0], [4.0, 5.0]]
    xt = [[2.0, 3.0], [4.0, 0.0]]
    r = lmdi_decompose(x0, xt)
    assert r.contributions[1].tolist() == [0.0, -20.0]
    assert r.contributions[0].tolist() == [0.0, 0.0]
    assert r.effects.sum() == -20.0


def test_the_zero_limit_matches_the_small_value_strategy() -> None:
    # only the zero factor changes, so with δ for 0 the LMDI term is v_T − v_0(δ) exactly
    for delta in (1e-6, 1e-9, 1e-12):
        small = lmdi_decompose([[delta, 3.0]], [[4.0, 3.0]])
        assert small.contributions[0, 0] == pytest.approx(12.0, abs=10 * delta)
    assert lmdi_decompose([[0.0, 3.0]], [[4.0, 3.0]]).contributions[0].tolist() == [12.0, 0.0]


def test_two_zero_factors_share_the_change_equally() -> None:
    r = lmdi_decompose([[0.0, 0.0, 2.0]], [[3.0, 2.0, 2.0]])
    assert r.contributions[0].tolist() == [6.0, 6.0, 0.0]


def test_a_sub_category_zero_in_both_years_contributes_nothing() -> None:
    r = lmdi_decompose([[0.0, 2.0], [1.0, 1.0]], [[3.0, 0.0], [2.0, 1.0]])
    assert r.contributions[0].tolist() == [0.0, 0.0]
    assert r.effects.sum() == pytest.approx(1.0, rel=1e-12)


def test_multiplicative_with_an_appearing_sub_category_still_closes() -> None:
    r = lmdi_decompose([[2.0, 3.0], [0.0, 1.0]], [[2.0, 3.0], [4.0, 1.0]], "multiplicative")
    assert np.prod(r.effects) == pytest.approx(10.0 / 6.0, rel=1e-12)
    assert r.effects[1] == pytest.approx(1.0, rel=1e-12)


# --- bad input ----------------------------------------------------------------------------
def test_a_negative_factor_is_refused_with_its_location() -> None:
    with pytest.raises(InputError) as e:
        lmdi_decompose(
            [[1.0, -2.0], [1.0, 1.0]],
            [[1.0, 2.0], [np.nan, 1.0]],
            categories=["copper", "zinc"],
            factors=["output_t", "ef_t_per_t"],
        )
    probs = e.value.problems
    assert [(p.code, p.column, p.fields["category"]) for p in probs] == [
        ("lmdi_negative", "ef_t_per_t", "copper"),
        ("lmdi_not_finite", "output_t", "zinc"),
    ]
    assert "base year" in probs[0].fields["year"] and "end year" in probs[1].fields["year"]
    assert "negative" in probs[0].message_en and "负数" in probs[0].message_zh


def test_a_negative_value_in_a_frame_names_row_category_factor_and_year() -> None:
    df = pd.DataFrame(
        {
            "year": [2020, 2020, 2021, 2021],
            "category": ["Cu", "Zn", "Cu", "Zn"],
            "output_t": [1.0, 2.0, 3.0, 4.0],
            "ef": [1.0, 1.0, -1.0, 1.0],
        }
    )
    with pytest.raises(InputError) as e:
        lmdi_frame(df, ["output_t", "ef"])
    (p,) = e.value.problems
    assert (p.code, p.row, p.column, p.fields["category"], p.fields["year"], p.value) == (
        "lmdi_negative",
        3,
        "ef",
        "Cu",
        2021,
        -1.0,
    )
    assert "Cu" in p.message_en and "2021" in p.message_en


def test_frame_problems_missing_duplicate_and_non_numeric() -> None:
    base = pd.DataFrame({"year": [2020, 2020, 2021], "category": ["a", "b", "a"], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(InputError) as e:
        lmdi_frame(base, ["x"])
    assert [(p.code, p.fields["category"], p.fields["year"]) for p in e.value.problems] == [
        ("lmdi_missing_row", "b", 2021)
    ]
    dup = pd.concat([base, base.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError) as e:
        lmdi_frame(dup.assign(x=dup["x"]), ["x"])
    assert e.value.problems[0].code == "lmdi_duplicate_row"
    assert e.value.problems[0].fields["first_row"] == 1 and e.value.problems[0].row == 4
    with pytest.raises(InputError) as e:
        lmdi_frame(base.assign(x=["1", "two", "3"]), ["x", "y"])
    assert [(p.code, p.column) for p in e.value.problems] == [("missing_column", "y")]
    with pytest.raises(InputError) as e:
        lmdi_frame(base.assign(x=["1", "two", "3"]), ["x"])
    assert [(p.code, p.row, p.value) for p in e.value.problems] == [("not_a_number", 2, "two")]
    with pytest.raises(InputError) as e:
        lmdi_frame(base[base["year"] == 2020], ["x"])
    assert e.value.problems[0].code == "lmdi_too_few_years"


def test_shapes_method_and_zero_totals_are_checked() -> None:
    with pytest.raises(InputError, match="same 2-D shape"):
        lmdi_decompose([[1.0, 2.0]], [[1.0, 2.0, 3.0]])
    with pytest.raises(InputError, match="not an allowed value"):
        lmdi_decompose([[1.0]], [[2.0]], method="geometric")  # type: ignore[arg-type]
    with pytest.raises(InputError) as e:
        lmdi_decompose([[0.0, 1.0]], [[1.0, 1.0]], method="multiplicative")
    assert e.value.problems[0].code == "lmdi_total_zero"
    # the additive form handles the same case
    assert lmdi_decompose([[0.0, 1.0]], [[1.0, 1.0]]).effects.tolist() == [1.0, 0.0]
