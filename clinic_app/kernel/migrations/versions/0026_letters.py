"""letters: to the GP, the patient and the next service, signed and kept in the record

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 16:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letter_record",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("onward_decision_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("cited_reports", sa.JSON(), nullable=False),
        sa.Column("no_gp_practice", sa.Boolean(), nullable=False),
        sa.Column("large_print", sa.Boolean(), nullable=False),
        sa.Column("assembled_on", sa.Date(), nullable=True),
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
            name=op.f("fk_letter_record_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["onward_decision_id"],
            ["triage_decision.id"],
            name=op.f("fk_letter_record_onward_decision_id_triage_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_letter_record_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_letter_record_signed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_record")),
    )
    with op.batch_alter_table("letter_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_record_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_letter_record_onward_decision_id"), ["onward_decision_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_letter_record_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("letter_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_record_patient_id"))
        batch_op.drop_index(batch_op.f("ix_letter_record_onward_decision_id"))
        batch_op.drop_index(batch_op.f("ix_letter_record_episode_id"))
    op.drop_table("letter_record")
