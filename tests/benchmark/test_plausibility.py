"""Physical plausibility warnings (issue 12, item 9): potline AC power above the electricity
available, unit-product energy outside the plausible range of the line's product.

Ranges are the platform's screening rule (refdata/benchmark/plausible_ranges: a fifth of the
1级, five times the 3级 of the limit row held): GB 25323-2023 表3 湿法炼锌（含渣处理）1 010 /
1 260 kgce/t → 202 … 6 300 kgce/t; GB 21346-2022 铝液交流电耗 12 950 / 13 350 kWh/t → 2 590 …
66 750 kWh/t.
Electricity at GB/T 2589's 当量值 0.1229 kgce/kWh.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from carbonpeak import refdata
from carbonpeak.benchmark.plausibility import ac_power_above_available, load_ranges, outside_range
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.reporting import intake
from carbonpeak.store.db import sessionmaker_for

AL = "914303007X5LGQX61F"  # demo: L01 al_electrolysis, product al_molten, CWPB
ZN = "91430400RAFM7RRL63"  # demo: L01 zn_hydro, product zn_hydro_with_residue


def test_the_ranges_are_derived_from_the_limit_rows_they_name() -> None:
    ranges = load_ranges().set_index(["product", "indicator"])
    limits = refdata.load_table("benchmark/limit_levels").by_id
    zn = ranges.loc[("zn_hydro_with_residue", "comprehensive_energy")]
    row = limits["gb25323_2023:t3:zn_hydro_with_residue"]
    assert (zn["low"], zn["high"]) == (0.2 * row["grade1"], 5 * row["grade3"]) == (202.0, 6300.0)
    al = ranges.loc[("al_molten", "ac_power")]
    assert (al["low"], al["high"], al["value_unit"]) == (2590.0, 66750.0, "kWh/t")
    assert "gb21346_2022:al_molten:ac_power" in al["basis"]
    for r in refdata.load_table("benchmark/plausible_ranges"):
        lim = limits[r["limit_id"]]
        assert (lim["product"], lim["indicator"], lim["value_unit"]) == (
            r["product"],
            r["indicator"],
            r["value_unit"],
        )
        assert r["low"] == pytest.approx(0.2 * lim["grade1"], abs=0.5), r["id"]
        assert r["high"] == pytest.approx(5 * lim["grade3"], abs=0.5), r["id"]
        assert 0 < r["low"] < r["high"], r["id"]


def test_the_rules() -> None:
    assert ac_power_above_available(
        [13_500.0, 10_000.0, 1.0], [10_000.0, 10_000.0, float("nan")]
    ).tolist() == [
        True,
        False,
        True,
    ]
    frame = pd.DataFrame(
        {
            "product": ["zn_hydro_with_residue"] * 3,
            "indicator": "comprehensive_energy",
            "value": [201.9, 202.0, 6300.1],
        }
    )
    assert outside_range(frame, load_ranges())["value"].tolist() == [201.9, 6300.1]


@pytest.fixture
def ctx(demo_url: str) -> Iterator[Context]:
    with sessionmaker_for(demo_url)() as db:
        yield Context(db=db, principal=SYSTEM, request_id="test")


def _monthly(body: str) -> str:
    """Each annual row ``ent,2026,item,q,unit,line`` as twelve monthly rows of q / 12 (an
    activity CSV for intake holds every month), item after item."""
    out = []
    for line in body.strip().splitlines():
        ent, _year, item, q, unit, code = line.split(",")
        out += [f"{ent},2026-{m:02d},{item},{float(q) / 12:.6g},{unit},{code}" for m in range(1, 13)]
    return "\n".join(out) + "\n"


def _check(ctx: Context, body: str) -> list[tuple[int | None, str, str | None]]:
    data = ("enterprise,period,item,quantity,unit,line\n" + _monthly(body)).encode()
    res = intake.check_submission(ctx, data, "plausible.csv")
    assert res.problems == []
    keep = ("intake_warn_ac_power", "intake_warn_unit_energy")
    for w in res.warnings:
        assert w.message_zh and w.message_en and "{" not in w.message_zh + w.message_en
    return [(w.row, w.code, w.value) for w in res.warnings if w.code in keep]


def test_ac_power_above_the_electricity_available_is_a_located_warning(ctx: Context) -> None:
    got = _check(
        ctx,
        f"{AL},2026,product_output,1000,t,L01\n"
        f"{AL},2026,electricity_purchased,10000,MWh,L01\n"
        f"{AL},2026,al_ac_power,13500000,kWh,L01\n",
    )
    # 13 500 MWh of AC power > 10 000 MWh purchased, in every month (1 125 > 833.3 MWh), each
    # located at that month's AC-power figure (rows 26–37); 13 500 kWh/t is inside 2 590 … 66 750
    assert got == [(26 + m, "intake_warn_ac_power", "1,125") for m in range(12)]


def test_ac_power_within_the_electricity_available_passes(ctx: Context) -> None:
    got = _check(
        ctx,
        f"{AL},2026,product_output,1000,t,L01\n"
        f"{AL},2026,electricity_purchased,14000,MWh,L01\n"
        f"{AL},2026,al_ac_power,13500000,kWh,L01\n",
    )
    assert got == []


def test_ac_power_per_tonne_outside_the_range_is_a_warning(ctx: Context) -> None:
    # 0.1 万t of aluminium written as 100 t: 13 500 MWh / 100 t = 135 000 kWh/t > 66 750
    got = _check(
        ctx,
        f"{AL},2026,product_output,100,t,L01\n"
        f"{AL},2026,electricity_purchased,14000,MWh,L01\n"
        f"{AL},2026,al_ac_power,13500000,kWh,L01\n",
    )
    assert got == [(2, "intake_warn_unit_energy", "135,000")]  # at the first output figure


def test_a_unit_energy_far_below_the_range_is_a_warning_at_the_output_figure(ctx: Context) -> None:
    # 1 000 t of zinc with 100 MWh: 12.29 tce → 12.3 kgce/t, far below 202 (electricity in kWh
    # written as MWh, say)
    got = _check(ctx, f"{ZN},2026,product_output,1000,t,L01\n{ZN},2026,electricity_purchased,100,MWh,L01\n")
    assert got == [(2, "intake_warn_unit_energy", "12.29")]
    # 1 000 t with 10 000 MWh and 300 t coke: 1 229 + 285.9 tce → 1 515 kgce/t, inside
    fine = f"{ZN},2026,product_output,1000,t,L01\n{ZN},2026,electricity_purchased,10000,MWh,L01\n"
    assert _check(ctx, fine + f"{ZN},2026,coke,300,t,L01\n") == []
