"""Production lines name their product, and the product picks the limit row (issue 12, item 6).

Values (refdata/benchmark/limit_levels, as shipped):

* GB 25323-2023 表3 湿法炼锌 电锌锭（含渣处理）1 010 / 1 040 / 1 260 kgce/t, （无渣处理）
  550 / 660 / 820 kgce/t (in force 2024-06-01);
* GB 29435-2012 镨钕氧化物 2 350 / 2 470 / 2 710 kgce/t (stored ×1000 from tce/t; in force
  2013-10-01 … 2026-12-31) and GB 29435-2025 表1 离子型稀土矿生产 氧化镨钕 1 360 / 1 460 /
  1 530 kgce/t (in force 2027-01-01).
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from carbonpeak import refdata
from carbonpeak.benchmark.classify import classify_unit_energy
from carbonpeak.benchmark.levels import load_levels
from carbonpeak.errors import InputError
from carbonpeak.io.register import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_OPTIONAL,
    LINE_COLUMNS,
    LINE_OPTIONAL,
    parse_register,
)
from carbonpeak.io.tabular import read_rows
from carbonpeak.model.credit_code import check_character
from carbonpeak.refdata.register_rules import check_product_of_route, check_technology, products_of_route
from carbonpeak.service.efficiency import benchmarking
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for

LEVELS = load_levels()
PRODUCTS = refdata.load_table("sector/products")


def _line(
    product: str | None, e: float, day: str, *, route: str = "zn_hydro", metal: str = "Zn"
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_id": ["a"],
            "metal": [metal],
            "route": [route],
            "product": [product],
            "date": [day],
            "unit_energy": [e],
            "capacity_t_per_a": [100_000.0],
        }
    )


def test_a_zinc_plant_without_residue_treatment_is_graded_on_its_own_row() -> None:
    """The issue's case: a 无渣处理 plant at 1 000 kgce/t showed "1级" (graded as 含渣处理)."""
    without = classify_unit_energy(_line("zn_hydro_without_residue", 1000.0, "2025-12-31"), LEVELS).iloc[0]
    assert (without["grade"], without["grade3"], without["level_product"]) == (
        "below_limit",
        820.0,
        "zn_hydro_without_residue",
    )
    assert without["gap_to_limit"] == pytest.approx(180.0)
    with_res = classify_unit_energy(_line("zn_hydro_with_residue", 1000.0, "2025-12-31"), LEVELS).iloc[0]
    default = classify_unit_energy(_line(None, 1000.0, "2025-12-31"), LEVELS).iloc[0]
    assert with_res["grade"] == default["grade"] == 1  # 1 000 ≤ 1 010


def test_a_rare_earth_product_is_graded_by_the_edition_in_force() -> None:
    p = "re_ion_PrNd_oxide"
    old = classify_unit_energy(
        _line(p, 2400.0, "2026-12-31", route="re_separation", metal="RE"), LEVELS
    ).iloc[0]
    new = classify_unit_energy(
        _line(p, 2400.0, "2027-01-01", route="re_separation", metal="RE"), LEVELS
    ).iloc[0]
    assert (old["standard"], old["grade1"], old["grade2"], old["grade3"], old["grade"]) == (
        "GB 29435-2012",
        2350.0,
        2470.0,
        2710.0,
        2,
    )
    assert (new["standard"], new["grade3"], new["grade"]) == ("GB 29435-2025", 1530.0, "below_limit")


@pytest.mark.parametrize(
    ("product", "route", "metal"),
    [
        ("w_apt", "w_apt", "W"),
        ("bi_refined", "bi_smelting", "Bi"),
        ("in_refined", "in_smelting", "In"),
        ("au_refined", "pm_secondary", "Au"),
        ("sb_trioxide", "sb_oxide", "Sb"),
    ],
)
def test_a_product_without_a_limit_standard_held_says_so(product: str, route: str, metal: str) -> None:
    out = classify_unit_energy(_line(product, 500.0, "2025-12-31", route=route, metal=metal), LEVELS).iloc[0]
    assert (out["level_status"], out["grade"]) == ("no_level", None)


def test_an_unknown_product_is_a_located_error() -> None:
    with pytest.raises(InputError) as exc:
        classify_unit_energy(_line("zn_magic", 1000.0, "2025-12-31"), LEVELS)
    (p,) = exc.value.problems
    assert (p.code, p.column, p.value, p.row) == ("unknown_product", "product", "zn_magic", 1)


def test_the_products_table_is_consistent_with_the_routes_and_the_limit_rows() -> None:
    routes = refdata.process_routes().by_id
    limit_products = set(LEVELS.limits["product"])
    for r in PRODUCTS:
        assert r["routes"], r["id"]
        for route in r["routes"]:
            assert routes[route]["metal"] == r["metal"], (r["id"], route)
        assert set(r["graded_by"]) <= limit_products, r["id"]
        if r["id"] in limit_products:
            assert r["graded_by"][0] == r["id"]
    # every route's lines can name a product, and a route graded by route has its row's product
    for route in routes:
        assert products_of_route(route), route
    for _, row in LEVELS.limits.explode("route").dropna(subset=["route"]).iterrows():
        assert row["product"] in products_of_route(row["route"]), (row["route"], row["product"])


def test_product_and_technology_rules_are_located_and_bilingual() -> None:
    bad = check_product_of_route("zn_hydro_without_residue", "zn_isp", column="product", shown="x", row=3)
    assert bad is not None and bad.code == "product_route_mismatch" and bad.row == 3
    assert "zn_pyro_concentrate_to_refined" in bad.message_en and "不是工艺路线" in bad.message_zh
    assert check_product_of_route("zn_hydro_without_residue", "zn_hydro", column="product", shown="x") is None
    tech = check_technology("XYZ", "al_electrolysis", column="technology", shown="XYZ")
    assert tech is not None and tech.code == "unknown_technology" and "CWPB" in tech.message_en
    not_pot = check_technology("CWPB", "al_secondary", column="technology", shown="CWPB")
    assert not_pot is not None and not_pot.code == "technology_not_potline"
    assert "al_secondary" in not_pot.message_zh


def _code(city: str, serial: str) -> str:
    first = f"91{city}{serial}"
    return first + check_character(first)


A = _code("430400", "000000007")
ENTS = f"credit_code,name_zh,city,metals\n{A},甲（示例）,430400,Zn;Al\n".encode()
HEAD = "enterprise,line_code,name_zh,metal,route,capacity,capacity_unit,product,technology"


def _parse(*rows: str) -> list[object]:
    et = read_rows(ENTS, "enterprises.csv", ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL)
    lt = read_rows("\n".join([HEAD, *rows]).encode(), "lines.csv", LINE_COLUMNS, LINE_OPTIONAL)
    return list(parse_register(et, lt))


def test_the_register_import_reads_product_and_technology_by_code_or_name() -> None:
    (ent,) = _parse(
        f"{A},L01,电锌,Zn,zn_hydro,20,万t/a,湿法炼锌 电锌锭（无渣处理）（精矿→电锌锭）,",
        f"{A},L02,电解铝,Al,al_electrolysis,30,万t/a,al_molten,中间下料预焙槽",
        f"{A},L03,电锌2,Zn,zn_hydro,10,万t/a,,",
    )
    lines = {ln.code: ln for ln in ent.lines}  # type: ignore[attr-defined]
    assert (lines["L01"].product, lines["L01"].technology) == ("zn_hydro_without_residue", None)
    assert (lines["L02"].product, lines["L02"].technology) == ("al_molten", "CWPB")
    assert lines["L03"].product is None


def test_the_register_import_locates_every_bad_product_and_technology() -> None:
    with pytest.raises(InputError) as exc:
        _parse(
            f"{A},L01,电锌,Zn,zn_hydro,20,万t/a,al_molten,",
            f"{A},L02,电解铝,Al,al_electrolysis,30,万t/a,,PB",
            f"{A},L03,电锌2,Zn,zn_hydro,10,万t/a,zinc dust,CWPB",
        )
    got = sorted((p.file, p.row, p.column, p.code) for p in exc.value.problems)
    assert got == [
        ("lines.csv", 2, "product", "product_route_mismatch"),
        ("lines.csv", 3, "technology", "unknown_technology"),
        ("lines.csv", 4, "product", "unknown_product"),
        ("lines.csv", 4, "technology", "technology_not_potline"),
    ]
    assert all(p.message_zh and p.message_en and "{" not in p.message_en for p in exc.value.problems)


# --- the demo register: every line with a GB limit standard graded, or says why not ----------

#: Why a line is not graded: each has a bilingual note (catalogue/benchmark_notes.toml).
REASONS = {"no_data", "no_level", "no_level_in_force", "not_sourced", "no_product", "not_assessed_ac_power"}


@pytest.fixture
def ctx(demo_url: str) -> Iterator[Context]:
    with sessionmaker_for(demo_url)() as db:
        yield Context(db=db, principal=SYSTEM, request_id="test")


def test_every_demo_line_with_a_limit_standard_is_graded_or_says_why(ctx: Context) -> None:
    every = benchmarking.classify(ctx, None)
    graded_by = {str(r["id"]): tuple(r["graded_by"]) for r in PRODUCTS}
    assert every["product"].notna().all()  # the demo names every line's product
    assert (every.loc[every["route"] == "al_electrolysis", "technology"] == "CWPB").all()
    assert set(every["assessment"]) <= {"assessed", *REASONS}
    assert every["assessment_zh"].str.len().gt(0).all() and every["assessment_en"].str.len().gt(0).all()
    # from 2024-06-01 every line whose product has a limit standard and that has figures is graded
    y25 = every[every["year"] == 2025]
    has_std = y25["product"].map(lambda p: bool(graded_by.get(p))).astype(bool)
    has_data = y25["unit_energy"].notna()
    assert (y25.loc[has_std & has_data, "assessment"] == "assessed").all()
    assert y25.loc[has_std & has_data, "grade"].notna().all()
    assert (y25.loc[~has_std, "assessment"].isin({"no_level", "no_data"})).all()
    # rare-earth lines are graded by their GB 29435 product
    re_lines = y25[y25["metal"] == "RE"]
    assert len(re_lines) and (re_lines["standard"] == "GB 29435-2012").all()
    # in 2020 the copper, zinc and lead lines name the 2014 edition whose values are not held
    y20 = every[
        (every["year"] == 2020) & every["metal"].isin(["Cu", "Pb", "Zn"]) & every["unit_energy"].notna()
    ]
    cu_pb_zn = y20[y20["route"].isin(["cu_bottom_blown", "cu_secondary", "zn_hydro", "pb_bottom_blown"])]
    assert len(cu_pb_zn) and (cu_pb_zn["assessment"] == "not_sourced").all()
    assert set(cu_pb_zn["edition_in_force"]) == {"GB 21248-2014", "GB 21249-2014", "GB 21250-2014"}
    assert cu_pb_zn["grade"].isna().all()
