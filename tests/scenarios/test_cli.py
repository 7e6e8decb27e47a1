"""``carbonpeak decompose lmdi`` and ``carbonpeak macc``, run through Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from carbonpeak.cli.scenarios import decompose_app, macc_app

app = typer.Typer()
app.add_typer(decompose_app, name="decompose")
app.add_typer(macc_app, name="macc")
runner = CliRunner()

LMDI_CSV = """year,category,activity,intensity,ef
1971,subcat 1,1,10,2
1971,subcat 2,4,5,3
1972,subcat 1,4,5,3
1972,subcat 2,5,6,4
1973,subcat 1,4,5,3
1973,subcat 2,5,6,0
"""

MACC_CSV = """id,capex_yuan,delta_opex_yuan_per_a,energy_saving_value_yuan_per_a,lifetime_a,\
abatement_tco2e_per_a,abatement_share,discount_rate
waste-heat,1000000,-50000,0,10,5000,,0.08
fleet,200000,0,0,1,20000,,0
vfd,100000,0,0,1,,0.5,0
"""


@pytest.fixture
def lmdi_csv(tmp_path: Path) -> Path:
    f = tmp_path / "lmdi.csv"
    f.write_text(LMDI_CSV, "utf-8")
    return f


@pytest.fixture
def macc_csv(tmp_path: Path) -> Path:
    f = tmp_path / "measures.csv"
    f.write_text(MACC_CSV, "utf-8")
    return f


def test_lmdi_prints_effects_per_period_and_closure(lmdi_csv: Path) -> None:
    r = runner.invoke(app, ["decompose", "lmdi", str(lmdi_csv)])
    assert r.exit_code == 0, r.output
    assert "1971→1972" in r.output and "1972→1973" in r.output
    assert "69.7901" in r.output and "-9.45513" in r.output and "39.6651" in r.output
    assert "Σ effects = -20" in r.output and "ΔV = -20" in r.output


def test_lmdi_json_chained_and_base_to_end(lmdi_csv: Path) -> None:
    r = runner.invoke(app, ["decompose", "lmdi", str(lmdi_csv), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["method"] == "additive" and out["factors"] == ["activity", "intensity", "ef"]
    first, second = out["periods"]
    assert first["effects"]["activity"] == pytest.approx(69.79006598, abs=1e-6)
    assert second["effects"] == {"activity": 0.0, "intensity": 0.0, "ef": -120.0}  # zero limit
    assert abs(first["residual"]) < 1e-9 and abs(second["residual"]) < 1e-9
    r = runner.invoke(
        app, ["decompose", "lmdi", str(lmdi_csv), "--json", "--multiplicative", "--base-to-end"]
    )
    assert r.exit_code == 0, r.output
    (only,) = json.loads(r.output)["periods"]
    assert (only["year_from"], only["year_to"], only["change"]) == (1971, 1973, 0.75)
    prod = 1.0
    for e in only["effects"].values():
        prod *= e
    assert prod == pytest.approx(0.75, rel=1e-12)


def test_lmdi_bad_input_exits_2_with_file_row_and_column(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(LMDI_CSV.replace("1972,subcat 2,5,6,4", "1972,subcat 2,5,-6,4"), "utf-8")
    r = runner.invoke(app, ["decompose", "lmdi", str(f)])
    assert r.exit_code == 2
    assert "file=bad.csv, row=4, column=intensity" in r.output
    assert "为负数" in r.output and "is negative" in r.output and "subcat 2" in r.output


def test_macc_prints_the_sorted_curve(macc_csv: Path) -> None:
    r = runner.invoke(app, ["macc", str(macc_csv), "--baseline", "30000"])
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.index("vfd") < out.index("fleet") < out.index("waste")
    assert "19.8059" in out and "30,000 of 30,000" in out
    r = runner.invoke(app, ["macc", str(macc_csv), "--baseline", "30000", "--json"])
    curve = json.loads(r.output)
    assert [m["id"] for m in curve] == ["vfd", "fleet", "waste-heat"]
    assert [m["abatement_realised_tco2e_per_a"] for m in curve] == [15000.0, 15000.0, 0.0]


def test_macc_baseline_from_a_column_per_group(tmp_path: Path) -> None:
    f = tmp_path / "by_city.csv"
    rows = MACC_CSV.splitlines()
    f.write_text(
        "\n".join(
            [
                rows[0] + ",city,baseline_tco2e",
                rows[1] + ",衡阳,10000",
                rows[2] + ",郴州,50000",
                rows[3] + ",衡阳,10000",
            ]
        )
        + "\n",
        "utf-8",
    )
    r = runner.invoke(app, ["macc", str(f), "--by", "city", "--json"])
    assert r.exit_code == 0, r.output
    got = {m["id"]: m for m in json.loads(r.output)}
    assert got["vfd"]["baseline_tco2e_per_a"] == 10000.0
    assert got["fleet"]["abatement_realised_tco2e_per_a"] == 20000.0


def test_macc_errors_exit_2_in_zh_and_en(macc_csv: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["macc", str(macc_csv)])
    assert r.exit_code == 2
    assert "缺少必填列" in r.output and "baseline_tco2e" in r.output
    f = tmp_path / "bad.csv"
    f.write_text(MACC_CSV.replace(",0.5,0", ",1.5,0"), "utf-8")
    r = runner.invoke(app, ["macc", str(f), "--baseline", "1000"])
    assert r.exit_code == 2
    assert "file=bad.csv, row=3, column=abatement_share" in r.output
    assert "(0, 1]" in r.output and "减排比例" in r.output
