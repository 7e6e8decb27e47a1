"""Electrolytic aluminium graded on AC power per tonne of molten aluminium [kWh/t], through
the stored inventories (activity item ``al_ac_power``), at the level boundaries.

Reference values, typed from the refdata rows they test (checked below):
GB 21346-2022 铝液交流电耗 grade 1 / 2 / 3 = 12 950 / 13 000 / 13 350 kWh/t, in force from
2024-01-01 (``limit_levels#gb21346_2022:al_molten:ac_power``); GB 21346-2013 12 650 / 12 750 /
13 700 kWh/t until 2023-12-31 (``gb21346_2013:al_molten:ac_power``); 发改产业〔2023〕723号
电解铝 标杆 13 000, 基准 13 350 kWh/t (``efficiency_levels#ndrc_benchmark_2023:al_molten:ac_power``,
flagged unverified). A value exactly at a level meets it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from carbonpeak.io.activity import read_activity_frame
from carbonpeak.refdata.loader import load_table
from carbonpeak.service.efficiency import benchmarking
from carbonpeak.service.inventories.inventory import store_table
from carbonpeak.service.outlook import targets
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for


@pytest.fixture
def ctx(demo_url: str) -> Iterator[Context]:
    with sessionmaker_for(demo_url)() as db:
        yield Context(db=db, principal=SYSTEM, request_id="test")


def test_the_reference_values_are_the_refdata_rows() -> None:
    limits = {r["id"]: r for r in load_table("benchmark/limit_levels")}
    new, old = limits["gb21346_2022:al_molten:ac_power"], limits["gb21346_2013:al_molten:ac_power"]
    assert (new["grade1"], new["grade2"], new["grade3"], new["value_unit"]) == (12950, 13000, 13350, "kWh/t")
    assert (old["grade1"], old["grade2"], old["grade3"]) == (12650, 12750, 13700)
    assert str(new["valid_from"]) == "2024-01-01" and str(old["valid_to"]) == "2023-12-31"
    effs = {r["id"]: r for r in load_table("benchmark/efficiency_levels")}
    eff = effs["ndrc_benchmark_2023:al_molten:ac_power"]
    assert (eff["benchmark"], eff["baseline"]) == (13000, 13350)


def _report(ctx: Context, year: int, kwh_per_t: float) -> pd.Series:
    """Store a new inventory for the first demo electrolysis line: 1 000 t of molten
    aluminium and ``kwh_per_t`` × 1 000 kWh of potline AC power in *year*; its grading."""
    line = benchmarking.classify(ctx, year).query("route == 'al_electrolysis'").iloc[0]
    code, lc = str(line["credit_code"]), str(line["line_code"])
    csv = (
        "enterprise,period,item,quantity,unit,line\n"
        f"{code},{year},product_output,1000,t,{lc}\n"
        f"{code},{year},electricity_purchased,14000,MWh,{lc}\n"
        f"{code},{year},al_ac_power,{kwh_per_t * 1000:.1f},kWh,{lc}\n"
    )
    store_table(ctx, read_activity_frame(csv.encode(), "al.csv"), file="al.csv")
    c = benchmarking.classify(ctx, year)
    return c[c["line_id"] == line["line_id"]].iloc[0]


@pytest.mark.parametrize(
    ("kwh_per_t", "grade", "at_benchmark", "below_limit"),
    [
        (12950.0, 1, True, False),  # exactly 1级
        (12950.1, 2, True, False),
        (13000.0, 2, True, False),  # exactly the 13 000 标杆 (= 2级): at benchmark
        (13000.1, 3, False, False),  # just above: not at benchmark
        (13350.0, 3, False, False),  # exactly the limit (3级 = 基准)
        (13350.1, "below_limit", False, True),
    ],
)
def test_2025_is_graded_on_gb21346_2022(
    ctx: Context, kwh_per_t: float, grade: object, at_benchmark: bool, below_limit: bool
) -> None:
    r = _report(ctx, 2025, kwh_per_t)
    assert r["assessment"] == "assessed"
    assert r["standard"] == "GB 21346-2022" and r["indicator"] == "ac_power"
    assert r["unit_energy"] == pytest.approx(kwh_per_t) and r["value_unit"] == "kWh/t"
    assert r["grade"] == grade
    assert bool(r["at_benchmark"]) is at_benchmark
    assert bool(r["below_limit"]) is below_limit
    assert r["benchmark_value"] == 13000.0 and r["benchmark_basis"] == "efficiency_level"
    assert bool(r["benchmark_unverified"])
    below = benchmarking.below_limit(ctx, 2025)
    assert (r["line_id"] in set(below["line_id"])) is below_limit


def test_below_the_limit_gap_is_in_kwh_per_t(ctx: Context) -> None:
    r = _report(ctx, 2025, 13400.0)
    below = benchmarking.below_limit(ctx, 2025).set_index("line_id").loc[r["line_id"]]
    assert below["gap_to_limit"] == pytest.approx(50.0)  # 13 400 − 13 350 kWh/t
    assert pd.isna(below["gap_tce_per_a"])  # kWh/t is not converted to tce


def test_2023_uses_the_2013_edition(ctx: Context) -> None:
    # 13 350.1 kWh/t: below the 2022 limit, but within the 2013 限定值 13 700 in 2023
    r = _report(ctx, 2023, 13350.1)
    assert r["standard"] == "GB 21346-2013" and r["grade"] == 3 and not r["below_limit"]
    assert r["baseline_value"] == 13350.0 and bool(r["below_baseline"])  # stricter 基准 governs
    assert r["grade3"] == 13700.0


def test_a_line_at_benchmark_raises_the_aluminium_share(ctx: Context) -> None:
    al = benchmarking.AL_SHARE_METALS
    before = float(benchmarking.capacity_share(ctx, 2025, by=(), metals=al)["share"].iloc[0])
    r = _report(ctx, 2025, 13000.1)  # first line pushed just off the benchmark
    off = float(benchmarking.capacity_share(ctx, 2025, by=(), metals=al)["share"].iloc[0])
    _report(ctx, 2025, 13000.0)
    on = float(benchmarking.capacity_share(ctx, 2025, by=(), metals=al)["share"].iloc[0])
    assert off < on and on >= before
    assert not r["at_benchmark"]
    # Cu/Pb/Zn share leaves aluminium out; Al share has only the electrolysis lines
    shares = benchmarking.capacity_share(ctx, 2025, metals=al)
    assert shares["metal"].tolist() == ["Al"] and shares["lines"].iloc[0] == 2


def test_demo_aluminium_targets_have_value_and_base_year_value(ctx: Context) -> None:
    rows = [r for r in targets.indicators(ctx, 2025) if r["scope"] == "Al"]
    assert {r["target"] for r in rows} == {30.0, 35.0}
    for r in rows:
        # demo (synthetic): of two 50 000 t/a potlines, none at the 13 000 kWh/t 标杆 in 2020
        # (GB 21346-2013 in force), one at it in 2024 and 2025 (GB 21346-2022)
        assert r["series"][2020] == 0.0 and r["base_year_value"] == 0.0
        assert r["value"] == pytest.approx(50.0) and r["series"][2024] == pytest.approx(50.0)
        assert r["status"] == "green" and r["rule"] == "met"
        assert r["base_note_en"] == ""  # the 2013 edition was in force in 2020: no back-cast
