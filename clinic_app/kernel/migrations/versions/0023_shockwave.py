"""shockwave: the ESWT device register, courses and their sessions

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def _bookkeeping() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "eswt_device",
        sa.Column("make", sa.String(length=120), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("serial", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("last_service_on", sa.Date(), nullable=True),
        *_bookkeeping(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eswt_device")),
    )
    op.create_table(
        "eswt_course",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("indication", sa.String(length=60), nullable=True),
        sa.Column("side", sa.String(length=10), nullable=True),
        sa.Column("planned_sessions", sa.Integer(), nullable=True),
        sa.Column("eswt_device_id", sa.Uuid(), nullable=True),
        sa.Column("governance", sa.JSON(), nullable=False),
        sa.Column("contraindications", sa.JSON(), nullable=False),
        sa.Column("outcome_before", sa.JSON(), nullable=False),
        sa.Column("outcome_after", sa.JSON(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("attestation", sa.Text(), nullable=True),
        sa.Column("sdm_record_id", sa.Uuid(), nullable=True),
        sa.Column("sdm_missing_reason", sa.Text(), nullable=True),
        *_bookkeeping(),
        sa.ForeignKeyConstraint(
            ["eswt_device_id"],
            ["eswt_device.id"],
            name=op.f("fk_eswt_course_eswt_device_id_eswt_device"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode_of_care.id"],
            name=op.f("fk_eswt_course_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_eswt_course_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["sdm_record_id"],
            ["sdm_records.id"],
            name=op.f("fk_eswt_course_sdm_record_id_sdm_records"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_eswt_course_signed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eswt_course")),
    )
    with op.batch_alter_table("eswt_course", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eswt_course_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_eswt_course_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_eswt_course_sdm_record_id"), ["sdm_record_id"], unique=False
        )

    op.create_table(
        "eswt_session",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("performed_on", sa.Date(), nullable=True),
        sa.Column("eswt_device_id", sa.Uuid(), nullable=True),
        sa.Column("device_serial", sa.String(length=60), nullable=True),
        sa.Column("device_kind", sa.String(length=10), nullable=True),
        sa.Column("applicator", sa.String(length=120), nullable=False),
        sa.Column("pressure_bar", sa.Float(), nullable=True),
        sa.Column("energy_mj_mm2", sa.Float(), nullable=True),
        sa.Column("frequency_hz", sa.Float(), nullable=True),
        sa.Column("pulses", sa.Integer(), nullable=True),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("ultrasound_guided", sa.Boolean(), nullable=False),
        sa.Column("local_anaesthetic", sa.Boolean(), nullable=False),
        sa.Column("pain_during", sa.Integer(), nullable=True),
        sa.Column("side_effects", sa.JSON(), nullable=False),
        sa.Column("acknowledgements", sa.JSON(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("attestation", sa.Text(), nullable=True),
        *_bookkeeping(),
        sa.ForeignKeyConstraint(
            ["course_id"], ["eswt_course.id"], name=op.f("fk_eswt_session_course_id_eswt_course")
        ),
        sa.ForeignKeyConstraint(
            ["eswt_device_id"],
            ["eswt_device.id"],
            name=op.f("fk_eswt_session_eswt_device_id_eswt_device"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode_of_care.id"],
            name=op.f("fk_eswt_session_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_eswt_session_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_eswt_session_signed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eswt_session")),
    )
    with op.batch_alter_table("eswt_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_eswt_session_course_id"), ["course_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_eswt_session_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("eswt_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eswt_session_patient_id"))
        batch_op.drop_index(batch_op.f("ix_eswt_session_course_id"))

    op.drop_table("eswt_session")
    with op.batch_alter_table("eswt_course", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eswt_course_sdm_record_id"))
        batch_op.drop_index(batch_op.f("ix_eswt_course_patient_id"))
        batch_op.drop_index(batch_op.f("ix_eswt_course_episode_id"))

    op.drop_table("eswt_course")
    op.drop_table("eswt_device")
