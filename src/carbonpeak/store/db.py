"""Engines, sessions and migrations.

SQLite (the embedded default, a file under ``var/``) and PostgreSQL (production) are both
first-class; ``CARBONPEAK_DATABASE_URL`` picks one. The schema is owned by Alembic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "alembic_config",
    "dispose",
    "dispose_all",
    "downgrade",
    "engine_for",
    "is_empty",
    "migrate",
    "normalise_url",
    "session_scope",
    "sessionmaker_for",
]

ALEMBIC_DIR = Path(__file__).parent / "alembic"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    # a 64 MiB page cache and in-memory temporary tables, so that a province's bulk writes
    # and sorts do not thrash the 2 MiB default (synchronous stays FULL: a committed
    # approval survives a power cut)
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


#: Pooled connections per engine: more than the worker threads a server runs requests on
#: (AnyIO's 40) plus the event loop's own token look-ups, so that a burst of requests waits
#: for CPU, never for a connection. With fewer, fifty clients emptied the pool: each waiting
#: thread held a thread, the event loop blocked in the pool on its next look-up, and the
#: threads that were done could not hand their connections back until the 30 s pool
#: timeout failed the requests (benchmarks/load.py: 0 requests completed, 500s).
POOL: Final = {"pool_size": 10, "max_overflow": 50}

_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One pooled engine per URL; SQLite files get their folder, WAL and foreign keys."""
    url = normalise_url(url)
    if url not in _ENGINES:
        _ENGINES[url] = _make_engine(url)
    return _ENGINES[url]


def dispose(url: str) -> None:
    """Close the pooled connections of *url*'s engine and forget it."""
    eng = _ENGINES.pop(normalise_url(url), None)
    if eng is not None:
        eng.dispose()
    sessionmaker_for.cache_clear()


def dispose_all() -> None:
    """Close every pooled connection and forget the engines (tests, shutdown)."""
    for eng in _ENGINES.values():
        eng.dispose()
    _ENGINES.clear()
    sessionmaker_for.cache_clear()


def _make_engine(url: str) -> Engine:
    # hide_parameters: an error's text (IntegrityError …, logged by the server) never carries
    # the bound values — password hashes, token digests, enterprise data
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        eng = create_engine(
            url, connect_args={"check_same_thread": False}, hide_parameters=True, **POOL
        )
        event.listen(eng, "connect", _sqlite_pragmas)
        if path and path != ":memory:":
            with eng.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        return eng
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **POOL)


@lru_cache(maxsize=32)
def sessionmaker_for(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=engine_for(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    session = sessionmaker_for(url)()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ALEMBIC_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    cfg.attributes["engine"] = engine_for(url)
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Bring the store at *url* to *revision* (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the store at *url* back to *revision* (``"base"``: no tables)."""
    command.downgrade(alembic_config(url), revision)


def is_empty(url: str) -> bool:
    """True when the store has no enterprises (or no schema yet)."""
    eng = engine_for(url)
    if "enterprise" not in inspect(eng).get_table_names():
        return True
    with eng.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM enterprise").scalar_one()) == 0
