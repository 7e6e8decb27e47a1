"""Load the embedded, synthetic demo sector (``carbonpeak/demo``) into an empty store.

Every figure in it is invented (see ``carbonpeak/demo/README.md``); enterprises are
flagged ``is_demo`` and the pages label them. The demo verifier is assigned to the
enterprises of the Shuikoushan park.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import select

from carbonpeak.io.register import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_OPTIONAL,
    LINE_COLUMNS,
    LINE_OPTIONAL,
)
from carbonpeak.io.tabular import Table, read_rows
from carbonpeak.service.access import auth
from carbonpeak.service.platform.context import Context, transactional
from carbonpeak.service.reporting import assignments

if TYPE_CHECKING:
    from carbonpeak.service.inventories.bulk_load import BulkLoad
from carbonpeak.service.registry.enterprises import import_register
from carbonpeak.service.registry.registries import load_demo_registries
from carbonpeak.store.models import Enterprise, User

__all__ = ["DEMO_VERIFIER_PARK", "demo_tables", "demo_users", "load_demo"]

DEMO_VERIFIER_PARK = "shuikoushan"


def _read(name: str) -> bytes:
    return resources.files("carbonpeak.demo").joinpath(name).read_bytes()


def demo_tables() -> tuple[Table, Table]:
    """The demo enterprise and line tables, parsed like any user's file."""
    ents = read_rows(_read("enterprises.csv"), "enterprises.csv", ENTERPRISE_COLUMNS, ENTERPRISE_OPTIONAL)
    lines = read_rows(_read("lines.csv"), "lines.csv", LINE_COLUMNS, LINE_OPTIONAL)
    return ents, lines


def demo_users() -> list[dict[str, str]]:
    """The demo logins (user name, password, role, scope) printed by ``make run``."""
    return list(csv.DictReader(io.StringIO(_read("users.csv").decode("utf-8-sig"))))


def load_demo(ctx: Context) -> int:
    """Import the demo register, users and verifier assignments; return enterprises added."""
    ents, lines = demo_tables()
    added = import_register(ctx, ents, lines, demo=True)
    for u in demo_users():
        auth.add_user(
            ctx,
            u["username"],
            u["password"],
            u["role"],
            city=u["city"] or None,
            enterprises=[u["enterprise"]] if u["enterprise"] else [],
            display_name=u["display_name"],
        )
    _assign_verifier(ctx)
    load_demo_inventories(ctx)
    # demo projects and registries (issue 5): one call here
    load_demo_registries(ctx)
    # demo metering system and two days of simulated readings (issue 14): one call here
    from carbonpeak.service.metering.simulation import load_demo_meters  # noqa: PLC0415

    load_demo_meters(ctx)
    # demo submissions (issue 6): one call here
    return len(added)


def load_demo_inventories(ctx: Context) -> BulkLoad:
    """Compute and store the demo enterprises' inventories from ``demo/activity.csv``: a
    province bulk load (one approved version per enterprise and year)."""
    from carbonpeak.io.activity import ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL  # noqa: PLC0415
    from carbonpeak.service.inventories.bulk_load import store_table  # noqa: PLC0415

    table = read_rows(_read("activity.csv"), "activity.csv", ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
    return store_table(ctx, table)


@transactional
def _assign_verifier(ctx: Context) -> None:
    """The demo verifier assigned to the enterprises of the demo park, through the
    assignments service like any province's assignment (audited one by one)."""
    verifier = ctx.db.execute(select(User).where(User.role == "verifier")).scalars().first()
    if verifier is None:
        return
    ids = (
        ctx.db.execute(
            select(Enterprise.id).where(Enterprise.park_id == DEMO_VERIFIER_PARK).order_by(Enterprise.id)
        )
        .scalars()
        .all()
    )
    for eid in ids:
        assignments.assign(ctx, verifier.id, eid)
