"""The pre-aggregated totals (``inventory_run_total``, ``inventory_line_total``) equal the
``GROUP BY`` of the fact table they are derived from — on the demo store as loaded, after an
import and after a recompute of every inventory (both stores) — and the pure functions that
derive them keep their invariants (Hypothesis)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from carbonpeak.accounting.summary import SUM_FIELDS, line_totals, run_totals
from carbonpeak.scenarios.base_builder import BASE_SUM_FIELDS, base_frame, base_frame_from_sums, carrier_sums
from carbonpeak.service.inventories.inventory_write import recompute_all
from carbonpeak.service.reporting import intake
from carbonpeak.store.alembic import versions as migrations
from carbonpeak.store.db import sessionmaker_for
from tests.intake_support import GOOD_ROWS, ctx_for, fill
from tests.service.test_intake import _template

_SUMS = [c for c in SUM_FIELDS if c != "energy_tce_equal_value"]
# what the pre-aggregates must equal: the fact table summed by SQL
_RUN_SQL = (
    "SELECT run_id, "
    + ", ".join(f"SUM({c})" for c in _SUMS)
    + ", CASE WHEN COUNT(*) = COUNT(energy_tce_equal_value) THEN SUM(energy_tce_equal_value) END, "
    "SUM(CASE WHEN category IN ('electricity', 'heat') THEN 0.0 ELSE co2e_t END), "
    "SUM(CASE WHEN item = 'value_added' THEN quantity END) "
    "FROM inventory_line WHERE in_total GROUP BY run_id ORDER BY run_id"
)
_RUN_COLS = ["run_id", *_SUMS, "energy_tce_equal_value", "direct_co2e_t", "value_added_wan_yuan"]
_LINE_SQL = (
    "SELECT run_id, line_code, SUM(energy_tce), SUM(CASE WHEN item = 'product_output' THEN quantity END), "
    "SUM(CASE WHEN item = 'al_ac_power' THEN quantity END) FROM inventory_line "
    "WHERE in_total AND line_code <> '' GROUP BY run_id, line_code ORDER BY run_id, line_code"
)
_LINE_COLS = ["run_id", "line_code", "energy_tce", "output_t", "ac_power_kwh"]
_RUN_STORED = "SELECT " + ", ".join(_RUN_COLS) + " FROM inventory_run_total ORDER BY run_id"  # noqa: S608 — our own column names
_LINE_STORED = "SELECT " + ", ".join(_LINE_COLS) + " FROM inventory_line_total ORDER BY run_id, line_code"  # noqa: S608 — our own column names


_BASE_COLS = ["run_id", "line_code", *BASE_SUM_FIELDS]
_BASE_STORED = "SELECT " + ", ".join(_BASE_COLS) + " FROM inventory_base_total ORDER BY run_id, line_code"  # noqa: S608 — our own column names


def _base_sql() -> str:
    """The migration's own backfill (0012), as a SELECT: an independent derivation in SQL of
    what the writer stores in pandas."""
    path = Path(migrations.__file__).parent / "0012_inventory_base_totals.py"
    spec = importlib.util.spec_from_file_location("migration_0012", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sql: str = module.backfill_sql()
    return sql[sql.index("SELECT") :] + " ORDER BY run_id, line_code"


@pytest.fixture
def db(demo_url: str) -> Iterator[Session]:
    with sessionmaker_for(demo_url)() as session:
        yield session


def _frame(db: Session, sql: str, cols: list[str]) -> pd.DataFrame:
    return pd.DataFrame(db.execute(sa.text(sql)).all(), columns=cols).astype({"run_id": int})


def _assert_consistent(db: Session) -> int:
    want = _frame(db, _RUN_SQL, _RUN_COLS)
    got = _frame(db, _RUN_STORED, _RUN_COLS)
    assert len(want) > 0
    pd.testing.assert_frame_equal(
        got.astype(dict.fromkeys(_RUN_COLS[1:], float)),
        want.astype(dict.fromkeys(_RUN_COLS[1:], float)),
        rtol=1e-9,
    )
    want_l = _frame(db, _LINE_SQL, _LINE_COLS)
    got_l = _frame(db, _LINE_STORED, _LINE_COLS)
    floats = dict.fromkeys(_LINE_COLS[2:], float)
    pd.testing.assert_frame_equal(got_l.astype(floats), want_l.astype(floats), rtol=1e-9)
    want_b = _frame(db, _base_sql(), _BASE_COLS)
    got_b = _frame(db, _BASE_STORED, _BASE_COLS)
    assert len(want_b) >= len(want)
    floats = dict.fromkeys(BASE_SUM_FIELDS, float)
    pd.testing.assert_frame_equal(got_b.astype(floats), want_b.astype(floats), rtol=1e-9, atol=1e-6)
    return len(want)


def test_the_demo_store_pre_aggregates_equal_the_facts(db: Session) -> None:
    assert _assert_consistent(db) > 50


def test_an_import_and_a_recompute_keep_them_equal(db: Session) -> None:
    before = _assert_consistent(db)
    intake.import_submission(ctx_for(db, "ent-hengyang-pbzn"), fill(_template(db), GOOD_ROWS), "a.xlsx")
    after_import = _assert_consistent(db)
    assert after_import == before + 1
    summary = recompute_all(ctx_for(db, "province"))
    assert summary.runs > 0
    assert _assert_consistent(db) == after_import + summary.runs


_lines = st.lists(
    st.tuples(
        st.integers(0, 3),  # run
        st.sampled_from(["", "L1", "L2"]),
        st.sampled_from(["coal", "product_output", "al_ac_power", "value_added", "electricity"]),
        st.sampled_from(["combustion", "electricity", "heat", "indicator"]),
        st.floats(0, 1e6),
        st.one_of(st.none(), st.floats(0, 1e6)),
        st.booleans(),
    ),
    min_size=1,
    max_size=40,
)


def _lines_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    d = pd.DataFrame(rows, columns=["run", "line_code", "item", "category", "q", "eq", "in_total"])
    out = pd.DataFrame(
        {
            "run": d["run"],
            "line_code": d["line_code"],
            "item": d["item"],
            "category": d["category"],
            "quantity": d["q"],
            "in_total": d["in_total"],
        }
    )
    for c in SUM_FIELDS:
        out[c] = d["q"].astype(float) / 2
    out["energy_tce_equal_value"] = d["eq"].astype(float)
    return out


@given(_lines)
def test_run_totals_sum_the_in_total_rows_and_never_hide_a_missing_coefficient(
    rows: list[tuple[object, ...]],
) -> None:
    lines = _lines_frame(rows)
    t = run_totals(lines, "run")
    counted = lines[lines["in_total"]]
    assert sorted(t.index) == sorted(counted["run"].unique())
    np.testing.assert_allclose(t["co2e_t"].sum(), counted["co2e_t"].sum(), rtol=1e-9)
    direct = counted[~counted["category"].isin(["electricity", "heat"])]["co2e_t"].sum()
    np.testing.assert_allclose(t["direct_co2e_t"].sum(), direct, rtol=1e-9, atol=1e-9)
    for run, g in counted.groupby("run"):
        assert pd.isna(t.loc[run, "energy_tce_equal_value"]) == g["energy_tce_equal_value"].isna().any()
        assert pd.isna(t.loc[run, "value_added_wan_yuan"]) == (g["item"] != "value_added").all()


@given(_lines)
def test_line_totals_skip_rows_without_a_line_and_mark_missing_output(rows: list[tuple[object, ...]]) -> None:
    lines = _lines_frame(rows)
    t = line_totals(lines, "run")
    counted = lines[lines["in_total"] & (lines["line_code"] != "")]
    assert len(t) == counted.groupby(["run", "line_code"]).ngroups
    np.testing.assert_allclose(t["energy_tce"].sum(), counted["energy_tce"].sum(), rtol=1e-9)
    for key, g in counted.groupby(["run", "line_code"]):
        assert pd.isna(t.loc[key, "output_t"]) == (g["item"] != "product_output").all()


_items = st.lists(
    st.tuples(
        st.integers(0, 2),  # enterprise
        st.sampled_from(["", "L1", "L2", "LX"]),  # "" enterprise level, LX not in the register
        st.sampled_from(
            [
                ("bituminous_coal", "fuel", "combustion"),
                ("natural_gas", "fuel", "combustion"),
                ("diesel", "fuel", "combustion"),
                ("reductant_coke", "fuel", "feedstock"),
                ("limestone", "material", "carbonate"),
                ("electricity_purchased", "electricity", "electricity"),
                ("electricity_exported", "electricity", "electricity"),
                ("heat_purchased", "heat", "heat"),
                ("product_output", "indicator", "indicator"),
            ]
        ),
        st.floats(0, 1e5),
        st.floats(0, 1e5),
        st.floats(-1e3, 1e5),
    ),
    min_size=1,
    max_size=40,
)


@given(_items, st.integers(1, 3))
def test_the_base_year_from_stored_sums_equals_the_base_year_from_the_rows(
    rows: list[tuple[object, ...]], parts: int
) -> None:
    """The base sums are linear: summed per run and line (any split of the rows into runs)
    and then built, they give the base year built from the rows themselves."""
    d = pd.DataFrame(
        [
            {
                "enterprise_id": e,
                "line_code": ln,
                "item": it[0],
                "kind": it[1],
                "category": it[2],
                "quantity": q,
                "co2_t": c,
                "energy_tce": tce,
            }
            for e, ln, it, q, c, tce in rows  # type: ignore[misc]
        ]
    )
    d["run_id"] = np.arange(len(d)) % parts + 10 * d["enterprise_id"]
    reg = pd.DataFrame(
        {
            "enterprise_id": [0, 0, 1, 2],
            "line_code": ["L1", "L2", "L1", "L2"],
            "metal": ["Zn", "Pb", "Zn", "Cu"],
            "route": ["zn_hydro", "pb_bottom_blown", "zn_hydro", "cu_flash"],
        }
    )
    city_of = {0: "430100", 1: "430400", 2: "430100"}
    signs = {"electricity_exported": -1.0}
    kw = {
        "default_ef_per_tce": {"coal": 2.66, "gas": 1.64, "oil": 2.17},
        "route_kinds": {"zn_hydro": "primary"},
    }
    want, want_rec = base_frame(d, reg, city_of, signs=signs, **kw)
    per_run = carrier_sums(d, ["enterprise_id", "run_id", "line_code"], signs=signs).reset_index()
    got, got_rec = base_frame_from_sums(per_run, reg, city_of, **kw)
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), want.reset_index(drop=True), rtol=1e-9, atol=1e-6
    )
    assert got_rec["inventory_co2_t"] == pytest.approx(want_rec["inventory_co2_t"], rel=1e-9, abs=1e-6)
