"""The register's domain rules, one function each, for every path that shapes an enterprise.

A file import (:mod:`carbonpeak.io.register`) and the API (:mod:`carbonpeak.service.registry.enterprises`)
both apply these: a valid GB 32100 credit code, a park that lies in the enterprise's city, a
process route that belongs to the line's metal, a product made on the line's route
(``sector/products``), a potline cell technology on an aluminium potline only. Each returns the
located :class:`Problem` (or ``None``); the caller names the column and the value as the user
wrote them.
"""

from __future__ import annotations

from carbonpeak import refdata
from carbonpeak.errors import Problem
from carbonpeak.model.credit_code import credit_code_problem

__all__ = [
    "POTLINE_ROUTES",
    "POTLINE_TECHNOLOGIES",
    "check_credit_code",
    "check_park_in_city",
    "check_product_of_route",
    "check_route_of_metal",
    "check_technology",
    "products_of_route",
    "resolve_technology",
]

#: Aluminium potline cell technologies (IPCC 2006 Vol. 3 Ch. 4, Tables 4.15 and 4.16):
#: centre-worked and side-worked prebake, vertical- and horizontal-stud Søderberg, with the
#: other spellings users write — the same as the accounting engine's
#: ``carbonpeak.accounting.measured.TECHNOLOGY_ALIASES`` (PFPB, point-fed prebake, is a
#: centre-worked prebake).
POTLINE_TECHNOLOGIES: dict[str, tuple[str, ...]] = {
    "CWPB": ("PFPB", "中间加工预焙槽", "中间下料预焙槽", "中间点式下料预焙槽"),
    "SWPB": ("边部加工预焙槽",),
    "VSS": ("上插自焙槽", "上插式自焙槽"),
    "HSS": ("侧插自焙槽", "侧插式自焙槽"),
}
#: Routes whose lines are potlines (may name a cell technology).
POTLINE_ROUTES = frozenset({"al_electrolysis"})


def check_credit_code(code: str, *, column: str, row: int | None = None) -> Problem | None:
    """``bad_credit_code`` with the zh/en reason when *code* fails GB 32100-2015."""
    reason = credit_code_problem(code)
    if reason is None:
        return None
    return Problem(
        "bad_credit_code",
        column=column,
        value=code,
        row=row,
        fields={"reason_zh": reason[0], "reason_en": reason[1]},
    )


def check_park_in_city(
    park_id: str, city_code: str | None, *, column: str, shown: str, city_shown: str, row: int | None = None
) -> Problem | None:
    """``unknown_park`` / ``park_city_mismatch`` for a park id (None when it fits)."""
    park = refdata.parks().by_id.get(park_id)
    if park is None:
        return Problem("unknown_park", column=column, value=shown, row=row)
    if city_code is not None and park["city_id"] != city_code:
        return Problem("park_city_mismatch", column=column, value=shown, row=row, fields={"city": city_shown})
    return None


def check_route_of_metal(
    route: str, metal: str | None, *, column: str, shown: str, metal_shown: str, row: int | None = None
) -> Problem | None:
    """``unknown_route`` / ``route_metal_mismatch`` for a route id (None when it fits)."""
    found = refdata.process_routes().by_id.get(route)
    if found is None:
        return Problem("unknown_route", column=column, value=shown, row=row)
    if metal is not None and found["metal"] != metal:
        return Problem(
            "route_metal_mismatch", column=column, value=shown, row=row, fields={"metal": metal_shown}
        )
    return None


def products_of_route(route: str) -> list[str]:
    """The ``sector/products`` ids made on *route* (table order)."""
    return [str(r["id"]) for r in refdata.load_table("sector/products") if route in r["routes"]]


def check_product_of_route(
    product: str, route: str | None, *, column: str, shown: str, row: int | None = None
) -> Problem | None:
    """``unknown_product`` / ``product_route_mismatch`` for a product id (None when it fits;
    an unknown route is reported by :func:`check_route_of_metal`)."""
    if product not in refdata.load_table("sector/products").by_id:
        return Problem("unknown_product", column=column, value=shown, row=row)
    if route is None or route not in refdata.process_routes().by_id:
        return None
    allowed = products_of_route(route)
    if product not in allowed:
        return Problem(
            "product_route_mismatch",
            column=column,
            value=shown,
            row=row,
            fields={"route": route, "allowed": ", ".join(allowed) or "—"},
        )
    return None


def resolve_technology(text: str) -> str | None:
    """The technology code *text* names (a code in any case, or a Chinese name), else None."""
    key = text.strip()
    for code, names in POTLINE_TECHNOLOGIES.items():
        if key.upper() == code or key.upper() in names or key in names:
            return code
    return None


def check_technology(
    technology: str, route: str | None, *, column: str, shown: str, row: int | None = None
) -> Problem | None:
    """``unknown_technology`` / ``technology_not_potline`` (None when it fits)."""
    if technology not in POTLINE_TECHNOLOGIES:
        return Problem(
            "unknown_technology",
            column=column,
            value=shown,
            row=row,
            fields={"technologies": ", ".join(POTLINE_TECHNOLOGIES)},
        )
    if route is not None and route not in POTLINE_ROUTES:
        return Problem("technology_not_potline", column=column, value=shown, row=row, fields={"route": route})
    return None
