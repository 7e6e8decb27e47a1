"""Review, project-register, registry and dashboard endpoints through HTTP: every route's
role and scope rules (the routes are listed in ``REVIEW_ROUTES`` of test_scope_matrix)."""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.api.test_scope_matrix import DEMO_USERS, USERS
from tests.conftest import api_token

HENGYANG, CHENZHOU = "430400", "431000"
XICHENG = "91430400XU6TWF13XG"


def _demo(name: str) -> list[dict[str, str]]:
    return list(
        csv.DictReader(io.StringIO(resources.files("carbonpeak.demo").joinpath(name).read_text("utf-8-sig")))
    )


ENT_PARK = {e["credit_code"]: e["park"] for e in _demo("enterprises.csv")}


def project_in_scope(user: str, p: dict[str, str]) -> bool:
    """The demo scope of *user* over demo/projects.csv rows, from the files (not the code)."""
    u = DEMO_USERS[user]
    role = u["role"]
    if role == "province":
        return True
    if role == "city":
        return p["city"] == u["city"]
    if role == "enterprise":
        return p["enterprise"] == u["enterprise"]
    if role == "verifier":
        return bool(p["enterprise"]) and ENT_PARK[p["enterprise"]] == "shuikoushan"
    return False


def _zinc(city: str, kwh: float = 1.0e9, **kw: Any) -> dict[str, Any]:
    return {
        "name": "API 锌项目（示例）",
        "metal": "Zn",
        "route": "zn_hydro",
        "capacity_t_per_a": 122_900,
        "energy": [{"carrier": "electricity", "quantity": kwh, "unit": "kWh"}],
        "city_code": city,
        "review_date": "2025-06-30",
        **kw,
    }


def test_review_verdicts_reports_and_scope(client: TestClient) -> None:
    h = {u: api_token(client, u) for u in USERS}
    ok = client.post("/api/v1/review", json=_zinc(HENGYANG), headers=h["city-hengyang"])
    assert ok.status_code == 201, ok.text
    assert ok.json()["verdict"] == "pass" and "GB 25323-2023 表3" in ok.json()["citation_zh"]
    bad = client.post("/api/v1/review", json=_zinc(HENGYANG, 1.1e9), headers=h["province"]).json()
    assert bad["verdict"] == "fail" and bad["unit_energy_kgce_per_t"] == 1100.0
    # role and city
    assert client.post("/api/v1/review", json=_zinc(CHENZHOU), headers=h["city-hengyang"]).status_code == 403
    assert (
        client.post("/api/v1/review", json=_zinc(HENGYANG), headers=h["ent-hengyang-pbzn"]).status_code == 403
    )
    own = client.post(
        "/api/v1/review", json=_zinc(HENGYANG, enterprise=XICHENG), headers=h["ent-hengyang-pbzn"]
    )
    assert own.status_code == 201
    for user in ("verifier", "public"):
        assert client.post("/api/v1/review", json=_zinc(HENGYANG), headers=h[user]).status_code == 403
    r = client.post("/api/v1/review", json=_zinc("999999", energy=[]), headers=h["province"])
    assert r.status_code == 422
    # lists and details in scope
    ids = {"city": ok.json()["id"], "prov": bad["id"], "ent": own.json()["id"]}
    seen = {u: {x["id"] for x in client.get("/api/v1/reviews", headers=h[u]).json()} for u in USERS}
    assert seen["province"] == set(ids.values())
    assert seen["city-hengyang"] == set(ids.values())  # all three lie in Hengyang
    assert seen["city-chenzhou"] == set() and seen["verifier"] == set() and seen["public"] == set()
    assert seen["ent-hengyang-pbzn"] == {ids["ent"]}
    assert client.get(f"/api/v1/reviews/{ids['prov']}", headers=h["ent-hengyang-pbzn"]).status_code == 404
    assert client.get(f"/api/v1/reviews/{ids['prov']}", headers=h["city-chenzhou"]).status_code == 404
    # the reports, citing the clause
    r = client.get(
        f"/api/v1/reviews/{ids['prov']}/report", params={"format": "pdf"}, headers=h["city-hengyang"]
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages))
    assert "GB25323-2023表3" in text and "不通过" in text
    r = client.get(
        f"/api/v1/reviews/{ids['prov']}/report",
        params={"format": "xlsx", "lang": "en"},
        headers=h["province"],
    )
    assert r.status_code == 200
    cells = [
        str(c)
        for row in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True)
        for c in row
        if c
    ]
    assert any("FAIL" in c for c in cells) and any("GB 25323-2023 表3" in c for c in cells)
    assert (
        client.get(
            f"/api/v1/reviews/{ids['prov']}/report", params={"format": "doc"}, headers=h["province"]
        ).status_code
        == 422
    )
    assert client.get(f"/api/v1/reviews/{ids['prov']}/report", headers=h["city-chenzhou"]).status_code == 404


def test_projects_list_detail_and_capacity_changes_follow_scope(client: TestClient) -> None:
    demo = _demo("projects.csv")
    everyone = {u: api_token(client, u) for u in USERS}
    all_p = client.get("/api/v1/projects", headers=everyone["province"]).json()
    by_code = {p["code"]: p for p in all_p}
    assert set(by_code) == {p["code"] for p in demo}
    for user in USERS:
        public = DEMO_USERS[user]["role"] == "public"
        expected = {p["code"] for p in demo if project_in_scope(user, p)}
        got = client.get("/api/v1/projects", headers=everyone[user])
        assert got.status_code == 200
        assert {p["code"] for p in got.json()} == expected, user
        for code, p in by_code.items():
            r = client.get(f"/api/v1/projects/{p['id']}", headers=everyone[user])
            assert r.status_code == (200 if code in expected else 404), (user, code)
        cc = client.get("/api/v1/projects/capacity-changes", headers=everyone[user])
        assert cc.status_code == (403 if public else 200), user
        if DEMO_USERS[user]["role"] == "city":
            assert {r["city_code"] for r in cc.json()} <= {DEMO_USERS[user]["city"]}
    history = by_code["DEMO-P-430400-03"]["history"]
    assert [h["to_status"] for h in history] == ["planned", "approved", "under_construction", "commissioned"]


def _new(code: str, city: str, **kw: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name_zh": "接口测试项目（示例）",
        "city_code": city,
        "metal": "Pb",
        "route": "pb_bottom_blown",
        "kind": "new",
        "capacity_t_per_a": 50000,
        "effective_date": "2025-02-01",
        **kw,
    }


def test_project_changes_follow_role_and_scope(client: TestClient) -> None:
    h = {u: api_token(client, u) for u in USERS}
    # create
    assert (
        client.post("/api/v1/projects", json=_new("A-1", HENGYANG), headers=h["city-hengyang"]).status_code
        == 201
    )
    assert (
        client.post("/api/v1/projects", json=_new("A-2", CHENZHOU), headers=h["city-hengyang"]).status_code
        == 403
    )
    assert (
        client.post("/api/v1/projects", json=_new("A-3", CHENZHOU), headers=h["province"]).status_code == 201
    )
    r = client.post(
        "/api/v1/projects", json=_new("A-4", HENGYANG, enterprise=XICHENG), headers=h["ent-hengyang-pbzn"]
    )
    assert r.status_code == 201
    for user in ("verifier", "public", "ent-loudi-sb"):
        r = client.post(
            "/api/v1/projects", json=_new(f"A-{user}", HENGYANG, enterprise=XICHENG), headers=h[user]
        )
        assert r.status_code == 403, user
    r = client.post("/api/v1/projects", json=_new("A-1", HENGYANG, route="cu_flash"), headers=h["province"])
    assert r.status_code == 422
    assert {p["code"] for p in r.json()["error"]["problems"]} >= {"route_metal_mismatch", "exists"}
    ids = {p["code"]: p["id"] for p in client.get("/api/v1/projects", headers=h["province"]).json()}
    hy, cz, ent = ids["A-1"], ids["A-3"], ids["A-4"]
    # status: the authorities of the city, not the enterprise
    r = client.post(
        f"/api/v1/projects/{hy}/status",
        json={"status": "approved", "effective_date": "2025-03-01"},
        headers=h["city-hengyang"],
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = client.post(f"/api/v1/projects/{hy}/status", json={"status": "closed"}, headers=h["city-hengyang"])
    assert r.status_code == 422
    assert (
        client.post(
            f"/api/v1/projects/{cz}/status", json={"status": "approved"}, headers=h["city-hengyang"]
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/projects/{ent}/status", json={"status": "approved"}, headers=h["ent-hengyang-pbzn"]
        ).status_code
        == 403
    )
    # patch
    assert (
        client.patch(
            f"/api/v1/projects/{hy}", json={"expected_year": 2028}, headers=h["city-hengyang"]
        ).json()["expected_year"]
        == 2028
    )
    assert (
        client.patch(f"/api/v1/projects/{cz}", json={"note": "x"}, headers=h["city-hengyang"]).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/projects/{ent}", json={"note": "x"}, headers=h["ent-hengyang-pbzn"]
        ).status_code
        == 403
    )
    assert client.patch(f"/api/v1/projects/{hy}", json={"note": "x"}, headers=h["public"]).status_code == 404
    # delete: the province only
    assert client.delete(f"/api/v1/projects/{hy}", headers=h["city-hengyang"]).status_code == 403
    assert client.delete(f"/api/v1/projects/{ent}", headers=h["ent-hengyang-pbzn"]).status_code == 403
    assert client.delete(f"/api/v1/projects/{hy}", headers=h["province"]).status_code == 204
    assert client.get(f"/api/v1/projects/{hy}", headers=h["province"]).status_code == 404


def test_registries_and_dashboard_by_role(client: TestClient) -> None:
    h = {u: api_token(client, u) for u in USERS}
    for user in USERS:
        role = DEMO_USERS[user]["role"]
        r = client.get("/api/v1/registries/green", headers=h[user])
        assert r.status_code == 200
        if role == "city":
            assert {x["city_code"] for x in r.json()} <= {DEMO_USERS[user]["city"]}
        if role == "public":
            assert r.json() == []
        d = client.get("/api/v1/dashboard", params={"year": 2025}, headers=h[user])
        assert d.status_code == (403 if role == "public" else 200), user
        if role == "city":
            data = d.json()
            assert {x["city"] for x in data["league"]} <= {DEMO_USERS[user]["city"]}
            assert {c["city"] for c in data["cities"]} <= {DEMO_USERS[user]["city"]}
    assert client.get("/api/v1/registries/nonsense", headers=h["province"]).status_code == 404
    prov = client.get("/api/v1/dashboard", headers=h["province"]).json()
    assert len(prov["targets"]) == 9 and prov["league"] and prov["below_limit"]
    assert all(
        t.get("base_year_value") is not None for t in prov["targets"] if t["source_id"] == "hunan_plan"
    )
    # import: all-or-nothing with located problems; scoped; public refused
    good = f"enterprise,year,level,certificate_no\n{XICHENG},2025,I,T-CP-1\n".encode()
    bad = b"enterprise,year,level\n91430400XU6TWF13XG,2025,IV\n,abc,I\n"
    r = client.post(
        "/api/v1/registries/cleaner/import",
        files={"file": ("cp.csv", bad, "text/csv")},
        headers=h["province"],
    )
    assert r.status_code == 422
    problems = {(p["row"], p["column"], p["code"]) for p in r.json()["error"]["problems"]}
    assert problems >= {(2, "level", "bad_enum"), (3, "enterprise", "required"), (3, "year", "not_a_number")}
    r = client.post(
        "/api/v1/registries/cleaner/import",
        files={"file": ("cp.csv", good, "text/csv")},
        headers=h["city-chenzhou"],
    )
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["code"] == "permission_denied"
    for user in ("public", "verifier", "ent-hengyang-pbzn"):
        r = client.post(
            "/api/v1/registries/cleaner/import", files={"file": ("cp.csv", good, "text/csv")}, headers=h[user]
        )
        assert r.status_code == 403, user
    r = client.post(
        "/api/v1/registries/cleaner/import",
        files={"file": ("cp.csv", good, "text/csv")},
        headers=h["city-hengyang"],
    )
    assert r.status_code == 201 and r.json() == {"added": 1}
