"""FastAPI dependencies of both faces: the database session, the request context and the principal.

:data:`Db` (one session per request) serves the API and the pages alike. The API
authenticates with bearer tokens (``Authorization: Bearer cp_…``) only (:data:`Ctx`,
:data:`OptionalCtx`); the web pages use the session cookie (see ``carbonpeak.web``). An API
route is public only when it declares ``dependencies=[Depends(public_route)]``; every other
route resolves a principal through :func:`require_principal` and 401s without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from carbonpeak.errors import AuthenticationFailed
from carbonpeak.model import PUBLIC, Principal
from carbonpeak.service.auth import principal_for_token
from carbonpeak.service.context import Context
from carbonpeak.service.session import open_session

__all__ = ["Ctx", "Db", "OptionalCtx", "get_db", "public_route", "require_principal"]


def get_db(request: Request) -> Iterator[Session]:
    """A session per request; service functions commit, anything left is rolled back."""
    db = open_session(request.app.state.settings.database_url)
    try:
        yield db
    finally:
        db.rollback()
        db.close()


Db = Annotated[Session, Depends(get_db)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_principal(request: Request, db: Db) -> Context:
    """The caller's context; 401 when there is no valid bearer token."""
    token = _bearer(request)
    if token is None:
        raise AuthenticationFailed("auth_required")
    principal = principal_for_token(db, token)
    if principal is None:
        raise AuthenticationFailed("auth_token_invalid")
    return Context(db=db, principal=principal, request_id=request.state.request_id)


def optional_principal(request: Request, db: Db) -> Context:
    """The caller's context if it sent a valid token, else the public principal."""
    token = _bearer(request)
    principal: Principal | None = principal_for_token(db, token) if token else None
    if token and principal is None:
        raise AuthenticationFailed("auth_token_invalid")
    return Context(db=db, principal=principal or PUBLIC, request_id=request.state.request_id)


def public_route() -> None:
    """Marker dependency: the route is deliberately reachable without a principal."""


Ctx = Annotated[Context, Depends(require_principal)]
OptionalCtx = Annotated[Context, Depends(optional_principal)]
