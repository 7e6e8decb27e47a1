"""Reference data: every published number and fixed list, with its source.

The loader lives in :mod:`carbonpeak.refdata.loader`; this module offers the lookups the
other layers need (cities, parks, metals, process routes) and resolves the spellings
people write (a code, a Chinese or English name, a short name) to ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from carbonpeak.refdata.loader import RefTable, factor_set, load_sources, load_table

__all__ = [
    "RefTable",
    "cities",
    "factor_set",
    "load_sources",
    "load_table",
    "metals",
    "name",
    "parks",
    "process_routes",
    "resolve",
]


def cities() -> RefTable:
    """Hunan's 14 cities and prefectures (GB/T 2260 codes)."""
    return load_table("geo/cities")


def parks() -> RefTable:
    """Industrial parks, bases and clusters named in the Hunan plan."""
    return load_table("geo/parks")


def metals() -> RefTable:
    """Metals the platform tracks."""
    return load_table("sector/metals")


def process_routes() -> RefTable:
    """Process routes (primary, secondary, processing) by metal."""
    return load_table("sector/process_routes")


@lru_cache(maxsize=16)
def _aliases(table: str) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for row in load_table(table):
        for key in ("id", "name_zh", "name_en", "abbr_zh", "symbol"):
            val = row.get(key)
            if val:
                out[str(val).strip().lower()] = row["id"]
    return out


def name(table: str, key: str | None, lang: str) -> str | None:
    """The ``name_zh``/``name_en`` of row *key* of *table*; the key itself if unknown; None
    for no key."""
    if key is None:
        return None
    row = load_table(table).by_id.get(key)
    return str(row[f"name_{lang}"]) if row else key


def resolve(table: str, text: Any) -> str | None:
    """The id of the row of *table* that *text* names (id, zh/en name, short name), or None."""
    if text is None:
        return None
    key = str(text).strip().lower()
    if not key:
        return None
    aliases = _aliases(table)
    found = aliases.get(key)
    if found is None and len(key) > 2 and key[-1] in "市州":  # "湘西州", "娄底市"
        found = aliases.get(key[:-1])
    return found
