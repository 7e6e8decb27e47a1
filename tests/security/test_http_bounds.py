"""Every year and id parameter is bounded; bodies are sized and uploads authenticated first.

Issue 13: ``year=99999`` on ``/targets`` and ``/dashboard`` ran at 92 % CPU for over 90 s;
ids beyond 64 bits gave 500s on ~20 routes (both stores); anonymous multipart bodies were
spooled to disk before authentication and the size check (800 MB written for a 401).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.http.guard import body_limit
from carbonpeak.http.params import MAX_ID, YEAR_MAX, YEAR_MIN
from carbonpeak.settings import Settings
from tests.conftest import api_token

BIG_IDS = [MAX_ID + 1, 2**63, 2**64, 10**30]


def _openapi(client: TestClient) -> dict[str, Any]:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc: dict[str, Any] = r.json()
    return doc


def _params(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                out.append((f"{method.upper()} {path}", p["in"], p))
    return out


def _schema(p: dict[str, Any]) -> dict[str, Any]:
    s: dict[str, Any] = p["schema"]
    for alt in s.get("anyOf", []):
        if alt.get("type") == "integer":
            return dict(alt)
    return s


def test_every_integer_path_parameter_is_a_bounded_id(client: TestClient) -> None:
    found = [(op, p) for op, where, p in _params(_openapi(client)) if where == "path"]
    ints = [(op, p) for op, p in found if _schema(p).get("type") == "integer" and p["name"] != "year"]
    assert len(ints) >= 20
    for op, p in ints:
        assert (_schema(p).get("minimum"), _schema(p).get("maximum")) == (1, MAX_ID), (op, p["name"])


def test_every_year_parameter_is_bounded(client: TestClient) -> None:
    doc = _openapi(client)
    years = [(op, p) for op, _where, p in _params(doc) if p["name"] in ("year", "base_year", "start", "end")]
    assert len(years) >= 10
    for op, p in years:
        assert (_schema(p).get("minimum"), _schema(p).get("maximum")) == (YEAR_MIN, YEAR_MAX), (op, p["name"])
    text = json.dumps(doc, ensure_ascii=False)
    assert f"{YEAR_MIN}–{YEAR_MAX}" in text  # the range is documented in the schema


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/targets?year=99999",
        "/api/v1/dashboard?year=99999",
        "/api/v1/benchmark/lines?year=99999",
        "/api/v1/benchmark/share?year=-5",
        "/api/v1/scenarios/base-year?year=1989",
        f"/api/v1/registries/green?year={YEAR_MAX + 1}",
        "/api/v1/scenarios/lmdi/history?start=99999",
    ],
)
def test_an_out_of_range_year_is_a_422_naming_it(
    client: TestClient, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carbonpeak.service.efficiency import benchmarking
    from carbonpeak.service.outlook import targets

    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("the computation must not start")

    for mod in (targets, benchmarking):
        for name in dir(mod):
            if (
                not name.startswith("_")
                and callable(getattr(mod, name))
                and getattr(getattr(mod, name), "__module__", "") == mod.__name__
            ):
                monkeypatch.setattr(mod, name, never)
    r = client.get(url, headers=api_token(client, "verifier"))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "input_invalid"
    assert [p["column"] for p in err["problems"]] in (["year"], ["start"])
    assert err["problems"][0]["message_zh"] and err["problems"][0]["message_en"]


def test_the_dashboard_page_refuses_an_out_of_range_year(client: TestClient) -> None:
    from tests.web.conftest import web_login

    web_login(client, "verifier")
    r = client.get("/dashboard?year=99999")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")  # a page's error is a page
    assert "<code>year</code>" in r.text


def _get_routes_with_int_path(client: TestClient) -> list[str]:
    doc = _openapi(client)
    out = []
    for path, ops in doc["paths"].items():
        params = [p for p in ops.get("get", {}).get("parameters", []) if p["in"] == "path"]
        if params and all(_schema(p).get("type") == "integer" for p in params):
            out.append(path)
    return out


@pytest.mark.parametrize("big", BIG_IDS)
def test_ids_beyond_the_stores_integers_are_422_on_every_route(client: TestClient, big: int) -> None:
    headers = api_token(client, "province")
    routes = _get_routes_with_int_path(client)
    assert len(routes) >= 10
    for path in routes:
        url = "/api/v1" + re.sub(r"\{\w+\}", str(big), path.removeprefix("/api/v1"))
        r = client.get(url, headers=headers)
        assert r.status_code == 422, (url, r.status_code, r.text)
        assert r.json()["error"]["code"] == "input_invalid"
    for method, url in (
        ("PATCH", f"/api/v1/enterprises/{big}"),
        ("DELETE", f"/api/v1/projects/{big}"),
        ("POST", f"/api/v1/submissions/{big}/submit"),
    ):
        r = client.request(method, url, headers=headers, json={})
        assert r.status_code == 422, (method, url, r.text)


def test_the_largest_id_is_simply_not_found(client: TestClient) -> None:
    headers = api_token(client, "province")
    for url in (
        f"/api/v1/enterprises/{MAX_ID}",
        f"/api/v1/inventories/{MAX_ID}",
        f"/api/v1/evidence/{MAX_ID}",
    ):
        r = client.get(url, headers=headers)
        assert r.status_code == 404, (url, r.text)


def test_a_body_id_beyond_the_stores_integers_is_a_422(client: TestClient) -> None:
    body = {"value_id": 2**64, "quantity": 1, "unit": "t", "reason": "x"}
    r = client.post("/api/v1/submissions/1/adjustments", json=body, headers=api_token(client, "verifier"))
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0]["column"] == "value_id"


# --- the body guard, at the ASGI boundary: does the application read the body at all? ---


class _Asgi:
    """One request straight into the ASGI app, recording whether the body was read."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.reads = 0

    def request(
        self, method: str, path: str, headers: dict[str, str], chunks: list[bytes]
    ) -> tuple[int, dict[str, str], bytes]:
        import anyio

        sent: list[dict[str, Any]] = []
        queue = list(chunks)

        async def receive() -> dict[str, Any]:
            self.reads += 1
            if queue:
                body = queue.pop(0)
                return {"type": "http.request", "body": body, "more_body": bool(queue)}
            return {"type": "http.disconnect"}

        async def send(msg: dict[str, Any]) -> None:
            sent.append(msg)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
        }

        async def run() -> None:
            await self.app(scope, receive, send)  # type: ignore[arg-type]

        # on a thread of its own: a session's Playwright (sync API) keeps an event loop
        # running in the test's thread, where anyio.run would refuse to start another
        with ThreadPoolExecutor(1) as pool:
            pool.submit(anyio.run, run).result()
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        head = {k.decode(): v.decode() for k, v in start["headers"]}
        return start["status"], head, body


MULTIPART = "multipart/form-data; boundary=xyz"


def test_an_anonymous_upload_is_401_without_reading_the_body(settings: Settings) -> None:
    asgi = _Asgi(settings)
    status, head, body = asgi.request(
        "POST", "/api/v1/intake/import", {"content-type": MULTIPART, "content-length": "4096"}, [b"x" * 4096]
    )
    assert status == 401
    assert json.loads(body)["error"]["code"] == "auth_required"
    assert head["www-authenticate"] == "Bearer"
    assert asgi.reads == 0


def test_a_bad_token_upload_is_401_without_reading_the_body(settings: Settings) -> None:
    asgi = _Asgi(settings)
    headers = {"content-type": MULTIPART, "content-length": "10", "authorization": "Bearer cp_nope"}
    status, _head, body = asgi.request("POST", "/api/v1/enterprises/import", headers, [b"x" * 10])
    assert status == 401
    assert json.loads(body)["error"]["code"] == "auth_token_invalid"
    assert asgi.reads == 0


def test_an_anonymous_page_upload_goes_to_sign_in_without_reading_the_body(settings: Settings) -> None:
    asgi = _Asgi(settings)
    status, head, _body = asgi.request(
        "POST", "/submissions/upload", {"content-type": MULTIPART, "content-length": "10"}, [b"x" * 10]
    )
    assert status == 303 and head["location"].startswith("/login")
    assert asgi.reads == 0


def test_a_declared_body_over_the_limit_is_413_before_it_is_read(
    settings: Settings, client: TestClient
) -> None:
    token = api_token(client, "province")
    asgi = _Asgi(settings)
    too_big = str(body_limit(settings) + 1)
    for ctype in (MULTIPART, "application/json"):
        headers = {
            "content-type": ctype,
            "content-length": too_big,
            **{k.lower(): v for k, v in token.items()},
        }
        status, _head, body = asgi.request("POST", "/api/v1/intake/import", headers, [b"x"])
        assert status == 413
        err = json.loads(body)["error"]
        assert err["code"] == "payload_too_large"
        assert f"{settings.max_upload_mb} MB" in err["message_en"]
    assert asgi.reads == 0


def test_a_chunked_body_is_cut_off_once_over_the_limit(client: TestClient) -> None:
    settings = client.app.state.settings.model_copy(update={"max_upload_mb": 1})  # type: ignore[attr-defined]
    token = api_token(client, "province")
    asgi = _Asgi(settings)
    chunk = b"x" * (256 * 1024)
    head = (
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )
    chunks = [head] + [chunk] * 40  # a 10 MiB file, no Content-Length
    headers = {"content-type": MULTIPART, **{k.lower(): v for k, v in token.items()}}
    status, _head, body = asgi.request("POST", "/api/v1/intake/import", headers, chunks)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "payload_too_large"
    assert asgi.reads <= body_limit(settings) // len(chunk) + 2  # stopped reading near the limit
