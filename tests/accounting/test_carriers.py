"""Every carrier accounted (issue 12, item 7): 原煤 without an emission factor, the oil-field
natural-gas coefficient, and electricity's 等价值 as a year-keyed parameter the user can set.

References typed in by hand:
- GB/T 2589-2008 附录A: 原煤 20 908 kJ/kg = 0.7143 kgce/kg; 油田天然气 38 931 kJ/m3 =
  1.3300 kgce/m3 (气田天然气 35 544 kJ/m3 = 1.2143); 电力当量值 0.1229 kgce/kWh.
- research-2026-12 §4: national coal-fired 供电煤耗 2020 = 305.5 gce/kWh (S+), the 2020 等价值
  only; no official value for other years.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from carbonpeak.accounting.carriers import equal_value_notices, parse_equal_value
from carbonpeak.accounting.engine import compute_inventory
from carbonpeak.accounting.factors import AccountingChoices, load_factors, user_equal_value_row
from carbonpeak.accounting.notices import inventory_notices
from carbonpeak.accounting.summary import summarise
from carbonpeak.cli.main import app
from carbonpeak.errors import InputError

runner = CliRunner()


def run(rows: list[tuple[str, float, int]], **choices: object) -> pd.DataFrame:
    f = load_factors(AccountingChoices(**choices))  # type: ignore[arg-type]
    a = pd.DataFrame(rows, columns=["item", "quantity", "year"])
    return compute_inventory(a, f)


# --- 原煤: a GB/T 2589 coefficient, no default emission factor in any method ----------------


@pytest.mark.parametrize("method", ["other_nonferrous_2015", "aluminium_2013", "magnesium_2013"])
def test_raw_coal_counts_its_tce_and_warns_that_co2_needs_a_measured_factor(method: str) -> None:
    f = load_factors(AccountingChoices(method=method))
    out = compute_inventory(
        pd.DataFrame([("raw_coal", 1000.0, 2022)], columns=["item", "quantity", "year"]), f
    )
    assert float(out["energy_tce"].iat[0]) == pytest.approx(714.3, abs=1e-9)  # 1000 t × 0.7143
    assert float(out["co2_t"].iat[0]) == 0.0
    codes = [p.code for p in inventory_notices(out, f)]
    assert codes == ["co2_needs_measured_factor"]  # a warning, not a refusal


def test_only_raw_coal_has_a_tce_coefficient_but_no_emission_factor() -> None:
    for method in ("other_nonferrous_2015", "aluminium_2013", "cets_al_2024", "magnesium_2013"):
        f = load_factors(AccountingChoices(method=method))
        fuels = set(f.items.index[f.items["kind"] == "fuel"])
        assert (set(f.tce.index) & fuels) - set(f.fuels.index) == {"raw_coal"}, method


# --- natural gas: 气田 (default) or 油田 ----------------------------------------------------


def test_oil_field_natural_gas_is_selectable() -> None:
    gas = run([("natural_gas", 10, 2022)])  # 10 万Nm3
    oil = run([("natural_gas", 10, 2022)], tce_variants=("natural_gas:oil_field",))
    assert float(gas["energy_tce"].iat[0]) == pytest.approx(121.43, abs=1e-9)  # × 12.143 tce/万m3
    assert float(oil["energy_tce"].iat[0]) == pytest.approx(133.00, abs=1e-9)  # × 13.300 tce/万m3
    assert "natural_gas:oil_field" in oil["factor_ids"].iat[0]
    assert float(oil["co2_t"].iat[0]) == float(gas["co2_t"].iat[0])  # CO2 from Table A either way


def test_an_unknown_coefficient_variant_is_refused_naming_those_shipped() -> None:
    with pytest.raises(InputError) as exc:
        load_factors(AccountingChoices(tce_variants=("natural_gas:shale",)))
    p = exc.value.problems[0]
    assert p.code == "unknown_tce_variant" and "natural_gas:oil_field" in p.message_en


# --- electricity 等价值 ------------------------------------------------------------------------


def test_2020_equal_value_is_the_national_supply_coal_rate() -> None:
    out = run([("electricity_purchased", 1000, 2020)])  # 1000 MWh
    assert float(out["energy_tce"].iat[0]) == pytest.approx(122.9, abs=1e-9)  # 当量值 0.1229
    assert float(out["energy_tce_equal_value"].iat[0]) == pytest.approx(305.5, abs=1e-9)
    assert "accounting/electricity_equal_value#2020" in out["factor_ids"].iat[0]


def test_a_year_without_a_coefficient_is_unavailable_never_electricity_left_out() -> None:
    f = load_factors()
    a = pd.DataFrame(
        [("electricity_purchased", 1000.0, 2022), ("coke", 100.0, 2022)], columns=["item", "quantity", "year"]
    )
    out = compute_inventory(a, f)
    assert math.isnan(float(out["energy_tce_equal_value"].iat[0]))
    assert float(out["energy_tce_equal_value"].iat[1]) == float(out["energy_tce"].iat[1])
    notes = equal_value_notices(out, f)
    assert [(p.code, p.value) for p in notes] == [("equal_value_unavailable", 2022)]
    assert "2020" in notes[0].message_en
    summary = summarise(out.assign(period=out["year"].astype(str), month=None, in_total=True))
    # the year's 等价值 total is unavailable, not the coke alone
    assert summary["by_year"]["2022"]["energy_tce_equal_value"] is None
    assert summary["total"]["energy_tce_equal_value"] is None


def test_the_user_sets_the_equal_value_by_year_or_for_every_year() -> None:
    rows = [("electricity_purchased", 1000, 2020), ("electricity_purchased", 1000, 2022)]
    one = run(rows, equal_value=((2022, 0.301),))
    assert one["energy_tce_equal_value"].tolist() == pytest.approx([305.5, 301.0])
    every = run(rows, equal_value=((0, 0.3),))  # every year, the refdata 2020 row included
    assert every["energy_tce_equal_value"].tolist() == pytest.approx([300.0, 300.0])
    both = run(rows, equal_value=((0, 0.3), (2022, 0.301)))  # a year's own value wins
    assert both["energy_tce_equal_value"].tolist() == pytest.approx([300.0, 301.0])
    fid = next(i for i in one["factor_ids"].iat[1].split(";") if "electricity_equal_value" in i)
    row = user_equal_value_row(fid.partition("#")[2])
    assert row is not None and row["coefficient"] == 0.301 and row["year"] == 2022


@given(st.floats(min_value=0.0, max_value=1e6, allow_nan=False))
def test_a_user_value_equal_to_the_published_one_changes_nothing(mwh: float) -> None:
    rows = [("electricity_purchased", mwh, 2020)]
    assert run(rows, equal_value=((2020, 0.3055),))["energy_tce_equal_value"].tolist() == pytest.approx(
        run(rows)["energy_tce_equal_value"].tolist(), rel=1e-12, abs=1e-12
    )


@pytest.mark.parametrize("value", [305.5, 0.0, -0.3])
def test_an_equal_value_outside_0_to_1_kgce_per_kwh_is_refused(value: float) -> None:
    with pytest.raises(InputError) as exc:
        load_factors(AccountingChoices(equal_value=((2022, value),)))
    assert exc.value.problems[0].code == "equal_value_out_of_range"


def test_equal_value_texts_parse_or_are_refused() -> None:
    assert parse_equal_value(["0.3", "2022=0.301"]) == ((0, 0.3), (2022, 0.301))
    with pytest.raises(InputError) as exc:
        parse_equal_value(["2022:0.3", "x"])
    assert [p.value for p in exc.value.problems] == ["2022:0.3", "x"]


def test_cli_equal_value_and_oil_field_gas_as_a_user_types_them(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text(
        "enterprise,period,item,quantity,unit\n"
        "E1,2022,electricity_purchased,1000,MWh\n"
        "E1,2022,natural_gas,10,万Nm3\n",
        encoding="utf-8",
    )
    unset = runner.invoke(app, ["inventory", "compute", str(f), "--json"])
    assert unset.exit_code == 0, unset.output
    doc = json.loads(unset.stdout)
    assert [w["code"] for w in doc["warnings"]] == ["equal_value_unavailable"]
    assert doc["lines"][0]["energy_tce_equal_value"] is None
    args = ["inventory", "compute", str(f), "--json", "--equal-value", "2022=0.301"]
    got = runner.invoke(app, [*args, "--tce-variant", "natural_gas:oil_field"])
    assert got.exit_code == 0, got.output
    lines = json.loads(got.stdout)["lines"]
    assert [ln["energy_tce_equal_value"] for ln in lines] == pytest.approx([301.0, 133.0])
    bad = runner.invoke(app, ["inventory", "compute", str(f), "--equal-value", "305.5"])
    assert bad.exit_code != 0 and "0.3055" in bad.output


def test_explain_names_where_a_factor_was_read_apart_from_its_clause() -> None:
    from carbonpeak import refdata
    from carbonpeak.accounting.explain import explain_line

    out = run([("electricity_purchased", 1000, 2023)])
    line = {**out.iloc[0].to_dict(), "line_no": 1, "quantity_in": 1000.0, "unit_in": "MWh", "unit": "MWh"}

    def lookup(fid: str) -> dict[str, object]:
        table, _, rid = fid.partition("#")
        return dict(user_equal_value_row(rid) or refdata.load_table(table).get(rid))

    e = explain_line(line, lookup, lambda sid: sid)
    grid = next(u for u in e.factors if u.factor_id.endswith("mee_nbs_provincial:430000:2023"))
    assert "省级电力平均二氧化碳排放因子" in grid.clause and "index id" not in grid.clause
    assert "index id" in grid.read_in and "read_in" not in grid.values


def test_the_equal_value_setting_is_the_default_of_a_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    from carbonpeak.service.inventories.inventory_files import accounting_choices
    from carbonpeak.settings import get_settings

    monkeypatch.setenv("CARBONPEAK_EQUAL_VALUE", "0.3, 2022=0.301")
    get_settings.cache_clear()
    try:
        assert accounting_choices("auto").equal_value == ((0, 0.3), (2022, 0.301))
        assert accounting_choices("auto", equal_value=["2023=0.29"]).equal_value == ((2023, 0.29),)
    finally:
        monkeypatch.delenv("CARBONPEAK_EQUAL_VALUE")
        get_settings.cache_clear()
    assert accounting_choices("auto").equal_value == ()
