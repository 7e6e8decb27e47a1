"""Every carrier accounted: the electricity 等价值 a user sets, and the years it is missing.

- :func:`parse_equal_value` — a user's 等价值 (``0.3055`` for every year, ``2022=0.3055`` for
  one) as the (year, kgce/kWh) pairs of
  :attr:`carbonpeak.accounting.factors.AccountingChoices.equal_value`.
- :func:`equal_value_notices` — one warning per data year whose electricity has no 等价值
  coefficient: the year's 等价值 total is unavailable (NaN in the engine, ``null`` outside),
  never a total with electricity silently left out.

等价值 (equal value) converts electricity at the coal used to generate and supply it — the
year's national average 供电标准煤耗 [kgce/kWh] — where 当量值 (equivalent value) uses its
heat content, 0.1229 kgce/kWh (GB/T 2589-2008 附录A). Only 2020's 305.5 gce/kWh is sourced
(refdata ``accounting/electricity_equal_value``); other years need the user's value.

References
----------
.. [1] GB/T 2589-2008 综合能耗计算通则, 附录A (电力当量值 0.1229 kgce/kWh).
.. [2] NBS energy-balance notes: electricity at the year's average generation coal rate (V,
   ../shared/reference/research-2026-12.md §4).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from carbonpeak.accounting.factors import FactorTables
from carbonpeak.errors import InputError, Problem

__all__ = ["equal_value_notices", "parse_equal_value"]


def parse_equal_value(texts: Iterable[str]) -> tuple[tuple[int, float], ...]:
    """(year, kgce/kWh) pairs from ``0.3055`` (year 0: every year) or ``2022=0.3055`` texts.

    Raises
    ------
    InputError
        ``equal_value_bad_option`` for a text that is neither form (every bad text named).
    """
    pairs: list[tuple[int, float]] = []
    bad: list[Problem] = []
    for text in texts:
        year, sep, value = str(text).strip().partition("=")
        try:
            pairs.append((int(year), float(value)) if sep else (0, float(year)))
        except ValueError:
            bad.append(Problem("equal_value_bad_option", column="equal_value", value=text))
    if bad:
        raise InputError(bad)
    return tuple(pairs)


def equal_value_notices(lines: pd.DataFrame, f: FactorTables) -> list[Problem]:
    """``equal_value_unavailable`` for each data year with electricity but no 等价值 coefficient.

    Parameters
    ----------
    lines : DataFrame
        The engine's output (``kind``, ``year``, ``energy_tce_equal_value`` [tce]).
    f : FactorTables
        The run's factor tables (the years with a coefficient, for the message).
    """
    if lines.empty or "energy_tce_equal_value" not in lines:
        return []
    elec = lines["kind"].astype(str).to_numpy() == "electricity"
    gap = elec & np.isnan(lines["energy_tce_equal_value"].to_numpy(dtype=float))
    published = (
        ", ".join(
            str(y)
            for y in f.equal_value.index
            if not str(f.equal_value.at[y, "row_id"]).split("#", 1)[-1].startswith("user:")
        )
        or "—"
    )
    return [
        Problem(
            "equal_value_unavailable",
            column="year",
            value=int(y),
            fields={"year": int(y), "published": published},
        )
        for y in sorted(set(lines["year"].to_numpy()[gap].astype(int).tolist()))
    ]
