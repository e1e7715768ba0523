"""audit: keyed chain version and operator; the server's append-only store of shipped entries

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_SQLITE_GUARDS = (
    "CREATE TRIGGER audit_service_entry_no_update BEFORE UPDATE ON audit_service_entry "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER audit_service_entry_no_delete BEFORE DELETE ON audit_service_entry "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
)

_POSTGRES_GUARDS = (
    "CREATE TRIGGER audit_service_entry_no_change BEFORE UPDATE OR DELETE "
    "ON audit_service_entry FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse()",
    "CREATE TRIGGER audit_service_entry_no_truncate BEFORE TRUNCATE ON audit_service_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse()",
)


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): the append-only triggers stay as they are, and
    # existing entries read as version 1 with no operator.
    op.add_column(
        "audit_entry", sa.Column("chain", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("audit_entry", sa.Column("operator", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_service_entry",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=True),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("operator", sa.String(length=64), nullable=True),
        sa.Column("chain", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "seq", name=op.f("pk_audit_service_entry")),
    )
    op.create_index(
        op.f("ix_audit_service_entry_patient_id"),
        "audit_service_entry",
        ["patient_id"],
        unique=False,
    )
    op.create_table(
        "audit_refusal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_refusal")),
    )
    guards = _POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else _SQLITE_GUARDS
    for statement in guards:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("audit_refusal")
    op.drop_index(op.f("ix_audit_service_entry_patient_id"), table_name="audit_service_entry")
    op.drop_table("audit_service_entry")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("operator")
        batch_op.drop_column("chain")
