"""The assignment and reporting-round API (issue 11): answers, errors in zh/en, bounds, audit.

Role × route × scope is in ``tests/api/test_scope_matrix.py``; this file checks what the
answers hold.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import AuditEvent
from tests.conftest import api_token
from tests.service.workflow_support import LOUDI_SB, PBZN


def _ent(client: TestClient, headers: dict[str, str], code: str) -> dict[str, Any]:
    found = [e for e in client.get("/api/v1/enterprises", headers=headers).json() if e["credit_code"] == code]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def prov(client: TestClient) -> dict[str, str]:
    return api_token(client, "province")


@pytest.fixture
def verifier_id(client: TestClient, prov: dict[str, str]) -> int:
    r = client.post(
        "/api/v1/users",
        headers=prov,
        json={
            "username": "api-verifier",
            "password": "long-enough-pw",
            "role": "verifier",
            "display_name": "新核查中心",
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_assign_list_and_unassign_through_http(
    client: TestClient, prov: dict[str, str], verifier_id: int, settings: Any
) -> None:
    loudi = _ent(client, prov, LOUDI_SB)
    r = client.post(
        "/api/v1/assignments", headers=prov, json={"verifier_id": verifier_id, "enterprise_id": loudi["id"]}
    )
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["year"] is None and a["verifier_name"] == "新核查中心" and a["credit_code"] == LOUDI_SB
    assert a["enterprise_name_zh"] == loudi["name_zh"]
    listed = client.get("/api/v1/assignments", headers=prov, params={"verifier_id": verifier_id}).json()
    assert [x["id"] for x in listed] == [a["id"]]
    assert client.get("/api/v1/assignments", headers=prov, params={"year": 2026, "city": "431300"}).json()
    verifiers = client.get("/api/v1/verifiers", headers=prov).json()
    assert {"id": verifier_id, "username": "api-verifier", "display_name": "新核查中心"} in verifiers
    r = client.delete(f"/api/v1/assignments/{a['id']}", headers=prov)
    assert r.status_code == 200 and r.json() == a
    assert client.delete(f"/api/v1/assignments/{a['id']}", headers=prov).status_code == 404
    with sessionmaker_for(settings.database_url)() as db:
        events = (
            db.execute(
                select(AuditEvent)
                .where(AuditEvent.action.in_(["verifier.assign", "verifier.unassign"]))
                .where(AuditEvent.object_id == str(verifier_id))
                .order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
        assert [(e.action, e.actor, e.object_type) for e in events] == [
            ("verifier.assign", "province", "user"),
            ("verifier.unassign", "province", "user"),
        ]
        assert json.loads(events[0].after or "{}")["credit_code"] == LOUDI_SB


def test_errors_are_located_and_bilingual(client: TestClient, prov: dict[str, str], verifier_id: int) -> None:
    pbzn = _ent(client, prov, PBZN)
    body = {"verifier_id": verifier_id, "enterprise_id": pbzn["id"], "year": 2026}
    assert client.post("/api/v1/assignments", headers=prov, json=body).status_code == 201
    dup = client.post("/api/v1/assignments", headers=prov, json=body)
    assert dup.status_code == 409
    err = dup.json()["error"]
    assert err["code"] == "assign_exists"
    assert "新核查中心" in err["message_zh"] and "2026 年度" in err["message_zh"]
    assert "新核查中心" in err["message_en"] and err["message_en"].endswith("(2026)")
    city_user = next(u for u in client.get("/api/v1/users", headers=prov).json() if u["role"] == "city")
    r = client.post("/api/v1/assignments", headers=prov, json={**body, "verifier_id": city_user["id"]})
    assert r.status_code == 422
    [p] = r.json()["error"]["problems"]
    assert (p["code"], p["column"], p["value"]) == ("assign_not_verifier", "verifier", str(city_user["id"]))
    assert "不是核查机构账号" in p["message_zh"] and "is not a verifier account" in p["message_en"]
    r = client.put("/api/v1/reporting-rounds/2026", headers=prov, json={"deadline": "2026-02-30"})
    assert r.status_code == 422
    [p] = r.json()["error"]["problems"]
    assert (p["code"], p["column"], p["value"]) == ("round_deadline", "deadline", "2026-02-30")
    assert "北京时间" in p["message_zh"] and "Beijing time" in p["message_en"]
    city = api_token(client, "city-hengyang")
    loudi = _ent(client, prov, LOUDI_SB)
    r = client.post("/api/v1/assignments", headers=city, json={**body, "enterprise_id": loudi["id"]})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/reporting-rounds/3000", None),
        ("GET", "/api/v1/reporting-rounds/1989/status", None),
        ("PUT", "/api/v1/reporting-rounds/99999", {"deadline": "2027-03-31"}),
        ("DELETE", f"/api/v1/assignments/{2**31}", None),
        ("DELETE", "/api/v1/assignments/0", None),
        ("GET", "/api/v1/assignments?year=2101", None),
        ("GET", "/api/v1/reporting-rounds/2026/status?city=x' OR 1=1", None),
        ("POST", "/api/v1/assignments", {"verifier_id": 2**31, "enterprise_id": 1}),
        ("POST", "/api/v1/assignments", {"verifier_id": 1, "enterprise_id": 1, "year": 1900}),
    ],
)
def test_parameters_are_bounded(
    client: TestClient, prov: dict[str, str], method: str, path: str, body: dict[str, Any] | None
) -> None:
    r = client.request(method, path, headers=prov, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "input_invalid"


def test_round_and_status(client: TestClient, prov: dict[str, str]) -> None:
    assert client.get("/api/v1/reporting-rounds/2026", headers=prov).status_code == 404
    r = client.put(
        "/api/v1/reporting-rounds/2026", headers=prov, json={"deadline": "2027-03-31", "note": "首轮填报"}
    )
    assert r.status_code == 200, r.text
    assert r.json() | {"created_at": ""} == {
        "year": 2026,
        "deadline": "2027-03-31",
        "note": "首轮填报",
        "created_at": "",
        "created_by": "province",
    }
    st = client.get("/api/v1/reporting-rounds/2026/status", headers=prov, params={"city": "430400"}).json()
    assert st["deadline"] == "2027-03-31" and isinstance(st["days_left"], int)
    assert st["overdue"] == (st["days_left"] < 0)
    assert st["counts"]["enterprises"] == len(st["rows"]) == st["counts"]["not_reported"]
    assert {r["city_zh"] for r in st["rows"]} == {"衡阳市"}
    row = next(r for r in st["rows"] if r["credit_code"] == PBZN)
    assert row["status"] == "not_reported" and row["status_zh"] == "未报送"
    assert row["verifiers"] == ["示例碳核查技术服务中心（示例）"]
    only = client.get(
        "/api/v1/reporting-rounds/2026/status", headers=prov, params={"status": "approved"}
    ).json()
    assert only["rows"] == [] and only["counts"]["enterprises"] == 108
    bad = client.get("/api/v1/reporting-rounds/2026/status", headers=prov, params={"status": "lost"})
    assert bad.status_code == 422 and bad.json()["error"]["problems"][0]["column"] == "status"
