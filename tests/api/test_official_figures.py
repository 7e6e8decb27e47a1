"""Official figures through HTTP, on SQLite and PostgreSQL (ARCHITECTURE.md, "Official
figures"; issue 11): an enterprise's draft or unverified upload never changes a province
or city figure; after approval it does; every aggregate states its coverage; a year below
the coverage threshold is provisional and never the default year."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from carbonpeak.service.inventories.official import DEFAULT_THRESHOLD
from tests.api.test_intake_api import _template, _upload
from tests.conftest import api_token
from tests.intake_support import GOOD_ROWS, fill

YEAR = 2026  # after the demo's approved bulk-loaded years (2020–2025)


def _views(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    """What the province and a city read for YEAR: targets, dashboard coverage and series."""
    targets = client.get("/api/v1/targets", params={"year": YEAR}, headers=headers)
    dash = client.get("/api/v1/dashboard", params={"year": YEAR}, headers=headers)
    share = client.get("/api/v1/benchmark/share", params={"year": YEAR}, headers=headers)
    lines = client.get("/api/v1/benchmark/lines", params={"year": YEAR}, headers=headers)
    assert {r.status_code for r in (targets, dash, share, lines)} == {200}, targets.text
    body = dash.json()
    return {
        "values": {t["id"]: (t["status"], t.get("value"), t["series"]) for t in targets.json()},
        "coverage": body["coverage"],
        "targets_coverage": {t["coverage"]["official"] for t in targets.json()},
        "league": body["league_total"],
        "lines": lines.json(),
        "lines_total": lines.headers["x-total-count"],
    }


def _move(client: TestClient, sid: int, move: str, user: str) -> None:
    r = client.post(
        f"/api/v1/submissions/{sid}/{move}", json={"comment": "ok"}, headers=api_token(client, user)
    )
    assert r.status_code == 200, (move, user, r.text)


def test_drafts_never_reach_province_or_city_figures_approval_does(client: TestClient) -> None:
    tokens = {u: api_token(client, u) for u in ("province", "city-hengyang", "ent-hengyang-pbzn")}
    before = {u: _views(client, tokens[u]) for u in ("province", "city-hengyang")}
    assert before["province"]["coverage"]["official"] == 0
    assert before["province"]["coverage"]["provisional"] is True
    # the enterprise's draft, then submitted, then verified: nothing official changes
    data = fill(_template(client, tokens, YEAR), GOOD_ROWS)
    r = _upload(client, tokens["ent-hengyang-pbzn"], data, acknowledge_warnings=True)
    assert r.status_code == 201, r.text
    sid = r.json()["submission_id"]
    run_id = r.json()["inventory_run_id"]
    mine = client.get(f"/api/v1/inventories/{run_id}", headers=tokens["ent-hengyang-pbzn"]).json()
    assert (mine["submission_status"], mine["official"]) == ("draft", False)  # its own draft, marked
    for u in ("province", "city-hengyang"):
        assert _views(client, tokens[u]) == before[u], u
    _move(client, sid, "submit", "ent-hengyang-pbzn")
    for u in ("province", "city-hengyang"):
        now = _views(client, tokens[u])
        assert now["values"] == before[u]["values"] and now["lines"] == before[u]["lines"]
        assert now["coverage"]["reported"] == before[u]["coverage"]["reported"] + 1  # reported, not official
        assert now["coverage"]["official"] == 0
    _move(client, sid, "start-verification", "verifier")
    _move(client, sid, "verify", "verifier")
    assert _views(client, tokens["province"])["values"] == before["province"]["values"]
    # approved: it is official, and the province's and the city's figures move
    _move(client, sid, "approve", "province")
    for u in ("province", "city-hengyang"):
        after = _views(client, tokens[u])
        assert after["coverage"]["official"] == 1
        assert after["targets_coverage"] == {1}
        assert after["values"] != before[u]["values"]
        peak = next(v for k, v in after["values"].items() if "peak_year" in k)
        assert str(YEAR) in {str(y) for y in peak[2]}  # the year's CO2e is in the series now
        assert int(after["lines_total"]) > 0
    # one enterprise of the sector is far below the threshold: provisional, not the default year
    assert after["coverage"]["provisional"] is True
    assert after["coverage"]["threshold"] == DEFAULT_THRESHOLD
    default = client.get("/api/v1/targets", headers=tokens["province"]).json()
    assert {t["year"] for t in default} == {2025}
    assert {t["coverage"]["provisional"] for t in default} == {False}


def test_a_city_sees_its_own_coverage(client: TestClient) -> None:
    prov = client.get(
        "/api/v1/dashboard", params={"year": 2025}, headers=api_token(client, "province")
    ).json()
    city = client.get(
        "/api/v1/dashboard", params={"year": 2025}, headers=api_token(client, "city-hengyang")
    ).json()
    assert 0 < city["coverage"]["enterprises"] < prov["coverage"]["enterprises"]
    assert city["coverage"]["official"] <= city["coverage"]["enterprises"]
    assert "家" in city["coverage"]["label_zh"] and "enterprises" in city["coverage"]["label_en"]
    # the dashboard is trimmed: the league keeps the ends of each metal, the totals say how many
    assert len(prov["league"]) <= prov["league_total"]
    assert len(prov["below_limit"]) <= min(prov["below_limit_total"], 50)


def test_the_dashboard_page_states_its_coverage_and_marks_provisional_years(client: TestClient) -> None:
    from tests.web.conftest import web_login

    web_login(client, "province")
    html = client.get("/dashboard").text  # no year: the newest year that is not provisional
    assert 'id="dash-coverage"' in html and 'data-provisional="false"' in html
    assert "已报送" in html and "覆盖在产产能" in html and "仅统计已批准的正式数据" in html
    options = {
        int(y): (attrs, label.strip())
        for y, attrs, label in re.findall(r'<option value="(\d{4})"([^>]*)>([^<]*)</option>', html)
    }
    assert "selected" in options[2025][0]
    # years without official figures (2026–2030) are marked provisional in the year list
    assert 'data-provisional="true"' in options[2026][1] + options[2026][0]
    assert options[2026][1] == "2026 · 临时" and options[2024][1] == "2024"
    assert "data-provisional" not in options[2024][0]
    later = client.get("/dashboard", params={"year": YEAR}).text
    assert 'class="dash-coverage provisional"' in later and "临时数据" in later
