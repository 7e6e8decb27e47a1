"""The carbonpeak exception tree and its bilingual message catalogue.

Every error the platform raises on purpose is a :class:`CarbonpeakError`. Each
subclass also inherits the builtin a caller would expect, so ``except ValueError``
still catches bad input::

    CarbonpeakError(Exception)                      HTTP
    ├── InputError(ValueError)                       422  one or more located Problems
    │   ├── UnitError                                422  a unit that does not parse / wrong dimension
    │   └── SettingsError                            —    a CARBONPEAK_* variable refused at start-up
    ├── RefdataError(LookupError)                    500  reference data missing or malformed
    ├── NotFound(LookupError)                        404  also for objects outside the caller's scope
    ├── Conflict                                     409  e.g. a duplicate credit code
    ├── AuthenticationFailed                         401  no or bad credentials
    ├── PermissionDenied(PermissionError)            403  authenticated, but the role may not
    ├── TooManyAttempts                              429  sign-in locked after repeated failures
    ├── PayloadTooLarge                              413  an upload over the size limit
    └── IntegrityViolation                           500  the audit chain does not verify

Messages come from one catalogue keyed by ``code`` (:data:`MESSAGES`), in Chinese
and English, formatted with the error's structured fields. Importers collect every
:class:`Problem` before raising one :class:`InputError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MESSAGES",
    "OBJECT_NAMES",
    "AuthenticationFailed",
    "CarbonpeakError",
    "Conflict",
    "InputError",
    "IntegrityViolation",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "Problem",
    "RefdataError",
    "SettingsError",
    "TooManyAttempts",
    "UnitError",
    "message",
]

#: code -> (Chinese template, English template). Templates use ``str.format`` fields.
MESSAGES: dict[str, tuple[str, str]] = {
    # generic
    "internal": (
        "系统内部错误，请联系管理员（请求编号 {request_id}）",
        "Internal error; please contact the administrator (request id {request_id})",
    ),
    "not_found": ("未找到{object}：{key}", "Not found: {object} {key}"),
    "permission_denied": (
        "当前角色（{role}）无权执行此操作：{action}",
        "Your role ({role}) may not perform this action: {action}",
    ),
    "auth_required": ("请先登录", "Please sign in first"),
    "auth_failed": ("用户名或密码错误", "Wrong user name or password"),
    "auth_locked": (
        "该用户名连续登录失败次数过多，已被暂时锁定，请 {minutes} 分钟后再试",
        "Too many failed sign-ins for this user name; it is locked, try again in {minutes} minute(s)",
    ),
    "auth_token_invalid": ("访问令牌无效或已过期", "The access token is invalid or has expired"),
    "csrf_failed": (
        "表单已过期或来源不可信，请刷新页面后重试",
        "The form has expired or did not come from this site; reload and try again",
    ),
    "payload_too_large": (
        "上传文件超过大小限制（{limit_mb} MB）",
        "The upload exceeds the size limit ({limit_mb} MB)",
    ),
    "validation": ("输入有误：{detail}", "Invalid input: {detail}"),
    # input problems (one per located problem)
    "input_invalid": (
        "输入有 {count} 处错误，未写入任何数据",
        "The input has {count} problem(s); nothing was written",
    ),
    "missing_column": ("缺少必填列“{column}”", "Required column '{column}' is missing"),
    "required": ("“{column}”为必填项", "'{column}' is required"),
    "unknown_unit": ("无法识别的单位“{value}”", "Unknown unit '{value}'"),
    "wrong_dimension": (
        "单位“{value}”的量纲不对，应为与“{expected}”同量纲的单位",
        "Unit '{value}' has the wrong dimension; expected a unit like '{expected}'",
    ),
    "not_a_number": ("“{value}”不是数字", "'{value}' is not a number"),
    "negative": ("数值不能为负：{value}", "The value must not be negative: {value}"),
    "bad_enum": (
        "“{value}”不是允许的取值（允许：{allowed}）",
        "'{value}' is not an allowed value (allowed: {allowed})",
    ),
    "bad_credit_code": (
        "统一社会信用代码“{value}”无效：{reason_zh}",
        "Unified social credit code '{value}' is invalid: {reason_en}",
    ),
    "duplicate": (
        "“{value}”重复（已在第 {first_row} 行出现）",
        "'{value}' is duplicated (first seen in row {first_row})",
    ),
    "exists": ("“{value}”已存在", "'{value}' already exists"),
    "unknown_city": ("未知的市州“{value}”", "Unknown city/prefecture '{value}'"),
    "unknown_park": ("未知的园区“{value}”", "Unknown industrial park '{value}'"),
    "park_city_mismatch": (
        "园区“{value}”不在市州“{city}”内",
        "Park '{value}' is not in city/prefecture '{city}'",
    ),
    "unknown_metal": ("未知的金属品种“{value}”", "Unknown metal '{value}'"),
    "unknown_route": ("未知的工艺路线“{value}”", "Unknown process route '{value}'"),
    "route_metal_mismatch": (
        "工艺路线“{value}”不适用于金属“{metal}”",
        "Process route '{value}' does not apply to metal '{metal}'",
    ),
    "unknown_enterprise": (
        "未知的企业（统一社会信用代码）“{value}”",
        "Unknown enterprise (credit code) '{value}'",
    ),
    "bad_date": ("“{value}”不是有效日期（YYYY-MM-DD）", "'{value}' is not a valid date (YYYY-MM-DD)"),
    "bad_file": ("无法读取文件：{reason}", "The file cannot be read: {reason}"),
    "control_character": (
        "“{column}”列含有不可见的控制字符（如 NUL）：{value}，请删除后重试",
        "Column '{column}' holds an invisible control character (such as NUL): {value}; remove it and retry",
    ),
    "unknown_item": (
        "未知的活动项目“{value}”（既不是代码也不是已知名称）",
        "Unknown activity item '{value}' (neither a code nor a known name)",
    ),
    "no_factor": (
        "方法 {method} 没有项目“{item}”的排放因子",
        "Method {method} has no emission factor for item '{item}'",
    ),
    "period_outside_validity": (
        "期间 {value} 超出 {what} 的有效期",
        "Period {value} lies outside the validity of {what}",
    ),
    "bad_period": (
        "“{value}”不是有效的期间（YYYY 或 YYYY-MM）",
        "'{value}' is not a valid period (YYYY or YYYY-MM)",
    ),
    "not_finite": ("“{value}”不是有限数值", "'{value}' is not a finite number"),
    "length_mismatch": ("长度不一致：{what}", "Lengths differ: {what}"),
    # scenarios: LMDI decomposition
    "lmdi_shape": (
        "基期与末期的因素矩阵须同为二维（子类别 × 因素）且形状相同：{value}",
        "The base and end factor arrays must have the same 2-D shape (sub-categories × factors): {value}",
    ),
    "lmdi_negative": (
        "子类别“{category}”在 {year} 年的因素“{column}”为负数：{value}（LMDI 只接受非负值）",
        "Factor '{column}' of sub-category '{category}' in {year} is negative: {value} "
        "(LMDI takes non-negative values only)",
    ),
    "lmdi_not_finite": (
        "子类别“{category}”在 {year} 年的因素“{column}”不是有限数值：{value}",
        "Factor '{column}' of sub-category '{category}' in {year} is not a finite number: {value}",
    ),
    "lmdi_missing_row": (
        "子类别“{category}”缺少 {year} 年的数据行（新出现或消失的子类别，请给出取值为零的因素）",
        "Sub-category '{category}' has no row for {year} (for one that appears or "
        "disappears, give a row whose zero factor says why)",
    ),
    "lmdi_duplicate_row": (
        "子类别“{category}”在 {year} 年有重复行（首次出现在第 {first_row} 行）",
        "Sub-category '{category}' has more than one row for {year} (first seen in row {first_row})",
    ),
    "lmdi_too_few_years": (
        "分解至少需要两个年份，现有：{value}",
        "A decomposition needs at least two years; got: {value}",
    ),
    "lmdi_total_zero": (
        "乘法分解要求各年总量为正：{year} 年总量为 {value}",
        "The multiplicative decomposition needs a positive total in every year: the {year} total is {value}",
    ),
    # scenarios: marginal abatement cost curve
    "macc_abatement_spec": (
        "措施“{id}”须且只须给出年减排量（abatement_tco2e_per_a）或减排比例（abatement_share）之一",
        "Measure '{id}' needs exactly one of abatement_tco2e_per_a and abatement_share",
    ),
    "macc_share_range": (
        "减排比例须在 (0, 1] 内：{value}",
        "The abatement share must lie in (0, 1]: {value}",
    ),
    "must_be_positive": ("“{column}”必须大于零：{value}", "'{column}' must be greater than zero: {value}"),
    "bad_discount_rate": ("折现率须大于 −1：{value}", "The discount rate must exceed −1: {value}"),
    "macc_no_baseline": ("未给出“{value}”的基准排放", "No baseline emissions given for '{value}'"),
    # scenarios: peak finder
    "peak_empty": ("序列为空，无法确定峰值", "The series is empty; there is no peak to find"),
    "years_not_increasing": (
        "年份须严格递增：第 {row} 个年份 {value} 不大于前一个年份",
        "Years must increase strictly: year {value} at position {row} does not exceed the one before",
    ),
    "bad_tolerance": (
        "容差须为非负有限数：{value}",
        "The tolerance must be a non-negative finite number: {value}",
    ),
    # benchmark and targets
    "unknown_product": (
        "未知的产品/工序代码“{value}”（见 benchmark/limit_levels）",
        "Unknown product/process code '{value}' (see benchmark/limit_levels)",
    ),
    "base_year_missing": ("缺少基准年 {value} 的数据", "There is no value for the base year {value}"),
    # scenarios: projection and Monte Carlo
    "scenario_unknown_parent": (
        "情景“{scenario}”的父情景“{value}”不存在",
        "The parent '{value}' of scenario '{scenario}' does not exist",
    ),
    "scenario_cycle": (
        "情景“{scenario}”的继承链出现循环（“{value}”）",
        "The inheritance chain of scenario '{scenario}' loops back to '{value}'",
    ),
    "scenario_unknown_driver": (
        "情景“{scenario}”：未知的驱动因素“{value}”（允许：{allowed}）",
        "Scenario '{scenario}': unknown driver '{value}' (allowed: {allowed})",
    ),
    "scenario_bad_selector": (
        "情景“{scenario}”驱动因素“{driver}”的适用范围“{value}”无效"
        "（“*”或 metal=…,route=…,city=…；回收比例只能按金属）",
        "Scenario '{scenario}', driver '{driver}': bad selector '{value}' "
        "('*' or metal=…,route=…,city=…; recycled_share by metal only)",
    ),
    "scenario_empty_path": (
        "情景“{scenario}”驱动因素“{driver}”（{selector}）的路径没有年份",
        "Scenario '{scenario}', driver '{driver}' ({selector}): the path has no years",
    ),
    "scenario_path_gap": (
        "情景“{scenario}”驱动因素“{driver}”（{selector}）的年份 {year} 无效："
        "年份须为整数且严格递增、不得重复",
        "Scenario '{scenario}', driver '{driver}' ({selector}), year {year}: years "
        "must be whole, strictly increasing and not repeated",
    ),
    "scenario_not_finite": (
        "情景“{scenario}”驱动因素“{driver}”在 {year} 年的取值不是有限数值：{value}",
        "Scenario '{scenario}', driver '{driver}', year {year}: {value} is not a finite number",
    ),
    "scenario_share_range": (
        "情景“{scenario}”驱动因素“{driver}”在 {year} 年的比例须在 0–1 之间：{value}",
        "Scenario '{scenario}', driver '{driver}', year {year}: the share must lie in [0, 1]: {value}",
    ),
    "scenario_negative_intensity": (
        "情景“{scenario}”驱动因素“{driver}”在 {year} 年的提升率 {value} 大于 1，将导致单位能耗为负",
        "Scenario '{scenario}', driver '{driver}', year {year}: an "
        "improvement of {value} (> 1) makes the energy intensity negative",
    ),
    "scenario_negative": (
        "情景“{scenario}”驱动因素“{driver}”在 {year} 年的取值超出允许范围：{value}",
        "Scenario '{scenario}', driver '{driver}', year {year}: {value} is out of "
        "range (negative, or a growth of −100 % or less)",
    ),
    "scenario_bad_years": (
        "预测年份须从基准年 {base_year} 开始并严格递增：{value}",
        "Projection years must start at the base year {base_year} and increase strictly: {value}",
    ),
    "scenario_no_secondary": (
        "情景“{scenario}”给出了金属“{value}”的回收比例，但基准年没有再生（secondary）路线",
        "Scenario '{scenario}' sets a recycled share for '{value}', which has "
        "no secondary route in the base year",
    ),
    "mc_bad_distribution": (
        "驱动因素“{driver}”的分布参数无效（{kind}）：{reason}",
        "Driver '{driver}': impossible parameters for a {kind} distribution: {reason}",
    ),
    "mc_correlation": ("相关系数矩阵无效：{reason}", "The correlation matrix is invalid: {reason}"),
    "mc_scheduler_address": (
        "Dask 调度器地址“{value}”无效：应为 local 或 tcp://主机:端口",
        "Bad Dask scheduler address '{value}': expected local or tcp://host:port",
    ),
    "mc_scheduler_unreachable": (
        "无法在 {timeout} 秒内连接 Dask 调度器“{value}”：{reason}",
        "Could not reach the Dask scheduler '{value}' within {timeout} s: {reason}",
    ),
    # refdata
    "refdata_unknown_source": (
        "参考数据 {table} 第 {row} 行引用了未登记的来源“{value}”",
        "Reference table {table} row {row} cites an unregistered source '{value}'",
    ),
    "refdata_bad_unit": (
        "参考数据 {table} 的单位“{value}”无法解析",
        "Reference table {table}: unit '{value}' does not parse",
    ),
    "refdata_schema": (
        "参考数据 {table} 不符合其结构定义：{detail}",
        "Reference table {table} does not match its schema: {detail}",
    ),
    "refdata_missing": ("未找到参考数据表 {table}", "Reference table {table} not found"),
    # audit
    "audit_broken": ("审计链校验失败：{detail}", "The audit chain does not verify: {detail}"),
    # users
    "weak_password": (
        "密码至少需要 {min_length} 个字符",
        "The password needs at least {min_length} characters",
    ),
    "password_common": (
        "该密码属于最常见的密码之一，请换一个",
        "The password is one of the most common passwords; choose another",
    ),
    "password_trivial": ("密码过于简单：{reason_zh}", "The password is too simple: {reason_en}"),
    "username_too_long": (
        "用户名不能超过 {max_length} 个字符",
        "The user name must not be longer than {max_length} characters",
    ),
    "default_secret": (
        "生产环境不得使用默认密钥：请将 CARBONPEAK_SECRET_KEY 设为至少 {min_length} 个字符的随机值",
        "Refusing the default or a short secret in production: set CARBONPEAK_SECRET_KEY to a "
        "random value of at least {min_length} characters",
    ),
    # --- settings, setup and input bounds (issue 13) ---
    "settings_invalid": (
        "环境变量 {variable} 的取值“{value}”无效：{detail}",
        "Environment variable {variable} = '{value}' is invalid: {detail}",
    ),
    "settings_bad_env": (
        "环境变量 CARBONPEAK_ENV 的取值“{value}”无效（允许：development、test、production，不区分大小写）",
        "CARBONPEAK_ENV = '{value}' is not allowed (allowed: development, test, production; any case)",
    ),
    "setup_done": (
        "已存在省级账号（{value}），一次性初始化命令不能再次运行；请用 carbonpeak user add 添加用户",
        "A province account ({value}) already exists, so the one-time setup cannot run again; "
        "add users with carbonpeak user add",
    ),
    "xlsx_too_many_cells": (
        "工作表“{sheet}”的已用区域 {used_range} 含 {cells} 个单元格，超过上限 {limit}"
        "（最远的单元格 {value}；请删除多余的单元格后重试）",
        "Sheet '{sheet}' uses the range {used_range} ({cells} cells), beyond the limit of {limit} "
        "(farthest cell {value}; delete the stray cells and retry)",
    ),
    "xlsx_dtd": (
        "工作簿内部文件“{member}”含有 DTD（<!DOCTYPE>/<!ENTITY>），不是正常的 xlsx，已拒绝",
        "The workbook part '{member}' holds a DTD (<!DOCTYPE>/<!ENTITY>); a normal xlsx has none, "
        "so it is refused",
    ),
    "xlsx_malformed": (
        "工作簿内部文件“{member}”的 XML 格式错误（{reason}），请用 Excel 重新保存后重试",
        "The XML of the workbook part '{member}' is malformed ({reason}); save it again from Excel and retry",
    ),
    "figure_too_large": (
        "{header_zh}的数值 {value} 超出物理上限（绝对值不超过 {limit} {unit}）",
        "The value {value} in {header_en} is beyond the physical bound (|value| ≤ {limit} {unit})",
    ),
    # --- data intake (issue 6: templates, import, exports) ---
    "intake_not_template": (
        "不是本平台的填报模板：{reason_zh}",
        "This is not a carbonpeak reporting template: {reason_en}",
    ),
    "intake_missing_column": (
        "数据表缺少列“{header_zh}”（表头第 1 行中文、第 2 行英文）",
        "The data sheet has no column '{header_en}' (headers: Chinese in row 1, English in row 2)",
    ),
    "intake_required": ("“{header_zh}”为必填项", "'{header_en}' is required"),
    "intake_unknown_item": (
        "未知的活动项目“{value}”（请从下拉列表选择）",
        "Unknown activity item '{value}' (choose one from the drop-down list)",
    ),
    "intake_unknown_unit": (
        "无法识别的单位“{value}”（可用：{allowed_zh}）",
        "Unknown unit '{value}' (allowed: {allowed_en})",
    ),
    "intake_wrong_dimension": (
        "单位“{value}”不适用于项目“{item_zh}”（应为与“{expected}”同量纲的单位，如：{allowed_zh}）",
        "Unit '{value}' does not fit item '{item_en}' (expected a unit like '{expected}', e.g. {allowed_en})",
    ),
    "intake_not_a_number": (
        "{header_zh}的“{value}”不是数字",
        "'{value}' in {header_en} is not a number",
    ),
    "intake_not_finite": ("{header_zh}的“{value}”不是有限数值", "'{value}' in {header_en} is not finite"),
    "intake_negative": (
        "{header_zh}的数值不能为负：{value}",
        "The value in {header_en} must not be negative: {value}",
    ),
    "intake_month_missing": (
        "{header_zh}未填写，而同一行其他月份已填写（无数据请填 0）",
        "{header_en} is blank while other months of the row are filled (enter 0 for none)",
    ),
    "intake_duplicate_row": (
        "生产线“{line}”的项目“{value}”重复（已在第 {first_row} 行出现）",
        "Item '{value}' of line '{line}' appears twice (first in row {first_row})",
    ),
    "intake_unknown_line": (
        "生产线代码“{value}”不属于该企业（已登记：{allowed_zh}；企业层面数据请留空）",
        "Line code '{value}' is not a line of this enterprise (registered: {allowed_en}; "
        "leave it blank for enterprise-level data)",
    ),
    "intake_bad_year": (
        "年份“{value}”无效（应为 2000–2100 的整数）",
        "Year '{value}' is invalid (a whole number 2000–2100)",
    ),
    "intake_wrong_year": (
        "模板年份 {value} 与所选年份 {expected} 不符",
        "The template's year {value} is not the chosen year {expected}",
    ),
    "intake_wrong_enterprise": (
        "模板中的统一社会信用代码“{value}”与所选企业“{expected}”不符",
        "The template's credit code '{value}' is not the chosen enterprise '{expected}'",
    ),
    "intake_unknown_enterprise": (
        "未知的企业，或无权为其填报：“{value}”",
        "Unknown enterprise, or one you may not report for: '{value}'",
    ),
    "intake_no_factor": (
        "核算方法 {method} 不包含项目“{value}”的排放因子",
        "Accounting method {method} has no factor for item '{value}'",
    ),
    "intake_period_outside": (
        "期间 {value} 超出 {what} 的有效期",
        "Period {value} lies outside the validity of {what}",
    ),
    "intake_empty": (
        "没有任何填报数据（请至少填写一行 12 个月的数值）",
        "There are no figures (fill at least one row's twelve months)",
    ),
    "intake_bad_period": (
        "期间“{value}”无效（逐月填报：YYYY-MM）",
        "Period '{value}' is invalid (monthly reporting: YYYY-MM)",
    ),
    "intake_csv_mixed": (
        "一个 CSV 文件只能包含一家企业一个年份的数据，此处出现了第二个{what_zh}“{value}”",
        "A CSV file holds one enterprise and one year; found a second {what_en} '{value}'",
    ),
    "intake_warn_last_year": (
        "{value} {unit} 是去年同月（{reference} {unit}）的 {ratio} 倍，超出 {factor} 倍的提示阈值",
        "{value} {unit} is {ratio}× the same month last year ({reference} {unit}), "
        "beyond the {factor}× threshold",
    ),
    "intake_warn_year_average": (
        "{value} {unit} 是本行全年月均值（{reference} {unit}）的 {ratio} 倍，超出 {factor} 倍的提示阈值",
        "{value} {unit} is {ratio}× the row's monthly average ({reference} {unit}), "
        "beyond the {factor}× threshold",
    ),
    "intake_warnings_unacknowledged": (
        "有 {count} 条数据合理性提示，请核对并确认后再导入（未写入任何数据）",
        "{count} plausibility warning(s) need your acknowledgement before the import (nothing was written)",
    ),
    "intake_submission_locked": (
        "{year} 年的填报状态为“{status}”，不能导入新版本（仅草稿或退回状态可导入）",
        "The {year} submission is '{status}'; a new version can only be imported while it is "
        "draft or returned",
    ),
    "intake_bad_format": (
        "不支持的导出格式“{value}”（可用：xlsx、csv）",
        "Unsupported export format '{value}' (xlsx or csv)",
    ),
    # --- workflow and evidence (issue 6) ---
    "workflow_wrong_state": (
        "填报当前状态为“{state_zh}”，不能执行“{move_zh}”（仅在以下状态可执行：{allowed_zh}）",
        "The submission is '{state_en}'; '{move_en}' is not possible now (only from: {allowed_en})",
    ),
    "workflow_no_version": (
        "填报尚无已导入的数据版本，不能提交",
        "The submission has no imported version yet; there is nothing to submit",
    ),
    # official figures, assignments and reporting rounds (issue 11)
    "setting_invalid": (
        "设置 {name} 的值“{value}”无效",
        "The setting {name} has an invalid value '{value}'",
    ),
    "assign_not_verifier": (
        "用户“{value}”不是核查机构账号，不能分配核查任务",
        "User '{value}' is not a verifier account and cannot be assigned",
    ),
    "assign_exists": (
        "核查机构“{verifier}”已分配到企业“{enterprise}”（{year_zh}）",
        "Verifier '{verifier}' is already assigned to '{enterprise_en}' ({year_en})",
    ),
    "round_deadline": (
        "截止日期“{value}”无效（格式 YYYY-MM-DD，北京时间，应在 {year}-01-01 至 {last_year}-12-31 之间）",
        "The deadline '{value}' is invalid (YYYY-MM-DD, Beijing time, "
        "from {year}-01-01 to {last_year}-12-31)",
    ),
    "workflow_stale_value": (
        "数值 {value} 不属于当前版本（第 {version_no} 版），只能调整当前版本的数值",
        "Figure {value} is not in the current version (version {version_no}); "
        "only figures of the current version can be adjusted",
    ),
    "evidence_bad_type": (
        "文件“{value}”的内容不是允许的类型（PDF、PNG、JPEG、xlsx），与扩展名无关",
        "The content of '{value}' is not an allowed type (PDF, PNG, JPEG, xlsx), whatever its extension",
    ),
    "evidence_empty": ("文件“{value}”为空", "The file '{value}' is empty"),
    "unknown_line": ("未知的生产线“{value}”", "Unknown production line '{value}'"),
    # --- benchmarks, review, projects, registries (issue 5) ---
    "project_bad_transition": (
        "项目状态不能这样变更：{value}（允许的下一状态：{allowed}）",
        "The project cannot move {value} (allowed next: {allowed})",
    ),
    "project_date_order": (
        "状态变更日期“{value}”早于上一步的日期",
        "The status date '{value}' is earlier than the previous step's",
    ),
    "out_of_range": ("“{value}”超出允许范围（{low}–{high}）", "'{value}' is out of range ({low}–{high})"),
    "registry_part_exceeds_total": (
        "“{column}”的数值 {value} 大于总量 {total}",
        "'{column}' ({value}) exceeds the total ({total})",
    ),
    "review_unknown_carrier": (
        "未知的能源品种“{value}”（见 accounting/tce_coefficients 或 accounting/items）",
        "Unknown energy carrier '{value}' (see accounting/tce_coefficients or accounting/items)",
    ),
    "review_bad_energy": (
        "能耗“{value}”格式应为 品种=数量单位，如 coke=12000t、electricity=3.2e8kWh",
        "Energy '{value}' should read carrier=quantity unit, e.g. coke=12000t or electricity=3.2e8kWh",
    ),
    "review_no_level": (
        "{date} 无适用于“{value}”的现行能耗限额标准",
        "No energy-limit standard in force on {date} applies to '{value}'",
    ),
    # --- scenarios (issue 7) ---
    "scenario_bad_distribution": (
        "情景“{scenario}”驱动因素“{driver}”（{selector}，{year} 年）的{kind}分布参数无效：{reason}",
        "Scenario '{scenario}', driver '{driver}' ({selector}, years {year}): impossible "
        "parameters for a {kind} distribution: {reason}",
    ),
    "scenario_path_missing_value": (
        "情景“{scenario}”驱动因素“{driver}”（{selector}）在 {year} 年缺少取值（路径有缺口）",
        "Scenario '{scenario}', driver '{driver}' ({selector}), year {year}: the value is "
        "missing (a gap in the path)",
    ),
    "scenario_unknown": (
        "未知情景“{value}”（可选：{allowed}）",
        "Unknown scenario '{value}' (choose from: {allowed})",
    ),
    "scenario_no_base_year": (
        "所选范围内没有 {value} 年的已存核算数据，无法构建基准年（有数据的年份：{allowed}）",
        "No stored inventories in scope for {value}, so no base year can be built "
        "(years with data: {allowed})",
    ),
    "scenario_n_limit": (
        "蒙特卡洛轨迹数 {value} 超过上限 {limit}",
        "{value} Monte Carlo trajectories exceed the limit of {limit}",
    ),
    "scenario_bad_scheduler": (
        "调度器“{value}”无效：应为 numpy、threads、local 或 tcp://主机:端口",
        "Bad scheduler '{value}': expected numpy, threads, local or tcp://host:port",
    ),
    "scenario_lmdi_no_history": (
        "所选范围内的已存核算数据不足两年，无法做历史分解",
        "Fewer than two years of stored inventories in scope: no history to decompose",
    ),
}


#: Names of the objects messages speak of (``object=`` field), in zh and en.
OBJECT_NAMES: dict[str, tuple[str, str]] = {
    "enterprise": ("企业", "enterprise"),
    "line": ("生产线", "production line"),
    "user": ("用户", "user"),
    "factor set": ("因子集", "factor set"),
    "resource": ("资源", "resource"),
    # --- more objects: add below, one line each ---
    "project": ("项目", "project"),
    "registry": ("名录", "registry"),
    "registry entry": ("名录条目", "registry entry"),
    "review": ("节能审查记录", "energy-saving review"),
    "submission version": ("填报版本", "submission version"),
    "inventory run": ("核算结果", "inventory run"),
    "submission": ("填报", "submission"),
    "figure": ("填报数值", "figure"),
    "evidence": ("证明材料", "evidence"),
    "assignment": ("核查分配", "verifier assignment"),
    "reporting round": ("填报轮次", "reporting round"),
    "page": ("页面", "page"),
}


def message(code: str, lang: str = "zh", **fields: Any) -> str:
    """Format the catalogue message *code* in *lang* (``"zh"`` or ``"en"``).

    Missing fields are shown as ``{name}`` rather than raising, so a message can
    never hide the error it reports.
    """
    zh, en = MESSAGES.get(code, ("{code}", "{code}"))
    template = en if lang == "en" else zh
    obj = fields.get("object")
    if isinstance(obj, str) and obj in OBJECT_NAMES:
        fields = {**fields, "object": OBJECT_NAMES[obj][1 if lang == "en" else 0]}
    return template.format_map(_Lenient({"code": code, **fields}))


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Problem:
    """One located input problem: where (file, sheet, row, column), what value, which rule."""

    code: str
    column: str | None = None
    value: Any = None
    row: int | None = None
    file: str | None = None
    sheet: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message_zh(self) -> str:
        return message(self.code, "zh", **self._fmt())

    @property
    def message_en(self) -> str:
        return message(self.code, "en", **self._fmt())

    def _fmt(self) -> dict[str, Any]:
        return {"column": self.column, "value": self.value, **self.fields}

    def location(self) -> str:
        parts = [
            f"{label}={val}"
            for label, val in (
                ("file", self.file),
                ("sheet", self.sheet),
                ("row", self.row),
                ("column", self.column),
            )
            if val is not None
        ]
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": None if self.value is None else str(self.value),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


class CarbonpeakError(Exception):
    """Base of every deliberate carbonpeak error; carries a catalogue code and fields."""

    code = "internal"
    http_status = 500

    def __init__(self, code: str | None = None, **fields: Any) -> None:
        self.code = code or type(self).code
        self.fields = fields
        super().__init__(self.message_en)

    @property
    def message_zh(self) -> str:
        return message(self.code, "zh", **self.fields)

    @property
    def message_en(self) -> str:
        return message(self.code, "en", **self.fields)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}


class InputError(CarbonpeakError, ValueError):
    """Bad input, with every located :class:`Problem` found (never only the first)."""

    code = "input_invalid"
    http_status = 422

    def __init__(
        self, problems: Iterable[Problem] | None = None, code: str | None = None, **fields: Any
    ) -> None:
        self.problems: list[Problem] = list(problems or [])
        if code is None and len(self.problems) == 1:
            only = self.problems[0]
            code = only.code
            fields = {**only._fmt(), **fields}
        fields.setdefault("count", len(self.problems))
        super().__init__(code, **fields)

    @property
    def message_en(self) -> str:
        base = message(self.code, "en", **self.fields)
        return "; ".join([base] + [f"[{p.location()}] {p.message_en}" for p in self.problems[:20]])

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "problems": [p.as_dict() for p in self.problems]}


class UnitError(InputError):
    """A unit that does not parse, or parses to the wrong dimension."""

    code = "unknown_unit"


class SettingsError(InputError):
    """A ``CARBONPEAK_*`` environment variable that does not parse or is not allowed.

    Each :class:`Problem` names the variable (``column``) and, except for the secret key,
    the value given. Raised when the settings are read (start-up), never by a request.
    """

    code = "settings_invalid"


class RefdataError(CarbonpeakError, LookupError):
    """Reference data missing, malformed, or citing an unregistered source."""

    code = "refdata_schema"


class NotFound(CarbonpeakError, LookupError):
    """The object does not exist, or lies outside the caller's scope (never told apart)."""

    code = "not_found"
    http_status = 404


class Conflict(CarbonpeakError):
    """The change collides with stored state (a duplicate key)."""

    code = "exists"
    http_status = 409


class AuthenticationFailed(CarbonpeakError):
    """No credentials, or wrong ones."""

    code = "auth_failed"
    http_status = 401


class PermissionDenied(CarbonpeakError, PermissionError):
    """The caller is known but its role may not perform the action."""

    code = "permission_denied"
    http_status = 403


class TooManyAttempts(CarbonpeakError):
    """Sign-in refused: too many failures in a row for this user name (``minutes`` left)."""

    code = "auth_locked"
    http_status = 429


class PayloadTooLarge(CarbonpeakError):
    """An upload over the configured size limit."""

    code = "payload_too_large"
    http_status = 413


class IntegrityViolation(CarbonpeakError):
    """The append-only audit chain does not verify."""

    code = "audit_broken"
