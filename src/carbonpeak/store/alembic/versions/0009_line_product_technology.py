"""Production lines name their product and, for aluminium potlines, their cell technology (issue 12).

- ``production_line.product``: the product a limit standard grades the line by (zinc with or
  without residue treatment, the rare-earth products of GB 29435 …); empty → the route's default.
- ``production_line.technology``: an aluminium potline's technology (CWPB, SWPB, VSS, HSS), which
  selects the PFC Tier 1 and slope coefficients.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("production_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("product", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("technology", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("production_line", schema=None) as batch_op:
        batch_op.drop_column("technology")
        batch_op.drop_column("product")
