"""PFC is its own source category (issue 12, items 2 and 9) and ``inventory compute --json`` is
strict JSON with totals by enterprise, year and category.

Reference: 中国电解铝生产企业温室气体排放核算方法与报告指南（试行）(NDRC 2013) defaults as
shipped in refdata ``accounting/aluminium`` (NC 0.42 t C/t-Al, S 2 %, ash 0.4 %, EF_CF4 0.034,
EF_C2F6 0.0034 kg/t-Al): 100 000 t 原铝 → anode 100 000 × 0.42 × (1 − 0.02 − 0.004) × 44/12
= 150 304 tCO2; PFC under AR4 (WG1 Table 2.14: 7390 / 12 200) = 29 274 tCO2e; under SAR
(6500 / 9200) = 25 228 tCO2e. Tolerance 1e-9 relative (float arithmetic only).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carbonpeak.accounting.engine import PFC_CATEGORY, compute_inventory, split_pfc
from carbonpeak.accounting.explain import explain_line
from carbonpeak.accounting.factors import AccountingChoices, load_factors
from carbonpeak.accounting.summary import SUM_FIELDS, summarise
from carbonpeak.accounting.totals import TOTAL, category_totals
from carbonpeak.cli.main import app

runner = CliRunner()
AL = load_factors(AccountingChoices(method="aluminium_2013", gwp_set="AR4"))


def _no_constants(name: str) -> float:
    raise ValueError(f"non-strict JSON constant {name}")


def _al(q: float = 1e5, year: int = 2020) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item": ["primary_aluminium"],
            "quantity": [q],
            "year": [year],
            "period": [str(year)],
            "month": [np.nan],
        }
    )


def test_pfc_is_its_own_category_in_the_totals() -> None:
    s = summarise(compute_inventory(_al(), AL))
    assert s["by_category"]["anode"]["co2e_t"] == pytest.approx(150_304.0, rel=1e-9)
    assert s["by_category"][PFC_CATEGORY]["co2e_t"] == pytest.approx(29_274.0, rel=1e-9)
    assert s["by_category"][PFC_CATEGORY]["cf4_t"] == pytest.approx(3.4, rel=1e-9)
    assert s["by_category"]["anode"]["cf4_t"] == 0.0
    assert s["by_year"]["2020"]["by_category"] == pytest.approx({"anode": 150_304.0, "pfc": 29_274.0})
    assert s["total"]["co2e_t"] == pytest.approx(179_578.0, rel=1e-9)


def test_split_keeps_every_sum_and_puts_each_pfc_line_after_its_line() -> None:
    out = compute_inventory(
        pd.DataFrame(
            {"item": ["coke", "primary_aluminium", "diesel"], "quantity": [1.0, 10.0, 2.0], "year": 2020}
        ),
        AL,
    )
    split = split_pfc(out)
    assert split["category"].tolist() == ["combustion", "anode", PFC_CATEGORY, "combustion"]
    assert np.allclose(split[SUM_FIELDS].sum().to_numpy(), out[SUM_FIELDS].sum().to_numpy())
    pfc = split[split["category"] == PFC_CATEGORY].iloc[0]
    assert pfc["co2_t"] == 0.0 and pfc["energy_tce"] == 0.0


def test_explain_names_the_pfc_category() -> None:
    line = compute_inventory(_al(), AL).iloc[0].to_dict()
    line.update(line_no=1, unit="t", quantity_in=1e5, unit_in="t")
    e = explain_line(line, lambda _fid: {}, lambda sid: sid)
    assert "阳极效应 PFC" in e.category_zh and "Anode-effect PFCs" in e.category_en
    assert e.results["pfc_co2e_t"] == pytest.approx(29_274.0, rel=1e-9)
    assert any(step.startswith("[阳极效应 PFC / pfc] CO2e") for step in e.arithmetic)


rows_al = st.lists(
    st.tuples(
        st.sampled_from(["primary_aluminium", "coke", "natural_gas", "limestone", "electricity_purchased"]),
        st.floats(0, 1e6),
        st.integers(2020, 2024),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60)
@given(rows=rows_al, gwp=st.sampled_from(["SAR", "AR4", "AR5", "AR6"]))
def test_pfc_plus_anode_plus_the_rest_is_the_total(rows: list[tuple[str, float, int]], gwp: str) -> None:
    f = load_factors(AccountingChoices(method="aluminium_2013", gwp_set=gwp))
    a = pd.DataFrame(rows, columns=["item", "quantity", "year"])
    out = compute_inventory(a.assign(period=a["year"].astype(str), month=np.nan), f)
    s = summarise(out)
    cats = s["by_category"]
    for col in ("co2e_t", "co2e_market_t"):
        pfc = cats.get(PFC_CATEGORY, {}).get(col, 0.0)
        anode = cats.get("anode", {}).get(col, 0.0)
        rest = sum(v[col] for c, v in cats.items() if c not in (PFC_CATEGORY, "anode"))
        assert pfc + anode + rest == pytest.approx(s["total"][col], rel=1e-9, abs=1e-6)
    # the PFC category holds exactly the GWP-weighted CF4 and C2F6, nothing else
    expected = float((out["cf4_t"] * f.gwp["CF4"] + out["c2f6_t"] * f.gwp["C2F6"]).sum())
    assert cats.get(PFC_CATEGORY, {}).get("co2e_t", 0.0) == pytest.approx(expected, rel=1e-9, abs=1e-6)
    # the long totals: per year, the categories add up to the total row
    t = category_totals(out.assign(enterprise="E"), by=("enterprise", "year"))
    for _key, g in t.groupby(["enterprise", "year"]):
        parts = g[g["category"] != TOTAL][["co2e_t", "co2e_market_t"]].sum()
        whole = g[g["category"] == TOTAL][["co2e_t", "co2e_market_t"]].iloc[0]
        assert np.allclose(parts.to_numpy(), whole.to_numpy(), rtol=1e-9, atol=1e-6)


@pytest.mark.usefixtures("store")
def test_cli_json_is_strict_with_totals_by_enterprise_year_and_category(tmp_path: Path) -> None:
    f = tmp_path / "act.csv"
    f.write_text(
        "enterprise,period,item,quantity,unit,line\n"
        "E1,2023,天然气,10,万立方米,L1\n"
        "E1,2023,electricity_purchased,100,万千瓦时,L1\n"  # 等价值 unavailable for 2023: null
        "E2,2020,原铝,100000,t,P1\n",
        "utf-8",
    )
    r = runner.invoke(
        app, ["inventory", "compute", str(f), "--json", "--method", "aluminium_2013", "--gwp", "AR4"]
    )
    assert r.exit_code == 0, r.output
    assert "NaN" not in r.output and "Infinity" not in r.output
    got = json.loads(r.output, parse_constant=_no_constants)
    totals = {(t["enterprise"], t["year"], t["category"]): t for t in got["totals"]}
    assert totals[("E2", 2020, "pfc")]["co2e_t"] == pytest.approx(29_274.0, rel=1e-9)
    assert totals[("E2", 2020, "anode")]["co2e_t"] == pytest.approx(150_304.0, rel=1e-9)
    assert totals[("E2", 2020, "total")]["co2e_market_t"] == pytest.approx(179_578.0, rel=1e-9)
    e1 = totals[("E1", 2023, "electricity")]
    assert e1["co2e_t"] == pytest.approx(1000 * 0.4976)  # location: Hunan 2023
    assert e1["co2e_market_t"] == pytest.approx(1000 * 0.6096)  # market: national residual 2023
    assert e1["energy_tce_equal_value"] is None
    assert totals[("E1", 2023, "total")]["energy_tce_equal_value"] is None
    assert [ln["category"] for ln in got["lines"]][-2:] == ["anode", "pfc"]
    assert got["categories"]["pfc"]["zh"] == "阳极效应 PFC"
    assert got["methods"]["E2"]["gwp_set"] == "AR4"


@pytest.mark.usefixtures("store")
def test_cli_table_shows_the_pfc_row(tmp_path: Path) -> None:
    f = tmp_path / "act.csv"
    f.write_text("enterprise,period,item,quantity,unit,line\nE2,2020,原铝,100000,t,P1\n", "utf-8")
    r = runner.invoke(app, ["inventory", "compute", str(f), "--method", "aluminium_2013", "--gwp", "sar"])
    assert r.exit_code == 0, r.output
    assert "阳极效应 PFC" in r.output and "25,228.0" in r.output  # SAR: 3.4 × 6500 + 0.34 × 9200
    assert "150,304.0" in r.output


def test_stored_runs_book_pfc_under_its_own_category(store: str) -> None:
    """A demo smelter's stored run: its lines carry a PFC line after the 原铝 line, its totals
    a ``pfc`` category (SAR, 2013 defaults: 0.252 tCO2e per t Al), and ``explain`` names it."""
    import sqlalchemy as sa

    from carbonpeak.service.inventories import inventory
    from carbonpeak.service.platform.context import SYSTEM, Context
    from carbonpeak.store.db import engine_for, sessionmaker_for

    with engine_for(store).connect() as conn:
        run_id, line_no, q = conn.execute(
            sa.text(
                "SELECT l.run_id, l.line_no, l.quantity FROM inventory_line l "
                "JOIN inventory_run r ON r.id = l.run_id "
                "WHERE l.item = 'primary_aluminium' AND l.month IS NULL AND r.status = 'current' LIMIT 1"
            )
        ).one()
    with sessionmaker_for(store)() as db:
        run = inventory.get_run(Context(db=db, principal=SYSTEM), run_id)
    cats = [ln["category"] for ln in run["lines"] if ln["line_no"] == line_no]
    assert cats == ["anode", PFC_CATEGORY]
    pfc = run["totals"]["by_category"][PFC_CATEGORY]["co2e_t"]
    assert pfc == pytest.approx(q * (0.034 * 6500 + 0.0034 * 9200) / 1000, rel=1e-9)
    assert run["totals"]["by_category"]["anode"]["cf4_t"] == 0.0
    r = runner.invoke(app, ["inventory", "explain", str(run_id), str(line_no)])
    assert r.exit_code == 0, r.output
    assert "阳极效应 PFC" in r.output and "[阳极效应 PFC / pfc] CO2e" in r.output


def test_equal_value_of_a_period_is_unavailable_never_short() -> None:
    """等价值 (electricity at the year's generation coal use) has no sourced coefficient for
    2023: a period with electricity reports it unavailable (None), never the fuels alone."""
    f = load_factors()
    a = pd.DataFrame(
        {
            "item": ["coke", "electricity_purchased", "coke"],
            "quantity": [10.0, 100.0, 10.0],
            "year": [2023, 2023, 2022],
            "period": ["2023-01", "2023-01", "2022-01"],
            "month": [1.0, 1.0, 1.0],
        }
    )
    s = summarise(compute_inventory(a, f))
    assert s["by_period"]["2023-01"]["energy_tce_equal_value"] is None
    assert s["by_period"]["2023-01"]["energy_tce"] == pytest.approx(10 * 0.9714 + 100 * 0.1229, rel=1e-9)
    assert s["by_period"]["2022-01"]["energy_tce_equal_value"] == pytest.approx(10 * 0.9714, rel=1e-9)
