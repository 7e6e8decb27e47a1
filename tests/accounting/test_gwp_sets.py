"""GWP sets SAR, AR4, AR5 and AR6: each shipped with its source, chosen case-insensitively, an
unknown set refused (issue 12, item 3).

Reference values typed in by hand from IPCC AR4 WG1 Chapter 2 Table 2.14 (GWP, 100-yr:
CH4 25, N2O 298, CF4 7390, C2F6 12200) and the SAR column used by the 2013/2015 NDRC
guidelines (CH4 21, N2O 310, CF4 6500, C2F6 9200). Exact: the tables print integers.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from carbonpeak import refdata
from carbonpeak.accounting.engine import compute_inventory
from carbonpeak.accounting.factors import AccountingChoices, load_factors
from carbonpeak.cli.main import app
from carbonpeak.errors import InputError

runner = CliRunner()


@pytest.mark.parametrize(
    ("gwp_set", "expected"),
    [
        ("AR4", {"CH4": 25.0, "N2O": 298.0, "CF4": 7390.0, "C2F6": 12200.0}),  # AR4 WG1 Table 2.14
        ("SAR", {"CH4": 21.0, "N2O": 310.0, "CF4": 6500.0, "C2F6": 9200.0}),  # SAR, NDRC 2013 guides
        ("AR5", {"CH4": 28.0, "N2O": 265.0, "CF4": 6630.0, "C2F6": 11100.0}),  # AR5 WG1 Table 8.A.1
        ("AR6", {"CH4": 27.9, "N2O": 273.0, "CF4": 7380.0, "C2F6": 12400.0}),  # AR6 WG1 Table 7.SM.7
    ],
)
def test_each_set_ships_its_published_values_with_a_source(gwp_set: str, expected: dict[str, float]) -> None:
    f = load_factors(AccountingChoices(method="aluminium_2013", gwp_set=gwp_set))
    assert {g: f.gwp[g] for g in expected} == expected
    assert f.gwp["CO2"] == 1.0
    sources = refdata.load_sources()
    table = refdata.load_table("accounting/gwp")
    for gas in expected:
        row = table.get(f"{gwp_set}:{gas}")
        assert row["source_id"] in sources
        assert row["clause"]  # the table of the report that prints it


@pytest.mark.parametrize("spelling", ["ar4", "Ar4", " AR4 ", "ＡＲ４"])
def test_set_names_are_case_insensitive(spelling: str) -> None:
    assert load_factors(AccountingChoices(gwp_set=spelling)).gwp_set == "AR4"


def test_an_unknown_set_is_refused_naming_the_available_ones() -> None:
    with pytest.raises(InputError) as err:
        load_factors(AccountingChoices(gwp_set="XYZ"))
    (p,) = err.value.problems
    assert p.code == "unknown_gwp_set"
    assert p.column == "gwp"
    for name in ("SAR", "AR4", "AR5", "AR6"):
        assert name in p.message_zh and name in p.message_en


def test_pfc_under_ar4_with_the_2013_defaults() -> None:
    """Issue 12 acceptance: 100 000 t 原铝, 2013 electrolytic-aluminium guide defaults
    (EF_CF4 0.034, EF_C2F6 0.0034 kg/t-Al), AR4 → 100 000 × (0.034 × 7390 + 0.0034 × 12 200)
    / 1000 = 25 126 + 4 148 = 29 274 tCO2e. Tolerance 1e-6 relative (float arithmetic)."""
    f = load_factors(AccountingChoices(method="aluminium_2013", gwp_set="ar4"))
    out = compute_inventory(
        pd.DataFrame({"item": ["primary_aluminium"], "quantity": [1e5], "year": [2020]}), f
    )
    pfc = float(out["co2e_t"].iat[0] - out["co2_t"].iat[0])
    assert pfc == pytest.approx(29_274.0, rel=1e-6)
    assert all(math.isfinite(float(out[c].iat[0])) for c in ("co2e_t", "co2e_market_t"))


@pytest.mark.usefixtures("store")
def test_cli_refuses_an_unknown_set_without_a_traceback(tmp_path: Path) -> None:
    f = tmp_path / "act.csv"
    f.write_text("enterprise,period,item,quantity,unit,line\nE1,2023,天然气,10,万立方米,L1\n", "utf-8")
    for extra in ([], ["--json"]):
        r = runner.invoke(app, ["inventory", "compute", str(f), "--gwp", "XYZ", *extra])
        assert r.exit_code != 0
        assert r.exception is None or isinstance(r.exception, SystemExit)
        assert "SAR, AR4, AR5, AR6" in r.output
        assert "NaN" not in r.output


@pytest.mark.usefixtures("store")
@pytest.mark.parametrize("gwp", ["AR4", "sar", "ar6"])
def test_cli_computes_with_every_shipped_set(tmp_path: Path, gwp: str) -> None:
    f = tmp_path / "act.csv"
    f.write_text("enterprise,period,item,quantity,unit,line\nE1,2023,天然气,10,万立方米,L1\n", "utf-8")
    r = runner.invoke(app, ["inventory", "compute", str(f), "--gwp", gwp])
    assert r.exit_code == 0, r.output
    assert "NaN" not in r.output and "nan" not in r.output
