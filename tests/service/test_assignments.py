"""Verifier assignments and reporting rounds (issue 11, item 4): who may, scope, audit, status.

The rules are written out by hand here (from the issue and docs/workflow.md), not read
from the code: the province assigns anywhere, a city in its city (another city's
enterprise is *not found*), nobody else at all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict, InputError, NotFound, PermissionDenied
from carbonpeak.service.access import auth
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.reporting import assignments, workflow
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import AuditEvent, Enterprise, User, VerifierAssignment
from tests.service.workflow_support import LOUDI_SB, PBZN, ctx_for, enterprise_id, make_submission

HENGYANG, LOUDI = "430400", "431300"


@pytest.fixture
def db(demo_url: str) -> Iterator[Session]:
    s = sessionmaker_for(demo_url)()
    yield s
    s.close()


def _new_verifier(db: Session, username: str = "verifier-2", active: bool = True) -> int:
    ctx = Context(db=db, principal=SYSTEM, request_id="test-setup")
    user = auth.add_user(ctx, username, "a-long-password", "verifier", display_name=f"{username} 核查中心")
    if not active:
        db.get_one(User, user.id).is_active = False
        db.commit()
    return user.id


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_the_province_assigns_and_unassigns_with_one_audit_event_each(db: Session) -> None:
    vid = _new_verifier(db)
    loudi = enterprise_id(db, LOUDI_SB)
    a = assignments.assign(ctx_for(db, "province"), vid, loudi, 2026)
    assert (a.verifier_id, a.enterprise_id, a.year, a.credit_code) == (vid, loudi, 2026, LOUDI_SB)
    assert a.verifier_name == "verifier-2 核查中心"
    [ev] = _events(db, "verifier.assign")[-1:]
    assert (ev.object_type, ev.object_id, ev.actor, ev.before) == ("user", str(vid), "province", None)
    assert json.loads(ev.after or "{}") == {
        "assignment_id": a.id,
        "verifier": "verifier-2",
        "enterprise_id": loudi,
        "credit_code": LOUDI_SB,
        "year": 2026,
    }
    listed = assignments.list_assignments(ctx_for(db, "province"), enterprise_id=loudi)
    assert [x.id for x in listed] == [a.id]
    gone = assignments.unassign(ctx_for(db, "province"), a.id)
    assert gone == a
    [ev2] = _events(db, "verifier.unassign")
    assert (ev2.object_type, ev2.object_id, ev2.after) == ("user", str(vid), None)
    assert json.loads(ev2.before or "{}")["assignment_id"] == a.id
    assert assignments.list_assignments(ctx_for(db, "province"), enterprise_id=loudi) == []


def test_an_assignment_opens_the_workflow_to_the_new_verifier(db: Session) -> None:
    vid = _new_verifier(db)
    sid = make_submission(db, LOUDI_SB, 2026, status="submitted")
    mine = Context(db=db, principal=auth.principal_for(db, db.get_one(User, vid)), request_id="t")
    with pytest.raises(NotFound):
        workflow.start_verification(mine, sid)
    assignments.assign(ctx_for(db, "province"), "verifier-2", LOUDI_SB, 2026)
    assert workflow.start_verification(mine, sid)["status"] == "under_verification"
    # an assignment for another year does not reach this submission
    sid_27 = make_submission(db, LOUDI_SB, 2027, status="submitted")
    with pytest.raises(NotFound):
        workflow.start_verification(mine, sid_27)


def test_a_city_assigns_in_its_city_only_and_another_city_is_not_found(db: Session) -> None:
    vid = _new_verifier(db)
    city = ctx_for(db, "city-hengyang")
    pbzn, loudi = enterprise_id(db, PBZN), enterprise_id(db, LOUDI_SB)
    a = assignments.assign(city, vid, pbzn, None)
    assert a.year is None
    with pytest.raises(NotFound) as err:
        assignments.assign(ctx_for(db, "city-hengyang"), vid, loudi, 2026)
    assert err.value.message_en == f"Not found: enterprise {loudi}"
    # an enterprise that does not exist looks the same
    with pytest.raises(NotFound):
        assignments.assign(ctx_for(db, "city-hengyang"), vid, 999_999, 2026)
    # the Loudi assignment made by the province is out of the Hengyang city's reach
    other = assignments.assign(ctx_for(db, "province"), vid, loudi, 2026)
    with pytest.raises(NotFound):
        assignments.unassign(ctx_for(db, "city-hengyang"), other.id)
    listed = assignments.list_assignments(ctx_for(db, "city-hengyang"))
    assert {x.city_code for x in listed} == {HENGYANG}
    assert a.id in {x.id for x in listed} and other.id not in {x.id for x in listed}
    assert assignments.unassign(ctx_for(db, "city-hengyang"), a.id).id == a.id


@pytest.mark.parametrize("user", ["ent-hengyang-pbzn", "verifier", "public"])
def test_enterprise_verifier_and_public_never_assign(db: Session, user: str) -> None:
    vid = _new_verifier(db)
    pbzn = enterprise_id(db, PBZN)
    before = db.execute(select(VerifierAssignment.id)).scalars().all()
    with pytest.raises(PermissionDenied):
        assignments.assign(ctx_for(db, user), vid, pbzn, 2026)
    some = before[0]
    with pytest.raises(PermissionDenied):
        assignments.unassign(ctx_for(db, user), some)
    with pytest.raises(PermissionDenied):
        assignments.open_round(ctx_for(db, user), 2026, "2027-03-31")
    assert db.execute(select(VerifierAssignment.id)).scalars().all() == before
    assert _events(db, "verifier.assign")[-1].actor == "system"  # the demo loader's, nothing new


def test_a_city_cannot_open_a_round(db: Session) -> None:
    with pytest.raises(PermissionDenied):
        assignments.open_round(ctx_for(db, "city-hengyang"), 2026, "2027-03-31")


def test_the_assigned_user_must_be_an_active_verifier_located_in_both_languages(db: Session) -> None:
    pbzn = enterprise_id(db, PBZN)
    _new_verifier(db, "retired", active=False)
    for who in ("city-hengyang", "no-such-user", "retired", 999_999):
        with pytest.raises(InputError) as err:
            assignments.assign(ctx_for(db, "province"), who, pbzn, 2026)
        [p] = err.value.problems
        assert (p.code, p.column, p.value) == ("assign_not_verifier", "verifier", who)
        assert p.message_zh == f"用户“{who}”不是核查机构账号，不能分配核查任务"
        assert p.message_en == f"User '{who}' is not a verifier account and cannot be assigned"


def test_a_duplicate_is_a_conflict_naming_verifier_enterprise_and_year(db: Session) -> None:
    vid = _new_verifier(db)
    pbzn = enterprise_id(db, PBZN)
    name = db.get_one(Enterprise, pbzn).name_zh
    assignments.assign(ctx_for(db, "province"), vid, pbzn, 2026)
    with pytest.raises(Conflict) as err:
        assignments.assign(ctx_for(db, "province"), vid, pbzn, 2026)
    assert err.value.code == "assign_exists"
    assert err.value.message_zh == f"核查机构“verifier-2 核查中心”已分配到企业“{name}”（2026 年度）"
    assert "Verifier 'verifier-2 核查中心' is already assigned to" in err.value.message_en
    assert err.value.message_en.endswith("(2026)")
    # another year is a new assignment; an undated one widens it, then every year clashes
    assignments.assign(ctx_for(db, "province"), vid, pbzn, 2027)
    assignments.assign(ctx_for(db, "province"), vid, pbzn, None)
    with pytest.raises(Conflict) as err2:
        assignments.assign(ctx_for(db, "province"), vid, pbzn, 2030)
    assert err2.value.message_zh.endswith("（全部年度）")
    assert err2.value.message_en.endswith("(every year)")
    # the demo verifier already holds an undated assignment for PBZN
    with pytest.raises(Conflict):
        assignments.assign(ctx_for(db, "province"), "verifier", PBZN, None)


def test_a_year_out_of_range_is_located(db: Session) -> None:
    vid = _new_verifier(db)
    with pytest.raises(InputError) as err:
        assignments.assign(ctx_for(db, "province"), vid, PBZN, 3000)
    assert err.value.problems[0].column == "year"


def test_find_assignment_for_the_console(db: Session) -> None:
    _new_verifier(db)
    a = assignments.assign(Context(db=db, principal=SYSTEM), "verifier-2", LOUDI_SB.lower(), 2026)
    assert assignments.find_assignment(Context(db=db, principal=SYSTEM), "verifier-2", LOUDI_SB, 2026) == a
    with pytest.raises(NotFound):
        assignments.find_assignment(Context(db=db, principal=SYSTEM), "verifier-2", LOUDI_SB, None)
    assert _events(db, "verifier.assign")[-1].actor == "system"


def test_who_sees_which_assignments(db: Session) -> None:
    vid = _new_verifier(db)
    assignments.assign(ctx_for(db, "province"), vid, LOUDI_SB, 2026)
    every = assignments.list_assignments(ctx_for(db, "province"))
    demo_verifier = {a.id for a in every if a.verifier_username == "verifier"}
    assert {a.id for a in assignments.list_assignments(ctx_for(db, "verifier"))} == demo_verifier
    own = assignments.list_assignments(ctx_for(db, "ent-hengyang-pbzn"))
    assert {a.credit_code for a in own} == {PBZN}
    assert {a.credit_code for a in assignments.list_assignments(ctx_for(db, "ent-loudi-sb"))} == {LOUDI_SB}
    with pytest.raises(PermissionDenied):
        assignments.list_assignments(ctx_for(db, "public"))
    # year keeps that year's and the undated assignments
    assert [a.year for a in assignments.list_assignments(ctx_for(db, "ent-loudi-sb"), year=2025)] == []
    assert [a.year for a in assignments.list_assignments(ctx_for(db, "ent-loudi-sb"), year=2026)] == [2026]
    names = {v.username for v in assignments.list_verifiers(ctx_for(db, "city-hengyang"))}
    assert names == {"verifier", "verifier-2"}
    with pytest.raises(PermissionDenied):
        assignments.list_verifiers(ctx_for(db, "verifier"))
    choices = assignments.enterprise_choices(ctx_for(db, "city-hengyang"))
    assert choices and {c.city_code for c in choices} == {HENGYANG}


# --- reporting rounds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "deadline",
    ["2027/03/31", "20270331", "2027-02-30", "2025-12-31", "2029-01-01", "", "2027-W13-1", " x"],
)
def test_a_bad_deadline_is_located_and_bilingual(db: Session, deadline: str) -> None:
    with pytest.raises(InputError) as err:
        assignments.open_round(ctx_for(db, "province"), 2026, deadline)
    [p] = err.value.problems
    assert (p.code, p.column, p.value) == ("round_deadline", "deadline", deadline)
    assert "2026-01-01" in p.message_zh and "2028-12-31" in p.message_en


def test_open_and_move_a_round_audited(db: Session) -> None:
    r = assignments.open_round(ctx_for(db, "province"), 2026, "2027-03-31", "首轮")
    assert (r.year, r.deadline, r.note, r.created_by) == (2026, "2027-03-31", "首轮", "province")
    r2 = assignments.open_round(ctx_for(db, "province"), 2026, "2027-04-15")
    assert r2.deadline == "2027-04-15" and r2.created_at == r.created_at
    assert assignments.get_round(ctx_for(db, "public"), 2026) == r2
    with pytest.raises(NotFound) as err:
        assignments.get_round(ctx_for(db, "province"), 2031)
    assert err.value.message_zh == "未找到填报轮次：2031"
    [opened] = _events(db, "round.open")
    [moved] = _events(db, "round.update")
    assert (opened.object_type, opened.object_id) == ("reporting_round", "2026")
    assert json.loads(moved.before or "{}") == {"deadline": "2027-03-31", "note": "首轮"}
    assert json.loads(moved.after or "{}") == {"deadline": "2027-04-15", "note": ""}


def test_round_status_counts_every_enterprise_in_scope(db: Session) -> None:
    assignments.open_round(ctx_for(db, "province"), 2026, "2027-03-31")
    make_submission(db, PBZN, 2026, status="submitted")
    make_submission(db, LOUDI_SB, 2026, status="draft")
    vid = _new_verifier(db)
    assignments.assign(ctx_for(db, "province"), vid, LOUDI_SB, 2026)
    assignments.assign(ctx_for(db, "province"), vid, LOUDI_SB, 2027)  # not this year's
    st = assignments.round_status(ctx_for(db, "province"), 2026, today=dt.date(2027, 3, 21))
    n = db.query(Enterprise).count()
    assert (st.deadline, st.days_left, st.overdue, st.today) == ("2027-03-31", 10, False, "2027-03-21")
    c = st.counts
    assert (c.enterprises, c.reported, c.not_reported, c.submitted, c.draft) == (n, 2, n - 2, 1, 1)
    assert c.approved == c.verified == c.returned == c.under_verification == 0
    by_code = {r.credit_code: r for r in st.rows}
    assert len(by_code) == n
    pbzn, loudi = by_code[PBZN], by_code[LOUDI_SB]
    assert (pbzn.status, pbzn.status_zh, pbzn.city_zh) == ("submitted", "已提交", "衡阳市")
    assert pbzn.verifiers == ("示例碳核查技术服务中心（示例）",)  # the demo's undated assignment
    assert loudi.verifiers == ("verifier-2 核查中心",)
    other = next(r for r in st.rows if r.submission_id is None)
    assert (other.status, other.status_zh, other.status_en) == ("not_reported", "未报送", "not reported")
    # overdue, in Beijing time
    late = assignments.round_status(ctx_for(db, "province"), 2026, today=dt.date(2027, 4, 2))
    assert (late.days_left, late.overdue) == (-2, True)
    # filters: the city narrows the counts, the status the rows only
    hy = assignments.round_status(ctx_for(db, "province"), 2026, city=HENGYANG, status="not_reported")
    assert {r.city_code for r in hy.rows} == {HENGYANG}
    assert all(r.status == "not_reported" for r in hy.rows)
    assert hy.counts.not_reported == len(hy.rows) and hy.counts.submitted == 1
    with pytest.raises(InputError):
        assignments.round_status(ctx_for(db, "province"), 2026, status="lost")


def test_round_status_follows_scope(db: Session) -> None:
    make_submission(db, PBZN, 2026, status="submitted")
    city = assignments.round_status(ctx_for(db, "city-hengyang"), 2026)
    assert city.deadline is None and city.days_left is None and not city.overdue
    assert {r.city_code for r in city.rows} == {HENGYANG}
    ent = assignments.round_status(ctx_for(db, "ent-loudi-sb"), 2026)
    assert [r.credit_code for r in ent.rows] == [LOUDI_SB]
    ver = assignments.round_status(ctx_for(db, "verifier"), 2026)
    parks = dict(db.execute(select(Enterprise.id, Enterprise.park_id)).all())
    assert ver.rows and {parks[r.enterprise_id] for r in ver.rows} == {"shuikoushan"}
    with pytest.raises(PermissionDenied):
        assignments.round_status(ctx_for(db, "public"), 2026)


def test_beijing_today_turns_at_16_utc() -> None:
    assert assignments.beijing_today(dt.datetime(2027, 3, 31, 15, 59, tzinfo=dt.UTC)) == dt.date(2027, 3, 31)
    assert assignments.beijing_today(dt.datetime(2027, 3, 31, 16, 0, tzinfo=dt.UTC)) == dt.date(2027, 4, 1)
