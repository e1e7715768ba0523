"""red-flag actions: what was done for a non-clear outcome, with its details, until done

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "red_flag_action",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("screening_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Uuid(), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=True),
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
            ["alert_id"],
            ["patient_alert.id"],
            name=op.f("fk_red_flag_action_alert_id_patient_alert"),
        ),
        sa.ForeignKeyConstraint(
            ["done_by"], ["app_user.id"], name=op.f("fk_red_flag_action_done_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_red_flag_action_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name=op.f("fk_red_flag_action_recorded_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["red_flag_screening.id"],
            name=op.f("fk_red_flag_action_screening_id_red_flag_screening"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_flag_action")),
    )
    with op.batch_alter_table("red_flag_action", schema=None) as batch_op:
        batch_op.create_index(
            "ix_red_flag_action_patient_status", ["patient_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_red_flag_action_screening_id"), ["screening_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("red_flag_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_red_flag_action_screening_id"))
        batch_op.drop_index("ix_red_flag_action_patient_status")
    op.drop_table("red_flag_action")
