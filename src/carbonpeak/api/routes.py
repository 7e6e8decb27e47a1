"""The HTTP API (``/api/v1``): thin handlers that parse, call a service, and return.

Every route either depends on :func:`~carbonpeak.http.deps.require_principal` (a bearer
token) or is marked public with :func:`~carbonpeak.http.deps.public_route`; the route ×
role × scope matrix test enumerates them all.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from pydantic import Field

from carbonpeak import __version__
from carbonpeak.errors import IntegrityViolation, PermissionDenied
from carbonpeak.http.cached import cached_json_off_loop
from carbonpeak.http.deps import Ctx, Db, LoopCtx, OptionalCtx, public_route
from carbonpeak.http.files import read_upload
from carbonpeak.http.params import IdPath, TextForm, TextParam, TextQuery, Year, YearQuery
from carbonpeak.model import Role
from carbonpeak.model.schemas import (
    EnterpriseCreate,
    EnterprisePublic,
    EnterpriseUpdate,
    SectorOverview,
    TextSafeModel,
    TokenPublic,
    UserAccount,
    UserPublic,
)
from carbonpeak.service.access import accounts, auth
from carbonpeak.service.inventories import inventory, inventory_files
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context
from carbonpeak.service.registry import deactivation, enterprises, refdata_service, sector
from carbonpeak.service.schemas.benchmark import BenchmarkLinePublic, BenchmarkSharePublic, TargetPublic
from carbonpeak.service.schemas.common import error_responses
from carbonpeak.service.schemas.core import (
    AuditVerifyPublic,
    ExplainPublic,
    HealthPublic,
    InventoryComputePublic,
    InventoryRunPublic,
    InventoryRunSummaryPublic,
    MePublic,
    RecomputePublic,
    RefTablePublic,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=error_responses())
Public = [Depends(public_route)]


@router.get("/health", dependencies=Public, tags=["meta"], response_model=HealthPublic)
def health() -> dict[str, str]:
    """Liveness: the version and the newest factor-set version."""
    return {"status": "ok", "version": __version__, "factor_set": refdata_service.factor_set_version()}


@router.post("/auth/token", dependencies=Public, tags=["auth"])
def token(
    request: Request,
    db: Db,
    username: TextForm,
    password: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=64, description="a label for the token list")] = "api",
) -> TokenPublic:
    """Exchange user name and password for a bearer token (OAuth2 password form); *name*
    labels it in ``GET /auth/tokens``."""
    ctx = Context(db=db, principal=auth.SYSTEM_LOGIN, request_id=request.state.request_id)
    return auth.create_token(ctx, username, password, name.strip() or "api")


@router.get("/me", tags=["auth"], response_model=MePublic)
def me(ctx: Ctx) -> dict[str, Any]:
    p = ctx.principal
    return {
        "username": p.username,
        "role": p.role,
        "city_code": p.city_code,
        "enterprise_ids": sorted(p.enterprise_ids),
        "display_name": p.display_name,
    }


@router.get("/sector/overview", dependencies=Public, tags=["sector"])
def sector_overview(ctx: OptionalCtx) -> SectorOverview:
    """Published aggregates: enterprises by city and metal (public)."""
    return sector.overview(ctx)


@router.get("/refdata/{domain}/{table}", dependencies=Public, tags=["refdata"], response_model=RefTablePublic)
def refdata_table(domain: str, table: str) -> RefTablePublic:
    """A shipped reference table with its provenance columns (public); unknown: 404."""
    t = refdata_service.table(f"{domain}/{table}")
    return RefTablePublic(
        table=t.name,
        title_zh=t.title_zh,
        title_en=t.title_en,
        digest=t.digest,
        rows=[{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in t.rows],
    )


@router.get("/enterprises", tags=["enterprises"])
def list_enterprises(
    ctx: Ctx,
    city: TextQuery = None,
    metal: TextQuery = None,
    park: TextQuery = None,
    q: TextQuery = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    deactivated: Annotated[bool, Query(description="the deactivated enterprises instead (province)")] = False,
) -> list[EnterprisePublic]:
    """Enterprises in the caller's scope: a page of *limit* (≤ 5 000) from *offset*; with
    ``deactivated=true`` the deactivated ones, newest first (province only; other filters ignored)."""
    if deactivated:
        return deactivation.list_deactivated(ctx, limit=limit, offset=offset)
    return enterprises.list_enterprises(
        ctx, city=city, metal=metal, park=park, q=q, limit=limit, offset=offset
    )


@router.post("/enterprises", status_code=201, tags=["enterprises"])
def create_enterprise(ctx: Ctx, body: EnterpriseCreate) -> EnterprisePublic:
    return enterprises.create_enterprise(ctx, body.model_copy(update={"is_demo": False}))


@router.get("/enterprises/{enterprise_id}", tags=["enterprises"])
def get_enterprise(ctx: Ctx, enterprise_id: IdPath) -> EnterprisePublic:
    return enterprises.get_enterprise(ctx, enterprise_id)


@router.patch("/enterprises/{enterprise_id}", tags=["enterprises"])
def update_enterprise(ctx: Ctx, enterprise_id: IdPath, body: EnterpriseUpdate) -> EnterprisePublic:
    return enterprises.update_enterprise(ctx, enterprise_id, body)


@router.delete("/enterprises/{enterprise_id}", status_code=204, tags=["enterprises"])
def delete_enterprise(ctx: Ctx, enterprise_id: IdPath) -> Response:
    """Delete an enterprise without history; one with history (submissions, runs, registry
    rows …) is deactivated instead, recoverable by ``POST …/reactivate``. The header
    ``X-Enterprise-Outcome`` says which: ``deleted`` or ``deactivated`` (province)."""
    outcome = enterprises.delete_enterprise(ctx, enterprise_id)
    return Response(status_code=204, headers={"X-Enterprise-Outcome": outcome})


@router.post("/enterprises/{enterprise_id}/reactivate", tags=["enterprises"])
def reactivate_enterprise(ctx: Ctx, enterprise_id: IdPath) -> EnterprisePublic:
    """Bring a deactivated enterprise back, with its history (province); 404 if it is not
    deactivated."""
    return deactivation.reactivate_enterprise(ctx, enterprise_id)


@router.post("/enterprises/import", status_code=201, tags=["enterprises"])
async def import_enterprises(
    request: Request,
    ctx: Ctx,
    enterprises_file: Annotated[UploadFile, File()],
    lines_file: Annotated[UploadFile | None, File()] = None,
) -> list[EnterprisePublic]:
    """Import an enterprise register (CSV/XLSX) and optional lines, all-or-nothing."""
    ents_data = await read_upload(request, enterprises_file)
    has_lines = lines_file is not None and bool(lines_file.filename)
    lines_data = await read_upload(request, lines_file) if lines_file is not None and has_lines else None
    ents, lines = enterprises.read_register(
        ents_data,
        enterprises_file.filename or "enterprises.csv",
        lines_data,
        (lines_file.filename or "") if lines_file is not None else "",
    )
    return enterprises.import_register(ctx, ents, lines)


class UserCreate(TextSafeModel):
    username: str
    password: str
    role: Role
    city: str | None = None
    enterprises: list[str] = Field(default_factory=list)
    display_name: str = ""


@router.get("/users", tags=["users"])
def list_users(ctx: Ctx) -> list[UserAccount]:
    """Every user with its account state: active, must change password, live tokens and
    sessions (province)."""
    return accounts.list_accounts(ctx)


@router.post("/users", status_code=201, tags=["users"])
def add_user(ctx: Ctx, body: UserCreate) -> UserPublic:
    return auth.add_user(
        ctx,
        body.username,
        body.password,
        body.role,
        city=body.city,
        enterprises=body.enterprises,
        display_name=body.display_name,
    )


@router.get("/audit/verify", tags=["audit"], response_model=AuditVerifyPublic)
def audit_verify(ctx: Ctx) -> dict[str, Any]:
    """Walk the audit hash chain (province only)."""
    if ctx.principal.role is not Role.PROVINCE:
        raise PermissionDenied(role=str(ctx.principal.role), action="audit.verify")
    checked, problems = audit.verify(ctx.db)
    if problems:
        raise IntegrityViolation(detail="; ".join(f"#{p.event_id} {p.kind}" for p in problems))
    return {"ok": True, "events": checked}


# --- inventories --------------------------------------------------------------------------


def _no_public(ctx: Context, action: str) -> None:
    if ctx.principal.role is Role.PUBLIC:
        raise PermissionDenied(role=str(ctx.principal.role), action=action)


@router.post(
    "/inventory/compute",
    tags=["inventories"],
    response_model=InventoryComputePublic,
    response_model_exclude_unset=True,
)
async def inventory_compute(
    request: Request,
    ctx: Ctx,
    activity_file: Annotated[UploadFile, File()],
    method: TextParam = "auto",
    year: YearQuery = None,
    gwp: TextQuery = None,
    grid: TextQuery = None,
    equal_value: TextQuery = None,
    store: bool = False,
) -> dict[str, Any]:
    """Compute inventories from an activity file (CSV/XLSX); store them with ``store=true``
    (one run per enterprise, each in the caller's change scope). ``equal_value``: the
    electricity 等价值 [kgce/kWh], ``0.3055`` or ``2022=0.301,2023=0.300`` (default: the
    ``CARBONPEAK_EQUAL_VALUE`` setting)."""
    _no_public(ctx, "inventory.compute")
    table = inventory_files.read_activity_upload(
        await read_upload(request, activity_file), activity_file.filename or "activity.csv"
    )
    choices = inventory_files.accounting_choices(
        method, gwp, grid, equal_value=None if equal_value is None else equal_value.split(",")
    )
    if store:
        done = inventory.store_table(ctx, table, choices, method=method, year=year)
        return {
            "runs": done.run_ids,
            "versions": done.version_ids,
            "status": done.status,
            "enterprises": done.enterprises,
            "years": done.years,
            "rows": done.rows,
        }
    result = inventory.compute_table(ctx, table, choices, method=method, year=year)
    lines = result.lines.drop(columns=["file"]).replace({np.nan: None})
    return {
        "summary": inventory.summarise(result.lines),
        "methods": {
            code: {
                "method": f.method.id,
                "factor_set": f.factor_set,
                "gwp_set": f.gwp_set,
                "grid_series": f.grid_series,
            }
            for code, f in result.methods.items()
        },
        "lines": lines.to_dict("records"),
    }


@router.get(
    "/enterprises/{enterprise_id}/inventories",
    tags=["inventories"],
    response_model=list[InventoryRunSummaryPublic],
    response_model_exclude_unset=True,
)
def enterprise_inventories(ctx: Ctx, enterprise_id: IdPath) -> list[dict[str, Any]]:
    """The inventory runs of an enterprise, newest first."""
    return inventory.list_runs(ctx, enterprise_id)


@router.get(
    "/inventories/{run_id}",
    tags=["inventories"],
    response_model=InventoryRunPublic,
    response_model_exclude_unset=True,
)
def inventory_run(ctx: Ctx, run_id: IdPath) -> dict[str, Any]:
    """A stored run: provenance (method, factor set, GWP, grid series), totals, lines."""
    return inventory.get_run(ctx, run_id)


@router.get(
    "/inventories/{run_id}/lines/{line_no}/explain", tags=["inventories"], response_model=ExplainPublic
)
def inventory_explain(ctx: Ctx, run_id: IdPath, line_no: IdPath) -> dict[str, Any]:
    """Formula, factors with source and clause, and the arithmetic of one line."""
    return asdict(inventory.explain(ctx, run_id, line_no))


@router.post(
    "/inventories/{run_id}/recompute", status_code=201, tags=["inventories"], response_model=RecomputePublic
)
def inventory_recompute(ctx: Ctx, run_id: IdPath) -> dict[str, int]:
    """Recompute with the newest factor set; the old run stays, marked superseded."""
    return {"run": inventory.recompute(ctx, run_id), "superseded": run_id}


# --- benchmarks and targets -----------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
        for r in frame.astype(object).to_dict("records")
    ]


@router.get(
    "/benchmark/lines",
    tags=["benchmarks"],
    response_model=list[BenchmarkLinePublic],
    response_model_exclude_unset=True,
)
def benchmark_lines(
    ctx: Ctx,
    response: Response,
    year: Year = 2024,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    """The production lines in scope with an official inventory of *year*, graded against
    the limit standard in force on 31 December of *year* (grade, band, gap to the limit);
    a page of *limit* lines from *offset* (``X-Total-Count`` gives the total)."""
    from carbonpeak.service.efficiency import benchmarking  # noqa: PLC0415

    _no_public(ctx, "benchmark.view")
    graded = benchmarking.classify_cached(ctx, year)
    response.headers["X-Total-Count"] = str(len(graded))
    return _records(graded.iloc[offset : offset + limit])


@router.get("/benchmark/share", tags=["benchmarks"], response_model=list[BenchmarkSharePublic])
async def benchmark_share(
    ctx: LoopCtx, request: Request, year: Year = 2024, by: TextParam = "metal"
) -> Response:
    """Capacity share of Cu/Pb/Zn smelting at the benchmark level, computed on request
    (``by``: comma-separated of metal, city, park)."""
    from carbonpeak.service.efficiency import benchmarking  # noqa: PLC0415

    _no_public(ctx, "benchmark.view")
    keys = tuple(k.strip() for k in by.split(",") if k.strip() in ("metal", "city", "park"))

    def build() -> list[dict[str, Any]]:
        graded = benchmarking.classify_cached(ctx, year)
        shares = benchmarking.capacity_share(ctx, year, by=keys or ("metal",), classified=graded)
        cov = benchmarking.coverage(ctx, year)
        return [{**r, "coverage": cov} for r in _records(shares)]

    return await cached_json_off_loop(ctx, "benchmark_share", (year, keys), build, request=request)


@router.get("/targets", tags=["targets"], response_model=list[TargetPublic])
async def targets(ctx: LoopCtx, request: Request, year: YearQuery = None) -> Response:
    """Each plan target: value, target, gap, trend and status with the rule that set it,
    from the official (approved) figures, each with the ``coverage`` of the year. Without
    *year*: the newest year that is not provisional. Cached by data version."""
    from carbonpeak.service.outlook import targets as targets_service  # noqa: PLC0415

    _no_public(ctx, "targets.view")
    return await cached_json_off_loop(
        ctx, "targets", (year,), lambda: targets_service.report(ctx, year), request=request
    )
