"""Bring a store to a usable state: migrate, then load the demo sector if it is empty."""

from __future__ import annotations

from carbonpeak.service.context import SYSTEM, Context
from carbonpeak.service.demo import load_demo
from carbonpeak.store.db import is_empty, migrate, sessionmaker_for

__all__ = ["prepare_store"]


def prepare_store(url: str, *, demo: bool = True) -> int:
    """Migrate *url* to the newest schema; load the demo data if the store is empty.

    Returns the number of demo enterprises loaded (0 if the store already had data).
    """
    migrate(url)
    if not demo or not is_empty(url):
        return 0
    with sessionmaker_for(url)() as db:
        return load_demo(Context(db=db, principal=SYSTEM, request_id="bootstrap"))
