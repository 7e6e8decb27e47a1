"""Aluminium PFCs by the method the data allow (issue 12, item 2).

References (numbers typed in by hand):

- GHG Protocol aluminium sector workbook v2.0, worksheet 8 (slope and overvoltage methods,
  "example using default factors", IPCC 2006 Vol. 3 Table 4.16 coefficients):
  VSS, 1 000 t Al, AEM 10 AE-min/cell-day, slope 0.092, C2F6/CF4 0.053 → CF4 920 kg,
  C2F6 48.76 kg; CWPB, 1 000 t Al, AEO 5 mV, CE 95 %, OVC 1.16, C2F6/CF4 0.121 →
  CF4 61.052 6 kg, C2F6 7.387 37 kg.
- IPCC 2006 Vol. 3 Table 4.15 (Tier 1, kg per t Al): CWPB CF4 0.4 / C2F6 0.04; SWPB 1.6 / 0.4;
  VSS 0.8 / 0.04; HSS 0.4 / 0.03.
- 中国电解铝生产企业温室气体排放核算方法与报告指南（试行）(NDRC 2013) defaults EF_CF4 0.034,
  EF_C2F6 0.0034 kg/t; with AR4 GWPs (WG1 Table 2.14: CF4 7 390, C2F6 12 200) 100 000 t →
  100 × (0.034 × 7390 + 0.0034 × 12200) = 29 274 tCO2e.

Tolerance 1e-9 relative (float arithmetic), 1e-4 absolute where the workbook rounds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carbonpeak.accounting.engine import PFC_CATEGORY, category_sums, compute_inventory
from carbonpeak.accounting.explain import explain_line
from carbonpeak.accounting.factors import AccountingChoices, load_factors
from carbonpeak.accounting.measured import pfc_factors_kg_per_t
from carbonpeak.accounting.notices import inventory_notices
from carbonpeak.accounting.totals import TOTAL, category_totals
from carbonpeak.cli.main import app
from carbonpeak.errors import InputError
from carbonpeak.io.activity import (
    ACTIVITY_COLUMNS,
    ACTIVITY_OPTIONAL,
    parse_activity_frame,
    read_activity_frame,
)
from carbonpeak.service.inventories import inventory
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import engine_for, sessionmaker_for

runner = CliRunner()
AR4 = load_factors(AccountingChoices(method="aluminium_2013", gwp_set="AR4"))
SAR = load_factors(AccountingChoices(method="aluminium_2013"))
TIER1 = load_factors(AccountingChoices(method="aluminium_2013", pfc_tier1_by_technology=True))
AL_ENT = "914303007X5LGQX61F"  # a demo electrolytic-aluminium smelter (synthetic), potline L01


def _al(**cols: object) -> pd.DataFrame:
    base: dict[str, object] = {"item": ["primary_aluminium"], "quantity": [1000.0], "year": [2024]}
    return pd.DataFrame({**base, **{k: [v] for k, v in cols.items()}})


def test_slope_method_reproduces_the_workbook_example() -> None:
    out = compute_inventory(_al(technology="VSS", aem_min=10.0), SAR)
    assert out["cf4_t"].iat[0] * 1000 == pytest.approx(920.0, rel=1e-9)
    assert out["c2f6_t"].iat[0] * 1000 == pytest.approx(48.76, rel=1e-9)
    assert "accounting/pfc_coefficients#VSS:slope_cf4" in out["factor_ids"].iat[0]
    assert "accounting/aluminium#aluminium_2013:ef_cf4" not in out["factor_ids"].iat[0]


def test_overvoltage_method_reproduces_the_workbook_example() -> None:
    out = compute_inventory(_al(technology="CWPB", aeo_mv=5.0, current_efficiency=0.95), SAR)
    assert out["cf4_t"].iat[0] * 1000 == pytest.approx(61.0526, abs=1e-4)
    assert out["c2f6_t"].iat[0] * 1000 == pytest.approx(7.38737, abs=1e-5)
    # the workbook's CO2e column uses SAR (6.5 and 9.2 t per kg): 464.806 t
    assert (out["co2e_t"] - out["co2_t"]).iat[0] == pytest.approx(464.806, abs=1e-3)


@pytest.mark.parametrize(
    ("tech", "cf4", "c2f6"), [("CWPB", 0.4, 0.04), ("SWPB", 1.6, 0.4), ("VSS", 0.8, 0.04), ("HSS", 0.4, 0.03)]
)
def test_tier1_by_technology_when_chosen(tech: str, cf4: float, c2f6: float) -> None:
    out = compute_inventory(_al(technology=tech).assign(quantity=100_000.0), TIER1)
    assert out["cf4_t"].iat[0] == pytest.approx(100 * cf4, rel=1e-9)
    assert out["c2f6_t"].iat[0] == pytest.approx(100 * c2f6, rel=1e-9)
    # without the choice a technology alone keeps the guideline's default
    plain = compute_inventory(_al(technology=tech).assign(quantity=100_000.0), AR4)
    assert (plain["co2e_t"] - plain["co2_t"]).iat[0] == pytest.approx(29_274.0, rel=1e-9)


def test_the_guideline_default_where_the_line_gives_nothing() -> None:
    out = compute_inventory(_al().assign(quantity=100_000.0), AR4)
    assert (out["co2e_t"] - out["co2_t"]).iat[0] == pytest.approx(29_274.0, rel=1e-9)
    e = explain_line(
        {**out.iloc[0].to_dict(), "line_no": 1, "unit": "t", "quantity_in": 1e5, "unit_in": "t"},
        lambda fid: {"parameter": fid.split(":")[-1], "value": 1.0} if "aluminium#" in fid else {},
        lambda sid: sid,
    )
    assert e.pfc_method == "default"
    assert {p.name: p.basis for p in e.parameters}["ef_cf4"] == "default"


def test_method_selection_follows_the_data() -> None:
    tech = np.asarray(["CWPB", "VSS", "VSS", "", "SWPB", "CWPB"], dtype=object)
    aem = np.asarray([1.0, 1.0, np.nan, 1.0, np.nan, np.nan])
    aeo = np.asarray([5.0, 5.0, 5.0, np.nan, 2.0, 5.0])
    ce = np.asarray([0.95, 0.95, 0.95, np.nan, 0.9, np.nan])
    cf4, c2f6, method = pfc_factors_kg_per_t(tech, aem, aeo, ce, AR4.pfc, 0.034, 0.0034, tier1=False)
    # CWPB with AEO and CE: overvoltage; VSS has no OVC: slope; VSS without AEM: default;
    # AEM without a technology: default; SWPB overvoltage; AEO without CE: default
    assert list(method) == ["overvoltage", "slope", "default", "default", "overvoltage", "default"]
    assert cf4[4] == pytest.approx(3.65 * 2.0 / 90.0, rel=1e-12)
    assert c2f6[4] == pytest.approx(cf4[4] * 0.252, rel=1e-12)
    assert cf4[3] == 0.034 and c2f6[3] == 0.0034
    # with Tier 1 chosen, a technology without usable anode-effect data takes Table 4.15
    method1 = pfc_factors_kg_per_t(tech, aem, aeo, ce, AR4.pfc, 0.034, 0.0034, tier1=True)[2]
    assert list(method1) == ["overvoltage", "slope", "tier1", "default", "overvoltage", "tier1"]


def _activity(text: str) -> pd.DataFrame:
    raw = read_activity_frame(text.encode(), "al.csv")
    return parse_activity_frame(raw, AR4.items, AR4.aliases, file="al.csv")


def test_potline_parameter_rows_attach_by_line_and_period() -> None:
    text = (
        "enterprise,period,item,quantity,unit,line,technology\n"
        "E,2024-01,原铝,1000,t,L1,CWPB\nE,2024-02,原铝,1000,t,L1,\nE,2024-01,原铝,1000,t,L2,中间加工预焙槽\n"
        "E,2024-01,阳极效应持续时间,0.2,min,L1,\n"  # L1 January only
        "E,2024,阳极效应持续时间,0.1,min,,\n"  # annual, plant-wide: the other months and lines
        "E,2024,炭阳极净耗,410,kg/t,,\n"
    )
    out = compute_inventory(_activity(text), AR4)
    prod = out[out["item"] == "primary_aluminium"]
    assert prod["cf4_t"].to_numpy() == pytest.approx([0.143 * 0.2, 0.143 * 0.1, 0.143 * 0.1], rel=1e-12)
    assert prod["co2_t"].to_numpy() == pytest.approx([1000 * 0.41 * 0.976 * 44 / 12] * 3, rel=1e-12)
    params = out[out["kind"] == "al_parameter"]
    assert (params[["co2_t", "co2e_t", "energy_tce"]].to_numpy() == 0).all()
    assert set(params["category"].astype(str)) == {"none"}


def test_a_parameter_twice_is_an_error_and_one_without_production_a_warning() -> None:
    head = "enterprise,period,item,quantity,unit\n"
    twice = head + "E,2024,原铝,1,t\nE,2024,阳极灰分,0.4,%\nE,2024,阳极灰分,0.5,%\n"
    with pytest.raises(InputError) as err:
        compute_inventory(_activity(twice), AR4)
    assert [(p.code, p.row) for p in err.value.problems] == [("parameter_twice", 4)]
    lonely = "enterprise,period,item,quantity,unit\nE,2024,原铝,1,t\nE,2023,阳极灰分,0.4,%\n"
    out = compute_inventory(_activity(lonely), AR4)
    assert [(w.code, w.row) for w in inventory_notices(out, AR4)] == [("parameter_unmatched", 3)]


def test_unused_anode_effect_data_and_unknown_technology() -> None:
    text = "enterprise,period,item,quantity,unit\nE,2024,原铝,1,t\nE,2024,阳极效应持续时间,0.1,min\n"
    out = compute_inventory(_activity(text), AR4)
    (w,) = [w for w in inventory_notices(out, AR4) if w.code == "pfc_data_unused"]
    assert w.row == 2 and "technology" in w.message_en and "槽型" in w.message_zh
    bad = "enterprise,period,item,quantity,unit,technology\nE,2024,原铝,1,t,prebake\n"
    with pytest.raises(InputError) as err:
        compute_inventory(_activity(bad), AR4)
    assert [(p.code, p.column, p.row) for p in err.value.problems] == [
        ("unknown_technology", "technology", 2)
    ]
    assert "CWPB" in err.value.problems[0].message_en


def test_cli_pfc_under_ar4_is_its_own_category(store: str, tmp_path: Path) -> None:
    f = tmp_path / "al.csv"
    f.write_text(f"enterprise,period,item,quantity,unit\n{AL_ENT},2024,原铝,100000,t\n", "utf-8")
    r = runner.invoke(app, ["inventory", "compute", str(f), "--gwp", "AR4"])
    assert r.exit_code == 0, r.output
    assert "29,274.0" in r.output and "阳极效应 PFC" in r.output
    r = runner.invoke(app, ["inventory", "compute", str(f), "--gwp", "ar4", "--json"])
    doc = json.loads(r.output)
    pfc = [t for t in doc["totals"] if t["category"] == PFC_CATEGORY]
    anode = [t for t in doc["totals"] if t["category"] == "anode"]
    total = [t for t in doc["totals"] if t["category"] == TOTAL]
    assert pfc[0]["co2e_t"] == pytest.approx(29_274.0, rel=1e-9)
    assert anode[0]["co2e_t"] + pfc[0]["co2e_t"] == pytest.approx(total[0]["co2e_t"], rel=1e-12)
    # a technology alone: the guideline's default, unless Tier 1 is chosen (Table 4.15, SWPB:
    # 100 × (1.6 × 6500 + 0.4 × 9200) = 1 408 000 tCO2e under SAR)
    f.write_text(
        f"enterprise,period,item,quantity,unit,technology\n{AL_ENT},2024,原铝,100000,t,SWPB\n", "utf-8"
    )
    r = runner.invoke(app, ["inventory", "compute", str(f)])
    assert r.exit_code == 0, r.output
    assert "25,228.0" in r.output
    r = runner.invoke(app, ["inventory", "compute", str(f), "--pfc-tier1"])
    assert r.exit_code == 0, r.output
    assert "1,408,000.0" in r.output


def test_the_registered_technology_selects_the_slope_method(demo_url: str) -> None:
    with engine_for(demo_url).begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE production_line SET technology = 'SWPB' WHERE code = 'L01' AND enterprise_id = "
                "(SELECT id FROM enterprise WHERE credit_code = :c)"
            ),
            {"c": AL_ENT},
        )
    text = (
        "enterprise,period,item,quantity,unit,line\n"
        f"{AL_ENT},2024,原铝,1000,t,L01\n{AL_ENT},2024,阳极效应持续时间,0.5,min,L01\n"
    )
    raw = read_activity_frame(text.encode(), "al.csv")
    assert set(ACTIVITY_COLUMNS) <= set(raw.columns) and "technology" in ACTIVITY_OPTIONAL
    with sessionmaker_for(demo_url)() as db:
        res = inventory.compute_table(Context(db=db, principal=SYSTEM), raw, file="al.csv")  # type: ignore[arg-type]
    line = res.lines[res.lines["item"] == "primary_aluminium"].iloc[0]
    assert line["cf4_t"] == pytest.approx(0.272 * 0.5, rel=1e-12)
    assert line["c2f6_t"] == pytest.approx(0.272 * 0.5 * 0.252, rel=1e-12)
    assert "input#technology=SWPB" in line["factor_ids"]


# --- properties ------------------------------------------------------------------------------

ITEMS = ["coke", "diesel", "natural_gas", "limestone", "electricity_purchased", "heat_purchased"]


@settings(max_examples=25)
@given(
    n_al=st.integers(min_value=1, max_value=4),
    other=st.lists(st.tuples(st.sampled_from(ITEMS), st.floats(0, 1e5)), max_size=6),
    tech=st.sampled_from(["", "CWPB", "SWPB", "VSS", "HSS"]),
    aem=st.one_of(st.just(np.nan), st.floats(0, 5)),
    aeo=st.one_of(st.just(np.nan), st.floats(0, 50)),
    ce=st.one_of(st.just(np.nan), st.floats(0.8, 0.98)),
    nc=st.one_of(st.just(np.nan), st.floats(0.3, 0.5)),
)
def test_pfc_plus_anode_plus_the_rest_is_the_total(
    n_al: int, other: list[tuple[str, float]], tech: str, aem: float, aeo: float, ce: float, nc: float
) -> None:
    rows = [("primary_aluminium", 1000.0 * (k + 1)) for k in range(n_al)] + other
    frame = pd.DataFrame(
        {
            "item": [r[0] for r in rows],
            "quantity": [r[1] for r in rows],
            "year": 2024,
            "enterprise": ["A" if k % 2 else "B" for k in range(len(rows))],
        }
    )
    al = frame["item"] == "primary_aluminium"
    frame["technology"] = np.where(al, tech, "")
    for col, v in (
        ("aem_min", aem),
        ("aeo_mv", aeo),
        ("current_efficiency", ce),
        ("net_anode_consumption", nc),
    ):
        frame[col] = np.where(al, v, np.nan)
    for f in (AR4, TIER1):
        out = compute_inventory(frame, f)
        sums = category_sums(out)
        total = out[["co2e_t", "co2e_market_t", "cf4_t", "c2f6_t"]].sum()
        cats = sums.groupby(level="category").sum()
        pfc = cats.loc[PFC_CATEGORY] if PFC_CATEGORY in cats.index else 0 * cats.iloc[0]
        rest = cats.drop(index=[c for c in (PFC_CATEGORY, "anode") if c in cats.index]).sum()
        for col in ("co2e_t", "co2e_market_t"):
            assert pfc[col] + cats.loc["anode", col] + rest[col] == pytest.approx(
                total[col], rel=1e-9, abs=1e-6
            )
        assert pfc["cf4_t"] == pytest.approx(total["cf4_t"], rel=1e-12, abs=1e-12)
        assert cats.loc["anode", "cf4_t"] == pytest.approx(0.0, abs=1e-9)  # every gas in its category
        # every category sums to the enterprise total
        by_ent = category_totals(out, by=("enterprise", "year"))
        for ent, grp in by_ent.groupby("enterprise"):
            parts = grp[grp["category"] != TOTAL]["co2e_t"].sum()
            whole = grp[grp["category"] == TOTAL]["co2e_t"].sum()
            assert parts == pytest.approx(whole, rel=1e-9, abs=1e-6), ent
            assert whole == pytest.approx(out[out["enterprise"] == ent]["co2e_t"].sum(), rel=1e-9, abs=1e-6)
