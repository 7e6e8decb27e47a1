"""The composition root: the one ASGI application, built from both faces.

:func:`create_app` mounts the JSON API's routers (:data:`carbonpeak.api.routers.API_ROUTERS`,
under ``/api/v1``) and the pages' (:data:`carbonpeak.web.routers.WEB_ROUTERS`), the static
files, the request-id and security-header middleware and the body guard (size and
credentials checked before a body is read, :mod:`carbonpeak.http.guard`), and the one error
handler (:mod:`carbonpeak.http.errors`): JSON under ``/api/``, the web face's bilingual error
page on every other path. The faces do not import each other; only this module sees both.

Serve it with ``carbonpeak run`` or ``uvicorn --factory carbonpeak.app:create_app``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from carbonpeak import __version__
from carbonpeak.api.routers import API_ROUTERS
from carbonpeak.http.errors import install_error_handlers
from carbonpeak.http.guard import BodyGuard
from carbonpeak.http.middleware import install_request_context
from carbonpeak.settings import Settings, get_settings
from carbonpeak.web import STATIC_DIR
from carbonpeak.web.pages import error_page
from carbonpeak.web.routers import WEB_ROUTERS

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for *settings* (default: from the environment)."""
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
    install_request_context(app)
    install_error_handlers(app, page_error=error_page)
    for router in (*API_ROUTERS, *WEB_ROUTERS):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
