"""Page strings of the intake pages: key -> (Chinese, English); merged into :mod:`carbonpeak.web.i18n`.

State and move names come from :mod:`carbonpeak.service.workflow` (one source), as
``intake.status.<state>`` and ``intake.move.<move>``.
"""

from __future__ import annotations

from typing import Final

from carbonpeak.service.workflow import MOVE_NAMES, STATUS_NAMES

_BASE: dict[str, tuple[str, str]] = {
    "intake.nav": ("数据填报", "Submissions"),
    "intake.title": ("数据填报与核查", "Data submissions and verification"),
    "intake.lead.enterprise": (
        "下载本企业的填报模板，按月填写后上传；每次上传都是新版本，历史版本保留可比对。",
        "Download your enterprise's template, fill in the months and upload it; every upload "
        "is a new version, and earlier versions stay readable and comparable.",
    ),
    "intake.lead.verifier": (
        "分配给您的企业提交的填报：开始核查、逐项调整数值（须说明理由）、完成核查。",
        "Submissions of the enterprises assigned to you: start verification, adjust figures "
        "line by line (with a reason), and verify.",
    ),
    "intake.lead.authority": (
        "辖区内企业的填报：已核查的等待批准；按市州和状态统计。",
        "Submissions in your jurisdiction: verified ones await approval; counts by city and status.",
    ),
    "intake.lead.public": (
        "公众账号不能查看企业填报数据。",
        "A public account cannot see enterprises' submissions.",
    ),
    "intake.synthetic": (
        "演示企业的数据均为虚构的合成数据。",
        "The demo enterprises' figures are synthetic.",
    ),
    # template and upload
    "intake.template.title": ("填报模板", "Reporting template"),
    "intake.template.download": ("下载填报模板", "Download template"),
    "intake.template.enterprise": ("企业", "Enterprise"),
    "intake.template.year": ("报告年度", "Reporting year"),
    "intake.upload.title": ("上传填报文件", "Upload a filled template"),
    "intake.upload.file": ("文件（xlsx 或 csv，≤ {mb} MB）", "File (xlsx or csv, ≤ {mb} MB)"),
    "intake.upload.note": ("版本说明（可选）", "Version note (optional)"),
    "intake.upload.ack": (
        "我已核实上述提示，确认数据无误，继续导入",
        "I have checked the warnings above; the figures are right, import them",
    ),
    "intake.upload.submit": ("上传并校验", "Upload and check"),
    "intake.upload.missing": ("请选择要上传的文件", "Choose a file to upload"),
    "intake.rejected.title": (
        "文件未导入：共 {n} 处问题，未写入任何数据",
        "The file was not imported: {n} problem(s); nothing was stored",
    ),
    "intake.rejected.marked": ("下载标注了问题的工作簿", "Download the workbook with the problems marked"),
    "intake.warnings.title": (
        "数据可以导入，但有 {n} 处提示需要确认",
        "The file can be imported, but {n} warning(s) need your acknowledgement",
    ),
    "intake.warnings.again": (
        "请勾选确认后重新选择文件上传。",
        "Tick the acknowledgement and choose the file again to upload it.",
    ),
    "intake.imported": (
        "已导入第 {no} 版（{rows} 个数值）",
        "Version {no} imported ({rows} figures)",
    ),
    "intake.problem.sheet": ("工作表", "Sheet"),
    "intake.problem.row": ("行", "Row"),
    "intake.problem.column": ("列", "Column"),
    "intake.problem.value": ("值", "Value"),
    "intake.problem.reason": ("原因", "Reason"),
    # lists and queues
    "intake.mine.title": ("本企业的填报", "Your submissions"),
    "intake.queue.verifier": ("待核查", "Verifier queue"),
    "intake.queue.approval": ("待批准", "Approval queue"),
    "intake.queue.all": ("全部填报", "All submissions"),
    "intake.queue.empty": ("暂无", "None"),
    "intake.counts.title": ("按市州和状态统计", "Counts by city and status"),
    "intake.counts.city": ("市州", "City"),
    "intake.counts.total": ("合计", "Total"),
    "intake.col.enterprise": ("企业", "Enterprise"),
    "intake.col.city": ("市州", "City"),
    "intake.col.year": ("年度", "Year"),
    "intake.col.status": ("状态", "Status"),
    "intake.col.version": ("当前版本", "Current version"),
    "intake.col.updated": ("更新时间", "Updated"),
    "intake.filter.status": ("状态", "Status"),
    "intake.filter.all": ("全部状态", "All statuses"),
    "intake.filter.apply": ("筛选", "Filter"),
    # detail
    "intake.detail.object": ("填报", "submission"),
    "intake.detail.title": ("{year} 年度填报", "Submission {year}"),
    "intake.detail.status": ("状态", "Status"),
    "intake.detail.version": ("当前版本", "Current version"),
    "intake.detail.inventory": ("核算结果", "Inventory"),
    "intake.detail.inventory_link": ("查看由当前版本计算的清单", "Open the inventory computed from it"),
    "intake.detail.no_inventory": ("尚无核算结果", "No inventory yet"),
    "intake.detail.back": ("全部填报", "All submissions"),
    "intake.actions.title": ("办理", "Actions"),
    "intake.actions.none": ("当前状态下您没有可执行的操作。", "There is nothing for you to do at this step."),
    "intake.actions.comment": ("意见（可选）", "Comment (optional)"),
    "intake.actions.return_comment": ("退回意见", "Reason for returning"),
    "intake.done": ("已完成：{move}", "Done: {move}"),
    "intake.returned": (
        "已退回（{who}，{when}）：{comment}",
        "Returned ({who}, {when}): {comment}",
    ),
    # versions
    "intake.versions.title": ("版本", "Versions"),
    "intake.versions.no": ("版本", "Version"),
    "intake.versions.file": ("文件", "File"),
    "intake.versions.rows": ("数值个数", "Figures"),
    "intake.versions.by": ("上传人", "Uploaded by"),
    "intake.versions.at": ("时间", "When"),
    "intake.versions.current": ("当前", "current"),
    "intake.versions.diff": ("比较版本", "Compare versions"),
    "intake.diff.title": ("第 {a} 版 → 第 {b} 版", "Version {a} → version {b}"),
    "intake.diff.added": ("新增", "Added"),
    "intake.diff.removed": ("删除", "Removed"),
    "intake.diff.changed": ("变化", "Changed"),
    "intake.diff.none": ("两个版本的数值相同。", "The two versions hold the same figures."),
    "intake.diff.from": ("原值", "From"),
    "intake.diff.to": ("新值", "To"),
    # figures
    "intake.figures.title": ("填报数值（生产线 × 项目 × 月份）", "Figures (line × item × month)"),
    "intake.figures.line": ("生产线", "Line"),
    "intake.figures.item": ("项目", "Item"),
    "intake.figures.unit": ("单位", "Unit"),
    "intake.figures.annual": ("全年", "Year"),
    "intake.figures.adjusted_note": (
        "划线为企业填报的原值，其后为核查调整后的数值（悬停查看理由）。",
        "Struck-through: the figure as submitted; next to it, the verifier's adjusted figure "
        "(hover for the reason).",
    ),
    "intake.figures.empty": ("尚未导入数据。", "No figures imported yet."),
    "intake.adjust.title": ("调整数值", "Adjust a figure"),
    "intake.adjust.value": ("数值", "Figure"),
    "intake.adjust.quantity": ("核查后的数量", "Verified quantity"),
    "intake.adjust.unit": ("单位", "Unit"),
    "intake.adjust.reason": ("调整理由（必填）", "Reason (required)"),
    "intake.adjust.evidence": (
        "证明材料（可选：PDF、PNG、JPEG、xlsx）",
        "Evidence (optional: PDF, PNG, JPEG, xlsx)",
    ),
    "intake.adjust.submit": ("保存调整", "Save the adjustment"),
    "intake.adjust.list": ("调整记录", "Adjustments"),
    "intake.adjust.reason_col": ("理由", "Reason"),
    "intake.figures.annual_sum": ("按月合计", "sum of the months"),
    "intake.adjust.original": ("原值", "Original"),
    "intake.adjust.adjusted": ("调整后", "Adjusted"),
    "intake.adjust.by": ("调整人", "By"),
    # evidence
    "intake.evidence.title": ("证明材料", "Evidence"),
    "intake.evidence.file": (
        "文件（PDF、PNG、JPEG、xlsx，≤ {mb} MB）",
        "File (PDF, PNG, JPEG, xlsx, ≤ {mb} MB)",
    ),
    "intake.evidence.line": ("生产线（可选）", "Production line (optional)"),
    "intake.evidence.whole": ("整个填报", "The whole submission"),
    "intake.evidence.description": ("说明（可选）", "Description (optional)"),
    "intake.evidence.submit": ("上传证明材料", "Attach evidence"),
    "intake.evidence.empty": ("暂无证明材料。", "No evidence attached."),
    "intake.evidence.name": ("文件", "File"),
    "intake.evidence.type": ("类型", "Type"),
    "intake.evidence.size": ("大小（KB）", "Size (KB)"),
    "intake.evidence.by": ("上传人", "Uploaded by"),
    # history
    "intake.history.title": ("办理记录", "History"),
    "intake.history.when": ("时间（UTC）", "When (UTC)"),
    "intake.history.who": ("办理人", "Who"),
    "intake.history.role": ("角色", "Role"),
    "intake.history.step": ("步骤", "Step"),
    "intake.history.comment": ("意见", "Comment"),
    "intake.history.empty": ("尚无办理记录。", "No steps yet."),
    "intake.history.audit": ("审计事件", "Audit events"),
    "intake.history.action": ("操作", "Action"),
    "intake.error.object_evidence": ("证明材料", "evidence"),
}

TEXT: Final[dict[str, tuple[str, str]]] = {
    **_BASE,
    **{f"intake.status.{k}": v for k, v in STATUS_NAMES.items()},
    **{f"intake.move.{k}": v for k, v in MOVE_NAMES.items()},
}
