"""episodes closed (discharged) and reopened, each with its reason, kept as rows of their own

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('episode_change',
    sa.Column('episode_id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('change', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('device_id', sa.Uuid(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['changed_by'], ['app_user.id'], name=op.f('fk_episode_change_changed_by_app_user')),
    sa.ForeignKeyConstraint(['episode_id'], ['episode_of_care.id'], name=op.f('fk_episode_change_episode_id_episode_of_care')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_episode_change_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_episode_change'))
    )
    with op.batch_alter_table('episode_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_episode_change_episode_id'), ['episode_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_episode_change_patient_id'), ['patient_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('episode_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_episode_change_patient_id'))
        batch_op.drop_index(batch_op.f('ix_episode_change_episode_id'))
    op.drop_table('episode_change')
