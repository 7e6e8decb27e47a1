"""A production install is safe by default: no demo data, no demo accounts; one setup command.

Issue 13: ``CARBONPEAK_ENV=production CARBONPEAK_SECRET_KEY=… carbonpeak run`` on an empty
store loaded the demo sector and created the 8 demo accounts with their published
passwords, province included, and printed them. Runs on SQLite and PostgreSQL (the store
under test follows ``CARBONPEAK_DATABASE_URL``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carbonpeak.app import create_app
from carbonpeak.cli.main import app
from carbonpeak.settings import MIN_SECRET_LENGTH, Settings, get_settings
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import AuditEvent, Enterprise, User
from tests.conftest import DEMO_PASSWORDS

runner = CliRunner()
SECRET = "p" * MIN_SECRET_LENGTH


@pytest.fixture
def production(empty_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty store, with the environment of a production install pointing at it."""
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", empty_url)
    monkeypatch.setenv("CARBONPEAK_ENV", "Production")
    monkeypatch.setenv("CARBONPEAK_SECRET_KEY", SECRET)
    get_settings.cache_clear()
    yield empty_url
    get_settings.cache_clear()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """``uvicorn.run`` replaced: the app it would serve is recorded instead."""
    apps: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **_kw: apps.append(app))
    return apps


def _count(url: str, model: type[Any]) -> int:
    with engine_for(url).connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


def test_a_production_run_on_an_empty_store_creates_no_demo_data_or_accounts(
    production: str, served: list[Any]
) -> None:
    r = runner.invoke(app, ["run"])
    assert r.exit_code == 0, r.output
    assert served, "the server was started"
    assert _count(production, User) == 0
    assert _count(production, Enterprise) == 0
    for password in DEMO_PASSWORDS.values():
        assert password not in r.output
    assert "carbonpeak setup" in r.output


def test_demo_data_in_production_only_when_asked_for(production: str, served: list[Any]) -> None:
    r = runner.invoke(app, ["run", "--demo"])
    assert r.exit_code == 0, r.output
    assert _count(production, Enterprise) > 100
    assert "demo-province" in r.output


def test_development_loads_the_demo_and_prints_the_logins(
    empty_url: str, monkeypatch: pytest.MonkeyPatch, served: list[Any]
) -> None:
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", empty_url)
    monkeypatch.delenv("CARBONPEAK_ENV", raising=False)
    get_settings.cache_clear()
    try:
        r = runner.invoke(app, ["run"])
        assert r.exit_code == 0, r.output
        assert _count(empty_url, Enterprise) > 100
        assert "demo-province" in r.output
        r = runner.invoke(app, ["run", "--no-demo"])  # the operator says no: no logins printed
        assert "demo-province" not in r.output
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("env", ["prod", "staging"])
def test_run_refuses_an_unknown_environment(
    empty_url: str, monkeypatch: pytest.MonkeyPatch, served: list[Any], env: str
) -> None:
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", empty_url)
    monkeypatch.setenv("CARBONPEAK_ENV", env)
    get_settings.cache_clear()
    try:
        r = runner.invoke(app, ["run"])
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 2
    assert "CARBONPEAK_ENV" in r.output and "development, test, production" in r.output
    assert not served
    assert _count(empty_url, User) == 0


def test_setup_creates_the_first_province_account_once(production: str, tmp_path: Path) -> None:
    secret_file = tmp_path / "pw"
    secret_file.write_text("a-long-and-private-passphrase\n", "utf-8")
    r = runner.invoke(app, ["setup", "--username", "chief", "--password-file", str(secret_file)])
    assert r.exit_code == 0, r.output
    with engine_for(production).connect() as conn:
        users = conn.execute(sa.select(User.username, User.role)).all()
        actions = conn.execute(sa.select(AuditEvent.action, AuditEvent.actor)).all()
    assert [tuple(u) for u in users] == [("chief", "province")]
    assert ("user.setup", "system") in [tuple(a) for a in actions]
    # the account signs in through HTTP on the production settings
    settings = Settings(database_url=production, env="production", secret_key=SECRET)
    with TestClient(create_app(settings)) as c:
        tok = c.post(
            "/api/v1/auth/token", data={"username": "chief", "password": "a-long-and-private-passphrase"}
        )
        assert tok.status_code == 200, tok.text
        me = c.get("/api/v1/me", headers={"Authorization": f"Bearer {tok.json()['access_token']}"})
        assert me.json()["role"] == "province"
    # once only
    r = runner.invoke(app, ["setup", "--username", "chief2", "--password-file", str(secret_file)])
    assert r.exit_code == 2
    assert "已存在省级账号" in r.output and "already exists" in r.output
    assert _count(production, User) == 1


def test_setup_reads_the_password_twice_from_the_prompt(
    production: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["first-long-password", "other-long-password"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))
    r = runner.invoke(app, ["setup", "--username", "chief"])
    assert r.exit_code == 2 and "the passwords differ" in r.output
    assert _count(production, User) == 0
    answers = iter(["same-long-password", "same-long-password"])
    r = runner.invoke(app, ["setup", "--username", "chief"])
    assert r.exit_code == 0, r.output
    assert _count(production, User) == 1


def test_setup_applies_the_password_policy(production: str, tmp_path: Path) -> None:
    f = tmp_path / "pw"
    f.write_text("short\n", "utf-8")
    r = runner.invoke(app, ["setup", "--username", "chief", "--password-file", str(f)])
    assert r.exit_code == 2 and "at least 10 characters" in r.output
    assert _count(production, User) == 0


def test_setup_is_refused_on_a_store_with_a_province_account(store: str, tmp_path: Path) -> None:
    f = tmp_path / "pw"
    f.write_text("a-long-and-private-passphrase\n", "utf-8")
    before = _count(store, User)
    r = runner.invoke(app, ["setup", "--username", "takeover", "--password-file", str(f)])
    assert r.exit_code == 2 and "province" in r.output
    assert _count(store, User) == before
