"""The pages in headless Chromium: sign-in, charts, language switch, scope."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.conftest import DEMO_PASSWORDS

pytestmark = pytest.mark.page


def _login(page: Page, base: str, username: str, password: str | None = None) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password if password is not None else DEMO_PASSWORDS[username])
    page.click("form.stack button[type=submit]")


def _chart_series(page: Page, div_id: str) -> int:
    return int(
        page.evaluate(
            "id => echarts.getInstanceByDom(document.getElementById(id)).getOption().series.length", div_id
        )
    )


def test_login_through_the_form_shows_the_user(page: Page, live_server: str) -> None:
    _login(page, live_server, "province")
    page.wait_for_url(f"{live_server}/")
    assert page.locator(".user-name").inner_text() == "省工信厅（示例）"
    assert page.locator(".role").inner_text() == "省级主管部门"
    assert page.locator("#demo-banner").is_visible()


def test_home_charts_render_without_csp_or_script_errors(
    page: Page, live_server: str, page_problems: list[str]
) -> None:
    page.goto(f"{live_server}/")
    page.wait_for_selector("#chart-city canvas")
    page.wait_for_selector("#chart-metal canvas")
    assert _chart_series(page, "chart-city") > 1  # stacked: one series per metal
    assert _chart_series(page, "chart-metal") == 2  # enterprises (bars), capacity (line)
    categories = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-city')).getOption().xAxis[0].data"
    )
    assert "衡阳" in categories
    assert page_problems == []


def test_language_switch_changes_the_nav_and_back(page: Page, live_server: str) -> None:
    _login(page, live_server, "province")
    page.wait_for_url(f"{live_server}/")
    nav = page.locator("nav.mainnav")
    zh_nav = ["首页", "企业", "目标看板", "情景预测", "数据填报", "填报轮次", "用户"]
    assert nav.inner_text().split() == zh_nav
    page.click("#lang-en")
    page.wait_for_selector("html[lang=en]")
    assert nav.inner_text().split() == [
        "Home",
        "Enterprises",
        "Dashboard",
        "Scenarios",
        "Submissions",
        "Reporting",
        "round",
        "Users",
    ]
    assert page.locator(".role").inner_text() == "Province authority"
    assert page.url == f"{live_server}/"  # stays on the page it was on
    page.wait_for_selector("#chart-city canvas")
    assert "Hengyang" in page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-city')).getOption().xAxis[0].data"
    )
    page.click("#lang-zh")
    page.wait_for_selector("html[lang=zh-CN]")
    assert nav.inner_text().split() == zh_nav


def test_wrong_password_shows_the_message_and_sets_no_session(
    page: Page, context: BrowserContext, live_server: str
) -> None:
    _login(page, live_server, "province", "not-the-password")
    assert page.locator("#login-error").inner_text() == "用户名或密码错误"
    assert page.locator("#username").input_value() == "province"
    assert "cp_session" not in {c["name"] for c in context.cookies()}


def test_session_cookie_is_httponly_in_the_browser(
    page: Page, context: BrowserContext, live_server: str
) -> None:
    _login(page, live_server, "province")
    page.wait_for_url(f"{live_server}/")
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["cp_session"]["httpOnly"] is True
    assert cookies["cp_session"]["sameSite"] == "Lax"
    assert cookies["cp_csrf"]["sameSite"] == "Strict"
    assert page.evaluate("() => document.cookie") == ""  # nothing readable by scripts


def test_city_user_sees_only_its_city_rows(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/enterprises")
    page.wait_for_url(f"{live_server}/login?next=/enterprises")
    page.fill("#username", "city-hengyang")
    page.fill("#password", DEMO_PASSWORDS["city-hengyang"])
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server}/enterprises")
    cities = page.locator("#enterprise-table tbody td.city").all_inner_texts()
    assert cities == ["衡阳市"] * 14
    assert page.locator("#ent-count").inner_text() == "共 14 家"


def test_filter_form_and_detail_page(page: Page, live_server: str) -> None:
    _login(page, live_server, "province")
    page.wait_for_url(f"{live_server}/")
    page.click("nav.mainnav >> text=企业")
    page.select_option("#f-city", "430400")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"{live_server}/enterprises?city=430400&metal=&q=")
    assert page.locator("#ent-count").inner_text() == "共 14 家"
    page.locator("#enterprise-table tbody a").first.click()
    page.wait_for_selector("#line-table")
    assert page.locator("#ent-credit-code").inner_text().startswith("91430400")
    assert page.locator("#line-table tbody tr").count() >= 1


def test_logout_button_ends_the_session(page: Page, live_server: str) -> None:
    _login(page, live_server, "province")
    page.wait_for_url(f"{live_server}/")
    page.click("form.logout button")
    page.wait_for_url(f"{live_server}/")
    assert page.locator(".user-name").count() == 0
    page.goto(f"{live_server}/enterprises")
    page.wait_for_url(f"{live_server}/login?next=/enterprises")
