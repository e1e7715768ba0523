"""scan reports (one row per version) and supervisors' reviews of trainees' reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 06:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scan_report',
    sa.Column('study_id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('predecessor_id', sa.Uuid(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('supervisor_id', sa.Uuid(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supervisor_words', sa.Text(), nullable=True),
    sa.Column('supervision_mode', sa.String(length=16), nullable=True),
    sa.Column('agreement', sa.String(length=8), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_by', sa.Uuid(), nullable=True),
    sa.Column('verified_by', sa.Uuid(), nullable=True),
    sa.Column('attestation', sa.Text(), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.Column('sr_instance_id', sa.Uuid(), nullable=True),
    sa.Column('kos_instance_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_scan_report_patient_id_patient')),
    sa.ForeignKeyConstraint(['predecessor_id'], ['scan_report.id'], name=op.f('fk_scan_report_predecessor_id_scan_report')),
    sa.ForeignKeyConstraint(['study_id'], ['imaging_study.id'], name=op.f('fk_scan_report_study_id_imaging_study')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_report'))
    )
    with op.batch_alter_table('scan_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scan_report_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_report_study_id'), ['study_id'], unique=False)

    op.create_table('scan_report_review',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('reviewer_id', sa.Uuid(), nullable=False),
    sa.Column('trainee_id', sa.Uuid(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('supervision_mode', sa.String(length=16), nullable=True),
    sa.Column('agreement', sa.String(length=8), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['scan_report.id'], name=op.f('fk_scan_report_review_report_id_scan_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_report_review'))
    )
    with op.batch_alter_table('scan_report_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scan_report_review_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scan_report_review_trainee_id'), ['trainee_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scan_report_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_report_review_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_scan_report_review_report_id'))

    op.drop_table('scan_report_review')
    with op.batch_alter_table('scan_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scan_report_study_id'))
        batch_op.drop_index(batch_op.f('ix_scan_report_patient_id'))

    op.drop_table('scan_report')
