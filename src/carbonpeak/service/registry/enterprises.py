"""The enterprise register: enterprises and production lines, scoped and audited."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from carbonpeak import refdata
from carbonpeak.errors import Conflict, InputError, NotFound, PermissionDenied, Problem
from carbonpeak.io.register import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_OPTIONAL,
    LINE_COLUMNS,
    LINE_OPTIONAL,
    parse_register,
)
from carbonpeak.io.tabular import Table, read_rows
from carbonpeak.model import Action, LineStatus
from carbonpeak.model.schemas import (
    EnterpriseCreate,
    EnterprisePublic,
    EnterpriseUpdate,
    LineCreate,
    LinePublic,
)
from carbonpeak.refdata.register_rules import (
    check_credit_code,
    check_park_in_city,
    check_product_of_route,
    check_route_of_metal,
    check_technology,
    resolve_technology,
)
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.service.registry.deactivation import history_of
from carbonpeak.store.models import Enterprise, EnterpriseMetal, ProductionLine
from carbonpeak.store.scope import allowed, enterprise_scope, restrict

__all__ = [
    "create_enterprise",
    "delete_enterprise",
    "enterprise_id_by_code",
    "get_enterprise",
    "import_register",
    "list_enterprises",
    "read_register",
    "to_public",
    "update_enterprise",
]


def _line_public(line: ProductionLine) -> LinePublic:
    return LinePublic(
        id=line.id,
        code=line.code,
        name_zh=line.name_zh,
        name_en=line.name_en,
        metal=line.metal,
        route=line.route,
        capacity_t_per_a=line.capacity_t_per_a,
        status=LineStatus(line.status),
        commissioned_year=line.commissioned_year,
        metal_name_zh=refdata.name("sector/metals", line.metal, "zh") or "",
        metal_name_en=refdata.name("sector/metals", line.metal, "en") or "",
        route_name_zh=refdata.name("sector/process_routes", line.route, "zh") or "",
        route_name_en=refdata.name("sector/process_routes", line.route, "en") or "",
        product=line.product or None,
        technology=line.technology or None,
        product_name_zh=refdata.name("sector/products", line.product or None, "zh") or "",
        product_name_en=refdata.name("sector/products", line.product or None, "en") or "",
    )


def to_public(e: Enterprise, *, with_lines: bool = True) -> EnterprisePublic:
    return EnterprisePublic(
        id=e.id,
        credit_code=e.credit_code,
        name_zh=e.name_zh,
        name_en=e.name_en,
        city_code=e.city_code,
        city_name_zh=refdata.name("geo/cities", e.city_code, "zh") or "",
        city_name_en=refdata.name("geo/cities", e.city_code, "en") or "",
        park_id=e.park_id,
        park_name_zh=refdata.name("geo/parks", e.park_id, "zh"),
        park_name_en=refdata.name("geo/parks", e.park_id, "en"),
        metals=tuple(e.metal_codes),
        above_designated_size=e.above_designated_size,
        is_demo=e.is_demo,
        deactivated_at=e.deactivated_at,
        capacity_t_per_a=sum(ln.capacity_t_per_a for ln in e.lines if ln.status == LineStatus.EXISTING),
        lines=tuple(_line_public(ln) for ln in e.lines) if with_lines else (),
    )


def list_enterprises(
    ctx: Context,
    *,
    city: str | None = None,
    metal: str | None = None,
    park: str | None = None,
    q: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[EnterprisePublic]:
    """Enterprises the caller may see, filtered by city, metal, park or a name/code search."""
    stmt = restrict(select(Enterprise), ctx.principal, Action.VIEW)
    if city:
        stmt = stmt.where(Enterprise.city_code == (refdata.resolve("geo/cities", city) or city))
    if park:
        stmt = stmt.where(Enterprise.park_id == (refdata.resolve("geo/parks", park) or park))
    if metal:
        mid = refdata.resolve("sector/metals", metal) or metal
        stmt = stmt.where(
            Enterprise.id.in_(select(EnterpriseMetal.enterprise_id).where(EnterpriseMetal.metal == mid))
        )
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(
                Enterprise.name_zh.like(like),
                Enterprise.name_en.like(like),
                Enterprise.credit_code.like(like),
            )
        )
    stmt = stmt.order_by(Enterprise.city_code, Enterprise.name_zh).limit(limit).offset(offset)
    return [to_public(e, with_lines=False) for e in ctx.db.execute(stmt).scalars()]


def _get(db: Session, ctx: Context, enterprise_id: int, action: Action) -> Enterprise:
    stmt = restrict(select(Enterprise).where(Enterprise.id == enterprise_id), ctx.principal, Action.VIEW)
    ent = db.execute(stmt).scalar_one_or_none()
    if ent is None:
        raise NotFound(object="enterprise", key=enterprise_id)
    if action is not Action.VIEW:
        ok = db.execute(
            select(Enterprise.id).where(
                Enterprise.id == enterprise_id, enterprise_scope(ctx.principal, action)
            )
        ).first()
        if not ok:
            raise PermissionDenied(role=str(ctx.principal.role), action=f"enterprise.{action}")
    return ent


def get_enterprise(ctx: Context, enterprise_id: int) -> EnterprisePublic:
    """One enterprise with its lines; NotFound if it does not exist or is out of scope."""
    return to_public(_get(ctx.db, ctx, enterprise_id, Action.VIEW))


def _check(ent: EnterpriseCreate) -> list[Problem]:
    """Domain checks on an already-shaped enterprise (the API path; files use io/register;
    both apply :mod:`carbonpeak.refdata.register_rules`)."""
    found: list[Problem | None] = [check_credit_code(ent.credit_code, column="credit_code")]
    if ent.city_code not in refdata.cities().by_id:
        found.append(Problem("unknown_city", column="city_code", value=ent.city_code))
    if ent.park_id is not None:
        found.append(
            check_park_in_city(
                ent.park_id, ent.city_code, column="park_id", shown=ent.park_id, city_shown=ent.city_code
            )
        )
    metals = refdata.metals().by_id
    found.extend(Problem("unknown_metal", column="metals", value=m) for m in ent.metals if m not in metals)
    seen: set[str] = set()
    for i, ln in enumerate(ent.lines):
        col = f"lines[{i}]"
        if ln.code in seen:
            found.append(Problem("duplicate", column=f"{col}.code", value=ln.code, fields={"first_row": "-"}))
        seen.add(ln.code)
        if ln.metal not in metals:
            found.append(Problem("unknown_metal", column=f"{col}.metal", value=ln.metal))
        found.append(
            check_route_of_metal(
                ln.route, ln.metal, column=f"{col}.route", shown=ln.route, metal_shown=ln.metal
            )
        )
        if ln.product:
            found.append(
                check_product_of_route(
                    _product_id(ln.product), ln.route, column=f"{col}.product", shown=ln.product
                )
            )
        if ln.technology:
            found.append(
                check_technology(
                    _technology_code(ln.technology), ln.route, column=f"{col}.technology", shown=ln.technology
                )
            )
    return [p for p in found if p is not None]


def _product_id(text: str) -> str:
    """The sector/products id *text* names (an id or a name, as the file import reads it)."""
    return refdata.resolve("sector/products", text) or text.strip()


def _technology_code(text: str) -> str:
    """The potline technology code *text* names (CWPB …, PFPB or a Chinese name)."""
    return resolve_technology(text) or text.strip()


def _line_row(ln: LineCreate) -> ProductionLine:
    data = ln.model_dump(mode="json")
    data["product"] = _product_id(ln.product) if ln.product else None
    data["technology"] = _technology_code(ln.technology) if ln.technology else None
    return ProductionLine(**data)


def _can_add_in(ctx: Context, city_code: str) -> bool:
    if not allowed(ctx.principal, Action.ADD):
        return False
    return ctx.principal.city_code in (None, city_code) if ctx.principal.role == "city" else True


def _insert(db: Session, ent: EnterpriseCreate, now: str) -> Enterprise:
    row = Enterprise(
        credit_code=ent.credit_code,
        name_zh=ent.name_zh,
        name_en=ent.name_en,
        city_code=ent.city_code,
        park_id=ent.park_id,
        above_designated_size=ent.above_designated_size,
        is_demo=ent.is_demo,
        created_at=now,
        updated_at=now,
    )
    metals = sorted(set(ent.metals) | {ln.metal for ln in ent.lines})
    row.metals = [EnterpriseMetal(metal=m) for m in metals]
    row.lines = [_line_row(ln) for ln in ent.lines]
    db.add(row)
    return row


def _snapshot(e: Enterprise) -> dict[str, Any]:
    return to_public(e).model_dump(mode="json", exclude={"id"})


@transactional
def create_enterprise(ctx: Context, ent: EnterpriseCreate) -> EnterprisePublic:
    """Register one enterprise with its lines (province, or a city within its own city)."""
    if not _can_add_in(ctx, ent.city_code):
        raise PermissionDenied(role=str(ctx.principal.role), action="enterprise.add")
    problems = _check(ent)
    if problems:
        raise InputError(problems)
    if ctx.db.execute(select(Enterprise.id).where(Enterprise.credit_code == ent.credit_code)).first():
        raise Conflict("exists", value=ent.credit_code)
    row = _insert(ctx.db, ent, audit.now_iso())
    ctx.db.flush()
    out = to_public(row)
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "enterprise.add",
        "enterprise",
        row.id,
        after=out.model_dump(mode="json", exclude={"id"}),
    )
    return out


@transactional
def update_enterprise(
    ctx: Context,
    enterprise_id: int,
    changes: EnterpriseUpdate,
) -> EnterprisePublic:
    row = _get(ctx.db, ctx, enterprise_id, Action.CHANGE)
    before = _snapshot(row)
    data = changes.model_dump(exclude_unset=True)
    nulls = [k for k in ("name_zh", "name_en", "above_designated_size") if k in data and data[k] is None]
    if nulls:  # only a park may be removed (null); the others are required
        raise InputError([Problem("required", column=k) for k in nulls])
    if "park_id" in data and data["park_id"] is not None:
        park = refdata.parks().by_id.get(data["park_id"])
        if park is None or park["city_id"] != row.city_code:
            raise InputError(
                [
                    Problem(
                        "unknown_park" if park is None else "park_city_mismatch",
                        column="park_id",
                        value=data["park_id"],
                        fields={"city": row.city_code},
                    )
                ]
            )
    for key, value in data.items():
        setattr(row, key, value)
    row.updated_at = audit.now_iso()
    ctx.db.flush()
    out = to_public(row)
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "enterprise.change",
        "enterprise",
        row.id,
        before=before,
        after=_snapshot(row),
    )
    return out


@transactional
def delete_enterprise(ctx: Context, enterprise_id: int) -> str:
    """Delete an enterprise without history; deactivate one with history (recoverable, see
    :mod:`carbonpeak.service.registry.deactivation`). Returns ``"deleted"`` or ``"deactivated"``."""
    row = _get(ctx.db, ctx, enterprise_id, Action.DELETE)
    before = _snapshot(row)
    history = history_of(ctx.db, row.id)
    if history:
        row.deactivated_at = row.updated_at = audit.now_iso()
        audit.record(
            ctx.db,
            ctx.principal,
            ctx.request_id,
            "enterprise.deactivate",
            "enterprise",
            enterprise_id,
            before={"credit_code": row.credit_code, "deactivated_at": None},
            after={"credit_code": row.credit_code, "deactivated_at": row.deactivated_at, "history": history},
        )
        return "deactivated"
    ctx.db.delete(row)
    audit.record(
        ctx.db, ctx.principal, ctx.request_id, "enterprise.delete", "enterprise", enterprise_id, before=before
    )
    return "deleted"


@transactional
def import_register(
    ctx: Context, enterprises: Table, lines: Table | None = None, *, demo: bool = False
) -> list[EnterprisePublic]:
    """Import enterprises (and their lines) all-or-nothing.

    Every row is validated first; any problem raises :class:`InputError` listing all of
    them and nothing is written. A city user may only import enterprises of its city.
    """
    if not allowed(ctx.principal, Action.ADD):
        raise PermissionDenied(role=str(ctx.principal.role), action="enterprise.import")
    codes = [r["credit_code"].upper() for _n, r in enterprises.rows if r["credit_code"]]
    known: set[str] = set()
    for chunk in _chunks(codes, 500):
        known.update(
            ctx.db.execute(select(Enterprise.credit_code).where(Enterprise.credit_code.in_(chunk))).scalars()
        )
    parsed = parse_register(enterprises, lines, known_codes=frozenset(known), demo=demo)
    outside = [
        Problem(
            "permission_denied",
            column="city",
            value=e.city_code,
            fields={"role": str(ctx.principal.role), "action": "enterprise.add"},
        )
        for e in parsed
        if not _can_add_in(ctx, e.city_code)
    ]
    if outside:
        raise InputError(outside)
    now = audit.now_iso()
    rows = [_insert(ctx.db, e, now) for e in parsed]
    ctx.db.flush()
    out = [to_public(r) for r in rows]
    for r, pub in zip(rows, out, strict=True):
        audit.record(
            ctx.db,
            ctx.principal,
            ctx.request_id,
            "enterprise.import",
            "enterprise",
            r.id,
            after=pub.model_dump(mode="json", exclude={"id"}),
        )
    return out


def _chunks(seq: Sequence[str], n: int) -> list[Sequence[str]]:
    return [seq[i : i + n] for i in range(0, len(seq), n)]


def count_enterprises(db: Session) -> int:
    return int(db.execute(select(func.count(Enterprise.id))).scalar_one())


def read_register(
    enterprises: bytes, enterprises_name: str, lines: bytes | None = None, lines_name: str = ""
) -> tuple[Table, Table | None]:
    """Read a register file (CSV/XLSX) and, if given, its production-lines file, ready for
    :func:`import_register`; a missing column or an unreadable file is an ``InputError``."""
    ents = read_rows(enterprises, enterprises_name, ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL)
    line_table = read_rows(lines, lines_name, LINE_COLUMNS, LINE_OPTIONAL) if lines is not None else None
    return ents, line_table


def enterprise_id_by_code(ctx: Context, credit_code: str) -> int:
    """The id of the enterprise with *credit_code* (any case, surrounding blanks ignored).

    The lookup is the console's (``system``); raises :class:`NotFound` if there is none.
    """
    ent_id = ctx.db.execute(
        select(Enterprise.id).where(Enterprise.credit_code == credit_code.strip().upper())
    ).scalar_one_or_none()
    if ent_id is None:
        raise NotFound(object="enterprise", key=credit_code)
    return int(ent_id)
