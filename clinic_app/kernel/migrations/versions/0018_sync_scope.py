"""scoped sync: each change names its patient; the patients each device holds

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("patient_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("other_patient_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sync_change_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "sync_device_patient",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=12), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "patient_id", name=op.f("pk_sync_device_patient")),
    )


def downgrade() -> None:
    op.drop_table("sync_device_patient")
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_change_patient_id"))
        batch_op.drop_column("other_patient_id")
        batch_op.drop_column("patient_id")
