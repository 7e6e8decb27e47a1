"""The Alembic migrations build exactly the schema the ORM models describe."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from carbonpeak.store.db import downgrade, engine_for, migrate
from carbonpeak.store.models import Base


def test_models_and_migrations_agree(empty_url: str) -> None:
    with engine_for(empty_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_downgrade_then_upgrade_round_trips(empty_url: str) -> None:
    downgrade(empty_url, "base")
    assert "enterprise" not in sa.inspect(engine_for(empty_url)).get_table_names()
    migrate(empty_url)
    assert "enterprise" in sa.inspect(engine_for(empty_url)).get_table_names()
