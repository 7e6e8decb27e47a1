"""Bottom-up projection of output, energy by carrier and CO2 by source to 2060 (LEAP-style).

The base year is a table of groups (``metal``, ``route``, ``city``) with their output,
energy use by carrier and emission factors (:data:`BASE_COLUMNS`). A :class:`Scenario`
is a set of *driver paths*; each path maps years to values for the groups a *selector*
picks. For group g and year t (base year t₀):

========================== ===================================================================
output [t/a]               Q = Q₀ · Π_{s=t₀+1..t} (1 + growth_s) · mix + added − exited (≥ 0)
route mix (recycled share) secondary groups × r_t / r₀, other routes × (1 − r_t) / (1 − r₀),
                           r₀ the metal's base-year secondary share (province-wide)
energy intensity index     I = Π_{s=t₀+1..t} (1 − improvement_s)
fossil carriers [tce/a]    coal = coal₀·k·(1 − e)(1 − c);  gas = (gas₀ + c·coal₀)·k·(1 − e);
                           oil = oil₀·k·(1 − e), with k = (Q/Q₀)·I, e electrification, c coal→gas
electricity [MWh/a]        elec = (elec₀ + e·(coal₀ + gas₀ + oil₀)·8.141) · k
heat [GJ/a]                heat = heat₀ · k
CO2 [t/a]                  combustion = Σ fossil · ef;  process = Q · process ef;
                           electricity = elec · grid_ef · (1 − green power share);  heat = heat · ef
========================== ===================================================================

Electrification moves the stated share of the group's *fossil* energy to electricity at
its calorific equivalent (1 tce = 29.3076 GJ = 8.141 MWh; no change in end-use
efficiency is assumed — the intensity driver carries that). Coal→gas moves a share of
the remaining coal to gas, tce for tce. Capacity additions and exits are *cumulative*
capacity [t/a] added or retired since the base year, produced at the group's unit energy
use; output is floored at zero.

Paths and selectors
-------------------
A path is ``{year: value}``; values are interpolated linearly between the given years
and held flat before the first and after the last. A selector is ``"*"`` (every group)
or ``key=value`` pairs joined by commas (``"metal=zinc"``, ``"metal=zinc,route=secondary"``);
where selectors overlap, the one naming more keys wins. ``recycled_share`` is a property
of a metal and takes ``"*"`` or ``metal=…`` only. A driver not given keeps its base-year
state: no growth, no improvement, base-year mix, ``ef_electricity_tco2_per_mwh`` of the base.

Inheritance (as LEAP)
---------------------
A scenario names its ``parent``; :func:`resolve` merges the chain from the root down, a
child's (driver, selector) path replacing its parent's and everything else inherited.

References
----------
.. [1] C. Heaps, LEAP — Low Emissions Analysis Platform, Stockholm Environment Institute
   (scenario inheritance: "scenarios inherit expressions from their parent").
.. [2] GB/T 2589-2020 通用热值计算导则: 1 kgce = 29.3076 MJ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from carbonpeak.errors import InputError, Problem

__all__ = [
    "BASE_COLUMNS",
    "DRIVERS",
    "GROUP_COLUMNS",
    "MWH_PER_TCE",
    "QUANTITIES",
    "SHARE_DRIVERS",
    "BaseYear",
    "Projection",
    "Scenario",
    "base_year",
    "driver_arrays",
    "parse_selector",
    "project",
    "project_arrays",
    "rebase",
    "resolve",
    "validate_scenario",
]

FloatArray = NDArray[np.float64]

#: Calorific equivalent of one tonne of coal equivalent [MWh/tce] (29.3076 GJ / 3.6).
MWH_PER_TCE = 29.3076 / 3.6
#: Columns that identify a group.
GROUP_COLUMNS = ["metal", "route", "city"]
#: Numeric columns of the base-year table, with their unit in the name.
BASE_COLUMNS = [
    "output_t",
    "coal_tce",
    "gas_tce",
    "oil_tce",
    "electricity_mwh",
    "heat_gj",
    "ef_coal_tco2_per_tce",
    "ef_gas_tco2_per_tce",
    "ef_oil_tco2_per_tce",
    "ef_electricity_tco2_per_mwh",
    "ef_heat_tco2_per_gj",
    "process_co2_t_per_t",
]
#: Driver name → unit; a scenario's paths are keyed by these.
DRIVERS: dict[str, str] = {
    "output_growth": "fraction/a",
    "recycled_share": "fraction of the metal's output",
    "energy_intensity_improvement": "fraction/a",
    "electrification": "fraction of fossil energy (cumulative)",
    "coal_to_gas": "fraction of coal (cumulative)",
    "grid_ef": "tCO2/MWh",
    "green_power_share": "fraction of electricity",
    "capacity_addition": "t/a (cumulative since the base year)",
    "capacity_exit": "t/a (cumulative since the base year)",
}
#: Drivers whose values are shares and must lie in [0, 1].
SHARE_DRIVERS = frozenset({"recycled_share", "electrification", "coal_to_gas", "green_power_share"})
_NON_NEGATIVE = frozenset({"grid_ef", "capacity_addition", "capacity_exit"})
#: Quantities of a projection (groups × years), unit in the name.
QUANTITIES = [
    "output_t",
    "coal_tce",
    "gas_tce",
    "oil_tce",
    "electricity_mwh",
    "heat_gj",
    "combustion_co2_t",
    "process_co2_t",
    "electricity_co2_t",
    "heat_co2_t",
    "co2_t",
]
_SECONDARY = "secondary"
_MAX_PROBLEMS = 100

Path = Mapping[int, float]


@dataclass(frozen=True)
class Scenario:
    """A named set of driver paths, optionally inheriting from a parent.

    Attributes
    ----------
    name : str
    parent : str or None
        Name of the parent scenario in the registry given to :func:`resolve`.
    paths : mapping
        driver → selector → {year: value} (units in :data:`DRIVERS`).
    description : str
    """

    name: str
    parent: str | None = None
    paths: Mapping[str, Mapping[str, Path]] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True, eq=False)
class BaseYear:
    """The base-year table as arrays (one entry per group), from :func:`base_year`.

    Attributes
    ----------
    year : int
    groups : DataFrame
        The group columns (``metal``, ``route``, ``city``), one row per group, as strings.
    secondary : ndarray of bool, shape (G,)
        Recycled (secondary) production: ``route_kind`` (or, without it, ``route``) is
        ``"secondary"``.
    values : mapping
        Each of :data:`BASE_COLUMNS` → ndarray (G,) [unit in the name].
    """

    year: int
    groups: pd.DataFrame
    secondary: NDArray[np.bool_]
    values: Mapping[str, FloatArray]


@dataclass(frozen=True, eq=False)
class Projection:
    """One scenario projected: arrays (groups × years) and the same as a long table.

    Attributes
    ----------
    scenario : str
    years : ndarray of int, shape (T,)
    groups : DataFrame
        ``metal``, ``route``, ``city`` per row of the arrays.
    arrays : mapping
        Each of :data:`QUANTITIES` → ndarray (G, T) [unit in the name].
    frame : DataFrame
        Long table: ``scenario``, ``metal``, ``route``, ``city``, ``year``, ``variable``
        (a quantity name) and ``value``.
    """

    scenario: str
    years: NDArray[np.int64]
    groups: pd.DataFrame
    arrays: Mapping[str, FloatArray]
    frame: pd.DataFrame

    def total(self, quantity: str = "co2_t") -> FloatArray:
        """Sum over groups of *quantity*, shape (T,) [unit in the name]."""
        out: FloatArray = self.arrays[quantity].sum(axis=0)
        return out


def base_year(frame: pd.DataFrame, year: int) -> BaseYear:
    """Check the base-year table and turn it into arrays.

    Parameters
    ----------
    frame : DataFrame
        One row per (``metal``, ``route``, ``city``) with :data:`BASE_COLUMNS`:
        output [t/a], energy [tce/a, MWh/a, GJ/a], emission factors [tCO2/tce,
        tCO2/MWh, tCO2/GJ] and process CO2 [tCO2/t]. An optional ``route_kind``
        (primary / secondary / processing, as in ``refdata/sector/process_routes.csv``)
        says which routes are recycled production; without it ``route`` itself is read
        (``"secondary"``).
    year : int
        The base year [a].

    Returns
    -------
    BaseYear

    Raises
    ------
    InputError
        Missing columns, duplicated groups, and non-numeric, non-finite or negative values
        (row = 1-based table row, column = the column).
    """
    missing = [c for c in [*GROUP_COLUMNS, *BASE_COLUMNS] if c not in frame.columns]
    if missing:
        raise InputError([Problem("missing_column", column=c) for c in missing])
    d = frame.reset_index(drop=True)
    problems: list[Problem] = []
    groups = d[GROUP_COLUMNS].astype(str)
    first: dict[tuple[str, ...], int] = {}
    for j, key in enumerate(groups.itertuples(index=False, name=None)):
        if key in first:
            problems.append(
                Problem(
                    "duplicate",
                    column="metal,route,city",
                    value="/".join(key),
                    row=j + 1,
                    fields={"first_row": first[key]},
                )
            )
        else:
            first[key] = j + 1
    values: dict[str, FloatArray] = {}
    for col in BASE_COLUMNS:
        v = pd.to_numeric(d[col], errors="coerce").to_numpy(dtype=float)
        for j in np.flatnonzero(~np.isfinite(v))[:_MAX_PROBLEMS]:
            problems.append(Problem("not_finite", column=col, value=d[col].iat[int(j)], row=int(j) + 1))
        for j in np.flatnonzero(v < 0)[:_MAX_PROBLEMS]:
            problems.append(Problem("negative", column=col, value=float(v[j]), row=int(j) + 1))
        values[col] = v
    if problems:
        raise InputError(problems)
    kind = d["route_kind"] if "route_kind" in d.columns else d["route"]
    secondary = (kind.astype(str).str.strip().str.lower() == _SECONDARY).to_numpy()
    return BaseYear(year=int(year), groups=groups, secondary=secondary, values=values)


def resolve(scenario: Scenario, registry: Mapping[str, Scenario]) -> Scenario:
    """Merge a scenario with its ancestors: the child's paths override, the rest is inherited.

    Parameters
    ----------
    scenario : Scenario
    registry : mapping
        Scenario name → Scenario, holding every ancestor.

    Returns
    -------
    Scenario
        Same name, ``parent=None``, every (driver, selector) path of the chain, the
        nearest scenario's winning.

    Raises
    ------
    InputError
        An unknown parent (``scenario_unknown_parent``) or a cycle (``scenario_cycle``).
    """
    chain = [scenario]
    seen = {scenario.name}
    while chain[-1].parent is not None:
        parent = chain[-1].parent
        if parent in seen:
            raise InputError([Problem("scenario_cycle", value=parent, fields={"scenario": scenario.name})])
        if parent not in registry:
            raise InputError(
                [Problem("scenario_unknown_parent", value=parent, fields={"scenario": chain[-1].name})]
            )
        seen.add(parent)
        chain.append(registry[parent])
    merged: dict[str, dict[str, Path]] = {}
    for s in reversed(chain):
        for driver, by_sel in s.paths.items():
            merged.setdefault(driver, {}).update({sel: dict(p) for sel, p in by_sel.items()})
    return Scenario(name=scenario.name, parent=None, paths=merged, description=scenario.description)


def parse_selector(selector: str) -> dict[str, str] | None:
    """Parse ``"*"`` or ``key=value[,key=value…]`` (keys of :data:`GROUP_COLUMNS`).

    Parameters
    ----------
    selector : str

    Returns
    -------
    dict or None
        Group column → required value (empty for ``"*"``); None when the selector is malformed.
    """
    if selector.strip() == "*":
        return {}
    out: dict[str, str] = {}
    for part in selector.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in GROUP_COLUMNS or not value.strip():
            return None
        out[key] = value.strip()
    return out


def validate_scenario(scenario: Scenario) -> list[Problem]:
    """Every problem of a (resolved) scenario's paths, each naming scenario, driver and year.

    Rules: a known driver and selector; at least one year; whole years strictly
    increasing (no repeated year); finite values; shares (:data:`SHARE_DRIVERS`) in
    [0, 1]; ``energy_intensity_improvement`` ≤ 1 (a negative intensity otherwise); grid
    factor and capacities ≥ 0; ``output_growth`` > −1.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    list of Problem
        Empty when the scenario is valid. ``column`` is the driver; ``fields`` carry
        ``scenario``, ``driver``, ``selector`` and ``year``.
    """
    out: list[Problem] = []
    name = scenario.name
    for driver, by_sel in scenario.paths.items():
        if driver not in DRIVERS:
            out.append(
                Problem(
                    "scenario_unknown_driver",
                    column=driver,
                    value=driver,
                    fields={"scenario": name, "allowed": ", ".join(DRIVERS)},
                )
            )
            continue
        for sel, path in by_sel.items():
            where = {"scenario": name, "driver": driver, "selector": sel}
            parsed = parse_selector(sel)
            if parsed is None or (driver == "recycled_share" and set(parsed) - {"metal"}):
                out.append(Problem("scenario_bad_selector", column=driver, value=sel, fields=where))
            years = list(path)
            if not years:
                out.append(Problem("scenario_empty_path", column=driver, fields={**where, "year": "-"}))
                continue
            prev: float | None = None
            for y in years:
                ok = isinstance(y, (int, np.integer)) or (isinstance(y, float) and y.is_integer())
                if not ok or (prev is not None and y <= prev):
                    out.append(
                        Problem("scenario_path_gap", column=driver, value=y, fields={**where, "year": y})
                    )
                prev = y if ok else prev
                v = float(path[y])
                at = {**where, "year": y}
                if not np.isfinite(v):
                    out.append(Problem("scenario_not_finite", column=driver, value=v, fields=at))
                elif driver in SHARE_DRIVERS and not 0 <= v <= 1:
                    out.append(Problem("scenario_share_range", column=driver, value=v, fields=at))
                elif driver == "energy_intensity_improvement" and v > 1:
                    out.append(Problem("scenario_negative_intensity", column=driver, value=v, fields=at))
                elif (driver in _NON_NEGATIVE and v < 0) or (driver == "output_growth" and v <= -1):
                    out.append(Problem("scenario_negative", column=driver, value=v, fields=at))
    return out


def driver_arrays(base: BaseYear, scenario: Scenario, years: Sequence[int]) -> dict[str, FloatArray]:
    """Interpolate every driver of a resolved scenario onto groups × years.

    Parameters
    ----------
    base : BaseYear
    scenario : Scenario
        Resolved (no parent); validated here.
    years : sequence of int
        Projection years [a], strictly increasing, the first being the base year.

    Returns
    -------
    dict
        Driver → ndarray (G, T) [unit in :data:`DRIVERS`]; drivers not given take their
        neutral value (0 growth, improvement, shares and capacities; the base recycled
        share; the base grid factor). ``recycled_share`` is NaN where not given (base mix kept).

    Raises
    ------
    InputError
        The problems of :func:`validate_scenario`, or a ``recycled_share`` for a metal
        without a secondary route (``scenario_no_secondary``).
    """
    problems = validate_scenario(scenario)
    yr = np.asarray(years, dtype=np.int64)
    if yr.size == 0 or yr[0] != base.year or np.any(np.diff(yr) <= 0):
        problems.append(
            Problem(
                "scenario_bad_years",
                column="years",
                value=f"{yr[:1].tolist()}…",
                fields={"base_year": base.year},
            )
        )
    if problems:
        raise InputError(problems)
    g = len(base.groups)
    neutral = dict.fromkeys(DRIVERS, 0.0)
    out = {d: np.full((g, yr.size), neutral[d]) for d in DRIVERS}
    out["grid_ef"] = np.repeat(base.values["ef_electricity_tco2_per_mwh"][:, None], yr.size, axis=1)
    out["recycled_share"] = np.full((g, yr.size), np.nan)
    cols = {c: base.groups[c].to_numpy() for c in GROUP_COLUMNS}
    for driver, by_sel in scenario.paths.items():
        # least specific first, so a selector naming more keys overrides
        for sel in sorted(by_sel, key=lambda s: len(parse_selector(s) or {})):
            keys = parse_selector(sel) or {}
            mask = np.ones(g, dtype=bool)
            for k, v in keys.items():
                mask &= cols[k] == v
            path = by_sel[sel]
            xs = np.asarray(list(path), dtype=float)
            ys = np.asarray([float(path[y]) for y in path])
            out[driver][mask] = np.interp(yr.astype(float), xs, ys)[None, :]
    secondary = base.secondary
    given = ~np.isnan(out["recycled_share"][:, 0])
    for metal in np.unique(cols["metal"][given]):
        if not np.any(secondary & (cols["metal"] == metal)):
            problems.append(
                Problem(
                    "scenario_no_secondary",
                    column="recycled_share",
                    value=metal,
                    fields={"scenario": scenario.name},
                )
            )
    if problems:
        raise InputError(problems)
    return out


_SHIFTED = frozenset({"electrification", "coal_to_gas", "green_power_share"})
_CAPACITY = frozenset({"capacity_addition", "capacity_exit"})
_TINY = 1e-6  # a grid factor below this [tCO2/MWh] is re-anchored by a shift, not a ratio


def _at(path: Path, year: int) -> float:
    xs = np.asarray(list(path), dtype=float)
    return float(np.interp(float(year), xs, np.asarray([float(path[y]) for y in path])))


def _from(path: Path, year: int) -> dict[int, float]:
    """The path from *year* on: its value there, then its later points."""
    return {year: _at(path, year), **{int(y): float(v) for y, v in path.items() if y > year}}


def _winning(by_sel: Mapping[str, Path], cols: Mapping[str, NDArray[np.str_]], g: int) -> list[str | None]:
    """Per group, the selector whose path applies (the one naming more keys wins)."""
    out: list[str | None] = [None] * g
    for sel in sorted(by_sel, key=lambda x: len(parse_selector(x) or {})):
        mask = np.ones(g, dtype=bool)
        for k, v in (parse_selector(sel) or {}).items():
            mask &= cols[k] == v
        for j in np.flatnonzero(mask):
            out[int(j)] = sel
    return out


def rebase(scenario: Scenario, base: BaseYear) -> Scenario:
    """Re-anchor a resolved scenario written for an earlier base year on *base*.

    Scenario paths are stated in levels (a recycled share, an electrified share, a grid
    factor); a base year taken from stored inventories (say 2025) already holds the
    state those paths reached by then. :func:`rebase` keeps each path's course after the
    base year t₀ and makes it start from the base table, so the projection's first year
    equals the stored inventories exactly:

    ============================================ ==================================================
    output growth, intensity improvement         unchanged (rates after t₀)
    electrification, coal→gas, green power       s' = max(0, (s − s(t₀)) / (1 − s(t₀))): the share
                                                 of what was left at t₀
    grid factor                                  g' = g · ef₀ / g(t₀), ef₀ the group's base factor
                                                 (g' = max(0, ef₀ + g − g(t₀)) when g(t₀) ≈ 0)
    recycled share (per metal)                   r' = clip(r₀ + r − r(t₀), 0, 1), r₀ the base share
    capacity additions and exits                 c' = max(0, c − c(t₀)) (cumulative since t₀)
    ============================================ ==================================================

    Points before t₀ are dropped (the value at t₀ is kept as the first point). Grid
    factors and recycled shares are stated per group and per metal (one path each), so
    selectors are expanded; the other drivers keep their selectors. A recycled share for
    a metal without a secondary route in *base* (a city without recyclers) is left out.

    Parameters
    ----------
    scenario : Scenario
        Resolved (no parent), valid.
    base : BaseYear

    Returns
    -------
    Scenario
        The same name and description, paths re-anchored on ``base.year``.
    """
    y0 = base.year
    g = len(base.groups)
    cols = {c: base.groups[c].to_numpy() for c in GROUP_COLUMNS}
    paths: dict[str, dict[str, Path]] = {}
    for driver, by_sel in scenario.paths.items():
        if driver == "grid_ef":
            ef0 = base.values["ef_electricity_tco2_per_mwh"]
            out: dict[str, Path] = {}
            for j, sel in enumerate(_winning(by_sel, cols, g)):
                if sel is None:
                    continue
                p = _from(by_sel[sel], y0)
                key = ",".join(f"{c}={cols[c][j]}" for c in GROUP_COLUMNS)
                if p[y0] > _TINY:
                    out[key] = {y: float(ef0[j] * (v / p[y0])) for y, v in p.items()}
                else:  # a path from (about) zero cannot be scaled: shifted instead
                    out[key] = {y: float(max(0.0, ef0[j] + v - p[y0])) for y, v in p.items()}
            paths[driver] = out
        elif driver == "recycled_share":
            r0 = _metal_secondary_share(base)
            metals = list(dict.fromkeys(cols["metal"].tolist()))
            out = {}
            for m in metals:
                sel = f"metal={m}" if f"metal={m}" in by_sel else ("*" if "*" in by_sel else None)
                if sel is None or not np.any(base.secondary & (cols["metal"] == m)):
                    continue  # no secondary route in this base: the metal's mix cannot move
                p = _from(by_sel[sel], y0)
                share0 = float(r0[np.flatnonzero(cols["metal"] == m)[0]])
                out[f"metal={m}"] = {y: min(1.0, max(0.0, share0 + (v - p[y0]))) for y, v in p.items()}
            paths[driver] = out
        elif driver in _SHIFTED:
            paths[driver] = {}
            for sel, path in by_sel.items():
                p = _from(path, y0)
                left = 1.0 - p[y0]
                paths[driver][sel] = {
                    y: (max(0.0, (v - p[y0]) / left) if left > 0 else 0.0) for y, v in p.items()
                }
        elif driver in _CAPACITY:
            paths[driver] = {
                sel: {y: max(0.0, v - _at(path, y0)) for y, v in _from(path, y0).items()}
                for sel, path in by_sel.items()
            }
        else:
            paths[driver] = {sel: dict(path) for sel, path in by_sel.items()}
    return Scenario(name=scenario.name, parent=None, paths=paths, description=scenario.description)


def _metal_secondary_share(base: BaseYear) -> FloatArray:
    metal = base.groups["metal"].to_numpy()
    codes, _ = pd.factorize(metal)
    q = base.values["output_t"]
    sec = np.bincount(codes, weights=np.where(base.secondary, q, 0.0))
    tot = np.bincount(codes, weights=q)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(tot > 0, sec / tot, 0.0)[codes]
    return out


def _own(a: FloatArray, b: FloatArray, op: np.ufunc) -> FloatArray:
    """``op(a, b)``, written into *a* when it has the result's shape (*a* a temporary)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape == np.broadcast_shapes(a.shape, b.shape) and a.dtype == np.float64:
        out: FloatArray = op(a, b, out=a)
        return out
    res: FloatArray = op(a, b)
    return res


def _index(rate: FloatArray, sign: float) -> FloatArray:
    """Π_{s=t₀+1..t} (1 + sign·rate_s) along the last axis (1 in the base year)."""
    f = 1.0 + rate if sign > 0 else 1.0 - rate
    f[..., 0] = 1.0
    out: FloatArray = np.cumprod(f, axis=-1, out=f)
    return out


def project_arrays(
    base: BaseYear, drv: Mapping[str, FloatArray], *, components: bool = True
) -> dict[str, FloatArray]:
    """The projection arithmetic, vectorised over any leading axes (trajectories).

    Parameters
    ----------
    base : BaseYear
    drv : mapping
        Driver → array broadcastable to (..., G, T), as from :func:`driver_arrays`
        (Monte Carlo passes (N, G, T) for the perturbed drivers, (G, T) for the rest).
    components : bool
        False: compute ``co2_t`` only (the Monte Carlo path).

    Returns
    -------
    dict
        Each of :data:`QUANTITIES` → array (..., G, T) [unit in the name] (only
        ``co2_t`` when *components* is False). ``co2_t`` is evaluated in the factored form
        Q·(process ef + I/Q₀ · [(1 − e)(A₀ + c·B₀) + (elec₀ + e·F₀)·grid·(1 − gp) + H₀])
        (A₀, B₀, F₀, H₀ per-group base-year constants), the same arithmetic in both modes,
        so a Monte Carlo trajectory without variance equals the projection bit for bit;
        it equals the sum of the source columns to rounding (≈ 1e-15 relative).
    """
    v = base.values
    b = {k: a[:, None] for k, a in v.items()}  # (G, 1)
    output_index = _index(np.asarray(drv["output_growth"], dtype=float), 1.0)
    intensity = _index(np.asarray(drv["energy_intensity_improvement"], dtype=float), -1.0)
    r0 = _metal_secondary_share(base)[:, None]
    r = drv["recycled_share"]
    secondary = base.secondary[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        mix = np.where(
            np.isnan(r),
            1.0,
            np.where(secondary, np.where(r0 > 0, r / r0, 0.0), np.where(r0 < 1, (1.0 - r) / (1.0 - r0), 0.0)),
        )
        inv_q0 = np.where(b["output_t"] > 0, 1.0 / b["output_t"], 0.0)
    q0 = b["output_t"]
    output = _own(
        _own(q0 * output_index, mix, np.multiply), drv["capacity_addition"] - drv["capacity_exit"], np.add
    )
    np.maximum(output, 0.0, out=output)
    e = drv["electrification"]
    c = drv["coal_to_gas"]
    coal0, gas0, oil0 = b["coal_tce"], b["gas_tce"], b["oil_tce"]
    efc, efg, efo = b["ef_coal_tco2_per_tce"], b["ef_gas_tco2_per_tce"], b["ef_oil_tco2_per_tce"]
    a0 = coal0 * efc + gas0 * efg + oil0 * efo
    b0 = coal0 * (efg - efc)
    f0 = (coal0 + gas0 + oil0) * MWH_PER_TCE
    h0 = b["heat_gj"] * b["ef_heat_tco2_per_gj"]
    electricity_ef = drv["grid_ef"] * (1.0 - drv["green_power_share"])
    bracket = _own(
        _own((b["electricity_mwh"] + e * f0) * electricity_ef, h0, np.add), (1.0 - e) * (a0 + c * b0), np.add
    )
    scale = (
        _own(
            _own(_own(intensity * bracket, inv_q0, np.multiply), b["process_co2_t_per_t"], np.add),
            output,
            np.multiply,
        )
        if not components
        else None
    )
    if scale is not None:
        return {"co2_t": scale}
    total = output * (b["process_co2_t_per_t"] + inv_q0 * (intensity * bracket))
    if not components:
        return {"co2_t": total}
    k = output * inv_q0 * intensity
    keep = k * (1.0 - e)
    coal = coal0 * keep * (1.0 - c)
    gas = (gas0 + c * coal0) * keep
    oil = oil0 * keep
    elec = (b["electricity_mwh"] + e * f0) * k
    heat = b["heat_gj"] * k
    combustion = coal * efc + gas * efg + oil * efo
    process = output * b["process_co2_t_per_t"]
    elec_co2 = elec * electricity_ef
    heat_co2 = heat * b["ef_heat_tco2_per_gj"]
    arrays = [output, coal, gas, oil, elec, heat, combustion, process, elec_co2, heat_co2, total]
    shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
    return {q: np.broadcast_to(a, shape) for q, a in zip(QUANTITIES, arrays, strict=True)}


def project(
    base: BaseYear,
    scenario: Scenario,
    years: Sequence[int] | None = None,
    *,
    registry: Mapping[str, Scenario] | None = None,
) -> Projection:
    """Project one scenario from the base year.

    Parameters
    ----------
    base : BaseYear
        From :func:`base_year`.
    scenario : Scenario
        Resolved against *registry* first when it has a parent.
    years : sequence of int, optional
        Default ``range(base.year, 2061)`` [a].
    registry : mapping, optional
        Scenario name → Scenario, for the inheritance chain.

    Returns
    -------
    Projection
        Arrays (G, T) per quantity and the long table.

    Raises
    ------
    InputError
        A bad path (gap, share outside [0, 1], negative intensity, …) naming scenario,
        driver and year; an unknown parent.

    Examples
    --------
    >>> import pandas as pd
    >>> row = dict(metal="zinc", route="primary", city="zz", output_t=100.0, coal_tce=10.0,
    ...            gas_tce=0.0, oil_tce=0.0, electricity_mwh=0.0, heat_gj=0.0,
    ...            ef_coal_tco2_per_tce=2.0, ef_gas_tco2_per_tce=1.6, ef_oil_tco2_per_tce=2.1,
    ...            ef_electricity_tco2_per_mwh=0.5, ef_heat_tco2_per_gj=0.1,
    ...            process_co2_t_per_t=0.0)
    >>> b = base_year(pd.DataFrame([row]), 2020)
    >>> s = Scenario("grow", paths={"output_growth": {"*": {2020: 0.1}}})
    >>> project(b, s, [2020, 2021]).total().round(6).tolist()
    [20.0, 22.0]
    """
    s = resolve(scenario, registry or {}) if scenario.parent else scenario
    yrs = list(range(base.year, 2061)) if years is None else list(years)
    drv = driver_arrays(base, s, yrs)
    arrays = {q: np.ascontiguousarray(a) for q, a in project_arrays(base, drv).items()}
    yr = np.asarray(yrs, dtype=np.int64)
    g, t = len(base.groups), yr.size
    nq = len(QUANTITIES)
    frame = pd.DataFrame(
        {
            "scenario": s.name,
            **{c: np.tile(np.repeat(base.groups[c].to_numpy(), t), nq) for c in GROUP_COLUMNS},
            "year": np.tile(yr, g * nq),
            "variable": np.repeat(QUANTITIES, g * t),
            "value": np.concatenate([arrays[q].ravel() for q in QUANTITIES]),
        }
    )
    return Projection(scenario=s.name, years=yr, groups=base.groups, arrays=arrays, frame=frame)
