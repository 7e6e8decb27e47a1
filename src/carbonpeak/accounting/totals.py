"""Totals of an inventory by enterprise, year and source category, location- and market-based,
as a long frame (one row per key and category, as pyam's long format) — pure.

Every gas is in its category (:func:`carbonpeak.accounting.engine.split_pfc`: PFCs under
``pfc``), and a year's total is its annual rows when it has any, else the sum of its months
(:func:`carbonpeak.accounting.summary.in_total_mask`), so the categories of an enterprise-year
add up to its total (``category`` = :data:`TOTAL`). 等价值 (``energy_tce_equal_value``) is NaN
for a group with any line lacking it — never a silent 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from carbonpeak.accounting.engine import split_pfc
from carbonpeak.accounting.summary import SUM_FIELDS, in_total_mask

__all__ = ["TOTAL", "category_totals"]

#: The ``category`` of the all-categories row of a key.
TOTAL = "total"


def category_totals(lines: pd.DataFrame, by: Sequence[str] = ("enterprise", "year")) -> pd.DataFrame:
    """Totals per *by* key and source category, and per key over all categories.

    Parameters
    ----------
    lines : DataFrame
        The engine's output (:func:`~carbonpeak.accounting.engine.compute_inventory`),
        with columns *by* (``year`` among them), ``month`` (NaN for an annual row; absent =
        every row annual) and ``category``.
    by : sequence of str
        The key columns; ``year`` must be one of them.

    Returns
    -------
    DataFrame
        Columns *by*, ``category`` (a source category or :data:`TOTAL`) and
        :data:`~carbonpeak.accounting.summary.SUM_FIELDS` — ``co2_t``, ``co2_market_t``,
        ``cf4_t``, ``c2f6_t`` [t], ``co2e_t`` (location-based), ``co2e_market_t``
        (market-based) [t CO2e], ``energy_tce``, ``energy_tce_equal_value`` [tce]; sorted by
        key, each key's categories then its total.
    """
    keys = list(by)
    cols = [*keys, "category", *SUM_FIELDS]
    if lines.empty:
        return pd.DataFrame(columns=cols)
    frame = lines if "month" in lines else lines.assign(month=np.nan)
    others = tuple(k for k in keys if k != "year")
    annual = split_pfc(frame[in_total_mask(frame, by=others)], ordered=False)
    annual = annual.assign(**{k: annual[k].astype(str) for k in others})
    parts = []
    for extra in (["category"], []):
        group = [annual[k] for k in (*keys, *extra)]
        sums = annual.groupby(group, observed=True, sort=True)[SUM_FIELDS].sum()
        eq_missing = annual["energy_tce_equal_value"].isna().groupby(group, observed=True).any()
        sums.loc[eq_missing[eq_missing].index, "energy_tce_equal_value"] = np.nan
        sums = sums.reset_index()
        if not extra:
            sums["category"] = TOTAL
        parts.append(sums[cols])
    out = pd.concat(parts, ignore_index=True)
    order = out["category"].eq(TOTAL).astype(int)
    return (
        out.assign(_o=order)
        .sort_values([*keys, "_o", "category"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
