"""Account pages (issue 13): my account (API tokens, password change) and the province's users.

Thin, like :mod:`carbonpeak.web.assignment_pages`: each handler reads the visitor, calls
:mod:`carbonpeak.service.access.accounts` (which checks the role and writes the audit trail) and
renders. Every POST form carries the CSRF token (:func:`form_guard`); a failed form is shown
again with its error; any other error (a city user on ``/users``) is the app's error page.

- ``GET /account``: who I am, my live API tokens (name, created, expires, last used) with a
  revoke button each; ``POST /account/tokens/{id}/revoke``.
- ``GET /account/password`` · ``POST``: change my password (current one, the new one twice).
  The only page (with sign-out) a visitor whose password was reset may reach.
- ``GET /users`` (province): every user with its state, live tokens and sessions; per user
  ``POST /users/{id}/deactivate`` · ``reactivate`` · ``reset-password`` · ``revoke-tokens``.
  A reset shows the one-time password once, in the answer to the POST (never in a URL).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carbonpeak import errors
from carbonpeak.errors import CarbonpeakError, InputError, NotFound, Problem
from carbonpeak.http.deps import Db
from carbonpeak.http.params import MAX_ID
from carbonpeak.model.schemas import TemporaryPassword
from carbonpeak.service.access import accounts
from carbonpeak.service.registry import refdata_service
from carbonpeak.settings import get_settings
from carbonpeak.web.assignment_pages import beijing_time
from carbonpeak.web.i18n import Lang, loc
from carbonpeak.web.pages import Visitor, Who, form_guard, page_ctx, render, to_login
from carbonpeak.web.security import safe_next

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_ACCOUNT_DONE = {"revoked", "password"}
_USERS_DONE = {"deactivate", "reactivate", "revoke_tokens"}
_USER_ACTIONS = {"deactivate", "reactivate", "reset-password", "revoke-tokens"}


def _id(value: str) -> int | None:
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 12 or not 1 <= int(value) <= MAX_ID:
        return None
    return int(value)


def _msg(exc: CarbonpeakError, lang: Lang) -> str:
    if isinstance(exc, InputError) and exc.problems:
        return "；".join(loc(p, lang, "message") for p in exc.problems)
    return errors.message(exc.code, lang, **exc.fields)


# --- my account -------------------------------------------------------------------------------


def _account_page(
    request: Request, db: Db, visitor: Visitor, *, code: int = 200, error: str | None = None, done: str = ""
) -> Response:
    tokens = accounts.list_tokens(page_ctx(request, db, visitor.principal))
    rows = [
        {
            "t": t,
            "created": beijing_time(t.created_at),
            "expires": beijing_time(t.expires_at),
            "last_used": beijing_time(t.last_used_at),
        }
        for t in tokens
    ]
    return render(
        request,
        visitor,
        "account/account.html",
        status=code,
        tokens=rows,
        error=error,
        done=done if done in _ACCOUNT_DONE else "",
    )


@router.get("/account", response_class=HTMLResponse, response_model=None)
def account_page(request: Request, db: Db, visitor: Who, done: str = "") -> Response:
    if not visitor.signed_in:
        return to_login(request)
    return _account_page(request, db, visitor, done=done[:16])


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse, response_model=None)
def account_revoke_token(
    request: Request, db: Db, visitor: Who, token_id: str, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    try:
        tid = _id(token_id)
        if tid is None:
            raise NotFound(object="api_token", key=token_id[:20])
        accounts.revoke_token(page_ctx(request, db, visitor.principal), tid)
    except CarbonpeakError as exc:
        return _account_page(request, db, visitor, code=exc.http_status, error=_msg(exc, visitor.lang))
    return RedirectResponse("/account?done=revoked", status_code=303)


def _password_page(
    request: Request, visitor: Visitor, next_path: str, *, code: int = 200, error: str | None = None
) -> Response:
    return render(
        request,
        visitor,
        "account/password.html",
        status=code,
        next=next_path,
        error=error,
        must_change=visitor.principal.must_change_password,
        min_length=get_settings().min_password_length,
    )


@router.get("/account/password", response_class=HTMLResponse, response_model=None)
def password_page(request: Request, visitor: Who, next: str = "") -> Response:
    if not visitor.signed_in:
        return to_login(request)
    return _password_page(request, visitor, safe_next(next) or "")


@router.post("/account/password", response_class=HTMLResponse, response_model=None)
def password_change(
    request: Request,
    db: Db,
    visitor: Who,
    current_password: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=256)] = "",
    new_password_again: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    target = safe_next(next) or ""
    try:
        if new_password != new_password_again:
            raise InputError([Problem("password_mismatch", column="new_password_again", value="***")])
        accounts.change_password(
            page_ctx(request, db, visitor.principal), current_password, new_password, keep=visitor.session
        )
    except CarbonpeakError as exc:
        return _password_page(request, visitor, target, code=exc.http_status, error=_msg(exc, visitor.lang))
    return RedirectResponse(target or "/account?done=password", status_code=303)


# --- the province's users ---------------------------------------------------------------------


def _users_page(
    request: Request,
    db: Db,
    visitor: Visitor,
    *,
    code: int = 200,
    error: str | None = None,
    done: str = "",
    done_name: str = "",
    done_n: int = 0,
    temporary: TemporaryPassword | None = None,
) -> Response:
    users = accounts.list_accounts(page_ctx(request, db, visitor.principal))
    cities = {str(r["id"]): str(loc(r, visitor.lang)) for r in refdata_service.cities()}
    rows: list[dict[str, Any]] = [
        {
            "u": u,
            "city": cities.get(u.city_code or "", u.city_code or ""),
            "me": u.id == visitor.principal.user_id,
        }
        for u in users
    ]
    return render(
        request,
        visitor,
        "account/users.html",
        status=code,
        rows=rows,
        error=error,
        done=done if done in _USERS_DONE else "",
        done_name=done_name[:64],
        done_n=done_n,
        temporary=temporary,
    )


@router.get("/users", response_class=HTMLResponse, response_model=None)
def users_page(
    request: Request, db: Db, visitor: Who, done: str = "", name: str = "", n: str = ""
) -> Response:
    if not visitor.signed_in:
        return to_login(request)
    count = int(n) if n.isascii() and n.isdigit() and len(n) < 7 else 0
    return _users_page(request, db, visitor, done=done[:16], done_name=name, done_n=count)


@router.post("/users/{user_id}/{action}", response_class=HTMLResponse, response_model=None)
def users_action(
    request: Request, db: Db, visitor: Who, user_id: str, action: str, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Deactivate, reactivate, reset the password of, or revoke the tokens of one user."""
    if (refused := form_guard(request, visitor, csrf_token)) is not None:
        return refused
    ctx = page_ctx(request, db, visitor.principal)
    uid = _id(user_id)
    try:
        if uid is None or action not in _USER_ACTIONS:
            raise NotFound(object="page", key=request.url.path[:80])
        if action == "reset-password":  # the one-time password is shown in this answer only
            return _users_page(request, db, visitor, temporary=accounts.reset_password(ctx, uid))
        n = 0
        if action == "revoke-tokens":
            n = accounts.revoke_tokens(ctx, uid)
            name = accounts.get_account(ctx, uid).username
        elif action == "deactivate":
            name = accounts.deactivate_user(ctx, uid).username
        else:
            name = accounts.reactivate_user(ctx, uid).username
    except CarbonpeakError as exc:
        return _users_page(request, db, visitor, code=exc.http_status, error=_msg(exc, visitor.lang))
    done = action.replace("-", "_")
    return RedirectResponse(f"/users?done={done}&name={quote(name)}&n={n}", status_code=303)
