"""The scenario base's pre-aggregate: per run and production line, energy and CO2 by carrier (issue 11).

``inventory_base_total`` holds, for each run and line code ("" for enterprise-level rows), the
sums the scenario base year and the LMDI history are built from
(:data:`carbonpeak.scenarios.base_builder.BASE_SUM_FIELDS`), written by the fact table's one
writer beside ``inventory_run_total`` and ``inventory_line_total``; the province's targets view
and the scenarios then read a few rows per enterprise instead of every fact row of the year.

Existing runs are filled here from their fact rows (``in_total``) with the carrier lists and
item signs as they stand at this revision (``carbonpeak.scenarios.base_builder`` and refdata
``accounting/items``); later runs are written by the product's code.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_GAS = (
    "natural_gas", "lng", "lpg", "refinery_gas", "coke_oven_gas", "blast_furnace_gas",
    "converter_gas", "other_gas", "semi_coke_gas", "producer_gas",
)  # fmt: skip
_OIL = ("crude_oil", "fuel_oil", "gasoline", "diesel", "kerosene", "coal_tar", "crude_benzene", "naphtha")
_EXPORTED = ("electricity_exported", "heat_exported")  # items with sign −1
_PROCESS = ("feedstock", "carbonate", "oxalate", "anode")
_FIELDS = (
    "energy_abs_tce", "output_t", "electricity_mwh", "heat_gj", "electricity_co2_t", "heat_co2_t",
    "process_co2_t", "feedstock_tce", "coal_tce", "gas_tce", "oil_tce", "coal_co2_t", "gas_co2_t",
    "oil_co2_t", "co2_t",
)  # fmt: skip


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def backfill_sql() -> str:
    """INSERT … SELECT of every existing run's base sums from its fact rows (tested equal to
    what the product's writer stores)."""
    sign = f"(CASE WHEN item IN {_in(_EXPORTED)} THEN -1.0 ELSE 1.0 END)"
    fuel = "kind = 'fuel'"
    gas, oil = f"item IN {_in(_GAS)}", f"item IN {_in(_OIL)}"
    coal = f"{fuel} AND NOT {gas} AND NOT {oil}"
    expr = {
        "energy_abs_tce": "ABS(energy_tce)",
        "output_t": "CASE WHEN item = 'product_output' THEN quantity ELSE 0 END",
        "electricity_mwh": f"CASE WHEN kind = 'electricity' THEN quantity * {sign} ELSE 0 END",
        "heat_gj": f"CASE WHEN kind = 'heat' THEN quantity * {sign} ELSE 0 END",
        "electricity_co2_t": "CASE WHEN category = 'electricity' THEN co2_t ELSE 0 END",
        "heat_co2_t": "CASE WHEN category = 'heat' THEN co2_t ELSE 0 END",
        "process_co2_t": f"CASE WHEN category IN {_in(_PROCESS)} THEN co2_t ELSE 0 END",
        "feedstock_tce": "CASE WHEN category = 'feedstock' THEN energy_tce ELSE 0 END",
        "coal_tce": f"CASE WHEN {coal} THEN energy_tce ELSE 0 END",
        "gas_tce": f"CASE WHEN {fuel} AND {gas} THEN energy_tce ELSE 0 END",
        "oil_tce": f"CASE WHEN {fuel} AND {oil} THEN energy_tce ELSE 0 END",
        "coal_co2_t": f"CASE WHEN {coal} THEN co2_t ELSE 0 END",
        "gas_co2_t": f"CASE WHEN {fuel} AND {gas} THEN co2_t ELSE 0 END",
        "oil_co2_t": f"CASE WHEN {fuel} AND {oil} THEN co2_t ELSE 0 END",
        "co2_t": "co2_t",
    }
    cols = ", ".join(_FIELDS)
    sums = ", ".join(f"SUM({expr[f]})" for f in _FIELDS)
    return (
        f"INSERT INTO inventory_base_total (run_id, line_code, {cols}) "  # noqa: S608 - literals above
        f"SELECT run_id, line_code, {sums} FROM inventory_line WHERE in_total "
        "GROUP BY run_id, line_code"
    )


def upgrade() -> None:
    op.create_table(
        "inventory_base_total",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("line_code", sa.String(length=32), nullable=False),
        *(sa.Column(f, sa.Float(), nullable=False) for f in _FIELDS),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["inventory_run.id"],
            name=op.f("fk_inventory_base_total_run_id_inventory_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "line_code", name=op.f("pk_inventory_base_total")),
    )
    op.execute(backfill_sql())


def downgrade() -> None:
    op.drop_table("inventory_base_total")
