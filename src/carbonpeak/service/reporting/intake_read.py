"""Reading submissions: lists, versions, figures (with adjustments), diffs and exports.

Split from :mod:`carbonpeak.service.reporting.intake` (which re-exports every public name here):
everything in this module reads, scoped through :func:`~carbonpeak.store.scope.restrict`
(VIEW on the submission's enterprise; a verifier sees the enterprises assigned to it), and
writes nothing. Exports go through :func:`carbonpeak.io.export.write_table`, which
neutralises spreadsheet formula injection.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import NotFound
from carbonpeak.io import export as export_io
from carbonpeak.model import Action
from carbonpeak.service.inventories import inventory as inventory_service
from carbonpeak.service.platform import audit
from carbonpeak.service.platform.context import Context
from carbonpeak.store.models import (
    Enterprise,
    Evidence,
    Submission,
    SubmissionAdjustment,
    SubmissionValue,
    SubmissionVersion,
)
from carbonpeak.store.scope import restrict

#: The measured parameters (实测值) a figure may carry (canonical units; None: the default).
MEASURED = ("ncv_gj", "cc_tc_per_tj", "cc_tc_per_unit", "oxidation")

__all__ = [
    "SUBMISSION_EXPORT_COLUMNS",
    "diff_versions",
    "effective_frame",
    "export_inventory",
    "export_submission",
    "get_submission",
    "list_submissions",
    "list_versions",
    "submission_or_404",
    "version_or_404",
    "version_values",
]


def _visible(ctx: Context, enterprise_id: int) -> bool:
    return (
        ctx.db.execute(
            restrict(select(Enterprise.id).where(Enterprise.id == enterprise_id), ctx.principal, Action.VIEW)
        ).first()
        is not None
    )


def submission_or_404(ctx: Context, submission_id: int) -> Submission:
    sub = ctx.db.get(Submission, submission_id)
    if sub is None or not _visible(ctx, sub.enterprise_id):
        raise NotFound(object="submission", key=submission_id)
    return sub


def version_or_404(ctx: Context, version_id: int) -> tuple[SubmissionVersion, Submission]:
    ver = ctx.db.get(SubmissionVersion, version_id)
    sub = ctx.db.get(Submission, ver.submission_id) if ver is not None else None
    if ver is None or sub is None or not _visible(ctx, sub.enterprise_id):
        raise NotFound(object="submission version", key=version_id)
    return ver, sub


def effective_frame(db_or_ctx: Session | Context, version_id: int) -> pd.DataFrame:
    """The version's figures as an activity frame, each with its latest adjustment applied.

    Columns: ``value_id, row, enterprise, line, period, year, month, item, quantity``
    (canonical unit), ``unit``, ``quantity_in, unit_in`` (as entered, or as adjusted),
    ``purity``, ``adjusted`` (bool). With a :class:`Context`, VIEW scope is checked; a bare
    session is for callers that already checked it.
    """
    if isinstance(db_or_ctx, Context):
        ver, sub = version_or_404(db_or_ctx, version_id)
        db = db_or_ctx.db
    else:
        db = db_or_ctx
        ver_ = db.get(SubmissionVersion, version_id)
        sub_ = db.get(Submission, ver_.submission_id) if ver_ is not None else None
        if ver_ is None or sub_ is None:
            raise NotFound(object="submission version", key=version_id)
        ver, sub = ver_, sub_
    ent = db.get(Enterprise, sub.enterprise_id)
    credit = ent.credit_code if ent is not None else ""
    vals = db.execute(
        select(
            SubmissionValue.id,
            SubmissionValue.row,
            SubmissionValue.line_code,
            SubmissionValue.period,
            SubmissionValue.item,
            SubmissionValue.quantity,
            SubmissionValue.unit,
            SubmissionValue.quantity_in,
            SubmissionValue.unit_in,
            SubmissionValue.purity,
            *(getattr(SubmissionValue, c) for c in MEASURED),
        )
        .where(SubmissionValue.version_id == ver.id)
        .order_by(SubmissionValue.id)
    ).all()
    cols = [
        "value_id",
        "row",
        "line",
        "period",
        "item",
        "quantity",
        "unit",
        "quantity_in",
        "unit_in",
        "purity",
        *MEASURED,
    ]
    fr = pd.DataFrame(vals, columns=cols)
    for c in MEASURED:  # a measured parameter (实测值) stays a column only where some row has it
        fr[c] = fr[c].astype(float)
        if fr[c].isna().all():
            fr = fr.drop(columns=[c])
    adj = db.execute(
        select(
            SubmissionAdjustment.id,
            SubmissionAdjustment.value_id,
            SubmissionAdjustment.quantity,
            SubmissionAdjustment.quantity_in,
            SubmissionAdjustment.unit_in,
        ).where(SubmissionAdjustment.version_id == ver.id)
    ).all()
    fr["adjusted"] = False
    if adj:
        a = pd.DataFrame(adj, columns=["id", "value_id", "quantity", "quantity_in", "unit_in"])
        a = a.sort_values("id").drop_duplicates("value_id", keep="last").set_index("value_id")
        hit = fr["value_id"].isin(a.index).to_numpy()
        if hit.any():
            ids = fr.loc[hit, "value_id"]
            fr.loc[hit, "quantity"] = a.loc[ids, "quantity"].to_numpy(dtype=float)
            fr.loc[hit, "quantity_in"] = a.loc[ids, "quantity_in"].to_numpy(dtype=float)
            fr.loc[hit, "unit_in"] = a.loc[ids, "unit_in"].to_numpy(dtype=object)
            fr.loc[hit, "adjusted"] = True
    fr.insert(2, "enterprise", credit)
    per = fr["period"].astype(str)
    fr.insert(5, "year", per.str[:4].astype(np.int64) if len(fr) else pd.Series([], dtype=np.int64))
    month = pd.to_numeric(per.str[5:7], errors="coerce") if len(fr) else pd.Series([], dtype=float)
    fr.insert(6, "month", month.astype(float))  # NaN: an annual figure
    fr["purity"] = fr["purity"].astype(float)
    fr["quantity"] = fr["quantity"].astype(float)
    fr["quantity_in"] = fr["quantity_in"].astype(float)
    return fr


# --- reads ------------------------------------------------------------------------------------


def _sub_dict(sub: Submission, ent: Enterprise, version_no: int | None, n_versions: int) -> dict[str, Any]:
    return {
        "id": sub.id,
        "enterprise_id": ent.id,
        "credit_code": ent.credit_code,
        "enterprise_name_zh": ent.name_zh,
        "enterprise_name_en": ent.name_en,
        "city_code": ent.city_code,
        "is_demo": ent.is_demo,
        "year": sub.year,
        "status": sub.status,
        "current_version_id": sub.current_version_id,
        "current_version_no": version_no,
        "versions": n_versions,
        "created_at": sub.created_at,
        "updated_at": sub.updated_at,
    }


def list_submissions(
    ctx: Context,
    *,
    enterprise_id: int | None = None,
    status: str | None = None,
    year: int | None = None,
) -> list[dict[str, Any]]:
    """Submissions in the caller's scope, newest change first."""
    n_ver = (
        select(SubmissionVersion.submission_id, func.count(SubmissionVersion.id).label("n"))
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    stmt = restrict(
        select(Submission, Enterprise, SubmissionVersion.version_no, n_ver.c.n)
        .join(Enterprise, Enterprise.id == Submission.enterprise_id)
        .outerjoin(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
        .outerjoin(n_ver, n_ver.c.submission_id == Submission.id),
        ctx.principal,
        Action.VIEW,
    )
    if enterprise_id is not None:
        stmt = stmt.where(Submission.enterprise_id == enterprise_id)
    if status:
        stmt = stmt.where(Submission.status == status)
    if year is not None:
        stmt = stmt.where(Submission.year == year)
    stmt = stmt.order_by(Submission.updated_at.desc(), Submission.id.desc())
    return [_sub_dict(s, e, no, int(n or 0)) for s, e, no, n in ctx.db.execute(stmt).all()]


def _ver_dict(v: SubmissionVersion, current_id: int | None) -> dict[str, Any]:
    return {
        "id": v.id,
        "submission_id": v.submission_id,
        "version_no": v.version_no,
        "source_file": v.source_file,
        "file_sha256": v.file_sha256,
        "row_count": v.row_count,
        "warnings": json.loads(v.warnings or "[]"),
        "note": v.note,
        "inventory_run_id": v.inventory_run_id,
        "created_at": v.created_at,
        "created_by": v.created_by,
        "is_current": v.id == current_id,
    }


def get_submission(ctx: Context, submission_id: int) -> dict[str, Any]:
    """One submission (scoped) with its versions and workflow steps."""
    sub = submission_or_404(ctx, submission_id)
    ent = ctx.db.get(Enterprise, sub.enterprise_id)
    assert ent is not None  # noqa: S101 — FK
    vers = list_versions(ctx, submission_id)
    cur = next((v["version_no"] for v in vers if v["is_current"]), None)
    out = _sub_dict(sub, ent, cur, len(vers))
    out["version_list"] = vers
    out["steps"] = [
        {
            "id": s.id,
            "version_id": s.version_id,
            "from": s.from_status,
            "to": s.to_status,
            "actor": s.actor,
            "role": s.role,
            "comment": s.comment,
            "at": s.created_at,
        }
        for s in sub.steps
    ]
    return out


def list_versions(ctx: Context, submission_id: int) -> list[dict[str, Any]]:
    """The versions of a submission, oldest first (scoped)."""
    sub = submission_or_404(ctx, submission_id)
    vers = ctx.db.execute(
        select(SubmissionVersion)
        .where(SubmissionVersion.submission_id == sub.id)
        .order_by(SubmissionVersion.version_no)
    ).scalars()
    return [_ver_dict(v, sub.current_version_id) for v in vers]


def _item_names() -> dict[str, tuple[str, str]]:
    from carbonpeak import refdata  # noqa: PLC0415

    return {
        str(r["id"]): (str(r["name_zh"]), str(r["name_en"])) for r in refdata.load_table("accounting/items")
    }


def version_values(ctx: Context, version_id: int) -> list[dict[str, Any]]:
    """The figures of a version as entered, with the effective (adjusted) quantity.

    ``measured``: the row's measured parameters (实测值; canonical units, only those given,
    ``{}`` where the defaults apply); ``evidence``: the evidence files attached to the
    figure's submission line (:mod:`carbonpeak.service.reporting.evidence`), listed where a
    value is measured so a reader sees whether the measurement is backed."""
    ver, sub = version_or_404(ctx, version_id)
    names = _item_names()
    files_of: dict[str, list[str]] = {}
    for line_code, filename in ctx.db.execute(
        select(Evidence.line_code, Evidence.filename)
        .where(Evidence.submission_id == sub.id)
        .order_by(Evidence.id)
    ).all():
        files_of.setdefault(str(line_code or ""), []).append(str(filename))
    latest: dict[int, SubmissionAdjustment] = {}
    for adj in ctx.db.execute(
        select(SubmissionAdjustment)
        .where(SubmissionAdjustment.version_id == ver.id)
        .order_by(SubmissionAdjustment.id)
    ).scalars():
        latest[adj.value_id] = adj
    out = []
    for v in ctx.db.execute(
        select(SubmissionValue).where(SubmissionValue.version_id == ver.id).order_by(SubmissionValue.id)
    ).scalars():
        a = latest.get(v.id)
        zh, en = names.get(v.item, (v.item, v.item))
        out.append(
            {
                "id": v.id,
                "line_code": v.line_code,
                "item": v.item,
                "item_name_zh": zh,
                "item_name_en": en,
                "period": v.period,
                "quantity": v.quantity,
                "unit": v.unit,
                "quantity_in": v.quantity_in,
                "unit_in": v.unit_in,
                "purity": v.purity,
                "measured": (
                    measured := {c: getattr(v, c) for c in MEASURED if getattr(v, c) is not None}
                ),
                "evidence": files_of.get(v.line_code or "", []) if measured else [],
                "sheet": v.sheet,
                "row": v.row,
                "col": v.col,
                "adjusted": a is not None,
                "effective_quantity": a.quantity if a is not None else v.quantity,
                "adjustment": None
                if a is None
                else {
                    "id": a.id,
                    "quantity": a.quantity,
                    "quantity_in": a.quantity_in,
                    "unit_in": a.unit_in,
                    "reason": a.reason,
                    "evidence_id": a.evidence_id,
                    "created_at": a.created_at,
                    "created_by": a.created_by,
                },
            }
        )
    return out


def diff_versions(ctx: Context, version_a: int, version_b: int) -> dict[str, Any]:
    """Figures added, removed and changed from version *a* to *b* (by line × item × month;
    quantities compared in the canonical unit, as entered — adjustments are not figures of
    a version). A figure whose measured parameters (实测值) differ is changed too; ``measured``
    (``measured_a``, ``measured_b``) names them (``ncv_gj=28.435;oxidation=0.93``, "" for
    none)."""
    va, sa = version_or_404(ctx, version_a)
    vb, sb = version_or_404(ctx, version_b)

    def frame(vid: int) -> pd.DataFrame:
        rows = ctx.db.execute(
            select(
                SubmissionValue.line_code,
                SubmissionValue.item,
                SubmissionValue.period,
                SubmissionValue.quantity,
                SubmissionValue.unit,
                SubmissionValue.quantity_in,
                SubmissionValue.unit_in,
                *(getattr(SubmissionValue, c) for c in MEASURED),
            ).where(SubmissionValue.version_id == vid)
        ).all()
        fr = pd.DataFrame(
            rows,
            columns=["line_code", "item", "period", "quantity", "unit", "quantity_in", "unit_in", *MEASURED],
        )
        fr["measured"] = [
            ";".join(f"{c}={float(v):.10g}" for c, v in zip(MEASURED, r, strict=True) if v is not None)
            for r in zip(*(fr[c].astype(object).where(fr[c].notna(), None) for c in MEASURED), strict=True)
        ]
        return fr.groupby(["line_code", "item", "period"], as_index=False).agg(
            quantity=("quantity", "sum"),
            unit=("unit", "first"),
            quantity_in=("quantity_in", "sum"),
            unit_in=("unit_in", "first"),
            measured=("measured", "first"),
        )

    a, b = frame(va.id), frame(vb.id)
    m = a.merge(b, on=["line_code", "item", "period"], how="outer", suffixes=("_a", "_b"), indicator=True)
    keys = ["line_code", "item", "period"]

    def recs(fr: pd.DataFrame, cols: list[str]) -> list[dict[str, Any]]:
        sub = fr[keys + cols].sort_values(keys)
        return [
            {str(k): (None if isinstance(x, float) and math.isnan(x) else x) for k, x in r.items()}
            for r in sub.astype(object).to_dict("records")
        ]

    added = m[m["_merge"] == "right_only"].rename(
        columns={
            "quantity_b": "quantity",
            "unit_b": "unit",
            "quantity_in_b": "quantity_in",
            "unit_in_b": "unit_in",
            "measured_b": "measured",
        }
    )
    removed = m[m["_merge"] == "left_only"].rename(
        columns={
            "quantity_a": "quantity",
            "unit_a": "unit",
            "quantity_in_a": "quantity_in",
            "unit_in_a": "unit_in",
            "measured_a": "measured",
        }
    )
    both = m[m["_merge"] == "both"]
    changed_mask = ~np.isclose(
        both["quantity_a"].to_numpy(dtype=float),
        both["quantity_b"].to_numpy(dtype=float),
        rtol=1e-12,
        atol=0.0,
    ) | (both["measured_a"].to_numpy(dtype=object) != both["measured_b"].to_numpy(dtype=object))
    changed = both[changed_mask].assign(
        delta=lambda d: d["quantity_b"].astype(float) - d["quantity_a"].astype(float)
    )
    value_cols = ["quantity", "unit", "quantity_in", "unit_in", "measured"]
    return {
        "a": {"version_id": va.id, "version_no": va.version_no, "submission_id": sa.id},
        "b": {"version_id": vb.id, "version_no": vb.version_no, "submission_id": sb.id},
        "added": recs(added, value_cols),
        "removed": recs(removed, value_cols),
        "changed": recs(
            changed,
            [
                "quantity_a",
                "quantity_b",
                "delta",
                "unit_a",
                "quantity_in_a",
                "unit_in_a",
                "quantity_in_b",
                "unit_in_b",
                "measured_a",
                "measured_b",
            ],
        ),
        "unchanged": int((~changed_mask).sum()),
    }


# --- exports ------------------------------------------------------------------------------

#: Columns of a submission export (key, zh, en); the first six are the activity CSV format,
#: so an exported CSV imports again as the same figures.
SUBMISSION_EXPORT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("enterprise", "统一社会信用代码", "Credit code"),
    ("period", "期间", "Period (YYYY-MM)"),
    ("item", "项目代码", "Item id"),
    ("quantity", "数量（填报）", "Quantity as entered"),
    ("unit", "单位（填报）", "Unit as entered"),
    ("line", "生产线代码", "Line code"),
    ("item_name_zh", "项目名称", "Item name (zh)"),
    ("item_name_en", "项目名称（英文）", "Item name (en)"),
    ("quantity_canonical", "数量（标准单位）", "Quantity in the canonical unit"),
    ("unit_canonical", "标准单位", "Canonical unit"),
    ("effective_quantity", "核定数量（标准单位）", "Effective (adjusted) quantity, canonical unit"),
    ("adjustment_reason", "核查调整原因", "Verifier's adjustment reason"),
    ("sheet", "来源工作表", "Source sheet"),
    ("source_row", "来源行", "Source row"),
    ("source_col", "来源列", "Source column"),
    # the row's measured parameters (实测值) in canonical units, named as the activity CSV's
    # optional columns so they import again (blank: the default)
    ("ncv", "实测低位发热量", "Measured NCV"),
    ("ncv_unit", "低位发热量单位", "NCV unit"),
    ("carbon_content", "实测含碳量", "Measured carbon content"),
    ("carbon_content_unit", "含碳量单位", "Carbon content unit"),
    ("oxidation", "实测碳氧化率", "Measured oxidation rate"),
)


def _measured_export(v: dict[str, Any]) -> tuple[Any, ...]:
    """A figure's measured parameters as export cells: NCV and unit, carbon content and unit,
    oxidation (blank where the default applies)."""
    m, unit = v["measured"], v["unit"]
    ncv = (m["ncv_gj"], f"GJ/{unit}") if "ncv_gj" in m else ("", "")
    if "cc_tc_per_tj" in m:
        cc: tuple[Any, Any] = (m["cc_tc_per_tj"], "tC/TJ")
    elif "cc_tc_per_unit" in m:
        cc = (m["cc_tc_per_unit"], f"tC/{unit}")
    else:
        cc = ("", "")
    return (*ncv, *cc, m.get("oxidation", ""))


def export_submission(
    ctx: Context, submission_id: int, fmt: str, version_no: int | None = None
) -> tuple[bytes, str, str]:
    """A version's figures (default: the current one) as xlsx or csv (scoped):
    (bytes, filename, media type). Text cells are neutralised against formula injection."""
    sub = submission_or_404(ctx, submission_id)
    ent = ctx.db.get(Enterprise, sub.enterprise_id)
    assert ent is not None  # noqa: S101 — FK
    if version_no is None:
        vid = sub.current_version_id
    else:
        vid = ctx.db.execute(
            select(SubmissionVersion.id).where(
                SubmissionVersion.submission_id == sub.id, SubmissionVersion.version_no == version_no
            )
        ).scalar_one_or_none()
    if vid is None:
        raise NotFound(object="submission version", key=f"{submission_id}/{version_no}")
    ver = ctx.db.get(SubmissionVersion, vid)
    assert ver is not None  # noqa: S101
    rows = [
        (
            ent.credit_code,
            v["period"],
            v["item"],
            v["quantity_in"],
            v["unit_in"],
            v["line_code"],
            v["item_name_zh"],
            v["item_name_en"],
            v["quantity"],
            v["unit"],
            v["effective_quantity"],
            v["adjustment"]["reason"] if v["adjustment"] else "",
            v["sheet"],
            v["row"],
            v["col"],
            *_measured_export(v),
        )
        for v in version_values(ctx, vid)
    ]
    meta = [
        ("企业 Enterprise", f"{ent.name_zh} {ent.name_en}".strip()),
        ("统一社会信用代码 Credit code", ent.credit_code),
        ("年份 Year", sub.year),
        ("状态 Status", sub.status),
        ("版本 Version", ver.version_no),
        ("来源文件 Source file", ver.source_file),
        ("SHA-256", ver.file_sha256),
        ("备注 Note", ver.note),
        ("导出时间 Exported at", audit.now_iso()),
    ]
    if ent.is_demo:
        meta.append(("说明 Note", "演示企业，数据为合成数据 / demo enterprise, synthetic data"))
    data, media = export_io.write_table(SUBMISSION_EXPORT_COLUMNS, rows, fmt, meta=meta)
    return data, f"submission-{ent.credit_code}-{sub.year}-v{ver.version_no}.{fmt}", media


def export_inventory(ctx: Context, run_id: int, fmt: str) -> tuple[bytes, str, str]:
    """An inventory run's lines as xlsx or csv (scoped): (bytes, filename, media type)."""
    run = inventory_service.get_run(ctx, run_id)
    cols: tuple[tuple[str, str, str], ...] = (
        ("line_no", "序号", "Line no."),
        ("line", "生产线", "Production line"),
        ("period", "期间", "Period"),
        ("item", "项目", "Item"),
        ("quantity", "数量", "Quantity (canonical unit)"),
        ("unit", "单位", "Unit"),
        ("quantity_in", "填报数量", "Quantity as entered"),
        ("unit_in", "填报单位", "Unit as entered"),
        ("category", "排放类别", "Source category"),
        ("co2_t", "CO2 (t)", "CO2 (t)"),
        ("co2_market_t", "CO2 市场法 (t)", "CO2 market-based (t)"),
        ("cf4_t", "CF4 (t)", "CF4 (t)"),
        ("c2f6_t", "C2F6 (t)", "C2F6 (t)"),
        ("co2e_t", "CO2e (t)", "CO2e (t)"),
        ("energy_tce", "综合能耗 当量值 (tce)", "Energy, calorific (tce)"),
        ("energy_tce_equal_value", "综合能耗 等价值 (tce)", "Energy, equivalent value (tce)"),
        ("factor_ids", "因子来源", "Factor row ids"),
    )
    rows = [tuple(ln.get(k) for k, _zh, _en in cols) for ln in run["lines"]]
    meta = [
        ("统一社会信用代码 Credit code", run["credit_code"]),
        ("核算方法 Method", f"{run['method']} ({run['method_version']})"),
        ("因子集 Factor set", run["factor_set"]),
        ("GWP", run["gwp_set"]),
        ("电网因子 Grid series", f"{run['grid_series']} / {run['grid_region']}"),
        ("来源 Source", run["source_file"]),
        ("状态 Status", run["status"]),
        ("计算时间 Computed at", run["created_at"]),
    ]
    data, media = export_io.write_table(cols, rows, fmt, meta=meta)
    return data, f"inventory-{run['credit_code']}-run{run_id}.{fmt}", media
