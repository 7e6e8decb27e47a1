"""Results of the energy-saving review, the project register and the registries."""

from __future__ import annotations

from pydantic import Field

from carbonpeak.service.schemas.common import Result

__all__ = [
    "CarrierPublic",
    "ProjectHistoryStep",
    "ProjectPublic",
    "RegistryImportPublic",
    "RegistryRowPublic",
    "ReviewBriefPublic",
    "ReviewEffectsPublic",
    "ReviewPublic",
    "ScopeTotalsPublic",
    "WithWithout",
]


class CarrierPublic(Result):
    """One energy carrier of a proposal: as given, converted, and its energy and CO2."""

    carrier: str
    item: str
    item_name_zh: str | None
    item_name_en: str | None
    quantity_in: float
    unit_in: str
    quantity: float
    unit: str
    energy_tce: float | None
    co2_t: float | None
    factor_ids: str | None


class ScopeTotalsPublic(Result):
    """A scope's (province, city) energy and CO2 without and with the project."""

    energy_tce: float | None = None
    co2_t: float | None = None
    energy_with_tce: float | None = None
    co2_with_t: float | None = None
    energy_increase_pct: float | None = None
    co2_increase_pct: float | None = None


class WithWithout(Result):
    """A figure without and with the project (and the unverified share)."""

    without: float | None = None
    with_: float | None = Field(default=None, alias="with")
    unverified: float | None = None


class ReviewEffectsPublic(Result):
    """The project's effects on the newest official year (none without official data)."""

    year: int | None
    totals: dict[str, ScopeTotalsPublic] | None = Field(default=None, description="province, city")
    energy_intensity_change_pct: WithWithout | None = None
    capacity_share_at_benchmark: dict[str, bool | WithWithout] | None = Field(
        default=None, description="applies; province and city share without and with the project"
    )


class ReviewPublic(Result):
    """An energy-saving review: unit energy, the verdict against the standard in force,
    the clause, and the effects; ``id`` of the stored review (null when not saved). A stored
    review answers what was stored: a field added since is left out."""

    name: str | None = None
    metal: str
    route: str
    product: str | None = None
    city_code: str
    city_name_zh: str | None = None
    city_name_en: str | None = None
    park_id: str | None = None
    review_date: str
    capacity_t_per_a: float
    output_t_per_a: float
    method: str
    factor_set: str
    carriers: list[CarrierPublic]
    energy_tce_per_a: float
    co2_t_per_a: float
    unit_energy_kgce_per_t: float | None = None
    ac_power_kwh_per_t: float | None = None
    judged_value: float | None = None
    verdict: str = Field(description="pass, fail or no_level")
    level_id: str | None = None
    standard: str | None = None
    clause: str | None = None
    level_row_zh: str | None = None
    level_row_en: str | None = None
    edition_valid_from: str | None = None
    read_in: str | None = Field(
        default=None, description="where the level's values were read (a transcription), not the clause"
    )
    level_reason: str | None = Field(
        default=None, description="values_not_sourced: the edition in force is not held"
    )
    edition_in_force: str | None = Field(
        default=None, description="the edition in force whose values are not sourced"
    )
    value_unit: str | None = None
    advanced_value: float | None = None
    grade2: float | None = None
    grade3: float | None = None
    margin: float | None = None
    grade: str | None = None
    benchmark_required: bool
    benchmark_value: float | None = None
    meets_benchmark: bool | None = None
    citation_zh: str
    citation_en: str
    effects: ReviewEffectsPublic
    id: int | None = None


class ReviewBriefPublic(Result):
    """A stored review in the list."""

    id: int
    review_date: str
    city_code: str
    metal: str
    route: str
    capacity_t_per_a: float
    unit_energy_kgce_per_t: float | None
    verdict: str
    created_by: str
    name: str | None


class ProjectHistoryStep(Result):
    from_status: str | None
    to_status: str
    effective_date: str | None
    actor: str
    comment: str | None


class ProjectPublic(Result):
    """A project in the register (new, expanded, retrofitted or closed capacity)."""

    id: int
    code: str
    name_zh: str
    name_en: str | None
    enterprise_id: int | None
    city_code: str
    city_name_zh: str
    city_name_en: str
    park_id: str | None
    metal: str
    route: str
    kind: str
    kind_zh: str
    kind_en: str
    capacity_t_per_a: float
    status: str
    status_zh: str
    status_en: str
    expected_year: int | None
    line_id: int | None
    note: str | None
    is_demo: bool
    history: list[ProjectHistoryStep]


class RegistryRowPublic(Result):
    """A registry row: green (certifications), cleaner (audits), recycled (output), waste
    (solid waste); the fields of the registry's kind are present."""

    id: int
    year: int
    enterprise_id: int | None = None
    credit_code: str | None = None
    enterprise_name_zh: str | None = None
    city_code: str | None = None
    is_demo: bool | None = None
    created_at: str | None = None
    kind: str | None = None
    kind_zh: str | None = None
    kind_en: str | None = None
    level: str | None = None
    level_zh: str | None = None
    level_en: str | None = None
    certificate_no: str | None = None
    name_zh: str | None = None
    name_en: str | None = None
    park_id: str | None = None
    metal: str | None = None
    recycled_output_t: float | None = None
    total_output_t: float | None = None
    recycled_share: float | None = None
    waste: str | None = None
    waste_zh: str | None = None
    waste_en: str | None = None
    generated_t: float | None = None
    utilised_t: float | None = None
    utilisation: float | None = None


class RegistryImportPublic(Result):
    """Rows added by a registry import."""

    added: int
