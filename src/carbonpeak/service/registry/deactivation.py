"""Recoverable deletes: an enterprise with history is deactivated, never cascaded away.

A province delete of an enterprise (:func:`carbonpeak.service.registry.enterprises.delete_enterprise`)
looks at its history (:func:`history_of`: submissions, inventory runs, evidence, projects,
energy reviews, registry rows). With none, the enterprise is deleted outright (audit
``enterprise.delete``). With any, it is *deactivated*: ``enterprise.deactivated_at`` is set
(audit ``enterprise.deactivate``) and nothing else changes. A deactivated enterprise is in
nobody's scope (:func:`carbonpeak.store.scope.enterprise_scope`), so it leaves the registers,
reporting rounds, province views and the published aggregates; its rows stay in the store.
:func:`reactivate_enterprise` (province, audit ``enterprise.reactivate``) restores it as it
was; :func:`list_deactivated` (province) finds the ones to restore. Errors::

    PermissionDenied  (403) anyone but the province
    NotFound          (404) no such enterprise, or (reactivate) one that is not deactivated
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import NotFound, PermissionDenied
from carbonpeak.model import Principal, Role
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.store.models import (
    CleanerProductionAudit,
    EnergyReview,
    Enterprise,
    Evidence,
    GreenCertification,
    InventoryRun,
    Project,
    RecycledOutput,
    SolidWaste,
    Submission,
)

if TYPE_CHECKING:
    from carbonpeak.model.schemas import EnterprisePublic

__all__ = ["HISTORY_TABLES", "history_of", "list_deactivated", "reactivate_enterprise"]

#: The rows that make an enterprise's history (name → model with an ``enterprise_id``).
HISTORY_TABLES: dict[str, Any] = {
    "submissions": Submission,
    "inventory_runs": InventoryRun,
    "evidence": Evidence,
    "projects": Project,
    "energy_reviews": EnergyReview,
    "green_certifications": GreenCertification,
    "cleaner_production_audits": CleanerProductionAudit,
    "recycled_output": RecycledOutput,
    "solid_waste": SolidWaste,
}


def history_of(db: Session, enterprise_id: int) -> dict[str, int]:
    """The enterprise's history rows by table (only tables with rows); empty: none."""
    counts = db.execute(
        select(
            *(
                select(func.count())
                .select_from(model)
                .where(model.enterprise_id == enterprise_id)
                .scalar_subquery()
                .label(name)
                for name, model in HISTORY_TABLES.items()
            )
        )
    ).one()
    return {name: int(n) for name, n in zip(HISTORY_TABLES, counts, strict=True) if n}


def _province_only(principal: Principal, action: str) -> None:
    if not principal.is_authenticated or principal.role is not Role.PROVINCE:
        raise PermissionDenied(role=str(principal.role), action=action)


def list_deactivated(ctx: Context, *, limit: int = 500, offset: int = 0) -> list[EnterprisePublic]:
    """The deactivated enterprises, newest deactivation first (province only)."""
    from carbonpeak.service.registry.enterprises import to_public  # noqa: PLC0415 — enterprises imports this module

    _province_only(ctx.principal, "enterprise.list_deactivated")
    rows = ctx.db.execute(
        select(Enterprise)
        .where(Enterprise.deactivated_at.is_not(None))
        .order_by(Enterprise.deactivated_at.desc(), Enterprise.id)
        .limit(limit)
        .offset(offset)
    ).scalars()
    return [to_public(e, with_lines=False) for e in rows]


@transactional
def reactivate_enterprise(ctx: Context, enterprise_id: int) -> EnterprisePublic:
    """Bring a deactivated enterprise back into the registers and views (province only)."""
    from carbonpeak.service.registry.enterprises import to_public  # noqa: PLC0415 — enterprises imports this module

    _province_only(ctx.principal, "enterprise.reactivate")
    ent = ctx.db.execute(
        select(Enterprise).where(Enterprise.id == enterprise_id, Enterprise.deactivated_at.is_not(None))
    ).scalar_one_or_none()
    if ent is None:
        raise NotFound(object="deactivated enterprise", key=enterprise_id)
    before = {"credit_code": ent.credit_code, "deactivated_at": ent.deactivated_at}
    ent.deactivated_at = None
    ent.updated_at = audit.now_iso()
    audit.record(
        ctx.db,
        ctx.principal,
        ctx.request_id,
        "enterprise.reactivate",
        "enterprise",
        ent.id,
        before=before,
        after={"credit_code": ent.credit_code, "deactivated_at": None},
    )
    return to_public(ent)
