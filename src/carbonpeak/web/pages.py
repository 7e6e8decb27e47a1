"""The web pages: home (the sector at a glance), sign-in, the enterprise register.

Thin: each handler reads the visitor (session cookie, language), calls service
functions, and renders a Jinja template. No SQL here, no inline JavaScript in the
pages (the app's CSP allows scripts from ``/static`` only): chart data travels in
``<script type="application/json">`` blocks that ``static/app.js`` reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context as JinjaContext

from carbonpeak import errors
from carbonpeak.errors import AuthenticationFailed, NotFound, PermissionDenied, TooManyAttempts
from carbonpeak.http.deps import Db, get_db
from carbonpeak.model import PUBLIC, Principal
from carbonpeak.model.schemas import SectorOverview
from carbonpeak.service.access import auth
from carbonpeak.service.inventories import inventory
from carbonpeak.service.platform.context import Context
from carbonpeak.service.registry import enterprises, refdata_service, sector
from carbonpeak.web import TEMPLATES_DIR, inventory_view
from carbonpeak.web.i18n import Lang, html_lang, loc, normalise_lang, text
from carbonpeak.web.security import (
    LANG_COOKIE,
    SESSION_COOKIE,
    csrf_matches,
    existing_csrf,
    new_csrf,
    safe_next,
    set_csrf_cookie,
    set_lang_cookie,
    set_session_cookie,
)

__all__ = [
    "Visitor",
    "Who",
    "csrf_failed",
    "error_page",
    "error_response",
    "form_guard",
    "page_ctx",
    "render",
    "router",
    "to_login",
]

router = APIRouter(include_in_schema=False)


# --- rendering ---------------------------------------------------------------------------


@pass_context
def _t(ctx: JinjaContext, key: str, **fields: Any) -> str:
    return text(key, str(ctx.get("lang", "zh")), **fields)


@pass_context
def _loc(ctx: JinjaContext, obj: Any, field: str = "name") -> Any:
    return loc(obj, str(ctx.get("lang", "zh")), field)


def _num(value: float | None, digits: int = 0) -> str:
    """Thousands separators: 120000 -> '120,000'."""
    return "" if value is None else f"{value:,.{digits}f}"


def _signed_pct(value: float | None) -> str:
    """0.0123 -> '+1.2%', -0.05 -> '−5.0%'."""
    if value is None:
        return ""
    return f"{value:+.1%}".replace("-", "\u2212")


def _qty(value: float | None) -> str:
    """A quantity as entered: separators, no trailing zeros (2150.5 -> '2,150.5')."""
    if value is None:
        return ""
    shown = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if shown in ("-0", "") else shown


def _wan(value_t: float | None) -> str:
    """t/a -> 万t/a, two decimals."""
    return "" if value_t is None else f"{value_t / 1e4:,.2f}"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = _t
    env.filters["loc"] = _loc
    env.filters["num"] = _num
    env.filters["wan"] = _wan
    env.filters["pct"] = _signed_pct
    env.filters["qty"] = _qty
    env.filters["when"] = inventory_view.when
    return env


_ENV = _env()


@dataclass(frozen=True)
class Visitor:
    """Who is looking at the page, in which language."""

    principal: Principal
    session: str | None  # the raw session cookie, when it names a live session
    lang: Lang

    @property
    def signed_in(self) -> bool:
        return self.session is not None and self.principal.is_authenticated


#: The pages a visitor who must change its password (after a reset) may still reach.
PASSWORD_CHANGE_PATHS = frozenset({"/account/password", "/logout", "/login"})


def _resolve_visitor(request: Request, db: Db) -> Visitor:
    lang = normalise_lang(request.cookies.get(LANG_COOKIE))
    raw = request.cookies.get(SESSION_COOKIE, "")
    principal = auth.principal_for_session(db, raw) if raw else None
    if principal is None:
        return Visitor(principal=PUBLIC, session=None, lang=lang)
    return Visitor(principal=principal, session=raw, lang=lang)


def get_visitor(request: Request, db: Db) -> Visitor:
    """The visitor of a page: its session's principal (or the public one) and language.

    A visitor whose password the province reset may reach only the change-password page,
    sign out and switch language: elsewhere a 403 ``password_change_required``."""
    visitor = _resolve_visitor(request, db)
    path = request.url.path
    if (
        visitor.principal.must_change_password
        and path not in PASSWORD_CHANGE_PATHS
        and not path.startswith("/lang/")
    ):
        raise PermissionDenied("password_change_required", role=str(visitor.principal.role), action=path[:64])
    return visitor


Who = Annotated[Visitor, Depends(get_visitor)]


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def render(
    request: Request, visitor: Visitor, template: str, status: int = 200, **values: Any
) -> HTMLResponse:
    """Render *template* for *visitor*; make sure the browser holds a CSRF cookie."""
    token = existing_csrf(request)
    fresh = token is None
    if token is None:
        token = new_csrf()
    html = _ENV.get_template(template).render(
        lang=visitor.lang,
        html_lang=html_lang(visitor.lang),
        user=visitor.principal,
        signed_in=visitor.signed_in,
        csrf_token=token,
        here=_here(request),
        request_id=getattr(request.state, "request_id", ""),
        **values,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    if fresh:
        set_csrf_cookie(request, response, token)
    return response


def error_response(request: Request, visitor: Visitor, status: int, message: str) -> HTMLResponse:
    """The error page with *message*, for a handler that words its own error."""
    return render(request, visitor, "error.html", status=status, status_code=status, message=message)


def _visitor_outside(request: Request) -> Visitor:
    """The visitor when no page dependency ran: resolved with its own database session; the
    public visitor in the chosen language if the store cannot answer (a 500 from the store)."""
    try:
        with contextmanager(get_db)(request) as db:
            return _resolve_visitor(request, db)
    except Exception:  # an error page must not fail because the store does
        return Visitor(principal=PUBLIC, session=None, lang=normalise_lang(request.cookies.get(LANG_COOKIE)))


def error_page(request: Request, status: int, exc: errors.CarbonpeakError | None = None) -> HTMLResponse:
    """The site's error page for *exc* with HTTP *status* (default: this page not found).

    What the app's one error handler (:mod:`carbonpeak.http.errors`) answers on every path
    outside ``/api/``: the message of *exc*'s code in the visitor's language, each located
    problem of an :class:`~carbonpeak.errors.InputError` below it, the request id; the
    visitor (session, language) resolved with its own database session, since no dependency
    ran. The CSRF cookie is set only when the browser has none (never rotated).
    """
    visitor = _visitor_outside(request)
    lang = visitor.lang
    if exc is None:
        exc = NotFound(object="page", key=request.url.path)
    problems = exc.problems[:20] if isinstance(exc, errors.InputError) else []
    if len(problems) == 1 and problems[0].code == exc.code:  # the message is the problem's
        problems = []
    return render(
        request,
        visitor,
        "error.html",
        status=status,
        status_code=status,
        message=errors.message(exc.code, lang, **exc.fields),
        problems=[(p.column or "", loc(p, lang, "message")) for p in problems],
    )


def csrf_failed(request: Request, visitor: Visitor) -> HTMLResponse:
    return error_response(request, visitor, 403, errors.message("csrf_failed", visitor.lang))


def form_guard(request: Request, visitor: Visitor, csrf_token: str) -> Response | None:
    """``None`` when a signed-in visitor posted the form with a valid CSRF token; otherwise
    the answer (the sign-in page, or the CSRF error page)."""
    if not visitor.signed_in:
        return to_login(request)
    if not csrf_matches(request, csrf_token):
        return csrf_failed(request, visitor)
    return None


def page_ctx(request: Request, db: Db, principal: Principal) -> Context:
    return Context(db=db, principal=principal, request_id=request.state.request_id)


def to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(_here(request), safe='/')}", status_code=303)


# --- home --------------------------------------------------------------------------------


def _short_city(row: Mapping[str, Any], lang: Lang) -> str:
    """A city's short name for chart axes: 湘西 for 湘西土家族苗族自治州, Xiangxi in English."""
    if lang == "en":
        return str(row["name_en"]).split(" ")[0]
    return str(row.get("abbr_zh") or row["name_zh"])


def _charts(ov: SectorOverview, lang: Lang) -> dict[str, Any]:
    """Chart data for static/app.js (names already in *lang*)."""
    short = {str(r["id"]): _short_city(r, lang) for r in refdata_service.cities()}
    # suppressed cells (small-cell rule) are left out of the charts, never drawn as a figure
    # (null in the data: no bar); a true zero stays 0
    counts: Mapping[tuple[str, str], int | None] = {(c, m): n for c, m, n in ov.city_metal}
    published = {k for k, n in counts.items() if n is not None}
    cities = [c for c in ov.by_city if any(k[0] == c.code for k in published)]
    shown = [m for m in ov.by_metal if any(k[1] == m.code for k in published)]
    metals = [m for m in ov.by_metal if m.enterprises]
    city_chart = {
        "categories": [short.get(c.code) or loc(c, lang) for c in cities],
        "series": [
            {"name": loc(m, lang), "data": [counts.get((c.code, m.code), 0) for c in cities]} for m in shown
        ],
        "valueName": text("chart.enterprises", lang),
    }
    metal_chart = {
        "categories": [loc(m, lang) for m in metals],
        "enterprises": [m.enterprises for m in metals],
        "capacity": [round((m.capacity_t_per_a or 0.0) / 1e4, 2) for m in metals],
        "enterprisesName": text("chart.enterprises", lang),
        "capacityName": text("chart.capacity", lang),
    }
    return {"city": city_chart, "metal": metal_chart}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: Db, visitor: Who) -> HTMLResponse:
    ov = sector.overview(page_ctx(request, db, visitor.principal))
    return render(
        request, visitor, "home.html", ov=ov, capacity_t=ov.capacity_t_per_a, charts=_charts(ov, visitor.lang)
    )


# --- sign in / out, language ------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse, response_model=None)
def login_form(request: Request, visitor: Who, next: str = "") -> Response:
    target = safe_next(next)
    if visitor.signed_in:
        if visitor.principal.must_change_password:
            return RedirectResponse("/account/password", status_code=303)
        return RedirectResponse(target or "/", status_code=303)
    return render(request, visitor, "login.html", next=target or "", username="", error=None)


@router.post("/login", response_class=HTMLResponse, response_model=None)
def login_submit(
    request: Request,
    db: Db,
    visitor: Who,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_matches(request, csrf_token):
        return csrf_failed(request, visitor)
    target = safe_next(next)
    try:
        principal, raw = auth.login(page_ctx(request, db, auth.SYSTEM_LOGIN), username, password)
    except (AuthenticationFailed, TooManyAttempts) as exc:
        msg = loc(exc, visitor.lang, "message")
        return render(
            request,
            visitor,
            "login.html",
            status=exc.http_status,
            next=target or "",
            username=username,
            error=msg,
        )
    if principal.must_change_password:  # a reset password: the new one first
        target = "/account/password" + (f"?next={quote(target, safe='/')}" if target else "")
    response = RedirectResponse(target or "/", status_code=303)
    set_session_cookie(request, response, raw)
    set_csrf_cookie(request, response, new_csrf())  # a new identity gets a new token
    return response


@router.post("/logout", response_class=HTMLResponse, response_model=None)
def logout(request: Request, db: Db, visitor: Who, csrf_token: Annotated[str, Form()] = "") -> Response:
    if not csrf_matches(request, csrf_token):
        return csrf_failed(request, visitor)
    if visitor.session is not None:
        auth.logout(page_ctx(request, db, visitor.principal), visitor.session)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/lang/{lang}", response_class=HTMLResponse, response_model=None)
def switch_language(request: Request, visitor: Who, lang: str, next: str = "") -> Response:
    if lang not in ("zh", "en"):
        return error_response(
            request,
            visitor,
            404,
            errors.message("not_found", visitor.lang, object=text("nav.language", visitor.lang), key=lang),
        )
    response = RedirectResponse(safe_next(next) or "/", status_code=303)
    set_lang_cookie(request, response, lang)
    return response


# --- enterprises -------------------------------------------------------------------------


def _options(rows: Any, lang: Lang) -> list[tuple[str, str]]:
    return [(str(r["id"]), str(loc(r, lang))) for r in rows]


@router.get("/enterprises", response_class=HTMLResponse, response_model=None)
def enterprise_list(
    request: Request, db: Db, visitor: Who, city: str = "", metal: str = "", q: str = ""
) -> Response:
    if not visitor.signed_in:
        return to_login(request)
    city, metal, q = city.strip(), metal.strip(), q.strip()[:100]
    rows = enterprises.list_enterprises(
        page_ctx(request, db, visitor.principal), city=city or None, metal=metal or None, q=q or None
    )
    metal_names = {str(m["id"]): (str(m["name_zh"]), str(m["name_en"])) for m in refdata_service.metals()}
    return render(
        request,
        visitor,
        "enterprises.html",
        rows=rows,
        city_options=_options(refdata_service.cities(), visitor.lang),
        metal_options=_options(refdata_service.metals(), visitor.lang),
        metal_names=metal_names,
        f_city=city,
        f_metal=metal,
        f_q=q,
    )


@router.get("/enterprises/{enterprise_id}", response_class=HTMLResponse, response_model=None)
def enterprise_detail(request: Request, db: Db, visitor: Who, enterprise_id: str) -> Response:
    if not visitor.signed_in:
        return to_login(request)
    not_found = errors.message(
        "not_found", visitor.lang, object=text("ent.object", visitor.lang), key=enterprise_id
    )
    if not enterprise_id.isascii() or not enterprise_id.isdigit() or len(enterprise_id) > 12:
        return error_response(request, visitor, 404, not_found)
    ent = enterprises.get_enterprise(page_ctx(request, db, visitor.principal), int(enterprise_id))
    metal_names = {str(m["id"]): (str(m["name_zh"]), str(m["name_en"])) for m in refdata_service.metals()}
    ctx = page_ctx(request, db, visitor.principal)
    whole = inventory.enterprise_inventory(ctx, ent.id)
    inv = inventory_view.section(whole, visitor.lang)
    return render(request, visitor, "enterprise.html", ent=ent, metal_names=metal_names, inv=inv)


# --- inventories -------------------------------------------------------------------------


def _id(value: str) -> int | None:
    """A path id: ASCII digits, at most 12 of them (else None, shown as a 404)."""
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    return int(value)


def _run_not_found(request: Request, visitor: Visitor, key: str, obj: str = "inv.run_object") -> HTMLResponse:
    return error_response(
        request,
        visitor,
        404,
        errors.message("not_found", visitor.lang, object=text(obj, visitor.lang), key=key),
    )


@router.get("/inventories/{run_id}", response_class=HTMLResponse, response_model=None)
def inventory_run(
    request: Request, db: Db, visitor: Who, run_id: str, year: str = "", monthly: str = ""
) -> Response:
    if not visitor.signed_in:
        return to_login(request)
    rid = _id(run_id)
    if rid is None:
        return _run_not_found(request, visitor, run_id)
    ctx = page_ctx(request, db, visitor.principal)
    run = inventory.get_run(ctx, rid)
    ent = enterprises.get_enterprise(ctx, int(run["enterprise_id"]))
    view = inventory_view.run_view(run, year.strip()[:4], monthly == "1", visitor.lang)
    return render(request, visitor, "inventory.html", run=run, ent=ent, view=view)


@router.get("/inventories/{run_id}/lines/{line_no}", response_class=HTMLResponse, response_model=None)
def inventory_explain(request: Request, db: Db, visitor: Who, run_id: str, line_no: str) -> Response:
    if not visitor.signed_in:
        return to_login(request)
    rid, no = _id(run_id), _id(line_no)
    key = f"{run_id}/{line_no}"
    if rid is None or no is None:
        return _run_not_found(request, visitor, key, "inv.line_object")
    ctx = page_ctx(request, db, visitor.principal)
    try:
        exp = inventory.explain(ctx, rid, no)
        run = inventory.get_run(ctx, rid)
        ent = enterprises.get_enterprise(ctx, int(run["enterprise_id"]))
    except NotFound:  # the service names a "line"; the visitor asked for an inventory line
        return _run_not_found(request, visitor, key, "inv.line_object")
    line = next(ln for ln in run["lines"] if int(ln["line_no"]) == no)
    view = inventory_view.explanation_view(exp, line, visitor.lang)
    return render(
        request, visitor, "explain.html", run=run, ent=ent, view=view, confidence=inventory_view.CONFIDENCE
    )
