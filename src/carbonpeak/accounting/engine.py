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
               market-based: (AD − green) × EF_residual(year), at least 0 per enterprise
               and period (green power above consumption deducts nothing more)
heat           AD × EF_heat                       (0.11 tCO2/GJ)
aluminium      P_Al × NC × (1 − S − A) × 44/12    (anode); PFC: P_Al × EF_CF4/1000 [t CF4],
               booked under the ``pfc`` category (:func:`split_pfc`, :func:`category_sums`);
               EF by the overvoltage or slope method, Tier 1 or the guideline default
               (:mod:`carbonpeak.accounting.measured`)
al_parameter   0 (a measured potline parameter, used by its primary-aluminium line)
indicator      0 (no energy either: e.g. al_ac_power, the potlines' metered AC power
               [kWh], a benchmark figure; the electricity is under electricity_purchased)
============== =========================================================================

A line's measured parameters (NCV, carbon content, oxidation rate; NC, S, A, AEM, AEO, CE)
replace the defaults for that line and are cited in its ``factor_ids``.

CO2e = CO2 + Σ_gas m_gas × GWP_gas (the GWP set of the method, overridable).
Comprehensive energy: Q × coefficient (GB/T 2589 Annex A, kcal-based, 当量值 for
electricity); a fuel without a tabulated coefficient uses NCV / 29.307 GJ/tce; a fuel with a
coefficient but no emission factor in the method (原煤) counts its energy and no CO2 (a
warning of :mod:`carbonpeak.accounting.notices`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from carbonpeak import catalogue
from carbonpeak.accounting import measured as ms
from carbonpeak.accounting.factors import KGCE_PER_GJ, FactorTables
from carbonpeak.errors import InputError, Problem

__all__ = [
    "CATEGORIES",
    "NUMERIC_OUTPUTS",
    "OUTPUT_COLUMNS",
    "PFC_CATEGORY",
    "REDUCTANT_BASE",
    "category_sums",
    "compute_inventory",
    "split_pfc",
]

C_TO_CO2 = 44.0 / 12.0
#: The aluminium parameters the default (Tier 1) anode and PFC calculation uses.
TIER1_ALUMINIUM = ("net_anode_consumption", "anode_sulfur", "anode_ash", "ef_cf4", "ef_c2f6")

#: Source categories, in report order (zh, en).
#: From catalogue/source_categories.toml (key -> zh, en); new entries go there.
CATEGORIES: dict[str, tuple[str, str]] = catalogue.pairs("source_categories")

#: The category of the perfluorocarbons (CF4, C2F6) of any line: every gas in its category.
PFC_CATEGORY = "pfc"

#: The fuel a reductant is, for its energy content (tce).
REDUCTANT_BASE = {
    "reductant_coke": "coke",
    "reductant_anthracite": "anthracite",
    "reductant_natural_gas": "natural_gas",
    "reductant_semi_coke": "coke",
}

OUTPUT_COLUMNS = [
    "kind",
    "category",
    "co2_t",
    "co2_market_t",
    "cf4_t",
    "c2f6_t",
    "co2e_t",
    "co2e_market_t",
    "energy_tce",
    "energy_tce_equal_value",
    "factor_ids",
]

_KIND_CATEGORY = {
    "fuel": "combustion",
    "reductant": "feedstock",
    "carbonate": "carbonate",
    "oxalic_acid": "oxalate",
    "electricity": "electricity",
    "green_electricity": "electricity",
    "heat": "heat",
    "aluminium": "anode",
}


_WORKERS = max(1, min(4, os.cpu_count() or 1))
_Y0, _NY = 1900, 301  # years 1900..2200 index the per-year lookup tables


def _year_table(table: pd.DataFrame, col: str, policy: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-year value and row position (into ``table``) for years 1900..2200.

    ``strict``: the row of exactly that year, else NaN / −1. ``nearest``: the newest row with
    year ≤ the year, else the earliest row (a base year before the first publication); the
    row id cited names the year actually used.
    """
    vals, pos = np.full(_NY, np.nan), np.full(_NY, -1, dtype=np.int64)
    if table.empty:
        return vals, pos
    idx = table.index.to_numpy(dtype=np.int64)
    years = np.arange(_Y0, _Y0 + _NY)
    p = np.searchsorted(idx, years, side="right") - 1
    ok = (p >= 0) & (idx[np.clip(p, 0, None)] == years) if policy == "strict" else np.ones(_NY, dtype=bool)
    p = np.clip(p, 0, None)
    vals = np.where(ok, table[col].to_numpy(dtype=float)[p], np.nan)
    return vals, np.where(ok, p, -1)


def _item_codes(item: pd.Series, cats: pd.Index) -> np.ndarray:
    """Integer code of each row's item in *cats* (−1 if unknown); fast for categoricals."""
    if isinstance(item.dtype, pd.CategoricalDtype):
        return np.asarray(item.cat.set_categories(cats).cat.codes, dtype=np.int64)
    return np.asarray(pd.Categorical(item, categories=cats).codes, dtype=np.int64)


def _col(frame: pd.DataFrame, cats: pd.Index, col: str) -> np.ndarray:
    """Column *col* of a per-item frame aligned to *cats*, NaN where absent, with a last
    slot (index −1) for unknown items."""
    return np.append(frame[col].reindex(cats).to_numpy(dtype=float), np.nan)


def _ids_col(frame: pd.DataFrame, cats: pd.Index) -> np.ndarray:
    return np.append(frame["row_id"].reindex(cats).fillna("").to_numpy(dtype=object), "")


def compute_inventory(activity: pd.DataFrame, f: FactorTables) -> pd.DataFrame:
    """Compute emissions and energy for every activity line.

    Parameters
    ----------
    activity : DataFrame
        Columns ``item`` (an item id of the factor set; a categorical is fastest),
        ``quantity`` (in the item's canonical unit, ≥ 0), ``year`` (int); optional
        ``purity`` (fraction, carbonates and oxalic acid), the measured parameters of
        :mod:`carbonpeak.accounting.measured` (``ncv_gj``, ``cc_tc_per_tj``,
        ``cc_tc_per_unit``, ``oxidation`` on fuel lines; ``technology`` and the potline
        columns on primary-aluminium lines; potline parameter items as their own rows),
        a stored line's ``factor_ids`` (its measured values are restored), and any others
        (``enterprise``, ``line``, ``period``, ``row``), which are carried through.
    f : FactorTables
        From :func:`carbonpeak.accounting.factors.load_factors`.

    Returns
    -------
    DataFrame
        The input columns plus :data:`OUTPUT_COLUMNS`: ``co2_t`` (location-based),
        ``co2_market_t`` (market-based electricity), ``cf4_t``, ``c2f6_t``, ``co2e_t``
        [t CO2e], ``energy_tce`` (当量值) and ``energy_tce_equal_value`` (electricity at
        等价值; NaN where the factor set has no coefficient for the year), ``factor_ids``
        (categorical; ``table#row`` ids joined by ``;``).

    Raises
    ------
    InputError
        One located problem per row with an unknown item, a negative quantity, a missing
        factor (primary aluminium under a method without the aluminium parameters too), or a
        year outside the method's or the grid series' validity (the residual-mix series'
        under the ``strict`` policy).

    Notes
    -----
    Market-based electricity is at least zero per enterprise and period (``enterprise`` and
    ``period`` when given, else ``year``): where green power exceeds the net purchases its
    lines are scaled so the group's market figure is 0 (:func:`_market_floor`).
    """
    a = ms.attach_potline_parameters(ms.restore_inputs(activity.reset_index(drop=True)))
    cats = f.items.index
    code = _item_codes(a["item"], cats)
    q_raw = a["quantity"].to_numpy(dtype=float)
    year = a["year"].to_numpy(dtype=np.int64)
    yi = np.clip(year - _Y0, 0, _NY - 1)

    # --- per-item tables (one slot per item, plus a last slot for unknown items) ----------
    kinds = np.append(f.items["kind"].to_numpy(dtype=object), "unknown")
    kind_names = sorted(set(kinds))
    kind_of_item = np.asarray([kind_names.index(k) for k in kinds], dtype=np.int64)

    def item_is(*names: str) -> np.ndarray:
        return np.isin(kinds, names)

    fuel_i, red_i, carb_i = item_is("fuel"), item_is("reductant"), item_is("carbonate", "oxalic_acid")
    elec_i, green_i, heat_i = item_is("electricity"), item_is("green_electricity"), item_is("heat")
    energy_i = fuel_i | red_i | elec_i | heat_i | item_is("energy_medium")
    pal_i = np.append(np.asarray(cats == "primary_aluminium"), False)
    sign_i = np.append(f.items["sign"].to_numpy(dtype=float), 1.0)
    ncv = _col(f.fuels, cats, "ncv_gj")
    fuel_ef = ncv * _col(f.fuels, cats, "cc_tc_per_tj") / 1000.0 * _col(f.fuels, cats, "oxidation") * C_TO_CO2
    red_ef = _col(f.reductants, cats, "ef_tco2")
    default_pur = _col(f.carbonates, cats, "default_purity")
    carb_ef = _col(f.carbonates, cats, "ef_tco2_per_t") * default_pur
    al = f.aluminium
    anode_ef = (
        al.get("net_anode_consumption", 0.0)
        * (1.0 - al.get("anode_sulfur", 0.0) - al.get("anode_ash", 0.0))
        * C_TO_CO2
    )
    cf4_i = np.where(pal_i, al.get("ef_cf4", 0.0) / 1000.0, 0.0)
    c2f6_i = np.where(pal_i, al.get("ef_c2f6", 0.0) / 1000.0, 0.0)
    pfc_i = np.where(pal_i, cf4_i * f.gwp.get("CF4", np.nan) + c2f6_i * f.gwp.get("C2F6", np.nan), 0.0)
    # CO2 per canonical unit for the kinds whose factor does not depend on the year
    co2_i = (
        np.select(
            [fuel_i, red_i, carb_i, heat_i, pal_i],
            [fuel_ef, red_ef, carb_ef, np.full(len(kinds), f.heat_ef), np.full(len(kinds), anode_ef)],
            0.0,
        )
        * sign_i
    )
    missing_i = (
        (fuel_i & np.isnan(fuel_ef))
        | (red_i & np.isnan(red_ef))
        | (carb_i & np.isnan(carb_ef))
        | (pal_i & np.isnan(pfc_i))  # a GWP set without CF4 or C2F6: never a NaN CO2e
        # primary aluminium under a method without the aluminium parameters: never a silent 0
        | (pal_i & any(p not in al for p in TIER1_ALUMINIUM))
    )
    co2_i = np.nan_to_num(co2_i, nan=0.0)

    base = pd.Index([REDUCTANT_BASE.get(c, c) for c in cats])
    coef_i = f.tce["tce_per_unit"].reindex(base).to_numpy(dtype=float)
    coef_id_i = f.tce["row_id"].reindex(base).fillna("").to_numpy(dtype=object)
    ncv_tce_i = f.fuels["ncv_gj"].reindex(base).to_numpy(dtype=float) * KGCE_PER_GJ / 1000.0
    fuel_id_i = f.fuels["row_id"].reindex(base).fillna("").to_numpy(dtype=object)
    use_ncv_i = np.isnan(coef_i) & ~np.isnan(ncv_tce_i)
    tce_i = np.append(np.where(use_ncv_i, ncv_tce_i, coef_i), np.nan)
    # a fuel with a GB/T 2589 coefficient but no emission factor in the method (原煤): its
    # energy is computed, its CO2 needs a measured factor (co2_t 0, see fuels_without_factor)
    missing_i &= ~(fuel_i & ~np.isnan(tce_i))
    tce_i = np.where(energy_i, np.nan_to_num(tce_i, nan=0.0), 0.0) * sign_i
    coef_id_i = np.append(np.where(use_ncv_i, fuel_id_i, coef_id_i), "")

    # --- per-year tables ------------------------------------------------------------------
    grid_v, grid_p = _year_table(f.grid, "ef_tco2_per_mwh", f.grid_year_policy)
    res_v, res_p = _year_table(f.residual_grid, "ef_tco2_per_mwh", f.residual_year_policy)
    eq_v, eq_p = _year_table(f.equal_value, "tce_per_mwh", "strict")
    res_or_grid = np.where(np.isnan(res_v), grid_v, res_v)
    res0 = np.nan_to_num(res_v, nan=0.0)

    # --- every output is q × a coefficient of (item, year): build the (item × year) tables
    e_, g_, s_ = elec_i[:, None], green_i[:, None], sign_i[:, None]
    grid_term = np.where(e_, s_ * grid_v[None, :], 0.0)
    co2_tab = co2_i[:, None] + grid_term
    market_tab = (
        co2_i[:, None] + np.where(e_, s_ * res_or_grid[None, :], 0.0) - np.where(g_, res0[None, :], 0.0)
    )
    pfc_tab = np.broadcast_to(pfc_i[:, None], co2_tab.shape)
    tce_tab = np.broadcast_to(tce_i[:, None], co2_tab.shape)
    tables = {
        "co2_t": co2_tab,
        "co2_market_t": market_tab,
        "cf4_t": np.broadcast_to(cf4_i[:, None], co2_tab.shape),
        "c2f6_t": np.broadcast_to(c2f6_i[:, None], co2_tab.shape),
        "co2e_t": co2_tab + pfc_tab,
        "co2e_market_t": market_tab + pfc_tab,
        "energy_tce": tce_tab,
        "energy_tce_equal_value": np.where(e_, s_ * eq_v[None, :], tce_tab),
    }
    # a key is bad when its factor is missing, or it is electricity in a year without a
    # grid factor; rows are checked against the key table in one pass
    bad_key = np.broadcast_to(missing_i[:, None], co2_tab.shape) | (e_ & np.isnan(grid_v)[None, :])
    # "strict": a year without a published residual-mix factor is refused for the market figure
    # too (never the location factor, or no deduction, in its place)
    strict_res = f.residual_year_policy == "strict" and not f.residual_grid.empty
    res_gap = (e_ | g_) & np.isnan(res_v)[None, :] & strict_res
    bad_key = bad_key | res_gap

    # --- validation (problems are only built when something is wrong) -----------------
    kcode = kind_of_item[code]
    key = np.where(code < 0, len(kinds) - 1, code) * _NY + yi
    problems = _validate(a, code < 0, q_raw, year, f)
    problems += ms.measured_problems(a, code, fuel_i, pal_i)
    bad_rows = bad_key.ravel()[key]
    if bad_rows.any():
        for i in np.flatnonzero(bad_rows):
            c = int(code[i])
            if missing_i[c]:
                problems.append(
                    _p(a, int(i), "no_factor", item=str(a["item"].iat[int(i)]), method=f.method.id)
                )
            else:
                y = int(yi[i])
                series = (
                    f"grid factor {f.grid_series}/{f.grid_region}"
                    if elec_i[c] and np.isnan(grid_v[y])
                    else f"residual-mix factor {f.residual_series}/CN"
                )
                problems.append(_p(a, int(i), "period_outside_validity", value=int(year[i]), what=series))
    if problems:
        raise InputError(problems)

    # --- the pass: per output column, one gather and one multiply, in parallel chunks ---
    cols = _apply_tables(q_raw, key, {k: np.ascontiguousarray(v).ravel() for k, v in tables.items()})
    cols.index = a.index
    if "purity" in a and carb_i[code].any():
        pur = a["purity"].to_numpy(dtype=float)
        adj = carb_i[code] & ~np.isnan(pur)
        if adj.any():  # a reported purity replaces the default one (carbonates only)
            scale = np.where(adj, pur / default_pur[code], 1.0)
            for k in ("co2_t", "co2_market_t", "co2e_t", "co2e_market_t"):
                cols[k] = cols[k].to_numpy() * scale

    cite = np.full(len(a), "", dtype=object)  # per row: measured values and methods cited
    replace_ids = np.zeros(len(a), dtype=bool)
    if fuel_i[code].any() and any(c in a for c in ms.FUEL_COLUMNS):
        ms.apply_measured_fuels(a, cols, code, fuel_i, sign_i, cats, f, cite)
    if pal_i[code].any() and any(c in a for c in (*ms.ALUMINIUM_COLUMNS, "technology")):
        replace_ids = ms.apply_aluminium_lines(a, cols, code, pal_i, f, cite)

    if green_i[code].any():
        _market_floor(a, cols, elec_i[code] | green_i[code], green_i[code])

    cat_names = sorted({_KIND_CATEGORY.get(k, "none") for k in kind_names})
    cat_of_kind = np.asarray(
        [cat_names.index(_KIND_CATEGORY.get(k, "none")) for k in kind_names], dtype=np.int64
    )
    labels = pd.DataFrame(
        {
            # codes are built in range here, so pandas' range check is skipped
            "kind": pd.Categorical.from_codes(kcode, categories=pd.Index(kind_names), validate=False),
            "category": pd.Categorical.from_codes(
                cat_of_kind[kcode], categories=pd.Index(cat_names), validate=False
            ),
        },
        index=a.index,
    )
    fids = _factor_ids(f, key, kinds, coef_id_i, grid_p, res_p, eq_p)
    if (cite != "").any():  # rows citing measured values: their own ids
        base_ids = np.asarray(fids.astype(object), dtype=object)
        joined = np.where(replace_ids, cite, base_ids + np.where(cite != "", ";" + cite, ""))
        fids = pd.Categorical(np.asarray(joined, dtype=object))
    ids = pd.DataFrame({"factor_ids": fids}, index=a.index)
    keep = [c for c in a.columns if c not in OUTPUT_COLUMNS]
    return pd.concat([a[keep], labels, cols, ids], axis=1)


def _period_keys(a: pd.DataFrame) -> list[str]:
    """The columns that make an enterprise-period: enterprise (when given) and the period
    (else the year)."""
    return [c for c in ("enterprise",) if c in a] + (["period"] if "period" in a else ["year"])


def _group_codes(a: pd.DataFrame, keys: list[str], idx: np.ndarray) -> np.ndarray:
    """Dense group numbers 0..n−1 of the rows *idx* of *a* by the columns *keys* (categorical
    codes or factorised values, combined; missing values form their own group)."""
    comb = np.zeros(len(idx), dtype=np.int64)
    space = 1
    for k in keys:
        col = a[k]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = np.asarray(col.cat.codes.to_numpy()[idx], dtype=np.int64) + 1
            size = len(col.cat.categories) + 1
        else:
            fact, uniques = pd.factorize(col.take(idx), use_na_sentinel=True)  # stays Arrow
            codes, size = np.asarray(fact, dtype=np.int64) + 1, len(uniques) + 1
        comb = comb * size + codes
        space *= size
    if space <= 8 * len(idx) + 4096:  # small key space: number groups by a bincount, no sort
        present = np.zeros(space, dtype=bool)
        present[comb] = True
        return np.asarray((np.cumsum(present) - 1)[comb], dtype=np.int64)
    return np.unique(comb, return_inverse=True)[1].astype(np.int64).ravel()


def _market_floor(a: pd.DataFrame, cols: pd.DataFrame, elec: np.ndarray, green: np.ndarray) -> None:
    """Market-based electricity never below zero per enterprise and period (in place).

    Per group, P = Σ market CO2 of the purchased (and exported) electricity [t], G = Σ of
    the green deductions [t, ≤ 0]. The group's market figure is max(P + G, 0): where green
    power exceeds the consumption the green lines are scaled by k = −P / G, so the figure
    is zero and the surplus volume deducts nothing (reported by
    :func:`carbonpeak.accounting.notices.green_surplus`). A net exporter (P < 0 before any
    green power) keeps its net figure, as the guideline's net-purchase rule gives, and its
    green power deducts nothing.
    """
    idx = np.flatnonzero(elec)
    grp = _group_codes(a, _period_keys(a), idx)
    m = cols["co2_market_t"].to_numpy()[idx]
    is_g = green[idx]
    n = int(grp.max()) + 1
    p_sum = np.bincount(grp, weights=np.where(is_g, 0.0, m), minlength=n)
    g_sum = np.bincount(grp, weights=np.where(is_g, m, 0.0), minlength=n)
    final = np.where(p_sum >= 0.0, np.maximum(p_sum + g_sum, 0.0), p_sum)
    g_new = final - p_sum  # the green deduction that is left, in [G, 0]
    over = (g_sum < 0.0) & (g_new > g_sum)
    if not over.any():
        return
    k = np.where(over, g_new / np.where(over, g_sum, -1.0), 1.0)
    scale = np.ones(len(cols))
    scale[idx] = np.where(is_g, k[grp], 1.0)
    for c in ("co2_market_t", "co2e_market_t"):
        cols[c] = cols[c].to_numpy() * scale


def split_pfc(lines: pd.DataFrame, *, ordered: bool = True) -> pd.DataFrame:
    """*lines* (the engine's output) with every gas in its source category.

    A line that emits perfluorocarbons (the primary-aluminium line: anode CO2 and the
    anode-effect CF4 and C2F6) becomes two: its CO2 under its own category (阳极消耗) and its
    PFCs under :data:`PFC_CATEGORY` — ``cf4_t``, ``c2f6_t`` [t] and their CO2e
    ``co2e_t − co2_t`` [t CO2e] (location and market alike). The PFC line repeats the line's
    other columns (item, quantity, row, period …) and carries no CO2 and no energy, so every
    sum over the lines is unchanged and a category total never books PFCs under 阳极消耗.

    Pure and vectorised; ``category`` stays categorical when it is. With *ordered* each PFC
    line comes right after its line; without, after all the lines (cheaper, for totals).
    *lines* itself is returned when no line has PFCs.
    """
    cf4 = np.nan_to_num(lines["cf4_t"].to_numpy(dtype=float))
    c2f6 = np.nan_to_num(lines["c2f6_t"].to_numpy(dtype=float))
    has = (cf4 != 0.0) | (c2f6 != 0.0)
    if not has.any():
        return lines
    co2, co2e = lines["co2_t"].to_numpy(dtype=float), lines["co2e_t"].to_numpy(dtype=float)
    co2m, co2em = lines["co2_market_t"].to_numpy(dtype=float), lines["co2e_market_t"].to_numpy(dtype=float)
    cat = lines["category"]
    if isinstance(cat.dtype, pd.CategoricalDtype):
        cats = cat.cat.categories
        new_cats = cats if PFC_CATEGORY in cats else cats.append(pd.Index([PFC_CATEGORY]))
        cat = cat.cat.set_categories(new_cats)
        gas_cat: pd.Series | str = pd.Series(
            pd.Categorical([PFC_CATEGORY] * int(has.sum()), categories=new_cats), index=lines.index[has]
        )
    else:
        gas_cat = PFC_CATEGORY
    rest = lines.assign(
        category=cat,
        cf4_t=np.where(has, 0.0, lines["cf4_t"].to_numpy(dtype=float)),
        c2f6_t=np.where(has, 0.0, lines["c2f6_t"].to_numpy(dtype=float)),
        co2e_t=np.where(has, co2, co2e),
        co2e_market_t=np.where(has, co2m, co2em),
    )
    gas = lines[has].assign(
        category=gas_cat,
        co2_t=0.0,
        co2_market_t=0.0,
        co2e_t=(co2e - co2)[has],
        co2e_market_t=(co2em - co2m)[has],
        energy_tce=0.0,
        energy_tce_equal_value=0.0,
    )
    both: pd.DataFrame = pd.concat([rest, gas], ignore_index=True)
    if not ordered:
        return both
    pos = np.concatenate([np.arange(len(lines)), np.flatnonzero(has) + 0.5])
    out: pd.DataFrame = both.take(np.argsort(pos, kind="stable")).reset_index(drop=True)
    return out


#: The engine's numeric outputs (t, t CO2e, tce): what totals sum.
NUMERIC_OUTPUTS = [c for c in OUTPUT_COLUMNS if c not in ("kind", "category", "factor_ids")]


def category_sums(lines: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    """Σ of :data:`NUMERIC_OUTPUTS` per *keys* and source category, every gas in its
    category (the sums of :func:`split_pfc`'s lines) without splitting or copying *lines*:
    the PFCs of the lines that have them (CF4, C2F6 and their CO2e, location and market) are
    moved from the line's category to :data:`PFC_CATEGORY`. Indexed by (*keys*,
    ``category``) with ``category`` as text; NaN is skipped as in ``DataFrame.sum``."""
    by = [*keys, "category"]
    out = lines.groupby(by, observed=True, sort=True)[NUMERIC_OUTPUTS].sum().reset_index()
    out["category"] = out["category"].astype(str)
    out = out.set_index(by)
    cf4 = np.nan_to_num(lines["cf4_t"].to_numpy(dtype=float))
    c2f6 = np.nan_to_num(lines["c2f6_t"].to_numpy(dtype=float))
    has = (cf4 != 0.0) | (c2f6 != 0.0)
    if not has.any():
        return out
    sub = lines[has]
    gas = pd.DataFrame(
        {
            **{k: sub[k].to_numpy() for k in keys},
            "category": sub["category"].astype(str).to_numpy(),
            "cf4_t": cf4[has],
            "c2f6_t": c2f6[has],
            "co2e_t": (sub["co2e_t"] - sub["co2_t"]).to_numpy(dtype=float),
            "co2e_market_t": (sub["co2e_market_t"] - sub["co2_market_t"]).to_numpy(dtype=float),
        }
    )
    moved_cols = ["cf4_t", "c2f6_t", "co2e_t", "co2e_market_t"]
    away = gas.groupby(by, sort=True)[moved_cols].sum()
    into = gas.assign(category=PFC_CATEGORY).groupby(by, sort=True)[moved_cols].sum()
    delta = into.sub(away, fill_value=0.0).reindex(columns=NUMERIC_OUTPUTS, fill_value=0.0)
    result: pd.DataFrame = out.add(delta, fill_value=0.0).sort_index()
    return result


_CHUNK = 1 << 20


def _apply_tables(q: np.ndarray, key: np.ndarray, tables: dict[str, np.ndarray]) -> pd.DataFrame:
    """``out[col] = q × table[col][key]`` for every column, as one float frame.

    The tables are stacked into a (columns × keys) matrix; each chunk gathers a
    (columns × rows) slab and scales it by q, on up to four threads (NumPy releases the GIL
    in ``take`` and ``multiply``). The result is one contiguous block: no copy when the
    frame is built.
    """
    names = list(tables)
    mat = np.ascontiguousarray(np.stack([tables[k] for k in names], axis=0))
    n = len(q)
    out = np.empty((len(names), n))

    def work(lo: int) -> None:
        hi = min(lo + _CHUNK, n)
        np.take(mat, key[lo:hi], axis=1, out=out[:, lo:hi])
        out[:, lo:hi] *= q[lo:hi]

    starts = range(0, n, _CHUNK)
    if n > _CHUNK:
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            list(pool.map(work, starts))
    else:
        for lo in starts:
            work(lo)
    return pd.DataFrame(out.T, columns=names, copy=False)


def _factor_ids(
    f: FactorTables,
    key: np.ndarray,
    kinds: np.ndarray,
    coef_id_i: np.ndarray,
    grid_p: np.ndarray,
    res_p: np.ndarray,
    eq_p: np.ndarray,
) -> pd.Categorical:
    """The ``table#row`` ids each line used, built once per (item, year) key and shared.

    Keys are small integers (item × year), so the distinct ones are found with a bincount
    rather than a hash table.
    """
    used = np.bincount(key, minlength=len(kinds) * _NY) > 0
    ukeys = np.flatnonzero(used)
    remap = np.full(len(used), -1, dtype=np.int64)
    remap[ukeys] = np.arange(len(ukeys))
    cats = f.items.index
    item_ids = np.append(f.items["row_id"].to_numpy(dtype=object), "")
    fuel_ids, red_ids, carb_ids = (_ids_col(t, cats) for t in (f.fuels, f.reductants, f.carbonates))
    grid_ids = f.grid["row_id"].to_numpy(dtype=object)
    res_ids = f.residual_grid["row_id"].to_numpy(dtype=object)
    eq_ids = f.equal_value["row_id"].to_numpy(dtype=object)
    al_ids = [f.aluminium_rows[k] for k in TIER1_ALUMINIUM if k in f.aluminium_rows]
    pfc_ids = [f.gwp_rows[g] for g in ("CF4", "C2F6") if g in f.gwp_rows]
    strings = []
    for k in ukeys:
        c, y = int(k // _NY), int(k % _NY)
        c = c if c < len(kinds) - 1 else -1  # the unknown-item slot
        kind = kinds[c]
        parts = [item_ids[c]]
        if kind == "fuel":
            parts.append(fuel_ids[c])
        elif kind == "reductant":
            parts.append(red_ids[c])
        elif kind in ("carbonate", "oxalic_acid"):
            parts.append(carb_ids[c])
        elif kind == "electricity" and grid_p[y] >= 0:
            parts.append(grid_ids[grid_p[y]])
        elif kind == "heat":
            parts.append(f.heat_row)
        elif kind == "aluminium" and c < len(cats) and cats[c] == "primary_aluminium":
            parts += al_ids + pfc_ids
        if kind in ("electricity", "green_electricity") and res_p[y] >= 0:
            parts.append(res_ids[res_p[y]])
        if kind in ("fuel", "reductant", "electricity", "heat", "energy_medium"):
            parts.append(coef_id_i[c])
        if kind == "electricity" and eq_p[y] >= 0:
            parts.append(eq_ids[eq_p[y]])
        strings.append(";".join(dict.fromkeys(p for p in parts if p)))
    labels, codes = np.unique(np.asarray(strings, dtype=object), return_inverse=True)
    per_key = np.asarray(codes, dtype=np.int64)
    out: pd.Categorical = pd.Categorical.from_codes(
        per_key[remap[key]], validate=False, categories=pd.Index(labels)
    )
    return out


def _p(a: pd.DataFrame, i: int, code: str, **fields: object) -> Problem:
    row = int(a["row"].to_numpy()[i]) if "row" in a else i + 1
    file = str(a["file"].iat[i]) if "file" in a else None
    return Problem(
        code,
        column="item" if code != "period_outside_validity" else "period",
        value=fields.pop("value", a["item"].iat[i]),
        row=row,
        file=file,
        fields=fields,
    )


def _validate(
    a: pd.DataFrame, unknown: np.ndarray, q: np.ndarray, year: np.ndarray, f: FactorTables
) -> list[Problem]:
    problems: list[Problem] = []
    if unknown.any():
        problems += [_p(a, int(i), "unknown_item") for i in np.flatnonzero(unknown)]
    if (bad := np.flatnonzero(q < 0)).size:
        problems += [_p(a, int(i), "negative", value=float(q[i])) for i in bad]
    m = f.method
    lo = m.valid_from.year if m.valid_from else -10_000
    hi = m.valid_to.year if m.valid_to else 10_000
    if (out := np.flatnonzero((year < lo) | (year > hi))).size:
        problems += [_p(a, int(i), "period_outside_validity", value=int(year[i]), what=m.id) for i in out]
    return problems
