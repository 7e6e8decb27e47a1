"""The province dashboard (issue 5): targets, benchmark league table, lines below the limit, project review.

Thin, like :mod:`carbonpeak.web.pages` (whose render, Who, page_ctx,
to_login, error_response and form_guard it uses); an error a handler does not word itself
is the app's error page.

* ``GET /dashboard?year=`` — every target with its chart (trajectory vs target line, drill-down
  by city and metal in :file:`static/dashboard.js`), value, target, gap, trend, status and rule;
  the league table and the lines below the limit. Scope comes from the services: a city user
  sees its city only.
* ``GET /review``, ``POST /review`` — the energy-saving review form and its verdict;
  ``GET /review/{id}/report?format=pdf|xlsx&lang=zh|en`` — the report.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak import errors
from carbonpeak.errors import InputError, PermissionDenied
from carbonpeak.http.compute import off_loop
from carbonpeak.http.deps import Db
from carbonpeak.http.files import XLSX, download
from carbonpeak.http.params import IdPath, IdQuery, YearQuery
from carbonpeak.model import Role
from carbonpeak.service.efficiency import review as review_service
from carbonpeak.service.efficiency.review_report import review_report as report_file
from carbonpeak.service.outlook import targets
from carbonpeak.service.registry import refdata_service
from carbonpeak.web.i18n import Lang, loc, normalise_lang, text
from carbonpeak.web.pages import Visitor, Who, error_response, form_guard, page_ctx, render, to_login

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
YEARS = range(2020, 2031)


def _name(row: dict[str, Any], lang: Lang) -> str:
    return str(loc(row, lang) or "")


def _city_names(lang: Lang) -> dict[str, str]:
    return {str(c["id"]): str(loc(c, lang)) for c in refdata_service.cities()}


def _chart(i: int, t: dict[str, Any], lang: Lang) -> dict[str, Any]:
    """The JSON block of one target's chart: the total series and one view per city / metal."""
    cities = _city_names(lang)
    metals = {str(m["id"]): str(loc(m, lang)) for m in refdata_service.metals()}
    views = [{"key": "total", "label": text("dash.view.total", lang), "series": t.get("series") or {}}]
    bd = t.get("breakdown") or {}
    for key, names, prefix in (("by_city", cities, "city"), ("by_metal", metals, "metal")):
        for k, s in sorted((bd.get(key) or {}).items()):
            if isinstance(s, dict):
                views.append({"key": f"{prefix}:{k}", "label": names.get(k, k), "series": s})
    return {
        "id": f"target-{i}",
        "title": _name(t, lang),
        "unit": t.get("unit") or "",
        "target": t.get("target"),
        "targetYear": t.get("target_year"),
        "comparison": t.get("comparison"),
        "indicator": t.get("indicator"),
        "actualName": text("dash.series.actual", lang),
        "targetName": text("dash.series.target", lang),
        "views": views,
        "base": {
            "year": t.get("base_year_used"),
            "value": t.get("base_year_value") if t.get("indicator") != "peak_year" else None,
            "name": text("dash.series.base", lang),
        },
    }


@router.get("/dashboard", response_class=HTMLResponse, response_model=None)
async def dashboard(request: Request, db: Db, visitor: Who, year: YearQuery = None) -> Response:
    """The dashboard; its view is computed off the event loop under the compute deadline
    and stopped when the visitor leaves (:func:`carbonpeak.http.compute.off_loop`)."""
    if not visitor.signed_in:
        return to_login(request)
    lang = visitor.lang
    if year is not None and year not in YEARS:
        year = None
    ctx = page_ctx(request, db, visitor.principal)
    try:
        data = await off_loop(
            lambda: targets.dashboard(ctx, year),
            seconds=request.app.state.settings.compute_deadline_seconds,
            request=request,
            ctx=ctx,
        )
        year = int(data["year"])
    except PermissionDenied:
        return await run_in_threadpool(
            error_response, request, visitor, 403, text("dash.public_denied", lang)
        )
    return await run_in_threadpool(_dashboard_page, request, visitor, data, year, lang)


def _dashboard_page(
    request: Request, visitor: Visitor, data: dict[str, Any], year: int, lang: Lang
) -> Response:
    charts = [_chart(i, t, lang) for i, t in enumerate(data["targets"])]
    p = visitor.principal
    scope = (
        text("dash.scope_city", lang, city=_city_names(lang).get(p.city_code or "", p.city_code or ""))
        if p.role is Role.CITY
        else text("dash.scope_all", lang)
    )
    return render(
        request,
        visitor,
        "dashboard/dashboard.html",
        data=data,
        charts=charts,
        year=year,
        years=list(YEARS),
        scope_text=scope,
        city_names=_city_names(lang),
    )


# --- review -------------------------------------------------------------------------------------


def _review_form_values(**kw: Any) -> dict[str, Any]:
    base = {
        "name": "",
        "metal": "Zn",
        "route": "zn_hydro",
        "capacity": "100000",
        "city": "",
        "park": "",
        "date": "",
        "energy": "electricity=8.2e8 kWh",
        "ac_power": "",
        "enterprise": "",
        "product": "",
    }
    return {**base, **{k: v for k, v in kw.items() if v is not None}}


def _review_page(request: Request, db: Db, visitor: Who, *, status: int = 200, **values: Any) -> HTMLResponse:
    lang = visitor.lang
    routes = [
        (str(r["id"]), f"{r['id']} · {loc(r, lang)}")
        for r in refdata_service.process_routes()
        if r["kind"] in ("primary", "secondary")
    ]
    # the products a limit standard grades (sector/products with graded_by), by route
    products = [
        (str(p["id"]), f"{p['metal']} · {loc(p, lang)} · {p['id']}")
        for p in refdata_service.table("sector/products")
        if p["graded_by"]
    ]
    try:
        earlier = review_service.list_reviews(page_ctx(request, db, visitor.principal))[:10]
    except PermissionDenied:
        earlier = []
    return render(
        request,
        visitor,
        "dashboard/review.html",
        status=status,
        routes=routes,
        products=products,
        cities=sorted(_city_names(lang).items()),
        metals=[(str(m["id"]), _name(dict(m), lang)) for m in refdata_service.metals()],
        earlier=earlier,
        **{"result": None, "problems": [], "form": _review_form_values(), **values},
    )


def _may_review(visitor: Who) -> bool:
    return visitor.principal.role in (Role.PROVINCE, Role.CITY, Role.ENTERPRISE)


@router.get("/review", response_class=HTMLResponse, response_model=None)
def review_form(request: Request, db: Db, visitor: Who, id: IdQuery = None) -> Response:
    if not visitor.signed_in:
        return to_login(request)
    if not _may_review(visitor):
        return error_response(request, visitor, 403, text("review.denied", visitor.lang))
    result = None
    if id is not None:
        result = review_service.get_review(page_ctx(request, db, visitor.principal), id)
    form = _review_form_values(city=visitor.principal.city_code or "")
    if result is not None:
        form = _review_form_values(
            name=result.get("name") or "",
            metal=result["metal"],
            route=result["route"],
            capacity=f"{result['capacity_t_per_a']:g}",
            city=result["city_code"],
            park=result.get("park_id") or "",
            date=result["review_date"],
            energy="\n".join(
                f"{c['carrier']}={c['quantity_in']:g} {c['unit_in']}" for c in result["carriers"]
            ),
            ac_power="" if result.get("ac_power_kwh_per_t") is None else f"{result['ac_power_kwh_per_t']:g}",
            product=result.get("product") or "",
        )
    return _review_page(request, db, visitor, result=result, form=form)


@router.post("/review", response_class=HTMLResponse, response_model=None)
def review_submit(
    request: Request,
    db: Db,
    visitor: Who,
    csrf_token: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    metal: Annotated[str, Form()] = "",
    route: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    city: Annotated[str, Form()] = "",
    park: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    energy: Annotated[str, Form()] = "",
    ac_power: Annotated[str, Form()] = "",
    enterprise: Annotated[str, Form()] = "",
    product: Annotated[str, Form()] = "",
) -> Response:
    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    if not _may_review(visitor):
        return error_response(request, visitor, 403, text("review.denied", visitor.lang))
    form = _review_form_values(
        name=name,
        metal=metal,
        route=route,
        capacity=capacity,
        city=city,
        park=park,
        date=date,
        energy=energy,
        ac_power=ac_power,
        enterprise=enterprise,
        product=product,
    )
    lang = visitor.lang
    try:
        uses = [review_service.parse_energy(x) for x in energy.replace("；", "\n").splitlines() if x.strip()]
        req = review_service.ReviewRequest(
            name=name.strip()[:200],
            metal=metal,
            route=route,
            product=product.strip() or None,
            capacity_t_per_a=float(capacity.replace(",", "")) if capacity.strip() else 0.0,
            energy=uses,
            ac_power_kwh_per_t=float(ac_power) if ac_power.strip() else None,
            city_code=city,
            park_id=park.strip() or None,
            enterprise=enterprise.strip() or None,
            review_date=date.strip() or None,
        )
        result = review_service.review(page_ctx(request, db, visitor.principal), req)
    except InputError as exc:
        problems = [loc(p, lang, "message") for p in exc.problems]
        return _review_page(request, db, visitor, status=422, form=form, problems=problems)
    except PermissionDenied as exc:
        return _review_page(
            request,
            db,
            visitor,
            status=403,
            form=form,
            problems=[loc(exc, lang, "message")],
        )
    except ValueError as exc:  # pydantic validation and number parsing
        detail = str(exc).splitlines()[0][:300]
        return _review_page(
            request,
            db,
            visitor,
            status=422,
            form=form,
            problems=[errors.message("validation", lang, detail=detail)],
        )
    return _review_page(request, db, visitor, result=result, form=form)


@router.get("/review/{review_id}/report", response_class=HTMLResponse, response_model=None)
def review_report(
    request: Request,
    db: Db,
    visitor: Who,
    review_id: IdPath,
    format: str = "pdf",
    lang: str = "zh",
) -> Response:
    if not visitor.signed_in:
        return to_login(request)
    result = review_service.get_review(page_ctx(request, db, visitor.principal), review_id)
    lg = normalise_lang(lang)
    ext, media = ("xlsx", XLSX) if format == "xlsx" else ("pdf", "application/pdf")
    return download(report_file(result, lg, f".{ext}"), f"review-{review_id}-{lg}.{ext}", media)
