"""The metering routes through HTTP, every demo role: who sees which meters, who may post
readings for which meter, who sees which report; a batch sent twice is stored once; the
batch size is bounded."""

from __future__ import annotations

from fastapi.testclient import TestClient

from carbonpeak.api.meters import MAX_BATCH
from tests.conftest import DEMO_PASSWORDS, api_token

PBZN, LOUDI_SB, CHENZHOU = "91430400XU6TWF13XG", "91431300PF5LKFBQ3D", "91431000J01F12ULCR"
#: user: (enterprises whose meters it lists, or None for 403; may post readings for PBZN)
RULES: dict[str, tuple[set[str] | None, bool]] = {
    "province": ({PBZN, LOUDI_SB, CHENZHOU}, True),
    "city-hengyang": ({PBZN}, True),
    "city-chenzhou": ({CHENZHOU}, False),
    "city-changsha": (set(), False),
    "ent-hengyang-pbzn": ({PBZN}, True),
    "ent-loudi-sb": ({LOUDI_SB}, False),
    "verifier": ({PBZN}, False),
    "public": (None, False),
}
T0 = 1_764_864_000  # 2025-12-05 00:00 Beijing time


def test_the_rules_cover_every_demo_user() -> None:
    assert set(RULES) == set(DEMO_PASSWORDS)


def test_meters_readings_and_report_follow_role_and_scope(client: TestClient) -> None:
    for user in sorted(RULES):
        _check_user(client, user)


def _check_user(client: TestClient, user: str) -> None:
    h = api_token(client, user)
    sees, may_post = RULES[user]
    r = client.get("/api/v1/meters", headers=h)
    if sees is None:
        assert r.status_code == 403
    else:
        assert r.status_code == 200, r.text
        assert {m["credit_code"] for m in r.json()} == sees
    pbzn_id = client.get(
        "/api/v1/enterprises", headers=api_token(client, "province"), params={"q": PBZN}
    ).json()
    pbzn = next(
        e["id"]
        for e in (pbzn_id if isinstance(pbzn_id, list) else pbzn_id["items"])
        if e["credit_code"] == PBZN
    )
    body = {
        "readings": [
            {"enterprise": PBZN, "meter": "M-001", "ts": T0 + 900 * k, "value": 10.0 + k} for k in range(4)
        ]
    }
    r = client.post("/api/v1/meters/readings", json=body, headers=h)
    if may_post:
        assert r.status_code == 200, r.text
        assert r.json() == {"source": "http", "received": 4, "stored": 4, "rejected": 0, "reasons": {}}
    elif user in ("verifier", "public"):
        assert r.status_code == 403, r.text
    else:
        assert r.status_code == 422, r.text
        assert {p["code"] for p in r.json()["error"]["problems"]} == {"unknown_meter"}
    r = client.get(f"/api/v1/enterprises/{pbzn}/meters/report", params={"day": "2026-11-30"}, headers=h)
    if sees is None:
        assert r.status_code == 403
    elif PBZN in sees:
        assert r.status_code == 200, r.text
        rep = r.json()
        assert [m["meter"]["code"] for m in rep["meters"]] == [f"M-00{k}" for k in range(6)]
        assert {f["rule"] for f in rep["findings"]} >= {"gap", "stuck", "spike"}
    else:
        assert r.status_code == 404, r.text


def test_a_batch_sent_twice_is_stored_once_and_a_bad_value_is_refused(client: TestClient) -> None:
    h = api_token(client, "ent-hengyang-pbzn")
    body = {
        "readings": [{"enterprise": PBZN, "meter": "M-002", "ts": "2025-12-05T00:00:00+08:00", "value": 5.0}]
    }
    assert client.post("/api/v1/meters/readings", json=body, headers=h).status_code == 200
    assert client.post("/api/v1/meters/readings", json=body, headers=h).json()["stored"] == 1
    bad = {"readings": [{"enterprise": PBZN, "meter": "M-002", "ts": "yesterday", "value": 5.0}]}
    r = client.post("/api/v1/meters/readings", json=bad, headers=h)
    assert r.status_code == 422
    assert [(p["code"], p["row"], p["column"]) for p in r.json()["error"]["problems"]] == [
        ("reading_bad_time", 1, "ts")
    ]
    r = client.post(
        "/api/v1/meters/readings", json={"readings": [{**body["readings"][0], "value": "abc"}]}, headers=h
    )
    assert r.status_code == 422
    too_many = {"readings": [body["readings"][0]] * (MAX_BATCH + 1)}
    assert client.post("/api/v1/meters/readings", json=too_many, headers=h).status_code in (413, 422)
