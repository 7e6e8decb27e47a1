"""Workbooks are read within their used range and a cell budget, without DTDs, as located 422s.

Issue 13: an 18.7 KB xlsx with one far-away cell made the readers allocate every padded
cell (643 MB in the server); a sheet whose XML has a DTD or a control character gave an
uncaught ``ParseError`` (500). Each case goes through HTTP, as an ordinary account would
send it; the memory-hungry path is shown not taken by the traced peak (the padded grid of
A1:XFD1048576 would need over 100 GB).
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from carbonpeak.errors import InputError
from carbonpeak.io.register import ENTERPRISE_COLUMNS
from carbonpeak.io.tabular import read_rows
from carbonpeak.io.template import SHEET_DATA
from carbonpeak.io.xlsx import MAX_CELLS, column_name, sheet_rows
from carbonpeak.settings import Settings
from tests.conftest import api_token
from tests.intake_support import PBZN, dump_store

#: A generous bound on the traced peak while refusing a sparse workbook: the bounded path
#: needs a few MB; the padded path needed 643 MB for the probe's file.
PEAK_BYTES = 60 * 1024 * 1024
FAR = "XFD1048576"


def _sparse_register(far: str = FAR, value: object = "x") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "企业 Enterprises"
    ws.append(list(ENTERPRISE_COLUMNS))
    ws[far] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """*data* (a zip) with *member*'s bytes passed through *change*."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


def _with_dtd(data: bytes, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    return _rewrite(data, member, lambda b: b'<!DOCTYPE w [<!ENTITY e "eeeeeeee">]>' + b)


def _with_control_character(data: bytes, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    return _rewrite(data, member, lambda b: b.replace(b"<sheetData>", b"<sheetData>\x01", 1))


def _post_register(client: TestClient, headers: dict[str, str], data: bytes) -> Any:
    files = {"enterprises_file": ("enterprises.xlsx", data, "application/octet-stream")}
    return client.post("/api/v1/enterprises/import", files=files, headers=headers)


def _only_problem(r: Any, code: str) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    body = r.json()["error"]
    assert body["code"] == code, body
    assert len(body["problems"]) == 1
    p: dict[str, Any] = body["problems"][0]
    assert p["code"] == code and p["message_zh"] and p["message_en"]
    assert "{" not in p["message_zh"] + p["message_en"]  # every field filled in
    return p


def test_a_far_away_cell_is_refused_at_once_without_the_padded_grid(
    client: TestClient, settings: Settings
) -> None:
    data = _sparse_register()
    assert len(data) < 20 * 1024
    headers = api_token(client, "city-hengyang")
    before = dump_store(settings.database_url)
    tracemalloc.start()
    try:
        r = _post_register(client, headers, data)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    p = _only_problem(r, "xlsx_too_many_cells")
    assert (p["sheet"], p["row"], p["column"], p["value"]) == ("企业 Enterprises", 1048576, "XFD", FAR)
    assert "A1:XFD1048576" in p["message_en"] and f"{MAX_CELLS:,}" in p["message_en"]
    assert "企业 Enterprises" in p["message_zh"]
    assert peak < PEAK_BYTES
    assert dump_store(settings.database_url) == before


def test_a_far_away_cell_in_the_reporting_template_is_refused(client: TestClient, settings: Settings) -> None:
    headers = api_token(client, "ent-hengyang-pbzn")
    eid = client.get("/api/v1/enterprises", params={"q": PBZN}, headers=headers).json()[0]["id"]
    r = client.get("/api/v1/intake/template", params={"enterprise_id": eid, "year": 2030}, headers=headers)
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    wb[SHEET_DATA]["XFD1048576"] = 1
    buf = io.BytesIO()
    wb.save(buf)
    before = dump_store(settings.database_url)
    for route in ("/api/v1/intake/import", "/api/v1/intake/marked"):
        tracemalloc.start()
        try:
            r = client.post(
                route,
                files={"file": ("filled.xlsx", buf.getvalue(), "application/octet-stream")},
                headers=headers,
            )
            _size, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        p = _only_problem(r, "xlsx_too_many_cells")
        assert (p["sheet"], p["value"]) == (SHEET_DATA, FAR)
        assert peak < PEAK_BYTES
    assert dump_store(settings.database_url) == before


def test_a_registry_import_is_bounded_too(client: TestClient) -> None:
    r = client.post(
        "/api/v1/registries/green/import",
        files={"file": ("green.xlsx", _sparse_register("AB900000"), "application/octet-stream")},
        headers=api_token(client, "province"),
    )
    p = _only_problem(r, "xlsx_too_many_cells")
    assert p["value"] == "AB900000"


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"])
def test_a_dtd_in_any_part_is_a_located_422(client: TestClient, member: str) -> None:
    data = _with_dtd(_sparse_register("C3"), member)
    p = _only_problem(_post_register(client, api_token(client, "province"), data), "xlsx_dtd")
    assert p["file"] == "enterprises.xlsx"
    assert member in p["message_en"] and member in p["message_zh"]


def test_a_control_character_in_the_sheet_xml_is_a_located_422(client: TestClient) -> None:
    data = _with_control_character(_sparse_register("C3"))
    p = _only_problem(_post_register(client, api_token(client, "province"), data), "xlsx_malformed")
    assert p["sheet"] == "企业 Enterprises"


def test_a_dtd_in_the_reporting_template_is_a_located_422(client: TestClient) -> None:
    headers = api_token(client, "ent-hengyang-pbzn")
    eid = client.get("/api/v1/enterprises", params={"q": PBZN}, headers=headers).json()[0]["id"]
    tpl = client.get("/api/v1/intake/template", params={"enterprise_id": eid, "year": 2030}, headers=headers)
    data_part = "xl/worksheets/sheet2.xml"  # the data sheet (the second sheet of the workbook)
    assert b"Dimension (helper)" in zipfile.ZipFile(io.BytesIO(tpl.content)).read(data_part)
    for bad, code in (
        (_with_dtd(tpl.content, data_part), "xlsx_dtd"),
        (_with_control_character(tpl.content, data_part), "xlsx_malformed"),
    ):
        r = client.post(
            "/api/v1/intake/import",
            files={"file": ("filled.xlsx", bad, "application/octet-stream")},
            headers=headers,
        )
        _only_problem(r, code)


def test_a_styled_but_empty_far_cell_does_not_count() -> None:
    """The used range runs to the farthest *value*: formatting alone does not widen it."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["a", "b"])
    ws.append([1, 2])
    ws["XFD1048576"].number_format = "0.00"
    buf = io.BytesIO()
    wb.save(buf)
    table = read_rows(buf.getvalue(), "t.xlsx", ["a", "b"])
    assert table.rows == ((2, {"a": "1", "b": "2"}),)


def test_sheet_rows_keep_positions_and_refuse_beyond_the_budget() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["B3"] = "x"
    ws["D1"] = 4
    buf = io.BytesIO()
    wb.save(buf)
    ro = load_workbook(io.BytesIO(buf.getvalue()), read_only=True)
    assert sheet_rows(ro.worksheets[0], "t.xlsx") == [
        [None, None, None, 4],
        [None] * 4,
        [None, "x", None, None],
    ]
    with pytest.raises(InputError) as err:
        sheet_rows(ro.worksheets[0], "t.xlsx", max_cells=11)
    assert err.value.code == "xlsx_too_many_cells"
    assert err.value.problems[0].value == "B3"
    ro.close()


@pytest.mark.parametrize(("index", "name"), [(1, "A"), (26, "Z"), (27, "AA"), (702, "ZZ"), (16384, "XFD")])
def test_column_names(index: int, name: str) -> None:
    assert column_name(index) == name


def test_evidence_workbooks_with_a_dtd_or_a_bomb_are_refused(client: TestClient, settings: Settings) -> None:
    from carbonpeak.store.db import sessionmaker_for
    from tests.service.workflow_support import make_submission

    with sessionmaker_for(settings.database_url)() as db:
        sid = make_submission(db)
    headers = api_token(client, "ent-hengyang-pbzn")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>")
    for data, code in ((_with_dtd(_sparse_register("C3")), "xlsx_dtd"), (bomb.getvalue(), "bad_file")):
        r = client.post(
            f"/api/v1/submissions/{sid}/evidence",
            files={"file": ("meter.xlsx", data, "application/octet-stream")},
            headers=headers,
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["problems"][0]["code"] == code
    assert client.get(f"/api/v1/submissions/{sid}/evidence", headers=headers).json() == []
