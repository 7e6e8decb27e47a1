"""The append-only audit trail, chained by SHA-256.

Each event stores who (actor, role), when (UTC), the request id, the action, the object
and its JSON before/after, plus ``prev_hash`` and ``hash``::

    hash_n = sha256( hash_{n-1} + canonical_json(id, ts, actor_id, actor, role,
                                                 request_id, action, object_type,
                                                 object_id, before, after) )

Ids are consecutive from 1 and the head row holds the last id and hash, so
:func:`verify` detects an edited row (its hash no longer matches), a deleted row in the
middle (a gap or a broken link) and a deleted tail (the head points past the end).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.model import Principal
from carbonpeak.store.models import AuditEvent, AuditHead

__all__ = ["GENESIS_HASH", "AuditProblem", "event_hash", "now_iso", "record", "to_json", "verify"]

GENESIS_HASH = "0" * 64


def now_iso() -> str:
    """Current UTC time as ISO-8601 text with microseconds and a ``Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_json(obj: Mapping[str, Any] | None) -> str | None:
    """Canonical JSON (sorted keys, no spaces, UTF-8 kept) or None."""
    if obj is None:
        return None
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _fields(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "ts": e.ts,
        "actor_id": e.actor_id,
        "actor": e.actor,
        "role": e.role,
        "request_id": e.request_id,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "before": e.before,
        "after": e.after,
    }


def record(
    db: Session,
    principal: Principal,
    request_id: str,
    action: str,
    object_type: str,
    object_id: Any,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (the head row is locked meanwhile)."""
    head = db.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    event = AuditEvent(
        id=head.last_id + 1,
        ts=now_iso(),
        actor_id=principal.user_id,
        actor=principal.username,
        role=str(principal.role),
        request_id=request_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=to_json(before),
        after=to_json(after),
        prev_hash=head.last_hash,
        hash="",
    )
    event.hash = event_hash(head.last_hash, _fields(event))
    db.add(event)
    head.last_id, head.last_hash = event.id, event.hash
    db.flush()
    return event


@dataclass(frozen=True)
class AuditProblem:
    """A place where the chain does not verify."""

    event_id: int
    kind: str  # "edited", "missing", "broken_link", "head_mismatch"
    detail: str


def verify(db: Session, batch: int = 5000) -> tuple[int, list[AuditProblem]]:
    """Walk the chain; return (events checked, problems). No problems means intact."""
    problems: list[AuditProblem] = []
    prev_hash, expected_id, checked, last_id = GENESIS_HASH, 1, 0, 0
    while True:
        rows = (
            db.execute(select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch))
            .scalars()
            .all()
        )
        if not rows:
            break
        for e in rows:
            if e.id != expected_id:
                problems.append(
                    AuditProblem(expected_id, "missing", f"events {expected_id}..{e.id - 1} are missing")
                )
            if e.prev_hash != prev_hash:
                problems.append(
                    AuditProblem(e.id, "broken_link", "prev_hash does not match the preceding event")
                )
            if event_hash(e.prev_hash, _fields(e)) != e.hash:
                problems.append(
                    AuditProblem(e.id, "edited", "the stored hash does not match the row's content")
                )
            prev_hash, expected_id, last_id = e.hash, e.id + 1, e.id
            checked += 1
        db.expunge_all()
    head = db.get(AuditHead, 1)
    if head is None or head.last_id != last_id or head.last_hash != prev_hash:
        problems.append(
            AuditProblem(
                last_id,
                "head_mismatch",
                f"the chain ends at event {last_id} but the head records "
                f"{head.last_id if head else 'nothing'}: events after {last_id} were deleted "
                "or the head was altered",
            )
        )
    return checked, problems
