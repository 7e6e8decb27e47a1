"""Through HTTP: server-generated request ids (the client's kept apart), ``Cache-Control:
no-store`` on the API and the pages, HSTS by setting — issue 13's audit and header findings."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.errors import SettingsError
from carbonpeak.settings import Settings
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import AuditEvent
from tests.conftest import api_token
from tests.web.conftest import web_login

HEX32 = re.compile(r"[0-9a-f]{32}")


def _last_event(url: str) -> tuple[str, str]:
    with engine_for(url).connect() as conn:
        row = conn.execute(
            sa.select(AuditEvent.action, AuditEvent.request_id).order_by(AuditEvent.id.desc()).limit(1)
        ).one()
    return str(row[0]), str(row[1])


def test_the_request_id_is_the_servers_and_the_clients_is_echoed_apart(client: TestClient) -> None:
    r = client.get("/api/v1/health", headers={"X-Request-ID": "client-chosen.1"})
    assert HEX32.fullmatch(r.headers["x-request-id"])
    assert r.headers["x-client-request-id"] == "client-chosen.1"
    other = client.get("/api/v1/health", headers={"X-Request-ID": "client-chosen.1"})
    assert other.headers["x-request-id"] != r.headers["x-request-id"]  # one id per request
    for bad in ("has space", "x" * 65, "back\\slash", "é", "a;b"):
        r = client.get("/api/v1/health", headers={"X-Request-ID": bad.encode()})
        assert HEX32.fullmatch(r.headers["x-request-id"])
        assert "x-client-request-id" not in r.headers
    assert "x-client-request-id" not in client.get("/api/v1/health").headers


def test_the_audit_event_stores_the_servers_request_id(client: TestClient, demo_url: str) -> None:
    r = client.post(
        "/api/v1/auth/token",
        data={"username": "province", "password": "wrong-password"},
        headers={"X-Request-ID": "forged-id"},
    )
    assert r.status_code == 401
    action, request_id = _last_event(demo_url)
    assert action == "auth.login_failed"
    assert request_id == r.headers["x-request-id"] != "forged-id"
    assert r.json()["error"]["request_id"] == request_id


def test_the_access_log_line_names_both_ids(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="carbonpeak.access")
    r = client.get("/api/v1/health?token=secret", headers={"X-Request-ID": "mine-42"})
    rid = r.headers["x-request-id"]
    lines = [m for m in caplog.messages if rid in m]
    assert len(lines) == 1
    assert lines[0].startswith("GET /api/v1/health 200 ")
    assert lines[0].endswith(f"request_id={rid} client_request_id=mine-42")
    assert "secret" not in lines[0]  # the query string is not logged


def test_api_json_and_authenticated_pages_are_not_stored(client: TestClient) -> None:
    headers = api_token(client, "province")
    for path in ("/api/v1/enterprises", "/api/v1/health", "/api/v1/no-such-thing"):
        r = client.get(path, headers=headers)
        assert r.headers["content-type"].startswith("application/json"), path
        assert r.headers["cache-control"] == "no-store", path
    assert client.get("/api/v1/enterprises").headers["cache-control"] == "no-store"  # a 401 too
    web_login(client, "province")
    for path in ("/", "/dashboard", "/enterprises"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html"), path
        assert r.headers["cache-control"] == "no-store", path


def test_public_static_assets_may_be_cached(client: TestClient) -> None:
    r = client.get("/static/app.css")
    assert r.status_code == 200
    assert "no-store" not in r.headers.get("cache-control", "")
    assert r.headers["x-content-type-options"] == "nosniff"


def test_no_hsts_by_default(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/api/v1/health").headers
    assert Settings().hsts_seconds == 0


@pytest.fixture
def hsts_client(demo_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=demo_url, hsts_seconds=31_536_000))) as c:
        yield c


def test_hsts_when_set_on_every_response(hsts_client: TestClient) -> None:
    for path in ("/api/v1/health", "/", "/static/app.css", "/no-such-page"):
        r = hsts_client.get(path)
        assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains", path


def test_hsts_setting_is_typed_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARBONPEAK_HSTS_SECONDS", "63072000")
    assert Settings().hsts_seconds == 63_072_000
    for bad in ("-1", "a year", "63072001"):
        monkeypatch.setenv("CARBONPEAK_HSTS_SECONDS", bad)
        with pytest.raises(SettingsError) as err:
            Settings()
        assert err.value.problems[0].column == "CARBONPEAK_HSTS_SECONDS"
