"""API — Benchmarks, energy-saving review, project register, registries, dashboard data (issue 5).

Routes (all need a bearer token; role and scope are checked in the services):

- ``POST /review`` — review a proposal (:class:`~carbonpeak.service.efficiency.review.ReviewRequest`),
  201 with the verdict; ``GET /reviews``, ``GET /reviews/{id}``,
  ``GET /reviews/{id}/report?format=pdf|xlsx&lang=zh|en`` (download)
- ``GET /projects`` (``city``, ``metal``, ``status``), ``POST /projects``,
  ``GET|PATCH|DELETE /projects/{id}``, ``POST /projects/{id}/status``,
  ``GET /projects/capacity-changes``
- ``GET /registries/{name}`` (``year``, ``city``), ``POST /registries/{name}/import``
  (multipart ``file``, CSV/XLSX, all-or-nothing; 422 lists every located problem)
- ``GET /dashboard?year=`` — the province dashboard's data (targets, league table, lines
  below the limit), in the caller's scope
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, Response, UploadFile

from carbonpeak.errors import InputError, PermissionDenied, Problem
from carbonpeak.http.cached import cached_json_off_loop
from carbonpeak.http.deps import Ctx, LoopCtx
from carbonpeak.http.files import XLSX, download, read_upload
from carbonpeak.http.params import IdPath, TextParam, TextQuery, YearQuery
from carbonpeak.model import Role
from carbonpeak.model.schemas import TextSafeModel
from carbonpeak.service.efficiency import projects
from carbonpeak.service.efficiency import review as review_service
from carbonpeak.service.efficiency.review_report import review_report as report_file
from carbonpeak.service.outlook import targets
from carbonpeak.service.registry import registries
from carbonpeak.service.schemas.benchmark import DashboardPublic
from carbonpeak.service.schemas.common import PDF_MEDIA, XLSX_MEDIA, error_responses, file_response
from carbonpeak.service.schemas.core import CapacityChangePublic
from carbonpeak.service.schemas.review import (
    ProjectPublic,
    RegistryImportPublic,
    RegistryRowPublic,
    ReviewBriefPublic,
    ReviewPublic,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=error_responses())


# --- review -----------------------------------------------------------------------------------


@router.post(
    "/review",
    status_code=201,
    tags=["review"],
    response_model=ReviewPublic,
    response_model_exclude_unset=True,
)
def review(ctx: Ctx, body: review_service.ReviewRequest) -> dict[str, Any]:
    """Energy-saving review of a proposed project: unit energy, verdict against the 1级 of
    the standard in force (and the benchmark for electrolytic aluminium), clause, effects."""
    return review_service.review(ctx, body)


@router.get("/reviews", tags=["review"], response_model=list[ReviewBriefPublic])
def reviews(ctx: Ctx) -> list[dict[str, Any]]:
    """Stored reviews in scope, newest first."""
    return review_service.list_reviews(ctx)


@router.get(
    "/reviews/{review_id}", tags=["review"], response_model=ReviewPublic, response_model_exclude_unset=True
)
def get_review(ctx: Ctx, review_id: IdPath) -> dict[str, Any]:
    return review_service.get_review(ctx, review_id)


@router.get(
    "/reviews/{review_id}/report",
    tags=["review"],
    response_class=Response,
    responses=file_response(PDF_MEDIA, XLSX_MEDIA),
)
def review_report(ctx: Ctx, review_id: IdPath, format: TextParam = "pdf", lang: TextParam = "zh") -> Response:
    """The review report (PDF or XLSX, zh or en), citing the clause."""
    if format not in ("pdf", "xlsx") or lang not in ("zh", "en"):
        bad = "format" if format not in ("pdf", "xlsx") else "lang"
        raise InputError(
            [
                Problem(
                    "bad_enum",
                    column=bad,
                    value=format if bad == "format" else lang,
                    fields={"allowed": "pdf, xlsx" if bad == "format" else "zh, en"},
                )
            ]
        )
    result = review_service.get_review(ctx, review_id)
    media = "application/pdf" if format == "pdf" else XLSX
    return download(report_file(result, lang, f".{format}"), f"review-{review_id}-{lang}.{format}", media)


# --- projects ---------------------------------------------------------------------------------


class StatusChange(TextSafeModel):
    status: str
    effective_date: str | None = None
    comment: str = ""


@router.get("/projects", tags=["projects"], response_model=list[ProjectPublic])
def list_projects(
    ctx: Ctx, city: TextQuery = None, metal: TextQuery = None, status: TextQuery = None
) -> list[dict[str, Any]]:
    return projects.list_projects(ctx, city=city, metal=metal, status=status)


@router.post("/projects", status_code=201, tags=["projects"], response_model=ProjectPublic)
def create_project(ctx: Ctx, body: projects.ProjectCreate) -> dict[str, Any]:
    return projects.create_project(ctx, body)


@router.get("/projects/capacity-changes", tags=["projects"], response_model=list[CapacityChangePublic])
def capacity_changes(ctx: Ctx) -> list[dict[str, Any]]:
    """Capacity additions (+) and exits (−) by metal, route, city and year [t/a]."""
    if ctx.principal.role is Role.PUBLIC:
        raise PermissionDenied(role="public", action="project.view")
    return [{str(k): v for k, v in r.items()} for r in projects.capacity_changes(ctx).to_dict("records")]


@router.get("/projects/{project_id}", tags=["projects"], response_model=ProjectPublic)
def get_project(ctx: Ctx, project_id: IdPath) -> dict[str, Any]:
    return projects.get_project(ctx, project_id)


@router.patch("/projects/{project_id}", tags=["projects"], response_model=ProjectPublic)
def update_project(ctx: Ctx, project_id: IdPath, body: projects.ProjectUpdate) -> dict[str, Any]:
    return projects.update_project(ctx, project_id, body)


@router.delete("/projects/{project_id}", status_code=204, tags=["projects"])
def delete_project(ctx: Ctx, project_id: IdPath) -> Response:
    projects.delete_project(ctx, project_id)
    return Response(status_code=204)


@router.post("/projects/{project_id}/status", tags=["projects"], response_model=ProjectPublic)
def change_status(ctx: Ctx, project_id: IdPath, body: StatusChange) -> dict[str, Any]:
    """Move a project one step of its flow; the history keeps every step."""
    return projects.change_status(ctx, project_id, body.status, body.effective_date, body.comment)


# --- registries -------------------------------------------------------------------------------


@router.get(
    "/registries/{name}",
    tags=["registries"],
    response_model=list[RegistryRowPublic],
    response_model_exclude_unset=True,
)
def list_registry(
    ctx: Ctx, name: str, year: YearQuery = None, city: TextQuery = None
) -> list[dict[str, Any]]:
    """Rows of registry *name* (green, cleaner, recycled, waste) in scope."""
    return registries.list_registry(ctx, name, year=year, city=city)


@router.post(
    "/registries/{name}/import", status_code=201, tags=["registries"], response_model=RegistryImportPublic
)
async def import_registry(
    request: Request, ctx: Ctx, name: str, file: Annotated[UploadFile, File()]
) -> dict[str, int]:
    """Import a registry file (CSV/XLSX), all-or-nothing."""
    registries.registry(name)  # an unknown registry is a 404 before the upload is read
    data = await read_upload(request, file)
    table = registries.read_registry(name, data, file.filename or f"{name}.csv")
    return {"added": registries.import_registry(ctx, name, table)}


# --- dashboard --------------------------------------------------------------------------------


@router.get("/dashboard", tags=["targets"], response_model=DashboardPublic)
async def dashboard(ctx: LoopCtx, request: Request, year: YearQuery = None) -> Response:
    """Targets with their series and drill-downs, the benchmark league table (best and worst
    lines per metal) and the largest gaps below the limit, in the caller's scope, from the
    official figures with their coverage. Without *year*: the newest year that is not
    provisional. Cached by data version."""
    targets.check_dashboard_access(ctx)
    return await cached_json_off_loop(
        ctx, "dashboard", (year,), lambda: targets.dashboard(ctx, year), request=request
    )
