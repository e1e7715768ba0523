"""imaging studies and their instances (DICOM objects kept as attachments)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 04:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('imaging_study',
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('study_uid', sa.String(length=64), nullable=False),
    sa.Column('accession', sa.String(length=16), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('description', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_imaging_study_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imaging_study')),
    sa.UniqueConstraint('study_uid', name=op.f('uq_imaging_study_study_uid'))
    )
    with op.batch_alter_table('imaging_study', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imaging_study_patient_id'), ['patient_id'], unique=False)

    op.create_table('image_instance',
    sa.Column('study_id', sa.Uuid(), nullable=True),
    sa.Column('attachment_id', sa.Uuid(), nullable=False),
    sa.Column('sop_class_uid', sa.String(length=64), nullable=False),
    sa.Column('sop_instance_uid', sa.String(length=64), nullable=False),
    sa.Column('series_uid', sa.String(length=64), nullable=False),
    sa.Column('body_part', sa.String(length=16), nullable=True),
    sa.Column('laterality', sa.String(length=1), nullable=True),
    sa.Column('frames', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('carried_patient_id', sa.String(length=64), nullable=True),
    sa.Column('carried_accession', sa.String(length=16), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_image_instance_attachment_id_attachment')),
    sa.ForeignKeyConstraint(['study_id'], ['imaging_study.id'], name=op.f('fk_image_instance_study_id_imaging_study')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_image_instance')),
    sa.UniqueConstraint('sop_instance_uid', name=op.f('uq_image_instance_sop_instance_uid'))
    )
    with op.batch_alter_table('image_instance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_image_instance_study_id'), ['study_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('image_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_image_instance_study_id'))

    op.drop_table('image_instance')
    with op.batch_alter_table('imaging_study', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imaging_study_patient_id'))

    op.drop_table('imaging_study')
