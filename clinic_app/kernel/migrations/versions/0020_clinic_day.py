"""the clinic day: sessions, appointments, care contacts, double bookings, contact notes

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 05:40:16.108793
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "clinic_template",
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("room", sa.String(length=60), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("starts", sa.String(length=5), nullable=False),
        sa.Column("ends", sa.String(length=5), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("appointment_type", sa.String(length=20), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
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
            ["clinician_id"], ["app_user.id"], name=op.f("fk_clinic_template_clinician_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_clinic_template_site_id_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_template")),
    )
    with op.batch_alter_table("clinic_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clinic_template_clinician_id"), ["clinician_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_clinic_template_site_id"), ["site_id"], unique=False)

    op.create_table(
        "appointment",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("room", sa.String(length=60), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("appointment_type", sa.String(length=20), nullable=False),
        sa.Column("mechanism", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("overbooked_reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=10), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("rebooked_from_id", sa.Uuid(), nullable=True),
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
            ["clinician_id"], ["app_user.id"], name=op.f("fk_appointment_clinician_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode_of_care.id"],
            name=op.f("fk_appointment_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_appointment_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["rebooked_from_id"],
            ["appointment.id"],
            name=op.f("fk_appointment_rebooked_from_id_appointment"),
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_appointment_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointment_clinician_start", ["clinician_id", "starts_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_appointment_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index("ix_appointment_site_start", ["site_id", "starts_at"], unique=False)

    op.create_table(
        "appointment_clash",
        sa.Column("first_appointment_id", sa.Uuid(), nullable=False),
        sa.Column("second_appointment_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_reason", sa.Text(), nullable=True),
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
            ["clinician_id"],
            ["app_user.id"],
            name=op.f("fk_appointment_clash_clinician_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["first_appointment_id"],
            ["appointment.id"],
            name=op.f("fk_appointment_clash_first_appointment_id_appointment"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["app_user.id"], name=op.f("fk_appointment_clash_resolved_by_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["second_appointment_id"],
            ["appointment.id"],
            name=op.f("fk_appointment_clash_second_appointment_id_appointment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_clash")),
    )
    with op.batch_alter_table("appointment_clash", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appointment_clash_clinician_id"), ["clinician_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appointment_clash_first_appointment_id"),
            ["first_appointment_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_appointment_clash_second_appointment_id"),
            ["second_appointment_id"],
            unique=False,
        )

    op.create_table(
        "care_contact",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("mechanism", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("emergency_action", sa.Text(), nullable=True),
        sa.Column("dna_decision", sa.String(length=30), nullable=True),
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
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_care_contact_appointment_id_appointment"),
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["app_user.id"], name=op.f("fk_care_contact_clinician_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode_of_care.id"],
            name=op.f("fk_care_contact_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_care_contact_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_care_contact_site_id_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_contact")),
    )
    with op.batch_alter_table("care_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_contact_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_contact_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_contact_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "contact_note",
        sa.Column("care_contact_id", sa.Uuid(), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
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
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_contact_note_appointment_id_appointment"),
        ),
        sa.ForeignKeyConstraint(
            ["care_contact_id"],
            ["care_contact.id"],
            name=op.f("fk_contact_note_care_contact_id_care_contact"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode_of_care.id"],
            name=op.f("fk_contact_note_episode_id_episode_of_care"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_contact_note_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_contact_note_signed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_note")),
    )
    with op.batch_alter_table("contact_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_note_appointment_id"), ["appointment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_note_care_contact_id"), ["care_contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_note_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_note_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "contact_note_addendum",
        sa.Column("contact_note_id", sa.Uuid(), nullable=False),
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
            ["contact_note_id"],
            ["contact_note.id"],
            name=op.f("fk_contact_note_addendum_contact_note_id_contact_note"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["app_user.id"], name=op.f("fk_contact_note_addendum_signed_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_note_addendum")),
    )
    with op.batch_alter_table("contact_note_addendum", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_note_addendum_contact_note_id"),
            ["contact_note_id"],
            unique=False,
        )


def downgrade() -> None:

    with op.batch_alter_table("contact_note_addendum", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_note_addendum_contact_note_id"))

    op.drop_table("contact_note_addendum")
    with op.batch_alter_table("contact_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_note_patient_id"))
        batch_op.drop_index(batch_op.f("ix_contact_note_episode_id"))
        batch_op.drop_index(batch_op.f("ix_contact_note_care_contact_id"))
        batch_op.drop_index(batch_op.f("ix_contact_note_appointment_id"))

    op.drop_table("contact_note")
    with op.batch_alter_table("care_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_contact_patient_id"))
        batch_op.drop_index(batch_op.f("ix_care_contact_episode_id"))
        batch_op.drop_index(batch_op.f("ix_care_contact_appointment_id"))

    op.drop_table("care_contact")
    with op.batch_alter_table("appointment_clash", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_clash_second_appointment_id"))
        batch_op.drop_index(batch_op.f("ix_appointment_clash_first_appointment_id"))
        batch_op.drop_index(batch_op.f("ix_appointment_clash_clinician_id"))

    op.drop_table("appointment_clash")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_site_start")
        batch_op.drop_index(batch_op.f("ix_appointment_patient_id"))
        batch_op.drop_index(batch_op.f("ix_appointment_episode_id"))
        batch_op.drop_index("ix_appointment_clinician_start")

    op.drop_table("appointment")
    with op.batch_alter_table("clinic_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinic_template_site_id"))
        batch_op.drop_index(batch_op.f("ix_clinic_template_clinician_id"))

    op.drop_table("clinic_template")
