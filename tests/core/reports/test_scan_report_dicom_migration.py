"""Migration 0012 moves a final report's SR and KOS off the signed row into a row of its own."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from clinic_app import schema  # noqa: F401 - every table's types, for rows of the old schema
from clinic_app.kernel.base import Base
from clinic_app.kernel.migrate import upgrade

SIGNED_AT = datetime(2026, 3, 4, 10, 15, 30, tzinfo=UTC)
_FILLERS: tuple[tuple[type[Any], Any], ...] = (
    (sa.Uuid, uuid.uuid4),
    (sa.Boolean, lambda: False),
    (sa.Integer, lambda: 1),
    (sa.DateTime, lambda: SIGNED_AT),
    (sa.Date, lambda: date(1960, 3, 14)),
    (sa.JSON, lambda: {}),
    (sa.String, lambda: "x"),
    (sa.Text, lambda: "x"),
)


def _insert(conn: Connection, name: str, **values: Any) -> None:
    """A row with ``values``, every other required column filled with something of its type.

    The columns are the database's own; their types are the model's (the columns moved
    away are UUIDs), since SQLite reports a UUID column only as CHAR(32).
    """
    typed = Base.metadata.tables[name].columns
    reflected = sa.inspect(conn).get_columns(name)
    table = sa.table(
        name,
        *(
            sa.column(c["name"], typed[c["name"]].type if c["name"] in typed else sa.Uuid())
            for c in reflected
        ),
    )
    row = dict(values)
    for column in reflected:
        if column["name"] in row or column["nullable"]:
            continue
        kind_of = table.c[column["name"]].type
        kind_of = getattr(kind_of, "impl", kind_of)  # UtcDateTime is a DateTime underneath
        row[column["name"]] = next(make() for kind, make in _FILLERS if isinstance(kind_of, kind))
    conn.execute(table.insert().values(row))


def check_the_move(engine: Engine) -> None:
    """Build the schema at 0011 with two reports, migrate to the head, check what moved."""
    upgrade(engine, "0011")
    patient, study, kept, plain, sr, kos = (uuid.uuid4() for _ in range(6))
    with engine.begin() as conn:
        _insert(conn, "patient", id=patient)
        _insert(conn, "imaging_study", id=study, patient_id=patient, study_uid="1.2.3")
        for report, links in ((kept, (sr, kos)), (plain, (None, None))):
            _insert(
                conn,
                "scan_report",
                id=report,
                study_id=study,
                patient_id=patient,
                status="signed" if links[0] else "draft",
                signed_at=SIGNED_AT if links[0] else None,
                sr_instance_id=links[0],
                kos_instance_id=links[1],
            )
        _insert(
            conn,
            "sync_outbox",
            table_name="scan_report",
            row_id=kept,
            changed={"status": "signed", "sr_instance_id": str(sr), "kos_instance_id": None},
        )
    upgrade(engine)
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("scan_report")}
        assert not columns & {"sr_instance_id", "kos_instance_id"}
        moved = conn.execute(
            sa.text(
                "SELECT id, report_id, sr_instance_id, kos_instance_id, row_version, deleted"
                " FROM scan_report_dicom"
            )
        ).all()
        assert [tuple(uuid.UUID(str(v)) for v in row[:4]) + tuple(row[4:]) for row in moved] == [
            (kept, kept, sr, kos, 1, False)
        ]
        outbox = Base.metadata.tables["sync_outbox"]
        assert conn.execute(sa.select(outbox.c.changed)).scalars().all() == [{"status": "signed"}]


def test_the_links_move_to_their_own_row_on_sqlite(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        check_the_move(engine)
    finally:
        engine.dispose()
