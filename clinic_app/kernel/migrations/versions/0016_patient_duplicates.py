"""possible duplicate patients and their merges; the NHS number no longer unique in the store

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _syncable() -> list[sa.Column[object]]:
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
    # Two clinics may register one person offline: sync takes both rows and a person merges.
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_patient_nhs_number"), type_="unique")
        batch_op.create_index(batch_op.f("ix_patient_nhs_number"), ["nhs_number"], unique=False)

    op.create_table(
        "patient_duplicate",
        sa.Column("first_patient_id", sa.Uuid(), nullable=False),
        sa.Column("second_patient_id", sa.Uuid(), nullable=False),
        sa.Column("matched_on", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_reason", sa.Text(), nullable=True),
        *_syncable(),
        sa.ForeignKeyConstraint(
            ["first_patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_duplicate_first_patient_id_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["second_patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_duplicate_second_patient_id_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["app_user.id"],
            name=op.f("fk_patient_duplicate_resolved_by_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_duplicate")),
    )
    with op.batch_alter_table("patient_duplicate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_duplicate_first_patient_id"), ["first_patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_patient_duplicate_second_patient_id"),
            ["second_patient_id"],
            unique=False,
        )

    op.create_table(
        "patient_merge",
        sa.Column("survivor_id", sa.Uuid(), nullable=False),
        sa.Column("merged_id", sa.Uuid(), nullable=False),
        sa.Column("duplicate_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("merged_by", sa.Uuid(), nullable=True),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        *_syncable(),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["patient.id"], name=op.f("fk_patient_merge_survivor_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["patient.id"], name=op.f("fk_patient_merge_merged_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_id"],
            ["patient_duplicate.id"],
            name=op.f("fk_patient_merge_duplicate_id_patient_duplicate"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_by"], ["app_user.id"], name=op.f("fk_patient_merge_merged_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_merge")),
    )
    with op.batch_alter_table("patient_merge", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_merge_survivor_id"), ["survivor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_patient_merge_merged_id"), ["merged_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("patient_merge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_merge_merged_id"))
        batch_op.drop_index(batch_op.f("ix_patient_merge_survivor_id"))
    op.drop_table("patient_merge")
    with op.batch_alter_table("patient_duplicate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_duplicate_second_patient_id"))
        batch_op.drop_index(batch_op.f("ix_patient_duplicate_first_patient_id"))
    op.drop_table("patient_duplicate")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_nhs_number"))
        batch_op.create_unique_constraint(batch_op.f("uq_patient_nhs_number"), ["nhs_number"])
