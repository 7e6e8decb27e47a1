"""The account pages through HTTP (issue 13): my tokens, password change, the province's users
page (deactivate, reactivate, reset, revoke tokens), the idle timeout and page logout.

Role checks and CSRF like every form: a city user gets 403 on ``/users``; a POST without the
form's CSRF token is refused and changes nothing. A reset account reaches only the
change-password page (403 ``password_change_required`` elsewhere, in the visitor's language).
Time is the injectable clock ``auth._now`` (no sleeping).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.errors import message
from carbonpeak.service.access import auth
from carbonpeak.settings import Settings
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import WebSession
from tests.conftest import DEMO_PASSWORDS, api_token
from tests.web.conftest import csrf_token, web_login

CITY = "city-hengyang"
NEW_PASSWORD = "a-fresh-passphrase"
TEMP = re.compile(r'<code class="mono" id="temporary-value">([^<]+)</code>')


@pytest.fixture
def other(settings: Settings) -> Iterator[TestClient]:
    """A second browser on the same store."""
    with TestClient(create_app(settings)) as c:
        yield c


def _user_id(client: TestClient, username: str) -> int:
    users = client.get("/api/v1/users", headers=api_token(client, "province")).json()
    return next(int(u["id"]) for u in users if u["username"] == username)


def _post(
    client: TestClient, path: str, data: dict[str, str] | None = None, csrf_from: str = "/account"
) -> httpx.Response:
    return client.post(
        path, data={**(data or {}), "csrf_token": csrf_token(client, csrf_from)}, follow_redirects=False
    )


def _sessions(url: str) -> int:
    with engine_for(url).connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(WebSession)).scalar_one())


def test_page_logout_deletes_the_session_row(client: TestClient, settings: Settings) -> None:
    web_login(client, CITY)
    raw = client.cookies["cp_session"]
    assert _sessions(settings.database_url) == 1
    r = client.post("/logout", data={"csrf_token": csrf_token(client, "/")}, follow_redirects=False)
    assert r.status_code == 303
    assert _sessions(settings.database_url) == 0
    client.cookies.set("cp_session", raw)
    assert client.get("/account", follow_redirects=False).headers["location"].startswith("/login")


def test_a_page_session_ends_after_the_idle_minutes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [dt.datetime.now(dt.UTC)]
    monkeypatch.setattr(auth, "_now", lambda: now[0])
    web_login(client, CITY)
    now[0] += dt.timedelta(minutes=29)
    assert client.get("/account", follow_redirects=False).status_code == 200
    now[0] += dt.timedelta(minutes=29)  # 29 minutes after the last request: still signed in
    assert client.get("/account", follow_redirects=False).status_code == 200
    now[0] += dt.timedelta(minutes=31)
    r = client.get("/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_my_account_lists_and_revokes_my_tokens(client: TestClient) -> None:
    bearer = api_token(client, CITY)
    web_login(client, CITY)
    page = client.get("/account")
    assert page.status_code == 200
    ids = re.findall(r'<tr id="token-(\d+)">', page.text)
    assert len(ids) == 1
    assert bearer["Authorization"].removeprefix("Bearer ") not in page.text
    r = client.post(f"/account/tokens/{ids[0]}/revoke", data={"csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    r = _post(client, f"/account/tokens/{ids[0]}/revoke")
    assert r.status_code == 303 and r.headers["location"] == "/account?done=revoked"
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    assert 'id="no-tokens"' in client.get("/account").text
    # someone else's token id: not found
    theirs = api_token(client, "city-chenzhou")
    their_id = client.get("/api/v1/auth/tokens", headers=theirs).json()[0]["id"]
    r = _post(client, f"/account/tokens/{their_id}/revoke")
    assert r.status_code == 404
    assert client.get("/api/v1/me", headers=theirs).status_code == 200


def test_the_password_page_changes_the_password_and_ends_other_sessions(
    client: TestClient, other: TestClient
) -> None:
    web_login(other, CITY)
    bearer = api_token(client, CITY)
    web_login(client, CITY)
    form = {"current_password": DEMO_PASSWORDS[CITY], "new_password": NEW_PASSWORD}
    r = _post(
        client, "/account/password", {**form, "new_password_again": "something-else"}, "/account/password"
    )
    assert r.status_code == 422
    assert message("password_mismatch", "zh") in r.text
    r = _post(
        client,
        "/account/password",
        {"current_password": "wrong", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
        "/account/password",
    )
    assert r.status_code == 422 and message("password_wrong_current", "zh") in r.text
    r = _post(client, "/account/password", {**form, "new_password_again": NEW_PASSWORD}, "/account/password")
    assert r.status_code == 303, r.text
    assert client.get("/account").status_code == 200  # this browser stays signed in
    assert other.get("/account", follow_redirects=False).status_code == 303  # the other one is out
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_the_users_page_is_the_provinces(client: TestClient) -> None:
    web_login(client, CITY)
    assert 'href="/users"' not in client.get("/").text
    r = client.get("/users")
    assert r.status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    web_login(client, "province")
    assert 'href="/users"' in client.get("/").text
    page = client.get("/users")
    assert page.status_code == 200
    for name in DEMO_PASSWORDS:
        assert f'data-username="{name}"' in page.text
    # the province's own row has no deactivate or reset button
    own = re.search(r'<tr id="user-(\d+)" data-username="province".*?</tr>', page.text, re.DOTALL)
    assert own is not None and "deactivate" not in own.group(0) and "reset-password" not in own.group(0)


def test_a_city_user_cannot_post_the_users_forms(client: TestClient) -> None:
    target = _user_id(client, "city-chenzhou")
    web_login(client, CITY)
    r = _post(client, f"/users/{target}/deactivate")
    assert r.status_code == 403
    assert (
        client.post(
            "/api/v1/auth/token",
            data={"username": "city-chenzhou", "password": DEMO_PASSWORDS["city-chenzhou"]},
        ).status_code
        == 200
    )


def test_deactivate_and_reactivate_from_the_users_page(client: TestClient, other: TestClient) -> None:
    target = _user_id(client, CITY)
    web_login(other, CITY)
    web_login(client, "province")
    r = client.post(f"/users/{target}/deactivate", data={"csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    assert other.get("/account").status_code == 200
    r = _post(client, f"/users/{target}/deactivate", csrf_from="/users")
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert f'data-username="{CITY}" data-active="no"' in page.text
    assert 'id="done-note"' in page.text
    assert other.get("/account", follow_redirects=False).status_code == 303  # signed out at once
    data = {"username": CITY, "password": DEMO_PASSWORDS[CITY], "csrf_token": csrf_token(other)}
    refused = other.post("/login", data=data, follow_redirects=False)
    assert refused.status_code == 401
    assert message("auth_failed", "zh") in refused.text
    r = _post(client, f"/users/{target}/reactivate", csrf_from="/users")
    assert r.status_code == 303
    web_login(other, CITY)


def test_a_reset_shows_the_password_once_and_the_user_must_change_it(
    client: TestClient, other: TestClient
) -> None:
    target = _user_id(client, CITY)
    web_login(client, "province")
    r = _post(client, f"/users/{target}/reset-password", csrf_from="/users")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    found = TEMP.search(r.text)
    assert found is not None
    temp = found.group(1)
    assert temp not in client.get("/users").text  # shown once
    # the user signs in with it: straight to the password page, nowhere else
    data = {"username": CITY, "password": temp, "csrf_token": csrf_token(other), "next": "/enterprises"}
    r2 = other.post("/login", data=data, follow_redirects=False)
    assert r2.status_code == 303
    assert r2.headers["location"] == "/account/password?next=/enterprises"
    for path in ("/", "/enterprises", "/account", "/dashboard"):
        refused = other.get(path, follow_redirects=False)
        assert refused.status_code == 403, path
        assert message("password_change_required", "zh") in refused.text
        assert 'href="/account/password" id="to-password"' in refused.text
    assert other.get("/login", follow_redirects=False).headers["location"] == "/account/password"
    page = other.get("/account/password?next=/enterprises")
    assert page.status_code == 200 and 'id="must-change"' in page.text
    form = {
        "current_password": temp,
        "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD,
        "next": "/enterprises",
        "csrf_token": csrf_token(other, "/account/password"),
    }
    r3 = other.post("/account/password", data=form, follow_redirects=False)
    assert r3.status_code == 303 and r3.headers["location"] == "/enterprises"
    assert other.get("/enterprises").status_code == 200
    assert other.get("/").status_code == 200


def test_revoke_all_tokens_from_the_users_page(client: TestClient) -> None:
    target = _user_id(client, CITY)
    held = [api_token(client, CITY), api_token(client, CITY)]
    web_login(client, "province")
    r = _post(client, f"/users/{target}/revoke-tokens", csrf_from="/users")
    assert r.status_code == 303
    assert "n=2" in r.headers["location"]
    assert all(client.get("/api/v1/me", headers=h).status_code == 401 for h in held)
