"""The meters page of an enterprise, through HTTP: the demo's meters with their latest
readings and findings, in scope only, in both languages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from carbonpeak.settings import Settings
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import Enterprise
from tests.service.workflow_support import LOUDI_SB, PBZN
from tests.web.conftest import web_login
from tests.web.test_pages_http import assert_no_inline_script


def _id(settings: Settings, code: str) -> int:
    with sessionmaker_for(settings.database_url)() as db:
        return int(db.execute(select(Enterprise.id).where(Enterprise.credit_code == code)).scalar_one())


def test_the_meters_page_shows_meters_readings_and_findings(client: TestClient, settings: Settings) -> None:
    pbzn = _id(settings, PBZN)
    r = client.get(f"/enterprises/{pbzn}/meters", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/")
    web_login(client, "city-hengyang")
    r = client.get(f"/enterprises/{pbzn}/meters", params={"day": "2026-11-30"})
    assert r.status_code == 200, r.text
    page = r.text
    assert_no_inline_script("meters", r)
    for k in range(6):
        assert f'id="meter-M-00{k}"' in page
    assert "110kV 进线总表（示例）" in page and "进出用能单位" in page
    assert "数据缺失" in page and "表码停走" in page and "突增" in page  # gap, stuck, spike
    assert 'data-rule="gap"' in page
    assert "2026-12-02 00:00" in page  # the newest reading (the closing one), Beijing time
    assert 'http-equiv="refresh"' not in page  # a chosen day does not refresh
    live = client.get(f"/enterprises/{pbzn}/meters")
    assert live.status_code == 200 and 'http-equiv="refresh"' in live.text
    client.get(f"/lang/en?next=/enterprises/{pbzn}/meters")
    en = client.get(f"/enterprises/{pbzn}/meters", params={"day": "2026-11-30"}).text
    assert "stuck" in en and "Energy-using unit" in en and "110 kV incoming main meter (demo)" in en


def test_another_enterprise_s_meters_are_not_found(client: TestClient, settings: Settings) -> None:
    web_login(client, "ent-loudi-sb")
    assert client.get(f"/enterprises/{_id(settings, PBZN)}/meters").status_code == 404
    own = client.get(f"/enterprises/{_id(settings, LOUDI_SB)}/meters", params={"day": "2026-11-30"})
    assert own.status_code == 200 and 'id="meter-M-002"' in own.text
    assert client.get("/enterprises/abc/meters").status_code == 404
