"""The inventory fact table and the official figures, as queries.

One **official** inventory per enterprise and year: the current version's run of the
enterprise's submission for that year when the submission's status is official
(``approved``; ``verified`` too where the province so sets, :data:`OFFICIAL_STATUSES`).
Province and city views read only these; an enterprise's drafts never reach them.

Every function here is one query (or a few) over all years at once, scoped by the
principal in the query (:func:`carbonpeak.store.scope.enterprise_scope`), and returns a
frame whose columns say their unit. A year's total is the sum of the rows of
:class:`InventoryLine` that make it (``in_total``: annual rows, or the months when the run
has no annual row); the run and line totals are kept pre-aggregated beside the lines
(:class:`InventoryRunTotal`, :class:`InventoryLineTotal`, written by the fact table's one
writer), so that a province view reads one row per enterprise-year, not every line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from carbonpeak.accounting.summary import SUM_FIELDS
from carbonpeak.model import Action, Principal
from carbonpeak.store.bulk import read_frame
from carbonpeak.store.models import (
    AuditEvent,
    Enterprise,
    InventoryBaseTotal,
    InventoryLineTotal,
    InventoryRun,
    InventoryRunTotal,
    ProductionLine,
    Submission,
    SubmissionVersion,
)
from carbonpeak.store.scope import enterprise_scope

__all__ = [
    "ACCOUNT_ACTIONS",
    "BASE_COLUMNS",
    "OFFICIAL_STATUSES",
    "SUM_COLUMNS",
    "base_totals",
    "current_runs_of",
    "data_version",
    "line_totals",
    "official_runs",
    "register_lines",
    "reported",
    "run_totals",
    "year_totals",
]

#: The submission statuses whose figures are official, by the province's setting
#: (``CARBONPEAK_OFFICIAL_FROM``: ``approved``, the default, or ``verified``).
OFFICIAL_STATUSES: dict[str, tuple[str, ...]] = {
    "approved": ("approved",),
    "verified": ("verified", "approved"),
}
#: The fact columns summed into totals (t, t CO2e, tce): the engine's numeric outputs.
SUM_COLUMNS = tuple(SUM_FIELDS)
#: The scenario base's sums per run and line (:class:`InventoryBaseTotal`; the fields of
#: ``carbonpeak.scenarios.base_builder.BASE_SUM_FIELDS``).
BASE_COLUMNS = tuple(
    c.name for c in InventoryBaseTotal.__table__.columns if c.name not in ("run_id", "line_code")
)


#: Audit actions that change no figure a view shows (sign-ins, tokens, accounts, the audit
#: chain's own markers): they do not move the data version, so a morning of logins does not
#: empty the province views' cache.
ACCOUNT_ACTIONS = ("user.", "token.", "auth.", "audit.")


def data_version(db: Session) -> int:
    """The store's data version: the id of the newest audit event that changed data. Every
    change (an import, a move, an approval, a recompute, a register or registry edit)
    writes one, so a cache keyed by it is never stale; account events
    (:data:`ACCOUNT_ACTIONS`) are skipped (newest first: the scan stops at the first data
    event)."""
    v = db.connection().execute(_DATA_VERSION).scalar()
    return int(v or 0)


#: The data version's query, built once (every warm request of a cached view asks it).
_DATA_VERSION = (
    select(AuditEvent.id)
    .where(~or_(*(AuditEvent.action.startswith(p, autoescape=True) for p in ACCOUNT_ACTIONS)))
    .order_by(AuditEvent.id.desc())
    .limit(1)
)


def official_runs(principal: Principal, statuses: Sequence[str]) -> Any:
    """SELECT of the official run per enterprise and year in *principal*'s VIEW scope:
    ``enterprise_id, year, run_id, version_id, status, origin``."""
    return (
        select(
            Submission.enterprise_id.label("enterprise_id"),
            Submission.year.label("year"),
            SubmissionVersion.inventory_run_id.label("run_id"),
            SubmissionVersion.id.label("version_id"),
            Submission.status.label("status"),
            SubmissionVersion.origin.label("origin"),
        )
        .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
        .join(Enterprise, Enterprise.id == Submission.enterprise_id)
        .where(
            Submission.status.in_(list(statuses)),
            SubmissionVersion.inventory_run_id.is_not(None),
            enterprise_scope(principal, Action.VIEW),
        )
    )


def _frame(db: Session, stmt: Any, columns: Sequence[str]) -> pd.DataFrame:
    return read_frame(db, stmt, columns)


def year_totals(db: Session, principal: Principal, statuses: Sequence[str]) -> pd.DataFrame:
    """Per official enterprise and year: the fact sums (:data:`SUM_COLUMNS`),
    ``direct_co2e_t`` (not electricity or heat), ``value_added_wan_yuan`` [万元] (NaN where
    not reported), with ``city``, ``above_designated_size``, ``run_id`` and ``status`` —
    read from the runs' pre-aggregated totals (:class:`InventoryRunTotal`)."""
    off = official_runs(principal, statuses).subquery()
    figures = [getattr(InventoryRunTotal, c) for c in (*SUM_COLUMNS, "direct_co2e_t", "value_added_wan_yuan")]
    stmt = (
        select(
            off.c.enterprise_id,
            off.c.year,
            off.c.run_id,
            off.c.status,
            Enterprise.city_code,
            Enterprise.above_designated_size,
            *figures,
        )
        .select_from(off)
        .join(InventoryRunTotal, InventoryRunTotal.run_id == off.c.run_id)
        .join(Enterprise, Enterprise.id == off.c.enterprise_id)
    )
    cols = [
        "enterprise_id",
        "year",
        "run_id",
        "status",
        "city",
        "above_designated_size",
        *SUM_COLUMNS,
        "direct_co2e_t",
        "value_added_wan_yuan",
    ]
    d = _frame(db, stmt, cols)
    for c in (*SUM_COLUMNS, "direct_co2e_t", "value_added_wan_yuan"):
        d[c] = d[c].astype(float)
    d["above_designated_size"] = d["above_designated_size"].astype(bool)
    d["year"] = d["year"].astype(np.int64)
    return d.sort_values(["enterprise_id", "year"], ignore_index=True)


def line_totals(db: Session, principal: Principal, statuses: Sequence[str]) -> pd.DataFrame:
    """Per official enterprise, production line and year: ``energy_tce`` [tce], ``output_t``
    [t] (item ``product_output``; NaN where not reported), ``ac_power_kwh`` [kWh] (item
    ``al_ac_power``; NaN where not reported) and the ``run_id`` — read from the runs'
    pre-aggregated line totals (:class:`InventoryLineTotal`)."""
    off = official_runs(principal, statuses).subquery()
    stmt = (
        select(
            off.c.enterprise_id,
            InventoryLineTotal.line_code,
            off.c.year,
            off.c.run_id,
            InventoryLineTotal.energy_tce,
            InventoryLineTotal.output_t,
            InventoryLineTotal.ac_power_kwh,
        )
        .select_from(off)
        .join(InventoryLineTotal, InventoryLineTotal.run_id == off.c.run_id)
    )
    cols = ["enterprise_id", "line_code", "year", "run_id", "energy_tce", "output_t", "ac_power_kwh"]
    d = _frame(db, stmt, cols)
    for c in ("energy_tce", "output_t", "ac_power_kwh"):
        d[c] = d[c].astype(float)
    d["year"] = d["year"].astype(np.int64)
    return d


def base_totals(
    db: Session, principal: Principal, statuses: Sequence[str], *, year: int | None = None
) -> pd.DataFrame:
    """Per official enterprise, line code ("" for enterprise-level rows) and year, of *year*
    or of every year: the scenario base's sums (:data:`BASE_COLUMNS`: energy [tce] and CO2
    [t] by carrier, output [t], electricity [MWh], heat [GJ], process CO2 [t]) — read from
    the runs' pre-aggregate (:class:`InventoryBaseTotal`), a few rows per enterprise-year
    instead of every fact row."""
    runs = official_runs(principal, statuses)
    if year is not None:
        runs = runs.where(Submission.year == year)
    off = runs.subquery()
    stmt = (
        select(
            off.c.enterprise_id,
            InventoryBaseTotal.line_code,
            off.c.year,
            off.c.run_id,
            *(getattr(InventoryBaseTotal, c) for c in BASE_COLUMNS),
        )
        .select_from(off)
        .join(InventoryBaseTotal, InventoryBaseTotal.run_id == off.c.run_id)
    )
    cols = ["enterprise_id", "line_code", "year", "run_id", *BASE_COLUMNS]
    d = _frame(db, stmt, cols)
    for c in BASE_COLUMNS:
        d[c] = d[c].astype(float)
    d["year"] = d["year"].astype(np.int64)
    d["line_code"] = d["line_code"].astype(object)
    return d


def run_totals(db: Session, run_ids: Sequence[int]) -> dict[int, dict[str, float | None]]:
    """The year totals of each run in *run_ids* (a run is one enterprise-year)."""
    if not run_ids:
        return {}
    stmt = select(InventoryRunTotal.run_id, *(getattr(InventoryRunTotal, c) for c in SUM_COLUMNS)).where(
        InventoryRunTotal.run_id.in_(list(run_ids))
    )
    out: dict[int, dict[str, float | None]] = {}
    for row in db.execute(stmt).all():
        out[int(row[0])] = {
            c: (None if v is None else float(v)) for c, v in zip(SUM_COLUMNS, row[1:], strict=True)
        }
    return out


def reported(db: Session, principal: Principal, statuses: Sequence[str]) -> pd.DataFrame:
    """Every enterprise in *principal*'s VIEW scope with its operating capacity [t/a] and,
    per year with any submission, the submission status and whether it is official:
    columns ``enterprise_id, city, capacity_t_per_a, year, status, official`` (one row per
    enterprise with ``year`` NaN when it never reported)."""
    cap = (
        select(ProductionLine.enterprise_id, func.sum(ProductionLine.capacity_t_per_a).label("cap"))
        .where(ProductionLine.status == "existing")
        .group_by(ProductionLine.enterprise_id)
        .subquery()
    )
    stmt = (
        select(
            Enterprise.id,
            Enterprise.city_code,
            func.coalesce(cap.c.cap, 0.0),
            Submission.year,
            Submission.status,
            case((Submission.status.in_(list(statuses)), True), else_=False),
        )
        .select_from(Enterprise)
        .outerjoin(cap, cap.c.enterprise_id == Enterprise.id)
        .outerjoin(Submission, Submission.enterprise_id == Enterprise.id)
        .where(enterprise_scope(principal, Action.VIEW))
    )
    d = _frame(db, stmt, ["enterprise_id", "city", "capacity_t_per_a", "year", "status", "official"])
    d["capacity_t_per_a"] = d["capacity_t_per_a"].astype(float)
    d["official"] = d["official"].fillna(False).astype(bool)
    return d


def current_runs_of(db: Session, enterprise_ids: Sequence[int]) -> pd.DataFrame:
    """The current runs of *enterprise_ids* with their version's submission status:
    ``run_id, enterprise_id, year, version_id, status`` (drafts included: an enterprise's
    own view)."""
    stmt = (
        select(
            InventoryRun.id,
            InventoryRun.enterprise_id,
            InventoryRun.year,
            InventoryRun.version_id,
            Submission.status,
        )
        .outerjoin(SubmissionVersion, SubmissionVersion.id == InventoryRun.version_id)
        .outerjoin(Submission, Submission.id == SubmissionVersion.submission_id)
        .where(InventoryRun.enterprise_id.in_(list(enterprise_ids)), InventoryRun.status == "current")
    )
    return _frame(db, stmt, ["run_id", "enterprise_id", "year", "version_id", "status"])


def register_lines(db: Session, principal: Principal) -> pd.DataFrame:
    """Every production line of the enterprises in *principal*'s VIEW scope, with its
    enterprise (one query): ``enterprise_id, credit_code, enterprise_name_zh,
    enterprise_name_en, is_demo, city, park, above_designated_size, line_code,
    line_name_zh, line_name_en, metal, route, capacity_t_per_a, status, product, technology``."""
    stmt = (
        select(
            Enterprise.id,
            Enterprise.credit_code,
            Enterprise.name_zh,
            Enterprise.name_en,
            Enterprise.is_demo,
            Enterprise.city_code,
            Enterprise.park_id,
            Enterprise.above_designated_size,
            ProductionLine.code,
            ProductionLine.name_zh,
            ProductionLine.name_en,
            ProductionLine.metal,
            ProductionLine.route,
            ProductionLine.capacity_t_per_a,
            ProductionLine.status,
            ProductionLine.product,
            ProductionLine.technology,
        )
        .join(ProductionLine, ProductionLine.enterprise_id == Enterprise.id)
        .where(enterprise_scope(principal, Action.VIEW))
        .order_by(Enterprise.city_code, Enterprise.credit_code, ProductionLine.code)
    )
    cols = [
        "enterprise_id",
        "credit_code",
        "enterprise_name_zh",
        "enterprise_name_en",
        "is_demo",
        "city",
        "park",
        "above_designated_size",
        "line_code",
        "line_name_zh",
        "line_name_en",
        "metal",
        "route",
        "capacity_t_per_a",
        "status",
        "product",
        "technology",
    ]
    d = _frame(db, stmt, cols)
    d["capacity_t_per_a"] = d["capacity_t_per_a"].astype(float)
    d["above_designated_size"] = d["above_designated_size"].astype(bool)
    d["is_demo"] = d["is_demo"].astype(bool)
    return d
