"""Plausibility of reported figures against physical bounds (pure; warnings, never rejections).

Two checks a verifier makes before anything else:

* **Potline AC power within the electricity available.** The AC power metered on the
  electrolysis potlines (activity item ``al_ac_power``, 铝液交流电耗的电解槽交流电量) is part of
  the electricity the plant receives: it cannot exceed purchased plus self-generated
  electricity in the same period::

      warn  ⇔  Σ AC power [MWh] > Σ electricity available [MWh]   (same enterprise, same period)

* **Unit-product energy in a plausible range.** A line's unit-product comprehensive energy
  e = 1000 × Σ E [tce] / Σ P [t] [kgce/t] (GB/T 2589; the same figure the benchmark grades),
  or a potline's AC power per tonne of molten aluminium [kWh/t], outside the range of its
  product in ``benchmark/plausible_ranges`` (a fifth of the 1级 to five times the 3级 of the
  limit row held: a screening rule of this platform, wide on purpose, each row naming the row
  it was derived from) is a warning — a unit (kWh for MWh, t for 万t) or a boundary error.

References
----------
.. [1] GB 21346-2022 电解铝和氧化铝单位产品能源消耗限额, 6.2.1 (铝液交流电耗).
.. [2] GB/T 2589-2020 综合能耗计算通则 (comprehensive energy).
.. [3] refdata/sources.toml ``carbonpeak_plausibility_convention`` (the range rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.refdata import loader

__all__ = ["RANGES_TABLE", "ac_power_above_available", "load_ranges", "outside_range", "range_product"]

RANGES_TABLE = "benchmark/plausible_ranges"


def load_ranges(factor_set: str | None = None) -> pd.DataFrame:
    """The plausible ranges of a factor set (default: the latest) as a frame: ``range_id``
    (``benchmark/plausible_ranges#<id>``), ``product``, ``indicator``, ``low``, ``high``
    [``value_unit``], ``limit_id`` (the limit row it was derived from), ``basis``."""
    fs = loader.factor_set(factor_set)
    table = fs.tables[RANGES_TABLE] if RANGES_TABLE in fs.tables else loader.load_table(RANGES_TABLE)
    return pd.DataFrame(
        [
            {
                "range_id": f"{RANGES_TABLE}#{r['id']}",
                "product": r["product"],
                "indicator": r["indicator"],
                "low": float(r["low"]),
                "high": float(r["high"]),
                "value_unit": r["value_unit"],
                "limit_id": r["limit_id"],
                "basis": r["basis"],
            }
            for r in table
        ],
        columns=["range_id", "product", "indicator", "low", "high", "value_unit", "limit_id", "basis"],
    )


def ac_power_above_available(ac_power_mwh: Any, available_mwh: Any) -> np.ndarray:
    """Where the potlines' AC power exceeds the electricity available.

    Parameters
    ----------
    ac_power_mwh : array_like
        Σ potline AC power of an enterprise in a period [MWh].
    available_mwh : array_like
        Σ purchased and self-generated electricity of the same enterprise and period [MWh]
        (0 where none is reported).

    Returns
    -------
    ndarray of bool
        True where ``ac_power_mwh > available_mwh`` (NaN compares False).

    Examples
    --------
    >>> ac_power_above_available([1200.0, 900.0], [1000.0, 1000.0]).tolist()
    [True, False]
    """
    ac = np.asarray(ac_power_mwh, dtype=float)
    av = np.asarray(available_mwh, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.asarray(ac > np.nan_to_num(av, nan=0.0), dtype=bool)


def range_product(
    product: str | None,
    route: str | None,
    indicator: str,
    ranges: pd.DataFrame,
    graded_by: Mapping[str, Sequence[str]],
    route_products: Mapping[str, Sequence[str]],
) -> str | None:
    """The limit product whose range applies to a line for *indicator*: the first of the
    line product's limit products (``graded_by``) that has one, else the first of its route's
    (``route_products``: route → limit products whose rows govern the route), else None."""
    have = set(ranges.loc[ranges["indicator"] == indicator, "product"])
    candidates = list(graded_by.get(product, ())) if product else list(route_products.get(route or "", ()))
    return next((p for p in candidates if p in have), None)


def outside_range(frame: pd.DataFrame, ranges: pd.DataFrame) -> pd.DataFrame:
    """The rows of *frame* whose value lies outside the range of their product.

    Parameters
    ----------
    frame : DataFrame
        ``product`` (limit product, None where no range applies), ``indicator``, ``value``
        [the range's unit: kgce/t or kWh/t]; other columns are carried through.
    ranges : DataFrame
        From :func:`load_ranges`.

    Returns
    -------
    DataFrame
        The offending rows with ``low``, ``high``, ``value_unit``, ``basis``, ``range_id``.
    """
    if frame.empty:
        return frame.assign(low=np.nan, high=np.nan, value_unit=None, basis=None, range_id=None)
    m = frame.reset_index(drop=True).merge(ranges, on=["product", "indicator"], how="inner")
    v = m["value"].to_numpy(dtype=float)
    bad = np.isfinite(v) & ((v < m["low"].to_numpy(dtype=float)) | (v > m["high"].to_numpy(dtype=float)))
    out: pd.DataFrame = m[bad].reset_index(drop=True)
    return out
