"""What the inventory pages show, shaped from the service's dicts: no SQL, no arithmetic
beyond regrouping what :func:`carbonpeak.service.inventories.inventory.summarise` returns.

- :func:`section` — the enterprise page's inventory section (latest year's headline
  numbers, tCO2e by source category and year for the chart, provenance).
- :func:`run_view` — the run page (totals by year and category, lines of one year).
- :func:`explanation_view` — one line's explanation (formula, factor cards, arithmetic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from carbonpeak.service.inventories import inventory
from carbonpeak.service.inventories.explanations import Explanation, FactorUse
from carbonpeak.service.registry import refdata_service
from carbonpeak.web.i18n import TEXT, Lang, loc, text

__all__ = [
    "CONFIDENCE",
    "FactorCard",
    "ProvenanceItem",
    "Section",
    "explanation_view",
    "lines_of_year",
    "provenance",
    "run_view",
    "section",
    "when",
]

#: Confidence tags of refdata rows, in legend order, with their CSS modifier.
CONFIDENCE: Final[tuple[tuple[str, str], ...]] = (("V", "v"), ("S+", "splus"), ("S", "s"))
#: Categories whose emissions are indirect (purchased energy); the rest are direct.
INDIRECT: Final = frozenset({"electricity", "heat"})


def _name(row: Mapping[str, Any], lang: Lang) -> str:
    return str(loc(row, lang))


def _lookup(table: str, row_id: str) -> Mapping[str, Any] | None:
    return refdata_service.row(table, row_id)


def item_name(item_id: str, lang: Lang) -> str:
    """The display name of an activity item (``bituminous_coal`` → 烟煤), else its id."""
    row = _lookup("accounting/items", item_id)
    return item_id if row is None else _name(row, lang)


def region_name(code: str | None, lang: Lang) -> str:
    if not code:
        return ""
    if f"region.{code}" in TEXT:
        return text(f"region.{code}", lang)
    row = refdata_service.cities().by_id.get(code)
    return code if row is None else _name(row, lang)


def _catalogue(key: str, fallback: str, lang: Lang) -> str:
    return text(key, lang) if key in TEXT else fallback


def when(iso: str | None) -> str:
    """``2026-11-25T14:23:56.5Z`` → ``2026-11-25 14:23 UTC``."""
    if not iso:
        return ""
    day, _, clock = iso.partition("T")
    return f"{day} {clock[:5]} UTC" if clock else day


@dataclass(frozen=True)
class ProvenanceItem:
    label: str
    value: str
    code: str = ""  # the id behind the value, shown in monospace
    wide: bool = False  # spans two columns of the provenance grid


def provenance(run: Mapping[str, Any], lang: Lang) -> list[ProvenanceItem]:
    """Method, version, factor set, GWP set, grid series and region, computed at/by."""
    method = _lookup("accounting/methods", str(run["method"]))
    series = str(run.get("grid_series") or "")
    grid = _catalogue(f"grid.{series}", series, lang)
    region = region_name(run.get("grid_region"), lang)
    gwp = str(run.get("gwp_set") or "")
    return [
        ProvenanceItem(
            text("inv.prov.method", lang),
            _name(method, lang) if method else str(run["method"]),
            str(run["method"]),
            wide=True,
        ),
        ProvenanceItem(text("inv.prov.version", lang), str(run.get("method_version") or "—")),
        ProvenanceItem(text("inv.prov.factor_set", lang), str(run["factor_set"])),
        ProvenanceItem(text("inv.prov.gwp", lang), _catalogue(f"gwp.{gwp}", gwp, lang), gwp),
        ProvenanceItem(
            text("inv.prov.grid", lang),
            text("inv.prov.grid_region", lang, grid=grid, region=region) if region else grid,
            series,
        ),
        ProvenanceItem(text("inv.prov.status", lang), status_label(str(run["status"]), lang)),
        ProvenanceItem(
            text("inv.prov.computed", lang),
            text(
                "inv.prov.computed_value",
                lang,
                at=when(run.get("created_at")),
                by=run.get("created_by") or "—",
            ),
            wide=True,
        ),
    ]


def status_label(status: str, lang: Lang) -> str:
    return _catalogue(f"inv.status.{status}", status, lang)


# --- totals by year and category -----------------------------------------------------------


def _frame(lines: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(list(lines))


def by_year(lines: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per year, the service's summary of that year's lines (annual rows when there are
    any, else the months), so categories and the direct share are per year too."""
    frame = _frame(lines)
    if frame.empty:
        return {}
    return {
        str(y): inventory.summarise(sub)
        for y, sub in sorted(frame.groupby("year"), key=lambda kv: int(str(kv[0])))
    }


def category_order(categories: Mapping[str, Any]) -> list[str]:
    """Report order of the source categories (the service's order), 'none' last."""
    return [c for c in categories if c != "none"] + (["none"] if "none" in categories else [])


def _cat_name(categories: Mapping[str, Mapping[str, str]], cat: str, lang: Lang) -> str:
    names = categories.get(cat)
    return cat if names is None else str(names.get(lang) or names.get("zh") or cat)


def chart_data(
    years: Mapping[str, Mapping[str, Any]], categories: Mapping[str, Mapping[str, str]], lang: Lang
) -> dict[str, Any]:
    """tCO2e (location-based) stacked by source category, one bar per year, and the
    market-based total as a line; category names already in *lang*."""
    labels = list(years)
    used = [
        c
        for c in category_order(categories)
        if c != "none"
        and any(abs(y["by_category"].get(c, {}).get("co2e_t", 0.0)) > 0 for y in years.values())
    ]
    return {
        "categories": labels,
        "series": [
            {
                "key": c,
                "name": _cat_name(categories, c, lang),
                "data": [round(years[y]["by_category"].get(c, {}).get("co2e_t", 0.0), 2) for y in labels],
            }
            for c in used
        ],
        "market": {
            "name": text("inv.chart.market", lang),
            "data": [round(years[y]["total"].get("co2e_market_t", 0.0), 2) for y in labels],
        },
        "valueName": "tCO2e",
        "unit": "tCO2e",
    }


@dataclass(frozen=True)
class Section:
    """The enterprise page's inventory section."""

    run: Mapping[str, Any]
    year: str
    headline: Mapping[str, float]
    previous: Mapping[str, float] | None
    previous_year: str
    chart: Mapping[str, Any]
    provenance: list[ProvenanceItem]


def headline(summary: Mapping[str, Any]) -> dict[str, float]:
    total = summary["total"]
    return {
        "co2e_t": float(total.get("co2e_t", 0.0)),
        "co2e_market_t": float(total.get("co2e_market_t", 0.0)),
        "direct_co2e_t": float(total.get("direct_co2e_t", 0.0)),
        "energy_tce": float(total.get("energy_tce", 0.0)),
    }


def section(run: Mapping[str, Any] | None, lang: Lang) -> Section | None:
    """The section for the enterprise's inventory over its years
    (:func:`carbonpeak.service.inventories.inventory.enterprise_inventory`; None: no inventory)."""
    if run is None:
        return None
    years = by_year(run["lines"])
    if not years:
        return Section(
            run=run,
            year="",
            headline={},
            previous=None,
            previous_year="",
            chart={},
            provenance=provenance(run, lang),
        )
    labels = list(years)
    prev = headline(years[labels[-2]]) if len(labels) > 1 else None
    return Section(
        run=run,
        year=labels[-1],
        headline=headline(years[labels[-1]]),
        previous=prev,
        previous_year=labels[-2] if prev else "",
        chart=chart_data(years, run["categories"], lang),
        provenance=provenance(run, lang),
    )


# --- the run page ------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRow:
    key: str
    name: str
    co2e_t: float
    co2e_market_t: float
    energy_tce: float
    share: float  # of the year's location-based tCO2e, 0..1


def category_rows(
    summary: Mapping[str, Any], categories: Mapping[str, Mapping[str, str]], lang: Lang
) -> list[CategoryRow]:
    by_cat = summary.get("by_category", {})
    total = float(summary.get("total", {}).get("co2e_t", 0.0)) or 0.0
    rows = []
    for c in category_order({**categories, **by_cat}):
        if c not in by_cat:
            continue
        v = by_cat[c]
        rows.append(
            CategoryRow(
                key=c,
                name=_cat_name(categories, c, lang),
                co2e_t=float(v.get("co2e_t", 0.0)),
                co2e_market_t=float(v.get("co2e_market_t", 0.0)),
                energy_tce=float(v.get("energy_tce", 0.0)),
                share=float(v.get("co2e_t", 0.0)) / total if total else 0.0,
            )
        )
    return rows


def lines_of_year(
    lines: Sequence[Mapping[str, Any]], year: str, monthly: bool
) -> tuple[list[Mapping[str, Any]], bool]:
    """The lines of *year*: its annual rows when it has any (and the months too when
    *monthly*), else its months. Also says whether the year has both kinds."""
    of_year = [ln for ln in lines if str(ln["year"]) == year]
    annual = [ln for ln in of_year if ln.get("month") is None]
    months = [ln for ln in of_year if ln.get("month") is not None]
    both = bool(annual) and bool(months)
    if annual and not monthly:
        return annual, both
    return annual + months if annual else months, both


@dataclass(frozen=True)
class RunView:
    years: dict[str, dict[str, Any]]
    year: str
    monthly: bool
    has_months: bool
    summary: Mapping[str, Any]
    category_rows: list[CategoryRow]
    lines: list[dict[str, Any]]
    provenance: list[ProvenanceItem]
    status: str


def run_view(run: Mapping[str, Any], year: str, monthly: bool, lang: Lang) -> RunView:
    """The run page for *year* (the latest year when *year* is not one of the run's)."""
    years = by_year(run["lines"])
    if year not in years:
        year = next(reversed(years), "") if years else ""
    summary = years.get(year, {"by_category": {}, "total": {}})
    chosen, has_months = lines_of_year(run["lines"], year, monthly) if year else ([], False)
    categories = run["categories"]
    shown = [
        {
            **ln,
            "item_name": item_name(str(ln["item"]), lang),
            "category_name": _cat_name(categories, str(ln["category"]), lang),
        }
        for ln in chosen
    ]
    return RunView(
        years=years,
        year=year,
        monthly=monthly,
        has_months=has_months,
        summary=summary,
        category_rows=category_rows(summary, categories, lang),
        lines=shown,
        provenance=provenance(run, lang),
        status=status_label(str(run["status"]), lang),
    )


# --- the explanation page ------------------------------------------------------------------


@dataclass(frozen=True)
class FactorCard:
    factor_id: str
    name: str
    values: list[tuple[str, str]]
    note: str
    source_title: str
    source_id: str
    clause: str
    read_in: str
    confidence: str
    confidence_css: str
    confidence_label: str


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) >= 1e4 else f"{value:g}"
    return str(value)


def factor_values(values: Mapping[str, Any]) -> tuple[list[tuple[str, str]], str]:
    """The factor's values as (key, shown) pairs, a value and its ``<key>_unit`` on one
    line; the free-text ``note`` apart."""
    out = []
    for k, v in values.items():
        if k == "note" or (k.endswith("_unit") and k.removesuffix("_unit") in values):
            continue
        if v is None or v == "":
            continue
        unit = values.get(f"{k}_unit")
        out.append((k, f"{_fmt(v)} {unit}" if unit else _fmt(v)))
    return out, str(values.get("note") or "")


def _sources() -> Mapping[str, refdata_service.Source]:
    return refdata_service.sources()


def _source_title(use: FactorUse, lang: Lang) -> str:
    src = _sources().get(use.source_id)
    if src is None:
        return use.source_title or use.source_id
    return str(loc(src, lang, "title"))


def factor_card(use: FactorUse, lang: Lang) -> FactorCard:
    css = dict(CONFIDENCE).get(use.confidence, "unknown")
    values, note = factor_values(use.values)
    name = str(loc(use, lang))
    return FactorCard(
        factor_id=use.factor_id,
        name=name or use.factor_id,
        values=values,
        note=note,
        source_title=_source_title(use, lang),
        source_id=use.source_id,
        clause=use.clause,
        read_in=use.read_in,
        confidence=use.confidence or "?",
        confidence_css=css,
        confidence_label=text(f"conf.{css}", lang) if f"conf.{css}" in TEXT else use.confidence,
    )


#: Results of a line: key, catalogue label, unit, decimals; shown when not None (and the
#: PFC masses only when not zero).
RESULTS: Final = (
    ("co2_t", "inv.res.co2", "tCO2", 2),
    ("co2_market_t", "inv.res.co2_market", "tCO2", 2),
    ("cf4_t", "inv.res.cf4", "t", 4),
    ("c2f6_t", "inv.res.c2f6", "t", 4),
    ("co2e_t", "inv.res.co2e", "tCO2e", 2),
    ("energy_tce", "inv.res.tce", "tce", 2),
    ("energy_tce_equal_value", "inv.res.tce_equal", "tce", 2),
)


@dataclass(frozen=True)
class ExplanationView:
    exp: Explanation
    line: Mapping[str, Any]
    item_name: str
    category: str
    formula: str
    formula_other: str
    cards: list[FactorCard]
    results: list[tuple[str, float, str, int]] = field(default_factory=list)
    #: every parameter of the line: (name, value, unit, basis 实测/缺省 …, basis key, factor id)
    parameters: list[tuple[str, Any, str, str, str, str]] = field(default_factory=list)


def explanation_view(exp: Explanation, line: Mapping[str, Any], lang: Lang) -> ExplanationView:
    results = []
    for key, label, unit, digits in RESULTS:
        value = exp.results.get(key)
        if value is None or (key in ("cf4_t", "c2f6_t") and not value):
            continue
        results.append((text(label, lang), float(value), unit, digits))
    formula, other = (exp.formula_en, exp.formula_zh) if lang == "en" else (exp.formula_zh, exp.formula_en)
    return ExplanationView(
        exp=exp,
        line=line,
        item_name=item_name(exp.item, lang),
        category=str(loc(exp, lang, "category")),
        formula=formula,
        formula_other=other,
        cards=[factor_card(u, lang) for u in exp.factors],
        results=results,
        parameters=[
            (str(loc(p, lang, "name")), p.value, p.unit, str(loc(p, lang, "basis")), p.basis, p.factor_id)
            for p in exp.parameters
        ],
    )
