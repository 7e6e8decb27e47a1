"""Users, passwords (argon2id), browser sessions and API tokens.

Only hashes are stored: argon2id for passwords; for session cookies and API tokens
(random 256-bit values, so a fast hash is enough) HMAC-SHA-256 keyed with
``CARBONPEAK_SECRET_KEY``, so someone who can write to the store but does not hold the key
cannot plant a token row that the server would accept (and a new key signs everyone out).
A wrong user name and a wrong password give the same error and take the same time.

Every failed sign-in is audited (``auth.login_failed``, with the user name as typed, never
the password). After :data:`MAX_FAILURES` failures in a row for one user name within
:data:`FAILURE_WINDOW` the name is locked for :data:`LOCKOUT` (``auth.locked``): every
sign-in for it is refused with :class:`~carbonpeak.errors.TooManyAttempts` (429), even with
the right password. The count lives in the store (``login_throttle``), so every worker
shares it; a successful sign-in clears it. Names are throttled whether or not such a user
exists, so the lockout tells nothing about which names are real.

User names are compared in a normalised form (:func:`username_key`: NFKC, invisible format
characters such as the zero-width space removed, whitespace trimmed and collapsed,
case-folded): ``Province``, ``ｐｒｏｖｉｎｃｅ`` and ``province `` are the same name.

A deactivated user (``is_active`` false) is refused like a wrong password (no oracle); the
audit event says ``reason: inactive``. A browser session ends ``session_hours`` after sign-in
or after ``session_idle_minutes`` without a request, whichever comes first; its
``last_seen_at`` (and an API token's ``last_used_at``) is written at most once per
:data:`TOUCH_EVERY`, so a busy client does not write on every request. A user whose password
the province reset carries ``must_change_password`` in its :class:`Principal`; the faces
then answer only the change-password page and route (:mod:`carbonpeak.service.access.accounts`).
Logging out deletes the session row (pages) or the bearer token's row (API): the next
request with it is a 401.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
import unicodedata
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from carbonpeak import catalogue, refdata
from carbonpeak.errors import (
    AuthenticationFailed,
    Conflict,
    InputError,
    PermissionDenied,
    Problem,
    TooManyAttempts,
)
from carbonpeak.model import Principal, Role
from carbonpeak.model.schemas import TokenPublic, UserPublic
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.settings import get_settings
from carbonpeak.store.models import ApiToken, Enterprise, LoginThrottle, User, UserEnterprise, WebSession

__all__ = [
    "FAILURE_WINDOW",
    "LOCKOUT",
    "MAX_FAILURES",
    "SYSTEM_LOGIN",
    "TOUCH_EVERY",
    "add_user",
    "check_password",
    "clean_username",
    "create_token",
    "find_user",
    "hash_password",
    "list_users",
    "login",
    "logout",
    "logout_token",
    "password_problems",
    "principal_for",
    "principal_for_session",
    "principal_for_token",
    "username_key",
    "verify_password",
]

_hasher = PasswordHasher()
#: The principal a login request runs as before the user is known (never authorised).
SYSTEM_LOGIN = Principal(username="login", role=Role.PUBLIC)
_DUMMY_HASH = _hasher.hash("carbonpeak-timing-equaliser")
#: Failed sign-ins in a row (within FAILURE_WINDOW of the first) that lock a user name.
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: How long a locked user name stays locked.
LOCKOUT = dt.timedelta(minutes=15)
#: A session's last_seen_at / a token's last_used_at is written at most this often.
TOUCH_EVERY = dt.timedelta(minutes=1)
_USERNAME_MAX = 64  # app_user.username


def clean_username(name: str) -> str:
    """The stored form of a user name: NFKC, invisible format characters (zero-width space,
    BOM …) removed, runs of whitespace made one space, trimmed."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


#: The most common passwords (the top of the public leak lists) and a few local favourites;
#: compared case-insensitively. All-digit, repeated and sequential passwords are refused by rule.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "qwerty123",
        "qwertyuiop",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "1q2w3e4r",
        "qazwsxedc",
        "zaq12wsx",
        "iloveyou",
        "iloveyou1",
        "sunshine1",
        "princess1",
        "football1",
        "baseball1",
        "welcome1",
        "welcome123",
        "admin123",
        "admin1234",
        "administrator",
        "letmein123",
        "changeme",
        "changeme123",
        "monkey123",
        "dragon123",
        "trustno1",
        "abc123456",
        "a123456789",
        "woaini1314",
        "woaini520",
        "carbonpeak",
        "carbonpeak123",
    }
)
_SEQUENCES = (
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
#: From catalogue/password_reasons.toml (key -> zh, en); new entries go there.
_TRIVIAL = catalogue.pairs("password_reasons")


def password_problems(password: str, username: str = "") -> list[Problem]:
    """What is wrong with *password* for the user *username*: too short, one of the most
    common passwords, or trivial (blank, repeated, all digits, a sequence, the user name)."""
    min_len = get_settings().min_password_length
    if len(password) < min_len:
        return [Problem("weak_password", column="password", value="***", fields={"min_length": min_len})]
    low = password.casefold()
    reason = None
    if not password.strip():
        reason = "blank"
    elif any(len(low) % k == 0 and low == low[:k] * (len(low) // k) for k in (1, 2, 3)):
        reason = "repeated"
    elif password.isdigit():
        reason = "digits"
    elif any(low in seq or low in seq[::-1] for seq in _SEQUENCES):
        reason = "sequence"
    elif username and username_key(password) in {username_key(username), username_key(username)[::-1]}:
        reason = "username"
    if reason is not None:
        zh, en = _TRIVIAL[reason]
        return [
            Problem(
                "password_trivial",
                column="password",
                value="***",
                fields={"reason": reason, "reason_zh": zh, "reason_en": en},
            )
        ]
    if low in COMMON_PASSWORDS:
        return [Problem("password_common", column="password", value="***")]
    return []


def username_key(name: str) -> str:
    """The form user names are compared in: :func:`clean_username`, case-folded."""
    return unicodedata.normalize("NFKC", clean_username(name).casefold())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    """The stored form of a session or API token: HMAC-SHA-256 under the secret key (hex)."""
    return hmac.new(get_settings().secret_bytes, token.encode("utf-8"), hashlib.sha256).hexdigest()


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def principal_for(db: Session, user: User) -> Principal:
    ids = (
        db.execute(select(UserEnterprise.enterprise_id).where(UserEnterprise.user_id == user.id))
        .scalars()
        .all()
    )
    return Principal(
        username=user.username,
        role=Role(user.role),
        user_id=user.id,
        city_code=user.city_code,
        enterprise_ids=frozenset(ids),
        display_name=user.display_name,
        must_change_password=bool(user.must_change_password),
    )


def find_user(db: Session, username: str) -> User | None:
    """The user whose name equals *username* after normalisation (:func:`username_key`)."""
    key = username_key(username)
    if not key:
        return None
    user = db.execute(select(User).where(User.username == clean_username(username))).scalar_one_or_none()
    if user is not None and username_key(user.username) == key:
        return user
    for uid, name in db.execute(select(User.id, User.username).order_by(User.id)).all():
        if username_key(name) == key:
            return db.get(User, uid)
    return None


def _parse(stamp: str) -> dt.datetime:
    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def _minutes_locked(db: Session, key: str, now: dt.datetime) -> int | None:
    """Minutes (rounded up) the name *key* stays locked, or None if it is not locked."""
    row = db.execute(
        select(LoginThrottle.locked_until).where(LoginThrottle.name_key == key)
    ).scalar_one_or_none()
    if row is None or row <= _iso(now):
        return None
    return max(1, math.ceil((_parse(row) - now).total_seconds() / 60))


def _audit_failure(ctx: Context, typed: str, key: str, channel: str, reason: str) -> None:
    audit.record(
        ctx.db,
        SYSTEM_LOGIN,
        ctx.request_id,
        "auth.login_failed",
        "login",
        key[:64],
        after={"username": typed[:128], "channel": channel, "reason": reason},
    )


def _record_failure(
    ctx: Context, typed: str, key: str, channel: str, now: dt.datetime, reason: str = "wrong_credentials"
) -> None:
    """Audit a failed sign-in and count it; the MAX_FAILURES-th in the window locks the name.

    The audit event is written first: it locks the audit head row, which serialises the
    read-modify-write of the counter between workers."""
    db = ctx.db
    _audit_failure(ctx, typed, key, channel, reason)
    stamp, window_start = _iso(now), _iso(now - FAILURE_WINDOW)
    row = db.execute(
        select(LoginThrottle).where(LoginThrottle.name_key == key).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        row = LoginThrottle(name_key=key, failures=0, first_failed_at=stamp, last_failed_at=stamp)
        db.add(row)
    elif row.first_failed_at < window_start or (row.locked_until is not None and row.locked_until <= stamp):
        row.failures, row.first_failed_at, row.locked_until = 0, stamp, None
    row.failures += 1
    row.last_failed_at = stamp
    if row.failures >= MAX_FAILURES:
        row.locked_until = _iso(now + LOCKOUT)
        audit.record(
            db,
            SYSTEM_LOGIN,
            ctx.request_id,
            "auth.locked",
            "login",
            key[:64],
            after={
                "username": typed[:128],
                "failures": row.failures,
                "locked_until": row.locked_until,
            },
        )
    # forget names whose failures are old and no longer lock anything
    db.execute(
        delete(LoginThrottle).where(
            LoginThrottle.name_key != key,
            LoginThrottle.last_failed_at < window_start,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < stamp),
        )
    )
    db.flush()


def check_password(ctx: Context, username: str, password: str, channel: str) -> User:
    """The user *username* / *password* sign in as; a failure is audited, counted and
    committed before the error is raised (the caller's transaction is empty until here).

    A deactivated user gets the same error (and takes the same time) as a wrong password;
    only the audit event's ``reason`` (``inactive``) tells them apart."""
    db = ctx.db
    key = username_key(username)[:128]
    now = _now()
    minutes = _minutes_locked(db, key, now)
    if minutes is not None:
        _audit_failure(ctx, username, key, channel, "locked")
        db.commit()
        raise TooManyAttempts(minutes=minutes)
    user = find_user(db, username)
    if user is None:
        verify_password(_DUMMY_HASH, password)  # same time as a real check
        ok, reason = False, "wrong_credentials"
    else:
        ok = verify_password(user.password_hash, password)
        reason = "wrong_credentials" if not ok else "inactive"
        ok = ok and user.is_active
    if not ok or user is None:
        _record_failure(ctx, username, key, channel, now, reason)
        db.commit()
        raise AuthenticationFailed("auth_failed")
    db.execute(delete(LoginThrottle).where(LoginThrottle.name_key == key))
    return user


def _issue(
    db: Session,
    model: type[WebSession] | type[ApiToken],
    user: User,
    lifetime: dt.timedelta,
    prefix: str,
    **extra: str,
) -> tuple[str, str]:
    raw = prefix + secrets.token_urlsafe(32)
    now = _now()
    expires = _iso(now + lifetime)
    if model is WebSession:
        extra = {**extra, "last_seen_at": _iso(now)}
    db.add(model(user_id=user.id, token_hash=_digest(raw), created_at=_iso(now), expires_at=expires, **extra))
    return raw, expires


def _forget_dead_sessions(db: Session, user_id: int) -> None:
    """Delete the user's sessions that ended (absolute expiry or idle timeout)."""
    now = _now()
    idle = dt.timedelta(minutes=get_settings().session_idle_minutes)
    db.execute(
        delete(WebSession).where(
            WebSession.user_id == user_id,
            or_(WebSession.expires_at < _iso(now), WebSession.last_seen_at < _iso(now - idle)),
        )
    )


@transactional
def login(ctx: Context, username: str, password: str) -> tuple[Principal, str]:
    """Check the password and open a browser session; return (principal, cookie value)."""
    user = check_password(ctx, username, password, "web")
    _forget_dead_sessions(ctx.db, user.id)
    raw, _ = _issue(ctx.db, WebSession, user, dt.timedelta(hours=get_settings().session_hours), "s_")
    principal = principal_for(ctx.db, user)
    audit.record(ctx.db, principal, ctx.request_id, "user.login", "user", user.id, after={"channel": "web"})
    return principal, raw


@transactional
def create_token(ctx: Context, username: str, password: str, name: str = "api") -> TokenPublic:
    """Exchange a user name and password for an API bearer token."""
    user = check_password(ctx, username, password, "api")
    raw, expires = _issue(
        ctx.db, ApiToken, user, dt.timedelta(days=get_settings().token_days), "cp_", name=name[:64]
    )
    audit.record(
        ctx.db,
        principal_for(ctx.db, user),
        ctx.request_id,
        "token.create",
        "user",
        user.id,
        after={"name": name[:64], "expires_at": expires},
    )
    return TokenPublic(access_token=raw, expires_at=expires)


@transactional
def logout(ctx: Context, session_token: str) -> None:
    """End the browser session *session_token*: its row is deleted (audited ``user.logout``)."""
    gone = ctx.db.execute(delete(WebSession).where(WebSession.token_hash == _digest(session_token)))
    if getattr(gone, "rowcount", 0) and ctx.principal.user_id is not None:
        audit.record(
            ctx.db,
            ctx.principal,
            ctx.request_id,
            "user.logout",
            "user",
            ctx.principal.user_id,
            after={"channel": "web"},
        )


@transactional
def logout_token(ctx: Context, bearer_token: str) -> None:
    """Revoke the API token *bearer_token* (the one the request came with): its row is
    deleted, so the next request with it is a 401 (audited ``token.revoke``)."""
    row = ctx.db.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(bearer_token))
    ).scalar_one_or_none()
    if row is None:
        return
    ctx.db.delete(row)
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "token.revoke",
        "api_token",
        row.id,
        before={"user_id": row.user_id, "name": row.name, "expires_at": row.expires_at},
        after={"reason": "logout"},
    )


def _principal_by_hash(db: Session, model: type[WebSession] | type[ApiToken], token: str) -> Principal | None:
    """The principal of a live session or token; moves its last-seen time forward (and
    commits that) when it is older than TOUCH_EVERY — call it before the request's work."""
    if not token:
        return None
    now = _now()
    stamp = _iso(now)
    seen_name = "last_seen_at" if model is WebSession else "last_used_at"
    # one Core query for the token and its user (no ORM layer: this runs on every request),
    # one for the enterprises
    conn = db.connection()
    found = conn.execute(
        select(
            model.id,
            model.expires_at,
            getattr(model, seen_name).label("seen"),
            User.id.label("user_id"),
            User.username,
            User.role,
            User.city_code,
            User.display_name,
            User.is_active,
            User.must_change_password,
        )
        .join(User, User.id == model.user_id)
        .where(model.token_hash == _digest(token))
    ).first()
    if found is None or found.expires_at < stamp or not found.is_active:
        return None
    if model is WebSession:
        idle = dt.timedelta(minutes=get_settings().session_idle_minutes)
        if found.seen < _iso(now - idle):
            return None
    ids = conn.execute(select(UserEnterprise.enterprise_id).where(UserEnterprise.user_id == found.user_id))
    principal = Principal(
        username=found.username,
        role=Role(found.role),
        user_id=found.user_id,
        city_code=found.city_code,
        enterprise_ids=frozenset(ids.scalars().all()),
        display_name=found.display_name,
        must_change_password=bool(found.must_change_password),
    )
    if found.seen is None or found.seen < _iso(now - TOUCH_EVERY):
        db.execute(update(model).where(model.id == found.id).values({seen_name: stamp}))
        db.commit()
    return principal


def principal_for_session(db: Session, token: str) -> Principal | None:
    """The principal of a browser session cookie, or None if unknown, expired, idle for
    longer than ``session_idle_minutes``, or its user is deactivated."""
    return _principal_by_hash(db, WebSession, token)


def principal_for_token(db: Session, token: str) -> Principal | None:
    """The principal of an API bearer token, or None if unknown, expired, revoked, or its
    user is deactivated."""
    return _principal_by_hash(db, ApiToken, token)


@transactional
def add_user(
    ctx: Context,
    username: str,
    password: str,
    role: Role | str,
    *,
    city: str | None = None,
    enterprises: Iterable[str] = (),
    display_name: str = "",
) -> UserPublic:
    """Create a user (province only). *city* is required for city users; *enterprises*
    (credit codes) for enterprise users."""
    if ctx.principal.role is not Role.PROVINCE:
        raise PermissionDenied(role=str(ctx.principal.role), action="user.add")
    problems: list[Problem] = []
    try:
        role = Role(role)
    except ValueError:
        problems.append(
            Problem(
                "bad_enum", column="role", value=role, fields={"allowed": ", ".join(r.value for r in Role)}
            )
        )
    name = clean_username(username)
    problems.extend(password_problems(password, name))
    city_code = refdata.resolve("geo/cities", city) if city else None
    if city and city_code is None:
        problems.append(Problem("unknown_city", column="city", value=city))
    if role == Role.CITY and not city:
        problems.append(Problem("required", column="city"))
    codes = [c.strip() for c in enterprises if c.strip()]
    ents = (
        ctx.db.execute(select(Enterprise).where(Enterprise.credit_code.in_(codes))).scalars().all()
        if codes
        else []
    )
    found = {e.credit_code for e in ents}
    problems.extend(
        Problem("unknown_enterprise", column="enterprise", value=c) for c in codes if c not in found
    )
    if role == Role.ENTERPRISE and not codes:
        problems.append(Problem("required", column="enterprise"))
    if not name:
        problems.append(Problem("required", column="username"))
    elif len(name) > _USERNAME_MAX:
        problems.append(
            Problem("username_too_long", column="username", value=name, fields={"max_length": _USERNAME_MAX})
        )
    if problems:
        raise InputError(problems)
    if find_user(ctx.db, name) is not None:
        raise Conflict("exists", value=name)
    user = User(
        username=name,
        password_hash=hash_password(password),
        role=str(role),
        city_code=city_code,
        display_name=display_name or name,
        is_active=True,
        created_at=audit.now_iso(),
    )
    ctx.db.add(user)
    ctx.db.flush()
    for e in ents:
        ctx.db.add(UserEnterprise(user_id=user.id, enterprise_id=e.id))
    ctx.db.flush()
    out = UserPublic(
        id=user.id,
        username=user.username,
        role=Role(user.role),
        city_code=user.city_code,
        display_name=user.display_name,
        enterprise_ids=tuple(sorted(e.id for e in ents)),
    )
    audit.record(
        ctx.db, ctx.principal, ctx.request_id, "user.add", "user", user.id, after=out.model_dump(mode="json")
    )
    return out


def list_users(ctx: Context) -> list[UserPublic]:
    """Every user (province only)."""
    if ctx.principal.role is not Role.PROVINCE:
        raise PermissionDenied(role=str(ctx.principal.role), action="user.list")
    out = []
    for user in ctx.db.execute(select(User).order_by(User.username)).scalars():
        p = principal_for(ctx.db, user)
        out.append(
            UserPublic(
                id=user.id,
                username=user.username,
                role=p.role,
                city_code=user.city_code,
                display_name=user.display_name,
                enterprise_ids=tuple(sorted(p.enterprise_ids)),
            )
        )
    return out
