"""Benchmark and target endpoints through HTTP: scoped like everything else."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.api.test_scope_matrix import DEMO_USERS, USERS
from tests.conftest import api_token


def test_lines_are_graded_and_scoped(client: TestClient) -> None:
    prov = client.get("/api/v1/benchmark/lines", params={"year": 2024}, headers=api_token(client, "province"))
    assert prov.status_code == 200
    rows = prov.json()
    assert rows and json.dumps(rows)  # plain JSON, no NaN
    graded = [r for r in rows if r.get("grade") is not None]
    assert graded
    city = client.get(
        "/api/v1/benchmark/lines", params={"year": 2024}, headers=api_token(client, "city-hengyang")
    ).json()
    assert city and {r["city"] for r in city} <= {"430400"}
    assert len(city) < len(rows)


def test_share_and_targets_by_role(client: TestClient) -> None:
    for user in USERS:
        h = api_token(client, user)
        public = DEMO_USERS[user]["role"] == "public"
        for path in ("/api/v1/benchmark/share", "/api/v1/targets", "/api/v1/benchmark/lines"):
            r = client.get(path, headers=h)
            assert r.status_code == (403 if public else 200), (user, path, r.text)
    share = client.get(
        "/api/v1/benchmark/share",
        params={"year": 2024, "by": "city,metal"},
        headers=api_token(client, "province"),
    ).json()
    assert share and all(0.0 <= (s.get("share") or 0.0) <= 1.0 for s in share)
    targets = client.get(
        "/api/v1/targets", params={"year": 2025}, headers=api_token(client, "province")
    ).json()
    assert {t["indicator"] for t in targets} >= {"recycled_share", "peak_year", "capacity_share_at_benchmark"}
