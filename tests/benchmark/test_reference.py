"""Reference tests: grade boundaries and editions from the standards' tables, typed by hand.

Values: GB 25323-2023 表1 (铜冶炼 铜精矿→阴极铜 210 / 230 / 340 kgce/t) and 表3 (湿法炼锌 电锌锭
含渣处理 1 010 / 1 040 / 1 260 kgce/t; 无渣处理 550 / 660 / 820); GB 21248-2007 铜冶炼 综合能耗
限定值 950 kgce/t; GB 21346-2022 铝液交流电耗 12 950 / 13 000 / 13 350 kWh/t and GB 21346-2013
12 650 / 12 750 / 13 700 (先进/准入/限定); 发改产业〔2023〕723号 电解铝 标杆 13 000, 基准 13 350
kWh/t. Comparisons are exact: grades are compared as typed, and gap × capacity / 1000 is
exact in binary for the values chosen.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from carbonpeak.benchmark.classify import (
    capacity_share_at_benchmark,
    classify_unit_energy,
    lines_below_limit,
)
from carbonpeak.benchmark.levels import LIMIT_TABLE, levels_for, load_levels
from carbonpeak.refdata.loader import load_table

LEVELS = load_levels()
CAP = 200_000.0  # t/a


def _lines(
    route: str, metal: str, values: list[float], date: str = "2025-12-31", **extra: object
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_id": [f"L{i}" for i in range(len(values))],
            "metal": metal,
            "route": route,
            "date": date,
            "unit_energy": values,
            "capacity_t_per_a": CAP,
            "city": "430400",
            "park": None,
            **extra,
        }
    )


def test_levels_frames_carry_row_ids_and_the_published_grades() -> None:
    lim = LEVELS.limits.set_index("level_id")
    assert len(lim) == len(load_table(LIMIT_TABLE))
    zn = lim.loc["benchmark/limit_levels#gb25323_2023:t3:zn_hydro_with_residue"]
    assert (zn["grade1"], zn["grade2"], zn["grade3"], zn["value_unit"]) == (1010, 1040, 1260, "kgce/t")
    assert zn["route"] == ("zn_hydro",)
    assert zn["valid_from"] == pd.Timestamp("2024-06-01")
    assert LEVELS.efficiency["efficiency_id"].tolist() == [
        "benchmark/efficiency_levels#ndrc_benchmark_2023:al_molten:ac_power"
    ]


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        (1000.0, 1),
        (1010.0, 1),
        (1010.01, 2),
        (1040.0, 2),
        (1040.01, 3),
        (1260.0, 3),
        (1260.5, "below_limit"),
    ],
)
def test_hydro_zinc_grade_boundaries_gb25323_table3(value: float, grade: object) -> None:
    out = classify_unit_energy(_lines("zn_hydro", "Zn", [value]), LEVELS)
    assert out["grade"].iat[0] == grade
    assert out["standard"].iat[0] == "GB 25323-2023"
    assert out["level_id"].iat[0] == "benchmark/limit_levels#gb25323_2023:t3:zn_hydro_with_residue"


def test_gap_to_limit_in_kgce_per_t_and_tce_per_a() -> None:
    out = classify_unit_energy(_lines("zn_hydro", "Zn", [1260.0, 1260.5, 1300.0]), LEVELS)
    assert out["gap_to_limit"].tolist() == [0.0, 0.5, 40.0]
    # kgce/t × t/a ÷ 1000 = tce/a
    assert out["gap_tce_per_a"].tolist() == [0.0, 0.5 * CAP / 1000, 40.0 * CAP / 1000]
    assert out["below_limit"].tolist() == [False, True, True]
    below = lines_below_limit(out)
    assert below["line_id"].tolist() == ["L2", "L1"]  # largest gap in tce/a first


def test_the_edition_in_force_is_chosen_by_date_copper() -> None:
    # GB 21248-2007 is in force until its 2014 edition replaced it (research-2026-12 §2: the 2014
    # editions of GB 21248/21249/21250 in force 2015-01-01, GB 21249-2014 front matter); the 2014
    # edition's values are not sourced, so 2015-01-01 … 2024-05-31 has no level in force.
    before = classify_unit_energy(_lines("cu_flash", "Cu", [400.0], date="2014-12-31"), LEVELS)
    assert before["standard"].iat[0] == "GB 21248-2007"
    assert before["level_id"].iat[0] == (
        "benchmark/limit_levels#gb21248_2007:cu_concentrate_to_cathode:comprehensive_energy"
    )
    assert before["grade3"].iat[0] == 950.0
    assert before["grade"].iat[0] == 3  # only the 限定值 is published: grade 3 at best
    assert pd.isna(before["at_benchmark"].iat[0])
    assert before["benchmark_basis"].iat[0] == "unavailable"
    for day in ("2015-01-01", "2023-12-31", "2024-05-31"):
        gap = classify_unit_energy(_lines("cu_flash", "Cu", [400.0], date=day), LEVELS)
        assert gap["level_status"].iat[0] == "no_level_in_force"
        assert pd.isna(gap["standard"].iat[0])
    after = classify_unit_energy(_lines("cu_flash", "Cu", [400.0], date="2024-06-01"), LEVELS)
    assert after["standard"].iat[0] == "GB 25323-2023"
    assert (after["grade1"].iat[0], after["grade2"].iat[0], after["grade3"].iat[0]) == (210, 230, 340)
    assert after["grade"].iat[0] == "below_limit"
    assert after["gap_to_limit"].iat[0] == 60.0


def test_zinc_before_gb25323_has_no_level_in_force() -> None:
    out = levels_for(
        _lines("zn_hydro", "Zn", [1000.0, 1000.0]).assign(date=["2023-12-31", "2024-06-01"]), levels=LEVELS
    )
    assert out["level_status"].tolist() == ["no_level_in_force", "in_force"]
    assert pd.isna(out["level_id"].iat[0])
    assert out["standard"].iat[1] == "GB 25323-2023"
    classified = classify_unit_energy(_lines("zn_hydro", "Zn", [1000.0], date="2023-12-31"), LEVELS)
    assert classified["grade"].iat[0] is None
    assert not classified["below_limit"].iat[0]
    assert pd.isna(classified["at_benchmark"].iat[0])


def test_a_route_without_any_level_is_no_level() -> None:
    out = levels_for(_lines("w_apt", "W", [1.0]), levels=LEVELS)
    assert out["level_status"].iat[0] == "no_level"


def test_on_sets_the_date_of_lines_without_one() -> None:
    lines = _lines("zn_hydro", "Zn", [1000.0]).drop(columns="date")
    assert levels_for(lines, "2023-12-31", levels=LEVELS)["level_status"].iat[0] == "no_level_in_force"
    assert levels_for(lines, "2024-06-01", levels=LEVELS)["standard"].iat[0] == "GB 25323-2023"


def test_a_product_code_overrides_the_route() -> None:
    out = classify_unit_energy(_lines("zn_hydro", "Zn", [700.0], product="zn_hydro_without_residue"), LEVELS)
    assert out["level_product"].iat[0] == "zn_hydro_without_residue"
    assert (out["grade1"].iat[0], out["grade2"].iat[0], out["grade3"].iat[0]) == (550, 660, 820)
    assert out["grade"].iat[0] == 3


def test_zinc_benchmark_is_the_grade1_standin_and_says_so() -> None:
    out = classify_unit_energy(_lines("zn_hydro", "Zn", [1010.0, 1010.5, 1261.0]), LEVELS)
    assert out["benchmark_basis"].tolist() == ["limit_grade1_standin"] * 3
    assert out["benchmark_unverified"].tolist() == [True] * 3
    assert out["benchmark_value"].tolist() == [1010.0] * 3
    assert out["baseline_value"].tolist() == [1260.0] * 3
    assert out["at_benchmark"].tolist() == [True, False, False]
    assert out["band"].tolist() == ["at_benchmark", "between", "below_baseline"]


@pytest.mark.parametrize(
    ("value", "grade", "at_benchmark", "band"),
    [
        (12950.0, 1, True, "at_benchmark"),
        (12980.0, 2, True, "at_benchmark"),  # not 1级, but at the 13 000 标杆
        (13000.0, 2, True, "at_benchmark"),
        (13000.5, 3, False, "between"),
        (13350.0, 3, False, "between"),
        (13350.5, "below_limit", False, "below_baseline"),
    ],
)
def test_electrolytic_aluminium_against_the_13000_benchmark(
    value: float, grade: object, at_benchmark: bool, band: str
) -> None:
    out = classify_unit_energy(_lines("al_electrolysis", "Al", [value]), LEVELS)
    assert out["standard"].iat[0] == "GB 21346-2022"
    assert out["indicator"].iat[0] == "ac_power"
    assert out["value_unit"].iat[0] == "kWh/t"
    assert out["grade"].iat[0] == grade
    assert out["benchmark_basis"].iat[0] == "efficiency_level"
    assert out["benchmark_value"].iat[0] == 13000.0
    assert bool(out["at_benchmark"].iat[0]) is at_benchmark
    assert out["band"].iat[0] == band
    assert out["benchmark_unverified"].iat[0]  # the 723号 row is flagged unverified
    assert math.isnan(out["gap_tce_per_a"].iat[0])  # kWh/t is not converted to tce


def test_aluminium_before_2024_the_stricter_of_baseline_and_limit_governs() -> None:
    # GB 21346-2013 限定值 13 700 is looser than the 13 350 基准: the baseline governs
    out = classify_unit_energy(_lines("al_electrolysis", "Al", [13500.0], date="2023-06-30"), LEVELS)
    assert out["standard"].iat[0] == "GB 21346-2013"
    assert out["grade"].iat[0] == 3
    assert out["baseline_value"].iat[0] == 13350.0
    assert out["below_baseline"].iat[0]
    assert not out["at_benchmark"].iat[0]


@pytest.mark.parametrize(("value", "passes"), [(1000.0, True), (1100.0, False)])
def test_review_example_new_zinc_line_against_grade1(value: float, passes: bool) -> None:
    """Issue 5: a new zinc line at 1 000 kgce/t passes the 1级 (1 010), at 1 100 fails."""
    out = classify_unit_energy(_lines("zn_hydro", "Zn", [value], date="2026-01-01"), LEVELS)
    assert (out["grade"].iat[0] == 1) is passes
    assert out["grade1"].iat[0] == 1010.0
    assert out["standard"].iat[0] == "GB 25323-2023"


def test_capacity_share_by_city_and_metal() -> None:
    lines = pd.concat(
        [
            _lines("zn_hydro", "Zn", [1000.0, 1100.0]).assign(
                city=["A", "B"], capacity_t_per_a=[100.0, 300.0]
            ),
            _lines("cu_flash", "Cu", [200.0]).assign(city="A", capacity_t_per_a=50.0),
        ],
        ignore_index=True,
    )
    out = classify_unit_energy(lines, LEVELS)
    by_metal = capacity_share_at_benchmark(out, ["metal"])
    assert by_metal.loc["Zn", "share"] == 0.25
    assert by_metal.loc["Cu", "share"] == 1.0
    assert bool(by_metal.loc["Zn", "unverified"])
    by_city = capacity_share_at_benchmark(out, ["city", "metal"])
    assert by_city.loc[("B", "Zn"), "share"] == 0.0
    total = capacity_share_at_benchmark(out, [])
    assert total.loc["total", "share"] == 150.0 / 450.0
    assert total.loc["total", "capacity_t_per_a"] == 450.0
