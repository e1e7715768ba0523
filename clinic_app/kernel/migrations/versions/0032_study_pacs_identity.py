"""study pacs identity: the registration a study was first confirmed in the PACS under

A study the PACS confirmed before this revision was sent under its own registration (the
identity followed no merge then): that is the one it is held under.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 07:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imaging_study", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pacs_patient_id", sa.Uuid(), nullable=True))
    op.execute(
        "UPDATE imaging_study SET pacs_patient_id = patient_id WHERE archived_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("imaging_study", schema=None) as batch_op:
        batch_op.drop_column("pacs_patient_id")
