"""Measured parameters (实测值) next to the defaults (缺省值), and aluminium PFCs by the method
the data allow — pure functions the engine (:func:`carbonpeak.accounting.engine.
compute_inventory`) calls.

The 2015 其他有色 and the 2013 电解铝 guidelines (and CETS-AG-04.01-2024) let an enterprise
replace a default parameter by its own measured value, line by line. Two ways in:

- **Per-row columns** of the activity frame (canonical units): ``ncv_gj`` [GJ per the item's
  canonical unit], ``cc_tc_per_tj`` [tC/TJ] or ``cc_tc_per_unit`` [tC per canonical unit,
  converted with the row's NCV], ``oxidation`` [fraction] on fuel lines; ``technology``
  (CWPB, SWPB, VSS, HSS) and the potline columns of :data:`ALUMINIUM_COLUMNS` on
  primary-aluminium lines.
- **Potline parameter items** (kind ``al_parameter``: 炭阳极净耗, 阳极含硫量, 阳极灰分,
  阳极效应持续时间, 平均阳极效应过电压, 电流效率) reported as their own rows; each is
  attached to the primary-aluminium rows of the same enterprise, production line and period
  (:func:`attach_potline_parameters`), a line-less parameter to every line, an annual one
  to the months.

Aluminium PFCs [kg per t Al], by the data each line has (IPCC 2006 Vol. 3 §4.4; coefficients
in refdata ``accounting/pfc_coefficients``):

=============== ===================================================  ============================
method          EF_CF4                                               needs
=============== ===================================================  ============================
overvoltage     OVC × AEO [mV] / CE [%]                              AEO, CE, technology with OVC
slope           S_CF4 × AEM [AE-min/cell-day]                        AEM, technology
Tier 1          EF_CF4 of the technology (Table 4.15)                technology, and the choice
                                                                     ``pfc_tier1_by_technology``
guideline       the method's default EF_CF4 (aluminium.csv)          nothing (or technology only)
=============== ===================================================  ============================

EF_C2F6 = EF_CF4 × F_C2F6/CF4 (Table 4.16) for the overvoltage and slope methods, the Tier 1
or guideline factor otherwise. Every measured value a line used is cited in its
``factor_ids`` as ``measured#<column>=<value>`` (``input#technology=<code>`` for the
technology), so explain says 实测 or 缺省 for every parameter and a recomputation restores
the inputs (:func:`restore_inputs`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

from carbonpeak.accounting.factors import KGCE_PER_GJ, FactorTables
from carbonpeak.errors import InputError, Problem

__all__ = [
    "ALUMINIUM_COLUMNS",
    "FUEL_COLUMNS",
    "POTLINE_ITEMS",
    "TECHNOLOGIES",
    "apply_aluminium_lines",
    "apply_measured_fuels",
    "attach_potline_parameters",
    "measured_problems",
    "normalise_technology",
    "pfc_factors_kg_per_t",
    "restore_inputs",
    "tokens_of",
]

#: Per-row measured fuel parameters (engine columns, canonical units).
FUEL_COLUMNS = ("ncv_gj", "cc_tc_per_tj", "cc_tc_per_unit", "oxidation")
#: The potline parameter items (items.csv, kind ``al_parameter``) → the engine column each fills
#: on the primary-aluminium rows: fractions for sulfur, ash and current efficiency, t C per t
#: Al, AE-min per cell-day, mV.
POTLINE_ITEMS: Mapping[str, str] = {
    "net_anode_consumption": "net_anode_consumption",
    "anode_sulfur": "anode_sulfur",
    "anode_ash": "anode_ash",
    "anode_effect_minutes": "aem_min",
    "anode_effect_overvoltage": "aeo_mv",
    "current_efficiency": "current_efficiency",
}
ALUMINIUM_COLUMNS = tuple(POTLINE_ITEMS.values())
#: Potline cell technologies of IPCC 2006 Vol. 3 Tables 4.15 and 4.16.
TECHNOLOGIES = ("CWPB", "SWPB", "VSS", "HSS")
#: Other spellings. PFPB (point-fed prebake) is a centre-worked prebake in the IAI's
#: technology classes (CWPB bar-broken and PFPB point-fed centre feed), hence CWPB.
TECHNOLOGY_ALIASES: Mapping[str, str] = {
    "PFPB": "CWPB",
    "中间加工预焙槽": "CWPB",
    "中间下料预焙槽": "CWPB",
    "中间点式下料预焙槽": "CWPB",
    "边部加工预焙槽": "SWPB",
    "上插自焙槽": "VSS",
    "上插式自焙槽": "VSS",
    "侧插自焙槽": "HSS",
    "侧插式自焙槽": "HSS",
}
#: The physical range of each measured column, for a located error: (low, high, low open,
#: high open). Fractions lie in (0, 1]; sulfur and ash in [0, 1).
RANGES: Mapping[str, tuple[float, float, bool, bool]] = {
    "ncv_gj": (0.0, np.inf, True, True),
    "cc_tc_per_tj": (0.0, np.inf, True, True),
    "cc_tc_per_unit": (0.0, np.inf, True, True),
    "oxidation": (0.0, 1.0, True, False),
    "net_anode_consumption": (0.0, np.inf, True, True),
    "anode_sulfur": (0.0, 1.0, False, True),
    "anode_ash": (0.0, 1.0, False, True),
    "aem_min": (0.0, np.inf, False, True),
    "aeo_mv": (0.0, np.inf, False, True),
    "current_efficiency": (0.0, 1.0, True, False),
}
C_TO_CO2 = 44.0 / 12.0
MEASURED = "measured#"
INPUT = "input#"


def normalise_technology(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Technology codes of *values* (``""`` where empty) and a mask of the unknown ones."""
    codes, uniques = pd.factorize(values.astype(object).where(values.notna(), ""), use_na_sentinel=False)
    names = []
    for u in uniques:
        t = unicodedata.normalize("NFKC", str(u)).strip()
        t = "" if t.lower() in ("", "nan", "none") else t
        t = TECHNOLOGY_ALIASES.get(t, TECHNOLOGY_ALIASES.get(t.upper(), t.upper()))
        names.append(t)
    arr = np.asarray(names, dtype=object)
    bad = np.asarray([n not in ("", *TECHNOLOGIES) for n in names], dtype=bool)
    return arr[codes], bad[codes]


def item_mask(col: pd.Series, names: list[str] | tuple[str, ...]) -> np.ndarray:
    """True where *col* (item ids; a categorical is fastest) is one of *names*, without turning a
    province-size column into text."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        hit = np.asarray(col.cat.categories.isin(list(names)), dtype=bool)
        codes = np.asarray(col.cat.codes, dtype=np.int64)
        return (
            np.where(codes >= 0, hit[np.clip(codes, 0, None)], False)
            if hit.any()
            else np.zeros(len(col), bool)
        )
    return np.asarray(col.isin(list(names)), dtype=bool)


def _text(a: pd.DataFrame, col: str, rows: np.ndarray) -> np.ndarray:
    """Column *col* of *rows* as stripped text ('' where missing or the column is absent)."""
    if col not in a:
        return np.full(len(rows), "", dtype=object)
    v = a[col].iloc[rows].astype(object)
    return np.asarray(v.where(v.notna(), "").astype(str).str.strip(), dtype=object)


def _key_frame(a: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Enterprise, line and period (as text) of *rows*; '' where a column is absent."""
    year = a["year"].iloc[rows].astype(np.int64).astype(str).to_numpy()
    per = _text(a, "period", rows) if "period" in a else year
    return pd.DataFrame(
        {"ent": _text(a, "enterprise", rows), "line": _text(a, "line", rows), "per": per, "year": year}
    )


def attach_potline_parameters(a: pd.DataFrame) -> pd.DataFrame:
    """*a* with the potline parameter rows' values on its primary-aluminium rows.

    A parameter item's quantity (canonical unit: t/t, fraction, min, mV) fills the column of
    :data:`POTLINE_ITEMS` of every ``primary_aluminium`` row of the same enterprise, line and
    period; failing that, of the same enterprise and period from a row without a line (the
    whole plant); failing that, the same from the year's annual row (a monthly production
    row takes the annual parameter). A value already on the production row wins. The
    parameter rows stay (as lines without emissions). A row's ``technology`` reaches the
    production rows of its enterprise and line the same way.

    Raises
    ------
    InputError
        ``parameter_twice`` where one key (enterprise, line, period) reports a parameter twice.
    """
    prod = np.flatnonzero(item_mask(a["item"], ["primary_aluminium"]))
    if prod.size == 0:
        return a
    par_rows = np.flatnonzero(item_mask(a["item"], list(POTLINE_ITEMS)))
    tech_rows = np.zeros(0, dtype=np.int64)
    if "technology" in a:
        given = a["technology"].astype(object).notna().to_numpy()
        if given.any():
            tg = np.flatnonzero(given)
            tech_rows = tg[_text(a, "technology", tg) != ""]
    if par_rows.size == 0 and tech_rows.size == 0:
        return a
    item = np.full(len(a), "", dtype=object)
    item[par_rows] = a["item"].iloc[par_rows].astype(str).to_numpy()
    out = a.copy()
    pk = _key_frame(a, prod)
    q = a["quantity"].to_numpy(dtype=float)
    problems: list[Problem] = []
    for it, col in POTLINE_ITEMS.items():
        sel = np.flatnonzero(item == it)
        if sel.size == 0:
            continue
        k = _key_frame(a, sel).assign(v=q[sel], pos=sel)
        dup = k.duplicated(["ent", "line", "per"], keep="first").to_numpy()
        for j in np.flatnonzero(dup):
            i = int(sel[j])
            row = int(a["row"].to_numpy()[i]) if "row" in a else i + 1
            problems.append(Problem("parameter_twice", column="item", value=it, row=row))
        table = k[~dup].set_index(["ent", "line", "per"])["v"]
        got = np.full(len(prod), np.nan)
        for keys in (
            (pk["ent"], pk["line"], pk["per"]),
            (pk["ent"], np.full(len(prod), ""), pk["per"]),
            (pk["ent"], pk["line"], pk["year"]),
            (pk["ent"], np.full(len(prod), ""), pk["year"]),
        ):
            idx = pd.MultiIndex.from_arrays([np.asarray(x, dtype=object) for x in keys])
            got = np.where(np.isnan(got), table.reindex(idx).to_numpy(dtype=float), got)
        have = out[col].to_numpy(dtype=float, copy=True) if col in out else np.full(len(out), np.nan)
        have[prod] = np.where(np.isnan(have[prod]), got, have[prod])
        out[col] = have
    if tech_rows.size:
        tkeys = _key_frame(a, tech_rows)
        first = pd.Series(
            _text(a, "technology", tech_rows), index=pd.MultiIndex.from_frame(tkeys[["ent", "line"]])
        )
        first = first[~first.index.duplicated(keep="first")]
        idx = pd.MultiIndex.from_frame(pk[["ent", "line"]])
        fill = first.reindex(idx).fillna("").to_numpy(dtype=object)
        cur = np.full(len(a), "", dtype=object)
        cur[tech_rows] = _text(a, "technology", tech_rows)
        cur[prod] = np.where(cur[prod] == "", fill, cur[prod])
        out["technology"] = cur
    if problems:
        raise InputError(problems)
    return out


def pfc_factors_kg_per_t(
    technology: np.ndarray,
    aem: np.ndarray,
    aeo_mv: np.ndarray,
    ce: np.ndarray,
    coefficients: Mapping[str, Mapping[str, float]],
    default_cf4: float,
    default_c2f6: float,
    tier1: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EF_CF4 and EF_C2F6 [kg per t Al] and the method of each line, by the data it has.

    Parameters
    ----------
    technology : array of str
        Cell technology (CWPB, SWPB, VSS, HSS) or ``""``.
    aem : array
        Anode-effect minutes per cell-day [AE-min/cell-day]; NaN where not measured.
    aeo_mv : array
        Anode-effect overvoltage [mV]; NaN where not measured.
    ce : array
        Current efficiency [fraction]; NaN where not measured.
    coefficients : mapping
        Per technology: ``tier1_ef_cf4``, ``tier1_ef_c2f6`` [kg/t], ``slope_cf4``
        [(kg CF4/t)/(AE-min/cell-day)], ``ovc_cf4`` [(kg CF4/t)/(mV/%)], ``c2f6_cf4_ratio``.
    default_cf4, default_c2f6 : float
        The guideline's defaults [kg/t] (used where the line gives nothing).
    tier1 : bool
        Whether a technology without anode-effect data selects its Tier 1 factors (else the
        guideline's defaults; :attr:`~carbonpeak.accounting.factors.AccountingChoices.
        pfc_tier1_by_technology`).

    Returns
    -------
    (ef_cf4, ef_c2f6, method)
        ``method`` is ``overvoltage``, ``slope``, ``tier1`` or ``default`` per line.

    References
    ----------
    IPCC 2006 Guidelines, Vol. 3, Ch. 4, §4.4: Tier 1 (Table 4.15), slope and overvoltage
    methods (Table 4.16); the overvoltage term AEO/CE with CE in per cent (EU MRR 601/2012
    Annex IV §8 B; GHG Protocol aluminium workbook v2.0, worksheet 8).
    """

    def coef(name: str) -> np.ndarray:
        table = {t: float(c[name]) for t, c in coefficients.items() if name in c}
        return np.asarray([table.get(str(t), np.nan) for t in technology], dtype=float)

    ovc, slope, ratio = coef("ovc_cf4"), coef("slope_cf4"), coef("c2f6_cf4_ratio")
    t1_cf4, t1_c2f6 = coef("tier1_ef_cf4"), coef("tier1_ef_c2f6")
    use_ov = np.isfinite(aeo_mv) & np.isfinite(ce) & np.isfinite(ovc) & np.isfinite(ratio)
    use_slope = ~use_ov & np.isfinite(aem) & np.isfinite(slope) & np.isfinite(ratio)
    use_t1 = ~use_ov & ~use_slope & np.isfinite(t1_cf4) & np.isfinite(t1_c2f6) & tier1
    with np.errstate(invalid="ignore", divide="ignore"):
        cf4 = np.select(
            [use_ov, use_slope, use_t1],
            [ovc * aeo_mv / (ce * 100.0), slope * aem, t1_cf4],
            default_cf4,
        )
        c2f6 = np.select([use_ov | use_slope, use_t1], [cf4 * ratio, t1_c2f6], default_c2f6)
    method = np.select([use_ov, use_slope, use_t1], ["overvoltage", "slope", "tier1"], "default").astype(
        object
    )
    return cf4, c2f6, method


def tokens_of(factor_ids: str) -> dict[str, str]:
    """The measured and input values a line's ``factor_ids`` cites: {column: value text}."""
    out = {}
    for part in str(factor_ids or "").split(";"):
        if part.startswith((MEASURED, INPUT)):
            key, _, val = part.partition("#")[2].partition("=")
            out[key] = val
    return out


def restore_inputs(a: pd.DataFrame) -> pd.DataFrame:
    """*a* (stored lines as recompute inputs) with the measured values and the technology its
    ``factor_ids`` cite restored as input columns; *a* itself without ``factor_ids``."""
    if "factor_ids" not in a:
        return a
    codes, uniq = pd.factorize(a["factor_ids"].astype(object), use_na_sentinel=False)
    out = a.drop(columns=["factor_ids"])
    per_id = [tokens_of(str(u)) for u in uniq]  # a few distinct strings, however many lines
    if not any(per_id):
        return out
    parsed = [per_id[c] for c in codes]
    for col in (*FUEL_COLUMNS, *ALUMINIUM_COLUMNS):
        vals = np.asarray([float(p[col]) if col in p else np.nan for p in parsed], dtype=float)
        if not np.isnan(vals).all():
            out[col] = vals
    techs = np.asarray([p.get("technology", "") for p in parsed], dtype=object)
    if (techs != "").any():
        out["technology"] = techs
    return out


def range_problems(a: pd.DataFrame, rows: np.ndarray, column: str) -> list[Problem]:
    """Located ``out_of_range`` problems of measured *column* on *rows* of *a*."""
    low, high, lo_open, hi_open = RANGES[column]
    v = a[column].to_numpy(dtype=float)[rows]
    given = ~np.isnan(v)
    bad = given & ((v <= low) if lo_open else (v < low))
    bad |= given & ((v >= high) if hi_open else (v > high))
    out = []
    for j in np.flatnonzero(bad):
        i = int(rows[j])
        row = int(a["row"].to_numpy()[i]) if "row" in a else i + 1
        out.append(
            Problem(
                "out_of_range",
                column=column,
                value=float(v[j]),
                row=row,
                file=str(a["file"].iat[i]) if "file" in a else None,
                fields={"low": low, "high": "∞" if np.isinf(high) else high},
            )
        )
    return out


def _per_item(frame: pd.DataFrame, cats: pd.Index, col: str) -> np.ndarray:
    """Column *col* of a per-item frame aligned to *cats*, NaN where absent (and a last slot
    for unknown items, as the engine's item codes use −1)."""
    return np.append(frame[col].reindex(cats).to_numpy(dtype=float), np.nan)


def _given(a: pd.DataFrame, col: str) -> np.ndarray:
    """Column *col* of *a* as floats (NaN where not given, all NaN when absent)."""
    return a[col].to_numpy(dtype=float) if col in a else np.full(len(a), np.nan)


def measured_problems(
    a: pd.DataFrame, code: np.ndarray, fuel_i: np.ndarray, pal_i: np.ndarray
) -> list[Problem]:
    """Located problems of the measured parameters: a fuel parameter on a line that is not a
    fuel (``measured_not_applicable``), a value outside its physical range (``out_of_range``:
    oxidation and current efficiency in (0, 1], sulfur and ash in [0, 1) …), an unknown
    potline technology (``unknown_technology``)."""
    out: list[Problem] = []
    rows_of = a["row"].to_numpy() if "row" in a else np.arange(1, len(a) + 1)
    for col in FUEL_COLUMNS:
        if col not in a:
            continue
        given = ~np.isnan(_given(a, col))
        if not given.any():
            continue
        for i in np.flatnonzero(given & ~fuel_i[code]):
            out.append(
                Problem(
                    "measured_not_applicable",
                    column=col,
                    value=str(a["item"].iat[int(i)]),
                    row=int(rows_of[i]),
                    file=str(a["file"].iat[int(i)]) if "file" in a else None,
                )
            )
        out += range_problems(a, np.flatnonzero(given & fuel_i[code]), col)
    for col in ALUMINIUM_COLUMNS:
        if col in a:
            out += range_problems(a, np.flatnonzero(pal_i[code] & ~np.isnan(_given(a, col))), col)
    if "technology" in a:
        bad = normalise_technology(a["technology"])[1]
        for i in np.flatnonzero(bad):
            out.append(
                Problem(
                    "unknown_technology",
                    column="technology",
                    value=str(a["technology"].iat[int(i)]),
                    row=int(rows_of[i]),
                    file=str(a["file"].iat[int(i)]) if "file" in a else None,
                    fields={"technologies": ", ".join(TECHNOLOGIES)},
                )
            )
    return out


def _fmt(v: float) -> str:
    return f"{v:.10g}"


def apply_measured_fuels(
    a: pd.DataFrame,
    cols: pd.DataFrame,
    code: np.ndarray,
    fuel_i: np.ndarray,
    sign_i: np.ndarray,
    cats: pd.Index,
    f: FactorTables,
    cite: np.ndarray,
) -> None:
    """Fuel lines with a measured NCV, carbon content or oxidation rate (in place).

    CO2 = Q × NCV × CC ÷ 1000 × OF × 44/12, each parameter the line's measured value where
    given, else the method's default; CC from a per-unit carbon content [tC per unit] is
    CC_unit ÷ NCV × 1000 [tC/TJ]. A fuel without a GB/T 2589 coefficient takes its energy
    from the NCV (measured where given) ÷ 29.307 GJ/tce. A line still lacking a parameter
    (原煤 without a measured carbon content) keeps CO2 0 and its warning.
    """
    m = {c: _given(a, c) for c in FUEL_COLUMNS}
    any_m = np.zeros(len(a), dtype=bool)
    for v in m.values():
        any_m |= ~np.isnan(v)
    rows = np.flatnonzero(fuel_i[code] & any_m)
    if rows.size == 0:
        return
    c = code[rows]
    ncv_d, cc_d, of_d = (_per_item(f.fuels, cats, k)[c] for k in ("ncv_gj", "cc_tc_per_tj", "oxidation"))
    ncv = np.where(np.isnan(m["ncv_gj"][rows]), ncv_d, m["ncv_gj"][rows])
    cc = m["cc_tc_per_tj"][rows]
    per_unit = m["cc_tc_per_unit"][rows]
    with np.errstate(invalid="ignore", divide="ignore"):
        cc = np.where(np.isnan(cc) & ~np.isnan(per_unit), per_unit / ncv * 1000.0, cc)
    cc = np.where(np.isnan(cc), cc_d, cc)
    of = np.where(np.isnan(m["oxidation"][rows]), of_d, m["oxidation"][rows])
    q = a["quantity"].to_numpy(dtype=float)[rows]
    co2 = q * (ncv * cc / 1000.0 * of * C_TO_CO2 * sign_i[c])
    ok = np.isfinite(co2)
    for k in ("co2_t", "co2_market_t", "co2e_t", "co2e_market_t"):
        v = cols[k].to_numpy(copy=True)
        v[rows[ok]] = co2[ok]
        cols[k] = v
    # a fuel without a tabulated GB/T 2589 coefficient: energy from the (measured) NCV
    untabulated = ~f.items.index.isin(f.tce.index)
    redo = untabulated[c] & ~np.isnan(m["ncv_gj"][rows])
    if redo.any():
        tce = q * (ncv * KGCE_PER_GJ / 1000.0 * sign_i[c])
        for k in ("energy_tce", "energy_tce_equal_value"):
            v = cols[k].to_numpy(copy=True)
            v[rows[redo]] = tce[redo]
            cols[k] = v
    for i in rows:
        cite[i] = ";".join(
            f"{MEASURED}{k}={_fmt(float(m[k][i]))}" for k in FUEL_COLUMNS if not np.isnan(m[k][i])
        )


def apply_aluminium_lines(
    a: pd.DataFrame,
    cols: pd.DataFrame,
    code: np.ndarray,
    pal_i: np.ndarray,
    f: FactorTables,
    cite: np.ndarray,
) -> np.ndarray:
    """Primary-aluminium lines with measured potline parameters or a technology (in place).

    Anode CO2 = P × NC × (1 − S − A) × 44/12 with the line's NC, S, A where measured (the
    method's defaults otherwise); PFCs by :func:`pfc_factors_kg_per_t` (overvoltage, slope,
    Tier 1 or the guideline default). Returns the rows whose ``factor_ids`` are replaced by
    *cite* (the rows and values they used).
    """
    rows = np.flatnonzero(pal_i[code])
    al, al_ids = f.aluminium, f.aluminium_rows
    m = {k: _given(a, k)[rows] for k in ALUMINIUM_COLUMNS}
    nc, s_, ash = (
        np.where(np.isnan(m[k]), al[k], m[k]) for k in ("net_anode_consumption", "anode_sulfur", "anode_ash")
    )
    if "technology" in a:
        tech = normalise_technology(a["technology"].iloc[rows])[0]
    else:
        tech = np.full(rows.size, "", dtype=object)
    ef_cf4, ef_c2f6, method = pfc_factors_kg_per_t(
        tech,
        m["aem_min"],
        m["aeo_mv"],
        m["current_efficiency"],
        f.pfc,
        al["ef_cf4"],
        al["ef_c2f6"],
        tier1=f.pfc_tier1_by_technology,
    )
    anode_ef = nc * (1.0 - s_ - ash) * C_TO_CO2
    cf4_i, c2f6_i = ef_cf4 / 1000.0, ef_c2f6 / 1000.0
    pfc_i = cf4_i * f.gwp["CF4"] + c2f6_i * f.gwp["C2F6"]
    q = a["quantity"].to_numpy(dtype=float)[rows]
    new = {
        "co2_t": q * anode_ef,
        "co2_market_t": q * anode_ef,
        "cf4_t": q * cf4_i,
        "c2f6_t": q * c2f6_i,
        "co2e_t": q * (anode_ef + pfc_i),
        "co2e_market_t": q * (anode_ef + pfc_i),
    }
    for k, vals in new.items():
        v = cols[k].to_numpy(copy=True)
        v[rows] = vals
        cols[k] = v
    item_id = f.items["row_id"].get("primary_aluminium", "")
    uses = {
        "overvoltage": ("ovc_cf4", "c2f6_cf4_ratio"),
        "slope": ("slope_cf4", "c2f6_cf4_ratio"),
        "tier1": ("tier1_ef_cf4", "tier1_ef_c2f6"),
        "default": (),
    }
    gwp_ids = [f.gwp_rows[g] for g in ("CF4", "C2F6") if g in f.gwp_rows]
    for j, i in enumerate(rows):
        parts = [item_id] + [al_ids[k] for k in ("net_anode_consumption", "anode_sulfur", "anode_ash")]
        if method[j] == "default":
            parts += [al_ids[k] for k in ("ef_cf4", "ef_c2f6") if k in al_ids]
        parts += [f.pfc_rows[tech[j]][k] for k in uses[str(method[j])]]
        parts += gwp_ids
        parts += [f"{MEASURED}{k}={_fmt(float(v[j]))}" for k, v in m.items() if not np.isnan(v[j])]
        if tech[j]:
            parts.append(f"{INPUT}technology={tech[j]}")
        cite[i] = ";".join(dict.fromkeys(p for p in parts if p))
    replace = np.zeros(len(a), dtype=bool)
    replace[rows] = True
    return replace
