"""Write scope (issue 13): a create that attaches to an enterprise checks that enterprise's
scope — a city cannot file a review or a project for another city's enterprise under its
own city code — and the answer for an enterprise outside the caller's scope is the answer
for an unknown one (no existence oracle). Through HTTP, on both stores."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_review_api import HENGYANG, _new, _zinc
from tests.conftest import api_token

CHENZHOU_ENT = "91431000J01F12ULCR"  # a demo enterprise of Chenzhou (synthetic)
HENGYANG_ENT = "91430400XU6TWF13XG"  # a demo enterprise of Hengyang (synthetic)
NOWHERE = "91430400000000000X"  # no such enterprise


def _codes(r: Any) -> list[str]:
    return [p["code"] for p in r.json()["error"].get("problems", [])]


@pytest.mark.parametrize("user", ["city-hengyang", "ent-hengyang-pbzn"])
def test_a_review_cannot_name_an_enterprise_outside_scope(client: TestClient, user: str) -> None:
    h = api_token(client, user)
    foreign = client.post("/api/v1/review", json=_zinc(HENGYANG, enterprise=CHENZHOU_ENT), headers=h)
    unknown = client.post("/api/v1/review", json=_zinc(HENGYANG, enterprise=NOWHERE), headers=h)
    assert foreign.status_code == unknown.status_code == 422
    assert _codes(foreign) == _codes(unknown) == ["unknown_enterprise"]
    # nothing was stored: the province sees no review of the Chenzhou enterprise
    listed = client.get("/api/v1/reviews", headers=api_token(client, "province")).json()
    assert all(r.get("enterprise_id") is None or r.get("credit_code") != CHENZHOU_ENT for r in listed)


def test_a_review_of_the_callers_own_enterprise_still_works(client: TestClient) -> None:
    r = client.post(
        "/api/v1/review",
        json=_zinc(HENGYANG, enterprise=HENGYANG_ENT),
        headers=api_token(client, "city-hengyang"),
    )
    assert r.status_code == 201, r.text


def test_a_city_cannot_attach_a_project_to_another_citys_enterprise(client: TestClient) -> None:
    h = api_token(client, "city-hengyang")
    foreign = client.post("/api/v1/projects", json=_new("W-1", HENGYANG, enterprise=CHENZHOU_ENT), headers=h)
    unknown = client.post("/api/v1/projects", json=_new("W-2", HENGYANG, enterprise=NOWHERE), headers=h)
    assert foreign.status_code == unknown.status_code == 422
    assert "unknown_enterprise" in _codes(foreign)
    assert _codes(foreign) == _codes(unknown)  # the same answer as for no such enterprise
    codes = {p["code"] for p in client.get("/api/v1/projects", headers=api_token(client, "province")).json()}
    assert "W-1" not in codes and "W-2" not in codes
    own = client.post("/api/v1/projects", json=_new("W-3", HENGYANG, enterprise=HENGYANG_ENT), headers=h)
    assert own.status_code == 201, own.text
