#!/usr/bin/env python3
"""Generate the embedded synthetic demo sector (enterprises, production lines, demo users).

Everything written here is SYNTHETIC: invented company names (each marked "（示例）" /
" (demo)"), random credit codes with valid GB 32100-2015 check digits, and plausible but
made-up capacities. None of it is a Hunan statistic.

Run from the repository root::

    python3 scripts/make_demo_data.py

Standard library only; the output depends only on SEED, so every run writes identical
files. The consistency checks at the end run every time and exit non-zero on failure.
"""

from __future__ import annotations

import csv
import io
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20221230
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "carbonpeak" / "demo"

# --------------------------------------------------------------------------------------
# Reference lists (cities GB/T 2260, parks, routes)
# --------------------------------------------------------------------------------------

CITIES: dict[str, tuple[str, str]] = {
    "430100": ("长沙", "Changsha"),
    "430200": ("株洲", "Zhuzhou"),
    "430300": ("湘潭", "Xiangtan"),
    "430400": ("衡阳", "Hengyang"),
    "430500": ("邵阳", "Shaoyang"),
    "430600": ("岳阳", "Yueyang"),
    "430700": ("常德", "Changde"),
    "430800": ("张家界", "Zhangjiajie"),
    "430900": ("益阳", "Yiyang"),
    "431000": ("郴州", "Chenzhou"),
    "431100": ("永州", "Yongzhou"),
    "431200": ("怀化", "Huaihua"),
    "431300": ("娄底", "Loudi"),
    "433100": ("湘西州", "Xiangxi"),
}

PARKS: dict[str, str] = {
    "changsha_hitech": "430100",
    "wangcheng_etdz": "430100",
    "ningxiang_recycling": "430100",
    "zhuzhou_hitech": "430200",
    "shuikoushan": "430400",
    "hengdong_dapu": "430400",
    "chenzhou_pbzn": "431000",
    "chenzhou_precious": "431000",
    "yongxing_circular": "431000",
    "yongxing_etdz": "431000",
    "yongzhou_re": "431100",
    "loudi_sb": "431300",
    "huaihua_sb": "431200",
    "shaoyang_sb": "430500",
    "xinshao_quetang": "430500",
    "yiyang_sb": "430900",
    "anhua_gaoming": "430900",
    "miluo_circular": "430600",
    "miluo_hitech": "430600",
}

METALS = ("Cu", "Al", "Pb", "Zn", "Sb", "W", "RE", "Bi", "Au", "Ag", "Be", "In", "Ti", "Sn", "Ni")


@dataclass(frozen=True)
class Route:
    metal: str
    name_zh: str
    name_en: str
    low: float  # capacity range, in tonnes per year
    high: float
    step: float  # rounding step, tonnes per year


# fmt: off
ROUTES: dict[str, Route] = {
    "cu_bottom_blown": Route("Cu", "氧气底吹炼铜生产线", "Oxygen bottom-blown copper smelting line",
                             50_000, 200_000, 5_000),
    "cu_flash": Route("Cu", "闪速炼铜生产线", "Flash copper smelting line",
                      100_000, 200_000, 10_000),
    "cu_secondary": Route("Cu", "再生铜冶炼生产线", "Secondary copper smelting line",
                          30_000, 150_000, 5_000),
    "cu_processing": Route("Cu", "铜材加工生产线", "Copper processing line",
                           10_000, 100_000, 5_000),
    "pb_bottom_blown": Route("Pb", "底吹炼铅生产线", "Bottom-blown lead smelting line",
                             50_000, 150_000, 5_000),
    "pb_sinter_blast": Route("Pb", "烧结-鼓风炉炼铅生产线", "Sinter and blast-furnace lead line",
                             20_000, 60_000, 5_000),
    "pb_secondary": Route("Pb", "废铅蓄电池再生铅生产线", "Secondary lead (spent battery) line",
                          50_000, 200_000, 10_000),
    "zn_hydro": Route("Zn", "湿法炼锌生产线", "Hydrometallurgical zinc line",
                      100_000, 300_000, 10_000),
    "zn_isp": Route("Zn", "密闭鼓风炉炼锌生产线", "Imperial Smelting Process zinc line",
                    50_000, 100_000, 5_000),
    "zn_secondary": Route("Zn", "再生锌生产线", "Secondary zinc line",
                          20_000, 80_000, 5_000),
    "sb_blast_volatilization": Route("Sb", "锑鼓风炉挥发熔炼生产线",
                                     "Antimony blast-furnace volatilization line",
                                     5_000, 20_000, 1_000),
    "sb_bath": Route("Sb", "锑富氧熔池熔炼生产线", "Antimony oxygen-enriched bath smelting line",
                     5_000, 20_000, 1_000),
    "sb_oxide": Route("Sb", "氧化锑生产线", "Antimony oxide line", 3_000, 15_000, 500),
    "w_apt": Route("W", "仲钨酸铵生产线", "Ammonium paratungstate (APT) line", 2_000, 10_000, 500),
    "w_carbide": Route("W", "硬质合金生产线", "Cemented carbide line", 500, 5_000, 100),
    "al_electrolysis": Route("Al", "电解铝生产线", "Aluminium electrolysis line",
                             50_000, 120_000, 10_000),
    "al_secondary": Route("Al", "再生铝生产线", "Secondary aluminium line",
                          30_000, 200_000, 10_000),
    "al_processing": Route("Al", "铝材加工生产线", "Aluminium processing line",
                           10_000, 100_000, 5_000),
    "re_separation": Route("RE", "稀土冶炼分离生产线", "Rare-earth separation line",
                           1_000, 5_000, 500),
    "re_metal": Route("RE", "稀土金属生产线", "Rare-earth metal line", 500, 3_000, 100),
    "bi_smelting": Route("Bi", "铋冶炼生产线", "Bismuth smelting line", 500, 3_000, 100),
    "pm_secondary": Route("Au", "稀贵金属综合回收生产线", "Precious-metal recovery line",
                          10, 200, 10),
    "in_smelting": Route("In", "精铟生产线", "Refined indium line", 20, 100, 10),
    "sn_smelting": Route("Sn", "锡冶炼生产线", "Tin smelting line", 5_000, 20_000, 1_000),
}

# fmt: on

OBSOLETE_ROUTES = frozenset({"pb_sinter_blast", "zn_isp"})

# The product each demo line names (refdata sector/products): the product its limit standard
# grades it by — hydrometallurgical zinc with residue treatment (the demo's zinc energy is
# calibrated on GB 25323-2023 表3 含渣处理), the GB 29435 rare-earth products — or, where no
# limit standard is held (tungsten, bismuth, indium, gold, antimony trioxide, aluminium alloys
# and semis, copper semis other than wire rod: the demo's copper-processing energy is not
# calibrated on GB 21350-2023 表10), the conventional product, so the line says why it is not
# graded. Chosen by route, without drawing from the random stream
# (the rest of the demo is unchanged). Synthetic, like every other field.
PRODUCT_OF_ROUTE = {
    "cu_bottom_blown": "cu_concentrate_to_cathode",
    "cu_flash": "cu_concentrate_to_cathode",
    "cu_secondary": "cu_scrap_to_cathode",
    "cu_processing": "cu_semis",
    "pb_bottom_blown": "pb_concentrate_to_refined_lead",
    "pb_sinter_blast": "pb_concentrate_to_refined_lead",
    "pb_secondary": "pb_sec_battery_to_lead",
    "zn_hydro": "zn_hydro_with_residue",
    "zn_isp": "zn_pyro_concentrate_to_refined",
    "zn_secondary": "zn_sec_hydro_with_residue",
    "sb_blast_volatilization": "sb_concentrate_to_ingot",
    "sb_bath": "sb_concentrate_to_ingot",
    "sb_oxide": "sb_trioxide",
    "sn_smelting": "sn_concentrate_to_ingot",
    "w_apt": "w_apt",
    "w_carbide": "w_cemented_carbide",
    "re_separation": "re_ion_PrNd_oxide",
    "re_metal": "re_electrolytic_PrNd_metal",
    "al_electrolysis": "al_molten",
    "al_secondary": "al_secondary_alloy_ingot",
    "al_processing": "al_semis",
    "bi_smelting": "bi_refined",
    "pm_secondary": "au_refined",
    "in_smelting": "in_refined",
}
# Potline cell technology (IPCC 2006 Vol. 3 Table 4.15) of the demo's electrolysis lines: the
# route is prebaked-anode electrolysis; centre-worked prebake (synthetic).
TECHNOLOGY_OF_ROUTE = {"al_electrolysis": "CWPB"}
NEW_PROJECT_SHARE = 0.10
# Earliest plausible commissioning year of a route in China (later technologies).
FIRST_YEAR = {
    "cu_bottom_blown": 2008,
    "pb_bottom_blown": 2003,
    "sb_bath": 2015,
    "re_metal": 2000,
    "in_smelting": 2000,
    "pm_secondary": 2000,
}

# Place names (cities and counties) used as name prefixes, with pinyin.
PLACES: dict[str, str] = {
    "长沙": "Changsha",
    "望城": "Wangcheng",
    "宁乡": "Ningxiang",
    "浏阳": "Liuyang",
    "株洲": "Zhuzhou",
    "醴陵": "Liling",
    "攸县": "Youxian",
    "湘潭": "Xiangtan",
    "湘乡": "Xiangxiang",
    "韶山": "Shaoshan",
    "衡阳": "Hengyang",
    "常宁": "Changning",
    "衡东": "Hengdong",
    "衡南": "Hengnan",
    "耒阳": "Leiyang",
    "邵阳": "Shaoyang",
    "新邵": "Xinshao",
    "隆回": "Longhui",
    "岳阳": "Yueyang",
    "汨罗": "Miluo",
    "常德": "Changde",
    "津市": "Jinshi",
    "桃源": "Taoyuan",
    "张家界": "Zhangjiajie",
    "慈利": "Cili",
    "益阳": "Yiyang",
    "安化": "Anhua",
    "桃江": "Taojiang",
    "郴州": "Chenzhou",
    "永兴": "Yongxing",
    "桂阳": "Guiyang",
    "宜章": "Yizhang",
    "苏仙": "Suxian",
    "临武": "Linwu",
    "永州": "Yongzhou",
    "祁阳": "Qiyang",
    "宁远": "Ningyuan",
    "怀化": "Huaihua",
    "溆浦": "Xupu",
    "会同": "Huitong",
    "娄底": "Loudi",
    "冷水江": "Lengshuijiang",
    "新化": "Xinhua",
    "涟源": "Lianyuan",
    "吉首": "Jishou",
    "花垣": "Huayuan",
    "保靖": "Baojing",
}

# Invented two-character trade names: first x second character, filtered below.
BRAND_FIRST = "恒瑞宏丰晟鸿泓启联鼎润卓博信德诚和汇佳凯朗岚澜岩溪岭"
BRAND_SECOND = "源达泰禾盛远峰川拓晖安成昌悦锐航益通茂隆"
PINYIN = {
    "恒": "Heng",
    "瑞": "Rui",
    "宏": "Hong",
    "丰": "Feng",
    "晟": "Sheng",
    "鸿": "Hong",
    "泓": "Hong",
    "启": "Qi",
    "联": "Lian",
    "鼎": "Ding",
    "润": "Run",
    "卓": "Zhuo",
    "博": "Bo",
    "信": "Xin",
    "德": "De",
    "诚": "Cheng",
    "和": "He",
    "汇": "Hui",
    "佳": "Jia",
    "凯": "Kai",
    "朗": "Lang",
    "岚": "Lan",
    "澜": "Lan",
    "岩": "Yan",
    "溪": "Xi",
    "岭": "Ling",
    "源": "yuan",
    "达": "da",
    "泰": "tai",
    "禾": "he",
    "盛": "sheng",
    "远": "yuan",
    "峰": "feng",
    "川": "chuan",
    "拓": "tuo",
    "晖": "hui",
    "安": "an",
    "成": "cheng",
    "昌": "chang",
    "悦": "yue",
    "锐": "rui",
    "航": "hang",
    "益": "yi",
    "通": "tong",
    "茂": "mao",
    "隆": "long",
}
# Fragments of real company names that must never appear in a demo name.
BLOCKLIST = (
    "水口山",
    "株冶",
    "锡矿山",
    "闪星",
    "柿竹园",
    "金贵",
    "宇腾",
    "辰州",
    "金旺",
    "雄风",
    "有色",
    "五矿",
    "中钨",
    "钻石",
    "湘钨",
    "瑶岗仙",
    "中铝",
    "华菱",
    "湘投",
    "湘钢",
    "江华",
    "中金",
    "腾驰",
    "晶鑫",
    "湘潭电化",
    "创元",
    "博源",
    "鸿源",
    "恒源",
    "宏达",
    "和盛",
    "德盛",
    "信达",
    "汇通",
    "宏远",
)

# Business kinds: Chinese suffix and English description.
KINDS: dict[str, tuple[str, str]] = {
    "cupbzn": ("铜铅锌冶炼有限公司", "Copper Lead Zinc Smelting Co., Ltd."),
    "pbzn": ("铅锌冶炼有限公司", "Lead-Zinc Smelting Co., Ltd."),
    "pb": ("铅业有限公司", "Lead Co., Ltd."),
    "zn": ("锌业有限公司", "Zinc Co., Ltd."),
    "cu": ("铜业有限公司", "Copper Co., Ltd."),
    "cumat": ("铜材有限公司", "Copper Products Co., Ltd."),
    "almat": ("铝材有限公司", "Aluminium Products Co., Ltd."),
    "alloy": ("合金新材料有限公司", "New Alloy Materials Co., Ltd."),
    "al": ("铝业有限公司", "Aluminium Co., Ltd."),
    "sb": ("锑业有限公司", "Antimony Co., Ltd."),
    "sbchem": ("锑品有限公司", "Antimony Products Co., Ltd."),
    "w": ("钨业有限公司", "Tungsten Co., Ltd."),
    "carbide": ("硬质合金有限公司", "Cemented Carbide Co., Ltd."),
    "re": ("稀土新材料有限公司", "Rare Earth Materials Co., Ltd."),
    "bi": ("铋业有限公司", "Bismuth Co., Ltd."),
    "pm": ("稀贵金属有限公司", "Precious Metals Co., Ltd."),
    "multi": ("多金属综合回收有限公司", "Polymetallic Recovery Co., Ltd."),
    "in": ("铟业有限公司", "Indium Co., Ltd."),
    "sn": ("锡业有限公司", "Tin Co., Ltd."),
    "recu": ("再生铜业有限公司", "Recycled Copper Co., Ltd."),
    "real": ("再生铝业有限公司", "Recycled Aluminium Co., Ltd."),
    "repb": ("再生资源有限公司", "Resource Recycling Co., Ltd."),
    "recycle": ("再生金属有限公司", "Recycled Metals Co., Ltd."),
}

# --------------------------------------------------------------------------------------
# The sector layout: (city, park, place, kind, routes, above_designated_size).
# A route prefixed with "!" is forced to status existing (used for obsolete capacity).
# --------------------------------------------------------------------------------------

Spec = tuple[str, str, str, str, tuple[str, ...], bool]

# fmt: off
SECTOR: tuple[Spec, ...] = (
    # 衡阳: Shuikoushan Cu-Pb-Zn base, Hengdong Dapu recycling park
    ("430400", "shuikoushan", "常宁", "pbzn", ("pb_bottom_blown", "zn_hydro", "zn_hydro"), True),
    ("430400", "shuikoushan", "常宁", "cupbzn", ("cu_bottom_blown", "pb_bottom_blown", "zn_hydro"),
     True),
    ("430400", "shuikoushan", "常宁", "pbzn", ("pb_bottom_blown", "zn_hydro"), True),
    ("430400", "shuikoushan", "常宁", "pbzn", ("!pb_sinter_blast", "zn_hydro"), True),
    ("430400", "shuikoushan", "常宁", "zn", ("zn_hydro",), True),
    ("430400", "shuikoushan", "常宁", "zn", ("!zn_isp", "zn_secondary"), True),
    ("430400", "shuikoushan", "常宁", "cu", ("cu_bottom_blown", "cu_processing"), True),
    ("430400", "shuikoushan", "常宁", "pb", ("pb_bottom_blown",), True),
    ("430400", "hengdong_dapu", "衡东", "recu", ("cu_secondary", "cu_processing"), True),
    ("430400", "hengdong_dapu", "衡东", "real", ("al_secondary",), True),
    ("430400", "hengdong_dapu", "衡东", "repb", ("pb_secondary",), True),
    ("430400", "", "衡南", "pb", ("pb_secondary",), False),
    ("430400", "", "耒阳", "cumat", ("cu_processing",), False),
    ("430400", "", "衡阳", "almat", ("al_processing",), True),
    # 郴州: Pb-Zn resource base, rare/precious metals, Yongxing recycling, tungsten
    ("431000", "chenzhou_pbzn", "苏仙", "pbzn", ("pb_bottom_blown", "zn_hydro"), True),
    ("431000", "chenzhou_pbzn", "郴州", "multi",
     ("pb_bottom_blown", "zn_hydro", "bi_smelting", "pm_secondary"), True),
    ("431000", "chenzhou_pbzn", "桂阳", "pbzn", ("pb_bottom_blown", "zn_hydro"), True),
    ("431000", "chenzhou_pbzn", "桂阳", "zn", ("zn_hydro",), True),
    ("431000", "chenzhou_pbzn", "桂阳", "zn", ("zn_hydro", "in_smelting"), True),
    ("431000", "chenzhou_pbzn", "郴州", "pb", ("!pb_sinter_blast",), False),
    ("431000", "chenzhou_pbzn", "苏仙", "pb", ("pb_bottom_blown",), True),
    ("431000", "chenzhou_precious", "郴州", "bi", ("bi_smelting",), True),
    ("431000", "chenzhou_precious", "苏仙", "bi", ("bi_smelting", "pm_secondary"), True),
    ("431000", "chenzhou_precious", "郴州", "pm", ("pm_secondary",), True),
    ("431000", "chenzhou_precious", "郴州", "in", ("in_smelting",), True),
    ("431000", "chenzhou_precious", "临武", "sn", ("sn_smelting",), True),
    ("431000", "yongxing_circular", "永兴", "pm", ("pm_secondary", "bi_smelting"), True),
    ("431000", "yongxing_circular", "永兴", "pm", ("pm_secondary",), True),
    ("431000", "yongxing_circular", "永兴", "pm", ("pm_secondary",), False),
    ("431000", "yongxing_circular", "永兴", "bi", ("bi_smelting", "pm_secondary"), True),
    ("431000", "yongxing_circular", "永兴", "repb", ("pb_secondary",), True),
    ("431000", "yongxing_circular", "永兴", "multi",
     ("pm_secondary", "pb_secondary", "in_smelting"), True),
    ("431000", "yongxing_etdz", "永兴", "recu", ("cu_secondary",), True),
    ("431000", "yongxing_etdz", "永兴", "real", ("al_secondary",), True),
    ("431000", "", "宜章", "w", ("w_apt",), True),
    ("431000", "", "苏仙", "w", ("w_apt", "w_carbide"), True),
    ("431000", "", "郴州", "carbide", ("w_carbide",), True),
    # 株洲: cemented carbide, alloys
    ("430200", "zhuzhou_hitech", "株洲", "carbide", ("w_carbide",), True),
    ("430200", "zhuzhou_hitech", "株洲", "carbide", ("w_carbide", "w_carbide"), True),
    ("430200", "zhuzhou_hitech", "株洲", "carbide", ("w_carbide",), True),
    ("430200", "zhuzhou_hitech", "株洲", "w", ("w_apt", "w_carbide"), True),
    ("430200", "zhuzhou_hitech", "株洲", "alloy", ("cu_processing", "al_processing"), True),
    ("430200", "zhuzhou_hitech", "株洲", "almat", ("al_processing",), True),
    ("430200", "", "株洲", "zn", ("zn_hydro",), True),
    ("430200", "", "醴陵", "cumat", ("cu_processing",), True),
    ("430200", "", "攸县", "real", ("al_secondary",), False),
    # 长沙: new alloy materials, Ningxiang recycling
    ("430100", "changsha_hitech", "长沙", "alloy", ("cu_processing",), True),
    ("430100", "changsha_hitech", "长沙", "alloy", ("cu_processing", "al_processing"), True),
    ("430100", "changsha_hitech", "长沙", "almat", ("al_processing",), True),
    ("430100", "changsha_hitech", "长沙", "carbide", ("w_carbide",), True),
    ("430100", "wangcheng_etdz", "望城", "almat", ("al_processing",), True),
    ("430100", "wangcheng_etdz", "望城", "almat", ("al_processing", "al_processing"), True),
    ("430100", "wangcheng_etdz", "望城", "cumat", ("cu_processing",), True),
    ("430100", "wangcheng_etdz", "望城", "pm", ("pm_secondary",), True),
    ("430100", "ningxiang_recycling", "宁乡", "recu", ("cu_secondary",), True),
    ("430100", "ningxiang_recycling", "宁乡", "real", ("al_secondary",), True),
    ("430100", "ningxiang_recycling", "宁乡", "repb", ("pb_secondary",), True),
    ("430100", "", "浏阳", "almat", ("al_processing",), False),
    # 湘潭: processing, one small electrolytic aluminium plant
    ("430300", "", "湘潭", "almat", ("al_processing",), True),
    ("430300", "", "湘潭", "cumat", ("cu_processing",), True),
    ("430300", "", "湘潭", "alloy", ("cu_processing", "al_processing"), True),
    ("430300", "", "湘乡", "al", ("al_electrolysis", "al_processing"), True),
    ("430300", "", "韶山", "carbide", ("w_carbide",), False),
    # 邵阳: antimony, Xinshao Quetang recycling park
    ("430500", "shaoyang_sb", "邵阳", "sb", ("sb_blast_volatilization", "sb_oxide"), True),
    ("430500", "shaoyang_sb", "邵阳", "sbchem", ("sb_oxide",), True),
    ("430500", "xinshao_quetang", "新邵", "sb", ("sb_blast_volatilization",), True),
    ("430500", "xinshao_quetang", "新邵", "recu", ("cu_secondary",), True),
    ("430500", "xinshao_quetang", "新邵", "real", ("al_secondary",), True),
    ("430500", "xinshao_quetang", "新邵", "repb", ("pb_secondary",), True),
    ("430500", "", "隆回", "sbchem", ("sb_oxide",), False),
    # 岳阳: Miluo circular-economy park
    ("430600", "miluo_circular", "汨罗", "recu", ("cu_secondary", "cu_processing"), True),
    ("430600", "miluo_circular", "汨罗", "recu", ("cu_secondary",), True),
    ("430600", "miluo_circular", "汨罗", "real", ("al_secondary", "al_processing"), True),
    ("430600", "miluo_circular", "汨罗", "real", ("al_secondary",), True),
    ("430600", "miluo_circular", "汨罗", "repb", ("pb_secondary", "zn_secondary"), True),
    ("430600", "miluo_circular", "汨罗", "pm", ("pm_secondary",), True),
    ("430600", "miluo_hitech", "汨罗", "cumat", ("cu_processing",), True),
    ("430600", "", "岳阳", "almat", ("al_processing",), True),
    # 常德
    ("430700", "", "常德", "almat", ("al_processing",), True),
    ("430700", "", "津市", "real", ("al_secondary",), True),
    ("430700", "", "桃源", "al", ("al_electrolysis",), True),
    # 张家界
    ("430800", "", "慈利", "sbchem", ("sb_oxide",), False),
    ("430800", "", "张家界", "almat", ("al_processing",), False),
    # 益阳: antimony, Anhua Gaoming circular park
    ("430900", "yiyang_sb", "桃江", "sb", ("sb_blast_volatilization",), True),
    ("430900", "yiyang_sb", "益阳", "sb", ("sb_bath", "sb_oxide"), True),
    ("430900", "anhua_gaoming", "安化", "sb", ("sb_blast_volatilization",), True),
    ("430900", "anhua_gaoming", "安化", "recu", ("cu_secondary",), True),
    ("430900", "anhua_gaoming", "安化", "real", ("al_secondary",), True),
    ("430900", "anhua_gaoming", "安化", "recycle", ("pb_secondary", "pm_secondary"), True),
    # 永州: rare-earth industrial park
    ("431100", "yongzhou_re", "永州", "re", ("re_separation",), True),
    ("431100", "yongzhou_re", "永州", "re", ("re_separation", "re_metal"), True),
    ("431100", "yongzhou_re", "宁远", "re", ("re_separation",), True),
    ("431100", "yongzhou_re", "永州", "re", ("re_metal",), True),
    ("431100", "", "祁阳", "almat", ("al_processing",), True),
    # 怀化: antimony, some tungsten
    ("431200", "huaihua_sb", "怀化", "sb", ("sb_blast_volatilization", "sb_oxide"), True),
    ("431200", "huaihua_sb", "怀化", "sb", ("sb_bath",), True),
    ("431200", "huaihua_sb", "溆浦", "sbchem", ("sb_oxide",), True),
    ("431200", "", "会同", "w", ("w_apt",), True),
    ("431200", "", "怀化", "almat", ("al_processing",), False),
    # 娄底: Lengshuijiang antimony
    ("431300", "loudi_sb", "冷水江", "sb", ("sb_blast_volatilization", "sb_oxide"), True),
    ("431300", "loudi_sb", "冷水江", "sb", ("sb_blast_volatilization", "sb_bath", "sb_oxide"),
     True),
    ("431300", "loudi_sb", "冷水江", "sb", ("sb_bath",), True),
    ("431300", "loudi_sb", "冷水江", "sbchem", ("sb_oxide",), False),
    ("431300", "", "新化", "sbchem", ("sb_oxide",), True),
    ("431300", "", "涟源", "almat", ("al_processing",), True),
    # 湘西州
    ("433100", "", "花垣", "zn", ("zn_hydro",), True),
    ("433100", "", "保靖", "pbzn", ("pb_secondary", "zn_hydro"), True),
    ("433100", "", "吉首", "almat", ("al_processing",), False),
)
# fmt: on

# --------------------------------------------------------------------------------------
# Credit codes (GB 32100-2015)
# --------------------------------------------------------------------------------------

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    check = 31 - total % 31
    return CHARSET[0 if check == 31 else check]


def credit_code_valid(code: str) -> bool:
    return len(code) == 18 and all(c in CHARSET for c in code) and check_char(code[:17]) == code[17]


def make_credit_code(rng: random.Random, city: str, used: set[str]) -> str:
    while True:
        body = "91" + city + "".join(rng.choice(CHARSET) for _ in range(9))
        code = body + check_char(body)
        if code not in used:
            used.add(code)
            return code


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------


@dataclass
class Line:
    line_code: str
    name_zh: str
    name_en: str
    metal: str
    route: str
    capacity: str
    capacity_unit: str
    status: str
    commissioned: str


@dataclass
class Enterprise:
    credit_code: str
    name_zh: str
    name_en: str
    city: str
    park: str
    above: bool
    lines: list[Line] = field(default_factory=list)

    @property
    def metals(self) -> str:
        present = {ln.metal for ln in self.lines}
        return ";".join(m for m in METALS if m in present)


def fmt_number(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def capacity_text(rng: random.Random, route: Route) -> tuple[str, str]:
    steps = round((route.high - route.low) / route.step)
    tonnes = route.low + route.step * rng.randint(0, steps)
    if tonnes >= 10_000 or (tonnes % 1_000 == 0 and tonnes >= 3_000 and rng.random() < 0.3):
        if rng.random() < 0.15:  # some users write big numbers in tonnes
            return fmt_number(tonnes), rng.choice(("t/a", "吨/年"))
        return fmt_number(tonnes / 10_000), rng.choice(("万t/a", "万t/a", "万吨/年"))
    return fmt_number(tonnes), rng.choice(("t/a", "t/a", "吨/年"))


def commissioned_year(rng: random.Random, route_id: str, forced: bool) -> str:
    if forced or route_id in OBSOLETE_ROUTES:
        return str(rng.randint(1990, 2006))
    return str(rng.randint(FIRST_YEAR.get(route_id, 1995), 2025))


def assign_new_projects(rng: random.Random, ents: list[Enterprise]) -> None:
    """Turn about 10 % of the modern-route lines into under-construction / planned projects."""
    # No new obsolete-route or electrolytic-aluminium capacity (capped nationally).
    frozen = OBSOLETE_ROUTES | {"al_electrolysis"}
    candidates = [ln for e in ents for ln in e.lines if ln.route not in frozen]
    chosen = rng.sample(candidates, k=round(len(candidates) * NEW_PROJECT_SHARE))
    half = len(chosen) // 2
    for ln in chosen[:half]:
        ln.status, ln.commissioned = "under_construction", str(rng.choice((2025, 2026)))
    for ln in chosen[half:]:
        ln.status, ln.commissioned = "planned", ""
    order = {"existing": 0, "under_construction": 1, "planned": 2}
    for e in ents:  # existing lines first, then renumber L01, L02, ...
        e.lines.sort(key=lambda ln: order[ln.status])
        for j, ln in enumerate(e.lines, start=1):
            ln.line_code = f"L{j:02d}"


def brand_pool(rng: random.Random) -> list[str]:
    pool = [a + b for a in BRAND_FIRST for b in BRAND_SECOND if a != b]
    pool = [p for p in pool if not any(bad in p for bad in BLOCKLIST)]
    rng.shuffle(pool)
    return pool


def build(rng: random.Random) -> list[Enterprise]:
    brands = brand_pool(rng)
    used_codes: set[str] = set()
    out: list[Enterprise] = []
    for i, (city, park, place, kind, routes, above) in enumerate(SECTOR):
        brand = brands[i]
        suffix_zh, suffix_en = KINDS[kind]
        brand_en = PINYIN[brand[0]] + PINYIN[brand[1]].lower()
        ent = Enterprise(
            credit_code=make_credit_code(rng, city, used_codes),
            name_zh=f"{place}{brand}{suffix_zh}（示例）",
            name_en=f"{PLACES[place]} {brand_en.capitalize()} {suffix_en} (demo)",
            city=city,
            park=park,
            above=above,
        )
        for j, raw in enumerate(routes, start=1):
            route_id = raw.lstrip("!")
            route = ROUTES[route_id]
            capacity, unit = capacity_text(rng, route)
            year = commissioned_year(rng, route_id, raw.startswith("!"))
            ent.lines.append(
                Line(
                    f"L{j:02d}",
                    route.name_zh,
                    route.name_en,
                    route.metal,
                    route_id,
                    capacity,
                    unit,
                    "existing",
                    year,
                )
            )
        out.append(ent)
    assign_new_projects(rng, out)
    for ent in out:
        name_lines(ent)
    return out


def name_lines(ent: Enterprise) -> None:
    """Number lines sharing a route (1号, 2号 ... in line-code order)."""
    seen = Counter(ln.route for ln in ent.lines)
    numbered: Counter[str] = Counter()
    for ln in ent.lines:
        if seen[ln.route] > 1:
            numbered[ln.route] += 1
            n = numbered[ln.route]
            ln.name_zh = f"{n}号{ROUTES[ln.route].name_zh}"
            ln.name_en = f"{ROUTES[ln.route].name_en} No. {n}"


def pick_user_enterprises(ents: list[Enterprise]) -> tuple[Enterprise, Enterprise]:
    hengyang = next(e for e in ents if e.city == "430400" and e.metals == "Pb;Zn")
    loudi = next(e for e in ents if e.city == "431300" and e.metals == "Sb")
    return hengyang, loudi


def users(ents: list[Enterprise]) -> list[list[str]]:
    hy, ld = pick_user_enterprises(ents)
    rows = [
        ("province", "province", "", "", "省工信厅（示例）"),
        ("city-hengyang", "city", "430400", "", "衡阳市工信局（示例）"),
        ("city-chenzhou", "city", "431000", "", "郴州市工信局（示例）"),
        ("city-changsha", "city", "430100", "", "长沙市工信局（示例）"),
        (
            "ent-hengyang-pbzn",
            "enterprise",
            "430400",
            hy.credit_code,
            hy.name_zh.removesuffix("（示例）") + "能源管理员（示例）",
        ),
        (
            "ent-loudi-sb",
            "enterprise",
            "431300",
            ld.credit_code,
            ld.name_zh.removesuffix("（示例）") + "能源管理员（示例）",
        ),
        ("verifier", "verifier", "", "", "示例碳核查技术服务中心（示例）"),
        ("public", "public", "", "", "公众访客（示例）"),
    ]
    return [[u, f"demo-{u}", role, city, ent, name] for u, role, city, ent, name in rows]


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

ENT_HEADER = [
    "credit_code",
    "name_zh",
    "name_en",
    "city",
    "park",
    "metals",
    "above_designated_size",
]
LINE_HEADER = [
    "enterprise",
    "line_code",
    "name_zh",
    "name_en",
    "metal",
    "route",
    "capacity",
    "capacity_unit",
    "status",
    "commissioned",
    "product",
    "technology",
]
USER_HEADER = ["username", "password", "role", "city", "enterprise", "display_name"]


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def ent_rows(ents: list[Enterprise]) -> list[list[str]]:
    return [
        [
            e.credit_code,
            e.name_zh,
            e.name_en,
            e.city,
            e.park,
            e.metals,
            "true" if e.above else "false",
        ]
        for e in ents
    ]


def line_rows(ents: list[Enterprise]) -> list[list[str]]:
    return [
        [
            e.credit_code,
            ln.line_code,
            ln.name_zh,
            ln.name_en,
            ln.metal,
            ln.route,
            ln.capacity,
            ln.capacity_unit,
            ln.status,
            ln.commissioned,
            PRODUCT_OF_ROUTE[ln.route],
            TECHNOLOGY_OF_ROUTE.get(ln.route, ""),
        ]
        for e in ents
        for ln in e.lines
    ]


def readme(ents: list[Enterprise]) -> str:
    by_city = Counter(e.city for e in ents)
    n_lines = sum(len(e.lines) for e in ents)
    city_rows = "\n".join(f"| {code} | {zh} | {en} | {by_city[code]} |" for code, (zh, en) in CITIES.items())
    return f"""# 示例数据 / Demo data

**以下全部数据均为虚构的合成数据**，由 `scripts/make_demo_data.py`（固定随机种子
{SEED}）生成，**不是湖南省或任何企业的统计数据**。企业名称均为虚构并带有“（示例）”
标记，统一社会信用代码为随机生成（仅校验位符合 GB 32100-2015），产能、投产年份、
状态均为随机取值，仅用于演示平台功能和测试导入流程。如与真实企业重名，纯属巧合。

**Every figure in this directory is synthetic.** It is generated by
`scripts/make_demo_data.py` (fixed seed {SEED}) and is **not a Hunan statistic** nor data
of any real company. Enterprise names are invented and marked " (demo)"; credit codes are
random (only their GB 32100-2015 check digit is valid); capacities, commissioning years and
statuses are random draws within plausible ranges. The data exist to demonstrate the
platform and exercise the import formats. Any resemblance to a real company is accidental.

Do not edit these files by hand: change the script and rerun
`python3 scripts/make_demo_data.py` (the output is identical on every run, and the script
checks its own output before exiting).

## Files

| file | content |
|---|---|
| `enterprises.csv` | {len(ents)} enterprises; this is also the enterprise import format |
| `lines.csv` | {n_lines} production lines; this is also the production-line import format |
| `users.csv` | demo logins (password `demo-<username>`), for local demonstration only |
| `activity.csv` | activity data, written by `scripts/make_demo_activity.py` (rerun it after this script) |

`enterprises.csv`: `credit_code,name_zh,name_en,city,park,metals,above_designated_size`
(`city` = GB/T 2260 code, `park` = park id or empty, `metals` = `;`-separated metal codes
of the enterprise's lines, `above_designated_size` = `true`/`false`).

`lines.csv`:
`enterprise,line_code,name_zh,name_en,metal,route,capacity,capacity_unit,status,commissioned,product,technology`
(`enterprise` = credit code, `capacity_unit` deliberately mixes `万t/a`, `万吨/年`, `t/a`,
`吨/年` as users write them, `status` = `existing` / `under_construction` / `planned`,
`commissioned` empty for planned lines, `product` = the line's product (refdata
`sector/products`; it picks the limit-standard row, e.g. `zn_hydro_with_residue`, the GB 29435
rare-earth products; for tungsten, bismuth, indium, gold and the other products without a
limit standard held, their conventional product), `technology` = the potline cell technology
of electrolytic-aluminium lines (`CWPB`), empty otherwise). Precious-metal recovery lines
(`pm_secondary`) are recorded under metal `Au`.

## Enterprises by city

| code | 市州 | city | enterprises |
|---|---|---|---|
{city_rows}
"""


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(text)


# --------------------------------------------------------------------------------------
# Checks (run on the written files)
# --------------------------------------------------------------------------------------


def check(cond: bool, msg: str) -> None:
    if not cond:
        print(f"CHECK FAILED: {msg}", file=sys.stderr)
        raise SystemExit(1)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def verify_enterprises(ents: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    check(len(ents) >= 90, f"only {len(ents)} enterprises")
    by_city = Counter(e["city"] for e in ents)
    for code in CITIES:
        check(by_city[code] >= 2, f"city {code} has {by_city[code]} enterprises")
    check(set(by_city) <= set(CITIES), "unknown city code")
    codes = [e["credit_code"] for e in ents]
    check(len(set(codes)) == len(codes), "duplicate credit codes")
    for e in ents:
        code = e["credit_code"]
        check(credit_code_valid(code), f"bad credit code {code}")
        check(code[:2] == "91" and code[2:8] == e["city"], f"credit code/city mismatch {code}")
        check(
            e["park"] == "" or PARKS.get(e["park"]) == e["city"],
            f"park {e['park']} not in city {e['city']}",
        )
        check(
            e["name_zh"].endswith("（示例）") and e["name_en"].endswith(" (demo)"),
            f"unmarked name {e['name_zh']}",
        )
        check(not any(bad in e["name_zh"] for bad in BLOCKLIST), f"blocked name {e['name_zh']}")
        check(e["above_designated_size"] in ("true", "false"), "bad above_designated_size")
    names = [e["name_zh"] for e in ents]
    check(len(set(names)) == len(names), "duplicate enterprise names")
    return {e["credit_code"]: e for e in ents}


def verify_lines(ents: dict[str, dict[str, str]], lines: list[dict[str, str]]) -> None:
    line_metals: dict[str, set[str]] = {c: set() for c in ents}
    keys: set[tuple[str, str]] = set()
    per_ent = Counter(ln["enterprise"] for ln in lines)
    for ln in lines:
        ent = ln["enterprise"]
        check(ent in ents, f"line for unknown enterprise {ent}")
        key = (ent, ln["line_code"])
        check(key not in keys, f"duplicate line code {key}")
        keys.add(key)
        check(
            ln["route"] in ROUTES and ROUTES[ln["route"]].metal == ln["metal"],
            f"route/metal mismatch {key}",
        )
        check(float(ln["capacity"]) > 0, f"capacity {key}")
        check(ln["capacity_unit"] in ("万t/a", "t/a", "万吨/年", "吨/年"), f"unit {key}")
        status, year = ln["status"], ln["commissioned"]
        if status == "existing":
            check(year.isdigit() and 1990 <= int(year) <= 2025, f"year {key}")
        elif status == "under_construction":
            check(year in ("2025", "2026"), f"year {key}")
        else:
            check(status == "planned" and year == "", f"status {key}")
        line_metals[ent].add(ln["metal"])
    for code, e in ents.items():
        check(1 <= per_ent[code] <= 4, f"{code} has {per_ent[code]} lines")
        check(set(e["metals"].split(";")) == line_metals[code], f"metals column {code}")


def verify_users(ents: dict[str, dict[str, str]], users_: list[dict[str, str]]) -> None:
    roles = {"province", "city", "enterprise", "verifier", "public"}
    for u in users_:
        check(u["role"] in roles, f"role {u['role']}")
        check(u["password"] == f"demo-{u['username']}", f"password {u['username']}")
        check(u["city"] == "" or u["city"] in CITIES, f"user city {u['username']}")
        if u["role"] == "enterprise":
            check(u["enterprise"] in ents, f"user enterprise {u['username']}")
            check(ents[u["enterprise"]]["city"] == u["city"], f"user city {u['username']}")


def verify() -> None:
    h_ent, ents = read_csv(OUT / "enterprises.csv")
    h_line, lines = read_csv(OUT / "lines.csv")
    h_user, users_ = read_csv(OUT / "users.csv")
    check(h_ent == ENT_HEADER, "enterprises.csv header")
    check(h_line == LINE_HEADER, "lines.csv header")
    check(h_user == USER_HEADER, "users.csv header")
    by_code = verify_enterprises(ents)
    verify_lines(by_code, lines)
    verify_users(by_code, users_)


def summary() -> None:
    _, ents = read_csv(OUT / "enterprises.csv")
    _, lines = read_csv(OUT / "lines.csv")
    by_city = Counter(e["city"] for e in ents)
    by_metal = Counter(m for e in ents for m in e["metals"].split(";"))
    print(f"{len(ents)} enterprises, {len(lines)} lines")
    print("enterprises by city:", ", ".join(f"{CITIES[c][1]} {by_city[c]}" for c in CITIES))
    print("enterprises by metal:", ", ".join(f"{m} {by_metal[m]}" for m in METALS if by_metal[m]))
    print(
        "lines by metal:",
        ", ".join(f"{m} {n}" for m, n in Counter(ln["metal"] for ln in lines).most_common()),
    )
    print(
        "lines by status:",
        ", ".join(f"{s} {n}" for s, n in Counter(ln["status"] for ln in lines).most_common()),
    )
    print("checks passed")


def main() -> None:
    rng = random.Random(SEED)
    ents = build(rng)
    write(OUT / "enterprises.csv", to_csv(ENT_HEADER, ent_rows(ents)))
    write(OUT / "lines.csv", to_csv(LINE_HEADER, line_rows(ents)))
    write(OUT / "users.csv", to_csv(USER_HEADER, users(ents)))
    write(OUT / "README.md", readme(ents))
    init = OUT / "__init__.py"
    if not init.exists():
        write(init, "")
    verify()
    summary()


if __name__ == "__main__":
    main()
