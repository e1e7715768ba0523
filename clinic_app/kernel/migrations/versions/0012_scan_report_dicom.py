"""a final scan report's SR and KOS named in a row of their own, not on the signed report

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_MOVED = ("sr_instance_id", "kos_instance_id")


def upgrade() -> None:
    op.create_table('scan_report_dicom',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('sr_instance_id', sa.Uuid(), nullable=False),
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
    sa.ForeignKeyConstraint(['report_id'], ['scan_report.id'], name=op.f('fk_scan_report_dicom_report_id_scan_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_report_dicom')),
    sa.UniqueConstraint('report_id', name=op.f('uq_scan_report_dicom_report_id'))
    )
    _move_links()
    _forget_moved_columns_in_the_outbox()
    with op.batch_alter_table("scan_report", schema=None) as batch_op:
        for column in _MOVED:
            batch_op.drop_column(column)


def _move_links() -> None:
    # The row takes its report's id: every store moving the same synced report makes the
    # same row, so no two stores ever hold two rows for one report.
    report = sa.table(
        "scan_report",
        *(sa.column(name, sa.Uuid()) for name in ("id", "signed_by", "device_id", *_MOVED)),
        sa.column("signed_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    names = (
        "id", "report_id", "sr_instance_id", "kos_instance_id", "created_at", "created_by",
        "updated_at", "updated_by", "device_id", "row_version", "deleted",
    )
    dicom = sa.table("scan_report_dicom", *(sa.column(name) for name in names))
    when = sa.func.coalesce(report.c.signed_at, report.c.updated_at)
    op.execute(
        dicom.insert().from_select(
            names,
            sa.select(
                report.c.id,
                report.c.id,
                report.c.sr_instance_id,
                report.c.kos_instance_id,
                when,
                report.c.signed_by,
                when,
                report.c.signed_by,
                report.c.device_id,
                sa.literal(1),
                sa.false(),
            ).where(report.c.sr_instance_id.is_not(None)),
        )
    )


def _forget_moved_columns_in_the_outbox() -> None:
    # Changes of reports still waiting to be pushed name the dropped columns; the server,
    # migrated alike, would refuse them as unknown fields.
    outbox = sa.table(
        "sync_outbox",
        sa.column("seq", sa.Integer()),
        sa.column("table_name", sa.String()),
        sa.column("changed", sa.JSON()),
    )
    conn = op.get_bind()
    waiting = conn.execute(
        sa.select(outbox.c.seq, outbox.c.changed).where(outbox.c.table_name == "scan_report")
    ).all()
    for seq, changed in waiting:
        if any(name in changed for name in _MOVED):
            kept = {key: value for key, value in changed.items() if key not in _MOVED}
            conn.execute(outbox.update().where(outbox.c.seq == seq).values(changed=kept))


def downgrade() -> None:
    with op.batch_alter_table("scan_report", schema=None) as batch_op:
        for column in _MOVED:
            batch_op.add_column(sa.Column(column, sa.Uuid(), nullable=True))
    report = sa.table("scan_report", *(sa.column(name, sa.Uuid()) for name in ("id", *_MOVED)))
    dicom = sa.table(
        "scan_report_dicom", *(sa.column(name, sa.Uuid()) for name in ("report_id", *_MOVED))
    )
    for column in _MOVED:
        op.execute(
            report.update().values(
                {
                    column: sa.select(dicom.c[column])
                    .where(dicom.c.report_id == report.c.id)
                    .scalar_subquery()
                }
            )
        )
    op.drop_table("scan_report_dicom")
