"""Every table is scoped in the query or says who guards it (issue 11: the ``restrict`` idea,
widened to every scoped table) — and the scope holds on the demo store: the cities partition
the province's rows, an enterprise user sees a part of its city's, the public nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from carbonpeak.model import Action, Principal, Role
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import Base, Enterprise, Project
from carbonpeak.store.scope import UNSCOPED, restrict, scope_clause

TABLES = sorted(Base.registry.mappers, key=lambda m: m.class_.__name__)
SCOPED = [m.class_ for m in TABLES if m.class_ not in UNSCOPED]


@pytest.fixture(scope="module")
def db(stores: Any) -> Iterator[Session]:
    url = stores.demo()
    with sessionmaker_for(url)() as session:
        yield session
    stores.release(url)


def test_every_table_is_scoped_or_says_who_guards_it() -> None:
    for cls in SCOPED:
        scope_clause(cls, Principal("p", Role.PROVINCE, user_id=1))  # raises for an unknown table
    for cls, why in UNSCOPED.items():
        assert why.strip(), cls
        with pytest.raises(TypeError):
            restrict(sa.select(cls), Principal("p", Role.PROVINCE, user_id=1))
    assert len(SCOPED) + len(UNSCOPED) == len(TABLES)


def _count(db: Session, cls: type[Any], who: Principal) -> int:
    stmt = restrict(sa.select(cls), who)
    return int(db.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one())


@pytest.mark.parametrize("cls", SCOPED, ids=lambda c: c.__name__)
def test_the_cities_partition_the_province_and_the_public_sees_nothing(db: Session, cls: type[Any]) -> None:
    province = _count(db, cls, Principal("p", Role.PROVINCE, user_id=1))
    cities = [str(c) for c in db.execute(sa.select(Enterprise.city_code).distinct()).scalars()]
    by_city = [_count(db, cls, Principal("c", Role.CITY, user_id=2, city_code=c)) for c in cities]
    # rows without an enterprise (a city's or the province's own projects, reviews …) belong
    # to the city they name; every other row to its enterprise's city
    assert sum(by_city) == province
    assert _count(db, cls, Principal("x", Role.PUBLIC)) == 0
    assert _count(db, cls, Principal("c", Role.CITY, user_id=2, city_code="")) == 0


def test_an_enterprise_user_sees_its_own_rows_within_its_city(db: Session) -> None:
    ent = db.execute(sa.select(Enterprise).order_by(Enterprise.id)).scalars().first()
    assert ent is not None
    own = Principal("e", Role.ENTERPRISE, user_id=3, enterprise_ids=frozenset({ent.id}))
    city = Principal("c", Role.CITY, user_id=2, city_code=ent.city_code)
    seen_somewhere = 0
    for cls in SCOPED:
        mine, theirs = _count(db, cls, own), _count(db, cls, city)
        assert mine <= theirs, cls.__name__
        seen_somewhere += mine
    assert seen_somewhere > 0
    # a change scope narrower than the view: the enterprise may change its own, never add
    assert _count(db, Enterprise, Principal("e", Role.ENTERPRISE, user_id=3)) == 0
    add = restrict(sa.select(Project), own, Action.ADD)
    assert db.execute(add).first() is None
