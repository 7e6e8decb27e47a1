"""The inventory pages in headless Chromium: the chart renders, click through to a run and
an explanation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.web.test_pages_browser import _chart_series, _login

pytestmark = pytest.mark.page

LOUDI_SB = "91431300UMXUCU14MQ"


def test_province_follows_an_inventory_to_an_explanation(
    page: Page, live_server: str, page_problems: list[str]
) -> None:
    _login(page, live_server, "province")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/enterprises?q={LOUDI_SB}")
    page.locator("#enterprise-table tbody a").first.click()
    page.wait_for_selector("#chart-inventory canvas")
    assert _chart_series(page, "chart-inventory") >= 1
    years = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-inventory')).getOption().xAxis[0].data"
    )
    assert years == ["2020", "2021", "2022", "2023", "2024", "2025"]
    assert page.locator("#inv-synthetic").is_visible()
    assert page.locator("#inv-kpi-location").inner_text().endswith("tCO2e")

    assert page.locator("#inv-years a.badge-official").count() == 6  # each year, approved
    page.click('#inv-years a[data-year="2024"]')
    page.wait_for_selector("#inv-lines")
    assert re.fullmatch(rf"{live_server}/inventories/\d+", page.url)
    assert page.locator("#inv-lines tbody tr").count() >= 1
    # the year filter is a plain GET form
    page.select_option("#f-year", "2024")
    page.check("#f-monthly")
    page.click("form.inline-filter button[type=submit]")
    page.wait_for_url(re.compile(r".*year=2024&monthly=1.*"))
    assert page.locator("#inv-lines tbody tr.row-month").count() >= 12

    page.locator("#inv-lines a.explain-link").first.click()
    page.wait_for_selector("#exp-arithmetic")
    assert re.fullmatch(rf"{live_server}/inventories/\d+/lines/\d+", page.url)
    assert page.locator("#exp-formula").inner_text().startswith("CO2")
    assert page.locator(".factor-card").count() >= 1
    assert "来源" in page.locator(".factor-card").first.inner_text()
    assert page.locator(".factor-card .source-title").first.inner_text().strip()
    # and back along the breadcrumb
    page.click("#crumb-run")
    page.wait_for_selector("#inv-lines")
    assert page_problems == []
