"""The dashboard and review pages in headless Chromium: every target's chart renders, the
drill-down works, a city user sees only its city, and a review yields a verdict and reports."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page
from pypdf import PdfReader

from tests.web.test_pages_browser import _chart_series, _login

pytestmark = pytest.mark.page

#: Where screenshots go when CARBONPEAK_SCREENSHOTS names a folder (to look at them).
SHOTS = os.environ.get("CARBONPEAK_SCREENSHOTS", "")
HENGYANG = "430400"


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _charts_rendered(page: Page) -> int:
    """The number of target chart containers, after checking each holds a canvas with series."""
    containers = page.locator("[data-dash-chart]")
    n = containers.count()
    for i in range(n):
        div = containers.nth(i)
        div.locator("canvas").first.wait_for()
        cid = div.get_attribute("id")
        assert cid is not None
        assert _chart_series(page, cid) >= 1, cid
    return n


def test_the_province_dashboard_renders_every_target_chart(
    page: Page, live_server: str, page_problems: list[str]
) -> None:
    _login(page, live_server, "province")
    page.wait_for_url(f"{live_server}/")
    page.click("nav.mainnav a[href='/dashboard']")
    page.wait_for_selector("#dash-targets")
    cards = page.locator(".dash-target")
    assert cards.count() == 9  # the rows of refdata benchmark/targets
    assert _charts_rendered(page) == 9
    # every card shows a status and the rule (or the reason) that set it
    for i in range(cards.count()):
        status = cards.nth(i).locator(".rag").get_attribute("data-status")
        assert status in {"green", "amber", "red", "no_data"}
        assert cards.nth(i).locator(".dash-rule").inner_text().strip()
    # the Cu/Pb/Zn share is labelled unverified next to the figure
    share = page.locator("[data-target-id='hunan_plan:capacity_share_at_benchmark:2025']")
    assert share.locator(".dash-value .badge-unverified").count() == 1
    # the green-factory target counts the registry
    green = page.locator("[data-target-id='hunan_plan:new_green_factories:2025']")
    assert green.locator(".dash-value").inner_text().startswith("9")
    # drill down: the energy-intensity chart by city
    chart = page.locator("[data-target-id='hunan_plan:energy_intensity_change:2025'] [data-dash-chart]")
    cid = chart.get_attribute("id")
    page.select_option(f"#{cid}-view", f"city:{HENGYANG}")
    assert _chart_series(page, str(cid)) == 2  # actual + target line
    # league table and the lines below the limit
    assert page.locator("#league-table tbody tr").count() > 10
    below = page.locator("#below-table tbody tr")
    assert below.count() >= 1
    assert float(below.first.locator("td.gap").first.inner_text().replace(",", "")) > 0
    _shot(page, "dashboard-province")
    assert page_problems == []


def test_a_city_user_sees_only_its_city(page: Page, live_server: str, page_problems: list[str]) -> None:
    _login(page, live_server, "city-hengyang")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/dashboard")
    page.wait_for_selector("#dash-targets")
    assert "衡阳" in page.locator("#dash-scope").inner_text()
    assert _charts_rendered(page) == 9
    cities = set(page.locator("#league-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.city)"))
    assert cities == {HENGYANG}
    below = set(page.locator("#below-table tbody tr").evaluate_all("rs => rs.map(r => r.dataset.city)"))
    assert below <= {HENGYANG}
    # the drill-down offers its own city only
    options = page.locator(".dash-view option").evaluate_all("os => os.map(o => o.value)")
    assert {o.split(":", 1)[1] for o in options if o.startswith("city:")} == {HENGYANG}
    _shot(page, "dashboard-city-hengyang")
    assert page_problems == []


def test_a_review_through_the_form_gives_the_verdict_and_the_reports(
    page: Page, live_server: str, page_problems: list[str]
) -> None:
    _login(page, live_server, "city-hengyang")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/review")
    page.fill("#rv-name", "页面测试锌项目（示例）")
    page.select_option("#rv-metal", "Zn")
    page.select_option("#rv-route", "zn_hydro")
    page.fill("#rv-capacity", "122900")
    page.select_option("#rv-city", HENGYANG)
    page.fill("#rv-date", "2025-06-30")
    page.fill("#rv-energy", "electricity=1.1e9 kWh")  # 1 100 kgce/t > 1级 1 010
    page.click("#rv-submit")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").get_attribute("data-verdict") == "fail"
    assert "GB 25323-2023" in page.locator("#clause").inner_text()
    assert page.locator("#effects-table tbody tr").count() >= 4
    _shot(page, "review-fail")
    with page.expect_download() as dl:
        page.click("#dl-pdf-zh")
    pdf = PdfReader(io.BytesIO(Path(dl.value.path()).read_bytes()))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pdf.pages))
    assert "GB25323-2023表3" in text and "不通过" in text
    with page.expect_download() as dl:
        page.click("#dl-xlsx-en")
    wb = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
    cells = [str(c) for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert any("FAIL" in c for c in cells)
    assert page_problems == []
