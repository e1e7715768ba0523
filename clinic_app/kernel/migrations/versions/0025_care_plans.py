"""care plans: the personalised care and support plan, versioned by review

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 15:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_plan",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("what_matters", sa.Text(), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("treatments", sa.JSON(), nullable=False),
        sa.Column("self_management", sa.Text(), nullable=False),
        sa.Column("flare_plan", sa.Text(), nullable=False),
        sa.Column("seek_help", sa.Text(), nullable=False),
        sa.Column("safety_nets", sa.JSON(), nullable=False),
        sa.Column("support_services", sa.JSON(), nullable=False),
        sa.Column("named_contact", sa.String(length=120), nullable=False),
        sa.Column("contact_route", sa.Text(), nullable=False),
        sa.Column("pifu_months", sa.Integer(), nullable=True),
        sa.Column("pifu_starts_on", sa.Date(), nullable=True),
        sa.Column("pifu_ends_on", sa.Date(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("gp_consent", sa.Boolean(), nullable=True),
        sa.Column("gp_consent_given_by", sa.String(length=20), nullable=True),
        sa.Column("gp_consent_recorded_by", sa.Uuid(), nullable=True),
        sa.Column("gp_consent_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("information_needs", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
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
            name=op.f("fk_care_plan_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["gp_consent_recorded_by"],
            ["app_user.id"],
            name=op.f("fk_care_plan_gp_consent_recorded_by_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_care_plan_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_care_plan_signed_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["care_plan.id"],
            name=op.f("fk_care_plan_supersedes_id_care_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_plan")),
    )
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_plan_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_plan_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_care_plan_pifu_ends_on"), ["pifu_ends_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_plan_supersedes_id"), ["supersedes_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("care_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_plan_supersedes_id"))
        batch_op.drop_index(batch_op.f("ix_care_plan_pifu_ends_on"))
        batch_op.drop_index(batch_op.f("ix_care_plan_patient_id"))
        batch_op.drop_index(batch_op.f("ix_care_plan_episode_id"))
    op.drop_table("care_plan")
