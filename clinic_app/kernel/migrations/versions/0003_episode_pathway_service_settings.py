"""the pathway an episode of care belongs to; a service's own settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("episode_of_care", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pathway", sa.String(length=30), nullable=True))

    op.create_table(
        "service_setting",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_setting")),
        sa.UniqueConstraint("key", name=op.f("uq_service_setting_key")),
    )


def downgrade() -> None:
    op.drop_table("service_setting")
    with op.batch_alter_table("episode_of_care", schema=None) as batch_op:
        batch_op.drop_column("pathway")
