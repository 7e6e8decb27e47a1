"""Every string the web pages show, in Chinese and English, keyed by a dotted name.

Templates call ``t('key')`` (a Jinja global bound to the page's language); Python code
calls :func:`text`. Error messages come from :mod:`carbonpeak.errors`, not from here.
Chinese is the default language; a key missing here is a bug (``KeyError``), so the
page tests find it.
"""

from __future__ import annotations

from typing import Any, Final, Literal

__all__ = ["DEFAULT_LANG", "LANGS", "TEXT", "Lang", "html_lang", "normalise_lang", "text"]

Lang = Literal["zh", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh", "en")
DEFAULT_LANG: Final[Lang] = "zh"

#: key -> (Chinese, English). Values may hold ``str.format`` fields.
TEXT: Final[dict[str, tuple[str, str]]] = {
    # frame
    "app.name": ("湖南省有色金属行业碳达峰平台", "Hunan Nonferrous Metals Carbon-Peak Platform"),
    "app.short": ("carbonpeak", "carbonpeak"),
    "app.footer": ("carbonpeak · 开源的有色金属行业碳达峰平台",
                   "carbonpeak · open-source carbon-peak platform for the nonferrous-metals sector"),
    "nav.home": ("首页", "Home"),
    "nav.enterprises": ("企业", "Enterprises"),
    "nav.login": ("登录", "Sign in"),
    "nav.logout": ("退出", "Sign out"),
    "nav.main": ("主导航", "Main navigation"),
    "nav.language": ("语言", "Language"),
    "lang.zh": ("中文", "中文"),
    "lang.en": ("English", "English"),
    "demo.banner": ("演示数据：全部为虚构的合成数据，并非湖南省统计数据",
                    "Demo data: every figure is synthetic, not a Hunan statistic"),
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
    "home.lead": ("全省有色金属行业登记企业、生产线与产能的汇总（公开数据）。",
                  "Enterprises, production lines and capacity of the province's nonferrous-metals "
                  "sector (published aggregates)."),
    "home.kpi.enterprises": ("企业", "Enterprises"),
    "home.kpi.lines": ("生产线", "Production lines"),
    "home.kpi.cities": ("涉及市州", "Cities and prefectures"),
    "home.kpi.capacity": ("在产产能（万t/a）", "Existing capacity (10⁴ t/a)"),
    "home.unit.enterprises": ("家", ""),
    "home.unit.lines": ("条", ""),
    "home.unit.cities": ("个", ""),
    "home.chart.city": ("各市州企业数（按金属品种；多金属企业在每个品种各计一次）",
                        "Enterprises by city and metal (a multi-metal enterprise counts once per metal)"),
    "home.chart.metal": ("各金属品种企业数与在产产能", "Enterprises and existing capacity by metal"),
    "home.chart.noscript": ("图表需要启用 JavaScript；数据见下表。",
                            "The charts need JavaScript; the figures are in the table below."),
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
    "ent.back": ("返回企业名录", "Back to the register"),
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
    # errors
    "error.title": ("出错了", "Something went wrong"),
    "error.404": ("页面不存在", "Not found"),
    "error.403": ("请求被拒绝", "Forbidden"),
    "error.page": ("页面", "page"),
    "error.home": ("返回首页", "Go to the home page"),
    "error.request_id": ("请求编号", "Request id"),
}


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
