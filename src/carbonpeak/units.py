"""The one unit registry of carbonpeak.

Units are defined in ``refdata/units/definitions.txt`` (pint format, one source line per
unit), including the units Chinese reporting uses: 万t, 万Nm³, 万kWh, tce, 万tce, 万元.
Quantities are parsed and converted at the edges (io/, api/, cli); engines receive plain
floats in a canonical unit named in the column (``energy_gj``, ``co2_t``).

Spellings people write in forms are accepted: "万千瓦时", "万立方米", "吨标准煤", "Nm³",
full-width letters — text is NFKC-normalised and whitespace dropped before parsing.

Examples
--------
>>> convert(1.0, "万千瓦时", "kWh")
10000.0
>>> round(convert(1.0, "tce", "GJ"), 3)
29.307
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import pint

from carbonpeak.errors import Problem, UnitError

__all__ = [
    "DEFINITIONS",
    "conversion_factor",
    "convert",
    "dimensionality",
    "normalise_unit_text",
    "parse_unit",
    "registry",
    "same_dimension",
    "unit_symbol",
]

DEFINITIONS = "units/definitions.txt"

# Forms people write that pint's grammar would misread, mapped to registry spellings.
_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    ("／", "/"),
    ("·", "*"),
    ("每", "/"),
    ("CO₂", "CO2"),
    ("t/yr", "t/a"),
)
_WS = re.compile(r"\s+")


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    """The process-wide registry built from the definitions file shipped in refdata/."""
    reg: pint.UnitRegistry = pint.UnitRegistry(  # type: ignore[type-arg]
        filename=None, autoconvert_offset_to_baseunit=False
    )
    text = resources.files("carbonpeak.refdata").joinpath(DEFINITIONS).read_text("utf-8")
    reg.load_definitions(text.splitlines())
    reg.formatter.default_format = "~"
    return reg


def normalise_unit_text(text: str) -> str:
    """NFKC-normalise, drop whitespace and map written forms to registry spellings."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    s = _WS.sub("", s)
    for old, new in _REPLACEMENTS:
        s = s.replace(old, new)
    return s


@lru_cache(maxsize=4096)
def _parse(text: str) -> Any:
    return registry().parse_units(text)


def parse_unit(
    text: str, *, expected: str | None = None, column: str | None = None, row: int | None = None
) -> Any:
    """Parse *text* into a registry unit.

    Parameters
    ----------
    text : str
        A unit as written, e.g. ``"万Nm³"``, ``"万千瓦时"``, ``"吨标准煤"``.
    expected : str, optional
        A unit of the dimension required; a unit of another dimension raises.
    column, row : optional
        Where the text came from, carried into the error.

    Raises
    ------
    UnitError
        ``unknown_unit`` if it does not parse, ``wrong_dimension`` if *expected* is given
        and the dimensions differ.
    """
    norm = normalise_unit_text(text)
    if not norm:
        raise UnitError([Problem("unknown_unit", column=column, value=text, row=row)])
    try:
        unit = _parse(norm)
    except Exception as exc:
        raise UnitError([Problem("unknown_unit", column=column, value=text, row=row)]) from exc
    if expected is not None and not same_dimension(unit, _parse(normalise_unit_text(expected))):
        raise UnitError(
            [Problem("wrong_dimension", column=column, value=text, row=row, fields={"expected": expected})]
        )
    return unit


def same_dimension(a: Any, b: Any) -> bool:
    """True when units *a* and *b* (units or strings) share a dimensionality."""
    ua = parse_unit(a) if isinstance(a, str) else a
    ub = parse_unit(b) if isinstance(b, str) else b
    return bool(ua.dimensionality == ub.dimensionality)


def dimensionality(unit: str) -> str:
    """The dimensionality of *unit* as text, e.g. ``"[mass]"``."""
    return str(parse_unit(unit).dimensionality)


@lru_cache(maxsize=4096)
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """The factor *f* with ``value_in_to = value_in_from * f``.

    Raises :class:`UnitError` if either does not parse or the dimensions differ.
    """
    dst = parse_unit(to_unit)
    src = parse_unit(from_unit, expected=to_unit)
    return float(registry().Quantity(1.0, src).to(dst).magnitude)


def convert(value: Any, from_unit: str, to_unit: str) -> Any:
    """Convert *value* (a float or a NumPy array) from *from_unit* to *to_unit*."""
    return value * conversion_factor(from_unit, to_unit)


def unit_symbol(unit: str) -> str:
    """The registry's short symbol for *unit*, e.g. ``"万千瓦时"`` → ``"万kWh"``."""
    return f"{parse_unit(unit):~}"
