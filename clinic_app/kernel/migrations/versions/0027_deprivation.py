"""deprivation: postcode to LSOA, LSOA to IMD decile, and what they were imported from

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deprivation_postcode",
        sa.Column("postcode", sa.String(length=8), nullable=False),
        sa.Column("lsoa11", sa.String(length=10), nullable=True),
        sa.Column("lsoa21", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("postcode", name=op.f("pk_deprivation_postcode")),
    )
    op.create_table(
        "deprivation_lsoa",
        sa.Column("lsoa_code", sa.String(length=10), nullable=False),
        sa.Column("lsoa_vintage", sa.String(length=4), nullable=False),
        sa.Column("decile", sa.SmallInteger(), nullable=False),
        sa.Column("imd_rank", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("lsoa_code", name=op.f("pk_deprivation_lsoa")),
    )
    op.create_table(
        "deprivation_import",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("edition", sa.String(length=40), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_deprivation_import")),
    )


def downgrade() -> None:
    op.drop_table("deprivation_import")
    op.drop_table("deprivation_lsoa")
    op.drop_table("deprivation_postcode")
