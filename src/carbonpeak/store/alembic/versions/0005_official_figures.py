"""Official figures: every inventory run belongs to a submission version; the inventory
lines are a fact table (``in_total``) and the JSON totals column goes; versions say where
they came from (``origin``: upload or a province bulk load); reporting rounds (deadlines).

Runs stored before this revision have no version: they stay readable on the enterprise
pages but are never official (re-load them through a version: ``carbonpeak inventory
compute FILE --store``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reporting_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_round")),
        sa.UniqueConstraint("year", name=op.f("uq_reporting_round_year")),
    )
    with op.batch_alter_table("submission_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=16), nullable=False, server_default="upload")
        )
    with op.batch_alter_table("inventory_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_total", sa.Boolean(), nullable=False, server_default=sa.true()))
    # a year's total is its annual rows when the run has any for that year, else its months
    op.execute(
        "UPDATE inventory_line SET in_total = CASE WHEN month IS NULL OR NOT EXISTS ("
        "SELECT 1 FROM inventory_line a WHERE a.run_id = inventory_line.run_id "
        "AND a.year = inventory_line.year AND a.month IS NULL) THEN TRUE ELSE FALSE END"
    )
    with op.batch_alter_table("inventory_line", schema=None) as batch_op:
        batch_op.create_index("ix_inventory_line_run_total", ["run_id", "in_total"], unique=False)
    with op.batch_alter_table("inventory_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("year", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_inventory_run_version_id"), ["version_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_inventory_run_version_id_submission_version"),
            "submission_version",
            ["version_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_column("totals")
    with op.batch_alter_table("submission_version", schema=None) as batch_op:
        batch_op.alter_column("origin", server_default=None)
    with op.batch_alter_table("inventory_line", schema=None) as batch_op:
        batch_op.alter_column("in_total", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("inventory_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totals", sa.Text(), nullable=False, server_default="{}"))
        batch_op.drop_constraint(
            batch_op.f("fk_inventory_run_version_id_submission_version"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_inventory_run_version_id"))
        batch_op.drop_column("year")
        batch_op.drop_column("version_id")
    with op.batch_alter_table("inventory_line", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_line_run_total")
        batch_op.drop_column("in_total")
    with op.batch_alter_table("submission_version", schema=None) as batch_op:
        batch_op.drop_column("origin")
    op.drop_table("reporting_round")
