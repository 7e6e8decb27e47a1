"""Warnings about a computed inventory: figures that are right by the rules but that a
verifier must be told about — pure functions over the engine's output.

- :func:`green_surplus` — per enterprise and period, green power (traded green power and
  certificates) above the net purchased electricity: market-based electricity is zero, never
  negative (:func:`carbonpeak.accounting.engine.compute_inventory`), and the surplus is
  reported here.
- :func:`inventory_notices` — those surpluses and the lines whose CO2 was not computed (a
  fuel with a GB/T 2589 coefficient but no emission factor in the method, as 原煤), as
  located :class:`~carbonpeak.errors.Problem` warnings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbonpeak.accounting.factors import FactorTables
from carbonpeak.errors import Problem

__all__ = ["fuels_without_factor", "green_surplus", "inventory_notices"]

_SURPLUS_COLUMNS = ["consumption_mwh", "green_mwh", "surplus_mwh", "row", "position"]


def _keys(lines: pd.DataFrame) -> list[str]:
    return [c for c in ("enterprise",) if c in lines] + (["period"] if "period" in lines else ["year"])


def green_surplus(lines: pd.DataFrame, f: FactorTables) -> pd.DataFrame:
    """Green power above consumption, per enterprise and period.

    Parameters
    ----------
    lines : DataFrame
        The engine's output (``item``, ``kind``, ``quantity`` [MWh for electricity items],
        ``enterprise`` and ``period`` when given, else ``year``).
    f : FactorTables
        The factor tables of the run (the items' signs: exported electricity counts
        negative).

    Returns
    -------
    DataFrame
        One row per enterprise-period whose green volume exceeds its net purchased
        electricity: ``consumption_mwh`` (net purchased, ≥ 0 where not a net exporter),
        ``green_mwh``, ``surplus_mwh`` = green − max(consumption, 0) [MWh], ``row`` and
        ``position`` (the first green line's row number and position in *lines*), indexed
        by the period keys.
    """
    green = (lines["kind"] == "green_electricity").to_numpy(dtype=bool)
    if not green.any():
        return pd.DataFrame(columns=_SURPLUS_COLUMNS)
    elec = (lines["kind"] == "electricity").to_numpy(dtype=bool)
    sel = np.flatnonzero(elec | green)  # the electricity lines only: a small part of a file
    sub = lines.iloc[sel]
    g_sub = green[sel]
    sign = pd.to_numeric(sub["item"].map(f.items["sign"].to_dict()), errors="coerce")
    q = sub["quantity"].to_numpy(dtype=float) * np.nan_to_num(sign.to_numpy(dtype=float), nan=1.0)
    keys = _keys(lines)
    frame = pd.DataFrame(
        {
            **{k: sub[k].array for k in keys},  # categorical / Arrow text kept as they are
            "consumption_mwh": np.where(g_sub, 0.0, q),
            "green_mwh": np.where(g_sub, sub["quantity"].to_numpy(dtype=float), 0.0),
            "position": np.where(g_sub, sel, np.iinfo(np.int64).max),
        }
    )
    g = frame.groupby(keys, sort=True, observed=True).agg(
        consumption_mwh=("consumption_mwh", "sum"),
        green_mwh=("green_mwh", "sum"),
        position=("position", "min"),
    )
    g["surplus_mwh"] = g["green_mwh"] - np.maximum(g["consumption_mwh"], 0.0)
    g = g[g["surplus_mwh"] > 1e-9]  # each of these has a green line: its position is real
    rows = lines["row"].to_numpy(dtype=np.int64) if "row" in lines else np.arange(1, len(lines) + 1)
    g["row"] = rows[g["position"].to_numpy(dtype=np.int64)]
    out: pd.DataFrame = g[_SURPLUS_COLUMNS]
    return out


def fuels_without_factor(lines: pd.DataFrame, f: FactorTables) -> np.ndarray:
    """True for the fuel lines whose CO2 was not computed: the item has a GB/T 2589
    coefficient (its energy is counted) but no emission factor in the method (原煤)."""
    out: np.ndarray = (lines["kind"] == "fuel").to_numpy(dtype=bool, copy=True)
    if out.any():
        out[out] = ~lines["item"][out].astype(str).isin(f.fuels.index).to_numpy(dtype=bool)
    return out


def _row(lines: pd.DataFrame, i: int) -> int:
    return int(lines["row"].to_numpy(dtype=np.int64)[i]) if "row" in lines else i + 1


def _file(lines: pd.DataFrame, i: int) -> str | None:
    return str(lines["file"].iat[i]) if "file" in lines else None


def inventory_notices(lines: pd.DataFrame, f: FactorTables) -> list[Problem]:
    """The warnings of a computed inventory, located (file, row): ``green_power_surplus``
    (green power above consumption; market-based set to zero, surplus in MWh) and
    ``co2_needs_measured_factor`` (a fuel line with energy but no CO2: the method has no
    default factor, a measured one is needed)."""
    out: list[Problem] = []
    surplus = green_surplus(lines, f)
    if not surplus.empty:
        for key, rec in surplus.iterrows():
            i = int(rec["position"])
            key_t = key if isinstance(key, tuple) else (key,)
            out.append(
                Problem(
                    "green_power_surplus",
                    column="quantity",
                    value=round(float(rec["green_mwh"]), 6),
                    row=_row(lines, i),
                    file=_file(lines, i),
                    fields={
                        "where": " ".join(str(k) for k in key_t),
                        "consumption": round(float(rec["consumption_mwh"]), 6),
                        "surplus": round(float(rec["surplus_mwh"]), 6),
                    },
                )
            )
    for j in np.flatnonzero(fuels_without_factor(lines, f)):
        k = int(j)
        out.append(
            Problem(
                "co2_needs_measured_factor",
                column="item",
                value=str(lines["item"].iat[k]),
                row=_row(lines, k),
                file=_file(lines, k),
                fields={"method": f.method.id},
            )
        )
    return out
