"""Data intake through the service: template → fill → import → versions, diffs, warnings,
the 12-error workbook (store unchanged), scope and locking. Runs on SQLite and, with
``CARBONPEAK_DATABASE_URL`` set to PostgreSQL, on PostgreSQL."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from carbonpeak.errors import Conflict, InputError, NotFound, PermissionDenied
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.reporting import intake
from carbonpeak.store import facts
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import AuditEvent, InventoryRun, Submission, SubmissionAdjustment
from tests.intake_support import (
    GOOD_ROWS,
    LOUDI_SB,
    PBZN,
    ctx_for,
    dump_store,
    enterprise_id,
    fill,
    steady,
)


@pytest.fixture
def db(demo_url: str):  # type: ignore[no-untyped-def]
    with sessionmaker_for(demo_url)() as session:
        yield session


def _template(db, user: str = "ent-hengyang-pbzn", year: int = 2030, code: str = PBZN) -> bytes:  # type: ignore[no-untyped-def]
    data, name = intake.template_workbook(ctx_for(db, user), enterprise_id(db, code), year)
    assert name == f"template-{code}-{year}.xlsx"
    return data


def test_template_fill_import_inventory_versions_and_diff(db) -> None:  # type: ignore[no-untyped-def]
    ctx = ctx_for(db, "ent-hengyang-pbzn")
    data = fill(_template(db), GOOD_ROWS)
    out = intake.import_submission(ctx, data, "pbzn-2030.xlsx", note="first")
    assert (out.version_no, out.year, out.rows, out.warnings) == (1, 2030, 72, [])
    run = db.get(InventoryRun, out.inventory_run_id)
    assert run is not None and run.status == "current"
    assert run.source_file.startswith(f"submission {out.submission_id} v1")
    assert run.year == 2030 and run.version_id == out.version_id
    assert facts.run_totals(db, [run.id])[run.id]["co2e_t"] > 0
    # electricity entered in 万kWh is stored in MWh (1 万kWh = 10 MWh)
    vals = intake.version_values(ctx, out.version_id)
    elec = [v for v in vals if v["item"] == "electricity_purchased"]
    assert len(elec) == 12
    assert elec[0]["unit_in"] == "万kWh" and elec[0]["unit"] == "MWh"
    assert elec[0]["quantity"] == pytest.approx(elec[0]["quantity_in"] * 10)
    assert elec[0]["sheet"] == "数据 Data" and elec[0]["row"] == 5 and elec[0]["col"] == "D"
    heat = [v for v in vals if v["item"] == "heat_purchased"]
    assert {v["line_code"] for v in heat} == {""}

    # version 2 changes one figure, drops one row, adds one
    rows2 = [list(r) for r in GOOD_ROWS]
    rows2[0][3] = [*steady(800.0)[:2], 999.0, *steady(800.0)[3:]]
    rows2.pop(4)  # product output of L02
    rows2.append(("L02", "天然气", "万Nm³", steady(30.0)))
    out2 = intake.import_submission(ctx, fill(_template(db), [tuple(r) for r in rows2]), "v2.xlsx")  # type: ignore[misc]
    assert out2.version_no == 2 and out2.submission_id == out.submission_id
    # version 1 stays readable, its run superseded by version 2's
    assert len(intake.version_values(ctx, out.version_id)) == 72
    db.expire_all()
    assert db.get(InventoryRun, out.inventory_run_id).superseded_by == out2.inventory_run_id
    versions = intake.list_versions(ctx, out.submission_id)
    assert [(v["version_no"], v["is_current"], v["note"]) for v in versions] == [
        (1, False, "first"),
        (2, True, ""),
    ]
    d = intake.diff_versions(ctx, out.version_id, out2.version_id)
    assert [(c["line_code"], c["item"], c["period"]) for c in d["changed"]] == [
        ("L01", "bituminous_coal", "2030-03")
    ]
    assert d["changed"][0]["quantity_b"] == 999.0
    assert {(r["item"], r["line_code"]) for r in d["added"]} == {("natural_gas", "L02")}
    assert len(d["added"]) == 12
    assert {(r["item"], r["line_code"]) for r in d["removed"]} == {("product_output", "L02")}
    assert d["unchanged"] == 72 - 12 - 1
    # one audit event per accepted version, not per figure
    events = db.execute(select(AuditEvent).where(AuditEvent.action == "submission.import")).scalars().all()
    assert len(events) == 2
    assert json.loads(events[0].after)["rows"] == 72
    sub = intake.get_submission(ctx, out.submission_id)
    assert sub["status"] == "draft" and sub["current_version_no"] == 2 and sub["versions"] == 2


def test_csv_import_and_export_round_trip(db) -> None:  # type: ignore[no-untyped-def]
    ctx = ctx_for(db, "ent-hengyang-pbzn")
    out = intake.import_submission(ctx, fill(_template(db), GOOD_ROWS), "a.xlsx")
    csv_bytes, name, media = intake.export_submission(ctx, out.submission_id, "csv")
    assert name.endswith(".csv") and media.startswith("text/csv")
    with pytest.raises(InputError) as err:
        intake.import_submission(ctx, csv_bytes, name, year=2029)
    assert [(p.code, p.row, p.column) for p in err.value.problems] == [("intake_wrong_year", 2, "B")]
    again = intake.import_submission(ctx, csv_bytes, name)
    assert again.version_no == 2
    d = intake.diff_versions(ctx, out.version_id, again.version_id)
    assert d["added"] == d["removed"] == d["changed"] == [] and d["unchanged"] == 72
    xlsx, name, _m = intake.export_submission(ctx, out.submission_id, "xlsx", version_no=1)
    ws = load_workbook(io.BytesIO(xlsx))["数据 Data"]
    assert [c.value for c in ws[1]][:6] == ["enterprise", "period", "item", "quantity", "unit", "line"]
    assert ws.max_row == 73
    inv, name, _m = intake.export_inventory(ctx, out.inventory_run_id or 0, "xlsx")
    assert name.startswith(f"inventory-{PBZN}")
    assert load_workbook(io.BytesIO(inv))["数据 Data"].max_row == 73


def twelve_error_workbook(template: bytes) -> bytes:
    """A filled template with twelve different errors (and one good row)."""
    good = steady(800.0)
    rows = [
        ("L01", "烟煤", "t", good),  # row 3: fine
        ("L01", "不存在的燃料", "t", good),  # 4: unknown item
        ("L01", "天然气", "桶", good),  # 5: unknown unit
        ("L01", "购入电力", "t", good),  # 6: unit of the wrong dimension
        ("L02", "烟煤", "t", [*good[:2], -5, *good[3:]]),  # 7: negative (F7)
        ("L02", "天然气", "万Nm³", [*good[:3], "abc", *good[4:]]),  # 8: not a number (G8)
        ("L02", "购入电力", "MWh", [*good[:4], None, *good[5:]]),  # 9: month missing (H9)
        ("L01", "烟煤", "t", good),  # 10: duplicate of row 3
        ("L99", "柴油", "t", good),  # 11: unknown line
        ("L03", "烟煤", "", good),  # 12: unit missing
        ("L03", "天然气", "万Nm³", [*good[:5], "1e999", *good[6:]]),  # 13: not finite (I13)
    ]
    data = fill(template, rows, info={"填报年份": "二〇三〇"})  # bad year (info C4)
    wb = load_workbook(io.BytesIO(data))
    ws = wb["数据 Data"]
    ws["O1"].value = "十二月?"  # the December column is gone
    ws["O2"].value = None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


TWELVE = {
    ("intake_bad_year", "信息 Info", 4, "C"),
    ("intake_missing_column", "数据 Data", 1, "O"),
    ("intake_unknown_item", "数据 Data", 4, "B"),
    ("intake_unknown_unit", "数据 Data", 5, "C"),
    ("intake_wrong_dimension", "数据 Data", 6, "C"),
    ("intake_negative", "数据 Data", 7, "F"),
    ("intake_not_a_number", "数据 Data", 8, "G"),
    ("intake_month_missing", "数据 Data", 9, "H"),
    ("intake_duplicate_row", "数据 Data", 10, "B"),
    ("intake_unknown_line", "数据 Data", 11, "A"),
    ("intake_required", "数据 Data", 12, "C"),
    ("intake_not_finite", "数据 Data", 13, "I"),
}


def test_twelve_errors_all_listed_and_store_unchanged(db, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    ctx = ctx_for(db, "ent-hengyang-pbzn")
    bad = twelve_error_workbook(_template(db))
    db.commit()
    before = dump_store(demo_url)
    with pytest.raises(InputError) as err:
        intake.import_submission(ctx, bad, "twelve.xlsx")
    problems = err.value.problems
    assert {(p.code, p.sheet, p.row, p.column) for p in problems} == TWELVE
    assert len(problems) == 12
    assert err.value.code == "input_invalid" and err.value.fields["count"] == 12
    for p in problems:
        assert p.file == "twelve.xlsx"
        assert p.message_zh and p.message_en and p.message_zh != p.message_en
        assert "{" not in p.message_zh + p.message_en, (p.code, p.message_zh, p.message_en)
    assert dump_store(demo_url) == before
    # the marked copy shows the same twelve
    marked = load_workbook(io.BytesIO(intake.marked_workbook(bad, "twelve.xlsx", problems)))
    assert marked.sheetnames[0] == "问题 Problems"
    assert marked["问题 Problems"].max_row == 13
    cell = marked["数据 Data"]["F7"]
    assert cell.fill.fgColor.rgb.endswith("FF9999")
    assert cell.comment is not None and "负" in cell.comment.text and "negative" in cell.comment.text
    assert marked["信息 Info"]["C4"].comment is not None


def test_plausibility_warning_needs_acknowledgement(db, demo_url: str) -> None:  # type: ignore[no-untyped-def]
    ctx = ctx_for(db, "ent-hengyang-pbzn")
    base = fill(_template(db, year=2030), GOOD_ROWS)
    first = intake.import_submission(ctx, base, "2030.xlsx")
    assert first.warnings == []
    # 2031: the same figures, but March coal ten times last year's March
    rows = [list(r) for r in GOOD_ROWS]
    months = list(rows[0][3])
    months[2] = months[2] * 10
    rows[0][3] = months
    data = fill(_template(db, year=2031), [tuple(r) for r in rows])  # type: ignore[misc]
    db.commit()
    before = dump_store(demo_url)
    with pytest.raises(intake.WarningsNotAcknowledged) as err:
        intake.import_submission(ctx, data, "2031.xlsx")
    assert err.value.code == "intake_warnings_unacknowledged"
    last_year = [w for w in err.value.problems if w.code == "intake_warn_last_year"]
    assert [(w.row, w.column) for w in last_year] == [(3, "F")]
    assert last_year[0].fields["ratio"] == "10.00"
    assert "去年同月" in last_year[0].message_zh and "last year" in last_year[0].message_en
    assert {w.code for w in err.value.problems} == {"intake_warn_last_year", "intake_warn_year_average"}
    assert dump_store(demo_url) == before
    out = intake.import_submission(ctx, data, "2031.xlsx", acknowledge_warnings=True)
    assert {(w.code, w.row, w.column) for w in out.warnings} >= {("intake_warn_last_year", 3, "F")}
    stored = intake.list_versions(ctx, out.submission_id)[0]["warnings"]
    assert {(w["code"], w["row"], w["column"]) for w in stored} == {
        (w.code, w.row, w.column) for w in out.warnings
    }
    assert all(w["message_zh"] and w["message_en"] for w in stored)


def test_warning_against_the_demo_inventory_of_last_year(db) -> None:  # type: ignore[no-untyped-def]
    """No submission for 2025: last year's months come from the demo inventory run."""
    ctx = ctx_for(db, "ent-hengyang-pbzn")
    data = fill(_template(db, year=2026), [("L01", "烟煤", "t", [8000.0] * 12)])
    with pytest.raises(intake.WarningsNotAcknowledged) as err:
        intake.import_submission(ctx, data, "2026.xlsx")
    assert {w.code for w in err.value.problems} == {"intake_warn_last_year"}
    assert len(err.value.problems) == 12


def test_locked_after_submission_and_open_again_when_returned(db) -> None:  # type: ignore[no-untyped-def]
    ctx = ctx_for(db, "ent-hengyang-pbzn")
    data = fill(_template(db), GOOD_ROWS)
    out = intake.import_submission(ctx, data, "a.xlsx")
    sub = db.get(Submission, out.submission_id)
    other = fill(_template(db), GOOD_ROWS, info={"企业名称": "a new file"})  # identical: "unchanged"
    for status in ("submitted", "under_verification", "verified", "approved"):
        sub.status = status
        db.commit()
        with pytest.raises(Conflict) as err:
            intake.import_submission(ctx, other, "a.xlsx")
        assert err.value.code == "intake_submission_locked"
        assert status in err.value.message_zh and status in err.value.message_en
    sub.status = "returned"
    db.commit()
    assert intake.import_submission(ctx, other, "a.xlsx").version_no == 2


def test_scope_of_imports_and_reads(db) -> None:  # type: ignore[no-untyped-def]
    data = fill(_template(db), GOOD_ROWS)
    for user in ("verifier", "public"):
        with pytest.raises(PermissionDenied):
            intake.import_submission(ctx_for(db, user), data, "a.xlsx")
    for user in ("ent-loudi-sb", "city-changsha"):
        with pytest.raises(InputError) as err:
            intake.import_submission(ctx_for(db, user), data, "a.xlsx")
        assert [p.code for p in err.value.problems] == ["intake_unknown_enterprise"]
    out = intake.import_submission(ctx_for(db, "city-hengyang"), data, "a.xlsx")
    for user in ("province", "city-hengyang", "ent-hengyang-pbzn", "verifier"):
        c = ctx_for(db, user)
        assert [s["id"] for s in intake.list_submissions(c, year=2030)] == [out.submission_id]
        assert intake.get_submission(c, out.submission_id)["year"] == 2030
        assert len(intake.version_values(c, out.version_id)) == 72
    for user in ("ent-loudi-sb", "city-changsha", "public"):
        c = ctx_for(db, user)
        assert intake.list_submissions(c, year=2030) == []
        for call in (
            lambda c=c: intake.get_submission(c, out.submission_id),
            lambda c=c: intake.version_values(c, out.version_id),
            lambda c=c: intake.diff_versions(c, out.version_id, out.version_id),
            lambda c=c: intake.export_submission(c, out.submission_id, "csv"),
            lambda c=c: intake.effective_frame(c, out.version_id),
        ):
            with pytest.raises(NotFound):
                call()
    # a file for another enterprise than the page's, and another year
    c = ctx_for(db, "province")
    with pytest.raises(InputError) as err:
        intake.import_submission(c, data, "a.xlsx", enterprise_id=enterprise_id(db, LOUDI_SB), year=2029)
    assert {p.code for p in err.value.problems} == {"intake_wrong_enterprise", "intake_wrong_year"}
    with pytest.raises(InputError) as err:
        intake.import_submission(c, data, "a.xlsx", enterprise_id=enterprise_id(db, PBZN), year=2029)
    assert {p.code for p in err.value.problems} == {"intake_wrong_year"}
    # the template needs VIEW scope
    with pytest.raises(NotFound):
        intake.template_workbook(ctx_for(db, "ent-loudi-sb"), enterprise_id(db, PBZN), 2030)


def test_effective_frame_applies_the_latest_adjustment(db) -> None:  # type: ignore[no-untyped-def]
    ctx = ctx_for(db, "ent-hengyang-pbzn")
    out = intake.import_submission(ctx, fill(_template(db), GOOD_ROWS), "a.xlsx")
    vals = intake.version_values(ctx, out.version_id)
    target = vals[0]
    for q in (111.0, 222.0):
        db.add(
            SubmissionAdjustment(
                version_id=out.version_id,
                value_id=target["id"],
                quantity=q,
                quantity_in=q,
                unit_in="t",
                reason="meter reading / 电表读数",
                created_at="2030-01-01T00:00:00Z",
                created_by="verifier",
            )
        )
    db.commit()
    fr = intake.effective_frame(ctx, out.version_id)
    row = fr[fr["value_id"] == target["id"]].iloc[0]
    assert row["quantity"] == 222.0 and bool(row["adjusted"])
    assert fr["adjusted"].sum() == 1
    assert list(fr.columns[:9]) == [
        "value_id",
        "row",
        "enterprise",
        "line",
        "period",
        "year",
        "month",
        "item",
        "quantity",
    ]
    run_id = intake.compute_inventory(Context(db=db, principal=SYSTEM), out.version_id)
    db.commit()
    run = db.get(InventoryRun, run_id)
    coal = [ln for ln in run.lines if ln.item == "bituminous_coal" and ln.line_code == "L01"]
    assert sorted(ln.quantity for ln in coal)[-1] == pytest.approx(max(222.0, *steady(800.0)))
    assert 222.0 in [ln.quantity for ln in coal]
    assert db.get(InventoryRun, out.inventory_run_id).superseded_by == run_id
    assert intake.version_values(ctx, out.version_id)[0]["effective_quantity"] == 222.0
