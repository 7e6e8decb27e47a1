"""The scenario page in headless Chromium: four charts drawn, the peak marked, city scope."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.web.test_pages_browser import _chart_series, _login

pytestmark = pytest.mark.page

CHARTS = ("chart-trajectories", "chart-fan", "chart-lmdi", "chart-macc")
OPTION = "id => echarts.getInstanceByDom(document.getElementById(id)).getOption()"


def _open(page: Page, base: str, user: str, query: str = "") -> None:
    _login(page, base, user)
    page.wait_for_url(f"{base}/")
    page.click('nav.mainnav a[href="/scenarios"]')
    page.wait_for_url(f"{base}/scenarios")
    if query:
        page.goto(f"{base}/scenarios{query}")
    for cid in CHARTS:
        page.wait_for_selector(f"#{cid}[data-rendered='1'] canvas")


def test_province_sees_four_charts_and_the_peak_marked(
    page: Page, live_server: str, page_problems: list[str]
) -> None:
    _open(page, live_server, "province")
    for cid in CHARTS:
        assert _chart_series(page, cid) >= 1, cid
    option = page.evaluate(OPTION, "chart-trajectories")
    marks = [s["markPoint"]["data"][0] for s in option["series"]]
    assert len(marks) == 3 and all(m["coord"][0].isdigit() for m in marks)
    assert option["series"][0]["markLine"]["data"][0]["xAxis"] == "2030"
    rows = page.locator("#scenarios-verdicts tbody tr")
    assert rows.count() == 3
    peak_years = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)]
    assert peak_years == [m["coord"][0] for m in marks]
    assert page.locator("#scenarios-p2030").inner_text().endswith("%")
    macc = page.evaluate(OPTION, "chart-macc")["series"][0]["data"]
    assert [b[2] for b in macc] == sorted(b[2] for b in macc)
    assert page_problems == []


def test_the_form_recomputes_and_a_city_sees_its_base_year(
    page: Page, live_server: str, page_problems: list[str]
) -> None:
    _open(page, live_server, "city-hengyang")
    assert page.locator("#scenarios-scope").inner_text() == "衡阳市"
    page.select_option("#f-view", "metal")
    page.fill("#f-n", "60")
    page.uncheck("#f-s-baseline")
    page.click("#scenarios-form button[type=submit]")
    page.wait_for_url(lambda u: "view=metal" in u and "n=60" in u)
    page.wait_for_selector("#chart-trajectories[data-rendered='1'] canvas")
    option = page.evaluate(OPTION, "chart-trajectories")
    stacked = [s for s in option["series"] if s.get("stack") == "metal"]
    assert stacked and option["series"][-1]["markPoint"]["data"][0]["coord"]
    assert page.locator("#scenarios-verdicts tbody tr").count() == 2
    assert page_problems == []
