"""Screenshots of the web pages for the docs: ``docs/img/home.png``, the register, an
enterprise's inventory (``docs/img/inventory.png``), the targets dashboard and the scenarios.

Starts the platform on a free localhost port over a temporary demo SQLite store, signs
in as the demo ``province`` user through the login form in headless Chromium, and saves
1280×860 PNGs. Run from the repository root::

    .venv/bin/python scripts/screenshot.py [--out docs/img] [--lang zh|en]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import ViewportSize, sync_playwright

from carbonpeak.app import create_app
from carbonpeak.http.background import serve_in_background
from carbonpeak.service.platform.bootstrap import prepare_store
from carbonpeak.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 860}
#: The demo enterprise whose inventory is shown (an antimony smelter: four source categories).
INVENTORY_ENTERPRISE = "91431300UMXUCU14MQ"


def shoot(out: Path, lang: str = "zh") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'screenshot.db'}"
        prepare_store(url, demo=True)
        settings = Settings().model_copy(update={"database_url": url})
        with serve_in_background(create_app(settings)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()
            if lang == "en":
                page.goto(f"{base}/lang/en?next=/")
            page.goto(f"{base}/login")
            page.fill("#username", "province")
            page.fill("#password", "demo-province")
            page.click("form.stack button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.wait_for_selector("#chart-city canvas")
            page.wait_for_selector("#chart-metal canvas")
            page.wait_for_timeout(800)  # let the chart animation finish
            suffix = "" if lang == "zh" else "-en"
            home = out / f"home{suffix}.png"
            page.screenshot(path=str(home))
            saved.append(home)
            page.goto(f"{base}/enterprises")
            page.wait_for_selector("#enterprise-table")
            register = out / f"enterprises{suffix}.png"
            page.screenshot(path=str(register))
            saved.append(register)
            page.fill("#f-q", INVENTORY_ENTERPRISE)
            page.click("form.filters button[type=submit]")
            page.locator("#enterprise-table tbody a").first.click()
            page.wait_for_selector("#chart-inventory canvas")
            page.wait_for_timeout(800)
            # from the top of the page to the end of the inventory section
            box = page.locator("#inventory").bounding_box()
            if box is None:
                raise RuntimeError("the inventory section is not on the page")
            inv = out / f"inventory{suffix}.png"
            page.screenshot(
                path=str(inv),
                full_page=True,
                clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": box["y"] + box["height"] + 14},
            )
            saved.append(inv)
            for path, name in (("/dashboard", "dashboard"), ("/scenarios", "scenarios")):
                page.goto(f"{base}{path}")
                page.wait_for_selector("canvas")
                page.wait_for_timeout(1500)  # every chart drawn, animations done
                shot = out / f"{name}{suffix}.png"
                page.screenshot(path=str(shot))
                saved.append(shot)
            browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = parser.parse_args()
    for path in shoot(args.out, args.lang):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
