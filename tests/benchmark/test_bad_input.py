"""Bad input to the benchmark engines: every problem located, none raised alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carbonpeak.benchmark.classify import classify_unit_energy
from carbonpeak.benchmark.levels import levels_for, load_levels
from carbonpeak.errors import InputError

LEVELS = load_levels()


def _frame(**cols: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "line_id": ["a", "b", "c", "d"],
        "metal": "Zn",
        "route": "zn_hydro",
        "date": "2025-12-31",
        "unit_energy": [1000.0, 1000.0, 1000.0, 1000.0],
        "capacity_t_per_a": [1e5, 1e5, 1e5, 1e5],
    }
    base.update(cols)
    return pd.DataFrame(base)


def test_negative_energy_unknown_route_and_nan_capacity_are_all_reported() -> None:
    bad = _frame(
        route=["zn_hydro", "zn_unknown", "zn_hydro", "zn_hydro"],
        unit_energy=[-5.0, 1000.0, 1000.0, 1000.0],
        capacity_t_per_a=[1e5, 1e5, np.nan, 1e5],
    )
    with pytest.raises(InputError) as exc:
        levels_for(bad.iloc[[1]], levels=LEVELS)
    assert [(p.code, p.column, p.value, p.row) for p in exc.value.problems] == [
        ("unknown_route", "route", "zn_unknown", 1)
    ]
    # the route is checked first (the level decides whether a negative value is allowed)
    with pytest.raises(InputError):
        classify_unit_energy(bad, LEVELS)
    ok_route = bad.assign(route="zn_hydro")
    with pytest.raises(InputError) as exc:
        classify_unit_energy(ok_route, LEVELS)
    assert [(p.code, p.column, p.row) for p in exc.value.problems] == [
        ("negative", "unit_energy", 1),
        ("required", "capacity_t_per_a", 3),
    ]
    assert exc.value.problems[0].value == -5.0
    assert "负" in exc.value.problems[0].message_zh


def test_rows_are_located_by_the_row_column_when_given() -> None:
    bad = _frame(unit_energy=[1000.0, np.inf, None, -1.0], row=[10, 11, 12, 13])
    with pytest.raises(InputError) as exc:
        classify_unit_energy(bad, LEVELS)
    assert [(p.code, p.row) for p in exc.value.problems] == [
        ("not_finite", 11),
        ("required", 12),
        ("negative", 13),
    ]


def test_route_of_another_metal_unknown_product_and_bad_date() -> None:
    bad = _frame(
        metal=["Cu", "Zn", "Zn", "Zn"],
        product=[None, "zn_nonsense", None, None],
        date=["2025-01-01", "2025-01-01", "not a date", None],
    )
    with pytest.raises(InputError) as exc:
        levels_for(bad, levels=LEVELS)
    assert [(p.code, p.column, p.row) for p in exc.value.problems] == [
        ("route_metal_mismatch", "route", 1),
        ("unknown_product", "product", 2),
        ("bad_date", "date", 3),
        ("required", "date", 4),
    ]
    assert "zn_nonsense" in exc.value.problems[1].message_en


def test_missing_columns() -> None:
    with pytest.raises(InputError) as exc:
        classify_unit_energy(_frame().drop(columns=["capacity_t_per_a", "unit_energy"]), LEVELS)
    assert {p.column for p in exc.value.problems} == {"capacity_t_per_a", "unit_energy"}
    assert all(p.code == "missing_column" for p in exc.value.problems)


def test_negative_energy_is_accepted_where_the_level_is_negative() -> None:
    """GB 29141-2012 zinc off-gas acid: −120 / −95 / −85 kgce/t (net steam export)."""
    acid = _frame(
        product="acid_zn_offgas", route=None, date="2024-01-01", unit_energy=[-130.0, -100.0, -90.0, -80.0]
    )
    out = classify_unit_energy(acid, LEVELS)
    assert out["grade"].tolist() == [1, 2, 3, "below_limit"]
    assert out["gap_to_limit"].iat[3] == 5.0
