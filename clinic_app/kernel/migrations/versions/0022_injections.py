"""injections: the PGD register, the injection record and its addenda

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 12:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "injection_pgd",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("drugs", sa.JSON(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("practitioners", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_injection_pgd")),
    )
    op.create_table(
        "injection_record",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=True),
        sa.Column("target", sa.String(length=60), nullable=True),
        sa.Column("side", sa.String(length=10), nullable=True),
        sa.Column("approach", sa.Text(), nullable=False),
        sa.Column("guidance", sa.String(length=20), nullable=True),
        sa.Column("imaging_study_id", sa.Uuid(), nullable=True),
        sa.Column("authority_kind", sa.String(length=20), nullable=True),
        sa.Column("pgd_id", sa.Uuid(), nullable=True),
        sa.Column("pgd_version", sa.String(length=20), nullable=True),
        sa.Column("prescriber_name", sa.String(length=120), nullable=True),
        sa.Column("consent_risks", sa.JSON(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("anticoagulant", sa.String(length=20), nullable=True),
        sa.Column("inr_value", sa.Float(), nullable=True),
        sa.Column("inr_measured_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replacement_planned_on", sa.Date(), nullable=True),
        sa.Column("drugs", sa.JSON(), nullable=False),
        sa.Column("aspirate", sa.JSON(), nullable=True),
        sa.Column("immediate_reaction", sa.Text(), nullable=False),
        sa.Column("observation_minutes", sa.Integer(), nullable=True),
        sa.Column("aftercare_given", sa.Boolean(), nullable=False),
        sa.Column("steroid_card_considered", sa.Boolean(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("acknowledgements", sa.JSON(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("attestation", sa.Text(), nullable=True),
        sa.Column("sdm_record_id", sa.Uuid(), nullable=True),
        sa.Column("sdm_missing_reason", sa.Text(), nullable=True),
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
            name=op.f("fk_injection_record_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["imaging_study_id"],
            ["imaging_study.id"],
            name=op.f("fk_injection_record_imaging_study_id_imaging_study"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_injection_record_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["pgd_id"], ["injection_pgd.id"], name=op.f("fk_injection_record_pgd_id_injection_pgd")
        ),
        sa.ForeignKeyConstraint(
            ["sdm_record_id"],
            ["sdm_records.id"],
            name=op.f("fk_injection_record_sdm_record_id_sdm_records"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_injection_record_signed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_injection_record")),
    )
    with op.batch_alter_table("injection_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_injection_record_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_injection_record_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_injection_record_pgd_id"), ["pgd_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_injection_record_sdm_record_id"), ["sdm_record_id"], unique=False
        )

    op.create_table(
        "injection_addendum",
        sa.Column("injection_id", sa.Uuid(), nullable=False),
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
            ["injection_id"],
            ["injection_record.id"],
            name=op.f("fk_injection_addendum_injection_id_injection_record"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_injection_addendum_signed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_injection_addendum")),
    )
    with op.batch_alter_table("injection_addendum", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_injection_addendum_injection_id"), ["injection_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("injection_addendum", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_injection_addendum_injection_id"))

    op.drop_table("injection_addendum")
    with op.batch_alter_table("injection_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_injection_record_sdm_record_id"))
        batch_op.drop_index(batch_op.f("ix_injection_record_pgd_id"))
        batch_op.drop_index(batch_op.f("ix_injection_record_patient_id"))
        batch_op.drop_index(batch_op.f("ix_injection_record_episode_id"))

    op.drop_table("injection_record")
    op.drop_table("injection_pgd")
