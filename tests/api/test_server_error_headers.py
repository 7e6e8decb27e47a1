"""An unhandled error's 500 carries the same headers as every other answer: the server's
request id (the one its body names), the client's id echoed apart, the security headers and
``Cache-Control: no-store`` — on the API and on pages (Starlette sends that 500 from outside
every middleware, so the error handler sets them itself: carbonpeak.http.errors)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.http.middleware import SECURITY_HEADERS
from carbonpeak.settings import Settings


@pytest.fixture
def failing(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"hsts_seconds": 600}))

    @app.get("/_boom")
    def boom_page() -> None:
        raise RuntimeError("secret detail")

    @app.get("/api/v1/_boom")
    def boom_api() -> None:
        raise RuntimeError("secret detail")

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("path", ["/api/v1/_boom", "/_boom"])
def test_an_unhandled_500_has_the_headers_of_every_answer(failing: TestClient, path: str) -> None:
    ok = failing.get("/api/v1/health")
    r = failing.get(path, headers={"X-Request-ID": "probe-500"})
    assert r.status_code == 500
    rid = r.headers.get("x-request-id", "")
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert rid in r.text  # the id the body shows is the header's
    assert r.headers.get("x-client-request-id") == "probe-500"
    for key, value in SECURITY_HEADERS.items():
        assert r.headers.get(key) == value == ok.headers.get(key)
    assert r.headers.get("cache-control") == "no-store"
    assert r.headers.get("strict-transport-security") == "max-age=600; includeSubDomains"
    assert "secret detail" not in r.text
