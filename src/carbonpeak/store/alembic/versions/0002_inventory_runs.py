"""Inventory runs and their computed lines (accounting engine results with provenance).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "inventory_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("method_version", sa.String(length=32), nullable=False),
        sa.Column("factor_set", sa.String(length=32), nullable=False),
        sa.Column("gwp_set", sa.String(length=8), nullable=False),
        sa.Column("grid_series", sa.String(length=64), nullable=False),
        sa.Column("grid_region", sa.String(length=16), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column("source_file", sa.String(length=255), nullable=False),
        sa.Column("input_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("totals", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_inventory_run_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_run")),
    )
    with op.batch_alter_table("inventory_run", schema=None) as batch_op:
        batch_op.create_index("ix_inventory_run_enterprise_status", ["enterprise_id", "status"], unique=False)

    op.create_table(
        "inventory_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("line_code", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("item", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("quantity_in", sa.Float(), nullable=False),
        sa.Column("unit_in", sa.String(length=32), nullable=False),
        sa.Column("purity", sa.Float(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("co2_t", sa.Float(), nullable=False),
        sa.Column("co2_market_t", sa.Float(), nullable=False),
        sa.Column("cf4_t", sa.Float(), nullable=False),
        sa.Column("c2f6_t", sa.Float(), nullable=False),
        sa.Column("co2e_t", sa.Float(), nullable=False),
        sa.Column("co2e_market_t", sa.Float(), nullable=False),
        sa.Column("energy_tce", sa.Float(), nullable=False),
        sa.Column("energy_tce_equal_value", sa.Float(), nullable=True),
        sa.Column("factor_ids", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["inventory_run.id"],
            name=op.f("fk_inventory_line_run_id_inventory_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_line")),
        sa.UniqueConstraint("run_id", "line_no", name=op.f("uq_inventory_line_run_id")),
    )
    with op.batch_alter_table("inventory_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventory_line_run_id"), ["run_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("inventory_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventory_line_run_id"))

    op.drop_table("inventory_line")
    with op.batch_alter_table("inventory_run", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_run_enterprise_status")

    op.drop_table("inventory_run")
