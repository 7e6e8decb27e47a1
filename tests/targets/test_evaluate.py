"""The target evaluation moved out of the service into the engine (issue 11): pure functions
over frames, tested on their own (the service tests keep covering the assembled view)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.targets.evaluate import (
    finite,
    green_factory_series,
    intensity,
    intensity_sums,
    judge,
    recycled_production,
    share_breakdown,
    with_registry_share,
)

TARGET = {"target": -14.0, "comparison": "at_most", "target_year": 2025}


def test_judge_gives_value_trend_and_status_or_says_why_not() -> None:
    series = pd.Series({2020: 0.0, 2021: -3.0, 2022: -6.0, 2023: np.nan}, dtype=float)
    res = judge(TARGET, series, 2022, no_data=("无数据", "no data"))
    assert res["value"] == -6.0
    assert res["trend"] == pytest.approx(-3.0)
    assert res["status"] in ("green", "amber", "red")
    assert res["series"][2023] is None  # NaN never reaches a result
    missing = judge(TARGET, series, 2023, no_data=("无数据", "no data"))
    assert missing["status"] == "no_data"
    assert (missing["reason_zh"], missing["reason_en"]) == ("无数据", "no data")


def test_intensity_change_from_sums_by_city_and_year() -> None:
    totals = pd.DataFrame(
        {
            "city": ["430100", "430100", "430400", "430400", "430400"],
            "year": [2020, 2021, 2020, 2021, 2021],
            "above_designated_size": [True, True, True, True, False],
            "energy_tce": [100.0, 90.0, 100.0, 100.0, 1e6],
            "co2_t": [200.0, 180.0, 200.0, 200.0, 1e6],
            "value_added_wan_yuan": [10.0, 10.0, 10.0, 10.0, 1.0],
        }
    )
    sums = intensity_sums(totals)
    assert sums.loc[("430400", 2021), "energy_tce"] == 100.0  # below designated size left out
    change = intensity(sums, "energy_tce", 2020)
    # province: 200 tce / 20 万元 in 2020, 190 / 20 in 2021 → −5 %
    assert change.loc[2021] == pytest.approx(-5.0)
    assert intensity(sums, "energy_tce", 1999).empty  # no base year: not computable


def test_recycled_share_from_lines_and_the_registry_fills_missing_years() -> None:
    frames = {
        2020: pd.DataFrame(
            {
                "year": 2020,
                "metal": ["Pb", "Pb"],
                "route_kind": ["primary", "secondary"],
                "output_t": [75.0, 25.0],
            }
        ),
        2021: pd.DataFrame(columns=["year", "metal", "route_kind", "output_t"]),
    }
    series, breakdown = recycled_production([2020, 2021], frames)
    assert series.loc[2020] == pytest.approx(25.0)
    assert breakdown["by_metal"]["Pb"][2020] == pytest.approx(25.0)
    registry = pd.DataFrame({"year": [2021], "recycled_output_t": [30.0], "total_output_t": [100.0]})
    filled, out = with_registry_share(series, breakdown, registry, [2020, 2021])
    assert filled.loc[2021] == pytest.approx(30.0)
    assert out["from_registry_years"] == [2021]
    assert "from_registry_years" not in breakdown  # the caller's breakdown is left as it was


def test_green_factories_cumulative_after_the_base_year() -> None:
    counts = pd.DataFrame(
        {"year": [2019, 2021, 2023], "city_code": ["430100", "430100", "430400"], "count": [2, 1, 3]}
    )
    series, breakdown = green_factory_series(counts, [2020, 2021, 2022, 2023], 2020)
    assert series.tolist() == [0.0, 1.0, 1.0, 4.0]
    assert breakdown["stock_at_base"] == 2.0
    assert breakdown["by_city"]["430400"][2023] == 3.0


@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=6))
def test_share_breakdown_is_per_cent_of_the_fraction(shares: list[float]) -> None:
    frames = {
        2020 + i: pd.DataFrame({"year": [2020 + i], "metal": ["Zn"], "share": [s]})
        for i, s in enumerate(shares)
    }
    out = share_breakdown(frames, "metal")
    assert list(out["Zn"]) == [2020 + i for i in range(len(shares))]
    for i, s in enumerate(shares):
        assert out["Zn"][2020 + i] == pytest.approx(100.0 * s)


@given(st.one_of(st.floats(), st.none(), st.text(max_size=3)))
def test_finite_is_none_or_a_finite_float(x: object) -> None:
    v = finite(x)
    assert v is None or (isinstance(v, float) and math.isfinite(v))
