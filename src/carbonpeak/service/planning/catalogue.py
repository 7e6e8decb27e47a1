"""The technology catalogue for the faces: its rows with every figure's source and confidence.

Read-only and public reference data (``refdata/planning/technologies``): no principal, no audit.
The editable draft and the published editions the province maintains come with a later slice
(``docs/plans.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from carbonpeak import refdata
from carbonpeak.errors import NotFound
from carbonpeak.planning.technologies import CATALOGUE_TABLE, FIGURES, catalogue_frame
from carbonpeak.refdata.loader import load_table

__all__ = ["FigurePublic", "TechnologyPublic", "list_technologies"]


@dataclass(frozen=True)
class FigurePublic:
    """One figure of a technology: value in its unit, the source and the confidence (None: blank)."""

    value: float | None
    unit: str
    source_id: str | None
    confidence: str | None


@dataclass(frozen=True)
class TechnologyPublic:
    """One catalogue row, as the faces show it."""

    id: str
    name_zh: str
    name_en: str
    source_id: str
    clause: str
    scope: str
    metal: str
    routes: list[str]
    products: list[str]
    status: str
    category: str
    carrier: str
    co2_effect: str
    switch_from: str
    switch_to: str
    figures: dict[str, FigurePublic] = field(default_factory=dict)
    basis: str = ""
    read_in: str = ""

    @property
    def sourced_figures(self) -> int:
        """How many figures the row carries (each with its source)."""
        return sum(f.value is not None for f in self.figures.values())


def _text(value: object) -> str | None:
    """A cell as text; None for a blank one."""
    return value if isinstance(value, str) and value else None


def list_technologies(metal: str | None = None) -> list[TechnologyPublic]:
    """The catalogue, in its order; with *metal*, that metal's technologies and the cross-cutting measures.

    Raises
    ------
    NotFound
        *metal* is not a sector/metals id (nor a name the metals table resolves).
    """
    table = load_table(CATALOGUE_TABLE)
    units = {f: str(table.columns[f].get("unit", "")) for f in FIGURES}
    code: str | None = None
    if metal:
        code = refdata.resolve("sector/metals", metal)
        if code is None:
            raise NotFound("not_found", object="metal", key=metal)
    out: list[TechnologyPublic] = []
    for r in catalogue_frame(table).to_dict("records"):
        if code is not None and r["scope"] == "metal" and r["metal"] != code:
            continue
        figures = {
            f: FigurePublic(
                value=None if math.isnan(r[f]) else float(r[f]),
                unit=units[f],
                source_id=_text(r[f"{f}_source"]),
                confidence=_text(r[f"{f}_confidence"]),
            )
            for f in FIGURES
        }
        out.append(
            TechnologyPublic(
                id=r["id"],
                name_zh=r["name_zh"],
                name_en=r["name_en"],
                source_id=r["source_id"],
                clause=r["clause"],
                scope=r["scope"],
                metal=r["metal"],
                routes=list(r["routes"]),
                products=list(r["products"]),
                status=r["status"],
                category=r["category"],
                carrier=r["carrier"],
                co2_effect=r["co2_effect"],
                switch_from=r["switch_from"],
                switch_to=r["switch_to"],
                figures=figures,
                basis=r["basis"],
                read_in=r["read_in"],
            )
        )
    return out
