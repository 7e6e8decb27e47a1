"""Explain one computed line: the formula, each factor with its source and clause, the arithmetic,
and every parameter with its basis — measured (实测) or default (缺省).

Pure: it receives the stored line and the refdata rows its ``factor_ids`` name (measured
values are cited there as ``measured#<column>=<value>``, see
:mod:`carbonpeak.accounting.measured`), and returns a structured :class:`Explanation` that
the CLI prints and the pages render.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from carbonpeak import catalogue
from carbonpeak.accounting import measured as ms
from carbonpeak.accounting.engine import CATEGORIES, PFC_CATEGORY

__all__ = ["Explanation", "FactorUse", "ParameterUse", "explain_line"]

#: From catalogue/measured_parameters.toml: parameter, basis and PFC-method names (zh, en).
PARAMETERS: dict[str, tuple[str, str]] = catalogue.pairs("measured_parameters")

#: From catalogue/formulas.toml (key -> zh, en); new entries go there.
FORMULAS: dict[str, tuple[str, str]] = catalogue.pairs("formulas")


@dataclass(frozen=True)
class FactorUse:
    """A refdata row a figure used, with where it comes from."""

    factor_id: str
    table: str
    name_zh: str
    name_en: str
    values: Mapping[str, Any]
    source_id: str
    source_title: str
    clause: str
    confidence: str
    #: where the value was read (a repost, repository, page), apart from the clause; "" when
    #: read in the standard itself
    read_in: str = ""


@dataclass(frozen=True)
class ParameterUse:
    """One parameter of a line: its value and unit, and whether it was measured (实测) or the
    method's default (缺省) — with the refdata row of a default, or ``measured#…``."""

    name: str
    name_zh: str
    name_en: str
    value: float | str | None
    unit: str
    basis: str  # measured | default | input | computed
    basis_zh: str
    basis_en: str
    factor_id: str


@dataclass(frozen=True)
class Explanation:
    line_no: int
    item: str
    kind: str
    category_zh: str
    category_en: str
    formula_zh: str
    formula_en: str
    arithmetic: tuple[str, ...]
    factors: tuple[FactorUse, ...]
    results: Mapping[str, float | None]
    #: every parameter of the line with its basis, 实测 or 缺省 (fuels, carbonates, aluminium)
    parameters: tuple[ParameterUse, ...] = ()
    #: the PFC method of a primary-aluminium line (overvoltage, slope, tier1, default), else ""
    pfc_method: str = ""


_SKIP = {
    "id",
    "name_zh",
    "name_en",
    "source_id",
    "clause",
    "read_in",
    "valid_from",
    "valid_to",
    "confidence",
    "aliases",
}


def explain_line(
    line: Mapping[str, Any], lookup: Callable[[str], Mapping[str, Any]], source_title: Callable[[str], str]
) -> Explanation:
    """Build the explanation of a stored inventory *line*.

    *lookup* returns the refdata row of a ``table#row`` id; *source_title* the title of a
    source id.
    """
    uses = []
    tokens = ms.tokens_of(str(line.get("factor_ids", "")))
    for fid in filter(None, str(line.get("factor_ids", "")).split(";")):
        if fid.startswith((ms.MEASURED, ms.INPUT)):
            continue
        table, _, _rid = fid.partition("#")
        row = lookup(fid)
        uses.append(
            FactorUse(
                factor_id=fid,
                table=table,
                name_zh=str(row.get("name_zh", "")),
                name_en=str(row.get("name_en", "")),
                values={k: v for k, v in row.items() if k not in _SKIP},
                source_id=str(row.get("source_id", "")),
                source_title=source_title(str(row.get("source_id", ""))),
                clause=str(row.get("clause", "")),
                confidence=str(row.get("confidence", "")),
                read_in=str(row.get("read_in") or ""),
            )
        )
    kind = str(line["kind"])
    zh, en = FORMULAS.get(kind, FORMULAS["none"])
    cat = CATEGORIES.get(str(line["category"]), (str(line["category"]),) * 2)
    pfc = _pfc_co2e(line)
    if pfc:  # every gas in its category: the line's PFCs are booked under pfc, not its own
        p_zh, p_en = CATEGORIES[PFC_CATEGORY]
        cat = catalogue.pair(
            "explain.category_with_pfc", category_zh=cat[0], category_en=cat[1], pfc_zh=p_zh, pfc_en=p_en
        )
    by_table = {u.table: u for u in uses}
    params, pfc_method = _parameters(line, kind, uses, tokens)
    return Explanation(
        line_no=int(line["line_no"]),
        item=str(line["item"]),
        kind=kind,
        category_zh=cat[0],
        category_en=cat[1],
        formula_zh=zh,
        formula_en=en,
        arithmetic=tuple(_arithmetic(line, by_table, uses, {p.name: p for p in params}, pfc_method)),
        factors=tuple(uses),
        results={
            k: None if line[k] is None else float(line[k])
            for k in (
                "co2_t",
                "co2_market_t",
                "cf4_t",
                "c2f6_t",
                "co2e_t",
                "energy_tce",
                "energy_tce_equal_value",
            )
            if k in line
        }
        | ({"pfc_co2e_t": pfc} if pfc else {}),
        parameters=params,
        pfc_method=pfc_method,
    )


def _param(name: str, value: Any, unit: str, basis: str, factor_id: str) -> ParameterUse:
    zh, en = PARAMETERS.get(name, (name, name))
    bzh, ben = PARAMETERS[f"basis_{basis}"]
    return ParameterUse(name, zh, en, value, unit, basis, bzh, ben, factor_id)


def _parameters(
    line: Mapping[str, Any], kind: str, uses: list[FactorUse], tokens: Mapping[str, str]
) -> tuple[tuple[ParameterUse, ...], str]:
    """Every parameter of *line* with its basis (实测 where the line cites a measured value, else
    缺省 with the refdata row), and the PFC method of a primary-aluminium line."""
    out: list[ParameterUse] = []

    def measured_or(name: str, default: Any, unit: str, fid: str) -> None:
        if name in tokens:
            out.append(_param(name, float(tokens[name]), unit, "measured", f"{ms.MEASURED}{name}"))
        elif default is not None:
            out.append(_param(name, default, unit, "default", fid))

    fuel = next((u for u in uses if u.table == "accounting/fuels"), None)
    if kind == "fuel":
        fid = fuel.factor_id if fuel else ""
        unit = str(_g(fuel, "ncv_unit") or f"GJ/{line.get('unit', '')}")
        measured_or("ncv_gj", _g(fuel, "ncv"), unit, fid)
        if "cc_tc_per_tj" not in tokens and "cc_tc_per_unit" in tokens:
            measured_or("cc_tc_per_unit", None, f"tC/{line.get('unit', '')}", fid)
        else:
            measured_or("cc_tc_per_tj", _g(fuel, "cc_tc_per_tj"), "tC/TJ", fid)
        measured_or("oxidation", _g(fuel, "oxidation"), "fraction", fid)
    carb = next((u for u in uses if u.table == "accounting/carbonates"), None)
    if kind in ("carbonate", "oxalic_acid") and carb is not None:
        pur = line.get("purity")
        if pur is not None and not math.isnan(float(pur)):
            out.append(_param("purity", float(pur), "fraction", "measured", "measured#purity"))
        else:
            out.append(_param("purity", _g(carb, "default_purity"), "fraction", "default", carb.factor_id))
    method = ""
    if str(line.get("item")) == "primary_aluminium":
        al = {u.values.get("parameter"): u for u in uses if u.table == "accounting/aluminium"}
        for name in ("net_anode_consumption", "anode_sulfur", "anode_ash"):
            u = al.get(name)
            measured_or(name, _g(u, "value"), str(_g(u, "value_unit") or ""), u.factor_id if u else "")
        for name, unit in (
            ("aem_min", "AE-min/cell-day"),
            ("aeo_mv", "mV"),
            ("current_efficiency", "fraction"),
        ):
            measured_or(name, None, unit, "")
        if "technology" in tokens:
            out.append(_param("technology", tokens["technology"], "", "input", f"{ms.INPUT}technology"))
        coef = {str(u.values.get("parameter")): u for u in uses if u.table == "accounting/pfc_coefficients"}
        method = (
            "overvoltage"
            if "ovc_cf4" in coef
            else "slope"
            if "slope_cf4" in coef
            else "tier1"
            if "tier1_ef_cf4" in coef
            else "default"
        )
        for name, u in coef.items():
            out.append(_param(name, _g(u, "value"), str(_g(u, "value_unit") or ""), "default", u.factor_id))
        if method == "default":
            for name in ("ef_cf4", "ef_c2f6"):
                u = al.get(name)
                if u is not None:
                    out.append(
                        _param(name, _g(u, "value"), str(_g(u, "value_unit") or ""), "default", u.factor_id)
                    )
        elif method in ("slope", "overvoltage"):
            q = float(line["quantity"]) or 1.0
            for name, col in (("ef_cf4", "cf4_t"), ("ef_c2f6", "c2f6_t")):
                out.append(_param(name, float(line[col]) / q * 1000.0, "kg/t-Al", "computed", ""))
    return tuple(out), method


def _pfc_co2e(line: Mapping[str, Any]) -> float:
    """The line's PFC CO2e [t CO2e] (co2e − co2 of a line with CF4 or C2F6), else 0."""
    gases = [line.get(k) for k in ("cf4_t", "c2f6_t")]
    if not any(g is not None and not math.isnan(float(g)) and float(g) != 0.0 for g in gases):
        return 0.0
    return float(line["co2e_t"]) - float(line["co2_t"])


def _g(use: FactorUse | None, key: str) -> Any:
    return None if use is None else use.values.get(key)


def _v(params: Mapping[str, ParameterUse], name: str) -> str:
    """A parameter as it enters the arithmetic, marked (实测) when measured."""
    p = params.get(name)
    if p is None:
        return "?"
    return f"{p.value}" + (" (实测 / measured)" if p.basis == "measured" else "")


def _arithmetic(
    line: Mapping[str, Any],
    by_table: Mapping[str, FactorUse],
    uses: list[FactorUse],
    params: Mapping[str, ParameterUse] | None = None,
    pfc_method: str = "",
) -> list[str]:
    params = params or {}
    q, unit = float(line["quantity"]), str(line["unit"])
    kind = str(line["kind"])
    steps = [f"Q = {line['quantity_in']:g} {line['unit_in']} = {q:,.6g} {unit}"]
    fuel = by_table.get("accounting/fuels")
    if kind == "fuel" and (fuel is not None or float(line.get("co2_t") or 0) != 0):
        ncv_p = params.get("ncv_gj")
        cc_txt = (
            f"{_v(params, 'cc_tc_per_tj')} tC/TJ"
            if "cc_tc_per_tj" in params
            else f"({_v(params, 'cc_tc_per_unit')} tC/{unit} ÷ NCV × 1000) tC/TJ"
        )
        steps.append(
            f"CO2 = {q:,.6g} {unit} × {_v(params, 'ncv_gj')} {ncv_p.unit if ncv_p else ''} × {cc_txt} ÷ 1000"
            f" × {_v(params, 'oxidation')} × 44/12 = {float(line['co2_t']):,.4f} tCO2"
        )
    elif kind == "fuel":  # 原煤: a tce coefficient but no emission factor in the method
        steps.append(
            "CO2 = 0 tCO2 (未计算：方法无该燃料的缺省排放因子，须实测低位发热量和单位热值含碳量 / "
            "not computed: the method has no default factor for this fuel; a measured NCV and "
            "carbon content are needed)"
        )
    elif kind == "reductant" and (r := by_table.get("accounting/reductants")):
        steps.append(
            f"CO2 = {q:,.6g} {unit} × {_g(r, 'ef')} {_g(r, 'ef_unit')} = {float(line['co2_t']):,.4f} tCO2"
        )
    elif kind in ("carbonate", "oxalic_acid") and (c := by_table.get("accounting/carbonates")):
        steps.append(
            f"CO2 = {q:,.6g} t × {_g(c, 'ef_tco2_per_t')} tCO2/t × {_v(params, 'purity')}"
            f" = {float(line['co2_t']):,.4f} tCO2"
        )
    elif kind in ("electricity", "green_electricity"):
        grids = [u for u in uses if u.table == "accounting/grid_factors"]
        if kind == "electricity" and grids:  # the first cited grid row is the location factor
            g = grids[0]
            steps.append(
                f"CO2 (location) = {q:,.6g} MWh × {_g(g, 'ef')} tCO2/MWh "
                f"({_g(g, 'series')}, {_g(g, 'region')}, {_g(g, 'year')}) = "
                f"{float(line['co2_t']):,.4f} tCO2"
            )
        res = (
            grids[1]
            if kind == "electricity" and len(grids) > 1
            else (grids[0] if kind == "green_electricity" and grids else None)
        )
        if res is not None:
            sign = "−" if kind == "green_electricity" else ""
            value = float(line["co2_market_t"])
            full = -q * float(_g(res, "ef") or 0.0) if kind == "green_electricity" else value
            step = (
                f"CO2 (market) = {sign}{q:,.6g} MWh × {_g(res, 'ef')} tCO2/MWh "
                f"({_g(res, 'series')}, {_g(res, 'region')}, {_g(res, 'year')}) = {full:,.4f} tCO2"
            )
            if abs(value - full) > 1e-9 * max(1.0, abs(full)):  # the market floor applied
                step += (
                    f", limited to {value:,.4f} tCO2 (绿电超过本期净购入电量，市场法不低于零 / "
                    "green power above the period's net purchases: market-based never below zero)"
                )
            steps.append(step)
    elif kind == "heat" and (h := by_table.get("accounting/heat_factors")):
        steps.append(f"CO2 = {q:,.6g} GJ × {_g(h, 'ef')} tCO2/GJ = {float(line['co2_t']):,.4f} tCO2")
    elif kind == "aluminium" and str(line.get("item")) == "primary_aluminium":
        gwp = {u.values.get("gas"): u.values.get("gwp100") for u in uses if u.table == "accounting/gwp"}
        steps.append(
            f"[阳极消耗 / anode] CO2 = {q:,.6g} t × {_v(params, 'net_anode_consumption')} × (1 − "
            f"{_v(params, 'anode_sulfur')} − {_v(params, 'anode_ash')}) × 44/12 = "
            f"{float(line['co2_t']):,.4f} tCO2"
        )
        m_zh, m_en = PARAMETERS[f"pfc_{pfc_method or 'default'}"]
        if pfc_method == "overvoltage":
            ef = (
                f"EF_CF4 = {_v(params, 'ovc_cf4')} × {_v(params, 'aeo_mv')} mV ÷ "
                f"({_v(params, 'current_efficiency')} × 100 %)"
            )
        elif pfc_method == "slope":
            ef = f"EF_CF4 = {_v(params, 'slope_cf4')} × {_v(params, 'aem_min')} AE-min/cell-day"
        else:
            ef = f"EF_CF4 = {_v(params, 'tier1_ef_cf4' if pfc_method == 'tier1' else 'ef_cf4')} kg/t"
        c2f6 = (
            f"EF_C2F6 = EF_CF4 × {_v(params, 'c2f6_cf4_ratio')}"
            if pfc_method in ("slope", "overvoltage")
            else f"EF_C2F6 = {_v(params, 'tier1_ef_c2f6' if pfc_method == 'tier1' else 'ef_c2f6')} kg/t"
        )
        steps.append(f"[阳极效应 PFC / pfc] {m_zh} / {m_en}: {ef}; {c2f6}")
        steps.append(
            f"[阳极效应 PFC / pfc] CF4 = {q:,.6g} t × EF_CF4 ÷ 1000 = "
            f"{float(line['cf4_t']):,.6g} t; C2F6 = {q:,.6g} t × EF_C2F6 ÷ 1000 = "
            f"{float(line['c2f6_t']):,.6g} t"
        )
        pfc = float(line["co2e_t"]) - float(line["co2_t"])
        steps.append(
            f"[阳极效应 PFC / pfc] CO2e = {float(line['cf4_t']):,.6g} × {gwp.get('CF4')} + "
            f"{float(line['c2f6_t']):,.6g} × {gwp.get('C2F6')} = {pfc:,.4f} tCO2e"
        )
        steps.append(
            f"CO2e (line) = {float(line['co2_t']):,.4f} (阳极消耗 / anode) + {pfc:,.4f} "
            f"(阳极效应 PFC / pfc) = {float(line['co2e_t']):,.4f} tCO2e"
        )
    if (t := by_table.get("accounting/tce_coefficients")) is not None:
        steps.append(
            f"tce = {q:,.6g} {unit} × {_g(t, 'coefficient')} {_g(t, 'coefficient_unit')}"
            f" = {float(line['energy_tce']):,.4f} tce"
        )
    elif float(line.get("energy_tce", 0) or 0) and fuel is not None:
        steps.append(
            f"tce = {q:,.6g} {unit} × {_g(fuel, 'ncv')} {_g(fuel, 'ncv_unit')} ÷ 29.307 "
            f"GJ/tce = {float(line['energy_tce']):,.4f} tce (no tabulated coefficient)"
        )
    return steps
