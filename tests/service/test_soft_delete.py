"""Recoverable deletes (issue 13): a province delete of an enterprise with history deactivates
it — it leaves registers, rounds and aggregates, its history stays, reactivation restores it —
and only an enterprise without history is deleted outright. Through HTTP and the CLI, on the
store under test (SQLite, or PostgreSQL with ``CARBONPEAK_DATABASE_URL``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carbonpeak.cli.main import app
from carbonpeak.store.db import engine_for
from carbonpeak.store.models import AuditEvent, Enterprise, InventoryRun, Submission, SubmissionValue
from tests.conftest import api_token

PROJECT = "DEMO-P-430400-01"  # the demo's project of CODE
CODE = "91430400XU6TWF13XG"  # the demo's ent-hengyang-pbzn (Hengyang, Pb;Zn), with years of history
runner = CliRunner(env={"COLUMNS": "200"})


def _history(url: str, enterprise_id: int) -> tuple[int, int, int]:
    """(submissions, inventory runs, figures) of an enterprise, counted in the store."""
    with engine_for(url).connect() as conn:
        subs = conn.execute(
            sa.select(sa.func.count()).where(Submission.enterprise_id == enterprise_id)
        ).scalar()
        runs = conn.execute(
            sa.select(sa.func.count()).where(InventoryRun.enterprise_id == enterprise_id)
        ).scalar()
        values = conn.execute(
            sa.select(sa.func.count())
            .select_from(SubmissionValue)
            .join(Submission.versions.property.mapper.class_)
            .join(Submission)
            .where(Submission.enterprise_id == enterprise_id)
        ).scalar()
    return int(subs or 0), int(runs or 0), int(values or 0)


def _events(url: str, object_id: int) -> list[str]:
    with engine_for(url).connect() as conn:
        return list(
            conn.execute(
                sa.select(AuditEvent.action)
                .where(AuditEvent.object_type == "enterprise", AuditEvent.object_id == str(object_id))
                .order_by(AuditEvent.id)
            ).scalars()
        )


def _find(client: TestClient, headers: dict[str, str], code: str, **params: Any) -> dict[str, Any] | None:
    rows = client.get("/api/v1/enterprises", params={"limit": 5000, **params}, headers=headers).json()
    return next((e for e in rows if e["credit_code"] == code), None)


def test_a_delete_with_history_deactivates_and_reactivation_restores(
    client: TestClient, demo_url: str
) -> None:
    prov = api_token(client, "province")
    ent = _find(client, prov, CODE)
    assert ent is not None
    eid = ent["id"]
    history = _history(demo_url, eid)
    assert min(history) > 0
    overview = client.get("/api/v1/sector/overview").json()
    round_before = client.get("/api/v1/reporting-rounds/2024/status", headers=prov).json()
    assert CODE in {r["credit_code"] for r in round_before["rows"]}
    own = api_token(client, "ent-hengyang-pbzn")
    assert [e["credit_code"] for e in client.get("/api/v1/enterprises", headers=own).json()] == [CODE]
    projects = {p["code"] for p in client.get("/api/v1/projects", headers=prov).json()}
    assert PROJECT in projects

    r = client.delete(f"/api/v1/enterprises/{eid}", headers=prov)
    assert r.status_code == 204
    assert r.headers["x-enterprise-outcome"] == "deactivated"
    # out of the registers, the round, the aggregates, every scope …
    assert client.get(f"/api/v1/enterprises/{eid}", headers=prov).status_code == 404
    assert _find(client, prov, CODE) is None
    city = api_token(client, "city-hengyang")
    assert _find(client, city, CODE) is None
    assert client.get("/api/v1/enterprises", headers=own).json() == []
    rnd = client.get("/api/v1/reporting-rounds/2024/status", headers=prov).json()
    assert CODE not in {r["credit_code"] for r in rnd["rows"]}
    assert rnd["counts"]["enterprises"] == round_before["counts"]["enterprises"] - 1
    assert {p["code"] for p in client.get("/api/v1/projects", headers=prov).json()} == projects - {PROJECT}
    after = client.get("/api/v1/sector/overview").json()
    assert after["enterprises"] == overview["enterprises"] - 1
    hengyang = {c["code"]: c for c in after["by_city"]}["430400"]
    assert hengyang["enterprises"] == {c["code"]: c for c in overview["by_city"]}["430400"]["enterprises"] - 1
    # … but its history stays, and the province can find it
    assert _history(demo_url, eid) == history
    gone = _find(client, prov, CODE, deactivated=True)
    assert gone is not None and gone["deactivated_at"]
    assert client.get("/api/v1/enterprises", params={"deactivated": True}, headers=city).status_code == 403
    # a second delete finds nothing to delete; the credit code is still taken
    assert client.delete(f"/api/v1/enterprises/{eid}", headers=prov).status_code == 404
    body = {"credit_code": CODE, "name_zh": "重名（示例）", "city_code": "430400", "metals": ["Pb"]}
    assert client.post("/api/v1/enterprises", json=body, headers=prov).status_code == 409

    assert client.post(f"/api/v1/enterprises/{eid}/reactivate", headers=city).status_code == 403
    r = client.post(f"/api/v1/enterprises/{eid}/reactivate", headers=prov)
    assert r.status_code == 200, r.text
    assert r.json()["credit_code"] == CODE and r.json()["deactivated_at"] is None
    assert client.get(f"/api/v1/enterprises/{eid}", headers=prov).status_code == 200
    assert [e["credit_code"] for e in client.get("/api/v1/enterprises", headers=own).json()] == [CODE]
    assert client.get("/api/v1/sector/overview").json() == overview
    assert (
        client.get("/api/v1/reporting-rounds/2024/status", headers=prov).json()["counts"]
        == round_before["counts"]
    )
    assert _history(demo_url, eid) == history
    assert {p["code"] for p in client.get("/api/v1/projects", headers=prov).json()} == projects
    assert _events(demo_url, eid)[-2:] == ["enterprise.deactivate", "enterprise.reactivate"]
    # reactivating an active enterprise: nothing to restore
    assert client.post(f"/api/v1/enterprises/{eid}/reactivate", headers=prov).status_code == 404


def test_an_enterprise_without_history_is_deleted(client: TestClient, demo_url: str) -> None:
    prov = api_token(client, "province")
    body = {
        "credit_code": "91430100MA4L00001J",
        "name_zh": "新建企业（示例）",
        "city_code": "430100",
        "metals": ["Cu"],
    }
    r = client.post("/api/v1/enterprises", json=body, headers=prov)
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    r = client.delete(f"/api/v1/enterprises/{eid}", headers=prov)
    assert r.status_code == 204
    assert r.headers["x-enterprise-outcome"] == "deleted"
    with engine_for(demo_url).connect() as conn:
        assert conn.execute(sa.select(Enterprise.id).where(Enterprise.id == eid)).first() is None
    assert client.post(f"/api/v1/enterprises/{eid}/reactivate", headers=prov).status_code == 404
    assert _events(demo_url, eid)[-1] == "enterprise.delete"


def test_the_cli_deactivates_lists_and_reactivates(store: str) -> None:
    r = runner.invoke(app, ["enterprise", "delete", CODE])
    assert r.exit_code == 0, r.output
    assert "deactivated" in r.output
    with engine_for(store).connect() as conn:
        when = conn.execute(
            sa.select(Enterprise.deactivated_at).where(Enterprise.credit_code == CODE)
        ).scalar()
    assert when
    r = runner.invoke(app, ["enterprise", "list", "--deactivated"])
    assert r.exit_code == 0 and CODE in r.output and "1 enterprises" in r.output
    assert CODE not in runner.invoke(app, ["enterprise", "list"]).output
    r = runner.invoke(app, ["enterprise", "reactivate", CODE])
    assert r.exit_code == 0, r.output
    assert CODE in runner.invoke(app, ["enterprise", "list", "--city", "430400"]).output
    r = runner.invoke(app, ["enterprise", "reactivate", CODE])
    assert r.exit_code != 0
