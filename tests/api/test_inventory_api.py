"""Inventory endpoints through HTTP: scope on every run, compute, explain, recompute."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.test_scope_matrix import DEMO_USERS, USERS, in_scope
from tests.conftest import api_token

ACTIVITY = (
    "enterprise,period,item,quantity,unit,line\n"
    "91430400XU6TWF13XG,2023,天然气,120,万立方米,L01\n"
    "91430400XU6TWF13XG,2023,electricity_purchased,5000,万千瓦时,L01\n"
    "91430400XU6TWF13XG,2023,reductant_coke,8000,t,L01\n"
)


def _runs(client: TestClient) -> list[dict[str, Any]]:
    prov = api_token(client, "province")
    ents = client.get("/api/v1/enterprises", headers=prov).json()
    out = []
    for e in ents:
        for r in client.get(f"/api/v1/enterprises/{e['id']}/inventories", headers=prov).json():
            out.append({**r, "enterprise": e})
    return out


def test_every_run_is_visible_exactly_in_scope(client: TestClient) -> None:
    runs = _runs(client)
    assert len(runs) >= 90
    # one run of every fifth enterprise, and the first run in each user's scope (so every
    # user meets runs it may see and runs it may not): about 30 runs, whatever the demo's
    # number of years
    per_enterprise = list({r["enterprise"]["id"]: r for r in runs}.values())
    firsts = [next(r for r in runs if in_scope(u)(r["enterprise"])) for u in USERS if _sees_any(u, runs)]
    sample = list({r["id"]: r for r in [*per_enterprise[::5], *firsts]}.values())
    for user in USERS:
        h = api_token(client, user)
        scope = in_scope(user)
        for r in sample:
            want = 200 if scope(r["enterprise"]) else 404
            assert client.get(f"/api/v1/inventories/{r['id']}", headers=h).status_code == want
            e = client.get(f"/api/v1/inventories/{r['id']}/lines/1/explain", headers=h)
            assert e.status_code == want, (user, r["id"])
            lst = client.get(f"/api/v1/enterprises/{r['enterprise']['id']}/inventories", headers=h)
            assert lst.status_code == want


def _sees_any(user: str, runs: list[dict[str, Any]]) -> bool:
    return any(in_scope(user)(r["enterprise"]) for r in runs)


def test_recompute_follows_change_scope(client: TestClient) -> None:
    runs = _runs(client)
    for user in USERS:
        role = DEMO_USERS[user]["role"]
        scope = in_scope(user)
        mine = next((r for r in runs if scope(r["enterprise"])), None)
        if mine is None:
            continue
        r = client.post(f"/api/v1/inventories/{mine['id']}/recompute", headers=api_token(client, user))
        assert r.status_code == (403 if role == "verifier" else 201), (user, r.text)
        if r.status_code == 201:
            new = client.get(
                f"/api/v1/inventories/{r.json()['run']}", headers=api_token(client, "province")
            ).json()
            old = client.get(
                f"/api/v1/inventories/{mine['id']}", headers=api_token(client, "province")
            ).json()
            assert old["status"] == "superseded" and old["superseded_by"] == new["id"]
            assert new["status"] == "current"
            assert abs(new["totals"]["total"]["co2e_t"] - old["totals"]["total"]["co2e_t"]) <= 1e-6 * max(
                1.0, old["totals"]["total"]["co2e_t"]
            )


def test_compute_without_storing_and_the_public_may_not(client: TestClient) -> None:
    files = {"activity_file": ("activity.csv", ACTIVITY.encode(), "text/csv")}
    r = client.post("/api/v1/inventory/compute", files=files, headers=api_token(client, "ent-loudi-sb"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["lines"]) == 3
    ng = body["lines"][0]
    # 120 万Nm3 × 389.31 GJ/万Nm3 × 15.3 tC/TJ ÷ 1000 × 0.99 × 44/12 (Table A)
    assert abs(ng["co2_t"] - 120 * 389.31 * 15.3 / 1000 * 0.99 * 44 / 12) < 1e-6
    r = client.post("/api/v1/inventory/compute", files=files, headers=api_token(client, "public"))
    assert r.status_code == 403


def test_storing_for_an_enterprise_out_of_scope_is_refused(client: TestClient) -> None:
    files = {"activity_file": ("activity.csv", ACTIVITY.encode(), "text/csv")}
    r = client.post(
        "/api/v1/inventory/compute",
        params={"store": "true"},
        files=files,
        headers=api_token(client, "ent-loudi-sb"),
    )
    assert r.status_code == 422
    p = r.json()["error"]["problems"][0]
    assert (p["code"], p["column"], p["row"]) == ("unknown_enterprise", "enterprise", 2)
    # the demo's 2023 figures are approved (official): an enterprise's load cannot replace them
    r = client.post(
        "/api/v1/inventory/compute",
        params={"store": "true"},
        files=files,
        headers=api_token(client, "ent-hengyang-pbzn"),
    )
    assert r.status_code == 422
    p = r.json()["error"]["problems"][0]
    assert (p["code"], str(p["value"]), p["row"]) == ("intake_submission_locked", "2023", 2)
    # a new year becomes a draft version of the enterprise's own submission
    files = {"activity_file": ("activity.csv", ACTIVITY.replace(",2023,", ",2026,").encode(), "text/csv")}
    r = client.post(
        "/api/v1/inventory/compute",
        params={"store": "true"},
        files=files,
        headers=api_token(client, "ent-hengyang-pbzn"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (len(body["runs"]), body["status"], body["years"]) == (1, "draft", [2026])


def test_compute_takes_the_electricity_equal_value(client: TestClient) -> None:
    """等价值 through HTTP (issue 12, item 7): unset for 2023 → null, never electricity left
    out; ``equal_value=2023=0.3`` → 50 000 MWh × 0.3 tce/MWh; 305.5 (gce/kWh) refused."""
    files = {"activity_file": ("activity.csv", ACTIVITY.encode(), "text/csv")}
    h = api_token(client, "ent-loudi-sb")
    unset = client.post("/api/v1/inventory/compute", files=files, headers=h).json()
    assert unset["lines"][1]["energy_tce_equal_value"] is None
    r = client.post("/api/v1/inventory/compute", params={"equal_value": "2023=0.3"}, files=files, headers=h)
    assert r.status_code == 200, r.text
    assert abs(r.json()["lines"][1]["energy_tce_equal_value"] - 50_000 * 0.3) < 1e-6
    bad = client.post("/api/v1/inventory/compute", params={"equal_value": "305.5"}, files=files, headers=h)
    assert bad.status_code == 422
    assert bad.json()["error"]["problems"][0]["code"] == "equal_value_out_of_range"
