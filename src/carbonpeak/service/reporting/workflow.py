"""The submission workflow: who may move a submission from which state to which, as data.

::

    draft ─submit─▶ submitted ─start_verification─▶ under_verification ─verify─▶ verified ─approve─▶ approved
      ▲                 │                                 │  (adjust figures)       │
    returned ◀─return───┴─────────────return──────────────┴─────────return──────────┘
      └─submit─▶ submitted

:data:`TRANSITIONS` is the whole state machine: one row per (move, from-state) with the
roles that may make it and, per role, the scope rule that must hold for the submission's
enterprise (``own``: the enterprise's own user; ``city``: the city authority of the
enterprise's city; ``all``: the province; ``assigned``: a verifier assigned to the
enterprise, for the submission's year or without a period). :data:`ADJUSTMENT` is the rule
for correcting a figure. The checks, in order:

1. the submission is not visible to the caller → :class:`~carbonpeak.errors.NotFound`;
2. the move has a row for the current state, but not for the caller's role; or the role
   never makes this move → :class:`~carbonpeak.errors.PermissionDenied`;
3. the role makes this move, but never from the current state →
   :class:`~carbonpeak.errors.Conflict` ``workflow_wrong_state`` (zh/en).

Every successful move writes one :class:`~carbonpeak.store.models.SubmissionStep` and one
audit event (``submission.<move>``, object ``submission``/id). ``verify`` recomputes the
inventory on the verified (adjusted) figures. The CLI acts as the ``system`` principal,
the operator's console, which may make any move of the table (audited as ``system``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVarTuple, cast

from sqlalchemy import Select, and_, func, or_, select

from carbonpeak import catalogue, units
from carbonpeak.errors import Conflict, InputError, NotFound, PermissionDenied, Problem, UnitError
from carbonpeak.model import Action, Principal, Role
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import SYSTEM, Context, transactional
from carbonpeak.store.models import (
    AuditEvent,
    Enterprise,
    Evidence,
    ReportingPeriod,
    Submission,
    SubmissionAdjustment,
    SubmissionStep,
    SubmissionValue,
    SubmissionVersion,
    User,
    VerifierAssignment,
)
from carbonpeak.store.scope import restrict

__all__ = [
    "ADJUSTMENT",
    "MOVE_NAMES",
    "STATUS_NAMES",
    "TRANSITIONS",
    "Move",
    "Scope",
    "Status",
    "Transition",
    "adjust",
    "allowed_moves",
    "approve",
    "check_move",
    "counts_by_city",
    "effective_quantity",
    "figures",
    "get",
    "history",
    "load_visible",
    "make_move",
    "queue",
    "record_adjustment",
    "return_submission",
    "scope_holds",
    "start_verification",
    "submit",
    "verify",
    "versions",
]

MAX_TEXT = 4000  # characters in a comment or a reason


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_VERIFICATION = "under_verification"
    VERIFIED = "verified"
    APPROVED = "approved"
    RETURNED = "returned"


class Move(StrEnum):
    SUBMIT = "submit"
    START_VERIFICATION = "start_verification"
    VERIFY = "verify"
    APPROVE = "approve"
    RETURN = "return"
    ADJUST = "adjust"  # not a status change: see ADJUSTMENT


class Scope(StrEnum):
    """Which submissions a role's rule reaches (checked against the submission's enterprise)."""

    OWN = "own"  # the enterprise user's own enterprise
    CITY = "city"  # enterprises of the authority's city
    ALL = "all"  # every enterprise (province)
    ASSIGNED = "assigned"  # enterprises the verifier is assigned to, for that year


#: state -> (Chinese, English)
#: From catalogue/workflow_states.toml (key -> zh, en); new entries go there.
STATUS_NAMES: dict[str, tuple[str, str]] = catalogue.pairs("workflow_states")
#: move -> (Chinese, English)
#: From catalogue/workflow_moves.toml (key -> zh, en); new entries go there.
MOVE_NAMES: dict[str, tuple[str, str]] = catalogue.pairs("workflow_moves")


@dataclass(frozen=True)
class Transition:
    """One row of the state machine: *move* takes a submission from *source* to *target*,
    made by the roles in *roles*, each under its scope rule."""

    move: Move
    source: Status
    target: Status
    roles: Mapping[Role, Scope] = field(default_factory=dict)
    comment_required: bool = False


_SUBMITTERS = {Role.ENTERPRISE: Scope.OWN, Role.CITY: Scope.CITY, Role.PROVINCE: Scope.ALL}
_VERIFIER = {Role.VERIFIER: Scope.ASSIGNED}
_AUTHORITY = {Role.PROVINCE: Scope.ALL, Role.CITY: Scope.CITY}

#: The state machine. Return goes to the party that may act at that step.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(Move.SUBMIT, Status.DRAFT, Status.SUBMITTED, _SUBMITTERS),
    Transition(Move.SUBMIT, Status.RETURNED, Status.SUBMITTED, _SUBMITTERS),
    Transition(Move.START_VERIFICATION, Status.SUBMITTED, Status.UNDER_VERIFICATION, _VERIFIER),
    Transition(Move.VERIFY, Status.UNDER_VERIFICATION, Status.VERIFIED, _VERIFIER),
    Transition(Move.APPROVE, Status.VERIFIED, Status.APPROVED, _AUTHORITY),
    Transition(Move.RETURN, Status.SUBMITTED, Status.RETURNED, _VERIFIER, comment_required=True),
    Transition(Move.RETURN, Status.UNDER_VERIFICATION, Status.RETURNED, _VERIFIER, comment_required=True),
    Transition(Move.RETURN, Status.VERIFIED, Status.RETURNED, _AUTHORITY, comment_required=True),
)
#: Correcting a figure: the assigned verifier, while the submission is under verification.
ADJUSTMENT = Transition(Move.ADJUST, Status.UNDER_VERIFICATION, Status.UNDER_VERIFICATION, _VERIFIER)


def _is_system(principal: Principal) -> bool:
    return principal == SYSTEM


def _wrong_state(status: str, move: Move, rules: Sequence[Transition]) -> Conflict:
    allowed = [t.source.value for t in rules]
    return Conflict(
        "workflow_wrong_state",
        state_zh=STATUS_NAMES[status][0],
        state_en=STATUS_NAMES[status][1],
        move_zh=MOVE_NAMES[move][0],
        move_en=MOVE_NAMES[move][1],
        allowed_zh="、".join(STATUS_NAMES[s][0] for s in allowed),
        allowed_en=", ".join(STATUS_NAMES[s][1] for s in allowed),
    )


def check_move(principal: Principal, status: str, move: Move | str) -> Transition:
    """The transition *principal* would make by *move* from *status* (scope not checked).

    Raises :class:`PermissionDenied` when the role may not make this move here, and
    :class:`Conflict` (``workflow_wrong_state``) when the role makes it, but never from
    *status*.
    """
    move = Move(move)
    rules = [ADJUSTMENT] if move is Move.ADJUST else [t for t in TRANSITIONS if t.move is move]
    here = next((t for t in rules if t.source == status), None)
    system = _is_system(principal)
    if here is None:
        if system or any(principal.role in t.roles for t in rules):
            raise _wrong_state(status, move, rules)
        raise PermissionDenied(role=str(principal.role), action=f"submission.{move}")
    if not system and principal.role not in here.roles:
        raise PermissionDenied(role=str(principal.role), action=f"submission.{move}")
    return here


# --- scope -------------------------------------------------------------------------------


def _assignment_covers(verifier_id: int | None, enterprise_id: Any, year: Any) -> Any:
    """SQL: the verifier holds an assignment for the enterprise, for *year* or undated."""
    return (
        select(VerifierAssignment.id)
        .where(
            VerifierAssignment.verifier_id == verifier_id,
            VerifierAssignment.enterprise_id == enterprise_id,
            or_(
                VerifierAssignment.period_id.is_(None),
                VerifierAssignment.period_id.in_(
                    select(ReportingPeriod.id).where(
                        ReportingPeriod.year == year, ReportingPeriod.month.is_(None)
                    )
                ),
            ),
        )
        .exists()
    )


Ts = TypeVarTuple("Ts")


def _visible(stmt: Select[*Ts], principal: Principal) -> Select[*Ts]:
    """Scope a SELECT joining Submission and Enterprise to what *principal* may see."""
    stmt = cast("Select[*Ts]", restrict(cast(Any, stmt), principal, Action.VIEW))
    if principal.role is Role.VERIFIER:
        stmt = stmt.where(_assignment_covers(principal.user_id, Submission.enterprise_id, Submission.year))
    return stmt


def load_visible(ctx: Context, submission_id: int, *, lock: bool = False) -> tuple[Submission, Enterprise]:
    """The submission and its enterprise if *ctx* may see it, else NotFound; with *lock*, the
    submission row is locked until the transaction ends (two moves cannot interleave)."""
    stmt = _visible(
        select(Submission, Enterprise)
        .join(Enterprise, Enterprise.id == Submission.enterprise_id)
        .where(Submission.id == submission_id),
        ctx.principal,
    )
    if lock:
        stmt = stmt.with_for_update(of=Submission)
    row = ctx.db.execute(stmt).first()
    if row is None:
        raise NotFound(object="submission", key=submission_id)
    return row[0], row[1]


def scope_holds(ctx: Context, scope: Scope, sub: Submission, ent: Enterprise) -> bool:
    p = ctx.principal
    if scope is Scope.ALL:
        return True
    if scope is Scope.CITY:
        return bool(p.city_code) and p.city_code == ent.city_code
    if scope is Scope.OWN:
        return ent.id in p.enterprise_ids
    return bool(ctx.db.execute(select(_assignment_covers(p.user_id, ent.id, sub.year))).scalar())


def _authorise(ctx: Context, sub: Submission, ent: Enterprise, move: Move) -> Transition:
    rule = check_move(ctx.principal, sub.status, move)
    if not _is_system(ctx.principal) and not scope_holds(ctx, rule.roles[ctx.principal.role], sub, ent):
        raise NotFound(object="submission", key=sub.id)
    return rule


# --- moves -------------------------------------------------------------------------------


def _text(value: str, column: str, *, required: bool) -> tuple[str, list[Problem]]:
    text = (value or "").strip()
    if required and not text:
        return text, [Problem("required", column=column)]
    if len(text) > MAX_TEXT:
        return text, [
            Problem("validation", column=column, value=f"{len(text)}", fields={"detail": f"≤ {MAX_TEXT}"})
        ]
    return text, []


def _recompute(ctx: Context, version_id: int) -> int:
    """The inventory on the version's effective (adjusted) figures, in this transaction."""
    from carbonpeak.service.reporting import intake  # noqa: PLC0415 — pandas and the engine, only when verifying

    return intake.compute_inventory(ctx, version_id)


@transactional
def make_move(ctx: Context, submission_id: int, move: Move | str, comment: str = "") -> dict[str, Any]:
    """Make *move* on a submission, as one transaction: a step row and an audit event."""
    move = Move(move)
    if move is Move.ADJUST:
        raise PermissionDenied(role=str(ctx.principal.role), action="submission.adjust")
    sub, ent = load_visible(ctx, submission_id, lock=True)
    rule = _authorise(ctx, sub, ent, move)
    text, problems = _text(comment, "comment", required=rule.comment_required)
    if problems:
        raise InputError(problems)
    if move is Move.SUBMIT and sub.current_version_id is None:
        raise Conflict("workflow_no_version")
    before = sub.status
    now = audit.now_iso()
    sub.status, sub.updated_at = rule.target.value, now
    run_id = None
    if move is Move.VERIFY and sub.current_version_id is not None:
        run_id = _recompute(ctx, sub.current_version_id)
    step = SubmissionStep(
        submission_id=sub.id,
        version_id=sub.current_version_id,
        from_status=before,
        to_status=rule.target.value,
        actor=ctx.principal.username,
        role=str(ctx.principal.role),
        comment=text,
        created_at=now,
    )
    ctx.db.add(step)
    ctx.db.flush()
    after: dict[str, Any] = {
        "status": rule.target.value,
        "step_id": step.id,
        "version_id": sub.current_version_id,
        "enterprise": ent.credit_code,
        "year": sub.year,
    }
    if text:
        after["comment"] = text
    if run_id is not None:
        after["inventory_run_id"] = run_id
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        f"submission.{move}",
        "submission",
        sub.id,
        {"status": before},
        after,
    )
    return {
        "submission_id": sub.id,
        "from_status": before,
        "status": sub.status,
        "step_id": step.id,
        "version_id": sub.current_version_id,
        "inventory_run_id": run_id,
    }


def submit(ctx: Context, submission_id: int, comment: str = "") -> dict[str, Any]:
    """draft/returned → submitted (the enterprise, or an authority in scope acting for it)."""
    return make_move(ctx, submission_id, Move.SUBMIT, comment)


def start_verification(ctx: Context, submission_id: int, comment: str = "") -> dict[str, Any]:
    """submitted → under_verification (the assigned verifier)."""
    return make_move(ctx, submission_id, Move.START_VERIFICATION, comment)


def verify(ctx: Context, submission_id: int, comment: str = "") -> dict[str, Any]:
    """under_verification → verified (the assigned verifier); recomputes the inventory on the
    verified figures."""
    return make_move(ctx, submission_id, Move.VERIFY, comment)


def approve(ctx: Context, submission_id: int, comment: str = "") -> dict[str, Any]:
    """verified → approved (the province, or the city for its own city)."""
    return make_move(ctx, submission_id, Move.APPROVE, comment)


def return_submission(ctx: Context, submission_id: int, comment: str) -> dict[str, Any]:
    """Back to ``returned`` with a comment, by the party that may act at the current step."""
    return make_move(ctx, submission_id, Move.RETURN, comment)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return None


@transactional
def adjust(
    ctx: Context,
    value_id: int,
    quantity: Any,
    unit: str,
    reason: str,
    evidence_id: int | None = None,
    *,
    submission_id: int | None = None,
) -> dict[str, Any]:
    """Correct one figure (see :func:`record_adjustment`), as one transaction."""
    return record_adjustment(ctx, value_id, quantity, unit, reason, evidence_id, submission_id=submission_id)


def record_adjustment(
    ctx: Context,
    value_id: int,
    quantity: Any,
    unit: str,
    reason: str,
    evidence_id: int | None = None,
    *,
    submission_id: int | None = None,
) -> dict[str, Any]:
    """Correct one figure of the current version (the assigned verifier, under verification).

    *quantity* is read with *unit*, which must have the figure's dimension; the original
    :class:`SubmissionValue` is kept and the adjustment stored beside it, with the reason
    (required) and optional evidence of the same submission. With *submission_id*, the
    figure must belong to that submission. Runs in the caller's transaction (flushes only).
    """
    val = ctx.db.get(SubmissionValue, value_id)
    ver = ctx.db.get(SubmissionVersion, val.version_id) if val is not None else None
    if val is None or ver is None or submission_id not in (None, ver.submission_id):
        raise NotFound(object="figure", key=value_id)
    try:
        sub, ent = load_visible(ctx, ver.submission_id, lock=True)
    except NotFound:
        raise NotFound(object="figure", key=value_id) from None
    _authorise(ctx, sub, ent, Move.ADJUST)
    if sub.current_version_id != ver.id:
        current = ctx.db.get(SubmissionVersion, sub.current_version_id) if sub.current_version_id else None
        raise Conflict(
            "workflow_stale_value", value=value_id, version_no=current.version_no if current else "-"
        )
    text, problems = _text(reason, "reason", required=True)
    number = _number(quantity)
    if number is None:
        problems.append(Problem("not_a_number", column="quantity", value=quantity))
    elif not math.isfinite(number):
        problems.append(Problem("not_finite", column="quantity", value=quantity))
    elif number < 0:
        problems.append(Problem("negative", column="quantity", value=quantity))
    factor = None
    try:
        factor = units.conversion_factor(str(unit or ""), val.unit)
    except UnitError as exc:
        problems.extend(
            Problem(p.code, column="unit", value=unit, fields={"expected": val.unit}) for p in exc.problems
        )
    if evidence_id is not None:
        ev = ctx.db.get(Evidence, evidence_id)
        if ev is None or ev.submission_id != sub.id:
            problems.append(
                Problem(
                    "not_found",
                    column="evidence_id",
                    value=evidence_id,
                    fields={"object": "evidence", "key": evidence_id},
                )
            )
    if problems or number is None or factor is None:
        raise InputError(problems)
    before = effective_quantity(ctx, val)
    adj = SubmissionAdjustment(
        version_id=ver.id,
        value_id=val.id,
        quantity=number * factor,
        quantity_in=number,
        unit_in=str(unit).strip(),
        reason=text,
        evidence_id=evidence_id,
        created_at=audit.now_iso(),
        created_by=ctx.principal.username,
    )
    ctx.db.add(adj)
    ctx.db.flush()
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "submission.adjust",
        "submission",
        sub.id,
        {"value_id": val.id, "quantity": before, "unit": val.unit},
        {
            "value_id": val.id,
            "adjustment_id": adj.id,
            "item": val.item,
            "line": val.line_code,
            "period": val.period,
            "quantity": adj.quantity,
            "unit": val.unit,
            "quantity_in": number,
            "unit_in": adj.unit_in,
            "reason": text,
            "evidence_id": evidence_id,
        },
    )
    return _adjustment_dict(adj, val)


def _adjustment_dict(adj: SubmissionAdjustment, val: SubmissionValue) -> dict[str, Any]:
    return {
        "id": adj.id,
        "value_id": val.id,
        "item": val.item,
        "line_code": val.line_code,
        "period": val.period,
        "original_quantity": val.quantity,
        "quantity": adj.quantity,
        "unit": val.unit,
        "quantity_in": adj.quantity_in,
        "unit_in": adj.unit_in,
        "reason": adj.reason,
        "evidence_id": adj.evidence_id,
        "created_at": adj.created_at,
        "created_by": adj.created_by,
    }


def effective_quantity(ctx: Context, val: SubmissionValue) -> float:
    """The figure after its latest adjustment (the original when there is none)."""
    latest = ctx.db.execute(
        select(SubmissionAdjustment.quantity)
        .where(SubmissionAdjustment.value_id == val.id)
        .order_by(SubmissionAdjustment.id.desc())
        .limit(1)
    ).scalar()
    return float(val.quantity if latest is None else latest)


# --- reading -----------------------------------------------------------------------------


def _sub_dict(sub: Submission, ent: Enterprise, version_no: int | None = None) -> dict[str, Any]:
    return {
        "id": sub.id,
        "enterprise_id": ent.id,
        "credit_code": ent.credit_code,
        "name_zh": ent.name_zh,
        "name_en": ent.name_en,
        "city_code": ent.city_code,
        "is_demo": ent.is_demo,
        "year": sub.year,
        "status": sub.status,
        "current_version_id": sub.current_version_id,
        "version_no": version_no,
        "created_at": sub.created_at,
        "updated_at": sub.updated_at,
    }


def get(ctx: Context, submission_id: int) -> dict[str, Any]:
    """A submission with its enterprise and current version number (scoped)."""
    sub, ent = load_visible(ctx, submission_id)
    ver = ctx.db.get(SubmissionVersion, sub.current_version_id) if sub.current_version_id else None
    return _sub_dict(sub, ent, ver.version_no if ver else None)


def allowed_moves(ctx: Context, submission_id: int) -> list[str]:
    """The moves the caller may make on the submission now (``adjust`` included)."""
    sub, ent = load_visible(ctx, submission_id)
    out = []
    for move in Move:
        try:
            _authorise(ctx, sub, ent, move)
        except (PermissionDenied, Conflict, NotFound):
            continue
        out.append(move.value)
    return out


def queue(
    ctx: Context,
    *,
    statuses: Iterable[str] | None = None,
    year: int | None = None,
    city: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Submissions the caller may see, newest change first, optionally by state, year, city."""
    ver = SubmissionVersion
    stmt = _visible(
        select(Submission, Enterprise, ver.version_no)
        .join(Enterprise, Enterprise.id == Submission.enterprise_id)
        .outerjoin(ver, ver.id == Submission.current_version_id),
        ctx.principal,
    )
    if statuses is not None:
        stmt = stmt.where(Submission.status.in_(list(statuses)))
    if year is not None:
        stmt = stmt.where(Submission.year == year)
    if city:
        stmt = stmt.where(Enterprise.city_code == city)
    stmt = stmt.order_by(Submission.updated_at.desc(), Submission.id.desc()).limit(limit)
    return [_sub_dict(s, e, n) for s, e, n in ctx.db.execute(stmt).all()]


def counts_by_city(ctx: Context, *, year: int | None = None) -> dict[str, dict[str, int]]:
    """Submissions the caller may see, counted by city and state: {city: {status: n}}."""
    stmt = _visible(
        select(Enterprise.city_code, Submission.status, func.count(Submission.id))
        .select_from(Submission)
        .join(Enterprise, Enterprise.id == Submission.enterprise_id)
        .group_by(Enterprise.city_code, Submission.status),
        ctx.principal,
    )
    if year is not None:
        stmt = stmt.where(Submission.year == year)
    out: dict[str, dict[str, int]] = {}
    for city, status, n in ctx.db.execute(stmt).all():
        out.setdefault(str(city), {})[str(status)] = int(n)
    return dict(sorted(out.items()))


def versions(ctx: Context, submission_id: int) -> list[dict[str, Any]]:
    """The versions of a submission, oldest first (scoped)."""
    sub, _ent = load_visible(ctx, submission_id)
    rows = ctx.db.execute(
        select(SubmissionVersion)
        .where(SubmissionVersion.submission_id == sub.id)
        .order_by(SubmissionVersion.version_no)
    ).scalars()
    return [
        {
            "id": v.id,
            "version_no": v.version_no,
            "source_file": v.source_file,
            "file_sha256": v.file_sha256,
            "row_count": v.row_count,
            "note": v.note,
            "inventory_run_id": v.inventory_run_id,
            "created_at": v.created_at,
            "created_by": v.created_by,
            "current": v.id == sub.current_version_id,
        }
        for v in rows
    ]


def figures(ctx: Context, submission_id: int, version_no: int | None = None) -> dict[str, Any]:
    """The figures of a version (current by default), line × item × month, each with its
    adjustments beside the original (scoped)."""
    sub, _ent = load_visible(ctx, submission_id)
    cond = (
        SubmissionVersion.id == sub.current_version_id
        if version_no is None
        else SubmissionVersion.version_no == version_no
    )
    ver = ctx.db.execute(
        select(SubmissionVersion).where(SubmissionVersion.submission_id == sub.id, cond)
    ).scalar_one_or_none()
    if ver is None:
        if version_no is None:
            return {"version_id": None, "version_no": None, "rows": []}
        raise NotFound(object="submission", key=f"{submission_id} v{version_no}")
    vals = (
        ctx.db.execute(
            select(SubmissionValue)
            .where(SubmissionValue.version_id == ver.id)
            .order_by(
                SubmissionValue.line_code, SubmissionValue.item, SubmissionValue.period, SubmissionValue.id
            )
        )
        .scalars()
        .all()
    )
    adjs: dict[int, list[dict[str, Any]]] = {}
    by_id = {v.id: v for v in vals}
    for a in ctx.db.execute(
        select(SubmissionAdjustment)
        .where(SubmissionAdjustment.version_id == ver.id)
        .order_by(SubmissionAdjustment.id)
    ).scalars():
        adjs.setdefault(a.value_id, []).append(_adjustment_dict(a, by_id[a.value_id]))
    rows = []
    for v in vals:
        history_ = adjs.get(v.id, [])
        rows.append(
            {
                "value_id": v.id,
                "line_code": v.line_code,
                "item": v.item,
                "period": v.period,
                "quantity": v.quantity,
                "unit": v.unit,
                "quantity_in": v.quantity_in,
                "unit_in": v.unit_in,
                "sheet": v.sheet,
                "row": v.row,
                "col": v.col,
                "adjustments": history_,
                "effective_quantity": history_[-1]["quantity"] if history_ else v.quantity,
            }
        )
    return {"version_id": ver.id, "version_no": ver.version_no, "rows": rows}


def _names(ctx: Context, usernames: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(usernames))
    if not wanted:
        return {}
    found = ctx.db.execute(select(User.username, User.display_name).where(User.username.in_(wanted))).all()
    return {u: (d or u) for u, d in found}


def history(ctx: Context, submission_id: int) -> dict[str, Any]:
    """The workflow steps (who, role, when, from → to, comment) and every audit event about
    the submission (scoped)."""
    sub, _ent = load_visible(ctx, submission_id)
    steps = (
        ctx.db.execute(
            select(SubmissionStep).where(SubmissionStep.submission_id == sub.id).order_by(SubmissionStep.id)
        )
        .scalars()
        .all()
    )
    version_ids = [
        str(v)
        for v in ctx.db.execute(
            select(SubmissionVersion.id).where(SubmissionVersion.submission_id == sub.id)
        ).scalars()
    ]
    events = (
        ctx.db.execute(
            select(AuditEvent)
            .where(
                or_(
                    and_(AuditEvent.object_type == "submission", AuditEvent.object_id == str(sub.id)),
                    and_(
                        AuditEvent.object_type == "submission_version", AuditEvent.object_id.in_(version_ids)
                    ),
                )
            )
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    names = _names(ctx, [s.actor for s in steps] + [e.actor for e in events])
    return {
        "submission_id": sub.id,
        "status": sub.status,
        "steps": [
            {
                "id": s.id,
                "from_status": s.from_status,
                "to_status": s.to_status,
                "actor": s.actor,
                "actor_name": names.get(s.actor, s.actor),
                "role": s.role,
                "comment": s.comment,
                "version_id": s.version_id,
                "created_at": s.created_at,
            }
            for s in steps
        ],
        "events": [
            {
                "id": e.id,
                "ts": e.ts,
                "actor": e.actor,
                "actor_name": names.get(e.actor, e.actor),
                "role": e.role,
                "action": e.action,
                "request_id": e.request_id,
                "before": e.before,
                "after": e.after,
            }
            for e in events
        ],
    }
