"""The scenario service on a stored demo sector: base year, register capacity, scope (SQLite and PG)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from carbonpeak.errors import PermissionDenied
from carbonpeak.model import PUBLIC, Principal, Role
from carbonpeak.scenarios.demo_scenarios import demo_base_frame
from carbonpeak.service.outlook import scenarios as svc
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for


@pytest.fixture
def ctx(demo_url: str) -> Iterator[Context]:
    db = sessionmaker_for(demo_url)()
    try:
        yield Context(db=db, principal=SYSTEM)
    finally:
        db.close()


def _changes(rows: list[tuple[str, str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["metal", "route", "city_code", "year", "capacity_t"])


def test_register_capacity_becomes_the_additions_and_exits_driver(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carbonpeak.service.efficiency import projects

    bt = svc.base_table(ctx)
    g = bt.frame.sort_values("output_t").iloc[-1]  # the largest group
    monkeypatch.setattr(projects, "capacity_changes", lambda _ctx: _changes([]))
    plain = svc.run(ctx, ["baseline"], bt=bt)["scenarios"]["baseline"]
    rows = [
        (g["metal"], g["route"], g["city"], 2028, 100_000.0),  # an addition in 2028
        (g["metal"], g["route"], g["city"], 2031, -40_000.0),  # a partial exit in 2031
        (g["metal"], g["route"], "439999", 2029, -5_000.0),  # an exit of nothing in the base year
        (g["metal"], g["route"], g["city"], 2020, 999_999.0),  # before the base year: already in it
    ]
    monkeypatch.setattr(projects, "capacity_changes", lambda _ctx: _changes(rows))
    out = svc.run(ctx, ["baseline"], bt=bt)
    got = out["scenarios"]["baseline"]
    years = out["years"]
    diff = np.asarray(got["output_t"]) - np.asarray(plain["output_t"])
    expect = np.where(np.asarray(years) >= 2028, 100_000.0, 0.0) - np.where(
        np.asarray(years) >= 2031, 40_000.0, 0.0
    )
    np.testing.assert_allclose(diff, expect, atol=1e-6)
    assert any("439999" in n and "skipped" in n for n in out["notes"])


def test_a_supplied_base_table_is_used_as_given(ctx: Context) -> None:
    bt = svc.base_table(ctx, 2020, supplied=demo_base_frame())
    demo = svc.base_table(ctx, source="demo")
    a = svc.run(ctx, ["plan_policy"], bt=bt)["scenarios"]["plan_policy"]["co2_t"]["total"]
    b = svc.run(ctx, ["plan_policy"], bt=demo)["scenarios"]["plan_policy"]["co2_t"]["total"]
    assert a == b


def test_scope_of_the_base_year(ctx: Context) -> None:
    prov = svc.base_table(ctx)
    city = svc.base_table(Context(db=ctx.db, principal=Principal("c", Role.CITY, 9, city_code="431000")))
    assert set(city.frame["city"]) == {"431000"}
    mine = prov.frame[prov.frame["city"] == "431000"].reset_index(drop=True)
    # the same plants, the same figures (factors of carriers a group does not use fall back to
    # the scope's own average, which may differ, and multiply zero)
    cols = ["metal", "route", "output_t", "coal_tce", "gas_tce", "oil_tce", "electricity_mwh", "co2_t"]
    pd.testing.assert_frame_equal(city.frame.reset_index(drop=True)[cols], mine[cols], rtol=1e-12)
    with pytest.raises(PermissionDenied):
        svc.base_table(Context(db=ctx.db, principal=PUBLIC))
    with pytest.raises(PermissionDenied):
        svc.base_table(Context(db=ctx.db, principal=Principal("v", Role.VERIFIER, 8)))
