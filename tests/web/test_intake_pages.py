"""The intake pages over HTTP: queues by role, upload with every problem listed, CSRF,
scope, evidence downloads."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from carbonpeak.app import create_app
from carbonpeak.settings import Settings
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import Enterprise
from tests.service.test_evidence import PDF
from tests.service.workflow_support import LOUDI_SB, PBZN, make_submission, value_ids
from tests.web.conftest import csrf_token, web_login
from tests.web.test_pages_http import POST_FORM, assert_no_inline_script

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = 2026


def _ent_id(settings: Settings, code: str = PBZN) -> int:
    with sessionmaker_for(settings.database_url)() as db:
        return int(db.execute(select(Enterprise.id).where(Enterprise.credit_code == code)).scalar_one())


def fill(template: bytes, value: object = 100, bad: dict[tuple[int, int], object] | None = None) -> bytes:
    """The template with every month of every prefilled row set to *value*, and the cells
    of *bad* ((row, column) -> value) overwritten."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["数据 Data"]
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, 2).value:
            for c in range(4, 16):
                ws.cell(r, c).value = value
    for (r, c), v in (bad or {}).items():
        ws.cell(r, c).value = v
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _template(client: TestClient, eid: int) -> bytes:
    r = client.get(f"/submissions/template?enterprise={eid}&year={YEAR}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"].startswith("attachment; ")
    return r.content


def _upload(client: TestClient, data: bytes, *, ack: bool = False, name: str = "filled.xlsx") -> object:
    form = {"csrf_token": csrf_token(client, "/submissions"), "note": "第一版"}
    if ack:
        form["acknowledge"] = "1"
    return client.post(
        "/submissions/upload", data=form, files={"file": (name, data, XLSX)}, follow_redirects=False
    )


@pytest.mark.parametrize("path", ["/submissions", "/submissions/1", "/submissions/template?enterprise=1"])
def test_anonymous_visitors_are_sent_to_login(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/submissions")


def test_the_enterprise_imports_through_the_page(client: TestClient, settings: Settings) -> None:
    web_login(client, "ent-hengyang-pbzn")
    page = client.get("/submissions")
    assert page.status_code == 200
    assert_no_inline_script("/submissions", page)
    assert 'id="upload-form"' in page.text and 'id="template-form"' in page.text
    eid = _ent_id(settings)
    ent_page = client.get(f"/enterprises/{eid}").text
    assert f'href="/submissions/template?enterprise={eid}"' in ent_page
    assert "下载填报模板" in ent_page
    tpl = _template(client, eid)
    listed = page.text.count('data-status="')  # its own submissions: the demo's approved years

    # twelve different problems, all listed with their cells, nothing stored
    bad = {
        (3, 4 + i): v for i, v in enumerate(["abc", -5, "x1", "?", -1, "--", "n/a", -2, "1e", "..", -9, "k"])
    }
    r = _upload(client, fill(tpl, bad=bad))
    assert r.status_code == 422
    assert "共 12 处问题" in r.text
    rows = re.findall(r"<tr><td>数据 Data</td><td class=\"num\">3</td><td>([A-O])</td>", r.text)
    assert sorted(rows) == [chr(ord("D") + i) for i in range(12)]
    marked = re.search(r'id="marked-download" href="data:([^;]+);base64,', r.text)
    assert marked is not None and marked.group(1) == XLSX
    assert client.get("/submissions").text.count('data-status="') == listed  # nothing stored

    # in English, the reasons are English
    client.get("/lang/en?next=/submissions")
    r = _upload(client, fill(tpl, bad={(3, 4): "abc"}))
    assert r.status_code == 422
    assert "nothing was stored" in r.text
    client.get("/lang/zh?next=/submissions")

    # plausibility warnings: listed, then acknowledged
    r = _upload(client, fill(tpl, 100))
    assert r.status_code == 200  # a question, not an error
    assert 'id="upload-warnings"' in r.text and 'name="acknowledge"' in r.text
    r = _upload(client, fill(tpl, 100), ack=True)
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert re.fullmatch(r"/submissions/\d+\?imported=1&rows=\d+", location)
    detail = client.get(location)
    assert detail.status_code == 200
    assert_no_inline_script("detail", detail)
    assert 'id="inventory-link" href="/inventories/' in detail.text
    assert 'id="move-submit"' in detail.text
    assert 'data-status="draft"' in detail.text
    sid = re.search(r"/submissions/(\d+)", location).group(1)  # type: ignore[union-attr]
    r = client.post(
        f"/submissions/{sid}/move",
        data={"move": "submit", "comment": "", "csrf_token": csrf_token(client, f"/submissions/{sid}")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    detail = client.get(r.headers["location"]).text
    assert 'data-status="submitted"' in detail
    assert 'data-to="submitted"' in detail and "ent-hengyang-pbzn" in detail
    # a second submit is refused with the state named, in Chinese
    r = client.post(
        f"/submissions/{sid}/move",
        data={"move": "submit", "csrf_token": csrf_token(client, f"/submissions/{sid}")},
    )
    assert r.status_code == 409
    assert "已提交" in r.text


def test_posts_without_the_csrf_token_are_refused(client: TestClient, settings: Settings) -> None:
    with sessionmaker_for(settings.database_url)() as db:
        sid = make_submission(db)
    web_login(client, "ent-hengyang-pbzn")
    client.get("/submissions")
    for path, kw in (
        ("/submissions/upload", {"files": {"file": ("a.xlsx", b"x", XLSX)}}),
        (f"/submissions/{sid}/move", {"data": {"move": "submit"}}),
        (f"/submissions/{sid}/evidence", {"files": {"file": ("a.pdf", PDF)}}),
        (f"/submissions/{sid}/adjust", {"data": {"value_id": "1"}}),
    ):
        r = client.post(path, follow_redirects=False, **kw)  # type: ignore[arg-type]
        assert r.status_code == 403, path
    assert client.get(f"/submissions/{sid}").text.count('data-to="') == 0


def test_every_post_form_of_the_intake_pages_carries_the_csrf_token(
    client: TestClient, settings: Settings
) -> None:
    with sessionmaker_for(settings.database_url)() as db:
        sid = make_submission(db, status="under_verification")
    forms = 0
    for user in ("ent-hengyang-pbzn", "verifier", "province"):
        web_login(client, user)
        for path in ("/submissions", f"/submissions/{sid}"):
            html = client.get(path).text
            token = client.cookies["cp_csrf"]
            found = POST_FORM.findall(html)
            forms += len(found)
            assert all(f'name="csrf_token" value="{token}"' in f for f in found), (user, path)
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert forms >= 10  # logout ×6, upload ×2, verify/return ×2, adjust, evidence…


def test_queues_follow_role_and_scope(client: TestClient, settings: Settings) -> None:
    with sessionmaker_for(settings.database_url)() as db:
        waiting = make_submission(db, status="submitted")
        verified = make_submission(db, year=2027, status="verified")
        loudi = make_submission(db, LOUDI_SB, status="submitted")
        loudi_v = make_submission(db, LOUDI_SB, year=2027, status="verified")
    web_login(client, "province")
    html = client.get("/submissions").text
    assert re.findall(r'<table class="table" id="approval-queue">.*?</table>', html, re.S)
    approval = re.search(r'id="approval-queue">(.*?)</table>', html, re.S).group(1)  # type: ignore[union-attr]
    assert {int(i) for i in re.findall(r'data-id="(\d+)"', approval)} == {verified, loudi_v}
    counts = re.search(r'id="city-counts">(.*?)</table>', html, re.S).group(1)  # type: ignore[union-attr]
    # every city has the demo's approved (bulk-loaded) years; only these two have work in hand
    assert {"430400", "431300"} <= set(re.findall(r'data-city="(\d+)"', counts))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    web_login(client, "city-hengyang")
    html = client.get("/submissions").text
    assert {int(i) for i in re.findall(r'data-id="(\d+)"', html)} == {waiting, verified}
    assert set(re.findall(r'data-city="(\d+)"', html)) == {"430400"}
    assert client.get(f"/submissions/{loudi}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    web_login(client, "verifier")
    html = client.get("/submissions").text
    queue = re.search(r'id="verifier-queue">(.*?)</table>', html, re.S).group(1)  # type: ignore[union-attr]
    assert {int(i) for i in re.findall(r'data-id="(\d+)"', queue)} == {waiting}
    assert str(loudi) not in re.findall(r'data-id="(\d+)"', html)
    assert client.get(f"/submissions/{loudi}").status_code == 404
    detail = client.get(f"/submissions/{waiting}").text
    assert 'id="move-start_verification"' in detail and 'id="move-return"' in detail
    assert 'id="move-approve"' not in detail
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    web_login(client, "public")
    html = client.get("/submissions").text
    assert "公众账号不能查看企业填报数据" in html and "data-id=" not in html
    assert client.get(f"/submissions/{waiting}").status_code == 404


def test_evidence_on_the_page_stays_in_scope(client: TestClient, settings: Settings) -> None:
    with sessionmaker_for(settings.database_url)() as db:
        sid = make_submission(db)
    web_login(client, "ent-hengyang-pbzn")
    r = client.post(
        f"/submissions/{sid}/evidence",
        data={
            "csrf_token": csrf_token(client, f"/submissions/{sid}"),
            "line_code": "L01",
            "description": "发票",
        },
        files={"file": ("发票.pdf", PDF, "text/html")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    html = client.get(f"/submissions/{sid}").text
    link = re.search(r'href="(/submissions/evidence/\d+)" class="evidence-link">发票.pdf<', html)
    assert link is not None
    got = client.get(link.group(1))
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment; ")
    r = client.post(
        f"/submissions/{sid}/evidence",
        data={"csrf_token": csrf_token(client, f"/submissions/{sid}")},
        files={"file": ("fake.pdf", b"<script>alert(1)</script>", "application/pdf")},
    )
    assert r.status_code == 422
    assert "PDF、PNG、JPEG、xlsx" in r.text
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    web_login(client, "city-chenzhou")
    assert client.get(link.group(1)).status_code == 404


def test_an_upload_over_the_limit_is_refused_on_the_page(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"max_upload_mb": 1}))) as c:
        web_login(c, "ent-hengyang-pbzn")
        r = _upload(c, b"PK\x03\x04" + bytes(1024 * 1024 + 10))
        assert r.status_code == 413  # type: ignore[attr-defined]
        assert "1 MB" in r.text  # type: ignore[attr-defined]


def test_versions_are_compared_on_the_page(client: TestClient, settings: Settings) -> None:
    with sessionmaker_for(settings.database_url)() as db:
        sid = make_submission(db, versions=2)
    web_login(client, "city-hengyang")
    html = client.get(f"/submissions/{sid}?a=1&b=2").text
    assert 'id="diff-table"' in html
    table = re.search(r'id="diff-table">(.*?)</table>', html, re.S).group(1)  # type: ignore[union-attr]
    assert table.count("<tr>") == 1 + 12  # the header and the twelve coal months (+1 t each)
    assert client.get(f"/submissions/{sid}?a=1&b=1").text.count('id="diff-table"') == 0


def test_an_adjustment_with_evidence_is_one_step(client: TestClient, settings: Settings) -> None:
    with sessionmaker_for(settings.database_url)() as db:
        sid = make_submission(db, status="under_verification")
        vid = value_ids(db, sid)[0]
    web_login(client, "verifier")
    form = {"value_id": str(vid), "quantity": "0.09", "unit": "kWh", "reason": "过磅单"}
    r = client.post(
        f"/submissions/{sid}/adjust",
        data={**form, "csrf_token": csrf_token(client, f"/submissions/{sid}")},
        files={"evidence_file": ("weighbridge.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 422  # kWh is not a mass: refused, and the file not kept either
    assert "量纲不对" in r.text
    assert 'class="evidence-link"' not in r.text
    r = client.post(
        f"/submissions/{sid}/adjust",
        data={**form, "unit": "万t", "csrf_token": csrf_token(client, f"/submissions/{sid}")},
        files={"evidence_file": ("weighbridge.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    html = client.get(f"/submissions/{sid}").text
    assert f'id="adj-cell-{vid}"' in html and "过磅单" in html
    ev = re.findall(r'href="/submissions/evidence/(\d+)" class="evidence-link">weighbridge.pdf<', html)
    assert len(ev) == 1
    assert f'<a href="/submissions/evidence/{ev[0]}">#{ev[0]}</a>' in html  # cited by the adjustment


def make_submission_in(settings: Settings, **kw: object) -> int:
    with sessionmaker_for(settings.database_url)() as db:
        return make_submission(db, year=2031, **kw)  # type: ignore[arg-type]


def test_the_pages_in_english(client: TestClient, settings: Settings) -> None:
    with sessionmaker_for(settings.database_url)() as db:
        sid = make_submission(db, status="under_verification", versions=2)
    web_login(client, "verifier")
    client.get("/lang/en?next=/submissions")
    html = client.get(f"/submissions/{sid}").text
    for text in (
        "Adjust a figure",
        "under verification",
        "Figures (line × item × month)",
        "History",
        "Evidence",
    ):
        assert text in html, text
    assert "Verifier queue" in client.get("/submissions").text
    r = client.post(
        f"/submissions/{sid}/move",
        data={
            "move": "return",
            "comment": "Invoices missing",
            "csrf_token": csrf_token(client, f"/submissions/{sid}"),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    note = re.search(r'id="returned-note">([^<]*)<', client.get(f"/submissions/{sid}").text)
    assert note is not None and note.group(1).startswith("Returned (") and "Invoices missing" in note.group(1)
    sid = make_submission_in(settings, status="under_verification")
    r = client.post(
        f"/submissions/{sid}/move",
        data={"move": "approve", "csrf_token": csrf_token(client, f"/submissions/{sid}")},
    )
    assert r.status_code == 403
    assert "may not perform this action" in r.text
