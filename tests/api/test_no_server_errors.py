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


def test_patch_with_nulls_is_a_located_422_and_a_park_may_be_removed(client: TestClient) -> None:
    h = api_token(client, "province")
    body = {"name_zh": None, "name_en": None, "above_designated_size": None}
    r = client.patch("/api/v1/enterprises/1", json=body, headers=h)
    assert r.status_code == 422
    assert {(p["code"], p["column"]) for p in r.json()["error"]["problems"]} == {
        ("required", "name_zh"),
        ("required", "name_en"),
        ("required", "above_designated_size"),
    }
    r = client.patch("/api/v1/enterprises/1", json={"park_id": None}, headers=h)
    assert r.status_code == 200 and r.json()["park_id"] is None


def test_a_negative_monte_carlo_seed_is_a_422(client: TestClient) -> None:
    h = api_token(client, "province")
    r = client.post(
        "/api/v1/scenarios/montecarlo", json={"n": 10, "seed": -1, "scheduler": "numpy"}, headers=h
    )
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0]["column"] == "seed"


def test_a_header_only_activity_file_is_a_located_422(client: TestClient) -> None:
    h = api_token(client, "province")
    header = b"enterprise,line,period,item,quantity,unit\n"
    r = client.post(
        "/api/v1/inventory/compute", files={"activity_file": ("a.csv", header, "text/csv")}, headers=h
    )
    assert r.status_code == 422
    assert [(p["code"], p["file"]) for p in r.json()["error"]["problems"]] == [("bad_file", "a.csv")]


def test_control_characters_in_text_parameters_are_a_422(client: TestClient) -> None:
    """NUL cannot be stored or compared in PostgreSQL text: refused before the query."""
    h = api_token(client, "province")
    for path, params in (
        ("/api/v1/enterprises", {"q": "a\x00b"}),
        ("/api/v1/projects", {"city": "\x00"}),
        ("/api/v1/intake/submissions", {"status": "draft\x00"}),
    ):
        r = client.get(path, params=params, headers=h)
        assert r.status_code == 422, (path, r.text)
        assert r.json()["error"]["problems"][0]["column"] == next(iter(params))
    r = client.post("/api/v1/auth/token", data={"username": "pro\x00vince", "password": "x"})
    assert r.status_code == 422
    assert client.get("/api/v1/enterprises", params={"q": "有色"}, headers=h).status_code == 200
