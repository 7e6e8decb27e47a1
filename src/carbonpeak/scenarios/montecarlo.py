"""Monte Carlo on the projection drivers: P(peak ≤ 2030), the peak distribution, fan charts.

Sampling
--------
Each :class:`Distribution` draws one value per trajectory and applies it to one driver
of the resolved scenario, for the groups its selector picks, over every year: added to
the path (``mode="add"``, e.g. growth + N(0, 0.5 %)) or multiplying it (``"scale"``,
e.g. grid factor × LogN(0, 0.1)). Perturbed values are clipped to the driver's domain
(shares to [0, 1], improvement ≤ 1, grid factor and capacities ≥ 0, growth ≥ −0.99).

Dependence is a Gaussian copula: with R the correlation matrix (one row per
distribution, in order), z = L·ε with L Lᵀ = R (Cholesky; an eigen-factor when R is
positive semi-definite but singular), u = Φ(z), and each marginal is its inverse CDF
at u (normal and lognormal directly from z):

============ ======================= ==================================================
kind         params                  draw
============ ======================= ==================================================
normal       mean, sd (≥ 0)          mean + sd · z
lognormal    mu, sigma (≥ 0)         exp(mu + sigma · z)   (parameters of the logarithm)
uniform      low ≤ high              low + (high − low) · u
triangular   left ≤ mode ≤ right     inverse CDF of the triangular distribution
============ ======================= ==================================================

Reproducibility and chunking
----------------------------
N trajectories are cut into chunks of ``chunk``; chunk *i* draws from
``np.random.default_rng(np.random.SeedSequence(seed).spawn(n_chunks)[i])``. Each chunk is
projected in one vectorised pass (trajectories × groups × years), its totals reduced to
peaks (:func:`~carbonpeak.scenarios.peak.find_peaks`) and kept as (chunk × years) totals,
so memory is bounded by the chunk, not by N. The chunks run where the caller's mapper
runs them (``map_chunks``: in this process by default; the service's runner,
:mod:`carbonpeak.service.outlook.mc_runner`, puts them on Dask — the engine opens no
connection): the result is identical, bit for bit. With zero variance every trajectory
equals the deterministic projection exactly.

A ``progress(done, total)`` callback, when given, is called with the number of chunks
finished and their total (after each chunk in-process, as each task completes on Dask). It
only observes — the numbers do not depend on it.

References
----------
.. [1] R.B. Nelsen, *An Introduction to Copulas*, 2nd ed., Springer 2006 (Gaussian copula).
.. [2] NumPy, "Parallel random number generation" (``SeedSequence.spawn``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from carbonpeak.errors import InputError, Problem
from carbonpeak.scenarios.peak import DEFAULT_TOLERANCE, find_peaks
from carbonpeak.scenarios.projection import (
    DRIVERS,
    SHARE_DRIVERS,
    BaseYear,
    Scenario,
    driver_arrays,
    parse_selector,
    project_arrays,
    resolve,
)

__all__ = [
    "FAN_PERCENTILES",
    "PARAMS",
    "ChunkMapper",
    "Distribution",
    "MonteCarloResult",
    "Progress",
    "run_montecarlo",
    "sample_drivers",
]

FloatArray = NDArray[np.float64]
Kind = Literal["normal", "lognormal", "triangular", "uniform"]

#: Parameter names per distribution kind.
PARAMS: dict[str, tuple[str, ...]] = {
    "normal": ("mean", "sd"),
    "lognormal": ("mu", "sigma"),
    "triangular": ("left", "mode", "right"),
    "uniform": ("low", "high"),
}
#: Percentiles of the fan chart [%].
FAN_PERCENTILES = (5.0, 25.0, 50.0, 75.0, 95.0)
#: Seconds to wait for a ``tcp://`` scheduler before giving up (distributed's own default is 30).
_ERF = np.frompyfunc(math.erf, 1, 1)
Progress = Callable[[int, int], None]
#: Runs the chunks of an ensemble: ``(fn, shared, chunks, progress) → [fn(*shared, *c) …]``
#: in chunk order (:func:`run_montecarlo`'s *map_chunks*).
ChunkMapper = Callable[
    [Callable[..., tuple[Any, ...]], tuple[Any, ...], Sequence[tuple[Any, ...]], Progress | None],
    list[tuple[Any, ...]],
]


@dataclass(frozen=True)
class Distribution:
    """An uncertain driver: a distribution and how a draw changes the driver's path.

    Attributes
    ----------
    driver : str
        One of :data:`~carbonpeak.scenarios.projection.DRIVERS`.
    kind : {"normal", "lognormal", "triangular", "uniform"}
    params : mapping
        The parameters of :data:`PARAMS` for *kind* [unit of the driver for ``add``,
        dimensionless for ``scale``].
    mode : {"add", "scale"}
        Add the draw to the path, or multiply the path by it.
    selector : str
        Groups affected: ``"*"`` or ``key=value`` pairs, as in the projection.
    """

    driver: str
    kind: Kind
    params: Mapping[str, float] = field(default_factory=dict)
    mode: Literal["add", "scale"] = "add"
    selector: str = "*"


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """N trajectories summarised.

    Attributes
    ----------
    scenario : str
    years : ndarray of int, shape (T,)
    peak_year : ndarray of int, shape (N,)
        Peak year per trajectory (the final year when not peaked) [a].
    peak_value : ndarray, shape (N,)
        Emissions in the peak year [tCO2/a].
    peaked : ndarray of bool, shape (N,)
    p_peak_by_deadline : float
        Share of trajectories that peak by the deadline (P(peak ≤ 2030)) [-].
    percentiles : tuple of float
        Fan percentiles [%].
    fan : ndarray, shape (P, T)
        Emission percentiles by year [tCO2/a].
    deterministic : ndarray, shape (T,)
        The unperturbed scenario's total [tCO2/a].
    """

    scenario: str
    years: NDArray[np.int64]
    peak_year: NDArray[np.int64]
    peak_value: FloatArray
    peaked: NDArray[np.bool_]
    p_peak_by_deadline: float
    percentiles: tuple[float, ...]
    fan: FloatArray
    deterministic: FloatArray

    def peak_year_distribution(self) -> dict[int, float]:
        """Share of trajectories per peak year [-], peaked trajectories and the rest alike."""
        years, counts = np.unique(self.peak_year, return_counts=True)
        return {int(y): float(c) / self.peak_year.size for y, c in zip(years, counts, strict=True)}


def _validate(
    distributions: Sequence[Distribution], correlation: ArrayLike | None
) -> tuple[list[Problem], FloatArray]:
    problems: list[Problem] = []
    for i, d in enumerate(distributions):
        at = {"driver": d.driver, "kind": d.kind}
        if d.driver not in DRIVERS:
            problems.append(
                Problem(
                    "scenario_unknown_driver",
                    column="driver",
                    value=d.driver,
                    row=i,
                    fields={"scenario": "-", "allowed": ", ".join(DRIVERS)},
                )
            )
        if parse_selector(d.selector) is None:
            problems.append(
                Problem(
                    "scenario_bad_selector",
                    column="selector",
                    value=d.selector,
                    row=i,
                    fields={"scenario": "-", "driver": d.driver},
                )
            )
        if d.mode not in ("add", "scale"):
            problems.append(
                Problem("bad_enum", column="mode", value=d.mode, row=i, fields={"allowed": "add, scale"})
            )
        if d.kind not in PARAMS:
            problems.append(
                Problem(
                    "mc_bad_distribution",
                    column=d.driver,
                    row=i,
                    value=d.kind,
                    fields={**at, "reason": f"unknown kind (allowed: {', '.join(PARAMS)})"},
                )
            )
            continue
        names = PARAMS[d.kind]
        if set(d.params) != set(names):
            problems.append(
                Problem(
                    "mc_bad_distribution",
                    column=d.driver,
                    row=i,
                    fields={
                        **at,
                        "reason": f"parameters must be {', '.join(names)}; got {', '.join(d.params) or '-'}",
                    },
                )
            )
            continue
        p = {k: float(v) for k, v in d.params.items()}
        reason = None
        if not all(math.isfinite(v) for v in p.values()):
            reason = "parameters must be finite"
        elif d.kind == "normal" and p["sd"] < 0:
            reason = f"sd = {p['sd']} < 0"
        elif d.kind == "lognormal" and p["sigma"] < 0:
            reason = f"sigma = {p['sigma']} < 0"
        elif d.kind == "uniform" and p["low"] > p["high"]:
            reason = f"low = {p['low']} > high = {p['high']}"
        elif d.kind == "triangular" and not p["left"] <= p["mode"] <= p["right"]:
            reason = f"need left ≤ mode ≤ right; got {p['left']}, {p['mode']}, {p['right']}"
        if reason:
            problems.append(
                Problem("mc_bad_distribution", column=d.driver, row=i, fields={**at, "reason": reason})
            )
    k = len(distributions)
    if correlation is None:
        return problems, np.eye(k)
    try:
        r = np.asarray(correlation, dtype=float)
    except (TypeError, ValueError):  # ragged rows: not a matrix at all
        reason = f"rows of unequal length, expected ({k}, {k}) (one row per distribution)"
        problems.append(Problem("mc_correlation", column="correlation", fields={"reason": reason}))
        return problems, np.eye(k)
    reason = None
    if r.shape != (k, k):
        reason = f"shape {r.shape}, expected ({k}, {k}) (one row per distribution)"
    elif not np.all(np.isfinite(r)):
        reason = "not finite"
    elif not np.array_equal(r, r.T):
        reason = "not symmetric"
    elif not np.all(np.diag(r) == 1.0):
        reason = "the diagonal must be 1"
    elif np.any(np.abs(r) > 1):
        reason = "coefficients must lie in [−1, 1]"
    elif k and np.linalg.eigvalsh(r).min() < -1e-10:
        reason = f"not positive semi-definite (smallest eigenvalue {np.linalg.eigvalsh(r).min():.3g})"
    if reason:
        problems.append(Problem("mc_correlation", column="correlation", fields={"reason": reason}))
    return problems, r


def _named(p: Problem, scenario: str, span: str, distributions: Sequence[Distribution]) -> Problem:
    """A distribution problem restated for *scenario*: scenario, driver, selector and the years
    (every year of the run: one draw moves the whole path)."""
    if p.code == "mc_bad_distribution":
        d = distributions[p.row or 0]
        fields = {**p.fields, "scenario": scenario, "selector": d.selector, "year": span}
        return Problem("scenario_bad_distribution", column=p.column, value=p.value, row=p.row, fields=fields)
    if p.code in ("scenario_unknown_driver", "scenario_bad_selector"):
        return Problem(
            p.code, column=p.column, value=p.value, row=p.row, fields={**p.fields, "scenario": scenario}
        )
    return p


def _factor(r: FloatArray) -> FloatArray:
    try:
        out: FloatArray = np.asarray(np.linalg.cholesky(r), dtype=np.float64)
    except np.linalg.LinAlgError:  # singular but PSD: symmetric square root
        w, v = np.linalg.eigh(r)
        out = np.asarray(v * np.sqrt(np.clip(w, 0.0, None)), dtype=np.float64)
    return out


def _phi(z: FloatArray) -> FloatArray:
    erf = np.asarray(_ERF(z / math.sqrt(2.0)), dtype=float)
    out: FloatArray = 0.5 * (1.0 + erf)
    return out


def sample_drivers(
    distributions: Sequence[Distribution], factor: FloatArray, n: int, rng: np.random.Generator
) -> FloatArray:
    """Draw n correlated values of every distribution (validated beforehand).

    Parameters
    ----------
    distributions : sequence of Distribution
    factor : ndarray, shape (K, K)
        A factor L of the correlation matrix (L Lᵀ = R).
    n : int
        Number of draws.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n, K)
        Draws [unit of the driver, or dimensionless for ``scale``].
    """
    k = len(distributions)
    z = rng.standard_normal((n, k)) @ factor.T
    out = np.empty((n, k))
    for j, d in enumerate(distributions):
        p = {name: float(v) for name, v in d.params.items()}
        if d.kind == "normal":
            out[:, j] = p["mean"] + p["sd"] * z[:, j]
        elif d.kind == "lognormal":
            out[:, j] = np.exp(p["mu"] + p["sigma"] * z[:, j])
        elif d.kind == "uniform":
            out[:, j] = p["low"] + (p["high"] - p["low"]) * _phi(z[:, j])
        else:
            a, c, b = p["left"], p["mode"], p["right"]
            u = _phi(z[:, j])
            if b == a:
                out[:, j] = a
                continue
            fc = (c - a) / (b - a)
            out[:, j] = np.where(
                u < fc, a + np.sqrt(u * (b - a) * (c - a)), b - np.sqrt((1.0 - u) * (b - a) * (b - c))
            )
    return out


def _clip(driver: str, x: FloatArray) -> FloatArray:
    """Clip *x* (a temporary) in place to the driver's domain."""
    if driver in SHARE_DRIVERS:
        out: FloatArray = np.clip(x, 0.0, 1.0, out=x)
    elif driver == "energy_intensity_improvement":
        out = np.minimum(x, 1.0, out=x)
    elif driver == "output_growth":
        out = np.maximum(x, -0.99, out=x)
    else:
        out = np.maximum(x, 0.0, out=x)
    return out


def _run_chunk(
    base: BaseYear,
    drv: Mapping[str, FloatArray],
    distributions: Sequence[Distribution],
    factor: FloatArray,
    seed: np.random.SeedSequence,
    size: int,
    years: NDArray[np.int64],
    tolerance: float,
    deadline: int,
) -> tuple[FloatArray, NDArray[np.int64], FloatArray, NDArray[np.bool_]]:
    rng = np.random.default_rng(seed)
    draws = sample_drivers(distributions, factor, size, rng)
    cols = {c: base.groups[c].to_numpy() for c in ("metal", "route", "city")}
    local: dict[str, FloatArray] = dict(drv)
    for j, d in enumerate(distributions):
        mask = np.ones(len(base.groups), dtype=bool)
        for key, value in (parse_selector(d.selector) or {}).items():
            mask &= cols[key] == value
        path = local[d.driver]
        x = draws[:, j, None, None]
        moved = _clip(d.driver, path + x if d.mode == "add" else path * x)
        if d.driver == "recycled_share":  # NaN (base mix kept) stays NaN
            moved = np.where(np.isnan(path), path, moved)
        if mask.all():
            local[d.driver] = moved
        else:  # a (1, T) path must be expanded to the groups before a selector applies
            full = np.broadcast_to(path, (len(mask), path.shape[-1]))
            local[d.driver] = np.where(mask[:, None], moved, full)
    total = project_arrays(base, local, components=False)["co2_t"]
    if total.ndim == 2:  # no distribution touched the drivers: every trajectory is the same
        total = np.broadcast_to(total, (size, *total.shape))
    totals: FloatArray = np.ascontiguousarray(total.sum(axis=1))
    pk = find_peaks(years, totals, tolerance, deadline=deadline)
    return totals, pk.year, pk.value, pk.peaked


def _in_process(
    fn: Callable[..., tuple[Any, ...]],
    shared: tuple[Any, ...],
    chunks: Sequence[tuple[Any, ...]],
    progress: Progress | None,
) -> list[tuple[Any, ...]]:
    """The default mapper: every chunk in this process, one after the other."""
    out: list[tuple[Any, ...]] = []
    for c in chunks:
        out.append(fn(*shared, *c))
        if progress is not None:
            progress(len(out), len(chunks))
    return out


def run_montecarlo(
    base: BaseYear,
    scenario: Scenario,
    distributions: Sequence[Distribution],
    n: int,
    seed: int | None,
    *,
    correlation: ArrayLike | None = None,
    years: Sequence[int] | None = None,
    registry: Mapping[str, Scenario] | None = None,
    chunk: int = 1_000,
    scheduler: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    deadline: int = 2030,
    percentiles: Sequence[float] = FAN_PERCENTILES,
    progress: Progress | None = None,
    map_chunks: ChunkMapper | None = None,
) -> MonteCarloResult:
    """Run N perturbed projections of one scenario and summarise their peaks and spread.

    Parameters
    ----------
    base : BaseYear
        From :func:`~carbonpeak.scenarios.projection.base_year`.
    scenario : Scenario
        Resolved against *registry* when it has a parent.
    distributions : sequence of Distribution
        The uncertain drivers (module docstring).
    n : int
        Number of trajectories, ≥ 1.
    seed : int or None
        Seed of the ``SeedSequence``; the same seed gives the same result, in-process or on Dask.
    correlation : array_like, shape (K, K), optional
        Correlation between the distributions' normal scores (identity by default);
        symmetric, unit diagonal, positive semi-definite.
    years : sequence of int, optional
        Default ``range(base.year, 2061)`` [a].
    registry : mapping, optional
        Scenario name → Scenario, for the inheritance chain.
    chunk : int
        Trajectories per chunk; bounds memory (a dozen chunk × G × T float arrays at most).
    tolerance : float
        Plateau tolerance of the peak rule [fraction]; default 0.01.
    deadline : int
        Year of the "peak by" verdict [a]; default 2030.
    percentiles : sequence of float
        Fan percentiles [%]; default 5, 25, 50, 75, 95.
    progress : callable, optional
        ``progress(done, total)`` [chunks], called after each chunk (on Dask, as each task
        completes). Observes only; the result does not depend on it.
    map_chunks : ChunkMapper, optional
        Runs the chunks: ``map_chunks(fn, shared, chunks, progress)`` returns
        ``[fn(*shared, *c) for c in chunks]`` in chunk order, wherever it runs them (the
        service's runner, :mod:`carbonpeak.service.outlook.mc_runner`, builds one per Dask
        scheduler); default: in this process.

    Returns
    -------
    MonteCarloResult

    Raises
    ------
    InputError
        Impossible distribution parameters (negative sd or sigma, low > high, mode
        outside [left, right]; ``scenario_bad_distribution``) naming the scenario, the
        driver, its selector and the years it moves; an unknown driver or selector; a bad
        correlation matrix (shape, symmetry, diagonal, not positive semi-definite);
        n < 1 or chunk < 1; every error of the projection (naming scenario, driver, year);
        and what *map_chunks* raises (a scheduler that cannot be reached).
    """
    found, r = _validate(distributions, correlation)
    yrs = np.asarray(list(range(base.year, 2061)) if years is None else list(years), dtype=np.int64)
    span = f"{yrs[0]}–{yrs[-1]}" if yrs.size else "-"
    problems = [_named(p, scenario.name, span, distributions) for p in found]
    if n < 1:
        problems.append(Problem("must_be_positive", column="n", value=n))
    if chunk < 1:
        problems.append(Problem("must_be_positive", column="chunk", value=chunk))
    if problems:
        raise InputError(problems)
    s = resolve(scenario, registry or {}) if scenario.parent else scenario
    drv = driver_arrays(base, s, yrs.tolist())
    deterministic: FloatArray = project_arrays(base, drv)["co2_t"].sum(axis=0)
    # a path that is the same for every group is kept as one row (1, T): perturbed, it grows
    # to trajectories × 1 × years, not × groups; broadcasting gives the same numbers
    compact = {k: v[:1] if np.array_equal(v, np.broadcast_to(v[:1], v.shape)) else v for k, v in drv.items()}
    n_chunks = -(-n // chunk)
    seeds = np.random.SeedSequence(seed).spawn(n_chunks)
    sizes = [min(chunk, n - i * chunk) for i in range(n_chunks)]
    factor = _factor(r)
    chunks = [
        (distributions, factor, s, m, yrs, tolerance, deadline) for s, m in zip(seeds, sizes, strict=True)
    ]
    parts = (map_chunks or _in_process)(_run_chunk, (base, compact), chunks, progress)
    totals = np.concatenate([p[0] for p in parts])
    peak_year = np.concatenate([p[1] for p in parts])
    peak_value = np.concatenate([p[2] for p in parts])
    peaked = np.concatenate([p[3] for p in parts])
    pct = tuple(float(q) for q in percentiles)
    fan: FloatArray = np.percentile(totals, pct, axis=0)
    before = peaked & (peak_year <= deadline)
    return MonteCarloResult(
        scenario=s.name,
        years=yrs,
        peak_year=peak_year,
        peak_value=peak_value,
        peaked=peaked,
        p_peak_by_deadline=float(before.mean()),
        percentiles=pct,
        fan=fan,
        deterministic=deterministic,
    )
