"""LMDI-I index decomposition, additive and multiplicative, for any product identity.

The aggregate is a sum over sub-categories *i* of a product over factors *k*::

    V = Σ_i v_i,    v_i = Π_k x_ik

(activity × structure × energy intensity × fuel mix × emission factor, …). Between a
base year 0 and an end year T the log-mean Divisia index method I (Ang 2005) gives

============== ============================================================================
additive       ΔV_k = Σ_i L(v_i^T, v_i^0) · ln(x_ik^T / x_ik^0),    Σ_k ΔV_k = V^T − V^0
multiplicative D_k  = exp(ΔV_k / L(V^T, V^0)),                       Π_k D_k  = V^T / V^0
============== ============================================================================

with the logarithmic mean L(a, b) = (a − b) / (ln a − ln b), L(a, a) = a. The term
``C_ik = L(v_i^T, v_i^0) · ln(x_ik^T / x_ik^0)`` is the contribution of sub-category *i*
through factor *k* (the "Z matrix" of Heun & Brockway); it sums over *k* to v_i^T − v_i^0,
so every decomposition closes exactly (to floating-point rounding).

Zero values (Ang & Liu 2007)
----------------------------
The formula needs logarithms of the factors; a zero factor (a sub-category that appears
in, or disappears from, the identity) is handled by the analytical limit of the
"small value" strategy — replace each zero by δ and let δ → 0 (the same δ for every zero):

* v_i^0 > 0 and v_i^T > 0 (all factors positive): the formula above.
* v_i^0 = 0, v_i^T > 0 (the sub-category **appears**; the factors in Z0 = {k: x_ik^0 = 0}
  are zero in the base year): C_ik = v_i^T / |Z0| for k ∈ Z0, and 0 for every other
  factor. With one zero factor its whole end value goes to that factor.
* v_i^0 > 0, v_i^T = 0 (it **disappears**; ZT = {k: x_ik^T = 0}): C_ik = −v_i^0 / |ZT| for
  k ∈ ZT, 0 otherwise.
* v_i^0 = v_i^T = 0: every C_ik = 0 (the limit of L ~ δ times ln ~ ln δ).

Each case still sums to v_i^T − v_i^0, so closure is kept. Negative or non-finite factors
are refused (:class:`~carbonpeak.errors.InputError`, located by sub-category, factor and
year): LMDI is defined for non-negative data only. The multiplicative form also needs
V^0 > 0 and V^T > 0.

Numerics: for |ln(v^T/v^0)| < 10⁻³ the logarithmic mean is evaluated by its series
√(ab)·(1 + d²/24) (d = ln a − ln b; the next term, d⁴/1920, is below 10⁻¹⁵ there), which
avoids cancellation in (a − b)/d. Everything is vectorised over sub-categories and periods.

References
----------
.. [1] B.W. Ang, "The LMDI approach to decomposition analysis: a practical guide",
   Energy Policy 33 (2005) 867–871.
.. [2] B.W. Ang, N. Liu, "Handling zero values in the logarithmic mean Divisia index
   decomposition approach", Energy Policy 35 (2007) 238–246.
.. [3] M.K. Heun, LMDIR (R package), tests/testthat/test_lmdi.R — the reference fixture
   LMDI-01 of ``validation-public.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from carbonpeak.errors import InputError, Problem

__all__ = [
    "EFFECT_COLUMNS",
    "LmdiResult",
    "LmdiSeries",
    "Method",
    "lmdi_decompose",
    "lmdi_frame",
    "lmdi_series",
    "logarithmic_mean",
]

Method = Literal["additive", "multiplicative"]
FloatArray = NDArray[np.float64]

#: Columns of :func:`lmdi_frame` (``category`` is added with ``by_category=True``).
EFFECT_COLUMNS = ["year_from", "year_to", "factor", "effect", "v_from", "v_to"]

_SERIES_BELOW = 1e-3  # |ln a − ln b| under which L(a, b) is taken from its series
_MAX_PROBLEMS = 100  # located problems reported at most (the rest are counted)


@dataclass(frozen=True, eq=False)
class LmdiResult:
    """One decomposition between a base year (0) and an end year (T).

    Attributes
    ----------
    method : {"additive", "multiplicative"}
    effects : ndarray, shape (K,)
        Additive: ΔV_k [unit of V]; multiplicative: D_k [-].
    contributions : ndarray, shape (I, K)
        Additive contribution of sub-category *i* through factor *k* [unit of V]
        (both methods); rows sum to v_i^T − v_i^0.
    v0, vT : float
        Aggregate V in the base and the end year [unit of V].
    delta : float
        V^T − V^0 [unit of V] (= Σ additive effects).
    ratio : float
        V^T / V^0 [-] (= Π multiplicative effects; NaN when V^0 = 0).
    """

    method: Method
    effects: FloatArray
    contributions: FloatArray
    v0: float
    vT: float  # noqa: N815 — the notation of Ang (2005)
    delta: float
    ratio: float


@dataclass(frozen=True, eq=False)
class LmdiSeries:
    """Decompositions over P periods (chained year to year, or one base-to-end period).

    Attributes
    ----------
    method : {"additive", "multiplicative"}
    chained : bool
    effects : ndarray, shape (P, K)
        Per period and factor: ΔV_k [unit of V] or D_k [-].
    contributions : ndarray, shape (P, I, K)
        Additive contributions per period, sub-category and factor [unit of V].
    v0, vT : ndarray, shape (P,)
        Aggregate at the start and the end of each period [unit of V].
    start, end : ndarray of int, shape (P,)
        Index (into the year axis of the input) of each period's start and end.
    """

    method: Method
    chained: bool
    effects: FloatArray
    contributions: FloatArray
    v0: FloatArray
    vT: FloatArray  # noqa: N815 — the notation of Ang (2005)
    start: NDArray[np.int64]
    end: NDArray[np.int64]


def logarithmic_mean(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Logarithmic mean L(a, b) = (a − b) / (ln a − ln b), element-wise.

    Parameters
    ----------
    a, b : array_like
        Non-negative values [any unit, the same for both].

    Returns
    -------
    ndarray
        L(a, b) [unit of a]; L(a, a) = a and L(a, 0) = L(0, b) = 0 (the limits).

    References
    ----------
    .. [1] B.W. Ang, Energy Policy 33 (2005) 867–871, eq. (2).
    """
    a_ = np.asarray(a, dtype=float)
    b_ = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.log(a_) - np.log(b_)
        out = _lmean(a_, b_, d)
    return np.where((a_ == 0) | (b_ == 0), 0.0, out)


def _lmean(a: FloatArray, b: FloatArray, d: FloatArray) -> FloatArray:
    """L(a, b) given d = ln a − ln b (finite a, b > 0 assumed; others give garbage)."""
    small = np.abs(d) < _SERIES_BELOW
    return np.where(small, np.sqrt(a * b) * (1.0 + d * d / 24.0), (a - b) / np.where(small, 1.0, d))


def _contributions(
    x0: FloatArray, xt: FloatArray, lnx0: FloatArray, lnxt: FloatArray, v0: FloatArray, vt: FloatArray
) -> FloatArray:
    """C_ik for arrays shaped (..., I, K), with the zero limits of Ang & Liu (2007)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dlnx = lnxt - lnx0
        c: FloatArray = _lmean(vt, v0, dlnx.sum(axis=-1))[..., None] * dlnx
    z0 = x0 == 0
    zt = xt == 0
    if not (z0.any() or zt.any()):
        return c
    n0 = z0.sum(axis=-1)
    nt = zt.sum(axis=-1)
    hit = np.nonzero((n0 > 0) | (nt > 0))  # only these sub-categories (and periods) change
    n0h, nth = n0[hit], nt[hit]
    fix = np.zeros((n0h.size, c.shape[-1]))
    appear = (n0h > 0) & (nth == 0)
    vanish = (n0h == 0) & (nth > 0)
    fix[appear] = z0[hit][appear] * (vt[hit][appear] / n0h[appear])[:, None]
    fix[vanish] = zt[hit][vanish] * (-v0[hit][vanish] / nth[vanish])[:, None] + 0.0
    c[hit] = fix  # both zero (appears and vanishes): 0 through every factor
    return c


def _check_values(
    x: FloatArray,
    categories: Sequence[object],
    factors: Sequence[object],
    years: Sequence[object],
    rows: NDArray[np.int64] | None = None,
) -> None:
    """Refuse negative or non-finite factors in ``x`` (Y, I, K), located."""
    bad = ~(np.isfinite(x) & (x >= 0))
    if not bad.any():
        return
    where = np.argwhere(bad)
    problems = []
    for y, i, k in where[:_MAX_PROBLEMS]:
        value = x[y, i, k]
        code = "lmdi_negative" if np.isfinite(value) else "lmdi_not_finite"
        problems.append(
            Problem(
                code,
                column=str(factors[k]),
                value=float(value),
                row=None if rows is None else int(rows[y, i]),
                fields={"category": categories[i], "year": years[y]},
            )
        )
    raise InputError(problems, count=len(where))


def _names(given: Sequence[object] | None, n: int, prefix: str) -> list[object]:
    return list(given) if given is not None else [f"{prefix} {j + 1}" for j in range(n)]


def lmdi_series(
    x: ArrayLike,
    method: Method = "additive",
    *,
    chained: bool = True,
    categories: Sequence[object] | None = None,
    factors: Sequence[object] | None = None,
    years: Sequence[object] | None = None,
    _rows: NDArray[np.int64] | None = None,
) -> LmdiSeries:
    """LMDI-I over a series of years, chained year to year or base-to-end.

    Parameters
    ----------
    x : array_like, shape (Y, I, K)
        Factor values per year, sub-category and factor [each factor in its own unit;
        their product per sub-category in the unit of V]. Non-negative.
    method : {"additive", "multiplicative"}
    chained : bool
        True: Y − 1 periods (y, y + 1); False: one period (first year, last year).
    categories, factors, years : sequence, optional
        Labels used in error messages only.

    Returns
    -------
    LmdiSeries
        Effects per period and factor; chained additive effects sum over periods to
        V^last − V^first, chained multiplicative effects multiply to V^last / V^first.

    Raises
    ------
    InputError
        Fewer than two years, a wrong shape, a negative or non-finite factor (located by
        category, factor and year), or — multiplicative — a year whose total is zero.

    References
    ----------
    .. [1] B.W. Ang, Energy Policy 33 (2005) 867–871.
    .. [2] B.W. Ang, N. Liu, Energy Policy 35 (2007) 238–246 (zero values).
    """
    arr = np.asarray(x, dtype=float)
    if method not in ("additive", "multiplicative"):
        raise InputError(
            [
                Problem(
                    "bad_enum", column="method", value=method, fields={"allowed": "additive, multiplicative"}
                )
            ]
        )
    if arr.ndim != 3:
        raise InputError([Problem("lmdi_shape", value=f"shape {arr.shape}")])
    n_y, n_i, n_k = arr.shape
    if n_y < 2:
        raise InputError([Problem("lmdi_too_few_years", column="year", value=n_y)])
    cats = _names(categories, n_i, "sub-category")
    facs = _names(factors, n_k, "factor")
    yrs = _names(years, n_y, "year")
    _check_values(arr, cats, facs, yrs, _rows)

    if chained:
        start = np.arange(n_y - 1, dtype=np.int64)
        end = start + 1
        x0, xt = arr[:-1], arr[1:]
    else:
        start = np.zeros(1, dtype=np.int64)
        end = np.full(1, n_y - 1, dtype=np.int64)
        x0, xt = arr[:1], arr[-1:]
    with np.errstate(divide="ignore"):
        lnx = np.log(arr)
    lnx0, lnxt = (lnx[:-1], lnx[1:]) if chained else (lnx[:1], lnx[-1:])
    v = arr.prod(axis=-1)  # (Y, I)
    v0_i, vt_i = v[start], v[end]
    contrib = _contributions(x0, xt, lnx0, lnxt, v0_i, vt_i)
    effects = contrib.sum(axis=1)  # (P, K)
    total = v.sum(axis=1)  # (Y,)
    v0, vt = total[start], total[end]
    if method == "multiplicative":
        used = np.union1d(start, end)
        zero = used[total[used] <= 0]
        if zero.size:
            raise InputError(
                [Problem("lmdi_total_zero", value=float(total[j]), fields={"year": yrs[j]}) for j in zero]
            )
        effects = np.exp(effects / logarithmic_mean(vt, v0)[:, None])
    return LmdiSeries(
        method=method,
        chained=chained,
        effects=effects,
        contributions=contrib,
        v0=v0,
        vT=vt,
        start=start,
        end=end,
    )


def lmdi_decompose(
    x0: ArrayLike,
    xT: ArrayLike,  # noqa: N803 — the notation of Ang (2005)
    method: Method = "additive",
    *,
    categories: Sequence[object] | None = None,
    factors: Sequence[object] | None = None,
) -> LmdiResult:
    """LMDI-I decomposition of V = Σ_i Π_k x_ik between a base and an end year.

    Parameters
    ----------
    x0, xT : array_like, shape (I, K)
        Factor values of each sub-category (rows) and factor (columns) in the base year
        and the end year [each factor in its own unit]. Non-negative.
    method : {"additive", "multiplicative"}
        Additive effects ΔV_k [unit of V] or multiplicative effects D_k [-].
    categories, factors : sequence, optional
        Labels used in error messages only.

    Returns
    -------
    LmdiResult
        ``effects`` (K,), ``contributions`` (I, K) additive, ``v0``, ``vT``, ``delta``
        and ``ratio``. Σ_k ΔV_k = ``delta`` and Π_k D_k = ``ratio`` to rounding.

    Raises
    ------
    InputError
        Shapes that differ or are not 2-D; a negative or non-finite factor (located by
        sub-category, factor and year "0" or "T"); multiplicative with V^0 or V^T zero.

    References
    ----------
    .. [1] B.W. Ang, "The LMDI approach to decomposition analysis: a practical guide",
       Energy Policy 33 (2005) 867–871.
    .. [2] B.W. Ang, N. Liu, "Handling zero values in the logarithmic mean Divisia index
       decomposition approach", Energy Policy 35 (2007) 238–246.

    Examples
    --------
    The LMDIR fixture (LMDI-01): V goes from 80 to 180.

    >>> r = lmdi_decompose([[1, 10, 2], [4, 5, 3]], [[4, 5, 3], [5, 6, 4]])
    >>> r.effects.round(6).tolist(), r.delta
    ([69.790066, -9.455126, 39.66506], 100.0)
    """
    a0 = np.asarray(x0, dtype=float)
    at = np.asarray(xT, dtype=float)
    if a0.ndim != 2 or a0.shape != at.shape:
        raise InputError([Problem("lmdi_shape", value=f"x0 {a0.shape}, xT {at.shape}")])
    s = lmdi_series(
        np.stack([a0, at]),
        method,
        chained=True,
        categories=categories,
        factors=factors,
        years=["base year (0)", "end year (T)"],
    )
    v0, vt = float(s.v0[0]), float(s.vT[0])
    return LmdiResult(
        method=method,
        effects=s.effects[0],
        contributions=s.contributions[0],
        v0=v0,
        vT=vt,
        delta=vt - v0,
        ratio=vt / v0 if v0 > 0 else float("nan"),
    )


def lmdi_frame(
    df: pd.DataFrame,
    factor_cols: Sequence[str],
    *,
    year_col: str = "year",
    category_col: str = "category",
    method: Method = "additive",
    chained: bool = True,
    by_category: bool = False,
) -> pd.DataFrame:
    """LMDI-I of a long table (one row per year and sub-category, one column per factor).

    Parameters
    ----------
    df : DataFrame
        Columns ``year_col`` (int), ``category_col`` and ``factor_cols`` (non-negative,
        each in its own unit; their product is the sub-category's v in the unit of V).
        Every sub-category needs a row in every year: one that appears or disappears
        gives a row whose zero factor says through which factor it does. A ``row``
        column, if present, numbers the rows in error messages (else 1, 2, …).
    factor_cols : sequence of str
        The factors, in the order of the identity.
    year_col, category_col : str
    method : {"additive", "multiplicative"}
    chained : bool
        True: one period per pair of consecutive years; False: first year to last year.
    by_category : bool
        True: one row per period, sub-category and factor (the additive contributions,
        whatever the method); False: one row per period and factor.

    Returns
    -------
    DataFrame
        :data:`EFFECT_COLUMNS`: ``year_from``, ``year_to``, ``factor``, ``effect``
        (additive: [unit of V]; multiplicative: [-]), ``v_from``, ``v_to`` (the aggregate
        V in both years [unit of V]); with ``by_category`` also ``category``. Per period,
        additive effects sum to ``v_to − v_from`` and multiplicative ones multiply to
        ``v_to / v_from``.

    Raises
    ------
    InputError
        Every problem found: missing columns, non-numeric or negative values (located by
        row, category, factor and year), duplicate or missing (category, year) rows,
        fewer than two years.

    References
    ----------
    .. [1] B.W. Ang, Energy Policy 33 (2005) 867–871.
    .. [2] B.W. Ang, N. Liu, Energy Policy 35 (2007) 238–246.
    """
    factor_cols = list(factor_cols)
    missing = [c for c in [year_col, category_col, *factor_cols] if c not in df.columns]
    if missing or not factor_cols:
        raise InputError([Problem("missing_column", column=c) for c in missing or ["<factor>"]])
    d = df.reset_index(drop=True)
    rows = d["row"].to_numpy(dtype=np.int64) if "row" in d else np.arange(1, len(d) + 1, dtype=np.int64)
    problems: list[Problem] = []
    year_num = pd.to_numeric(d[year_col], errors="coerce").to_numpy(dtype=float)
    bad_year = ~np.isfinite(year_num) | (year_num != np.round(year_num))
    problems += [
        Problem("not_a_number", column=year_col, value=d[year_col].iat[j], row=int(rows[j]))
        for j in np.flatnonzero(bad_year)[:_MAX_PROBLEMS]
    ]
    values = np.empty((len(d), len(factor_cols)))
    for k, col in enumerate(factor_cols):
        num = pd.to_numeric(d[col], errors="coerce").to_numpy(dtype=float)
        nan_in = num != num  # noqa: PLR0124 — NaN test without a second pass
        raw_nan = d[col].isna().to_numpy()
        problems += [
            Problem("not_a_number", column=col, value=d[col].iat[j], row=int(rows[j]))
            for j in np.flatnonzero(nan_in & ~raw_nan)[:_MAX_PROBLEMS]
        ]
        values[:, k] = num
    if problems:
        raise InputError(problems)
    years = year_num.astype(np.int64)
    uniq_years = np.unique(years)
    if uniq_years.size < 2:
        raise InputError(
            [Problem("lmdi_too_few_years", column=year_col, value=", ".join(map(str, uniq_years)) or "-")]
        )
    cat_codes, cats = pd.factorize(d[category_col], sort=False)
    yi = np.searchsorted(uniq_years, years)
    n_y, n_i, n_k = uniq_years.size, len(cats), len(factor_cols)
    flat = yi * n_i + cat_codes
    order = np.argsort(flat, kind="stable")
    dup = np.flatnonzero(flat[order][1:] == flat[order][:-1]) + 1
    if dup.size:
        first = pd.Series(order).groupby(flat[order]).transform("first").to_numpy()
        raise InputError(
            [
                Problem(
                    "lmdi_duplicate_row",
                    column=category_col,
                    value=cats[cat_codes[order[j]]],
                    row=int(rows[order[j]]),
                    fields={
                        "category": cats[cat_codes[order[j]]],
                        "year": int(years[order[j]]),
                        "first_row": int(rows[first[j]]),
                    },
                )
                for j in dup[:_MAX_PROBLEMS]
            ]
        )
    x = np.full((n_y * n_i, n_k), np.nan)
    x[flat] = values
    row_at = np.zeros(n_y * n_i, dtype=np.int64)
    row_at[flat] = rows
    present = np.zeros(n_y * n_i, dtype=bool)
    present[flat] = True
    absent = np.flatnonzero(~present)
    if absent.size:
        raise InputError(
            [
                Problem(
                    "lmdi_missing_row",
                    column=category_col,
                    value=cats[j % n_i],
                    fields={"category": cats[j % n_i], "year": int(uniq_years[j // n_i])},
                )
                for j in absent[:_MAX_PROBLEMS]
            ],
            count=absent.size,
        )
    s = lmdi_series(
        x.reshape(n_y, n_i, n_k),
        method,
        chained=chained,
        categories=list(cats),
        factors=factor_cols,
        years=[int(y) for y in uniq_years],
        _rows=row_at.reshape(n_y, n_i),
    )
    n_p = s.start.size
    y_from, y_to = uniq_years[s.start], uniq_years[s.end]
    if by_category:
        shape = (n_p, n_i, n_k)
        return pd.DataFrame(
            {
                "year_from": np.broadcast_to(y_from[:, None, None], shape).ravel(),
                "year_to": np.broadcast_to(y_to[:, None, None], shape).ravel(),
                "category": np.broadcast_to(np.asarray(cats, dtype=object)[None, :, None], shape).ravel(),
                "factor": np.broadcast_to(
                    np.asarray(factor_cols, dtype=object)[None, None, :], shape
                ).ravel(),
                "effect": s.contributions.ravel(),
                "v_from": np.broadcast_to(s.v0[:, None, None], shape).ravel(),
                "v_to": np.broadcast_to(s.vT[:, None, None], shape).ravel(),
            }
        )
    return pd.DataFrame(
        {
            "year_from": np.repeat(y_from, n_k),
            "year_to": np.repeat(y_to, n_k),
            "factor": np.tile(np.asarray(factor_cols, dtype=object), n_p),
            "effect": s.effects.ravel(),
            "v_from": np.repeat(s.v0, n_k),
            "v_to": np.repeat(s.vT, n_k),
        }
    )
