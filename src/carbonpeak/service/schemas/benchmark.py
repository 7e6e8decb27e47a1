"""Results of the province views: benchmark lines and shares, targets, the dashboard.

These views answer a cached JSON body (:func:`carbonpeak.http.cached.cached_json`: NaN and
±inf as ``null``), so every computed figure is nullable.
"""

from __future__ import annotations

from pydantic import Field

from carbonpeak.service.schemas.common import CoveragePublic, Result

__all__ = [
    "BenchmarkLinePublic",
    "BenchmarkSharePublic",
    "CityChoicePublic",
    "DashboardPublic",
    "LeagueLinePublic",
    "PeakProjectionPublic",
    "ProjectionPublic",
    "TargetPublic",
]

#: A series or breakdown keyed by year ("2020": value).
YearSeries = dict[str, float | None]


class LeagueLinePublic(Result):
    """A line graded against the limit standard in force (the dashboard's league rows)."""

    line_id: str
    line_code: str | None = None
    enterprise_name_zh: str | None = None
    enterprise_name_en: str | None = None
    is_demo: bool | None = None
    city: str | None = None
    city_name_zh: str | None = None
    city_name_en: str | None = None
    park: str | None = None
    metal: str | None = None
    route: str | None = None
    product: str | None = Field(
        default=None, description="the register's product (sector/products); None: route default"
    )
    technology: str | None = Field(default=None, description="potline cell technology (CWPB, SWPB, VSS, HSS)")
    capacity_t_per_a: float | None = None
    unit_energy: float | None = Field(default=None, description="in value_unit (kgce/t; kWh/t AC for Al)")
    value_unit: str | None = None
    standard: str | None = None
    grade1: float | None = None
    grade2: float | None = None
    grade3: float | None = None
    grade: int | str | None = None
    band: str | None = None
    benchmark_value: float | None = None
    benchmark_basis: str | None = None
    benchmark_unverified: bool | None = None
    gap_to_limit: float | None = Field(default=None, description="unit energy − limit (grade 3)")
    gap_tce_per_a: float | None = None


class BenchmarkLinePublic(LeagueLinePublic):
    """A line with an official inventory of the year, graded against the limit standard
    in force on 31 December (``GET /benchmark/lines``)."""

    line_name_zh: str | None = None
    line_name_en: str | None = None
    enterprise_id: int | None = None
    credit_code: str | None = None
    route_kind: str | None = None
    status: str | None = None
    above_designated_size: bool | None = None
    year: int | None = None
    date: str | None = None
    energy_tce: float | None = None
    output_t: float | None = None
    ac_power_kwh_per_t: float | None = None
    run_id: int | None = None
    level_status: str | None = None
    level_id: str | None = None
    level_product: str | None = None
    indicator: str | None = None
    lower_is_better: bool | None = None
    level_confidence: str | None = None
    efficiency_id: str | None = None
    efficiency_benchmark: float | None = None
    efficiency_baseline: float | None = None
    efficiency_unverified: bool | None = None
    level_reason: str | None = Field(
        default=None, description="values_not_sourced: the edition in force is not held"
    )
    edition_in_force: str | None = Field(
        default=None, description="the edition in force whose values are not sourced"
    )
    below_limit: bool | None = None
    baseline_value: float | None = None
    at_benchmark: bool | None = None
    below_baseline: bool | None = None
    assessment: str | None = None
    assessment_zh: str | None = None
    assessment_en: str | None = None


class BenchmarkSharePublic(Result):
    """Capacity share at the benchmark level of one group (metal, city, park)."""

    metal: str | None = None
    city: str | None = None
    park: str | None = None
    capacity_t_per_a: float | None = None
    capacity_at_benchmark_t_per_a: float | None = None
    share: float | None = None
    lines: int | None = None
    lines_unassessed: int | None = None
    unverified: bool | None = None
    year: int | None = None
    note_zh: str | None = None
    note_en: str | None = None
    coverage: CoveragePublic


class PeakProjectionPublic(Result):
    peak_year: int | None = None
    peak_co2_t: float | None = None
    verdict: str | None = None


class ProjectionPublic(Result):
    """The projection's peak years and verdicts (the scenarios page's definition)."""

    base_year: int | None = None
    scenarios: dict[str, PeakProjectionPublic] = Field(default_factory=dict)


class TargetPublic(Result):
    """A plan target judged on the official figures: value, target, gap, trend, status and
    the rule, or ``status = no_data`` with the reason."""

    id: str
    indicator: str
    name_zh: str
    name_en: str
    scope: str
    base_year: int | None
    target_year: int
    target: float | None
    unit: str
    comparison: str
    clause: str
    source_id: str
    confidence: str
    year: int
    series: YearSeries
    breakdown: dict[str, dict[str, YearSeries] | YearSeries | float | None] = Field(
        description="by_city / by_metal: {key: {year: value}}; registry: {year: value}"
    )
    note_zh: str
    note_en: str
    status: str = Field(description="green, amber, red or no_data")
    coverage: CoveragePublic
    value: float | None = None
    trend: float | None = None
    projected: float | None = None
    gap: float | None = None
    rule: str | None = None
    rule_zh: str | None = None
    rule_en: str | None = None
    reason_zh: str | None = None
    reason_en: str | None = None
    base_year_used: int | None = None
    base_note_zh: str | None = None
    base_note_en: str | None = None
    base_year_value: float | None = None
    base_year_level: float | None = None
    base_year_level_unit: str | None = None
    value_label_zh: str | None = None
    value_label_en: str | None = None
    peak_to_date_year: int | None = None
    peak_to_date_co2e_t: float | None = None
    peaked: bool | None = None
    peak_co2e_t: float | None = None
    projection: ProjectionPublic | None = None


class CityChoicePublic(Result):
    city: str
    city_name_zh: str | None
    city_name_en: str | None


class DashboardPublic(Result):
    """The dashboard's data: targets, the league (best and worst 10 lines per metal), the
    50 largest gaps below the limit, with the coverage of the year and of every year."""

    year: int | None
    coverage: CoveragePublic | None
    coverage_by_year: dict[str, CoveragePublic] = Field(description="keyed by year")
    targets: list[TargetPublic]
    league: list[LeagueLinePublic]
    league_total: int
    below_limit: list[LeagueLinePublic]
    below_limit_total: int
    cities: list[CityChoicePublic]
    metals: list[str]
    standin_note_zh: str | None = None
    standin_note_en: str | None = None
