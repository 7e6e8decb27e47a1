"""``carbonpeak scenario run|compare|montecarlo``, run through Typer's runner."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from carbonpeak.cli.scenarios import scenario_app
from carbonpeak.io.iamc import IAMC_COLUMNS
from carbonpeak.scenarios.demo_scenarios import DEMO_BASE_YEAR, DEMO_SCENARIOS, demo_base_frame
from carbonpeak.scenarios.peak import find_peak
from carbonpeak.scenarios.projection import base_year, project

app = typer.Typer()
app.add_typer(scenario_app, name="scenario")
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, ["scenario", *args])
    return r.exit_code, r.stdout, r.output


def test_run_prints_co2_by_metal_and_the_peak() -> None:
    code, out, _ = invoke("run", "--base", "demo")
    assert code == 0, out
    proj = project(
        base_year(demo_base_frame(), DEMO_BASE_YEAR), DEMO_SCENARIOS["plan_policy"], registry=DEMO_SCENARIOS
    )
    pk = find_peak(proj.years, proj.total())
    assert pk.peaked and pk.before_2030
    assert "plan_policy" in out and all(str(y) in out for y in range(2020, 2061, 5))
    assert all(m in out for m in ("Zn", "Pb", "Cu", "Al", "Sb", "W")) and "total / 合计" in out
    assert f"Peak / 达峰: {pk.year}, {pk.value / 1e6:,.3f} Mt CO2/a" in out
    assert "2030 年前达峰: yes / 是" in out and "平台容差 1.0%" in out


def test_run_json_matches_the_engine_and_the_tolerance_is_passed_on() -> None:
    code, out, _ = invoke("run", "--base", "demo", "--scenario", "baseline", "--json", "--tolerance", "0.02")
    assert code == 0, out
    got = json.loads(out)
    proj = project(
        base_year(demo_base_frame(), DEMO_BASE_YEAR), DEMO_SCENARIOS["baseline"], registry=DEMO_SCENARIOS
    )
    pk = find_peak(proj.years, proj.total(), 0.02)
    assert got["years"][0] == 2020 and got["years"][-1] == 2060
    assert got["co2_t"]["total"] == pytest.approx(proj.total().tolist(), rel=1e-12)
    assert sum(got["co2_t"]["by_metal"][m][10] for m in got["co2_t"]["by_metal"]) == pytest.approx(
        got["co2_t"]["total"][10], rel=1e-12
    )
    assert got["peak"] == {
        "year": pk.year,
        "co2_t": pytest.approx(pk.value),
        "peaked": pk.peaked,
        "before_2030": pk.before_2030,
    }
    assert got["peak"]["before_2030"] is False  # the synthetic baseline peaks late


def test_compare_lists_three_scenarios_accelerated_no_later_than_baseline() -> None:
    code, out, _ = invoke("compare", "--base", "demo")
    assert code == 0, out
    assert out.index("baseline") < out.index("plan_policy") < out.index("accelerated")
    code, out, _ = invoke("compare", "--json", "--base", "demo")
    rows = {r["scenario"]: r for r in json.loads(out)["scenarios"]}
    assert list(rows) == ["baseline", "plan_policy", "accelerated"]
    assert rows["accelerated"]["peak"]["year"] <= rows["baseline"]["peak"]["year"]
    assert (
        rows["accelerated"]["co2_2060_t"] < rows["plan_policy"]["co2_2060_t"] < rows["baseline"]["co2_2060_t"]
    )
    assert rows["accelerated"]["cumulative_co2_t"] < rows["baseline"]["cumulative_co2_t"]
    code, _, output = invoke("compare", "--base", "demo", "--scenarios", "baseline,nope")
    assert code == 2 and "nope" in output and "accelerated" in output  # the allowed names


def test_montecarlo_is_reproducible_and_prints_p_peak_years_and_fan() -> None:
    args = ("montecarlo", "--base", "demo", "--n", "200", "--chunk", "50", "--seed", "3")
    code, first, output = invoke(*args)
    assert code == 0, output
    _, second, _ = invoke(*args)
    assert first == second
    assert "P(peak ≤ 2030)" in first
    assert "of 200 trajectories" in first and "seed 3" in first
    assert "Peak-year distribution" in first and "P5" in first and "P95" in first
    assert all(str(y) in first for y in (2025, 2030, 2040, 2050, 2060))
    assert "4/4" in output  # the progress bar, on stderr, over the chunks
    _, other, _ = invoke("montecarlo", "--base", "demo", "--n", "200", "--chunk", "50", "--seed", "4")
    assert other != first


def test_montecarlo_json_shares_add_up_and_fan_is_ordered() -> None:
    args = ("--base", "demo", "--n", "120", "--chunk", "40", "--seed", "1", "--scenario", "baseline")
    code, out, _ = invoke("montecarlo", *args, "--json")
    assert code == 0, out
    got = json.loads(out)
    assert sum(got["peak_year_share"].values()) + got["not_peaked_share"] == pytest.approx(1.0)
    assert 0.0 <= got["p_peak_by_2030"] <= 1.0
    assert list(got["fan_co2_t"]) == ["2025", "2030", "2040", "2050", "2060"]
    for q in got["fan_co2_t"].values():
        assert list(q.values()) == sorted(q.values())


def test_run_iamc_csv_and_xlsx(tmp_path: Path) -> None:
    out_csv = tmp_path / "out.csv"
    code, out, _ = invoke("run", "--base", "demo", "--iamc", str(out_csv))
    assert code == 0, out
    table = pd.read_csv(out_csv)
    assert list(table.columns) == IAMC_COLUMNS
    assert set(table["scenario"]) == {"plan_policy"} and set(table["region"]) == {"Hunan"}
    total = table[table["variable"] == "Emissions|CO2|Nonferrous"].set_index("year")["value"]
    assert total.loc[2025] == pytest.approx(9.7606, abs=1e-3)  # Mt CO2/yr, the printed peak
    out_xlsx = tmp_path / "out.xlsx"
    code, out, _ = invoke("run", "--base", "demo", "--scenario", "accelerated", "--iamc", str(out_xlsx))
    assert code == 0, out
    wide = pd.read_excel(out_xlsx, sheet_name="data")
    assert list(wide.columns[:5]) == IAMC_COLUMNS[:5] and "2060" in map(str, wide.columns)
    code, _, output = invoke("run", "--base", "demo", "--iamc", str(tmp_path / "out.json"))
    assert code == 2 and ".csv, .xlsx" in output


def test_run_with_driver_paths_from_a_file(tmp_path: Path) -> None:
    f = tmp_path / "drivers.csv"
    f.write_text(
        "scenario,parent,driver,selector,year,value\n"
        "green,accelerated,grid_ef,*,2020,0.58\n"
        "green,accelerated,grid_ef,*,2030,0.2\n",
        "utf-8",
    )
    code, out, _ = invoke("run", "--base", "demo", "--drivers", str(f), "--json")
    assert code == 0, out
    got = json.loads(out)
    assert got["scenario"] == "green"  # the file's first scenario
    _, acc, _ = invoke("run", "--base", "demo", "--scenario", "accelerated", "--json")
    assert got["co2_t"]["total"][10] < json.loads(acc)["co2_t"]["total"][10]
    f.write_text("scenario,driver,selector,year,value\nbad,green_power_share,*,2030,1.5\n", "utf-8")
    code, _, output = invoke("run", "--base", "demo", "--drivers", str(f))
    assert code == 2
    assert "drivers.csv" in output and "row=2" in output and "green_power_share" in output
    assert "0–1" in output and "[0, 1]" in output


def test_an_unknown_scenario_exits_2() -> None:
    code, _, output = invoke("montecarlo", "--base", "demo", "--scenario", "nope", "--n", "10")
    assert code == 2 and "“nope”" in output and "'nope'" in output and "plan_policy" in output


def test_an_unreachable_scheduler_fails_fast_in_zh_and_en() -> None:
    t0 = time.perf_counter()
    code, _, output = invoke(
        "montecarlo",
        "--base",
        "demo",
        "--n",
        "200",
        "--chunk",
        "50",
        "--scheduler",
        "tcp://127.0.0.1:1",
        "--connect-timeout",
        "1",
    )
    assert time.perf_counter() - t0 < 5.0
    assert code == 2
    assert "无法在 1 秒内连接 Dask 调度器" in output and "Could not reach the Dask scheduler" in output
    assert "tcp://127.0.0.1:1" in output


def test_a_malformed_scheduler_address_is_refused_before_any_work() -> None:
    code, _, output = invoke("montecarlo", "--base", "demo", "--n", "10", "--scheduler", "127.0.0.1:8786")
    assert code == 2
    assert "调度器地址" in output and "expected local or tcp://host:port" in output


def test_compare_on_the_stored_inventories_agrees_with_the_scenarios_service(store: str) -> None:
    """By default the CLI projects the store's official inventories with the project register,
    as the scenarios page and the dashboard's peak card do: the same peak years and levels."""
    from carbonpeak.service.outlook import scenarios as scenario_service
    from carbonpeak.service.platform.context import SYSTEM, Context
    from carbonpeak.store.db import sessionmaker_for

    code, out, err = invoke("compare", "--json")
    assert code == 0, err
    rows = {r["scenario"]: r for r in json.loads(out)["scenarios"]}
    with sessionmaker_for(store)() as db:
        page = scenario_service.run(Context(db=db, principal=SYSTEM), list(rows))
    for name, r in rows.items():
        assert r["peak"]["year"] == page["scenarios"][name]["peak"]["year"]
        assert r["peak"]["co2_t"] == pytest.approx(page["scenarios"][name]["peak"]["co2_t"])
    # the demo base (synthetic) is another answer, and says so
    _, demo, _ = invoke("compare", "--json", "--base", "demo")
    assert json.loads(demo)["scenarios"] != json.loads(out)["scenarios"]
    code, text, _ = invoke("compare")
    assert f"base year {page['base_year']} from the official inventories" in text
