"""IAMC export (columns, units, sub-totals as pyam's check_aggregate) and driver paths from xlsx."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.io.iamc import (
    IAMC_COLUMNS,
    read_driver_paths_xlsx,
    to_iamc,
    write_iamc_csv,
    write_iamc_xlsx,
)
from carbonpeak.scenarios.demo_scenarios import DEMO_BASE_YEAR, DEMO_SCENARIOS, demo_base_frame
from carbonpeak.scenarios.projection import base_year, project, resolve


@pytest.fixture(scope="module")
def iamc() -> pd.DataFrame:
    b = base_year(demo_base_frame(), DEMO_BASE_YEAR)
    return pd.concat(
        [to_iamc(project(b, s, registry=DEMO_SCENARIOS).frame) for s in DEMO_SCENARIOS.values()],
        ignore_index=True,
    )


def check_aggregate(df: pd.DataFrame, variable: str, rtol: float = 1e-9) -> pd.DataFrame:
    """pyam's check_aggregate: rows where *variable* differs from the sum of its direct children."""
    depth = variable.count("|") + 1
    children = df[df["variable"].str.startswith(variable + "|") & (df["variable"].str.count(r"\|") == depth)]
    keys = ["model", "scenario", "region", "year"]
    parent = df[df["variable"] == variable].set_index(keys)["value"]
    summed = children.groupby(keys)["value"].sum()
    both = pd.concat({"variable": parent, "components": summed}, axis=1)
    bad = ~np.isclose(both["variable"], both["components"], rtol=rtol, atol=0.0)
    return both[bad]


def test_exactly_the_iamc_columns(iamc: pd.DataFrame) -> None:
    assert list(iamc.columns) == IAMC_COLUMNS
    assert set(iamc["scenario"]) == set(DEMO_SCENARIOS)
    assert set(iamc["model"]) == {"carbonpeak"} and set(iamc["region"]) == {"Hunan"}
    assert set(iamc["unit"]) == {"Mt CO2/yr", "EJ/yr", "Mt/yr"}
    assert "Emissions|CO2|Nonferrous|Zinc" in set(iamc["variable"])
    assert not iamc.duplicated(["model", "scenario", "region", "variable", "year"]).any()


def test_sub_totals_add_up(iamc: pd.DataFrame) -> None:
    parents = ["Emissions|CO2|Nonferrous", "Final Energy|Nonferrous"]
    metals = {v.rsplit("|", 1)[0] for v in iamc["variable"] if v.count("|") == 4}
    for v in [*parents, *sorted(metals)]:
        assert check_aggregate(iamc, v).empty, v
        assert (iamc["variable"] == v).any()


def test_the_total_matches_the_projection(iamc: pd.DataFrame) -> None:
    b = base_year(demo_base_frame(), DEMO_BASE_YEAR)
    total = project(b, DEMO_SCENARIOS["baseline"]).total()
    row = iamc[(iamc["scenario"] == "baseline") & (iamc["variable"] == "Emissions|CO2|Nonferrous")]
    assert np.allclose(row["value"].to_numpy(), total * 1e-6, rtol=1e-12)


def test_csv_and_xlsx_round_trip(iamc: pd.DataFrame, tmp_path: Path) -> None:
    write_iamc_csv(iamc, tmp_path / "s.csv")
    back = pd.read_csv(tmp_path / "s.csv")
    assert list(back.columns) == IAMC_COLUMNS and len(back) == len(iamc)
    write_iamc_xlsx(iamc, tmp_path / "s.xlsx")
    wide = pd.read_excel(tmp_path / "s.xlsx", sheet_name="data")
    assert list(wide.columns[:5]) == IAMC_COLUMNS[:5] and "2060" in map(str, wide.columns)
    assert len(wide) == iamc.groupby(IAMC_COLUMNS[:5]).ngroups


def write_paths(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["scenario", "parent", "driver", "selector", "year", "value"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_driver_paths_from_xlsx_make_scenarios(tmp_path: Path) -> None:
    f = write_paths(
        tmp_path / "paths.xlsx",
        [
            ["mine", "plan_policy", "grid_ef", "*", 2060, 0.1],
            ["mine", "plan_policy", "grid_ef", "*", 2020, 0.58],
            ["mine", "", "green_power_share", "metal=Al", 2030, 0.8],
        ],
    )
    s = read_driver_paths_xlsx(f)["mine"]
    assert s.parent == "plan_policy"
    assert dict(s.paths["grid_ef"]["*"]) == {2020: 0.58, 2060: 0.1}
    r = resolve(s, {**DEMO_SCENARIOS, "mine": s})
    assert set(r.paths) >= set(resolve(DEMO_SCENARIOS["plan_policy"], DEMO_SCENARIOS).paths)


def test_bad_driver_paths_are_located(tmp_path: Path) -> None:
    f = write_paths(
        tmp_path / "bad.xlsx",
        [
            ["x", "", "grid_ef", "*", 2020, 0.5],
            ["x", "", "grid_ef", "*", 2020, 0.4],  # repeated year
            ["x", "", "green_power_share", "*", 2030, 1.5],  # share above 100 %
            ["x", "", "warp_drive", "*", 2030, 1],  # unknown driver
            ["x", "", "output_growth", "*", "soon", 1],  # not a year
            ["x", "", "energy_intensity_improvement", "*", 2030, 2.0],  # negative intensity
        ],
    )
    with pytest.raises(InputError) as e:
        read_driver_paths_xlsx(f)
    got = sorted((p.row, p.code) for p in e.value.problems)
    assert got == [
        (3, "duplicate"),
        (4, "scenario_share_range"),
        (5, "scenario_unknown_driver"),
        (6, "not_a_number"),
        (7, "scenario_negative_intensity"),
    ]
    assert all(p.file == "bad.xlsx" and p.sheet for p in e.value.problems)
