"""Account administration (issue 13): API tokens listed and revoked, users deactivated and
reactivated, passwords changed by their user or reset by the province.

Who may do what (checked here; the faces only parse and render) and the audit action:

=======================  ===========================================  ======================
use case                 who                                          audit action
=======================  ===========================================  ======================
:func:`list_tokens`      a user its own; the province anyone's        —
:func:`revoke_token`     a user its own; the province anyone's        ``token.revoke``
:func:`revoke_tokens`    the province (every token of one user)       ``token.revoke_all``
:func:`deactivate_user`  the province, not on its own account         ``user.deactivate``
:func:`reactivate_user`  the province                                 ``user.reactivate``
:func:`change_password`  the user, with its current password          ``user.password_change``
:func:`reset_password`   the province, not on its own account         ``user.password_reset``
:func:`list_accounts`    the province                                 —
=======================  ===========================================  ======================

A token of another user is "not found" to anyone but the province (no existence oracle).
Deactivating a user, changing or resetting its password delete its browser sessions and API
tokens in the same transaction (a password change keeps the one it was made with), so they
stop working at once; a deactivated user's sign-in is refused like a wrong password.
A reset sets a random one-time password (returned once, never stored or audited in clear)
and ``must_change_password``: until the user picks a new one the faces answer only the
change-password page and route (403 ``password_change_required``). A wrong current password
counts as a failed sign-in (audited, throttled, see :mod:`carbonpeak.service.access.auth`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import AuthenticationFailed, Conflict, InputError, NotFound, PermissionDenied, Problem
from carbonpeak.model import Role
from carbonpeak.model.schemas import ApiTokenInfo, TemporaryPassword, UserAccount
from carbonpeak.service.access import auth
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.settings import get_settings
from carbonpeak.store.models import ApiToken, LoginThrottle, User, UserEnterprise, WebSession

__all__ = [
    "change_password",
    "deactivate_user",
    "get_account",
    "list_accounts",
    "list_tokens",
    "reactivate_user",
    "reset_password",
    "revoke_token",
    "revoke_tokens",
]

#: Random bytes in a temporary password (96 bits; 16 URL-safe base64 characters).
_TEMP_BYTES = 12


def _province(ctx: Context, action: str) -> None:
    if ctx.principal.role is not Role.PROVINCE:
        raise PermissionDenied(role=str(ctx.principal.role), action=action)


def _user(ctx: Context, user: int | str) -> User:
    """The user with id *user* (int) or name *user* (str, compared normalised); NotFound else."""
    found = ctx.db.get(User, user) if isinstance(user, int) else auth.find_user(ctx.db, user)
    if found is None:
        raise NotFound(object="user", key=str(user)[:64])
    return found


def _not_self(ctx: Context, user: User) -> None:
    if user.id == ctx.principal.user_id:
        raise Conflict("account_self", value=user.username)


def _end_sessions(db: Session, user_id: int, keep: str | None = None) -> tuple[int, int]:
    """Delete the user's browser sessions and API tokens, except the one whose raw value is
    *keep*; return how many (sessions, tokens) were deleted."""
    counts = []
    for model in (WebSession, ApiToken):
        query = delete(model).where(model.user_id == user_id)
        if keep:
            query = query.where(model.token_hash != auth._digest(keep))
        counts.append(int(getattr(db.execute(query), "rowcount", 0) or 0))
    return counts[0], counts[1]


def _accounts(db: Session, users: Sequence[User]) -> list[UserAccount]:
    """*users* with their account state: three grouped queries, whatever their number."""
    now = auth._now()
    stamp = auth._iso(now)
    idle = auth._iso(now - dt.timedelta(minutes=get_settings().session_idle_minutes))
    ids = [u.id for u in users]
    tokens = dict(
        db.execute(
            select(ApiToken.user_id, func.count())
            .where(ApiToken.user_id.in_(ids), ApiToken.expires_at >= stamp)
            .group_by(ApiToken.user_id)
        ).all()
    )
    sessions = dict(
        db.execute(
            select(WebSession.user_id, func.count())
            .where(
                WebSession.user_id.in_(ids), WebSession.expires_at >= stamp, WebSession.last_seen_at >= idle
            )
            .group_by(WebSession.user_id)
        ).all()
    )
    members: dict[int, list[int]] = {}
    for uid, eid in db.execute(
        select(UserEnterprise.user_id, UserEnterprise.enterprise_id).where(UserEnterprise.user_id.in_(ids))
    ).all():
        members.setdefault(uid, []).append(eid)
    return [
        UserAccount(
            id=u.id,
            username=u.username,
            role=Role(u.role),
            city_code=u.city_code,
            display_name=u.display_name,
            enterprise_ids=tuple(sorted(members.get(u.id, []))),
            is_active=bool(u.is_active),
            must_change_password=bool(u.must_change_password),
            tokens=int(tokens.get(u.id, 0)),
            sessions=int(sessions.get(u.id, 0)),
        )
        for u in users
    ]


def _account(db: Session, user: User) -> UserAccount:
    return _accounts(db, [user])[0]


def list_accounts(ctx: Context) -> list[UserAccount]:
    """Every user with the state of its account: active, must change its password, how many
    live tokens and sessions (province only)."""
    _province(ctx, "user.list")
    return _accounts(ctx.db, ctx.db.execute(select(User).order_by(User.username)).scalars().all())


def get_account(ctx: Context, user: int | str) -> UserAccount:
    """One user with the state of its account (province only)."""
    _province(ctx, "user.list")
    return _account(ctx.db, _user(ctx, user))


# --- API tokens -------------------------------------------------------------------------------


def _token_info(row: ApiToken, username: str) -> ApiTokenInfo:
    return ApiTokenInfo(
        id=row.id,
        user_id=row.user_id,
        username=username,
        name=row.name,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


def list_tokens(ctx: Context, user: int | str | None = None) -> list[ApiTokenInfo]:
    """The live (unexpired) API tokens of *user*, newest first — by default the caller's own;
    another user's for the province only. Never the tokens themselves."""
    p = ctx.principal
    if user is None:
        if p.user_id is None:
            raise AuthenticationFailed("auth_required")
        owner: User | None = ctx.db.get(User, p.user_id)
        if owner is None:  # the console's ``system`` principal owns no tokens
            return []
    else:
        owner = _user(ctx, user)
        if owner.id != p.user_id:
            _province(ctx, "token.list")
    now = auth._iso(auth._now())
    rows = ctx.db.execute(
        select(ApiToken)
        .where(ApiToken.user_id == owner.id, ApiToken.expires_at >= now)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).scalars()
    return [_token_info(r, owner.username) for r in rows]


@transactional
def revoke_token(ctx: Context, token_id: int) -> ApiTokenInfo:
    """Revoke the API token *token_id* (its row is deleted: the next request with it is a
    401). A user revokes its own; the province any user's. Another user's token is "not
    found" to anyone else."""
    p = ctx.principal
    row = ctx.db.get(ApiToken, token_id)
    if row is None or (p.role is not Role.PROVINCE and row.user_id != p.user_id):
        raise NotFound(object="api_token", key=str(token_id))
    owner = ctx.db.get(User, row.user_id)
    info = _token_info(row, owner.username if owner is not None else "")
    ctx.db.delete(row)
    audit.record(
        ctx.db,
        p,
        ctx.request_id,
        "token.revoke",
        "api_token",
        row.id,
        before={
            "user_id": row.user_id,
            "username": info.username,
            "name": row.name,
            "expires_at": row.expires_at,
        },
        after={"reason": "revoked"},
    )
    return info


@transactional
def revoke_tokens(ctx: Context, user: int | str, *, keep: str | None = None) -> int:
    """Revoke every API token of *user* (province only), except the raw token *keep* (the
    one the request came with); return how many."""
    _province(ctx, "token.revoke")
    target = _user(ctx, user)
    query = delete(ApiToken).where(ApiToken.user_id == target.id)
    if keep:
        query = query.where(ApiToken.token_hash != auth._digest(keep))
    n = int(getattr(ctx.db.execute(query), "rowcount", 0) or 0)
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "token.revoke_all",
        "user",
        target.id,
        after={"username": target.username, "tokens_revoked": n},
    )
    return n


# --- deactivation -----------------------------------------------------------------------------


@transactional
def deactivate_user(ctx: Context, user: int | str) -> UserAccount:
    """Deactivate *user* (province only, never its own account): it can no longer sign in
    (refused like a wrong password) and every session and token of it is deleted at once."""
    _province(ctx, "user.deactivate")
    target = _user(ctx, user)
    _not_self(ctx, target)
    sessions, tokens = _end_sessions(ctx.db, target.id)
    if target.is_active or sessions or tokens:
        before = {"is_active": bool(target.is_active)}
        target.is_active = False
        ctx.db.flush()
        audit.record(
            ctx.db,
            ctx.principal,
            ctx.request_id,
            "user.deactivate",
            "user",
            target.id,
            before=before,
            after={
                "username": target.username,
                "is_active": False,
                "sessions_revoked": sessions,
                "tokens_revoked": tokens,
            },
        )
    return _account(ctx.db, target)


@transactional
def reactivate_user(ctx: Context, user: int | str) -> UserAccount:
    """Let a deactivated *user* sign in again (province only)."""
    _province(ctx, "user.reactivate")
    target = _user(ctx, user)
    if not target.is_active:
        target.is_active = True
        ctx.db.flush()
        audit.record(
            ctx.db,
            ctx.principal,
            ctx.request_id,
            "user.reactivate",
            "user",
            target.id,
            before={"is_active": False},
            after={"username": target.username, "is_active": True},
        )
    return _account(ctx.db, target)


# --- passwords --------------------------------------------------------------------------------


@transactional
def change_password(
    ctx: Context,
    current_password: str,
    new_password: str,
    *,
    username: str | None = None,
    keep: str | None = None,
) -> tuple[int, int]:
    """Change the password of the caller (or of *username*, for the console) after checking
    its current one; return how many other (sessions, tokens) were revoked.

    The new password must pass :func:`~carbonpeak.service.access.auth.password_problems` and differ
    from the current one. Every browser session and API token of the user is deleted except
    the raw session or token *keep* the change was made with. Clears ``must_change_password``.
    A wrong current password counts as a failed sign-in (audited, throttled; 422
    ``password_wrong_current``).
    """
    name = username if username is not None else ctx.principal.username
    if username is None and not ctx.principal.is_authenticated:
        raise AuthenticationFailed("auth_required")
    try:
        user = auth.check_password(ctx, name, current_password, "password_change")
    except AuthenticationFailed:
        raise InputError(
            [Problem("password_wrong_current", column="current_password", value="***")]
        ) from None
    problems = [
        dataclasses.replace(p, column="new_password")
        for p in auth.password_problems(new_password, user.username)
    ]
    if not problems and new_password == current_password:
        problems.append(Problem("password_unchanged", column="new_password", value="***"))
    if problems:
        raise InputError(problems)
    was_reset = bool(user.must_change_password)
    user.password_hash = auth.hash_password(new_password)
    user.must_change_password = False
    sessions, tokens = _end_sessions(ctx.db, user.id, keep)
    ctx.db.flush()
    actor = ctx.principal if ctx.principal.is_authenticated else auth.principal_for(ctx.db, user)
    audit.record(
        ctx.db,
        actor,
        ctx.request_id,
        "user.password_change",
        "user",
        user.id,
        after={
            "username": user.username,
            "after_reset": was_reset,
            "sessions_revoked": sessions,
            "tokens_revoked": tokens,
        },
    )
    return sessions, tokens


def _temporary_password(username: str) -> str:
    while True:
        candidate = secrets.token_urlsafe(_TEMP_BYTES)
        if not auth.password_problems(candidate, username):
            return candidate


@transactional
def reset_password(ctx: Context, user: int | str) -> TemporaryPassword:
    """Give *user* a random one-time password (province only, never its own account: change
    it instead) and mark it must-change-password; its sessions and tokens are deleted and a
    lockout of its name is lifted. The password is returned once; the audit records only
    that a reset happened."""
    _province(ctx, "user.password_reset")
    target = _user(ctx, user)
    _not_self(ctx, target)
    temporary = _temporary_password(target.username)
    target.password_hash = auth.hash_password(temporary)
    target.must_change_password = True
    sessions, tokens = _end_sessions(ctx.db, target.id)
    ctx.db.execute(delete(LoginThrottle).where(LoginThrottle.name_key == auth.username_key(target.username)))
    ctx.db.flush()
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "user.password_reset",
        "user",
        target.id,
        after={
            "username": target.username,
            "must_change_password": True,
            "sessions_revoked": sessions,
            "tokens_revoked": tokens,
        },
    )
    return TemporaryPassword(username=target.username, temporary_password=temporary)
