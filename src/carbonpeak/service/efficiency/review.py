"""Energy-saving review (节能审查) of a proposed project: verdict, effects, stored record.

:func:`review` takes a proposal (capacity, metal, route, design energy use by carrier with
units, location, review date), and

1. converts every carrier to its canonical unit (:mod:`carbonpeak.units`) and computes its
   comprehensive energy [tce, 当量值, GB/T 2589 coefficients] and CO2 [t] with the
   accounting engine and the factors of the method for the metal
   (:func:`carbonpeak.accounting.engine.compute_inventory`);
2. divides by the design output (default: the capacity) for the unit-product
   comprehensive energy [kgce/t] and judges it against the 1级 of the limit standard in
   force on the date (and, for electrolytic aluminium, the benchmark) with
   :func:`carbonpeak.benchmark.review.review_against_limits`;
3. puts it beside the stored inventories of the latest year: the city's and the province's
   energy and CO2 with and without the project, the energy-intensity indicator (change vs
   2020) with and without it, and the Cu/Pb/Zn capacity share at benchmark with and without.

The city and province totals are aggregates over every enterprise (as on the public
overview), whoever asks; no enterprise's own figures are returned.

Who may review (a decision of this platform, see ``docs/review.md``): the province (any
city), a city (its city), an enterprise (its own proposal, in its own city — a self-check
before filing). Verifiers and the public may not. Every review is stored
(:class:`~carbonpeak.store.models.EnergyReview`, inputs and verdict) and is an audit event;
it is visible to the province, the city it lies in and the enterprise it names.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field
from sqlalchemy import ColumnElement, false, select, true

from carbonpeak import refdata, units
from carbonpeak.accounting.engine import compute_inventory
from carbonpeak.accounting.factors import AccountingChoices, load_factors, method_for_metal
from carbonpeak.benchmark.classify import classify_unit_energy
from carbonpeak.benchmark.levels import load_levels
from carbonpeak.benchmark.review import (
    AL_BENCHMARK_ROUTES,
    review_against_limits,
    share_with_project,
    totals_with_project,
    unit_product_energy_kgce_per_t,
)
from carbonpeak.errors import InputError, NotFound, PermissionDenied, Problem, UnitError
from carbonpeak.model import Action, Principal, Role
from carbonpeak.model.schemas import TextSafeModel
from carbonpeak.refdata.register_rules import check_park_in_city, check_product_of_route, check_route_of_metal
from carbonpeak.service.efficiency import benchmarking
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import SYSTEM, Context, transactional
from carbonpeak.store.models import EnergyReview, Enterprise
from carbonpeak.store.scope import restrict
from carbonpeak.targets.indicators import intensity_change

__all__ = [
    "CARRIER_ALIASES",
    "EnergyUse",
    "ReviewRequest",
    "get_review",
    "list_reviews",
    "parse_energy",
    "review",
]

#: Short names accepted for carriers (else any accounting/items id or name).
CARRIER_ALIASES = {
    "electricity": "electricity_purchased",
    "power": "electricity_purchased",
    "电": "electricity_purchased",
    "电力": "electricity_purchased",
    "gas": "natural_gas",
    "ng": "natural_gas",
    "天然气": "natural_gas",
    "steam": "heat_purchased",
    "heat": "heat_purchased",
    "热力": "heat_purchased",
    "蒸汽": "heat_purchased",
}
ENERGY_KINDS = ("fuel", "reductant", "electricity", "heat", "energy_medium")
_SPEC = re.compile(r"^\s*([^=\s]+)\s*=\s*([-+0-9.eE,]+)\s*(.*?)\s*$")


class EnergyUse(TextSafeModel):
    """One carrier of the design energy use: quantity per year in the unit given."""

    carrier: str = Field(min_length=1)
    quantity: float = Field(ge=0)
    unit: str = Field(min_length=1)


class ReviewRequest(TextSafeModel):
    """A proposal as the API, the page and the CLI submit it."""

    name: str = ""
    metal: str
    route: str
    product: str | None = None
    capacity_t_per_a: float = Field(gt=0)
    output_t_per_a: float | None = Field(default=None, gt=0)
    energy: list[EnergyUse] = Field(min_length=1)
    ac_power_kwh_per_t: float | None = Field(default=None, gt=0)
    city_code: str
    park_id: str | None = None
    enterprise: str | None = None
    review_date: str | None = None
    value_added_wan_yuan: float | None = Field(default=None, ge=0)
    save: bool = True


def parse_energy(spec: str) -> EnergyUse:
    """``"coke=12000t"``, ``"electricity=3.2e8 kWh"`` → :class:`EnergyUse`.

    Raises
    ------
    InputError
        ``review_bad_energy`` when the text is not ``carrier=quantity unit``.
    """
    m = _SPEC.match(spec)
    if m is None or not m.group(3):
        raise InputError([Problem("review_bad_energy", column="energy", value=spec)])
    try:
        q = float(m.group(2).replace(",", ""))
    except ValueError:
        raise InputError([Problem("review_bad_energy", column="energy", value=spec)]) from None
    return EnergyUse(carrier=m.group(1), quantity=q, unit=m.group(3))


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _carrier(text: str) -> str | None:
    key = text.strip()
    return (
        CARRIER_ALIASES.get(key.lower())
        or CARRIER_ALIASES.get(key)
        or refdata.resolve("accounting/items", key)
    )


def _check(req: ReviewRequest) -> tuple[list[Problem], pd.DataFrame, str, str, dt.date | None]:
    """Validate the proposal; return (problems, activity frame, metal, route, date)."""
    p: list[Problem] = []
    metal = refdata.resolve("sector/metals", req.metal)
    if metal is None:
        p.append(Problem("unknown_metal", column="metal", value=req.metal))
    route = refdata.resolve("sector/process_routes", req.route)
    bad = check_route_of_metal(route or "", metal, column="route", shown=req.route, metal_shown=req.metal)
    if bad is not None:
        p.append(bad)
    if req.product:
        bad = check_product_of_route(_product(req.product) or "", route, column="product", shown=req.product)
        if bad is not None:
            p.append(bad)
    if req.city_code not in refdata.cities().by_id:
        p.append(Problem("unknown_city", column="city", value=req.city_code))
    if req.park_id:
        bad = check_park_in_city(
            req.park_id, req.city_code, column="park", shown=req.park_id, city_shown=req.city_code
        )
        if bad is not None:
            p.append(bad)
    date: dt.date | None
    try:
        date = dt.date.fromisoformat(req.review_date or _today())
    except ValueError:
        date = None
        p.append(Problem("bad_date", column="review_date", value=req.review_date))
    items = refdata.load_table("accounting/items").by_id
    recs = []
    for i, e in enumerate(req.energy, start=1):
        item = _carrier(e.carrier)
        row = items.get(item) if item else None
        if row is None or row["kind"] not in ENERGY_KINDS:
            p.append(Problem("review_unknown_carrier", column=f"energy[{i}].carrier", value=e.carrier, row=i))
            continue
        try:
            q = units.convert(e.quantity, e.unit, str(row["canonical_unit"]))
        except UnitError as err:
            p.extend(
                Problem(x.code, column=f"energy[{i}].unit", value=e.unit, row=i, fields=x.fields)
                for x in err.problems
            )
            continue
        recs.append(
            {
                "item": item,
                "quantity": float(q),
                "carrier": e.carrier,
                "quantity_in": e.quantity,
                "unit_in": e.unit,
                "row": i,
            }
        )
    if route in AL_BENCHMARK_ROUTES and req.ac_power_kwh_per_t is None:
        p.append(Problem("required", column="ac_power_kwh_per_t"))
    return p, pd.DataFrame(recs), metal or "", route or "", date


def _product(text: str | None) -> str | None:
    """The sector/products id *text* names (id or name), None for none."""
    if not text:
        return None
    return refdata.resolve("sector/products", text) or text


def _may_review(ctx: Context, req: ReviewRequest) -> int | None:
    """The enterprise id the review names (None: none), after the role check."""
    pr = ctx.principal
    if pr.role not in (Role.PROVINCE, Role.CITY, Role.ENTERPRISE):
        raise PermissionDenied(role=str(pr.role), action="review.add")
    ent_id = None
    if req.enterprise:
        # only an enterprise the caller may change, in the review's city: one outside the
        # caller's scope reads exactly like an unknown one (no existence oracle)
        ent = ctx.db.execute(
            restrict(
                select(Enterprise).where(
                    Enterprise.credit_code == req.enterprise.upper(), Enterprise.city_code == req.city_code
                ),
                pr,
                Action.CHANGE,
            )
        ).scalar_one_or_none()
        if ent is None:
            raise InputError([Problem("unknown_enterprise", column="enterprise", value=req.enterprise)])
        ent_id = ent.id
        ent_city = ent.city_code
    ok = pr.role is Role.PROVINCE or (pr.role is Role.CITY and pr.city_code == req.city_code)
    if pr.role is Role.ENTERPRISE:
        ok = ent_id is not None and ent_id in pr.enterprise_ids and ent_city == req.city_code
    if not ok:
        raise PermissionDenied(role=str(pr.role), action="review.add")
    return ent_id


def _latest_totals(db: Any, city: str) -> tuple[int | None, pd.DataFrame, pd.DataFrame]:
    """(year, totals by scope of that year, yearly province totals) over all enterprises'
    official figures (aggregates only); the year is the newest that is not provisional
    (:func:`carbonpeak.service.inventories.official.default_year`), so a year in which few enterprises
    have been approved never stands for the province."""
    from carbonpeak.service.inventories import official  # noqa: PLC0415
    from carbonpeak.service.outlook.targets import yearly_totals  # noqa: PLC0415

    sys_ctx = Context(db=db, principal=SYSTEM)
    t = yearly_totals(sys_ctx)
    year_ = official.default_year(sys_ctx)
    if t.empty or year_ is None:
        return None, pd.DataFrame(columns=["scope", "energy_tce", "co2_t"]), t
    year = int(year_)
    last = t[t["year"] == year]
    rows = [
        {
            "scope": "province",
            "energy_tce": float(last["energy_tce"].sum()),
            "co2_t": float(last["co2_t"].sum()),
        },
        {
            "scope": "city",
            "energy_tce": float(last.loc[last["city"] == city, "energy_tce"].sum()),
            "co2_t": float(last.loc[last["city"] == city, "co2_t"].sum()),
        },
    ]
    return year, pd.DataFrame(rows), t


def _intensity_effect(t: pd.DataFrame, year: int, energy: float, va: float) -> dict[str, float | None]:
    s = t[t["above_designated_size"] & t["value_added_wan_yuan"].notna()]
    g = s.groupby("year")[["energy_tce", "value_added_wan_yuan"]].sum()
    if 2020 not in g.index or year not in g.index:
        return {"without": None, "with": None}
    try:
        before = intensity_change(g["energy_tce"], g["value_added_wan_yuan"], 2020)
        bump = pd.Series(0.0, index=g.index)
        bump[year] = 1.0
        after = intensity_change(g["energy_tce"] + energy * bump, g["value_added_wan_yuan"] + va * bump, 2020)
        without = float(before["change_vs_base_pct"].to_dict()[year])
        with_p = float(after["change_vs_base_pct"].to_dict()[year])
    except InputError:
        return {"without": None, "with": None}
    return {"without": without, "with": with_p}


def _share_effect(db: Any, year: int, project: pd.DataFrame, city: str) -> dict[str, Any]:
    ctx = Context(db=db, principal=SYSTEM)
    c = benchmarking.classify(ctx, year)
    sel = c[
        c["metal"].isin(benchmarking.SHARE_METALS)
        & c["route_kind"].isin(benchmarking.SMELTING_KINDS)
        & c["unit_energy"].notna()
        & (c["assessment"] == "assessed")
    ]
    prov = share_with_project(sel, project)
    cit = share_with_project(sel[sel["city"] == city], project)
    return {"applies": True, "province": prov, "city": cit}


def _finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


@transactional
def review(ctx: Context, req: ReviewRequest) -> dict[str, Any]:
    """Review one proposal (module docstring); store it when ``req.save``; return the result.

    Returns
    -------
    dict
        ``inputs`` (as given and converted), ``carriers`` (per carrier: canonical quantity,
        ``energy_tce``, ``co2_t``, factor row ids), ``energy_tce_per_a``, ``co2_t_per_a``,
        ``unit_energy_kgce_per_t``, ``verdict`` (pass/fail/no_level), the level and
        ``citation_zh``/``citation_en``, ``effects`` (totals, intensity, share) and ``id``
        of the stored review (None when not saved).

    Raises
    ------
    InputError
        Every problem of the proposal, located (column, value; ``row`` = carrier number).
    PermissionDenied
        The caller may not review in that city / for that enterprise.
    """
    ent_id = _may_review(ctx, req)
    problems, activity, metal, route, date = _check(req)
    if problems or date is None:
        raise InputError(problems)
    method = method_for_metal(metal)
    f = load_factors(AccountingChoices(method=method.id))
    activity["year"] = date.year
    lines = compute_inventory(activity[["item", "quantity", "year", "row"]], f)
    energy = float(lines["energy_tce"].sum())
    co2 = float(lines["co2_t"].sum())
    output = float(req.output_t_per_a or req.capacity_t_per_a)
    unit_energy = float(unit_product_energy_kgce_per_t(energy, output)[0])
    judged_value = unit_energy
    if route in AL_BENCHMARK_ROUTES and req.ac_power_kwh_per_t is not None:
        judged_value = float(req.ac_power_kwh_per_t)
    proposal = pd.DataFrame(
        {
            "line_id": ["proposal"],
            "metal": [metal],
            "route": [route],
            "product": [_product(req.product)],
            "date": [date.isoformat()],
            "unit_energy": [judged_value],
            "capacity_t_per_a": [float(req.capacity_t_per_a)],
            "city": [req.city_code],
        }
    )
    levels = load_levels()
    verdict = review_against_limits(proposal, levels).iloc[0]
    year, totals, t = _latest_totals(ctx.db, req.city_code)
    effects: dict[str, Any] = {"year": year}
    if year is not None:
        tw = totals_with_project(totals, energy, co2)
        effects["totals"] = {
            str(r["scope"]): {k: _finite(r[k]) for k in tw.columns if k != "scope"} for _i, r in tw.iterrows()
        }
        va = float(req.value_added_wan_yuan or 0.0)
        effects["energy_intensity_change_pct"] = _intensity_effect(t, year, energy, va)
        share: dict[str, Any] = {"applies": False}
        kind = str(refdata.process_routes().by_id[route]["kind"])
        if (
            verdict["level_status"] == "in_force"
            and metal in benchmarking.SHARE_METALS
            and kind in benchmarking.SMELTING_KINDS
        ):
            project = classify_unit_energy(proposal.assign(route_kind=kind), levels)
            share = _share_effect(ctx.db, year, project, req.city_code)
        effects["capacity_share_at_benchmark"] = share
    result: dict[str, Any] = {
        "name": req.name,
        "metal": metal,
        "route": route,
        "product": req.product,
        "city_code": req.city_code,
        "city_name_zh": refdata.name("geo/cities", req.city_code, "zh"),
        "city_name_en": refdata.name("geo/cities", req.city_code, "en"),
        "park_id": req.park_id,
        "review_date": date.isoformat(),
        "capacity_t_per_a": float(req.capacity_t_per_a),
        "output_t_per_a": output,
        "method": method.id,
        "factor_set": f.factor_set,
        "carriers": [
            {
                "carrier": str(a["carrier"]),
                "item": str(a["item"]),
                "item_name_zh": refdata.name("accounting/items", str(a["item"]), "zh"),
                "item_name_en": refdata.name("accounting/items", str(a["item"]), "en"),
                "quantity_in": float(a["quantity_in"]),
                "unit_in": str(a["unit_in"]),
                "quantity": float(a["quantity"]),
                "unit": str(refdata.load_table("accounting/items").by_id[str(a["item"])]["canonical_unit"]),
                "energy_tce": float(ln["energy_tce"]),
                "co2_t": float(ln["co2_t"]),
                "factor_ids": str(ln["factor_ids"]),
            }
            for (_i, a), (_j, ln) in zip(activity.iterrows(), lines.iterrows(), strict=True)
        ],
        "energy_tce_per_a": energy,
        "co2_t_per_a": co2,
        "unit_energy_kgce_per_t": unit_energy,
        "ac_power_kwh_per_t": req.ac_power_kwh_per_t,
        "judged_value": judged_value,
        "verdict": str(verdict["verdict"]),
        "level_id": verdict["level_id"] if isinstance(verdict["level_id"], str) else None,
        "standard": verdict["standard"] if isinstance(verdict["standard"], str) else None,
        "clause": verdict["clause"],
        "read_in": verdict["read_in"] if isinstance(verdict["read_in"], str) else None,
        "level_row_zh": verdict["level_product_zh"],
        "level_row_en": verdict["level_product_en"],
        "edition_valid_from": verdict["edition_valid_from"],
        "level_reason": verdict["level_reason"] if isinstance(verdict["level_reason"], str) else None,
        "edition_in_force": (
            verdict["edition_in_force"] if isinstance(verdict["edition_in_force"], str) else None
        ),
        "value_unit": verdict["value_unit"] if isinstance(verdict["value_unit"], str) else None,
        "advanced_value": _finite(verdict["advanced_value"]),
        "grade2": _finite(verdict["grade2"]),
        "grade3": _finite(verdict["grade3"]),
        "margin": _finite(verdict["margin"]),
        "grade": None if verdict["grade"] is None else str(verdict["grade"]),
        "benchmark_required": bool(verdict["benchmark_required"]),
        "benchmark_value": _finite(verdict["benchmark_value"]),
        "meets_benchmark": None if pd.isna(verdict["meets_benchmark"]) else bool(verdict["meets_benchmark"]),
        "citation_zh": str(verdict["citation_zh"]),
        "citation_en": str(verdict["citation_en"]),
        "effects": effects,
        "id": None,
    }
    if req.save:
        row = EnergyReview(
            enterprise_id=ent_id,
            city_code=req.city_code,
            metal=metal,
            route=route,
            capacity_t_per_a=float(req.capacity_t_per_a),
            review_date=date.isoformat(),
            unit_energy_kgce_per_t=unit_energy,
            verdict=result["verdict"],
            level_id=result["level_id"] or "",
            inputs=json.dumps(req.model_dump(mode="json"), ensure_ascii=False),
            result="{}",
            created_at=audit.now_iso(),
            created_by=ctx.principal.username,
        )
        ctx.db.add(row)
        ctx.db.flush()
        result["id"] = row.id
        row.result = json.dumps(result, ensure_ascii=False, default=str)
        audit.record(
            ctx.db,
            ctx.principal,
            ctx.request_id,
            "review.add",
            "energy_review",
            row.id,
            after={
                "inputs": req.model_dump(mode="json"),
                "verdict": result["verdict"],
                "unit_energy_kgce_per_t": unit_energy,
                "level_id": result["level_id"],
            },
        )
    return result


def _scope(principal: Principal) -> ColumnElement[bool]:
    if principal.role is Role.PROVINCE:
        return true()
    if principal.role is Role.CITY and principal.city_code:
        return EnergyReview.city_code == principal.city_code
    if principal.role is Role.ENTERPRISE and principal.enterprise_ids:
        return EnergyReview.enterprise_id.in_(sorted(principal.enterprise_ids))
    return false()


def list_reviews(ctx: Context) -> list[dict[str, Any]]:
    """Stored reviews in scope (newest first): id, date, city, metal, route, verdict."""
    rows = ctx.db.execute(
        select(EnergyReview).where(_scope(ctx.principal)).order_by(EnergyReview.id.desc())
    ).scalars()
    return [
        {
            "id": r.id,
            "review_date": r.review_date,
            "city_code": r.city_code,
            "metal": r.metal,
            "route": r.route,
            "capacity_t_per_a": r.capacity_t_per_a,
            "unit_energy_kgce_per_t": r.unit_energy_kgce_per_t,
            "verdict": r.verdict,
            "created_by": r.created_by,
            "name": json.loads(r.inputs).get("name", ""),
        }
        for r in rows
    ]


def get_review(ctx: Context, review_id: int) -> dict[str, Any]:
    """The stored result of one review; NotFound when absent or out of scope."""
    row = ctx.db.execute(
        select(EnergyReview).where(EnergyReview.id == review_id, _scope(ctx.principal))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(object="review", key=review_id)
    out: dict[str, Any] = json.loads(row.result)
    return out
