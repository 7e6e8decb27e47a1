"""The submission workflow: every move per role and state, scope, adjustments, history.

The expected outcomes are written out here by hand (from issue 6), not derived from
``workflow.TRANSITIONS``, so the table in the code is tested against the rules.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict, InputError, NotFound, PermissionDenied, UnitError
from carbonpeak.model import PUBLIC, Principal, Role
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.reporting import workflow
from carbonpeak.service.reporting.workflow import Move, Status
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import AuditEvent, Submission, SubmissionStep, SubmissionValue, SubmissionVersion
from tests.conftest import IS_PG
from tests.service.workflow_support import LOUDI_SB, ctx_for, make_submission, value_ids

STATES = [s.value for s in Status]
MOVES = [m.value for m in Move if m is not Move.ADJUST]
ROLES = [r.value for r in Role]

#: (role, from, move) -> to: every allowed move (issue 6); anything else is refused
ALLOWED: dict[tuple[str, str, str], str] = {
    **{
        (r, s, "submit"): "submitted"
        for r in ("enterprise", "city", "province")
        for s in ("draft", "returned")
    },
    ("verifier", "submitted", "start_verification"): "under_verification",
    ("verifier", "under_verification", "verify"): "verified",
    ("province", "verified", "approve"): "approved",
    ("city", "verified", "approve"): "approved",
    ("verifier", "submitted", "return"): "returned",
    ("verifier", "under_verification", "return"): "returned",
    ("province", "verified", "return"): "returned",
    ("city", "verified", "return"): "returned",
}
#: which roles make a move at all (a role outside gets PermissionDenied in any state)
MAKERS = {m: {r for (r, _s, mv) in ALLOWED if mv == m} for m in MOVES}
#: the demo user of each role, in scope of PBZN (Hengyang, park shuikoushan)
IN_SCOPE = {
    "enterprise": "ent-hengyang-pbzn",
    "city": "city-hengyang",
    "province": "province",
    "verifier": "verifier",
    "public": "public",
}


def expected(role: str, state: str, move: str) -> str | type[Exception]:
    """The state after the move, or the error it raises (role first, then state)."""
    if (role, state, move) in ALLOWED:
        return ALLOWED[(role, state, move)]
    at_this_state = {r for (r, s, mv) in ALLOWED if mv == move and s == state}
    if at_this_state or role not in MAKERS[move]:
        return PermissionDenied
    return Conflict


def _p(role: str) -> Principal:
    return Principal(username=f"u-{role}", role=Role(role), user_id=99)


@pytest.mark.parametrize(("role", "state", "move"), list(itertools.product(ROLES, STATES, MOVES)))
def test_the_rule_table_per_role_state_and_move(role: str, state: str, move: str) -> None:
    want = expected(role, state, move)
    if isinstance(want, str):
        assert workflow.check_move(_p(role), state, move).target == want
    else:
        with pytest.raises(want) as err:
            workflow.check_move(_p(role), state, move)
        assert err.value.message_zh and err.value.message_en
        if want is Conflict:
            assert err.value.code == "workflow_wrong_state"
            assert workflow.STATUS_NAMES[state][0] in err.value.message_zh
            assert workflow.STATUS_NAMES[state][1] in err.value.message_en


def test_the_table_has_exactly_the_allowed_moves() -> None:
    table = {
        (r.value, t.source.value, t.move.value): t.target.value for t in workflow.TRANSITIONS for r in t.roles
    }
    assert table == ALLOWED
    assert all(t.comment_required for t in workflow.TRANSITIONS if t.move is Move.RETURN)


@pytest.fixture
def db(demo_url: str) -> Iterator[Session]:
    s = sessionmaker_for(demo_url)()
    yield s
    s.close()


def _set_status(db: Session, sid: int, status: str) -> None:
    db.execute(update(Submission).where(Submission.id == sid).values(status=status))
    db.commit()


def _steps(db: Session, sid: int) -> int:
    return int(db.execute(select(func.count()).where(SubmissionStep.submission_id == sid)).scalar_one())


def _events(db: Session, sid: int) -> int:
    return int(
        db.execute(
            select(func.count()).where(
                AuditEvent.object_type == "submission", AuditEvent.object_id == str(sid)
            )
        ).scalar_one()
    )


def test_every_move_of_every_demo_role_in_the_store(db: Session) -> None:
    """Through the store: in scope, each (role, state, move) does what the table says,
    with one step and one audit event per success and nothing on a refusal."""
    sid = make_submission(db)
    ctxs = {role: ctx_for(db, user) for role, user in IN_SCOPE.items()}
    for role, state, move in itertools.product(ROLES, STATES, MOVES):
        if move == "verify":
            continue  # recomputes the inventory: tested below
        _set_status(db, sid, state)
        steps, events = _steps(db, sid), _events(db, sid)
        want = "public-notfound" if role == "public" else expected(role, state, move)
        comment = "请补充发票 / invoices missing" if move == "return" else ""
        if isinstance(want, str) and want != "public-notfound":
            out = workflow.make_move(ctxs[role], sid, move, comment)
            assert (out["from_status"], out["status"]) == (state, want)
            assert db.get(Submission, sid).status == want  # type: ignore[union-attr]
            assert (_steps(db, sid), _events(db, sid)) == (steps + 1, events + 1)
            continue
        exc = NotFound if want == "public-notfound" else want
        with pytest.raises(exc):  # type: ignore[arg-type]
            workflow.make_move(ctxs[role], sid, move, comment)
        db.expire_all()
        assert db.get(Submission, sid).status == state  # type: ignore[union-attr]
        assert (_steps(db, sid), _events(db, sid)) == (steps, events)


def _own(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The test's own submissions (years after the demo's, whose approved figures are the
    province's bulk load)."""
    return [r for r in rows if r["year"] >= 2026]


def _in_work(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Counts by city without the demo's approved bulk-loaded submissions."""
    out = {c: {k: v for k, v in by.items() if k != "approved"} for c, by in counts.items()}
    return {c: by for c, by in out.items() if by}


@pytest.mark.parametrize("user", ["city-chenzhou", "ent-loudi-sb", "public"])
def test_out_of_scope_is_not_found_for_every_move(db: Session, user: str) -> None:
    sid = make_submission(db)
    ctx = ctx_for(db, user)
    for state, move in itertools.product(STATES, MOVES):
        _set_status(db, sid, state)
        with pytest.raises(NotFound):
            workflow.make_move(ctx, sid, move, "x")
    with pytest.raises(NotFound):
        workflow.get(ctx, sid)
    with pytest.raises(NotFound):
        workflow.history(ctx, sid)
    assert _own(workflow.queue(ctx)) == []


def test_an_unassigned_verifier_sees_nothing(db: Session) -> None:
    sid = make_submission(db, LOUDI_SB)  # Loudi: not in park shuikoushan
    _set_status(db, sid, "submitted")
    ctx = ctx_for(db, "verifier")
    with pytest.raises(NotFound):
        workflow.start_verification(ctx, sid)
    assert sid not in {r["id"] for r in workflow.queue(ctx)}
    assert _in_work(workflow.counts_by_city(ctx)) == {}


def test_submit_needs_an_imported_version_and_return_needs_a_comment(db: Session) -> None:
    sid = make_submission(db, versions=0)
    with pytest.raises(Conflict) as err:
        workflow.submit(ctx_for(db, "ent-hengyang-pbzn"), sid)
    assert err.value.code == "workflow_no_version"
    sid2 = make_submission(db, year=2027, status="submitted")
    with pytest.raises(InputError) as bad:
        workflow.return_submission(ctx_for(db, "verifier"), sid2, "   ")
    assert bad.value.problems[0].column == "comment"
    assert db.get(Submission, sid2).status == "submitted"  # type: ignore[union-attr]


def test_the_system_console_may_make_any_move_of_the_table(db: Session) -> None:
    sid = make_submission(db, status="submitted")
    ctx = Context(db=db, principal=SYSTEM, request_id="cli")
    assert workflow.start_verification(ctx, sid)["status"] == "under_verification"
    with pytest.raises(Conflict):
        workflow.approve(ctx, sid)


def test_history_lists_each_step_with_who_and_when(db: Session) -> None:
    sid = make_submission(db)
    workflow.submit(ctx_for(db, "ent-hengyang-pbzn"), sid, "首次提交")
    workflow.start_verification(ctx_for(db, "verifier"), sid)
    workflow.return_submission(ctx_for(db, "verifier"), sid, "缺少 3 月电费发票")
    h = workflow.history(ctx_for(db, "city-hengyang"), sid)
    assert [(s["from_status"], s["to_status"], s["actor"], s["role"]) for s in h["steps"]] == [
        ("draft", "submitted", "ent-hengyang-pbzn", "enterprise"),
        ("submitted", "under_verification", "verifier", "verifier"),
        ("under_verification", "returned", "verifier", "verifier"),
    ]
    assert h["steps"][2]["comment"] == "缺少 3 月电费发票"
    assert all(s["created_at"].endswith("Z") for s in h["steps"])
    assert h["steps"][0]["actor_name"] == "常宁溪成铅锌冶炼有限公司能源管理员（示例）"
    assert [e["action"] for e in h["events"]] == [
        "submission.submit",
        "submission.start_verification",
        "submission.return",
    ]
    assert json.loads(h["events"][2]["after"])["comment"] == "缺少 3 月电费发票"


def test_queues_and_counts_by_city_follow_scope(db: Session) -> None:
    a = make_submission(db, status="verified")
    b = make_submission(db, LOUDI_SB, status="verified")
    c = make_submission(db, year=2027, status="submitted")
    prov = ctx_for(db, "province")
    assert {r["id"] for r in workflow.queue(prov, statuses=["verified"])} == {a, b}
    assert _in_work(workflow.counts_by_city(prov)) == {
        "430400": {"verified": 1, "submitted": 1},
        "431300": {"verified": 1},
    }
    city = ctx_for(db, "city-hengyang")
    assert {r["id"] for r in _own(workflow.queue(city))} == {a, c}
    assert _in_work(workflow.counts_by_city(city)) == {"430400": {"verified": 1, "submitted": 1}}
    ver = ctx_for(db, "verifier")
    assert {r["id"] for r in workflow.queue(ver, statuses=["submitted", "under_verification"])} == {c}
    assert workflow.allowed_moves(ver, c) == ["start_verification", "return"]
    assert workflow.allowed_moves(city, a) == ["approve", "return"]
    assert workflow.allowed_moves(ctx_for(db, "ent-hengyang-pbzn"), a) == []


# --- adjustments ---------------------------------------------------------------------------


def test_an_adjustment_keeps_the_original_and_converts_the_unit(db: Session) -> None:
    sid = make_submission(db, status="under_verification")
    vid = value_ids(db, sid)[0]
    ctx = ctx_for(db, "verifier")
    out = workflow.adjust(ctx, vid, "0.0815", "万t", "按发票核减 / per invoice")
    assert out["quantity"] == pytest.approx(815.0)
    assert (out["quantity_in"], out["unit_in"], out["unit"]) == (0.0815, "万t", "t")
    original = db.get(SubmissionValue, vid)
    assert original is not None and original.quantity == 810.0
    rows = workflow.figures(ctx, sid)["rows"]
    row = next(r for r in rows if r["value_id"] == vid)
    assert row["quantity"] == 810.0 and row["effective_quantity"] == pytest.approx(815.0)
    assert row["adjustments"][0]["reason"] == "按发票核减 / per invoice"
    events = workflow.history(ctx, sid)["events"]
    assert events[-1]["action"] == "submission.adjust"
    assert json.loads(events[-1]["before"])["quantity"] == 810.0


@pytest.mark.parametrize(
    ("quantity", "unit", "reason", "codes"),
    [
        ("12", "t", "", {"required"}),
        ("abc", "t", "r", {"not_a_number"}),
        ("-1", "t", "r", {"negative"}),
        ("nan", "t", "r", {"not_finite"}),
        ("5", "kWh", "r", {"wrong_dimension"}),
        ("5", "furlong-ish", "r", {"unknown_unit"}),
        ("x", "kWh", "", {"required", "not_a_number", "wrong_dimension"}),
    ],
)
def test_a_bad_adjustment_lists_every_problem_and_changes_nothing(
    db: Session, quantity: str, unit: str, reason: str, codes: set[str]
) -> None:
    sid = make_submission(db, status="under_verification")
    vid = value_ids(db, sid)[0]
    with pytest.raises(InputError) as err:
        workflow.adjust(ctx_for(db, "verifier"), vid, quantity, unit, reason)
    assert not isinstance(err.value, UnitError) or codes <= {"wrong_dimension", "unknown_unit"}
    assert {p.code for p in err.value.problems} == codes
    assert all(p.message_zh and p.message_en for p in err.value.problems)
    assert workflow.figures(ctx_for(db, "verifier"), sid)["rows"][0]["adjustments"] == []


def test_only_the_assigned_verifier_adjusts_and_only_under_verification(db: Session) -> None:
    sid = make_submission(db, status="under_verification")
    vid = value_ids(db, sid)[0]
    for user in ("ent-hengyang-pbzn", "city-hengyang", "province"):
        with pytest.raises(PermissionDenied):
            workflow.adjust(ctx_for(db, user), vid, "1", "t", "r")
    for user in ("ent-loudi-sb", "city-chenzhou"):
        with pytest.raises(NotFound):
            workflow.adjust(ctx_for(db, user), vid, "1", "t", "r")
    with pytest.raises(NotFound):
        workflow.adjust(Context(db=db, principal=PUBLIC), vid, "1", "t", "r")
    _set_status(db, sid, "submitted")
    with pytest.raises(Conflict):
        workflow.adjust(ctx_for(db, "verifier"), vid, "1", "t", "r")


def test_a_figure_of_an_older_version_cannot_be_adjusted(db: Session) -> None:
    sid = make_submission(db, status="under_verification", versions=2)
    sub = db.get(Submission, sid)
    assert sub is not None
    old = db.execute(
        select(SubmissionValue.id)
        .join(SubmissionVersion, SubmissionVersion.id == SubmissionValue.version_id)
        .where(SubmissionVersion.submission_id == sid, SubmissionValue.version_id != sub.current_version_id)
        .limit(1)
    ).scalar_one()
    with pytest.raises(Conflict) as err:
        workflow.adjust(ctx_for(db, "verifier"), old, "1", "t", "r")
    assert err.value.code == "workflow_stale_value"


def test_verify_recomputes_the_inventory_by_exactly_the_adjustment(db: Session) -> None:
    """An adjustment of January's coal from 810 t to 0.1 万t (1 000 t) changes the verified
    inventory by 190 t × that line's own factor (CO2e per t), and nothing else."""
    from carbonpeak.service.inventories import inventory
    from carbonpeak.service.reporting import intake

    sid = make_submission(db, status="submitted")
    verifier = ctx_for(db, "verifier")
    workflow.start_verification(verifier, sid)
    sub = db.get(Submission, sid)
    assert sub is not None and sub.current_version_id is not None
    before_id = intake.compute_inventory(ctx_for(db, "province"), sub.current_version_id)
    db.commit()
    vid = value_ids(db, sid)[0]  # L01 bituminous coal, January: 810 t
    workflow.adjust(verifier, vid, "0.1", "万t", "核定 / per the weighbridge log")
    out = workflow.verify(verifier, sid, "核查完成")
    assert out["inventory_run_id"] is not None and out["inventory_run_id"] != before_id
    ctx = ctx_for(db, "province")
    before = inventory.get_run(ctx, before_id)
    after = inventory.get_run(ctx, out["inventory_run_id"])

    def key(ln: dict[str, object]) -> tuple[object, ...]:
        return (ln["line"], ln["item"], ln["period"])

    old = {key(ln): ln for ln in before["lines"]}
    new = {key(ln): ln for ln in after["lines"]}
    assert old.keys() == new.keys()
    jan = ("L01", "bituminous_coal", "2026-01")
    assert (old[jan]["quantity"], new[jan]["quantity"]) == (810.0, pytest.approx(1000.0))
    per_t = float(old[jan]["co2e_t"]) / 810.0  # type: ignore[arg-type]
    assert per_t > 1.0  # bituminous coal: about 2 t CO2 per t
    assert float(new[jan]["co2e_t"]) == pytest.approx(1000.0 * per_t, rel=1e-12)  # type: ignore[arg-type]
    for k in old.keys() - {jan}:
        assert new[k]["co2e_t"] == pytest.approx(old[k]["co2e_t"], rel=1e-12), k
    t_before, t_after = before["totals"]["total"]["co2e_t"], after["totals"]["total"]["co2e_t"]
    assert t_after - t_before == pytest.approx(190.0 * per_t, rel=1e-9)
    original = db.get(SubmissionValue, vid)
    assert original is not None and original.quantity == 810.0  # the original stays


# --- property: any sequence of attempts only passes through allowed moves -------------------

_years = itertools.count(3000)
USERS = [*IN_SCOPE.values(), "city-chenzhou", "ent-loudi-sb"]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=st.lists(st.tuples(st.sampled_from(USERS), st.sampled_from(MOVES)), min_size=1, max_size=12))
def test_any_sequence_of_attempts_follows_the_table(db: Session, attempts: list[tuple[str, str]]) -> None:
    sid = make_submission(db, year=next(_years))
    ctxs = {u: ctx_for(db, u) for u in USERS}
    state, successes = "draft", 0
    for user, move in attempts:
        try:
            out = workflow.make_move(ctxs[user], sid, move, "意见 / comment")
        except (PermissionDenied, Conflict, NotFound):
            db.expire_all()
            assert db.get(Submission, sid).status == state  # type: ignore[union-attr]
            continue
        role = ctxs[user].principal.role.value
        assert user in IN_SCOPE.values()
        assert ALLOWED[(role, state, move)] == out["status"]
        state, successes = out["status"], successes + 1
    steps = db.execute(
        select(SubmissionStep).where(SubmissionStep.submission_id == sid).order_by(SubmissionStep.id)
    )
    chain = [(s.from_status, s.to_status) for s in steps.scalars()]
    assert len(chain) == successes == _events(db, sid)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chain))
    assert (chain[-1][1] if chain else "draft") == state


# --- the command line ------------------------------------------------------------------------


def test_the_cli_walks_a_submission_as_the_system_console(store: str) -> None:
    from typer.testing import CliRunner

    from carbonpeak.cli.main import app

    with sessionmaker_for(store)() as db:
        sid = make_submission(db)
    run = CliRunner()
    for args in (
        ["submit", str(sid), "-m", "CLI"],
        ["start-verification", str(sid)],
        ["return", str(sid), "-m", "缺少发票"],
    ):
        r = run.invoke(app, ["submission", *args])
        assert r.exit_code == 0, r.output
    r = run.invoke(app, ["submission", "approve", str(sid)])
    assert r.exit_code == 2
    assert "已退回" in r.output and "returned" in r.output
    r = run.invoke(app, ["submission", "show", str(sid)])
    assert r.exit_code == 0
    assert r.output.count("system") >= 3 and "缺少发票" in r.output
    r = run.invoke(app, ["submission", "list", "--status", "returned"])
    assert r.exit_code == 0 and "1 submissions" in r.output


@pytest.mark.skipif(
    not IS_PG, reason="row locks (SELECT … FOR UPDATE) are PostgreSQL's; SQLite serialises writers"
)
def test_two_moves_at_once_make_one_step(demo_url: str) -> None:
    """A move locks the submission row: a second move waits, then sees the new state."""
    make = sessionmaker_for(demo_url)
    with make() as setup:
        sid = make_submission(setup, status="submitted")
    a, b = make(), make()
    try:
        ctx_a, ctx_b = ctx_for(a, "verifier"), ctx_for(b, "verifier")
        a.commit()
        b.commit()
        workflow.load_visible(ctx_a, sid, lock=True)  # A holds the row
        outcome: list[object] = []

        def second() -> None:
            try:
                outcome.append(workflow.start_verification(ctx_b, sid))
            except Conflict as exc:
                outcome.append(exc)

        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.5)
        assert t.is_alive()  # B waits for A's lock
        assert workflow.start_verification(ctx_a, sid)["status"] == "under_verification"
        t.join(10)
        assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
        assert _steps(a, sid) == 1
    finally:
        a.close()
        b.close()
