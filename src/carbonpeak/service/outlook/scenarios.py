"""Scenarios from the stored inventories: base year, projections, peak, Monte Carlo, LMDI, MACC.

Read-only use cases (nothing here writes, so there is nothing to audit); each checks the
caller's role, loads the **official** figures the caller may see (the runs' base sums per
line, :func:`carbonpeak.service.inventories.official.base_totals`), builds frames and calls the
pure engines of :mod:`carbonpeak.scenarios`.

Who may ask: province (the province), city (its city), enterprise (its own enterprise's
base year and projections); verifier and public are refused (403) — verifiers review
submissions, and scenarios are planning work, not published aggregates.

The base year, bottom-up (:func:`base_table`)
---------------------------------------------
For a year (default: the latest *complete* year — every enterprise in scope that
reported the year before reports it too), the annual rows of the newest current run per
enterprise and year (months summed when a run has no annual row) are grouped by
production line → (metal, process route, city) of the register:

=========================== ===================================================================
output_t                    Σ ``product_output`` [t]
coal/gas/oil_tce            Σ energy [tce] of fuels burnt, by carrier (:data:`GAS_FUELS`,
                            :data:`OIL_FUELS`; other fuels are coal)
electricity_mwh, heat_gj    net purchased (exports subtract) [MWh, GJ]
ef_<carrier>                combustion CO2 / energy of the carrier (scope-wide ratio where a
                            group burns none; the refdata default if the scope burns none)
ef_electricity, ef_heat     the inventories' location-based CO2 / MWh, / GJ
process_co2_t_per_t         (reductants + carbonates + oxalate + anodes) CO2 / output
=========================== ===================================================================

Rows without a production line (enterprise-level heat, green power) are shared among the
enterprise's lines in proportion to their energy that year. Reductant energy is reported
(``feedstock_tce``) but projected with the process CO2 (it scales with output, and is not
electrified). Groups without output cannot be projected per tonne and are left out, with
their CO2 in the reconciliation; negative net purchases are floored at zero.

Demo scenarios on a stored base year are re-anchored
(:func:`~carbonpeak.scenarios.projection.rebase`) so they start from the inventories.
Capacity additions and exits of the project register (``carbonpeak.service.efficiency.projects
.capacity_changes``, when that module exists) become cumulative ``capacity_addition`` /
``capacity_exit`` paths per group.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd

from carbonpeak import refdata, units
from carbonpeak.errors import InputError, PermissionDenied, Problem
from carbonpeak.io.iamc import IAMC_COLUMNS, read_driver_paths, to_iamc, write_iamc_xlsx
from carbonpeak.io.tabular import read_rows
from carbonpeak.model import Role
from carbonpeak.refdata.loader import load_table
from carbonpeak.scenarios.base_builder import (
    GAS_FUELS,
    LMDI_FACTORS,
    OIL_FUELS,
    base_frame_from_sums,
    lmdi_identity,
)
from carbonpeak.scenarios.capacity import capacity_paths as engine_capacity_paths
from carbonpeak.scenarios.demo_scenarios import (
    DEMO_BASE_YEAR,
    DEMO_SCENARIOS,
    DEMO_UNCERTAINTY,
    demo_base_frame,
)
from carbonpeak.scenarios.lmdi import Method, lmdi_frame
from carbonpeak.scenarios.macc import macc
from carbonpeak.scenarios.montecarlo import Distribution, run_montecarlo
from carbonpeak.scenarios.peak import DEFAULT_TOLERANCE, find_peak
from carbonpeak.scenarios.projection import (
    BASE_COLUMNS,
    GROUP_COLUMNS,
    BaseYear,
    Scenario,
    base_year,
    project,
    rebase,
    resolve,
)
from carbonpeak.service.efficiency import projects
from carbonpeak.service.inventories import official
from carbonpeak.service.outlook.mc_runner import DEFAULT_CONNECT_TIMEOUT, mapper_for
from carbonpeak.service.platform import budget
from carbonpeak.service.platform.context import Context
from carbonpeak.settings import get_settings

__all__ = [
    "GAS_FUELS",
    "LMDI_FACTORS",
    "OIL_FUELS",
    "SCHEDULERS",
    "BaseTable",
    "base_table",
    "capacity_paths",
    "check_access",
    "iamc_export",
    "lmdi_history",
    "lmdi_scenarios",
    "lmdi_upload",
    "macc_curve",
    "max_n",
    "montecarlo",
    "parse_drivers",
    "read_base_upload",
    "registry",
    "run",
]

Source = Literal["inventories", "demo"]
#: Schedulers a caller may name: in-process NumPy, Dask's threads, an in-process LocalCluster.
SCHEDULERS = ("numpy", "threads", "local")


def _tce_per(item: str, unit: str) -> float:
    """The default 当量值 coefficient of *item* (refdata ``accounting/tce_coefficients``,
    GB/T 2589 Appendix A) in *unit* (e.g. ``tce/MWh``)."""
    rows = load_table("accounting/tce_coefficients").frame()
    row = rows[(rows["item"] == item) & (rows["default"].astype(str).str.lower() == "true")].iloc[0]
    return float(row["coefficient"]) * units.conversion_factor(str(row["coefficient_unit"]), unit)


_TCE_PER_MWH = _tce_per("electricity_purchased", "tce/MWh")
_TCE_PER_GJ = _tce_per("heat_purchased", "tce/GJ")
_DEMO_MEASURES = "macc_measures.csv"


def check_access(ctx: Context, action: str) -> None:
    """Province, city and enterprise may use scenarios; verifier and public may not (403)."""
    if ctx.principal.role not in (Role.PROVINCE, Role.CITY, Role.ENTERPRISE):
        raise PermissionDenied(role=str(ctx.principal.role), action=action)


def max_n() -> int:
    """The Monte Carlo cap per request: setting ``mc_max_n`` (``CARBONPEAK_MC_MAX_N``)."""
    return get_settings().mc_max_n


# --- base year ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BaseTable:
    """A base-year table and where it came from.

    Attributes
    ----------
    year : int
    source : {"inventories", "demo", "supplied"}
    frame : DataFrame
        ``metal``, ``route``, ``route_kind``, ``city`` and :data:`BASE_COLUMNS`, plus
        ``feedstock_tce`` and ``co2_t`` (the group's base-year CO2) for inventories.
    base : BaseYear
        The engine's arrays.
    years : list of int
        Years with stored data in scope (inventories).
    reconciliation : dict
        ``inventory_co2_t`` (Σ the inventories' CO2 in scope), ``base_co2_t`` (what the table
        projects in its first year), ``left_out_co2_t`` (groups without output) and
        ``groups_left_out``.
    """

    year: int
    source: str
    frame: pd.DataFrame
    base: BaseYear
    years: list[int] = field(default_factory=list)
    reconciliation: dict[str, Any] = field(default_factory=dict)


def _stored_lines(ctx: Context) -> pd.DataFrame:
    """The scenario base's sums per official enterprise, line and year in scope, every year
    (the runs' pre-aggregate, :func:`carbonpeak.service.inventories.official.base_totals`)."""
    return official.base_totals(ctx)


def _complete_year(lines: pd.DataFrame) -> int | None:
    years = sorted(int(y) for y in lines["year"].unique())
    if not years:
        return None
    ents = lines.groupby("year")["enterprise_id"].agg(set)
    complete = [y for y in years if y - 1 not in ents or ents[y - 1] <= ents[y]]
    return complete[-1] if complete else years[-1]


def _register(ctx: Context) -> tuple[pd.DataFrame, dict[int, str]]:
    """Lines in scope (enterprise_id, line_code, metal, route) and each enterprise's city."""
    reg = official.register_lines(ctx)
    city_of = dict(zip(reg["enterprise_id"].astype(int), reg["city"].astype(str), strict=True))
    return reg[["enterprise_id", "line_code", "metal", "route"]].reset_index(drop=True), city_of


def _default_ef_per_tce() -> dict[str, float]:
    """Combustion CO2 per tce of bituminous coal, natural gas and diesel from refdata
    ``accounting/fuels`` (cc [tC/TJ] · oxidation · 44/12 · 0.0293076 TJ/tce)."""
    rows = {str(r["item"]): r for r in refdata.load_table("accounting/fuels").rows}
    out = {}
    for carrier, item in (("coal", "bituminous_coal"), ("gas", "natural_gas"), ("oil", "diesel")):
        r = rows[item]
        out[carrier] = float(r["cc_tc_per_tj"]) * float(r["oxidation"]) * 44.0 / 12.0 * 0.0293076
    return out


def _inventory_frame(
    ctx: Context, lines: pd.DataFrame, year: int, register: tuple[pd.DataFrame, dict[int, str]] | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The base-year frame of *year* from the official runs' base sums per line (the engine
    :func:`carbonpeak.scenarios.base_builder.base_frame_from_sums`, fed with refdata and the
    register)."""
    reg, city_of = register if register is not None else _register(ctx)
    kinds = {str(r["id"]): str(r["kind"]) for r in refdata.process_routes()}
    return base_frame_from_sums(
        lines[lines["year"] == year],
        reg,
        city_of,
        default_ef_per_tce=_default_ef_per_tce(),
        route_kinds=kinds,
    )


def base_table(
    ctx: Context,
    year: int | None = None,
    *,
    source: Source = "inventories",
    supplied: pd.DataFrame | None = None,
) -> BaseTable:
    """The base-year table for the caller's scope (module docstring).

    Parameters
    ----------
    ctx : Context
    year : int, optional
        Base year [a]; default the latest complete year with stored data (inventories), the
        demo's 2020, or required with *supplied*.
    source : {"inventories", "demo"}
        Stored inventories in scope, or the synthetic demo table.
    supplied : DataFrame, optional
        A base-year table in the engine's columns (overrides *source*).

    Raises
    ------
    InputError
        No stored data for the year (``scenario_no_base_year``); a bad supplied table.
    """
    check_access(ctx, "scenarios.view")
    if supplied is not None:
        given = int(year or DEMO_BASE_YEAR)
        return BaseTable(year=given, source="supplied", frame=supplied, base=base_year(supplied, given))
    if source == "demo":
        f = demo_base_frame()
        return BaseTable(year=DEMO_BASE_YEAR, source="demo", frame=f, base=base_year(f, DEMO_BASE_YEAR))
    ent_years = official.year_totals(ctx)[["enterprise_id", "year"]]  # cached; no line detail
    years = sorted(int(y) for y in ent_years["year"].unique())
    settled = official.default_year(ctx)
    y: int | None = year if year is not None else (settled if settled in years else _complete_year(ent_years))
    if y is None or y not in years:
        raise InputError(
            [
                Problem(
                    "scenario_no_base_year",
                    column="base_year",
                    value=y if y is not None else "-",
                    fields={"allowed": ", ".join(map(str, years)) or "-"},
                )
            ]
        )
    lines = official.base_totals(ctx, year=y)  # the base year's sums only
    frame, rec = _inventory_frame(ctx, lines, y)
    if frame.empty:
        raise InputError(
            [Problem("scenario_no_base_year", column="base_year", value=y, fields={"allowed": "-"})]
        )
    b = base_year(frame, y)
    rec["base_co2_t"] = float(project(b, Scenario("base"), [y]).total()[0])
    return BaseTable(year=y, source="inventories", frame=frame, base=b, years=years, reconciliation=rec)


def read_base_upload(data: bytes, filename: str) -> pd.DataFrame:
    """A supplied base-year table (xlsx/csv): ``metal``, ``route``, ``city``, the engine's
    :data:`BASE_COLUMNS` and optionally ``route_kind``; checked by ``base_year``."""
    table = read_rows(data, filename, [*GROUP_COLUMNS, *BASE_COLUMNS], ["route_kind"])
    cols = [*GROUP_COLUMNS, *BASE_COLUMNS, "route_kind"]
    return pd.DataFrame([{c: cells.get(c, "") for c in cols} for _, cells in table.rows], columns=cols)


# --- scenarios ------------------------------------------------------------------------------


def parse_drivers(ctx: Context, data: bytes, filename: str) -> dict[str, Scenario]:
    """Scenarios of an uploaded driver-path xlsx/csv; every problem located (file, sheet, row)
    and naming scenario, driver and year; parents must be demo scenarios or in the file."""
    check_access(ctx, "scenarios.view")
    read = read_driver_paths(data, filename)
    reg = {**DEMO_SCENARIOS, **read}
    problems: list[Problem] = []
    for s in read.values():
        try:
            resolve(s, reg)
        except InputError as exc:
            problems += [
                Problem(p.code, column="parent", value=p.value, file=filename, fields=p.fields)
                for p in exc.problems
            ]
    if problems:
        raise InputError(problems)
    return read


def registry(uploaded: dict[str, Scenario] | None = None) -> dict[str, Scenario]:
    """The demo scenarios (synthetic), then the uploaded ones (which may override)."""
    return {**DEMO_SCENARIOS, **(uploaded or {})}


def capacity_paths(ctx: Context, base: BaseYear) -> tuple[dict[str, dict[str, dict[int, float]]], list[str]]:
    """Cumulative capacity additions and exits after the base year from the project register.

    Reads ``carbonpeak.service.efficiency.projects.capacity_changes(ctx)`` (columns ``metal``,
    ``route``, ``city_code``, ``year``, ``capacity_t`` [t/a], + additions / − exits) and builds
    the paths in the engine (:func:`carbonpeak.scenarios.capacity.capacity_paths`, which says
    how a change outside the base year's groups is produced or skipped, with a note).

    Returns
    -------
    (paths, notes)
        driver → selector → {year: cumulative t/a} (a step in the change's year), and notes.
    """
    changes = projects.capacity_changes(ctx)
    if changes is None or len(changes) == 0:
        return {}, ["register: no capacity changes in scope"]
    groups = base.groups.assign(output_t=base.values["output_t"])
    return engine_capacity_paths(pd.DataFrame(changes), groups, base.year)


def _prepared(ctx: Context, bt: BaseTable, reg: dict[str, Scenario], name: str) -> tuple[Scenario, list[str]]:
    if name not in reg:
        raise InputError(
            [Problem("scenario_unknown", column="scenario", value=name, fields={"allowed": ", ".join(reg)})]
        )
    s = resolve(reg[name], reg)
    notes: list[str] = []
    demo_paths = name in DEMO_SCENARIOS or _from_demo(reg, name)
    if bt.source == "supplied" and bt.year != DEMO_BASE_YEAR and demo_paths:
        s = rebase(s, bt.base)  # the demo paths start in 2020: re-anchored on the table's year
    if bt.source == "inventories":
        s = rebase(s, bt.base) if demo_paths else s
        cap, notes = capacity_paths(ctx, bt.base)
        if cap:
            paths = {d: dict(v) for d, v in s.paths.items()}
            for driver, by_sel in cap.items():
                paths.setdefault(driver, {}).update(by_sel)
            s = Scenario(name=s.name, paths=paths, description=s.description)
    return s, notes


def _from_demo(reg: dict[str, Scenario], name: str) -> bool:
    """Whether *name* only overrides demo scenarios' paths (it inherits from one)."""
    s = reg[name]
    return s.parent is not None and s.parent in DEMO_SCENARIOS


def _by(p_frame: pd.DataFrame, key: str) -> dict[str, list[float]]:
    co2 = p_frame[p_frame["variable"] == "co2_t"]
    wide = co2.pivot_table(index=key, columns="year", values="value", aggfunc="sum", sort=True)
    return {str(k): [float(v) for v in row] for k, row in zip(wide.index, wide.to_numpy(), strict=True)}


def run(
    ctx: Context,
    names: list[str],
    *,
    year: int | None = None,
    source: Source = "inventories",
    uploaded: dict[str, Scenario] | None = None,
    supplied: pd.DataFrame | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    bt: BaseTable | None = None,
) -> dict[str, Any]:
    """Project the named scenarios to 2060 and compare them.

    Returns
    -------
    dict
        ``base_year``, ``source``, ``years``, ``reconciliation``, ``notes`` and per scenario
        ``co2_t`` {total, by_metal, by_route, by_route_kind, by_city} [tCO2/a],
        ``output_t`` and ``energy_tce`` totals, ``peak`` {year, co2_t, peaked, before_2030}
        and ``verdict`` (``yes`` / ``no`` / ``not_peaked``).
    """
    b = bt or base_table(ctx, year, source=source, supplied=supplied)
    reg = registry(uploaded)
    chosen = names or ["baseline", "plan_policy", "accelerated"]
    out: dict[str, Any] = {
        "base_year": b.year,
        "source": b.source,
        "synthetic_scenarios": sorted(set(chosen) & set(DEMO_SCENARIOS)),
        "reconciliation": b.reconciliation,
        "tolerance": tolerance,
        "scenarios": {},
        "notes": [],
    }
    kinds = pd.Series(b.frame["route_kind"].to_numpy() if "route_kind" in b.frame else "", index=None)
    for name in chosen:
        s, notes = _prepared(ctx, b, reg, name)
        proj = project(b.base, s)
        total = proj.total()
        pk = find_peak(proj.years, total, tolerance)
        f = proj.frame
        kind_of = dict(
            zip(map(tuple, b.base.groups[GROUP_COLUMNS].to_numpy().tolist()), kinds.tolist(), strict=True)
        )
        f = f.assign(
            route_kind=[kind_of.get(k, "") for k in zip(f["metal"], f["route"], f["city"], strict=True)]
        )
        energy = (
            proj.total("coal_tce")
            + proj.total("gas_tce")
            + proj.total("oil_tce")
            + _TCE_PER_MWH * proj.total("electricity_mwh")
            + _TCE_PER_GJ * proj.total("heat_gj")
        )
        out["years"] = proj.years.tolist()
        out["notes"] = sorted(set(out["notes"]) | set(notes))
        out["scenarios"][name] = {
            "description": reg[name].description,
            "parent": reg[name].parent,
            "co2_t": {
                "total": total.tolist(),
                "by_metal": _by(f, "metal"),
                "by_route": _by(f, "route"),
                "by_route_kind": _by(f, "route_kind"),
                "by_city": _by(f, "city"),
            },
            "output_t": proj.total("output_t").tolist(),
            "energy_tce": energy.tolist(),
            "peak": {"year": pk.year, "co2_t": pk.value, "peaked": pk.peaked, "before_2030": pk.before_2030},
            "verdict": "not_peaked" if not pk.peaked else ("yes" if pk.before_2030 else "no"),
        }
    return out


def montecarlo(
    ctx: Context,
    name: str,
    *,
    n: int = 1000,
    seed: int = 1,
    year: int | None = None,
    source: Source = "inventories",
    distributions: list[Distribution] | None = None,
    correlation: list[list[float]] | None = None,
    scheduler: str = "threads",
    chunk: int = 500,
    tolerance: float = DEFAULT_TOLERANCE,
    uploaded: dict[str, Scenario] | None = None,
    bt: BaseTable | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    progress: Callable[[int, int], None] | None = None,
    capped: bool = True,
) -> dict[str, Any]:
    """Seeded Monte Carlo of one scenario (n capped by :func:`max_n` unless *capped* is False:
    the cap is for requests; the CLI has none).

    ``scheduler``: ``numpy`` (in-process), ``threads`` (Dask's local threaded scheduler, the
    default), ``local`` (an in-process Dask LocalCluster) or ``tcp://host:port`` (faces
    decide whether to pass an address through). Returns P(peak ≤ 2030), the peak-year
    distribution, fan quantiles 5/25/50/75/95 % and the deterministic run [tCO2/a].
    *progress* is called with (chunks done, chunks) between chunks.
    """
    problems: list[Problem] = []
    if capped and n > max_n():
        problems.append(Problem("scenario_n_limit", column="n", value=n, fields={"limit": max_n()}))
    if scheduler not in SCHEDULERS and not scheduler.startswith(("tcp://", "tls://")):
        problems.append(Problem("scenario_bad_scheduler", column="scheduler", value=scheduler))
    if problems:
        raise InputError(problems)
    mapper = mapper_for(None if scheduler == "numpy" else scheduler, connect_timeout)
    b = bt or base_table(ctx, year, source=source)
    reg = registry(uploaded)
    s, notes = _prepared(ctx, b, reg, name)
    budget.check()  # the ensemble is the long step: not for a request that has gone
    res = run_montecarlo(
        b.base,
        s,
        list(distributions if distributions is not None else DEMO_UNCERTAINTY),
        n,
        seed,
        correlation=correlation,
        chunk=min(chunk, n),
        tolerance=tolerance,
        map_chunks=mapper,
        progress=lambda done, total: _chunk_done(done, total, progress),
    )
    return {
        "scenario": name,
        "base_year": b.year,
        "source": b.source,
        "n": n,
        "seed": seed,
        "scheduler": scheduler,
        "years": res.years.tolist(),
        "p_peak_by_2030": res.p_peak_by_deadline,
        "peak_year_share": {str(k): v for k, v in res.peak_year_distribution().items()},
        "not_peaked_share": float((~res.peaked).mean()),
        "peak_co2_t": {f"p{q:g}": float(np.percentile(res.peak_value, q)) for q in res.percentiles},
        "fan_co2_t": {f"p{q:g}": res.fan[j].tolist() for j, q in enumerate(res.percentiles)},
        "deterministic_co2_t": res.deterministic.tolist(),
        "distributions_synthetic": distributions is None,
        "notes": notes,
    }


def _chunk_done(done: int, total: int, progress: Callable[[int, int], None] | None) -> None:
    budget.check()  # stops between chunks once the request has gone
    if progress is not None:
        progress(done, total)


# --- LMDI -----------------------------------------------------------------------------------


def _summary(effects: pd.DataFrame, method: Method) -> dict[str, Any]:
    factors = [str(f) for f in dict.fromkeys(effects["factor"].tolist())]
    periods: list[dict[str, Any]] = []
    effect_rows: list[dict[str, float]] = []
    for (y0, y1), g in effects.groupby(["year_from", "year_to"], sort=True):
        eff = {str(k): float(v) for k, v in zip(g["factor"], g["effect"].to_numpy(float), strict=True)}
        effect_rows.append(eff)
        periods.append(
            {
                "year_from": str(y0),
                "year_to": str(y1),
                "v_from": float(g["v_from"].to_numpy(float)[0]),
                "v_to": float(g["v_to"].to_numpy(float)[0]),
                "effects": eff,
            }
        )
    v0, v1 = float(periods[0]["v_from"]), float(periods[-1]["v_to"])
    if method == "additive":
        total = {f: float(sum(e[f] for e in effect_rows)) for f in factors}
        closure = v1 - v0 - sum(total.values())
    else:
        total = {f: float(np.prod([e[f] for e in effect_rows])) for f in factors}
        closure = v1 / v0 - float(np.prod(list(total.values()))) if v0 else float("nan")
    return {
        "method": method,
        "factors": factors,
        "periods": periods,
        "v_from": v0,
        "v_to": v1,
        "total_effects": total,
        "closure_residual": closure,
    }


def _aligned(frames: dict[Any, pd.DataFrame]) -> pd.DataFrame:
    """The LMDI identity rows of every period (the engine's
    :func:`carbonpeak.scenarios.base_builder.lmdi_identity`, at the GB/T 2589 coefficients)."""
    return lmdi_identity(frames, tce_per_mwh=_TCE_PER_MWH, tce_per_gj=_TCE_PER_GJ)


def lmdi_history(
    ctx: Context,
    *,
    method: Method = "additive",
    chained: bool = True,
    start: int | None = None,
    end: int | None = None,
) -> dict[str, Any]:
    """LMDI-I of the stored history in scope: CO2 = Σ Q · S · I · M · F (:data:`LMDI_FACTORS`),
    by (metal, route, city) and carrier, from *start* to *end* (default: every stored year)."""
    check_access(ctx, "scenarios.view")
    lines = _stored_lines(ctx)
    years = sorted(int(y) for y in lines["year"].unique())
    years = [y for y in years if (start is None or y >= start) and (end is None or y <= end)]
    if len(years) < 2:
        raise InputError([Problem("scenario_lmdi_no_history", column="year")])
    register = _register(ctx)
    frames = {y: _inventory_frame(ctx, lines, y, register)[0] for y in years}
    long = _aligned(frames)
    effects = lmdi_frame(long, list(LMDI_FACTORS), method=method, chained=chained)
    return {"source": "inventories", "years": years, **_summary(effects, method)}


def lmdi_scenarios(
    ctx: Context,
    a: str,
    b: str,
    year: int = 2030,
    *,
    method: Method = "additive",
    base: int | None = None,
    source: Source = "inventories",
    uploaded: dict[str, Scenario] | None = None,
    bt: BaseTable | None = None,
) -> dict[str, Any]:
    """LMDI-I of the difference between scenario *a* and scenario *b* in *year* (a → b)."""
    tb = bt or base_table(ctx, base, source=source)
    reg = registry(uploaded)
    frames: dict[Any, pd.DataFrame] = {}
    for label in (a, b):
        s, _ = _prepared(ctx, tb, reg, label)
        proj = project(tb.base, s)
        j = int(np.searchsorted(proj.years, year))
        if j >= proj.years.size or proj.years[j] != year:
            raise InputError(
                [Problem("scenario_bad_years", column="year", value=year, fields={"base_year": tb.year})]
            )
        arr = proj.arrays
        f = tb.base.groups.copy()
        f["output_t"] = arr["output_t"][:, j]
        for c in ("coal_tce", "gas_tce", "oil_tce", "electricity_mwh", "heat_gj"):
            f[c] = arr[c][:, j]
        for c in ("ef_coal_tco2_per_tce", "ef_gas_tco2_per_tce", "ef_oil_tco2_per_tce"):
            f[c] = tb.base.values[c]
        elec, elec_co2 = arr["electricity_mwh"][:, j], arr["electricity_co2_t"][:, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            f["ef_electricity_tco2_per_mwh"] = np.where(elec > 0, elec_co2 / elec, 0.0)
        f["ef_heat_tco2_per_gj"] = tb.base.values["ef_heat_tco2_per_gj"]
        f["process_co2_t_per_t"] = tb.base.values["process_co2_t_per_t"]
        frames[f"{label}"] = f
    long = _aligned(frames)
    long["year"] = np.where(long["year"] == a, 0, 1)
    effects = lmdi_frame(long, list(LMDI_FACTORS), method=method, chained=False)
    effects["year_from"], effects["year_to"] = a, b
    return {"year": year, "from": a, "to": b, "base_year": tb.year, **_summary(effects, method)}


def lmdi_upload(
    ctx: Context, data: bytes, filename: str, *, method: Method = "additive", chained: bool = True
) -> dict[str, Any]:
    """LMDI-I of an uploaded CSV/xlsx: ``year``, ``category`` and one column per factor."""
    check_access(ctx, "scenarios.view")
    table = _read_all(data, filename, ["year", "category"])
    cols = list(table.header)
    factors = [c for c in cols if c.lower() not in ("year", "category", "row")]
    frame = pd.DataFrame([{**cells, "row": row} for row, cells in table.rows], columns=[*cols, "row"])
    frame = frame.replace({"": None})
    frame["category"] = frame["category"].astype(str)
    try:
        effects = lmdi_frame(frame, factors, method=method, chained=chained)
    except InputError as exc:
        raise InputError(
            [Problem(p.code, p.column, p.value, p.row, filename, table.sheet, p.fields) for p in exc.problems]
        ) from exc
    return {"source": filename, **_summary(effects, method)}


def _read_all(data: bytes, filename: str, required: list[str]) -> Any:
    """:func:`read_rows` keeping every column of the header (not only the required ones)."""
    header = read_rows(data, filename, required).header
    return read_rows(data, filename, required, [h for h in header if h and h not in required])


# --- MACC -----------------------------------------------------------------------------------


def _demo_measures() -> pd.DataFrame:
    text = resources.files("carbonpeak.demo").joinpath(_DEMO_MEASURES).read_text("utf-8")
    return pd.read_csv(io.StringIO(text))


def macc_curve(
    ctx: Context,
    *,
    data: bytes | None = None,
    filename: str = "",
    baseline_tco2e: float | None = None,
    year: int | None = None,
    source: Source = "inventories",
    bt: BaseTable | None = None,
) -> dict[str, Any]:
    """The MACC of a measures table (uploaded, else the synthetic demo set) against the
    base-year CO2 in scope (or *baseline_tco2e*), with interaction, sorted by cost."""
    check_access(ctx, "scenarios.view")
    if data is not None:
        table = _read_all(
            data,
            filename,
            ["id", "capex_yuan", "delta_opex_yuan_per_a", "energy_saving_value_yuan_per_a", "lifetime_a"],
        )
        measures = pd.DataFrame([{**cells, "row": row} for row, cells in table.rows]).replace({"": None})
        synthetic = False
    else:
        measures, synthetic, filename = _demo_measures(), True, _DEMO_MEASURES
    if baseline_tco2e is None:
        tb = bt or base_table(ctx, year, source=source)
        baseline_tco2e = float(project(tb.base, Scenario("base"), [tb.year]).total()[0])
        base_label: Any = {"year": tb.year, "source": tb.source}
    else:
        base_label = {"year": None, "source": "given"}
    try:
        curve = macc(measures, baseline_tco2e)
    except InputError as exc:
        raise InputError(
            [Problem(p.code, p.column, p.value, p.row, filename, p.sheet, p.fields) for p in exc.problems]
        ) from exc
    recs = []
    left = 0.0
    for r in curve.to_dict("records"):
        width = float(r["abatement_realised_tco2e_per_a"])
        recs.append(
            {
                "id": str(r["id"]),
                "name_zh": str(r.get("name_zh") or r["id"]),
                "name_en": str(r.get("name_en") or r["id"]),
                "rank": int(r["rank"]),
                "mac_yuan_per_tco2e": float(r["mac_yuan_per_tco2e"]),
                "abatement_tco2e_per_a": width,
                "x0": left,
                "x1": left + width,
                "annualised_cost_yuan_per_a": float(r["annualised_cost_yuan_per_a"]),
            }
        )
        left += width
    return {
        "baseline_tco2e_per_a": baseline_tco2e,
        "baseline": base_label,
        "measures_file": filename,
        "synthetic": synthetic,
        "total_abatement_tco2e_per_a": left,
        "curve": recs,
    }


# --- IAMC -----------------------------------------------------------------------------------


def _safe(v: object) -> object:
    """Neutralise spreadsheet formula injection in a text cell."""
    return "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def iamc_export(
    ctx: Context,
    names: list[str],
    fmt: Literal["csv", "xlsx"] = "csv",
    *,
    year: int | None = None,
    source: Source = "inventories",
    uploaded: dict[str, Scenario] | None = None,
) -> bytes:
    """The named scenarios in IAMC format (model, scenario, region, variable, unit, year)."""
    b = base_table(ctx, year, source=source)
    reg = registry(uploaded)
    frames = []
    for name in names or ["baseline", "plan_policy", "accelerated"]:
        s, _ = _prepared(ctx, b, reg, name)
        frames.append(project(b.base, s).frame)
    table = to_iamc(
        pd.concat(frames, ignore_index=True),
        region="Hunan" if ctx.principal.role is Role.PROVINCE else _region(ctx),
    )
    for c in ("model", "scenario", "region", "variable", "unit"):
        table[c] = table[c].map(_safe)
    buf = io.BytesIO()
    if fmt == "xlsx":
        write_iamc_xlsx(table, buf)  # type: ignore[arg-type]  # pandas writes to a buffer too
    else:
        buf.write(table[IAMC_COLUMNS].to_csv(index=False).encode("utf-8"))
    return buf.getvalue()


def _region(ctx: Context) -> str:
    p = ctx.principal
    if p.role is Role.CITY and p.city_code:
        return f"Hunan|{refdata.name('geo/cities', p.city_code, 'en') or p.city_code}"
    return "Hunan|" + ",".join(str(e) for e in sorted(p.enterprise_ids))


def dumps(obj: Any) -> str:
    """JSON for the pages' chart blocks (NaN → null)."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, default=float)
