"""Middleware of both faces: the request ids, the access log line and the headers of every response.

**Request ids.** Every request gets a server-generated id (``uuid4`` hex) on
``request.state.request_id``: the services' audit events, the error bodies and pages and the
``X-Request-ID`` response header carry it — a client cannot choose the id its changes are
audited under. A client's own ``X-Request-ID`` of a safe shape (1–64 of ``A–Z a–z 0–9 . _ -``)
is kept apart on ``request.state.client_request_id`` and echoed as ``X-Client-Request-ID``;
another shape is ignored. One access line per request on the ``carbonpeak.access`` logger
(INFO; ERROR for a 5xx) names both, so a client's id finds the server's.

**Headers.** :data:`SECURITY_HEADERS` on every response that does not set them itself;
``Cache-Control: no-store`` on every response outside ``/static/`` (API JSON, pages, downloads:
nothing of an account's data stays in a browser or proxy cache; the public static assets may be
cached); ``Strict-Transport-Security: max-age=N; includeSubDomains`` when
``CARBONPEAK_HSTS_SECONDS`` is N > 0.

The body guard (:class:`carbonpeak.http.guard.BodyGuard`) is the other middleware; the
composition root (:mod:`carbonpeak.app`) installs both.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Final

from fastapi import FastAPI, Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "SECURITY_HEADERS",
    "STATIC_PREFIX",
    "RequestContext",
    "install_request_context",
    "new_request_id",
    "set_response_headers",
]

log = logging.getLogger("carbonpeak.access")

_RID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_UNPRINTABLE = re.compile(r"[^\x21-\x7e]")

#: Responses under this path (public static assets) may be cached; all others are ``no-store``.
STATIC_PREFIX: Final = "/static/"

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


def new_request_id() -> str:
    """A server-generated request id: 32 hexadecimal digits."""
    return uuid.uuid4().hex


def _hsts(request: Request) -> str | None:
    seconds = int(getattr(getattr(request.app.state, "settings", None), "hsts_seconds", 0) or 0)
    return f"max-age={seconds}; includeSubDomains" if seconds > 0 else None


def set_response_headers(request: Request, response: Response) -> None:
    """The request ids and the headers above on *response* (idempotent). The middleware sets
    them on every response that reaches it; the error handler sets them on the 500 answer
    of an unhandled error, which Starlette sends from outside every middleware."""
    _set_headers(request, response.headers)


def _set_headers(request: Request, headers: MutableHeaders) -> None:
    rid = getattr(request.state, "request_id", None)
    if rid is None:  # an error before the middleware ran: an id of its own
        rid = request.state.request_id = new_request_id()
        request.state.client_request_id = None
    headers["X-Request-ID"] = rid
    if getattr(request.state, "client_request_id", None):
        headers["X-Client-Request-ID"] = request.state.client_request_id
    for key, value in SECURITY_HEADERS.items():
        headers.setdefault(key, value)
    if not request.url.path.startswith(STATIC_PREFIX) and "no-store" not in headers.get("cache-control", ""):
        headers["Cache-Control"] = "no-store"
    hsts = _hsts(request)
    if hsts is not None:
        headers.setdefault("Strict-Transport-Security", hsts)


def _log_access(request: Request, status: int, started: float) -> None:
    # the raw (still percent-encoded) path, without the query; nothing unprintable reaches the log
    raw = request.scope.get("raw_path") or request.url.path.encode("utf-8")
    path = _UNPRINTABLE.sub("?", bytes(raw).decode("latin-1"))[:300]
    log.log(
        logging.ERROR if status >= 500 else logging.INFO,
        "%s %s %d %.0fms request_id=%s client_request_id=%s",
        request.method,
        path,
        status,
        (time.perf_counter() - started) * 1000,
        request.state.request_id,
        request.state.client_request_id or "-",
    )


class RequestContext:
    """Pure ASGI middleware (no task or stream per request, as Starlette's
    ``BaseHTTPMiddleware`` costs): the request ids on ``request.state``, the headers above on
    the response's start message, one access line when the response has gone."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request = Request(scope)  # its state is the scope's: every later Request sees the ids
        client_rid = request.headers.get("x-request-id", "")
        request.state.request_id = new_request_id()
        request.state.client_request_id = client_rid if _RID.match(client_rid) else None
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                _set_headers(request, MutableHeaders(scope=message))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:  # answered by the outermost 500 handler; logged here with both ids
            _log_access(request, 500, started)
            raise
        _log_access(request, status, started)


def install_request_context(app: FastAPI) -> None:
    """Give every request a server id (and keep the client's apart), every response the ids
    and the headers above, and log one access line per request (:class:`RequestContext`)."""
    app.add_middleware(RequestContext)
