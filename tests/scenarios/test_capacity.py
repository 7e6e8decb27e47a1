"""Capacity paths from the project register's changes (the engine's part, moved out of the
service in issue 11): steps in the change's year, cumulative, and every change outside the
base year's groups produced like a neighbour or skipped — with a note, never silently."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.scenarios.capacity import capacity_paths

GROUPS = pd.DataFrame(
    {
        "metal": ["Zn", "Zn", "Pb"],
        "route": ["zn_hydro", "zn_hydro", "pb_bottom_blown"],
        "city": ["430400", "430100", "430400"],
        "output_t": [100_000.0, 300_000.0, 50_000.0],
    }
)


def _changes(rows: list[tuple[str, str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["metal", "route", "city_code", "year", "capacity_t"])


def test_additions_and_exits_step_in_their_year_and_accumulate() -> None:
    paths, notes = capacity_paths(
        _changes(
            [
                ("Zn", "zn_hydro", "430400", 2028, 100_000.0),
                ("Zn", "zn_hydro", "430400", 2030, 50_000.0),
                ("Pb", "pb_bottom_blown", "430400", 2027, -20_000.0),
                ("Zn", "zn_hydro", "430400", 2020, 999.0),  # in the base year: already in the base
            ]
        ),
        GROUPS,
        2020,
    )
    add = paths["capacity_addition"]["metal=Zn,route=zn_hydro,city=430400"]
    assert add == {2020: 0.0, 2027: 0.0, 2028: 100_000.0, 2029: 100_000.0, 2030: 150_000.0}
    assert paths["capacity_exit"]["metal=Pb,route=pb_bottom_blown,city=430400"][2027] == 20_000.0
    assert notes == []


def test_changes_outside_the_base_groups_are_produced_like_the_largest_or_skipped() -> None:
    paths, notes = capacity_paths(
        _changes(
            [
                ("Zn", "zn_hydro", "439999", 2026, 10_000.0),  # new city: like the largest Zn group
                ("Zn", "zn_hydro", "439999", 2027, -5_000.0),  # exit without output: skipped
                ("Cu", "cu_flash", "430100", 2026, 10_000.0),  # no Cu at all: skipped
            ]
        ),
        GROUPS,
        2020,
    )
    assert list(paths) == ["capacity_addition"]
    assert "metal=Zn,route=zn_hydro,city=430100" in paths["capacity_addition"]
    assert len(notes) == 3
    assert sum("skipped" in n for n in notes) == 2


@given(
    st.lists(st.tuples(st.integers(2021, 2035), st.floats(1.0, 1e6, allow_nan=False)), min_size=1, max_size=8)
)
def test_a_path_ends_at_the_sum_of_its_changes_and_never_falls(adds: list[tuple[int, float]]) -> None:
    rows = [("Zn", "zn_hydro", "430400", y, c) for y, c in adds]
    paths, _ = capacity_paths(_changes(rows), GROUPS, 2020)
    path = paths["capacity_addition"]["metal=Zn,route=zn_hydro,city=430400"]
    values = [path[y] for y in sorted(path)]
    assert values == sorted(values)
    assert values[-1] == pytest.approx(sum(c for _, c in adds), rel=1e-12)
