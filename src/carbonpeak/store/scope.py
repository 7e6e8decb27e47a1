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

Production lines follow their enterprise. A deactivated enterprise (``deactivated_at`` set,
see :mod:`carbonpeak.service.registry.deactivation`) is in nobody's scope: it leaves every
register, round, view and aggregate until the province reactivates it; its history stays.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, select

from carbonpeak.model import Action, Principal, Role
from carbonpeak.store.models import Enterprise, ProductionLine, VerifierAssignment

__all__ = ["allowed", "enterprise_scope", "restrict"]

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


def restrict(stmt: Select[T], principal: Principal, action: Action = Action.VIEW) -> Select[T]:
    """Add *principal*'s scope for *action* to *stmt*, a SELECT over Enterprise or lines.

    The statement must select from :class:`Enterprise` or :class:`ProductionLine`;
    anything else is refused so a new table cannot silently go unscoped.
    """
    entities = {d.get("entity") for d in stmt.column_descriptions}
    clause = enterprise_scope(principal, action)
    if Enterprise in entities:
        return stmt.where(clause)
    if ProductionLine in entities:
        return stmt.where(ProductionLine.enterprise_id.in_(select(Enterprise.id).where(clause)))
    raise TypeError(f"restrict() does not know how to scope {entities}")
