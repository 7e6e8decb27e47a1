"""Middleware of both faces: the request id and the security headers of every response.

The request id is the client's ``X-Request-ID`` when it has a safe shape (1–64 of
``A–Z a–z 0–9 . _ -``), else a new one; it is on ``request.state.request_id`` for the
services' audit trail and the error bodies, and echoed in the response. The body guard
(:class:`carbonpeak.http.guard.BodyGuard`) is the other middleware; the composition root
(:mod:`carbonpeak.app`) installs both.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Final

from fastapi import FastAPI, Request, Response

__all__ = ["SECURITY_HEADERS", "install_request_context"]

_RID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

#: Set on every response that does not set them itself.
SECURITY_HEADERS: Final = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}


def install_request_context(app: FastAPI) -> None:
    """Give every request an id and every response the id and :data:`SECURITY_HEADERS`."""

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id", "")
        request.state.request_id = rid if _RID.match(rid) else uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response
