"""study pacs identity: the registration a study was first confirmed in the PACS under

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
        batch_op.create_foreign_key(
            batch_op.f("fk_imaging_study_pacs_patient_id_patient"),
            "patient",
            ["pacs_patient_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("imaging_study", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_imaging_study_pacs_patient_id_patient"), type_="foreignkey"
        )
        batch_op.drop_column("pacs_patient_id")
