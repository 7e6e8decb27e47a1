"""Hypothesis: any generated workbook either imports and round-trips through the export to
the same figures, or is rejected with at least one located problem — never another
exception. Clean workbooks must import; workbooks with an injected fault must not."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from carbonpeak import units
from carbonpeak.errors import InputError
from carbonpeak.io.template import UNIT_CHOICES
from carbonpeak.service.reporting import intake
from carbonpeak.store.db import sessionmaker_for
from tests.intake_support import PBZN, ctx_for, enterprise_id, fill

#: item (as written) -> dimension key
ITEMS = {
    "烟煤": "mass",
    "Natural gas": "volume",
    "electricity_purchased": "energy",
    "购入热力": "energy",
    "柴油": "mass",
    "产品产量": "mass",
    "工业增加值": "money",
    "焦炭（还原剂）": "mass",
}
ITEM_IDS = {
    "烟煤": "bituminous_coal",
    "Natural gas": "natural_gas",
    "electricity_purchased": "electricity_purchased",
    "购入热力": "heat_purchased",
    "柴油": "diesel",
    "产品产量": "product_output",
    "工业增加值": "value_added",
    "焦炭（还原剂）": "reductant_coke",
}
LINES = ("L01", "L02", "L03", "")
FAULTS = (
    "unknown_item",
    "unknown_unit",
    "wrong_dimension",
    "negative",
    "text",
    "blank_month",
    "unknown_line",
    "duplicate",
    "bool",
)

#: A spreadsheet holds a number to 15 significant digits (Excel's precision), so figures are
#: generated at that precision: the round trip is exact for what a workbook can hold.
value = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False).map(
    lambda x: float(f"{x:.15g}")
)


@st.composite
def clean_rows(draw: st.DrawFn) -> list[tuple[str, str, str, list[Any]]]:
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(LINES), st.sampled_from(sorted(ITEMS))),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    rows = []
    for line, item in keys:
        unit = draw(st.sampled_from(UNIT_CHOICES[ITEMS[item]]))
        rows.append((line, item, unit, draw(st.lists(value, min_size=12, max_size=12))))
    return rows


@st.composite
def workbook_rows(draw: st.DrawFn) -> tuple[list[tuple[str, str, str, list[Any]]], str | None]:
    rows = draw(clean_rows())
    fault = draw(st.one_of(st.none(), st.sampled_from(FAULTS)))
    if fault is None:
        return rows, None
    i = draw(st.integers(0, len(rows) - 1))
    line, item, unit, months = rows[i]
    m = draw(st.integers(0, 11))
    months = list(months)
    if fault == "unknown_item":
        item = draw(st.sampled_from(["铂金", "unobtainium", "12345"]))
    elif fault == "unknown_unit":
        unit = draw(st.sampled_from(["桶", "furlong", "kg/"]))
    elif fault == "wrong_dimension":
        other = next(k for k in UNIT_CHOICES if k != ITEMS[item])
        unit = draw(st.sampled_from(UNIT_CHOICES[other]))
    elif fault == "negative":
        months[m] = -draw(st.floats(min_value=1e-6, max_value=1e6))
    elif fault == "text":
        months[m] = draw(st.sampled_from(["abc", "1..2", "=1+1", "十"]))
    elif fault == "blank_month":
        months[m] = None
    elif fault == "unknown_line":
        line = "ZZ9"
    elif fault == "bool":
        months[m] = True
    rows[i] = (line, item, unit, months)
    if fault == "duplicate":
        rows.append(rows[i])
    return rows, fault


class Template:
    """The store and the template bytes (with a short repr for Hypothesis reports)."""

    def __init__(self, url: str, data: bytes) -> None:
        self.url, self.data = url, data

    def __repr__(self) -> str:
        return f"Template({len(self.data)} bytes)"


@pytest.fixture(scope="module")
def template(stores: Any) -> Iterator[Template]:
    url = stores.demo()
    with sessionmaker_for(url)() as db:
        data, _name = intake.template_workbook(ctx_for(db, "province"), enterprise_id(db, PBZN), 2035)
    yield Template(url, data)
    stores.release(url)


@settings(
    max_examples=15,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=workbook_rows())
def test_import_round_trips_or_is_rejected_with_located_problems(
    template: Template, case: tuple[list[tuple[str, str, str, list[Any]]], str | None]
) -> None:
    url, tpl = template.url, template.data
    rows, fault = case
    data = fill(tpl, rows)
    with sessionmaker_for(url)() as db:
        ctx = ctx_for(db, "ent-hengyang-pbzn")
        rejected: InputError | None = None
        try:
            out = intake.import_submission(ctx, data, "gen.xlsx", acknowledge_warnings=True)
        except InputError as exc:  # any other exception fails the test
            rejected = exc
        if rejected is not None:
            assert fault is not None, [p.as_dict() for p in rejected.problems]
            assert rejected.problems
            for p in rejected.problems:
                assert p.file == "gen.xlsx" and p.sheet and p.row is not None and p.column
                assert p.message_zh and p.message_en
            return
        assert fault is None, fault
        _check_round_trip(db, out, rows)


def _check_round_trip(
    db: Session, out: intake.ImportOutcome, rows: list[tuple[str, str, str, list[Any]]]
) -> None:
    ctx = ctx_for(db, "ent-hengyang-pbzn")
    exported, _name, _media = intake.export_submission(ctx, out.submission_id, "csv", out.version_no)
    got = {
        (r["line"], r["item"], r["period"]): (float(r["quantity"]), r["unit"], float(r["quantity_canonical"]))
        for r in csv.DictReader(io.StringIO(exported.decode("utf-8-sig")))
    }
    expected = {}
    for line, item, unit, months in rows:
        iid = ITEM_IDS[item]
        for m, q in enumerate(months, start=1):
            expected[(line, iid, f"2035-{m:02d}")] = (float(q), units.unit_symbol(unit))
    assert {k: v[:2] for k, v in got.items()} == expected
    canon = {
        "bituminous_coal": "t",
        "natural_gas": "万Nm3",
        "electricity_purchased": "MWh",
        "heat_purchased": "GJ",
        "diesel": "t",
        "product_output": "t",
        "value_added": "万元",
        "reductant_coke": "t",
    }
    for (line, iid, period), (q, unit, qc) in got.items():
        del line, period
        assert qc == pytest.approx(units.convert(q, unit, canon[iid]), rel=1e-12, abs=0.0)
