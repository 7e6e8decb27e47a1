"""Every string the web pages show, in Chinese and English, keyed by a dotted name.

Templates call ``t('key')`` (a Jinja global bound to the page's language); Python code
calls :func:`text`. Error messages come from :mod:`carbonpeak.errors`, not from here.
Chinese is the default language; a key missing here is a bug (``KeyError``), so the
page tests find it.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from carbonpeak.web import text_assign, text_dashboard, text_intake, text_scenarios

__all__ = ["DEFAULT_LANG", "LANGS", "TEXT", "Lang", "html_lang", "normalise_lang", "text"]

Lang = Literal["zh", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh", "en")
DEFAULT_LANG: Final[Lang] = "zh"

#: key -> (Chinese, English). Values may hold ``str.format`` fields.
TEXT: Final[dict[str, tuple[str, str]]] = {
    # frame
    "app.name": ("湖南省有色金属行业碳达峰平台", "Hunan Nonferrous Metals Carbon-Peak Platform"),
    "app.short": ("carbonpeak", "carbonpeak"),
    "app.footer": (
        "carbonpeak · 开源的有色金属行业碳达峰平台",
        "carbonpeak · open-source carbon-peak platform for the nonferrous-metals sector",
    ),
    "nav.home": ("首页", "Home"),
    "nav.enterprises": ("企业", "Enterprises"),
    "nav.login": ("登录", "Sign in"),
    "nav.logout": ("退出", "Sign out"),
    "nav.main": ("主导航", "Main navigation"),
    "nav.language": ("语言", "Language"),
    "lang.zh": ("中文", "中文"),
    "lang.en": ("English", "English"),
    "demo.banner": (
        "演示数据：全部为虚构的合成数据，并非湖南省统计数据",
        "Demo data: every figure is synthetic, not a Hunan statistic",
    ),
    "demo.badge": ("示例", "demo"),
    "demo.badge_title": ("虚构的演示企业", "A synthetic demo enterprise"),
    # roles
    "role.province": ("省级主管部门", "Province authority"),
    "role.city": ("市州主管部门", "City authority"),
    "role.enterprise": ("企业用户", "Enterprise"),
    "role.verifier": ("核查机构", "Verifier"),
    "role.public": ("公众", "Public"),
    # login
    "login.title": ("登录", "Sign in"),
    "login.lead": ("请使用平台分配的账号登录。", "Sign in with the account the platform issued to you."),
    "login.username": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    # home
    "home.title": ("行业概览", "The sector at a glance"),
    "home.lead": (
        "全省有色金属行业登记企业、生产线与产能的汇总（公开数据）。",
        "Enterprises, production lines and capacity of the province's nonferrous-metals "
        "sector (published aggregates).",
    ),
    "home.kpi.enterprises": ("企业", "Enterprises"),
    "home.kpi.lines": ("生产线", "Production lines"),
    "home.kpi.cities": ("涉及市州", "Cities and prefectures"),
    "home.kpi.capacity": ("在产产能（万t/a）", "Existing capacity (10⁴ t/a)"),
    "home.unit.enterprises": ("家", ""),
    "home.unit.lines": ("条", ""),
    "home.unit.cities": ("个", ""),
    "home.chart.city": (
        "各市州企业数（按金属品种；多金属企业在每个品种各计一次）",
        "Enterprises by city and metal (a multi-metal enterprise counts once per metal)",
    ),
    "home.chart.metal": ("各金属品种企业数与在产产能", "Enterprises and existing capacity by metal"),
    "home.chart.noscript": (
        "图表需要启用 JavaScript；数据见下表。",
        "The charts need JavaScript; the figures are in the table below.",
    ),
    "home.table.metal": ("按金属品种汇总", "Summary by metal"),
    "chart.enterprises": ("企业数（家）", "Enterprises"),
    "chart.capacity": ("在产产能（万t/a）", "Existing capacity (10⁴ t/a)"),
    # enterprise list
    "ent.title": ("企业名录", "Enterprise register"),
    "ent.count": ("共 {n} 家", "{n} enterprises"),
    "ent.filter": ("筛选", "Filter"),
    "ent.filter.reset": ("清除", "Clear"),
    "ent.filter.all_cities": ("全部市州", "All cities"),
    "ent.filter.all_metals": ("全部金属", "All metals"),
    "ent.filter.q": ("名称或信用代码", "Name or credit code"),
    "ent.empty": ("没有符合条件的企业。", "No enterprise matches."),
    "ent.credit_code": ("统一社会信用代码", "Credit code"),
    "ent.name": ("企业名称", "Name"),
    "ent.city": ("市州", "City"),
    "ent.park": ("园区", "Park"),
    "ent.metals": ("金属品种", "Metals"),
    "ent.capacity_wan": ("在产产能（万t/a）", "Existing capacity (10⁴ t/a)"),
    "ent.above_size": ("规模以上", "Above designated size"),
    "ent.yes": ("是", "yes"),
    "ent.no": ("否", "no"),
    "ent.object": ("企业", "enterprise"),
    # enterprise detail
    "ent.lines": ("生产线", "Production lines"),
    "ent.no_lines": ("尚无生产线。", "No production lines yet."),
    "line.code": ("编号", "Code"),
    "line.name": ("名称", "Name"),
    "line.metal": ("金属", "Metal"),
    "line.route": ("工艺路线", "Process route"),
    "line.capacity": ("设计产能（t/a）", "Design capacity (t/a)"),
    "line.status": ("状态", "Status"),
    "line.year": ("投产年份", "Commissioned"),
    "status.existing": ("存量（在产）", "Existing (in production)"),
    "status.under_construction": ("在建", "Under construction"),
    "status.planned": ("拟建", "Planned"),
    # inventories (enterprise section, run page, explanation)
    "inv.title": ("温室气体与能耗核算", "GHG and energy inventory"),
    "inv.none": ("该企业尚无核算结果。", "No inventory has been computed for this enterprise yet."),
    "inv.years": ("各年度数据", "Years"),
    "inv.not_official": ("非正式数据，不计入全省统计", "not official: not in province figures"),
    "inv.synthetic": (
        "示例企业：以下数据由虚构的活动数据计算，并非企业的真实排放或能耗。",
        "Demo enterprise: these figures are computed from synthetic activity data, "
        "not the enterprise's real emissions or energy use.",
    ),
    "inv.year_label": ("{year} 年", "{year}"),
    "inv.kpi.location": ("排放总量（基于位置）", "Total emissions (location-based)"),
    "inv.kpi.market": ("排放总量（基于市场）", "Total emissions (market-based)"),
    "inv.kpi.direct": ("直接排放", "Direct emissions"),
    "inv.kpi.direct_hint": ("不含净购入电力、热力", "excluding purchased electricity and heat"),
    "inv.kpi.energy": ("综合能耗（当量值）", "Energy use (calorific equivalent)"),
    "inv.kpi.vs_prev": ("较 {year} 年 {change}", "{change} vs {year}"),
    "inv.chart.title": (
        "各年度排放量（按排放源类别，tCO2e，基于位置）",
        "Emissions by source category and year (tCO2e, location-based)",
    ),
    "inv.chart.market": ("合计（基于市场）", "Total (market-based)"),
    "inv.chart.noscript": (
        "图表需要启用 JavaScript；各年数据见核算明细。",
        "The chart needs JavaScript; the yearly figures are on the run page.",
    ),
    "inv.open_run": ("查看核算明细", "Open the inventory run"),
    "inv.provenance": ("核算依据", "Provenance"),
    "inv.prov.method": ("核算方法", "Method"),
    "inv.prov.version": ("方法版本", "Method version"),
    "inv.prov.factor_set": ("因子集", "Factor set"),
    "inv.prov.gwp": ("全球变暖潜势", "GWP set"),
    "inv.prov.grid": ("电网排放因子", "Grid emission factors"),
    "inv.prov.status": ("状态", "Status"),
    "inv.prov.computed": ("计算", "Computed"),
    "inv.prov.computed_value": ("{at}，{by}", "{at} by {by}"),
    "inv.prov.source_file": ("活动数据文件", "Activity file"),
    "inv.status.current": ("现行", "current"),
    "inv.status.superseded": ("已被取代", "superseded"),
    "inv.superseded": ("此核算已被更新的核算取代。", "This run has been superseded by a newer run."),
    "inv.superseded_link": ("查看核算 #{id}", "Open run #{id}"),
    "inv.run_object": ("核算", "inventory run"),
    "inv.line_object": ("核算行", "inventory line"),
    "inv.run.title": ("核算 #{id}", "Inventory run #{id}"),
    "inv.run.by_year": ("各年度合计", "Totals by year"),
    "inv.run.by_year_hint": (
        "当年有年度数据时取年度数据，否则为月度数据之和。",
        "A year's total is its annual rows when it has any, else the sum of its months.",
    ),
    "inv.run.by_category": ("{year} 年按排放源类别", "{year} by source category"),
    "inv.run.lines": ("{year} 年核算行", "Lines of {year}"),
    "inv.run.lines_count": ("{n} 行", "{n} lines"),
    "inv.run.no_lines": ("该年度没有核算行。", "No lines for this year."),
    "inv.filter.year": ("年度", "Year"),
    "inv.filter.monthly": ("同时显示月度数据", "Show monthly rows too"),
    "inv.filter.submit": ("显示", "Show"),
    "inv.col.year": ("年度", "Year"),
    "inv.col.category": ("排放源类别", "Source category"),
    "inv.col.co2e": ("排放量 tCO2e（基于位置）", "tCO2e (location-based)"),
    "inv.col.co2e_market": ("排放量 tCO2e（基于市场）", "tCO2e (market-based)"),
    "inv.col.tce": ("能耗 tce（当量值）", "tce (calorific eq.)"),
    "inv.col.share": ("占比", "Share"),
    "inv.col.total": ("合计", "Total"),
    "inv.col.period": ("期间", "Period"),
    "inv.col.line": ("生产线", "Line"),
    "inv.col.item": ("项目", "Item"),
    "inv.col.quantity": ("数量（填报）", "Quantity (as entered)"),
    "inv.col.co2e_short": ("tCO2e", "tCO2e"),
    "inv.col.tce_short": ("tce", "tce"),
    "inv.col.explain": ("说明", "Explain"),
    "inv.explain": ("说明", "Explain"),
    "inv.explain_title": ("说明：第 {n} 行", "Explanation: line {n}"),
    "inv.exp.line": ("核算行", "The line"),
    "inv.exp.quantity_in": ("填报数量", "Quantity as entered"),
    "inv.exp.quantity": ("换算后数量", "Quantity (canonical unit)"),
    "inv.exp.formula": ("计算公式", "Formula"),
    "inv.exp.factors": ("所用因子与参数", "Factors and parameters used"),
    "inv.exp.no_factors": ("此行未使用排放因子。", "This line uses no factor."),
    "inv.exp.source": ("来源", "Source"),
    "inv.exp.clause": ("条款", "Clause"),
    "inv.exp.confidence": ("可信度", "Confidence"),
    "inv.exp.arithmetic": ("计算过程", "Arithmetic"),
    "inv.exp.results": ("计算结果", "Results"),
    "inv.exp.back": ("返回核算 #{id}", "Back to run #{id}"),
    "conf.legend": ("可信度标记", "Confidence tags"),
    "conf.v": ("已核实", "verified"),
    "conf.v_hint": ("已与原始出处核对", "checked against the source"),
    "conf.splus": ("二手但已佐证", "secondary, corroborated"),
    "conf.splus_hint": ("转引，另有来源印证", "quoted, and corroborated elsewhere"),
    "conf.s": ("二手", "secondary"),
    "conf.s_hint": ("仅见于转引", "seen only as quoted"),
    "inv.res.co2": ("CO2（基于位置）", "CO2 (location-based)"),
    "inv.res.co2_market": ("CO2（基于市场）", "CO2 (market-based)"),
    "inv.res.cf4": ("CF4", "CF4"),
    "inv.res.c2f6": ("C2F6", "C2F6"),
    "inv.res.co2e": ("CO2 当量", "CO2 equivalent"),
    "inv.res.tce": ("综合能耗（当量值）", "Energy (calorific equivalent)"),
    "inv.res.tce_equal": ("综合能耗（等价值）", "Energy (equal value, 等价值)"),
    "grid.mee_nbs_provincial": (
        "生态环境部、国家统计局 省级电力平均二氧化碳排放因子",
        "MEE/NBS provincial average electricity CO2 factor",
    ),
    "grid.mee_nbs_regional": (
        "生态环境部、国家统计局 区域电力平均二氧化碳排放因子",
        "MEE/NBS regional average electricity CO2 factor",
    ),
    "grid.mee_nbs_national": (
        "生态环境部、国家统计局 全国电力平均二氧化碳排放因子",
        "MEE/NBS national average electricity CO2 factor",
    ),
    "grid.ets_national": ("全国碳市场 全国电网平均排放因子", "National ETS grid average emission factor"),
    "gwp.SAR": ("IPCC 第二次评估报告（SAR）GWP-100", "IPCC SAR GWP-100"),
    "gwp.AR5": ("IPCC 第五次评估报告（AR5）GWP-100", "IPCC AR5 GWP-100"),
    "nav.crumbs": ("位置", "Breadcrumb"),
    # errors
    "error.title": ("出错了", "Something went wrong"),
    "error.404": ("页面不存在", "Not found"),
    "error.403": ("请求被拒绝", "Forbidden"),
    "error.page": ("页面", "page"),
    "error.home": ("返回首页", "Go to the home page"),
    "error.request_id": ("请求编号", "Request id"),
}


def _merge(*areas: dict[str, tuple[str, str]]) -> None:
    for area in areas:
        clash = TEXT.keys() & area.keys()
        if clash:
            raise KeyError(f"page strings defined twice: {sorted(clash)}")
        TEXT.update(area)


_merge(text_dashboard.TEXT, text_intake.TEXT, text_scenarios.TEXT, text_assign.TEXT)


def normalise_lang(value: str | None) -> Lang:
    """*value* if it is a supported language, else the default (Chinese)."""
    return "en" if value == "en" else DEFAULT_LANG


def text(key: str, lang: str = DEFAULT_LANG, **fields: Any) -> str:
    """The catalogue string *key* in *lang*, formatted with *fields*."""
    zh, en = TEXT[key]
    template = en if lang == "en" else zh
    return template.format(**fields) if fields else template


def html_lang(lang: str) -> str:
    """The value of ``<html lang>`` for *lang*."""
    return "en" if lang == "en" else "zh-CN"
