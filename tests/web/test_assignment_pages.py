"""The reporting-round and assignment pages over HTTP: who sees them, CSRF on every form,
scope (a city cannot assign in another city), errors in the page's language."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from carbonpeak.service.reporting import assignments
from carbonpeak.settings import Settings
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import Enterprise, User, VerifierAssignment
from carbonpeak.web import TEMPLATES_DIR, i18n
from carbonpeak.web.assignment_pages import beijing_time
from tests.service.workflow_support import LOUDI_SB, PBZN
from tests.web.conftest import csrf_token, web_login
from tests.web.test_pages_http import POST_FORM, assert_no_inline_script


def _ids(settings: Settings) -> tuple[int, int, int]:
    with sessionmaker_for(settings.database_url)() as db:
        ent = dict(db.execute(select(Enterprise.credit_code, Enterprise.id)).all())
        vid = db.execute(select(User.id).where(User.username == "verifier")).scalar_one()
    return ent[PBZN], ent[LOUDI_SB], int(vid)


def _assignment_count(settings: Settings) -> int:
    with sessionmaker_for(settings.database_url)() as db:
        return len(db.execute(select(VerifierAssignment.id)).all())


@pytest.mark.parametrize("path", ["/rounds", "/assignments?year=2026"])
def test_anonymous_visitors_are_sent_to_login(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/")


def test_the_round_page_for_the_province_in_both_languages(client: TestClient) -> None:
    web_login(client, "province")
    home = client.get("/").text
    assert 'href="/rounds"' in home
    r = client.get("/rounds?year=2026")
    assert r.status_code == 200
    assert_no_inline_script("/rounds", r)
    assert "2026 年度填报轮次" in r.text and 'id="round-none"' in r.text
    # 108 demo enterprises: a page of 100 and a page of 8, every enterprise once
    first = re.findall(r'<tr data-enterprise="(\d+)"', r.text)
    assert len(first) == 100 and "第 1–100 家，共 108 家" in r.text and 'rel="next"' in r.text
    second = client.get("/rounds?year=2026&page=2").text
    rest = re.findall(r'<tr data-enterprise="(\d+)"', second)
    assert len(rest) == 8 and "第 101–108 家，共 108 家" in second and 'rel="prev"' in second
    assert len(set(first) | set(rest)) == 108
    assert client.get("/rounds?year=2026&page=999999999").status_code == 200  # clamped to the last
    assert r.text.count('data-status="not_reported"') + second.count('data-status="not_reported"') == 108
    token = csrf_token(client, "/rounds?year=2026")
    assert all(f'name="csrf_token" value="{token}"' in f for f in POST_FORM.findall(r.text))
    done = client.post(
        "/rounds",
        data={"year": "2026", "deadline": "2027-03-31", "note": "首轮", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/rounds?year=2026&done=round"
    page = client.get("/rounds?year=2026&city=430400&status=not_reported").text
    assert 'id="deadline-date">2027-03-31<' in page and 'id="deadline-days"' in page
    assert set(re.findall(r'data-city="(\d+)" data-status', page)) == {"430400"}
    client.get("/lang/en?next=/rounds")
    en = client.get("/rounds?year=2026").text
    assert "Reporting round 2026" in en and "not reported" in en
    bad = client.post(
        "/rounds",
        data={"year": "2026", "deadline": "31/03/2027", "csrf_token": token},
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert "The deadline '31/03/2027' is invalid" in html.unescape(bad.text)


def test_forms_without_the_csrf_token_are_refused(client: TestClient, settings: Settings) -> None:
    pbzn, _loudi, vid = _ids(settings)
    web_login(client, "province")
    before = _assignment_count(settings)
    for path, data in (
        ("/assignments", {"verifier_id": str(vid), "enterprise_id": str(pbzn), "year": "2031"}),
        ("/assignments/1/delete", {}),
        ("/rounds", {"year": "2026", "deadline": "2027-03-31"}),
    ):
        r = client.post(path, data={**data, "csrf_token": "x" * 43}, follow_redirects=False)
        assert r.status_code == 403, path
    assert _assignment_count(settings) == before


def test_a_city_assigns_in_its_city_and_never_in_another(client: TestClient, settings: Settings) -> None:
    pbzn, loudi, vid = _ids(settings)
    web_login(client, "city-hengyang")
    page = client.get("/assignments?year=2031")
    assert page.status_code == 200
    assert_no_inline_script("/assignments", page)
    options = re.findall(r'<option value="(\d+)"[^>]*>[^<]*· 衡阳市</option>', page.text)
    assert (
        str(pbzn) in options
        and str(loudi) not in page.text.split('id="assign-enterprise"')[1].split("</select>")[0]
    )
    token = csrf_token(client, "/assignments")
    r = client.post(
        "/assignments",
        data={"verifier_id": str(vid), "enterprise_id": str(pbzn), "year": "2031", "csrf_token": token},
        follow_redirects=False,
    )
    # the demo verifier holds an undated assignment for PBZN already: a conflict, in Chinese
    assert r.status_code == 409
    assert "已分配到企业" in r.text and "全部年度" in r.text
    before = _assignment_count(settings)
    r = client.post(
        "/assignments",
        data={"verifier_id": str(vid), "enterprise_id": str(loudi), "year": "2031", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 404 and _assignment_count(settings) == before
    # the demo verifier's assignment in Hengyang can be removed by the city
    mine = re.search(r'action="/assignments/(\d+)/delete"', page.text)
    assert mine is not None
    r = client.post(
        f"/assignments/{mine.group(1)}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/assignments?year=&done=unassign"
    assert _assignment_count(settings) == before - 1


@pytest.mark.parametrize(("user", "status"), [("ent-hengyang-pbzn", 403), ("verifier", 403), ("public", 403)])
def test_the_assign_page_is_for_authorities_only(client: TestClient, user: str, status: int) -> None:
    web_login(client, user)
    assert 'href="/rounds"' not in client.get("/").text
    assert client.get("/assignments").status_code == status
    token = csrf_token(client, "/")
    r = client.post(
        "/assignments",
        data={"verifier_id": "1", "enterprise_id": "1", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_a_done_note_of_another_page_is_ignored(client: TestClient) -> None:
    web_login(client, "province")
    for path in ("/assignments?done=round", "/rounds?done=assign", "/rounds?done=x&year=abcd"):
        r = client.get(path)
        assert r.status_code in (200, 422) and 'id="done-note"' not in r.text, path


def test_unknown_verifier_and_bad_year_are_reported_on_the_form(
    client: TestClient, settings: Settings
) -> None:
    pbzn, _loudi, _vid = _ids(settings)
    web_login(client, "province")
    token = csrf_token(client, "/assignments")
    r = client.post(
        "/assignments",
        data={"verifier_id": "999999", "enterprise_id": str(pbzn), "year": "2031", "csrf_token": token},
    )
    assert r.status_code == 422 and "不是核查机构账号" in r.text
    r = client.post(
        "/assignments",
        data={"verifier_id": "1", "enterprise_id": str(pbzn), "year": "20x1", "csrf_token": token},
    )
    assert r.status_code == 422 and "20x1" in r.text
    for big in (str(2**31), str(2**63)):  # beyond the stores' INTEGER: a form problem, not a store error
        r = client.post("/assignments", data={"verifier_id": big, "enterprise_id": big, "csrf_token": token})
        assert r.status_code == 422, big
        r = client.post(f"/assignments/{big}/delete", data={"csrf_token": token})
        assert r.status_code == 404, big


def test_beijing_time_of_a_stored_utc_time() -> None:

    assert beijing_time("2027-03-31T16:05:00.000000Z") == "2027-04-01 00:05"
    assert beijing_time("") == "" and beijing_time("not a time") == "not a time"
    assert assignments.BEIJING.utcoffset(None).total_seconds() == 8 * 3600  # type: ignore[union-attr]


def test_every_key_of_the_assign_templates_is_in_the_catalogue() -> None:
    source = "".join(p.read_text("utf-8") for p in (TEMPLATES_DIR / "assign").glob("*.html"))
    used = set(re.findall(r"""\bt\(\s*'([a-z0-9_.]+)'""", source))
    prefixes = set(re.findall(r"""\bt\(\s*'([a-z0-9_.]+\.)'\s*~""", source))
    assert prefixes == {"round.state.", "assign.done."}
    assert sorted(used - prefixes - set(i18n.TEXT)) == []
    states = {k.removeprefix("round.state.") for k in i18n.TEXT if k.startswith("round.state.")}
    assert states == set(assignments.REPORT_STATES)
    assert {k for k in i18n.TEXT if k.startswith("assign.done.")} == {
        "assign.done.assign",
        "assign.done.unassign",
    }
