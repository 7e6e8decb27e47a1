"""``carbonpeak scenario run|montecarlo --base inventories|demo`` as a user types them.

By default the two commands project the store's official inventories through the scenario
service (as ``compare`` does, and as the scenarios page and the dashboard's peak card do):
the same peak year as :func:`carbonpeak.service.outlook.scenarios.run` and the same P(peak ≤
2030) as its ``montecarlo`` for the same store and seed. ``--base demo`` stays the synthetic
demo base year. JSON is strict (no NaN); an empty store is the service's located
``scenario_no_base_year`` error, in Chinese and English.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from carbonpeak.cli.scenarios import scenario_app
from carbonpeak.io.iamc import IAMC_COLUMNS
from carbonpeak.service.outlook import scenarios as scenario_service
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.settings import get_settings
from carbonpeak.store.db import sessionmaker_for

app = typer.Typer()
app.add_typer(scenario_app, name="scenario")
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, ["scenario", *args])
    return r.exit_code, r.stdout, r.output


def strict(text: str) -> Any:
    """JSON that refuses NaN and ±Infinity."""

    def refuse(token: str) -> None:
        raise ValueError(f"non-finite number in the JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def service_run(url: str, names: list[str]) -> dict[str, Any]:
    with sessionmaker_for(url)() as db:
        return scenario_service.run(Context(db=db, principal=SYSTEM), names)


def test_run_on_the_inventories_agrees_with_the_service_and_says_so(store: str) -> None:
    code, out, err = invoke("run", "--json")  # --base inventories is the default
    assert code == 0, err
    got = strict(out)
    page = service_run(store, ["plan_policy"])
    want = page["scenarios"]["plan_policy"]
    assert got["scenario"] == "plan_policy"
    assert (got["base_year"], got["source"], got["synthetic"]) == (page["base_year"], "inventories", False)
    assert got["years"][0] == page["base_year"] and got["years"][-1] == 2060
    assert got["peak"]["year"] == want["peak"]["year"]
    assert got["peak"]["co2_t"] == pytest.approx(want["peak"]["co2_t"], rel=1e-12)
    assert got["co2_t"]["total"] == pytest.approx(want["co2_t"]["total"], rel=1e-12)
    by_metal = got["co2_t"]["by_metal"]
    assert set(by_metal) == set(want["co2_t"]["by_metal"])
    for k in (0, 5, len(got["years"]) - 1):
        assert sum(series[k] for series in by_metal.values()) == pytest.approx(got["co2_t"]["total"][k])
    # the text table names its base year's source
    code, text, _ = invoke("run", "--base", "inventories")
    assert code == 0
    assert f"Peak / 达峰: {want['peak']['year']}," in text
    assert f"base year {page['base_year']} from the official inventories" in text
    assert f"基准年 {page['base_year']} 取自正式核算数据" in text
    assert "演示基准年数据为合成数据" not in text


def test_run_demo_base_is_another_answer_and_labelled_synthetic(store: str) -> None:
    _, stored, _ = invoke("run", "--json", "--scenario", "baseline")
    code, demo, err = invoke("run", "--json", "--scenario", "baseline", "--base", "demo")
    assert code == 0, err
    d, s = strict(demo), strict(stored)
    assert (d["base_year"], d["source"], d["synthetic"]) == (2020, "demo", True)
    assert d["years"][0] == 2020 and s["years"][0] != 2020
    assert d["co2_t"]["total"] != s["co2_t"]["total"]
    _, text, _ = invoke("run", "--base", "demo")
    assert "演示基准年数据为合成数据" in text and "demo base year is synthetic" in text


def test_run_iamc_from_the_inventories(store: str, tmp_path: Path) -> None:
    out_csv = tmp_path / "stored.csv"
    code, out, err = invoke("run", "--scenario", "accelerated", "--iamc", str(out_csv))
    assert code == 0, err
    assert f"IAMC written / 已写出: {out_csv}" in out.replace("\n", "")
    table = pd.read_csv(out_csv)
    assert list(table.columns) == IAMC_COLUMNS
    assert set(table["scenario"]) == {"accelerated"}
    base = service_run(store, ["accelerated"])
    total = table[table["variable"] == "Emissions|CO2|Nonferrous"].set_index("year")["value"]
    want = base["scenarios"]["accelerated"]["co2_t"]["total"]
    assert int(total.index.min()) == base["base_year"]
    assert total.loc[2030] == pytest.approx(want[base["years"].index(2030)] / 1e6, rel=1e-9)  # Mt


def test_montecarlo_on_the_inventories_matches_the_service(store: str) -> None:
    args = ("--n", "60", "--chunk", "30", "--seed", "5", "--scheduler", "numpy")
    code, out, err = invoke("montecarlo", *args, "--json")
    assert code == 0, err
    got = strict(out)
    with sessionmaker_for(store)() as db:
        svc = scenario_service.montecarlo(
            Context(db=db, principal=SYSTEM), "plan_policy", n=60, seed=5, chunk=30, scheduler="numpy"
        )
    assert (got["base_year"], got["source"]) == (svc["base_year"], "inventories")
    assert got["p_peak_by_2030"] == svc["p_peak_by_2030"]
    assert sum(got["peak_year_share"].values()) + got["not_peaked_share"] == pytest.approx(1.0)
    assert got["not_peaked_share"] == pytest.approx(svc["not_peaked_share"])
    years = svc["years"]
    assert got["fan_co2_t"]["2030"]["p50"] == pytest.approx(svc["fan_co2_t"]["p50"][years.index(2030)])
    assert got["deterministic_co2_t"]["2060"] == pytest.approx(svc["deterministic_co2_t"][-1])
    assert "2020" not in got["fan_co2_t"] and list(got["fan_co2_t"])[-1] == "2060"
    for q in got["fan_co2_t"].values():
        assert list(q.values()) == sorted(q.values())
    # the text: P(peak ≤ 2030), the distribution, the fan, and the base year's source
    code, text, output = invoke("montecarlo", *args)
    assert code == 0, output
    assert "P(peak ≤ 2030)" in text and "of 60 trajectories" in text and "seed 5" in text
    assert "Peak-year distribution" in text and "P95" in text
    assert f"base year {svc['base_year']} from the official inventories" in text.replace("\n", " ")
    assert "2/2" in output  # the progress bar, over the service's chunks


def test_montecarlo_demo_base_still_works_and_ignores_the_store(store: str) -> None:
    args = ("montecarlo", "--n", "40", "--chunk", "20", "--seed", "2", "--json")
    code, out, err = invoke(*args, "--base", "demo")
    assert code == 0, err
    got = strict(out)
    assert (got["base_year"], got["source"], got["synthetic"]) == (2020, "demo", True)
    assert "2025" in got["fan_co2_t"]


@pytest.fixture
def empty_store(empty_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated store without inventories, for the CLI."""
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", empty_url)
    get_settings.cache_clear()
    yield empty_url
    get_settings.cache_clear()


@pytest.mark.parametrize("command", ["run", "montecarlo", "compare"])
def test_no_base_year_in_the_store_is_a_located_bilingual_error(empty_store: str, command: str) -> None:
    code, out, output = invoke(command, *(("--n", "10") if command == "montecarlo" else ()))
    assert code == 2, output
    assert "无法构建基准年" in output and "no base year can be built" in output
    assert "base_year" in output  # the located problem's column
    assert "Traceback" not in output and "P(peak" not in out


def test_a_bad_base_is_refused_in_zh_and_en(store: str) -> None:
    for command in ("run", "montecarlo", "compare"):
        code, _, output = invoke(command, "--base", "official")
        assert code == 2, output
        assert "“official”不是允许的取值" in output and "'official' is not an allowed value" in output
        assert "--base" in output and "inventories, demo" in output


def test_an_unknown_scenario_is_refused_before_the_store_is_read(empty_store: str) -> None:
    code, _, output = invoke("run", "--scenario", "nope")
    assert code == 2
    assert "'nope'" in output and "plan_policy" in output
    assert "no base year" not in output  # the name is checked first


def test_driver_paths_from_a_file_on_the_inventories(store: str, tmp_path: Path) -> None:
    f = tmp_path / "drivers.csv"
    f.write_text(
        "scenario,parent,driver,selector,year,value\n"
        "green,accelerated,grid_ef,*,2020,0.58\n"
        "green,accelerated,grid_ef,*,2030,0.2\n",
        "utf-8",
    )
    code, out, err = invoke("run", "--drivers", str(f), "--json")
    assert code == 0, err
    got = strict(out)
    assert got["scenario"] == "green" and got["source"] == "inventories"  # the file's first scenario
    _, acc, _ = invoke("run", "--scenario", "accelerated", "--json")
    k = got["years"].index(2030)
    assert got["co2_t"]["total"][k] < strict(acc)["co2_t"]["total"][k]
    assert got["co2_t"]["total"][0] == pytest.approx(strict(acc)["co2_t"]["total"][0])  # the same base
