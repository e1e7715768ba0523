"""the server's sign-in lockout and enrolment rate counters, kept in its database

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_sign_in_failure",
        sa.Column("name_sha256", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name_sha256", name=op.f("pk_server_sign_in_failure")),
    )
    op.create_table(
        "server_enrolment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_enrolment")),
    )
    with op.batch_alter_table("server_enrolment") as batch:
        batch.create_index(batch.f("ix_server_enrolment_address"), ["address"], unique=False)
        batch.create_index(batch.f("ix_server_enrolment_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("server_enrolment") as batch:
        batch.drop_index(batch.f("ix_server_enrolment_at"))
        batch.drop_index(batch.f("ix_server_enrolment_address"))
    op.drop_table("server_enrolment")
    op.drop_table("server_sign_in_failure")
