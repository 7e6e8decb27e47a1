"""The indicator item ``al_ac_power`` (铝液交流电耗, the potlines' metered AC power [kWh]):
a benchmark figure only — it adds no energy and no emission (the plant's electricity is
reported under ``electricity_purchased``), and the inventory summary turns it into the AC
power per tonne of molten aluminium [kWh/t] of the line (GB 21346-2022 6.2.1)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.accounting.engine import OUTPUT_COLUMNS, compute_inventory
from carbonpeak.accounting.factors import load_factors
from carbonpeak.refdata.loader import load_table
from carbonpeak.service.inventories.inventory import AC_POWER_ITEM, summarise

F = load_factors()
NUMERIC = [c for c in OUTPUT_COLUMNS if c not in ("kind", "category", "factor_ids")]


def test_the_item_is_an_indicator_in_kwh_with_a_source() -> None:
    row = next(r for r in load_table("accounting/items") if r["id"] == AC_POWER_ITEM)
    assert row["kind"] == "indicator" and row["canonical_unit"] == "kWh"
    assert row["source_id"] == "gb21346_2022" and "6.2.1" in row["clause"]
    assert F.aliases["铝液交流电耗"] == F.aliases["potline ac power"] == AC_POWER_ITEM


def test_ac_power_adds_no_energy_and_no_emission() -> None:
    a = pd.DataFrame(
        {"item": [AC_POWER_ITEM, "electricity_purchased"], "quantity": [13_000_000.0, 13_500.0], "year": 2024}
    )
    out = compute_inventory(a, F)
    ac = out.iloc[0]
    assert ac["kind"] == "indicator" and ac["category"] == "none"
    for col in NUMERIC:
        assert ac[col] == 0.0, col
    assert out.iloc[1]["co2_t"] > 0 and out.iloc[1]["energy_tce"] > 0


@settings(max_examples=40)
@given(
    q_el=st.floats(0, 1e6),
    q_ac=st.floats(0, 1e10),
    year=st.integers(2020, 2025),
)
def test_adding_ac_power_rows_never_changes_the_totals(q_el: float, q_ac: float, year: int) -> None:
    base = pd.DataFrame(
        {
            "item": ["electricity_purchased", "product_output"],
            "quantity": [q_el, 1000.0],
            "year": year,
            "month": None,
            "period": str(year),
            "line": "L01",
        }
    )
    extra = base.iloc[[0]].assign(item=AC_POWER_ITEM, quantity=q_ac)
    without = summarise(compute_inventory(base, F))
    with_ac = summarise(compute_inventory(pd.concat([base, extra], ignore_index=True), F))
    assert with_ac["total"] == without["total"]
    assert with_ac["by_year"] == without["by_year"]
    line = with_ac["by_line"][f"L01/{year}"]
    assert line["ac_power_kwh"] == q_ac
    assert line["ac_power_kwh_per_t"] == pytest.approx(q_ac / 1000.0)
    assert "ac_power_kwh_per_t" not in without["by_line"][f"L01/{year}"]
