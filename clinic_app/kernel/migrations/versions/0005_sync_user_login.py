"""users' online sign-ins per device, for the offline sign-in rule

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 03:30:00.000000
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
        "sync_user_login",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "user_id", name=op.f("pk_sync_user_login")),
    )


def downgrade() -> None:
    op.drop_table("sync_user_login")
