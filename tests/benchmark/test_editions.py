"""The limit-standard edition in force on the date, and nothing else (issue 12, item 5).

Dates and replacements cited (shared/reference/research-2026-12.md §2, which overrides the
older reference files):

* GB 21249-2014 (zinc) was published 2014-04-28 and is in force from 2015-01-01, replacing
  the 2007 edition (front matter read: V); the 2014 editions of GB 21248/21249/21250 replaced
  their 2007 editions, so a 2007 edition is in force for no date after 2015-01-01;
* GB 25323-2023 is in force from 2024-06-01 and replaced GB 21248-2014, GB 21249-2014,
  GB 21250-2014, GB 21251-2014, GB 21348-2014 and GB 21349-2014 (S+);
* the grade values of the 2014 editions were not found (✗): between 2015-01-01 and
  2024-05-31 a copper, zinc or lead line is "no level in force (values not sourced)";
* GB 29141-2024 (smelter acid plants) in force 2025-06-01 (methodology-data §5.1), values
  not extracted.

The copper values used below are GB 25323-2023 表1 铜冶炼 1级/2级/3级 210 / 230 / 340 kgce/t
and GB 21248-2007 铜冶炼 综合能耗 限定值 950 kgce/t (only the 限定值 is published), as shipped
in refdata/benchmark/limit_levels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carbonpeak.benchmark.classify import classify_unit_energy
from carbonpeak.benchmark.levels import VALUES_NOT_SOURCED, load_levels
from carbonpeak.benchmark.review import review_against_limits

LEVELS = load_levels()


def _lines(
    route: str, metal: str, date: str, *, product: str | None = None, e: float = 300.0
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_id": ["a"],
            "metal": [metal],
            "route": [route],
            "product": [product],
            "date": [date],
            "unit_energy": [e],
            "capacity_t_per_a": [100_000.0],
        }
    )


@pytest.mark.parametrize(
    ("day", "standard"),
    [("2014-12-31", "GB 21248-2007"), ("2024-06-01", "GB 25323-2023"), ("2026-12-31", "GB 25323-2023")],
)
def test_copper_is_graded_by_the_edition_in_force(day: str, standard: str) -> None:
    out = classify_unit_energy(_lines("cu_flash", "Cu", day), LEVELS).iloc[0]
    assert out["level_status"] == "in_force"
    assert out["standard"] == standard
    assert out["level_reason"] is None


@pytest.mark.parametrize("day", ["2015-01-01", "2020-12-31", "2023-06-01", "2024-05-31"])
def test_copper_2015_to_2024_is_not_graded_against_the_withdrawn_2007_edition(day: str) -> None:
    out = classify_unit_energy(_lines("cu_bottom_blown", "Cu", day), LEVELS).iloc[0]
    assert out["level_status"] == "no_level_in_force"
    assert out["level_reason"] == VALUES_NOT_SOURCED
    assert out["edition_in_force"] == "GB 21248-2014"
    assert out["grade"] is None
    assert pd.isna(out["level_id"])


@pytest.mark.parametrize(
    ("route", "metal", "day", "edition"),
    [
        ("zn_hydro", "Zn", "2014-06-30", "GB 21249-2007"),
        ("zn_hydro", "Zn", "2015-01-01", "GB 21249-2014"),
        ("zn_isp", "Zn", "2024-05-31", "GB 21249-2014"),
        ("pb_bottom_blown", "Pb", "2020-12-31", "GB 21250-2014"),
        ("sb_bath", "Sb", "2020-12-31", "GB 21349-2014"),
        ("sn_smelting", "Sn", "2020-12-31", "GB 21348-2014"),
    ],
)
def test_the_unsourced_edition_in_force_is_named(route: str, metal: str, day: str, edition: str) -> None:
    out = classify_unit_energy(_lines(route, metal, day), LEVELS).iloc[0]
    assert (out["level_reason"], out["edition_in_force"], out["grade"]) == (VALUES_NOT_SOURCED, edition, None)


def test_acid_plants_from_2025_06_01_fall_under_gb_29141_2024() -> None:
    before = classify_unit_energy(
        _lines("cu_flash", "Cu", "2025-05-31", product="acid_cu_ni_offgas", e=0.0), LEVELS
    )
    after = classify_unit_energy(
        _lines("cu_flash", "Cu", "2025-06-01", product="acid_cu_ni_offgas", e=0.0), LEVELS
    )
    assert before["standard"].iat[0] == "GB 29141-2012"
    assert after["edition_in_force"].iat[0] == "GB 29141-2024"
    assert after["grade"].iat[0] is None


def _review(day: str, *, route: str = "cu_bottom_blown", metal: str = "Cu", e: float = 220.0) -> pd.Series:
    p = pd.DataFrame(
        {"metal": [metal], "route": [route], "date": [day], "unit_energy": [e], "capacity_t_per_a": [1e5]}
    )
    return review_against_limits(p, LEVELS).iloc[0]


def _clean(text: str) -> None:
    for bad in ("nan", "None", "NaN", "NaT", "<NA>"):
        assert bad not in text, text


def test_review_on_2023_06_01_cites_the_edition_in_force_not_the_withdrawn_one() -> None:
    """The issue's case: before, FAIL citing "GB 21248-2007 … 1级 nan kgce/t … 自 None 起实施"."""
    r = _review("2023-06-01")
    assert r["verdict"] == "no_level"
    assert r["edition_in_force"] == "GB 21248-2014"
    for lang in ("zh", "en"):
        _clean(r[f"citation_{lang}"])
        assert "GB 21248-2014" in r[f"citation_{lang}"]
        assert "GB 21248-2007" not in r[f"citation_{lang}"]
    assert "values not sourced" in r["citation_en"]


def test_review_under_an_edition_without_grade_1_cannot_pass_or_fail() -> None:
    # GB 21248-2007 publishes only the 限定值 (950 kgce/t): the 1级 criterion cannot be applied
    r = _review("2012-06-30")
    assert r["level_status"] == "in_force"
    assert r["standard"] == "GB 21248-2007"
    assert r["verdict"] == "no_level"
    for lang in ("zh", "en"):
        _clean(r[f"citation_{lang}"])
        assert "950" in r[f"citation_{lang}"]


def test_review_in_force_cites_grade_1_and_its_date() -> None:
    r = _review("2025-06-30")
    assert (r["verdict"], r["standard"], r["advanced_value"]) == ("fail", "GB 25323-2023", 210.0)
    assert "2024-06-01" in r["citation_zh"] and "210" in r["citation_en"]


def test_every_day_2008_to_2030_a_graded_line_uses_a_row_in_force_no_unsourced_edition_superseded() -> None:
    days = pd.date_range("2008-01-01", "2030-12-31", freq="D")
    lines = pd.DataFrame(
        {
            "line_id": [f"d{i}" for i in range(len(days))],
            "metal": "Cu",
            "route": "cu_flash",
            "date": days.strftime("%Y-%m-%d"),
            "unit_energy": 300.0,
            "capacity_t_per_a": 1e5,
        }
    )
    out = classify_unit_energy(lines, LEVELS)
    eds = LEVELS.editions
    assert eds is not None
    eds = eds[eds["product"] == "cu_concentrate_to_cathode"]
    live = np.zeros(len(days), dtype=bool)
    for _, e in eds.iterrows():
        live |= np.asarray(
            (pd.isna(e["valid_from"]) | (days >= e["valid_from"]))
            & (pd.isna(e["valid_to"]) | (days <= e["valid_to"]))
        )
    graded = (out["level_status"] == "in_force").to_numpy()
    rows = LEVELS.limits.set_index("level_id")
    vf = out["level_id"].map(rows["valid_from"])
    vt = out["level_id"].map(rows["valid_to"])
    ts = pd.Series(days, index=out.index)
    assert ((vf.isna() | (vf <= ts)) & (vt.isna() | (ts <= vt)))[graded].all()
    assert not (graded & live).any()
    assert out["grade"][~graded].isna().all()
    assert ((out["level_reason"] == VALUES_NOT_SOURCED).to_numpy() == (~graded & live)).all()
    # the three periods, as research-2026-12 §2 dates them
    std = out["standard"].where(graded, out["edition_in_force"]).to_numpy()
    assert set(std[days <= "2014-12-31"]) == {"GB 21248-2007"}
    assert set(std[(days >= "2015-01-01") & (days <= "2024-05-31")]) == {"GB 21248-2014"}
    assert set(std[days >= "2024-06-01"]) == {"GB 25323-2023"}


def test_a_row_left_open_is_superseded_by_a_later_unsourced_edition() -> None:
    """Even if a withdrawn edition's valid_to were left open, the later edition in force wins."""
    limits = LEVELS.limits.copy()
    old = limits["standard"] == "GB 21248-2007"
    limits.loc[old, "valid_to"] = pd.NaT
    limits.loc[old, "valid_from"] = pd.Timestamp("2008-01-01")
    patched = type(LEVELS)(
        factor_set=LEVELS.factor_set,
        limits=limits,
        efficiency=LEVELS.efficiency,
        routes=LEVELS.routes,
        graded_by=LEVELS.graded_by,
        editions=LEVELS.editions,
    )
    out = classify_unit_energy(_lines("cu_flash", "Cu", "2020-12-31"), patched).iloc[0]
    assert out["level_reason"] == VALUES_NOT_SOURCED and out["grade"] is None
    # and on 2024-06-01 the newer, sourced edition applies
    out = classify_unit_energy(_lines("cu_flash", "Cu", "2024-06-01"), patched).iloc[0]
    assert out["standard"] == "GB 25323-2023"
    assert np.isclose(out["grade3"], 340.0)
