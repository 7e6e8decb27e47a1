"""One error handler for both faces: JSON under ``/api/``, the site's HTML error page elsewhere.

Every error a request can end in is first made a :class:`~carbonpeak.errors.CarbonpeakError`
with its HTTP status:

==================================== ====== ==============================================
raised                               status code
==================================== ====== ==============================================
a :class:`CarbonpeakError`           its    its own (``not_found``, ``permission_denied`` …)
request validation (FastAPI)         422    ``input_invalid``, one located problem each
a computation past its deadline      503    ``compute_deadline``, with ``Retry-After``
an HTTP error (no route, method …)   its    ``not_found`` (404), ``payload_too_large``
                                            (413), else ``validation``
anything else                        500    ``internal`` with the request id, no traceback
==================================== ====== ==============================================

Every answer carries the request ids and the security headers of
:mod:`carbonpeak.http.middleware` — the 500 of an unhandled error too, although Starlette
sends it from outside every middleware.

A request under ``/api/`` gets the JSON body
``{"error": {"code", "message_zh", "message_en", "problems"?, "request_id"}}``; any other
path gets the page that the composition root passes as *page_error* (the web face's
bilingual error page, in the visitor's language). If that page itself fails, the JSON body
is the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from carbonpeak.errors import CarbonpeakError, InputError, NotFound, Problem
from carbonpeak.http.middleware import set_response_headers

__all__ = ["API_PREFIX", "PageError", "as_error", "install_error_handlers", "is_api"]

log = logging.getLogger("carbonpeak.http")

#: Paths under this prefix are the JSON API; every other path is a page.
API_PREFIX = "/api/"

#: Renders an error as a page: (request, HTTP status, the error) → response.
PageError = Callable[[Request, int, CarbonpeakError], Response]


def is_api(request: Request) -> bool:
    """Whether *request* is one of the JSON API's (its errors are JSON bodies)."""
    return request.url.path.startswith(API_PREFIX)


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


def _validation_error(exc: RequestValidationError) -> InputError:
    problems = [
        Problem(
            "validation",
            column=".".join(str(p) for p in e.get("loc", ())[1:]) or None,
            value=e.get("input") if not isinstance(e.get("input"), dict) else None,
            fields={"detail": e.get("msg", "")},
        )
        for e in exc.errors()
    ]
    return InputError(problems, code="input_invalid")


def _http_error(request: Request, exc: StarletteHTTPException) -> CarbonpeakError:
    if exc.status_code == 404:
        return NotFound(object="page" if not is_api(request) else "resource", key=request.url.path)
    code = {413: "payload_too_large"}.get(exc.status_code, "validation")
    return CarbonpeakError(
        code,
        object="resource",
        key=request.url.path,
        detail=exc.detail,
        limit_mb=request.app.state.settings.max_upload_mb,
    )


def as_error(request: Request, exc: Exception) -> tuple[int, CarbonpeakError]:
    """The HTTP status and the :class:`CarbonpeakError` that *exc* is answered with."""
    if isinstance(exc, CarbonpeakError):
        return exc.http_status, exc
    if isinstance(exc, RequestValidationError):
        return 422, _validation_error(exc)
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, _http_error(request, exc)
    return 500, CarbonpeakError("internal", request_id=_request_id(request))


def _json(request: Request, status: int, error: CarbonpeakError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = {"error": {**error.as_dict(), "request_id": _request_id(request)}}
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI, page_error: PageError | None = None) -> None:
    """Answer every error on *app*: JSON under ``/api/``, ``page_error`` on other paths."""

    def answer(request: Request, exc: Exception) -> Response:
        status, error = as_error(request, exc)
        if status >= 500 and not isinstance(exc, CarbonpeakError):
            log.exception("unhandled error in request %s", _request_id(request), exc_info=exc)
        if page_error is not None and not is_api(request):
            try:
                return page_error(request, status, error)
            except Exception:  # the error page failed too: the plain answer, never a traceback
                log.exception("the error page failed in request %s", _request_id(request))
        return _json(request, status, error)

    async def handler(request: Request, exc: Exception) -> Response:
        # the page resolves its visitor in the store: off the event loop
        response = await run_in_threadpool(answer, request, exc)
        retry_after = getattr(exc, "fields", {}).get("retry_after") if response.status_code == 503 else None
        if retry_after is not None:  # a computation past its deadline: when to ask again
            response.headers["Retry-After"] = str(retry_after)
        # an unhandled error's 500 is sent from outside every middleware: its headers here
        set_response_headers(request, response)
        return response

    for kind in (CarbonpeakError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(kind, handler)
