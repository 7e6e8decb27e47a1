"""Fixtures for the web pages: form helpers for the HTTP client, headless Chromium.

The browser is the system Chromium (``/usr/bin/chromium``) driven by Playwright; nothing
is downloaded (never ``playwright install``). Pages run against the session's
``live_server``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)

from tests.conftest import DEMO_PASSWORDS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_token(client: TestClient, path: str = "/login") -> str:
    """Render *path* and return the CSRF token its form carries (the cookie's value)."""
    r = client.get(path)
    found = _CSRF_INPUT.search(r.text)
    assert found is not None, f"no CSRF field on {path}"
    assert client.cookies.get("cp_csrf") == found.group(1)
    return found.group(1)


def web_login(client: TestClient, username: str, *, next_path: str | None = None) -> Response:
    """Sign *username* in through the login form; return the (unfollowed) response."""
    data = {"username": username, "password": DEMO_PASSWORDS[username], "csrf_token": csrf_token(client)}
    if next_path is not None:
        data["next"] = next_path
    r = client.post("/login", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r


def set_cookie_headers(r: Response, name: str) -> list[str]:
    """The Set-Cookie headers of *r* that set cookie *name*."""
    return [h for h in r.headers.get_list("set-cookie") if h.startswith(f"{name}=")]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) per test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def page_problems(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of *page* (a CSP violation is one), collected
    while the test runs; a test asserts the list is empty."""
    problems: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            problems.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems
