"""Idempotent imports (issue 13): a file identical (SHA-256) to its submission's current version
is not stored again — the import answers "unchanged / 未变化" with that version — so re-running
an interrupted batch import adds no duplicate versions. Through the service, the CLI and HTTP;
on SQLite and, with ``CARBONPEAK_DATABASE_URL`` set to PostgreSQL, on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from carbonpeak.cli.main import app
from carbonpeak.errors import InputError
from carbonpeak.service.reporting import intake
from carbonpeak.store.db import engine_for, sessionmaker_for
from carbonpeak.store.models import AuditEvent, InventoryRun, Submission, SubmissionVersion
from tests.conftest import IS_PG, api_token
from tests.intake_support import GOOD_ROWS, PBZN, ctx_for, enterprise_id, fill, steady

runner = CliRunner(env={"COLUMNS": "200"})
#: every import acknowledges plausibility warnings: what is tested here is the file's identity
ACK = {"acknowledge_warnings": "true"}


@pytest.fixture
def db(demo_url: str) -> Iterator[Session]:
    with sessionmaker_for(demo_url)() as session:
        yield session


def _filled(db: Session, year: int, rows: list[tuple[str, str, str, list[float]]] | None = None) -> bytes:
    tpl, _name = intake.template_workbook(ctx_for(db, "province"), enterprise_id(db, PBZN), year)
    return fill(tpl, rows or GOOD_ROWS)  # type: ignore[arg-type]


def _counts(db: Session) -> tuple[int, int, int]:
    """(versions, inventory runs, import audit events) in the store."""
    db.rollback()  # a fresh snapshot
    versions = db.execute(select(func.count(SubmissionVersion.id))).scalar_one()
    runs = db.execute(select(func.count(InventoryRun.id))).scalar_one()
    events = db.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "submission.import")
    ).scalar_one()
    return int(versions), int(runs), int(events)


def test_an_identical_file_is_not_stored_again(db: Session) -> None:
    ctx = ctx_for(db, "ent-hengyang-pbzn")
    first = _filled(db, 2030)
    out = intake.import_submission(ctx, first, "pbzn-2030.xlsx", acknowledge_warnings=True)
    assert (out.version_no, out.unchanged) == (1, False)
    before = _counts(db)
    again = intake.import_submission(ctx, first, "renamed.xlsx", note="second try", acknowledge_warnings=True)
    assert again.unchanged
    assert (again.version_id, again.version_no, again.submission_id) == (out.version_id, 1, out.submission_id)
    assert (again.rows, again.inventory_run_id, again.credit_code) == (out.rows, out.inventory_run_id, PBZN)
    assert _counts(db) == before
    # a changed file is a new version; going back to the first file is a change too
    rows2 = [(line, item, unit, list(months)) for line, item, unit, months in GOOD_ROWS]
    rows2[0] = ("L01", "烟煤", "t", [*steady(800.0)[:2], 812.0, *steady(800.0)[3:]])
    second = intake.import_submission(ctx, _filled(db, 2030, rows2), "v2.xlsx", acknowledge_warnings=True)
    assert (second.version_no, second.unchanged) == (2, False)
    back = intake.import_submission(ctx, first, "pbzn-2030.xlsx", acknowledge_warnings=True)
    assert (back.version_no, back.unchanged) == (3, False)
    assert intake.import_submission(ctx, first, "pbzn-2030.xlsx", acknowledge_warnings=True).version_no == 3
    # the page's enterprise and year must still match: a file for another year is not "unchanged"
    with pytest.raises(InputError):
        intake.import_submission(ctx, first, "pbzn-2030.xlsx", year=2031, acknowledge_warnings=True)


def test_a_submitted_version_is_unchanged_not_locked(db: Session) -> None:
    """Re-running a batch after the submission moved on: the identical file is no conflict."""
    ctx = ctx_for(db, "ent-hengyang-pbzn")
    data = _filled(db, 2030)
    out = intake.import_submission(ctx, data, "pbzn-2030.xlsx", acknowledge_warnings=True)
    sub = db.get(Submission, out.submission_id)
    assert sub is not None
    sub.status = "submitted"
    db.commit()
    assert intake.import_submission(ctx, data, "pbzn-2030.xlsx", acknowledge_warnings=True).unchanged


def test_no_existence_oracle_outside_scope(db: Session) -> None:
    """The same bytes from a user who may not change the enterprise: refused as before (the
    unknown enterprise), never "unchanged" (which would tell the file was imported)."""
    data = _filled(db, 2030)
    intake.import_submission(
        ctx_for(db, "ent-hengyang-pbzn"), data, "pbzn-2030.xlsx", acknowledge_warnings=True
    )
    with pytest.raises(InputError) as exc:
        intake.import_submission(ctx_for(db, "city-chenzhou"), data, "pbzn-2030.xlsx")
    assert [p.code for p in exc.value.problems] == ["intake_unknown_enterprise"]


def test_rerunning_an_interrupted_batch_adds_no_duplicates(store: str, tmp_path: Path) -> None:
    with sessionmaker_for(store)() as db:
        files = {year: _filled(db, year) for year in (2030, 2031, 2032)}
    folder = tmp_path / "batch"
    folder.mkdir()
    for year, data in files.items():
        (folder / f"pbzn-{year}.xlsx").write_bytes(data)
    # the batch was interrupted after its first file
    r = runner.invoke(app, ["import", str(folder / "pbzn-2030.xlsx"), "--acknowledge-warnings"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["import", str(folder), "--acknowledge-warnings"])
    assert r.exit_code == 0, r.output
    assert "imported 2, rejected 0, unchanged 1" in r.output
    assert "未变化 / unchanged" in r.output
    r = runner.invoke(app, ["import", str(folder), "--acknowledge-warnings"])
    assert r.exit_code == 0, r.output
    assert "imported 0, rejected 0, unchanged 3" in r.output
    with sessionmaker_for(store)() as db:
        per_year = db.execute(
            select(Submission.year, func.count(SubmissionVersion.id))
            .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
            .where(Submission.year >= 2030)
            .group_by(Submission.year)
        ).all()
    assert sorted((int(y), int(n)) for y, n in per_year) == [(2030, 1), (2031, 1), (2032, 1)]


def test_the_api_answers_200_unchanged(client: TestClient, demo_url: str) -> None:
    with sessionmaker_for(demo_url)() as db:
        data = _filled(db, 2030)
    headers = api_token(client, "ent-hengyang-pbzn")
    files = {"file": ("pbzn-2030.xlsx", data, "application/octet-stream")}
    r = client.post("/api/v1/intake/import", files=files, data=ACK, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["unchanged"] is False
    r2 = client.post("/api/v1/intake/import", files=files, data=ACK, headers=headers)
    assert r2.status_code == 200, r2.text
    assert r2.json() == {**r.json(), "unchanged": True, "warnings": []}  # none stored anew
    sid = r.json()["submission_id"]
    versions = client.get(f"/api/v1/intake/submissions/{sid}/versions", headers=headers).json()
    assert [v["version_no"] for v in versions] == [1]


def test_the_upload_page_says_unchanged(client: TestClient, demo_url: str) -> None:
    from tests.web.conftest import csrf_token, web_login

    with sessionmaker_for(demo_url)() as db:
        data = _filled(db, 2030)
    web_login(client, "ent-hengyang-pbzn")
    where = []
    for _ in range(2):
        form = {"csrf_token": csrf_token(client, "/submissions"), "acknowledge": "1"}
        files = {"file": ("pbzn-2030.xlsx", data, "application/octet-stream")}
        r = client.post("/submissions/upload", data=form, files=files, follow_redirects=False)
        assert r.status_code == 303, r.text
        where.append(r.headers["location"])
    assert "?imported=1" in where[0]
    assert where[1].endswith("?unchanged=1")
    html = client.get(where[1]).text
    assert 'id="unchanged-note"' in html and "未变化" in html


@pytest.mark.skipif(
    not IS_PG, reason="row locks (SELECT … FOR UPDATE) are PostgreSQL's; SQLite serialises writers"
)
def test_two_uploads_of_one_file_at_once_store_it_once(demo_url: str) -> None:
    """B checks the file while A holds the submission's row; A stores it; B, let through the
    lock, finds the file is now the current version and stores nothing."""
    make = sessionmaker_for(demo_url)
    with make() as setup:
        w, x = _filled(setup, 2030), _filled(setup, 2030, [*GOOD_ROWS[:-1]])  # type: ignore[list-item]
        sid = intake.import_submission(ctx_for(setup, "province"), w, "w.xlsx", acknowledge_warnings=True)
        sid_ = sid.submission_id
    a, b = make(), make()
    outcome: list[object] = []

    def upload_b() -> None:
        try:
            outcome.append(
                intake.import_submission(ctx_for(b, "province"), x, "x.xlsx", acknowledge_warnings=True)
            )
        except Exception as exc:  # reported by the assertion below
            outcome.append(exc)

    try:
        ctx_a = ctx_for(a, "province")
        a.execute(select(Submission).where(Submission.id == sid_).with_for_update())  # A holds the row
        t = threading.Thread(target=upload_b)
        t.start()
        with engine_for(demo_url).connect() as watch:  # until B waits for A's row lock
            waiting = (
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            for _ in range(600):
                if watch.exec_driver_sql(waiting).scalar() or not t.is_alive():
                    break
                time.sleep(0.05)
        assert t.is_alive()  # B is waiting for the row
        first = intake.import_submission(ctx_a, x, "x.xlsx", acknowledge_warnings=True)  # commits
        t.join(30)
        assert first.version_no == 2 and not first.unchanged
        [got] = outcome
        assert isinstance(got, intake.ImportOutcome) and got.unchanged and got.version_id == first.version_id
        n = a.execute(select(func.count()).where(SubmissionVersion.submission_id == sid_)).scalar_one()
        assert n == 2
    finally:
        a.close()
        b.close()
