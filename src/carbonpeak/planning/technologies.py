"""The technology catalogue as a frame, and the measures that apply to a production line.

Applicability (``docs/plans.md``):

* a **metal** technology (``scope = metal``) applies to a line of the same metal whose process
  route is in ``routes`` and, when ``products`` is given, whose product is in it. A metal
  technology with no ``routes`` (a route of its own such as oxygen bottom-blown continuous
  copper smelting, or a mining technology) is never selected automatically;
* a **cross-cutting** measure applies to every line, restricted to ``routes`` / ``products``
  when they are given;
* by ``status``: promote and research_promote by default; research technologies only when
  asked (``include_research``), since the plan lists them for R&D, not for roll-out.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError, Problem
from carbonpeak.refdata.loader import RefTable, load_table

__all__ = [
    "CATALOGUE_TABLE",
    "FIGURES",
    "LINE_KEYS",
    "applicable_measures",
    "catalogue_frame",
]

#: The shipped catalogue table.
CATALOGUE_TABLE = "planning/technologies"
#: The figure columns of a catalogue row (each with ``<figure>_source`` and ``<figure>_confidence``).
FIGURES = (
    "saving_pct",
    "saving_kgce_per_t",
    "switch_share",
    "capex_yuan_per_t_a",
    "opex_change_yuan_per_t",
    "lifetime_a",
)
#: Columns a line frame needs for applicability.
LINE_KEYS = ("line_id", "metal", "route", "product")
_ROLL_OUT = ("promote", "research_promote")


def catalogue_frame(table: RefTable | None = None) -> pd.DataFrame:
    """The catalogue as one row per technology, figures as floats (NaN where blank).

    Parameters
    ----------
    table : RefTable, optional
        A loaded catalogue table; default the shipped ``planning/technologies``.

    Returns
    -------
    DataFrame
        Every schema column; ``routes`` and ``products`` as lists; figure columns float
        (``saving_pct`` [%], ``saving_kgce_per_t`` [kgce/t], ``switch_share`` [%],
        ``capex_yuan_per_t_a`` [yuan/(t/a)], ``opex_change_yuan_per_t`` [yuan/t],
        ``lifetime_a`` [a]); ``metal``, ``switch_from`` and ``switch_to`` "" where blank.
    """
    t = table if table is not None else load_table(CATALOGUE_TABLE)
    df = t.frame()
    for f in FIGURES:
        df[f] = pd.to_numeric(df[f], errors="coerce").astype(float)
    for c in ("metal", "switch_from", "switch_to", "basis"):
        df[c] = df[c].fillna("").astype(str)
    return df


def _members(values: Iterable[object], allowed: pd.Series) -> np.ndarray:
    """Element-wise: value in its allowed list (an empty list allows everything)."""
    return np.array([(not a) or (v in a) for v, a in zip(values, allowed, strict=True)], dtype=bool)


def applicable_measures(
    lines: pd.DataFrame, catalogue: pd.DataFrame, *, include_research: bool = False
) -> pd.DataFrame:
    """Pairs (line, technology) where the technology applies to the line.

    Parameters
    ----------
    lines : DataFrame
        ``line_id``, ``metal`` (sector/metals id), ``route`` (sector/process_routes id),
        ``product`` (sector/products id; may be empty).
    catalogue : DataFrame
        From :func:`catalogue_frame`.
    include_research : bool
        Also select technologies the plan lists for research only (重点研发).

    Returns
    -------
    DataFrame
        ``line_id``, ``measure_id`` and the catalogue columns, one row per applicable pair,
        in line order then catalogue order.

    Raises
    ------
    InputError
        A required line column is missing.
    """
    missing = [c for c in LINE_KEYS if c not in lines.columns]
    if missing:
        raise InputError([Problem("missing_column", column=c) for c in missing])
    cat = catalogue if include_research else catalogue[catalogue["status"].isin(_ROLL_OUT)]
    cat = cat.reset_index(drop=True)
    ln = lines[list(LINE_KEYS)].reset_index(drop=True)
    grid_l, grid_c = np.meshgrid(np.arange(len(ln)), np.arange(len(cat)), indexing="ij")
    li, ci = grid_l.ravel(), grid_c.ravel()
    left = ln.iloc[li].reset_index(drop=True)
    right = cat.iloc[ci].reset_index(drop=True)
    routes_given = right["routes"].map(len).to_numpy() > 0
    is_metal = (right["scope"] == "metal").to_numpy()
    same_metal = (right["metal"].to_numpy() == left["metal"].astype(str).to_numpy()) | ~is_metal
    route_ok = _members(left["route"], right["routes"]) & (routes_given | ~is_metal)
    product_ok = _members(left["product"].fillna(""), right["products"])
    keep = same_metal & route_ok & product_ok
    out: pd.DataFrame = pd.concat([left[["line_id"]], right.rename(columns={"id": "measure_id"})], axis=1)
    result: pd.DataFrame = out[keep].reset_index(drop=True)
    return result
