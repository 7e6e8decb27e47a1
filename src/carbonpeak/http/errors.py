"""One error handler mapping the carbonpeak error tree to HTTP statuses with zh/en messages.

Body: ``{"error": {"code", "message_zh", "message_en", "problems"?, "request_id"}}``.
Unexpected exceptions become a 500 with the request id and no traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from carbonpeak.errors import CarbonpeakError, InputError, Problem, message

__all__ = ["install_error_handlers"]

log = logging.getLogger("carbonpeak.api")


def _body(request: Request, payload: dict[str, object]) -> dict[str, object]:
    return {"error": {**payload, "request_id": getattr(request.state, "request_id", "")}}


HtmlError = Callable[[Request, int], Response]


def install_error_handlers(app: FastAPI, html_error: HtmlError | None = None) -> None:
    """Map errors to JSON under /api; *html_error* renders other paths (the web pages)."""

    @app.exception_handler(CarbonpeakError)
    async def _carbonpeak(request: Request, exc: CarbonpeakError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return JSONResponse(_body(request, exc.as_dict()), status_code=exc.http_status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            Problem(
                "validation",
                column=".".join(str(p) for p in e.get("loc", ())[1:]) or None,
                value=e.get("input") if not isinstance(e.get("input"), dict) else None,
                fields={"detail": e.get("msg", "")},
            )
            for e in exc.errors()
        ]
        return JSONResponse(
            _body(request, InputError(problems, code="input_invalid").as_dict()), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if html_error is not None and not request.url.path.startswith(("/api/", "/static/")):
            return html_error(request, exc.status_code)
        code = {404: "not_found", 413: "payload_too_large"}.get(exc.status_code, "validation")
        fields = {
            "object": "resource",
            "key": request.url.path,
            "detail": exc.detail,
            "limit_mb": request.app.state.settings.max_upload_mb,
        }
        return JSONResponse(
            _body(
                request,
                {
                    "code": code,
                    "message_zh": message(code, "zh", **fields),
                    "message_en": message(code, "en", **fields),
                },
            ),
            status_code=exc.status_code,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        rid = getattr(request.state, "request_id", "")
        log.exception("unhandled error in request %s", rid, exc_info=exc)
        return JSONResponse(
            _body(
                request,
                {
                    "code": "internal",
                    "message_zh": message("internal", "zh", request_id=rid),
                    "message_en": message("internal", "en", request_id=rid),
                },
            ),
            status_code=500,
        )
