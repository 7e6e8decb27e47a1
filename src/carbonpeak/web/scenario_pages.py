"""Scenario pages (issue 7): trajectories with the peak, fan chart, LMDI waterfall, MACC curve.

Thin, like :mod:`carbonpeak.web.pages` (whose render, Who, page_ctx and to_login it
uses; a refusal is the app's error page): one GET form, the service's results as JSON blocks that
``static/scenarios.js`` draws with ECharts. A city user sees its city's base year, an
enterprise user its own; verifier and public get 403 (as in the API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from carbonpeak.errors import InputError
from carbonpeak.http.deps import Db
from carbonpeak.http.files import CSV, download
from carbonpeak.model import Role
from carbonpeak.service.outlook import scenarios as svc
from carbonpeak.service.outlook.scenario_catalog import DEMO_SCENARIO_NAMES, is_synthetic
from carbonpeak.service.platform.context import Context
from carbonpeak.service.registry import refdata_service
from carbonpeak.web.i18n import Lang, loc, text
from carbonpeak.web.pages import Visitor, Who, page_ctx, render, to_login

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE_N = 200  # default trajectories on the page: fast
_NAMES = list(DEMO_SCENARIO_NAMES)


def _label(name: str, lang: Lang) -> str:
    key = f"scenarios.name.{name}"
    return text(key, lang) if is_synthetic(name) else name


def _metal(code: str, lang: Lang) -> str:
    return refdata_service.name("sector/metals", code, lang) or code


def _problem_text(exc: InputError, lang: Lang) -> str:
    return "; ".join(loc(p, lang, "message") for p in exc.problems[:5])


def _trajectories(r: dict[str, Any], view: str, lang: Lang) -> dict[str, Any]:
    years = [str(y) for y in r["years"]]
    series = []
    for name, s in r["scenarios"].items():
        series.append(
            {
                "name": _label(name, lang),
                "key": name,
                "total": [v / 1e6 for v in s["co2_t"]["total"]],
                "peakYear": str(s["peak"]["year"]),
                "peakValue": s["peak"]["co2_t"] / 1e6,
                "peaked": s["peak"]["peaked"],
                "byMetal": [
                    {"name": _metal(m, lang), "data": [v / 1e6 for v in vals]}
                    for m, vals in s["co2_t"]["by_metal"].items()
                ],
            }
        )
    return {
        "years": years,
        "view": view,
        "series": series,
        "unit": text("scenarios.unit.mt", lang),
        "peakName": text("scenarios.peak", lang),
        "totalName": text("scenarios.total", lang),
        "line2030": "2030",
        "line2030Name": text("scenarios.line2030", lang),
    }


def _fan(mc: dict[str, Any], lang: Lang) -> dict[str, Any]:
    f = mc["fan_co2_t"]
    mt = {k: [v / 1e6 for v in vals] for k, vals in f.items()}
    return {
        "years": [str(y) for y in mc["years"]],
        "p5": mt["p5"],
        "p25": mt["p25"],
        "p50": mt["p50"],
        "p75": mt["p75"],
        "p95": mt["p95"],
        "deterministic": [v / 1e6 for v in mc["deterministic_co2_t"]],
        "p2030": mc["p_peak_by_2030"],
        "unit": text("scenarios.unit.mt", lang),
        "medianName": text("scenarios.median", lang),
        "deterministicName": text("scenarios.deterministic", lang),
        "outerName": text("scenarios.band", lang, lo=5, hi=95),
        "innerName": text("scenarios.band", lang, lo=25, hi=75),
        "line2030": "2030",
    }


def _waterfall(lm: dict[str, Any], lang: Lang, start: str, end: str) -> dict[str, Any]:
    factors = lm["factors"]
    return {
        "start": lm["v_from"] / 1e6,
        "end": lm["v_to"] / 1e6,
        "startName": start,
        "endName": end,
        "factors": [text(f"scenarios.lmdi.factor.{f}", lang) for f in factors],
        "effects": [lm["total_effects"][f] / 1e6 for f in factors],
        "unit": text("scenarios.unit.mt", lang),
    }


def _macc(m: dict[str, Any], lang: Lang) -> dict[str, Any]:
    return {
        "bars": [
            {
                "name": loc(c, lang),
                "x0": c["x0"] / 1e4,
                "x1": c["x1"] / 1e4,
                "cost": c["mac_yuan_per_tco2e"],
            }
            for c in m["curve"]
        ],
        "xName": text("scenarios.macc.x", lang),
        "yName": text("scenarios.macc.y", lang),
        "baseline": m["baseline_tco2e_per_a"] / 1e4,
    }


def _scope(visitor: Visitor) -> str:
    p = visitor.principal
    if p.role is Role.CITY and p.city_code:
        return refdata_service.name("geo/cities", p.city_code, visitor.lang) or p.city_code
    if p.role is Role.ENTERPRISE:
        return text("scenarios.scope.enterprise", visitor.lang)
    return text("scenarios.scope.province", visitor.lang)


@router.get("/scenarios", response_class=HTMLResponse, response_model=None)
def scenarios_page(
    request: Request,
    db: Db,
    visitor: Who,
    s: list[str] = Query(default_factory=list),  # noqa: B008 — FastAPI's way to read a repeated parameter
    view: str = "lines",
    mc: str = "plan_policy",
    n: int = _PAGE_N,
    seed: int = 1,
    lmdi: str = "history",
) -> Response:
    """The scenarios page: trajectories with the peak, the fan, the LMDI waterfall, the MACC."""
    if not visitor.signed_in:
        return to_login(request)
    lang = visitor.lang
    ctx = page_ctx(request, db, visitor.principal)
    svc.check_access(ctx, "scenarios.view")
    chosen = [x for x in s if x in _NAMES] or list(_NAMES)
    view = view if view in ("lines", "metal") else "lines"
    mc = mc if mc in _NAMES else "plan_policy"
    lmdi = lmdi if lmdi in ("history", "compare") else "history"
    n = min(max(n, 1), svc.max_n())
    form = {"s": chosen, "view": view, "mc": mc, "n": n, "seed": seed, "lmdi": lmdi}
    values: dict[str, Any] = {
        "form": form,
        "names": [(x, _label(x, lang)) for x in _NAMES],
        "scope": _scope(visitor),
        "limit": svc.max_n(),
        "problems": [],
        "bt": None,
    }
    try:
        bt = svc.base_table(ctx)
    except InputError as exc:
        values["problems"].append(_problem_text(exc, lang))
        return render(request, visitor, "scenarios/index.html", **values)
    values["bt"] = {
        "year": bt.year,
        "source": bt.source,
        "co2_mt": bt.reconciliation.get("base_co2_t", 0.0) / 1e6,
        "groups": len(bt.frame),
    }
    r = svc.run(ctx, chosen, bt=bt)
    values["rows"] = [
        {
            "name": _label(k, lang),
            "key": k,
            "peak_year": v["peak"]["year"],
            "peak_mt": v["peak"]["co2_t"] / 1e6,
            "y2030": v["co2_t"]["total"][r["years"].index(2030)] / 1e6 if 2030 in r["years"] else None,
            "y2060": v["co2_t"]["total"][-1] / 1e6,
            "verdict": v["verdict"],
        }
        for k, v in r["scenarios"].items()
    ]
    values["trajectories"] = _trajectories(r, view, lang)
    builders: dict[str, Callable[[], dict[str, Any]]] = {
        "fan": lambda: _fan(svc.montecarlo(ctx, mc, n=n, seed=seed, bt=bt), lang),
        "lmdi": lambda: _lmdi(ctx, bt, lmdi, lang),
        "macc": lambda: _macc(svc.macc_curve(ctx, bt=bt), lang),
    }
    for key, build in builders.items():
        try:
            values[key] = build()
        except InputError as exc:
            values[key] = None
            values["problems"].append(_problem_text(exc, lang))
    values["mc_caption"] = text("scenarios.mc.caption", lang, scenario=_label(mc, lang), n=n, seed=seed)
    values["macc_caption"] = text(
        "scenarios.macc.caption",
        lang,
        file="macc_measures.csv",
        baseline=f"{(values['macc'] or {}).get('baseline', 0.0) / 100:,.2f}",
    )
    return render(request, visitor, "scenarios/index.html", **values)


def _lmdi(ctx: Context, bt: svc.BaseTable, mode: str, lang: Lang) -> dict[str, Any]:
    if mode == "compare":
        lm = svc.lmdi_scenarios(ctx, "baseline", "plan_policy", 2030, bt=bt)
        a, b = _label("baseline", lang), _label("plan_policy", lang)
        out = _waterfall(lm, lang, a, b)
        out["caption"] = text("scenarios.lmdi.caption.compare", lang, a=a, b=b, year=2030)
        return out
    lm = svc.lmdi_history(ctx)
    y0, y1 = str(lm["years"][0]), str(lm["years"][-1])
    out = _waterfall(lm, lang, y0, y1)
    out["caption"] = text("scenarios.lmdi.caption.history", lang, y0=y0, y1=y1)
    return out


@router.get("/scenarios/iamc.csv", response_model=None)
def scenarios_iamc(request: Request, db: Db, visitor: Who) -> Response:
    """The three scenarios in IAMC format for the visitor's scope (CSV download)."""
    if not visitor.signed_in:
        return to_login(request)
    data = svc.iamc_export(page_ctx(request, db, visitor.principal), list(_NAMES))
    return download(data, "carbonpeak-scenarios-iamc.csv", CSV)
