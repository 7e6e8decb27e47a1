"""The technology catalogue (refdata/planning/technologies): box 2 and box 3 complete, every figure sourced.

The technology names are those of the Hunan plan, 专栏2 (节能低碳技术重点方向) and 专栏3
(能源利用效率提升工程), and task 二(三)7 (shared/seed/hunan-nonferrous-carbon-peak-plan.zh.txt).
"""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

import pytest

from carbonpeak.errors import RefdataError
from carbonpeak.refdata.loader import CONFIDENCE, ESTIMATE, load_sources, load_table, read_table

TABLE = "planning/technologies"
FIGURES = [
    "saving_pct",
    "saving_kgce_per_t",
    "switch_share",
    "capex_yuan_per_t_a",
    "opex_change_yuan_per_t",
    "lifetime_a",
]

#: Box 2, by metal, in the plan's words: (metal, name_zh, status).
BOX2 = [
    ("Cu", "低品位铜矿绿色循环生物提铜技术", "promote"),
    ("Cu", "绿色高效短流程大型浮选装备成套技术", "promote"),
    ("Cu", "氧气底吹连续炼铜技术", "promote"),
    ("Cu", "铜锍连续吹炼技术", "promote"),
    ("Cu", "双炉连续炼铜技术", "promote"),
    ("Cu", "阳极炉纯氧燃烧技术", "promote"),
    ("Cu", "废杂铜低碳处理技术", "promote"),
    ("Cu", "铜火法冶炼中低位余热利用技术", "research"),
    ("Cu", "铜冶炼旋流电解技术", "research"),
    ("Cu", "砷资源化利用技术", "research"),
    ("Pb", "液态高铅渣直接还原技术", "promote"),
    ("Pb", "以底吹为基础的铅富氧熔池熔炼技术", "promote"),
    ("Pb", "铅冶炼低碳还原技术", "research"),
    ("Pb", "铅冶炼熔池智慧调节技术", "research"),
    ("Zn", "锌精矿大型焙烧技术", "promote"),
    ("Zn", "高效湿法锌冶炼技术", "promote"),
    ("Zn", "锌电解大板阳极及自动剥锌技术", "promote"),
    ("Zn", "赤铁矿及针铁矿法除铁炼锌工艺", "promote"),
    ("Zn", "砷盐净化工艺", "promote"),
    ("Zn", "锌二次资源萃取技术", "promote"),
    ("Zn", "氨法炼锌技术", "research"),
    ("Zn", "锌加压湿法冶金多金属高效回收技术", "research"),
    ("Zn", "锌电解低耗无铅阳极技术", "research"),
    ("Zn", "锌浸出渣熔池熔炼技术", "research"),
    ("Sb", "锑熔池熔炼技术", "research"),
    ("", "短流程冶炼技术", "research_promote"),
    ("", "余热回收利用技术", "research_promote"),
    ("Ti", "海绵钛颠覆性制备技术", "research_promote"),
    ("", "新型还原剂替代技术", "research_promote"),
    ("", "再生资源循环利用技术", "research_promote"),
    ("", "连铸连轧一次成型工艺", "research_promote"),
]
#: Box 3 and task 二(三)7 measures (name_zh).
BOX3 = [
    "屋顶分布式光伏发电",
    "分散式风电",
    "“光伏+储能”自备电厂",
    "工业余热余压利用",
    "智慧能源管控一体化系统",
    "锅炉节能改造",
    "变压器节能改造",
    "风机节能改造",
    "水泵节能改造",
    "电机节能改造",
    "能量系统优化",
    "用能数据中心",
    "燃煤窑炉以电代煤",
    "以气代煤",
    "绿色电力交易",
    "购买绿色电力证书",
]


@pytest.fixture(scope="module")
def table():
    return load_table(TABLE)


def _schema() -> dict:  # type: ignore[type-arg]
    text = (
        resources.files("carbonpeak.refdata").joinpath("planning/technologies.schema.json").read_text("utf-8")
    )
    return json.loads(text)  # type: ignore[no-any-return]


def _csv() -> str:
    return resources.files("carbonpeak.refdata").joinpath("planning/technologies.csv").read_text("utf-8")


@pytest.mark.parametrize(("metal", "name_zh", "status"), BOX2)
def test_every_box2_technology_is_listed_with_its_metal_and_status(
    table, metal: str, name_zh: str, status: str
) -> None:
    rows = [r for r in table if r["name_zh"] == name_zh]
    assert len(rows) == 1, name_zh
    row = rows[0]
    assert (row["metal"] or "", row["status"], row["clause"], row["source_id"]) == (
        metal,
        status,
        "专栏2",
        "hunan_plan",
    )


@pytest.mark.parametrize("name_zh", BOX3)
def test_every_box3_measure_is_listed_as_cross_cutting(table, name_zh: str) -> None:
    rows = [r for r in table if r["name_zh"] == name_zh]
    assert len(rows) == 1, name_zh
    assert rows[0]["scope"] == "cross_cutting"
    assert rows[0]["clause"] in ("专栏3", "二(三)7")


def test_every_figure_is_sourced_or_marked_estimate(table) -> None:
    sources = load_sources()
    figures = 0
    for row in table:
        for f in FIGURES:
            if row[f] is None:
                continue
            figures += 1
            src, conf = row[f"{f}_source"], row[f"{f}_confidence"]
            assert (src in sources and conf in CONFIDENCE) or (src == ESTIMATE == conf and row["basis"]), (
                row["id"],
                f,
            )
    assert figures >= 1


def test_routes_products_and_metals_exist(table) -> None:
    routes = load_table("sector/process_routes")
    products = load_table("sector/products")
    metals = {m["id"] for m in load_table("sector/metals")}
    for row in table:
        if row["metal"]:
            assert row["metal"] in metals
        for route in row["routes"]:
            assert route in routes.by_id, (row["id"], route)
            if row["metal"]:
                assert routes.get(route)["metal"] == row["metal"]
        for product in row["products"]:
            assert product in products.by_id, (row["id"], product)
            assert set(products.get(product)["routes"]) & set(row["routes"]), (row["id"], product)


def _with_row(mutate: dict[str, str]) -> bytes:
    text = _csv()
    header, first, *_ = text.splitlines()
    cols = header.split(",")
    row = next(csv.DictReader(io.StringIO(header + "\n" + first + "\n")))
    row.update(mutate)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    w.writeheader()
    w.writerow(row)
    return buf.getvalue().encode("utf-8")


def test_a_figure_without_a_source_is_refused_with_its_location() -> None:
    data = _with_row(
        {"capex_yuan_per_t_a": "1200", "capex_yuan_per_t_a_source": "", "capex_yuan_per_t_a_confidence": ""}
    )
    with pytest.raises(RefdataError) as info:
        read_table(TABLE, data, _schema(), load_sources())
    err = info.value
    assert err.code == "refdata_unsourced_figure"
    assert (err.fields["table"], err.fields["row"], err.fields["column"]) == (TABLE, 2, "capex_yuan_per_t_a")
    assert "capex_yuan_per_t_a" in err.message_zh and "第 2 行" in err.message_zh
    assert "row 2, column capex_yuan_per_t_a" in err.message_en


@pytest.mark.parametrize(
    "mutate",
    [
        {"lifetime_a": "15", "lifetime_a_source": "no_such_source", "lifetime_a_confidence": "S"},
        {"lifetime_a": "15", "lifetime_a_source": "hunan_plan", "lifetime_a_confidence": ""},
        {
            "lifetime_a": "15",
            "lifetime_a_source": "estimate",
            "lifetime_a_confidence": "estimate",
            "basis": "",
        },
        {"lifetime_a": "15", "lifetime_a_source": "estimate", "lifetime_a_confidence": "S", "basis": "x"},
    ],
)
def test_unregistered_unconfident_or_baseless_figures_are_refused(mutate: dict[str, str]) -> None:
    with pytest.raises(RefdataError) as info:
        read_table(TABLE, _with_row(mutate), _schema(), load_sources())
    assert info.value.code == "refdata_unsourced_figure"
    assert info.value.fields["column"] == "lifetime_a"


@pytest.mark.parametrize(
    "mutate",
    [
        {"lifetime_a": "15", "lifetime_a_source": "hunan_plan", "lifetime_a_confidence": "S"},
        {
            "lifetime_a": "15",
            "lifetime_a_source": "estimate",
            "lifetime_a_confidence": "estimate",
            "basis": "typical motor life",
        },
        {"lifetime_a": "", "lifetime_a_source": "", "lifetime_a_confidence": ""},
    ],
)
def test_sourced_estimated_or_blank_figures_load(mutate: dict[str, str]) -> None:
    t = read_table(TABLE, _with_row(mutate), _schema(), load_sources())
    assert len(t) == 1
