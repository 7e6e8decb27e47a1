"""Hypothesis properties of the projection: linear in scale, inheritance, flat without drivers, rebase."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.scenarios.projection import (
    BASE_COLUMNS,
    QUANTITIES,
    Scenario,
    base_year,
    project,
    rebase,
)

BASE = 2020
YEARS = list(range(BASE, 2041))
EXTENSIVE = ["output_t", "coal_tce", "gas_tce", "oil_tce", "electricity_mwh", "heat_gj"]
pos = st.floats(0.5, 1e6, allow_nan=False, allow_infinity=False)
factor = st.floats(0.0, 3.0, allow_nan=False, allow_infinity=False)
share = st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False)


@st.composite
def frames(draw: Any) -> pd.DataFrame:
    """1–6 groups of metals A/B, each with a primary and maybe a secondary route."""
    n = draw(st.integers(1, 6))
    rows = []
    for j in range(n):
        metal = "A" if j % 2 == 0 else "B"
        kind = "secondary" if j >= 2 else "primary"  # the first two groups are primary
        rows.append(
            {
                "metal": metal,
                "route": f"{metal.lower()}_{kind}",
                "route_kind": kind,
                "city": f"43{j:04d}",
                **{c: draw(pos) for c in EXTENSIVE},
                **{c: draw(factor) for c in BASE_COLUMNS if c not in EXTENSIVE},
            }
        )
    return pd.DataFrame(rows)


def _path(draw: Any, values: st.SearchStrategy[float]) -> dict[int, float]:
    years = sorted(draw(st.sets(st.integers(BASE, 2040), min_size=1, max_size=4)))
    return {y: draw(values) for y in years}


@st.composite
def scenarios(draw: Any) -> Scenario:
    paths: dict[str, dict[str, dict[int, float]]] = {
        "output_growth": {"*": _path(draw, st.floats(-0.05, 0.08))},
        "energy_intensity_improvement": {"*": _path(draw, st.floats(-0.02, 0.05))},
        "electrification": {"*": _path(draw, share)},
        "coal_to_gas": {"metal=A": _path(draw, share)},
        "grid_ef": {"*": _path(draw, st.floats(0.0, 1.0))},
        "green_power_share": {"*": _path(draw, share)},
    }
    if draw(st.booleans()):
        paths["recycled_share"] = {"metal=A": _path(draw, share)}
    return Scenario("s", paths=paths)


def _has_secondary(frame: pd.DataFrame, metal: str) -> bool:
    return bool(((frame["metal"] == metal) & (frame["route_kind"] == "secondary")).any())


@settings(max_examples=25)
@given(frames(), scenarios(), st.floats(0.01, 100.0))
def test_scaling_every_plant_by_k_scales_every_quantity_by_k(f: pd.DataFrame, s: Scenario, k: float) -> None:
    if "recycled_share" in s.paths and not _has_secondary(f, "A"):
        s = Scenario("s", paths={d: p for d, p in s.paths.items() if d != "recycled_share"})
    p1 = project(base_year(f, BASE), s, YEARS)
    p2 = project(base_year(f.assign(**{c: f[c] * k for c in EXTENSIVE}), BASE), s, YEARS)
    for q in QUANTITIES:
        np.testing.assert_allclose(p2.arrays[q], k * p1.arrays[q], rtol=1e-9, atol=1e-9 * k)


@settings(max_examples=25)
@given(frames(), scenarios())
def test_a_child_that_overrides_nothing_is_its_parent(f: pd.DataFrame, s: Scenario) -> None:
    if "recycled_share" in s.paths and not _has_secondary(f, "A"):
        s = Scenario("s", paths={d: p for d, p in s.paths.items() if d != "recycled_share"})
    b = base_year(f, BASE)
    child = Scenario("child", parent="s")
    parent = project(b, s, YEARS)
    same = project(b, child, YEARS, registry={"s": s})
    for q in QUANTITIES:
        assert np.array_equal(same.arrays[q], parent.arrays[q]), q


@settings(max_examples=25)
@given(frames())
def test_zero_growth_and_zero_improvement_keep_the_base_year_flat(f: pd.DataFrame) -> None:
    b = base_year(f, BASE)
    s = Scenario(
        "flat",
        paths={"output_growth": {"*": {BASE: 0.0}}, "energy_intensity_improvement": {"*": {BASE: 0.0}}},
    )
    p = project(b, s, YEARS)
    for q in QUANTITIES:
        assert np.array_equal(p.arrays[q], np.repeat(p.arrays[q][:, :1], len(YEARS), axis=1)), q
    # and the base year is the table: output and the energy columns as given
    for c in EXTENSIVE:  # k = Q·(1/Q₀) is 1 to rounding
        np.testing.assert_allclose(p.arrays[c][:, 0], f[c].to_numpy(float), rtol=1e-14)


@settings(max_examples=25)
@given(frames(), scenarios(), st.integers(BASE + 1, 2035))
def test_a_rebased_scenario_starts_exactly_at_the_new_base_year(
    f: pd.DataFrame, s: Scenario, y0: int
) -> None:
    b = base_year(f, y0)
    years = list(range(y0, 2041))
    moved = project(b, rebase(s, b), years)
    flat = project(b, Scenario("none"), years)
    for q in QUANTITIES:
        np.testing.assert_allclose(moved.arrays[q][:, 0], flat.arrays[q][:, 0], rtol=1e-12, atol=1e-9)
    # growth and intensity rates are kept as they were
    for d in ("output_growth", "energy_intensity_improvement"):
        assert rebase(s, b).paths[d] == s.paths[d]
