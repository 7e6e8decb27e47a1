"""Pages of data intake and verification (issue 6): submissions, verifier and approval queues.

Thin, like :mod:`carbonpeak.web.pages` (whose render, Who, page_ctx, to_login,
error_response and form_guard it uses): every handler reads the visitor, calls
:mod:`carbonpeak.service.reporting.workflow`, :mod:`carbonpeak.service.reporting.evidence` or
:mod:`carbonpeak.service.reporting.intake` (which check role and scope), and renders. An error the
handler does not show in its own form is the app's error page (:func:`~carbonpeak.web.pages.error_page`).

- ``GET /submissions``: an enterprise's submissions with the template download and the
  upload form; an authority's approval queue with counts by city; a verifier's queue.
- ``POST /submissions/upload``: import a filled template; a rejected file shows every
  problem (sheet/row/column/value/reason, in the page's language) and offers the workbook
  with the bad cells marked; warnings ask for an acknowledgement.
- ``GET /submissions/template``: the enterprise's template workbook.
- ``GET /submissions/{id}``: status, versions and diffs, figures with adjustments, the moves
  the visitor may make, evidence, history, the inventory link.
- ``POST /submissions/{id}/move|adjust|evidence``; ``GET /submissions/evidence/{id}``.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carbonpeak import errors
from carbonpeak.errors import (
    CarbonpeakError,
    InputError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    Problem,
)
from carbonpeak.http.deps import Db
from carbonpeak.http.files import XLSX, attachment_response, download, read_upload
from carbonpeak.model import Role
from carbonpeak.service.platform.context import Context
from carbonpeak.service.registry import enterprises, refdata_service
from carbonpeak.service.reporting import evidence, workflow
from carbonpeak.web.i18n import Lang, loc, text
from carbonpeak.web.pages import Visitor, Who, error_response, form_guard, page_ctx, render, to_login

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: a marked workbook larger than this is not embedded in the page (a data: link)
MARKED_EMBED_LIMIT = 5 * 1024 * 1024
MONTHS = [f"{m:02d}" for m in range(1, 13)]


def _id(value: str) -> int | None:
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    return int(value)


def _default_year() -> int:
    """The year usually reported: the previous calendar year."""
    return dt.datetime.now(dt.UTC).year - 1


def _not_found(
    request: Request, visitor: Visitor, key: str, obj: str = "intake.detail.object"
) -> HTMLResponse:
    msg = errors.message("not_found", visitor.lang, object=text(obj, visitor.lang), key=key)
    return error_response(request, visitor, 404, msg)


def _msg(exc: CarbonpeakError, lang: Lang) -> str:
    return errors.message(exc.code, lang, **exc.fields)


def _problem_rows(problems: list[Problem], lang: Lang) -> list[dict[str, Any]]:
    return [
        {
            "sheet": p.sheet or "",
            "row": "" if p.row is None else p.row,
            "column": p.column or "",
            "value": "" if p.value is None else str(p.value),
            "reason": loc(p, lang, "message"),
        }
        for p in problems
    ]


def _city(code: str, lang: Lang) -> str:
    return refdata_service.name("geo/cities", code, lang) or code


def _limit_bytes(request: Request) -> int:
    return int(request.app.state.settings.max_upload_mb) * 1024 * 1024


async def _read(request: Request, upload: UploadFile | None) -> bytes | None:
    """The upload's bytes (None when no file was chosen); over the limit → PayloadTooLarge."""
    if upload is None or not upload.filename:
        return None
    return await read_upload(request, upload)


# --- the list / queues -------------------------------------------------------------------


#: The statuses the authorities' and verifiers' list shows by default (approved: on request).
IN_WORK = [s.value for s in workflow.Status if s is not workflow.Status.APPROVED]


def _list_values(ctx: Context, visitor: Visitor, status: str) -> dict[str, Any]:
    role = visitor.principal.role
    lang = visitor.lang
    out: dict[str, Any] = {
        "role": role.value,
        "mine": [],
        "verifier_queue": [],
        "approval_queue": [],
        "all_rows": [],
        "counts": [],
        "count_states": [s.value for s in workflow.Status],
        "f_status": status,
        "template_enterprises": [],
        "default_year": _default_year(),
        "can_upload": role in (Role.ENTERPRISE, Role.CITY, Role.PROVINCE),
    }
    if role is Role.PUBLIC:
        return out
    if role is Role.ENTERPRISE:
        out["mine"] = workflow.queue(ctx)
        out["template_enterprises"] = [(e.id, loc(e, lang)) for e in enterprises.list_enterprises(ctx)]
    elif role is Role.VERIFIER:
        out["verifier_queue"] = workflow.queue(ctx, statuses=["submitted", "under_verification"])
        out["all_rows"] = workflow.queue(ctx, statuses=[status] if status else IN_WORK)
    else:
        out["approval_queue"] = workflow.queue(ctx, statuses=["verified"])
        # work in hand by default; approved submissions (official figures) on request
        out["all_rows"] = workflow.queue(ctx, statuses=[status] if status else IN_WORK)
        counts = workflow.counts_by_city(ctx)
        out["counts"] = [
            {"city": _city(code, lang), "code": code, "by": by, "total": sum(by.values())}
            for code, by in counts.items()
        ]
    for key in ("mine", "verifier_queue", "approval_queue", "all_rows"):
        for r in out[key]:
            r["city_name"] = _city(r["city_code"], lang)
    return out


def _render_list(
    request: Request,
    db: Db,
    visitor: Visitor,
    *,
    status: str = "",
    code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    ctx = page_ctx(request, db, visitor.principal)
    if status not in {s.value for s in workflow.Status}:
        status = ""
    values = _list_values(ctx, visitor, status)
    values.setdefault("upload_mb", request.app.state.settings.max_upload_mb)
    defaults: dict[str, Any] = {"rejected": None, "warnings": None, "upload_error": None}
    return render(request, visitor, "intake/submissions.html", status=code, **{**defaults, **values, **extra})


@router.get("/submissions", response_class=HTMLResponse, response_model=None)
def submission_list(request: Request, db: Db, visitor: Who, status: str = "") -> Response:
    if not visitor.signed_in:
        return to_login(request)
    return _render_list(request, db, visitor, status=status.strip()[:32])


@router.get("/submissions/template", response_model=None)
def template_download(
    request: Request, db: Db, visitor: Who, enterprise: str = "", year: str = ""
) -> Response:
    """The enterprise's reporting template (xlsx), from the enterprise page or the list."""
    from carbonpeak.service.reporting import intake  # noqa: PLC0415 — openpyxl and pandas, only when asked

    if not visitor.signed_in:
        return to_login(request)
    eid, yr = _id(enterprise), _id(year) if year else _default_year()
    if eid is None or yr is None or not 2000 <= yr <= 2100:
        return _not_found(request, visitor, f"{enterprise}/{year}", "intake.template.title")
    data, filename = intake.template_workbook(page_ctx(request, db, visitor.principal), eid, yr, visitor.lang)
    return download(data, filename, XLSX)


def _marked_href(data: bytes, filename: str, problems: list[Problem]) -> str | None:
    """A data: link to the workbook with the bad cells marked (xlsx uploads only)."""
    from carbonpeak.service.reporting import intake  # noqa: PLC0415

    if evidence.sniff(data) != "xlsx":
        return None
    try:
        marked = intake.marked_workbook(data, filename, problems)
    except CarbonpeakError:
        return None
    if len(marked) > MARKED_EMBED_LIMIT:
        return None
    return f"data:{XLSX};base64,{base64.b64encode(marked).decode('ascii')}"


def _marked_name(filename: str) -> str:
    stem = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0][:80]
    return f"{stem}-problems.xlsx"


@router.post("/submissions/upload", response_class=HTMLResponse, response_model=None)
async def submission_upload(
    request: Request,
    db: Db,
    visitor: Who,
    file: Annotated[UploadFile | None, File()] = None,
    note: Annotated[str, Form(max_length=2000)] = "",
    acknowledge: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    from carbonpeak.service.reporting import intake  # noqa: PLC0415

    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    lang = visitor.lang
    try:
        data = await _read(request, file)
    except PayloadTooLarge as exc:
        return _render_list(request, db, visitor, code=413, upload_error=_msg(exc, lang))
    if data is None or file is None:
        return _render_list(request, db, visitor, code=422, upload_error=text("intake.upload.missing", lang))
    filename = file.filename or "upload.xlsx"
    ctx = page_ctx(request, db, visitor.principal)
    try:
        out = intake.import_submission(
            ctx, data, filename, acknowledge_warnings=acknowledge == "1", note=note
        )
    except intake.WarningsNotAcknowledged as exc:  # a question to the submitter, not an error: 200
        return _render_list(request, db, visitor, warnings=_problem_rows(exc.problems, lang), note=note)
    except InputError as exc:
        problems = exc.problems or [Problem(exc.code, fields=exc.fields)]
        rejected = {
            "problems": _problem_rows(problems, lang),
            "marked_href": _marked_href(data, filename, problems),
            "marked_name": _marked_name(filename),
        }
        return _render_list(request, db, visitor, code=422, rejected=rejected)
    except CarbonpeakError as exc:
        return _render_list(request, db, visitor, code=exc.http_status, upload_error=_msg(exc, lang))
    if out.unchanged:  # identical to the current version: nothing stored
        return RedirectResponse(
            f"/submissions/{out.submission_id}?unchanged={out.version_no}", status_code=303
        )
    return RedirectResponse(
        f"/submissions/{out.submission_id}?imported={out.version_no}&rows={out.rows}", status_code=303
    )


# --- one submission ----------------------------------------------------------------------


def _grid(rows: list[dict[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    """Figures pivoted to line × item rows with a cell per month (and the annual figure)."""
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        key = (r["line_code"], r["item"])
        g = by_key.setdefault(
            key,
            {
                "line": r["line_code"],
                "item": r["item"],
                "item_name": refdata_service.name("accounting/items", r["item"], lang) or r["item"],
                "unit": r["unit"],
                "cells": {},
            },
        )
        period = str(r["period"])
        month = period[5:7] if len(period) == 7 else "year"
        g["cells"][month] = r
    for g in by_key.values():
        months = [c["effective_quantity"] for m, c in g["cells"].items() if m != "year"]
        g["month_sum"] = sum(months) if months else None
    return [by_key[k] for k in sorted(by_key)]


def _detail(
    request: Request,
    db: Db,
    visitor: Visitor,
    sid: int,
    *,
    code: int = 200,
    error: str | None = None,
    problems: list[dict[str, Any]] | None = None,
    done: str = "",
    imported: str = "",
    unchanged: str = "",
    diff_a: str = "",
    diff_b: str = "",
    adjust_sel: str = "",
) -> Response:
    ctx = page_ctx(request, db, visitor.principal)
    lang = visitor.lang
    sub = workflow.get(ctx, sid)
    ent = enterprises.get_enterprise(ctx, int(sub["enterprise_id"]))
    moves = workflow.allowed_moves(ctx, sid)
    vers = workflow.versions(ctx, sid)
    figs = workflow.figures(ctx, sid)
    current = next((v for v in vers if v["current"]), None)
    diff = None
    by_no = {str(v["version_no"]): v["id"] for v in vers}
    if diff_a in by_no and diff_b in by_no and diff_a != diff_b:
        from carbonpeak.service.reporting import intake  # noqa: PLC0415

        diff = intake.diff_versions(ctx, by_no[diff_a], by_no[diff_b])
    elif len(vers) >= 2 and not (diff_a or diff_b):
        diff_a, diff_b = str(vers[-2]["version_no"]), str(vers[-1]["version_no"])
    hist = workflow.history(ctx, sid)
    last = hist["steps"][-1] if hist["steps"] else None
    returned = last if last is not None and sub["status"] == "returned" else None
    evid = evidence.list_evidence(ctx, sid)
    role = visitor.principal.role
    can_attach = (role is Role.VERIFIER and sub["status"] == "under_verification") or (
        role in (Role.ENTERPRISE, Role.CITY, Role.PROVINCE) and sub["status"] != "approved"
    )
    item_names = {
        r["item"]: refdata_service.name("accounting/items", r["item"], lang) or r["item"]
        for r in figs["rows"]
    }
    adjusted = [(r, a) for r in figs["rows"] for a in r["adjustments"]]
    return render(
        request,
        visitor,
        "intake/submission.html",
        status=code,
        sub=sub,
        ent=ent,
        city_name=_city(ent.city_code, lang),
        moves=[m for m in moves if m != "adjust"],
        can_adjust="adjust" in moves,
        versions=vers,
        current=current,
        diff=diff,
        diff_a=diff_a,
        diff_b=diff_b,
        figures=figs,
        grid=_grid(figs["rows"], lang),
        months=MONTHS,
        item_names=item_names,
        adjusted=adjusted,
        adjust_sel=adjust_sel,
        history=hist,
        returned=returned,
        evidence=evid,
        can_attach=can_attach,
        line_codes=[ln.code for ln in ent.lines],
        upload_mb=request.app.state.settings.max_upload_mb,
        error=error,
        problems=problems or [],
        done=done if done in workflow.MOVE_NAMES else "",
        imported=imported if _id(imported) is not None else "",
        unchanged=unchanged if _id(unchanged) is not None else "",
    )


@router.get("/submissions/{submission_id}", response_class=HTMLResponse, response_model=None)
def submission_detail(
    request: Request,
    db: Db,
    visitor: Who,
    submission_id: str,
    done: str = "",
    imported: str = "",
    unchanged: str = "",
    a: str = "",
    b: str = "",
    adjust: str = "",
) -> Response:
    if not visitor.signed_in:
        return to_login(request)
    sid = _id(submission_id)
    if sid is None:
        return _not_found(request, visitor, submission_id)
    return _detail(
        request,
        db,
        visitor,
        sid,
        done=done,
        imported=imported,
        unchanged=unchanged,
        diff_a=a[:6],
        diff_b=b[:6],
        adjust_sel=adjust[:12],
    )


def _failed(request: Request, db: Db, visitor: Visitor, sid: int, exc: CarbonpeakError) -> Response:
    if isinstance(exc, NotFound):  # nothing to show the form on: the app's error page
        raise exc
    problems = _problem_rows(exc.problems, visitor.lang) if isinstance(exc, InputError) else []
    return _detail(
        request, db, visitor, sid, code=exc.http_status, error=_msg(exc, visitor.lang), problems=problems
    )


@router.post("/submissions/{submission_id}/move", response_class=HTMLResponse, response_model=None)
def submission_move(
    request: Request,
    db: Db,
    visitor: Who,
    submission_id: str,
    move: Annotated[str, Form(max_length=32)] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    sid = _id(submission_id)
    if sid is None or move not in workflow.MOVE_NAMES or move == "adjust":
        return _not_found(request, visitor, submission_id)
    try:
        workflow.make_move(page_ctx(request, db, visitor.principal), sid, move, comment)
    except CarbonpeakError as exc:
        return _failed(request, db, visitor, sid, exc)
    return RedirectResponse(f"/submissions/{sid}?done={move}", status_code=303)


@router.post("/submissions/{submission_id}/adjust", response_class=HTMLResponse, response_model=None)
async def submission_adjust(
    request: Request,
    db: Db,
    visitor: Who,
    submission_id: str,
    value_id: Annotated[str, Form(max_length=12)] = "",
    quantity: Annotated[str, Form(max_length=64)] = "",
    unit: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    evidence_file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    sid, vid = _id(submission_id), _id(value_id)
    if sid is None:
        return _not_found(request, visitor, submission_id)
    ctx = page_ctx(request, db, visitor.principal)
    try:
        if vid is None:
            raise InputError([Problem("required", column=text("intake.adjust.value", visitor.lang))])
        data = await _read(request, evidence_file)
        if data is not None and evidence_file is not None:
            evidence.adjust_with_evidence(
                ctx,
                sid,
                vid,
                quantity,
                unit,
                reason,
                data,
                evidence_file.filename or "evidence",
                max_bytes=_limit_bytes(request),
            )
        else:
            workflow.adjust(ctx, vid, quantity, unit, reason, submission_id=sid)
    except CarbonpeakError as exc:
        return _failed(request, db, visitor, sid, exc)
    return RedirectResponse(f"/submissions/{sid}?done=adjust#figures", status_code=303)


@router.post("/submissions/{submission_id}/evidence", response_class=HTMLResponse, response_model=None)
async def submission_evidence(
    request: Request,
    db: Db,
    visitor: Who,
    submission_id: str,
    file: Annotated[UploadFile | None, File()] = None,
    line_code: Annotated[str, Form(max_length=32)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    sid = _id(submission_id)
    if sid is None:
        return _not_found(request, visitor, submission_id)
    ctx = page_ctx(request, db, visitor.principal)
    try:
        data = await _read(request, file)
        if data is None or file is None:
            raise InputError([Problem("required", column=text("intake.evidence.name", visitor.lang))])
        evidence.attach(
            ctx,
            sid,
            data,
            file.filename or "evidence",
            line_code=line_code,
            description=description,
            max_bytes=_limit_bytes(request),
        )
    except CarbonpeakError as exc:
        return _failed(request, db, visitor, sid, exc)
    return RedirectResponse(f"/submissions/{sid}#evidence", status_code=303)


@router.get("/submissions/evidence/{evidence_id}", response_model=None)
def evidence_download(request: Request, db: Db, visitor: Who, evidence_id: str) -> Response:
    if not visitor.signed_in:
        return to_login(request)
    eid = _id(evidence_id)
    if eid is None:
        return _not_found(request, visitor, evidence_id, "intake.error.object_evidence")
    try:
        file = evidence.download(page_ctx(request, db, visitor.principal), eid)
    except (NotFound, PermissionDenied):
        return _not_found(request, visitor, evidence_id, "intake.error.object_evidence")
    return attachment_response(file)
