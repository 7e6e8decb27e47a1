"""The peak of an emission trajectory, with a plateau tolerance, for one or many series.

The plateau rule
----------------
For a series v_0 … v_{n−1} over strictly increasing years and a tolerance τ ≥ 0, year t
*qualifies* when the series never again rises above its level by more than τ::

    max_{s > t} v_s ≤ v_t + τ·|v_t|          (the last year qualifies vacuously)

The **peak** is the earliest qualifying year. A later year that exceeds it by at most τ
(a plateau, or a small rebound) keeps the earlier peak; a later exceedance beyond τ
disqualifies it and moves the peak to a later year. Because the earliest qualifying year
is chosen, within a plateau the peak is the year the plateau was first reached.

A series that is **still rising at its end** — its final value strictly above every
earlier one — has not peaked within the horizon: ``peaked`` is False, and the year and
value reported are the final year's (the highest so far). Otherwise ``peaked`` is True
and the peak year lies before the final year (the year of the first maximum qualifies,
so one always exists there). A one-year series has not peaked.

``before_deadline`` (``before_2030`` for the default deadline) is ``peaked and year ≤
deadline``: the plan's "peak before 2030" verdict counts a peak in 2030 itself. The
absolute value in v_t + τ·|v_t| makes the rule invariant under scaling by a positive
constant for net-negative levels too.

The 2-D form (:func:`find_peaks`) takes trajectories × years and returns arrays, in one
vectorised pass (a reverse running maximum), for Monte Carlo runs.

References
----------
.. [1] 国务院《2030年前碳达峰行动方案》(国发〔2021〕23号), State Council action plan for
   carbon dioxide peaking before 2030: the target the verdict checks.
.. [2] Issue 7 of this project: the plateau rule ("a year counts as the peak when emissions
   never again exceed it by more than a tolerance, default 1 %").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from carbonpeak.errors import InputError, Problem

__all__ = ["DEFAULT_TOLERANCE", "Peak", "Peaks", "find_peak", "find_peaks"]

#: Default plateau tolerance [fraction of the peak level]: 1 %.
DEFAULT_TOLERANCE = 0.01
_MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Peak:
    """The peak of one trajectory.

    Attributes
    ----------
    year : int
        Peak year (the final year when ``peaked`` is False).
    value : float
        Level in the peak year [unit of the series, e.g. tCO2e/a].
    peaked : bool
        False when the series is still rising at its end.
    before_2030 : bool
        ``peaked and year ≤ deadline`` (the deadline is 2030 unless given).
    index : int
        Position of ``year`` in the series.
    max_year : int
        Year of the series' (first) maximum.
    max_value : float
        The maximum [unit of the series]; when ``peaked``, at most ``value`` + τ·|``value``|.
    """

    year: int
    value: float
    peaked: bool
    before_2030: bool
    index: int
    max_year: int
    max_value: float


@dataclass(frozen=True, eq=False)
class Peaks:
    """Peaks of N trajectories (arrays of shape (N,)); fields as in :class:`Peak`."""

    year: NDArray[np.int64]
    value: NDArray[np.float64]
    peaked: NDArray[np.bool_]
    before_deadline: NDArray[np.bool_]
    index: NDArray[np.int64]

    def share_before_deadline(self) -> float:
        """Fraction of trajectories that peak by the deadline (P(peak ≤ 2030)) [-]."""
        return float(self.before_deadline.mean()) if self.before_deadline.size else float("nan")


def _show(year: float) -> object:
    return int(year) if np.isfinite(year) and year == round(year) else float(year)


def _validate(years: NDArray[np.float64], values: NDArray[np.float64], tolerance: float) -> NDArray[np.int64]:
    problems: list[Problem] = []
    if not (np.isfinite(tolerance) and tolerance >= 0):
        problems.append(Problem("bad_tolerance", column="tolerance", value=tolerance))
    if years.ndim != 1:
        problems.append(
            Problem(
                "length_mismatch",
                column="years",
                fields={"what": f"years must be 1-D, got shape {years.shape}"},
            )
        )
        raise InputError(problems)
    if years.size == 0:
        problems.append(Problem("peak_empty", column="years"))
    if values.shape[-1] != years.size:
        problems.append(
            Problem(
                "length_mismatch",
                column="values",
                fields={"what": f"{years.size} years but {values.shape[-1]} values per trajectory"},
            )
        )
    if problems:
        raise InputError(problems)
    bad_year = ~np.isfinite(years) | (years != np.round(years))
    problems += [
        Problem("not_a_number", column="years", value=float(years[j]), row=int(j))
        for j in np.flatnonzero(bad_year)[:_MAX_PROBLEMS]
    ]
    step = np.flatnonzero(~(np.diff(years) > 0)) + 1
    problems += [
        Problem(
            "years_not_increasing", column="years", value=_show(years[j]), row=int(j), fields={"row": int(j)}
        )
        for j in step[:_MAX_PROBLEMS]
    ]
    bad = np.argwhere(~np.isfinite(values.reshape(-1, years.size)))
    problems += [
        Problem(
            "not_finite",
            column=str(int(years[j])) if np.isfinite(years[j]) else None,
            value=float(values.reshape(-1, years.size)[i, j]),
            row=int(i) if values.ndim == 2 else None,
        )
        for i, j in bad[:_MAX_PROBLEMS]
    ]
    if problems:
        raise InputError(problems, count=len(problems) + max(0, len(bad) - _MAX_PROBLEMS))
    return years.astype(np.int64)


def find_peaks(
    years: ArrayLike, values: ArrayLike, tolerance: float = DEFAULT_TOLERANCE, *, deadline: int = 2030
) -> Peaks:
    """Peak year and level of many trajectories at once (plateau rule, module docstring).

    Parameters
    ----------
    years : array_like of int, shape (T,)
        Strictly increasing years [a].
    values : array_like, shape (N, T)
        One trajectory per row (emissions [e.g. tCO2e/a]; any unit, the same per row).
    tolerance : float
        Plateau tolerance τ [fraction of the level], ≥ 0; default 0.01 (1 %).
    deadline : int
        The year a peak must not come after for ``before_deadline`` [a]; default 2030.

    Returns
    -------
    Peaks
        Arrays (N,): ``year``, ``value``, ``peaked``, ``before_deadline``, ``index``.

    Raises
    ------
    InputError
        Years not strictly increasing or not whole, no years, a values shape that does
        not match the years, a NaN or infinite value (row = trajectory, column = year),
        or a negative tolerance. Problems are located by ``row`` (0-based trajectory index,
        or position in ``years``) and ``column`` (the year).

    References
    ----------
    .. [1] Issue 7: plateau rule with a 1 % default tolerance.
    """
    y = np.asarray(years, dtype=float)
    v = np.asarray(values, dtype=float)
    if v.ndim != 2:
        raise InputError(
            [
                Problem(
                    "length_mismatch",
                    column="values",
                    fields={"what": f"values must be trajectories × years (2-D), got shape {v.shape}"},
                )
            ]
        )
    yr = _validate(y, v, tolerance)
    n, t = v.shape
    # after[:, t] = max over s > t (−inf at the end): a reverse running maximum
    after = np.full_like(v, -np.inf)
    if t > 1:
        after[:, :-1] = np.maximum.accumulate(v[:, :0:-1], axis=1)[:, ::-1]
    qualifies = after <= v + tolerance * np.abs(v)
    idx = np.argmax(qualifies, axis=1).astype(np.int64)  # earliest; the last always qualifies
    rising_end = v[:, -1] > v[:, :-1].max(axis=1) if t > 1 else np.ones(n, dtype=bool)
    idx = np.where(rising_end, t - 1, idx)
    rows = np.arange(n)
    year = yr[idx]
    peaked = ~rising_end
    return Peaks(
        year=year, value=v[rows, idx], peaked=peaked, before_deadline=peaked & (year <= deadline), index=idx
    )


def find_peak(
    years: ArrayLike, values: ArrayLike, tolerance: float = DEFAULT_TOLERANCE, *, deadline: int = 2030
) -> Peak:
    """Peak year and level of one trajectory, with the plateau rule of the module docstring.

    Parameters
    ----------
    years : array_like of int, shape (T,)
        Strictly increasing years [a].
    values : array_like, shape (T,)
        The trajectory (emissions [e.g. tCO2e/a]).
    tolerance : float
        Plateau tolerance τ [fraction of the level], ≥ 0; default 0.01 (1 %).
    deadline : int
        Last year that counts as "before" for ``before_2030`` [a]; default 2030.

    Returns
    -------
    Peak
        ``year``, ``value``, ``peaked``, ``before_2030``, ``index``, ``max_year``,
        ``max_value``.

    Raises
    ------
    InputError
        As :func:`find_peaks`; also when ``values`` is not 1-D.

    References
    ----------
    .. [1] Issue 7: plateau rule with a 1 % default tolerance.

    Examples
    --------
    A rebound of 0.5 % in 2032 keeps the 2028 peak; the series ends lower.

    >>> p = find_peak([2026, 2027, 2028, 2029, 2030, 2031, 2032, 2033],
    ...               [90, 95, 100, 99, 97, 98, 100.5, 96])
    >>> p.year, p.value, p.peaked, p.before_2030
    (2028, 100.0, True, True)
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise InputError(
            [
                Problem(
                    "length_mismatch",
                    column="values",
                    fields={"what": f"values must be 1-D for one trajectory, got shape {v.shape}"},
                )
            ]
        )
    p = find_peaks(years, v[None, :], tolerance, deadline=deadline)
    yr = np.asarray(years, dtype=float).astype(np.int64)
    m = int(np.argmax(v))
    return Peak(
        year=int(p.year[0]),
        value=float(p.value[0]),
        peaked=bool(p.peaked[0]),
        before_2030=bool(p.before_deadline[0]),
        index=int(p.index[0]),
        max_year=int(yr[m]),
        max_value=float(v[m]),
    )
