"""The keyed audit chain and its checkpoints: what an insider with database access (but not
the secret key) can no longer do quietly — issue 13's edit-and-rehash and tail deletion.

The attacker here drops the append-only triggers, edits rows, recomputes every later hash
(with plain SHA-256, or HMAC under a key they guessed) and moves the head — all of it as the
database owner could, none of it with ``CARBONPEAK_SECRET_KEY``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from carbonpeak.cli.main import app
from carbonpeak.errors import InputError, IntegrityViolation
from carbonpeak.model.schemas import EnterpriseUpdate
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.registry import enterprises
from carbonpeak.settings import get_settings
from carbonpeak.store.db import engine_for, sessionmaker_for
from carbonpeak.store.models import AuditEvent, AuditHead

FIELDS = (
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
runner = CliRunner()


def _ctx(url: str) -> Context:
    return Context(db=sessionmaker_for(url)(), principal=SYSTEM, request_id="req-test")


def _kinds(problems: list[audit.AuditProblem]) -> list[tuple[int, str]]:
    return [(p.event_id, p.kind) for p in problems]


def _verify(
    url: str, keys: list[bytes] | None = None, checkpoints: Sequence[audit.Checkpoint] = ()
) -> list[tuple[int, str]]:
    db = sessionmaker_for(url)()
    try:
        return _kinds(audit.verify(db, keys=keys, checkpoints=checkpoints)[1])
    finally:
        db.close()


def _drop_triggers(url: str) -> None:
    with engine_for(url).begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_event_append_only ON audit_event")


def _rows(conn: sa.Connection) -> list[dict[str, object]]:
    return [dict(r._mapping) for r in conn.execute(sa.select(AuditEvent).order_by(AuditEvent.id))]


def _rehash_from(url: str, first: int, hasher: Callable[[str, dict[str, object]], str]) -> None:
    """Recompute every hash from event *first* on with *hasher* and point the head at the end."""
    with engine_for(url).begin() as conn:
        prev = audit.GENESIS_HASH
        for row in _rows(conn):
            if int(row["id"]) >= first:  # type: ignore[call-overload]
                new = hasher(prev, {k: row[k] for k in FIELDS})
                conn.execute(
                    sa.update(AuditEvent).where(AuditEvent.id == row["id"]).values(prev_hash=prev, hash=new)
                )
                prev = new
            else:
                prev = str(row["hash"])
        last = conn.execute(sa.select(sa.func.max(AuditEvent.id))).scalar_one()
        conn.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(last_id=last, last_hash=prev))


def _checkpoint(url: str) -> audit.Checkpoint:
    return audit.take_checkpoint(_ctx(url))


def _change(url: str, name: str) -> None:
    ctx = _ctx(url)
    ent = enterprises.list_enterprises(ctx)[0]
    enterprises.update_enterprise(ctx, ent.id, EnterpriseUpdate(name_en=name))
    ctx.db.close()


def _plain(prev: str, fields: dict[str, object]) -> str:
    return audit.event_hash(prev, fields)


def _guessed_key(prev: str, fields: dict[str, object]) -> str:
    return audit.event_hash(prev, fields, audit.chain_key(b"carbonpeak-dev-secret-change-me!"))


def test_the_chain_is_keyed_from_a_marker_event(demo_url: str) -> None:
    key = audit.current_key()
    with engine_for(demo_url).connect() as conn:
        rows = _rows(conn)
    marker = rows[0]
    assert (marker["action"], marker["object_type"], marker["object_id"]) == (
        audit.MARKER_ACTION,
        audit.MARKER_TYPE,
        audit.key_id(key),
    )
    assert json.loads(str(marker["after"])) == {"scheme": "hmac-sha256", "key_id": audit.key_id(key)}
    # every event is an HMAC under the key, none a plain SHA-256 any more
    for row in rows:
        fields = {k: row[k] for k in FIELDS}
        assert row["hash"] == audit.event_hash(str(row["prev_hash"]), fields, key)
        assert row["hash"] != audit.event_hash(str(row["prev_hash"]), fields)
    assert len({r["object_id"] for r in rows if r["action"] == audit.MARKER_ACTION}) == 1
    assert _verify(demo_url) == []


@pytest.mark.parametrize("hasher", [_plain, _guessed_key], ids=["sha256", "guessed-key"])
def test_an_edit_followed_by_rehashing_every_later_event_is_caught(
    demo_url: str, hasher: Callable[[str, dict[str, object]], str]
) -> None:
    cp = _checkpoint(demo_url)
    _drop_triggers(demo_url)
    with engine_for(demo_url).begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == 3).values(actor="mallory"))
    _rehash_from(demo_url, 3, hasher)
    found = _verify(demo_url)
    # links and head are consistent again: only the keyed hashes give the rewrite away
    assert {k for _, k in found} == {"edited"}
    assert [i for i, _ in found] == list(range(3, cp.last_id + 1))
    assert (cp.last_id, "checkpoint_mismatch") in _verify(demo_url, checkpoints=[cp])


def test_a_deleted_tail_with_the_head_moved_back_needs_the_checkpoint(demo_url: str) -> None:
    _change(demo_url, "Renamed Co. (demo)")
    cp = _checkpoint(demo_url)
    _drop_triggers(demo_url)
    with engine_for(demo_url).begin() as conn:
        conn.execute(sa.delete(AuditEvent).where(AuditEvent.id > cp.last_id - 2))
        last_id, last_hash = conn.execute(
            sa.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).one()
        conn.execute(
            sa.update(AuditHead).where(AuditHead.id == 1).values(last_id=last_id, last_hash=last_hash)
        )
    assert _verify(demo_url) == []  # the table alone cannot tell: this is what the checkpoint is for
    assert _verify(demo_url, checkpoints=[cp]) == [(cp.last_id, "truncated")]


def test_an_edited_row_is_caught_and_the_checkpoint_still_verifies_the_rest(demo_url: str) -> None:
    cp = _checkpoint(demo_url)
    _drop_triggers(demo_url)
    with engine_for(demo_url).begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == 4).values(after='{"forged":true}'))
    assert _verify(demo_url, checkpoints=[cp]) == [(4, "edited")]


def test_removing_the_marker_and_rehashing_with_sha256_is_caught(demo_url: str) -> None:
    cp = _checkpoint(demo_url)
    _drop_triggers(demo_url)
    with engine_for(demo_url).begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == 1).values(action="enterprise.change"))
    _rehash_from(demo_url, 1, _plain)
    found = _verify(demo_url, checkpoints=[cp])
    assert [k for _, k in found] == ["unkeyed", "checkpoint_mismatch"]


def test_a_checkpoint_that_was_edited_or_signed_with_another_key_is_refused(demo_url: str) -> None:
    cp = _checkpoint(demo_url)
    forged = audit.Checkpoint(cp.last_id + 5, cp.last_hash, cp.at, cp.key_id, cp.signature)
    other = audit.sign_checkpoint(cp.last_id + 5, "f" * 64, audit.chain_key(b"x" * 40))
    assert audit.checkpoint_ok(cp, [audit.current_key()])
    assert _verify(demo_url, checkpoints=[forged, other]) == [
        (cp.last_id + 5, "checkpoint_invalid"),
        (cp.last_id + 5, "checkpoint_invalid"),
    ]
    assert cp.at.endswith("+08:00")  # Beijing time


def _legacy_record(conn: sa.Connection, n: int) -> None:
    """What the unkeyed version wrote: plain SHA-256 events."""
    head = conn.execute(sa.select(AuditHead.last_id, AuditHead.last_hash)).one()
    last_id, last_hash = int(head[0]), str(head[1])
    for i in range(last_id + 1, last_id + n + 1):
        fields = dict.fromkeys(FIELDS) | {
            "id": i,
            "ts": f"2025-01-0{i}T00:00:00.000000Z",
            "actor": "system",
            "role": "province",
            "request_id": "old",
            "action": "enterprise.add",
            "object_type": "enterprise",
            "object_id": str(i),
            "after": f'{{"n":{i}}}',
        }
        h = audit.event_hash(last_hash, fields)
        conn.execute(sa.insert(AuditEvent).values(**fields, prev_hash=last_hash, hash=h))
        last_id, last_hash = i, h
    conn.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(last_id=last_id, last_hash=last_hash))


def test_an_unkeyed_store_stays_verifiable_once_keyed(empty_url: str) -> None:
    with engine_for(empty_url).begin() as conn:
        assert conn.execute(sa.select(sa.func.count(AuditEvent.id))).scalar_one() == 0
        _legacy_record(conn, 3)
    assert _verify(empty_url) == [(3, "unkeyed")]
    ctx = _ctx(empty_url)
    event = audit.record(ctx.db, SYSTEM, "req-new", "enterprise.change", "enterprise", 1, after={"x": 1})
    ctx.db.commit()
    ctx.db.close()
    assert event.id == 5  # 4 is the marker
    assert _verify(empty_url) == []
    # the plain prefix is protected by the marker's HMAC: rewrite event 2, rehash 2..3 with
    # SHA-256 as the old version did, and relink the marker to the new hash
    _drop_triggers(empty_url)
    with engine_for(empty_url).begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == 2).values(after='{"n":999}'))
        rows = _rows(conn)
        prev = str(rows[0]["hash"])
        for row in rows[1:3]:
            new = audit.event_hash(prev, {k: row[k] for k in FIELDS})
            conn.execute(
                sa.update(AuditEvent).where(AuditEvent.id == row["id"]).values(prev_hash=prev, hash=new)
            )
            prev = new
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == 4).values(prev_hash=prev))
    assert _verify(empty_url) == [(4, "edited")]


def test_a_new_secret_starts_a_new_segment_verified_with_the_old_key(demo_url: str) -> None:
    old, new = audit.current_key(), audit.chain_key(b"n" * 40)
    ctx = _ctx(demo_url)
    e = audit.record(ctx.db, SYSTEM, "req", "enterprise.change", "enterprise", 1, after={"a": 1}, key=new)
    audit.record(ctx.db, SYSTEM, "req", "enterprise.change", "enterprise", 1, after={"a": 2}, key=new)
    ctx.db.commit()
    ctx.db.close()
    marker_id = e.id - 1
    assert _verify(demo_url, keys=[new]) == [(1, "unknown_key")]
    assert _verify(demo_url, keys=[old]) == [(marker_id, "unknown_key")]
    assert _verify(demo_url, keys=[old, new]) == []


def test_read_checkpoints_locates_every_bad_line(tmp_path: Path, demo_url: str) -> None:
    cp = _checkpoint(demo_url)
    f = tmp_path / "cp.jsonl"
    f.write_text(f"{cp.to_line()}\n\nnot json\n" + json.dumps({"format": "x"}) + "\n", "utf-8")
    with pytest.raises(InputError) as err:
        audit.read_checkpoints(f)
    rows = [p.row for p in err.value.problems]
    assert rows == [3, 4]
    f.write_text(cp.to_line() + "\n", "utf-8")
    assert audit.read_checkpoints(f) == [cp]


@pytest.fixture
def checkpoint_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "checkpoints"
    monkeypatch.setenv("CARBONPEAK_AUDIT_CHECKPOINT_DIR", str(folder))
    monkeypatch.setenv("CARBONPEAK_AUDIT_CHECKPOINT_EVERY", "2")
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def test_the_server_appends_a_checkpoint_every_n_events_after_commit(
    demo_url: str, checkpoint_dir: Path
) -> None:
    for i in range(4):
        _change(demo_url, f"Renamed {i}")
    # a rolled-back change leaves no checkpoint of an event that never was
    db: Session = sessionmaker_for(demo_url)()
    for _ in range(2):
        audit.record(db, SYSTEM, "req", "enterprise.change", "enterprise", 1, after={"rolled": "back"})
    db.rollback()
    db.close()
    cps = audit.read_checkpoints(checkpoint_dir / audit.CHECKPOINT_FILE)
    assert len(cps) == 2
    assert all(cp.last_id % 2 == 0 for cp in cps)
    assert _verify(demo_url, checkpoints=cps) == []
    db = sessionmaker_for(demo_url)()
    head = db.get(AuditHead, 1)
    assert head is not None and cps[-1].last_id in (head.last_id, head.last_id - 1)
    db.close()


def test_the_cli_writes_a_checkpoint_and_verify_uses_it(store: str, tmp_path: Path) -> None:
    out = tmp_path / "kept.jsonl"
    r = runner.invoke(app, ["audit", "checkpoint", "--out", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert r.exit_code == 0, r.output
    assert "1 checkpoints" in r.output
    cp = audit.read_checkpoints(out)[0]
    _drop_triggers(store)
    with engine_for(store).begin() as conn:
        conn.execute(sa.delete(AuditEvent).where(AuditEvent.id == cp.last_id))
        h = conn.execute(sa.select(AuditEvent.hash).where(AuditEvent.id == cp.last_id - 1)).scalar_one()
        conn.execute(sa.update(AuditHead).values(last_id=cp.last_id - 1, last_hash=h))
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    r = runner.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert r.exit_code == 1
    assert "truncated" in r.output


def test_a_checkpoint_keys_an_unkeyed_store_and_is_refused_on_a_broken_chain(empty_url: str) -> None:
    with engine_for(empty_url).begin() as conn:
        _legacy_record(conn, 2)
    cp = _checkpoint(empty_url)
    assert cp.last_id == 3  # the two old events and the marker the checkpoint wrote
    with engine_for(empty_url).connect() as conn:
        marker = conn.execute(sa.select(AuditEvent).where(AuditEvent.id == 3)).one()
    assert (marker.action, marker.actor, json.loads(marker.before)) == (
        audit.MARKER_ACTION,
        "system",
        {"scheme": "sha256"},
    )
    assert _verify(empty_url, checkpoints=[cp]) == []
    _drop_triggers(empty_url)
    with engine_for(empty_url).begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.id == 1).values(actor="mallory"))
    with pytest.raises(IntegrityViolation):
        _checkpoint(empty_url)
    with engine_for(empty_url).connect() as conn:  # the refused checkpoint wrote nothing
        assert conn.execute(sa.select(sa.func.max(AuditEvent.id))).scalar_one() == 3
