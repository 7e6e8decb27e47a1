"""The plan generator (carbonpeak.planning.generator): sizing, MAC order with interaction, benchmark gap.

Properties (Hypothesis) hold the invariants the issue's acceptance names: the savings with
interaction never exceed the baseline energy; payback = investment / annual saving; savings in
tce = unit-energy change × output; more savings never raise emissions; a line the catalogue
cannot bring to its benchmark says so and by how much. The worked example is computed by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError
from carbonpeak.planning.generator import LINE_SUMMARY_COLUMNS, STEP_COLUMNS, apply_measures, plan_lines
from carbonpeak.planning.technologies import applicable_measures, catalogue_frame

CARRIERS = ["coal", "gas", "electricity", "green_electricity", "heat"]
PARAMS = pd.DataFrame(
    {
        "carrier": CARRIERS,
        # illustrative test values, not reference data
        "ef_tco2_per_tce": [2.66, 1.64, 4.3, 0.0, 0.0],
        "price_yuan_per_tce": [1200.0, 3000.0, 5000.0, 5000.0, 500.0],
    }
)


def measure(mid: str, **kw: object) -> dict[str, object]:
    """A synthetic cross-cutting catalogue row (blank figures unless given)."""
    row: dict[str, object] = {
        "id": mid,
        "name_zh": mid,
        "name_en": mid,
        "scope": "cross_cutting",
        "metal": "",
        "routes": [],
        "products": [],
        "status": "promote",
        "carrier": "all",
        "switch_from": "",
        "switch_to": "",
        "saving_pct": np.nan,
        "saving_kgce_per_t": np.nan,
        "switch_share": np.nan,
        "capex_yuan_per_t_a": np.nan,
        "opex_change_yuan_per_t": np.nan,
        "lifetime_a": np.nan,
    }
    row.update(kw)
    return row


def one_line(
    output_t: float, energy: dict[str, float], benchmark: float = np.nan
) -> tuple[pd.DataFrame, pd.DataFrame]:
    lines = pd.DataFrame(
        {
            "line_id": [1],
            "metal": ["Zn"],
            "route": ["zn_hydro"],
            "product": ["zn_hydro_with_residue"],
            "output_t": [output_t],
            "benchmark_kgce_per_t": [benchmark],
        }
    )
    en = pd.DataFrame({"line_id": 1, "carrier": list(energy), "energy_tce": list(energy.values())})
    return lines, en


# -- strategies ---------------------------------------------------------------------------

energies = st.fixed_dictionaries(
    {
        "coal": st.floats(0, 5e4),
        "gas": st.floats(0, 5e4),
        "electricity": st.floats(0, 5e4),
        "heat": st.floats(0, 1e4),
    }
).filter(lambda d: sum(d.values()) > 1.0)


@st.composite
def measures(draw: st.DrawFn, n_max: int = 6) -> pd.DataFrame:
    rows = []
    for i in range(draw(st.integers(1, n_max))):
        kind = draw(st.sampled_from(["pct", "kgce", "switch"]))
        kw: dict[str, object] = {
            "carrier": draw(st.sampled_from(["all", "fuel", "electricity", "coal", "gas", "heat"])),
            "capex_yuan_per_t_a": draw(st.one_of(st.just(np.nan), st.floats(0, 5000))),
            "opex_change_yuan_per_t": draw(st.one_of(st.just(np.nan), st.floats(-50, 50))),
            "lifetime_a": draw(st.floats(1, 30)),
        }
        if kind == "pct":
            kw["saving_pct"] = draw(st.floats(0, 100))
        elif kind == "kgce":
            kw["saving_kgce_per_t"] = draw(st.floats(0, 2000))
        else:
            src, dst = draw(
                st.sampled_from(
                    [("coal", "electricity"), ("coal", "gas"), ("electricity", "green_electricity")]
                )
            )
            kw |= {"switch_from": src, "switch_to": dst, "switch_share": draw(st.floats(0, 100))}
        rows.append(measure(f"m{i}", **kw))
    return pd.DataFrame(rows)


# -- properties ---------------------------------------------------------------------------


@settings(max_examples=40)
@given(energies, st.floats(1e3, 1e6), measures())
def test_savings_with_interaction_never_exceed_the_baseline(
    energy: dict[str, float], output: float, cat: pd.DataFrame
) -> None:
    lines, en = one_line(output, energy)
    plan = plan_lines(lines, en, PARAMS, cat)
    baseline = sum(energy.values())
    total = plan.steps["saving_tce"].sum()
    assert total <= baseline * (1 + 1e-9) + 1e-9
    assert (plan.steps["saving_tce"] >= -1e-9).all()
    assert plan.lines.loc[0, "saving_tce"] == pytest.approx(total, rel=1e-9, abs=1e-6)
    # the unit energy never rises along the steps, and the steps chain
    s = plan.steps
    assert (s["unit_energy_after_kgce_per_t"] <= s["unit_energy_before_kgce_per_t"] + 1e-9).all()
    assert np.allclose(
        s["unit_energy_before_kgce_per_t"].to_numpy()[1:], s["unit_energy_after_kgce_per_t"].to_numpy()[:-1]
    )


@settings(max_examples=40)
@given(energies, st.floats(1e3, 1e6), measures())
def test_savings_in_tce_equal_unit_energy_change_times_output(
    energy: dict[str, float], output: float, cat: pd.DataFrame
) -> None:
    lines, en = one_line(output, energy)
    s = plan_lines(lines, en, PARAMS, cat).steps
    change = (s["unit_energy_before_kgce_per_t"] - s["unit_energy_after_kgce_per_t"]) * output / 1000.0
    assert np.allclose(s["saving_tce"].to_numpy(), change.to_numpy(), rtol=1e-9, atol=1e-6)


@settings(max_examples=40)
@given(energies, st.floats(1e3, 1e6), measures())
def test_payback_is_investment_over_annual_saving(
    energy: dict[str, float], output: float, cat: pd.DataFrame
) -> None:
    lines, en = one_line(output, energy)
    s = plan_lines(lines, en, PARAMS, cat).steps
    for _, r in s.iterrows():
        if pd.isna(r["investment_yuan"]) or r["annual_saving_yuan"] <= 0:
            assert pd.isna(r["payback_a"])
        elif pd.isna(r["payback_a"]):  # a vanishing saving: the ratio overflows
            assert not np.isfinite(r["investment_yuan"] / r["annual_saving_yuan"])
        else:
            assert r["payback_a"] == pytest.approx(r["investment_yuan"] / r["annual_saving_yuan"], rel=1e-12)
    # no NaN anywhere in the outputs (missing is <NA> in nullable columns)
    for frame in (s,):
        for col in frame.columns:
            vals = frame[col]
            if vals.dtype == float:
                assert np.isfinite(vals.to_numpy()).all(), col


@settings(max_examples=40)
@given(energies, st.floats(1e3, 1e6), measures(), st.integers(0, 5), st.floats(0, 100))
def test_more_savings_never_raise_emissions(
    energy: dict[str, float], output: float, cat: pd.DataFrame, which: int, extra: float
) -> None:
    cat = cat.copy()
    # share savings commute (each carrier keeps Π(1 − p) of itself), so the end state does not
    # depend on the MAC order that a larger saving may change; switches and per-tonne savings do
    # not commute with them (a switch before or after a fuel saving moves a different amount),
    # which the next property covers step by step
    cat["saving_kgce_per_t"] = np.nan
    cat["switch_share"] = np.nan
    i = which % len(cat)
    more = cat.copy()
    base_pct = 0.0 if np.isnan(cat.loc[i, "saving_pct"]) else float(cat.loc[i, "saving_pct"])
    more.loc[i, "saving_pct"] = min(100.0, base_pct + extra)
    lines, en = one_line(output, energy)
    a = plan_lines(lines, en, PARAMS, cat).lines.loc[0]
    b = plan_lines(lines, en, PARAMS, more).lines.loc[0]
    assert b["baseline_tco2"] - b["saving_tco2"] <= a["baseline_tco2"] - a["saving_tco2"] + 1e-6 * max(
        1.0, a["baseline_tco2"]
    )
    assert b["saving_tce"] >= a["saving_tce"] - 1e-6 * max(1.0, a["baseline_tce"])


@settings(max_examples=40)
@given(energies, st.floats(1e3, 1e6), measures())
def test_no_saving_step_raises_emissions(energy: dict[str, float], output: float, cat: pd.DataFrame) -> None:
    lines, en = one_line(output, energy)
    plan = plan_lines(lines, en, PARAMS, cat)
    switches = set(cat.loc[cat["switch_share"].notna(), "id"])
    saving = plan.steps[~plan.steps["measure_id"].isin(switches)]
    assert (saving["saving_tco2"] >= -1e-9 * max(1.0, plan.lines.loc[0, "baseline_tco2"])).all()


@settings(max_examples=40)
@given(
    st.floats(0, 1e4),
    st.floats(1e2, 1e5),
    st.floats(0, 100),
    st.floats(0, 100),
)
def test_a_larger_saving_leaves_less_of_every_carrier(e: float, output: float, p1: float, p2: float) -> None:
    lo, hi = sorted((p1, p2))
    energy = np.array([[e, e / 2, e / 3, 0.0, e / 4]] * 2)
    mask = np.ones((2, 5))
    after = apply_measures(
        energy,
        np.full(2, output),
        mask,
        np.full(2, np.nan),
        np.array([lo, hi]),
        np.full(2, -1),
        np.full(2, -1),
        np.full(2, np.nan),
    )
    assert (after[1] <= after[0] + 1e-9).all()


@settings(max_examples=40)
@given(energies, st.floats(1e3, 1e6), measures(), st.floats(0, 0.9))
def test_a_line_the_catalogue_cannot_close_says_so_and_by_how_much(
    energy: dict[str, float], output: float, cat: pd.DataFrame, frac: float
) -> None:
    lines, en = one_line(output, energy)
    free = plan_lines(lines, en, PARAMS, cat).lines.loc[0]
    # a benchmark below what the catalogue reaches
    bench = free["final_unit_energy_kgce_per_t"] * frac - 1.0
    lines["benchmark_kgce_per_t"] = bench
    r = plan_lines(lines, en, PARAMS, cat).lines.loc[0]
    assert not r["reaches_benchmark"]
    assert pd.isna(r["benchmark_step"])
    assert r["gap_kgce_per_t"] == pytest.approx(r["final_unit_energy_kgce_per_t"] - bench)
    assert r["gap_tce"] == pytest.approx(r["gap_kgce_per_t"] * output / 1000.0)


# -- worked example and rules -------------------------------------------------------------


def test_worked_example_by_hand() -> None:
    """A Pb crude-lead line, 50 000 t, 10 000 tce coal + 5 000 tce electricity = 300 kgce/t.

    Motor retrofit 3 % of electricity (capex 50 yuan/(t/a), 15 a): 150 tce → 297 kgce/t,
    payback 2 500 000 / (150 × 5 000) = 3.33 a. Then the shipped direct-reduction figure,
    30 % of all energy (S): 0.3 × 14 850 = 4 455 tce → 207.9 kgce/t ≤ 250 at step 2.
    """
    cat = catalogue_frame()
    cat = cat[cat["id"].isin(["pb_liquid_slag_direct_reduction", "efficient_motor"])].copy()
    cat.loc[cat["id"] == "efficient_motor", ["saving_pct", "capex_yuan_per_t_a", "lifetime_a"]] = [
        3.0,
        50.0,
        15.0,
    ]
    lines = pd.DataFrame(
        {
            "line_id": ["L1"],
            "metal": ["Pb"],
            "route": ["pb_bottom_blown"],
            "product": ["pb_concentrate_to_crude_lead"],
            "output_t": [50_000.0],
            "benchmark_kgce_per_t": [250.0],
        }
    )
    en = pd.DataFrame(
        {"line_id": "L1", "carrier": ["coal", "electricity"], "energy_tce": [10_000.0, 5_000.0]}
    )
    plan = plan_lines(lines, en, PARAMS, cat)
    s = plan.steps
    assert list(s["measure_id"]) == ["efficient_motor", "pb_liquid_slag_direct_reduction"]
    assert list(s.columns) == STEP_COLUMNS
    assert s["saving_tce"].tolist() == pytest.approx([150.0, 4455.0])
    assert s["unit_energy_after_kgce_per_t"].tolist() == pytest.approx([297.0, 207.9])
    assert s.loc[0, "payback_a"] == pytest.approx(2_500_000 / 750_000)
    assert pd.isna(s.loc[1, "investment_yuan"])  # no sourced capex: not invented
    line = plan.lines.loc[0]
    assert list(plan.lines.columns) == LINE_SUMMARY_COLUMNS
    assert bool(line["reaches_benchmark"]) and line["benchmark_step"] == 2
    assert line["gap_kgce_per_t"] == 0.0


def test_mac_orders_measures_and_unquantified_ones_are_listed() -> None:
    cat = pd.DataFrame(
        [
            measure("dear", saving_pct=10.0, capex_yuan_per_t_a=900.0, lifetime_a=10.0),
            measure("cheap", saving_pct=10.0, capex_yuan_per_t_a=10.0, lifetime_a=10.0),
            measure("uncosted", saving_pct=5.0),
            measure("blank"),
        ]
    )
    lines, en = one_line(1e5, {"coal": 5e4, "electricity": 5e4})
    plan = plan_lines(lines, en, PARAMS, cat)
    assert list(plan.steps["measure_id"]) == ["cheap", "dear", "uncosted"]
    assert plan.steps["mac_yuan_per_tco2"].iloc[0] < plan.steps["mac_yuan_per_tco2"].iloc[1]
    # interaction: the second 10 % acts on the 90 % the first left
    assert plan.steps["saving_tce"].tolist()[:2] == pytest.approx([1e4, 9e3])
    assert list(plan.unquantified["measure_id"]) == ["blank"]
    assert plan.lines.loc[0, "unquantified_measures"] == 1


def test_applicability_by_metal_route_product_and_status() -> None:
    cat = catalogue_frame()
    lines = pd.DataFrame(
        {
            "line_id": [1, 2, 3],
            "metal": ["Zn", "Pb", "Cu"],
            "route": ["zn_hydro", "pb_bottom_blown", "cu_flash"],
            "product": [
                "zn_hydro_with_residue",
                "pb_concentrate_to_refined_lead",
                "cu_concentrate_to_cathode",
            ],
        }
    )
    pairs = applicable_measures(lines, cat)
    ids = {lid: set(pairs.loc[pairs["line_id"] == lid, "measure_id"]) for lid in (1, 2, 3)}
    assert "zn_large_anode_auto_stripping" in ids[1] and "efficient_motor" in ids[1]
    assert "zn_leach_residue_bath_smelting" not in ids[1]  # research only
    assert "pb_liquid_slag_direct_reduction" not in ids[2]  # figure is for the crude-lead product
    assert "cu_matte_continuous_converting" in ids[3]
    assert "cu_bottom_blown_continuous" not in ids[3]  # a route of its own, never a retrofit
    assert not any(m.startswith(("zn_", "pb_")) for m in ids[3])
    research = applicable_measures(lines, cat, include_research=True)
    assert "zn_leach_residue_bath_smelting" in set(research.loc[research["line_id"] == 1, "measure_id"])


def test_bad_input_is_refused_with_located_problems() -> None:
    lines, en = one_line(0.0, {"coal": 1.0, "biogas": 2.0})
    with pytest.raises(InputError) as info:
        plan_lines(lines, en, PARAMS, pd.DataFrame([measure("m", saving_pct=1.0)]))
    codes = {(p.code, p.column) for p in info.value.problems}
    assert ("must_be_positive", "output_t") in codes
    assert ("plan_unpriced_carrier", "carrier") in codes
