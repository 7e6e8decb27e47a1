"""Activity data in files: ``enterprise, period, item, quantity, unit[, line][, purity]``.

Every row is validated (item resolved from its code or Chinese/English name, unit parsed
and of the item's dimension, quantity a non-negative number, period ``YYYY`` or
``YYYY-MM``) and every problem collected before anything is returned. Quantities are
converted to the item's canonical unit with one factor per (unit, item unit) pair, so a
large file converts as fast as it parses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from carbonpeak import units
from carbonpeak.errors import InputError, Problem, UnitError
from carbonpeak.io.tabular import Table

__all__ = ["ACTIVITY_COLUMNS", "ACTIVITY_OPTIONAL", "parse_activity", "parse_period"]

ACTIVITY_COLUMNS = ("enterprise", "period", "item", "quantity", "unit")
ACTIVITY_OPTIONAL = ("line", "purity")
_PERIOD = re.compile(r"^\s*(\d{4})(?:\s*[-/.年]\s*(\d{1,2})\s*月?)?\s*$")


def parse_period(text: str) -> tuple[int, int | None] | None:
    """``"2024"`` → (2024, None); ``"2024-03"``, ``"2024年3月"`` → (2024, 3); else None."""
    m = _PERIOD.match(str(text))
    if not m:
        return None
    y, mo = int(m.group(1)), (int(m.group(2)) if m.group(2) else None)
    if not 1900 <= y <= 2100 or (mo is not None and not 1 <= mo <= 12):
        return None
    return y, mo


def parse_activity(table: Table, items: pd.DataFrame, aliases: Mapping[str, str],
                   ) -> pd.DataFrame:
    """Validate *table* and return the canonical activity frame.

    *items* is the factor set's item frame (index item id; ``canonical_unit``), *aliases*
    maps lower-cased spellings to item ids. Returns columns ``file, row, enterprise, line,
    period, year, month, item, quantity, unit_in, quantity_in`` (+ ``purity``).
    """
    problems: list[Problem] = []
    recs = []

    def bad(code: str, n: int, column: str, value: object = None, **fields: object) -> None:
        problems.append(Problem(code, column=column, value=value, row=n, file=table.file,
                                sheet=table.sheet, fields=fields))

    for n, r in table.rows:
        ok = True
        ent = r["enterprise"].strip()
        if not ent:
            bad("required", n, "enterprise")
            ok = False
        period = parse_period(r["period"])
        if period is None:
            bad("required" if not r["period"] else "bad_period", n, "period", r["period"] or None)
            ok = False
        item = aliases.get(r["item"].strip().lower())
        if item is None:
            bad("required" if not r["item"] else "unknown_item", n, "item", r["item"] or None)
            ok = False
        try:
            qty = float(r["quantity"].replace(",", ""))
            if not np.isfinite(qty):
                raise ValueError(qty)
            if qty < 0:
                bad("negative", n, "quantity", r["quantity"])
                ok = False
        except ValueError:
            bad("required" if not r["quantity"] else "not_a_number", n, "quantity",
                r["quantity"] or None)
            ok = False
        unit = r["unit"].strip()
        if not unit:
            bad("required", n, "unit")
            ok = False
        elif item is not None:
            try:
                units.conversion_factor(unit, str(items.at[item, "canonical_unit"]))
            except UnitError as exc:
                p = exc.problems[0]
                bad(p.code, n, "unit", unit, **dict(p.fields))
                ok = False
        purity = np.nan
        if r.get("purity"):
            try:
                purity = float(r["purity"].rstrip("%")) / (100.0 if "%" in r["purity"] else 1.0)
                if not 0 < purity <= 1:
                    raise ValueError(purity)
            except ValueError:
                bad("not_a_number", n, "purity", r["purity"])
                ok = False
        if ok and period is not None:
            recs.append((table.file, n, ent.upper(), r.get("line", "").strip(),
                         r["period"].strip(), period[0], period[1], item, qty, unit, purity))
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(recs, columns=["file", "row", "enterprise", "line", "period", "year",
                                        "month", "item", "quantity_in", "unit_in", "purity"])
    if frame.empty:
        frame["quantity"] = pd.Series(dtype=float)
        return frame
    frame["period"] = [f"{y}" if m is None or pd.isna(m) else f"{y}-{int(m):02d}"
                       for y, m in zip(frame["year"], frame["month"], strict=True)]
    canon = frame["item"].map(items["canonical_unit"])
    pairs = pd.Series(list(zip(frame["unit_in"], canon, strict=True)))
    factor = pairs.map({p: units.conversion_factor(p[0], p[1]) for p in set(pairs)})
    frame["quantity"] = frame["quantity_in"].to_numpy() * factor.to_numpy(dtype=float)
    frame["year"] = frame["year"].astype(int)
    return frame
