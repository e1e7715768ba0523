"""letter clinic: the clinic a letter is written from, kept with it when it is drafted

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 18:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_letter_record_site_id_site"), "site", ["site_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("letter_record", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_letter_record_site_id_site"), type_="foreignkey")
        batch_op.drop_column("site_id")
