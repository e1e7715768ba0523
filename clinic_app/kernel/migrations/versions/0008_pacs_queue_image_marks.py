"""a device's PACS send queue, archived studies, marks drawn on images, carried identity

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 06:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pacs_send',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('study_id', sa.Uuid(), nullable=False),
    sa.Column('requested_by', sa.Uuid(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=64), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['study_id'], ['imaging_study.id'], name=op.f('fk_pacs_send_study_id_imaging_study')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pacs_send'))
    )
    with op.batch_alter_table('pacs_send', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pacs_send_study_id'), ['study_id'], unique=False)

    op.create_table('image_marks',
    sa.Column('instance_id', sa.Uuid(), nullable=False),
    sa.Column('marks', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['image_instance.id'], name=op.f('fk_image_marks_instance_id_image_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_image_marks')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_image_marks_instance_id'))
    )
    with op.batch_alter_table('imaging_study', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('image_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('carried_birth_date', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('image_instance', schema=None) as batch_op:
        batch_op.drop_column('carried_birth_date')
        batch_op.drop_column('carried_name')

    with op.batch_alter_table('imaging_study', schema=None) as batch_op:
        batch_op.drop_column('archived_at')

    op.drop_table('image_marks')
    with op.batch_alter_table('pacs_send', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pacs_send_study_id'))

    op.drop_table('pacs_send')
