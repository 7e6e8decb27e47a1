"""``carbonpeak benchmark`` and ``carbonpeak targets``, run as a user would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from carbonpeak.cli._console import console
from carbonpeak.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console() -> Iterator[None]:
    """Tables wide enough that no cell folds (the console's width is fixed at import)."""
    old = console.width
    console.width = 240
    yield
    console.width = old


def test_benchmark_league_table_share_and_below_limit(store: str) -> None:
    r = runner.invoke(app, ["benchmark", "--year", "2024", "--city", "衡阳"])
    assert r.exit_code == 0, r.output
    out = r.output
    assert "benchmark league table 2024" in out and "GB 25323-2023" in out
    assert "衡阳市" in out and "郴州市" not in out
    assert "capacity share at benchmark 2024" in out
    assert "limit grade 1 stands in for the unverified 标杆" in out
    assert "lines below the limit 2024" in out and "below_limit" in out


def test_benchmark_grades_aluminium_electrolysis_on_ac_power(store: str) -> None:
    r = runner.invoke(app, ["benchmark"])
    assert r.exit_code == 0, r.output
    assert "电解铝生产线" in r.output and "kWh/t" in r.output and "GB 21346-2022" in r.output
    assert "AC power 13 000 kWh/t" in r.output  # the unverified 标杆 note next to the Al share


def test_benchmark_unknown_city_is_an_error_in_zh_and_en(store: str) -> None:
    r = runner.invoke(app, ["benchmark", "--city", "火星"])
    assert r.exit_code == 2
    assert "未知的市州" in r.output and "Unknown city/prefecture" in r.output


def test_targets_table(store: str) -> None:
    r = runner.invoke(app, ["targets", "--year", "2025"])
    assert r.exit_code == 0, r.output
    out = r.output
    assert "targets (2025)" in out
    for text in (
        "再生金属供应占比",
        "单位增加值能耗",
        "能效标杆水平以上产能比例",
        "碳达峰",
        "全国电解铝能效标杆水平以上产能比例",  # computed from the potlines' AC power per t
        "AC power 13 000",
        "国家绿色工厂",  # counted from the green-manufacturing registry (9 new since 2020)
        "target met",
    ):
        assert text in out, text
