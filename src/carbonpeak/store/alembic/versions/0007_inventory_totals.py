"""Pre-aggregated totals of the inventory fact table, written with the lines.

``inventory_run_total`` (one row per run: the year's total of every fact column, the
direct emissions and the value added) and ``inventory_line_total`` (one row per run and
production line: energy, product output, potline AC power) are derived from
``inventory_line``'s ``in_total`` rows by the one writer of the fact table
(``service/inventory_write.write_runs``), in the same transaction, so a province view
reads thousands of rows instead of millions. Existing runs are back-filled here from
their lines. The fact table's index on ``run_id`` alone goes: the unique (run_id, line_no)
and the (run_id, in_total) indexes already lead with it, and every bulk write paid for the
third.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_SUMS = ("co2_t", "co2_market_t", "cf4_t", "c2f6_t", "co2e_t", "co2e_market_t", "energy_tce")


def upgrade() -> None:
    op.create_table(
        "inventory_run_total",
        sa.Column("run_id", sa.Integer(), nullable=False),
        *(sa.Column(c, sa.Float(), nullable=False) for c in _SUMS),
        sa.Column("energy_tce_equal_value", sa.Float(), nullable=True),
        sa.Column("direct_co2e_t", sa.Float(), nullable=False),
        sa.Column("value_added_wan_yuan", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["inventory_run.id"],
            name=op.f("fk_inventory_run_total_run_id_inventory_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_inventory_run_total")),
    )
    op.create_table(
        "inventory_line_total",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line_code", sa.String(length=32), nullable=False),
        sa.Column("energy_tce", sa.Float(), nullable=False),
        sa.Column("output_t", sa.Float(), nullable=True),
        sa.Column("ac_power_kwh", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["inventory_run.id"],
            name=op.f("fk_inventory_line_total_run_id_inventory_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "line_code", name=op.f("pk_inventory_line_total")),
    )
    op.execute(
        "INSERT INTO inventory_run_total (run_id, co2_t, co2_market_t, cf4_t, c2f6_t, co2e_t, "
        "co2e_market_t, energy_tce, energy_tce_equal_value, direct_co2e_t, value_added_wan_yuan) "
        "SELECT run_id, SUM(co2_t), SUM(co2_market_t), SUM(cf4_t), SUM(c2f6_t), SUM(co2e_t), "
        "SUM(co2e_market_t), SUM(energy_tce), "
        "CASE WHEN COUNT(*) = COUNT(energy_tce_equal_value) THEN SUM(energy_tce_equal_value) END, "
        "SUM(CASE WHEN category IN ('electricity', 'heat') THEN 0.0 ELSE co2e_t END), "
        "SUM(CASE WHEN item = 'value_added' THEN quantity END) "
        "FROM inventory_line WHERE in_total GROUP BY run_id"
    )
    op.execute(
        "INSERT INTO inventory_line_total (run_id, line_code, energy_tce, output_t, ac_power_kwh) "
        "SELECT run_id, line_code, SUM(energy_tce), "
        "SUM(CASE WHEN item = 'product_output' THEN quantity END), "
        "SUM(CASE WHEN item = 'al_ac_power' THEN quantity END) "
        "FROM inventory_line WHERE in_total AND line_code <> '' GROUP BY run_id, line_code"
    )

    with op.batch_alter_table("inventory_line", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_line_run_id")


def downgrade() -> None:
    with op.batch_alter_table("inventory_line", schema=None) as batch_op:
        batch_op.create_index("ix_inventory_line_run_id", ["run_id"], unique=False)
    op.drop_table("inventory_line_total")
    op.drop_table("inventory_run_total")
