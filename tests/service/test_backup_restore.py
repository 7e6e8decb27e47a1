"""``carbonpeak backup`` and ``carbonpeak restore`` on the store under test (SQLite, or
PostgreSQL with ``CARBONPEAK_DATABASE_URL``): back up the demo store, change it, restore,
and the data and the audit chain are back; a non-empty store is refused without
``--force``; a file that is not a backup is refused and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from carbonpeak.cli.main import app
from carbonpeak.errors import Conflict, InputError
from carbonpeak.service.platform import audit, backup
from carbonpeak.store.db import engine_for, sessionmaker_for
from tests.conftest import IS_PG

runner = CliRunner()


def _state(url: str) -> dict[str, object]:
    """What a restore must bring back: the register, the inventories, the chain's head."""
    with engine_for(url).connect() as c:
        return {
            "enterprises": c.execute(sa.text("SELECT id, name_zh FROM enterprise ORDER BY id")).all(),
            "runs": c.execute(sa.text("SELECT count(*) FROM inventory_run")).scalar_one(),
            "head": c.execute(sa.text("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")).one(),
        }


def _change(url: str) -> None:
    """Every name edited behind the platform's back, and an audited change through it."""
    with engine_for(url).begin() as c:
        c.execute(sa.text("UPDATE enterprise SET name_zh = name_zh || '（改）'"))
    r = runner.invoke(
        app, ["user", "add", "after-backup", "--role", "province", "--password", "Xq7!after-backup"]
    )
    assert r.exit_code == 0, r.output


def _chain_intact(url: str) -> int:
    with sessionmaker_for(url)() as db:
        checked, problems = audit.verify(db)
    assert problems == []
    return checked


def test_backup_change_restore_brings_the_data_and_the_chain_back(store: str, tmp_path: Path) -> None:
    before = _state(store)
    events = _chain_intact(store)
    file = tmp_path / "cp.backup"
    r = runner.invoke(app, ["backup", str(file)])
    assert r.exit_code == 0, r.output
    assert file.stat().st_size > 0
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left beside it

    _change(store)
    assert _state(store) != before
    assert _chain_intact(store) == events + 1

    r = runner.invoke(app, ["restore", str(file)])  # the store holds data: refused, unchanged
    assert r.exit_code == 2, r.output
    assert "--force" in r.output
    assert _state(store) != before

    r = runner.invoke(app, ["restore", str(file), "--force"])
    assert r.exit_code == 0, r.output
    assert f"{events} events" in r.output
    assert _state(store) == before
    assert _chain_intact(store) == events
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 0, r.output


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(
    demo_url: str, tmp_path: Path
) -> None:
    before = _state(demo_url)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"PGDMP not really" if IS_PG else b"SQLite format 3\x00 not really")
    with pytest.raises(InputError) as err:
        backup.restore(demo_url, junk, force=True)
    assert err.value.code == "backup_not_carbonpeak"
    assert err.value.message_zh.startswith("该文件不是")
    with pytest.raises(InputError) as err:
        backup.restore(demo_url, tmp_path / "missing.backup", force=True)
    assert err.value.code == "backup_no_file"
    assert _state(demo_url) == before
    _chain_intact(demo_url)


def test_restore_into_an_empty_store_needs_no_force(demo_url: str, empty_url: str, tmp_path: Path) -> None:
    file = tmp_path / "demo.backup"
    backup.backup(demo_url, file)
    with pytest.raises(Conflict) as err:
        backup.restore(demo_url, file)  # holds data
    assert err.value.code == "restore_not_empty"
    assert backup.is_blank(empty_url)
    done = backup.restore(empty_url, file)
    assert done.problems == []
    assert done.events > 0
    assert _state(empty_url) == _state(demo_url)


@pytest.mark.pg
@pytest.mark.skipif(not IS_PG, reason="PostgreSQL only: a failed replay leaves the store as it was")
def test_a_failed_postgresql_restore_changes_nothing(demo_url: str, tmp_path: Path) -> None:
    """The replay runs in one transaction with the emptying of the schema: a dump whose
    replay fails (here: cut short) leaves every table as it was."""
    file = tmp_path / "demo.backup"
    backup.backup(demo_url, file)
    cut = tmp_path / "cut.backup"
    cut.write_bytes(file.read_bytes()[: int(file.stat().st_size * 0.9)])
    before = _state(demo_url)
    with pytest.raises(Exception) as err:  # noqa: PT011 — pg_restore or psql, whichever stops first
        backup.restore(demo_url, cut, force=True)
    assert err.value.__class__.__name__ in ("CarbonpeakError", "InputError")
    assert _state(demo_url) == before
    _chain_intact(demo_url)
