"""The account commands (issue 13), run as an operator would (in-process through Typer's
runner): list and revoke tokens, deactivate and reactivate, reset a password (printed once),
change a password with the current one. Every command is audited as ``system``."""

from __future__ import annotations

import json

import sqlalchemy as sa
from typer.testing import CliRunner

from carbonpeak.cli.main import app
from carbonpeak.service.access import auth
from carbonpeak.service.platform.context import Context
from carbonpeak.store.db import engine_for, sessionmaker_for
from carbonpeak.store.models import AuditEvent, User
from tests.conftest import DEMO_PASSWORDS

runner = CliRunner()
CITY = "city-hengyang"
NEW_PASSWORD = "a-fresh-passphrase"


def _token(url: str, name: str = "api", password: str | None = None) -> str:
    with sessionmaker_for(url)() as db:
        ctx = Context(db=db, principal=auth.SYSTEM_LOGIN)
        return auth.create_token(ctx, CITY, password or DEMO_PASSWORDS[CITY], name).access_token


def _alive(url: str, token: str) -> bool:
    with sessionmaker_for(url)() as db:
        return auth.principal_for_token(db, token) is not None


def _audit(url: str) -> list[tuple[str, str, str | None]]:
    with engine_for(url).connect() as conn:
        rows = conn.execute(
            sa.select(AuditEvent.action, AuditEvent.actor, AuditEvent.after).order_by(AuditEvent.id)
        )
        return [(r.action, r.actor, r.after) for r in rows]


def test_tokens_listed_and_revoked(store: str) -> None:
    one = _token(store, "laptop")
    two = _token(store, "script")
    r = runner.invoke(app, ["user", "tokens", CITY])
    assert r.exit_code == 0, r.output
    assert "laptop" in r.output and "script" in r.output
    assert one not in r.output and two not in r.output
    with sessionmaker_for(store)() as db:
        ids = sorted(int(i) for i in db.execute(sa.text("SELECT id FROM api_token")).scalars())
    r = runner.invoke(app, ["user", "revoke-token", str(ids[0])])
    assert r.exit_code == 0, r.output
    assert not _alive(store, one) and _alive(store, two)
    r = runner.invoke(app, ["user", "revoke-tokens", CITY])
    assert r.exit_code == 0 and "1" in r.output
    assert not _alive(store, two)
    r = runner.invoke(app, ["user", "revoke-token", "999999"])
    assert r.exit_code != 0 and "访问令牌" in r.output and "API token" in r.output
    actions = [(a, actor) for a, actor, _after in _audit(store)]
    assert ("token.revoke", "system") in actions and ("token.revoke_all", "system") in actions


def test_deactivate_and_reactivate(store: str) -> None:
    token = _token(store)
    r = runner.invoke(app, ["user", "deactivate", CITY])
    assert r.exit_code == 0, r.output
    assert not _alive(store, token)
    r = runner.invoke(app, ["user", "list"], env={"COLUMNS": "240"})
    assert "DEACTIVATED" in r.output
    r = runner.invoke(app, ["user", "reactivate", CITY])
    assert r.exit_code == 0, r.output
    assert _alive(store, _token(store))


def test_reset_prints_a_one_time_password_and_change_password(store: str) -> None:
    r = runner.invoke(app, ["user", "reset-password", CITY])
    assert r.exit_code == 0, r.output
    temp = r.output.strip().splitlines()[-1]
    with sessionmaker_for(store)() as db:
        user = db.execute(sa.select(User).where(User.username == CITY)).scalar_one()
        assert user.must_change_password
        assert auth.verify_password(user.password_hash, temp)
    assert temp not in json.dumps(_audit(store), ensure_ascii=False)
    r = runner.invoke(
        app,
        ["user", "change-password", CITY],
        env={"CARBONPEAK_CURRENT_PASSWORD": "wrong", "CARBONPEAK_NEW_PASSWORD": NEW_PASSWORD},
    )
    assert r.exit_code != 0 and "当前密码不正确" in r.output and "current password is wrong" in r.output
    r = runner.invoke(
        app,
        ["user", "change-password", CITY],
        env={"CARBONPEAK_CURRENT_PASSWORD": temp, "CARBONPEAK_NEW_PASSWORD": NEW_PASSWORD},
    )
    assert r.exit_code == 0, r.output
    with sessionmaker_for(store)() as db:
        user = db.execute(sa.select(User).where(User.username == CITY)).scalar_one()
        assert not user.must_change_password
        assert auth.verify_password(user.password_hash, NEW_PASSWORD)
    assert NEW_PASSWORD not in json.dumps(_audit(store), ensure_ascii=False)
