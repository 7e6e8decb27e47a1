"""The register's domain rules, one function each, for every path that shapes an enterprise.

A file import (:mod:`carbonpeak.io.register`) and the API (:mod:`carbonpeak.service.registry.enterprises`)
both apply these: a valid GB 32100 credit code, a park that lies in the enterprise's city, a
process route that belongs to the line's metal. Each returns the located :class:`Problem`
(or ``None``); the caller names the column and the value as the user wrote them.
"""

from __future__ import annotations

from carbonpeak import refdata
from carbonpeak.errors import Problem
from carbonpeak.model.credit_code import credit_code_problem

__all__ = ["check_credit_code", "check_park_in_city", "check_route_of_metal"]


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
