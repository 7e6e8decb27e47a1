"""Benchmarking and targets services on the demo store: computed from the stored unit
energies, scoped, aluminium electrolysis not misclassified, and a plausible demo province."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from carbonpeak.io.activity import read_activity_frame
from carbonpeak.model import Principal, Role
from carbonpeak.service.efficiency import benchmarking
from carbonpeak.service.inventories import inventory
from carbonpeak.service.outlook import targets
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for

HENGYANG = "430400"


@pytest.fixture
def ctx(demo_url: str) -> Iterator[Context]:
    with sessionmaker_for(demo_url)() as db:
        yield Context(db=db, principal=SYSTEM, request_id="test")


def _city_ctx(ctx: Context, city: str) -> Context:
    return Context(
        db=ctx.db, principal=Principal(username="city-user", role=Role.CITY, user_id=9999, city_code=city)
    )


def test_share_is_computed_from_the_stored_unit_energy(ctx: Context) -> None:
    before = benchmarking.classify(ctx, 2024)
    zn = before[(before["route"] == "zn_hydro") & before["at_benchmark"].fillna(False)]
    assert not zn.empty
    line = zn.iloc[0]
    share0 = benchmarking.capacity_share(ctx, 2024, classified=before).set_index("metal")
    # a new inventory for that line in 2024: 20 000 MWh for 1 000 t → ≈ 2 458 kgce/t
    code = str(line["credit_code"])
    csv = (
        f"enterprise,period,item,quantity,unit,line\n"
        f"{code},2024,product_output,1000,t,{line['line_code']}\n"
        f"{code},2024,electricity_purchased,20000,MWh,{line['line_code']}\n"
    )
    inventory.store_table(ctx, read_activity_frame(csv.encode(), "edit.csv"), file="edit.csv")
    after = benchmarking.classify(ctx, 2024)
    row = after[after["line_id"] == line["line_id"]].iloc[0]
    assert row["unit_energy"] > 2000 and row["grade"] == "below_limit"
    share1 = benchmarking.capacity_share(ctx, 2024).set_index("metal")
    cap = float(line["capacity_t_per_a"])
    assert share1.loc["Zn", "capacity_at_benchmark_t_per_a"] == pytest.approx(
        share0.loc["Zn", "capacity_at_benchmark_t_per_a"] - cap
    )
    assert share1.loc["Zn", "share"] < share0.loc["Zn", "share"]
    assert share1.loc["Cu", "share"] == share0.loc["Cu", "share"]
    assert line["line_id"] in set(benchmarking.below_limit(ctx, 2024)["line_id"])
    # the other years of the enterprise still come from its earlier run
    assert benchmarking.classify(ctx, 2023).set_index("line_id").loc[line["line_id"], "unit_energy"] < 2000


def test_a_city_user_sees_its_city_and_gets_its_city_share(ctx: Context) -> None:
    province = benchmarking.classify(ctx, 2024)
    city = _city_ctx(ctx, HENGYANG)
    mine = benchmarking.classify(city, 2024)
    assert set(mine["city"]) == {HENGYANG}
    assert sorted(mine["line_id"]) == sorted(province.loc[province["city"] == HENGYANG, "line_id"])
    got = benchmarking.capacity_share(city, 2024).set_index("metal")
    want = benchmarking.capacity_share(
        ctx, 2024, classified=province[province["city"] == HENGYANG]
    ).set_index("metal")
    pd.testing.assert_frame_equal(got, want)
    prov = benchmarking.capacity_share(ctx, 2024).set_index("metal")
    assert got.loc["Zn", "capacity_t_per_a"] < prov.loc["Zn", "capacity_t_per_a"]
    assert set(benchmarking.below_limit(city, 2024)["city"]) <= {HENGYANG}
    # a city user's targets are its city's figures
    other = _city_ctx(ctx, "431300")
    assert set(benchmarking.line_frame(other, 2024)["city"]) == {"431300"}


def test_the_province_share_combines_the_cities(ctx: Context) -> None:
    c = benchmarking.classify(ctx, 2024)
    prov = benchmarking.capacity_share(ctx, 2024, classified=c).set_index("metal")
    cities = benchmarking.capacity_share(ctx, 2024, by=("city", "metal"), classified=c)
    for metal, g in cities.groupby("metal"):
        w = g["capacity_t_per_a"].to_numpy()
        combined = float(np.nansum(g["share"].to_numpy() * w) / w.sum())
        assert combined == pytest.approx(prov.loc[metal, "share"])


def test_aluminium_electrolysis_is_graded_on_ac_power_not_kgce(ctx: Context) -> None:
    c = benchmarking.classify(ctx, 2024)
    al = c[c["route"] == "al_electrolysis"]
    assert len(al) == 2  # the demo's two electrolysis lines, both reporting al_ac_power
    assert (al["assessment"] == "assessed").all()
    assert (al["indicator"] == "ac_power").all() and (al["value_unit"] == "kWh/t").all()
    assert (al["standard"] == "GB 21346-2022").all()
    assert al["unit_energy"].between(12_900, 13_700).all()  # kWh/t, not kgce/t
    assert (al["unit_energy"] == al["ac_power_kwh_per_t"]).all()
    assert (al["benchmark_basis"] == "efficiency_level").all() and al["benchmark_unverified"].all()
    # other metals' lines carry no AC power figure
    assert c.loc[c["route"] != "al_electrolysis", "ac_power_kwh_per_t"].isna().all()


def test_an_aluminium_line_without_ac_power_stays_ungraded(ctx: Context) -> None:
    line = benchmarking.classify(ctx, 2024).query("route == 'al_electrolysis'").iloc[0]
    code, lc = str(line["credit_code"]), str(line["line_code"])
    csv_text = (
        "enterprise,period,item,quantity,unit,line\n"
        f"{code},2024,product_output,1000,t,{lc}\n"
        f"{code},2024,electricity_purchased,13500,MWh,{lc}\n"
    )
    inventory.store_table(ctx, read_activity_frame(csv_text.encode(), "edit.csv"), file="edit.csv")
    c = benchmarking.classify(ctx, 2024)
    al = c[c["line_id"] == line["line_id"]].iloc[0]
    assert al["assessment"] == "not_assessed_ac_power" and pd.isna(al["grade"])
    assert "needs AC power per t" in al["assessment_en"] and not al["below_limit"]
    assert line["line_id"] not in set(benchmarking.below_limit(ctx, 2024, classified=c)["line_id"])


def test_the_demo_province_is_plausible_in_2024(ctx: Context) -> None:
    c = benchmarking.classify(ctx, 2024)
    cupbzn = c[c["metal"].isin(["Cu", "Pb", "Zn"])]
    assert cupbzn["at_benchmark"].fillna(False).sum() >= 1
    assert cupbzn["below_limit"].sum() >= 1
    shares = benchmarking.capacity_share(ctx, 2024, classified=c)
    assert shares["metal"].tolist() == ["Cu", "Pb", "Zn"]
    assert shares["share"].between(0, 1).all()
    assert shares["unverified"].all()  # limit grade 1 stands in for the 标杆 level
    below = benchmarking.below_limit(ctx, 2024, classified=c)
    assert (below["gap_to_limit"] > 0).all()
    kgce = below["value_unit"] == "kgce/t"
    assert (below.loc[kgce, "gap_tce_per_a"] > 0).all()
    # an electrolysis line above the 13 350 kWh/t limit: its gap is in kWh/t, not tce
    al = below[~kgce]
    assert (al["route"] == "al_electrolysis").all() and al["gap_tce_per_a"].isna().all() and len(al) == 1


def test_2020_has_no_cu_pb_zn_share_because_no_graded_edition_is_shipped(ctx: Context) -> None:
    shares = benchmarking.capacity_share(ctx, 2020)
    assert shares["share"].isna().all()
    assert (shares["lines_unassessed"] == shares["lines"]).all()


def test_targets_every_row_with_value_or_reason(ctx: Context) -> None:
    rows = {r["indicator"] + ":" + r["id"]: r for r in targets.indicators(ctx, 2025)}
    assert len(rows) == 9
    for r in rows.values():
        assert r["status"] in {"green", "amber", "red", "no_data"}
        if r["status"] == "no_data":
            assert r["reason_zh"] and r["reason_en"]
        else:
            assert r["rule_zh"] and r["rule_en"] and r["gap"] is not None
    by_ind = {
        r["indicator"]: r
        for r in rows.values()
        if r["scope"] in ("province", "Cu;Pb;Zn") and r["source_id"] == "hunan_plan"
    }
    # the green-factory target counts the registry: national factories listed after 2020
    demo = csv.DictReader(
        io.StringIO(
            resources.files("carbonpeak.demo").joinpath("green_certifications.csv").read_text("utf-8")
        )
    )
    new = [r for r in demo if r["kind"] == "factory" and r["level"] == "national" and int(r["year"]) > 2020]
    green = by_ind["new_green_factories"]
    assert green["value"] == len(new) == 9
    assert green["status"] == "amber" and green["rule"] == "near_track"  # 9 of ≥ 10, on a 10 % margin
    assert green["base_year_value"] == 0.0
    # every Hunan-plan target has its base-year value
    for r in by_ind.values():
        assert r["base_year_used"] == 2020 and r["base_year_value"] is not None, r["id"]
    assert by_ind["peak_year"]["base_year_value"] > 0
    assert by_ind["energy_intensity_change"]["base_year_level"] > 0
    assert "2020" in by_ind["capacity_share_at_benchmark"]["base_note_en"]
    energy = by_ind["energy_intensity_change"]
    assert energy["series"][2020] == 0.0 and energy["breakdown"]["by_city"]
    share = by_ind["capacity_share_at_benchmark"]
    total = benchmarking.capacity_share(ctx, 2025, by=())
    assert share["value"] == pytest.approx(100.0 * float(total["share"].iloc[0]))
    assert "stands in" in share["note_en"]
    assert by_ind["peak_year"]["status"] in {"green", "amber", "red"}
    assert 0 <= by_ind["recycled_share"]["value"] <= 100
    # the national electrolytic-aluminium targets: computed from the potlines' AC power
    al = [r for r in rows.values() if r["scope"] == "Al"]
    assert len(al) == 2
    total = benchmarking.capacity_share(ctx, 2025, by=(), metals=benchmarking.AL_SHARE_METALS)
    for r in al:
        assert r["status"] in {"green", "amber", "red"} and r["rule_en"]
        assert r["value"] == pytest.approx(100.0 * float(total["share"].iloc[0]))
        assert r["base_year_used"] == 2020 and r["base_year_value"] is not None
        assert "13 000 kWh/t" in r["note_en"] and "unverified" in r["note_en"]
        assert set(r["breakdown"]["by_metal"]) == {"Al"}


def test_targets_for_a_city_user_are_its_citys(ctx: Context) -> None:
    city = _city_ctx(ctx, HENGYANG)
    totals = targets.yearly_totals(city)
    assert set(totals["city"]) == {HENGYANG}
    rows = {r["id"]: r for r in targets.indicators(city, 2025)}
    energy = rows["hunan_plan:energy_intensity_change:2025"]
    assert set(energy["breakdown"]["by_city"]) == {HENGYANG}


def test_an_empty_store_gives_empty_frames_and_no_data(empty_url: str) -> None:
    with sessionmaker_for(empty_url)() as db:
        ctx = Context(db=db, principal=SYSTEM, request_id="test")
        assert benchmarking.classify(ctx, 2024).empty
        assert benchmarking.capacity_share(ctx, 2024).empty
        assert benchmarking.below_limit(ctx, 2024).empty
        rows = targets.indicators(ctx, 2025)
    assert rows and all(r["status"] == "no_data" for r in rows)
