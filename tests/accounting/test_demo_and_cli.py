"""The demo inventories look like the plan's sector, and the CLI computes and explains."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from carbonpeak.cli.main import app
from carbonpeak.store.db import engine_for

runner = CliRunner()


def test_demo_sector_resembles_the_plan_interpretation(demo_url: str) -> None:
    """Plan interpretation [P30]: Pb-Zn smelting 71.7 % of sector CO2, combustion 58.6 %,
    electricity 41.4 %. The synthetic demo is calibrated to look like that (±8 points)."""
    q = sa.text("""
        SELECT m.metal, l.category, SUM(l.co2e_t) AS t
        FROM inventory_line l JOIN inventory_run r ON r.id = l.run_id
        JOIN production_line p ON p.enterprise_id = r.enterprise_id AND p.code = l.line_code
        JOIN enterprise_metal m ON m.enterprise_id = r.enterprise_id AND m.metal = p.metal
        WHERE r.status = 'current' AND l.year = 2020 AND l.month IS NULL
        GROUP BY m.metal, l.category""")
    with engine_for(demo_url).connect() as conn:
        df = pd.DataFrame(conn.execute(q).all(), columns=["metal", "category", "t"])
    total = df["t"].sum()
    pbzn = df[df["metal"].isin(["Pb", "Zn"])]["t"].sum() / total
    elec = df[df["category"] == "electricity"]["t"].sum() / total
    fossil = df[df["category"].isin(["combustion", "feedstock"])]["t"].sum() / total
    assert abs(pbzn - 0.717) < 0.08
    assert abs(elec - 0.414) < 0.08
    assert abs(fossil - 0.586) < 0.08


def test_every_demo_enterprise_with_activity_has_a_current_run(demo_url: str) -> None:
    with engine_for(demo_url).connect() as conn:
        runs = conn.execute(
            sa.text("SELECT COUNT(DISTINCT enterprise_id) FROM inventory_run WHERE status='current'")
        ).scalar_one()
        methods = dict(
            conn.execute(sa.text("SELECT method, COUNT(*) FROM inventory_run GROUP BY method")).all()
        )
    assert runs >= 95
    assert methods.get("aluminium_2013", 0) >= 1  # the electrolytic-Al smelters


def test_cli_compute_prints_totals_and_json(store: str, tmp_path: Path) -> None:
    f = tmp_path / "act.csv"
    f.write_text(
        "enterprise,period,item,quantity,unit,line\n"
        "E1,2023,天然气,10,万立方米,L1\nE1,2023,electricity_purchased,100,万千瓦时,L1\n",
        "utf-8",
    )
    r = runner.invoke(app, ["inventory", "compute", str(f)])
    assert r.exit_code == 0, r.output
    assert "化石燃料燃烧" in r.output and "合计" in r.output
    r = runner.invoke(app, ["inventory", "compute", str(f), "--json", "--gwp", "AR5"])
    lines = json.loads(r.output)["lines"]
    assert lines[0]["co2_t"] == pytest.approx(10 * 389.31 * 15.3 / 1000 * 0.99 * 44 / 12)
    assert lines[1]["co2_t"] == pytest.approx(1000 * 0.4976)  # 100 万kWh = 1000 MWh, Hunan 2023


def test_cli_reads_parquet_in_bulk(store: str, tmp_path: Path) -> None:
    f = tmp_path / "act.parquet"
    pd.DataFrame(
        {
            "enterprise": ["E1", "E1"],
            "period": ["2023-01", "2023-02"],
            "item": ["coke", "coke"],
            "quantity": [1.0, 2.0],
            "unit": ["t", "万t"],
            "line": ["L1", "L1"],
        }
    ).to_parquet(f)
    r = runner.invoke(app, ["inventory", "compute", str(f), "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)["lines"]
    assert got[1]["quantity"] == 20_000.0
    assert got[1]["co2_t"] == pytest.approx(20_000 * got[0]["co2_t"])


def test_cli_explain_shows_formula_factor_source_and_arithmetic(store: str) -> None:
    with engine_for(store).connect() as conn:
        run_id, line_no = conn.execute(
            sa.text("SELECT run_id, line_no FROM inventory_line WHERE kind='fuel' LIMIT 1")
        ).one()
    r = runner.invoke(app, ["inventory", "explain", str(run_id), str(line_no)])
    assert r.exit_code == 0, r.output
    assert "CO2 = FC × NCV × CC × OF × 44/12" in r.output
    assert "accounting/fuels#other_nonferrous_2015:" in r.output
    assert "来源 / source:" in r.output and "× 44/12 =" in r.output


def test_cli_bad_activity_exits_2_with_locations(store: str, tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("enterprise,period,item,quantity,unit\nE1,2023,煤,1,kWh\n", "utf-8")
    r = runner.invoke(app, ["inventory", "compute", str(f)])
    assert r.exit_code == 2
    assert "row=2" in r.output and "column=item" in r.output


def test_explain_electricity_quotes_location_and_market_factors(demo_url: str) -> None:
    from carbonpeak.service.inventories import inventory
    from carbonpeak.service.platform.context import SYSTEM, Context
    from carbonpeak.store.db import sessionmaker_for

    with engine_for(demo_url).connect() as conn:
        run_id, line_no, q, co2, co2m = conn.execute(
            sa.text(
                "SELECT run_id, line_no, quantity, co2_t, co2_market_t FROM inventory_line "
                "WHERE item='electricity_purchased' AND year=2022 LIMIT 1"
            )
        ).one()
    with sessionmaker_for(demo_url)() as db:
        e = inventory.explain(Context(db=db, principal=SYSTEM), run_id, line_no)
    loc = next(s for s in e.arithmetic if s.startswith("CO2 (location)"))
    mkt = next(s for s in e.arithmetic if s.startswith("CO2 (market)"))
    assert "mee_nbs_provincial, 430000, 2022" in loc and "0.49 tCO2/MWh" in loc
    assert co2 == pytest.approx(q * 0.49)  # Hunan 2022 provincial factor (S+)
    assert "mee_nbs_excl_market_nonfossil, CN, 2022" in mkt  # the residual factor of the data year
    assert co2m == pytest.approx(q * 0.5856)
