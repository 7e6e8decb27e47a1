"""The official-figures rule as a setting, and the coverage arithmetic (service level, both
stores): with ``official_from = verified`` a verified submission counts; the coverage
counts enterprises and their existing capacity; the cache follows the data version."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from carbonpeak.errors import AuthenticationFailed
from carbonpeak.service.access import auth
from carbonpeak.service.inventories import official
from carbonpeak.service.reporting import intake, workflow
from carbonpeak.settings import get_settings
from carbonpeak.store import facts
from carbonpeak.store.db import sessionmaker_for
from carbonpeak.store.models import AuditHead
from tests.intake_support import GOOD_ROWS, ctx_for, fill
from tests.service.test_intake import _template

YEAR = 2030


@pytest.fixture
def db(demo_url: str) -> Iterator[Session]:
    with sessionmaker_for(demo_url)() as session:
        yield session


@pytest.fixture
def official_from(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Set ``CARBONPEAK_OFFICIAL_FROM`` for one test (settings re-read, then restored)."""

    def use(value: str) -> None:
        monkeypatch.setenv("CARBONPEAK_OFFICIAL_FROM", value)
        get_settings.cache_clear()

    yield use
    monkeypatch.delenv("CARBONPEAK_OFFICIAL_FROM", raising=False)
    get_settings.cache_clear()


def _verified(db: Session) -> int:
    out = intake.import_submission(ctx_for(db, "ent-hengyang-pbzn"), fill(_template(db), GOOD_ROWS), "a.xlsx")
    workflow.submit(ctx_for(db, "ent-hengyang-pbzn"), out.submission_id)
    workflow.start_verification(ctx_for(db, "verifier"), out.submission_id)
    workflow.verify(ctx_for(db, "verifier"), out.submission_id)
    return out.submission_id


@pytest.mark.parametrize(("setting", "counted"), [("approved", 0), ("verified", 1), ("Verified", 1)])
def test_the_province_decides_whether_verified_figures_count(
    db: Session, official_from: object, setting: str, counted: int
) -> None:
    official_from(setting)  # type: ignore[operator]
    _verified(db)
    prov = ctx_for(db, "province")
    assert official.coverage(prov, YEAR).official == counted
    assert len(official.year_totals(prov).query("year == @YEAR")) == counted
    assert official.coverage(prov, YEAR).official_from == ("approved" if counted == 0 else "verified")


def test_coverage_counts_enterprises_and_existing_capacity(db: Session) -> None:
    prov = ctx_for(db, "province")
    reported = facts.reported(db, prov.principal, official.official_statuses())
    cap = reported.drop_duplicates("enterprise_id").set_index("enterprise_id")["capacity_t_per_a"]
    cov = official.coverage(prov, 2025)
    ids = set(reported.loc[(reported["year"] == 2025) & reported["official"], "enterprise_id"])
    assert cov.enterprises == len(cap) and cov.official == len(ids)
    assert cov.capacity_share == pytest.approx(cap[cap.index.isin(ids)].sum() / cap.sum())
    assert not cov.provisional and cov.label_zh.startswith(f"已报送 {cov.reported}/{cov.enterprises} 家")
    # a city: its own enterprises only
    city = official.coverage(ctx_for(db, "city-hengyang"), 2025)
    assert 0 < city.enterprises < cov.enterprises


def test_an_approval_moves_the_data_version_and_the_cached_views(db: Session) -> None:
    prov = ctx_for(db, "province")
    before_version = facts.data_version(db)
    before = official.year_totals(prov)
    assert official.year_totals(prov) is before  # cached
    sid = _verified(db)
    workflow.approve(prov, sid)
    assert facts.data_version(db) > before_version
    after = official.year_totals(prov)
    assert after is not before
    assert len(after.query("year == @YEAR")) == 1 and len(before.query("year == @YEAR")) == 0


def test_sign_ins_and_tokens_leave_the_data_version_and_the_cached_views(db: Session) -> None:
    """A morning of logins must not empty the province views' cache: account events are
    audited but change no figure."""
    prov = ctx_for(db, "province")
    version = facts.data_version(db)
    view = official.year_totals(prov)
    head = db.execute(sa.select(AuditHead.last_id)).scalar_one()
    auth.login(ctx_for(db, "province"), "province", "demo-province")
    with pytest.raises(AuthenticationFailed):
        auth.login(ctx_for(db, "province"), "province", "wrong-password-1")
    db.commit()
    assert db.execute(sa.select(AuditHead.last_id)).scalar_one() > head  # audited …
    assert facts.data_version(db) == version  # … but no data changed
    assert official.year_totals(prov) is view


def test_a_cold_view_is_computed_once_while_others_wait(demo_url: str) -> None:
    """Single flight: a second caller of a view being computed waits for the first (fifty
    officials after an approval cost one computation). On a slow machine the second caller
    may arrive after the first finished — it then finds the view cached; either way ``fn``
    runs once."""
    entered, release = threading.Event(), threading.Event()
    calls: list[int] = []
    results: list[object] = []

    def view() -> object:
        calls.append(1)
        if len(calls) == 1:
            entered.set()
            release.wait(timeout=60)
        return object()

    def caller() -> None:
        with sessionmaker_for(demo_url)() as session:
            results.append(official.cached(ctx_for(session, "province"), "slow-view", (), view))

    first = threading.Thread(target=caller)
    first.start()
    assert entered.wait(timeout=60)
    second = threading.Thread(target=caller)
    second.start()
    second.join(timeout=0.5)  # let it reach the cache (no assertion on time)
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)
    assert len(calls) == 1
    assert len(results) == 2 and results[0] is results[1]
