"""Register import through HTTP: accepted whole, or refused with every problem; limits hold."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from carbonpeak.app import create_app
from carbonpeak.model.credit_code import check_character
from carbonpeak.settings import Settings
from tests.conftest import api_token
from tests.service.test_register_import import GOOD_ENTS, GOOD_LINES, A, B, dump


def _files(
    ents: bytes, name: str = "enterprises.csv", lines: bytes | None = None
) -> dict[str, tuple[str, bytes, str]]:
    f = {"enterprises_file": (name, ents, "application/octet-stream")}
    if lines is not None:
        f["lines_file"] = ("lines.csv", lines, "text/csv")
    return f


def test_csv_import_then_visible_in_scope(client: TestClient) -> None:
    prov = api_token(client, "province")
    r = client.post("/api/v1/enterprises/import", files=_files(GOOD_ENTS, lines=GOOD_LINES), headers=prov)
    assert r.status_code == 201, r.text
    assert {e["credit_code"] for e in r.json()} == {A, B}
    hy = client.get("/api/v1/enterprises", params={"q": A}, headers=api_token(client, "city-hengyang")).json()
    assert [e["credit_code"] for e in hy] == [A]


def test_xlsx_import(client: TestClient) -> None:
    wb = Workbook()
    ws = wb.active
    for line in GOOD_ENTS.decode().splitlines():
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post(
        "/api/v1/enterprises/import",
        files=_files(buf.getvalue(), "企业名录.xlsx"),
        headers=api_token(client, "province"),
    )
    assert r.status_code == 201, r.text
    assert len(r.json()) == 2


def test_rejected_import_lists_problems_and_stores_nothing(client: TestClient, settings: Settings) -> None:
    before = dump(settings.database_url)
    bad = GOOD_ENTS.replace(b"shuikoushan", b"no_such_park")
    r = client.post("/api/v1/enterprises/import", files=_files(bad), headers=api_token(client, "province"))
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["problems"][0]["column"] == "park"
    assert body["problems"][0]["row"] == 2
    assert "未知的园区" in body["problems"][0]["message_zh"]
    after = dump(settings.database_url)
    after.pop("api_token")
    before.pop("api_token")
    after.pop("audit_event"), before.pop("audit_event")
    after.pop("audit_head"), before.pop("audit_head")
    assert after == before


def test_upload_over_the_limit_is_refused(settings: Settings) -> None:
    small = settings.model_copy(update={"max_upload_mb": 1})
    with TestClient(create_app(small)) as c:
        big = GOOD_ENTS + b"\n" + b"#" * (1024 * 1024 + 10)
        r = c.post("/api/v1/enterprises/import", files=_files(big), headers=api_token(c, "province"))
    assert r.status_code == 413
    assert "1 MB" in r.json()["error"]["message_en"]


@pytest.mark.parametrize(
    "payload",
    [
        b"%PDF-1.7 this is a PDF renamed to xlsx",
        b"PK\x03\x04\x14\x00broken zip",
    ],
)
def test_a_renamed_file_is_a_clear_error(client: TestClient, payload: bytes) -> None:
    r = client.post(
        "/api/v1/enterprises/import",
        files=_files(payload, "register.xlsx"),
        headers=api_token(client, "province"),
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["problems"][0]["code"] == "bad_file"
    assert err["problems"][0]["file"] == "register.xlsx"


def test_a_zip_bomb_is_refused(client: TestClient) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024
    r = client.post(
        "/api/v1/enterprises/import",
        files=_files(buf.getvalue(), "bomb.xlsx"),
        headers=api_token(client, "province"),
    )
    assert r.status_code == 422
    problem = r.json()["error"]["problems"][0]
    assert problem["code"] == "bad_file"
    assert "zip bomb" in problem["message_en"]


def test_a_nul_in_a_json_body_is_a_422_not_a_500(client: TestClient) -> None:
    first = "91430100NNLTAB0X1"
    body = {
        "credit_code": first + check_character(first),
        "name_zh": "含\x00控制字符（示例）",
        "city_code": "430100",
        "lines": [],
    }
    r = client.post("/api/v1/enterprises", json=body, headers=api_token(client, "province"))
    assert r.status_code == 422, r.text
    assert "control character" in r.text
    listed = client.get("/api/v1/enterprises", params={"q": "NNLTAB"}, headers=api_token(client, "province"))
    assert listed.json() == []
