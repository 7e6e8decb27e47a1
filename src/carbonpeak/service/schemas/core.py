"""Results of the core routes: health, the caller, reference tables, the audit chain,
inventories (stored runs, their lines and explanations) and the engine run on a file."""

from __future__ import annotations

from pydantic import Field

from carbonpeak.service.schemas.common import Result, Scalar, TotalsPublic

__all__ = [
    "AuditVerifyPublic",
    "CapacityChangePublic",
    "CategoryName",
    "ComputeMethodPublic",
    "ExplainFactorPublic",
    "ExplainParameterPublic",
    "ExplainPublic",
    "HealthPublic",
    "InventoryComputePublic",
    "InventoryLinePublic",
    "InventoryRunPublic",
    "InventoryRunSummaryPublic",
    "InventoryTotalsPublic",
    "LineTotalsPublic",
    "MePublic",
    "RecomputePublic",
    "RefTablePublic",
]


class HealthPublic(Result):
    """Liveness: the version and the newest factor set."""

    status: str
    version: str
    factor_set: str


class MePublic(Result):
    """The signed-in principal."""

    username: str
    role: str
    city_code: str | None
    enterprise_ids: list[int]
    display_name: str


class RefTablePublic(Result):
    """A shipped reference table: provenance and rows (columns per table, see its schema)."""

    table: str
    title_zh: str
    title_en: str
    digest: str
    rows: list[dict[str, Scalar]]


class AuditVerifyPublic(Result):
    """The audit hash chain walked: intact, over *events* events."""

    ok: bool
    events: int


class LineTotalsPublic(Result):
    """A line's year: energy [tce], output [t], unit energy [kgce/t] (AC power for Al)."""

    energy_tce: float | None = None
    output_t: float | None = None
    unit_energy_kgce_per_t: float | None = None
    ac_power_kwh: float | None = None
    ac_power_kwh_per_t: float | None = None


class InventoryTotalsPublic(Result):
    """An inventory's totals: by line/year, category, period (year or month), year, and all."""

    by_line: dict[str, LineTotalsPublic] = Field(description="keyed by line/year, e.g. L01/2025")
    by_category: dict[str, TotalsPublic]
    by_period: dict[str, TotalsPublic] = Field(description="keyed by year or YYYY-MM")
    by_year: dict[str, TotalsPublic]
    total: TotalsPublic


class InventoryRunSummaryPublic(Result):
    """One stored inventory run of an enterprise (one per version and year)."""

    id: int
    status: str
    method: str
    factor_set: str
    created_at: str
    superseded_by: int | None
    year: int | None
    version_id: int | None
    submission_status: str | None
    official: bool
    totals: TotalsPublic


class InventoryLinePublic(Result):
    """One computed inventory line [t, tce]."""

    line_no: int | None = None
    row: int | None = None
    enterprise: str | None = None
    line: str | None = None
    period: str | None = None
    year: int | None = None
    month: float | None = None
    item: str
    quantity: float | None = None
    unit: str | None = None
    quantity_in: float | None = None
    unit_in: str | None = None
    purity: float | None = None
    kind: str | None = None
    category: str | None = None
    co2_t: float | None = None
    co2_market_t: float | None = None
    cf4_t: float | None = None
    c2f6_t: float | None = None
    co2e_t: float | None = None
    co2e_market_t: float | None = None
    energy_tce: float | None = None
    energy_tce_equal_value: float | None = None
    factor_ids: str | None = None
    # measured parameters the line was computed with (docs/methods.md; canonical units)
    ncv_gj: float | None = None
    cc_tc_per_tj: float | None = None
    cc_tc_per_unit: float | None = None
    oxidation: float | None = None
    technology: str | None = None
    net_anode_consumption: float | None = None
    anode_sulfur: float | None = None
    anode_ash: float | None = None
    aem_min: float | None = None
    aeo_mv: float | None = None
    current_efficiency: float | None = None


class CategoryName(Result):
    zh: str
    en: str


class InventoryRunPublic(Result):
    """A stored run: provenance, version and status, totals, lines."""

    id: int
    enterprise_id: int
    credit_code: str
    year: int | None
    version_id: int | None
    submission_id: int | None
    submission_status: str | None
    official: bool
    origin: str | None
    method: str
    method_version: str | None
    factor_set: str
    gwp_set: str | None
    grid_series: str | None
    grid_region: str | None
    status: str
    superseded_by: int | None
    created_at: str
    created_by: str | None
    source_file: str | None
    input_digest: str | None
    totals: InventoryTotalsPublic
    categories: dict[str, CategoryName]
    lines: list[InventoryLinePublic]


class ExplainFactorPublic(Result):
    """A factor used, with its values, source and clause."""

    factor_id: str
    table: str
    name_zh: str | None
    name_en: str | None
    values: dict[str, Scalar]
    source_id: str | None
    source_title: str | None
    clause: str | None
    confidence: str | None
    read_in: str | None = None  # where the value was read (repost, repository, page), apart from the clause


class ExplainParameterPublic(Result):
    """A parameter of the line and its basis: measured (实测), default (缺省), reported, computed."""

    name: str
    name_zh: str
    name_en: str
    value: float | str | None
    unit: str
    basis: str
    basis_zh: str
    basis_en: str
    factor_id: str


class ExplainPublic(Result):
    """How one line was computed: formula, factors, arithmetic, results, and every parameter
    with its basis (实测 or 缺省)."""

    line_no: int
    item: str
    kind: str
    category_zh: str
    category_en: str
    formula_zh: str
    formula_en: str
    arithmetic: list[str]
    factors: list[ExplainFactorPublic]
    results: dict[str, float | None]
    parameters: list[ExplainParameterPublic]
    pfc_method: str


class RecomputePublic(Result):
    """The new run, and the one it supersedes."""

    run: int
    superseded: int


class ComputeMethodPublic(Result):
    method: str
    factor_set: str
    gwp_set: str
    grid_series: str


class InventoryComputePublic(Result):
    """``POST /inventory/compute``: without ``store``, the summary, the methods by enterprise
    and the lines; with ``store=true``, the bulk load (runs, versions, status, counts)."""

    summary: InventoryTotalsPublic | None = None
    methods: dict[str, ComputeMethodPublic] | None = Field(default=None, description="by credit code")
    lines: list[InventoryLinePublic] | None = None
    runs: list[int] | None = None
    versions: list[int] | None = None
    status: str | None = None
    enterprises: int | None = None
    years: list[int] | None = None
    rows: int | None = None


class CapacityChangePublic(Result):
    """A capacity addition (+) or exit (−) [t/a]."""

    metal: str
    route: str
    city_code: str | None
    year: int
    capacity_t: float
