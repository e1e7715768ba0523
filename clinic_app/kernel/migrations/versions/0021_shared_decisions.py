"""shared decisions: the record of a decision made with a decision aid

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 09:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sdm_records",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("aid_id", sa.String(length=60), nullable=False),
        sa.Column("aid_version", sa.String(length=20), nullable=False),
        sa.Column("options_discussed", sa.JSON(), nullable=False),
        sa.Column("discussed_leads_to", sa.JSON(), nullable=False),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.Column("leaning", sa.String(length=60), nullable=True),
        sa.Column("choice", sa.String(length=60), nullable=True),
        sa.Column("choice_leads_to", sa.String(length=24), nullable=True),
        sa.Column("choice_words", sa.Text(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("interpreter_language", sa.String(length=60), nullable=True),
        sa.Column("teach_back", sa.Boolean(), nullable=False),
        sa.Column("decision_maker", sa.String(length=30), nullable=True),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("collaborate", sa.JSON(), nullable=True),
        sa.Column("sdm_q9", sa.JSON(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("attestation", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode_of_care.id"],
            name=op.f("fk_sdm_records_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_sdm_records_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_sdm_records_signed_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["sdm_records.id"],
            name=op.f("fk_sdm_records_supersedes_id_sdm_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sdm_records")),
    )
    with op.batch_alter_table("sdm_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sdm_records_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sdm_records_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sdm_records_supersedes_id"), ["supersedes_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sdm_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sdm_records_supersedes_id"))
        batch_op.drop_index(batch_op.f("ix_sdm_records_patient_id"))
        batch_op.drop_index(batch_op.f("ix_sdm_records_episode_id"))
    op.drop_table("sdm_records")
