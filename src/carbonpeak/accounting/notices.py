"""Warnings about a computed inventory: figures that are right by the rules but that a
verifier must be told about — pure functions over the engine's output.

- :func:`green_surplus` — per enterprise and period, green power (traded green power and
  certificates) above the net purchased electricity: market-based electricity is zero, never
  negative (:func:`carbonpeak.accounting.engine.compute_inventory`), and the surplus is
  reported here.
- :func:`inventory_notices` — those surpluses and the lines whose CO2 was not computed (a
  fuel with a GB/T 2589 coefficient but no emission factor in the method, as 原煤), as
  located :class:`~carbonpeak.errors.Problem` warnings; and the measured parameters a
  verifier must look at (:func:`measured_notices`): a value far from its default, anode-effect
  data the PFC method could not use, a potline parameter without its production line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbonpeak.accounting import measured as ms
from carbonpeak.accounting.factors import FactorTables
from carbonpeak.errors import Problem

__all__ = [
    "FAR_FROM_DEFAULT",
    "fuels_without_factor",
    "green_surplus",
    "inventory_notices",
    "measured_notices",
]

#: A measured value more than this factor above or below the method's default for its item is
#: warned about (platform convention: a plausibility check, not a published limit — a factor
#: of 2 catches a unit slip such as MJ for GJ or % for a fraction, and no fuel of one kind
#: differs from its own default by that much).
FAR_FROM_DEFAULT = 2.0

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
    coefficient (its energy is counted) but no emission factor in the method (原煤), and the
    line does not carry every measured parameter in its place."""
    out: np.ndarray = (lines["kind"] == "fuel").to_numpy(dtype=bool, copy=True)
    if out.any():
        out[out] = ~lines["item"][out].astype(str).isin(f.fuels.index).to_numpy(dtype=bool)
        out &= lines["co2_t"].to_numpy(dtype=float) == 0.0
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
    return out + measured_notices(lines, f)


def _vals(lines: pd.DataFrame, col: str) -> np.ndarray:
    return lines[col].to_numpy(dtype=float) if col in lines else np.full(len(lines), np.nan)


def measured_notices(lines: pd.DataFrame, f: FactorTables) -> list[Problem]:
    """Warnings about the measured parameters of computed *lines*, located (file, row).

    - ``measured_far_from_default``: a measured NCV, carbon content, oxidation rate, net anode
      consumption, anode sulfur or ash more than :data:`FAR_FROM_DEFAULT` times above or below
      the method's default for the item.
    - ``pfc_data_unused``: anode-effect minutes or overvoltage on a primary-aluminium line that
      the PFC method could not use (no technology, no current efficiency, a technology without
      an overvoltage coefficient).
    - ``parameter_unmatched``: a potline parameter row with no primary-aluminium row of its
      enterprise, line and period.
    """
    out: list[Problem] = []
    al = f.aluminium
    is_al = ms.item_mask(lines["item"], ["primary_aluminium"])
    for col in ("ncv_gj", "cc_tc_per_tj", "oxidation", "net_anode_consumption", "anode_sulfur", "anode_ash"):
        if col not in lines:
            continue
        v = _vals(lines, col)
        rows = np.flatnonzero(~np.isnan(v))  # the measured lines only: a small part of a file
        if rows.size == 0:
            continue
        item = lines["item"].iloc[rows].astype(str).to_numpy()
        if col in f.fuels:
            default = f.fuels[col].reindex(item).to_numpy(dtype=float)
        else:
            default = np.where(is_al[rows], al.get(col, np.nan), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = v[rows] / default
        far = (default > 0) & ((ratio > FAR_FROM_DEFAULT) | (ratio < 1.0 / FAR_FROM_DEFAULT))
        for j in np.flatnonzero(far):
            k = int(rows[j])
            out.append(
                Problem(
                    "measured_far_from_default",
                    column=col,
                    value=round(float(v[k]), 6),
                    row=_row(lines, k),
                    file=_file(lines, k),
                    fields={
                        "item": item[j],
                        "default": round(float(default[j]), 6),
                        "ratio": FAR_FROM_DEFAULT,
                    },
                )
            )
    if is_al.any():
        out += _unused_pfc_data(lines, is_al)
    par = ms.item_mask(lines["item"], list(ms.POTLINE_ITEMS))
    if par.any():
        out += _unmatched_parameters(lines, np.flatnonzero(par), np.flatnonzero(is_al))
    return out


def _unused_pfc_data(lines: pd.DataFrame, is_al: np.ndarray) -> list[Problem]:
    aem, aeo, ce = _vals(lines, "aem_min"), _vals(lines, "aeo_mv"), _vals(lines, "current_efficiency")
    rows = np.flatnonzero(is_al & (~np.isnan(aem) | ~np.isnan(aeo) | ~np.isnan(ce)))
    if rows.size == 0:
        return []
    ids = np.full(len(lines), "", dtype=object)
    ids[rows] = lines["factor_ids"].iloc[rows].astype(str).to_numpy()
    tech = np.full(len(lines), "", dtype=object)
    if "technology" in lines:
        tech[rows] = ms.normalise_technology(lines["technology"].iloc[rows])[0]
    out: list[Problem] = []
    for i in rows:
        k = int(i)
        used = ":slope_cf4" in ids[k] or ":ovc_cf4" in ids[k]
        if ":ovc_cf4" in ids[k] or (used and np.isnan(aeo[k])):
            continue
        what = (
            "阳极效应过电压 / anode-effect overvoltage"
            if not np.isnan(aeo[k])
            else "阳极效应持续时间 / anode-effect minutes"
        )
        if not tech[k]:
            reason = "未给出电解槽型 / no potline technology (CWPB, SWPB, VSS, HSS)"
        elif not np.isnan(aeo[k]) and np.isnan(ce[k]):
            reason = "未给出电流效率 / no current efficiency"
        elif not np.isnan(aeo[k]):
            reason = f"槽型 {tech[k]} 没有过电压系数 / technology {tech[k]} has no overvoltage coefficient"
        else:
            continue
        method = (
            "斜率法 / slope method"
            if used
            else "Tier 1（槽型）/ Tier 1 (technology)"
            if ":tier1_ef_cf4" in ids[k]
            else "指南缺省值 / guideline default"
        )
        out.append(
            Problem(
                "pfc_data_unused",
                column="item",
                value=str(lines["item"].iat[k]),
                row=_row(lines, k),
                file=_file(lines, k),
                fields={"what": what, "reason": reason, "method": method},
            )
        )
    return out


def _unmatched_parameters(lines: pd.DataFrame, par: np.ndarray, prod: np.ndarray) -> list[Problem]:
    def text(col: str, rows: np.ndarray) -> list[str]:
        if col not in lines:
            return [""] * len(rows)
        return [str(v) for v in lines[col].iloc[rows].to_numpy()]

    p_ent, p_line, p_year = text("enterprise", prod), text("line", prod), text("year", prod)
    p_per = text("period", prod) if "period" in lines else p_year
    keys = set()
    for e, ln_, pe, y in zip(p_ent, p_line, p_per, p_year, strict=True):
        for ln in (ln_, ""):
            keys.update({(e, ln, pe), (e, ln, y)})
    q_ent, q_line, q_year, q_item = (
        text("enterprise", par),
        text("line", par),
        text("year", par),
        text("item", par),
    )
    q_per = text("period", par) if "period" in lines else q_year
    out: list[Problem] = []
    for j, i in enumerate(par):
        k = int(i)
        if (q_ent[j], q_line[j], q_per[j]) not in keys:
            out.append(
                Problem(
                    "parameter_unmatched",
                    column="item",
                    value=q_item[j],
                    row=_row(lines, k),
                    file=_file(lines, k),
                )
            )
    return out
