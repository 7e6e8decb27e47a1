"""The simulator's anomalies are found by the quality checks, and only those; its balance
group holds within 5 %; its counters add up to the energy it simulated."""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbonpeak.monitoring import quality
from carbonpeak.monitoring.consumption import consumption
from carbonpeak.monitoring.rollup import rollup
from carbonpeak.monitoring.simulate import ANOMALIES, Simulation, simulate

T0 = 1_764_518_400  # 2025-12-01 00:00 Beijing time (a Monday)


def _frames(
    n: int = 7, days: int = 2
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, Simulation]:
    sim = simulate(n, 900, days, start_ts=T0, seed=7)
    ids = {c: i + 1 for i, c in enumerate(sim.meters["code"])}
    meters = sim.meters.assign(meter_id=sim.meters["code"].map(ids))
    readings = sim.readings.assign(meter_id=sim.readings["code"].map(ids))
    events = sim.events.assign(meter_id=sim.events["code"].map(ids))
    cons = consumption(readings, meters, events)
    return meters, readings, events, cons, sim


def test_the_counters_add_up_to_the_simulated_energy() -> None:
    meters, _r, _e, cons, sim = _frames()
    got = cons.groupby("meter_id")["consumption"].sum()
    for code, true in sim.true_kwh.items():
        mid = int(meters.loc[meters["code"] == code, "meter_id"].iloc[0])
        assert np.isclose(got[mid], true, rtol=1e-6), code


def test_the_quality_checks_find_the_injected_anomalies() -> None:
    meters, readings, _e, cons, sim = _frames()
    found = quality.check_readings(readings, meters, cons, T0, T0 + 2 * 86400)
    code_of = dict(zip(meters["meter_id"], meters["code"], strict=True))
    by_rule = {
        r: {(code_of[m], t) for m, t in zip(g["meter_id"], g["ts"], strict=True)}
        for r, g in found.groupby("rule")
    }
    a = sim.anomalies
    assert set(a) == set(ANOMALIES)
    assert a["gap"] in by_rule["gap"]
    assert a["stuck"] in by_rule["stuck"]
    assert a["spike"] in by_rule["spike"]
    assert {c for c, _t in by_rule["gap"]} == {a["gap"][0]}
    assert {c for c, _t in by_rule["stuck"]} == {a["stuck"][0]}
    # the gap costs its meter 8 of the first day's 96 points: 88 ≥ 86.4, still complete
    assert "completeness" not in by_rule
    assert "negative" not in by_rule  # roll-over and replacement are no negative deltas
    assert "timestamp" not in by_rule


def test_the_balance_group_holds_within_five_percent() -> None:
    meters, _r, _e, cons, _sim = _frames()
    parent_of = (
        meters[meters["parent"] != ""]
        .set_index("meter_id")["parent"]
        .map(dict(zip(meters["code"], meters["meter_id"], strict=True)))
    )
    day = rollup(cons, "day")
    bal = quality.balance_check(day, parent_of)
    assert len(bal) == 2 and bal["ok"].all()
    # day 2: the line losses (main 2 % above its children); day 1: the spike inflates a child
    assert np.isclose(bal["loss_ratio"].iloc[1], 0.02 / 1.02, atol=0.002)
    assert bal["loss_ratio"].iloc[0] < 0
    # a child meter lost from the group shows as a loss beyond the tolerance
    assert not quality.balance_check(day[day["meter_id"] != 2], parent_of)["ok"].any()


def test_a_day_with_too_few_points_fails_completeness() -> None:
    meters, readings, _e, _c, _sim = _frames(n=1, days=1)
    short = readings.iloc[:86]  # 86 of 96
    cons = consumption(short, meters)
    found = quality.check_readings(short, meters, cons, T0, T0 + 86400)
    assert found[found["rule"] == "completeness"]["measured"].round(4).tolist() == [round(86 / 96, 4)]
    found = quality.check_readings(readings.iloc[:87], meters, cons, T0, T0 + 86400)
    assert "completeness" not in set(found["rule"])
