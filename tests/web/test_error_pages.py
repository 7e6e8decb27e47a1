"""The one error handler (carbonpeak.http.errors): the API's errors are JSON bodies, every other
path's are the site's bilingual error page — with the right status, in the visitor's
language, and without touching the visitor's CSRF token."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.errors import PermissionDenied, message
from carbonpeak.settings import Settings
from tests.conftest import api_token
from tests.web.conftest import csrf_token, set_cookie_headers, web_login


def _html(r: httpx.Response) -> str:
    assert r.headers["content-type"].startswith("text/html"), r.text[:200]
    assert r.headers["cache-control"] == "no-store"
    assert "Traceback" not in r.text
    return r.text


def _json_error(r: httpx.Response) -> dict[str, object]:
    assert r.headers["content-type"].startswith("application/json")
    err = r.json()["error"]
    assert isinstance(err, dict)
    assert set(err) >= {"code", "message_zh", "message_en", "request_id"}
    return err


@pytest.fixture
def failing(settings: Settings) -> Iterator[TestClient]:
    """The app with a page and an API route that fail unexpectedly and one that refuses."""
    app = create_app(settings)

    @app.get("/_boom")
    def boom_page() -> None:
        raise RuntimeError("secret detail")

    @app.get("/api/v1/_boom")
    def boom_api() -> None:
        raise RuntimeError("secret detail")

    @app.get("/_refused")
    def refused_page() -> None:
        raise PermissionDenied(role="public", action="probe.view")

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_an_unknown_page_is_the_html_404_in_the_visitors_language(client: TestClient) -> None:
    text = _html(r := client.get("/no-such-page"))
    assert r.status_code == 404
    assert message("not_found", "zh", object="page", key="/no-such-page") in text
    assert "未找到页面" in text
    client.get("/lang/en")
    text = _html(r := client.get("/no-such-page"))
    assert r.status_code == 404
    assert "Not found: page /no-such-page" in text
    assert '<html lang="en"' in text


def test_an_unknown_api_path_is_the_json_404(client: TestClient) -> None:
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    err = _json_error(r)
    assert err["code"] == "not_found"
    assert err["request_id"] == r.headers["x-request-id"]


def test_a_wrong_method_is_405_html_on_pages_and_json_on_the_api(client: TestClient) -> None:
    r = client.delete("/dashboard")
    assert r.status_code == 405
    _html(r)
    r = client.delete("/api/v1/health")
    assert r.status_code == 405
    assert _json_error(r)["code"] == "validation"


def test_request_validation_is_a_422_page_locating_the_parameter(client: TestClient) -> None:
    web_login(client, "province")
    text = _html(r := client.get("/review?id=abc"))
    assert r.status_code == 422
    assert message("input_invalid", "zh", count=1) in text
    assert "<code>id</code>" in text
    headers = api_token(client, "province")
    r = client.get("/api/v1/reviews/abc", headers=headers)
    assert r.status_code == 422
    err = _json_error(r)
    assert err["code"] == "input_invalid"
    assert err["problems"][0]["column"] == "review_id"  # type: ignore[index]


def test_a_service_error_in_a_page_handler_is_the_error_page(client: TestClient) -> None:
    """The review form no longer catches NotFound itself: the handler renders it."""
    web_login(client, "province")
    client.get("/lang/en")
    text = _html(r := client.get("/review?id=2000000000"))
    assert r.status_code == 404
    assert message("not_found", "en", object="review", key=2000000000) in text
    assert "Province authority" in text  # the visitor was resolved: signed in, English


def test_an_unexpected_error_is_a_500_page_with_the_request_id_and_no_detail(
    failing: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The id shown is the server's (the client's X-Request-ID is never the audited id); the
    access log line names both, so the client's id finds the server's."""
    caplog.set_level(logging.INFO, logger="carbonpeak.access")
    r = failing.get("/_boom", headers={"X-Request-ID": "probe-500"})
    text = _html(r)
    assert r.status_code == 500
    assert "probe-500" not in text
    server_ids = re.findall(r"\b[0-9a-f]{32}\b", text)
    assert server_ids
    assert "secret detail" not in text
    line = next(m for m in caplog.messages if "client_request_id=probe-500" in m)
    assert line.startswith("GET /_boom 500 ") and f"request_id={server_ids[0]}" in line
    r = failing.get("/api/v1/_boom", headers={"X-Request-ID": "probe-500-api"})
    assert r.status_code == 500
    err = _json_error(r)
    assert err["code"] == "internal"
    assert re.fullmatch(r"[0-9a-f]{32}", str(err["request_id"]))
    assert "secret detail" not in r.text


def test_a_refusal_is_a_403_page(failing: TestClient) -> None:
    text = _html(r := failing.get("/_refused"))
    assert r.status_code == 403
    assert message("permission_denied", "zh", role="public", action="probe.view") in text


def test_the_error_page_keeps_the_visitors_csrf_token(client: TestClient) -> None:
    token = csrf_token(client)
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert set_cookie_headers(r, "cp_csrf") == []  # not rotated: open forms stay valid
    assert client.cookies.get("cp_csrf") == token


def test_the_error_page_gives_a_new_visitor_a_csrf_cookie(settings: Settings) -> None:
    with TestClient(create_app(settings)) as fresh:
        r = fresh.get("/no-such-page")
        assert r.status_code == 404
        (cookie,) = set_cookie_headers(r, "cp_csrf")
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()


def test_the_app_is_built_by_the_composition_root(client: TestClient) -> None:
    assert isinstance(client.app, FastAPI)
    paths = {getattr(r, "path", "") for r in client.app.routes}
    assert "/static" in paths
    assert client.get("/api/v1/health").json()["status"] == "ok"
    assert client.get("/").status_code == 200
