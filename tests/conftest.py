"""Shared fixtures: a demo store on SQLite or PostgreSQL, an HTTP client, a live server.

The store under test is chosen by ``CARBONPEAK_DATABASE_URL``: unset → SQLite files in a
temporary folder; a ``postgresql://`` URL → databases created on that server (the URL's
database is only used to connect; each test store is a new database cloned from a
migrated, demo-loaded template).
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from carbonpeak.app import create_app
from carbonpeak.http.background import serve_in_background
from carbonpeak.service.access import auth
from carbonpeak.service.platform.bootstrap import prepare_store
from carbonpeak.settings import Settings, get_settings
from carbonpeak.store.db import dispose, dispose_all, engine_for, normalise_url

# Hypothesis: no deadlines (a shared 2-core CI machine makes example times noise; the
# developers' guide: "no wall-clock assertions"), random examples, and the reproduction blob
# printed on failure. Loaded for every run; tests set max_examples only, never a deadline.
hypothesis_settings.register_profile("carbonpeak", deadline=None, derandomize=False, print_blob=True)
hypothesis_settings.load_profile("carbonpeak")

BASE_URL = os.environ.get("CARBONPEAK_DATABASE_URL", "")
IS_PG = BASE_URL.startswith(("postgresql", "postgres"))
DEMO_PASSWORDS = {
    "province": "demo-province",
    "city-hengyang": "demo-city-hengyang",
    "city-chenzhou": "demo-city-chenzhou",
    "city-changsha": "demo-city-changsha",
    "ent-hengyang-pbzn": "demo-ent-hengyang-pbzn",
    "ent-loudi-sb": "demo-ent-loudi-sb",
    "verifier": "demo-verifier",
    "public": "demo-public",
}


def _pg_admin_url(dbname: str = "postgres") -> str:
    url = sa.make_url(normalise_url(BASE_URL))
    return url.set(database=dbname).render_as_string(hide_password=False)


def _pg_exec(sql: str) -> None:
    eng = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.exec_driver_sql(sql)
    eng.dispose()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move what lives for the whole run (modules, classes, the collected tests) out of the
    garbage collector's sight, so that each full collection — ``release()`` asks for one per
    test, and pandas-heavy tests trigger many — scans only what the tests themselves create
    (about 0.15 s a pass → microseconds)."""
    gc.collect()
    gc.freeze()


class StoreFactory:
    """Makes fresh stores: empty (migrated) or cloned from the demo template.

    On PostgreSQL one background thread clones the next demo store while a test runs and
    drops the stores tests release, so that no test waits for the server's CREATE DATABASE
    (about 0.3 s) or DROP DATABASE (about 0.15 s); a failed drop fails the run at cleanup.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.created: list[str] = []
        self.template = self._new_url("tpl")
        prepare_store(self.template, demo=True)
        engine_for(self.template).dispose()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-stores") if IS_PG else None
        self._spare: Future[str] | None = None
        self._drops: list[Future[None]] = []

    def _new_url(self, tag: str) -> str:
        name = f"cp_{tag}_{uuid.uuid4().hex[:10]}"
        if IS_PG:
            _pg_exec(f'CREATE DATABASE "{name}"')
            self.created.append(name)
            return _pg_admin_url(name)
        return f"sqlite:///{self.root / (name + '.db')}"

    def _clone_demo(self) -> str:
        name = f"cp_demo_{uuid.uuid4().hex[:10]}"
        tpl = sa.make_url(self.template).database
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
        self.created.append(name)
        return _pg_admin_url(name)

    def demo(self) -> str:
        """A new store holding the demo sector."""
        if self._worker is not None:
            url = self._spare.result() if self._spare is not None else self._clone_demo()
            self._spare = self._worker.submit(self._clone_demo)
            return url
        name = f"cp_demo_{uuid.uuid4().hex[:10]}"
        src = Path(self.template.removeprefix("sqlite:///"))
        dst = self.root / f"{name}.db"
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}"

    def empty(self) -> str:
        """A new, migrated store with no data."""
        url = self._new_url("empty")
        prepare_store(url, demo=False)
        return url

    def release(self, url: str) -> None:
        """Close a test store's connections and, on PostgreSQL, drop its database."""
        gc.collect()  # sessions a test left open return their connections to the pool
        dispose(url)
        if self._worker is not None:
            self._drops.append(self._worker.submit(self._drop, str(sa.make_url(url).database)))

    def _drop(self, name: str) -> None:
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    def cleanup(self) -> None:
        gc.collect()  # return connections of sessions a test left open to their pools
        dispose_all()
        if self._worker is not None:
            self._worker.shutdown(wait=True)
            for done in self._drops:
                done.result()
        for name in self.created:
            _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """argon2id with the smallest cost (1 pass, 1 MiB) for the whole run: the demo users'
    hashes in the template store and every login verify in about 1 ms instead of 0.15 s. The
    hashes are still argon2id (tests/test_cli.py checks); the production cost is auth's own."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    patch = pytest.MonkeyPatch()
    patch.setattr(auth, "_hasher", cheap)
    patch.setattr(auth, "_DUMMY_HASH", cheap.hash("carbonpeak-timing-equaliser"))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreFactory]:
    factory = StoreFactory(tmp_path_factory.mktemp("stores"))
    yield factory
    factory.cleanup()


@pytest.fixture
def demo_url(stores: StoreFactory) -> Iterator[str]:
    """A fresh store with the demo sector, for one test (dropped afterwards)."""
    url = stores.demo()
    yield url
    stores.release(url)


@pytest.fixture
def empty_url(stores: StoreFactory) -> Iterator[str]:
    """A fresh, migrated, empty store, for one test (dropped afterwards)."""
    url = stores.empty()
    yield url
    stores.release(url)


@pytest.fixture
def store(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A demo store that the CLI (which reads its settings from the environment) uses."""
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", demo_url)
    get_settings.cache_clear()
    yield demo_url
    get_settings.cache_clear()


@pytest.fixture
def settings(demo_url: str) -> Settings:
    return Settings(database_url=demo_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """An HTTP client on the full app over a fresh demo store."""
    with TestClient(create_app(settings)) as c:
        yield c


def api_token(client: TestClient, username: str) -> dict[str, str]:
    """Authorization header for a demo user."""
    r = client.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORDS[username]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="session")
def live_server(stores: StoreFactory) -> Iterator[str]:
    """The platform served by uvicorn on a free localhost port over a demo store."""
    with serve_in_background(create_app(Settings(database_url=stores.demo()))) as base:
        yield base
