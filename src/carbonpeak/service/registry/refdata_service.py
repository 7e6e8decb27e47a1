"""Reference data for the faces: the factor set in force, names of cities and parks, the shipped
tables and sources, and the check of every shipped table — so that a face never imports
:mod:`carbonpeak.refdata`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from carbonpeak import refdata
from carbonpeak.errors import NotFound, RefdataError
from carbonpeak.refdata.loader import RefTable, Source, table_names, validate_all

__all__ = [
    "RefTable",
    "Source",
    "TableCheck",
    "check_tables",
    "cities",
    "city_name_zh",
    "factor_set_version",
    "metals",
    "name",
    "process_routes",
    "resolve_city",
    "resolve_park",
    "row",
    "sources",
    "table",
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


def table(name: str) -> RefTable:
    """The shipped table *name* (``"geo/cities"``), validated; unknown: :class:`NotFound` (404),
    never a server error; a shipped table that fails validation: :class:`RefdataError`."""
    if name not in table_names():
        raise NotFound(object="resource", key=f"refdata/{name}")
    return refdata.load_table(name)


def cities() -> RefTable:
    """Hunan's cities and prefectures (GB/T 2260 codes)."""
    return refdata.cities()


def metals() -> RefTable:
    """The metals the platform tracks."""
    return refdata.metals()


def process_routes() -> RefTable:
    """The process routes (primary, secondary, processing) by metal."""
    return refdata.process_routes()


def name(table_name: str, key: str | None, lang: str) -> str | None:
    """The zh or en name of row *key* of *table_name*; the key itself if unknown; None for no key."""
    return refdata.name(table_name, key, lang)


def row(table_name: str, row_id: str) -> Mapping[str, Any] | None:
    """Row *row_id* of *table_name*, or None when the table or the row does not exist."""
    try:
        return refdata.load_table(table_name).get(row_id)
    except RefdataError:
        return None


@lru_cache(maxsize=1)
def sources() -> Mapping[str, Source]:
    """Every registered source (standard, policy, dataset …) by id."""
    return refdata.load_sources()
