"""Unit conversion for the faces, through the one registry of :mod:`carbonpeak.units`.

A conversion between electricity (kWh, MWh, 万kWh …) and standard coal (kgce, tce, 万tce) is not
a unit identity but an energy-statistics convention: it uses the tabulated GB/T 2589
coefficient of electricity at its calorific equivalent (当量值, 0.1229 kgce/kWh, refdata
``accounting/tce_coefficients``), never the physical 3.6 MJ ÷ 29.307 MJ/kgce = 0.122838, and the
result names the coefficient it used (:attr:`Conversion.basis`).
"""

from __future__ import annotations

from dataclasses import dataclass

from carbonpeak import refdata, units

__all__ = ["ELECTRICITY_TCE_ROW", "Conversion", "convert"]

#: The refdata row of electricity's 当量值 coefficient (GB/T 2589 Annex A, 0.1229 kgce/kWh).
ELECTRICITY_TCE_ROW = "gbt2589_2008:electricity_purchased"
_TCE_TABLE = "accounting/tce_coefficients"


@dataclass(frozen=True)
class Conversion:
    """*value* [from_symbol] = *result* [to_symbol]; *basis* names the published coefficient
    used when the conversion is not a unit identity (empty otherwise), *basis_id* its refdata
    row (``table#row``)."""

    value: float
    from_symbol: str
    result: float
    to_symbol: str
    basis: str = ""
    basis_id: str = ""


def _single(unit: str) -> str:
    """The name of *unit*'s one registry unit (``万kilowatt_hour``), or "" for a compound."""
    parsed = units.parse_unit(unit)
    items = list(dict(parsed._units).items())
    return str(items[0][0]) if len(items) == 1 and items[0][1] == 1 else ""


def _kind(unit: str) -> str:
    name = _single(unit)
    if name.endswith("watt_hour"):
        return "electricity"
    if name.endswith("coal_equivalent"):
        return "coal"
    return ""


def convert(value: float, from_unit: str, to_unit: str) -> Conversion:
    """Convert *value* from *from_unit* to *to_unit* (any spelling the registry knows, e.g. 万千瓦时).

    Electricity ↔ standard coal uses GB/T 2589's 当量值 coefficient (``1 万kWh = 1.229 tce``)
    and names it; every other pair is a unit identity of the registry.

    Raises :class:`~carbonpeak.errors.UnitError` for an unknown unit or incompatible dimensions.
    """
    kinds = {_kind(from_unit), _kind(to_unit)}
    if kinds != {"electricity", "coal"}:
        return Conversion(
            value=value,
            from_symbol=units.unit_symbol(from_unit),
            result=float(units.convert(value, from_unit, to_unit)),
            to_symbol=units.unit_symbol(to_unit),
        )
    row = refdata.load_table(_TCE_TABLE).get(ELECTRICITY_TCE_ROW)
    coef = float(row["coefficient"])  # kgce per kWh (coefficient_unit)
    coal_unit, elec_unit = str(row["coefficient_unit"]).split("/", 1)
    if _kind(from_unit) == "electricity":
        result = value * units.conversion_factor(from_unit, elec_unit) * coef
        result *= units.conversion_factor(coal_unit, to_unit)
    else:
        result = value * units.conversion_factor(from_unit, coal_unit) / coef
        result *= units.conversion_factor(elec_unit, to_unit)
    source = refdata.load_sources().get(str(row["source_id"]))
    title = source.title_zh if source else str(row["source_id"])
    return Conversion(
        value=value,
        from_symbol=units.unit_symbol(from_unit),
        result=float(result),
        to_symbol=units.unit_symbol(to_unit),
        basis=f"{title} — {row['name_zh']} {coef:g} {row['coefficient_unit']}",
        basis_id=f"{_TCE_TABLE}#{ELECTRICITY_TCE_ROW}",
    )
