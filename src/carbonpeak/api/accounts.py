"""Account routes of the API (issue 13): the caller's tokens, logout, password change; the
province's deactivation, reactivation, password reset and token revocation of any user.

Thin: parse, call :mod:`carbonpeak.service.access.accounts` (which checks the role and writes the
audit trail), return. ``POST /auth/logout`` and ``POST /auth/password`` answer a caller who
must change its password (``PendingCtx``); every other route answers it 403
``password_change_required``.

- ``GET /auth/tokens``: the caller's live tokens (never the token values).
- ``DELETE /auth/tokens/{token_id}``: revoke one of the caller's tokens (the province: anyone's).
- ``POST /auth/logout``: revoke the bearer token of this request.
- ``POST /auth/password``: change the caller's password (current one required); every other
  session and token of the caller is revoked.
- ``GET /users/{user_id}/tokens``, ``DELETE /users/{user_id}/tokens``: a user's tokens, list
  and revoke all (province; the token of this request is kept).
- ``POST /users/{user_id}/deactivate`` · ``/reactivate`` · ``/reset-password`` (province).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from carbonpeak.http.deps import Ctx, PendingCtx, bearer_token
from carbonpeak.http.params import IdPath
from carbonpeak.model.schemas import ApiTokenInfo, TemporaryPassword, TextSafeModel, UserAccount
from carbonpeak.service.access import accounts, auth
from carbonpeak.service.schemas.common import ErrorPublic, error_responses

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=error_responses())
_LOCKED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorPublic, "description": "too many wrong current passwords: the name is locked"}
}


class PasswordChange(TextSafeModel):
    """The caller's current password and the new one (checked by the password policy)."""

    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class PasswordChanged(BaseModel):
    """How many other browser sessions and API tokens of the caller were revoked."""

    sessions_revoked: int
    tokens_revoked: int


class TokensRevoked(BaseModel):
    revoked: int


@router.get("/auth/tokens", tags=["auth"])
def my_tokens(ctx: Ctx) -> list[ApiTokenInfo]:
    """The caller's live API tokens: name, created, expires, last used (never the token)."""
    return accounts.list_tokens(ctx)


@router.delete("/auth/tokens/{token_id}", status_code=204, tags=["auth"])
def revoke_token(ctx: Ctx, token_id: IdPath) -> Response:
    """Revoke one API token: the caller's own (the province: anyone's); 404 otherwise."""
    accounts.revoke_token(ctx, token_id)
    return Response(status_code=204)


@router.post("/auth/logout", status_code=204, tags=["auth"])
def logout(request: Request, ctx: PendingCtx) -> Response:
    """Revoke the bearer token this request came with: the next request with it is a 401."""
    auth.logout_token(ctx, bearer_token(request) or "")
    return Response(status_code=204)


@router.post("/auth/password", tags=["auth"], responses=_LOCKED)
def change_password(request: Request, ctx: PendingCtx, body: PasswordChange) -> PasswordChanged:
    """Change the caller's password; every other session and token of the caller is revoked
    (this request's token stays valid). Clears a reset's must-change-password mark."""
    sessions, tokens = accounts.change_password(
        ctx, body.current_password, body.new_password, keep=bearer_token(request)
    )
    return PasswordChanged(sessions_revoked=sessions, tokens_revoked=tokens)


@router.get("/users/{user_id}/tokens", tags=["users"])
def user_tokens(ctx: Ctx, user_id: IdPath) -> list[ApiTokenInfo]:
    """A user's live API tokens (province; a user may list its own)."""
    return accounts.list_tokens(ctx, user_id)


@router.delete("/users/{user_id}/tokens", tags=["users"])
def revoke_user_tokens(request: Request, ctx: Ctx, user_id: IdPath) -> TokensRevoked:
    """Revoke every API token of a user (province; the token of this request is kept)."""
    return TokensRevoked(revoked=accounts.revoke_tokens(ctx, user_id, keep=bearer_token(request)))


@router.post("/users/{user_id}/deactivate", tags=["users"])
def deactivate_user(ctx: Ctx, user_id: IdPath) -> UserAccount:
    """Deactivate a user (province, not its own account): its sessions and tokens stop at once."""
    return accounts.deactivate_user(ctx, user_id)


@router.post("/users/{user_id}/reactivate", tags=["users"])
def reactivate_user(ctx: Ctx, user_id: IdPath) -> UserAccount:
    """Let a deactivated user sign in again (province)."""
    return accounts.reactivate_user(ctx, user_id)


@router.post("/users/{user_id}/reset-password", tags=["users"])
def reset_password(ctx: Ctx, user_id: IdPath, response: Response) -> TemporaryPassword:
    """Set a one-time password (returned once, never stored in clear) and require the user to
    change it at its next sign-in; its sessions and tokens are revoked (province)."""
    response.headers["Cache-Control"] = "no-store"
    return accounts.reset_password(ctx, user_id)
