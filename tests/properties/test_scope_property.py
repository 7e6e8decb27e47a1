"""Property: for any principal, the scoped query returns exactly the enterprises its role
and scope allow — computed here independently, from the raw tables."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak import refdata
from carbonpeak.model import Action, Principal, Role
from carbonpeak.store.db import engine_for, sessionmaker_for
from carbonpeak.store.models import Enterprise, ProductionLine, VerifierAssignment
from carbonpeak.store.scope import restrict

CITY_IDS = [c["id"] for c in refdata.cities()]

principals = st.builds(
    Principal,
    username=st.just("p"),
    role=st.sampled_from(list(Role)),
    user_id=st.one_of(st.none(), st.integers(0, 12)),
    city_code=st.one_of(st.none(), st.sampled_from(CITY_IDS)),
    enterprise_ids=st.frozensets(st.integers(1, 120), max_size=6),
)


def expected_ids(url: str, p: Principal, action: Action) -> set[int]:
    with engine_for(url).connect() as conn:
        ents = conn.execute(sa.select(Enterprise.id, Enterprise.city_code)).all()
        assigned = {
            r.enterprise_id
            for r in conn.execute(
                sa.select(VerifierAssignment.enterprise_id, VerifierAssignment.verifier_id)
            ).all()
            if r.verifier_id == p.user_id
        }
    if p.user_id is None:
        return set()
    rules = {
        Role.PROVINCE: {Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE},
        Role.CITY: {Action.VIEW, Action.ADD, Action.CHANGE},
        Role.ENTERPRISE: {Action.VIEW, Action.CHANGE},
        Role.VERIFIER: {Action.VIEW},
        Role.PUBLIC: set(),
    }
    if action not in rules[p.role]:
        return set()
    match p.role:
        case Role.PROVINCE:
            return {e.id for e in ents}
        case Role.CITY:
            return {e.id for e in ents if p.city_code and e.city_code == p.city_code}
        case Role.ENTERPRISE:
            return {e.id for e in ents if e.id in p.enterprise_ids}
        case Role.VERIFIER:
            return {e.id for e in ents if e.id in assigned}
    return set()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(p=principals, action=st.sampled_from(list(Action)))
def test_scope_is_exactly_the_rule(demo_url: str, p: Principal, action: Action) -> None:
    with sessionmaker_for(demo_url)() as db:
        got = set(db.execute(restrict(sa.select(Enterprise.id), p, action)).scalars())
        lines = db.execute(restrict(sa.select(ProductionLine.enterprise_id), p, action)).scalars()
        line_owners = set(lines)
    want = expected_ids(demo_url, p, action)
    assert got == want
    assert line_owners <= want
