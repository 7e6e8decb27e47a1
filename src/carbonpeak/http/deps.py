"""FastAPI dependencies of both faces: the database session, the request context and the principal.

:data:`Db` (one session per request) serves the API and the pages alike. The API
authenticates with bearer tokens (``Authorization: Bearer cp_…``) only (:data:`Ctx`,
:data:`OptionalCtx`); the web pages use the session cookie (see ``carbonpeak.web``). An API
route is public only when it declares ``dependencies=[Depends(public_route)]``; every other
route resolves a principal through :func:`require_principal` and 401s without one.

A user whose password the province reset (``must_change_password``) gets a 403
``password_change_required`` from every route but the few that declare :data:`PendingCtx`
(change the password, log out).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from carbonpeak.errors import AuthenticationFailed, PermissionDenied
from carbonpeak.model import PUBLIC, Principal
from carbonpeak.service.access.auth import principal_for_token
from carbonpeak.service.platform.context import Context
from carbonpeak.service.platform.session import open_session

__all__ = [
    "Ctx",
    "Db",
    "LoopCtx",
    "OptionalCtx",
    "PendingCtx",
    "bearer_token",
    "get_db",
    "public_route",
    "require_principal",
]


def get_db(request: Request) -> Generator[Session]:
    """A session per request; service functions commit, anything left is rolled back."""
    db = open_session(request.app.state.settings.database_url)
    try:
        yield db
    finally:
        db.rollback()
        db.close()


Db = Annotated[Session, Depends(get_db)]


def bearer_token(request: Request) -> str | None:
    """The request's bearer token (``Authorization: Bearer …``), or None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _must_not_change_password(principal: Principal) -> None:
    if principal.must_change_password:
        raise PermissionDenied("password_change_required", role=str(principal.role), action="any")


def pending_principal(request: Request, db: Db) -> Context:
    """The caller's context, even when it must change its password first; 401 without a
    valid bearer token."""
    token = bearer_token(request)
    if token is None:
        raise AuthenticationFailed("auth_required")
    principal = principal_for_token(db, token)
    if principal is None:
        raise AuthenticationFailed("auth_token_invalid")
    return Context(db=db, principal=principal, request_id=request.state.request_id)


def require_principal(request: Request, db: Db) -> Context:
    """The caller's context; 401 when there is no valid bearer token, 403 when the caller
    must change its password first."""
    ctx = pending_principal(request, db)
    _must_not_change_password(ctx.principal)
    return ctx


def optional_principal(request: Request, db: Db) -> Context:
    """The caller's context if it sent a valid token, else the public principal."""
    token = bearer_token(request)
    principal: Principal | None = principal_for_token(db, token) if token else None
    if token and principal is None:
        raise AuthenticationFailed("auth_token_invalid")
    if principal is not None:
        _must_not_change_password(principal)
    return Context(db=db, principal=principal or PUBLIC, request_id=request.state.request_id)


def public_route() -> None:
    """Marker dependency: the route is deliberately reachable without a principal."""


async def _loop_db(request: Request) -> AsyncIterator[Session]:
    """:func:`get_db` for :data:`LoopCtx`: opened and closed on the event loop."""
    sessions = get_db(request)
    try:
        yield next(sessions)
    finally:
        sessions.close()  # get_db's own end: rolled back and closed


async def loop_principal(request: Request, db: Annotated[Session, Depends(_loop_db)]) -> Context:
    """:func:`require_principal` on the event loop: one indexed token look-up, no thread
    hand-off. For routes that answer from a cache in the loop and send any computation to
    a thread (:func:`carbonpeak.http.cached.cached_json_off_loop`): under fifty concurrent
    clients the hand-offs between the loop and the worker threads, not the look-ups, were
    most of a cached answer's time. The look-up's transaction ends here: a request waiting
    on the loop must not hold a pooled connection, or fifty of them would empty the pool
    and the next look-up would block the loop."""
    try:
        return require_principal(request, db)
    finally:
        db.rollback()


Ctx = Annotated[Context, Depends(require_principal)]
#: :data:`Ctx` resolved on the event loop (cached views: see :func:`loop_principal`).
LoopCtx = Annotated[Context, Depends(loop_principal)]
#: The caller's context even while it must change its password (change it, log out).
PendingCtx = Annotated[Context, Depends(pending_principal)]
OptionalCtx = Annotated[Context, Depends(optional_principal)]
