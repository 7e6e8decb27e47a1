"""Electricity ↔ standard coal in ``units convert`` uses and names GB/T 2589's coefficient
(issue 12, item 9).

Reference: GB/T 2589-2008 Annex A, 电力（当量值）0.1229 kgce/kWh (unchanged in the 2020 edition):
1 万kWh = 10 000 kWh × 0.1229 kgce/kWh = 1 229 kgce = 1.229 tce — not the physical
36 GJ ÷ 29.307 GJ/tce = 1.22838. Exact to 1e-12 (one multiplication).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from carbonpeak.cli.main import app
from carbonpeak.errors import UnitError
from carbonpeak.service.registry import units_service

runner = CliRunner()


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (1.0, "万kWh", "tce", 1.229),
        (1.0, "万千瓦时", "吨标准煤", 1.229),
        (1.0, "MWh", "kgce", 122.9),
        (1.229, "tce", "万kWh", 1.0),  # the inverse uses the same coefficient
        (1.0, "度", "kgce", 0.1229),
    ],
)
def test_electricity_to_coal_uses_the_tabulated_coefficient(
    value: float, src: str, dst: str, expected: float
) -> None:
    c = units_service.convert(value, src, dst)
    assert c.result == pytest.approx(expected, rel=1e-12)
    assert c.basis_id == "accounting/tce_coefficients#gbt2589_2008:electricity_purchased"
    assert "GB/T 2589" in c.basis and "0.1229 kgce/kWh" in c.basis


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [(3.0, "万千瓦时", "MWh", 30.0), (1.0, "tce", "GJ", 29.307), (1.0, "kWh", "MJ", 3.6)],
)
def test_unit_identities_name_no_coefficient(value: float, src: str, dst: str, expected: float) -> None:
    c = units_service.convert(value, src, dst)
    assert c.result == pytest.approx(expected, rel=1e-12)
    assert c.basis == "" and c.basis_id == ""


def test_a_mass_is_never_converted_to_coal_equivalent() -> None:
    with pytest.raises(UnitError) as err:
        units_service.convert(1.0, "t", "tce")
    assert err.value.problems[0].code == "wrong_dimension"


def test_cli_names_the_coefficient() -> None:
    r = runner.invoke(app, ["units", "convert", "1", "万kWh", "tce"])
    assert r.exit_code == 0, r.output
    assert "1 万kWh = 1.229 tce" in r.output
    assert "1.22838" not in r.output
    assert "0.1229 kgce/kWh" in r.output and "gbt2589_2008:electricity_purchased" in r.output
