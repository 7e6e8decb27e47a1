"""The inventory engine: activity lines in, emissions by gas and source and energy in tce out.

One vectorised pass over a long frame (a whole province is one call). Formulas, by the
kind of the item (其他有色金属冶炼和压延加工业 guideline, 2015; 电解铝 guideline, 2013;
GB/T 2589; see docs/methods.md for symbols, units and sources):

============== =========================================================================
kind           CO2 [t]
============== =========================================================================
fuel           FC × NCV × CC × OF × 44/12        (NCV GJ/unit, CC tC/TJ ÷ 1000 → tC/GJ)
reductant      Q × EF                             (EF tCO2/unit)
carbonate      Q × EF × PUR                       (stoichiometric EF, purity)
oxalic_acid    Q × 0.349 × PUR
electricity    AD × EF_grid(year)                 (location-based; exported is negative)
               market-based: (AD − green) × EF_residual(year)
heat           AD × EF_heat                       (0.11 tCO2/GJ)
aluminium      P_Al × NC × (1 − S − A) × 44/12    (anode); PFC: P_Al × EF_CF4/1000 [t CF4]
============== =========================================================================

CO2e = CO2 + Σ_gas m_gas × GWP_gas (the GWP set of the method, overridable).
Comprehensive energy: Q × coefficient (GB/T 2589 Annex A, kcal-based, 当量值 for
electricity); a fuel without a tabulated coefficient uses NCV / 29.307 GJ/tce.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbonpeak.accounting.factors import KGCE_PER_GJ, FactorTables
from carbonpeak.errors import InputError, Problem

__all__ = ["CATEGORIES", "OUTPUT_COLUMNS", "REDUCTANT_BASE", "compute_inventory"]

C_TO_CO2 = 44.0 / 12.0
#: The aluminium parameters the default (Tier 1) anode and PFC calculation uses.
TIER1_ALUMINIUM = ("net_anode_consumption", "anode_sulfur", "anode_ash", "ef_cf4", "ef_c2f6")

#: Source categories, in report order (zh, en).
CATEGORIES: dict[str, tuple[str, str]] = {
    "combustion": ("化石燃料燃烧", "Fossil-fuel combustion"),
    "feedstock": ("能源作为原材料用途", "Energy as raw material (reductants)"),
    "carbonate": ("碳酸盐分解", "Carbonate decomposition"),
    "oxalate": ("草酸分解", "Oxalic-acid decomposition"),
    "anode": ("阳极消耗", "Anode consumption"),
    "pfc": ("阳极效应 PFC", "Anode-effect PFCs"),
    "electricity": ("净购入电力", "Net purchased electricity"),
    "heat": ("净购入热力", "Net purchased heat"),
    "none": ("无排放（产量/经济量/耗能工质）", "No emission (output, economic, energy media)"),
}

#: The fuel a reductant is, for its energy content (tce).
REDUCTANT_BASE = {"reductant_coke": "coke", "reductant_anthracite": "anthracite",
                  "reductant_natural_gas": "natural_gas", "reductant_semi_coke": "coke"}

OUTPUT_COLUMNS = [
    "kind", "category", "co2_t", "co2_market_t", "cf4_t", "c2f6_t", "co2e_t", "co2e_market_t",
    "energy_tce", "energy_tce_equal_value", "factor_ids",
]

_KIND_CATEGORY = {"fuel": "combustion", "reductant": "feedstock", "carbonate": "carbonate",
                  "oxalic_acid": "oxalate", "electricity": "electricity",
                  "green_electricity": "electricity", "heat": "heat", "aluminium": "anode"}


def _by_year(table: pd.DataFrame, years: np.ndarray, col: str,
             policy: str = "nearest") -> tuple[np.ndarray, np.ndarray]:
    """Value and row id for each year.

    ``strict``: the row of exactly that year, else NaN. ``nearest``: the newest row with
    year ≤ the year, else the earliest row (a base year before the first publication); the
    row id returned names the year actually used.
    """
    n = len(years)
    if table.empty:
        return np.full(n, np.nan), np.full(n, "", dtype=object)
    idx = table.index.to_numpy()
    pos = np.searchsorted(idx, years, side="right") - 1
    if policy == "strict":
        ok = (pos >= 0) & (idx[np.clip(pos, 0, None)] == years)
    else:
        ok = np.ones(n, dtype=bool)
        pos = np.clip(pos, 0, None)
    pos = np.clip(pos, 0, None)
    vals = np.where(ok, table[col].to_numpy(dtype=float)[pos], np.nan)
    ids = np.where(ok, table["row_id"].to_numpy(dtype=object)[pos], "")
    return vals.astype(float), ids.astype(object)


def _ids(*parts: pd.Series) -> pd.Series:
    out = parts[0].fillna("")
    for part in parts[1:]:
        nxt = part.fillna("")
        out = out.where(nxt == "", out.where(out == "", out + ";") + nxt)
    # the same row can serve twice (a fuel's NCV for CO2 and for tce): cite it once
    uniq = {v: ";".join(dict.fromkeys(v.split(";"))) for v in out.unique()}
    return out.map(uniq)


def compute_inventory(activity: pd.DataFrame, f: FactorTables) -> pd.DataFrame:
    """Compute emissions and energy for every activity line.

    Parameters
    ----------
    activity : DataFrame
        Columns ``item`` (an item id of the factor set), ``quantity`` (in the item's
        canonical unit, ≥ 0), ``year`` (int); optional ``purity`` (fraction, carbonates
        and oxalic acid), and any others (``enterprise``, ``line``, ``period``, ``row``),
        which are carried through.
    f : FactorTables
        From :func:`carbonpeak.accounting.factors.load_factors`.

    Returns
    -------
    DataFrame
        The input columns plus :data:`OUTPUT_COLUMNS`: ``co2_t`` (location-based),
        ``co2_market_t`` (market-based electricity), ``cf4_t``, ``c2f6_t``, ``co2e_t``
        [t CO2e], ``energy_tce`` (当量值) and ``energy_tce_equal_value`` (electricity at
        等价值), ``factor_ids`` (``table#row`` ids joined by ``;``).

    Raises
    ------
    InputError
        One located problem per row with an unknown item, a missing factor, or a year
        outside the method's or the grid series' validity; nothing is returned.
    """
    a = activity.reset_index(drop=True)
    n = len(a)
    item = a["item"].astype(str)
    q_raw = a["quantity"].to_numpy(dtype=float)
    year = a["year"].to_numpy(dtype=int)
    items = f.items.reindex(item)
    kind = items["kind"].fillna("unknown").to_numpy(dtype=object)
    sign = items["sign"].fillna(1).to_numpy(dtype=float)
    q = q_raw * sign
    problems = _validate(a, kind, year, f)

    is_ = {k: kind == k for k in set(_KIND_CATEGORY) | {"unknown"}}
    fuel = f.fuels.reindex(item)
    red = f.reductants.reindex(item)
    carb = f.carbonates.reindex(item)
    purity = (a["purity"].to_numpy(dtype=float) if "purity" in a
              else np.full(n, np.nan))
    purity = np.where(np.isnan(purity), carb["default_purity"].to_numpy(dtype=float), purity)

    for mask, frame, what in ((is_["fuel"], fuel, "ncv_gj"), (is_["reductant"], red, "ef_tco2"),
                              (is_["carbonate"] | is_["oxalic_acid"], carb, "ef_tco2_per_t")):
        missing = mask & np.isnan(frame[what].to_numpy(dtype=float))
        problems += [_p(a, int(i), "no_factor", item=item.iat[int(i)], method=f.method.id)
                     for i in np.flatnonzero(missing)]

    grid_ef, grid_id = _by_year(f.grid, year, "ef_tco2_per_mwh", f.grid_year_policy)
    res_ef, res_id = _by_year(f.residual_grid, year, "ef_tco2_per_mwh", f.grid_year_policy)
    elec = is_["electricity"]
    green = is_["green_electricity"]
    bad_grid = elec & np.isnan(grid_ef)
    problems += [_p(a, int(i), "period_outside_validity", value=int(year[i]),
                    what=f"grid factor {f.grid_series}/{f.grid_region}")
                 for i in np.flatnonzero(bad_grid)]
    if problems:
        raise InputError(problems)

    zero = np.zeros(n)
    co2_comb = np.where(is_["fuel"], q * fuel["ncv_gj"].to_numpy(dtype=float)
                        * fuel["cc_tc_per_tj"].to_numpy(dtype=float) / 1000.0
                        * fuel["oxidation"].to_numpy(dtype=float) * C_TO_CO2, zero)
    co2_red = np.where(is_["reductant"], q * red["ef_tco2"].to_numpy(dtype=float), zero)
    co2_carb = np.where(is_["carbonate"] | is_["oxalic_acid"],
                        q * carb["ef_tco2_per_t"].to_numpy(dtype=float) * purity, zero)
    co2_elec = np.where(elec, q * grid_ef, zero)
    res = np.nan_to_num(res_ef, nan=0.0)
    co2_elec_mkt = np.where(elec, q * np.where(np.isnan(res_ef), grid_ef, res_ef), zero)
    co2_green_mkt = np.where(green, -q * np.where(np.isnan(res_ef), 0.0, res), zero)
    co2_heat = np.where(is_["heat"], q * f.heat_ef, zero)

    al = f.aluminium
    p_al = np.where(is_["aluminium"] & (item.to_numpy() == "primary_aluminium"), q, zero)
    co2_anode = p_al * al.get("net_anode_consumption", 0.0) * (
        1.0 - al.get("anode_sulfur", 0.0) - al.get("anode_ash", 0.0)) * C_TO_CO2
    cf4 = p_al * al.get("ef_cf4", 0.0) / 1000.0
    c2f6 = p_al * al.get("ef_c2f6", 0.0) / 1000.0

    co2 = co2_comb + co2_red + co2_carb + co2_elec + co2_heat + co2_anode
    co2_market = co2 - co2_elec + co2_elec_mkt + co2_green_mkt
    pfc_e = cf4 * f.gwp.get("CF4", np.nan) + c2f6 * f.gwp.get("C2F6", np.nan)
    pfc_e = np.where(p_al > 0, pfc_e, 0.0)

    # --- comprehensive energy (GB/T 2589) ----------------------------------------------
    energy_item = item.map(lambda x: REDUCTANT_BASE.get(x, x))
    coef = f.tce["tce_per_unit"].reindex(energy_item).to_numpy(dtype=float)
    coef_id = f.tce["row_id"].reindex(energy_item).fillna("").to_numpy(dtype=object)
    base_fuel = f.fuels.reindex(energy_item)
    ncv_tce = base_fuel["ncv_gj"].to_numpy(dtype=float) * KGCE_PER_GJ / 1000.0
    energy_kinds = is_["fuel"] | is_["reductant"] | elec | is_["heat"] | (kind == "energy_medium")
    use_ncv = energy_kinds & np.isnan(coef) & ~np.isnan(ncv_tce)
    coef = np.where(use_ncv, ncv_tce, coef)
    coef_id = np.where(use_ncv, base_fuel["row_id"].fillna("").to_numpy(dtype=object), coef_id)
    tce = np.where(energy_kinds, q * np.nan_to_num(coef, nan=0.0), zero)
    # 等价值: a yearly parameter; where the factor set has none for the year, NaN (never a
    # silent substitute: the equal-value total is then reported as unavailable)
    eq_val, eq_id = _by_year(f.equal_value, year, "tce_per_mwh", "strict")
    tce_equal = np.where(elec, q * eq_val, tce)

    category = pd.Series(kind).map(_KIND_CATEGORY).fillna("none").to_numpy(dtype=object)
    s = pd.Series
    fid = _ids(
        s(items["row_id"].to_numpy(dtype=object)),
        s(np.where(is_["fuel"], fuel["row_id"].to_numpy(dtype=object), "")),
        s(np.where(is_["reductant"], red["row_id"].to_numpy(dtype=object), "")),
        s(np.where(is_["carbonate"] | is_["oxalic_acid"], carb["row_id"].to_numpy(dtype=object),
                   "")),
        s(np.where(elec, grid_id, "")),
        s(np.where(elec | green, res_id, "")),
        s(np.where(is_["heat"], f.heat_row, "")),
        s(np.where(p_al > 0, ";".join(f.aluminium_rows[k] for k in TIER1_ALUMINIUM
                                      if k in f.aluminium_rows), "")),
        s(np.where(p_al > 0, ";".join(f.gwp_rows.get(g, "") for g in ("CF4", "C2F6")), "")),
        s(np.where(energy_kinds, coef_id, "")),
        s(np.where(elec, eq_id, "")),
    )
    out = a.copy()
    out["kind"] = kind
    out["category"] = category
    out["co2_t"] = co2
    out["co2_market_t"] = co2_market
    out["cf4_t"] = cf4
    out["c2f6_t"] = c2f6
    out["co2e_t"] = co2 + pfc_e
    out["co2e_market_t"] = co2_market + pfc_e
    out["energy_tce"] = tce
    out["energy_tce_equal_value"] = tce_equal
    out["factor_ids"] = fid.to_numpy()
    return out


def _p(a: pd.DataFrame, i: int, code: str, **fields: object) -> Problem:
    row = int(a["row"].to_numpy()[i]) if "row" in a else i + 1
    file = str(a["file"].iat[i]) if "file" in a else None
    return Problem(code, column="item" if code != "period_outside_validity" else "period",
                   value=fields.pop("value", a["item"].iat[i]), row=row, file=file,
                   fields=fields)


def _validate(a: pd.DataFrame, kind: np.ndarray, year: np.ndarray,
              f: FactorTables) -> list[Problem]:
    problems = [_p(a, int(i), "unknown_item") for i in np.flatnonzero(kind == "unknown")]
    if (q := a["quantity"].to_numpy(dtype=float)).size and (bad := np.flatnonzero(q < 0)).size:
        problems += [_p(a, int(i), "negative", value=q[i]) for i in bad]
    m = f.method
    lo = m.valid_from.year if m.valid_from else -10_000
    hi = m.valid_to.year if m.valid_to else 10_000
    out = np.flatnonzero((year < lo) | (year > hi))
    problems += [_p(a, int(i), "period_outside_validity", value=int(year[i]), what=m.id)
                 for i in out]
    return problems
