"""Unit conversion for the faces, through the one registry of :mod:`carbonpeak.units`."""

from __future__ import annotations

from dataclasses import dataclass

from carbonpeak import units

__all__ = ["Conversion", "convert"]


@dataclass(frozen=True)
class Conversion:
    """*value* [from_symbol] = *result* [to_symbol]."""

    value: float
    from_symbol: str
    result: float
    to_symbol: str


def convert(value: float, from_unit: str, to_unit: str) -> Conversion:
    """Convert *value* from *from_unit* to *to_unit* (any spelling the registry knows, e.g. 万千瓦时).

    Raises :class:`~carbonpeak.errors.UnitError` for an unknown unit or incompatible dimensions.
    """
    return Conversion(
        value=value,
        from_symbol=units.unit_symbol(from_unit),
        result=float(units.convert(value, from_unit, to_unit)),
        to_symbol=units.unit_symbol(to_unit),
    )
