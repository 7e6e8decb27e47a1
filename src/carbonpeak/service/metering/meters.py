"""The metering system (能源计量体系): register meters by file or API, list them in scope.

Who may (scope in the query, as everywhere: :func:`carbonpeak.store.scope.enterprise_scope`):

============ ================================================================
province     every enterprise's meters: view, register, load readings
city         its city's enterprises
enterprise   its own enterprise(s) — an enterprise runs its own metering system
verifier     view the meters of the enterprises assigned to it
public       nothing
============ ================================================================

An enterprise outside the caller's scope is *unknown* (the same located problem as one that
does not exist). A register import is all-or-nothing: every row is checked (the file's form
in :mod:`carbonpeak.io.meters`, then enterprises, lines and parent meters against the store)
before anything is written; one audit event ``meter.register`` per enterprise, with the codes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from carbonpeak import refdata
from carbonpeak.errors import InputError, NotFound, PermissionDenied, Problem
from carbonpeak.io.meters import MeterSpec, parse_meter_register, read_meter_table
from carbonpeak.io.tabular import Table
from carbonpeak.model import Action, Principal
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.store.models import Enterprise, Meter, MeterLocation, ProductionLine
from carbonpeak.store.scope import allowed, enterprise_scope, scope_clause

__all__ = [
    "MeterRow",
    "get_meter",
    "list_meters",
    "meter_frame",
    "meters_in_scope",
    "read_register",
    "register_meters",
]


@dataclass(frozen=True)
class MeterRow:
    """A meter as the faces show it (units explicit: ``unit`` of the register, ``multiplier``
    the CT/PT ratio, ``interval_s`` seconds)."""

    id: int
    enterprise_id: int
    credit_code: str
    enterprise_name_zh: str
    code: str
    name_zh: str
    name_en: str
    location: str
    carrier: str
    carrier_zh: str
    carrier_en: str
    unit: str
    multiplier: float
    kind: str
    counter_max: float | None
    interval_s: int
    accuracy_class: str
    gb17167_level: str
    line_code: str | None
    parent_code: str | None
    is_demo: bool


def meters_in_scope(principal: Principal, action: Action = Action.VIEW) -> ColumnElement[bool]:
    """SQL: the WHERE clause keeping the meters of enterprises in scope (the store's rule)."""
    return scope_clause(Meter, principal, action)


def read_register(data: bytes, filename: str) -> Table:
    """The meter register file's rows (header checked)."""
    return read_meter_table(data, filename)


def _rows(ctx: Context, where: ColumnElement[bool]) -> list[MeterRow]:
    parent = Meter.__table__.alias("parent_meter")
    stmt = (
        select(
            Meter,
            Enterprise.credit_code,
            Enterprise.name_zh,
            MeterLocation.path,
            ProductionLine.code,
            parent.c.code,
        )
        .join(Enterprise, Enterprise.id == Meter.enterprise_id)
        .join(MeterLocation, MeterLocation.id == Meter.location_id)
        .outerjoin(ProductionLine, ProductionLine.id == Meter.line_id)
        .outerjoin(parent, parent.c.id == Meter.parent_id)
        .where(where)
        .order_by(Enterprise.credit_code, Meter.code)
    )
    items = refdata.load_table("accounting/items").by_id
    out = []
    for m, credit, ent_zh, path, line, parent_code in ctx.db.execute(stmt):
        item = items.get(m.carrier) or {}
        out.append(
            MeterRow(
                id=m.id,
                enterprise_id=m.enterprise_id,
                credit_code=credit,
                enterprise_name_zh=ent_zh,
                code=m.code,
                name_zh=m.name_zh,
                name_en=m.name_en,
                location=path,
                carrier=m.carrier,
                carrier_zh=str(item.get("name_zh", m.carrier)),
                carrier_en=str(item.get("name_en", m.carrier)),
                unit=m.unit,
                multiplier=m.multiplier,
                kind=m.kind,
                counter_max=m.counter_max,
                interval_s=m.interval_s,
                accuracy_class=m.accuracy_class,
                gb17167_level=m.gb17167_level,
                line_code=line,
                parent_code=parent_code,
                is_demo=m.is_demo,
            )
        )
    return out


def list_meters(ctx: Context, enterprise_id: int | None = None) -> list[MeterRow]:
    """The meters in the caller's scope (of one enterprise when given)."""
    if not allowed(ctx.principal, Action.VIEW):
        raise PermissionDenied(role=str(ctx.principal.role), action="meter.view")
    where = meters_in_scope(ctx.principal)
    if enterprise_id is not None:
        where = where & (Meter.enterprise_id == enterprise_id)
    return _rows(ctx, where)


def get_meter(ctx: Context, meter_id: int, action: Action = Action.VIEW) -> MeterRow:
    """One meter in scope for *action*; :class:`NotFound` otherwise (also outside scope)."""
    where = meters_in_scope(ctx.principal, action) & (Meter.id == meter_id)
    got = _rows(ctx, where) if allowed(ctx.principal, action) else []
    if not got:
        raise NotFound(object="meter", key=meter_id)
    return got[0]


def meter_frame(rows: Sequence[MeterRow]) -> pd.DataFrame:
    """The engine's view of *rows*: ``meter_id``, ``kind``, ``multiplier``, ``counter_max``
    (NaN: none), ``interval_s``, ``parent_id`` (0: none), ``code``."""
    by_code = {(r.enterprise_id, r.code): r.id for r in rows}
    return pd.DataFrame(
        {
            "meter_id": pd.Series([r.id for r in rows], dtype="int64"),
            "code": [r.code for r in rows],
            "kind": [r.kind for r in rows],
            "multiplier": pd.Series([r.multiplier for r in rows], dtype=float),
            "counter_max": pd.Series(
                [r.counter_max if r.counter_max is not None else float("nan") for r in rows], dtype=float
            ),
            "interval_s": pd.Series([r.interval_s for r in rows], dtype="int64"),
            "parent_id": pd.Series(
                [by_code.get((r.enterprise_id, r.parent_code or ""), 0) for r in rows], dtype="int64"
            ),
        }
    )


def _location(db: Session, cache: dict[tuple[int, str], int], enterprise_id: int, spec: MeterSpec) -> int:
    """The id of the spec's deepest place (site, workshop, process), made when new."""
    parent: int | None = None
    names: list[str] = []
    for kind, name in (("site", spec.site), ("workshop", spec.workshop), ("process", spec.process)):
        if not name:
            break
        names.append(name)
        path = " / ".join(names)
        key = (enterprise_id, path)
        if key not in cache:
            found = db.execute(
                select(MeterLocation.id).where(
                    MeterLocation.enterprise_id == enterprise_id, MeterLocation.path == path
                )
            ).scalar_one_or_none()
            if found is None:
                loc = MeterLocation(
                    enterprise_id=enterprise_id, parent_id=parent, kind=kind, name=name, path=path
                )
                db.add(loc)
                db.flush()
                found = loc.id
            cache[key] = found
        parent = cache[key]
    assert parent is not None  # noqa: S101 — the site is required
    return parent


@transactional
def register_meters(ctx: Context, table: Table, *, demo: bool = False) -> list[MeterRow]:
    """Register the meters of *table* (a meter register), all-or-nothing; returns them."""
    if not allowed(ctx.principal, Action.CHANGE):
        raise PermissionDenied(role=str(ctx.principal.role), action="meter.register")
    specs = parse_meter_register(table)
    problems: list[Problem] = []

    def add(code: str, spec: MeterSpec, column: str, value: object) -> None:
        problems.append(
            Problem(code, column=column, value=value, row=spec.row, file=table.file, sheet=table.sheet)
        )

    codes = sorted({s.enterprise for s in specs})
    ents = dict(
        ctx.db.execute(
            select(Enterprise.credit_code, Enterprise.id).where(
                Enterprise.credit_code.in_(codes), enterprise_scope(ctx.principal, Action.CHANGE)
            )
        ).all()
    )
    ids = list(ents.values())
    lines = {
        (e, c): i
        for i, e, c in ctx.db.execute(
            select(ProductionLine.id, ProductionLine.enterprise_id, ProductionLine.code).where(
                ProductionLine.enterprise_id.in_(ids)
            )
        )
    }
    stored = {
        (e, c): i
        for i, e, c in ctx.db.execute(
            select(Meter.id, Meter.enterprise_id, Meter.code).where(Meter.enterprise_id.in_(ids))
        )
    }
    new_codes = {(s.enterprise, s.code) for s in specs}
    for s in specs:
        eid = ents.get(s.enterprise)
        if eid is None:
            add("unknown_enterprise", s, "enterprise", s.enterprise)
            continue
        if (eid, s.code) in stored:
            add("exists", s, "meter_code", s.code)
        if s.line_code and (eid, s.line_code) not in lines:
            add("unknown_line", s, "line_code", s.line_code)
        if (
            s.parent_code
            and (s.enterprise, s.parent_code) not in new_codes
            and (eid, s.parent_code) not in stored
        ):
            add("unknown_meter", s, "parent_meter", s.parent_code)
    _check_cycles(specs, add)
    if problems:
        raise InputError(problems)
    now = audit.now_iso()
    cache: dict[tuple[int, str], int] = {}
    made: dict[tuple[int, str], Meter] = {}
    for s in specs:
        eid = ents[s.enterprise]
        m = Meter(
            enterprise_id=eid,
            location_id=_location(ctx.db, cache, eid, s),
            code=s.code,
            name_zh=s.name_zh,
            name_en=s.name_en,
            carrier=s.carrier,
            unit=s.unit,
            multiplier=s.multiplier,
            kind=s.kind,
            counter_max=s.counter_max,
            interval_s=s.interval_s,
            accuracy_class=s.accuracy_class,
            gb17167_level=s.gb17167_level,
            line_id=lines.get((eid, s.line_code)) if s.line_code else None,
            is_demo=demo,
            created_at=now,
            updated_at=now,
        )
        ctx.db.add(m)
        made[(eid, s.code)] = m
    ctx.db.flush()
    for s in specs:
        if s.parent_code:
            eid = ents[s.enterprise]
            parent = made.get((eid, s.parent_code))
            made[(eid, s.code)].parent_id = parent.id if parent is not None else stored[(eid, s.parent_code)]
    ctx.db.flush()
    by_ent: dict[int, list[str]] = defaultdict(list)
    for eid, code in made:
        by_ent[eid].append(code)
    for eid, mcodes in sorted(by_ent.items()):
        audit.record(
            ctx.db,
            ctx.principal,
            ctx.request_id,
            "meter.register",
            "enterprise",
            eid,
            after={"meters": sorted(mcodes), "count": len(mcodes), "file": table.file},
        )
    new_ids = [m.id for m in made.values()]
    return _rows(ctx, Meter.id.in_(new_ids))


def _check_cycles(specs: Sequence[MeterSpec], add: Callable[[str, MeterSpec, str, object], None]) -> None:
    """A parent chain within the import that loops back is a ``meter_cycle`` (located)."""
    parent = {(s.enterprise, s.code): (s.enterprise, s.parent_code) for s in specs if s.parent_code}
    for s in specs:
        seen = {(s.enterprise, s.code)}
        cur = parent.get((s.enterprise, s.code))
        while cur is not None:
            if cur in seen:
                add("meter_cycle", s, "parent_meter", s.parent_code)
                break
            seen.add(cur)
            cur = parent.get(cur)
