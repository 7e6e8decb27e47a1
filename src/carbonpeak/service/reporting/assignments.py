"""Verifier assignments and the yearly reporting round.

**Assignments.** A verifier may act on a submission (start verification, adjust, verify,
return) only when it holds a :class:`~carbonpeak.store.models.VerifierAssignment` for the
submission's enterprise — for the submission's year, or undated (every year); see
:mod:`carbonpeak.service.reporting.workflow`. Who may assign and unassign:

============ =========================================================================
province     any enterprise (the ``system`` console too)
city         the enterprises of its city; another city's enterprise is *not found*
             (404), never 403, so the answer tells nothing about what exists there
enterprise,  never (403)
verifier,
public
============ =========================================================================

The user assigned must be an active verifier (``assign_not_verifier``, located on the
``verifier`` field); the same assignment twice, or a yearly one under an undated one, is a
:class:`~carbonpeak.errors.Conflict` (``assign_exists``). Every change writes one audit event,
``verifier.assign`` or ``verifier.unassign``, on object ``user``/verifier id, with the
assignment (enterprise, credit code, year) as *after* or *before*.

**Reporting rounds.** The province opens a year's round with a deadline (an ISO date in
Beijing time, ``round_deadline`` when it is not one or lies far from the year) and may move
it; :func:`round_status` tells, for the enterprises in the caller's scope, who has reported
and who has not, with the status of each enterprise's submission, its verifiers and the
counts by status, and how many days are left (or overdue) in Beijing time. Two queries
(enterprises with their submission; verifiers) and the round's row, whatever the number of
enterprises.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, cast

from sqlalchemy import and_, delete, or_, select

from carbonpeak import catalogue, refdata
from carbonpeak.errors import Conflict, InputError, NotFound, PermissionDenied, Problem
from carbonpeak.model import Action, Principal, Role
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.service.reporting.workflow import STATUS_NAMES, Status
from carbonpeak.store.models import (
    Enterprise,
    ReportingPeriod,
    ReportingRound,
    Submission,
    User,
    VerifierAssignment,
)
from carbonpeak.store.scope import enterprise_scope, restrict

__all__ = [
    "BEIJING",
    "NOT_REPORTED",
    "REPORT_STATES",
    "STATE_NAMES",
    "Assignment",
    "CityChoice",
    "EnterpriseChoice",
    "Round",
    "RoundCounts",
    "RoundRow",
    "RoundStatus",
    "VerifierChoice",
    "assign",
    "beijing_today",
    "enterprise_choices",
    "find_assignment",
    "get_round",
    "list_assignments",
    "list_verifiers",
    "open_round",
    "round_status",
    "unassign",
]

#: China Standard Time (UTC+8, no daylight saving): deadlines are Beijing dates.
BEIJING: Final = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
#: The state of an enterprise without a submission for the year.
NOT_REPORTED: Final = "not_reported"
#: Every state of the round table, in workflow order: not reported, then the workflow's.
REPORT_STATES: Final[tuple[str, ...]] = (NOT_REPORTED, *(s.value for s in Status))
#: state -> (Chinese, English), the workflow's names plus 未报送.
STATE_NAMES: Final[dict[str, tuple[str, str]]] = {
    NOT_REPORTED: catalogue.pair("rounds.not_reported"),
    **STATUS_NAMES,
}
YEAR_MIN, YEAR_MAX = 1990, 2100
#: how far after the reporting year a deadline may lie [years]
DEADLINE_SPAN = 2
MAX_NOTE = 2000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ASSIGNERS = frozenset({Role.PROVINCE, Role.CITY})


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """A verifier's assignment to an enterprise, for one year or (``year`` None) every year."""

    id: int
    verifier_id: int
    verifier_username: str
    verifier_name: str
    enterprise_id: int
    credit_code: str
    enterprise_name_zh: str
    enterprise_name_en: str
    city_code: str
    city_zh: str
    city_en: str
    year: int | None
    created_at: str


@dataclass(frozen=True)
class VerifierChoice:
    """An active verifier account, as an assigner chooses it (by display name)."""

    id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class EnterpriseChoice:
    """An enterprise an assigner may assign a verifier to (chosen by name)."""

    id: int
    credit_code: str
    name_zh: str
    name_en: str
    city_code: str
    city_zh: str
    city_en: str


@dataclass(frozen=True)
class Round:
    """A year's reporting round: the deadline (Beijing date) by which enterprises report."""

    year: int
    deadline: str
    note: str
    created_at: str
    created_by: str


@dataclass(frozen=True)
class RoundRow:
    """One enterprise of the round: its submission's state (or not reported) and verifiers."""

    enterprise_id: int
    credit_code: str
    name_zh: str
    name_en: str
    city_code: str
    city_zh: str
    city_en: str
    is_demo: bool
    submission_id: int | None
    status: str  # one of REPORT_STATES
    status_zh: str
    status_en: str
    updated_at: str | None
    verifiers: tuple[str, ...]  # display names of the verifiers assigned for the year


@dataclass(frozen=True)
class RoundCounts:
    """Enterprises of the round by state (``reported`` = every state but not reported)."""

    enterprises: int
    reported: int
    not_reported: int
    draft: int
    submitted: int
    under_verification: int
    verified: int
    approved: int
    returned: int


@dataclass(frozen=True)
class CityChoice:
    """A city (GB/T 2260 code) with enterprises in the caller's scope."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class RoundStatus:
    """Who has reported for *year* and who has not, against the deadline (Beijing time).

    ``days_left`` is the number of days from ``today`` to the deadline (0 on the day; negative
    when overdue); both are None when no round is open for the year. ``counts`` cover the
    enterprises in scope (and the city asked for); ``rows`` also follow the status filter.
    """

    year: int
    deadline: str | None
    note: str
    today: str
    days_left: int | None
    overdue: bool
    counts: RoundCounts
    rows: tuple[RoundRow, ...]
    cities: tuple[CityChoice, ...]  # every city in scope, whatever the filter (for choosing one)


# --- helpers ----------------------------------------------------------------------------------


def beijing_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Beijing (UTC+8) at *now* (default: the current time)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(BEIJING).date()


def _may_assign(principal: Principal, action: str) -> None:
    if not principal.is_authenticated or principal.role not in _ASSIGNERS:
        raise PermissionDenied(role=str(principal.role), action=action)


def _check_year(year: int | None, column: str = "year") -> None:
    if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
        raise InputError(
            [Problem("out_of_range", column=column, value=year, fields={"low": YEAR_MIN, "high": YEAR_MAX})]
        )


def _year_names(year: int | None) -> dict[str, str]:
    zh, en = catalogue.pair("rounds.every_year") if year is None else catalogue.pair("rounds.year", year=year)
    return {"year_zh": zh, "year_en": en}


def _city(code: str, lang: str) -> str:
    return refdata.name("geo/cities", code, lang) or code


def _covers(year: int) -> Any:
    """SQL: an assignment (joined to its period, outer) that holds for *year*."""
    return or_(
        VerifierAssignment.period_id.is_(None),
        and_(ReportingPeriod.year == year, ReportingPeriod.month.is_(None)),
    )


def _assignment_select() -> Any:
    """SELECT assignment, verifier, enterprise and the period's year (None: undated)."""
    return (
        select(VerifierAssignment, User, Enterprise, ReportingPeriod.year)
        .join(User, User.id == VerifierAssignment.verifier_id)
        .join(Enterprise, Enterprise.id == VerifierAssignment.enterprise_id)
        .outerjoin(ReportingPeriod, ReportingPeriod.id == VerifierAssignment.period_id)
    )


def _to_assignment(row: Any) -> Assignment:
    a: VerifierAssignment
    u: User
    e: Enterprise
    a, u, e, year = row
    return Assignment(
        id=a.id,
        verifier_id=u.id,
        verifier_username=u.username,
        verifier_name=u.display_name or u.username,
        enterprise_id=e.id,
        credit_code=e.credit_code,
        enterprise_name_zh=e.name_zh,
        enterprise_name_en=e.name_en,
        city_code=e.city_code,
        city_zh=_city(e.city_code, "zh"),
        city_en=_city(e.city_code, "en"),
        year=year,
        created_at=a.created_at,
    )


def _snapshot(a: Assignment) -> dict[str, Any]:
    return {
        "assignment_id": a.id,
        "verifier": a.verifier_username,
        "enterprise_id": a.enterprise_id,
        "credit_code": a.credit_code,
        "year": a.year,
    }


def _enterprise_for_change(ctx: Context, enterprise: int | str) -> Enterprise:
    """The enterprise (id or credit code) if the caller may change it, locked; else NotFound."""
    stmt = select(Enterprise)
    if isinstance(enterprise, int):
        stmt = stmt.where(Enterprise.id == enterprise)
    else:
        stmt = stmt.where(Enterprise.credit_code == enterprise.strip().upper())
    stmt = restrict(stmt, ctx.principal, Action.CHANGE).with_for_update()
    found = ctx.db.execute(stmt).scalar_one_or_none()
    if found is None:
        raise NotFound(object="enterprise", key=str(enterprise))
    return found


def _verifier(ctx: Context, verifier: int | str) -> User:
    """The active verifier named by id or user name; anything else is ``assign_not_verifier``."""
    stmt = select(User)
    if isinstance(verifier, int):
        stmt = stmt.where(User.id == verifier)
    else:
        stmt = stmt.where(User.username == verifier.strip())
    user = ctx.db.execute(stmt).scalar_one_or_none()
    if user is None or user.role != Role.VERIFIER.value or not user.is_active:
        raise InputError([Problem("assign_not_verifier", column="verifier", value=verifier)])
    return user


def _period_id(ctx: Context, year: int) -> int:
    """The id of the reporting period *year* (no month), created when missing."""
    found = ctx.db.execute(
        select(ReportingPeriod.id)
        .where(ReportingPeriod.year == year, ReportingPeriod.month.is_(None))
        .order_by(ReportingPeriod.id)
    ).first()
    if found is not None:
        return int(found[0])
    period = ReportingPeriod(year=year, month=None)
    ctx.db.add(period)
    ctx.db.flush()
    return period.id


# --- assignments ------------------------------------------------------------------------------


@transactional
def assign(ctx: Context, verifier: int | str, enterprise: int | str, year: int | None = None) -> Assignment:
    """Assign *verifier* (user id or user name) to *enterprise* (id or credit code) for
    *year*, or for every year when *year* is None.

    Raises :class:`PermissionDenied` for a role that never assigns, :class:`NotFound` for an
    enterprise outside the caller's scope, :class:`InputError` (``assign_not_verifier``) when
    the user is not an active verifier, :class:`Conflict` (``assign_exists``) when the
    assignment is already held (a yearly one also under an undated one).
    """
    _may_assign(ctx.principal, "verifier.assign")
    _check_year(year)
    ent = _enterprise_for_change(ctx, enterprise)
    user = _verifier(ctx, verifier)
    held = ctx.db.execute(
        select(VerifierAssignment.id, ReportingPeriod.year)
        .outerjoin(ReportingPeriod, ReportingPeriod.id == VerifierAssignment.period_id)
        .where(VerifierAssignment.verifier_id == user.id, VerifierAssignment.enterprise_id == ent.id)
    ).all()
    clash = [y for _id, y in held if y is None or y == year]
    if clash:
        raise Conflict(
            "assign_exists",
            verifier=user.display_name or user.username,
            enterprise=ent.name_zh,
            enterprise_en=ent.name_en or ent.name_zh,
            **_year_names(clash[0]),
        )
    row = VerifierAssignment(
        verifier_id=user.id,
        enterprise_id=ent.id,
        period_id=None if year is None else _period_id(ctx, year),
        created_at=audit.now_iso(),
    )
    ctx.db.add(row)
    ctx.db.flush()
    out = _to_assignment((row, user, ent, year))
    audit.record(
        ctx.db, ctx.principal, ctx.request_id, "verifier.assign", "user", user.id, after=_snapshot(out)
    )
    return out


@transactional
def unassign(ctx: Context, assignment_id: int) -> Assignment:
    """Remove an assignment (the province; a city, in its city). Outside scope → NotFound.

    A submission already under verification stays so; the verifier no longer reaches it,
    and another verifier assigned to the enterprise takes it over."""
    _may_assign(ctx.principal, "verifier.unassign")
    stmt = restrict(
        _assignment_select().where(VerifierAssignment.id == assignment_id), ctx.principal, Action.CHANGE
    )
    found = ctx.db.execute(stmt.with_for_update(of=VerifierAssignment)).first()
    if found is None:
        raise NotFound(object="assignment", key=str(assignment_id))
    out = _to_assignment(found)
    ctx.db.execute(delete(VerifierAssignment).where(VerifierAssignment.id == assignment_id))
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "verifier.unassign",
        "user",
        out.verifier_id,
        before=_snapshot(out),
    )
    return out


def find_assignment(ctx: Context, verifier: str, enterprise: str, year: int | None = None) -> Assignment:
    """The assignment of *verifier* (user name) to *enterprise* (credit code) for exactly
    *year* (None: the undated one), within the caller's scope; else NotFound."""
    _may_assign(ctx.principal, "verifier.list")
    period = ReportingPeriod.year == year if year is not None else VerifierAssignment.period_id.is_(None)
    stmt = _assignment_select().where(
        User.username == verifier.strip(),
        Enterprise.credit_code == enterprise.strip().upper(),
        period,
    )
    found = ctx.db.execute(restrict(stmt, ctx.principal, Action.CHANGE)).first()
    if found is None:
        key = f"{verifier} / {enterprise} / {year if year is not None else '*'}"
        raise NotFound(object="assignment", key=key)
    return _to_assignment(found)


def list_assignments(
    ctx: Context,
    *,
    year: int | None = None,
    enterprise_id: int | None = None,
    verifier_id: int | None = None,
    city: str | None = None,
) -> list[Assignment]:
    """The assignments in the caller's scope: the province all, a city its city's, an
    enterprise user its own enterprises', a verifier its own; the public none (403).

    *year* keeps the assignments that hold for that year (that year's and the undated)."""
    p = ctx.principal
    if not p.is_authenticated or p.role is Role.PUBLIC:
        raise PermissionDenied(role=str(p.role), action="verifier.list")
    _check_year(year)
    stmt = restrict(_assignment_select(), p, Action.VIEW)
    if p.role is Role.VERIFIER:
        stmt = stmt.where(VerifierAssignment.verifier_id == p.user_id)
    if year is not None:
        stmt = stmt.where(_covers(year))
    if enterprise_id is not None:
        stmt = stmt.where(Enterprise.id == enterprise_id)
    if verifier_id is not None:
        stmt = stmt.where(VerifierAssignment.verifier_id == verifier_id)
    if city:
        stmt = stmt.where(Enterprise.city_code == city)
    stmt = stmt.order_by(Enterprise.city_code, Enterprise.name_zh, User.username, VerifierAssignment.id)
    return [_to_assignment(r) for r in ctx.db.execute(stmt).all()]


def list_verifiers(ctx: Context) -> list[VerifierChoice]:
    """The active verifier accounts, for the province and the cities to choose from."""
    _may_assign(ctx.principal, "verifier.list")
    rows = ctx.db.execute(
        select(User.id, User.username, User.display_name)
        .where(User.role == Role.VERIFIER.value, User.is_active.is_(True))
        .order_by(User.display_name, User.username)
    ).all()
    return [VerifierChoice(id=i, username=u, display_name=d or u) for i, u, d in rows]


def enterprise_choices(ctx: Context) -> list[EnterpriseChoice]:
    """The enterprises the caller may assign verifiers to (one query), by city and name."""
    _may_assign(ctx.principal, "verifier.assign")
    e = Enterprise
    cols = (e.id, e.credit_code, e.name_zh, e.name_en, e.city_code)
    stmt: Any = restrict(cast(Any, select(*cols)), ctx.principal, Action.CHANGE)
    rows = ctx.db.execute(stmt.order_by(Enterprise.city_code, Enterprise.name_zh)).all()
    return [
        EnterpriseChoice(
            id=i,
            credit_code=c,
            name_zh=zh,
            name_en=en,
            city_code=city,
            city_zh=_city(city, "zh"),
            city_en=_city(city, "en"),
        )
        for i, c, zh, en, city in rows
    ]


# --- reporting rounds --------------------------------------------------------------------------


def _to_round(r: ReportingRound) -> Round:
    return Round(
        year=r.year, deadline=r.deadline, note=r.note, created_at=r.created_at, created_by=r.created_by
    )


def _parse_deadline(year: int, deadline: str) -> dt.date:
    text = (deadline or "").strip()
    try:
        day = dt.date.fromisoformat(text) if _ISO_DATE.match(text) else None
    except ValueError:
        day = None
    if day is None or not year <= day.year <= year + DEADLINE_SPAN:
        raise InputError(
            [
                Problem(
                    "round_deadline",
                    column="deadline",
                    value=deadline,
                    fields={"year": year, "last_year": year + DEADLINE_SPAN},
                )
            ]
        )
    return day


@transactional
def open_round(ctx: Context, year: int, deadline: str, note: str = "") -> Round:
    """Open *year*'s reporting round with *deadline* (``YYYY-MM-DD``, Beijing date, from
    the year itself to two years after), or move the deadline of an open one (province only).
    One audit event, ``round.open`` or ``round.update``, on object ``reporting_round``/year."""
    p = ctx.principal
    if not p.is_authenticated or p.role is not Role.PROVINCE:
        raise PermissionDenied(role=str(p.role), action="round.open")
    _check_year(year)
    problems: list[Problem] = []
    try:
        day = _parse_deadline(year, deadline)
    except InputError as exc:
        problems.extend(exc.problems)
    if len(note) > MAX_NOTE:
        problems.append(
            Problem("out_of_range", column="note", value=len(note), fields={"low": 0, "high": MAX_NOTE})
        )
    if problems:
        raise InputError(problems)
    row = ctx.db.execute(
        select(ReportingRound).where(ReportingRound.year == year).with_for_update()
    ).scalar_one_or_none()
    before = None if row is None else _to_round(row)
    if row is None:
        row = ReportingRound(year=year, created_at=audit.now_iso(), created_by=p.username)
        ctx.db.add(row)
    row.deadline, row.note = day.isoformat(), note.strip()
    ctx.db.flush()
    out = _to_round(row)
    audit.record(
        ctx.db,
        p,
        ctx.request_id,
        "round.open" if before is None else "round.update",
        "reporting_round",
        year,
        before=None if before is None else {"deadline": before.deadline, "note": before.note},
        after={"deadline": out.deadline, "note": out.note},
    )
    return out


def get_round(ctx: Context, year: int) -> Round:
    """*year*'s reporting round (any signed-in user: the deadline is public notice)."""
    if not ctx.principal.is_authenticated:
        raise PermissionDenied(role=str(ctx.principal.role), action="round.view")
    row = ctx.db.execute(select(ReportingRound).where(ReportingRound.year == year)).scalar_one_or_none()
    if row is None:
        raise NotFound(object="reporting round", key=str(year))
    return _to_round(row)


def _counts(states: Iterable[str]) -> RoundCounts:
    by = dict.fromkeys(REPORT_STATES, 0)
    for s in states:
        by[s] = by.get(s, 0) + 1
    total = sum(by.values())
    return RoundCounts(enterprises=total, reported=total - by[NOT_REPORTED], **by)


def round_status(
    ctx: Context,
    year: int,
    *,
    city: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> RoundStatus:
    """Who has reported for *year* among the enterprises in the caller's scope (a verifier:
    those it is assigned to for the year), with each one's state and verifiers, the counts
    and the days left to the deadline (Beijing time). *city* narrows the enterprises (and the
    counts), *status* (a state of :data:`REPORT_STATES`) the rows only."""
    p = ctx.principal
    if not p.is_authenticated or p.role is Role.PUBLIC:
        raise PermissionDenied(role=str(p.role), action="round.status")
    _check_year(year)
    if status and status not in REPORT_STATES:
        allowed = ", ".join(REPORT_STATES)
        raise InputError([Problem("bad_enum", column="status", value=status, fields={"allowed": allowed})])
    scope = [enterprise_scope(p, Action.VIEW)]
    if p.role is Role.VERIFIER:
        mine = (
            select(VerifierAssignment.enterprise_id)
            .outerjoin(ReportingPeriod, ReportingPeriod.id == VerifierAssignment.period_id)
            .where(VerifierAssignment.verifier_id == p.user_id, _covers(year))
        )
        scope.append(Enterprise.id.in_(mine))
    ents = ctx.db.execute(
        select(
            Enterprise.id,
            Enterprise.credit_code,
            Enterprise.name_zh,
            Enterprise.name_en,
            Enterprise.city_code,
            Enterprise.is_demo,
            Submission.id,
            Submission.status,
            Submission.updated_at,
        )
        .select_from(Enterprise)
        .outerjoin(Submission, and_(Submission.enterprise_id == Enterprise.id, Submission.year == year))
        .where(*scope)
        .order_by(Enterprise.city_code, Enterprise.name_zh, Enterprise.id)
    ).all()
    verifiers: dict[int, list[str]] = {}
    for eid, name in ctx.db.execute(
        select(VerifierAssignment.enterprise_id, User.display_name)
        .join(User, User.id == VerifierAssignment.verifier_id)
        .join(Enterprise, Enterprise.id == VerifierAssignment.enterprise_id)
        .outerjoin(ReportingPeriod, ReportingPeriod.id == VerifierAssignment.period_id)
        .where(_covers(year), *scope, *([Enterprise.city_code == city] if city else []))
        .order_by(User.display_name)
    ).all():
        if name not in verifiers.setdefault(eid, []):
            verifiers[eid].append(name)
    rows = []
    cities: dict[str, CityChoice] = {}
    for eid, code, name_zh, name_en, city_code, is_demo, sid, st, updated in ents:
        if city_code not in cities:
            cities[city_code] = CityChoice(city_code, _city(city_code, "zh"), _city(city_code, "en"))
        if city and city_code != city:
            continue
        state = st or NOT_REPORTED
        rows.append(
            RoundRow(
                enterprise_id=eid,
                credit_code=code,
                name_zh=name_zh,
                name_en=name_en or name_zh,
                city_code=city_code,
                city_zh=cities[city_code].name_zh,
                city_en=cities[city_code].name_en,
                is_demo=bool(is_demo),
                submission_id=sid,
                status=state,
                status_zh=STATE_NAMES.get(state, (state, state))[0],
                status_en=STATE_NAMES.get(state, (state, state))[1],
                updated_at=updated,
                verifiers=tuple(verifiers.get(eid, ())),
            )
        )
    rnd = ctx.db.execute(select(ReportingRound).where(ReportingRound.year == year)).scalar_one_or_none()
    day = today or beijing_today()
    days_left = None if rnd is None else (dt.date.fromisoformat(rnd.deadline) - day).days
    return RoundStatus(
        year=year,
        deadline=None if rnd is None else rnd.deadline,
        note="" if rnd is None else rnd.note,
        today=day.isoformat(),
        days_left=days_left,
        overdue=days_left is not None and days_left < 0,
        counts=_counts(r.status for r in rows),
        rows=tuple(r for r in rows if not status or r.status == status),
        cities=tuple(sorted(cities.values(), key=lambda c: c.code)),
    )
