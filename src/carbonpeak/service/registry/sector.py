"""The sector at a glance: published aggregates every role (public too) may see.

Aggregates are counts and capacities by city and metal over the whole register; no
single enterprise's record is disclosed through them.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select

from carbonpeak import refdata
from carbonpeak.model import LineStatus
from carbonpeak.model.schemas import CityCount, MetalCount, SectorOverview
from carbonpeak.service.platform.context import Context
from carbonpeak.store.models import Enterprise, EnterpriseMetal, ProductionLine

__all__ = ["overview"]


def overview(ctx: Context) -> SectorOverview:
    """Enterprises by city and by metal, lines and existing capacity by metal."""
    db = ctx.db
    ents = db.execute(select(Enterprise.id, Enterprise.city_code, Enterprise.is_demo)).all()
    city_of = {e.id: e.city_code for e in ents}
    ent_metals = db.execute(select(EnterpriseMetal.enterprise_id, EnterpriseMetal.metal)).all()
    lines = db.execute(
        select(ProductionLine.metal, ProductionLine.capacity_t_per_a, ProductionLine.status)
    ).all()
    by_city = Counter(city_of.values())
    ents_by_metal = Counter(m.metal for m in ent_metals)
    city_metal = Counter((city_of[m.enterprise_id], m.metal) for m in ent_metals)
    lines_by_metal: Counter[str] = Counter()
    cap_by_metal: defaultdict[str, float] = defaultdict(float)
    for ln in lines:
        lines_by_metal[ln.metal] += 1
        if ln.status == LineStatus.EXISTING:
            cap_by_metal[ln.metal] += ln.capacity_t_per_a
    cities = refdata.cities()
    metals = refdata.metals()
    return SectorOverview(
        enterprises=len(ents),
        lines=len(lines),
        cities=len(by_city),
        by_city=tuple(
            CityCount(
                code=c["id"], name_zh=c["name_zh"], name_en=c["name_en"], enterprises=by_city.get(c["id"], 0)
            )
            for c in cities
        ),
        by_metal=tuple(
            MetalCount(
                code=m["id"],
                name_zh=m["name_zh"],
                name_en=m["name_en"],
                enterprises=ents_by_metal[m["id"]],
                lines=lines_by_metal[m["id"]],
                capacity_t_per_a=cap_by_metal[m["id"]],
            )
            for m in metals
            if ents_by_metal[m["id"]] or lines_by_metal[m["id"]]
        ),
        city_metal=tuple((c, m, n) for (c, m), n in sorted(city_metal.items())),
        demo_data=any(e.is_demo for e in ents),
    )
