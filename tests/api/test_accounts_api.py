"""Account routes through HTTP (issue 13): the caller's tokens, logout that revokes, password
change, and the province's deactivation, reset and token revocation.

The probe: page logout left API tokens valid for 30 days; there was no way to revoke a
token, deactivate a user, or change or reset a password. Every answer here is checked
through the real HTTP stack: a revoked token or a deactivated user's token is a 401 on the
very next request; a reset account gets 403 ``password_change_required`` (zh and en) from
everything but the change-password and logout routes.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from fastapi.testclient import TestClient

from carbonpeak.settings import Settings
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import AuditEvent
from tests.conftest import DEMO_PASSWORDS, api_token

CITY = "city-hengyang"
NEW_PASSWORD = "a-fresh-passphrase"
TOKEN = "/api/v1/auth/token"


def _new_token(
    client: TestClient, username: str, password: str | None = None, name: str = "api"
) -> dict[str, str]:
    data = {"username": username, "password": password or DEMO_PASSWORDS[username], "name": name}
    r = client.post(TOKEN, data=data)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _ids(client: TestClient, province: dict[str, str] | None = None) -> dict[str, int]:
    r = client.get("/api/v1/users", headers=province or api_token(client, "province"))
    assert r.status_code == 200
    return {u["username"]: u["id"] for u in r.json()}


def _actions(url: str) -> list[tuple[str, str, str | None]]:
    with engine_for(url).connect() as conn:
        rows = conn.execute(
            sa.select(AuditEvent.action, AuditEvent.actor, AuditEvent.after).order_by(AuditEvent.id)
        )
        return [(r.action, r.actor, r.after) for r in rows]


def test_a_user_lists_its_tokens_without_their_values(client: TestClient) -> None:
    one = _new_token(client, CITY, name="laptop")
    two = _new_token(client, CITY, name="nightly script")
    r = client.get("/api/v1/auth/tokens", headers=one)
    assert r.status_code == 200
    listed = r.json()
    assert sorted(t["name"] for t in listed) == ["laptop", "nightly script"]
    assert set(listed[0]) == {"id", "user_id", "username", "name", "created_at", "expires_at", "last_used_at"}
    assert {t["username"] for t in listed} == {CITY}
    for header in (one, two):
        assert header["Authorization"].removeprefix("Bearer ") not in r.text
    used = [t for t in listed if t["last_used_at"] is not None]
    assert len(used) == 1  # the token of this request, just now


def test_revoking_a_token_is_a_401_on_the_next_request(client: TestClient, settings: Settings) -> None:
    keep = _new_token(client, CITY)
    gone = _new_token(client, CITY)
    ids = sorted(t["id"] for t in client.get("/api/v1/auth/tokens", headers=keep).json())
    assert client.delete(f"/api/v1/auth/tokens/{ids[1]}", headers=keep).status_code == 204
    r = client.get("/api/v1/me", headers=gone)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "auth_token_invalid"
    assert client.get("/api/v1/me", headers=keep).status_code == 200
    # another user's token is not found to a city user; the province may revoke it
    theirs = _new_token(client, "city-chenzhou")
    their_id = client.get("/api/v1/auth/tokens", headers=theirs).json()[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{their_id}", headers=keep).status_code == 404
    assert client.get("/api/v1/me", headers=theirs).status_code == 200
    prov = api_token(client, "province")
    assert client.delete(f"/api/v1/auth/tokens/{their_id}", headers=prov).status_code == 204
    assert client.get("/api/v1/me", headers=theirs).status_code == 401
    assert [a for a, _actor, _after in _actions(settings.database_url)].count("token.revoke") == 2


def test_logout_revokes_the_bearer_token_used(client: TestClient) -> None:
    used = _new_token(client, CITY)
    other = _new_token(client, CITY)
    assert client.post("/api/v1/auth/logout", headers=used).status_code == 204
    assert client.get("/api/v1/me", headers=used).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=used).status_code == 401
    assert client.get("/api/v1/me", headers=other).status_code == 200


def test_the_province_lists_and_revokes_a_users_tokens(client: TestClient) -> None:
    prov = api_token(client, "province")
    ids = _ids(client, prov)
    held = [_new_token(client, CITY), _new_token(client, CITY)]
    r = client.get(f"/api/v1/users/{ids[CITY]}/tokens", headers=prov)
    assert r.status_code == 200 and len(r.json()) == 2
    assert client.get(f"/api/v1/users/{ids['province']}/tokens", headers=held[0]).status_code == 403
    assert client.delete(f"/api/v1/users/{ids['province']}/tokens", headers=held[0]).status_code == 403
    r = client.delete(f"/api/v1/users/{ids[CITY]}/tokens", headers=prov)
    assert r.status_code == 200 and r.json() == {"revoked": 2}
    assert all(client.get("/api/v1/me", headers=h).status_code == 401 for h in held)
    # the province's own tokens: every one but the token of the request
    spare = _new_token(client, "province")
    r = client.delete(f"/api/v1/users/{ids['province']}/tokens", headers=prov)
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    assert client.get("/api/v1/me", headers=prov).status_code == 200
    assert client.get("/api/v1/me", headers=spare).status_code == 401


def test_deactivation_stops_the_users_tokens_at_once_and_refuses_its_sign_in(
    client: TestClient, settings: Settings
) -> None:
    ids = _ids(client)
    prov = api_token(client, "province")
    theirs = _new_token(client, CITY)
    r = client.post(f"/api/v1/users/{ids[CITY]}/deactivate", headers=prov)
    assert r.status_code == 200
    assert r.json()["is_active"] is False and r.json()["tokens"] == 0
    assert client.get("/api/v1/me", headers=theirs).status_code == 401
    right = client.post(TOKEN, data={"username": CITY, "password": DEMO_PASSWORDS[CITY]})
    wrong = client.post(TOKEN, data={"username": "city-chenzhou", "password": "not-the-password"})
    assert right.status_code == wrong.status_code == 401
    strip = ("request_id",)
    assert {k: v for k, v in right.json()["error"].items() if k not in strip} == {
        k: v for k, v in wrong.json()["error"].items() if k not in strip
    }
    listed = {u["username"]: u for u in client.get("/api/v1/users", headers=prov).json()}
    assert listed[CITY]["is_active"] is False
    failed = [
        json.loads(after or "{}")
        for a, _actor, after in _actions(settings.database_url)
        if a == "auth.login_failed"
    ]
    assert [f["reason"] for f in failed] == ["inactive", "wrong_credentials"]
    assert client.post(f"/api/v1/users/{ids[CITY]}/reactivate", headers=prov).json()["is_active"] is True
    assert _new_token(client, CITY)
    actions = [a for a, _actor, _after in _actions(settings.database_url)]
    assert "user.deactivate" in actions and "user.reactivate" in actions


def test_deactivation_and_reset_are_province_only_and_never_on_itself(client: TestClient) -> None:
    ids = _ids(client)
    city = api_token(client, CITY)
    prov = api_token(client, "province")
    for action in ("deactivate", "reactivate", "reset-password"):
        r = client.post(f"/api/v1/users/{ids['city-chenzhou']}/{action}", headers=city)
        assert r.status_code == 403, (action, r.text)
    for action in ("deactivate", "reset-password"):
        r = client.post(f"/api/v1/users/{ids['province']}/{action}", headers=prov)
        assert r.status_code == 409, (action, r.text)
        err = r.json()["error"]
        assert err["code"] == "account_self" and err["message_zh"] and err["message_en"]
    assert client.post("/api/v1/users/999999/deactivate", headers=prov).status_code == 404
    assert client.get("/api/v1/me", headers=prov).status_code == 200


def test_a_password_change_through_the_api(client: TestClient) -> None:
    here = _new_token(client, CITY)
    there = _new_token(client, CITY)
    r = client.post(
        "/api/v1/auth/password", headers=here, json={"current_password": "nope", "new_password": NEW_PASSWORD}
    )
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0]["code"] == "password_wrong_current"
    r = client.post(
        "/api/v1/auth/password",
        headers=here,
        json={"current_password": DEMO_PASSWORDS[CITY], "new_password": "1234567890"},
    )
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0]["code"] == "password_trivial"
    r = client.post(
        "/api/v1/auth/password",
        headers=here,
        json={"current_password": DEMO_PASSWORDS[CITY], "new_password": NEW_PASSWORD},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"sessions_revoked": 0, "tokens_revoked": 1}
    assert client.get("/api/v1/me", headers=here).status_code == 200
    assert client.get("/api/v1/me", headers=there).status_code == 401
    assert client.post(TOKEN, data={"username": CITY, "password": DEMO_PASSWORDS[CITY]}).status_code == 401
    assert _new_token(client, CITY, NEW_PASSWORD)


def test_a_reset_account_reaches_only_the_password_change_until_it_changes(
    client: TestClient, settings: Settings
) -> None:
    ids = _ids(client)
    prov = api_token(client, "province")
    before = _new_token(client, CITY)
    r = client.post(f"/api/v1/users/{ids[CITY]}/reset-password", headers=prov)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    temp = r.json()["temporary_password"]
    assert r.json()["username"] == CITY and r.json()["must_change_password"] is True
    assert client.get("/api/v1/me", headers=before).status_code == 401
    assert client.post(TOKEN, data={"username": CITY, "password": DEMO_PASSWORDS[CITY]}).status_code == 401
    pending = _new_token(client, CITY, temp)
    for method, path in (
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/auth/tokens"),
        ("GET", "/api/v1/enterprises"),
        ("GET", "/api/v1/sector/overview"),
    ):
        r = client.request(method, path, headers=pending)
        assert r.status_code == 403, (path, r.text)
        err = r.json()["error"]
        assert err["code"] == "password_change_required"
        assert "/api/v1/auth/password" in err["message_en"] and "新密码" in err["message_zh"]
    r = client.post(
        "/api/v1/auth/password", headers=pending, json={"current_password": temp, "new_password": temp}
    )
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["code"] == "password_unchanged"
    r = client.post(
        "/api/v1/auth/password",
        headers=pending,
        json={"current_password": temp, "new_password": NEW_PASSWORD},
    )
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/me", headers=pending).status_code == 200
    audit_text = " ".join(str(after) for _a, _actor, after in _actions(settings.database_url))
    assert temp not in audit_text and NEW_PASSWORD not in audit_text and "$argon2" not in audit_text


def test_a_reset_account_may_log_out(client: TestClient) -> None:
    ids = _ids(client)
    temp = client.post(
        f"/api/v1/users/{ids[CITY]}/reset-password", headers=api_token(client, "province")
    ).json()["temporary_password"]
    pending = _new_token(client, CITY, temp)
    assert client.post("/api/v1/auth/logout", headers=pending).status_code == 204
    assert client.post("/api/v1/auth/logout", headers=pending).status_code == 401
