"""Regression tests of the server errors schemathesis found (tests/api/test_schemathesis.py):
each answers a 4xx with the bilingual error body, or a 200, never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import api_token


def test_an_unknown_reference_table_is_not_found(client: TestClient) -> None:
    r = client.get("/api/v1/refdata/0/0")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/refdata/geo/cities").status_code == 200


def test_an_offset_beyond_the_store_integers_is_a_located_422(client: TestClient) -> None:
    h = api_token(client, "province")
    r = client.get("/api/v1/enterprises", params={"offset": 2**63}, headers=h)
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0]["column"] == "offset"
    r = client.get("/api/v1/enterprises", params={"limit": 2, "offset": 1}, headers=h)
    assert r.status_code == 200 and len(r.json()) == 2


def test_a_year_before_the_targets_first_year_is_no_data(client: TestClient) -> None:
    h = api_token(client, "province")
    for path in ("/api/v1/targets", "/api/v1/dashboard"):
        r = client.get(path, params={"year": 1995}, headers=h)
        assert r.status_code == 200, (path, r.text)
    targets = client.get("/api/v1/targets", params={"year": 1995}, headers=h).json()
    assert targets and all(t["year"] == 1995 for t in targets)


def test_a_ragged_correlation_matrix_is_a_located_422(client: TestClient) -> None:
    h = api_token(client, "province")
    body = {"n": 20, "scheduler": "numpy", "correlation": [[1.0, 0.0], [0.0], [], [1.0], [0.0, 1.0, 2.0]]}
    r = client.post("/api/v1/scenarios/montecarlo", json=body, headers=h)
    assert r.status_code == 422, r.text
    problems = r.json()["error"]["problems"]
    assert [(p["code"], p["column"]) for p in problems] == [("mc_correlation", "correlation")]
