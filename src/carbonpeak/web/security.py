"""Cookies, CSRF and redirect targets for the web pages.

- ``cp_session``: the browser session (opaque token; the store keeps only its hash).
  HttpOnly, SameSite=Lax, Path=/, Max-Age = ``session_hours``; Secure over HTTPS.
- ``cp_csrf``: double-submit CSRF token. Set when a page is rendered, echoed by every
  POST form as ``csrf_token``; a POST whose field does not equal the cookie is refused.
  HttpOnly and SameSite=Strict, so another site can neither read nor send it.
- ``cp_lang``: the chosen language, SameSite=Lax, one year.

Redirect targets (``next``) are only followed when they are a path on this site.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Final

from fastapi import Request, Response

from carbonpeak.http.guard import SESSION_COOKIE
from carbonpeak.settings import Settings

__all__ = [
    "CSRF_COOKIE",
    "LANG_COOKIE",
    "SESSION_COOKIE",
    "csrf_matches",
    "existing_csrf",
    "new_csrf",
    "safe_next",
    "secure_cookies",
    "set_csrf_cookie",
    "set_lang_cookie",
    "set_session_cookie",
]

CSRF_COOKIE: Final = "cp_csrf"
LANG_COOKIE: Final = "cp_lang"
_YEAR_S: Final = 365 * 24 * 3600
_CSRF_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)


def secure_cookies(request: Request) -> bool:
    """Whether cookies get the Secure flag: forced by settings, or the request is HTTPS."""
    settings: Settings = request.app.state.settings
    mode = settings.cookie_secure.strip().lower()
    if mode == "true":
        return True
    return mode == "auto" and request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, raw: str) -> None:
    settings: Settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=settings.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )


def set_lang_cookie(request: Request, response: Response, lang: str) -> None:
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=_YEAR_S,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def existing_csrf(request: Request) -> str | None:
    """The request's CSRF cookie if it has the shape of one we issued."""
    value = request.cookies.get(CSRF_COOKIE, "")
    return value if _CSRF_SHAPE.match(value) else None


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, path="/", httponly=True, samesite="strict", secure=secure_cookies(request)
    )


def csrf_matches(request: Request, submitted: str) -> bool:
    """Whether the form's *submitted* token equals the request's CSRF cookie."""
    cookie = existing_csrf(request)
    if cookie is None or not submitted:
        return False
    return hmac.compare_digest(cookie.encode("utf-8"), submitted.encode("utf-8"))


def safe_next(value: str | None) -> str | None:
    """*value* if it is a path on this site (``/x``), else None (no open redirect).

    Refused: absolute and scheme-relative URLs (``//host``), backslashes (browsers read
    ``/\\host`` as ``//host``), control characters and anything not starting with ``/``.
    """
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    return value
