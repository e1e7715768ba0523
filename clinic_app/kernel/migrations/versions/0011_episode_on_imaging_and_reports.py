"""the episode of care an imaging study and its scan reports belong to

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TABLES = ("imaging_study", "scan_report")


def upgrade() -> None:
    # Nullable, and left empty on rows made before: which episode was open then is not known,
    # and a scan report's seal does not cover it, so signed reports still check.
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("episode_id", sa.Uuid(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_episode_id"), ["episode_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_episode_id_episode_of_care"),
                "episode_of_care",
                ["episode_id"],
                ["id"],
            )


def downgrade() -> None:
    for table in reversed(_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_episode_id_episode_of_care"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_episode_id"))
            batch_op.drop_column("episode_id")
