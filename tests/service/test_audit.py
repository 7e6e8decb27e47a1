"""The audit trail: every change is an event; the chain catches edits and deletions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from carbonpeak.model.schemas import EnterpriseUpdate
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.registry import enterprises
from carbonpeak.store.db import engine_for, sessionmaker_for
from carbonpeak.store.models import AuditEvent


def _ctx(url: str) -> Context:
    return Context(db=sessionmaker_for(url)(), principal=SYSTEM, request_id="req-test")


def _drop_triggers(url: str) -> None:
    """What an attacker with database access would do first."""
    with engine_for(url).begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_event_append_only ON audit_event")


def test_a_change_writes_an_event_with_who_when_before_after(demo_url: str) -> None:
    ctx = _ctx(demo_url)
    ent = enterprises.list_enterprises(ctx)[0]
    enterprises.update_enterprise(ctx, ent.id, EnterpriseUpdate(name_en="Renamed Co. (demo)"))
    last = ctx.db.execute(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert last is not None
    assert (last.action, last.object_type, last.object_id) == ("enterprise.change", "enterprise", str(ent.id))
    assert (last.actor, last.request_id) == ("system", "req-test")
    assert last.before is not None and ent.name_en in last.before
    assert last.after is not None and "Renamed Co. (demo)" in last.after
    assert last.ts.endswith("Z")
    checked, problems = audit.verify(ctx.db)
    assert problems == [] and checked == last.id


def test_the_table_refuses_update_and_delete(demo_url: str) -> None:
    eng = engine_for(demo_url)
    with pytest.raises(DBAPIError, match="append-only"), eng.begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == 1).values(actor="mallory"))
    with pytest.raises(DBAPIError, match="append-only"), eng.begin() as conn:
        conn.execute(sa.delete(AuditEvent).where(AuditEvent.id == 1))


def test_verify_catches_an_edited_row(demo_url: str) -> None:
    _drop_triggers(demo_url)
    with engine_for(demo_url).begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == 3).values(after='{"forged":true}'))
    _checked, problems = audit.verify(_ctx(demo_url).db)
    assert [(p.event_id, p.kind) for p in problems] == [(3, "edited")]


def test_verify_catches_a_row_edited_with_a_recomputed_hash(demo_url: str) -> None:
    _drop_triggers(demo_url)
    db = _ctx(demo_url).db
    e = db.get(AuditEvent, 2)
    assert e is not None
    fields = {
        k: getattr(e, k)
        for k in (
            "id",
            "ts",
            "actor_id",
            "actor",
            "role",
            "request_id",
            "action",
            "object_type",
            "object_id",
            "before",
            "after",
        )
    }
    fields["actor"] = "mallory"
    forged = audit.event_hash(e.prev_hash, fields)
    db.close()
    with engine_for(demo_url).begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == 2).values(actor="mallory", hash=forged))
    _checked, problems = audit.verify(_ctx(demo_url).db)
    assert (3, "broken_link") in [(p.event_id, p.kind) for p in problems]


def test_verify_catches_a_deleted_row_in_the_middle(demo_url: str) -> None:
    _drop_triggers(demo_url)
    with engine_for(demo_url).begin() as conn:
        conn.execute(sa.delete(AuditEvent).where(AuditEvent.id == 5))
    _checked, problems = audit.verify(_ctx(demo_url).db)
    kinds = {(p.event_id, p.kind) for p in problems}
    assert (5, "missing") in kinds and (6, "broken_link") in kinds


def test_verify_catches_a_deleted_tail(demo_url: str) -> None:
    _drop_triggers(demo_url)
    with engine_for(demo_url).begin() as conn:
        last = conn.execute(sa.select(sa.func.max(AuditEvent.id))).scalar_one()
        conn.execute(sa.delete(AuditEvent).where(AuditEvent.id == last))
    _checked, problems = audit.verify(_ctx(demo_url).db)
    assert [p.kind for p in problems] == ["head_mismatch"]


def test_a_failed_change_leaves_no_event(demo_url: str) -> None:
    ctx = _ctx(demo_url)
    before = ctx.db.execute(sa.select(sa.func.count(AuditEvent.id))).scalar_one()
    with pytest.raises(LookupError):
        enterprises.update_enterprise(ctx, 999_999, EnterpriseUpdate(name_en="x"))
    assert ctx.db.execute(sa.select(sa.func.count(AuditEvent.id))).scalar_one() == before
