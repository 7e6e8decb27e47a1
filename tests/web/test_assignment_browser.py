"""The acceptance path of issue 11, item 4, in headless Chromium.

A **non-demo** enterprise is registered (API) with its own user, and a new verifier account
is created — nobody is assigned to it, so without an assignment its submission would stall
at 已提交. Through the pages: the enterprise downloads its template, uploads it filled and
submits; the province sees it on the reporting round page (submitted, no verifier), assigns
the new verifier on the assignment page; the verifier starts verification and verifies; the
province approves. Then: the status is approved, the assignment is in the audit trail, and
the enterprise counts in the year's official coverage (``GET /api/v1/targets``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from carbonpeak.app import create_app
from carbonpeak.http.background import serve_in_background
from carbonpeak.model.credit_code import check_character
from carbonpeak.settings import Settings
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import AuditEvent, Submission
from tests.conftest import DEMO_PASSWORDS, StoreFactory
from tests.intake_support import GOOD_ROWS, fill
from tests.web.test_intake_browser import _logout, _shot
from tests.web.test_pages_browser import _login

pytestmark = pytest.mark.page

YEAR = 2025  # a year of the demo's approved figures: the new enterprise adds to its coverage
CITY, CITY_ZH = "430500", "邵阳市"
CODE = "91430500MA4T" + "NEW01"
CODE += check_character(CODE)
NAME = "邵阳新材冶炼有限公司"
ENT_USER, ENT_PW = "ent-shaoyang-new", "ent-shaoyang-pw"
VERIFIER, VERIFIER_PW, VERIFIER_NAME = "verifier-xiangjiang", "xiangjiang-pw", "湘江碳核查中心"


@pytest.fixture(scope="module")
def round_server(stores: StoreFactory) -> Iterator[tuple[str, str]]:
    """A server over its own demo store (this walk changes it): (base URL, store URL)."""
    url = stores.demo()
    with serve_in_background(create_app(Settings(database_url=url))) as base:
        yield base, url
    stores.release(url)


def _token(api: httpx.Client, user: str, password: str) -> dict[str, str]:
    r = api.post("/api/v1/auth/token", data={"username": user, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _register(api: httpx.Client, prov: dict[str, str]) -> int:
    """The new enterprise (not demo), its user and the new verifier, through the API."""
    lines = [
        {
            "code": "L01",
            "name_zh": "底吹炼铅",
            "metal": "Pb",
            "route": "pb_bottom_blown",
            "capacity_t_per_a": 60000,
        },
        {
            "code": "L02",
            "name_zh": "湿法炼锌",
            "metal": "Zn",
            "route": "zn_hydro",
            "capacity_t_per_a": 150000,
        },
    ]
    body = {
        "credit_code": CODE,
        "name_zh": NAME,
        "name_en": "Shaoyang New Smelting",
        "city_code": CITY,
        "metals": ["Pb", "Zn"],
        "lines": lines,
    }
    r = api.post("/api/v1/enterprises", headers=prov, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["is_demo"] is False
    for user in (
        {"username": ENT_USER, "password": ENT_PW, "role": "enterprise", "enterprises": [CODE]},
        {"username": VERIFIER, "password": VERIFIER_PW, "role": "verifier", "display_name": VERIFIER_NAME},
    ):
        r = api.post("/api/v1/users", headers=prov, json=user)
        assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _coverage(api: httpx.Client, prov: dict[str, str]) -> dict[str, Any]:
    r = api.get("/api/v1/targets", headers=prov, params={"year": YEAR})
    assert r.status_code == 200, r.text
    covs = [t["coverage"] for t in r.json()]
    assert covs and all(c == covs[0] for c in covs)
    return dict(covs[0])


def _upload(page: Page, path: Path) -> None:
    """Upload the filled template; acknowledge plausibility warnings if the page asks."""
    page.set_input_files("#up-file", str(path))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-warnings, #sub-status")
    if page.locator("#upload-warnings").count():
        page.set_input_files("#up-file", str(path))
        page.check("#up-ack")
        page.click("#upload-submit")
        page.wait_for_selector("#sub-status")


def test_a_new_enterprise_goes_from_submit_to_approved_through_an_assignment(
    page: Page, round_server: tuple[str, str], page_problems: list[str], tmp_path: Path
) -> None:
    base, store_url = round_server
    api = httpx.Client(base_url=base, timeout=60)
    prov = _token(api, "province", DEMO_PASSWORDS["province"])
    verifier_id = _register(api, prov)
    before = _coverage(api, prov)

    # --- the enterprise: template, upload, submit ------------------------------------------------
    _login(page, base, ENT_USER, ENT_PW)
    page.wait_for_url(f"{base}/")
    page.click("nav.mainnav a[href='/submissions']")
    page.wait_for_selector("#template-form")
    page.fill("#tpl-year", str(YEAR))
    with page.expect_download() as dl:
        page.click("#template-download")
    template = tmp_path / dl.value.suggested_filename
    dl.value.save_as(template)
    assert template.name == f"template-{CODE}-{YEAR}.xlsx"
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill(template.read_bytes(), GOOD_ROWS))
    _upload(page, filled)
    detail = page.url.split("?")[0].removeprefix(base)
    assert re.fullmatch(r"/submissions/\d+", detail)
    page.fill("#comment-submit", "2025 年度数据")
    page.click("#move-submit button[type=submit]")
    page.wait_for_selector("#done-note")
    assert page.locator("#sub-status").get_attribute("data-status") == "submitted"
    _logout(page)

    # --- the new verifier sees nothing yet --------------------------------------------------------
    _login(page, base, VERIFIER, VERIFIER_PW)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/submissions")
    assert page.locator(f"#verifier-queue a[href='{detail}']").count() == 0
    _logout(page)

    # --- the province: the round shows it submitted and unassigned; assign the new verifier -----
    _login(page, base, "province")
    page.wait_for_url(f"{base}/")
    page.click("nav.mainnav a[href='/rounds']")
    page.wait_for_selector("#round-table")
    page.fill("#f-year", str(YEAR))
    page.select_option("#f-city", CITY)
    page.click("#round-filter-submit")
    page.wait_for_url(re.compile(rf".*/rounds\?year={YEAR}&city={CITY}.*"))
    row = page.locator("#round-table tbody tr", has_text=NAME)
    assert row.get_attribute("data-status") == "submitted"
    assert row.locator("td").first.inner_text() == NAME  # the name, not the code
    assert "未分配" in row.locator(".verifiers").inner_text()
    assert page.locator("#round-counts [data-state='submitted'] dd").inner_text() == "1"
    _shot(page, "round-before")
    page.click("#to-assign")
    page.wait_for_selector("#assign-form")
    page.select_option("#assign-verifier", label=f"{VERIFIER_NAME} · {VERIFIER}")
    option = page.locator("#assign-enterprise option", has_text=NAME)
    assert option.inner_text() == f"{NAME} · {CITY_ZH}"
    page.select_option("#assign-enterprise", option.get_attribute("value"))
    page.fill("#assign-year", str(YEAR))
    page.click("#assign-submit")
    page.wait_for_selector("#done-note")
    assigned = page.locator(f"#assignment-table tr[data-verifier='{VERIFIER}']")
    assert assigned.count() == 1 and assigned.get_attribute("data-year") == str(YEAR)
    _shot(page, "assigned")
    page.click("#to-round")
    page.wait_for_selector("#round-table")
    assert VERIFIER_NAME in page.locator("#round-table tbody tr", has_text=NAME).inner_text()
    _logout(page)

    # --- the verifier: queue, start verification, verify ----------------------------------------
    _login(page, base, VERIFIER, VERIFIER_PW)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/submissions")
    page.locator(f"#verifier-queue a[href='{detail}']").click()
    page.wait_for_selector("#move-start_verification")
    page.click("#move-start_verification button[type=submit]")
    page.wait_for_selector("#move-verify")
    assert page.locator("#sub-status").get_attribute("data-status") == "under_verification"
    page.click("#move-verify button[type=submit]")
    page.wait_for_selector("#done-note")
    assert page.locator("#sub-status").get_attribute("data-status") == "verified"
    _logout(page)
    assert _coverage(api, prov)["official"] == before["official"]  # verified is not yet official

    # --- the province approves --------------------------------------------------------------------
    _login(page, base, "province")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/submissions")
    page.locator(f"#approval-queue a[href='{detail}']").click()
    page.wait_for_selector("#move-approve")
    page.click("#move-approve button[type=submit]")
    page.wait_for_selector("#done-note")
    assert page.locator("#sub-status").get_attribute("data-status") == "approved"
    rows = page.locator("#history-table tbody tr")
    assert [rows.nth(i).get_attribute("data-to") for i in range(rows.count())] == [
        "submitted",
        "under_verification",
        "verified",
        "approved",
    ]
    page.goto(f"{base}/rounds?year={YEAR}&city={CITY}&status=approved")
    assert page.locator("#round-table tbody tr", has_text=NAME).get_attribute("data-status") == "approved"
    _shot(page, "round-after")

    # --- the store: approved, the assignment audited, the enterprise in the year's coverage -----
    with sessionmaker_for(store_url)() as db:
        sub = db.execute(
            select(Submission).where(Submission.id == int(detail.rsplit("/", 1)[1]))
        ).scalar_one()
        assert (sub.status, sub.year) == ("approved", YEAR)
        [event] = db.execute(
            select(AuditEvent).where(
                AuditEvent.action == "verifier.assign", AuditEvent.object_id == str(verifier_id)
            )
        ).scalars()
        assert (event.object_type, event.actor, event.role) == ("user", "province", "province")
        after = json.loads(event.after or "{}")
        assert (after["credit_code"], after["year"], after["verifier"]) == (CODE, YEAR, VERIFIER)
    now = _coverage(api, prov)
    assert now["enterprises"] == before["enterprises"]
    assert now["official"] == before["official"] + 1
    assert now["official_capacity_t_per_a"] == pytest.approx(before["official_capacity_t_per_a"] + 210000)
    api.close()
    assert page_problems == []
