"""The workflow and evidence API through the real HTTP stack: role and scope for every move.

The enterprise cannot approve, the verifier cannot approve, an unassigned verifier sees
nothing, a city sees only its city, the public nothing; a move from the wrong state is a
409 in zh and en.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from carbonpeak.app import create_app
from carbonpeak.settings import Settings
from carbonpeak.store.db import sessionmaker_for
from tests.conftest import DEMO_PASSWORDS, api_token
from tests.service.test_evidence import PDF, PNG
from tests.service.workflow_support import LOUDI_SB, make_submission, value_ids

USERS = sorted(DEMO_PASSWORDS)


@pytest.fixture
def db(settings: Settings) -> Iterator[Session]:
    s = sessionmaker_for(settings.database_url)()
    yield s
    s.close()


@pytest.fixture
def auth(client: TestClient) -> dict[str, dict[str, str]]:
    return {u: api_token(client, u) for u in USERS}


def _move(client: TestClient, headers: dict[str, str], sid: int, move: str, comment: str = "") -> int:
    r = client.post(f"/api/v1/submissions/{sid}/{move}", json={"comment": comment}, headers=headers)
    body = r.json()
    if r.status_code >= 400:
        assert body["error"]["message_zh"] and body["error"]["message_en"], r.text
    return r.status_code


def test_the_path_with_a_refusal_for_every_wrong_party(
    client: TestClient, auth: dict[str, dict[str, str]], db: Session
) -> None:
    sid = make_submission(db)
    # nobody outside scope sees it, whatever the move
    for user in ("city-chenzhou", "city-changsha", "ent-loudi-sb", "public"):
        for move in ("submit", "start-verification", "verify", "approve", "return"):
            assert _move(client, auth[user], sid, move, "x") == 404, (user, move)
        assert client.get(f"/api/v1/submissions/{sid}/history", headers=auth[user]).status_code == 404
    # draft: the verifier cannot start; the enterprise cannot approve
    assert _move(client, auth["verifier"], sid, "start-verification") == 409
    assert _move(client, auth["ent-hengyang-pbzn"], sid, "approve") == 403
    assert _move(client, auth["ent-hengyang-pbzn"], sid, "submit", "第一版") == 200
    assert _move(client, auth["ent-hengyang-pbzn"], sid, "submit") == 409
    # submitted: only the verifier acts (start or return)
    assert _move(client, auth["province"], sid, "start-verification") == 403
    assert _move(client, auth["province"], sid, "return", "no") == 403
    assert _move(client, auth["verifier"], sid, "approve") == 403
    assert _move(client, auth["verifier"], sid, "start-verification") == 200
    # under verification: adjust (the verifier only), then verify
    vid = value_ids(db, sid)[0]
    adj = {"value_id": vid, "quantity": "0.08", "unit": "万t", "reason": "按发票 / per invoice"}
    for user in ("ent-hengyang-pbzn", "city-hengyang", "province"):
        r = client.post(f"/api/v1/submissions/{sid}/adjustments", json=adj, headers=auth[user])
        assert r.status_code == 403, user
    r = client.post(f"/api/v1/submissions/{sid}/adjustments", json=adj, headers=auth["verifier"])
    assert r.status_code == 201, r.text
    assert r.json()["quantity"] == pytest.approx(800.0)
    bad = {**adj, "quantity": "lots", "unit": "kWh", "reason": ""}
    r = client.post(f"/api/v1/submissions/{sid}/adjustments", json=bad, headers=auth["verifier"])
    assert r.status_code == 422
    assert {p["code"] for p in r.json()["error"]["problems"]} == {
        "not_a_number",
        "wrong_dimension",
        "required",
    }
    other = make_submission(db, year=2030)
    r = client.post(f"/api/v1/submissions/{other}/adjustments", json=adj, headers=auth["verifier"])
    assert r.status_code == 404  # the figure belongs to another submission
    assert _move(client, auth["verifier"], sid, "verify") == 200
    # verified: the authority approves; the enterprise and the verifier cannot
    assert _move(client, auth["verifier"], sid, "approve") == 403
    assert _move(client, auth["ent-hengyang-pbzn"], sid, "approve") == 403
    assert _move(client, auth["province"], sid, "approve", "同意") == 200
    r = client.post(f"/api/v1/submissions/{sid}/return", json={"comment": "x"}, headers=auth["province"])
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "workflow_wrong_state"
    assert "已批准" in err["message_zh"] and "approved" in err["message_en"]
    h = client.get(f"/api/v1/submissions/{sid}/history", headers=auth["city-hengyang"]).json()
    assert [(s["to_status"], s["actor"]) for s in h["steps"]] == [
        ("submitted", "ent-hengyang-pbzn"),
        ("under_verification", "verifier"),
        ("verified", "verifier"),
        ("approved", "province"),
    ]
    assert "submission.adjust" in [e["action"] for e in h["events"]]


def test_the_city_approves_in_its_city_only(
    client: TestClient, auth: dict[str, dict[str, str]], db: Session
) -> None:
    mine = make_submission(db, status="verified")
    loudi = make_submission(db, LOUDI_SB, status="verified")
    assert _move(client, auth["city-chenzhou"], mine, "approve") == 404
    assert _move(client, auth["city-hengyang"], loudi, "approve") == 404
    assert _move(client, auth["city-hengyang"], mine, "return", "") == 422  # a comment is required
    assert _move(client, auth["city-hengyang"], mine, "return", "请补充说明") == 200
    assert _move(client, auth["city-hengyang"], mine, "submit", "acting for the enterprise") == 200


def test_an_unassigned_verifier_sees_nothing(
    client: TestClient, auth: dict[str, dict[str, str]], db: Session
) -> None:
    sid = make_submission(db, LOUDI_SB, status="submitted")
    h = auth["verifier"]
    assert _move(client, h, sid, "start-verification") == 404
    assert client.get(f"/api/v1/submissions/{sid}/history", headers=h).status_code == 404
    assert client.get(f"/api/v1/submissions/{sid}/evidence", headers=h).status_code == 404
    assert _move(client, auth["ent-loudi-sb"], sid, "return", "x") == 403


def test_evidence_upload_list_and_download(
    client: TestClient, auth: dict[str, dict[str, str]], db: Session
) -> None:
    sid = make_submission(db)
    ent = auth["ent-hengyang-pbzn"]
    r = client.post(
        f"/api/v1/submissions/{sid}/evidence",
        files={"file": ("电费发票 2026-03.pdf", PDF, "image/png")},  # the declared type is ignored
        data={"line_code": "L01", "description": "3 月"},
        headers=ent,
    )
    assert r.status_code == 201, r.text
    ev = r.json()
    assert (ev["content_type"], ev["filename"], ev["line_code"]) == (
        "application/pdf",
        "电费发票 2026-03.pdf",
        "L01",
    )
    r = client.post(
        f"/api/v1/submissions/{sid}/evidence",
        files={"file": ("invoice.pdf", b"<html>not a pdf</html>", "application/pdf")},
        headers=ent,
    )
    assert r.status_code == 422
    assert r.json()["error"]["problems"][0]["code"] == "evidence_bad_type"
    listed = client.get(f"/api/v1/submissions/{sid}/evidence", headers=auth["verifier"]).json()
    assert [e["id"] for e in listed] == [ev["id"]]
    r = client.get(f"/api/v1/evidence/{ev['id']}", headers=auth["city-hengyang"])
    assert r.status_code == 200
    assert r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"
    cd = r.headers["content-disposition"]
    assert cd.startswith("attachment; ")
    assert "filename*=UTF-8''%E7%94%B5%E8%B4%B9%E5%8F%91%E7%A5%A8%202026-03.pdf" in cd
    for user in ("city-chenzhou", "ent-loudi-sb", "public"):
        assert client.get(f"/api/v1/evidence/{ev['id']}", headers=auth[user]).status_code == 404, user
        assert client.get(f"/api/v1/submissions/{sid}/evidence", headers=auth[user]).status_code == 404, user
        r = client.post(
            f"/api/v1/submissions/{sid}/evidence", files={"file": ("a.png", PNG)}, headers=auth[user]
        )
        assert r.status_code == 404, user
    assert client.get("/api/v1/evidence/999999", headers=auth["province"]).status_code == 404


def test_an_upload_over_the_limit_is_413_and_stores_nothing(settings: Settings, db: Session) -> None:
    small = settings.model_copy(update={"max_upload_mb": 1})
    sid = make_submission(db)
    with TestClient(create_app(small)) as c:
        h = api_token(c, "ent-hengyang-pbzn")
        big = PDF + bytes(1024 * 1024)
        r = c.post(f"/api/v1/submissions/{sid}/evidence", files={"file": ("big.pdf", big)}, headers=h)
        assert r.status_code == 413
        assert "1 MB" in r.json()["error"]["message_en"]
        assert c.get(f"/api/v1/submissions/{sid}/evidence", headers=h).json() == []
