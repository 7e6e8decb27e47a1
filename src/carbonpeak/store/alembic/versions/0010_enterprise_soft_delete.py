"""Enterprises with history are deactivated, not deleted; imports find an identical file (issue 13).

- ``enterprise.deactivated_at`` (nullable, indexed): set when a province deletes an enterprise
  that has history (submissions, inventory runs, registry rows); a deactivated enterprise
  leaves the registers, rounds and aggregates, keeps its history, and is restored by
  reactivation. None: active.
- ``ix_submission_version_file_sha256``: an import looks up whether the file it was given is
  already the current version of its submission (an unchanged file is not stored again).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_enterprise_deactivated_at"), ["deactivated_at"], unique=False)
    with op.batch_alter_table("submission_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_version_file_sha256"), ["file_sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("submission_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_version_file_sha256"))
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_deactivated_at"))
        batch_op.drop_column("deactivated_at")
