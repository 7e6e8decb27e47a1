"""Measured parameters (实测值) next to the defaults (缺省值), issue 12 item 1.

References (numbers typed in by hand):

- 其他有色金属冶炼和压延加工业企业温室气体排放核算方法与报告指南（试行）(NDRC 2015), 化石燃料燃烧:
  CO2 = FC × NCV × CC × OF × 44/12, where the enterprise may use measured NCV, CC and OF.
  1 000 t coke at a measured 28.435 GJ/t, 29.5 tC/TJ, 0.93 → 1000 × 28.435 × 29.5 / 1000 ×
  0.93 × 44/12 = 2 860.418 8 tCO2 (the guideline's default NCV 28.447 GJ/t gives 2 861.626).
- 中国电解铝生产企业温室气体排放核算方法与报告指南（试行）(NDRC 2013), 阳极消耗:
  E = P × NC × (1 − S − A) × 44/12; 100 000 t 原铝 at a measured NC 0.40 t C/t-Al, S 2 %,
  ash 0.4 % → 100 000 × 0.40 × 0.976 × 44/12 = 143 146.667 tCO2.

Tolerance 1e-9 relative: float arithmetic only.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carbonpeak.accounting.engine import compute_inventory
from carbonpeak.accounting.explain import explain_line
from carbonpeak.accounting.factors import AccountingChoices, load_factors
from carbonpeak.accounting.notices import inventory_notices
from carbonpeak.cli.main import app
from carbonpeak.errors import InputError
from carbonpeak.io.activity import ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL, parse_activity
from carbonpeak.io.tabular import read_rows
from carbonpeak.service.inventories import inventory
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for
from tests.conftest import api_token
from tests.web.conftest import web_login

runner = CliRunner()
ON = load_factors(AccountingChoices(method="other_nonferrous_2015"))
AL = load_factors(AccountingChoices(method="aluminium_2013", gwp_set="AR4"))
ENT = "91430400XU6TWF13XG"  # a demo enterprise (synthetic), Pb-Zn
COKE_CO2 = 1000 * 28.435 * 29.5 / 1000 * 0.93 * 44 / 12
ANODE_CO2 = 100_000 * 0.40 * (1 - 0.02 - 0.004) * 44 / 12


def _parse(text: str, f: object = ON) -> pd.DataFrame:
    t = read_rows(text.encode(), "a.csv", ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
    return parse_activity(t, ON.items, ON.aliases)


def _lines(text: str, f: object = ON) -> pd.DataFrame:
    return compute_inventory(_parse(text), f)  # type: ignore[arg-type]


HEAD = "enterprise,period,item,quantity,unit,ncv,ncv_unit,carbon_content,carbon_content_unit,oxidation\n"


def test_measured_coke_reproduces_the_guideline_formula() -> None:
    out = _lines(HEAD + "E1,2024,焦炭,1000,t,28.435,GJ/t,29.5,tC/TJ,0.93\n")
    assert out["co2_t"].iat[0] == pytest.approx(COKE_CO2, rel=1e-9)
    assert out["co2_t"].iat[0] == pytest.approx(2860.4, abs=0.05)
    assert out["co2e_t"].iat[0] == out["co2_t"].iat[0]
    # the default (28.447 GJ/t) differs: the measured value was used
    assert _lines(HEAD + "E1,2024,焦炭,1000,t,,,,,\n")["co2_t"].iat[0] == pytest.approx(2861.626, abs=1e-3)


@pytest.mark.parametrize(
    ("ncv", "ncv_unit", "cc", "cc_unit", "of"),
    [
        ("28.435", "GJ/t", "29.5", "tC/TJ", "0.93"),
        ("28.435", "MJ/kg", "29.5", "kgC/GJ", "93%"),
        # carbon content per tonne of fuel, converted with the measured NCV: 28.435 × 29.5 / 1000
        ("28.435", "GJ/t", "0.8388325", "tC/t", "0.93"),
        ("28435", "MJ/t", "838.8325", "kgC/t", "93 %"),
    ],
)
def test_units_of_the_measured_columns(ncv: str, ncv_unit: str, cc: str, cc_unit: str, of: str) -> None:
    out = _lines(HEAD + f"E1,2024,coke,1,千吨,{ncv},{ncv_unit},{cc},{cc_unit},{of}\n")
    assert out["co2_t"].iat[0] == pytest.approx(COKE_CO2, rel=1e-9)


def test_a_gas_ncv_per_ten_thousand_cubic_metres() -> None:
    # natural gas: 389.31 GJ/万Nm3 is the default; 10 万Nm3 at a measured 360 GJ/万Nm3, defaults else
    out = _lines(HEAD + "E1,2024,天然气,10,万Nm3,360,GJ/万Nm3,,,\n")
    assert out["co2_t"].iat[0] == pytest.approx(10 * 360 * 15.3 / 1000 * 0.99 * 44 / 12, rel=1e-9)
    out = _lines(HEAD + "E1,2024,天然气,100000,Nm3,36,MJ/Nm3,,,\n")
    assert out["co2_t"].iat[0] == pytest.approx(10 * 360 * 15.3 / 1000 * 0.99 * 44 / 12, rel=1e-9)


def test_raw_coal_is_computed_with_every_parameter_measured_and_warned_without() -> None:
    full = _lines(HEAD + "E1,2024,原煤,100,t,20.908,GJ/t,26.37,tC/TJ,0.94\n")
    assert full["co2_t"].iat[0] == pytest.approx(100 * 20.908 * 26.37 / 1000 * 0.94 * 44 / 12, rel=1e-9)
    assert not [w for w in inventory_notices(full, ON) if w.code == "co2_needs_measured_factor"]
    part = _lines(HEAD + "E1,2024,原煤,100,t,20.908,GJ/t,,,\n")
    assert part["co2_t"].iat[0] == 0.0
    assert [w.row for w in inventory_notices(part, ON) if w.code == "co2_needs_measured_factor"] == [2]


def test_bad_measured_values_are_located_errors() -> None:
    text = (
        HEAD + "E1,2024,coke,10,t,28,,,,\n"  # an NCV without its unit
        "E1,2024,coke,10,t,28,t,,,\n"  # a unit of the wrong kind
        "E1,2024,coke,10,t,,,,,1.2\n"  # an oxidation rate above 1
        "E1,2024,coke,10,t,,,,,abc\n"  # not a number
        "E1,2024,limestone,10,t,28,GJ/t,,,\n"  # a fuel parameter on a carbonate
    )
    with pytest.raises(InputError) as err:
        _lines(text)
    got = {(p.row, p.column, p.code) for p in err.value.problems}
    assert {
        (2, "ncv_unit", "required"),
        (3, "ncv_unit", "wrong_dimension"),
        (5, "oxidation", "not_a_number"),
    } <= got
    try:
        _lines(HEAD + "E1,2024,coke,10,t,,,,,1.2\nE1,2024,limestone,10,t,28,GJ/t,,,\n")
    except InputError as exc:
        got = {(p.row, p.column, p.code) for p in exc.problems}
    assert got == {(2, "oxidation", "out_of_range"), (3, "ncv_gj", "measured_not_applicable")}
    assert all(p.message_zh and p.message_en for p in err.value.problems)


def test_a_value_far_from_the_default_is_a_located_warning() -> None:
    # 284.35 GJ/t: MJ written as GJ ×10
    out = _lines(HEAD + "E1,2024,coke,10,t,28.435,GJ/t,,,\nE1,2024,coke,10,t,284.35,GJ/t,,,\n")
    far = [w for w in inventory_notices(out, ON) if w.code == "measured_far_from_default"]
    assert [(w.row, w.column) for w in far] == [(3, "ncv_gj")]
    assert "28.447" in far[0].message_zh and "28.447" in far[0].message_en


def _explain(line: pd.Series) -> object:
    rec = line.to_dict()
    rec.update(line_no=1, unit="t", quantity_in=rec["quantity"], unit_in="t")
    rows = {
        "accounting/fuels#other_nonferrous_2015:coke": {
            "ncv": 28.447,
            "ncv_unit": "GJ/t",
            "cc_tc_per_tj": 29.5,
            "oxidation": 0.93,
            "source_id": "s",
        }
    }
    return explain_line(rec, lambda fid: rows.get(fid, {}), lambda sid: sid)


def test_explain_says_measured_or_default_for_every_parameter() -> None:
    out = _lines(HEAD + "E1,2024,coke,1000,t,28.435,GJ/t,,,\n")
    e = _explain(out.iloc[0])
    basis = {p.name: (p.basis_zh, p.value) for p in e.parameters}  # type: ignore[attr-defined]
    assert basis == {"ncv_gj": ("实测", 28.435), "cc_tc_per_tj": ("缺省", 29.5), "oxidation": ("缺省", 0.93)}
    assert any("28.435 (实测 / measured)" in s for s in e.arithmetic)  # type: ignore[attr-defined]
    plain = _explain(_lines(HEAD + "E1,2024,coke,1000,t,,,,,\n").iloc[0])
    assert {p.basis for p in plain.parameters} == {"default"}  # type: ignore[attr-defined]


def test_cli_coke_with_measured_parameters(store: str, tmp_path: Path) -> None:
    f = tmp_path / "coke.csv"
    f.write_text(HEAD + f"{ENT},2024,焦炭,1000,t,28.435,GJ/t,29.5,tC/TJ,0.93\n", "utf-8")
    r = runner.invoke(app, ["inventory", "compute", str(f)])
    assert r.exit_code == 0, r.output
    assert "2,860.4" in r.output
    r = runner.invoke(app, ["inventory", "compute", str(f), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    comb = [t for t in doc["totals"] if t["category"] == "combustion"]
    assert comb[0]["co2e_t"] == pytest.approx(COKE_CO2, rel=1e-9)


def test_cli_anode_with_measured_consumption_sulfur_and_ash(store: str, tmp_path: Path) -> None:
    f = tmp_path / "al.csv"
    f.write_text(
        "enterprise,period,item,quantity,unit\n"
        f"{ENT},2024,原铝,100000,t\n{ENT},2024,炭阳极净耗,0.40,t/t\n"
        f"{ENT},2024,阳极含硫量,2,%\n{ENT},2024,阳极灰分,0.4,%\n",
        "utf-8",
    )
    r = runner.invoke(app, ["inventory", "compute", str(f), "--method", "aluminium_2013"])
    assert r.exit_code == 0, r.output
    assert "143,146.7" in r.output
    r = runner.invoke(app, ["inventory", "compute", str(f), "--method", "aluminium_2013", "--json"])
    anode = [t for t in json.loads(r.output)["totals"] if t["category"] == "anode"]
    assert anode[0]["co2e_t"] == pytest.approx(ANODE_CO2, rel=1e-9)


def test_stored_run_keeps_its_measured_values_through_explain_and_recompute(demo_url: str) -> None:
    text = HEAD + f"{ENT},2024,coke,1000,t,28.435,GJ/t,29.5,tC/TJ,0.93\n{ENT},2024,diesel,10,t,,,,,\n"
    t = read_rows(text.encode(), "a.csv", ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
    with sessionmaker_for(demo_url)() as db:
        ctx = Context(db=db, principal=SYSTEM)  # type: ignore[arg-type]
        (run_id,) = inventory.store_table(ctx, t, method="other_nonferrous_2015").run_ids
        db.commit()
        e = inventory.explain(ctx, run_id, 1)
        assert {p.name: p.basis for p in e.parameters}["ncv_gj"] == "measured"
        assert {u.table for u in e.factors} >= {"accounting/fuels"}  # the default rows stay cited
        new_id = inventory.recompute(ctx, run_id)
        db.commit()
        lines = inventory.get_run(ctx, new_id)["lines"]
    assert lines[0]["co2_t"] == pytest.approx(COKE_CO2, rel=1e-9)
    assert "measured#ncv_gj=28.435" in lines[0]["factor_ids"]


# --- properties ------------------------------------------------------------------------------

FUELS = [i for i in ON.fuels.index if i in ON.items.index]


@settings(max_examples=60)
@given(
    item=st.sampled_from(FUELS),
    q=st.floats(min_value=0.0, max_value=1e7, allow_nan=False),
    which=st.sets(st.sampled_from(["ncv_gj", "cc_tc_per_tj", "oxidation"]), min_size=1),
)
def test_a_measured_parameter_equal_to_the_default_changes_nothing(
    item: str, q: float, which: set[str]
) -> None:
    base = pd.DataFrame({"item": [item], "quantity": [q], "year": [2024]})
    plain = compute_inventory(base, ON)
    same = compute_inventory(base.assign(**{c: [float(ON.fuels.at[item, c])] for c in which}), ON)
    for col in ("co2_t", "co2_market_t", "co2e_t", "energy_tce", "energy_tce_equal_value"):
        assert same[col].iat[0] == pytest.approx(plain[col].iat[0], rel=1e-12, abs=1e-12)


@settings(max_examples=40)
@given(
    q=st.floats(min_value=0.0, max_value=1e7, allow_nan=False),
    which=st.sets(st.sampled_from(["net_anode_consumption", "anode_sulfur", "anode_ash"]), min_size=1),
)
def test_measured_anode_parameters_equal_to_the_defaults_change_nothing(q: float, which: set[str]) -> None:
    base = pd.DataFrame({"item": ["primary_aluminium"], "quantity": [q], "year": [2024]})
    plain = compute_inventory(base, AL)
    same = compute_inventory(base.assign(**{c: [AL.aluminium[c]] for c in which}), AL)
    for col in ("co2_t", "cf4_t", "c2f6_t", "co2e_t", "co2e_market_t"):
        assert same[col].iat[0] == pytest.approx(plain[col].iat[0], rel=1e-12, abs=1e-12)


@settings(max_examples=40)
@given(
    ncv=st.floats(min_value=5.0, max_value=60.0),
    cc=st.floats(min_value=10.0, max_value=40.0),
    of=st.floats(min_value=0.5, max_value=1.0),
    q=st.floats(min_value=0.0, max_value=1e6),
)
def test_measured_co2_is_the_formula_and_linear_in_quantity(
    ncv: float, cc: float, of: float, q: float
) -> None:
    frame = pd.DataFrame(
        {"item": ["coke", "coke"], "quantity": [q, 2 * q], "year": 2024, "ncv_gj": ncv, "cc_tc_per_tj": cc}
    ).assign(oxidation=of)
    out = compute_inventory(frame, ON)
    assert out["co2_t"].iat[0] == pytest.approx(q * ncv * cc / 1000 * of * 44 / 12, rel=1e-12, abs=1e-9)
    assert out["co2_t"].iat[1] == pytest.approx(2 * out["co2_t"].iat[0], rel=1e-12, abs=1e-9)
    assert np.isfinite(out[["co2_t", "co2e_t", "energy_tce"]].to_numpy()).all()


def test_api_and_page_show_each_parameter_with_its_basis(demo_url: str, client: TestClient) -> None:
    text = HEAD + f"{ENT},2024,coke,1000,t,28.435,GJ/t,,,93%\n"
    t = read_rows(text.encode(), "a.csv", ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
    with sessionmaker_for(demo_url)() as db:
        ctx = Context(db=db, principal=SYSTEM)  # type: ignore[arg-type]
        (run_id,) = inventory.store_table(ctx, t, method="other_nonferrous_2015").run_ids
        db.commit()
    exp = client.get(f"/api/v1/inventories/{run_id}/lines/1/explain", headers=api_token(client, "province"))
    assert exp.status_code == 200, exp.text
    basis = {p["name"]: p["basis_zh"] for p in exp.json()["parameters"]}
    assert basis == {"ncv_gj": "实测", "cc_tc_per_tj": "缺省", "oxidation": "实测"}
    # the API's compute takes the same columns and answers with the values used
    coke = HEAD + f"{ENT},2024,焦炭,1000,t,28.435,GJ/t,29.5,tC/TJ,0.93\n"
    files = {"activity_file": ("coke.csv", coke.encode(), "text/csv")}
    r = client.post("/api/v1/inventory/compute", files=files, headers=api_token(client, "province"))
    assert r.status_code == 200, r.text
    (line,) = r.json()["lines"]
    assert line["co2_t"] == pytest.approx(COKE_CO2, rel=1e-9) and line["ncv_gj"] == 28.435
    web_login(client, "province")
    html = client.get(f"/inventories/{run_id}/lines/1").text
    assert 'id="exp-parameters"' in html and "<strong>实测</strong>" in html and "measured#ncv_gj" in html
