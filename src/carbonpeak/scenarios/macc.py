"""Marginal abatement cost: capital recovery, annualised cost, and the curve with interaction.

================================ ===========================================================
capital recovery factor [1/a]    CRF(r, n) = r / (1 − (1 + r)^−n);  CRF(0, n) = 1 / n
annualised cost [yuan/a]         C = CRF · capex + Δopex − value of energy saved
marginal abatement cost          MAC = C / A                     [yuan/tCO2e]
lifetime form (UQx)              MAC = −NPV / lifetime abatement [yuan/tCO2e]
================================ ===========================================================

A positive MAC is a net cost; a negative one, a measure that pays for itself.

The curve (:func:`macc`)
------------------------
Each measure abates either an absolute amount ``abatement_tco2e_per_a`` or a share
``abatement_share`` of the emissions still left. Measures are **ranked by their
stand-alone cost** ``mac_yuan_per_tco2e`` = C / A_alone, where A_alone is what the measure
would abate on the full baseline B (share × B, or the absolute amount capped at B); ties
break on ``id``. They are then applied **in that order, each on what the cheaper ones
left** (interaction): with R the emissions remaining before a measure,

* share s: A = s · R;
* absolute a: A = min(a, R);

and R ← R − A. Hence Σ A ≤ B, the cumulative abatement never decreases, and it never
exceeds B. The realised cost ``mac_interacting_yuan_per_tco2e`` = C / A is reported
alongside (NaN once nothing is left to abate). The curve is sorted by the stand-alone
cost: re-sorting by the realised cost would change the order, hence the interaction;
ranking first is the usual convention (Kesicki 2012). With ``by`` the curve is built per
group (enterprise, city…), each against its own baseline, in one pass vectorised over
groups.

References
----------
.. [1] GECS project, MAC method: annuity factor a = r / (1 − (1 + r)^−n), yearly cost
   a·INV + O&M (``validation-public.md`` DRV-MACC-01).
.. [2] UQx Carbon101x 4.2.1.3, "Marginal abatement cost curves": MAC = −NPV / abatement.
.. [3] F. Kesicki, "Marginal abatement cost curves: a call for caution", Climate Policy
   12 (2012) 219–236 (ranking and interaction of measures).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from carbonpeak.errors import InputError, Problem

__all__ = [
    "CURVE_COLUMNS",
    "MEASURE_COLUMNS",
    "annualised_cost",
    "crf",
    "mac_from_npv",
    "macc",
]

FloatArray = NDArray[np.float64]

#: Columns every measure needs (plus one of ``abatement_tco2e_per_a``, ``abatement_share``,
#: and ``discount_rate`` unless given to :func:`macc`).
MEASURE_COLUMNS = [
    "id",
    "capex_yuan",
    "delta_opex_yuan_per_a",
    "energy_saving_value_yuan_per_a",
    "lifetime_a",
]

#: Columns :func:`macc` adds.
CURVE_COLUMNS = [
    "rank",
    "crf_per_a",
    "annualised_capex_yuan_per_a",
    "annualised_cost_yuan_per_a",
    "abatement_standalone_tco2e_per_a",
    "mac_yuan_per_tco2e",
    "abatement_realised_tco2e_per_a",
    "mac_interacting_yuan_per_tco2e",
    "cumulative_abatement_tco2e_per_a",
    "remaining_tco2e_per_a",
    "baseline_tco2e_per_a",
]


def _rate_problems(
    r: FloatArray,
    n: FloatArray,
    rows: NDArray[np.int64] | None = None,
    rate_col: str = "discount_rate",
    life_col: str = "lifetime_a",
) -> list[Problem]:
    out: list[Problem] = []
    for j in np.flatnonzero(~(np.isfinite(r) & (r > -1))):
        out.append(
            Problem(
                "bad_discount_rate",
                column=rate_col,
                value=float(r.flat[j]),
                row=None if rows is None else int(rows[j]),
            )
        )
    for j in np.flatnonzero(~(np.isfinite(n) & (n > 0))):
        out.append(
            Problem(
                "must_be_positive",
                column=life_col,
                value=float(n.flat[j]),
                row=None if rows is None else int(rows[j]),
            )
        )
    return out


def crf(r: ArrayLike, n: ArrayLike) -> FloatArray:
    """Capital recovery factor CRF(r, n) = r / (1 − (1 + r)^−n).

    Parameters
    ----------
    r : array_like
        Discount rate [1/a, fraction]; > −1. At r = 0 the limit 1/n is used.
    n : array_like
        Lifetime [a]; > 0 (need not be whole).

    Returns
    -------
    ndarray
        CRF [1/a]: the share of the investment to recover each year.

    Raises
    ------
    InputError
        r ≤ −1, n ≤ 0 or a non-finite value.

    References
    ----------
    .. [1] GECS project MAC method (annuity factor); ``validation-public.md`` DRV-MACC-01:
       CRF(0.08, 10) = 0.1490295.
    """
    r_, n_ = np.broadcast_arrays(np.asarray(r, dtype=float), np.asarray(n, dtype=float))
    problems = _rate_problems(r_.ravel(), n_.ravel())
    if problems:
        raise InputError(problems)
    zero = r_ == 0
    rs = np.where(zero, 1.0, r_)
    # −expm1(−n·log1p(r)) is 1 − (1 + r)^−n without cancellation for small |r|
    out: FloatArray = np.where(zero, 1.0 / n_, rs / -np.expm1(-n_ * np.log1p(rs)))
    return out


def annualised_cost(
    capex: ArrayLike, delta_opex: ArrayLike, energy_savings_value: ArrayLike, r: ArrayLike, n: ArrayLike
) -> FloatArray:
    """Equivalent annual cost of a measure: CRF(r, n) · capex + Δopex − energy savings.

    Parameters
    ----------
    capex : array_like
        Investment [yuan].
    delta_opex : array_like
        Change in operating and maintenance cost [yuan/a] (negative: a saving).
    energy_savings_value : array_like
        Value of the energy saved [yuan/a] (positive: lowers the cost).
    r : array_like
        Discount rate [1/a]; > −1.
    n : array_like
        Lifetime [a]; > 0.

    Returns
    -------
    ndarray
        Annualised net cost [yuan/a]; negative for a measure that pays for itself.

    References
    ----------
    .. [1] GECS project MAC method: yearly cost = a · INV + O&M.
    """
    out: FloatArray = (
        crf(r, n) * np.asarray(capex, dtype=float)
        + np.asarray(delta_opex, dtype=float)
        - np.asarray(energy_savings_value, dtype=float)
    )
    return out


def mac_from_npv(npv: ArrayLike, abatement_tco2e: ArrayLike) -> FloatArray:
    """Marginal abatement cost from a net present value: MAC = −NPV / abatement.

    Parameters
    ----------
    npv : array_like
        Net present value of the measure [yuan] (negative: a net cost).
    abatement_tco2e : array_like
        Abatement over the same horizon [tCO2e]; > 0.

    Returns
    -------
    ndarray
        MAC [yuan/tCO2e]; positive is a cost.

    References
    ----------
    .. [1] UQx Carbon101x 4.2.1.3: fleet upgrade NPV −200 000 over 20 000 t → 10 per t;
       fuel switch NPV −100 000 over 5 000 t → 20 per t.
    """
    out: FloatArray = -np.asarray(npv, dtype=float) / np.asarray(abatement_tco2e, dtype=float)
    return out


def _numeric(d: pd.DataFrame, col: str, rows: NDArray[np.int64], problems: list[Problem]) -> FloatArray:
    num = pd.to_numeric(d[col], errors="coerce").to_numpy(dtype=float)
    for j in np.flatnonzero(~np.isfinite(num) & d[col].notna().to_numpy()):
        problems.append(Problem("not_finite", column=col, value=d[col].iat[int(j)], row=int(rows[j])))
    return num


def macc(
    measures: pd.DataFrame,
    baseline_tco2e: float | Mapping[Any, float],
    *,
    discount_rate: float | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Marginal abatement cost curve with interaction between measures.

    Parameters
    ----------
    measures : DataFrame
        One row per measure: ``id``; ``capex_yuan`` [yuan]; ``delta_opex_yuan_per_a``
        [yuan/a]; ``energy_saving_value_yuan_per_a`` [yuan/a]; ``lifetime_a`` [a];
        exactly one of ``abatement_tco2e_per_a`` [tCO2e/a] (> 0) and ``abatement_share``
        [-] (fraction of the emissions remaining, in (0, 1]) per row (both columns may
        exist with blanks); ``discount_rate`` [1/a] unless given as an argument (a blank
        takes the argument). Other columns are carried through. A ``row`` column, if
        present, numbers the rows in error messages.
    baseline_tco2e : float or mapping
        Emissions before any measure [tCO2e/a], > 0; with ``by``, a mapping from each
        group to its baseline.
    discount_rate : float, optional
        Default discount rate [1/a] for measures without one.
    by : str, optional
        A column grouping the measures (enterprise, city…); one curve per group.

    Returns
    -------
    DataFrame
        The measures sorted by (group,) ``mac_yuan_per_tco2e`` then ``id``, with
        :data:`CURVE_COLUMNS`: ``rank`` (1 = cheapest, per group), ``crf_per_a``,
        ``annualised_capex_yuan_per_a``, ``annualised_cost_yuan_per_a``,
        ``abatement_standalone_tco2e_per_a``, ``mac_yuan_per_tco2e`` (stand-alone, the
        ranking cost), ``abatement_realised_tco2e_per_a`` (with interaction),
        ``mac_interacting_yuan_per_tco2e``, ``cumulative_abatement_tco2e_per_a``,
        ``remaining_tco2e_per_a`` (after the measure) and ``baseline_tco2e_per_a``.

    Raises
    ------
    InputError
        Every problem found: missing columns, non-numeric values, a measure with none
        or both of the abatement columns, a share outside (0, 1], a non-positive
        absolute abatement or lifetime, a discount rate ≤ −1, a baseline ≤ 0 or missing
        for a group.

    References
    ----------
    .. [1] GECS project MAC method (annuity factor); DRV-MACC-01 in ``validation-public.md``.
    .. [2] F. Kesicki, Climate Policy 12 (2012) 219–236.
    """
    d = measures.reset_index(drop=True)
    need = [*MEASURE_COLUMNS, *([by] if by else [])]
    if discount_rate is None:
        need.append("discount_rate")
    missing = [c for c in need if c not in d.columns]
    if not {"abatement_tco2e_per_a", "abatement_share"} & set(d.columns):
        missing.append("abatement_tco2e_per_a")
    if missing:
        raise InputError([Problem("missing_column", column=c) for c in missing])
    n = len(d)
    rows = d["row"].to_numpy(dtype=np.int64) if "row" in d else np.arange(1, n + 1, dtype=np.int64)
    problems: list[Problem] = []
    capex = _numeric(d, "capex_yuan", rows, problems)
    dopex = _numeric(d, "delta_opex_yuan_per_a", rows, problems)
    saving = _numeric(d, "energy_saving_value_yuan_per_a", rows, problems)
    life = _numeric(d, "lifetime_a", rows, problems)
    rate = _numeric(d, "discount_rate", rows, problems) if "discount_rate" in d else np.full(n, np.nan)
    if discount_rate is not None:
        rate = np.where(np.isnan(rate), discount_rate, rate)
    absolute = (
        _numeric(d, "abatement_tco2e_per_a", rows, problems)
        if "abatement_tco2e_per_a" in d
        else np.full(n, np.nan)
    )
    share = _numeric(d, "abatement_share", rows, problems) if "abatement_share" in d else np.full(n, np.nan)
    for col, arr in (
        ("capex_yuan", capex),
        ("delta_opex_yuan_per_a", dopex),
        ("energy_saving_value_yuan_per_a", saving),
    ):
        problems += [
            Problem("required", column=col, row=int(rows[j]))
            for j in np.flatnonzero(np.isnan(arr) & d[col].isna().to_numpy())
        ]
    problems += _rate_problems(rate, life, rows)
    is_share = ~np.isnan(share)
    spec_bad = is_share == ~np.isnan(absolute)
    ids = d["id"].to_numpy(dtype=object)
    problems += [
        Problem(
            "macc_abatement_spec", column="abatement_tco2e_per_a", row=int(rows[j]), fields={"id": ids[j]}
        )
        for j in np.flatnonzero(spec_bad)
    ]
    problems += [
        Problem("macc_share_range", column="abatement_share", value=float(share[j]), row=int(rows[j]))
        for j in np.flatnonzero(is_share & ~((share > 0) & (share <= 1)))
    ]
    problems += [
        Problem(
            "must_be_positive", column="abatement_tco2e_per_a", value=float(absolute[j]), row=int(rows[j])
        )
        for j in np.flatnonzero(~is_share & ~spec_bad & ~(absolute > 0))
    ]

    if by is None:
        group_codes = np.zeros(n, dtype=np.int64)
        groups: list[Any] = [None]
        base_map: Mapping[Any, float] = (
            {None: baseline_tco2e} if not isinstance(baseline_tco2e, Mapping) else baseline_tco2e
        )
    else:
        codes, uniq = pd.factorize(d[by], sort=True)
        group_codes = codes.astype(np.int64)
        groups = list(uniq)
        base_map = (
            baseline_tco2e if isinstance(baseline_tco2e, Mapping) else dict.fromkeys(groups, baseline_tco2e)
        )
    base = np.empty(len(groups))
    for g, key in enumerate(groups):
        if key not in base_map:
            problems.append(Problem("macc_no_baseline", column=by, value=key))
            continue
        base[g] = float(base_map[key])
        if not (np.isfinite(base[g]) and base[g] > 0):
            problems.append(
                Problem("must_be_positive", column="baseline_tco2e", value=base[g], fields={"group": key})
            )
    if problems:
        raise InputError(problems)

    factor = crf(rate, life)
    ann_capex = factor * capex
    cost = ann_capex + dopex - saving
    b_row = base[group_codes]
    alone = np.where(is_share, share * b_row, np.minimum(absolute, b_row))
    mac_alone = cost / alone
    id_key = pd.Series(ids).astype(str).to_numpy()
    order = np.lexsort((id_key, mac_alone, group_codes))
    g_sorted = group_codes[order]
    first = np.r_[0, np.flatnonzero(np.diff(g_sorted)) + 1]
    pos = np.arange(n) - np.repeat(first, np.diff(np.r_[first, n]))  # rank − 1 within group
    # one column per rank position, vectorised over groups (loop length = longest curve)
    width = int(pos.max()) + 1 if n else 0
    grid_share = np.full((len(groups), width), np.nan)
    grid_abs = np.zeros((len(groups), width))
    grid_is_share = np.zeros((len(groups), width), dtype=bool)
    grid_share[g_sorted, pos] = share[order]
    grid_abs[g_sorted, pos] = np.nan_to_num(absolute[order])
    grid_is_share[g_sorted, pos] = is_share[order]
    realised = np.zeros((len(groups), width))
    remaining = np.zeros((len(groups), width))
    left = base.copy()
    for j in range(width):
        a = np.where(grid_is_share[:, j], grid_share[:, j] * left, np.minimum(grid_abs[:, j], left))
        realised[:, j] = a
        left = np.maximum(left - a, 0.0)
        remaining[:, j] = left
    a_real = realised[g_sorted, pos]
    left_real = remaining[g_sorted, pos]
    cum_real = b_row[order] - left_real  # ≤ baseline and non-decreasing, exactly
    with np.errstate(divide="ignore", invalid="ignore"):
        mac_real = np.where(a_real > 0, cost[order] / a_real, np.nan)
    out = d.iloc[order].reset_index(drop=True)
    out["rank"] = pos + 1
    out["crf_per_a"] = factor[order]
    out["annualised_capex_yuan_per_a"] = ann_capex[order]
    out["annualised_cost_yuan_per_a"] = cost[order]
    out["abatement_standalone_tco2e_per_a"] = alone[order]
    out["mac_yuan_per_tco2e"] = mac_alone[order]
    out["abatement_realised_tco2e_per_a"] = a_real
    out["mac_interacting_yuan_per_tco2e"] = mac_real
    out["cumulative_abatement_tco2e_per_a"] = cum_real
    out["remaining_tco2e_per_a"] = left_real
    out["baseline_tco2e_per_a"] = b_row[order]
    return out
