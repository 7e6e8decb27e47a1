"""Bad activity input: one located error per row, in zh and en; nothing computed or stored."""

from __future__ import annotations

import pytest

from carbonpeak.errors import InputError
from carbonpeak.io.activity import ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL
from carbonpeak.io.tabular import read_rows
from carbonpeak.service.inventories import inventory
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for
from tests.service.test_register_import import dump

ENT = "91430400XU6TWF13XG"  # a demo enterprise (synthetic)


def store(url: str, text: str, **kw: object) -> list[int]:
    t = read_rows(text.encode(), "activity.csv", ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
    with sessionmaker_for(url)() as db:
        return inventory.store_table(Context(db=db, principal=SYSTEM), t, **kw).run_ids  # type: ignore[arg-type]


def test_every_bad_row_is_located_and_nothing_is_stored(demo_url: str) -> None:
    before = dump(demo_url)
    text = (
        "enterprise,period,item,quantity,unit,line\n"
        f"{ENT},2023,natural_gas,10,万Nm3,L01\n"  # fine
        f"{ENT},2023,unobtainium,10,t,L01\n"  # unknown item
        f"{ENT},2023,烟煤,10,kWh,L01\n"  # wrong dimension for coal
        f"{ENT},2023,coke,-5,t,L01\n"  # negative
        f"{ENT},2023-13,coke,5,t,L01\n"  # not a period
        f"{ENT},2023,coke,five,t,L01\n"
    )  # not a number
    with pytest.raises(InputError) as err:
        store(demo_url, text)
    got = {(p.row, p.column, p.code) for p in err.value.problems}
    assert got == {
        (3, "item", "unknown_item"),
        (4, "unit", "wrong_dimension"),
        (5, "quantity", "negative"),
        (6, "period", "bad_period"),
        (7, "quantity", "not_a_number"),
    }
    for p in err.value.problems:
        assert p.file == "activity.csv"
        assert p.message_zh != p.message_en
    wd = next(p for p in err.value.problems if p.code == "wrong_dimension")
    assert "kWh" in wd.message_zh and "expected a unit like 't'" in wd.message_en
    assert dump(demo_url) == before


def test_a_period_outside_the_methods_validity_is_refused(demo_url: str) -> None:
    before = dump(demo_url)
    text = (
        "enterprise,period,item,quantity,unit,line\n"
        f"{ENT},2023,primary_aluminium,10,t,L01\n"
        f"{ENT},2025,primary_aluminium,10,t,L01\n"
    )
    with pytest.raises(InputError) as err:
        store(demo_url, text, method="cets_al_2024")  # in force from 2024-09-13
    assert [(p.row, p.column, p.code, p.value) for p in err.value.problems] == [
        (2, "period", "period_outside_validity", 2023)
    ]
    assert "超出" in err.value.problems[0].message_zh
    assert dump(demo_url) == before


def test_an_enterprise_not_in_the_register_is_refused(demo_url: str) -> None:
    before = dump(demo_url)
    with pytest.raises(InputError) as err:
        store(demo_url, "enterprise,period,item,quantity,unit\nNOPE,2023,coke,1,t\n")
    assert err.value.problems[0].code == "unknown_enterprise"
    assert dump(demo_url) == before


def test_recompute_keeps_the_old_run(demo_url: str) -> None:
    ids = store(demo_url, f"enterprise,period,item,quantity,unit,line\n{ENT},2023,coke,10,t,L01\n")
    with sessionmaker_for(demo_url)() as db:
        ctx = Context(db=db, principal=SYSTEM)
        new = inventory.recompute(ctx, ids[0])
        old, cur = inventory.get_run(ctx, ids[0]), inventory.get_run(ctx, new)
    assert (old["status"], old["superseded_by"], cur["status"]) == ("superseded", new, "current")
    assert old["lines"][0]["co2_t"] == pytest.approx(cur["lines"][0]["co2_t"])
    assert cur["lines"][0]["co2_t"] == pytest.approx(28.616, rel=1e-4)  # 10 t × 2.8616
