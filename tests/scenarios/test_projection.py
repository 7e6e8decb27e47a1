"""The projection engine: arithmetic by hand, inheritance, path interpolation, bad input, demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.scenarios.demo_scenarios import DEMO_BASE_YEAR, DEMO_SCENARIOS, demo_base_frame
from carbonpeak.scenarios.peak import find_peak
from carbonpeak.scenarios.projection import (
    MWH_PER_TCE,
    QUANTITIES,
    Scenario,
    base_year,
    driver_arrays,
    project,
    resolve,
)

ROW = {
    "metal": "Zn",
    "route": "zn_hydro",
    "route_kind": "primary",
    "city": "430200",
    "output_t": 100.0,
    "coal_tce": 10.0,
    "gas_tce": 2.0,
    "oil_tce": 1.0,
    "electricity_mwh": 50.0,
    "heat_gj": 20.0,
    "ef_coal_tco2_per_tce": 2.5,
    "ef_gas_tco2_per_tce": 1.5,
    "ef_oil_tco2_per_tce": 2.0,
    "ef_electricity_tco2_per_mwh": 0.6,
    "ef_heat_tco2_per_gj": 0.1,
    "process_co2_t_per_t": 0.2,
}


def one_group() -> pd.DataFrame:
    return pd.DataFrame([ROW])


def test_no_driver_keeps_the_base_year_flat() -> None:
    p = project(base_year(one_group(), 2020), Scenario("flat"), [2020, 2021, 2022])
    # 10·2.5 + 2·1.5 + 1·2 + 50·0.6 + 20·0.1 + 100·0.2 = 82 t
    assert np.allclose(p.total(), 82.0, rtol=1e-12)
    assert np.allclose(p.arrays["output_t"], 100.0)


def test_each_driver_by_hand() -> None:
    s = Scenario(
        "s",
        paths={
            "output_growth": {"*": {2021: 0.1}},
            "energy_intensity_improvement": {"*": {2021: 0.5}},
            "electrification": {"*": {2020: 0.0, 2021: 0.5}},
            "coal_to_gas": {"*": {2020: 0.0, 2021: 0.2}},
            "grid_ef": {"*": {2020: 0.6, 2021: 0.4}},
            "green_power_share": {"*": {2020: 0.0, 2021: 0.25}},
        },
    )
    p = project(base_year(one_group(), 2020), s, [2020, 2021])
    a = {q: v[0, 1] for q, v in p.arrays.items()}
    k = 1.1 * 0.5  # output ratio × intensity index
    assert a["output_t"] == pytest.approx(110.0)
    assert a["coal_tce"] == pytest.approx(10 * k * 0.5 * 0.8)
    assert a["gas_tce"] == pytest.approx((2 + 0.2 * 10) * k * 0.5)
    assert a["oil_tce"] == pytest.approx(1 * k * 0.5)
    assert a["electricity_mwh"] == pytest.approx((50 + 0.5 * 13 * MWH_PER_TCE) * k)
    assert a["heat_gj"] == pytest.approx(20 * k)
    assert a["electricity_co2_t"] == pytest.approx(a["electricity_mwh"] * 0.4 * 0.75)
    assert a["process_co2_t"] == pytest.approx(110 * 0.2)
    sources = ["combustion_co2_t", "process_co2_t", "electricity_co2_t", "heat_co2_t"]
    assert np.allclose(sum(p.arrays[q] for q in sources), p.arrays["co2_t"], rtol=1e-13)


def test_paths_are_linear_between_years_and_flat_outside() -> None:
    b = base_year(one_group(), 2020)
    s = Scenario("s", paths={"grid_ef": {"*": {2022: 0.5, 2024: 0.3}}})
    d = driver_arrays(b, s, list(range(2020, 2027)))
    assert np.allclose(d["grid_ef"][0], [0.5, 0.5, 0.5, 0.4, 0.3, 0.3, 0.3])


def test_recycled_share_shifts_output_between_routes_and_keeps_the_total() -> None:
    sec = {**ROW, "route": "zn_secondary", "route_kind": "secondary", "output_t": 25.0}
    b = base_year(pd.DataFrame([ROW, sec]), 2020)  # base share 25/125 = 0.2
    s = Scenario("r", paths={"recycled_share": {"metal=Zn": {2020: 0.2, 2030: 0.6}}})
    q = project(b, s, [2020, 2030]).arrays["output_t"]
    assert np.allclose(q[:, 1], [50.0, 75.0]) and q[:, 1].sum() == pytest.approx(125.0)


def test_a_more_specific_selector_wins() -> None:
    other = {**ROW, "city": "431000"}
    b = base_year(pd.DataFrame([ROW, other]), 2020)
    s = Scenario("s", paths={"grid_ef": {"city=431000": {2020: 0.1}, "*": {2020: 0.9}}})
    assert driver_arrays(b, s, [2020])["grid_ef"][:, 0].tolist() == [0.9, 0.1]


def test_a_child_overrides_one_driver_and_inherits_the_rest() -> None:
    reg = dict(DEMO_SCENARIOS)
    child = Scenario("child", parent="plan_policy", paths={"grid_ef": {"*": {2020: 0.58, 2060: 0.0}}})
    reg["child"] = child
    r = resolve(child, reg)
    parent = resolve(reg["plan_policy"], reg)
    assert r.paths["grid_ef"] == {"*": {2020: 0.58, 2060: 0.0}}
    assert {k: v for k, v in r.paths.items() if k != "grid_ef"} == {
        k: v for k, v in parent.paths.items() if k != "grid_ef"
    }
    b = base_year(demo_base_frame(), DEMO_BASE_YEAR)
    pc, pp = project(b, child, registry=reg), project(b, reg["plan_policy"], registry=reg)
    assert np.array_equal(pc.arrays["combustion_co2_t"], pp.arrays["combustion_co2_t"])
    assert pc.arrays["electricity_co2_t"][:, -1].sum() == 0.0 < pp.arrays["electricity_co2_t"][:, -1].sum()


def test_unknown_parent_and_cycles_are_refused() -> None:
    a = Scenario("a", parent="b")
    with pytest.raises(InputError) as e:
        resolve(a, {})
    assert e.value.problems[0].code == "scenario_unknown_parent"
    with pytest.raises(InputError) as e:
        resolve(a, {"b": Scenario("b", parent="a"), "a": a})
    assert e.value.problems[0].code == "scenario_cycle"


@pytest.mark.parametrize(
    ("driver", "path", "code", "year"),
    [
        ("green_power_share", {2020: 0.1, 2030: 1.2}, "scenario_share_range", 2030),
        ("electrification", {2025: -0.1}, "scenario_share_range", 2025),
        ("energy_intensity_improvement", {2030: 1.5}, "scenario_negative_intensity", 2030),
        ("grid_ef", {2030: 0.5, 2025: 0.4}, "scenario_path_gap", 2025),
        ("grid_ef", {2030: 0.5, 2030.5: 0.4}, "scenario_path_gap", 2030.5),
        ("output_growth", {2030: float("nan")}, "scenario_not_finite", 2030),
        ("grid_ef", {2030: -0.1}, "scenario_negative", 2030),
    ],
)
def test_bad_paths_name_scenario_driver_and_year(
    driver: str, path: dict[float, float], code: str, year: float
) -> None:
    s = Scenario("bad", paths={driver: {"*": path}})  # type: ignore[dict-item]
    with pytest.raises(InputError) as e:
        project(base_year(one_group(), 2020), s, [2020, 2030])
    p = e.value.problems[0]
    assert (p.code, p.fields["scenario"], p.fields["driver"], p.fields["year"]) == (code, "bad", driver, year)
    assert "bad" in p.message_en and driver in p.message_en and str(year) in p.message_en


def test_unknown_driver_and_selector_and_a_share_without_secondary_route() -> None:
    b = base_year(one_group(), 2020)
    with pytest.raises(InputError) as e:
        project(
            b,
            Scenario(
                "x",
                paths={
                    "growth": {"*": {2020: 0.1}},
                    "grid_ef": {"metal": {2020: 0.1}},
                    "recycled_share": {"city=1": {2020: 0.1}},
                },
            ),
            [2020],
        )
    assert [p.code for p in e.value.problems] == [
        "scenario_unknown_driver",
        "scenario_bad_selector",
        "scenario_bad_selector",
    ]
    with pytest.raises(InputError) as e:
        project(b, Scenario("x", paths={"recycled_share": {"metal=Zn": {2020: 0.1}}}), [2020])
    assert e.value.problems[0].code == "scenario_no_secondary"


def test_a_negative_base_intensity_is_refused_with_its_row() -> None:
    with pytest.raises(InputError) as e:
        base_year(pd.DataFrame([ROW, {**ROW, "city": "x", "coal_tce": -1.0}]), 2020)
    p = e.value.problems[0]
    assert (p.code, p.column, p.row) == ("negative", "coal_tce", 2)


def test_the_long_frame_matches_the_arrays() -> None:
    b = base_year(demo_base_frame(), DEMO_BASE_YEAR)
    p = project(b, DEMO_SCENARIOS["baseline"])
    assert len(b.groups) >= 20
    assert p.years[0] == 2020 and p.years[-1] == 2060
    assert len(p.frame) == len(b.groups) * 41 * len(QUANTITIES)
    co2 = p.frame[p.frame["variable"] == "co2_t"].groupby("year")["value"].sum().to_numpy()
    assert np.allclose(co2, p.total(), rtol=1e-12)


def test_demo_accelerated_peaks_before_plan_before_baseline() -> None:
    b = base_year(demo_base_frame(), DEMO_BASE_YEAR)
    runs = {n: project(b, s, registry=DEMO_SCENARIOS) for n, s in DEMO_SCENARIOS.items()}
    peaks = {n: find_peak(p.years, p.total()) for n, p in runs.items()}
    assert peaks["accelerated"].year < peaks["plan_policy"].year < peaks["baseline"].year
    assert peaks["plan_policy"].before_2030 and not peaks["baseline"].before_2030
