"""Properties of the inventory engine (Hypothesis): parts sum to totals, linearity,
invariance under a change of the input unit."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.accounting.engine import compute_inventory
from carbonpeak.accounting.factors import load_factors
from carbonpeak.io.activity import ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL, parse_activity
from carbonpeak.io.tabular import read_rows
from carbonpeak.service.inventories.inventory import SUM_FIELDS, summarise

F = load_factors()
ITEMS = [
    "coke",
    "natural_gas",
    "diesel",
    "bituminous_coal",
    "reductant_coke",
    "reductant_natural_gas",
    "limestone",
    "soda_ash",
    "oxalic_acid",
    "electricity_purchased",
    "electricity_exported",
    "heat_purchased",
    "green_power_traded",
    "product_output",
    "value_added",
]

lines = st.lists(
    st.tuples(
        st.sampled_from(ITEMS), st.floats(0, 1e6), st.integers(2020, 2025), st.sampled_from([None, 1, 6, 12])
    ),
    min_size=1,
    max_size=40,
)


def frame(rows: list[tuple[str, float, int, int | None]]) -> pd.DataFrame:
    a = pd.DataFrame([r[:3] for r in rows], columns=["item", "quantity", "year"])
    a["period"] = [f"{y}" if m is None else f"{y}-{m:02d}" for _i, _q, y, m in rows]
    a["month"] = [np.nan if m is None else float(m) for *_r, m in rows]
    return a


@given(rows=lines)
def test_totals_equal_the_sum_of_parts(rows: list[tuple[str, float, int, int | None]]) -> None:
    out = compute_inventory(frame(rows), F)
    parts = ["co2_t", "cf4_t", "c2f6_t"]
    assert (out[parts].notna()).all().all()
    # CO2e is CO2 plus the GWP-weighted PFCs, line by line
    pfc = out["cf4_t"] * F.gwp.get("CF4", 0) + out["c2f6_t"] * F.gwp.get("C2F6", 0)
    assert np.allclose(out["co2e_t"], out["co2_t"] + pfc)
    s = summarise(out)
    for k in ("co2e_t", "energy_tce"):
        by_cat = sum(v[k] for v in s["by_category"].values())
        by_year = sum(v[k] for v in s["by_year"].values())
        assert np.isclose(by_cat, s["total"][k], rtol=1e-9, atol=1e-6)
        assert np.isclose(by_year, s["total"][k], rtol=1e-9, atol=1e-6)


@given(rows=lines, k=st.floats(0, 1e3))
def test_results_are_linear_in_quantity(rows: list[tuple[str, float, int, int | None]], k: float) -> None:
    a = frame(rows)
    base = compute_inventory(a, F)
    scaled = compute_inventory(a.assign(quantity=a["quantity"] * k), F)
    for col in ("co2_t", "co2_market_t", "co2e_t", "energy_tce"):
        assert np.allclose(scaled[col], base[col] * k, rtol=1e-9, atol=1e-6)


PAIRS = [
    ("coke", "t", "万t", 1e-4),
    ("natural_gas", "万Nm3", "Nm3", 1e4),
    ("natural_gas", "万立方米", "万Nm3", 1.0),
    ("electricity_purchased", "MWh", "kWh", 1e3),
    ("electricity_purchased", "万千瓦时", "MWh", 10.0),
    ("heat_purchased", "GJ", "MJ", 1e3),
    ("limestone", "吨", "kg", 1e3),
]


@settings(max_examples=50)
@given(pair=st.sampled_from(PAIRS), q=st.floats(0, 1e7), year=st.integers(2020, 2025))
def test_a_unit_change_leaves_the_result_unchanged(
    pair: tuple[str, str, str, float], q: float, year: int
) -> None:
    item, u1, u2, ratio = pair
    text = (
        f"enterprise,period,item,quantity,unit\nE,{year},{item},{q!r},{u1}\n"
        f"E,{year},{item},{q * ratio!r},{u2}\n"
    )
    t = read_rows(text.encode(), "a.csv", ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
    out = compute_inventory(parse_activity(t, F.items, F.aliases), F)
    for col in SUM_FIELDS:
        a, b = out[col].iat[0], out[col].iat[1]
        assert (np.isnan(a) and np.isnan(b)) or np.isclose(a, b, rtol=1e-9, atol=1e-9), col
