"""Account administration (issue 13) in the service: tokens listed and revoked, logout that
revokes, deactivation, password change and province-initiated reset, the idle timeout.

The rules are written out by hand here (from the issue): a user sees and revokes its own
tokens, the province anyone's; another user's token is *not found*; a deactivated user is
refused like a wrong password (audited with the reason) and its sessions and tokens stop at
once; a changed password ends every other session and token; a reset password is one-time
and must be changed; a web session ends after ``session_idle_minutes`` without a request.
Time is the injectable clock ``auth._now``, moved by the tests (no sleeping).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import (
    AuthenticationFailed,
    Conflict,
    InputError,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from carbonpeak.model import Principal
from carbonpeak.service.access import accounts, auth
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.settings import get_settings
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import ApiToken, AuditEvent, User, WebSession
from tests.conftest import DEMO_PASSWORDS

CITY = "city-hengyang"
NEW_PASSWORD = "a-fresh-passphrase"


class Clock:
    """The injectable clock: ``auth._now`` returns :attr:`t`, moved by :meth:`move`."""

    def __init__(self) -> None:
        self.t = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.t

    def move(self, **delta: float) -> None:
        self.t += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(auth, "_now", c)
    return c


@pytest.fixture
def db(demo_url: str) -> Iterator[Session]:
    s = sessionmaker_for(demo_url)()
    yield s
    s.close()


def _login(db: Session, username: str, password: str | None = None) -> str:
    _p, raw = auth.login(
        Context(db=db, principal=auth.SYSTEM_LOGIN), username, password or DEMO_PASSWORDS[username]
    )
    return raw


def _token(db: Session, username: str, name: str = "api", password: str | None = None) -> str:
    ctx = Context(db=db, principal=auth.SYSTEM_LOGIN)
    return auth.create_token(ctx, username, password or DEMO_PASSWORDS[username], name).access_token


def _as(db: Session, username: str) -> Context:
    user = auth.find_user(db, username)
    assert user is not None
    return Context(db=db, principal=auth.principal_for(db, user), request_id="t")


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(
        db.execute(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).scalars()
    )


def _uid(db: Session, username: str) -> int:
    user = auth.find_user(db, username)
    assert user is not None
    return user.id


def _alive(db: Session, session: str | None = None, token: str | None = None) -> Principal | None:
    if session is not None:
        return auth.principal_for_session(db, session)
    return auth.principal_for_token(db, token or "")


# --- idle timeout ------------------------------------------------------------------------------


def test_a_session_ends_after_the_idle_minutes_and_last_seen_is_written_once_a_minute(
    db: Session, clock: Clock
) -> None:
    idle = get_settings().session_idle_minutes
    assert idle == 30  # the default
    raw = _login(db, CITY)
    row = db.execute(select(WebSession).where(WebSession.user_id == _uid(db, CITY))).scalar_one()
    assert row.last_seen_at == auth._iso(clock.t)
    start = clock.t
    clock.move(seconds=50)
    assert _alive(db, session=raw) is not None
    db.refresh(row)
    assert row.last_seen_at == auth._iso(start)  # less than a minute: not written
    clock.move(seconds=20)
    assert _alive(db, session=raw) is not None
    db.refresh(row)
    assert row.last_seen_at == auth._iso(clock.t)  # written
    clock.move(minutes=idle - 1)
    assert _alive(db, session=raw) is not None  # 29 minutes idle: still alive
    clock.move(minutes=idle, seconds=1)
    assert _alive(db, session=raw) is None  # 30 minutes and a second: ended


def test_the_absolute_expiry_stays_however_busy_the_session(db: Session, clock: Clock) -> None:
    raw = _login(db, CITY)
    end = clock.t + dt.timedelta(hours=get_settings().session_hours)
    while clock.t + dt.timedelta(minutes=20) < end:
        clock.move(minutes=20)
        assert _alive(db, session=raw) is not None
    clock.t = end + dt.timedelta(seconds=1)
    assert _alive(db, session=raw) is None


def test_sign_in_forgets_the_users_dead_sessions(db: Session, clock: Clock) -> None:
    _login(db, CITY)
    clock.move(minutes=45)
    live = _login(db, CITY)
    rows = db.execute(select(WebSession).where(WebSession.user_id == _uid(db, CITY))).scalars().all()
    assert len(rows) == 1
    assert rows[0].token_hash == auth._digest(live)


def test_token_last_used_is_recorded_at_most_once_a_minute(db: Session, clock: Clock) -> None:
    raw = _token(db, CITY, "laptop")
    assert [t.last_used_at for t in accounts.list_tokens(_as(db, CITY))] == [None]
    clock.move(minutes=5)
    assert _alive(db, token=raw) is not None
    used = clock.t
    clock.move(seconds=30)
    assert _alive(db, token=raw) is not None
    assert [t.last_used_at for t in accounts.list_tokens(_as(db, CITY))] == [auth._iso(used)]


# --- tokens and logout -------------------------------------------------------------------------


def test_a_user_lists_and_revokes_its_own_tokens_only(db: Session, clock: Clock) -> None:
    first = _token(db, CITY, "laptop")
    clock.move(minutes=1)
    second = _token(db, CITY, "script")
    other = _token(db, "city-chenzhou", "theirs")
    mine = accounts.list_tokens(_as(db, CITY))
    assert [t.name for t in mine] == ["script", "laptop"]  # newest first
    assert {t.username for t in mine} == {CITY}
    assert all(first not in t.model_dump_json() and second not in t.model_dump_json() for t in mine)
    theirs = accounts.list_tokens(_as(db, "city-chenzhou"))[0]
    with pytest.raises(NotFound):  # another user's token: not found, not forbidden
        accounts.revoke_token(_as(db, CITY), theirs.id)
    with pytest.raises(PermissionDenied):
        accounts.list_tokens(_as(db, CITY), "city-chenzhou")
    assert _alive(db, token=other) is not None
    revoked = accounts.revoke_token(_as(db, CITY), mine[1].id)
    assert revoked.name == "laptop"
    assert _alive(db, token=first) is None
    assert _alive(db, token=second) is not None
    event = _events(db, "token.revoke")[-1]
    assert event.actor == CITY and event.object_type == "api_token"
    assert json.loads(event.before or "{}")["name"] == "laptop"


def test_the_province_lists_and_revokes_anyones_tokens(db: Session) -> None:
    one = _token(db, CITY, "a")
    two = _token(db, CITY, "b")
    province = _as(db, "province")
    listed = accounts.list_tokens(province, CITY)
    assert {t.name for t in listed} == {"a", "b"}
    accounts.revoke_token(province, listed[0].id)
    assert accounts.revoke_tokens(province, CITY) == 1
    assert _alive(db, token=one) is None and _alive(db, token=two) is None
    assert json.loads(_events(db, "token.revoke_all")[-1].after or "{}")["tokens_revoked"] == 1
    with pytest.raises(PermissionDenied):
        accounts.revoke_tokens(_as(db, CITY), "province")


def test_logout_deletes_the_session_and_logout_token_revokes_the_bearer(db: Session) -> None:
    raw = _login(db, CITY)
    token = _token(db, CITY)
    other = _token(db, CITY, "other")
    auth.logout(_as(db, CITY), raw)
    assert _alive(db, session=raw) is None
    assert db.execute(select(WebSession).where(WebSession.token_hash == auth._digest(raw))).first() is None
    auth.logout_token(_as(db, CITY), token)
    assert _alive(db, token=token) is None
    assert _alive(db, token=other) is not None
    assert json.loads(_events(db, "token.revoke")[-1].after or "{}") == {"reason": "logout"}
    assert _events(db, "user.logout")


# --- deactivation ------------------------------------------------------------------------------


def test_a_deactivated_user_is_refused_like_a_wrong_password_and_its_sessions_stop(db: Session) -> None:
    raw = _login(db, CITY)
    token = _token(db, CITY)
    account = accounts.deactivate_user(_as(db, "province"), CITY)
    assert not account.is_active and account.tokens == 0 and account.sessions == 0
    assert _alive(db, session=raw) is None and _alive(db, token=token) is None
    with pytest.raises(AuthenticationFailed) as right:
        _login(db, CITY)
    with pytest.raises(AuthenticationFailed) as wrong:
        _login(db, "city-chenzhou", "not-the-password")
    assert right.value.code == wrong.value.code == "auth_failed"
    assert right.value.message_en == wrong.value.message_en
    reasons = [json.loads(e.after or "{}")["reason"] for e in _events(db, "auth.login_failed")]
    assert reasons == ["inactive", "wrong_credentials"]
    event = _events(db, "user.deactivate")[-1]
    assert json.loads(event.after or "{}")["sessions_revoked"] == 1
    assert json.loads(event.after or "{}")["tokens_revoked"] == 1
    again = accounts.reactivate_user(_as(db, "province"), CITY)
    assert again.is_active
    assert _login(db, CITY)
    assert _events(db, "user.reactivate")


def test_only_the_province_deactivates_and_never_itself(db: Session) -> None:
    with pytest.raises(PermissionDenied):
        accounts.deactivate_user(_as(db, CITY), "city-chenzhou")
    with pytest.raises(PermissionDenied):
        accounts.reactivate_user(_as(db, CITY), "city-chenzhou")
    with pytest.raises(Conflict) as own:
        accounts.deactivate_user(_as(db, "Province"), "province")
    assert own.value.code == "account_self"
    with pytest.raises(NotFound):
        accounts.deactivate_user(_as(db, "province"), 999_999)
    assert db.get_one(User, _uid(db, "city-chenzhou")).is_active


# --- password change ---------------------------------------------------------------------------


def test_a_password_change_checks_the_current_one_and_the_policy(db: Session) -> None:
    me = _as(db, CITY)
    with pytest.raises(InputError) as wrong:
        accounts.change_password(me, "not-my-password", NEW_PASSWORD)
    assert [p.code for p in wrong.value.problems] == ["password_wrong_current"]
    failed = _events(db, "auth.login_failed")[-1]
    assert json.loads(failed.after or "{}")["channel"] == "password_change"
    for weak, code in (
        ("1234567890", "password_trivial"),
        ("password123", "password_common"),
        ("short", "weak_password"),
        (DEMO_PASSWORDS[CITY], "password_unchanged"),
    ):
        with pytest.raises(InputError) as bad:
            accounts.change_password(me, DEMO_PASSWORDS[CITY], weak)
        assert [(p.code, p.column) for p in bad.value.problems] == [(code, "new_password")]
    assert auth.verify_password(db.get_one(User, _uid(db, CITY)).password_hash, DEMO_PASSWORDS[CITY])


def test_wrong_current_passwords_lock_the_name_like_failed_sign_ins(db: Session) -> None:
    me = _as(db, CITY)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(InputError):
            accounts.change_password(me, "not-my-password", NEW_PASSWORD)
    with pytest.raises(TooManyAttempts):
        accounts.change_password(me, DEMO_PASSWORDS[CITY], NEW_PASSWORD)


def test_a_password_change_ends_every_other_session_and_token(db: Session) -> None:
    here = _login(db, CITY)
    there = _login(db, CITY)
    token = _token(db, CITY)
    sessions, tokens = accounts.change_password(_as(db, CITY), DEMO_PASSWORDS[CITY], NEW_PASSWORD, keep=here)
    assert (sessions, tokens) == (1, 1)
    assert _alive(db, session=here) is not None
    assert _alive(db, session=there) is None and _alive(db, token=token) is None
    with pytest.raises(AuthenticationFailed):
        _login(db, CITY)
    assert _login(db, CITY, NEW_PASSWORD)
    event = _events(db, "user.password_change")[-1]
    text = f"{event.before} {event.after}"
    assert NEW_PASSWORD not in text and DEMO_PASSWORDS[CITY] not in text and "$argon2" not in text


# --- province-initiated reset --------------------------------------------------------------------


def test_a_reset_gives_a_one_time_password_that_must_be_changed(db: Session) -> None:
    raw = _login(db, CITY)
    token = _token(db, CITY)
    temp = accounts.reset_password(_as(db, "province"), CITY)
    assert temp.username == CITY and temp.must_change_password
    assert not auth.password_problems(temp.temporary_password, CITY)
    assert _alive(db, session=raw) is None and _alive(db, token=token) is None
    with pytest.raises(AuthenticationFailed):
        _login(db, CITY)  # the old password no longer works
    principal, fresh = auth.login(Context(db=db, principal=auth.SYSTEM_LOGIN), CITY, temp.temporary_password)
    assert principal.must_change_password
    listed = {a.username: a for a in accounts.list_accounts(_as(db, "province"))}
    assert listed[CITY].must_change_password and listed[CITY].is_active
    accounts.change_password(
        Context(db=db, principal=principal), temp.temporary_password, NEW_PASSWORD, keep=fresh
    )
    after = _alive(db, session=fresh)
    assert after is not None and not after.must_change_password
    for e in _events(db, "user.password_reset") + _events(db, "user.password_change"):
        text = f"{e.before} {e.after}"
        assert temp.temporary_password not in text and NEW_PASSWORD not in text and "$argon2" not in text
    assert json.loads(_events(db, "user.password_change")[-1].after or "{}")["after_reset"] is True


def test_a_reset_lifts_a_lockout_and_is_province_only_never_on_itself(db: Session) -> None:
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            _login(db, CITY, "not-the-password")
    with pytest.raises(TooManyAttempts):
        _login(db, CITY)
    temp = accounts.reset_password(_as(db, "province"), CITY)
    assert _login(db, CITY, temp.temporary_password)
    with pytest.raises(PermissionDenied):
        accounts.reset_password(_as(db, CITY), "city-chenzhou")
    with pytest.raises(Conflict):
        accounts.reset_password(_as(db, "province"), "province")


def test_the_console_may_reset_the_province_account(db: Session) -> None:
    system = Context(db=db, principal=SYSTEM, request_id="cli")
    temp = accounts.reset_password(system, "province")
    principal, _raw = auth.login(
        Context(db=db, principal=auth.SYSTEM_LOGIN), "province", temp.temporary_password
    )
    assert principal.must_change_password
    assert _events(db, "user.password_reset")[-1].actor == "system"


def test_the_console_changes_a_password_with_the_current_one(db: Session) -> None:
    system = Context(db=db, principal=SYSTEM, request_id="cli")
    accounts.change_password(system, DEMO_PASSWORDS[CITY], NEW_PASSWORD, username=CITY)
    assert _login(db, CITY, NEW_PASSWORD)
    assert _events(db, "user.password_change")[-1].actor == "system"


def test_the_account_list_counts_live_tokens_and_sessions(db: Session, clock: Clock) -> None:
    _login(db, CITY)
    _token(db, CITY)
    _token(db, CITY)
    clock.move(minutes=31)  # the session is idle: not counted; the tokens still live
    rows = {a.username: a for a in accounts.list_accounts(_as(db, "province"))}
    assert (rows[CITY].tokens, rows[CITY].sessions) == (2, 0)
    assert rows[CITY].is_active and not rows[CITY].must_change_password
    with pytest.raises(PermissionDenied):
        accounts.list_accounts(_as(db, CITY))
    assert db.execute(select(ApiToken).where(ApiToken.user_id == _uid(db, CITY))).scalars().all()
