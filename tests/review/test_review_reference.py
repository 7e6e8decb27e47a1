"""Energy-saving review against the published levels (reference values typed by hand).

Reference: GB 25323-2023 有色重金属冶炼企业单位产品能源消耗限额, 表3 湿法炼锌 电锌锭（含渣处理）
（精矿→电锌锭）: 1级 1 010, 2级 1 040, 3级 1 260 kgce/t, effective 2024-06-01
(methodology-data §5.2, table 3; refdata benchmark/limit_levels
``gb25323_2023:t3:zn_hydro_with_residue``). The platform's ``zn_hydro`` route (焙烧-浸出-电积)
maps to that row. GB 21346-2022 电解铝 铝液交流电耗 1级 12 950 kWh/t and the 2023 benchmark
13 000 kWh/t (methodology-data §4.2, §5.3). GB/T 2589 当量值 for electricity 0.1229 kgce/kWh
(methodology-data §2.3), so 1.0e9 kWh = 122 900 tce exactly.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from carbonpeak.benchmark.levels import load_levels
from carbonpeak.benchmark.review import review_against_limits, unit_product_energy_kgce_per_t
from carbonpeak.errors import InputError, PermissionDenied
from carbonpeak.model import Principal, Role
from carbonpeak.reporting.review_report import build_review_pdf, build_review_xlsx
from carbonpeak.service.efficiency import review
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import sessionmaker_for

ZN_ROW = "benchmark/limit_levels#gb25323_2023:t3:zn_hydro_with_residue"


def _proposal(
    unit: float, date: str = "2025-06-30", route: str = "zn_hydro", metal: str = "Zn"
) -> pd.DataFrame:
    return pd.DataFrame(
        {"metal": [metal], "route": [route], "date": [date], "unit_energy": [unit], "capacity_t_per_a": [1e5]}
    )


@pytest.mark.parametrize(
    ("unit", "verdict", "grade"),
    [
        (1000.0, "pass", 1),
        (1010.0, "pass", 1),
        (1010.1, "fail", 2),
        (1100.0, "fail", 3),
        (1260.1, "fail", "below_limit"),
    ],
)
def test_zinc_against_gb25323_2023_table3(unit: float, verdict: str, grade: object) -> None:
    r = review_against_limits(_proposal(unit), load_levels()).iloc[0]
    assert r["verdict"] == verdict
    assert r["grade"] == grade
    assert r["level_id"] == ZN_ROW
    assert (r["advanced_value"], r["grade2"], r["grade3"]) == (1010.0, 1040.0, 1260.0)
    assert r["standard"] == "GB 25323-2023" and r["clause"] == "表3"
    assert r["edition_valid_from"] == "2024-06-01"
    assert r["margin"] == pytest.approx(1010.0 - unit)
    assert "GB 25323-2023 表3" in r["citation_zh"] and "1 010 kgce/t" in r["citation_zh"]
    assert "grade 1 (advanced value) 1 010 kgce/t" in r["citation_en"]


def test_before_the_2023_edition_took_effect_there_is_no_level() -> None:
    # GB 21249-2014 (the zinc standard in force until 2024-05-31) is not shipped
    r = review_against_limits(_proposal(1000.0, date="2024-05-31"), load_levels()).iloc[0]
    assert r["verdict"] == "no_level" and r["level_status"] == "no_level_in_force"
    r = review_against_limits(_proposal(1000.0, date="2024-06-01"), load_levels()).iloc[0]
    assert r["verdict"] == "pass"


@pytest.mark.parametrize(
    ("ac_power", "verdict", "meets_benchmark"),
    [(12950.0, "pass", True), (12980.0, "fail", True), (13100.0, "fail", False)],
)
def test_electrolytic_aluminium_needs_grade_1_and_the_benchmark(
    ac_power: float, verdict: str, meets_benchmark: bool
) -> None:
    r = review_against_limits(_proposal(ac_power, route="al_electrolysis", metal="Al"), load_levels()).iloc[0]
    assert r["standard"] == "GB 21346-2022" and r["value_unit"] == "kWh/t"
    assert r["advanced_value"] == 12950.0 and r["benchmark_value"] == 13000.0
    assert r["verdict"] == verdict and bool(r["meets_benchmark"]) is meets_benchmark
    assert "723号" in r["citation_zh"]


def test_unit_energy_formula_and_bad_output() -> None:
    assert unit_product_energy_kgce_per_t([122_900.0, 135_190.0], [122_900.0] * 2).tolist() == [
        1000.0,
        1100.0,
    ]
    with pytest.raises(InputError) as e:
        unit_product_energy_kgce_per_t([1.0, float("nan")], [0.0, 1.0])
    assert [p.code for p in e.value.problems] == ["must_be_positive", "not_finite"]


@pytest.fixture
def ctx(demo_url: str) -> Iterator[Context]:
    with sessionmaker_for(demo_url)() as db:
        yield Context(db=db, principal=SYSTEM, request_id="test")


def _zinc(kwh: float, **kw: object) -> review.ReviewRequest:
    base: dict[str, object] = {
        "name": "新建湿法炼锌项目（示例）",
        "metal": "Zn",
        "route": "zn_hydro",
        "capacity_t_per_a": 122_900.0,
        "energy": [review.EnergyUse(carrier="electricity", quantity=kwh, unit="kWh")],
        "city_code": "430400",
        "review_date": "2025-06-30",
    }
    return review.ReviewRequest.model_validate({**base, **kw})


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def _xlsx_cells(data: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    return [
        str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None
    ]


def test_a_new_zinc_line_at_1000_passes_and_at_1100_fails_with_the_clause_in_the_report(ctx: Context) -> None:
    ok = review.review(ctx, _zinc(1.0e9))  # 122 900 tce / 122 900 t = 1 000 kgce/t
    bad = review.review(ctx, _zinc(1.1e9))  # 1 100 kgce/t
    assert ok["energy_tce_per_a"] == pytest.approx(122_900.0)
    assert ok["unit_energy_kgce_per_t"] == pytest.approx(1000.0)
    assert bad["unit_energy_kgce_per_t"] == pytest.approx(1100.0)
    assert (ok["verdict"], bad["verdict"]) == ("pass", "fail")
    assert ok["level_id"] == bad["level_id"] == ZN_ROW
    for result, word_zh, word_en in ((ok, "通过", "PASS"), (bad, "不通过", "FAIL")):
        pdf_zh = _pdf_text(build_review_pdf(result, "zh"))
        assert "GB25323-2023表3" in pdf_zh and "1级（先进值）1010kgce/t" in pdf_zh and word_zh in pdf_zh
        pdf_en = _pdf_text(build_review_pdf(result, "en"))
        assert "GB25323-2023表3" in pdf_en and word_en in pdf_en
        cells = _xlsx_cells(build_review_xlsx(result, "zh"))
        assert any("GB 25323-2023 表3" in c and "1 010 kgce/t" in c for c in cells)
        assert any(c.startswith(word_zh) for c in cells)
        assert any(word_en in c for c in _xlsx_cells(build_review_xlsx(result, "en")))
    # where the level's values were read, apart from the clause (issue 12, item 8)
    assert "ECQuota-Insight" in str(ok["read_in"]) and ok["clause"] == "表3"
    assert any(c == "读自" for c in _xlsx_cells(build_review_xlsx(ok, "zh")))
    pdf_read_in = _pdf_text(build_review_pdf(ok, "en"))
    assert "Readin:valuesfromgithub:adgo07/ECQuota-Insight" in pdf_read_in
    # stored, with the same result, and audited
    again = review.get_review(ctx, int(bad["id"]))
    assert again["verdict"] == "fail" and again["citation_zh"] == bad["citation_zh"]
    assert {r["id"] for r in review.list_reviews(ctx)} >= {ok["id"], bad["id"]}


def test_effects_on_totals_and_targets(ctx: Context) -> None:
    r = review.review(ctx, _zinc(1.0e9, save=False))
    eff = r["effects"]
    assert eff["year"] == 2025
    prov, city = eff["totals"]["province"], eff["totals"]["city"]
    assert prov["energy_with_tce"] - prov["energy_tce"] == pytest.approx(122_900.0)
    assert city["energy_with_tce"] - city["energy_tce"] == pytest.approx(122_900.0)
    assert prov["co2_with_t"] - prov["co2_t"] == pytest.approx(r["co2_t_per_a"])
    assert city["energy_tce"] < prov["energy_tce"]
    # more energy, no value added: the intensity change gets worse
    inten = eff["energy_intensity_change_pct"]
    assert inten["with"] > inten["without"]
    # a line at grade 1 (the benchmark stand-in) raises the share at benchmark
    share = eff["capacity_share_at_benchmark"]
    assert share["applies"] and share["province"]["with"] > share["province"]["without"]
    assert share["province"]["unverified"] == 1.0
    assert r["id"] is None


def test_bad_proposals_get_every_problem(ctx: Context) -> None:
    req = review.ReviewRequest(
        metal="Zn",
        route="cu_flash",
        capacity_t_per_a=1.0,
        energy=[
            review.EnergyUse(carrier="unobtainium", quantity=1, unit="t"),
            review.EnergyUse(carrier="coke", quantity=1, unit="kWh"),
        ],
        city_code="999999",
        review_date="2025-13-01",
    )
    with pytest.raises(InputError) as e:
        review.review(ctx, req)
    codes = {(p.code, p.column) for p in e.value.problems}
    assert ("route_metal_mismatch", "route") in codes
    assert ("unknown_city", "city") in codes
    assert ("bad_date", "review_date") in codes
    assert ("review_unknown_carrier", "energy[1].carrier") in codes
    assert ("wrong_dimension", "energy[2].unit") in codes
    assert all(p.message_zh and p.message_en for p in e.value.problems)
    with pytest.raises(InputError) as e:
        review.parse_energy("coke 12000")
    assert e.value.problems[0].code == "review_bad_energy"
    assert review.parse_energy("coal=12,000 t") == review.EnergyUse(
        carrier="coal", quantity=12000.0, unit="t"
    )


def test_who_may_review(ctx: Context) -> None:
    city = Context(ctx.db, Principal("c", Role.CITY, user_id=90, city_code="431000"), "t")
    with pytest.raises(PermissionDenied):
        review.review(city, _zinc(1.0e9))  # a Hengyang project
    assert review.review(city, _zinc(1.0e9, city_code="431000"))["verdict"] == "pass"
    verifier = Context(ctx.db, Principal("v", Role.VERIFIER, user_id=91), "t")
    with pytest.raises(PermissionDenied):
        review.review(verifier, _zinc(1.0e9))
    # an enterprise reviews its own proposal in its own city, and sees only its reviews
    from sqlalchemy import select

    from carbonpeak.store.models import Enterprise

    ent = ctx.db.execute(
        select(Enterprise).where(Enterprise.credit_code == "91430400XU6TWF13XG")
    ).scalar_one()
    me = Context(ctx.db, Principal("e", Role.ENTERPRISE, user_id=92, enterprise_ids=frozenset({ent.id})), "t")
    with pytest.raises(PermissionDenied):
        review.review(me, _zinc(1.0e9))  # not naming itself
    mine = review.review(me, _zinc(1.0e9, enterprise="91430400XU6TWF13XG"))
    assert [r["id"] for r in review.list_reviews(me)] == [mine["id"]]
    assert {r["city_code"] for r in review.list_reviews(city)} == {"431000"}


def test_several_carriers_in_their_own_units(ctx: Context) -> None:
    # GB/T 2589 Annex A: coke 0.9714 kgce/kg, electricity (当量值) 0.1229 kgce/kWh
    req = _zinc(
        0.0,
        capacity_t_per_a=100_000.0,
        energy=[
            review.EnergyUse(carrier="电力", quantity=60, unit="万MWh"),  # 6.0e8 kWh → 73 740 tce
            review.EnergyUse(carrier="焦炭", quantity=2, unit="万t"),  # 20 000 t → 19 428 tce
        ],
        save=False,
    )
    r = review.review(ctx, req)
    assert [c["item"] for c in r["carriers"]] == ["electricity_purchased", "coke"]
    assert [c["energy_tce"] for c in r["carriers"]] == pytest.approx([73_740.0, 19_428.0])
    assert r["unit_energy_kgce_per_t"] == pytest.approx(931.68)
    assert r["verdict"] == "pass" and r["margin"] == pytest.approx(1010.0 - 931.68)
    assert all(c["factor_ids"] for c in r["carriers"])
