"""Capacity additions and exits of the project register as the projection's driver paths —
a pure function of the register's changes and the base year's groups (the service reads the
register; nothing here reads the store)."""

from __future__ import annotations

import pandas as pd

from carbonpeak.scenarios.projection import GROUP_COLUMNS

__all__ = ["capacity_paths"]


def capacity_paths(
    changes: pd.DataFrame, groups: pd.DataFrame, base_year: int
) -> tuple[dict[str, dict[str, dict[int, float]]], list[str]]:
    """Cumulative capacity additions and exits after the base year.

    Parameters
    ----------
    changes : DataFrame
        The register's capacity changes: ``metal``, ``route``, ``city_code``, ``year`` [a],
        ``capacity_t`` [t/a] (+ an addition, − an exit).
    groups : DataFrame
        The base year's groups (:data:`~carbonpeak.scenarios.projection.GROUP_COLUMNS`:
        ``metal``, ``route``, ``city``) with their ``output_t`` [t].
    base_year : int
        The base year [a]; changes in or before it are already in the base.

    Returns
    -------
    (paths, notes)
        driver (``capacity_addition``/``capacity_exit``) → selector (``metal=…,route=…,city=…``)
        → {year: cumulative t/a} (a step in the change's year, 0 in the base year), and notes.
        An addition for a group the base year lacks is produced like the largest group of the
        same metal and route (else metal), noted; an exit of a group without base-year output,
        or an addition of a metal absent from the base year, is skipped, noted.
    """
    c = changes[pd.to_numeric(changes["year"], errors="coerce") > base_year]
    notes: list[str] = []
    out: dict[str, dict[str, dict[int, float]]] = {"capacity_addition": {}, "capacity_exit": {}}
    steps: dict[tuple[str, str], dict[int, float]] = {}
    for r in c.to_dict("records"):
        m, rt, city = str(r["metal"]), str(r["route"]), str(r["city_code"])
        yr, cap = int(str(r["year"])), float(str(r["capacity_t"]))
        hit = groups[(groups["metal"] == m) & (groups["route"] == rt) & (groups["city"] == city)]
        if hit.empty and cap < 0:
            notes.append(
                f"register: {m}/{rt}/{city} {yr} {cap:+,.0f} t/a skipped (no such output in the base year)"
            )
            continue
        if hit.empty:
            alt = groups[(groups["metal"] == m) & (groups["route"] == rt)]
            alt = alt if not alt.empty else groups[groups["metal"] == m]
            if alt.empty:
                notes.append(
                    f"register: {m}/{rt}/{city} {yr} {cap:+,.0f} t/a skipped (no {m} in the base year)"
                )
                continue
            hit = alt.sort_values("output_t").tail(1)
            notes.append(
                f"register: {m}/{rt}/{city} {yr} {cap:+,.0f} t/a produced like "
                f"{hit['route'].iat[0]}/{hit['city'].iat[0]} (not in the base year)"
            )
        sel = ",".join(f"{k}={hit[k].iat[0]}" for k in GROUP_COLUMNS)
        driver = "capacity_addition" if cap > 0 else "capacity_exit"
        step = steps.setdefault((driver, sel), {})
        step[yr] = step.get(yr, 0.0) + abs(cap)
    for (driver, sel), by_year in steps.items():
        path: dict[int, float] = {base_year: 0.0}
        total = 0.0
        for yr in sorted(by_year):
            if yr - 1 > base_year:
                path[yr - 1] = total
            total += by_year[yr]
            path[yr] = total
        out[driver][sel] = dict(sorted(path.items()))
    return {k: v for k, v in out.items() if v}, notes
