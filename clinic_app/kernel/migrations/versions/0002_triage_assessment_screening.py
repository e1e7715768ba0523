"""triage decisions, assessments and addenda, red-flag screenings, questionnaire responses

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 01:13:18.067347
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triage_decision",
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("pathway", sa.String(length=30), nullable=True),
        sa.Column("tier", sa.String(length=10), nullable=True),
        sa.Column(
            "priority",
            sa.Enum(
                "routine",
                "priority",
                "urgent",
                name="referralpriority",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("with_diagnostics", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("advice", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
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
            ["decided_by"], ["app_user.id"], name=op.f("fk_triage_decision_decided_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_triage_decision_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_triage_decision_referral_id_referral")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_decision")),
    )
    with op.batch_alter_table("triage_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_triage_decision_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_triage_decision_referral_id"), ["referral_id"], unique=False
        )

    op.create_table(
        "assessment",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("draft", "signed", name="assessmentstatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
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
            name=op.f("fk_assessment_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_assessment_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_assessment_referral_id_referral")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_assessment_signed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "questionnaire_response",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("questionnaire_id", sa.String(length=40), nullable=False),
        sa.Column("questionnaire_version", sa.String(length=20), nullable=False),
        sa.Column(
            "timepoint",
            sa.Enum("baseline", "follow_up", name="timepoint", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column(
            "mode",
            sa.Enum("clinician", "patient", name="responsemode", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("subscales", sa.JSON(), nullable=False),
        sa.Column("score_group", sa.String(length=40), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
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
            name=op.f("fk_questionnaire_response_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_questionnaire_response_patient_id_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["app_user.id"],
            name=op.f("fk_questionnaire_response_recorded_by_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_response")),
    )
    with op.batch_alter_table("questionnaire_response", schema=None) as batch_op:
        batch_op.create_index(
            "ix_questionnaire_response_patient_questionnaire",
            ["patient_id", "questionnaire_id"],
            unique=False,
        )

    op.create_table(
        "assessment_addendum",
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
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
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_addendum_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_assessment_addendum_signed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_addendum")),
    )
    with op.batch_alter_table("assessment_addendum", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_addendum_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "red_flag_screening",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("assessment_id", sa.Uuid(), nullable=True),
        sa.Column("screen_id", sa.String(length=40), nullable=False),
        sa.Column("screen_version", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("patient_age", sa.Integer(), nullable=True),
        sa.Column(
            "level",
            sa.Enum(
                "emergency",
                "urgent",
                "routine_watch",
                "incomplete",
                "clear",
                name="level",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("fired_rules", sa.JSON(), nullable=False),
        sa.Column("needs_action", sa.Boolean(), nullable=False),
        sa.Column("accepted_actions", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
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
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_red_flag_screening_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode_of_care.id"],
            name=op.f("fk_red_flag_screening_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_red_flag_screening_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["app_user.id"],
            name=op.f("fk_red_flag_screening_recorded_by_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_flag_screening")),
    )
    with op.batch_alter_table("red_flag_screening", schema=None) as batch_op:
        batch_op.create_index(
            "ix_red_flag_screening_patient_needs_action",
            ["patient_id", "needs_action"],
            unique=False,
        )

    op.create_table(
        "red_flag_resolution",
        sa.Column("screening_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
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
            ["recorded_by"],
            ["app_user.id"],
            name=op.f("fk_red_flag_resolution_recorded_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["red_flag_screening.id"],
            name=op.f("fk_red_flag_resolution_screening_id_red_flag_screening"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_flag_resolution")),
    )
    with op.batch_alter_table("red_flag_resolution", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_red_flag_resolution_screening_id"), ["screening_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("red_flag_resolution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_red_flag_resolution_screening_id"))

    op.drop_table("red_flag_resolution")
    with op.batch_alter_table("red_flag_screening", schema=None) as batch_op:
        batch_op.drop_index("ix_red_flag_screening_patient_needs_action")

    op.drop_table("red_flag_screening")
    with op.batch_alter_table("assessment_addendum", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_addendum_assessment_id"))

    op.drop_table("assessment_addendum")
    with op.batch_alter_table("questionnaire_response", schema=None) as batch_op:
        batch_op.drop_index("ix_questionnaire_response_patient_questionnaire")

    op.drop_table("questionnaire_response")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_patient_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_episode_id"))

    op.drop_table("assessment")
    with op.batch_alter_table("triage_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_triage_decision_referral_id"))
        batch_op.drop_index(batch_op.f("ix_triage_decision_patient_id"))

    op.drop_table("triage_decision")
