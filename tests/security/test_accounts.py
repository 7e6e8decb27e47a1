"""Account protection (issue 13): failed sign-ins are audited and throttled, user names are
normalised, trivial passwords are refused. Through HTTP and the service, on both stores.

The probe: 250 wrong passwords, then the right one, worked; failed sign-ins left no trace;
look-alike user names (``Province``, full-width, zero-width) were distinct users and a user
name with a trailing space gave a 500. Time is simulated by editing the stored timestamps.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from carbonpeak.service.access import auth
from carbonpeak.settings import Settings
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import AuditEvent, LoginThrottle
from tests.conftest import DEMO_PASSWORDS, api_token
from tests.web.conftest import csrf_token

TOKEN = "/api/v1/auth/token"
PASSPHRASE = "a-decent-passphrase"


def _token(client: TestClient, username: str, password: str) -> int:
    return client.post(TOKEN, data={"username": username, "password": password}).status_code


def _events(url: str, action: str) -> list[AuditEvent]:
    with engine_for(url).connect() as conn:
        rows = conn.execute(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        return [AuditEvent(**r._mapping) for r in rows]


def _age_throttle(url: str, minutes: int) -> None:
    """Move every stored failure and lockout *minutes* into the past."""
    with engine_for(url).begin() as conn:
        for row in conn.execute(sa.select(LoginThrottle)).all():
            shift = [
                auth._iso(auth._parse(getattr(row, c)) - auth.dt.timedelta(minutes=minutes))
                if getattr(row, c)
                else None
                for c in ("first_failed_at", "last_failed_at", "locked_until")
            ]
            conn.execute(
                sa.update(LoginThrottle)
                .where(LoginThrottle.name_key == row.name_key)
                .values(first_failed_at=shift[0], last_failed_at=shift[1], locked_until=shift[2])
            )


def test_five_failures_lock_the_name_even_for_the_right_password(
    client: TestClient, settings: Settings
) -> None:
    for _ in range(auth.MAX_FAILURES):
        assert _token(client, "province", "wrong-password-1") == 401
    r = client.post(TOKEN, data={"username": "province", "password": DEMO_PASSWORDS["province"]})
    assert r.status_code == 429, r.text
    err = r.json()["error"]
    assert err["code"] == "auth_locked"
    assert "15" in err["message_en"] and "15" in err["message_zh"]
    # another user is not affected
    assert _token(client, "verifier", DEMO_PASSWORDS["verifier"]) == 200
    # the window passes: the right password works again, and the count starts afresh
    _age_throttle(settings.database_url, 16)
    assert _token(client, "province", DEMO_PASSWORDS["province"]) == 200
    with engine_for(settings.database_url).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(LoginThrottle)).scalar_one() == 0


def test_failed_sign_ins_and_the_lockout_are_audited_without_secrets(
    client: TestClient, settings: Settings
) -> None:
    for _ in range(auth.MAX_FAILURES):
        _token(client, "Province ", "wrong-password-2")
    _token(client, "province", DEMO_PASSWORDS["province"])  # refused: locked
    failed = _events(settings.database_url, "auth.login_failed")
    locked = _events(settings.database_url, "auth.locked")
    assert len(failed) == auth.MAX_FAILURES + 1
    assert len(locked) == 1
    assert json.loads(failed[0].after or "{}")["username"] == "Province "
    assert [json.loads(e.after or "{}")["reason"] for e in failed][-2:] == ["wrong_credentials", "locked"]
    for e in failed + locked:
        text = f"{e.before} {e.after}"
        assert "wrong-password-2" not in text and DEMO_PASSWORDS["province"] not in text
        assert "$argon2" not in text


def test_a_success_resets_the_count(client: TestClient) -> None:
    for _ in range(auth.MAX_FAILURES - 1):
        assert _token(client, "province", "wrong-password-3") == 401
    assert _token(client, "province", DEMO_PASSWORDS["province"]) == 200
    for _ in range(auth.MAX_FAILURES - 1):
        assert _token(client, "province", "wrong-password-3") == 401
    assert _token(client, "province", DEMO_PASSWORDS["province"]) == 200


def test_failures_older_than_the_window_do_not_count(client: TestClient, settings: Settings) -> None:
    for _ in range(auth.MAX_FAILURES - 1):
        _token(client, "province", "wrong-password-4")
    _age_throttle(settings.database_url, 16)
    assert _token(client, "province", "wrong-password-4") == 401  # the first of a new run
    assert _token(client, "province", DEMO_PASSWORDS["province"]) == 200


def test_an_unknown_name_is_throttled_like_a_real_one(client: TestClient) -> None:
    codes = [_token(client, "nobody-at-all", "wrong-password-5") for _ in range(auth.MAX_FAILURES + 1)]
    assert codes == [401] * auth.MAX_FAILURES + [429]


def test_the_page_login_is_throttled_and_audited(client: TestClient, settings: Settings) -> None:
    def page(password: str) -> int:
        data = {"username": "province", "password": password, "csrf_token": csrf_token(client)}
        return client.post("/login", data=data, follow_redirects=False).status_code

    assert [page("wrong-password-6") for _ in range(auth.MAX_FAILURES)] == [401] * auth.MAX_FAILURES
    client.get("/lang/en?next=/login")
    data = {"username": "province", "password": DEMO_PASSWORDS["province"], "csrf_token": csrf_token(client)}
    r = client.post("/login", data=data, follow_redirects=False)
    assert r.status_code == 429
    assert "Too many failed sign-ins" in r.text
    channels = {
        json.loads(e.after or "{}")["channel"] for e in _events(settings.database_url, "auth.login_failed")
    }
    assert channels == {"web"}
    # the API shares the count
    assert _token(client, "province", DEMO_PASSWORDS["province"]) == 429


@pytest.mark.parametrize(
    "typed", ["province", "Province", "PROVINCE", "ｐｒｏｖｉｎｃｅ", "pro\u200bvince", "province "]
)
def test_sign_in_normalises_the_typed_name(client: TestClient, typed: str) -> None:
    assert _token(client, typed, DEMO_PASSWORDS["province"]) == 200


# --- user names: normalised and unique after normalisation ------------------------------------


def _add(client: TestClient, username: str, password: str = PASSPHRASE) -> Any:
    return client.post(
        "/api/v1/users",
        json={"username": username, "password": password, "role": "public"},
        headers=api_token(client, "province"),
    )


@pytest.mark.parametrize(
    "name", ["Province", "ｐｒｏｖｉｎｃｅ", "pro\u200bvince", "province ", " PROVINCE\u3000"]
)
def test_a_look_alike_of_an_existing_name_is_refused(client: TestClient, name: str) -> None:
    r = _add(client, name)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "exists"


def test_a_trailing_space_is_trimmed_not_a_500(client: TestClient) -> None:
    r = _add(client, "newcomer ")
    assert r.status_code == 201, r.text
    assert r.json()["username"] == "newcomer"
    assert _add(client, "NEWCOMER").status_code == 409
    assert _token(client, " Newcomer ", PASSPHRASE) == 200


def test_a_full_width_name_is_stored_in_its_plain_form(client: TestClient) -> None:
    r = _add(client, "ｃｉｔｙ－ｘ")
    assert r.status_code == 201, r.text
    assert r.json()["username"] == "city-x"


def test_an_over_long_name_is_a_located_error(client: TestClient) -> None:
    r = _add(client, "n" * 65)
    assert r.status_code == 422, r.text
    assert [p["code"] for p in r.json()["error"]["problems"]] == ["username_too_long"]


# --- password policy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "weak_password"),
        ("1234567890", "password_trivial"),
        (" " * 12, "password_trivial"),
        ("aaaaaaaaaaaa", "password_trivial"),
        ("abcabcabcabc", "password_trivial"),
        ("0987654321", "password_trivial"),
        ("abcdefghijkl", "password_trivial"),
        ("qwertyuiop", "password_trivial"),
        ("Password123", "password_common"),
        ("administrator", "password_common"),
        ("someone-new", "password_trivial"),  # the user name itself
    ],
)
def test_common_and_trivial_passwords_are_refused(client: TestClient, password: str, code: str) -> None:
    r = _add(client, "someone-new", password)
    assert r.status_code == 422, r.text
    problems = r.json()["error"]["problems"]
    assert [(p["code"], p["column"]) for p in problems] == [(code, "password")]
    assert password not in str(problems) or password == "someone-new"
    assert problems[0]["message_zh"] and problems[0]["message_en"]


def test_a_reasonable_password_is_accepted() -> None:
    assert auth.password_problems("correct horse battery", "someone") == []
    assert auth.password_problems("demo-province", "province") == []
