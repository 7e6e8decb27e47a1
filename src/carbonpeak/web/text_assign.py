"""Page strings of the reporting-round and assignment pages: key -> (Chinese, English); merged
into :mod:`carbonpeak.web.i18n`.

The state names come from :mod:`carbonpeak.service.assignments` (the workflow's, plus 未报送),
as ``round.state.<state>``.
"""

from __future__ import annotations

from typing import Final

from carbonpeak.service.assignments import STATE_NAMES

_BASE: dict[str, tuple[str, str]] = {
    "round.nav": ("填报轮次", "Reporting round"),
    "round.title": ("{year} 年度填报轮次", "Reporting round {year}"),
    "round.lead": (
        "辖区内每家企业 {year} 年度数据的报送与核查进度：谁已报送、谁未报送、"
        "由哪家核查机构核查。时间均为北京时间。",
        "Where each enterprise in your jurisdiction stands with its {year} figures: who has "
        "reported, who has not, and which verifier checks them. Times are Beijing time.",
    ),
    "round.year": ("年度", "Year"),
    "round.show": ("查看", "Show"),
    "round.deadline": ("截止日期", "Deadline"),
    "round.deadline_hint": ("北京时间，YYYY-MM-DD", "Beijing time, YYYY-MM-DD"),
    "round.none": (
        "{year} 年度的填报轮次尚未开启（未设截止日期）。",
        "No reporting round is open for {year} (no deadline set).",
    ),
    "round.days_left": ("距截止还有 {n} 天", "{n} days left"),
    "round.due_today": ("今天截止", "Due today"),
    "round.overdue": ("已逾期 {n} 天", "{n} days overdue"),
    "round.today": ("今天（北京时间）：{day}", "Today (Beijing time): {day}"),
    "round.note": ("说明", "Note"),
    "round.note_is": ("说明：{note}", "Note: {note}"),
    "round.sep": ("、", ", "),
    "round.open.title": ("开启或调整填报轮次", "Open the round or move its deadline"),
    "round.open.submit": ("保存截止日期", "Save the deadline"),
    "round.open.done": ("已保存 {year} 年度的截止日期。", "The {year} deadline is saved."),
    "round.counts": ("报送情况", "Reporting progress"),
    "round.count.enterprises": ("企业总数", "Enterprises"),
    "round.count.reported": ("已报送", "Reported"),
    "round.filter": ("筛选", "Filter"),
    "round.filter.city": ("市州", "City"),
    "round.filter.all_cities": ("全部市州", "All cities"),
    "round.filter.status": ("状态", "Status"),
    "round.filter.all_states": ("全部状态", "All states"),
    "round.filter.reset": ("清除", "Clear"),
    "round.table": ("企业报送明细", "Enterprises"),
    "round.col.enterprise": ("企业", "Enterprise"),
    "round.col.city": ("市州", "City"),
    "round.col.status": ("状态", "Status"),
    "round.col.verifiers": ("核查机构", "Verifier"),
    "round.col.updated": ("最近更新（北京时间）", "Last change (Beijing time)"),
    "round.no_verifier": ("未分配", "none assigned"),
    "round.empty": ("没有符合条件的企业。", "No enterprise matches."),
    "round.to_assign": ("分配核查机构", "Assign verifiers"),
    "round.synthetic": (
        "带“示例”标记的企业为虚构的演示企业。",
        "Enterprises marked 'demo' are synthetic.",
    ),
    # assignments
    "assign.title": ("核查机构分配", "Verifier assignments"),
    "assign.lead": (
        "把核查机构分配到企业（某一年度或全部年度）：被分配的核查机构才能看到并核查该企业的填报。"
        "每次分配与撤销都记入审计日志。",
        "Assign a verifier to an enterprise (for one year or every year): only an assigned "
        "verifier sees and verifies the enterprise's submissions. Every assignment and removal "
        "is recorded in the audit trail.",
    ),
    "assign.form.title": ("新增分配", "Assign a verifier"),
    "assign.verifier": ("核查机构", "Verifier"),
    "assign.enterprise": ("企业", "Enterprise"),
    "assign.year": ("年度（留空为全部年度）", "Year (blank: every year)"),
    "assign.submit": ("分配", "Assign"),
    "assign.list": ("现有分配", "Current assignments"),
    "assign.list_year": ("{year} 年度有效的分配", "Assignments holding for {year}"),
    "assign.all_years": ("全部年度", "every year"),
    "assign.col.created": ("分配时间（北京时间）", "Assigned (Beijing time)"),
    "assign.unassign": ("撤销", "Remove"),
    "assign.empty": ("尚无分配。", "No assignments yet."),
    "assign.no_verifiers": (
        "尚无核查机构账号：请先由省级管理员添加角色为 verifier 的用户。",
        "There is no verifier account yet: the province adds a user with the role verifier first.",
    ),
    "assign.done.assign": ("已分配。", "Assigned."),
    "assign.done.unassign": ("已撤销分配。", "Assignment removed."),
    "assign.to_round": ("查看填报轮次", "See the reporting round"),
    "assign.object": ("核查分配", "verifier assignment"),
}

TEXT: Final[dict[str, tuple[str, str]]] = {
    **_BASE,
    **{f"round.state.{k}": v for k, v in STATE_NAMES.items()},
}
