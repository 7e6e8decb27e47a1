"""Reference data for the faces: the factor set in force, names of cities and parks, and the
check of every shipped table — so that a face never imports :mod:`carbonpeak.refdata`."""

from __future__ import annotations

from dataclasses import dataclass

from carbonpeak import refdata
from carbonpeak.refdata.loader import validate_all

__all__ = [
    "TableCheck",
    "check_tables",
    "city_name_zh",
    "factor_set_version",
    "resolve_city",
    "resolve_park",
]


@dataclass(frozen=True)
class TableCheck:
    """One shipped reference table, loaded and validated."""

    name: str
    rows: int
    title_zh: str
    digest: str


def factor_set_version() -> str:
    """The version of the newest factor set."""
    return str(refdata.factor_set().version)


def city_name_zh(code: str) -> str | None:
    """The Chinese name of the city with GB/T 2260 *code*, or None if there is none."""
    city = refdata.cities().by_id.get(code)
    return str(city["name_zh"]) if city else None


def resolve_city(text: str) -> str | None:
    """The code of the city named or coded *text* (zh or en name, code), or None."""
    return refdata.resolve("geo/cities", text)


def resolve_park(text: str) -> str | None:
    """The id of the park named or identified by *text*, or None."""
    return refdata.resolve("geo/parks", text)


def check_tables() -> tuple[str, list[TableCheck]]:
    """Load and validate every shipped table; the factor-set version and each table's summary.

    Raises :class:`~carbonpeak.errors.RefdataError` on the first table that does not validate.
    """
    names = validate_all()
    version = factor_set_version()
    out = []
    for n in names:
        tab = refdata.load_table(n)
        out.append(TableCheck(name=n, rows=len(tab), title_zh=tab.title_zh, digest=tab.digest))
    return version, out
