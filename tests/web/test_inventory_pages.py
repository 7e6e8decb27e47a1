"""The inventory pages through HTTP: the enterprise section and its chart data, the run
page, the explanation page, scope (404s), superseded runs, no inline scripts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from carbonpeak.errors import message
from carbonpeak.web import inventory_view
from carbonpeak.web.pages import _qty
from tests.conftest import api_token
from tests.web.conftest import web_login
from tests.web.test_pages_http import SCRIPT_TAG, assert_no_inline_script

PBZN = "91430400XU6TWF13XG"  # 常宁溪成铅锌冶炼 (衡阳), the ent-hengyang-pbzn user's
LOUDI_SB = "91431300UMXUCU14MQ"  # 冷水江恒川锑业 (娄底): four source categories
CHART_DATA = re.compile(
    r'<script type="application/json" id="chart-inventory-data">(.*?)'
    r"</script>",
    re.DOTALL,
)
LINE_ROW = re.compile(r'<tr data-line="(\d+)"')
EXPLAIN_LINK = re.compile(r'href="/inventories/(\d+)/lines/(\d+)"')


def _api(client: TestClient, user: str = "province") -> dict[str, str]:
    return api_token(client, user)


def _enterprise(client: TestClient, credit_code: str) -> dict[str, Any]:
    ents = client.get("/api/v1/enterprises", headers=_api(client)).json()
    return next(e for e in ents if e["credit_code"] == credit_code)


def _current_run(client: TestClient, enterprise_id: int, year: int | None = None) -> dict[str, Any]:
    """The newest current run (a run is one enterprise-year), or the one of *year*."""
    h = _api(client)
    runs = client.get(f"/api/v1/enterprises/{enterprise_id}/inventories", headers=h).json()
    current = next(r for r in runs if r["status"] == "current" and year in (None, r["year"]))
    return dict(client.get(f"/api/v1/inventories/{current['id']}", headers=h).json())


def _by_year(client: TestClient, enterprise_id: int) -> dict[str, dict[str, Any]]:
    """Each year's totals, from that year's current run."""
    h = _api(client)
    runs = client.get(f"/api/v1/enterprises/{enterprise_id}/inventories", headers=h).json()
    out: dict[str, dict[str, Any]] = {}
    for r in runs:
        if r["status"] == "current" and str(r["year"]) not in out:
            full = client.get(f"/api/v1/inventories/{r['id']}", headers=h).json()
            out[str(r["year"])] = full["totals"]["by_year"][str(r["year"])]
    return out


def _chart(html: str) -> dict[str, Any]:
    found = CHART_DATA.search(html)
    assert found is not None, "no inventory chart data"
    return dict(json.loads(found.group(1)))


def _annual(run: dict[str, Any], year: int) -> list[dict[str, Any]]:
    return [ln for ln in run["lines"] if ln["year"] == year and ln["month"] is None]


# --- the enterprise page -------------------------------------------------------------------


def test_province_sees_the_inventory_section_and_chart_data(client: TestClient) -> None:
    ent = _enterprise(client, LOUDI_SB)
    run = _current_run(client, ent["id"])
    latest = max(run["totals"]["by_year"])
    year = run["totals"]["by_year"][latest]
    web_login(client, "province")
    html = client.get(f"/enterprises/{ent['id']}").text
    assert "温室气体与能耗核算" in html
    assert 'id="inv-synthetic"' in html  # a demo enterprise: the figures are synthetic
    assert "虚构的活动数据" in html
    assert f'href="/inventories/{run["id"]}"' in html
    assert f"{latest} 年" in html
    # headline numbers of the latest year, with separators and units
    assert f'id="inv-kpi-location">{year["co2e_t"]:,.1f}<span class="kpi-unit">tCO2e' in html
    assert f'id="inv-kpi-market">{year["co2e_market_t"]:,.1f}<span class="kpi-unit">tCO2e' in html
    assert f'id="inv-kpi-energy">{year["energy_tce"]:,.1f}<span class="kpi-unit">tce' in html
    assert "综合能耗（当量值）" in html
    assert "," in f"{year['co2e_t']:,.1f}"
    # direct = the year's annual rows outside purchased electricity and heat
    direct = sum(
        ln["co2e_t"] for ln in _annual(run, int(latest)) if ln["category"] not in ("electricity", "heat")
    )
    assert f'id="inv-kpi-direct">{direct:,.1f}<span' in html
    # provenance
    for s in (
        "其他有色金属冶炼和压延加工业企业温室气体排放核算方法与报告指南（试行）",
        "other_nonferrous_2015",
        run["factor_set"],
        "SAR",
        "mee_nbs_provincial",
        "湖南省",
        "现行",
        run["created_at"][:10],
    ):
        assert s in html, s
    chart = _chart(html)
    years = _by_year(client, ent["id"])
    assert chart["categories"] == [str(y) for y in range(2020, 2026)] == sorted(years)
    # each year marked with its workflow status: the demo's bulk load is approved (official)
    assert html.count('class="badge badge-official"') == 6 and "badge-draft" not in html
    names = {s["name"] for s in chart["series"]}
    assert {"化石燃料燃烧", "能源作为原材料用途", "碳酸盐分解", "净购入电力"} <= names
    assert "无排放（产量/经济量/耗能工质）" not in names  # nothing to stack
    for i, y in enumerate(chart["categories"]):
        stacked = sum(s["data"][i] for s in chart["series"])
        assert stacked == pytest.approx(years[y]["co2e_t"], abs=0.05)
        assert chart["market"]["data"][i] == pytest.approx(years[y]["co2e_market_t"], abs=0.01)
    assert chart["unit"] == "tCO2e"
    assert "/static/vendor/echarts.min.js" in html
    assert "/static/app.js" in html


def test_enterprise_page_in_english_names_the_categories_in_english(client: TestClient) -> None:
    ent = _enterprise(client, LOUDI_SB)
    web_login(client, "province")
    client.get("/lang/en")
    html = client.get(f"/enterprises/{ent['id']}").text
    assert "GHG and energy inventory" in html
    assert "synthetic activity data" in html
    names = {s["name"] for s in _chart(html)["series"]}
    assert {"Fossil-fuel combustion", "Net purchased electricity"} <= names
    assert _chart(html)["market"]["name"] == "Total (market-based)"


def test_enterprise_without_a_run_says_so(client: TestClient) -> None:
    h = _api(client)
    ents = client.get("/api/v1/enterprises", headers=h).json()
    bare = next(
        e for e in ents if not client.get(f"/api/v1/enterprises/{e['id']}/inventories", headers=h).json()
    )
    web_login(client, "province")
    html = client.get(f"/enterprises/{bare['id']}").text
    assert 'id="inv-none"' in html
    assert "该企业尚无核算结果。" in html
    assert "chart-inventory-data" not in html
    assert "echarts.min.js" not in html  # no chart, no chart library


# --- the run page ------------------------------------------------------------------------


def test_run_page_lists_the_latest_years_lines(client: TestClient) -> None:
    ent = _enterprise(client, LOUDI_SB)
    run = _current_run(client, ent["id"])
    latest = max(int(y) for y in run["totals"]["by_year"])
    web_login(client, "province")
    r = client.get(f"/inventories/{run['id']}")
    assert r.status_code == 200
    html = r.text
    assert f"核算 #{run['id']}" in html
    assert f'href="/enterprises/{ent["id"]}#inventory"' in html  # breadcrumb back
    assert "冷水江恒川锑业有限公司（示例）" in html
    annual = _annual(run, latest)
    assert [int(n) for n in LINE_ROW.findall(html)] == [ln["line_no"] for ln in annual]
    assert {(int(a), int(b)) for a, b in EXPLAIN_LINK.findall(html)} == {
        (run["id"], ln["line_no"]) for ln in annual
    }
    assert html.count(">说明</a>") == len(annual)
    assert "烟煤" in html and "购入电力" in html  # item names, not ids
    assert "万Nm3" in html  # units as entered
    coal = next(ln for ln in annual if ln["item"] == "bituminous_coal")
    assert f"{coal['co2e_t']:,.2f}" in html
    assert f"{coal['energy_tce']:,.2f}" in html
    assert f'{_qty(coal["quantity_in"])} <span class="unit">{coal["unit_in"]}</span>' in html
    # totals by year and by category (of the latest year), with the year's total
    for y, tot in run["totals"]["by_year"].items():
        assert f'href="/inventories/{run["id"]}?year={y}"' in html
        assert f"{tot['co2e_t']:,.2f}" in html
    assert 'data-category="feedstock"' in html
    assert "能源作为原材料用途" in html
    assert "其他有色金属冶炼和压延加工业企业温室气体排放核算方法与报告指南（试行）" in html
    assert 'id="superseded-banner"' not in html


def test_run_page_filters_by_year_and_shows_months_on_request(client: TestClient) -> None:
    ent = _enterprise(client, LOUDI_SB)
    run = _current_run(client, ent["id"], 2021)
    web_login(client, "province")
    html = client.get(f"/inventories/{run['id']}", params={"year": "2021"}).text
    assert [int(n) for n in LINE_ROW.findall(html)] == [ln["line_no"] for ln in _annual(run, 2021)]
    assert '<option value="2021" selected>' in html
    run = _current_run(client, ent["id"], 2024)
    # 2024 has annual rows and months: annual by default, both with monthly=1
    annual = _annual(run, 2024)
    months = [ln for ln in run["lines"] if ln["year"] == 2024 and ln["month"] is not None]
    assert months
    default = client.get(f"/inventories/{run['id']}", params={"year": "2024"}).text
    assert len(LINE_ROW.findall(default)) == len(annual)
    assert 'id="f-monthly"' in default
    both = client.get(f"/inventories/{run['id']}", params={"year": "2024", "monthly": "1"}).text
    assert len(LINE_ROW.findall(both)) == len(annual) + len(months)
    assert "2024-01" in both
    # a year the run does not cover falls back to the run's own (a run is one year)
    other = client.get(f"/inventories/{run['id']}", params={"year": "1999"}).text
    assert '<option value="2024" selected>' in other


# --- the explanation page -----------------------------------------------------------------


def test_explain_page_shows_formula_factors_source_and_clause(client: TestClient) -> None:
    ent = _enterprise(client, LOUDI_SB)
    run = _current_run(client, ent["id"])
    coal = next(ln for ln in _annual(run, 2025) if ln["item"] == "bituminous_coal")
    exp = client.get(
        f"/api/v1/inventories/{run['id']}/lines/{coal['line_no']}/explain", headers=_api(client)
    ).json()
    web_login(client, "province")
    r = client.get(f"/inventories/{run['id']}/lines/{coal['line_no']}")
    assert r.status_code == 200
    html = r.text
    assert str(escape(exp["formula_zh"])) in html
    assert str(escape(exp["formula_en"])) in html
    assert "来源" in html and "条款" in html
    assert exp["factors"]
    assert any(f.get("read_in") for f in exp["factors"])  # Table A read in a template
    for f in exp["factors"]:
        assert f'data-factor="{f["factor_id"]}"' in html
        assert str(escape(f["source_title"])) in html
        assert str(escape(f["clause"])) in html
        # where the value was read, apart from the clause (issue 12, item 8)
        assert "index id" not in f["clause"]
        if f.get("read_in"):
            assert str(escape(f["read_in"])) in html and "读自" in html
        css = dict(inventory_view.CONFIDENCE)[f["confidence"]]
        assert f'class="conf conf-{css}"' in html
    for step in exp["arithmetic"]:
        assert str(escape(step)) in html
    assert 'id="exp-arithmetic"' in html
    assert f"{exp['results']['co2e_t']:,.2f}" in html
    # the legend of the confidence tags
    for s in ("已核实", "二手但已佐证", "二手"):
        assert s in html
    # breadcrumbs back to the run (the line's year) and the enterprise
    assert f'href="/inventories/{run["id"]}?year=2025#lines"' in html
    assert f'href="/enterprises/{ent["id"]}#inventory"' in html


def test_explain_page_in_english(client: TestClient) -> None:
    ent = _enterprise(client, LOUDI_SB)
    run = _current_run(client, ent["id"])
    line = _annual(run, 2025)[0]
    web_login(client, "province")
    client.get("/lang/en")
    html = client.get(f"/inventories/{run['id']}/lines/{line['line_no']}").text
    assert "Source" in html and "Clause" in html and "Formula" in html
    assert "verified" in html and "secondary, corroborated" in html
    assert "Guidelines for GHG emission accounting" in html  # the source's English title


def test_explain_of_an_aluminium_line_shows_the_pfc_results(client: TestClient) -> None:
    h = _api(client)
    ents = client.get("/api/v1/enterprises", headers=h).json()
    for e in ents:
        runs = client.get(f"/api/v1/enterprises/{e['id']}/inventories", headers=h).json()
        if runs and runs[0]["method"] == "aluminium_2013":
            break
    else:
        pytest.fail("no aluminium run in the demo")
    run = client.get(f"/api/v1/inventories/{runs[0]['id']}", headers=h).json()
    al = next(ln for ln in run["lines"] if ln["kind"] == "aluminium")
    web_login(client, "province")
    html = client.get(f"/inventories/{run['id']}/lines/{al['line_no']}").text
    assert "CF4" in html and "C2F6" in html
    assert "中国电解铝生产企业温室气体排放核算方法与报告指南（试行）" in html
    assert 'class="conf conf-s"' in html  # the 2013 template's defaults are S


# --- scope and 404s ------------------------------------------------------------------------


def test_city_user_gets_404_for_another_citys_run_and_explanation(client: TestClient) -> None:
    other = _current_run(client, _enterprise(client, LOUDI_SB)["id"])  # 娄底
    own = _current_run(client, _enterprise(client, PBZN)["id"])  # 衡阳
    web_login(client, "city-hengyang")
    for path in (
        f"/inventories/{other['id']}",
        f"/inventories/{other['id']}/lines/1",
        f"/inventories/{other['id']}?year=2024",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "text/html" in r.headers["content-type"]
        assert "页面不存在" in r.text
        assert "冷水江" not in r.text
    assert (
        message("not_found", "zh", object="inventory run", key=str(other["id"]))
        in client.get(f"/inventories/{other['id']}").text
    )
    assert client.get(f"/inventories/{own['id']}").status_code == 200
    assert client.get(f"/inventories/{own['id']}/lines/1").status_code == 200


def test_enterprise_user_sees_its_own_run_only(client: TestClient) -> None:
    mine = client.get("/api/v1/enterprises", headers=_api(client, "ent-hengyang-pbzn")).json()
    [own] = mine
    assert own["credit_code"] == PBZN
    runs = client.get(
        f"/api/v1/enterprises/{own['id']}/inventories", headers=_api(client, "ent-hengyang-pbzn")
    ).json()
    run_id = next(r["id"] for r in runs if r["status"] == "current")
    other = _current_run(client, _enterprise(client, LOUDI_SB)["id"])
    web_login(client, "ent-hengyang-pbzn")
    page = client.get(f"/enterprises/{own['id']}").text
    assert "温室气体与能耗核算" in page
    assert f'href="/inventories/{run_id}"' in page
    assert _chart(page)["series"]
    run_page = client.get(f"/inventories/{run_id}")
    assert run_page.status_code == 200
    assert PBZN in run_page.text
    [(rid, line_no), *_] = EXPLAIN_LINK.findall(run_page.text)
    assert client.get(f"/inventories/{rid}/lines/{line_no}").status_code == 200
    assert client.get(f"/inventories/{other['id']}").status_code == 404
    assert client.get(f"/inventories/{other['id']}/lines/1").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/inventories/abc",
        "/inventories/0",
        "/inventories/999999",
        "/inventories/" + "1" * 40,
        "/inventories/１",
        "/inventories/1/lines/x",
        "/inventories/1/lines/0",
        "/inventories/1/lines/999999",
        "/inventories/999999/lines/1",
    ],
)
def test_unknown_run_or_line_is_a_404_page(client: TestClient, path: str) -> None:
    web_login(client, "province")
    r = client.get(path)
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert "页面不存在" in r.text


@pytest.mark.parametrize("path", ["/inventories/1", "/inventories/1/lines/1"])
def test_inventory_pages_send_anonymous_visitors_to_login(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={path}"


# --- superseded runs -------------------------------------------------------------------------


def test_superseded_run_shows_a_banner_linking_to_the_newer_run(client: TestClient) -> None:
    ent = _enterprise(client, PBZN)
    old = _current_run(client, ent["id"])
    r = client.post(f"/api/v1/inventories/{old['id']}/recompute", headers=_api(client))
    assert r.status_code == 201, r.text
    new_id = r.json()["run"]
    web_login(client, "province")
    html = client.get(f"/inventories/{old['id']}").text
    assert 'id="superseded-banner"' in html
    assert f'href="/inventories/{new_id}" id="superseded-link"' in html
    assert "已被取代" in html
    line = old["lines"][0]["line_no"]
    assert 'id="superseded-banner"' in client.get(f"/inventories/{old['id']}/lines/{line}").text
    new = client.get(f"/inventories/{new_id}").text
    assert 'id="superseded-banner"' not in new
    # the enterprise page shows the newest current run
    page = client.get(f"/enterprises/{ent['id']}").text
    assert f'href="/inventories/{new_id}"' in page
    assert f'href="/inventories/{old["id"]}"' not in page


# --- CSP ---------------------------------------------------------------------------------------


def test_no_inline_script_on_the_inventory_pages(client: TestClient) -> None:
    ent = _enterprise(client, LOUDI_SB)
    run = _current_run(client, ent["id"])
    line = run["lines"][0]["line_no"]
    web_login(client, "province")
    paths = [
        f"/enterprises/{ent['id']}",
        f"/inventories/{run['id']}",
        f"/inventories/{run['id']}?year=2024&monthly=1",
        f"/inventories/{run['id']}/lines/{line}",
        "/inventories/999999",
        "/inventories/1/lines/999999",
    ]
    pages = {p: client.get(p) for p in paths}
    client.get("/lang/en")
    pages |= {f"{p} en": client.get(p) for p in paths}
    for name, r in pages.items():
        assert_no_inline_script(name, r)
        assert ' style="' not in r.text, name
    # the enterprise page: one data block, echarts, app.js
    assert len(SCRIPT_TAG.findall(pages[f"/enterprises/{ent['id']}"].text)) == 3


# --- helpers -------------------------------------------------------------------------------------


def test_quantities_keep_their_decimals_with_separators() -> None:
    assert _qty(2150.5) == "2,150.5"
    assert _qty(13692.0) == "13,692"
    assert _qty(0.7875) == "0.7875"
    assert _qty(-0.0) == "0"
    assert _qty(None) == ""


def test_lines_of_a_year_prefer_annual_rows() -> None:
    lines = [
        {"year": 2024, "month": None, "n": 1},
        {"year": 2024, "month": 1.0, "n": 2},
        {"year": 2023, "month": 5.0, "n": 3},
    ]
    assert inventory_view.lines_of_year(lines, "2024", False) == ([lines[0]], True)
    assert inventory_view.lines_of_year(lines, "2024", True) == (lines[:2], True)
    assert inventory_view.lines_of_year(lines, "2023", False) == ([lines[2]], False)


def test_factor_values_put_a_value_and_its_unit_together() -> None:
    values, note = inventory_view.factor_values(
        {"ef": 0.5138, "ef_unit": "tCO2/MWh", "year": 2021, "note": "n", "empty": None, "default": True}
    )
    assert values == [("ef", "0.5138 tCO2/MWh"), ("year", "2021"), ("default", "true")]
    assert note == "n"


def test_when_shows_minutes_in_utc() -> None:
    assert inventory_view.when("2026-11-25T14:23:56.539899Z") == "2026-11-25 14:23 UTC"
    assert inventory_view.when("2026-11-25") == "2026-11-25"
    assert inventory_view.when(None) == ""
