"""Hypothesis properties of the capacity share at benchmark.

The province share is the capacity-weighted combination of its cities' shares; adding a
line at benchmark never lowers a share; every share lies in [0, 1].
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.benchmark.classify import capacity_share_at_benchmark, classify_unit_energy
from carbonpeak.benchmark.levels import load_levels

LEVELS = load_levels()
CITIES = ["430100", "430400", "431000", "431300"]

line = st.tuples(
    st.sampled_from(CITIES),
    st.sampled_from([("Zn", "zn_hydro"), ("Pb", "pb_bottom_blown"), ("Cu", "cu_flash")]),
    st.floats(100.0, 1500.0, allow_nan=False),  # unit energy [kgce/t]
    st.floats(1.0, 5e5, allow_nan=False),  # capacity [t/a]
)
provinces = st.lists(line, min_size=1, max_size=25)


def _classify(rows: list[tuple[str, tuple[str, str], float, float]]) -> pd.DataFrame:
    lines = pd.DataFrame(
        {
            "line_id": [f"L{i}" for i in range(len(rows))],
            "city": [r[0] for r in rows],
            "metal": [r[1][0] for r in rows],
            "route": [r[1][1] for r in rows],
            "date": "2025-12-31",
            "unit_energy": [r[2] for r in rows],
            "capacity_t_per_a": [r[3] for r in rows],
        }
    )
    return classify_unit_energy(lines, LEVELS)


@settings(max_examples=60)
@given(provinces)
def test_province_share_is_the_capacity_weighted_combination_of_cities(rows: list) -> None:
    c = _classify(rows)
    cities = capacity_share_at_benchmark(c, ["city"])
    province = capacity_share_at_benchmark(c, [])
    weights = cities["capacity_t_per_a"]
    combined = (cities["share"] * weights).sum() / weights.sum()
    assert province["share"].iat[0] == pytest.approx(combined, rel=1e-12)
    assert province["capacity_t_per_a"].iat[0] == pytest.approx(weights.sum(), rel=1e-12)


@settings(max_examples=60)
@given(provinces, st.sampled_from(CITIES), st.floats(1.0, 5e5, allow_nan=False))
def test_adding_a_line_at_benchmark_never_lowers_the_share(rows: list, city: str, cap: float) -> None:
    before = capacity_share_at_benchmark(_classify(rows), [])["share"].iat[0]
    # GB 25323-2023 湿法炼锌 1级 1 010 kgce/t: a line at 1 000 is at the (stand-in) benchmark
    after_c = _classify([*rows, (city, ("Zn", "zn_hydro"), 1000.0, cap)])
    assert after_c["at_benchmark"].iat[-1]
    after = capacity_share_at_benchmark(after_c, [])["share"].iat[0]
    assert after >= before - 1e-12


@settings(max_examples=60)
@given(provinces)
def test_shares_lie_between_zero_and_one(rows: list) -> None:
    c = _classify(rows)
    for by in ([], ["metal"], ["city"], ["city", "metal"]):
        share = capacity_share_at_benchmark(c, by)["share"]
        assert ((share >= 0.0) & (share <= 1.0)).all()
