"""Accounts: must-change-password, token last use, session last seen (issue 13).

- ``app_user.must_change_password``: set by a province-initiated password reset; until the
  user picks a new password only the change-password page and route answer.
- ``api_token.last_used_at``: when the token last authenticated a request (shown in the
  token list; written at most once a minute).
- ``web_session.last_seen_at``: the idle timeout (``CARBONPEAK_SESSION_IDLE_MINUTES``) counts
  from here; existing sessions start from their ``created_at``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sa.String(length=32), nullable=True))
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sa.String(length=32), nullable=True))
    op.execute("UPDATE web_session SET last_seen_at = created_at")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.alter_column("last_seen_at", existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
