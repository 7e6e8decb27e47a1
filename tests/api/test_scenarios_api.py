"""Scenario endpoints through HTTP: role and scope, the numbers' consistency, bad input in zh/en."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.settings import Settings
from tests.api.test_scope_matrix import DEMO_USERS, SCENARIO_ROUTES, USERS
from tests.conftest import api_token

FILES = {
    ("POST", "/api/v1/scenarios/drivers"): "drivers_file",
    ("POST", "/api/v1/scenarios/lmdi"): "data_file",
    ("POST", "/api/v1/scenarios/macc"): "measures_file",
}
LMDI_CSV = b"year,category,activity,intensity\n2020,a,10,2\n2020,b,5,1\n2021,a,12,1.5\n2021,b,6,1\n"


def _call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> Any:
    if method == "GET":
        params = {"source": "demo"} if path.endswith(("compare", "macc", "iamc", "base-year")) else {}
        return client.get(path, params=params, headers=headers)
    if path.endswith("montecarlo"):
        return client.post(path, json={"n": 20, "source": "demo"}, headers=headers)
    field = FILES.get((method, path))
    files = {field: ("x.csv", LMDI_CSV, "text/csv")} if field else None
    return client.post(path, data={"source": "demo"}, files=files, headers=headers)


def test_every_scenario_route_refuses_verifier_and_public(client: TestClient) -> None:
    for user in USERS:
        role = DEMO_USERS[user]["role"]
        if role not in ("verifier", "public"):
            continue
        h = api_token(client, user)
        for method, path in sorted(SCENARIO_ROUTES):
            r = _call(client, method, path, h)
            assert r.status_code == 403, (user, method, path, r.status_code)
            assert r.json()["error"]["message_zh"] and r.json()["error"]["message_en"]


def _groups(client: TestClient, user: str) -> dict[str, Any]:
    r = client.get("/api/v1/scenarios/base-year", headers=api_token(client, user))
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_the_base_year_is_built_from_the_inventories_in_scope(client: TestClient) -> None:
    prov = _groups(client, "province")
    assert prov["year"] == 2025 and prov["source"] == "inventories"
    rec = prov["reconciliation"]
    # every tonne of the inventories is in the table (no group without output in the demo)
    assert rec["base_co2_t"] == pytest.approx(rec["inventory_co2_t"], rel=1e-9)
    assert sum(g["co2_t"] for g in prov["groups"]) == pytest.approx(rec["inventory_co2_t"], rel=1e-9)
    assert {g["route_kind"] for g in prov["groups"]} >= {"primary", "secondary"}
    city = _groups(client, "city-hengyang")
    assert city["groups"] and {g["city"] for g in city["groups"]} == {"430400"}
    # the city's groups are exactly the province's groups of that city, figure for figure
    mine = sorted((g["metal"], g["route"], round(g["co2_t"], 3)) for g in city["groups"])
    theirs = sorted(
        (g["metal"], g["route"], round(g["co2_t"], 3)) for g in prov["groups"] if g["city"] == "430400"
    )
    assert mine == theirs
    ent = _groups(client, "ent-hengyang-pbzn")
    assert ent["groups"] and {g["metal"] for g in ent["groups"]} <= {
        "Pb",
        "Zn",
        "Ag",
        "Au",
        "Cu",
        "Bi",
        "In",
        "Sb",
    }
    assert ent["reconciliation"]["inventory_co2_t"] < city["reconciliation"]["inventory_co2_t"]


def test_a_year_without_data_is_refused_in_both_languages(client: TestClient) -> None:
    r = client.get(
        "/api/v1/scenarios/base-year", params={"year": 2011}, headers=api_token(client, "province")
    )
    assert r.status_code == 422
    err = r.json()["error"]["problems"][0]
    assert (
        err["code"] == "scenario_no_base_year" and "2011" in err["message_zh"] and "2011" in err["message_en"]
    )


def test_compare_gives_trajectories_peaks_and_the_verdict(client: TestClient) -> None:
    r = client.get("/api/v1/scenarios/compare", headers=api_token(client, "province"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["years"][0] == out["base_year"] == 2025 and out["years"][-1] == 2060
    assert set(out["scenarios"]) == {"baseline", "plan_policy", "accelerated"}
    for s in out["scenarios"].values():
        total = s["co2_t"]["total"]
        assert total[0] == pytest.approx(out["reconciliation"]["base_co2_t"], rel=1e-9)
        for key in ("by_metal", "by_route", "by_route_kind", "by_city"):
            parts = [sum(v[j] for v in s["co2_t"][key].values()) for j in range(len(total))]
            assert parts == pytest.approx(total, rel=1e-9)
        pk = s["peak"]
        assert total[out["years"].index(pk["year"])] == pytest.approx(pk["co2_t"])
        assert s["verdict"] == (
            "yes" if pk["peaked"] and pk["year"] <= 2030 else "no" if pk["peaked"] else "not_peaked"
        )
    city = client.get("/api/v1/scenarios/compare", headers=api_token(client, "city-hengyang")).json()
    assert set(city["scenarios"]["baseline"]["co2_t"]["by_city"]) == {"430400"}
    assert city["reconciliation"]["inventory_co2_t"] < out["reconciliation"]["inventory_co2_t"]


def test_montecarlo_is_seeded_capped_and_names_bad_distributions(client: TestClient) -> None:
    h = api_token(client, "province")
    body = {"scenario": "plan_policy", "n": 60, "seed": 7}
    a = client.post("/api/v1/scenarios/montecarlo", json={**body, "scheduler": "numpy"}, headers=h).json()
    b = client.post("/api/v1/scenarios/montecarlo", json={**body, "scheduler": "threads"}, headers=h).json()
    assert a["fan_co2_t"] == b["fan_co2_t"] and a["p_peak_by_2030"] == b["p_peak_by_2030"]
    assert 0.0 <= a["p_peak_by_2030"] <= 1.0
    assert sum(a["peak_year_share"].values()) == pytest.approx(1.0)
    fan = a["fan_co2_t"]
    assert set(fan) == {"p5", "p25", "p50", "p75", "p95"}
    assert all(fan["p5"][j] <= fan["p50"][j] <= fan["p95"][j] for j in range(len(a["years"])))
    r = client.post("/api/v1/scenarios/montecarlo", json={**body, "n": 10**7}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["code"] == "scenario_n_limit"
    bad = {"driver": "grid_ef", "kind": "uniform", "params": {"low": 0.5, "high": 0.1}}
    r = client.post("/api/v1/scenarios/montecarlo", json={**body, "distributions": [bad]}, headers=h)
    assert r.status_code == 422
    p = r.json()["error"]["problems"][0]
    assert (
        "plan_policy" in p["message_en"] and "grid_ef" in p["message_en"] and "2025–2060" in p["message_en"]
    )
    assert "plan_policy" in p["message_zh"] and "grid_ef" in p["message_zh"]


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["scenario", "driver", "selector", "year", "value", "parent"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_bad_driver_paths_are_all_named_by_scenario_driver_and_year(client: TestClient) -> None:
    data = _xlsx(
        [
            ["mine", "recycled_share", "metal=Pb", 2025, 0.4, "baseline"],
            ["mine", "recycled_share", "metal=Pb", 2030, 1.2, "baseline"],  # share above 100 %
            ["mine", "energy_intensity_improvement", "*", 2026, 1.5, "baseline"],  # negative intensity
            ["mine", "electrification", "*", 2030, None, "baseline"],  # a gap
        ]
    )
    r = client.post(
        "/api/v1/scenarios/drivers",
        files={"drivers_file": ("paths.xlsx", data, "application/octet-stream")},
        headers=api_token(client, "province"),
    )
    assert r.status_code == 422
    problems = r.json()["error"]["problems"]
    got = {(p["code"], p["row"]) for p in problems}
    assert got == {
        ("scenario_share_range", 3),
        ("scenario_negative_intensity", 4),
        ("scenario_path_missing_value", 5),
    }
    for p in problems:
        assert p["file"] == "paths.xlsx"
        assert "mine" in p["message_zh"] and "mine" in p["message_en"]
        assert p["column"] in p["message_en"] or "electrification" in p["message_en"]
    years = {p["code"]: p for p in problems}
    assert "2030" in years["scenario_share_range"]["message_en"]
    assert "2026" in years["scenario_negative_intensity"]["message_zh"]
    assert "2030" in years["scenario_path_missing_value"]["message_zh"]


def test_an_uploaded_scenario_runs_and_inherits(client: TestClient) -> None:
    data = _xlsx(
        [
            ["green", "green_power_share", "*", 2025, 0.0, "plan_policy"],
            ["green", "green_power_share", "*", 2030, 0.8, "plan_policy"],
        ]
    )
    h = api_token(client, "province")
    r = client.post(
        "/api/v1/scenarios/drivers",
        files={"drivers_file": ("p.xlsx", data, "application/octet-stream")},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["scenarios"][0]["parent"] == "plan_policy"
    r = client.post(
        "/api/v1/scenarios/run",
        data={"scenarios": "plan_policy,green"},
        files={"drivers_file": ("p.xlsx", data, "application/octet-stream")},
        headers=h,
    )
    assert r.status_code == 200, r.text
    s = r.json()["scenarios"]
    assert s["green"]["co2_t"]["total"][0] == pytest.approx(s["plan_policy"]["co2_t"]["total"][0])
    assert s["green"]["co2_t"]["total"][5] < s["plan_policy"]["co2_t"]["total"][5]


def test_uploads_are_size_limited(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"max_upload_mb": 1}))) as small:
        big = b"year,category,a\n" + b"2020,x,1\n" * 200_000
        r = small.post(
            "/api/v1/scenarios/lmdi",
            files={"data_file": ("big.csv", big, "text/csv")},
            headers=api_token(small, "province"),
        )
        assert r.status_code == 413


def test_lmdi_of_history_and_of_an_upload_close_exactly(client: TestClient) -> None:
    h = api_token(client, "province")
    r = client.get("/api/v1/scenarios/lmdi/history", headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["years"][0] == 2020 and out["years"][-1] == 2025
    assert sum(out["total_effects"].values()) == pytest.approx(out["v_to"] - out["v_from"], rel=1e-9)
    assert abs(out["closure_residual"]) < 1e-6 * out["v_to"]
    base = client.get("/api/v1/scenarios/base-year", headers=h).json()
    assert out["v_to"] == pytest.approx(base["reconciliation"]["base_co2_t"], rel=1e-9)
    m = client.get("/api/v1/scenarios/lmdi/history", params={"method": "multiplicative"}, headers=h).json()
    prod = 1.0
    for v in m["total_effects"].values():
        prod *= v
    assert prod == pytest.approx(m["v_to"] / m["v_from"], rel=1e-9)
    d = client.get(
        "/api/v1/scenarios/lmdi/compare", params={"a": "baseline", "b": "accelerated"}, headers=h
    ).json()
    assert sum(d["total_effects"].values()) == pytest.approx(d["v_to"] - d["v_from"], rel=1e-9)
    assert d["v_to"] < d["v_from"]
    up = client.post(
        "/api/v1/scenarios/lmdi", files={"data_file": ("d.csv", LMDI_CSV, "text/csv")}, headers=h
    )
    assert up.status_code == 200, up.text
    # V: 2020 = 10·2 + 5·1 = 25, 2021 = 12·1.5 + 6·1 = 24
    assert up.json()["v_from"] == 25.0 and up.json()["v_to"] == 24.0
    assert sum(up.json()["total_effects"].values()) == pytest.approx(-1.0, abs=1e-12)
    bad = LMDI_CSV.replace(b"2021,b,6,1", b"2021,b,-6,1")
    r = client.post("/api/v1/scenarios/lmdi", files={"data_file": ("d.csv", bad, "text/csv")}, headers=h)
    assert r.status_code == 422
    p = r.json()["error"]["problems"][0]
    assert p["file"] == "d.csv" and p["row"] == 5 and p["message_zh"] and p["message_en"]


def test_macc_is_sorted_and_never_abates_more_than_the_baseline(client: TestClient) -> None:
    h = api_token(client, "city-chenzhou")
    out = client.get("/api/v1/scenarios/macc", headers=h).json()
    assert out["synthetic"] is True
    costs = [c["mac_yuan_per_tco2e"] for c in out["curve"]]
    assert costs == sorted(costs)
    assert out["total_abatement_tco2e_per_a"] <= out["baseline_tco2e_per_a"]
    assert all(c["x1"] - c["x0"] == pytest.approx(c["abatement_tco2e_per_a"]) for c in out["curve"])
    measures = (
        b"id,capex_yuan,delta_opex_yuan_per_a,energy_saving_value_yuan_per_a,lifetime_a,abatement_tco2e_per_a,discount_rate\n"
        b"a,1000000,0,0,10,500,0.05\nb,0,1000,0,10,2000,0.05\n"
    )
    r = client.post(
        "/api/v1/scenarios/macc",
        data={"baseline": "1000"},
        files={"measures_file": ("m.csv", measures, "text/csv")},
        headers=h,
    )
    assert r.status_code == 200, r.text
    curve = r.json()["curve"]
    assert [c["id"] for c in curve] == ["b", "a"]  # 0.5 yuan/t before ≈ 259 yuan/t
    assert curve[0]["abatement_tco2e_per_a"] == 1000.0 and curve[1]["abatement_tco2e_per_a"] == 0.0
    bad = measures.replace(b"a,1000000,0,0,10", b"a,1000000,0,0,-10")
    r = client.post("/api/v1/scenarios/macc", files={"measures_file": ("m.csv", bad, "text/csv")}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["file"] == "m.csv"


def test_iamc_export_downloads_csv_and_xlsx(client: TestClient) -> None:
    h = api_token(client, "city-changsha")
    r = client.get("/api/v1/scenarios/iamc", params={"scenarios": "baseline"}, headers=h)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == ["model", "scenario", "region", "variable", "unit", "year", "value"]
    assert {x["scenario"] for x in rows} == {"baseline"} and rows[0]["region"].startswith("Hunan|")
    total = {int(x["year"]): float(x["value"]) for x in rows if x["variable"] == "Emissions|CO2|Nonferrous"}
    cmp = client.get("/api/v1/scenarios/compare", params={"scenarios": "baseline"}, headers=h).json()
    assert total[2030] == pytest.approx(cmp["scenarios"]["baseline"]["co2_t"]["total"][5] / 1e6, rel=1e-9)
    x = client.get("/api/v1/scenarios/iamc", params={"format": "xlsx"}, headers=h)
    assert x.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    assert wb.active is not None and wb.active["A1"].value == "model"


def test_index_lists_the_synthetic_scenarios_and_limits(client: TestClient) -> None:
    out = client.get("/api/v1/scenarios", headers=api_token(client, "ent-loudi-sb")).json()
    assert {s["name"] for s in out["scenarios"]} == {"baseline", "plan_policy", "accelerated"}
    assert all(s["synthetic"] for s in out["scenarios"])
    assert out["mc_max_n"] >= 1000 and "threads" in out["schedulers"]
    assert out["default_base_year"] == 2025 and json.dumps(out)


def test_a_supplied_base_year_table_is_projected_and_checked(client: TestClient) -> None:
    from carbonpeak.scenarios.demo_scenarios import demo_base_frame

    h = api_token(client, "province")
    data = demo_base_frame().to_csv(index=False).encode()
    r = client.post(
        "/api/v1/scenarios/run",
        data={"scenarios": "baseline", "year": "2020"},
        files={"base_file": ("base.csv", data, "text/csv")},
        headers=h,
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["source"] == "supplied" and out["years"][0] == 2020
    demo = client.get(
        "/api/v1/scenarios/compare", params={"scenarios": "baseline", "source": "demo"}, headers=h
    )
    assert (
        out["scenarios"]["baseline"]["co2_t"]["total"]
        == demo.json()["scenarios"]["baseline"]["co2_t"]["total"]
    )
    bad = data.replace(b"600000.0", b"-600000.0", 1)
    r = client.post(
        "/api/v1/scenarios/run",
        data={"scenarios": "baseline", "year": "2020"},
        files={"base_file": ("base.csv", bad, "text/csv")},
        headers=h,
    )
    assert r.status_code == 422
    p = r.json()["error"]["problems"][0]
    assert p["file"] == "base.csv" and p["row"] == 2 and p["column"] == "output_t"
