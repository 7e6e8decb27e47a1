"""Pages of the reporting round and of verifier assignments (issue 11).

Thin, like :mod:`carbonpeak.web.intake_pages`: each handler reads the visitor, calls
:mod:`carbonpeak.service.reporting.assignments` (which checks role and scope and writes the audit
trail) and renders. Every POST form carries the CSRF token (:func:`form_guard`). A failed
form is shown again with its error; any other error is the app's error page.

- ``GET /rounds?year=&city=&status=``: the year's round — the deadline and the days left
  (Beijing time), the counts by state, the enterprises with their state and verifiers,
  filters by city and state; the province's form to open the round or move its deadline.
- ``POST /rounds``: open or update a round (province).
- ``GET /assignments?year=``: the assign form (verifier by display name, enterprise by
  name, year or every year) and the assignments with a remove button each.
- ``POST /assignments``, ``POST /assignments/{id}/delete``: assign, unassign.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carbonpeak import errors
from carbonpeak.errors import CarbonpeakError, InputError, NotFound, Problem
from carbonpeak.http.deps import Db
from carbonpeak.http.params import MAX_ID, YEAR_MAX, YEAR_MIN
from carbonpeak.service.reporting import assignments
from carbonpeak.service.reporting.assignments import BEIJING, REPORT_STATES, beijing_today
from carbonpeak.web.i18n import Lang, loc, text
from carbonpeak.web.pages import Visitor, Who, form_guard, page_ctx, render, to_login

__all__ = ["beijing_time", "router"]

router = APIRouter(include_in_schema=False)

#: the notes each page shows after a successful form (``?done=``)
_ROUND_DONE = {"round"}
_ASSIGN_DONE = {"assign", "unassign"}


def beijing_time(iso: str | None) -> str:
    """A stored UTC time (``2027-03-31T16:05:00.000000Z``) as ``2027-04-01 00:05`` in Beijing."""
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _default_year() -> int:
    """The year usually reported in a round: the previous calendar year (Beijing time)."""
    return beijing_today().year - 1


def _year(value: str, *, default: int | None) -> int | None:
    """A year from a query or form field; blank → *default*; anything else out of range →
    an :class:`InputError` located on ``year``."""
    value = value.strip()
    if not value:
        return default
    if value.isascii() and value.isdigit() and len(value) == 4 and YEAR_MIN <= int(value) <= YEAR_MAX:
        return int(value)
    raise InputError(
        [Problem("out_of_range", column="year", value=value[:16], fields={"low": YEAR_MIN, "high": YEAR_MAX})]
    )


def _id(value: str) -> int | None:
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 12 or not 1 <= int(value) <= MAX_ID:
        return None
    return int(value)


def _msg(exc: CarbonpeakError, lang: Lang) -> str:
    msg = errors.message(exc.code, lang, **exc.fields)
    if isinstance(exc, InputError) and exc.problems:
        msg = "；".join(loc(p, lang, "message") for p in exc.problems)
    return msg


# --- the reporting round -------------------------------------------------------------------


#: Enterprises per page of the reporting round's table (a province holds thousands).
ROUND_PAGE_SIZE = 100


def _round_page(
    request: Request,
    db: Db,
    visitor: Visitor,
    year_text: str,
    city: str,
    status: str,
    *,
    page: int = 1,
    code: int = 200,
    error: str | None = None,
    done: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    ctx = page_ctx(request, db, visitor.principal)
    year = _year(year_text, default=_default_year()) or _default_year()
    city = city.strip()[:6] if city.strip().isdigit() else ""
    status = status if status in REPORT_STATES else ""
    st = assignments.round_status(ctx, year, city=city or None, status=status or None)
    lang = visitor.lang
    total = len(st.rows)
    pages = max(1, -(-total // ROUND_PAGE_SIZE))
    page = min(max(page, 1), pages)
    first = (page - 1) * ROUND_PAGE_SIZE
    rows = [
        {
            "row": r,
            "name": loc(r, lang),
            "city": loc(r, lang, "city"),
            "updated": beijing_time(r.updated_at),
        }
        for r in st.rows[first : first + ROUND_PAGE_SIZE]
    ]
    pager = {
        "page": page,
        "pages": pages,
        "first": first + 1 if total else 0,
        "last": first + len(rows),
        "total": total,
    }
    cities = [(c.code, loc(c, lang)) for c in st.cities]
    return render(
        request,
        visitor,
        "assign/round.html",
        status=code,
        year=year,
        st=st,
        rows=rows,
        pager=pager,
        cities=cities,
        f_city=city,
        f_status=status,
        states=REPORT_STATES,
        can_open=visitor.principal.role.value == "province",
        can_assign=visitor.principal.role.value in ("province", "city"),
        error=error,
        done=done if done in _ROUND_DONE else "",
        form=form or {"deadline": st.deadline or "", "note": st.note},
    )


@router.get("/rounds", response_class=HTMLResponse, response_model=None)
def round_page(
    request: Request,
    db: Db,
    visitor: Who,
    year: str = "",
    city: str = "",
    status: str = "",
    done: str = "",
    page: str = "1",
) -> Response:
    if not visitor.signed_in:
        return to_login(request)
    number = int(page) if page.isdigit() and len(page) <= 6 else 1
    return _round_page(request, db, visitor, year[:8], city[:8], status[:32], done=done[:16], page=number)


@router.post("/rounds", response_class=HTMLResponse, response_model=None)
def round_open(
    request: Request,
    db: Db,
    visitor: Who,
    year: Annotated[str, Form(max_length=8)] = "",
    deadline: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    ctx = page_ctx(request, db, visitor.principal)
    try:
        yr = _year(year, default=None)
        if yr is None:
            raise InputError([Problem("required", column=text("round.year", visitor.lang))])
        assignments.open_round(ctx, yr, deadline, note)
    except CarbonpeakError as exc:
        return _round_page(
            request,
            db,
            visitor,
            year,
            "",
            "",
            code=exc.http_status,
            error=_msg(exc, visitor.lang),
            form={"deadline": deadline, "note": note},
        )
    return RedirectResponse(f"/rounds?year={yr}&done=round", status_code=303)


# --- assignments -----------------------------------------------------------------------------


def _assign_page(
    request: Request,
    db: Db,
    visitor: Visitor,
    year_text: str,
    *,
    code: int = 200,
    error: str | None = None,
    done: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    ctx = page_ctx(request, db, visitor.principal)
    lang = visitor.lang
    year = _year(year_text, default=None)
    verifiers = assignments.list_verifiers(ctx)
    ents = assignments.enterprise_choices(ctx)
    rows = assignments.list_assignments(ctx, year=year)
    return render(
        request,
        visitor,
        "assign/assignments.html",
        status=code,
        year=year,
        round_year=year or _default_year(),
        verifiers=verifiers,
        enterprises=[
            {
                "id": e.id,
                "name": loc(e, lang),
                "city": loc(e, lang, "city"),
            }
            for e in ents
        ],
        rows=[
            {
                "a": a,
                "enterprise": loc(a, lang, "enterprise_name"),
                "city": loc(a, lang, "city"),
                "created": beijing_time(a.created_at),
            }
            for a in rows
        ],
        error=error,
        done=done if done in _ASSIGN_DONE else "",
        form=form or {"verifier_id": "", "enterprise_id": "", "year": str(year or "")},
    )


@router.get("/assignments", response_class=HTMLResponse, response_model=None)
def assignment_page(request: Request, db: Db, visitor: Who, year: str = "", done: str = "") -> Response:
    if not visitor.signed_in:
        return to_login(request)
    return _assign_page(request, db, visitor, year[:8], done=done[:16])


@router.post("/assignments", response_class=HTMLResponse, response_model=None)
def assignment_create(
    request: Request,
    db: Db,
    visitor: Who,
    verifier_id: Annotated[str, Form(max_length=20)] = "",
    enterprise_id: Annotated[str, Form(max_length=20)] = "",
    year: Annotated[str, Form(max_length=8)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    lang = visitor.lang
    ctx = page_ctx(request, db, visitor.principal)
    try:
        problems = []
        vid, eid = _id(verifier_id), _id(enterprise_id)
        if vid is None:
            problems.append(Problem("required", column=text("assign.verifier", lang)))
        if eid is None:
            problems.append(Problem("required", column=text("assign.enterprise", lang)))
        yr = _year(year, default=None)
        if problems or vid is None or eid is None:
            raise InputError(problems)
        assignments.assign(ctx, vid, eid, yr)
    except CarbonpeakError as exc:
        form = {"verifier_id": verifier_id, "enterprise_id": enterprise_id, "year": year}
        return _assign_page(request, db, visitor, "", code=exc.http_status, error=_msg(exc, lang), form=form)
    return RedirectResponse(f"/assignments?year={yr or ''}&done=assign", status_code=303)


@router.post("/assignments/{assignment_id}/delete", response_class=HTMLResponse, response_model=None)
def assignment_delete(
    request: Request,
    db: Db,
    visitor: Who,
    assignment_id: str,
    year: Annotated[str, Form(max_length=8)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    aid = _id(assignment_id)
    try:
        if aid is None:
            raise NotFound(object="assignment", key=assignment_id[:20])
        assignments.unassign(page_ctx(request, db, visitor.principal), aid)
    except CarbonpeakError as exc:
        return _assign_page(request, db, visitor, year, code=exc.http_status, error=_msg(exc, visitor.lang))
    back = year.strip() if year.strip().isdigit() else ""
    return RedirectResponse(f"/assignments?year={back}&done=unassign", status_code=303)
