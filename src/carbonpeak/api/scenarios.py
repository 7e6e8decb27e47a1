"""API — Scenarios (issue 7): projections, peak, Monte Carlo, LMDI, MACC, IAMC export.

Thin handlers over :mod:`carbonpeak.service.outlook.scenarios`, which checks role and scope:
province (the province), city (its city's base year), enterprise (its own); verifier and
public get 403. Nothing is stored, so nothing is audited; uploads (driver paths, base-year
tables, LMDI data, measures) are size-limited by ``max_upload_mb`` and used for the one
request. Monte Carlo N is capped (``CARBONPEAK_MC_MAX_N``, default 20 000); a request
cannot name a ``tcp://`` scheduler (only numpy, threads or local).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import Field

from carbonpeak.errors import InputError, Problem
from carbonpeak.http.compute import off_loop
from carbonpeak.http.deps import Ctx
from carbonpeak.http.files import CSV, XLSX, download, read_upload
from carbonpeak.http.params import BodyYear, TextForm, TextParam, Year, YearForm, YearQuery
from carbonpeak.model.schemas import TextSafeModel
from carbonpeak.service.outlook import scenarios as svc
from carbonpeak.service.outlook.scenario_catalog import (
    DEFAULT_TOLERANCE,
    Method,
    Scenario,
    distribution,
    is_synthetic,
)
from carbonpeak.service.platform.context import Context
from carbonpeak.service.schemas.common import CSV_MEDIA, XLSX_MEDIA, error_responses, file_response
from carbonpeak.service.schemas.scenarios import (
    BaseYearPublic,
    DriversPublic,
    LmdiPublic,
    MaccPublic,
    MonteCarloPublic,
    ScenarioRunPublic,
    ScenariosIndexPublic,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["scenarios"], responses=error_responses())
Source = Literal["inventories", "demo"]


def _names(scenarios: str) -> list[str]:
    return [s.strip() for s in scenarios.split(",") if s.strip()]


def _in_file(exc: InputError, name: str, shift: int = 0) -> InputError:
    return InputError(
        [
            dataclasses.replace(p, file=p.file or name, row=None if p.row is None else p.row + shift)
            for p in exc.problems
        ]
    )


async def _drivers(request: Request, ctx: Context, upload: UploadFile | None) -> dict[str, Scenario] | None:
    if upload is None or not upload.filename:
        return None
    return svc.parse_drivers(ctx, await read_upload(request, upload), upload.filename)


def _scenario_list(reg: dict[str, Scenario]) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "parent": s.parent,
            "description": s.description,
            "drivers": sorted(s.paths),
            "synthetic": is_synthetic(s.name),
        }
        for s in reg.values()
    ]


@router.get("/scenarios", response_model=ScenariosIndexPublic)
def scenarios_index(ctx: Ctx, source: Source = "inventories") -> dict[str, Any]:
    """The scenarios on offer (the synthetic demo set), the base years with stored data in
    scope and the default one, the Monte Carlo cap and the schedulers a request may name."""
    svc.check_access(ctx, "scenarios.view")
    try:
        bt = svc.base_table(ctx, source=source)
        base: dict[str, Any] = {"default_base_year": bt.year, "base_years": bt.years or [bt.year]}
    except InputError:
        base = {"default_base_year": None, "base_years": []}
    return {
        "scenarios": _scenario_list(svc.registry()),
        **base,
        "mc_max_n": svc.max_n(),
        "schedulers": list(svc.SCHEDULERS),
    }


@router.get("/scenarios/base-year", response_model=BaseYearPublic, response_model_exclude_unset=True)
def scenarios_base_year(ctx: Ctx, year: YearQuery = None, source: Source = "inventories") -> dict[str, Any]:
    """The base-year table built bottom-up from the stored inventories in scope (one row per
    metal, process route and city), with its reconciliation to the inventories' CO2."""
    bt = svc.base_table(ctx, year, source=source)
    frame = bt.frame.astype(object).where(pd.notna(bt.frame), None)
    return {
        "year": bt.year,
        "source": bt.source,
        "years": bt.years,
        "reconciliation": bt.reconciliation,
        "groups": [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")],
    }


@router.get("/scenarios/compare", response_model=ScenarioRunPublic, response_model_exclude_unset=True)
def scenarios_compare(
    ctx: Ctx,
    scenarios: TextParam = "baseline,plan_policy,accelerated",
    year: YearQuery = None,
    source: Source = "inventories",
    tolerance: float = DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """Project and compare scenarios to 2060: CO2 by metal, route, route kind and city, the
    peak year and level, and the "peak before 2030" verdict."""
    return svc.run(ctx, _names(scenarios), year=year, source=source, tolerance=tolerance)


@router.post("/scenarios/run", response_model=ScenarioRunPublic, response_model_exclude_unset=True)
async def scenarios_run(
    request: Request,
    ctx: Ctx,
    scenarios: TextForm = "",
    year: YearForm = None,
    source: Annotated[Source, Form()] = "inventories",
    tolerance: Annotated[float, Form()] = DEFAULT_TOLERANCE,
    drivers_file: Annotated[UploadFile | None, File()] = None,
    base_file: Annotated[UploadFile | None, File()] = None,
) -> dict[str, Any]:
    """As ``GET /scenarios/compare``, with scenarios from a driver-path xlsx (scenario,
    driver, selector, year, value[, parent]) and/or a supplied base-year table; without
    names, the uploaded scenarios (else the three demo ones) are run."""
    uploaded = await _drivers(request, ctx, drivers_file)
    supplied = None
    if base_file is not None and base_file.filename:
        supplied = svc.read_base_upload(await read_upload(request, base_file), base_file.filename)
    names = _names(scenarios) or list(uploaded or [])
    try:
        return svc.run(
            ctx, names, year=year, source=source, uploaded=uploaded, supplied=supplied, tolerance=tolerance
        )
    except InputError as exc:
        if (
            supplied is not None
            and base_file is not None
            and any(p.code != "scenario_unknown" for p in exc.problems)
        ):
            raise _in_file(exc, base_file.filename or "", shift=1) from exc
        raise


@router.post("/scenarios/drivers", response_model=DriversPublic)
async def scenarios_drivers(
    request: Request, ctx: Ctx, drivers_file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    """Check a driver-path xlsx/csv: its scenarios, or every problem located by file, sheet and
    row and naming scenario, driver and year (a gap, a share above 100 %, a negative
    intensity…). Nothing is stored."""
    uploaded = await _drivers(request, ctx, drivers_file) or {}
    return {"scenarios": _scenario_list(uploaded)}


class DistributionIn(TextSafeModel):
    driver: str
    kind: str
    params: dict[str, float] = Field(default_factory=dict)
    mode: str = "add"
    selector: str = "*"


class MonteCarloIn(TextSafeModel):
    scenario: str = "plan_policy"
    n: int = 1000
    seed: int = Field(default=1, ge=0, description="the random seed (non-negative)")
    year: BodyYear | None = None
    source: Source = "inventories"
    scheduler: Literal["numpy", "threads", "local"] = "threads"
    distributions: list[DistributionIn] | None = None
    correlation: list[list[float]] | None = None
    tolerance: float = DEFAULT_TOLERANCE


@router.post("/scenarios/montecarlo", response_model=MonteCarloPublic)
async def scenarios_montecarlo(ctx: Ctx, body: MonteCarloIn, request: Request) -> dict[str, Any]:
    """Seeded Monte Carlo of one scenario: P(peak ≤ 2030), the peak-year distribution and the
    fan quantiles 5/25/50/75/95 % [tCO2/a]. Without ``distributions`` the demo's synthetic
    set is used; N is capped. Computed off the event loop under the compute deadline (503
    ``compute_deadline`` with ``Retry-After`` past it) and stopped between chunks when the
    client goes away."""
    svc.check_access(ctx, "scenarios.montecarlo")
    dists = (
        None
        if body.distributions is None
        else [distribution(d.driver, d.kind, d.params, d.mode, d.selector) for d in body.distributions]
    )
    if body.n < 1:
        raise InputError([Problem("must_be_positive", column="n", value=body.n)])
    return await off_loop(
        lambda: svc.montecarlo(
            ctx,
            body.scenario,
            n=body.n,
            seed=body.seed,
            year=body.year,
            source=body.source,
            distributions=dists,
            correlation=body.correlation,
            scheduler=body.scheduler,
            tolerance=body.tolerance,
        ),
        seconds=request.app.state.settings.compute_deadline_seconds,
        request=request,
        ctx=ctx,
    )


@router.get("/scenarios/lmdi/history", response_model=LmdiPublic, response_model_exclude_unset=True)
def scenarios_lmdi_history(
    ctx: Ctx,
    method: Method = "additive",
    chained: bool = True,
    start: YearQuery = None,
    end: YearQuery = None,
) -> dict[str, Any]:
    """LMDI-I of the stored history in scope: CO2 = Σ activity × structure × energy
    intensity × fuel mix × emission factor, by (metal, route, city) and carrier."""
    return svc.lmdi_history(ctx, method=method, chained=chained, start=start, end=end)


@router.get("/scenarios/lmdi/compare", response_model=LmdiPublic, response_model_exclude_unset=True)
def scenarios_lmdi_compare(
    ctx: Ctx,
    a: TextParam = "baseline",
    b: TextParam = "plan_policy",
    year: Year = 2030,
    method: Method = "additive",
    base_year: YearQuery = None,
    source: Source = "inventories",
) -> dict[str, Any]:
    """LMDI-I of the difference between two scenarios in one year (a → b)."""
    return svc.lmdi_scenarios(ctx, a, b, year, method=method, base=base_year, source=source)


@router.post("/scenarios/lmdi", response_model=LmdiPublic, response_model_exclude_unset=True)
async def scenarios_lmdi_upload(
    request: Request,
    ctx: Ctx,
    data_file: Annotated[UploadFile, File()],
    method: Annotated[Method, Form()] = "additive",
    chained: Annotated[bool, Form()] = True,
) -> dict[str, Any]:
    """LMDI-I of an uploaded CSV/xlsx with columns ``year``, ``category`` and one per factor."""
    svc.check_access(ctx, "scenarios.view")
    data = await read_upload(request, data_file)
    return svc.lmdi_upload(ctx, data, data_file.filename or "data.csv", method=method, chained=chained)


@router.get("/scenarios/macc", response_model=MaccPublic)
def scenarios_macc(
    ctx: Ctx, year: YearQuery = None, source: Source = "inventories", baseline: float | None = None
) -> dict[str, Any]:
    """The MACC of the synthetic demo measures against the base-year CO2 in scope: measures
    sorted by cost per tCO2e, each bar as wide as its abatement (with interaction)."""
    return svc.macc_curve(ctx, year=year, source=source, baseline_tco2e=baseline)


@router.post("/scenarios/macc", response_model=MaccPublic)
async def scenarios_macc_upload(
    request: Request,
    ctx: Ctx,
    measures_file: Annotated[UploadFile, File()],
    year: YearForm = None,
    source: Annotated[Source, Form()] = "inventories",
    baseline: Annotated[float | None, Form()] = None,
) -> dict[str, Any]:
    """The MACC of an uploaded measures table (id, capex_yuan, delta_opex_yuan_per_a,
    energy_saving_value_yuan_per_a, lifetime_a, abatement_share or abatement_tco2e_per_a,
    discount_rate)."""
    svc.check_access(ctx, "scenarios.view")
    data = await read_upload(request, measures_file)
    return svc.macc_curve(
        ctx,
        data=data,
        filename=measures_file.filename or "measures.csv",
        baseline_tco2e=baseline,
        year=year,
        source=source,
    )


@router.get("/scenarios/iamc", response_class=Response, responses=file_response(CSV_MEDIA, XLSX_MEDIA))
def scenarios_iamc(
    ctx: Ctx,
    scenarios: TextParam = "baseline,plan_policy,accelerated",
    format: Literal["csv", "xlsx"] = "csv",
    year: YearQuery = None,
    source: Source = "inventories",
) -> Response:
    """The scenarios in IAMC format (model, scenario, region, variable, unit, year; pyam
    reads both): CSV long or xlsx wide."""
    data = svc.iamc_export(ctx, _names(scenarios), format, year=year, source=source)
    return download(data, f"carbonpeak-scenarios-iamc.{format}", CSV if format == "csv" else XLSX)
