"""Market-based electricity never below zero, the residual-mix factor by data year (issue 12,
item 4), and the other "no silent answer" cases of the CLI: 原铝 without an electrolysis line
(item 5), 原煤 without an emission factor (item 7), a year filter that matches nothing.

Factors typed in by hand: MEE/NBS 全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量）
2021 0.5942 (S), 2022 0.5856 (S+), 2023 0.6096 kgCO2/kWh (V) — research brief 2026-12 §1;
Hunan provincial 2023 0.4976. Tolerance 1e-9 (float arithmetic only).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carbonpeak import refdata
from carbonpeak.accounting.engine import compute_inventory
from carbonpeak.accounting.explain import explain_line
from carbonpeak.accounting.factors import AccountingChoices, load_factors
from carbonpeak.accounting.notices import green_surplus, inventory_notices
from carbonpeak.cli.main import app
from carbonpeak.errors import InputError

runner = CliRunner()
F = load_factors()


def _frame(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    a = pd.DataFrame(rows, columns=["enterprise", "period", "item", "quantity"])
    a["year"] = a["period"].str[:4].astype(int)
    a["row"] = np.arange(1, len(a) + 1)
    return a


@pytest.mark.parametrize(
    ("year", "cited", "ef"),
    [
        (2021, 2021, 0.5942),
        (2022, 2022, 0.5856),
        (2023, 2023, 0.6096),
        (2015, 2021, 0.5942),  # before the first publication: the earliest, named in the row id
        (2025, 2023, 0.6096),  # after the last: the newest published year
    ],
)
def test_residual_factor_by_data_year(year: int, cited: int, ef: float) -> None:
    out = compute_inventory(_frame([("E", str(year), "electricity_purchased", 1000.0)]), F)
    assert float(out["co2_market_t"].iat[0]) == pytest.approx(1000 * ef, rel=1e-9)
    assert f"accounting/grid_factors#mee_nbs_excl_market_nonfossil:CN:{cited}" in str(
        out["factor_ids"].iat[0]
    )


def test_strict_policy_refuses_a_year_without_a_residual_factor() -> None:
    f = load_factors(
        AccountingChoices(grid_series="ets_national", grid_region="CN", grid_year_policy="strict")
    )
    with pytest.raises(InputError) as err:
        compute_inventory(_frame([("E", "2015", "electricity_purchased", 1.0)]), f)
    (p,) = err.value.problems
    assert p.code == "period_outside_validity" and "residual-mix" in p.message_en


def test_green_power_above_consumption_gives_zero_and_reports_the_surplus() -> None:
    """Issue 12: 2023, 2 000 MWh purchased, 4 000 MWh green power traded: market-based was
    2 000 × 0.6096 − 4 000 × 0.6096 = −1 219.2 t; now 0, the surplus 2 000 MWh reported."""
    a = _frame(
        [
            ("E1", "2023", "electricity_purchased", 2000.0),
            ("E1", "2023", "green_power_traded", 4000.0),
            ("E2", "2023", "electricity_purchased", 2000.0),
            ("E2", "2023", "green_power_traded", 500.0),
        ]
    )
    out = compute_inventory(a, F)
    by_ent = out.groupby("enterprise")["co2_market_t"].sum()
    assert by_ent["E1"] == pytest.approx(0.0, abs=1e-9)
    assert by_ent["E2"] == pytest.approx(1500 * 0.6096, rel=1e-9)  # below consumption: unchanged
    assert float(out["co2_t"].sum()) == pytest.approx(4000 * 0.4976, rel=1e-9)  # location untouched
    s = green_surplus(out, F)
    assert s.index.tolist() == [("E1", "2023")]
    assert s["surplus_mwh"].iat[0] == pytest.approx(2000.0)
    (w,) = inventory_notices(out, F)
    assert w.code == "green_power_surplus" and w.row == 2
    assert "2000.0" in w.message_en and "2000.0" in w.message_zh


def test_the_floor_is_per_period() -> None:
    # January's surplus does not deduct February's purchases
    a = _frame(
        [
            ("E1", "2023-01", "electricity_purchased", 100.0),
            ("E1", "2023-01", "green_power_traded", 300.0),
            ("E1", "2023-02", "electricity_purchased", 100.0),
        ]
    )
    out = compute_inventory(a, F)
    per = out.groupby("period")["co2_market_t"].sum()
    assert per["2023-01"] == pytest.approx(0.0, abs=1e-9)
    assert per["2023-02"] == pytest.approx(100 * 0.6096, rel=1e-9)


elec_rows = st.lists(
    st.tuples(
        st.sampled_from(["E1", "E2"]),
        st.sampled_from(["2021", "2023", "2023-01", "2023-02"]),
        st.sampled_from(["electricity_purchased", "green_power_traded", "green_certificates", "coke"]),
        st.floats(0, 1e6),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=80)
@given(rows=elec_rows)
def test_market_based_is_never_below_zero(rows: list[tuple[str, str, str, float]]) -> None:
    out = compute_inventory(_frame(rows), F)
    elec = out[out["category"].astype(str) == "electricity"]
    per = elec.groupby(["enterprise", "period"])["co2_market_t"].sum()
    assert (per >= -1e-6 * (1 + per.abs())).all()
    # the location-based figures do not depend on green power
    no_green = compute_inventory(_frame([r for r in rows if not r[2].startswith("green")]), F)
    assert float(out["co2_t"].sum()) == pytest.approx(float(no_green["co2_t"].sum()), rel=1e-9, abs=1e-6)
    # and the market figure never exceeds the no-green figure
    ng = no_green[no_green["category"].astype(str) == "electricity"].groupby(["enterprise", "period"])
    for key, v in per.items():
        base = ng["co2_market_t"].sum().get(key, 0.0)
        assert v <= base + 1e-6 * (1 + abs(base))
    # the surplus reported per enterprise-period: green − max(purchased, 0), where positive
    surplus: dict[tuple[str, str], float] = {}
    for ent, period, item, q in rows:
        if item.startswith(("green", "electricity")):
            surplus.setdefault((ent, period), 0.0)
            surplus[(ent, period)] += q if item.startswith("green") else -q
    expected = {k for k, v in surplus.items() if v > 1e-6}
    got = green_surplus(out, F)
    assert set(got.index) >= expected
    assert all(w.code == "green_power_surplus" for w in inventory_notices(out, F))


def _write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "act.csv"
    f.write_text("enterprise,period,item,quantity,unit,line\n" + text, "utf-8")
    return f


@pytest.mark.usefixtures("store")
def test_cli_primary_aluminium_without_a_potline_uses_the_aluminium_method_with_a_warning(
    tmp_path: Path,
) -> None:
    """Issue 12: 100 000 t 原铝, no --method, enterprise not registered with an electrolysis
    line gave 0 tCO2. Now: the 2013 aluminium guide's defaults → 150 304 tCO2 anode, SAR PFC
    25 228 tCO2e, and a warning naming the enterprise."""
    f = _write(tmp_path, "E9,2020,原铝,100000,t,P1\n")
    r = runner.invoke(app, ["inventory", "compute", str(f), "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    total = next(t for t in got["totals"] if t["category"] == "total")
    assert total["co2e_t"] == pytest.approx(150_304.0 + 25_228.0, rel=1e-9)
    assert got["methods"]["E9"]["method"] == "aluminium_2013"
    (w,) = got["warnings"]
    assert w["code"] == "aluminium_method_assumed" and "E9" in w["message_zh"] and "E9" in w["message_en"]
    r = runner.invoke(app, ["inventory", "compute", str(f)])
    assert r.exit_code == 0 and "aluminium_2013" in r.output and "electrolysis line" in r.output


@pytest.mark.usefixtures("store")
def test_cli_primary_aluminium_under_a_method_without_aluminium_parameters_is_refused(tmp_path: Path) -> None:
    f = _write(tmp_path, "E9,2020,原铝,100000,t,P1\n")
    r = runner.invoke(app, ["inventory", "compute", str(f), "--method", "other_nonferrous_2015"])
    assert r.exit_code == 2
    assert "primary_aluminium" in r.output and "other_nonferrous_2015" in r.output


@pytest.mark.usefixtures("store")
def test_cli_raw_coal_counts_its_energy_and_warns_about_its_co2(tmp_path: Path) -> None:
    # GB/T 2589-2008 Annex A: 原煤 0.7143 kgce/kg → 1 000 t = 714.3 tce
    f = _write(tmp_path, "E1,2023,原煤,1000,t,L1\nE1,2023,焦炭,10,t,L1\n")
    r = runner.invoke(app, ["inventory", "compute", str(f), "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    coal = got["lines"][0]
    assert coal["energy_tce"] == pytest.approx(714.3, rel=1e-9) and coal["co2_t"] == 0.0
    (w,) = got["warnings"]
    assert w["code"] == "co2_needs_measured_factor" and w["row"] == 2
    assert got["lines"][1]["co2_t"] > 0  # the rest of the file is computed


@pytest.mark.usefixtures("store")
def test_cli_year_filter_matching_nothing_is_an_error(tmp_path: Path) -> None:
    f = _write(tmp_path, "E1,2023,焦炭,10,t,L1\n")
    for extra in ([], ["--json"]):
        r = runner.invoke(app, ["inventory", "compute", str(f), "--year", "2019", *extra])
        assert r.exit_code == 2
        assert "2019" in r.output and "2023" in r.output and "[]" not in r.output


def test_explain_shows_the_full_deduction_and_the_floor() -> None:
    out = compute_inventory(
        _frame(
            [("E1", "2023", "electricity_purchased", 2000.0), ("E1", "2023", "green_power_traded", 4000.0)]
        ),
        F,
    )
    line = out.iloc[1].to_dict()
    line.update(line_no=2, unit="MWh", quantity_in=4000.0, unit_in="MWh")

    def lookup(fid: str) -> Mapping[str, Any]:
        table, _, row = fid.partition("#")
        return refdata.load_table(table).get(row)

    e = explain_line(line, lookup, lambda sid: sid)
    (step,) = [s for s in e.arithmetic if s.startswith("CO2 (market)")]
    assert "= -2,438.4000 tCO2" in step  # 4 000 MWh × 0.6096
    assert "limited to -1,219.2000 tCO2" in step and "never below zero" in step


@pytest.mark.usefixtures("store")
def test_cli_regional_grid_series_by_region_code(tmp_path: Path) -> None:
    """MEE/NBS 2023 华中 (central; Hunan's grid region) 0.5271 kgCO2/kWh (research brief
    2026-12 §1, S+): 1 000 MWh → 527.1 tCO2. Without a region the series refuses, naming its
    regions (it used to refuse every line as "period outside validity")."""
    f = _write(tmp_path, "E1,2023,electricity_purchased,1000,MWh,L1\n")
    r = runner.invoke(
        app, ["inventory", "compute", str(f), "--grid", "mee_nbs_regional", "--region", "central", "--json"]
    )
    assert r.exit_code == 0, r.output
    line = json.loads(r.stdout)["lines"][0]
    assert line["co2_t"] == pytest.approx(527.1, rel=1e-9)
    assert "mee_nbs_regional:central:2023" in line["factor_ids"]
    r = runner.invoke(app, ["inventory", "compute", str(f), "--grid", "mee_nbs_regional"])
    assert r.exit_code == 2
    assert "central" in r.output and "--region" in r.output and "validity" not in r.output
    r = runner.invoke(app, ["inventory", "compute", str(f), "--grid", "nope"])
    assert r.exit_code == 2 and "mee_nbs_regional" in r.output


def test_explain_of_raw_coal_says_its_co2_was_not_computed() -> None:
    out = compute_inventory(_frame([("E1", "2023", "raw_coal", 1000.0)]), F)
    line = out.iloc[0].to_dict()
    line.update(line_no=1, unit="t", quantity_in=1000.0, unit_in="t")

    def lookup(fid: str) -> Mapping[str, Any]:
        table, _, row = fid.partition("#")
        return refdata.load_table(table).get(row)

    e = explain_line(line, lookup, lambda sid: sid)
    assert any("not computed" in s and "measured NCV" in s for s in e.arithmetic)
    assert any(s.startswith("tce = 1,000 t × 0.7143 kgce/kg") for s in e.arithmetic)
