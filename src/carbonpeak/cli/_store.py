"""The one way a command opens the store: migrated, one session, acting as ``system``.

Every command acts as the ``system`` principal (province scope; audited as ``system``)::

    with system_context() as ctx:
        rows = enterprises.list_enterprises(ctx)

The service modules (and with them SQLAlchemy) are imported when a command runs, never
when the CLI starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carbonpeak.service.platform.context import Context

__all__ = ["system_context"]


@contextmanager
def system_context() -> Iterator[Context]:
    """The configured store, migrated to the newest schema, with a session acting as ``system``."""
    from carbonpeak.service.platform import session  # noqa: PLC0415
    from carbonpeak.settings import get_settings  # noqa: PLC0415

    ctx = session.system_context(get_settings().database_url, request_id="cli")
    with ctx.db:
        yield ctx
