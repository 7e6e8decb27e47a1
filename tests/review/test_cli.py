"""``carbonpeak review``, ``carbonpeak project`` and ``carbonpeak registry``, run as a user would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from carbonpeak.cli._console import console
from carbonpeak.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console() -> Iterator[None]:
    old = console.width
    console.width = 240
    yield
    console.width = old


def test_review_writes_the_report(store: str, tmp_path: Path) -> None:
    out = tmp_path / "review.pdf"
    args = [
        "review",
        "--metal",
        "Zn",
        "--route",
        "zn_hydro",
        "--capacity",
        "122900",
        "--city",
        "衡阳",
        "--date",
        "2025-06-30",
        "--out",
        str(out),
    ]
    r = runner.invoke(app, [*args, "--energy", "electricity=1.1e9 kWh"])
    assert r.exit_code == 0, r.output
    assert "1,100.0 kgce/t" in r.output and "FAIL" in r.output and "GB 25323-2023 表3" in r.output
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(out).pages))
    assert "GB25323-2023表3" in text and "不通过" in text
    r = runner.invoke(app, [*args, "--energy", "electricity=1.0e9 kWh", "--lang", "en", "--no-save"])
    assert r.exit_code == 0 and "PASS" in r.output
    r = runner.invoke(app, [*args, "--energy", "electricity 1e9"])
    assert (r.exit_code != 0 and "review_bad_energy" in r.output) or "carrier=quantity" in r.output


def test_projects_and_registries(store: str, tmp_path: Path) -> None:
    r = runner.invoke(
        app,
        [
            "project",
            "add",
            "--code",
            "CLI-1",
            "--name",
            "命令行项目（示例）",
            "--city",
            "430400",
            "--metal",
            "Zn",
            "--route",
            "zn_hydro",
            "--capacity",
            "50000",
            "--date",
            "2025-01-01",
        ],
    )
    assert r.exit_code == 0, r.output
    pid = re.search(r"project (\d+) CLI-1: planned", r.output)
    assert pid is not None
    r = runner.invoke(app, ["project", "status", pid.group(1), "--to", "approved", "--date", "2025-02-01"])
    assert r.exit_code == 0 and "planned → approved" in r.output
    r = runner.invoke(app, ["project", "list", "--city", "430400"])
    assert r.exit_code == 0 and "CLI-1" in r.output and "DEMO-P-430400-01" in r.output
    bad = tmp_path / "waste.csv"
    bad.write_text("enterprise,year,waste,generated,utilised\n91430400XU6TWF13XG,2026,mud,1,2\n", "utf-8")
    r = runner.invoke(app, ["registry", "import", "waste", str(bad)])
    assert r.exit_code != 0 and "mud" in r.output
    r = runner.invoke(app, ["registry", "list", "green", "--year", "2025"])
    assert r.exit_code == 0 and "DEMO-GF-N-2025" in r.output
