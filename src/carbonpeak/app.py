"""The FastAPI application: API, web pages, static files, request ids, security headers, and
the body guard (size and credentials checked before a body is read, :mod:`carbonpeak.api.guard`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from carbonpeak import __version__
from carbonpeak.api.errors import install_error_handlers
from carbonpeak.api.guard import BodyGuard
from carbonpeak.api.routers import API_ROUTERS
from carbonpeak.settings import Settings, get_settings

__all__ = ["create_app"]

_RID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for *settings* (default: from the environment)."""
    from carbonpeak.web import STATIC_DIR  # noqa: PLC0415 — faces are siblings
    from carbonpeak.web.pages import error_page  # noqa: PLC0415
    from carbonpeak.web.routers import WEB_ROUTERS  # noqa: PLC0415

    settings = settings or get_settings()
    app = FastAPI(
        title="carbonpeak",
        version=__version__,
        description="湖南省有色金属行业碳达峰平台 API — Hunan nonferrous-metals carbon-peak "
        "platform. Authenticate with POST /api/v1/auth/token, then send "
        "`Authorization: Bearer <token>`.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI would load from a CDN; the platform runs offline
        redoc_url=None,
    )
    app.state.settings = settings
    # added first, so it runs inside request_context (which gives it the request id)
    app.add_middleware(BodyGuard, settings=settings)

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

    install_error_handlers(app, html_error=error_page)
    for router in (*API_ROUTERS, *WEB_ROUTERS):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
