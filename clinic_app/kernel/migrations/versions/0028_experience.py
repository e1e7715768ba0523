"""experience: the Friends and Family Test response

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 18:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fft_response",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("question_version", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.String(length=24), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=24), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.Uuid(), nullable=True),
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
            name=op.f("fk_fft_response_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_fft_response_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name=op.f("fk_fft_response_recorded_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by"], ["app_user.id"], name=op.f("fk_fft_response_withdrawn_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fft_response")),
    )
    with op.batch_alter_table("fft_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fft_response_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fft_response_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fft_response_recorded_at"), ["recorded_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("fft_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fft_response_recorded_at"))
        batch_op.drop_index(batch_op.f("ix_fft_response_patient_id"))
        batch_op.drop_index(batch_op.f("ix_fft_response_episode_id"))
    op.drop_table("fft_response")
