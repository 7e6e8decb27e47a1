"""SQLAlchemy 2 ORM models: the store's tables.

The schema is created and changed only by Alembic migrations (``store/alembic``);
``tests/store/test_migrations.py`` checks that these models and the migrations agree.
Timestamps are stored as ISO-8601 UTC text so that the audit hash chain is computed over
exactly what is stored, identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "Base",
    "CleanerProductionAudit",
    "EnergyReview",
    "Enterprise",
    "EnterpriseMetal",
    "Evidence",
    "EvidenceBlob",
    "GreenCertification",
    "InventoryLine",
    "InventoryRun",
    "LoginThrottle",
    "Meter",
    "MeterEvent",
    "MeterLocation",
    "MeterReading",
    "ProductionLine",
    "Project",
    "ProjectStatusChange",
    "RecycledOutput",
    "ReportingPeriod",
    "ReportingRound",
    "SolidWaste",
    "Submission",
    "SubmissionAdjustment",
    "SubmissionStep",
    "SubmissionValue",
    "SubmissionVersion",
    "User",
    "UserEnterprise",
    "VerifierAssignment",
    "WebSession",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    city_code: Mapped[str | None] = mapped_column(String(6))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(String(32))
    #: set by a province-initiated reset: until the user picks a new password, only the
    #: change-password page and route answer (403 ``password_change_required`` elsewhere)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    enterprises: Mapped[list[UserEnterprise]] = relationship(cascade="all, delete-orphan")


class UserEnterprise(Base):
    """An enterprise user's membership: the enterprises it reports for."""

    __tablename__ = "user_enterprise"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )


class VerifierAssignment(Base):
    """A verifier's assignment to an enterprise (optionally one reporting period)."""

    __tablename__ = "verifier_assignment"
    __table_args__ = (UniqueConstraint("verifier_id", "enterprise_id", "period_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verifier_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_period.id"))
    created_at: Mapped[str] = mapped_column(String(32))


class ApiToken(Base):
    """A bearer token for the API; only its HMAC-SHA-256 is stored. Revoking deletes the row."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[str] = mapped_column(String(32))
    #: when the token last authenticated a request (updated at most once a minute)
    last_used_at: Mapped[str | None] = mapped_column(String(32))


class WebSession(Base):
    """A signed-in browser session; only the SHA-256 of the cookie value is stored.

    It ends at ``expires_at`` (``session_hours`` after sign-in) or after
    ``session_idle_minutes`` without a request, whichever comes first; ``last_seen_at`` is
    moved forward at most once a minute."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[str] = mapped_column(String(32))
    last_seen_at: Mapped[str] = mapped_column(String(32))


class LoginThrottle(Base):
    """Failed sign-ins of one user name (normalised, whether or not such a user exists):
    how many in a row since ``first_failed_at`` and, once locked, until when. Kept in the
    store so that every worker sees the same count; a successful sign-in deletes the row."""

    __tablename__ = "login_throttle"

    name_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_failed_at: Mapped[str] = mapped_column(String(32))
    last_failed_at: Mapped[str] = mapped_column(String(32), index=True)
    locked_until: Mapped[str | None] = mapped_column(String(32))


class Enterprise(Base):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    park_id: Mapped[str | None] = mapped_column(String(64))
    above_designated_size: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    #: set when a province deletes an enterprise that has history (submissions, inventory
    #: runs, registry rows): it leaves the registers, rounds and aggregates, its history stays
    #: and reactivation restores it; None for an active enterprise (0010)
    deactivated_at: Mapped[str | None] = mapped_column(String(32), index=True)

    metals: Mapped[list[EnterpriseMetal]] = relationship(
        cascade="all, delete-orphan", order_by="EnterpriseMetal.metal", lazy="selectin"
    )
    lines: Mapped[list[ProductionLine]] = relationship(
        cascade="all, delete-orphan", order_by="ProductionLine.code", lazy="selectin"
    )

    @property
    def metal_codes(self) -> list[str]:
        return [m.metal for m in self.metals]


class EnterpriseMetal(Base):
    __tablename__ = "enterprise_metal"

    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )
    metal: Mapped[str] = mapped_column(String(8), primary_key=True)


class ProductionLine(Base):
    """A plant or production line: metal, process route, capacity and register status."""

    __tablename__ = "production_line"
    __table_args__ = (UniqueConstraint("enterprise_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    metal: Mapped[str] = mapped_column(String(8), index=True)
    route: Mapped[str] = mapped_column(String(64))
    capacity_t_per_a: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(24))
    commissioned_year: Mapped[int | None] = mapped_column(Integer)
    # the line's product where its limit standard grades products apart (GB 21249 zinc with or
    # without residue treatment, GB 29435 rare-earth products …); empty: the route's default
    product: Mapped[str | None] = mapped_column(String(64))
    # an aluminium potline's cell technology (CWPB, SWPB, VSS, HSS; IPCC 2006 Vol. 3 Table 4.15)
    technology: Mapped[str | None] = mapped_column(String(16))


class ReportingPeriod(Base):
    """A reporting period: a year (``month`` empty) or one month of a year."""

    __tablename__ = "reporting_period"
    __table_args__ = (UniqueConstraint("year", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int | None] = mapped_column(Integer)

    @property
    def label(self) -> str:
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"


class ReportingRound(Base):
    """A year's reporting round: the deadline by which enterprises submit their figures."""

    __tablename__ = "reporting_round"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    deadline: Mapped[str] = mapped_column(String(10))  # ISO date, Beijing time
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))


class AuditEvent(Base):
    """One append-only audit event, chained to the previous one by a keyed hash.

    ``hash = HMAC-SHA256(K, prev_hash || canonical JSON of the other fields)`` with K derived
    from the secret key (plain SHA-256 before the first ``audit.chain_keyed`` event of a store
    written by an older version); see :mod:`carbonpeak.service.platform.audit`. Triggers installed by
    the migration refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's head (one row): last id and hash, so a deleted tail is detected too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class InventoryRun(Base):
    """One stored inventory computation for one enterprise and year, with its provenance.

    Every run belongs to a submission version (``version_id``; a province bulk load is a
    version too): the one door into the inventory store. ``status`` is ``current`` until a
    recomputation (e.g. after a factor-set change) supersedes it; superseded runs stay
    readable (``superseded_by`` points forward). Totals are never stored: they are
    ``GROUP BY`` queries over :class:`InventoryLine` (``store/facts.py``).
    """

    __tablename__ = "inventory_run"
    __table_args__ = (Index("ix_inventory_run_enterprise_status", "enterprise_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission_version.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int | None] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(64))
    method_version: Mapped[str] = mapped_column(String(32))
    factor_set: Mapped[str] = mapped_column(String(32))
    gwp_set: Mapped[str] = mapped_column(String(8))
    grid_series: Mapped[str] = mapped_column(String(64))
    grid_region: Mapped[str] = mapped_column(String(16))
    choices: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="current")
    superseded_by: Mapped[int | None] = mapped_column(Integer)
    source_file: Mapped[str] = mapped_column(String(255), default="")
    input_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))

    lines: Mapped[list[InventoryLine]] = relationship(
        cascade="all, delete-orphan", order_by="InventoryLine.line_no"
    )


class InventoryLine(Base):
    """The inventory fact table: one computed activity line of a run (quantities canonical;
    figures in t and tce). ``in_total`` marks the rows that make the year's total (its
    annual rows when the run has any, else its months), so that every total is a plain
    ``SUM … WHERE in_total GROUP BY``."""

    __tablename__ = "inventory_line"
    __table_args__ = (
        UniqueConstraint("run_id", "line_no"),
        # the totals read a run's in_total rows only (its annual rows, not its months)
        Index("ix_inventory_line_run_total", "run_id", "in_total"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # no index of its own: the unique (run_id, line_no) and (run_id, in_total) lead with it
    run_id: Mapped[int] = mapped_column(ForeignKey("inventory_run.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    line_code: Mapped[str] = mapped_column(String(32), default="")
    period: Mapped[str] = mapped_column(String(7))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int | None] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    quantity_in: Mapped[float] = mapped_column(Float)
    unit_in: Mapped[str] = mapped_column(String(32))
    purity: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    co2_t: Mapped[float] = mapped_column(Float)
    co2_market_t: Mapped[float] = mapped_column(Float)
    cf4_t: Mapped[float] = mapped_column(Float)
    c2f6_t: Mapped[float] = mapped_column(Float)
    co2e_t: Mapped[float] = mapped_column(Float)
    co2e_market_t: Mapped[float] = mapped_column(Float)
    energy_tce: Mapped[float] = mapped_column(Float)
    energy_tce_equal_value: Mapped[float | None] = mapped_column(Float)  # NaN: no 等价值 coefficient
    factor_ids: Mapped[str] = mapped_column(Text)
    in_total: Mapped[bool] = mapped_column(Boolean, default=True)


class InventoryRunTotal(Base):
    """A run's year total (the sums of its ``in_total`` lines), derived from the fact table
    by its one writer in the same transaction: what province views read instead of
    summing millions of lines. ``energy_tce_equal_value`` is NULL when any line lacks its
    等价值 coefficient; ``value_added_wan_yuan`` [万元] NULL when not reported."""

    __tablename__ = "inventory_run_total"

    run_id: Mapped[int] = mapped_column(ForeignKey("inventory_run.id", ondelete="CASCADE"), primary_key=True)
    co2_t: Mapped[float] = mapped_column(Float)
    co2_market_t: Mapped[float] = mapped_column(Float)
    cf4_t: Mapped[float] = mapped_column(Float)
    c2f6_t: Mapped[float] = mapped_column(Float)
    co2e_t: Mapped[float] = mapped_column(Float)
    co2e_market_t: Mapped[float] = mapped_column(Float)
    energy_tce: Mapped[float] = mapped_column(Float)
    energy_tce_equal_value: Mapped[float | None] = mapped_column(Float)
    direct_co2e_t: Mapped[float] = mapped_column(Float)
    value_added_wan_yuan: Mapped[float | None] = mapped_column(Float)


class InventoryLineTotal(Base):
    """A run's year total per production line: energy [tce], product output [t] and the
    potlines' AC power [kWh] (NULL when not reported); derived like
    :class:`InventoryRunTotal`."""

    __tablename__ = "inventory_line_total"

    run_id: Mapped[int] = mapped_column(ForeignKey("inventory_run.id", ondelete="CASCADE"), primary_key=True)
    line_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    energy_tce: Mapped[float] = mapped_column(Float)
    output_t: Mapped[float | None] = mapped_column(Float)
    ac_power_kwh: Mapped[float | None] = mapped_column(Float)


class InventoryBaseTotal(Base):
    """A run's year total per production line (``line_code`` "" for enterprise-level rows)
    of what the scenario base year and the LMDI history are built from
    (:data:`carbonpeak.scenarios.base_builder.BASE_SUM_FIELDS`): energy and CO2 by carrier,
    output, process CO2; derived like :class:`InventoryRunTotal`."""

    __tablename__ = "inventory_base_total"

    run_id: Mapped[int] = mapped_column(ForeignKey("inventory_run.id", ondelete="CASCADE"), primary_key=True)
    line_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    energy_abs_tce: Mapped[float] = mapped_column(Float)
    output_t: Mapped[float] = mapped_column(Float)
    electricity_mwh: Mapped[float] = mapped_column(Float)
    heat_gj: Mapped[float] = mapped_column(Float)
    electricity_co2_t: Mapped[float] = mapped_column(Float)
    heat_co2_t: Mapped[float] = mapped_column(Float)
    process_co2_t: Mapped[float] = mapped_column(Float)
    feedstock_tce: Mapped[float] = mapped_column(Float)
    coal_tce: Mapped[float] = mapped_column(Float)
    gas_tce: Mapped[float] = mapped_column(Float)
    oil_tce: Mapped[float] = mapped_column(Float)
    coal_co2_t: Mapped[float] = mapped_column(Float)
    gas_co2_t: Mapped[float] = mapped_column(Float)
    oil_co2_t: Mapped[float] = mapped_column(Float)
    co2_t: Mapped[float] = mapped_column(Float)


# --- data intake and verification (issue 6) ----------------------------------------------


class Submission(Base):
    """An enterprise's activity-data submission for one reporting year.

    ``status`` follows the workflow draft → submitted → under_verification → verified →
    approved, or ``returned`` (with comments) from any step; every move is a
    :class:`SubmissionStep` and an audit event. The figures live in versions, never
    overwritten: ``current_version_id`` names the newest accepted import.
    """

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    current_version_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))

    versions: Mapped[list[SubmissionVersion]] = relationship(
        cascade="all, delete-orphan", order_by="SubmissionVersion.version_no"
    )
    steps: Mapped[list[SubmissionStep]] = relationship(
        cascade="all, delete-orphan", order_by="SubmissionStep.id"
    )


class SubmissionVersion(Base):
    """One accepted import: the file it came from (name + SHA-256) and who sent it.

    ``warnings`` holds the JSON list of plausibility warnings the submitter acknowledged;
    ``inventory_run_id`` the inventory computed from this version's (verified) figures.
    """

    __tablename__ = "submission_version"
    __table_args__ = (UniqueConstraint("submission_id", "version_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    version_no: Mapped[int] = mapped_column(Integer)
    source_file: Mapped[str] = mapped_column(String(255), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    #: ``upload`` (an enterprise's or authority's import) or ``bulk`` (a province bulk load)
    origin: Mapped[str] = mapped_column(String(16), default="upload")
    warnings: Mapped[str] = mapped_column(Text, default="[]")
    note: Mapped[str] = mapped_column(Text, default="")
    inventory_run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))

    values: Mapped[list[SubmissionValue]] = relationship(
        cascade="all, delete-orphan", order_by="SubmissionValue.id"
    )


class SubmissionValue(Base):
    """One figure of a version: item × line × month, canonical quantity and unit, plus
    exactly what was entered and where (sheet, row, column) so every error and every
    verification comment can point at the cell."""

    __tablename__ = "submission_value"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_version.id", ondelete="CASCADE"), index=True
    )
    line_code: Mapped[str] = mapped_column(String(32), default="")
    item: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(7))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    quantity_in: Mapped[float] = mapped_column(Float)
    unit_in: Mapped[str] = mapped_column(String(32))
    purity: Mapped[float | None] = mapped_column(Float)
    sheet: Mapped[str] = mapped_column(String(64), default="")
    row: Mapped[int] = mapped_column(Integer, default=0)
    col: Mapped[str] = mapped_column(String(8), default="")
    # measured parameters of the figure's row (实测值; NULL: the default), canonical units:
    # GJ per canonical unit, tC/TJ or tC per canonical unit, fraction (migration 0013)
    ncv_gj: Mapped[float | None] = mapped_column(Float)
    cc_tc_per_tj: Mapped[float | None] = mapped_column(Float)
    cc_tc_per_unit: Mapped[float | None] = mapped_column(Float)
    oxidation: Mapped[float | None] = mapped_column(Float)


class SubmissionAdjustment(Base):
    """A verifier's correction of one figure, with reason and evidence; the original
    :class:`SubmissionValue` stays as it was."""

    __tablename__ = "submission_adjustment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_version.id", ondelete="CASCADE"), index=True
    )
    value_id: Mapped[int] = mapped_column(ForeignKey("submission_value.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[float] = mapped_column(Float)  # canonical unit of the value
    quantity_in: Mapped[float] = mapped_column(Float)
    unit_in: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))


class SubmissionStep(Base):
    """One workflow move (who, role, when, from → to, comment)."""

    __tablename__ = "submission_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(Integer)
    from_status: Mapped[str] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(32))


class Evidence(Base):
    """An evidence file (invoice, meter photo, lab report) attached to a submission line;
    its bytes are one :class:`EvidenceBlob` found by content hash."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    line_code: Mapped[str] = mapped_column(String(32), default="")
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blob.sha256"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size_bytes: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))


class EvidenceBlob(Base):
    """Evidence bytes, stored once per SHA-256 (content-addressed)."""

    __tablename__ = "evidence_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


# --- projects and registries (issue 5): models below this line ----------------------------


class Project(Base):
    """A smelting project of the register (plan task 4): new, expansion or closure of capacity.

    ``status`` is the current step (planned → approved → under_construction → commissioned,
    or closed / cancelled); every move is a :class:`ProjectStatusChange` (the history) and an
    audit event. A commissioned project may point at the production line it became
    (``line_id``), so its capacity is not counted twice. ``enterprise_id`` is empty for a
    proposal by an investor not yet on the register.
    """

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL"), index=True
    )
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    park_id: Mapped[str | None] = mapped_column(String(64))
    metal: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    capacity_t_per_a: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(24))
    expected_year: Mapped[int | None] = mapped_column(Integer)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("production_line.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))

    history: Mapped[list[ProjectStatusChange]] = relationship(
        cascade="all, delete-orphan", order_by="ProjectStatusChange.id", lazy="selectin"
    )


class ProjectStatusChange(Base):
    """One step of a project's status history: from → to, effective date, who, why."""

    __tablename__ = "project_status_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    effective_date: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(32))


class EnergyReview(Base):
    """One energy-saving review (节能审查) of a proposed project: inputs and verdict as JSON."""

    __tablename__ = "energy_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="SET NULL"))
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    metal: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(64))
    capacity_t_per_a: Mapped[float] = mapped_column(Float)
    review_date: Mapped[str] = mapped_column(String(10))
    unit_energy_kgce_per_t: Mapped[float] = mapped_column(Float)
    verdict: Mapped[str] = mapped_column(String(16))
    level_id: Mapped[str] = mapped_column(String(128), default="")
    inputs: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))


class GreenCertification(Base):
    """A green-manufacturing listing: factory, park, supply chain or design product
    (national or provincial list, year, certificate number)."""

    __tablename__ = "green_certification"
    __table_args__ = (UniqueConstraint("kind", "level", "certificate_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    certificate_no: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    park_id: Mapped[str | None] = mapped_column(String(64))
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(32))


class CleanerProductionAudit(Base):
    """A cleaner-production audit result of an enterprise (level I/II/III, year)."""

    __tablename__ = "cleaner_production_audit"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(4))
    certificate_no: Mapped[str] = mapped_column(String(64), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(32))


class RecycledOutput(Base):
    """Recycled-metal production of an enterprise by year and metal [t]."""

    __tablename__ = "recycled_output"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "metal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    metal: Mapped[str] = mapped_column(String(8))
    recycled_output_t: Mapped[float] = mapped_column(Float)
    total_output_t: Mapped[float] = mapped_column(Float)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(32))


class SolidWaste(Base):
    """Solid waste of an enterprise by year and kind (slag, fly ash, acid sludge, tailings):
    generated and utilised [t]."""

    __tablename__ = "solid_waste"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "waste"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    waste: Mapped[str] = mapped_column(String(16))
    generated_t: Mapped[float] = mapped_column(Float)
    utilised_t: Mapped[float] = mapped_column(Float)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(32))


# --- metering (issue 14): site → workshop/process → meter, events, raw readings ---------------


class MeterLocation(Base):
    """A place in an enterprise's metering tree: a site, a workshop under it, or a process
    under a workshop (``parent_id`` empty for a site)."""

    __tablename__ = "meter_location"
    __table_args__ = (UniqueConstraint("enterprise_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("meter_location.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # site | workshop | process
    name: Mapped[str] = mapped_column(String(200))
    #: the names from the site down, joined by " / " (unique within the enterprise)
    path: Mapped[str] = mapped_column(String(620))


class Meter(Base):
    """A meter (计量器具) of an enterprise's metering system (能源计量体系).

    ``carrier`` is an item id of ``refdata/accounting/items.csv`` (electricity_purchased,
    natural_gas …); ``unit`` the unit its register counts in; ``multiplier`` the CT/PT ratio
    (or any constant the raw register is multiplied by); ``kind`` ``cumulative`` (a counter;
    ``counter_max`` is where it rolls over to 0) or ``interval`` (each reading is the quantity
    of its interval); ``gb17167_level`` the GB 17167 level it meters (``unit`` 进出用能单位,
    ``secondary`` 次级用能单位, ``equipment`` 主要用能设备); ``parent_id`` the main meter of
    its balance group."""

    __tablename__ = "meter"
    __table_args__ = (UniqueConstraint("enterprise_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("meter_location.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    carrier: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))
    multiplier: Mapped[float] = mapped_column(Float, default=1.0)
    kind: Mapped[str] = mapped_column(String(16))  # cumulative | interval
    counter_max: Mapped[float | None] = mapped_column(Float)
    interval_s: Mapped[int] = mapped_column(Integer, default=900)
    accuracy_class: Mapped[str] = mapped_column(String(16), default="")
    gb17167_level: Mapped[str] = mapped_column(String(16))  # unit | secondary | equipment
    line_id: Mapped[int | None] = mapped_column(ForeignKey("production_line.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("meter.id", ondelete="SET NULL"), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class MeterEvent(Base):
    """A meter's event: a replacement at ``ts`` (UTC epoch seconds) — the old register's
    final reading and the new register's first — so the counter's reset is not a loss."""

    __tablename__ = "meter_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meter.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # replacement
    ts: Mapped[int] = mapped_column(BigInteger)
    old_final: Mapped[float] = mapped_column(Float)
    new_initial: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))


class MeterReading(Base):
    """One raw reading, kept as received: ``ts`` the reading's time and ``received_at`` when
    it arrived (both UTC epoch seconds); ``value`` in the meter's unit before its multiplier;
    one row per (meter, ts) — a later arrival replaces an earlier one. On PostgreSQL the
    table is partitioned by month of ``ts`` (migration 0011, :mod:`carbonpeak.store.readings`)."""

    __tablename__ = "meter_reading"

    meter_id: Mapped[int] = mapped_column(ForeignKey("meter.id", ondelete="CASCADE"), primary_key=True)
    ts: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    value: Mapped[float] = mapped_column(Float)
    quality: Mapped[str] = mapped_column(String(8), default="good")  # good | estimated | manual
    source: Mapped[str] = mapped_column(String(16))  # mqtt | http | file | sim
    received_at: Mapped[int] = mapped_column(BigInteger)
