"""Data intake through HTTP: role and scope of every intake route, all problems as JSON,
warnings, the marked workbook, limits (size, renamed file, zip bomb) with nothing stored,
and exports safe from formula injection."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carbonpeak.app import create_app
from carbonpeak.settings import Settings
from tests.conftest import DEMO_PASSWORDS, api_token
from tests.intake_support import GOOD_ROWS, PBZN, dump_store, fill
from tests.service.test_intake import TWELVE, twelve_error_workbook

USERS = sorted(DEMO_PASSWORDS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def tokens(client: TestClient) -> dict[str, dict[str, str]]:
    return {u: api_token(client, u) for u in USERS}


def _ent_id(client: TestClient, tokens: dict[str, dict[str, str]], code: str) -> int:
    r = client.get("/api/v1/enterprises", params={"q": code}, headers=tokens["province"])
    return int(r.json()[0]["id"])


def _template(client: TestClient, tokens: dict[str, dict[str, str]], year: int = 2030) -> bytes:
    eid = _ent_id(client, tokens, PBZN)
    r = client.get(
        "/api/v1/intake/template", params={"enterprise_id": eid, "year": year}, headers=tokens["province"]
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert f"template-{PBZN}-{year}.xlsx" in r.headers["content-disposition"]
    return r.content


def _upload(
    client: TestClient, headers: dict[str, str], data: bytes, name: str = "filled.xlsx", **form: Any
) -> Any:
    return client.post(
        "/api/v1/intake/import",
        files={"file": (name, data, "application/octet-stream")},
        data={k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in form.items()},
        headers=headers,
    )


# who may import PBZN's workbook (Hengyang, park shuikoushan)
IMPORT_EXPECT = {
    "province": 201,
    "city-hengyang": 201,
    "ent-hengyang-pbzn": 201,
    "city-chenzhou": 422,  # out of scope: an unknown enterprise to them
    "city-changsha": 422,
    "ent-loudi-sb": 422,
    "verifier": 403,
    "public": 403,
}
VIEW = {"province", "city-hengyang", "ent-hengyang-pbzn", "verifier"}


def test_template_follows_view_scope(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    eid = _ent_id(client, tokens, PBZN)
    for user in USERS:
        r = client.get(
            "/api/v1/intake/template", params={"enterprise_id": eid, "year": 2030}, headers=tokens[user]
        )
        assert r.status_code == (200 if user in VIEW else 404), (user, r.status_code)
    r = client.get(
        "/api/v1/intake/template",
        params={"enterprise_id": eid, "year": 2030, "lang": "en"},
        headers=tokens["province"],
    )
    wb = load_workbook(io.BytesIO(r.content))
    assert wb["数据 Data"]["B3"].value == "Bituminous coal"


def test_import_and_reads_follow_role_and_scope(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    tpl = _template(client, tokens)
    first = None
    for user in USERS:
        # the same figures, but not the same file (an identical one is "unchanged" and stores
        # nothing: tests/service/test_idempotent_import.py)
        data = fill(tpl, GOOD_ROWS, info={"企业名称": f"upload by {user}"})
        r = _upload(client, tokens[user], data)
        assert r.status_code == IMPORT_EXPECT[user], (user, r.status_code, r.text)
        body = r.json()
        if r.status_code == 201:
            first = first or body
            assert body["rows"] == 72 and body["credit_code"] == PBZN
        elif r.status_code == 422:
            assert [p["code"] for p in body["error"]["problems"]] == ["intake_unknown_enterprise"]
        else:
            assert body["error"]["code"] == "permission_denied"
    assert first is not None
    sid, v1 = first["submission_id"], first["version_id"]
    versions = client.get(f"/api/v1/intake/submissions/{sid}/versions", headers=tokens["province"]).json()
    assert [v["version_no"] for v in versions] == [1, 2, 3]
    v3 = versions[-1]["id"]
    run = versions[-1]["inventory_run_id"]
    for user in USERS:
        h = tokens[user]
        ok = user in VIEW
        listed = client.get("/api/v1/intake/submissions", params={"year": 2030}, headers=h).json()
        assert [s["id"] for s in listed] == ([sid] if ok else []), user
        filtered = client.get(
            "/api/v1/intake/submissions", params={"status": "draft", "year": 2030}, headers=h
        ).json()
        assert len(filtered) == (1 if ok else 0)
        assert client.get("/api/v1/intake/submissions", params={"year": 2031}, headers=h).json() == []
        for path, params in (
            (f"/api/v1/intake/submissions/{sid}", {}),
            (f"/api/v1/intake/submissions/{sid}/versions", {}),
            (f"/api/v1/intake/versions/{v1}/values", {}),
            ("/api/v1/intake/diff", {"a": v1, "b": v3}),
            (f"/api/v1/intake/submissions/{sid}/export", {"format": "csv"}),
            (f"/api/v1/intake/submissions/{sid}/export", {"format": "xlsx", "version_no": 1}),
            (f"/api/v1/intake/inventories/{run}/export", {"format": "csv"}),
        ):
            r = client.get(path, params=params, headers=h)
            assert r.status_code == (200 if ok else 404), (user, path, r.status_code)
    d = client.get("/api/v1/intake/diff", params={"a": v1, "b": v3}, headers=tokens["province"]).json()
    assert d["changed"] == d["added"] == d["removed"] == [] and d["unchanged"] == 72
    r = client.get(
        f"/api/v1/intake/submissions/{sid}/export", params={"format": "pdf"}, headers=tokens["province"]
    )
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["code"] == "intake_bad_format"
    for missing in (
        "/api/v1/intake/submissions/999999",
        "/api/v1/intake/versions/999999/values",
        "/api/v1/intake/inventories/999999/export",
    ):
        assert client.get(missing, headers=tokens["province"]).status_code == 404


def test_twelve_errors_as_json_and_nothing_stored(
    client: TestClient, tokens: dict[str, dict[str, str]], settings: Settings
) -> None:
    bad = twelve_error_workbook(_template(client, tokens))
    before = dump_store(settings.database_url)
    r = _upload(client, tokens["ent-hengyang-pbzn"], bad, "twelve.xlsx")
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "input_invalid"
    assert {(p["code"], p["sheet"], p["row"], p["column"]) for p in err["problems"]} == TWELVE
    assert all(p["message_zh"] and p["message_en"] and p["file"] == "twelve.xlsx" for p in err["problems"])
    r = client.post(
        "/api/v1/intake/marked",
        files={"file": ("twelve.xlsx", bad, XLSX)},
        headers=tokens["ent-hengyang-pbzn"],
    )
    assert r.status_code == 200 and r.headers["x-problem-count"] == "12"
    assert "twelve-marked.xlsx" in r.headers["content-disposition"]
    marked = load_workbook(io.BytesIO(r.content))
    assert marked["数据 Data"]["B4"].comment is not None
    assert dump_store(settings.database_url) == before
    for user in ("verifier", "public"):
        r = client.post("/api/v1/intake/marked", files={"file": ("t.xlsx", bad, XLSX)}, headers=tokens[user])
        assert r.status_code == 403


def test_warnings_need_the_acknowledge_flag(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    h = tokens["ent-hengyang-pbzn"]
    data = fill(_template(client, tokens, 2026), [("L01", "烟煤", "t", [8000.0] * 12)])
    r = _upload(client, h, data)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "intake_warnings_unacknowledged"
    assert len(err["problems"]) == 12 and err["problems"][0]["code"] == "intake_warn_last_year"
    assert client.get("/api/v1/intake/submissions", params={"year": 2026}, headers=h).json() == []
    r = _upload(client, h, data, acknowledge_warnings=True, note="meter replaced")
    assert r.status_code == 201, r.text
    assert len(r.json()["warnings"]) == 12
    sub = client.get(f"/api/v1/intake/submissions/{r.json()['submission_id']}", headers=h).json()
    assert sub["version_list"][0]["note"] == "meter replaced"
    assert len(sub["version_list"][0]["warnings"]) == 12


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "payload", "code", "text"),
    [
        ("report.xlsx", b"%PDF-1.7 this is a PDF renamed to xlsx", "bad_file", "not a valid xlsx"),
        ("report.xlsx", b"PK\x03\x04\x14\x00broken zip", "bad_file", "not a valid xlsx"),
        ("bomb.xlsx", None, "bad_file", "zip bomb"),
        ("report.pdf", b"%PDF-1.7", "bad_file", "unsupported file type"),
    ],
)
def test_bad_files_are_clear_errors_and_store_nothing(
    client: TestClient,
    tokens: dict[str, dict[str, str]],
    settings: Settings,
    name: str,
    payload: bytes | None,
    code: str,
    text: str,
) -> None:
    before = dump_store(settings.database_url)
    for path in ("/api/v1/intake/import", "/api/v1/intake/marked"):
        r = client.post(
            path,
            files={"file": (name, payload if payload is not None else _bomb(), XLSX)},
            headers=tokens["province"],
        )
        assert r.status_code == 422, r.text
        problem = r.json()["error"]["problems"][0]
        assert problem["code"] == code and problem["file"] == name
        assert text in problem["message_en"] and problem["message_zh"]
    assert dump_store(settings.database_url) == before


def test_not_the_template_is_a_clear_error(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["a", "b"])  # type: ignore[union-attr]
    buf = io.BytesIO()
    wb.save(buf)
    r = _upload(client, tokens["province"], buf.getvalue(), "other.xlsx")
    assert r.status_code == 422
    p = r.json()["error"]["problems"][0]
    assert p["code"] == "intake_not_template"
    assert "信息 Info" in p["message_zh"] and "missing" in p["message_en"]


def test_upload_over_the_limit_is_refused_and_nothing_stored(
    settings: Settings, tokens: dict[str, dict[str, str]]
) -> None:
    small = settings.model_copy(update={"max_upload_mb": 1})
    before = dump_store(settings.database_url)
    with TestClient(create_app(small)) as c:
        big = b"PK" + b"\0" * (1024 * 1024 + 10)
        for path in ("/api/v1/intake/import", "/api/v1/intake/marked"):
            r = c.post(path, files={"file": ("big.xlsx", big, XLSX)}, headers=tokens["province"])
            assert r.status_code == 413
            assert "1 MB" in r.json()["error"]["message_en"] and r.json()["error"]["message_zh"]
    assert dump_store(settings.database_url) == before


def test_exported_formula_text_opens_as_text(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    """A figure's unit cannot hold a formula (it must parse), but the import note can;
    exports neutralise every text cell."""
    h = tokens["ent-hengyang-pbzn"]
    data = fill(_template(client, tokens), GOOD_ROWS)
    evil = '=HYPERLINK("http://x","y")'
    r = _upload(client, h, data, note=evil)
    assert r.status_code == 201, r.text
    sid = r.json()["submission_id"]
    x = client.get(f"/api/v1/intake/submissions/{sid}/export", params={"format": "xlsx"}, headers=h)
    about = load_workbook(io.BytesIO(x.content))["说明 About"]
    cells = [
        c for row in about.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert cells, "the note is exported"
    for c in cells:
        assert c.data_type != "f" and c.value.startswith("'")
    c2 = client.get(f"/api/v1/intake/submissions/{sid}/export", params={"format": "csv"}, headers=h)
    rows = list(csv.reader(io.StringIO(c2.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["enterprise", "period", "item", "quantity", "unit", "line"]
    assert len(rows) == 73
