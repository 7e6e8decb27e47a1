"""The metering system and its raw readings (issue 14).

- ``meter_location``: an enterprise's sites, workshops and processes (a tree).
- ``meter``: the meters, with carrier, unit, multiplier (CT/PT), cumulative or interval,
  accuracy class, GB 17167 level, the production line fed and the balance group's main meter.
- ``meter_event``: replacements (the old register's final reading, the new one's first).
- ``meter_reading``: the raw readings, one row per (meter, ts). On PostgreSQL the table is
  declaratively partitioned by month of ``ts`` (UTC epoch seconds); the partitions live in the
  schema ``meter_reading_part`` (``meter_reading_y2026m12`` …), created here from January 2024
  to twelve months ahead of today, and by :func:`carbonpeak.store.readings.ensure_partitions`
  when a reading of a later (or earlier) month arrives. On SQLite the same table, unpartitioned.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PART_SCHEMA = "meter_reading_part"


def _months_from_2024_to_a_year_ahead() -> list[tuple[int, int]]:
    today = dt.datetime.now(dt.UTC)
    last = today.year * 12 + today.month - 1 + 12
    return [(m // 12, m % 12 + 1) for m in range(2024 * 12, last + 1)]


def _epoch(year: int, month: int) -> int:
    return int(dt.datetime(year, month, 1, tzinfo=dt.UTC).timestamp())


def upgrade() -> None:
    op.create_table(
        "meter_location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("path", sa.String(length=620), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_meter_location_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["meter_location.id"],
            name=op.f("fk_meter_location_parent_id_meter_location"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_location")),
        sa.UniqueConstraint("enterprise_id", "path", name=op.f("uq_meter_location_enterprise_id")),
    )
    op.create_index(
        op.f("ix_meter_location_enterprise_id"), "meter_location", ["enterprise_id"], unique=False
    )
    op.create_table(
        "meter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("multiplier", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("counter_max", sa.Float(), nullable=True),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("accuracy_class", sa.String(length=16), nullable=False),
        sa.Column("gb17167_level", sa.String(length=16), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_meter_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["meter_location.id"],
            name=op.f("fk_meter_location_id_meter_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["production_line.id"],
            name=op.f("fk_meter_line_id_production_line"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["meter.id"], name=op.f("fk_meter_parent_id_meter"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter")),
        sa.UniqueConstraint("enterprise_id", "code", name=op.f("uq_meter_enterprise_id")),
    )
    op.create_index(op.f("ix_meter_enterprise_id"), "meter", ["enterprise_id"], unique=False)
    op.create_index(op.f("ix_meter_location_id"), "meter", ["location_id"], unique=False)
    op.create_index(op.f("ix_meter_parent_id"), "meter", ["parent_id"], unique=False)
    op.create_table(
        "meter_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("old_final", sa.Float(), nullable=False),
        sa.Column("new_initial", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["meter_id"], ["meter.id"], name=op.f("fk_meter_event_meter_id_meter"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_event")),
    )
    op.create_index(op.f("ix_meter_event_meter_id"), "meter_event", ["meter_id"], unique=False)
    is_pg = op.get_bind().dialect.name == "postgresql"
    partitioned: dict[str, Any] = {"postgresql_partition_by": "RANGE (ts)"} if is_pg else {}
    op.create_table(
        "meter_reading",
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("ts", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("quality", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meter_id"], ["meter.id"], name=op.f("fk_meter_reading_meter_id_meter"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("meter_id", "ts", name=op.f("pk_meter_reading")),
        **partitioned,
    )
    if is_pg:
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {PART_SCHEMA}")
        for y, m in _months_from_2024_to_a_year_ahead():
            ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
            op.execute(
                f"CREATE TABLE IF NOT EXISTS {PART_SCHEMA}.meter_reading_y{y}m{m:02d} "
                f"PARTITION OF meter_reading FOR VALUES FROM ({_epoch(y, m)}) TO ({_epoch(ny, nm)})"
            )


def downgrade() -> None:
    op.drop_table("meter_reading")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP SCHEMA IF EXISTS {PART_SCHEMA} CASCADE")
    op.drop_index(op.f("ix_meter_event_meter_id"), table_name="meter_event")
    op.drop_table("meter_event")
    op.drop_index(op.f("ix_meter_parent_id"), table_name="meter")
    op.drop_index(op.f("ix_meter_location_id"), table_name="meter")
    op.drop_index(op.f("ix_meter_enterprise_id"), table_name="meter")
    op.drop_table("meter")
    op.drop_index(op.f("ix_meter_location_enterprise_id"), table_name="meter_location")
    op.drop_table("meter_location")
