"""A reported figure carries the measured parameters (实测值) of its row (issue 12, item 1).

``submission_value`` gets nullable columns for the measured values an enterprise enters
next to a figure in the reporting template (or an activity CSV through the intake), in the
engine's canonical units (:mod:`carbonpeak.accounting.measured`):

- ``ncv_gj``: net calorific value [GJ per the item's canonical unit];
- ``cc_tc_per_tj``: carbon content per heat [tC/TJ], or ``cc_tc_per_unit``: per mass or
  volume [tC per canonical unit];
- ``oxidation``: carbon oxidation rate [fraction].

NULL: not measured (the method's default applies). Existing figures stay NULL.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_COLUMNS = ("ncv_gj", "cc_tc_per_tj", "cc_tc_per_unit", "oxidation")


def upgrade() -> None:
    with op.batch_alter_table("submission_value", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission_value", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)
