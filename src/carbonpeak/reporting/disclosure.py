"""Small-cell rule for published aggregates: no figure built from fewer than three enterprises.

A published table is a set of *cells*, each an aggregate over a set of enterprises (its
contributors), and a set of *additive relations* between cells (the cells of a row add up
to the row's total). The rule, applied by :func:`suppressed_cells`:

1. **Primary suppression.** A cell with 1 or 2 contributors (fewer than
   :data:`MIN_ENTERPRISES`) is not published. A cell with none (a true zero) is published:
   it discloses no enterprise.
2. **Complementary suppression.** In every relation that holds a suppressed cell, the
   suppressed cells together must be at least two and hold at least
   :data:`MIN_ENTERPRISES` enterprises; otherwise the published cell of the relation with
   the fewest contributors (ties by key) is suppressed as well, and so on. A suppressed
   cell therefore can never be recovered by subtracting the published cells from a
   published total, and what subtraction does give (the sum of the suppressed cells) is
   itself an aggregate of at least three enterprises. The rule is applied until no
   relation changes (suppressing one cell can open another relation).

The published totals stay published (they are the relations' largest cells and are only
suppressed when a whole relation holds fewer than three enterprises).

References
----------
Hundepool, A. et al. (2012), *Statistical Disclosure Control*, Wiley, §4.2 (threshold
rule) and §4.4 (secondary, i.e. complementary, cell suppression).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

__all__ = ["MIN_ENTERPRISES", "suppressed_cells"]

#: The smallest number of enterprises a published aggregate may be built from.
MIN_ENTERPRISES = 3

K = TypeVar("K", bound=Hashable)


def suppressed_cells(
    contributors: Mapping[K, frozenset[int]],
    relations: Iterable[Sequence[K]],
    minimum: int = MIN_ENTERPRISES,
) -> set[K]:
    """The cells not to publish: primary (1 … *minimum*−1 contributors) and complementary.

    Parameters
    ----------
    contributors
        Each cell's key → the ids of the enterprises its figure is built from.
    relations
        Groups of cell keys bound by an additive relation (a row or column with its total);
        a key absent from *contributors* counts as an empty cell.
    minimum
        The threshold [enterprises]; :data:`MIN_ENTERPRISES` by default.
    """
    empty: frozenset[int] = frozenset()
    groups = [list(dict.fromkeys(g)) for g in relations]
    hidden = {k for k, ents in contributors.items() if 0 < len(ents) < minimum}
    changed = bool(hidden)
    while changed:
        changed = False
        for group in groups:
            out = [k for k in group if k in hidden]
            if not out:
                continue
            covered: set[int] = set().union(*(contributors.get(k, empty) for k in out))
            shown = sorted(
                (k for k in group if k not in hidden and contributors.get(k)),
                key=lambda k: (len(contributors[k]), repr(k)),
            )
            while shown and (len(out) < 2 or len(covered) < minimum):
                k = shown.pop(0)
                hidden.add(k)
                out.append(k)
                covered |= contributors[k]
                changed = True
    return hidden
