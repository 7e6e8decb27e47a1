"""The registries the targets need: green manufacturing, cleaner production, recycled output,
solid waste — scoped, audited, imported from CSV/XLSX all-or-nothing.

Four registries (file formats in ``docs/review.md``; the demo files in ``carbonpeak/demo``):

============== ========================== =====================================================
name           table                      columns of the file
============== ========================== =====================================================
``green``      green_certification        kind (factory/park/supply_chain/design_product),
                                          level (national/provincial), year, certificate_no,
                                          name_zh, [name_en], [enterprise], [park], [city]
``cleaner``    cleaner_production_audit   enterprise, year, level (I/II/III), [certificate_no]
``recycled``   recycled_output            enterprise, year, metal, recycled_output,
                                          total_output, [unit] (mass, default t)
``waste``      solid_waste                enterprise, year, waste (slag/fly_ash/acid_sludge/
                                          tailings), generated, utilised, [unit] (default t)
============== ========================== =====================================================

Scope: province — everything; city — rows of its city's enterprises (and parks of its city);
enterprise — its own rows; verifier — its assigned enterprises' rows (view only); public —
none. Who may import: the province; a city for its city; an enterprise its own
``recycled`` and ``waste`` figures (reported data), not the authorities' lists.
Every imported row is an audit event; a rejected file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, false, select, true

from carbonpeak import catalogue, refdata, units
from carbonpeak.errors import InputError, NotFound, PermissionDenied, Problem, UnitError
from carbonpeak.io.tabular import Table, read_rows
from carbonpeak.model import Action, Principal, Role
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.store.models import (
    Base,
    CleanerProductionAudit,
    Enterprise,
    GreenCertification,
    RecycledOutput,
    SolidWaste,
)
from carbonpeak.store.scope import enterprise_scope

__all__ = [
    "GREEN_KINDS",
    "GREEN_LEVELS",
    "REGISTRIES",
    "WASTE_KINDS",
    "Registry",
    "delete_entry",
    "green_factory_counts",
    "import_registry",
    "list_registry",
    "load_demo_registries",
    "read_registry",
    "recycled_frame",
    "registry",
    "registry_frame",
]

#: From catalogue/registry_green_kinds.toml (key -> zh, en); new entries go there.
GREEN_KINDS: dict[str, tuple[str, str]] = catalogue.pairs("registry_green_kinds")
#: From catalogue/registry_green_levels.toml (key -> zh, en); new entries go there.
GREEN_LEVELS: dict[str, tuple[str, str]] = catalogue.pairs("registry_green_levels")
#: From catalogue/registry_cp_levels.toml (key -> zh, en); new entries go there.
CP_LEVELS: dict[str, tuple[str, str]] = catalogue.pairs("registry_cp_levels")
#: From catalogue/registry_waste_kinds.toml (key -> zh, en); new entries go there.
WASTE_KINDS: dict[str, tuple[str, str]] = catalogue.pairs("registry_waste_kinds")


@dataclass(frozen=True)
class Registry:
    """One registry: its table, file columns and the parser of one file row."""

    name: str
    name_zh: str
    name_en: str
    model: type[Base]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    key: tuple[str, ...]
    enterprise_may_import: bool


#: Registry names, from catalogue/registry_names.toml.
_NAMES = catalogue.pairs("registry_names")
REGISTRIES: dict[str, Registry] = {
    "green": Registry(
        "green",
        *_NAMES["green"],
        GreenCertification,
        ("kind", "level", "year", "certificate_no", "name_zh"),
        ("name_en", "enterprise", "park", "city"),
        ("kind", "level", "certificate_no"),
        False,
    ),
    "cleaner": Registry(
        "cleaner",
        *_NAMES["cleaner"],
        CleanerProductionAudit,
        ("enterprise", "year", "level"),
        ("certificate_no",),
        ("enterprise_id", "year"),
        False,
    ),
    "recycled": Registry(
        "recycled",
        *_NAMES["recycled"],
        RecycledOutput,
        ("enterprise", "year", "metal", "recycled_output", "total_output"),
        ("unit",),
        ("enterprise_id", "year", "metal"),
        True,
    ),
    "waste": Registry(
        "waste",
        *_NAMES["waste"],
        SolidWaste,
        ("enterprise", "year", "waste", "generated", "utilised"),
        ("unit",),
        ("enterprise_id", "year", "waste"),
        True,
    ),
}


def registry(name: str) -> Registry:
    """The registry called *name*; NotFound for another name."""
    return _registry(name)


def _registry(name: str) -> Registry:
    try:
        return REGISTRIES[name]
    except KeyError:
        raise NotFound(object="registry", key=name) from None


# --- scope ------------------------------------------------------------------------------------


def _scope(reg: Registry, principal: Principal, action: Action) -> ColumnElement[bool]:
    m: Any = reg.model
    role = principal.role
    if not principal.is_authenticated or role is Role.PUBLIC:
        return false()
    if role is Role.PROVINCE:
        return true()
    if action is Action.DELETE:
        return false()
    ents = select(Enterprise.id).where(enterprise_scope(principal, Action.VIEW))
    if role is Role.CITY:
        if not principal.city_code:
            return false()
        if reg.name == "green":
            return m.city_code == principal.city_code  # type: ignore[no-any-return]
        return m.enterprise_id.in_(ents)  # type: ignore[no-any-return]
    if role is Role.VERIFIER and action is not Action.VIEW:
        return false()
    if role is Role.ENTERPRISE and action is not Action.VIEW and not reg.enterprise_may_import:
        return false()
    return m.enterprise_id.in_(ents)  # type: ignore[no-any-return]


def _may_write(reg: Registry, principal: Principal, city: str, enterprise_id: int | None) -> bool:
    role = principal.role
    if role is Role.PROVINCE:
        return True
    if role is Role.CITY:
        return principal.city_code == city
    if role is Role.ENTERPRISE:
        return reg.enterprise_may_import and enterprise_id in principal.enterprise_ids
    return False


# --- read -------------------------------------------------------------------------------------


def _row_public(reg: Registry, row: Any, codes: dict[int, tuple[str, str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {c.name: getattr(row, c.name) for c in row.__table__.columns}
    eid = out.get("enterprise_id")
    if eid is not None and eid in codes:
        out["credit_code"], out["enterprise_name_zh"], out["city_code"] = codes[eid]
    if reg.name == "green":
        out["kind_zh"], out["kind_en"] = GREEN_KINDS[row.kind]
        out["level_zh"], out["level_en"] = GREEN_LEVELS[row.level]
    elif reg.name == "cleaner":
        out["level_zh"], out["level_en"] = CP_LEVELS[row.level]
    elif reg.name == "waste":
        out["waste_zh"], out["waste_en"] = WASTE_KINDS[row.waste]
        out["utilisation"] = row.utilised_t / row.generated_t if row.generated_t > 0 else None
    elif reg.name == "recycled":
        out["recycled_share"] = row.recycled_output_t / row.total_output_t if row.total_output_t > 0 else None
    return out


def list_registry(
    ctx: Context, name: str, *, year: int | None = None, city: str | None = None
) -> list[dict[str, Any]]:
    """The rows of registry *name* in the caller's scope, optionally one year / one city."""
    reg = _registry(name)
    m: Any = reg.model
    stmt = select(m).where(_scope(reg, ctx.principal, Action.VIEW))
    if year is not None:
        stmt = stmt.where(m.year == year)
    if city:
        if reg.name == "green":
            stmt = stmt.where(m.city_code == city)
        else:
            stmt = stmt.where(m.enterprise_id.in_(select(Enterprise.id).where(Enterprise.city_code == city)))
    rows = list(ctx.db.execute(stmt.order_by(m.year, m.id)).scalars())
    ids = {r.enterprise_id for r in rows if r.enterprise_id is not None}
    codes = {
        i: (c, n, city_code)
        for i, c, n, city_code in ctx.db.execute(
            select(Enterprise.id, Enterprise.credit_code, Enterprise.name_zh, Enterprise.city_code).where(
                Enterprise.id.in_(ids)
            )
        ).all()
    }
    return [_row_public(reg, r, codes) for r in rows]


def registry_frame(ctx: Context, name: str) -> pd.DataFrame:
    """:func:`list_registry` as a frame (every year, the caller's scope)."""
    return pd.DataFrame(list_registry(ctx, name))


def green_factory_counts(ctx: Context, *, level: str = "national", kind: str = "factory") -> pd.DataFrame:
    """Listings by year and city (``count``) of green-manufacturing *kind* at *level*."""
    f = registry_frame(ctx, "green")
    if f.empty:
        return pd.DataFrame(columns=["year", "city_code", "count"])
    f = f[(f["level"] == level) & (f["kind"] == kind)]
    return f.groupby(["year", "city_code"]).size().rename("count").reset_index()


def recycled_frame(ctx: Context) -> pd.DataFrame:
    """Recycled output by year and metal [t]: ``recycled_output_t``, ``total_output_t``."""
    f = registry_frame(ctx, "recycled")
    if f.empty:
        return pd.DataFrame(columns=["year", "metal", "recycled_output_t", "total_output_t"])
    return f.groupby(["year", "metal"])[["recycled_output_t", "total_output_t"]].sum().reset_index()


@transactional
def delete_entry(ctx: Context, name: str, entry_id: int) -> None:
    """Remove one registry row (province only)."""
    reg = _registry(name)
    m: Any = reg.model
    row = ctx.db.execute(
        select(m).where(m.id == entry_id, _scope(reg, ctx.principal, Action.VIEW))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(object="registry entry", key=entry_id)
    if ctx.principal.role is not Role.PROVINCE:
        raise PermissionDenied(role=str(ctx.principal.role), action=f"registry.{name}.delete")
    before = _row_public(reg, row, {})
    ctx.db.delete(row)
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        f"registry.{name}.delete",
        reg.model.__tablename__,
        entry_id,
        before=before,
    )


# --- import -----------------------------------------------------------------------------------

Add = Callable[..., None]


def _int(r: dict[str, str], col: str, n: int, add: Add, lo: int = 1950, hi: int = 2100) -> int | None:
    try:
        v = int(r[col])
    except ValueError:
        add("not_a_number" if r[col] else "required", n, col, r[col] or None)
        return None
    if not lo <= v <= hi:
        add("out_of_range", n, col, v, low=lo, high=hi)
        return None
    return v


def _mass(r: dict[str, str], col: str, n: int, add: Add, factor: float | None) -> float | None:
    try:
        v = float(r[col].replace(",", ""))
    except ValueError:
        add("not_a_number" if r[col] else "required", n, col, r[col] or None)
        return None
    if v < 0:
        add("negative", n, col, r[col])
        return None
    return None if factor is None else v * factor


def _enum(r: dict[str, str], col: str, n: int, add: Add, allowed: dict[str, tuple[str, str]]) -> str | None:
    v = r[col].strip()
    by_name = {zh: k for k, (zh, _en) in allowed.items()}
    key = v if v in allowed else by_name.get(v)
    if key is None:
        add("bad_enum" if v else "required", n, col, v or None, allowed=", ".join(allowed))
    return key


def _parse_row(
    reg: Registry, n: int, r: dict[str, str], add: Add, ents: dict[str, tuple[int, str, str | None]]
) -> tuple[dict[str, Any], str, int | None] | None:
    """One file row → (model kwargs, city, enterprise id), or None with problems added."""
    ok = True
    ent_id: int | None = None
    city: str | None = None
    code = (r.get("enterprise") or "").strip().upper()
    if code:
        if code not in ents:
            add("unknown_enterprise", n, "enterprise", code)
            ok = False
        else:
            ent_id, city, _park = ents[code]
    elif reg.name != "green":
        add("required", n, "enterprise")
        ok = False
    year = _int(r, "year", n, add)
    kw: dict[str, Any] = {"year": year, "enterprise_id": ent_id}
    if reg.name == "green":
        kw["kind"] = _enum(r, "kind", n, add, GREEN_KINDS)
        kw["level"] = _enum(r, "level", n, add, GREEN_LEVELS)
        for col in ("certificate_no", "name_zh"):
            if not r[col]:
                add("required", n, col)
                ok = False
        kw |= {
            "certificate_no": r["certificate_no"],
            "name_zh": r["name_zh"],
            "name_en": r.get("name_en", ""),
        }
        park = None
        if r.get("park"):
            park = refdata.resolve("geo/parks", r["park"])
            if park is None:
                add("unknown_park", n, "park", r["park"])
                ok = False
        if city is None and park is not None:
            city = str(refdata.parks().by_id[park]["city_id"])
        if r.get("city"):
            given = refdata.resolve("geo/cities", r["city"])
            if given is None:
                add("unknown_city", n, "city", r["city"])
                ok = False
            elif city is not None and given != city:
                add("park_city_mismatch", n, "city", r["city"], city=city)
                ok = False
            city = city or given
        if city is None and ok:
            add("required", n, "city")
            ok = False
        kw |= {"park_id": park, "city_code": city}
    elif reg.name == "cleaner":
        kw["level"] = _enum(r, "level", n, add, CP_LEVELS)
        kw["certificate_no"] = r.get("certificate_no", "")
    else:
        unit = (r.get("unit") or "t").strip()
        factor: float | None
        try:
            factor = units.conversion_factor(unit, "t")
        except UnitError as e:
            for p in e.problems:
                add(p.code, n, "unit", unit, **dict(p.fields))
            factor = None
        if reg.name == "recycled":
            metal = refdata.resolve("sector/metals", r["metal"])
            if metal is None:
                add("unknown_metal" if r["metal"] else "required", n, "metal", r["metal"] or None)
                ok = False
            rec = _mass(r, "recycled_output", n, add, factor)
            tot = _mass(r, "total_output", n, add, factor)
            if rec is not None and tot is not None and rec > tot:
                add(
                    "registry_part_exceeds_total",
                    n,
                    "recycled_output",
                    r["recycled_output"],
                    total=r["total_output"],
                )
                ok = False
            kw |= {"metal": metal, "recycled_output_t": rec, "total_output_t": tot}
        else:
            kw["waste"] = _enum(r, "waste", n, add, WASTE_KINDS)
            gen = _mass(r, "generated", n, add, factor)
            used = _mass(r, "utilised", n, add, factor)
            if gen is not None and used is not None and used > gen:
                add("registry_part_exceeds_total", n, "utilised", r["utilised"], total=r["generated"])
                ok = False
            kw |= {"generated_t": gen, "utilised_t": used}
    if not ok or any(v is None for k, v in kw.items() if k not in ("enterprise_id", "park_id")):
        return None
    return kw, str(city), ent_id


@transactional
def import_registry(ctx: Context, name: str, table: Table, *, demo: bool = False) -> int:
    """Import the rows of *table* into registry *name*, all-or-nothing; return rows added.

    Every row is checked (required cells, numbers, enums, known enterprise, park and city,
    a part not larger than its total, no duplicate key in the file or the store, and the
    caller's right to write it); any problem raises :class:`InputError` with all of them,
    located by file, sheet, row and column, and nothing is written.
    """
    reg = _registry(name)
    if ctx.principal.role not in (Role.PROVINCE, Role.CITY, Role.ENTERPRISE) or (
        ctx.principal.role is Role.ENTERPRISE and not reg.enterprise_may_import
    ):
        raise PermissionDenied(role=str(ctx.principal.role), action=f"registry.{name}.import")
    problems: list[Problem] = []

    def add(code: str, row: int, column: str | None, value: Any = None, **fields: Any) -> None:
        problems.append(
            Problem(
                code, column=column, value=value, row=row, file=table.file, sheet=table.sheet, fields=fields
            )
        )

    codes = {(r.get("enterprise") or "").strip().upper() for _n, r in table.rows} - {""}
    ents = {
        c: (i, city, park)
        for c, i, city, park in ctx.db.execute(
            select(Enterprise.credit_code, Enterprise.id, Enterprise.city_code, Enterprise.park_id).where(
                Enterprise.credit_code.in_(codes)
            )
        ).all()
    }
    m: Any = reg.model
    existing = {tuple(row) for row in ctx.db.execute(select(*(getattr(m, k) for k in reg.key))).all()}
    seen: dict[tuple[Any, ...], int] = {}
    todo: list[dict[str, Any]] = []
    for n, r in table.rows:
        parsed = _parse_row(reg, n, r, add, ents)
        if parsed is None:
            continue
        kw, city, ent_id = parsed
        key = tuple(kw[k] for k in reg.key)
        shown = "/".join(str(r.get(k.removesuffix("_id"), kw[k])) for k in reg.key)
        if key in existing:
            add("exists", n, reg.key[-1].removesuffix("_id"), shown)
            continue
        if key in seen:
            add("duplicate", n, reg.key[-1].removesuffix("_id"), shown, first_row=seen[key])
            continue
        seen[key] = n
        if not _may_write(reg, ctx.principal, city, ent_id):
            add(
                "permission_denied",
                n,
                "enterprise" if ent_id else "city",
                r.get("enterprise") or city,
                role=str(ctx.principal.role),
                action=f"registry.{name}.import",
            )
            continue
        if reg.name == "green" and kw.get("enterprise_id") is None and not kw.get("park_id"):
            kw["park_id"] = None
        todo.append(kw)
    if problems:
        raise InputError(problems)
    now = audit.now_iso()
    rows = [m(**kw, is_demo=demo, created_at=now) for kw in todo]
    ctx.db.add_all(rows)
    ctx.db.flush()
    for row in rows:
        audit.record(
            ctx.db,
            ctx.principal,
            ctx.request_id,
            f"registry.{name}.import",
            m.__tablename__,
            row.id,
            after=_row_public(reg, row, {}),
        )
    return len(rows)


#: Demo files (synthetic, ``carbonpeak/demo``) of each registry.
DEMO_FILES = {
    "green": "green_certifications.csv",
    "cleaner": "cleaner_production.csv",
    "recycled": "recycled_output.csv",
    "waste": "solid_waste.csv",
}


def load_demo_registries(ctx: Context) -> dict[str, int]:
    """Load the synthetic demo projects and registries (every row flagged ``is_demo``)."""
    from importlib import resources  # noqa: PLC0415

    from carbonpeak.io.tabular import read_rows  # noqa: PLC0415
    from carbonpeak.service.efficiency import projects  # noqa: PLC0415

    def data(name: str) -> bytes:
        return resources.files("carbonpeak.demo").joinpath(name).read_bytes()

    table = read_rows(
        data("projects.csv"), "projects.csv", projects.PROJECT_COLUMNS, projects.PROJECT_OPTIONAL
    )
    out = {"projects": len(projects.import_projects(ctx, table, demo=True))}
    for name, file in DEMO_FILES.items():
        reg = REGISTRIES[name]
        out[name] = import_registry(
            ctx, name, read_rows(data(file), file, reg.required, reg.optional), demo=True
        )
    return out


def read_registry(name: str, data: bytes, filename: str) -> Table:
    """Read registry *name*'s file (CSV/XLSX) with its required and optional columns, ready
    for :func:`import_registry`. An unknown registry is ``NotFound``; a missing column or an
    unreadable file is an ``InputError``."""
    reg = registry(name)
    return read_rows(data, filename, reg.required, reg.optional)
