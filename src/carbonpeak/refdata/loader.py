"""Load and validate the reference tables shipped in ``carbonpeak/refdata``.

A table is ``<domain>/<name>.csv`` beside ``<domain>/<name>.schema.json``; every row
cites a source registered in ``sources.toml``. The loader refuses, with a
:class:`~carbonpeak.errors.RefdataError` naming table, row, column and value:

- a column set that differs from the schema, or a row whose values do not parse;
- a ``source_id`` not in ``sources.toml``;
- a unit (a ``unit`` column value, or a column's declared unit) that does not parse;
- a ``confidence`` of ``R`` (recalled, unverified) or anything outside V / S+ / S;
- a duplicate primary key;
- a figure whose column names a ``source_column`` in the schema, given without a registered
  source and a confidence (or marked ``estimate`` without its ``basis``).

``clause`` names only the standard's own table, clause or annex; ``read_in`` (the last column of
every table, optional) says where the value was read — a repost, repository, page or reference-file
section. A row written before ``read_in`` existed (one field short) or with it empty reads as ``""``.

See docs/refdata.md for the format.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pandas as pd

from carbonpeak import units
from carbonpeak.errors import RefdataError, UnitError

__all__ = [
    "CONFIDENCE",
    "ESTIMATE",
    "PROVENANCE",
    "READ_IN",
    "FactorSet",
    "RefTable",
    "Source",
    "factor_set",
    "load_sources",
    "load_table",
    "read_table",
    "table_names",
]

#: Columns every table carries, in this order at the start of its schema.
PROVENANCE = ("id", "name_zh", "name_en", "source_id", "clause", "valid_from", "valid_to", "confidence")
#: Confidence tags the loader accepts (R — recalled, unverified — is refused).
CONFIDENCE = ("V", "S+", "S")
#: Optional last column: where the value was read (never part of ``clause``); missing or empty = "".
READ_IN = "read_in"
_TYPES = {"str", "int", "float", "bool", "date", "enum", "list", "unit"}


@dataclass(frozen=True)
class Source:
    """A registered source: a standard, policy, statistical release, dataset or convention."""

    id: str
    title_zh: str
    title_en: str
    kind: str
    publisher: str | None = None
    year: int | None = None
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class RefTable:
    """A validated reference table: typed rows in file order plus provenance."""

    name: str
    title_zh: str
    title_en: str
    columns: Mapping[str, Mapping[str, Any]]
    rows: tuple[Mapping[str, Any], ...]
    digest: str
    by_id: Mapping[str, Mapping[str, Any]] = field(repr=False)

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, row_id: str) -> Mapping[str, Any]:
        try:
            return self.by_id[row_id]
        except KeyError:
            raise RefdataError("not_found", object=self.name, key=row_id) from None

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (one column per schema column, in schema order)."""
        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def valid_on(self, day: dt.date) -> tuple[Mapping[str, Any], ...]:
        """Rows whose validity period contains *day* (open ends are unbounded)."""
        return tuple(
            r
            for r in self.rows
            if (r["valid_from"] is None or r["valid_from"] <= day)
            and (r["valid_to"] is None or day <= r["valid_to"])
        )


@dataclass(frozen=True)
class FactorSet:
    """A released version of the reference data: which tables, and their digests."""

    version: str
    released: dt.date
    description_zh: str
    description_en: str
    tables: Mapping[str, RefTable]

    @property
    def digests(self) -> dict[str, str]:
        return {name: t.digest for name, t in self.tables.items()}


def _root() -> Traversable:
    return resources.files("carbonpeak.refdata")


def load_sources(text: str | None = None) -> dict[str, Source]:
    """Parse ``sources.toml`` (or *text*) into :class:`Source` records keyed by id."""
    raw = tomllib.loads(text if text is not None else _root().joinpath("sources.toml").read_text("utf-8"))
    out: dict[str, Source] = {}
    for sid, rec in raw.get("sources", {}).items():
        missing = [k for k in ("title_zh", "title_en", "kind") if not rec.get(k)]
        if missing:
            raise RefdataError(
                "refdata_schema", table="sources.toml", detail=f"source {sid} lacks {', '.join(missing)}"
            )
        out[sid] = Source(
            id=sid,
            title_zh=rec["title_zh"],
            title_en=rec["title_en"],
            kind=rec["kind"],
            publisher=rec.get("publisher"),
            year=rec.get("year"),
            url=rec.get("url"),
            note=rec.get("note"),
        )
    return out


@lru_cache(maxsize=1)
def _shipped_sources() -> dict[str, Source]:
    return load_sources()


def table_names() -> list[str]:
    """Every table shipped in the package, as ``domain/name``."""
    names: list[str] = []
    for domain in sorted(_root().iterdir(), key=lambda p: p.name):
        if not domain.is_dir() or domain.name.startswith(("_", ".")):
            continue
        names.extend(
            f"{domain.name}/{f.name[:-4]}"
            for f in sorted(domain.iterdir(), key=lambda p: p.name)
            if f.name.endswith(".csv")
        )
    return names


@lru_cache(maxsize=64)
def load_table(name: str) -> RefTable:
    """Load and validate the shipped table *name* (e.g. ``"geo/cities"``)."""
    domain, _, table = name.partition("/")
    base = _root().joinpath(domain)
    csv_file, schema_file = base.joinpath(f"{table}.csv"), base.joinpath(f"{table}.schema.json")
    if not csv_file.is_file() or not schema_file.is_file():
        raise RefdataError("refdata_missing", table=name)
    return read_table(
        name, csv_file.read_bytes(), json.loads(schema_file.read_text("utf-8")), _shipped_sources()
    )


def read_table(name: str, data: bytes, schema: Mapping[str, Any], sources: Mapping[str, Source]) -> RefTable:
    """Validate *data* (CSV bytes) against *schema* and *sources*; return the typed table."""
    columns: Mapping[str, Mapping[str, Any]] = schema.get("columns", {})
    _check_schema(name, columns)
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    if header != list(columns):
        raise RefdataError(
            "refdata_schema",
            table=name,
            detail=f"header {header} differs from schema columns {list(columns)}",
        )
    rows: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for lineno, raw in enumerate(reader, start=2):
        row = {col: _parse_cell(name, lineno, col, spec, raw.get(col)) for col, spec in columns.items()}
        if row["source_id"] not in sources:
            raise RefdataError("refdata_unknown_source", table=name, row=lineno, value=row["source_id"])
        if row["id"] in by_id:
            raise RefdataError(
                "refdata_schema", table=name, detail=f"row {lineno}: duplicate id {row['id']!r}"
            )
        _check_figure_sources(name, lineno, columns, row, sources)
        rows.append(row)
        by_id[row["id"]] = row
    return RefTable(
        name=name,
        title_zh=schema.get("title_zh", name),
        title_en=schema.get("title_en", name),
        columns=columns,
        rows=tuple(rows),
        digest=hashlib.sha256(data).hexdigest(),
        by_id=by_id,
    )


#: The value of a figure's source column marking a figure as this platform's estimate.
ESTIMATE = "estimate"


def _check_figure_sources(
    name: str,
    row_no: int,
    columns: Mapping[str, Mapping[str, Any]],
    row: Mapping[str, Any],
    sources: Mapping[str, Source],
) -> None:
    """Refuse a figure (a column whose schema names ``source_column``) given without its source.

    The figure's ``source_column`` must name a registered source and its ``confidence_column``
    hold V / S+ / S; or the source is ``estimate``, the confidence ``estimate`` and the row's
    ``basis`` says how it was estimated. An empty figure needs nothing.
    """
    for col, spec in columns.items():
        src_col = spec.get("source_column")
        if not src_col or row.get(col) is None:
            continue
        conf_col = spec.get("confidence_column", "")
        src, conf = row.get(src_col), row.get(conf_col)
        sourced = src in sources and conf in CONFIDENCE
        estimated = src == ESTIMATE and conf == ESTIMATE and bool(row.get("basis"))
        if not (sourced or estimated):
            raise RefdataError(
                "refdata_unsourced_figure",
                table=name,
                row=row_no,
                column=col,
                value=row[col],
                source_column=src_col,
                confidence_column=conf_col,
            )


def _check_schema(name: str, columns: Mapping[str, Mapping[str, Any]]) -> None:
    missing = [c for c in PROVENANCE if c not in columns]
    if missing:
        raise RefdataError("refdata_schema", table=name, detail=f"schema lacks provenance columns {missing}")
    for col, spec in columns.items():
        kind = spec.get("type")
        if kind not in _TYPES:
            raise RefdataError("refdata_schema", table=name, detail=f"column {col}: unknown type {kind!r}")
        if "unit" in spec:
            try:
                units.parse_unit(spec["unit"])
            except UnitError as exc:
                raise RefdataError("refdata_bad_unit", table=name, value=spec["unit"]) from exc


def _parse_cell(name: str, row: int, col: str, spec: Mapping[str, Any], raw: str | None) -> Any:
    text = (raw or "").strip()
    if col == READ_IN:
        return text
    required = spec.get("required", col in PROVENANCE and col not in ("valid_from", "valid_to"))
    if not text:
        if required:
            raise RefdataError(
                "refdata_schema", table=name, detail=f"row {row}, column {col}: a value is required"
            )
        return [] if spec["type"] == "list" else None
    kind = spec["type"]
    try:
        value: Any
        if kind == "int":
            value = int(text)
        elif kind == "float":
            value = float(text)
        elif kind == "bool":
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            value = text.lower() == "true"
        elif kind == "date":
            value = dt.date.fromisoformat(text)
        elif kind == "list":
            value = [v.strip() for v in text.split(";") if v.strip()]
        else:
            value = text
    except ValueError:
        raise RefdataError(
            "refdata_schema", table=name, detail=f"row {row}, column {col}: {text!r} is not a {kind}"
        ) from None
    if kind == "enum" and value not in spec.get("values", ()):
        raise RefdataError(
            "refdata_schema",
            table=name,
            detail=f"row {row}, column {col}: {text!r} not in {spec.get('values')}",
        )
    if col == "confidence" and value not in CONFIDENCE:
        raise RefdataError(
            "refdata_schema",
            table=name,
            detail=f"row {row}: confidence {text!r} is refused (allowed {CONFIDENCE})",
        )
    if kind == "unit":
        try:
            units.parse_unit(text)
        except UnitError as exc:
            raise RefdataError("refdata_bad_unit", table=name, row=row, value=text) from exc
    return value


@lru_cache(maxsize=8)
def factor_set(version: str | None = None) -> FactorSet:
    """The factor set *version* (default: the latest released) with its tables loaded."""
    raw = tomllib.loads(_root().joinpath("factorsets.toml").read_text("utf-8"))
    sets: dict[str, Any] = raw.get("factorsets", {})
    if not sets:
        raise RefdataError("refdata_missing", table="factorsets.toml")
    if version is None:
        version = max(sets, key=lambda v: (sets[v]["released"], v))
    if version not in sets:
        raise RefdataError("not_found", object="factor set", key=version)
    rec = sets[version]
    released = rec["released"]
    if isinstance(released, str):
        released = dt.date.fromisoformat(released)
    return FactorSet(
        version=version,
        released=released,
        description_zh=rec.get("description_zh", ""),
        description_en=rec.get("description_en", ""),
        tables={t: load_table(t) for t in rec["tables"]},
    )


def validate_all() -> list[str]:
    """Load every shipped table and the latest factor set; return the table names."""
    names = table_names()
    for n in names:
        load_table(n)
    factor_set()
    return names


def shipped_path() -> Path:
    """Filesystem path of the shipped refdata folder (for docs and the CLI)."""
    return Path(str(_root()))
