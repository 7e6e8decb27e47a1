"""The scenario base year, bottom-up: inventory item totals → one row per (metal, route,
city) with output, energy by carrier, emission factors and process intensity — the table
:func:`carbonpeak.scenarios.projection.base_year` projects. Pure (frames in, frame out).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.scenarios.projection import BASE_COLUMNS, GROUP_COLUMNS

__all__ = [
    "BASE_SUM_FIELDS",
    "GAS_FUELS",
    "LMDI_FACTORS",
    "OIL_FUELS",
    "PROCESS_CATEGORIES",
    "base_frame",
    "base_frame_from_sums",
    "carrier_of",
    "carrier_sums",
    "lmdi_identity",
]

#: Factors of the LMDI identity CO2 = Σ_(group, carrier) Q · S · I · M · F.
LMDI_FACTORS = ("activity_t", "structure", "intensity_tce_per_t", "mix", "ef_tco2_per_tce")

#: Fuels counted as gas and as oil (every other fuel burnt is coal).
GAS_FUELS = frozenset(
    {
        "natural_gas",
        "lng",
        "lpg",
        "refinery_gas",
        "coke_oven_gas",
        "blast_furnace_gas",
        "converter_gas",
        "other_gas",
        "semi_coke_gas",
        "producer_gas",
    }
)
OIL_FUELS = frozenset(
    {"crude_oil", "fuel_oil", "gasoline", "diesel", "kerosene", "coal_tar", "crude_benzene", "naphtha"}
)
#: Inventory categories whose CO2 is process CO2 (per t of output in the projection).
PROCESS_CATEGORIES = frozenset({"feedstock", "carbonate", "oxalate", "anode"})


def carrier_of(item: str) -> str:
    """The carrier of a fuel: gas, oil, or (every other fuel) coal."""
    return "gas" if item in GAS_FUELS else "oil" if item in OIL_FUELS else "coal"


#: Per production line (or enterprise level) and period, what the base year is built from:
#: ``energy_abs_tce`` (Σ|energy| [tce], the weight that shares enterprise-level rows among
#: the enterprise's lines), ``output_t`` [t], ``electricity_mwh`` and ``heat_gj`` (net of
#: exports), their CO2 [t], process CO2 [t], ``feedstock_tce``, fuel energy [tce] and CO2 [t]
#: by carrier, and ``co2_t`` (every row) [t]. The store keeps them per run and line
#: (``inventory_base_total``), so the scenario base and the LMDI history never reread the
#: fact table's rows.
BASE_SUM_FIELDS = (
    "energy_abs_tce",
    "output_t",
    "electricity_mwh",
    "heat_gj",
    "electricity_co2_t",
    "heat_co2_t",
    "process_co2_t",
    "feedstock_tce",
    "coal_tce",
    "gas_tce",
    "oil_tce",
    "coal_co2_t",
    "gas_co2_t",
    "oil_co2_t",
    "co2_t",
)


def carrier_sums(rows: pd.DataFrame, keys: list[str], *, signs: Mapping[str, float]) -> pd.DataFrame:
    """:data:`BASE_SUM_FIELDS` summed per *keys* group of inventory rows.

    Parameters
    ----------
    rows : DataFrame
        Inventory rows (the engine's output or the store's fact rows that make a year's
        total): ``item``, ``kind``, ``category``, ``quantity`` [canonical unit], ``co2_t``
        [t], ``energy_tce`` [tce] and the *keys* columns.
    keys : list of str
        Grouping columns, e.g. ``["run_id", "line_code"]``.
    signs : mapping
        Item → sign (−1 for exported energy), refdata ``accounting/items``.

    Returns
    -------
    DataFrame
        Indexed by *keys*, one column per :data:`BASE_SUM_FIELDS`. Linear in the rows: the
        sums of two sets of rows are the sums of their union.
    """
    item = rows["item"].astype(str)
    kind = rows["kind"].astype(str)
    cat = rows["category"].astype(str)
    qty = rows["quantity"].to_numpy(dtype=float)
    co2 = rows["co2_t"].to_numpy(dtype=float)
    tce = rows["energy_tce"].to_numpy(dtype=float)
    sign = item.map(dict(signs)).fillna(1.0).to_numpy(dtype=float)
    fuel = (kind == "fuel").to_numpy()
    carrier = np.where(fuel, item.map(carrier_of), "")
    cols: dict[str, Any] = {
        "energy_abs_tce": np.abs(tce),
        "output_t": np.where(item == "product_output", qty, 0.0),
        "electricity_mwh": np.where(kind == "electricity", qty * sign, 0.0),
        "heat_gj": np.where(kind == "heat", qty * sign, 0.0),
        "electricity_co2_t": np.where(cat == "electricity", co2, 0.0),
        "heat_co2_t": np.where(cat == "heat", co2, 0.0),
        "process_co2_t": np.where(cat.isin(PROCESS_CATEGORIES), co2, 0.0),
        "feedstock_tce": np.where(cat == "feedstock", tce, 0.0),
    }
    for c in ("coal", "gas", "oil"):
        cols[f"{c}_tce"] = np.where(carrier == c, tce, 0.0)
    for c in ("coal", "gas", "oil"):
        cols[f"{c}_co2_t"] = np.where(carrier == c, co2, 0.0)
    cols["co2_t"] = co2
    frame = pd.DataFrame(cols, index=rows.index)
    grouped: pd.DataFrame = frame.groupby([rows[k] for k in keys], observed=True, sort=True).sum()
    return grouped[list(BASE_SUM_FIELDS)]


def base_frame(
    lines: pd.DataFrame,
    register: pd.DataFrame,
    city_of: Mapping[int, str],
    *,
    signs: Mapping[str, float],
    default_ef_per_tce: Mapping[str, float],
    route_kinds: Mapping[str, str],
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The bottom-up base-year table of one year from inventory item totals.

    Parameters
    ----------
    lines : DataFrame
        One year's item totals: ``enterprise_id``, ``line_code`` ("" for enterprise-level
        rows), ``item``, ``kind``, ``category``, ``quantity`` [canonical unit], ``co2_t`` [t],
        ``energy_tce`` [tce].
    register : DataFrame
        ``enterprise_id, line_code, metal, route`` of the production lines.
    city_of : mapping
        Enterprise id → city code.
    signs : mapping
        Item → sign (−1 for exported energy), refdata ``accounting/items``.
    default_ef_per_tce : mapping
        ``coal``/``gas``/``oil`` → combustion CO2 per tce [tCO2/tce], used where a group
        burns no fuel of a carrier.
    route_kinds : mapping
        Route → kind (primary, secondary, processing).

    Returns
    -------
    (DataFrame, dict)
        As :func:`base_frame_from_sums`, of the lines' :func:`carrier_sums` per enterprise
        and production line.
    """
    d = lines.assign(line_code=lines["line_code"].fillna("").astype(str))
    sums = carrier_sums(d, ["enterprise_id", "line_code"], signs=signs).reset_index()
    return base_frame_from_sums(
        sums, register, city_of, default_ef_per_tce=default_ef_per_tce, route_kinds=route_kinds
    )


def base_frame_from_sums(
    sums: pd.DataFrame,
    register: pd.DataFrame,
    city_of: Mapping[int, str],
    *,
    default_ef_per_tce: Mapping[str, float],
    route_kinds: Mapping[str, str],
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The bottom-up base-year table of one year from per-line :func:`carrier_sums`.

    Parameters
    ----------
    sums : DataFrame
        One year's :data:`BASE_SUM_FIELDS` per ``enterprise_id`` and ``line_code`` ("" for
        enterprise-level rows), as :func:`carrier_sums` gives them and the store keeps them.
    register, city_of, default_ef_per_tce, route_kinds
        As :func:`base_frame`.

    Returns
    -------
    (DataFrame, dict)
        One row per (metal, route, city) with output: the projection's
        :data:`~carbonpeak.scenarios.projection.BASE_COLUMNS`, ``route_kind``,
        ``feedstock_tce`` and ``co2_t`` [t]; and the reconciliation (``inventory_co2_t``,
        ``left_out_co2_t``, ``groups_left_out``). Enterprise-level rows (and rows of a line
        the register does not hold) are shared among the enterprise's lines by their energy
        (Σ|energy|) that year.
    """
    num = list(BASE_SUM_FIELDS)
    d = sums.assign(line_code=sums["line_code"].fillna("").astype(str))
    known = d.merge(register, on=["enterprise_id", "line_code"], how="left")
    on_line = known["metal"].notna().to_numpy()
    weights = (
        known[on_line]
        .rename(columns={"energy_abs_tce": "w"})
        .groupby(["enterprise_id", "line_code", "metal", "route"], as_index=False)["w"]
        .sum()
    )
    weights["w"] = weights["w"].where(weights.groupby("enterprise_id")["w"].transform("sum") > 0, 1.0)
    weights["w"] = weights["w"] / weights.groupby("enterprise_id")["w"].transform("sum")
    rest = d[~on_line].drop(columns=["line_code"]).merge(weights, on="enterprise_id", how="inner")
    rest[num] = rest[num].mul(rest["w"], axis=0)
    rows = pd.concat([known[on_line], rest.drop(columns=["w"])], ignore_index=True)
    rows["city"] = rows["enterprise_id"].map(city_of)
    sum_cols = [c for c in num if c not in ("energy_abs_tce", "co2_t")]
    g = rows.groupby(GROUP_COLUMNS, as_index=False, sort=True)[sum_cols].sum()
    inventory_co2 = float(rows["co2_t"].sum())
    for c in ("electricity_mwh", "heat_gj", "coal_tce", "gas_tce", "oil_tce"):
        g[c] = g[c].clip(lower=0.0)
    defaults = default_ef_per_tce

    def ratio(num_: str, den: str, fallback: float) -> pd.Series:
        tot_n, tot_d = float(g[num_].sum()), float(g[den].sum())
        scope = tot_n / tot_d if tot_d > 0 else fallback
        with np.errstate(divide="ignore", invalid="ignore"):
            return pd.Series(np.where(g[den] > 0, g[num_] / g[den], scope), index=g.index)

    for c in ("coal", "gas", "oil"):
        g[f"ef_{c}_tco2_per_tce"] = ratio(f"{c}_co2_t", f"{c}_tce", defaults[c])
    g["ef_electricity_tco2_per_mwh"] = ratio("electricity_co2_t", "electricity_mwh", 0.0)
    g["ef_heat_tco2_per_gj"] = ratio("heat_co2_t", "heat_gj", 0.0)
    co2 = g[["coal_co2_t", "gas_co2_t", "oil_co2_t", "electricity_co2_t", "heat_co2_t", "process_co2_t"]].sum(
        axis=1
    )
    g["co2_t"] = co2
    has_output = g["output_t"] > 0
    left = g[~has_output]
    g = g[has_output].reset_index(drop=True)
    g["process_co2_t_per_t"] = (g["process_co2_t"] / g["output_t"]).clip(lower=0.0)
    g["route_kind"] = g["route"].map(dict(route_kinds)).fillna("")
    frame = g[["metal", "route", "route_kind", "city", *BASE_COLUMNS, "feedstock_tce", "co2_t"]]
    rec = {
        "inventory_co2_t": inventory_co2,
        "left_out_co2_t": float(left["co2_t"].sum()),
        "groups_left_out": [
            dict(zip(GROUP_COLUMNS, k, strict=True)) for k in left[GROUP_COLUMNS].itertuples(False)
        ],
    }
    return frame, rec


def _identity_rows(
    key: pd.DataFrame,
    energy: dict[str, np.ndarray],
    co2: dict[str, np.ndarray],
    process: np.ndarray,
    output: np.ndarray,
) -> pd.DataFrame:
    """Rows (group × carrier, plus a process row) of CO2 = Q · S · I · M · F for one period.

    Q total output [t]; S the group's share of it; I the group's energy [tce] per t; M the
    carrier's share of the group's energy; F CO2 per tce of the carrier. The process row
    holds I = M = 1 and F = process CO2 per t, so it moves with activity, structure and F.
    """
    q_total = float(output.sum())
    e_total = sum(energy.values())
    label = key[GROUP_COLUMNS].astype(str).agg("/".join, axis=1).to_numpy()
    parts = []
    with np.errstate(divide="ignore", invalid="ignore"):
        s = output / q_total if q_total > 0 else np.zeros_like(output)
        intensity = np.where(output > 0, e_total / output, 0.0)
        for carrier, e in energy.items():
            parts.append(
                pd.DataFrame(
                    {
                        "category": [f"{lbl}/{carrier}" for lbl in label],
                        "activity_t": q_total,
                        "structure": s,
                        "intensity_tce_per_t": intensity,
                        "mix": np.where(e_total > 0, e / e_total, 0.0),
                        "ef_tco2_per_tce": np.where(e > 0, co2[carrier] / e, 0.0),
                    }
                )
            )
        parts.append(
            pd.DataFrame(
                {
                    "category": [f"{lbl}/process" for lbl in label],
                    "activity_t": q_total,
                    "structure": s,
                    "intensity_tce_per_t": 1.0,
                    "mix": 1.0,
                    "ef_tco2_per_tce": np.where(output > 0, process / output, 0.0),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    num = list(LMDI_FACTORS)
    out[num] = out[num].clip(lower=0.0)
    return out


def _group_arrays(
    frame: pd.DataFrame, tce_per_mwh: float, tce_per_gj: float
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray]:
    energy = {
        "coal": frame["coal_tce"].to_numpy(float),
        "gas": frame["gas_tce"].to_numpy(float),
        "oil": frame["oil_tce"].to_numpy(float),
        "electricity": tce_per_mwh * frame["electricity_mwh"].to_numpy(float),
        "heat": tce_per_gj * frame["heat_gj"].to_numpy(float),
    }
    co2 = {
        "coal": frame["coal_tce"].to_numpy(float) * frame["ef_coal_tco2_per_tce"].to_numpy(float),
        "gas": frame["gas_tce"].to_numpy(float) * frame["ef_gas_tco2_per_tce"].to_numpy(float),
        "oil": frame["oil_tce"].to_numpy(float) * frame["ef_oil_tco2_per_tce"].to_numpy(float),
        "electricity": frame["electricity_mwh"].to_numpy(float)
        * frame["ef_electricity_tco2_per_mwh"].to_numpy(float),
        "heat": frame["heat_gj"].to_numpy(float) * frame["ef_heat_tco2_per_gj"].to_numpy(float),
    }
    process = frame["output_t"].to_numpy(float) * frame["process_co2_t_per_t"].to_numpy(float)
    return energy, co2, process


def lmdi_identity(
    frames: Mapping[Any, pd.DataFrame], *, tce_per_mwh: float, tce_per_gj: float
) -> pd.DataFrame:
    """The long LMDI table over periods: for each period's base-year frame (:func:`base_frame`),
    the rows of CO2 = Σ Q · S · I · M · F (:data:`LMDI_FACTORS`), every group present in every
    period (zeros where absent). Electricity and heat count in the energy mix at *tce_per_mwh*
    [tce/MWh] and *tce_per_gj* [tce/GJ]."""
    keys = pd.concat([f[GROUP_COLUMNS] for f in frames.values()]).drop_duplicates().sort_values(GROUP_COLUMNS)
    parts = []
    for label, f in frames.items():
        full = keys.merge(f[[*GROUP_COLUMNS, *BASE_COLUMNS]], on=GROUP_COLUMNS, how="left")
        full[BASE_COLUMNS] = full[BASE_COLUMNS].astype(float).fillna(0.0)
        energy, co2, process = _group_arrays(full, tce_per_mwh, tce_per_gj)
        parts.append(
            _identity_rows(full, energy, co2, process, full["output_t"].to_numpy(float)).assign(year=label)
        )
    return pd.concat(parts, ignore_index=True)
