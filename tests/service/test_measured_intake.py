"""Measured parameters (实测值) through the reporting workbook (issue 12, item 1): the template's
optional columns (measured NCV and unit, carbon content and unit, oxidation rate) are read by
the intake, stored with the version's figures, used when the version is computed, kept on
recompute, shown in the version's figures with the line's evidence, and refused with located
errors. Runs on SQLite and, with ``CARBONPEAK_DATABASE_URL`` set to PostgreSQL, on PostgreSQL.

Acceptance figure (issue 12): 1 000 t coke (焦炭) at 28.435 GJ/t, 29.5 tC/TJ and oxidation
0.93 → 1 000 × 28.435 × 29.5 ÷ 1 000 × 0.93 × 44/12 = 2 860.4 tCO2. The 2015 其他有色
guideline's defaults for 焦炭 (its Table A, refdata ``accounting/fuels``) are 28.447 GJ/t, 29.50
tC/TJ and 0.93 (2 861.6 tCO2): the measured NCV is used, and measured values equal to the
defaults change nothing.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from carbonpeak.errors import InputError
from carbonpeak.io.activity import ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL
from carbonpeak.io.tabular import read_rows
from carbonpeak.io.template import COLUMNS, FIRST_DATA_ROW, MEASURED_KEYS, SHEET_DATA
from carbonpeak.service.inventories import inventory as inventory_service
from carbonpeak.service.inventories.inventory_write import recompute_all
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.reporting import evidence, intake
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import InventoryLine, InventoryRun, SubmissionVersion
from tests.intake_support import PBZN, ctx_for, enterprise_id, fill

USER = "ent-hengyang-pbzn"
#: 1 000 t a year, spread over the months
COKE_MONTHS = [80.0] * 11 + [120.0]
ACCEPTANCE_T = 1000 * 28.435 * 29.5 / 1000 * 0.93 * 44 / 12  # 2 860.4 tCO2
DEFAULT_NCV = 28.447  # GJ/t, 焦炭 in Table A of the 2015 其他有色 guideline
DEFAULT_T = 1000 * DEFAULT_NCV * 29.5 / 1000 * 0.93 * 44 / 12  # 2 861.6 tCO2
COL = {c.key: i for i, c in enumerate(COLUMNS, start=1)}


@pytest.fixture
def db(demo_url: str):  # type: ignore[no-untyped-def]
    with sessionmaker_for(demo_url)() as session:
        yield session


def _workbook(db, measured: Mapping[str, Any] | None, rows=None) -> bytes:  # type: ignore[no-untyped-def]
    """The template filled with coke on L01 (and *rows*), the measured cells of its row set."""
    data, _name = intake.template_workbook(ctx_for(db, USER), enterprise_id(db, PBZN), 2030)
    data = fill(data, rows or [("L01", "焦炭", "t", COKE_MONTHS)])
    wb = load_workbook(io.BytesIO(data))
    ws = wb[SHEET_DATA]
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        for k in MEASURED_KEYS:
            ws.cell(r, COL[k]).value = None
    for k, v in (measured or {}).items():
        ws.cell(FIRST_DATA_ROW, COL[k]).value = v
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


MEASURED = {
    "ncv": 28.435,
    "ncv_unit": "GJ/t",
    "carbon_content": 29.5,
    "carbon_content_unit": "tC/TJ",
    "oxidation": 0.93,
}


def _coke_co2(db, run_id: int) -> float:  # type: ignore[no-untyped-def]
    return float(
        db.execute(
            select(func.sum(InventoryLine.co2_t)).where(
                InventoryLine.run_id == run_id, InventoryLine.item == "coke"
            )
        ).scalar_one()
    )


def test_template_has_the_measured_columns(db) -> None:  # type: ignore[no-untyped-def]
    data, _name = intake.template_workbook(ctx_for(db, USER), enterprise_id(db, PBZN), 2030)
    ws = load_workbook(io.BytesIO(data))[SHEET_DATA]
    zh = [ws.cell(1, COL[k]).value for k in MEASURED_KEYS]
    en = [ws.cell(2, COL[k]).value for k in MEASURED_KEYS]
    assert zh == ["实测低位发热量", "低位发热量单位", "实测单位热值含碳量", "含碳量单位", "实测碳氧化率"]
    assert en[0] == "Measured NCV"
    assert ws.cell(FIRST_DATA_ROW, COL["ncv"]).protection.locked is False  # an input cell


def test_measured_coke_import_compute_recompute(db) -> None:  # type: ignore[no-untyped-def]
    ctx = ctx_for(db, USER)
    out = intake.import_submission(ctx, _workbook(db, MEASURED), "coke.xlsx", acknowledge_warnings=True)
    assert out.inventory_run_id is not None
    assert _coke_co2(db, out.inventory_run_id) == pytest.approx(2860.4, abs=0.05)  # the figure
    assert _coke_co2(db, out.inventory_run_id) == pytest.approx(ACCEPTANCE_T, rel=1e-9)
    # stored with the figures, shown in the version's figures
    vals = intake.version_values(ctx, out.version_id)
    assert len(vals) == 12
    assert vals[0]["measured"] == {"ncv_gj": 28.435, "cc_tc_per_tj": 29.5, "oxidation": 0.93}
    assert vals[0]["evidence"] == []
    # the stored line cites the measured values
    fids = db.execute(
        select(InventoryLine.factor_ids).where(InventoryLine.run_id == out.inventory_run_id).limit(1)
    ).scalar_one()
    assert "measured#ncv_gj=28.435" in fids and "measured#oxidation=0.93" in fids

    # computing the version again (as on verification) reads them back from the figures
    sys_ctx = Context(db=db, principal=SYSTEM, request_id="test")
    run2 = intake.compute_inventory(sys_ctx, out.version_id)
    assert _coke_co2(db, run2) == pytest.approx(ACCEPTANCE_T, abs=0.05)

    # evidence attached to the line: the figures and the explanation name it
    evidence.add_evidence(sys_ctx, out.submission_id, b"%PDF-1.4\n%test\n", "lab-coke.pdf", line_code="L01")
    vals = intake.version_values(ctx, out.version_id)
    assert vals[0]["evidence"] == ["lab-coke.pdf"]
    line_no = db.execute(
        select(func.min(InventoryLine.line_no)).where(InventoryLine.run_id == run2)
    ).scalar_one()
    exp = inventory_service.explain(sys_ctx, run2, int(line_no))
    measured = [p for p in exp.parameters if p.basis == "measured"]
    assert {p.name for p in measured} == {"ncv_gj", "cc_tc_per_tj", "oxidation"}
    assert all(p.basis_en.endswith("(evidence: lab-coke.pdf)") for p in measured)
    assert all("lab-coke.pdf" in p.basis_zh for p in measured)

    # recompute keeps the measured values (restored from the lines' factor_ids)
    db.commit()
    summary = recompute_all(sys_ctx)
    assert summary.runs >= 1
    db.expire_all()
    ver = db.get(SubmissionVersion, out.version_id)
    assert ver is not None and ver.inventory_run_id not in (None, run2)
    run3 = db.get(InventoryRun, ver.inventory_run_id)
    assert run3 is not None and run3.status == "current"
    assert _coke_co2(db, run3.id) == pytest.approx(ACCEPTANCE_T, abs=0.05)


@pytest.mark.parametrize(
    ("measured", "factor"),
    [
        (None, 1.0),  # the defaults
        ({"ncv": DEFAULT_NCV, "ncv_unit": "GJ/t"}, 1.0),  # a measured value equal to the default
        ({"carbon_content": 29.5, "carbon_content_unit": "kgC/GJ"}, 1.0),
        ({"oxidation": "93%"}, 1.0),  # as a percentage
        ({"ncv": DEFAULT_NCV * 1000, "ncv_unit": "MJ/t"}, 1.0),  # in another unit
        ({"ncv": 2 * DEFAULT_NCV, "ncv_unit": "GJ/t"}, 2.0),  # a measured value is used
        # per mass: tC per kg of coke, converted with the (default) NCV
        ({"carbon_content": 29.5 * DEFAULT_NCV / 1e6 * 1.5, "carbon_content_unit": "tC/kg"}, 1.5),
        ({"oxidation": 0.465}, 0.5),
    ],
)
def test_measured_values_against_the_defaults(db, measured, factor) -> None:  # type: ignore[no-untyped-def]
    out = intake.import_submission(
        ctx_for(db, USER), _workbook(db, measured), "coke.xlsx", acknowledge_warnings=True
    )
    assert out.inventory_run_id is not None
    assert _coke_co2(db, out.inventory_run_id) == pytest.approx(DEFAULT_T * factor, rel=1e-9)


def test_bad_measured_values_are_located(db) -> None:  # type: ignore[no-untyped-def]
    letters = {k: chr(64 + COL[k]) for k in MEASURED_KEYS}

    def problems(measured: Mapping[str, Any], rows_=None) -> list[tuple[str, int | None, str | None]]:  # type: ignore[no-untyped-def]
        with pytest.raises(InputError) as err:
            intake.import_submission(
                ctx_for(db, USER), _workbook(db, measured, rows_), "bad.xlsx", acknowledge_warnings=True
            )
        ps = list(err.value.problems)
        for p in ps:
            assert p.sheet == SHEET_DATA and p.message_zh and p.message_en
        return [(p.code, p.row, p.column) for p in ps]

    assert problems({"ncv": "abc", "ncv_unit": "GJ/t"}) == [("not_a_number", 3, letters["ncv"])]
    assert problems({"ncv": "26,5", "ncv_unit": "GJ/t"}) == [("not_a_number", 3, letters["ncv"])]
    assert problems({"ncv": 28.4}) == [("required", 3, letters["ncv_unit"])]
    assert problems({"ncv": 28.4, "ncv_unit": "tC/TJ"}) == [("wrong_dimension", 3, letters["ncv_unit"])]
    assert problems({"oxidation": 1.5}) == [("out_of_range", 3, letters["oxidation"])]
    assert problems({"carbon_content": -1, "carbon_content_unit": "tC/TJ"}) == [
        ("out_of_range", 3, letters["carbon_content"])
    ]
    # a fuel parameter on a line that is not a fuel
    elec = [("L01", "购入电力", "MWh", [100.0] * 12)]
    assert problems({"ncv": 28.4, "ncv_unit": "GJ/MWh"}, elec) == [
        ("measured_not_applicable", 3, letters["ncv"])
    ]
    # the messages name the column by its headers (zh and en)
    with pytest.raises(InputError) as err:
        intake.import_submission(ctx_for(db, USER), _workbook(db, {"ncv": 28.4}), "bad.xlsx")
    (p,) = err.value.problems
    assert "低位发热量单位" in p.message_zh and "NCV unit" in p.message_en


def test_export_and_csv_reimport_keep_the_measured_values(db) -> None:  # type: ignore[no-untyped-def]
    """A submission export carries the measured values as the activity CSV's columns, so the
    exported CSV imports again as the same figures and the same CO2."""
    ctx = ctx_for(db, USER)
    first = intake.import_submission(ctx, _workbook(db, MEASURED), "coke.xlsx", acknowledge_warnings=True)
    csv_bytes, name, _media = intake.export_submission(ctx, first.submission_id, "csv")
    again = intake.import_submission(ctx, csv_bytes, name, acknowledge_warnings=True)
    assert again.version_no == 2 and again.inventory_run_id is not None
    vals = intake.version_values(ctx, again.version_id)
    assert vals[0]["measured"] == pytest.approx({"ncv_gj": 28.435, "cc_tc_per_tj": 29.5, "oxidation": 0.93})
    assert _coke_co2(db, again.inventory_run_id) == pytest.approx(ACCEPTANCE_T, rel=1e-9)


def test_diff_shows_a_changed_measured_value(db) -> None:  # type: ignore[no-untyped-def]
    ctx = ctx_for(db, USER)
    a = intake.import_submission(ctx, _workbook(db, None), "a.xlsx", acknowledge_warnings=True)
    b = intake.import_submission(ctx, _workbook(db, {"oxidation": 0.9}), "b.xlsx", acknowledge_warnings=True)
    d = intake.diff_versions(ctx, a.version_id, b.version_id)
    assert d["unchanged"] == 0 and len(d["changed"]) == 12
    assert (d["changed"][0]["measured_a"], d["changed"][0]["measured_b"]) == ("", "oxidation=0.9")
    assert d["changed"][0]["delta"] == 0.0


def test_a_measured_value_far_from_the_default_is_a_warning(db) -> None:  # type: ignore[no-untyped-def]
    """More than FAR_FROM_DEFAULT (2) times off the default: a plausibility warning at the cell
    (once for the row), stored once acknowledged."""
    ctx = ctx_for(db, USER)
    data = _workbook(db, {"ncv": 284.47, "ncv_unit": "GJ/t"})  # a slipped decimal point
    with pytest.raises(intake.WarningsNotAcknowledged) as err:
        intake.import_submission(ctx, data, "far.xlsx")
    far = [w for w in err.value.problems if w.code == "measured_far_from_default"]
    assert [(w.row, w.column, w.sheet) for w in far] == [(3, chr(64 + COL["ncv"]), SHEET_DATA)]
    assert "实测低位发热量" in far[0].message_zh and "Measured NCV" in far[0].message_en
    out = intake.import_submission(ctx, data, "far.xlsx", acknowledge_warnings=True)
    assert _coke_co2(db, out.inventory_run_id or 0) == pytest.approx(DEFAULT_T * 10, rel=1e-9)


def test_bulk_loaded_version_computed_again_from_its_figures(db) -> None:  # type: ignore[no-untyped-def]
    """An activity file stored by the bulk path keeps its measured values with its figures, so
    computing the version again from them (as on verification) gives the same CO2."""
    head = (
        "enterprise,period,item,quantity,unit,line,"
        "ncv,ncv_unit,carbon_content,carbon_content_unit,oxidation\n"
    )
    text = head + f"{PBZN},2031,coke,1000,t,L01,28.435,GJ/t,29.5,tC/TJ,0.93\n"
    t = read_rows(text.encode(), "a.csv", ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
    sys_ctx = Context(db=db, principal=SYSTEM, request_id="test")
    (run_id,) = inventory_service.store_table(sys_ctx, t, method="other_nonferrous_2015").run_ids
    run = db.get(InventoryRun, run_id)
    assert run is not None and run.version_id is not None
    vals = intake.version_values(sys_ctx, run.version_id)
    assert vals[0]["measured"] == pytest.approx({"ncv_gj": 28.435, "cc_tc_per_tj": 29.5, "oxidation": 0.93})
    again = intake.compute_inventory(sys_ctx, run.version_id)
    assert _coke_co2(db, again) == pytest.approx(ACCEPTANCE_T, rel=1e-9)
