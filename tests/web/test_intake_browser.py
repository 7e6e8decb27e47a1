"""The acceptance path of issue 6 in headless Chromium.

The enterprise user downloads the template from the page, fills it (openpyxl), uploads it,
acknowledges the plausibility warnings, sees its inventory and submits; the verifier
(assigned to park Shuikoushan, where ent-hengyang-pbzn lies) starts verification, adjusts
one figure with a reason and verifies; the province approves; the history shows every
step with who and when.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page

from carbonpeak.app import create_app
from carbonpeak.http.background import serve_in_background
from carbonpeak.settings import Settings
from tests.conftest import StoreFactory
from tests.web.test_intake_pages import YEAR, fill
from tests.web.test_pages_browser import _login

pytestmark = pytest.mark.page

#: Where screenshots go when CARBONPEAK_SCREENSHOTS names a folder (to look at them).
SHOTS = os.environ.get("CARBONPEAK_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def intake_server(stores: StoreFactory) -> Iterator[str]:
    """A server over its own demo store: this walk changes the store."""
    url = stores.demo()
    with serve_in_background(create_app(Settings(database_url=url))) as base:
        yield base
    stores.release(url)


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"intake-{name}.png"), full_page=True)


def _logout(page: Page) -> None:
    page.click("form.logout button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_template_to_approval_in_the_browser(
    page: Page, intake_server: str, page_problems: list[str], tmp_path: Path
) -> None:
    base = intake_server
    # --- the enterprise: template, upload, inventory, submit ---------------------------------
    _login(page, base, "ent-hengyang-pbzn")
    page.wait_for_url(f"{base}/")
    page.click("nav.mainnav a[href='/submissions']")
    page.wait_for_selector("#template-form")
    page.fill("#tpl-year", str(YEAR))
    with page.expect_download() as dl:
        page.click("#template-download")
    template = tmp_path / dl.value.suggested_filename
    dl.value.save_as(template)
    assert template.name == f"template-91430400XU6TWF13XG-{YEAR}.xlsx"
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill(template.read_bytes(), 100))

    page.set_input_files("#up-file", str(filled))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-warnings")  # 100 t a month is far off last year's figures
    assert page.locator("#warning-table tbody tr").count() >= 1
    _shot(page, "warnings")
    page.set_input_files("#up-file", str(filled))
    page.check("#up-ack")
    page.click("#upload-submit")
    page.wait_for_url(re.compile(rf"{base}/submissions/\d+\?imported=1.*"))
    detail_url = page.url.split("?")[0]
    assert page.locator("#sub-status").get_attribute("data-status") == "draft"
    assert page.locator("#figure-table tbody tr").count() == 18
    page.click("#inventory-link")
    page.wait_for_selector("#inv-lines")
    assert re.fullmatch(rf"{base}/inventories/\d+", page.url)
    assert page.locator("#inv-lines tbody tr").count() >= 1
    page.go_back()
    page.fill("#comment-submit", "首次填报")
    page.click("#move-submit button[type=submit]")
    page.wait_for_selector("#done-note")
    assert page.locator("#sub-status").get_attribute("data-status") == "submitted"
    _logout(page)

    # --- the verifier: queue, start, adjust one figure, verify --------------------------------
    _login(page, base, "verifier")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/submissions")
    page.locator(f"#verifier-queue a[href='{detail_url.removeprefix(base)}']").click()
    page.wait_for_selector("#move-start_verification")
    page.click("#move-start_verification button[type=submit]")
    page.wait_for_selector("#adjust-form")
    value_id = page.locator("#adj-value option").first.get_attribute("value")
    page.select_option("#adj-value", value_id)
    page.fill("#adj-quantity", "0.012")
    page.fill("#adj-unit", "万t")
    page.fill("#adj-reason", "按 1 月进货发票核定为 120 t")
    page.click("#adjust-submit")
    page.wait_for_selector(f"#adj-cell-{value_id}")
    assert page.locator(f"#adj-cell-{value_id}").inner_text() == "120"
    assert page.locator("#adjustment-table tbody tr").count() == 1
    assert "按 1 月进货发票核定为 120 t" in page.locator("#adjustment-table").inner_text()
    _shot(page, "verifier")
    page.click("#move-verify button[type=submit]")
    page.wait_for_selector("#done-note")
    assert page.locator("#sub-status").get_attribute("data-status") == "verified"
    _logout(page)

    # --- the province: approval queue, approve -------------------------------------------------
    _login(page, base, "province")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/submissions")
    assert page.locator("#city-counts tr[data-city='430400']").count() == 1
    _shot(page, "approval-queue")
    page.locator(f"#approval-queue a[href='{detail_url.removeprefix(base)}']").click()
    page.wait_for_selector("#move-approve")
    page.fill("#comment-approve", "同意")
    page.click("#move-approve button[type=submit]")
    page.wait_for_selector("#done-note")
    assert page.locator("#sub-status").get_attribute("data-status") == "approved"

    # --- the history: each step with who and when ------------------------------------------------
    rows = page.locator("#history-table tbody tr")
    assert [rows.nth(i).get_attribute("data-to") for i in range(rows.count())] == [
        "submitted",
        "under_verification",
        "verified",
        "approved",
    ]
    who = [rows.nth(i).locator(".who").inner_text() for i in range(4)]
    assert [w.split()[-1] for w in who] == ["ent-hengyang-pbzn", "verifier", "verifier", "province"]
    for i in range(4):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", rows.nth(i).locator(".when").inner_text())
    assert "核查中" in rows.nth(1).inner_text()
    # the verified figures gave a new inventory: the link now points at it
    assert page.locator("#inventory-link").count() == 1
    _shot(page, "approved")
    assert page_problems == []


def test_a_rejected_upload_in_english_with_the_marked_workbook(
    page: Page, intake_server: str, page_problems: list[str], tmp_path: Path
) -> None:
    base = intake_server
    _login(page, base, "ent-hengyang-pbzn")
    page.wait_for_url(f"{base}/")
    page.click("#lang-en")
    page.goto(f"{base}/submissions")
    page.fill("#tpl-year", str(YEAR + 1))
    with page.expect_download() as dl:
        page.click("#template-download")
    template = tmp_path / "template.xlsx"
    dl.value.save_as(template)
    bad = {
        (3, 4 + i): v for i, v in enumerate(["abc", -5, "x1", "?", -1, "--", "n/a", -2, "1e", "..", -9, "k"])
    }
    filled = tmp_path / "bad.xlsx"
    filled.write_bytes(fill(template.read_bytes(), 100, bad))
    page.set_input_files("#up-file", str(filled))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-rejected")
    assert "12 problem(s); nothing was stored" in page.locator("#upload-rejected .alert").inner_text()
    rows = page.locator("#problem-table tbody tr")
    assert rows.count() == 12
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(12)]
    assert sorted(c[2] for c in cells) == [chr(ord("D") + i) for i in range(12)]
    assert all(c[0] == "数据 Data" and c[1] == "3" and c[4].isascii() for c in cells)
    _shot(page, "rejected-en")
    with page.expect_download() as marked:
        page.click("#marked-download")
    assert marked.value.suggested_filename == "bad-problems.xlsx"
    path = tmp_path / "marked.xlsx"
    marked.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    assert len(wb.sheetnames) > 4  # the template's sheets and the problem list
    # the only console message is the browser noting the 422 status of the page itself
    assert all("status of 422" in p for p in page_problems), page_problems
