"""The append-only audit trail: a hash chain keyed with the secret, anchored by signed checkpoints.

Each event stores who (actor, role), when (UTC), the server's request id, the action, the
object and its JSON before/after, plus ``prev_hash`` and ``hash``::

    hash_n = HMAC-SHA256( K, hash_{n-1} + canonical_json(id, ts, actor_id, actor, role,
                                                         request_id, action, object_type,
                                                         object_id, before, after) )
    K      = HMAC-SHA256( CARBONPEAK_SECRET_KEY, "carbonpeak/audit-chain/v1" )

Ids are consecutive from 1 and the head row (``audit_head``) holds the last id and hash.

**Keyed segments.** Stores written before the chain was keyed hold events hashed with plain
SHA-256 (``sha256(hash_{n-1} + canonical_json(…))``). They stay verifiable: the first time a
key is used, :func:`record` appends an ``audit.chain_keyed`` event (object type
``audit_chain``, object id the key's id :func:`key_id`, a fingerprint that reveals nothing of
the key) and hashes it and every later event with that key. :func:`verify` checks events
before the first marker with SHA-256 and from each marker on with the key the marker names.
The marker's HMAC covers the last plain hash, so the plain prefix cannot be rewritten either.
A new secret key starts a new segment the same way; the earlier segment verifies with the
old key (``carbonpeak audit verify --old-secret-file``).

**What verify detects** (each a :class:`AuditProblem`):

========================  ======================================================================
``edited``                a row whose hash does not match its content — also an edit followed by
                          recomputing every later hash, since without the key the recomputed
                          hashes are not valid HMACs
``missing``               a gap in the ids (rows deleted in the middle)
``broken_link``           ``prev_hash`` differs from the preceding event's hash
``head_mismatch``         the head points past the chain's end (tail deleted, head left alone)
``unkeyed``               events but no ``audit.chain_keyed`` marker: written by an old version
                          and not yet keyed, or the marker removed and the chain rehashed
``unknown_key``           a segment keyed with a secret key not given to verify
``truncated``             a checkpoint names an event beyond the chain's end: the tail was
                          deleted *and* the head moved back
``checkpoint_mismatch``   a checkpoint's event has another hash: the chain was rewritten
``checkpoint_invalid``    a checkpoint whose signature does not verify (forged, edited, or signed
                          with another key)
========================  ======================================================================

**Checkpoints** anchor the head outside the table: a line of JSON with the last id, the last
hash, the time in Beijing time (UTC+8), the key id and an HMAC signature over them
(:func:`sign_checkpoint`). ``carbonpeak audit checkpoint`` writes one for the operator to keep;
with ``CARBONPEAK_AUDIT_CHECKPOINT_DIR`` set the server appends one to
``audit-checkpoints.jsonl`` there every ``CARBONPEAK_AUDIT_CHECKPOINT_EVERY`` events (after the
transaction commits, never for a rolled-back event).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session, SessionTransaction

from carbonpeak.errors import InputError, IntegrityViolation, Problem
from carbonpeak.model import Principal
from carbonpeak.service.platform.context import SYSTEM, Context, transactional
from carbonpeak.settings import get_settings
from carbonpeak.store.models import AuditEvent, AuditHead

__all__ = [
    "BEIJING",
    "CHECKPOINT_FILE",
    "GENESIS_HASH",
    "MARKER_ACTION",
    "MARKER_TYPE",
    "AuditProblem",
    "Checkpoint",
    "chain_key",
    "checkpoint_ok",
    "current_key",
    "event_hash",
    "key_id",
    "now_iso",
    "read_checkpoints",
    "record",
    "sign_checkpoint",
    "take_checkpoint",
    "to_json",
    "verify",
]

log = logging.getLogger("carbonpeak.audit")

GENESIS_HASH: Final = "0" * 64
#: The event that starts a keyed segment of the chain.
MARKER_ACTION: Final = "audit.chain_keyed"
MARKER_TYPE: Final = "audit_chain"
#: Beijing time (China Standard Time, UTC+8, no daylight saving) for checkpoint timestamps.
BEIJING: Final = dt.timezone(dt.timedelta(hours=8), "CST")
#: The file the server appends its checkpoints to, in ``CARBONPEAK_AUDIT_CHECKPOINT_DIR``.
CHECKPOINT_FILE: Final = "audit-checkpoints.jsonl"
CHECKPOINT_FORMAT: Final = "carbonpeak-audit-checkpoint/1"

_CHAIN_LABEL: Final = b"carbonpeak/audit-chain/v1"
_KEY_ID_LABEL: Final = b"carbonpeak/audit-key-id/v1"
_CHECKPOINT_LABEL: Final = "carbonpeak/audit-checkpoint/v1\n"
_PENDING: Final = "carbonpeak.audit.pending_checkpoint"
_KEYED: Final = "carbonpeak.audit.keyed_in_transaction"


def now_iso() -> str:
    """Current UTC time as ISO-8601 text with microseconds and a ``Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_json(obj: Mapping[str, Any] | None) -> str | None:
    """Canonical JSON (sorted keys, no spaces, UTF-8 kept) or None."""
    if obj is None:
        return None
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


# --- keys and hashes --------------------------------------------------------------------------


def chain_key(secret: bytes) -> bytes:
    """The audit chain's key K derived from the secret key (never the secret itself)."""
    return hmac.new(secret, _CHAIN_LABEL, hashlib.sha256).digest()


def current_key() -> bytes:
    """K for the configured ``CARBONPEAK_SECRET_KEY``."""
    return chain_key(get_settings().secret_bytes)


def key_id(key: bytes) -> str:
    """A public 16-hex-digit fingerprint of K: names the key of a segment or a checkpoint."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def event_hash(prev_hash: str, fields: Mapping[str, Any], key: bytes | None = None) -> str:
    """HMAC-SHA256 under *key* of ``prev_hash + canonical JSON``; plain SHA-256 without a key
    (the events written before the chain was keyed)."""
    payload = (
        prev_hash + json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


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


def _is_marker(e: AuditEvent) -> bool:
    return e.action == MARKER_ACTION and e.object_type == MARKER_TYPE


# --- writing ------------------------------------------------------------------------------------


def _append(
    db: Session,
    head: AuditHead,
    key: bytes,
    principal: Principal,
    request_id: str,
    action: str,
    object_type: str,
    object_id: Any,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> AuditEvent:
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
    event.hash = event_hash(head.last_hash, _fields(event), key)
    db.add(event)
    head.last_id, head.last_hash = event.id, event.hash
    return event


def _ensure_keyed(db: Session, head: AuditHead, key: bytes, request_id: str) -> AuditEvent | None:
    """Append an ``audit.chain_keyed`` marker unless the newest marker names *key*."""
    kid = key_id(key)
    if db.info.get(_KEYED) == kid:  # checked already in this transaction
        return None
    db.info[_KEYED] = kid
    latest = db.execute(
        select(AuditEvent.object_id)
        .where(AuditEvent.object_type == MARKER_TYPE, AuditEvent.action == MARKER_ACTION)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest == kid:
        return None
    previous = {"scheme": "hmac-sha256", "key_id": latest} if latest else {"scheme": "sha256"}
    after = {"scheme": "hmac-sha256", "key_id": kid}
    return _append(db, head, key, SYSTEM, request_id, MARKER_ACTION, MARKER_TYPE, kid, previous, after)


def record(
    db: Session,
    principal: Principal,
    request_id: str,
    action: str,
    object_type: str,
    object_id: Any,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    *,
    key: bytes | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (the head row is locked meanwhile), keyed
    with *key* (default: :func:`current_key`); a key's first use appends its marker first."""
    key = current_key() if key is None else key
    head = db.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    marker = _ensure_keyed(db, head, key, request_id)
    event = _append(db, head, key, principal, request_id, action, object_type, object_id, before, after)
    db.flush()
    _maybe_schedule_checkpoint(db, key, [e for e in (marker, event) if e is not None])
    return event


# --- checkpoints ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment, signed with K: ``last_id``, ``last_hash``, ``at`` (Beijing
    time), ``key_id`` and ``signature`` (HMAC-SHA256 over the other fields)."""

    last_id: int
    last_hash: str
    at: str
    key_id: str
    signature: str
    format: str = CHECKPOINT_FORMAT

    def signed_part(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "last_id": self.last_id,
            "last_hash": self.last_hash,
            "at": self.at,
            "key_id": self.key_id,
        }

    def to_line(self) -> str:
        """One line of JSON (no newline)."""
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _signature(key: bytes, part: Mapping[str, Any]) -> str:
    text = _CHECKPOINT_LABEL + json.dumps(part, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def sign_checkpoint(last_id: int, last_hash: str, key: bytes, at: dt.datetime | None = None) -> Checkpoint:
    """A checkpoint of the head (*last_id*, *last_hash*) signed with *key*."""
    when = (at or dt.datetime.now(BEIJING)).astimezone(BEIJING).isoformat(timespec="seconds")
    unsigned = Checkpoint(last_id, last_hash, when, key_id(key), "")
    return Checkpoint(last_id, last_hash, when, unsigned.key_id, _signature(key, unsigned.signed_part()))


def checkpoint_ok(cp: Checkpoint, keys: Iterable[bytes]) -> bool:
    """Whether *cp*'s signature verifies under the one of *keys* its ``key_id`` names."""
    for key in keys:
        if key_id(key) == cp.key_id:
            return hmac.compare_digest(_signature(key, cp.signed_part()), cp.signature)
    return False


_CP_FIELDS: Final = {
    "last_id": int,
    "last_hash": str,
    "at": str,
    "key_id": str,
    "signature": str,
    "format": str,
}


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """The checkpoints in a JSON Lines file (one per line, blank lines skipped); every bad line
    is a located problem of one :class:`InputError`."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            [
                Problem(
                    "bad_file", file=str(path), fields={"reason": f"audit checkpoint: {type(exc).__name__}"}
                )
            ]
        ) from None
    out: list[Checkpoint] = []
    problems: list[Problem] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict) or raw.get("format") != CHECKPOINT_FORMAT:
                raise ValueError("not a carbonpeak audit checkpoint")
            values = {k: raw[k] for k in _CP_FIELDS}
            if any(type(values[k]) is not t for k, t in _CP_FIELDS.items()):
                raise ValueError("a field has the wrong type")
            out.append(Checkpoint(**values))
        except (ValueError, KeyError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            problems.append(
                Problem(
                    "bad_file",
                    file=str(path),
                    row=n,
                    fields={"reason": f"audit checkpoint, line {n}: {reason}"},
                )
            )
    if problems:
        raise InputError(problems)
    return out


def _maybe_schedule_checkpoint(db: Session, key: bytes, events: Sequence[AuditEvent]) -> None:
    settings = get_settings()
    if settings.audit_checkpoint_dir is None:
        return
    for e in events:
        if e.id % settings.audit_checkpoint_every == 0:
            db.info[_PENDING] = (settings.audit_checkpoint_dir, sign_checkpoint(e.id, e.hash, key))


@sa_event.listens_for(Session, "after_commit")
def _write_pending_checkpoint(db: Session) -> None:
    pending = db.info.pop(_PENDING, None)
    if pending is None:
        return
    folder, cp = pending
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        with (Path(folder) / CHECKPOINT_FILE).open("a", encoding="utf-8") as f:
            f.write(cp.to_line() + "\n")
    except OSError as exc:  # committed already: the change stands, the operator is told
        log.error("could not append audit checkpoint #%d to %s: %s", cp.last_id, folder, exc)


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_transaction_state(db: Session, transaction: SessionTransaction) -> None:
    db.info.pop(_KEYED, None)  # the next transaction looks for the marker again
    if transaction.parent is None:  # the outermost transaction ended (a commit popped it already)
        db.info.pop(_PENDING, None)


@transactional
def take_checkpoint(ctx: Context) -> Checkpoint:
    """Key the chain if it is not yet (its marker is audited), verify it, and sign its head.

    Raises :class:`IntegrityViolation` (and keeps nothing) if the chain does not verify."""
    key = current_key()
    head = ctx.db.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    _ensure_keyed(ctx.db, head, key, ctx.request_id)
    ctx.db.flush()
    last_id, last_hash = head.last_id, head.last_hash
    _checked, problems = verify(ctx.db, keys=[key])
    if problems:
        raise IntegrityViolation(detail="; ".join(f"#{p.event_id} {p.kind}" for p in problems[:20]))
    return sign_checkpoint(last_id, last_hash, key)


# --- verifying ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditProblem:
    """A place where the chain does not verify (``kind``: see the module docstring)."""

    event_id: int
    kind: str
    detail: str


def verify(
    db: Session,
    batch: int = 5000,
    *,
    keys: Sequence[bytes] | None = None,
    checkpoints: Sequence[Checkpoint] = (),
) -> tuple[int, list[AuditProblem]]:
    """Walk the chain; return (events checked, problems). No problems means intact.

    *keys*: the chain keys segments may use (default: the configured one); *checkpoints*: the
    heads an operator kept, each of which must still be on the chain."""
    keys = [current_key()] if keys is None else list(keys)
    by_id = {key_id(k): k for k in keys}
    wanted = {cp.last_id for cp in checkpoints}
    seen: dict[int, str] = {}
    problems: list[AuditProblem] = []
    prev_hash, expected_id, checked, last_id = GENESIS_HASH, 1, 0, 0
    key: bytes | None = None  # the segment's key; None before the first marker (plain SHA-256)
    keyed = known = False
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
            if _is_marker(e):
                keyed, key = True, by_id.get(e.object_id)
                known = key is not None
                if not known:
                    problems.append(
                        AuditProblem(
                            e.id,
                            "unknown_key",
                            f"events from {e.id} on are keyed with another secret key (key id "
                            f"{e.object_id}): verify them with that key (--old-secret-file)",
                        )
                    )
            if (known or not keyed) and event_hash(e.prev_hash, _fields(e), key) != e.hash:
                problems.append(
                    AuditProblem(e.id, "edited", "the stored hash does not match the row's content")
                )
            if e.id in wanted:
                seen[e.id] = e.hash
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
    if checked and not keyed:
        problems.append(
            AuditProblem(
                last_id,
                "unkeyed",
                f"no {MARKER_ACTION} event: the chain is not keyed yet (run carbonpeak audit "
                "checkpoint once after upgrading) or its marker was removed and the chain rehashed",
            )
        )
    problems.extend(_check_points(checkpoints, keys, seen, last_id))
    return checked, problems


def _check_points(
    checkpoints: Sequence[Checkpoint], keys: Sequence[bytes], seen: Mapping[int, str], last_id: int
) -> list[AuditProblem]:
    problems = []
    for cp in checkpoints:
        if not checkpoint_ok(cp, keys):
            problems.append(
                AuditProblem(
                    cp.last_id,
                    "checkpoint_invalid",
                    f"the checkpoint of {cp.at} is not signed with a known key (forged, edited, or "
                    f"signed with another secret key: key id {cp.key_id})",
                )
            )
        elif cp.last_id > last_id:
            problems.append(
                AuditProblem(
                    cp.last_id,
                    "truncated",
                    f"the checkpoint of {cp.at} records event {cp.last_id} but the chain ends at "
                    f"{last_id}: events {last_id + 1}..{cp.last_id} were deleted and the head moved back",
                )
            )
        elif cp.last_id > 0 and seen.get(cp.last_id) != cp.last_hash:
            problems.append(
                AuditProblem(
                    cp.last_id,
                    "checkpoint_mismatch",
                    f"event {cp.last_id} is missing or has another hash than the checkpoint of "
                    f"{cp.at} records: the chain up to it was rewritten",
                )
            )
    return problems
