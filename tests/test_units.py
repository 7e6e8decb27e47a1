"""The unit registry: reference conversions, spellings people write, errors, round trips."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak import units
from carbonpeak.errors import UnitError

# Spellings seen in Chinese reporting forms → the registry symbol they must parse to.
SPELLINGS = {
    "万千瓦时": "万kWh",
    "万kWh": "万kWh",
    "万 kWh": "万kWh",
    "度": "kWh",
    "千瓦时": "kWh",
    "兆瓦时": "MWh",
    "亿千瓦时": "亿kWh",
    "万立方米": "万m3",
    "万Nm³": "万Nm3",
    "万Nm3": "万Nm3",
    "Nm³": "Nm3",
    "标准立方米": "Nm3",
    "吨标准煤": "tce",
    "吨标煤": "tce",
    "tce": "tce",
    "万吨标准煤": "万tce",
    "万tce": "万tce",
    "千克标准煤": "kgce",
    "kgce": "kgce",
    "吨": "t",
    "万吨": "万t",
    "万t": "万t",
    "ｔ": "t",
    "kg": "kg",
    "GJ": "GJ",
    "吉焦": "GJ",
    "TJ": "TJ",
    "MJ": "MJ",
    "tCO2": "tCO2",
    "tCO₂": "tCO2",
    "tCO2e": "tCO2e",
    "元": "元",
    "万元": "万元",
    "t/a": "t / a",
    "万t/a": "万t / a",
    "吨/年": "t / a",
    "万吨/年": "万t / a",
}


@pytest.mark.parametrize(("text", "symbol"), sorted(SPELLINGS.items()))
def test_spellings_parse(text: str, symbol: str) -> None:
    assert units.unit_symbol(text) == symbol


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (1, "万千瓦时", "kWh", 1e4),
        (1, "万Nm³", "Nm3", 1e4),
        (1, "万立方米", "Nm3", 1e4),
        (1, "万t", "t", 1e4),
        (1, "万tce", "tce", 1e4),
        (1, "万元", "元", 1e4),
        (1, "MWh", "kWh", 1e3),
        (1, "TJ", "GJ", 1e3),
        (1, "t", "kg", 1e3),
        (1, "公斤", "kg", 1),
        (1, "千克", "kg", 1),
        (1, "tCO2e", "kgCO2e", 1e3),
        # GB/T 2589-2008 §6.2 (unchanged in 2020): 1 kgce = 29 307 kJ, so 1 tce = 29.307 GJ
        (1, "tce", "GJ", 29.307),
        (1, "kgce", "kJ", 29307),
        # 1 kWh = 3 600 kJ; 3 600 / 29 307 = 0.12284 kgce — the 当量值 0.1229 of GB/T 2589 Annex A
        (1, "kWh", "kgce", 3600 / 29307),
        (1, "万t/a", "t/a", 1e4),
    ],
)
def test_reference_conversions(value: float, src: str, dst: str, expected: float) -> None:
    assert math.isclose(units.convert(value, src, dst), expected, rel_tol=1e-12)


def test_equivalent_electricity_coefficient_rounds_to_table_value() -> None:
    # GB/T 2589 Annex A tabulates electricity (当量值) as 0.1229 kgce/kWh
    assert round(units.convert(1.0, "kWh", "kgce"), 4) == 0.1228  # 0.12284 — the table rounds up
    assert abs(units.convert(1.0, "kWh", "kgce") - 0.1229) < 1e-4


@pytest.mark.parametrize("text", ["furlong", "万万", "", "tce/", "吨煤当量??"])
def test_unknown_unit_is_a_clear_error(text: str) -> None:
    with pytest.raises(UnitError) as err:
        units.parse_unit(text, column="unit", row=7)
    p = err.value.problems[0]
    assert p.code == "unknown_unit"
    assert (p.column, p.row) == ("unit", 7)
    assert "无法识别的单位" in p.message_zh
    assert "Unknown unit" in p.message_en


def test_wrong_dimension_names_expected_unit() -> None:
    with pytest.raises(UnitError) as err:
        units.convert(1.0, "万kWh", "t")
    assert err.value.code == "wrong_dimension"
    assert "量纲" in err.value.message_zh
    assert "wrong dimension" in err.value.message_en


def test_co2_and_product_mass_do_not_mix() -> None:
    with pytest.raises(UnitError):
        units.convert(1.0, "tCO2", "t")
    with pytest.raises(UnitError):
        units.convert(1.0, "tCO2", "tCO2e")  # CO2e needs a GWP, never a unit conversion


FAMILIES = {
    "energy": ["kWh", "万kWh", "MWh", "GJ", "TJ", "MJ", "kgce", "tce", "万tce"],
    "mass": ["t", "万t", "kg"],
    "volume": ["Nm3", "万Nm3", "m3", "万m3"],
    "money": ["元", "万元"],
    "emissions": ["tCO2e", "kgCO2e"],
}


@st.composite
def same_family(draw: st.DrawFn) -> tuple[str, str]:
    fam = draw(st.sampled_from(sorted(FAMILIES)))
    return draw(st.sampled_from(FAMILIES[fam])), draw(st.sampled_from(FAMILIES[fam]))


@given(
    pair=same_family(),
    value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
)
def test_round_trip_returns_the_value(pair: tuple[str, str], value: float) -> None:
    a, b = pair
    back = units.convert(units.convert(value, a, b), b, a)
    assert math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-9)


@given(pair=same_family(), x=st.floats(0, 1e9), y=st.floats(0, 1e9))
def test_conversion_is_linear(pair: tuple[str, str], x: float, y: float) -> None:
    a, b = pair
    assert math.isclose(
        units.convert(x + y, a, b),
        units.convert(x, a, b) + units.convert(y, a, b),
        rel_tol=1e-9,
        abs_tol=1e-6,
    )


def test_every_definition_has_a_source_line() -> None:
    from importlib import resources

    text = resources.files("carbonpeak.refdata").joinpath(units.DEFINITIONS).read_text("utf-8")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line and not line.startswith("#") and "=" in line:
            above = [ln for ln in lines[:i] if ln.startswith("# source:")]
            assert above, f"definition without a source line: {line}"
