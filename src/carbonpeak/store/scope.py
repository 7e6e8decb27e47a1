"""Who may see and change what, enforced in the query (``restrict``, as NetBox does).

Every read of a scoped table goes through :func:`restrict`, which adds the principal's
scope to the SELECT, so no face can forget it: an object outside scope is simply not
found. The rules, by role:

========== ================================ ============================== ===========
role       view                             add / change                   delete
========== ================================ ============================== ===========
province   every enterprise                 every enterprise               yes
city       enterprises in its city          enterprises in its city        no
enterprise its own enterprises              its own (change only)          no
verifier   enterprises assigned to it       no                             no
public     none (published aggregates only) no                             no
========== ================================ ============================== ===========

Every table that holds an enterprise's data is scoped (:func:`scope_clause`): by its
``enterprise_id`` or through its parent row; the few tables outside any enterprise's scope
are listed in :data:`UNSCOPED` with the rule that guards them, and a test holds every table
to one or the other. Production lines follow their enterprise. A deactivated enterprise
(``deactivated_at`` set, see :mod:`carbonpeak.service.registry.deactivation`) is in nobody's
scope: it leaves every register, round, view and aggregate until the province reactivates it;
its history stays.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from carbonpeak.model import Action, Principal, Role
from carbonpeak.store.models import (
    ApiToken,
    AuditEvent,
    AuditHead,
    Enterprise,
    Evidence,
    EvidenceBlob,
    InventoryBaseTotal,
    InventoryLine,
    InventoryLineTotal,
    InventoryRun,
    InventoryRunTotal,
    LoginThrottle,
    Meter,
    MeterEvent,
    MeterReading,
    Project,
    ProjectStatusChange,
    ReportingPeriod,
    ReportingRound,
    Submission,
    SubmissionAdjustment,
    SubmissionStep,
    SubmissionValue,
    SubmissionVersion,
    User,
    VerifierAssignment,
    WebSession,
)

__all__ = ["UNSCOPED", "allowed", "enterprise_scope", "restrict", "scope_clause"]

T = TypeVar("T")

#: Which roles may perform an action at all (scope narrows it further).
_ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset({Role.PROVINCE, Role.CITY, Role.ENTERPRISE, Role.VERIFIER}),
    Action.ADD: frozenset({Role.PROVINCE, Role.CITY}),
    Action.CHANGE: frozenset({Role.PROVINCE, Role.CITY, Role.ENTERPRISE}),
    Action.DELETE: frozenset({Role.PROVINCE}),
}


def allowed(principal: Principal, action: Action) -> bool:
    """True when the principal's role may perform *action* on enterprises at all."""
    return principal.is_authenticated and principal.role in _ALLOWED[action]


def enterprise_scope(principal: Principal, action: Action) -> ColumnElement[bool]:
    """The WHERE clause selecting the (active) enterprises *principal* may *action*."""
    if not allowed(principal, action):
        return false()
    active = Enterprise.deactivated_at.is_(None)
    role = principal.role
    if role is Role.PROVINCE:
        return active
    if role is Role.CITY:
        if not principal.city_code:
            return false()
        return and_(Enterprise.city_code == principal.city_code, active)
    if role is Role.ENTERPRISE:
        if not principal.enterprise_ids:
            return false()
        return and_(Enterprise.id.in_(sorted(principal.enterprise_ids)), active)
    if role is Role.VERIFIER:
        assigned = select(VerifierAssignment.enterprise_id).where(
            VerifierAssignment.verifier_id == principal.user_id
        )
        return and_(Enterprise.id.in_(assigned), active)
    return false()


#: Tables whose rows belong to a parent row (the column, and the parent's key it holds):
#: their scope is their parent's.
_PARENT: dict[type[Any], tuple[Any, Any]] = {
    InventoryLine: (InventoryLine.run_id, InventoryRun.id),
    InventoryRunTotal: (InventoryRunTotal.run_id, InventoryRun.id),
    InventoryLineTotal: (InventoryLineTotal.run_id, InventoryRun.id),
    InventoryBaseTotal: (InventoryBaseTotal.run_id, InventoryRun.id),
    SubmissionVersion: (SubmissionVersion.submission_id, Submission.id),
    SubmissionStep: (SubmissionStep.submission_id, Submission.id),
    SubmissionValue: (SubmissionValue.version_id, SubmissionVersion.id),
    SubmissionAdjustment: (SubmissionAdjustment.version_id, SubmissionVersion.id),
    EvidenceBlob: (EvidenceBlob.sha256, Evidence.sha256),
    ProjectStatusChange: (ProjectStatusChange.project_id, Project.id),
    MeterEvent: (MeterEvent.meter_id, Meter.id),
    MeterReading: (MeterReading.meter_id, Meter.id),
}

#: Tables outside any enterprise's scope, and who guards them instead.
UNSCOPED: dict[type[Any], str] = {
    User: "accounts: service.access (the province manages users; each user sees their own)",
    ApiToken: "accounts: a token is its owner's (service.access.accounts)",
    WebSession: "accounts: a session is its owner's (service.access.auth)",
    LoginThrottle: "sign-in throttling, keyed by user name; no enterprise data",
    ReportingPeriod: "the calendar of periods: the same for everyone",
    ReportingRound: "a year's deadline: published to every role",
    AuditEvent: "the audit trail: service.platform.audit's own rule (province all, others their own)",
    AuditHead: "the audit chain's head: the platform's, never shown",
}


def scope_clause(
    entity: type[Any], principal: Principal, action: Action = Action.VIEW
) -> ColumnElement[bool]:
    """The WHERE clause selecting the rows of *entity* (a mapped table) that *principal* may
    *action*: an enterprise's own rows follow :func:`enterprise_scope`; a row of a table
    whose enterprise may be empty (projects, reviews, certifications: a record of the city
    or the province) is the province's, or a city user's where its ``city_code`` is theirs;
    a child row (a fact row, a version, a reading …) follows its parent.

    Raises
    ------
    TypeError
        *entity* is neither scoped nor one of :data:`UNSCOPED` (a new table cannot silently
        go unscoped) — or it is unscoped: such a table has its own rule.
    """
    if entity is Enterprise:
        return enterprise_scope(principal, action)
    if entity in _PARENT:
        column, parent_key = _PARENT[entity]
        parent = parent_key.class_
        clause: ColumnElement[bool] = column.in_(
            select(parent_key).where(scope_clause(parent, principal, action))
        )
        return clause
    ent_col = getattr(entity, "enterprise_id", None)
    if ent_col is None:
        raise TypeError(f"no enterprise scope for {entity.__name__}")
    in_scope: ColumnElement[bool] = ent_col.in_(
        select(Enterprise.id).where(enterprise_scope(principal, action))
    )
    if not entity.__table__.c.enterprise_id.nullable:
        return in_scope
    city_col = getattr(entity, "city_code", None)
    if not allowed(principal, action):
        return false()
    if principal.role is Role.PROVINCE:
        own: ColumnElement[bool] = true()
    elif principal.role is Role.CITY and principal.city_code and city_col is not None:
        own = city_col == principal.city_code
    else:
        own = false()
    return or_(and_(ent_col.is_not(None), in_scope), and_(ent_col.is_(None), own))


def restrict(stmt: Select[T], principal: Principal, action: Action = Action.VIEW) -> Select[T]:
    """Add *principal*'s scope for *action* to *stmt* (:func:`scope_clause` of every scoped
    table it selects from).

    Raises
    ------
    TypeError
        *stmt* selects from no scoped table (an unscoped one has its own rule).
    """
    entities = [d.get("entity") for d in stmt.column_descriptions]
    known = [e for e in dict.fromkeys(entities) if e is not None and e not in UNSCOPED]
    if not known:
        raise TypeError(f"restrict() does not know how to scope {set(entities)}")
    for entity in known:
        stmt = stmt.where(scope_clause(entity, principal, action))
    return stmt
