"""Open the configured store for a console operator: migrated, one session, acting as ``system``.

The command line calls these (through :mod:`carbonpeak.cli._store`); the API and the pages
get one session per request from :func:`open_session` (through :mod:`carbonpeak.http.deps`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from carbonpeak.service.platform.context import SYSTEM, Context
from carbonpeak.store.db import migrate, sessionmaker_for

__all__ = ["migrate_store", "open_session", "system_context"]


def migrate_store(url: str) -> None:
    """Bring the store at *url* to the newest schema."""
    migrate(url)


def system_context(url: str, request_id: str = "cli") -> Context:
    """Migrate the store at *url* and open a session on it acting as the ``system`` principal
    (province scope; audited as ``system``). The caller closes ``ctx.db``."""
    migrate(url)
    return Context(db=sessionmaker_for(url)(), principal=SYSTEM, request_id=request_id)


def open_session(url: str) -> Session:
    """A new session on the (already migrated) store at *url*, from the pooled engine the
    process keeps for it. The caller closes it."""
    return sessionmaker_for(url)()
