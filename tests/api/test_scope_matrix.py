"""Role × endpoint × scope over every API route, through the real HTTP stack.

- No route answers without a principal unless it is deliberately public.
- No object outside the caller's scope is ever returned, by list or by id.
- Every route of the API appears in the matrix below; a new route fails this test until
  its rules are written down here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from carbonpeak.api.routers import API_ROUTERS
from carbonpeak.http.deps import public_route
from tests.conftest import DEMO_PASSWORDS, api_token

PUBLIC_ROUTES = {
    ("GET", "/api/v1/health"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/api/v1/sector/overview"),
    ("GET", "/api/v1/refdata/{domain}/{table}"),
}
USERS = sorted(DEMO_PASSWORDS)


def _demo(name: str) -> list[dict[str, str]]:
    data = resources.files("carbonpeak.demo").joinpath(name).read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data)))


DEMO_ENTS = _demo("enterprises.csv")
DEMO_USERS = {u["username"]: u for u in _demo("users.csv")}


def in_scope(username: str) -> Callable[[dict[str, Any]], bool]:
    """The demo scope of *username*, derived from the demo files (not from the code)."""
    u = DEMO_USERS[username]
    role = u["role"]
    if role == "province":
        return lambda e: True
    if role == "city":
        return lambda e: e["city_code"] == u["city"]
    if role == "enterprise":
        return lambda e: e["credit_code"] == u["enterprise"]
    if role == "verifier":
        parks = {d["credit_code"]: d["park"] for d in DEMO_ENTS}
        return lambda e: parks[e["credit_code"]] == "shuikoushan"
    return lambda e: False


def api_routes(client: TestClient) -> list[tuple[str, str, APIRoute]]:
    """Every API route, checked against the app's OpenAPI so nothing is mounted elsewhere."""
    out = []
    for r in (route for router in API_ROUTERS for route in router.routes):
        assert isinstance(r, APIRoute)
        out.extend((m, r.path, r) for m in sorted(r.methods))
    spec = client.get("/api/v1/openapi.json").json()["paths"]
    served = {(m.upper(), p) for p, ops in spec.items() for m in ops}
    assert served == {(m, p) for m, p, _r in out}
    return out


def _is_public(route: APIRoute) -> bool:
    return any(d.dependency is public_route for d in route.dependencies)


def test_public_routes_are_exactly_the_declared_ones(client: TestClient) -> None:
    declared = {(m, p) for m, p, r in api_routes(client) if _is_public(r)}
    assert declared == PUBLIC_ROUTES


#: values for path parameters; any other parameter is filled with "1"
FILL = {"domain": "geo", "table": "cities"}


def _fill(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: FILL.get(m.group(1), "1"), path)


def test_no_private_route_answers_without_a_principal(client: TestClient) -> None:
    for method, path, route in api_routes(client):
        if _is_public(route):
            continue
        for headers in (
            {},
            {"Authorization": "Bearer cp_not-a-real-token"},
            {"Authorization": "Basic cHJvdmluY2U6ZGVtbw=="},
        ):
            r = client.request(method, _fill(path), headers=headers, json={})
            assert r.status_code == 401, (method, path, headers, r.status_code)
            body = r.json()["error"]
            assert body["message_zh"] and body["message_en"]


def _all_enterprises(client: TestClient) -> list[dict[str, Any]]:
    r = client.get("/api/v1/enterprises", headers=api_token(client, "province"))
    assert r.status_code == 200
    return list(r.json())


@pytest.fixture
def everyone(client: TestClient) -> dict[str, dict[str, str]]:
    return {u: api_token(client, u) for u in USERS}


def test_lists_and_details_never_leave_scope(client: TestClient, everyone: dict[str, dict[str, str]]) -> None:
    ents = _all_enterprises(client)
    assert len(ents) == len(DEMO_ENTS) == 108
    for user in USERS:
        scope = in_scope(user)
        expected = {e["id"] for e in ents if scope(e)}
        listed = client.get("/api/v1/enterprises", headers=everyone[user]).json()
        assert {e["id"] for e in listed} == expected, user
        for e in ents:
            r = client.get(f"/api/v1/enterprises/{e['id']}", headers=everyone[user])
            assert r.status_code == (200 if e["id"] in expected else 404), (user, e["id"])
        # filters cannot widen the scope
        for params in ({"city": "430100"}, {"metal": "Pb"}, {"q": "示例"}, {"limit": 5000}):
            got = client.get("/api/v1/enterprises", params=params, headers=everyone[user]).json()
            assert {e["id"] for e in got} <= expected, (user, params)
    # an id that does not exist looks the same as one out of scope
    r = client.get("/api/v1/enterprises/999999", headers=everyone["province"])
    assert r.status_code == 404


CHANGE_EXPECT = {
    # role: (in scope, out of scope)
    "province": (200, 200),
    "city": (200, 404),
    "enterprise": (200, 404),
    "verifier": (403, 404),
    "public": (404, 404),
}


def test_change_and_delete_follow_role_and_scope(
    client: TestClient, everyone: dict[str, dict[str, str]]
) -> None:
    ents = _all_enterprises(client)
    for user in USERS:
        role = DEMO_USERS[user]["role"]
        scope = in_scope(user)
        mine = next((e for e in ents if scope(e)), None)
        other = next(e for e in ents if not scope(e)) if role != "province" else ents[-1]
        want_in, want_out = CHANGE_EXPECT[role]
        if mine is not None:
            r = client.patch(
                f"/api/v1/enterprises/{mine['id']}", json={"name_en": "x (demo)"}, headers=everyone[user]
            )
            assert r.status_code == want_in, (user, r.text)
        r = client.patch(
            f"/api/v1/enterprises/{other['id']}", json={"name_en": "y (demo)"}, headers=everyone[user]
        )
        assert r.status_code == want_out, (user, r.text)
        if role != "province":
            target = mine or other
            r = client.delete(f"/api/v1/enterprises/{target['id']}", headers=everyone[user])
            assert r.status_code in (403, 404), (user, r.status_code)
    victim = ents[0]
    assert (
        client.delete(f"/api/v1/enterprises/{victim['id']}", headers=everyone["province"]).status_code == 204
    )
    assert client.get(f"/api/v1/enterprises/{victim['id']}", headers=everyone["province"]).status_code == 404


NEW_ENT = {
    "credit_code": "",
    "name_zh": "测试新建冶炼有限公司（示例）",
    "name_en": "Test (demo)",
    "city_code": "",
    "lines": [
        {"code": "L1", "name_zh": "电锌", "metal": "Zn", "route": "zn_hydro", "capacity_t_per_a": 100000}
    ],
}


def _code(city: str, serial: str) -> str:
    from carbonpeak.model.credit_code import check_character

    first = f"91{city}{serial}"
    return first + check_character(first)


def test_create_follows_role_and_city(client: TestClient, everyone: dict[str, dict[str, str]]) -> None:
    for i, user in enumerate(USERS):
        role = DEMO_USERS[user]["role"]
        own_city = DEMO_USERS[user]["city"] or "430100"
        for j, city in enumerate((own_city, "433100")):
            body = {**NEW_ENT, "credit_code": _code(city, f"{i:04d}{j:05d}"), "city_code": city}
            r = client.post("/api/v1/enterprises", json=body, headers=everyone[user])
            if role == "province" or (role == "city" and city == own_city):
                assert r.status_code == 201, (user, city, r.text)
            else:
                assert r.status_code == 403, (user, city, r.status_code)


def test_admin_routes_are_province_only(client: TestClient, everyone: dict[str, dict[str, str]]) -> None:
    for user in USERS:
        ok = DEMO_USERS[user]["role"] == "province"
        assert client.get("/api/v1/users", headers=everyone[user]).status_code == (200 if ok else 403)
        assert client.get("/api/v1/audit/verify", headers=everyone[user]).status_code == (200 if ok else 403)
        r = client.post(
            "/api/v1/users",
            headers=everyone[user],
            json={"username": f"new-{user}", "password": "long-enough-pw", "role": "public"},
        )
        assert r.status_code == (201 if ok else 403), (user, r.text)


# Each area lists its routes here, with the test file that checks their role and scope rules.
INTAKE_ROUTES: set[tuple[str, str]] = {  # issue 6 — templates, imports, versions, exports
    # tests/api/test_intake_api.py
    ("GET", "/api/v1/intake/template"),
    ("POST", "/api/v1/intake/import"),
    ("POST", "/api/v1/intake/marked"),
    ("GET", "/api/v1/intake/submissions"),
    ("GET", "/api/v1/intake/submissions/{submission_id}"),
    ("GET", "/api/v1/intake/submissions/{submission_id}/versions"),
    ("GET", "/api/v1/intake/submissions/{submission_id}/export"),
    ("GET", "/api/v1/intake/versions/{version_id}/values"),
    ("GET", "/api/v1/intake/diff"),
    ("GET", "/api/v1/intake/inventories/{run_id}/export"),
}
WORKFLOW_ROUTES: set[tuple[str, str]] = {  # issue 6 — tests/api/test_workflow_api.py
    ("POST", "/api/v1/submissions/{submission_id}/submit"),
    ("POST", "/api/v1/submissions/{submission_id}/start-verification"),
    ("POST", "/api/v1/submissions/{submission_id}/verify"),
    ("POST", "/api/v1/submissions/{submission_id}/approve"),
    ("POST", "/api/v1/submissions/{submission_id}/return"),
    ("POST", "/api/v1/submissions/{submission_id}/adjustments"),
    ("GET", "/api/v1/submissions/{submission_id}/history"),
    ("POST", "/api/v1/submissions/{submission_id}/evidence"),
    ("GET", "/api/v1/submissions/{submission_id}/evidence"),
    ("GET", "/api/v1/evidence/{evidence_id}"),
}
REVIEW_ROUTES: set[tuple[str, str]] = {  # issue 5 — review, projects, registries, dashboard
    # tests/api/test_review_api.py
    ("POST", "/api/v1/review"),
    ("GET", "/api/v1/reviews"),
    ("GET", "/api/v1/reviews/{review_id}"),
    ("GET", "/api/v1/reviews/{review_id}/report"),
    ("GET", "/api/v1/projects"),
    ("POST", "/api/v1/projects"),
    ("GET", "/api/v1/projects/capacity-changes"),
    ("GET", "/api/v1/projects/{project_id}"),
    ("PATCH", "/api/v1/projects/{project_id}"),
    ("DELETE", "/api/v1/projects/{project_id}"),
    ("POST", "/api/v1/projects/{project_id}/status"),
    ("GET", "/api/v1/registries/{name}"),
    ("POST", "/api/v1/registries/{name}/import"),
    ("GET", "/api/v1/dashboard"),
}
SCENARIO_ROUTES: set[tuple[str, str]] = {  # issue 7 — tests/api/test_scenarios_api.py
    ("GET", "/api/v1/scenarios"),
    ("GET", "/api/v1/scenarios/base-year"),
    ("GET", "/api/v1/scenarios/compare"),
    ("POST", "/api/v1/scenarios/run"),
    ("POST", "/api/v1/scenarios/drivers"),
    ("POST", "/api/v1/scenarios/montecarlo"),
    ("GET", "/api/v1/scenarios/lmdi/history"),
    ("GET", "/api/v1/scenarios/lmdi/compare"),
    ("POST", "/api/v1/scenarios/lmdi"),
    ("GET", "/api/v1/scenarios/macc"),
    ("POST", "/api/v1/scenarios/macc"),
    ("GET", "/api/v1/scenarios/iamc"),
}

ASSIGNMENT_ROUTES: set[tuple[str, str]] = {  # issue 11 — below and tests/api/test_assignments_api.py
    ("POST", "/api/v1/assignments"),
    ("DELETE", "/api/v1/assignments/{assignment_id}"),
    ("GET", "/api/v1/assignments"),
    ("GET", "/api/v1/verifiers"),
    ("PUT", "/api/v1/reporting-rounds/{year}"),
    ("GET", "/api/v1/reporting-rounds/{year}"),
    ("GET", "/api/v1/reporting-rounds/{year}/status"),
}

ACCOUNT_ROUTES: set[tuple[str, str]] = {  # issue 13 — tests/api/test_accounts_api.py
    ("GET", "/api/v1/auth/tokens"),
    ("DELETE", "/api/v1/auth/tokens/{token_id}"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/password"),
    ("GET", "/api/v1/users/{user_id}/tokens"),
    ("DELETE", "/api/v1/users/{user_id}/tokens"),
    ("POST", "/api/v1/users/{user_id}/deactivate"),
    ("POST", "/api/v1/users/{user_id}/reactivate"),
    ("POST", "/api/v1/users/{user_id}/reset-password"),
}


METER_ROUTES: set[tuple[str, str]] = {  # issue 14 — tests/api/test_meters_api.py
    ("GET", "/api/v1/meters"),
    ("POST", "/api/v1/meters/import"),
    ("POST", "/api/v1/meters/readings"),
    ("GET", "/api/v1/enterprises/{enterprise_id}/meters/report"),
}


def test_every_api_route_is_covered_by_this_matrix(client: TestClient) -> None:
    covered = (
        PUBLIC_ROUTES
        | {
            ("GET", "/api/v1/me"),
            ("GET", "/api/v1/enterprises"),
            ("POST", "/api/v1/enterprises"),
            ("GET", "/api/v1/enterprises/{enterprise_id}"),
            ("PATCH", "/api/v1/enterprises/{enterprise_id}"),
            ("DELETE", "/api/v1/enterprises/{enterprise_id}"),
            ("POST", "/api/v1/enterprises/{enterprise_id}/reactivate"),  # tests/service/test_soft_delete.py
            ("POST", "/api/v1/enterprises/import"),  # tests/api/test_import_api.py
            ("GET", "/api/v1/users"),
            ("POST", "/api/v1/users"),
            ("GET", "/api/v1/audit/verify"),
            # tests/api/test_inventory_api.py
            ("POST", "/api/v1/inventory/compute"),
            ("GET", "/api/v1/enterprises/{enterprise_id}/inventories"),
            ("GET", "/api/v1/inventories/{run_id}"),
            ("GET", "/api/v1/inventories/{run_id}/lines/{line_no}/explain"),
            ("POST", "/api/v1/inventories/{run_id}/recompute"),
            # tests/api/test_benchmark_api.py
            ("GET", "/api/v1/benchmark/lines"),
            ("GET", "/api/v1/benchmark/share"),
            ("GET", "/api/v1/targets"),
        }
        | INTAKE_ROUTES
        | WORKFLOW_ROUTES
        | REVIEW_ROUTES
        | SCENARIO_ROUTES
        | ASSIGNMENT_ROUTES
        | ACCOUNT_ROUTES
        | METER_ROUTES
    )
    assert {(m, p) for m, p, _r in api_routes(client)} == covered


def test_me_reports_the_principal(client: TestClient, everyone: dict[str, dict[str, str]]) -> None:
    for user in USERS:
        me = client.get("/api/v1/me", headers=everyone[user]).json()
        assert me["username"] == user
        assert me["role"] == DEMO_USERS[user]["role"]


#: role: (assign/unassign in scope, out of scope, list assignments, list verifiers,
#: open a round, read a round, the round's status) — issue 11
ASSIGNMENT_EXPECT = {
    "province": (201, 201, 200, 200, 200, 200, 200),
    "city": (201, 404, 200, 200, 403, 200, 200),
    "enterprise": (403, 403, 200, 403, 403, 200, 200),
    "verifier": (403, 403, 200, 403, 403, 200, 200),
    "public": (403, 403, 403, 403, 403, 200, 403),
}


def test_assignment_and_round_routes_follow_role_and_scope(
    client: TestClient, everyone: dict[str, dict[str, str]]
) -> None:
    prov = everyone["province"]
    made = client.post(
        "/api/v1/users",
        headers=prov,
        json={"username": "matrix-verifier", "password": "long-enough-pw", "role": "verifier"},
    )
    assert made.status_code == 201, made.text
    vid = made.json()["id"]
    opened = client.put("/api/v1/reporting-rounds/2026", headers=prov, json={"deadline": "2027-03-31"})
    assert opened.status_code == 200, opened.text
    ents = _all_enterprises(client)
    for i, user in enumerate(USERS):
        role = DEMO_USERS[user]["role"]
        scope = in_scope(user)
        mine = next((e for e in ents if scope(e)), ents[0])
        other = next(e for e in ents if not scope(e)) if role != "province" else ents[-1]
        assign_in, assign_out, lists, verifiers, put_round, get_round, status = ASSIGNMENT_EXPECT[role]
        h = everyone[user]
        for ent, want, year in ((mine, assign_in, 2030 + i), (other, assign_out, 2050 + i)):
            body = {"verifier_id": vid, "enterprise_id": ent["id"], "year": year}
            r = client.post("/api/v1/assignments", json=body, headers=h)
            assert r.status_code == want, (user, ent["credit_code"], r.text)
            held = client.post("/api/v1/assignments", json={**body, "year": year + 10}, headers=prov).json()
            r = client.delete(f"/api/v1/assignments/{held['id']}", headers=h)
            assert r.status_code == (200 if want == 201 else want), (user, r.text)
        r = client.get("/api/v1/assignments", headers=h)
        assert r.status_code == lists, (user, r.status_code)
        if lists == 200:
            codes = {e["credit_code"]: e for e in ents}
            assert all(scope(codes[a["credit_code"]]) for a in r.json()), user
            if role == "verifier":
                assert {a["verifier_username"] for a in r.json()} == {user}
        assert client.get("/api/v1/verifiers", headers=h).status_code == verifiers, user
        r = client.put("/api/v1/reporting-rounds/2026", headers=h, json={"deadline": "2027-04-30"})
        assert r.status_code == put_round, (user, r.text)
        assert client.get("/api/v1/reporting-rounds/2026", headers=h).status_code == get_round, user
        r = client.get("/api/v1/reporting-rounds/2026/status", headers=h)
        assert r.status_code == status, (user, r.text)
        if status == 200:
            in_scope_ids = {e["id"] for e in ents if scope(e)}
            rows = r.json()["rows"]
            assert {row["enterprise_id"] for row in rows} <= in_scope_ids, user
            if role in ("province", "city", "enterprise"):
                assert {row["enterprise_id"] for row in rows} == in_scope_ids, user
