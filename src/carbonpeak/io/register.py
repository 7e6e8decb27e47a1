"""The enterprise register in files: enterprises and their production lines.

Two tables (CSV or XLSX), documented in docs/formats.md:

- enterprises: ``credit_code, name_zh, name_en, city, park, metals, above_designated_size``
- lines: ``enterprise, line_code, name_zh, name_en, metal, route, capacity, capacity_unit,
  status, commissioned, product, technology`` (``product``: a sector/products id or name made on
  the route — it picks the limit-standard row; ``technology``: an aluminium potline's cell
  technology CWPB/SWPB/VSS/HSS)

Every cell is validated and every problem collected (file, sheet, row, column, value,
reason in zh and en) before anything is returned; capacity is converted to t/a from any
unit the registry parses (万t/a, 吨/年, kt/a…).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from carbonpeak import refdata, units
from carbonpeak.errors import InputError, Problem, UnitError
from carbonpeak.io.numbers import number_text
from carbonpeak.io.tabular import Table
from carbonpeak.model import LINE_STATUS_ALIASES, LineStatus
from carbonpeak.model.schemas import EnterpriseCreate, LineCreate
from carbonpeak.refdata.register_rules import (
    check_credit_code,
    check_park_in_city,
    check_product_of_route,
    check_route_of_metal,
    check_technology,
    resolve_technology,
)

__all__ = [
    "ENTERPRISE_COLUMNS",
    "ENTERPRISE_OPTIONAL",
    "LINE_COLUMNS",
    "LINE_OPTIONAL",
    "parse_bool",
    "parse_register",
]

ENTERPRISE_COLUMNS = ("credit_code", "name_zh", "city")
ENTERPRISE_OPTIONAL = ("name_en", "park", "metals", "above_designated_size")
LINE_COLUMNS = ("enterprise", "line_code", "name_zh", "metal", "route", "capacity", "capacity_unit")
LINE_OPTIONAL = ("name_en", "status", "commissioned", "product", "technology")

_TRUE = {"true", "yes", "y", "1", "是", "规上"}
_FALSE = {"false", "no", "n", "0", "否", "规下"}


def parse_bool(text: str) -> bool | None:
    t = text.strip().lower()
    return True if t in _TRUE else False if t in _FALSE else None


class _Collector:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.problems: list[Problem] = []

    def put(self, problem: Problem) -> None:
        """Keep a rule's problem, located in this table's file and sheet."""
        self.problems.append(replace(problem, file=self.table.file, sheet=self.table.sheet))

    def add(self, code: str, row: int, column: str | None, value: Any = None, **fields: Any) -> None:
        self.problems.append(
            Problem(
                code,
                column=column,
                value=value,
                row=row,
                file=self.table.file,
                sheet=self.table.sheet,
                fields=fields,
            )
        )


def _enterprise_row(c: _Collector, n: int, r: dict[str, str], seen: dict[str, int]) -> dict[str, Any] | None:
    ok = True
    code = r["credit_code"].upper()
    if not code:
        c.add("required", n, "credit_code")
        ok = False
    elif (bad := check_credit_code(code, column="credit_code", row=n)) is not None:
        c.put(bad)
        ok = False
    elif code in seen:
        c.add("duplicate", n, "credit_code", code, first_row=seen[code])
        ok = False
    else:
        seen[code] = n
    if not r["name_zh"]:
        c.add("required", n, "name_zh")
        ok = False
    city = refdata.resolve("geo/cities", r["city"])
    if city is None:
        c.add("required" if not r["city"] else "unknown_city", n, "city", r["city"] or None)
        ok = False
    park = None
    if r.get("park"):
        park = refdata.resolve("geo/parks", r["park"])
        bad = check_park_in_city(
            park or "", city, column="park", shown=r["park"], city_shown=r["city"], row=n
        )
        if bad is not None:
            c.put(bad)
            ok = False
    metals = []
    for m in (r.get("metals") or "").replace("；", ";").replace(",", ";").split(";"):
        if not m.strip():
            continue
        mid = refdata.resolve("sector/metals", m)
        if mid is None:
            c.add("unknown_metal", n, "metals", m.strip())
            ok = False
        else:
            metals.append(mid)
    size = True
    if r.get("above_designated_size"):
        parsed = parse_bool(r["above_designated_size"])
        if parsed is None:
            c.add(
                "bad_enum", n, "above_designated_size", r["above_designated_size"], allowed="true/false/是/否"
            )
            ok = False
        else:
            size = parsed
    if not ok:
        return None
    return {
        "credit_code": code,
        "name_zh": r["name_zh"],
        "name_en": r.get("name_en", ""),
        "city_code": city,
        "park_id": park,
        "above_designated_size": size,
        "metals": metals,
    }


def _line_row(c: _Collector, n: int, r: dict[str, str]) -> tuple[str, LineCreate] | None:
    ok = True
    ent = r["enterprise"].upper()
    if not ent:
        c.add("required", n, "enterprise")
        ok = False
    for col in ("line_code", "name_zh"):
        if not r[col]:
            c.add("required", n, col)
            ok = False
    metal = refdata.resolve("sector/metals", r["metal"])
    if metal is None:
        c.add("required" if not r["metal"] else "unknown_metal", n, "metal", r["metal"] or None)
        ok = False
    route = refdata.resolve("sector/process_routes", r["route"])
    if not r["route"]:
        c.add("required", n, "route")
        ok = False
    elif (
        bad := check_route_of_metal(
            route or "", metal, column="route", shown=r["route"], metal_shown=r["metal"], row=n
        )
    ) is not None:
        c.put(bad)
        ok = False
    capacity = None
    cleaned = number_text(r["capacity"])  # "1,5" is refused, never read as 15
    try:
        if cleaned is None:
            c.add("bad_thousands_separator", n, "capacity", r["capacity"])
            ok = False
        elif (value := float(cleaned)) < 0:
            c.add("negative", n, "capacity", r["capacity"])
            ok = False
        else:
            capacity = value
    except ValueError:
        c.add("required" if not r["capacity"] else "not_a_number", n, "capacity", r["capacity"] or None)
        ok = False
    factor = None
    if not r["capacity_unit"]:
        c.add("required", n, "capacity_unit")
        ok = False
    else:
        try:
            factor = units.conversion_factor(r["capacity_unit"], "t/a")
        except UnitError as exc:
            for p in exc.problems:
                c.add(p.code, n, "capacity_unit", r["capacity_unit"], **dict(p.fields))
            ok = False
    status = LineStatus.EXISTING
    if r.get("status"):
        s = LINE_STATUS_ALIASES.get(r["status"].strip().lower())
        if s is None:
            c.add(
                "bad_enum",
                n,
                "status",
                r["status"],
                allowed="existing/under_construction/planned/在产/在建/拟建",
            )
            ok = False
        else:
            status = s
    year = None
    if r.get("commissioned"):
        try:
            year = int(float(r["commissioned"]))
            if not 1900 <= year <= 2100:
                raise ValueError(year)
        except ValueError:
            c.add("not_a_number", n, "commissioned", r["commissioned"])
            ok = False
    product = None
    if r.get("product"):
        product = refdata.resolve("sector/products", r["product"]) or r["product"].strip()
        bad = check_product_of_route(product, route, column="product", shown=r["product"], row=n)
        if bad is not None:
            c.put(bad)
            ok = False
    technology = None
    if r.get("technology"):
        technology = resolve_technology(r["technology"]) or r["technology"].strip()
        bad = check_technology(technology, route, column="technology", shown=r["technology"], row=n)
        if bad is not None:
            c.put(bad)
            ok = False
    if not ok or capacity is None or factor is None or metal is None or route is None:
        return None
    return ent, LineCreate(
        code=r["line_code"],
        name_zh=r["name_zh"],
        name_en=r.get("name_en", ""),
        metal=metal,
        route=route,
        capacity_t_per_a=capacity * factor,
        status=status,
        commissioned_year=year,
        product=product,
        technology=technology,
    )


def parse_register(
    enterprises: Table,
    lines: Table | None = None,
    *,
    known_codes: frozenset[str] = frozenset(),
    demo: bool = False,
) -> list[EnterpriseCreate]:
    """Validate the register tables and return one :class:`EnterpriseCreate` per row.

    *known_codes* are credit codes already stored, which new rows may not repeat; lines
    must belong to an enterprise of the same import. Raises :class:`InputError` listing
    every problem.
    """
    ec = _Collector(enterprises)
    seen: dict[str, int] = {}
    parsed: list[tuple[int, dict[str, Any]]] = []
    for n, r in enterprises.rows:
        rec = _enterprise_row(ec, n, r, seen)
        if rec is not None and rec["credit_code"] in known_codes:
            ec.add("exists", n, "credit_code", rec["credit_code"])
            rec = None
        if rec is not None:
            parsed.append((n, rec))
    problems = list(ec.problems)
    by_ent: dict[str, list[LineCreate]] = defaultdict(list)
    if lines is not None:
        lc = _Collector(lines)
        line_seen: dict[tuple[str, str], int] = {}
        for n, r in lines.rows:
            got = _line_row(lc, n, r)
            if got is None:
                continue
            ent, line = got
            if ent not in seen:
                lc.add("unknown_enterprise", n, "enterprise", ent)
                continue
            key = (ent, line.code)
            if key in line_seen:
                lc.add("duplicate", n, "line_code", line.code, first_row=line_seen[key])
                continue
            line_seen[key] = n
            by_ent[ent].append(line)
        problems.extend(lc.problems)
    if problems:
        raise InputError(problems)
    out = []
    for _n, rec in parsed:
        ls = tuple(by_ent.get(rec["credit_code"], ()))
        rec["metals"] = tuple(sorted(set(rec["metals"]) | {ln.metal for ln in ls}))
        out.append(EnterpriseCreate(**rec, lines=ls, is_demo=demo))
    return out
