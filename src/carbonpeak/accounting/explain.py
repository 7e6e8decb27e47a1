"""Explain one computed line: the formula, each factor with its source and clause, the arithmetic.

Pure: it receives the stored line and the refdata rows its ``factor_ids`` name, and
returns a structured :class:`Explanation` that the CLI prints and the pages render.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from carbonpeak import catalogue
from carbonpeak.accounting.engine import CATEGORIES, PFC_CATEGORY

__all__ = ["Explanation", "FactorUse", "explain_line"]

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


_SKIP = {"id", "name_zh", "name_en", "source_id", "clause", "valid_from", "valid_to", "confidence", "aliases"}


def explain_line(
    line: Mapping[str, Any], lookup: Callable[[str], Mapping[str, Any]], source_title: Callable[[str], str]
) -> Explanation:
    """Build the explanation of a stored inventory *line*.

    *lookup* returns the refdata row of a ``table#row`` id; *source_title* the title of a
    source id.
    """
    uses = []
    for fid in filter(None, str(line.get("factor_ids", "")).split(";")):
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
    return Explanation(
        line_no=int(line["line_no"]),
        item=str(line["item"]),
        kind=kind,
        category_zh=cat[0],
        category_en=cat[1],
        formula_zh=zh,
        formula_en=en,
        arithmetic=tuple(_arithmetic(line, {u.table: u for u in uses}, uses)),
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
    )


def _pfc_co2e(line: Mapping[str, Any]) -> float:
    """The line's PFC CO2e [t CO2e] (co2e − co2 of a line with CF4 or C2F6), else 0."""
    gases = [line.get(k) for k in ("cf4_t", "c2f6_t")]
    if not any(g is not None and not math.isnan(float(g)) and float(g) != 0.0 for g in gases):
        return 0.0
    return float(line["co2e_t"]) - float(line["co2_t"])


def _g(use: FactorUse | None, key: str) -> Any:
    return None if use is None else use.values.get(key)


def _arithmetic(
    line: Mapping[str, Any], by_table: Mapping[str, FactorUse], uses: list[FactorUse]
) -> list[str]:
    q, unit = float(line["quantity"]), str(line["unit"])
    kind = str(line["kind"])
    steps = [f"Q = {line['quantity_in']:g} {line['unit_in']} = {q:,.6g} {unit}"]
    fuel = by_table.get("accounting/fuels")
    if kind == "fuel" and fuel is not None:
        ncv, cc, of = _g(fuel, "ncv"), _g(fuel, "cc_tc_per_tj"), _g(fuel, "oxidation")
        steps.append(
            f"CO2 = {q:,.6g} {unit} × {ncv} {_g(fuel, 'ncv_unit')} × {cc} tC/TJ ÷ 1000"
            f" × {of} × 44/12 = {float(line['co2_t']):,.4f} tCO2"
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
        pur = line.get("purity")
        if pur is None or math.isnan(float(pur)):
            pur = _g(c, "default_purity")
        steps.append(
            f"CO2 = {q:,.6g} t × {_g(c, 'ef_tco2_per_t')} tCO2/t × {pur} = {float(line['co2_t']):,.4f} tCO2"
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
    elif kind == "aluminium":
        par = {
            u.values.get("parameter"): u.values.get("value")
            for u in uses
            if u.table == "accounting/aluminium"
        }
        gwp = {u.values.get("gas"): u.values.get("gwp100") for u in uses if u.table == "accounting/gwp"}
        steps.append(
            f"[阳极消耗 / anode] CO2 = {q:,.6g} t × {par.get('net_anode_consumption')} × (1 − "
            f"{par.get('anode_sulfur')} − {par.get('anode_ash')}) × 44/12 = "
            f"{float(line['co2_t']):,.4f} tCO2"
        )
        steps.append(
            f"[阳极效应 PFC / pfc] CF4 = {q:,.6g} t × {par.get('ef_cf4')} kg/t ÷ 1000 = "
            f"{float(line['cf4_t']):,.6g} t; C2F6 = {q:,.6g} t × {par.get('ef_c2f6')} "
            f"kg/t ÷ 1000 = {float(line['c2f6_t']):,.6g} t"
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
