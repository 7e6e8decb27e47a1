"""A production line's product and potline technology through HTTP (issue 12, item 6): set when
the line is registered, refused with a located bilingual 422 when they do not fit the route,
returned by the API, shown on the enterprise page, and used by the benchmark."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from carbonpeak.model.credit_code import check_character
from tests.conftest import api_token
from tests.web.conftest import csrf_token, web_login


def _body(serial: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    first = f"91430400{serial}"
    return {
        "credit_code": first + check_character(first),
        "name_zh": "产品测试冶炼厂（示例）",
        "city_code": "430400",
        "lines": lines,
    }


ZN = {
    "code": "L01",
    "name_zh": "湿法炼锌（无渣处理）",
    "metal": "Zn",
    "route": "zn_hydro",
    "capacity_t_per_a": 100_000,
    "product": "zn_hydro_without_residue",
}
AL = {
    "code": "L02",
    "name_zh": "电解铝",
    "metal": "Al",
    "route": "al_electrolysis",
    "capacity_t_per_a": 200_000,
    "product": "电解铝 铝液（铝电解→铝液）",
    "technology": "pfpb",
}


def test_a_product_and_a_technology_are_set_and_returned(client: TestClient) -> None:
    prov = api_token(client, "province")
    r = client.post("/api/v1/enterprises", json=_body("PRDUCTA01", [ZN, AL]), headers=prov)
    assert r.status_code == 201, r.text
    ent = client.get(f"/api/v1/enterprises/{r.json()['id']}", headers=prov).json()
    lines = {ln["code"]: ln for ln in ent["lines"]}
    assert lines["L01"]["product"] == "zn_hydro_without_residue"
    assert lines["L01"]["product_name_zh"] == "湿法炼锌 电锌锭（无渣处理）（精矿→电锌锭）"
    assert lines["L01"]["technology"] is None
    # a name and another spelling are stored as their codes (PFPB, point-fed prebake, is a CWPB)
    assert (lines["L02"]["product"], lines["L02"]["technology"]) == ("al_molten", "CWPB")
    # the enterprise page shows them
    web_login(client, "province")
    html = client.get(f"/enterprises/{ent['id']}").text
    assert "湿法炼锌 电锌锭（无渣处理）" in html and "zn_hydro_without_residue" in html
    assert ">CWPB<" in html
    assert "产品（限额分级依据）" in html


def test_a_product_of_another_route_and_a_bad_technology_are_a_located_422(client: TestClient) -> None:
    prov = api_token(client, "province")
    bad_zn = {**ZN, "product": "al_molten"}
    bad_al = {**AL, "technology": "XYZ"}
    not_pot = {**ZN, "code": "L03", "product": None, "technology": "CWPB"}
    r = client.post("/api/v1/enterprises", json=_body("PRDUCTA02", [bad_zn, bad_al, not_pot]), headers=prov)
    assert r.status_code == 422, r.text
    problems = {(p["column"], p["code"]) for p in r.json()["error"]["problems"]}
    assert problems == {
        ("lines[0].product", "product_route_mismatch"),
        ("lines[1].technology", "unknown_technology"),
        ("lines[2].technology", "technology_not_potline"),
    }
    for p in r.json()["error"]["problems"]:
        assert p["message_zh"] and p["message_en"] and "{" not in p["message_zh"]


def test_the_page_lists_the_demo_lines_products(client: TestClient) -> None:
    prov = api_token(client, "province")
    found = client.get("/api/v1/enterprises", params={"q": "91430400XU6TWF13XG"}, headers=prov).json()
    (ent,) = found
    web_login(client, "province")
    html = client.get(f"/enterprises/{ent['id']}").text
    # the demo's hydrometallurgical zinc lines name residue treatment (GB 25323-2023 表3)
    assert "湿法炼锌 电锌锭（含渣处理）" in html
    client.get("/lang/en", params={"next": "/"})
    assert "Hydrometallurgical zinc incl. residue treatment" in client.get(f"/enterprises/{ent['id']}").text


def test_the_benchmark_api_grades_a_line_by_its_product(client: TestClient) -> None:
    lines = client.get(
        "/api/v1/benchmark/lines", params={"year": 2025, "limit": 1000}, headers=api_token(client, "province")
    ).json()
    zn = [ln for ln in lines if ln["route"] == "zn_hydro" and ln["assessment"] == "assessed"]
    assert zn and all(ln["product"] == "zn_hydro_with_residue" for ln in zn)
    assert all(ln["level_product"] == "zn_hydro_with_residue" for ln in zn)
    re_lines = [ln for ln in lines if ln["metal"] == "RE" and ln["assessment"] == "assessed"]
    assert re_lines and {ln["standard"] for ln in re_lines} == {"GB 29435-2012"}


def test_the_review_page_reviews_by_product_and_edition(client: TestClient) -> None:
    web_login(client, "province")
    page = client.get("/review")
    assert 'name="product"' in page.text and "zn_hydro_without_residue" in page.text
    form = {
        "csrf_token": csrf_token(client, "/review"),
        "metal": "Zn",
        "route": "zn_hydro",
        "product": "zn_hydro_without_residue",
        "capacity": "100000",
        "city": "430400",
        "date": "2025-06-30",
        # 8.137e8 kWh × 0.1229 kgce/kWh / 1e5 t = 1 000 kgce/t: 1级 of 无渣处理 is 550
        "energy": "electricity=8.137e8 kWh",
    }
    r = client.post("/review", data=form)
    assert r.status_code == 200, r.text
    assert "湿法炼锌 电锌锭（无渣处理）" in r.text and "550" in r.text
    # on 2023-06-01 the zinc edition in force (GB 21249-2014) is not held: no level, no nan/None
    r = client.post(
        "/review", data={**form, "date": "2023-06-01", "csrf_token": csrf_token(client, "/review")}
    )
    assert r.status_code == 200, r.text
    assert "GB 21249-2014" in r.text
    assert " nan " not in r.text and "自 None" not in r.text
