"""Hypothesis properties of the review engine: the verdict is exactly "value ≤ 1级", it agrees
with the grade, a better design never turns a pass into a fail, and the totals add up."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.benchmark.levels import load_levels
from carbonpeak.benchmark.review import review_against_limits, totals_with_project

LEVELS = load_levels()
ROUTES = [
    ("Zn", "zn_hydro"),
    ("Pb", "pb_bottom_blown"),
    ("Cu", "cu_flash"),
    ("Sb", "sb_bath"),
    ("Zn", "zn_isp"),
]


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(st.sampled_from(ROUTES), st.floats(1.0, 5000.0, allow_nan=False), st.floats(0.0, 0.5)),
        min_size=1,
        max_size=12,
    )
)
def test_verdict_is_grade_1_and_monotone(rows: list[tuple[tuple[str, str], float, float]]) -> None:
    frame = pd.DataFrame(
        {
            "metal": [r[0][0] for r in rows],
            "route": [r[0][1] for r in rows],
            "date": "2025-06-30",
            "unit_energy": [r[1] for r in rows],
            "capacity_t_per_a": 1e5,
        }
    )
    out = review_against_limits(frame, LEVELS)
    assert ((out["verdict"] == "pass") == (out["unit_energy"] <= out["advanced_value"])).all()
    assert ((out["verdict"] == "pass") == (out["grade"] == 1)).all()
    better = review_against_limits(frame.assign(unit_energy=[r[1] * (1 - r[2]) for r in rows]), LEVELS)
    assert not ((out["verdict"] == "pass") & (better["verdict"] == "fail")).any()


@settings(max_examples=40)
@given(
    st.lists(st.floats(0.0, 1e8), min_size=1, max_size=5),
    st.floats(0.0, 1e7),
    st.floats(0.0, 1e7),
)
def test_totals_with_project_add_up(base: list[float], energy: float, co2: float) -> None:
    t = pd.DataFrame({"scope": [f"s{i}" for i in range(len(base))], "energy_tce": base, "co2_t": base})
    out = totals_with_project(t, energy, co2)
    assert (out["energy_with_tce"] - out["energy_tce"] - energy).abs().max() <= 1e-6 * max(1.0, *base)
    assert (out["co2_with_t"] >= out["co2_t"]).all()
