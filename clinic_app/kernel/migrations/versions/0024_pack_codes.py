"""pack codes: which GTIN on a medicine pack is which product of the formulary

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "injection_pack_code",
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("product_id", sa.String(length=60), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_injection_pack_code")),
    )
    with op.batch_alter_table("injection_pack_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_injection_pack_code_gtin"), ["gtin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("injection_pack_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_injection_pack_code_gtin"))

    op.drop_table("injection_pack_code")
