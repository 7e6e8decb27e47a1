"""Every importer, fuzzed: any file either imports or raises the project's located error.

The readers in ``carbonpeak.io`` (register, registries, activity — row by row and columnar —,
the reporting template, driver paths, evidence sniffing and the workbook package check) and
the service entry points behind the uploads (``intake.check_submission``,
``inventory.compute_table``, ``registries.import_registry``,
``enterprises.import_register``) get files that look like what they expect and then go
wrong: odd numbers (``1,5``, ``1e308``, ``NaN``), control characters, formulas, a header
only, mixed encodings, truncated or bit-flipped bytes, and workbooks whose sheet XML holds a
DTD, a control character, a cell far away, a broken shared-string index or a bad type. The
outcome must be a value or a :class:`~carbonpeak.errors.CarbonpeakError` — never another
exception, never a ``MemoryError`` or a hang (examples are few and small; the readers'
own budgets bound the rest).

The worst files found are kept in ``tests/io/corpus/`` (small) and replayed by
:func:`test_the_corpus_replays` on every run.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from carbonpeak.accounting.factors import load_factors
from carbonpeak.errors import MESSAGES, CarbonpeakError
from carbonpeak.io.activity import ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL, read_activity_frame
from carbonpeak.io.iamc import read_driver_paths
from carbonpeak.io.intake import read_submission, validate
from carbonpeak.io.register import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_OPTIONAL,
    LINE_COLUMNS,
    LINE_OPTIONAL,
    parse_register,
)
from carbonpeak.io.tabular import read_rows
from carbonpeak.io.template import write_template
from carbonpeak.io.xlsx import check_package
from carbonpeak.service.inventories import inventory
from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.service.registry import enterprises, registries
from carbonpeak.service.reporting import evidence, intake
from carbonpeak.store.db import sessionmaker_for
from tests.intake_support import PBZN, enterprise_id, fill
from tests.io.test_template import _spec

CORPUS = Path(__file__).parent / "corpus"

# --- cells, rows and files ----------------------------------------------------------------

NASTY = [
    "",
    " ",
    "0",
    "-0",
    "1,5",
    "1.000,5",
    "1e308",
    "1.7e308",
    "-1e309",
    "NaN",
    "inf",
    "１２",
    "12%",
    '=HYPERLINK("http://x","y")',
    "+SUM(A1)",
    "@x",
    "2024",
    "2024-13",
    "2024-01",
    "99999",
    "18446744073709551616",
    "t",
    "万t",
    "Nm3",
    "万kWh",
    "MWh",
    "tce",
    "electricity_purchased",
    "natural_gas",
    "bituminous_coal",
    "product_output",
    "zn_hydro",
    "Zn",
    "430400",
    "衡阳市",
    "91430400MA4L0000X0",
    "91430400MA4L00001H",
    "L01",
    "true",
    "是",
    "\x00",
    "\x01\x1f",
    "a\u200bb",
    "Ｐｒｏｖｉｎｃｅ",
    "\ufeffx",
    "x" * 300,
]
CELL = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))


def _header(columns: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    """Mostly the expected columns (some dropped, doubled or re-cased), sometimes others."""
    return st.lists(
        st.one_of(st.sampled_from(columns), st.sampled_from([c.upper() for c in columns]), CELL),
        min_size=0,
        max_size=len(columns) + 3,
    )


def _rows(columns: tuple[str, ...]) -> st.SearchStrategy[list[list[str]]]:
    return st.tuples(_header(columns), st.lists(st.lists(CELL, max_size=len(columns) + 2), max_size=5)).map(
        lambda hr: [hr[0], *hr[1]]
    )


def _csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_bytes(rows: list[list[str]], numbers: bool) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            text = _ILLEGAL.sub("?", v)
            value: Any = text
            if numbers and r > 1:
                try:
                    value = float(text)
                except ValueError:
                    value = text
            ws.cell(row=r, column=c, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite(data: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The package with every part passed through *change* (name, bytes) → bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out.getvalue()


def _on_sheets(fn: Callable[[bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda name, b: fn(b) if name.startswith("xl/worksheets/") else b


def test_every_mutation_changes_the_workbook() -> None:
    data = _xlsx_bytes([["enterprise", "period"], ["x", "2024"]], numbers=False)
    for name, mutate in XLSX_MUTATIONS.items():
        if name != "none":
            assert mutate(data) != _rewrite(data, lambda _n, b: b), name


def _first(pattern: bytes, repl: bytes) -> Callable[[bytes], bytes]:
    return lambda b: re.sub(pattern, repl, b, count=1)


_INLINE = rb't="inlineStr"><is><t>[^<]*</t></is>'

#: Ways a workbook goes wrong inside its package (each keeps the file small). openpyxl
#: writes inline strings and no XML declaration; each change is checked to apply
#: (test_every_mutation_changes_the_workbook).
XLSX_MUTATIONS: dict[str, Callable[[bytes], bytes]] = {
    "none": lambda d: d,
    "dtd": lambda d: _rewrite(
        d,
        _on_sheets(lambda b: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + b),
    ),
    "control_character": lambda d: _rewrite(
        d, _on_sheets(lambda b: b.replace(b"<sheetData>", b"<sheetData>\x01", 1))
    ),
    "far_cell": lambda d: _rewrite(
        d,
        _on_sheets(
            lambda b: b.replace(
                b"</sheetData>",
                b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
            )
        ),
    ),
    "huge_reference": lambda d: _rewrite(d, _on_sheets(_first(rb'r="A1"', b'r="A99999999999"'))),
    "bad_reference": lambda d: _rewrite(d, _on_sheets(_first(rb'r="A1"', b'r="1A"'))),
    "shared_string_out_of_range": lambda d: _rewrite(d, _on_sheets(_first(_INLINE, b't="s"><v>99999</v>'))),
    "bad_number": lambda d: _rewrite(d, _on_sheets(_first(_INLINE, b't="n"><v>1,5e</v>'))),
    "bad_type": lambda d: _rewrite(d, _on_sheets(_first(rb't="inlineStr"', b't="q"'))),
    "bad_boolean": lambda d: _rewrite(d, _on_sheets(_first(_INLINE, b't="b"><v>2</v>'))),
    "bad_date": lambda d: _rewrite(d, _on_sheets(_first(_INLINE, b't="d"><v>2024-13-45T99:00</v>'))),
    "unclosed_tag": lambda d: _rewrite(d, _on_sheets(lambda b: b.replace(b"</sheetData>", b"", 1))),
    "truncated": lambda d: d[: len(d) * 2 // 3],
    "bit_flip": lambda d: d[: len(d) // 2] + bytes([d[len(d) // 2] ^ 0xFF]) + d[len(d) // 2 + 1 :],
}


@st.composite
def csv_file(draw: st.DrawFn, columns: tuple[str, ...]) -> bytes:
    data = _csv_bytes(
        draw(_rows(columns)), draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    )
    tail = draw(st.sampled_from(["none", "truncate", "junk"]))
    if tail == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if tail == "junk":
        return data + draw(st.binary(max_size=16))
    return data


@st.composite
def xlsx_file(draw: st.DrawFn, columns: tuple[str, ...]) -> bytes:
    data = _xlsx_bytes(draw(_rows(columns)), draw(st.booleans()))
    return XLSX_MUTATIONS[draw(st.sampled_from(sorted(XLSX_MUTATIONS)))](data)


def any_file(columns: tuple[str, ...]) -> st.SearchStrategy[tuple[bytes, str]]:
    return st.one_of(
        csv_file(columns).map(lambda d: (d, "upload.csv")),
        xlsx_file(columns).map(lambda d: (d, "upload.xlsx")),
        st.binary(max_size=64).map(lambda d: (d, "upload.csv")),
        st.binary(max_size=64).map(lambda d: (d, "upload.xlsx")),
    )


def imports_or_refuses(fn: Callable[[], object]) -> None:
    """``fn()`` returns, or raises the project's error whose code (and every problem's code)
    has a message in the catalogue, zh and en; anything else fails the test."""
    refusal: CarbonpeakError | None = None
    try:
        fn()
    except CarbonpeakError as exc:
        refusal = exc
    if refusal is None:
        return
    codes = [refusal.code, *(p.code for p in getattr(refusal, "problems", []))]
    assert all(c in MESSAGES for c in codes), [c for c in codes if c not in MESSAGES]


#: Examples per reader: few in the suite (seconds); ``CARBONPEAK_FUZZ_EXAMPLES=2000`` for a
#: deeper hunt on a quiet machine (add what it finds to the corpus).
EXAMPLES = int(os.environ.get("CARBONPEAK_FUZZ_EXAMPLES", "40"))
FAST = settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])


# --- the readers ---------------------------------------------------------------------------

REGISTER_COLUMNS = (*ENTERPRISE_COLUMNS, *ENTERPRISE_OPTIONAL)
LINES_COLUMNS = (*LINE_COLUMNS, *LINE_OPTIONAL)
ACTIVITY = (*ACTIVITY_COLUMNS, *ACTIVITY_OPTIONAL)


@FAST
@given(ents=any_file(REGISTER_COLUMNS), lines=any_file(LINES_COLUMNS))
def test_the_register_reader(ents: tuple[bytes, str], lines: tuple[bytes, str]) -> None:
    def run() -> None:
        e = read_rows(*ents, ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL)
        ln = read_rows(*lines, LINE_COLUMNS, LINE_OPTIONAL)
        parse_register(e, ln)

    imports_or_refuses(run)


@FAST
@given(file=any_file(ACTIVITY))
def test_the_activity_readers(file: tuple[bytes, str]) -> None:
    data, name = file
    imports_or_refuses(lambda: read_rows(data, name, ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL))
    if name.endswith(".csv"):
        imports_or_refuses(lambda: read_activity_frame(data, name))
    imports_or_refuses(lambda: read_activity_frame(data, "upload.parquet"))


TEMPLATE_WORDS = (
    "基本信息 Info",
    "数据 Data",
    "credit_code",
    "year",
    "item",
    "quantity",
    "unit",
    "period",
    "line",
)


@FAST
@given(file=any_file(TEMPLATE_WORDS))
def test_the_template_reader(file: tuple[bytes, str]) -> None:
    imports_or_refuses(lambda: read_submission(*file))


NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**70), 2**70),
    st.sampled_from(NASTY),
    st.none(),
)
TEMPLATE_ROW = st.tuples(
    st.sampled_from(["L01", "L02", "", "L99", "=1+1"]),
    st.one_of(st.sampled_from(["烟煤", "天然气", "购入电力", "产品产量", "购入热力", "原煤"]), CELL),
    st.one_of(st.sampled_from(["t", "万Nm³", "万kWh", "GJ", "kg", "m"]), CELL),
    st.lists(NUMBER, min_size=0, max_size=13),
)
INFO = st.dictionaries(
    st.sampled_from(["统一社会信用代码", "填报年份", "企业名称", "填报人"]),
    st.one_of(NUMBER, CELL),
    max_size=3,
)
F = load_factors()
_TEMPLATES: dict[str, bytes] = {}


def _clean(v: Any) -> Any:
    return _ILLEGAL.sub("?", v) if isinstance(v, str) else v


def _filled(template: bytes, rows: list[Any], info: dict[str, Any]) -> bytes:
    rows = [(ln, _clean(it), _clean(u), [_clean(m) for m in ms]) for ln, it, u, ms in rows]
    return fill(template, rows, info={k: _clean(v) for k, v in info.items()})


@FAST
@given(rows=st.lists(TEMPLATE_ROW, max_size=6), info=INFO, mutation=st.sampled_from(sorted(XLSX_MUTATIONS)))
def test_a_filled_template(rows: list[Any], info: dict[str, Any], mutation: str) -> None:
    """The real template, filled with odd figures, then perhaps broken inside its package:
    read and validated (row-level problems are collected, never raised as another error)."""
    if "spec" not in _TEMPLATES:
        _TEMPLATES["spec"] = write_template(_spec())
    data = XLSX_MUTATIONS[mutation](_filled(_TEMPLATES["spec"], rows, info))

    def run() -> None:
        validate(read_submission(data, "filled.xlsx"), F.items, F.aliases, ("L01", "L02", "L03"))

    imports_or_refuses(run)


@FAST
@given(file=any_file(("model", "scenario", "region", "variable", "unit", "2020", "2025", "2030")))
def test_the_driver_paths_reader(file: tuple[bytes, str]) -> None:
    imports_or_refuses(lambda: read_driver_paths(*file))


@FAST
@given(file=st.one_of(xlsx_file(("a", "b")), st.binary(max_size=64)))
def test_evidence_sniffing_and_the_package_check(file: bytes) -> None:
    kind = evidence.sniff(file)
    assert kind in (None, "pdf", "png", "jpeg", "xlsx")
    if kind == "xlsx":
        imports_or_refuses(lambda: check_package(file, "evidence.xlsx"))


# --- the service entry points (a demo store; nothing of a refused file is written) ---------


@pytest.fixture
def ctx(demo_url: str) -> Iterator[Context]:
    with sessionmaker_for(demo_url)() as db:
        yield Context(db=db, principal=SYSTEM, request_id="fuzz")


SERVICE = settings(
    max_examples=max(1, EXAMPLES // 3),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@SERVICE
@given(file=any_file(TEMPLATE_WORDS + ACTIVITY))
def test_intake_check_submission(ctx: Context, file: tuple[bytes, str]) -> None:
    imports_or_refuses(lambda: intake.check_submission(ctx, *file))
    ctx.db.rollback()


@SERVICE
@given(rows=st.lists(TEMPLATE_ROW, max_size=5), info=INFO, mutation=st.sampled_from(sorted(XLSX_MUTATIONS)))
def test_intake_check_submission_of_the_enterprises_own_template(
    ctx: Context, rows: list[Any], info: dict[str, Any], mutation: str
) -> None:
    """The demo enterprise's own template for 2025, filled and perhaps broken, checked."""
    ent = enterprise_id(ctx.db, PBZN)
    if "pbzn" not in _TEMPLATES:
        _TEMPLATES["pbzn"] = intake.template_workbook(ctx, ent, 2025)[0]
    data = XLSX_MUTATIONS[mutation](_filled(_TEMPLATES["pbzn"], rows, info))
    imports_or_refuses(lambda: intake.check_submission(ctx, data, "filled.xlsx", enterprise_id=ent))
    ctx.db.rollback()


@SERVICE
@given(file=any_file(ACTIVITY))
def test_inventory_compute_table(ctx: Context, file: tuple[bytes, str]) -> None:
    def run() -> None:
        inventory.compute_table(ctx, read_rows(*file, ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL))

    imports_or_refuses(run)
    ctx.db.rollback()


@SERVICE
@given(name=st.sampled_from(sorted(registries.REGISTRIES)), data=st.data())
def test_registry_imports(ctx: Context, name: str, data: st.DataObject) -> None:
    reg = registries.REGISTRIES[name]
    file = data.draw(any_file((*reg.required, *reg.optional)))

    def run() -> None:
        registries.import_registry(ctx, name, read_rows(*file, reg.required, reg.optional))

    imports_or_refuses(run)
    ctx.db.rollback()


@SERVICE
@given(ents=any_file(REGISTER_COLUMNS), lines=any_file(LINES_COLUMNS))
def test_register_import(ctx: Context, ents: tuple[bytes, str], lines: tuple[bytes, str]) -> None:
    def run() -> None:
        e = read_rows(*ents, ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL)
        ln = read_rows(*lines, LINE_COLUMNS, LINE_OPTIONAL)
        enterprises.import_register(ctx, e, ln)

    imports_or_refuses(run)
    ctx.db.rollback()


# --- the corpus ----------------------------------------------------------------------------

READERS: dict[str, Callable[[bytes, str], object]] = {
    "register": lambda d, n: read_rows(d, n, ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL),
    "activity": lambda d, n: read_rows(d, n, ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL),
    "activity-columnar": lambda d, n: read_activity_frame(d, n) if not n.endswith(".xlsx") else None,
    "template": read_submission,
    "driver-paths": read_driver_paths,
    "evidence": lambda d, n: check_package(d, n) if evidence.sniff(d) == "xlsx" else None,
}


def _corpus() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".csv", ".xlsx", ".parquet"))


def test_the_corpus_is_kept_small() -> None:
    files = _corpus()
    assert len(files) >= 10
    assert all(p.stat().st_size <= 64 * 1024 for p in files)


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
@pytest.mark.parametrize("reader", sorted(READERS))
def test_the_corpus_replays(path: Path, reader: str) -> None:
    """Every kept file through every reader: a value or a located error."""
    data = path.read_bytes()
    error: CarbonpeakError | None = None
    try:
        READERS[reader](data, path.name)
    except CarbonpeakError as exc:
        error = exc
    assert error is None or (error.message_zh and error.message_en)
