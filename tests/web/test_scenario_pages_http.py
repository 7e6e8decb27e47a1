"""The scenario page through HTTP: sign-in, role, scope, the numbers the charts get, no inline JS."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import web_login
from tests.web.test_pages_http import assert_no_inline_script

BLOCK = re.compile(r'<script type="application/json" id="([\w-]+)">(.*?)</script>', re.DOTALL)


def _blocks(html: str) -> dict[str, object]:
    return {k: json.loads(v) for k, v in BLOCK.findall(html)}


def test_the_page_needs_a_sign_in(client: TestClient) -> None:
    r = client.get("/scenarios", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/scenarios")


def test_verifier_and_public_are_refused(client: TestClient) -> None:
    for user in ("verifier", "public"):
        client.cookies.clear()
        web_login(client, user)
        r = client.get("/scenarios")
        assert r.status_code == 403, user
        assert 'href="/scenarios"' not in r.text  # and no nav link either


def test_province_page_carries_every_chart_and_the_verdicts(client: TestClient) -> None:
    web_login(client, "province")
    r = client.get("/scenarios", params={"n": 50, "seed": 3})
    assert r.status_code == 200
    assert_no_inline_script("scenarios", r)
    assert 'href="/scenarios" aria-current="page"' in r.text
    blocks = _blocks(r.text)
    assert set(blocks) == {
        "scenarios-trajectories-data",
        "scenarios-fan-data",
        "scenarios-lmdi-data",
        "scenarios-macc-data",
    }
    traj = blocks["scenarios-trajectories-data"]
    assert isinstance(traj, dict) and traj["years"][0] == "2025" and traj["years"][-1] == "2060"
    for s in traj["series"]:
        j = traj["years"].index(s["peakYear"])
        assert s["total"][j] == s["peakValue"]  # the marker sits on the line
    rows = re.findall(r'<tr data-scenario="(\w+)">', r.text)
    assert rows == ["baseline", "plan_policy", "accelerated"]
    lm = blocks["scenarios-lmdi-data"]
    assert isinstance(lm, dict)
    assert lm["start"] + sum(lm["effects"]) == pytest.approx(lm["end"], rel=1e-12)
    fan = blocks["scenarios-fan-data"]
    assert isinstance(fan, dict) and 0.0 <= fan["p2030"] <= 1.0
    bars = blocks["scenarios-macc-data"]
    assert isinstance(bars, dict)
    costs = [b["cost"] for b in bars["bars"]]
    assert costs == sorted(costs) and bars["bars"][-1]["x1"] <= bars["baseline"]
    assert "演示用合成数据" in r.text  # the scenarios say they are synthetic


def test_city_sees_its_city_base_year_and_english_works(client: TestClient) -> None:
    web_login(client, "province")
    prov = client.get("/scenarios", params={"n": 20}).text
    client.cookies.clear()
    web_login(client, "city-hengyang")
    client.get("/lang/en", follow_redirects=False)
    client.cookies.set("cp_lang", "en")
    r = client.get("/scenarios", params={"n": 20, "view": "metal", "lmdi": "compare"})
    assert r.status_code == 200
    assert 'id="scenarios-scope">Hengyang' in r.text
    co2 = re.search(r'id="scenarios-base-co2">([\d.,]+)<', r.text)
    prov_co2 = re.search(r'id="scenarios-base-co2">([\d.,]+)<', prov)
    assert co2 and prov_co2 and float(co2.group(1)) < float(prov_co2.group(1))
    traj = _blocks(r.text)["scenarios-trajectories-data"]
    assert isinstance(traj, dict) and traj["view"] == "metal" and traj["peakName"] == "Peak"
    assert "scenario difference" in r.text


def test_iamc_download_from_the_page(client: TestClient) -> None:
    web_login(client, "city-chenzhou")
    r = client.get("/scenarios/iamc.csv")
    assert r.status_code == 200 and r.text.startswith("model,scenario,region,variable,unit,year,value")
    assert "attachment" in r.headers["content-disposition"]
