"""The account pages in headless Chromium (issue 13): the province resets a city user's
password on the users page and reads the one-time password; the city user signs in with it,
is taken to the change-password page, sets a new one and reaches its account page; the
province deactivates the user, whose next sign-in fails like a wrong password. No console
error or CSP violation on the way but the 403 and the 401 the walk asks for."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from carbonpeak.app import create_app
from carbonpeak.http.background import serve_in_background
from carbonpeak.settings import Settings
from tests.conftest import StoreFactory
from tests.web.test_intake_browser import _logout
from tests.web.test_pages_browser import _login

pytestmark = pytest.mark.page

CITY = "city-hengyang"
NEW_PASSWORD = "a-fresh-passphrase"


@pytest.fixture(scope="module")
def account_server(stores: StoreFactory) -> Iterator[str]:
    """A server over its own demo store (this walk changes accounts)."""
    url = stores.demo()
    with serve_in_background(create_app(Settings(database_url=url))) as base:
        yield base
    stores.release(url)


def test_reset_change_and_deactivate_in_the_browser(
    page: Page, account_server: str, page_problems: list[str]
) -> None:
    base = account_server
    _login(page, base, "province")
    page.wait_for_url(f"{base}/")
    page.click("nav.mainnav a[href='/users']")
    row = page.locator(f"tr[data-username='{CITY}']")
    row.locator("form[action$='/reset-password'] button").click()
    temp = page.locator("#temporary-value").inner_text().strip()
    assert len(temp) == 16
    assert "须修改密码" in page.locator(f"tr[data-username='{CITY}']").inner_text()
    _logout(page)

    _login(page, base, CITY, temp)
    page.wait_for_url(re.compile(r".*/account/password.*"))
    assert page.locator("#must-change").is_visible()
    page.goto(f"{base}/enterprises")
    assert page.locator("#to-password").is_visible()  # the 403 page points the way
    page.click("#to-password")
    page.fill("#current_password", temp)
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_again", NEW_PASSWORD)
    page.click("#password-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/account\?done=password$"))
    assert page.locator("#account-username").inner_text() == CITY
    _logout(page)

    _login(page, base, "province")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/users")
    page.locator(f"tr[data-username='{CITY}'] form[action$='/deactivate'] button").click()
    page.wait_for_url(re.compile(r".*/users\?done=deactivate.*"))
    assert page.locator(f"tr[data-username='{CITY}']").get_attribute("data-active") == "no"
    _logout(page)

    _login(page, base, CITY, NEW_PASSWORD)
    assert page.locator("#login-error").inner_text() == "用户名或密码错误"
    # the only console errors: the two refusals this walk asks for (403, then 401)
    loads = [p for p in page_problems if p.startswith("Failed to load resource")]
    assert [p for p in page_problems if p not in loads] == []
    assert [re.sub(r".*status of (\d+).*", r"\1", p) for p in loads] == ["403", "401"]
