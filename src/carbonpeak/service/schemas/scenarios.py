"""Results of the scenario routes: projections and peaks, Monte Carlo, LMDI, MACC."""

from __future__ import annotations

from pydantic import Field

from carbonpeak.service.schemas.common import Result

__all__ = [
    "BaseGroupPublic",
    "BaseYearPublic",
    "DriversPublic",
    "LmdiPeriodPublic",
    "LmdiPublic",
    "MaccBarPublic",
    "MaccPublic",
    "MonteCarloPublic",
    "PeakPublic",
    "ReconciliationPublic",
    "ScenarioInfoPublic",
    "ScenarioProjectionPublic",
    "ScenarioRunPublic",
    "ScenarioSeriesPublic",
    "ScenariosIndexPublic",
]

#: A series over the projection's years (``years``) [tCO2/a, t/a or tce/a].
Series = list[float | None]


class ScenarioInfoPublic(Result):
    """A scenario on offer: its parent, description and the drivers it sets."""

    name: str
    parent: str | None
    description: str | None
    drivers: list[str]
    synthetic: bool


class ScenariosIndexPublic(Result):
    """The scenarios, the base years with stored data in scope, the Monte Carlo cap and
    the schedulers a request may name."""

    scenarios: list[ScenarioInfoPublic]
    default_base_year: int | None
    base_years: list[int]
    mc_max_n: int
    schedulers: list[str]


class DriversPublic(Result):
    """The scenarios of a checked driver-path file."""

    scenarios: list[ScenarioInfoPublic]


class ReconciliationPublic(Result):
    """The base year against the inventories' CO2 [t]: what the groups leave out."""

    inventory_co2_t: float | None = None
    left_out_co2_t: float | None = None
    groups_left_out: list[dict[str, str | float | None]] | None = None
    base_co2_t: float | None = None


class BaseGroupPublic(Result):
    """One base-year group (metal × route × city): output, energy by carrier, factors."""

    metal: str
    route: str
    route_kind: str | None = None
    city: str | None = None
    output_t: float | None = None
    coal_tce: float | None = None
    gas_tce: float | None = None
    oil_tce: float | None = None
    electricity_mwh: float | None = None
    heat_gj: float | None = None
    ef_coal_tco2_per_tce: float | None = None
    ef_gas_tco2_per_tce: float | None = None
    ef_oil_tco2_per_tce: float | None = None
    ef_electricity_tco2_per_mwh: float | None = None
    ef_heat_tco2_per_gj: float | None = None
    process_co2_t_per_t: float | None = None
    feedstock_tce: float | None = None
    co2_t: float | None = None


class BaseYearPublic(Result):
    """The base-year table built from the stored inventories in scope."""

    year: int
    source: str
    years: list[int]
    reconciliation: ReconciliationPublic
    groups: list[BaseGroupPublic]


class PeakPublic(Result):
    year: int | None
    co2_t: float | None
    peaked: bool
    before_2030: bool


class ScenarioSeriesPublic(Result):
    """CO2 [t/a] in total and by metal, route, route kind and city (keys are data)."""

    total: Series
    by_metal: dict[str, Series]
    by_route: dict[str, Series]
    by_route_kind: dict[str, Series]
    by_city: dict[str, Series]


class ScenarioProjectionPublic(Result):
    """One scenario projected: CO2, output, energy, the peak and the verdict."""

    description: str | None
    parent: str | None
    co2_t: ScenarioSeriesPublic
    output_t: Series
    energy_tce: Series
    peak: PeakPublic
    verdict: str


class ScenarioRunPublic(Result):
    """Scenarios projected to 2060 from the base year, keyed by scenario name."""

    base_year: int
    source: str
    synthetic_scenarios: list[str]
    reconciliation: ReconciliationPublic
    tolerance: float
    scenarios: dict[str, ScenarioProjectionPublic]
    notes: list[str]
    years: list[int]


class MonteCarloPublic(Result):
    """A seeded Monte Carlo of one scenario: P(peak ≤ 2030), the peak-year distribution
    and the fan quantiles [tCO2/a]."""

    scenario: str
    base_year: int
    source: str
    n: int
    seed: int
    scheduler: str
    years: list[int]
    p_peak_by_2030: float | None
    peak_year_share: dict[str, float | None] = Field(description="keyed by peak year")
    not_peaked_share: float | None
    peak_co2_t: dict[str, float | None] = Field(description="p5, p25, p50, p75, p95")
    fan_co2_t: dict[str, Series] = Field(description="p5, p25, p50, p75, p95")
    deterministic_co2_t: Series
    distributions_synthetic: bool
    notes: list[str]


class LmdiPeriodPublic(Result):
    """One period's change and its effects, keyed by factor."""

    year_from: str
    year_to: str
    v_from: float | None
    v_to: float | None
    effects: dict[str, float | None]


class LmdiPublic(Result):
    """LMDI-I decomposition: periods, total effects by factor, closure residual. The history
    carries ``source`` and ``years``; the scenario comparison ``year``, ``from``, ``to``,
    ``base_year``."""

    method: str
    factors: list[str]
    periods: list[LmdiPeriodPublic]
    v_from: float | None
    v_to: float | None
    total_effects: dict[str, float | None]
    closure_residual: float | None
    source: str | None = None
    years: list[int] | None = None
    year: int | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    base_year: int | None = None


class MaccBarPublic(Result):
    """A measure's bar: cost per tCO2e, abatement, and where it sits on the curve."""

    id: str
    name_zh: str | None
    name_en: str | None
    rank: int
    mac_yuan_per_tco2e: float | None
    abatement_tco2e_per_a: float | None
    x0: float | None
    x1: float | None
    annualised_cost_yuan_per_a: float | None


class MaccPublic(Result):
    """A marginal abatement cost curve against the baseline CO2e [t/a]."""

    baseline_tco2e_per_a: float | None
    baseline: dict[str, int | str | None] = Field(description="year, source")
    measures_file: str | None
    synthetic: bool
    total_abatement_tco2e_per_a: float | None
    curve: list[MaccBarPublic]
