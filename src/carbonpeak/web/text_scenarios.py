"""Page strings of the scenarios pages: key -> (Chinese, English); merged into :mod:`carbonpeak.web.i18n`."""

from __future__ import annotations

from typing import Final

TEXT: Final[dict[str, tuple[str, str]]] = {
    "scenarios.nav": ("情景预测", "Scenarios"),
    "scenarios.title": ("达峰情景预测", "Peak scenarios"),
    "scenarios.lead": (
        "以已存核算数据为基准年，逐企业、逐工艺、逐市州自下而上预测到 2060 年：峰值年份与水平、"
        "2030 年前达峰的概率、驱动因素分解和减排成本。",
        "Projections to 2060 built bottom-up from the stored inventories (by metal, process "
        "route and city): the peak year and level, the probability of peaking by 2030, what "
        "drives emissions, and what abatement costs.",
    ),
    "scenarios.synthetic": (
        "情景设定（基线、规划政策、加速转型）、不确定性分布和减排措施均为演示用合成数据，不是规划目标或预测。",
        "The scenarios (baseline, plan policy, accelerated), the uncertainty distributions and the "
        "abatement measures are synthetic demo settings, not plan targets or forecasts.",
    ),
    "scenarios.base": ("基准年", "Base year"),
    "scenarios.base.source.inventories": ("已存核算数据（自下而上）", "stored inventories (bottom-up)"),
    "scenarios.base.source.demo": ("演示基准年（合成）", "demo base year (synthetic)"),
    "scenarios.base.source.supplied": ("上传的基准年数据", "supplied base-year table"),
    "scenarios.scope": ("范围", "Scope"),
    "scenarios.scope.province": ("全省", "Province"),
    "scenarios.scope.enterprise": ("本企业", "Own enterprise"),
    "scenarios.base.co2": ("基准年 CO2", "Base-year CO2"),
    "scenarios.base.groups": ("金属·工艺·市州组合", "metal · route · city groups"),
    "scenarios.unit.mt": ("百万吨 CO2/年", "Mt CO2/a"),
    "scenarios.unit.mt_short": ("Mt", "Mt"),
    "scenarios.form.legend": ("计算设置", "Settings"),
    "scenarios.form.scenarios": ("情景", "Scenarios"),
    "scenarios.form.view": ("轨迹显示", "Trajectories"),
    "scenarios.form.view.lines": ("各情景总量", "total per scenario"),
    "scenarios.form.view.metal": ("按金属堆叠", "stacked by metal"),
    "scenarios.form.mc_scenario": ("蒙特卡洛情景", "Monte Carlo scenario"),
    "scenarios.form.n": ("轨迹数 N", "Trajectories N"),
    "scenarios.form.seed": ("随机种子", "Seed"),
    "scenarios.form.lmdi": ("因素分解", "Decomposition"),
    "scenarios.form.lmdi.history": ("历史（已存数据）", "history (stored data)"),
    "scenarios.form.lmdi.compare": ("情景差异（2030 年）", "scenario difference (2030)"),
    "scenarios.form.submit": ("计算", "Compute"),
    "scenarios.form.n_hint": ("上限 {limit}", "at most {limit}"),
    "scenarios.name.baseline": ("基线情景", "Baseline"),
    "scenarios.name.plan_policy": ("规划政策情景", "Plan policy"),
    "scenarios.name.accelerated": ("加速转型情景", "Accelerated"),
    "scenarios.chart.trajectories": ("CO2 排放轨迹与峰值", "CO2 trajectories and the peak"),
    "scenarios.chart.fan": ("不确定性扇形图", "Uncertainty fan"),
    "scenarios.chart.lmdi": ("LMDI 因素分解瀑布图", "LMDI decomposition waterfall"),
    "scenarios.chart.macc": ("边际减排成本曲线", "Marginal abatement cost curve"),
    "scenarios.chart.noscript": ("图表需要启用 JavaScript。", "The charts need JavaScript."),
    "scenarios.peak": ("峰值", "Peak"),
    "scenarios.line2030": ("2030 年", "2030"),
    "scenarios.total": ("合计", "Total"),
    "scenarios.median": ("中位数", "Median"),
    "scenarios.deterministic": ("确定性情景", "Deterministic"),
    "scenarios.band": ("{lo}–{hi}% 区间", "{lo}–{hi}% band"),
    "scenarios.table.scenario": ("情景", "Scenario"),
    "scenarios.table.peak_year": ("峰值年", "Peak year"),
    "scenarios.table.peak_level": ("峰值（Mt CO2）", "Peak (Mt CO2)"),
    "scenarios.table.y2030": ("2030 年（Mt）", "2030 (Mt)"),
    "scenarios.table.y2060": ("2060 年（Mt）", "2060 (Mt)"),
    "scenarios.table.verdict": ("2030 年前达峰", "Peak by 2030"),
    "scenarios.verdict.yes": ("是", "yes"),
    "scenarios.verdict.no": ("否", "no"),
    "scenarios.verdict.not_peaked": ("否（2060 年前仍在上升）", "no (still rising in 2060)"),
    "scenarios.p2030": ("2030 年前达峰概率", "P(peak ≤ 2030)"),
    "scenarios.mc.caption": (
        "{scenario}：{n} 条轨迹，种子 {seed}；分布为演示用合成设定",
        "{scenario}: {n} trajectories, seed {seed}; the distributions are synthetic demo settings",
    ),
    "scenarios.lmdi.caption.history": (
        "已存数据 {y0}–{y1}：CO2 = 产量 × 结构 × 单位能耗 × 能源结构 × 排放因子（加法 LMDI-I，逐年链式）",
        "Stored data {y0}–{y1}: CO2 = activity × structure × energy intensity × fuel mix × "
        "emission factor (additive LMDI-I, chained)",
    ),
    "scenarios.lmdi.caption.compare": (
        "{year} 年 {a} → {b} 的差异分解（加法 LMDI-I）",
        "{a} → {b} in {year} (additive LMDI-I)",
    ),
    "scenarios.lmdi.start": ("起点", "Start"),
    "scenarios.lmdi.end": ("终点", "End"),
    "scenarios.lmdi.factor.activity_t": ("产量", "Activity"),
    "scenarios.lmdi.factor.structure": ("产品结构", "Structure"),
    "scenarios.lmdi.factor.intensity_tce_per_t": ("单位能耗", "Energy intensity"),
    "scenarios.lmdi.factor.mix": ("能源结构", "Fuel mix"),
    "scenarios.lmdi.factor.ef_tco2_per_tce": ("排放因子", "Emission factor"),
    "scenarios.macc.caption": (
        "演示用合成措施（{file}），基准 {baseline} Mt CO2/年；措施按单位减排成本排序，依次作用于剩余排放",
        "Synthetic demo measures ({file}) against {baseline} Mt CO2/a; sorted by cost per "
        "tCO2, each applied to what the cheaper ones left",
    ),
    "scenarios.macc.x": ("累计减排量（万吨 CO2/年）", "Cumulative abatement (10 kt CO2/a)"),
    "scenarios.macc.y": ("单位减排成本（元/吨 CO2）", "Cost (yuan/t CO2)"),
    "scenarios.nodata": (
        "当前范围内没有可用作基准年的已存核算数据。",
        "There are no stored inventories in your scope to build a base year from.",
    ),
    "scenarios.error": ("部分结果无法计算：", "Some results could not be computed: "),
    "scenarios.api": (
        "同样的结果可通过 API 获取（/api/v1/scenarios/…），包括驱动路径 xlsx 上传与 IAMC 格式导出。",
        "The same results come from the API (/api/v1/scenarios/…), with driver-path xlsx upload "
        "and IAMC export.",
    ),
    "scenarios.iamc": ("下载 IAMC 格式（CSV）", "Download IAMC (CSV)"),
}
