"""The project register (plan task 4): smelting projects by city and metal, with status history.

A project is its own table, not a production line: it is a proposal or a decision about
capacity (a new plant, an expansion, or a closure/exit of existing capacity) that moves
through the authorities' steps::

    planned ──► approved ──► under_construction ──► commissioned ──► closed
       │            │                 │
       └────────────┴─────────────────┴──► cancelled
    (closure projects: planned ──► approved ──► closed)

Every move is a :class:`~carbonpeak.store.models.ProjectStatusChange` (from, to, effective
date, who, why) and an audit event. When a new or expansion project of a registered
enterprise is commissioned, it becomes a production line of that enterprise (status
``existing``, ``commissioned_year`` = the year of the effective date) and the project points
at it (``line_id``), so its capacity is counted once.

Scope (enforced in the query by :func:`project_scope`):

========== =============================== ===================================== ==========
role       view                            add                                   status
========== =============================== ===================================== ==========
province   every project                   any                                   any
city       projects in its city            in its city                           its city
enterprise its own enterprises' projects   proposals (``planned``) for its own   no
verifier   its assigned enterprises'       no                                    no
public     none                            no                                    no
========== =============================== ===================================== ==========

:func:`capacity_changes` is the scenarios' view of the register: capacity additions and
exits by metal, route, city and year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import pandas as pd
from pydantic import Field
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from carbonpeak import catalogue, refdata, units
from carbonpeak.errors import InputError, NotFound, PermissionDenied, Problem, UnitError
from carbonpeak.io.tabular import Table
from carbonpeak.model import Action, LineStatus, Principal, Role
from carbonpeak.model.schemas import TextSafeModel
from carbonpeak.refdata.register_rules import check_park_in_city, check_route_of_metal
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.store.models import Enterprise, ProductionLine, Project, ProjectStatusChange
from carbonpeak.store.scope import enterprise_scope, restrict

__all__ = [
    "CAPACITY_CHANGE_COLUMNS",
    "KIND_NAMES",
    "PROJECT_COLUMNS",
    "PROJECT_KINDS",
    "PROJECT_OPTIONAL",
    "PROJECT_STATUSES",
    "STATUS_NAMES",
    "TRANSITIONS",
    "ProjectCreate",
    "ProjectUpdate",
    "capacity_changes",
    "change_status",
    "create_project",
    "delete_project",
    "get_project",
    "import_projects",
    "list_projects",
    "project_scope",
    "update_project",
]

PROJECT_STATUSES = ("planned", "approved", "under_construction", "commissioned", "closed", "cancelled")
#: From catalogue/project_states.toml (key -> zh, en); new entries go there.
STATUS_NAMES: dict[str, tuple[str, str]] = catalogue.pairs("project_states")
PROJECT_KINDS = ("new", "expansion", "closure")
#: From catalogue/project_kinds.toml (key -> zh, en); new entries go there.
KIND_NAMES: dict[str, tuple[str, str]] = catalogue.pairs("project_kinds")
#: Allowed moves: status → the statuses it may go to (per kind family).
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "build": {
        "planned": frozenset({"approved", "cancelled"}),
        "approved": frozenset({"under_construction", "cancelled"}),
        "under_construction": frozenset({"commissioned", "cancelled"}),
        "commissioned": frozenset({"closed"}),
        "closed": frozenset(),
        "cancelled": frozenset(),
    },
    "closure": {
        "planned": frozenset({"approved", "cancelled"}),
        "approved": frozenset({"closed", "cancelled"}),
        "closed": frozenset(),
        "cancelled": frozenset(),
    },
}

#: The file format (CSV/XLSX) of :func:`import_projects`.
PROJECT_COLUMNS = ("code", "name_zh", "city", "metal", "route", "kind", "capacity", "capacity_unit")
PROJECT_OPTIONAL = ("name_en", "enterprise", "park", "expected_year", "history", "note")
#: Columns of :func:`capacity_changes` (the contract with the scenarios engine).
CAPACITY_CHANGE_COLUMNS = ["metal", "route", "city_code", "year", "capacity_t"]


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _family(kind: str) -> str:
    return "closure" if kind == "closure" else "build"


class ProjectCreate(TextSafeModel):
    """A project as the API and CLI submit it; ``history`` defaults to one step into
    ``status`` on ``effective_date`` (today)."""

    code: str = Field(min_length=1, max_length=32)
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = ""
    enterprise: str | None = None  # credit code
    city_code: str
    park_id: str | None = None
    metal: str
    route: str
    kind: str = "new"
    capacity_t_per_a: float = Field(gt=0)
    status: str = "planned"
    effective_date: str | None = None
    expected_year: int | None = Field(default=None, ge=1950, le=2100)
    note: str = ""
    is_demo: bool = False


class ProjectUpdate(TextSafeModel):
    name_zh: str | None = None
    name_en: str | None = None
    capacity_t_per_a: float | None = Field(default=None, gt=0)
    expected_year: int | None = Field(default=None, ge=1950, le=2100)
    note: str | None = None


# --- scope -----------------------------------------------------------------------------------


def project_scope(principal: Principal, action: Action) -> ColumnElement[bool]:
    """The WHERE clause selecting the projects *principal* may *action* (table in the
    module docstring); a deactivated enterprise's projects are in nobody's scope (they stay
    in the store and come back with the enterprise)."""
    deactivated = select(Enterprise.id).where(Enterprise.deactivated_at.is_not(None))
    active = or_(Project.enterprise_id.is_(None), Project.enterprise_id.not_in(deactivated))
    return and_(_role_scope(principal, action), active)


def _role_scope(principal: Principal, action: Action) -> ColumnElement[bool]:
    role = principal.role
    if not principal.is_authenticated or role is Role.PUBLIC:
        return false()
    if role is Role.PROVINCE:
        return true()
    if role is Role.CITY:
        if not principal.city_code or action is Action.DELETE:
            return false()
        return Project.city_code == principal.city_code
    if role is Role.ENTERPRISE and action in (Action.VIEW, Action.ADD):
        ids = select(Enterprise.id).where(enterprise_scope(principal, Action.VIEW))
        return Project.enterprise_id.in_(ids)
    if role is Role.VERIFIER and action is Action.VIEW:
        ids = select(Enterprise.id).where(enterprise_scope(principal, Action.VIEW))
        return Project.enterprise_id.in_(ids)
    return false()


def _restrict(stmt: Select[Any], principal: Principal, action: Action = Action.VIEW) -> Select[Any]:
    return stmt.where(project_scope(principal, action))


def _may_add(principal: Principal, city: str, enterprise_id: int | None, status: str) -> bool:
    role = principal.role
    if role is Role.PROVINCE:
        return True
    if role is Role.CITY:
        return principal.city_code == city
    if role is Role.ENTERPRISE:
        return enterprise_id is not None and enterprise_id in principal.enterprise_ids and status == "planned"
    return False


# --- read ------------------------------------------------------------------------------------


def _public(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "code": p.code,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "enterprise_id": p.enterprise_id,
        "city_code": p.city_code,
        "city_name_zh": refdata.name("geo/cities", p.city_code, "zh") or "",
        "city_name_en": refdata.name("geo/cities", p.city_code, "en") or "",
        "park_id": p.park_id,
        "metal": p.metal,
        "route": p.route,
        "kind": p.kind,
        "kind_zh": KIND_NAMES[p.kind][0],
        "kind_en": KIND_NAMES[p.kind][1],
        "capacity_t_per_a": p.capacity_t_per_a,
        "status": p.status,
        "status_zh": STATUS_NAMES[p.status][0],
        "status_en": STATUS_NAMES[p.status][1],
        "expected_year": p.expected_year,
        "line_id": p.line_id,
        "note": p.note,
        "is_demo": p.is_demo,
        "history": [
            {
                "from_status": h.from_status,
                "to_status": h.to_status,
                "effective_date": h.effective_date,
                "actor": h.actor,
                "comment": h.comment,
            }
            for h in p.history
        ],
    }


def list_projects(
    ctx: Context, *, city: str | None = None, metal: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Projects in the caller's scope, newest code last, optionally filtered."""
    stmt = _restrict(select(Project), ctx.principal)
    if city:
        stmt = stmt.where(Project.city_code == (refdata.resolve("geo/cities", city) or city))
    if metal:
        stmt = stmt.where(Project.metal == (refdata.resolve("sector/metals", metal) or metal))
    if status:
        stmt = stmt.where(Project.status == status)
    return [_public(p) for p in ctx.db.execute(stmt.order_by(Project.city_code, Project.code)).scalars()]


def _get(ctx: Context, project_id: int, action: Action) -> Project:
    row = ctx.db.execute(
        _restrict(select(Project).where(Project.id == project_id), ctx.principal)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(object="project", key=project_id)
    if action is not Action.VIEW:
        ok = ctx.db.execute(
            select(Project.id).where(Project.id == project_id, project_scope(ctx.principal, action))
        ).first()
        if not ok:
            raise PermissionDenied(role=str(ctx.principal.role), action=f"project.{action}")
    out: Project = row
    return out


def get_project(ctx: Context, project_id: int) -> dict[str, Any]:
    """One project with its status history; NotFound when absent or out of scope."""
    return _public(_get(ctx, project_id, Action.VIEW))


# --- validation ------------------------------------------------------------------------------


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        return None


def _check_history(kind: str, steps: list[tuple[str, str]], *, column: str, row: int | None) -> list[Problem]:
    """A history must start anywhere in the flow and follow :data:`TRANSITIONS`, dates not
    going backwards."""
    out: list[Problem] = []
    flow = TRANSITIONS[_family(kind)]
    prev: str | None = None
    prev_date: dt.date | None = None
    for status, when in steps:
        d = _date(when)
        if status not in flow:
            out.append(
                Problem("bad_enum", column=column, value=status, row=row, fields={"allowed": ", ".join(flow)})
            )
            return out
        if d is None:
            out.append(Problem("bad_date", column=column, value=when, row=row))
            return out
        if prev is not None and status not in flow[prev]:
            out.append(
                Problem(
                    "project_bad_transition",
                    column=column,
                    value=f"{prev} → {status}",
                    row=row,
                    fields={"allowed": ", ".join(sorted(flow[prev])) or "-"},
                )
            )
        if prev_date is not None and d < prev_date:
            out.append(Problem("project_date_order", column=column, value=when, row=row))
        prev, prev_date = status, d
    return out


def _check(
    data: ProjectCreate, steps: list[tuple[str, str]], *, row: int | None = None
) -> tuple[list[Problem], str | None, str | None]:
    """Domain checks; returns (problems, resolved metal, resolved route)."""
    p: list[Problem] = []
    if data.kind not in PROJECT_KINDS:
        p.append(
            Problem(
                "bad_enum",
                column="kind",
                value=data.kind,
                row=row,
                fields={"allowed": ", ".join(PROJECT_KINDS)},
            )
        )
    if data.city_code not in refdata.cities().by_id:
        p.append(Problem("unknown_city", column="city", value=data.city_code, row=row))
    if data.park_id:
        bad = check_park_in_city(
            data.park_id,
            data.city_code,
            column="park",
            shown=data.park_id,
            city_shown=data.city_code,
            row=row,
        )
        if bad is not None:
            p.append(bad)
    metal = refdata.resolve("sector/metals", data.metal)
    if metal is None:
        p.append(Problem("unknown_metal", column="metal", value=data.metal, row=row))
    route = refdata.resolve("sector/process_routes", data.route)
    bad = check_route_of_metal(
        route or "", metal, column="route", shown=data.route, metal_shown=data.metal, row=row
    )
    if bad is not None:
        p.append(bad)
    if data.kind in PROJECT_KINDS:
        p.extend(_check_history(data.kind, steps, column="history", row=row))
    return p, metal, route


def _enterprise_id(ctx: Context, code: str | None, city: str | None = None) -> int | None:
    """The id of the enterprise *code* if the caller may change it (and, with *city*, it is in
    that city); else None — an enterprise outside the caller's scope reads exactly like an
    unknown one, so the answer tells nothing of another city's register."""
    if not code:
        return None
    stmt = restrict(
        select(Enterprise.id).where(Enterprise.credit_code == code.upper()), ctx.principal, Action.CHANGE
    )
    if city is not None:
        stmt = stmt.where(Enterprise.city_code == city)
    return ctx.db.execute(stmt).scalar()


def _insert(
    ctx: Context,
    data: ProjectCreate,
    ent_id: int | None,
    metal: str,
    route: str,
    steps: list[tuple[str, str]],
) -> Project:
    now = audit.now_iso()
    row = Project(
        code=data.code,
        name_zh=data.name_zh,
        name_en=data.name_en,
        enterprise_id=ent_id,
        city_code=data.city_code,
        park_id=data.park_id or None,
        metal=metal,
        route=route,
        kind=data.kind,
        capacity_t_per_a=float(data.capacity_t_per_a),
        status=steps[-1][0],
        expected_year=data.expected_year,
        note=data.note,
        is_demo=data.is_demo,
        created_at=now,
        updated_at=now,
    )
    prev: str | None = None
    for status, when in steps:
        row.history.append(
            ProjectStatusChange(
                from_status=prev,
                to_status=status,
                effective_date=str(when),
                actor=ctx.principal.username,
                comment="",
                created_at=now,
            )
        )
        prev = status
    ctx.db.add(row)
    return row


# --- write -----------------------------------------------------------------------------------


@transactional
def create_project(ctx: Context, data: ProjectCreate) -> dict[str, Any]:
    """Register one project (its history: one step into ``status`` on ``effective_date``)."""
    ent_id = _enterprise_id(ctx, data.enterprise, data.city_code)
    if not _may_add(ctx.principal, data.city_code, ent_id, data.status):
        raise PermissionDenied(role=str(ctx.principal.role), action="project.add")
    when = data.effective_date or _today()
    steps = [(data.status, when)]
    problems, metal, route = _check(data, steps)
    if data.enterprise and ent_id is None:
        problems.append(Problem("unknown_enterprise", column="enterprise", value=data.enterprise))
    if ctx.db.execute(select(Project.id).where(Project.code == data.code)).first():
        problems.append(Problem("exists", column="code", value=data.code))
    if problems or metal is None or route is None:
        raise InputError(problems)
    row = _insert(ctx, data, ent_id, metal, route, steps)
    ctx.db.flush()
    out = _public(row)
    audit.record(ctx.db, ctx.principal, ctx.request_id, "project.add", "project", row.id, after=out)
    return out


@transactional
def update_project(ctx: Context, project_id: int, changes: ProjectUpdate) -> dict[str, Any]:
    """Change a project's names, capacity, expected year or note (status: :func:`change_status`)."""
    row = _get(ctx, project_id, Action.CHANGE)
    before = _public(row)
    for key, value in changes.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, key, value)
    row.updated_at = audit.now_iso()
    ctx.db.flush()
    out = _public(row)
    audit.record(
        ctx.db, ctx.principal, ctx.request_id, "project.change", "project", row.id, before=before, after=out
    )
    return out


@transactional
def change_status(
    ctx: Context, project_id: int, to_status: str, effective_date: str | None = None, comment: str = ""
) -> dict[str, Any]:
    """Move a project one step (:data:`TRANSITIONS`); a commissioned new/expansion project of
    a registered enterprise becomes one of its production lines."""
    row = _get(ctx, project_id, Action.CHANGE)
    before = _public(row)
    when = effective_date or _today()
    last = row.history[-1].effective_date if row.history else None
    steps = [(row.status, last or when), (to_status, when)]
    problems = _check_history(row.kind, steps, column="status", row=None)
    if problems:
        raise InputError(problems)
    row.history.append(
        ProjectStatusChange(
            from_status=row.status,
            to_status=to_status,
            effective_date=when,
            actor=ctx.principal.username,
            comment=comment,
            created_at=audit.now_iso(),
        )
    )
    row.status = to_status
    row.updated_at = audit.now_iso()
    if to_status == "commissioned" and row.enterprise_id is not None and row.line_id is None:
        line = ProductionLine(
            enterprise_id=row.enterprise_id,
            code=f"P{row.id:05d}"[:32],
            name_zh=row.name_zh,
            name_en=row.name_en,
            metal=row.metal,
            route=row.route,
            capacity_t_per_a=row.capacity_t_per_a,
            status=LineStatus.EXISTING.value,
            commissioned_year=int(when[:4]),
        )
        ctx.db.add(line)
        ctx.db.flush()
        row.line_id = line.id
    ctx.db.flush()
    out = _public(row)
    audit.record(
        ctx.db, ctx.principal, ctx.request_id, "project.status", "project", row.id, before=before, after=out
    )
    return out


@transactional
def delete_project(ctx: Context, project_id: int) -> None:
    """Remove a project from the register (province only)."""
    row = _get(ctx, project_id, Action.DELETE)
    before = _public(row)
    ctx.db.delete(row)
    audit.record(
        ctx.db, ctx.principal, ctx.request_id, "project.delete", "project", project_id, before=before
    )


def _parse_history(text: str) -> list[tuple[str, str]]:
    """``planned@2021-03-01; approved@2022-06-30`` → [(status, date), …]."""
    out = []
    for part in text.replace("；", ";").split(";"):
        if part.strip():
            status, _, when = part.strip().partition("@")
            out.append((status.strip(), when.strip()))
    return out


@transactional
def import_projects(ctx: Context, table: Table, *, demo: bool = False) -> list[dict[str, Any]]:
    """Import projects from a :func:`carbonpeak.io.tabular.read_rows` table, all-or-nothing.

    Columns :data:`PROJECT_COLUMNS` (+ :data:`PROJECT_OPTIONAL`); ``capacity`` in any capacity
    unit (万t/a, t/a…); ``history`` as ``status@YYYY-MM-DD;…`` (default ``planned@today``).
    Every row is checked first; any problem raises :class:`InputError` with all of them,
    located (file, sheet, row, column, value), and nothing is written.
    """
    problems: list[Problem] = []
    todo: list[tuple[ProjectCreate, int | None, str, str, list[tuple[str, str]]]] = []
    known = set(ctx.db.execute(select(Project.code)).scalars())
    seen: dict[str, int] = {}
    codes = {r["enterprise"].upper() for _n, r in table.rows if r.get("enterprise")}
    ents: dict[str, int] = {}
    for c, i in ctx.db.execute(
        select(Enterprise.credit_code, Enterprise.id).where(Enterprise.credit_code.in_(codes))
    ).all():
        ents[c] = i
    for n, r in table.rows:
        row_problems: list[Problem] = []
        for col in PROJECT_COLUMNS:
            if not r.get(col):
                row_problems.append(Problem("required", column=col, row=n))
        code = r.get("code", "")
        if code in known:
            row_problems.append(Problem("exists", column="code", value=code, row=n))
        elif code in seen:
            row_problems.append(
                Problem("duplicate", column="code", value=code, row=n, fields={"first_row": seen[code]})
            )
        seen.setdefault(code, n)
        cap = None
        try:
            cap = float(r.get("capacity", "").replace(",", "")) * units.conversion_factor(
                r.get("capacity_unit", "") or "t/a", "t/a"
            )
            if cap <= 0:
                row_problems.append(
                    Problem("must_be_positive", column="capacity", value=r["capacity"], row=n)
                )
        except UnitError as e:
            row_problems.extend(
                Problem(p.code, column="capacity_unit", value=r.get("capacity_unit"), row=n, fields=p.fields)
                for p in e.problems
            )
        except ValueError:
            if r.get("capacity"):
                row_problems.append(Problem("not_a_number", column="capacity", value=r["capacity"], row=n))
        year = None
        if r.get("expected_year"):
            try:
                year = int(r["expected_year"])
            except ValueError:
                row_problems.append(
                    Problem("not_a_number", column="expected_year", value=r["expected_year"], row=n)
                )
        ent_code = (r.get("enterprise") or "").upper()
        ent_id = ents.get(ent_code) if ent_code else None
        if ent_code and ent_id is None:
            row_problems.append(Problem("unknown_enterprise", column="enterprise", value=ent_code, row=n))
        city = refdata.resolve("geo/cities", r.get("city", "")) or r.get("city", "")
        park = (refdata.resolve("geo/parks", r["park"]) or r["park"]) if r.get("park") else None
        steps = _parse_history(r.get("history") or "") or [("planned", _today())]
        if row_problems or cap is None:
            problems.extend(row_problems)
            continue
        data = ProjectCreate(
            code=code,
            name_zh=r["name_zh"],
            name_en=r.get("name_en", ""),
            enterprise=ent_code or None,
            city_code=city,
            park_id=park,
            metal=r["metal"],
            route=r["route"],
            kind=r["kind"],
            capacity_t_per_a=cap,
            expected_year=year,
            note=r.get("note", ""),
            is_demo=demo,
        )
        found, metal, route = _check(data, steps, row=n)
        if not _may_add(ctx.principal, city, ent_id, steps[-1][0]):
            found.append(
                Problem(
                    "permission_denied",
                    column="city",
                    value=city,
                    row=n,
                    fields={"role": str(ctx.principal.role), "action": "project.import"},
                )
            )
        problems.extend(found)
        if not found and metal and route:
            todo.append((data, ent_id, metal, route, steps))
    if problems:
        raise InputError([_locate(p, table) for p in problems])
    rows = [_insert(ctx, d, e, m, rt, s) for d, e, m, rt, s in todo]
    ctx.db.flush()
    out = [_public(p) for p in rows]
    for p, pub in zip(rows, out, strict=True):
        audit.record(ctx.db, ctx.principal, ctx.request_id, "project.import", "project", p.id, after=pub)
    return out


def _locate(p: Problem, table: Table) -> Problem:
    return replace(p, file=table.file, sheet=table.sheet)


# --- the scenarios' view -----------------------------------------------------------------------


def _year_of(history: Iterable[ProjectStatusChange], status: str) -> int | None:
    for h in history:
        if h.to_status == status:
            return int(h.effective_date[:4])
    return None


def capacity_changes(ctx: Context) -> pd.DataFrame:
    """Capacity additions and exits in the caller's scope, one row per event.

    Sources and rules:

    * projects of kind ``new``/``expansion`` (not cancelled): ``+capacity`` in the year of
      commissioning (history), else in ``expected_year`` while planned, approved or under
      construction (skipped when that is empty); a commissioned project later closed adds
      ``−capacity`` in the year of closure;
    * projects of kind ``closure`` (not cancelled): ``−capacity`` in the year of closure
      (history), else in ``expected_year``;
    * production lines ``under_construction`` or ``planned`` that no project points at:
      ``+capacity`` in ``commissioned_year`` (skipped when empty). Existing lines are the
      stock, not changes.

    Returns
    -------
    DataFrame
        :data:`CAPACITY_CHANGE_COLUMNS`: ``metal``, ``route``, ``city_code``, ``year`` [a],
        ``capacity_t`` [t/a; positive = added that year, negative = exit], sorted by year,
        city, metal, route.
    """
    recs: list[tuple[str, str, str, int, float]] = []
    linked: set[int] = set()
    for p in ctx.db.execute(_restrict(select(Project), ctx.principal)).scalars():
        if p.line_id is not None:
            linked.add(p.line_id)
        if p.status == "cancelled":
            continue
        key = (p.metal, p.route, p.city_code)
        if p.kind == "closure":
            year = _year_of(p.history, "closed") if p.status == "closed" else p.expected_year
            if year is not None:
                recs.append((*key, year, -p.capacity_t_per_a))
            continue
        start = _year_of(p.history, "commissioned")
        if start is None and p.status in ("planned", "approved", "under_construction"):
            start = p.expected_year
        if start is not None:
            recs.append((*key, start, p.capacity_t_per_a))
        if p.status == "closed":
            end = _year_of(p.history, "closed")
            if end is not None:
                recs.append((*key, end, -p.capacity_t_per_a))
    lines = ctx.db.execute(
        select(ProductionLine, Enterprise.city_code)
        .join(Enterprise, Enterprise.id == ProductionLine.enterprise_id)
        .where(
            enterprise_scope(ctx.principal, Action.VIEW),
            ProductionLine.status.in_((LineStatus.UNDER_CONSTRUCTION.value, LineStatus.PLANNED.value)),
        )
    ).all()
    for line, city in lines:
        if line.id in linked or line.commissioned_year is None:
            continue
        recs.append((line.metal, line.route, city, int(line.commissioned_year), float(line.capacity_t_per_a)))
    frame = pd.DataFrame(recs, columns=CAPACITY_CHANGE_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["capacity_t"] = frame["capacity_t"].astype(float)
    return frame.sort_values(["year", "city_code", "metal", "route"], kind="stable").reset_index(drop=True)
