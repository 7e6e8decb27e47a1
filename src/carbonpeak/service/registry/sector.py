"""The sector at a glance: published aggregates every role (public too) may see.

Aggregates are counts and capacities by city and metal over the active register
(deactivated enterprises are left out). They obey the small-cell rule of
:mod:`carbonpeak.reporting.disclosure` for every caller: no figure built from fewer than
three enterprises is published, nor one that subtraction from a published total would
recover. The cells and their additive relations:

- ``("city", c)`` enterprises of city *c*; with the sector total, and with its row of the
  city × metal table;
- ``("metal", m)`` enterprises, lines and existing capacity of metal *m* (one cell: the
  three figures are built from the same enterprises); with the sector total, and with its
  column of the city × metal table;
- ``("cm", c, m)`` enterprises of city *c* with metal *m*;
- ``("total",)`` the whole sector (enterprises, lines, capacity).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from carbonpeak import refdata
from carbonpeak.model import LineStatus
from carbonpeak.model.schemas import CityCount, MetalCount, SectorOverview
from carbonpeak.reporting.disclosure import MIN_ENTERPRISES, suppressed_cells
from carbonpeak.service.platform.context import Context
from carbonpeak.store.models import Enterprise, EnterpriseMetal, ProductionLine

__all__ = ["overview"]

Key = tuple[str, ...]


def overview(ctx: Context) -> SectorOverview:
    """Enterprises by city and by metal, lines and existing capacity by metal (small cells
    suppressed)."""
    db = ctx.db
    active = Enterprise.deactivated_at.is_(None)
    ents = db.execute(select(Enterprise.id, Enterprise.city_code, Enterprise.is_demo).where(active)).all()
    city_of = {e.id: e.city_code for e in ents}
    ent_metals = db.execute(
        select(EnterpriseMetal.enterprise_id, EnterpriseMetal.metal)
        .join(Enterprise, Enterprise.id == EnterpriseMetal.enterprise_id)
        .where(active)
    ).all()
    lines = db.execute(
        select(
            ProductionLine.enterprise_id,
            ProductionLine.metal,
            ProductionLine.capacity_t_per_a,
            ProductionLine.status,
        )
        .join(Enterprise, Enterprise.id == ProductionLine.enterprise_id)
        .where(active)
    ).all()

    who: defaultdict[Key, set[int]] = defaultdict(set)
    who[("total",)] = set(city_of)
    for eid, city in city_of.items():
        who[("city", city)].add(eid)
    for em in ent_metals:
        who[("metal", em.metal)].add(em.enterprise_id)
        who[("cm", city_of[em.enterprise_id], em.metal)].add(em.enterprise_id)
    lines_by_metal: defaultdict[str, int] = defaultdict(int)
    cap_by_metal: defaultdict[str, float] = defaultdict(float)
    for ln in lines:
        who[("metal", ln.metal)].add(ln.enterprise_id)
        lines_by_metal[ln.metal] += 1
        if ln.status == LineStatus.EXISTING:
            cap_by_metal[ln.metal] += ln.capacity_t_per_a

    cities = refdata.cities()
    metals = [m for m in refdata.metals() if who.get(("metal", str(m["id"])))]
    city_ids = [str(c["id"]) for c in cities]
    metal_ids = [str(m["id"]) for m in metals]
    relations: list[list[Key]] = [
        [("total",), *(("city", c) for c in city_ids)],
        [("total",), *(("metal", m) for m in metal_ids)],
        *([("city", c), *(("cm", c, m) for m in metal_ids)] for c in city_ids),
        *([("metal", m), *(("cm", c, m) for c in city_ids)] for m in metal_ids),
    ]
    hidden = suppressed_cells({k: frozenset(v) for k, v in who.items()}, relations)

    def count(key: Key) -> int | None:
        return None if key in hidden else len(who.get(key, ()))

    whole_hidden = ("total",) in hidden
    return SectorOverview(
        enterprises=count(("total",)),
        lines=None if whole_hidden else len(lines),
        capacity_t_per_a=None if whole_hidden else sum(cap_by_metal.values()),
        cities=len(set(city_of.values())),
        by_city=tuple(
            CityCount(
                code=c["id"],
                name_zh=c["name_zh"],
                name_en=c["name_en"],
                enterprises=count(("city", str(c["id"]))),
                suppressed=("city", str(c["id"])) in hidden,
            )
            for c in cities
        ),
        by_metal=tuple(
            MetalCount(
                code=m["id"],
                name_zh=m["name_zh"],
                name_en=m["name_en"],
                enterprises=None
                if (off := ("metal", str(m["id"])) in hidden)
                else len(who[("metal", m["id"])]),
                lines=None if off else lines_by_metal[m["id"]],
                capacity_t_per_a=None if off else cap_by_metal[m["id"]],
                suppressed=off,
            )
            for m in metals
        ),
        city_metal=tuple((k[1], k[2], count(k)) for k in sorted(k for k in who if k[0] == "cm")),
        demo_data=any(e.is_demo for e in ents),
        min_enterprises=MIN_ENTERPRISES,
    )
