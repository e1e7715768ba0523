"""The server's bulk writes store what a plain insert stores, and refuse what it refuses.

On PostgreSQL many new rows go by COPY; these tests compare that with SQLAlchemy's own
insert of the same rows, on a real server, and check a refused row is raised as the same
SQLAlchemy error so a savepoint takes it back and the transaction goes on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from clinic_app.kernel.migrate import upgrade
from clinic_app.people.model import Patient
from clinic_app.server.bulk import insert_rows
from clinic_app.sync.model import SyncChange
from clinic_app.sync.ownership import among

TABLE = Patient.__table__


def _patients(count: int, *, start: int = 0) -> list[dict[str, Any]]:
    """Patients as a push brings them, some columns left to their defaults."""
    made = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    return [
        {
            "id": uuid.UUID(int=start + index + 1),
            "nhs_number": None,
            "given_name": "Ada\ttab",  # text COPY must carry tabs, newlines and backslashes
            "family_name": f"O'Bulk\\{start + index}\nline",
            "given_key": "ada",
            "family_key": f"obulk{start + index}",
            "date_of_birth": date(1950 + index % 40, 1 + index % 12, 1 + index % 27),
            "accessible_information_needs": ["large print", {"braille": True}],
            "created_at": made,
            "updated_at": made,
            "row_version": 1,
        }
        for index in range(count)
    ]


def _stored(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = [dict(row) for row in conn.execute(select(TABLE).order_by(TABLE.c.id)).mappings()]
    return rows


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    made = create_engine(url)
    upgrade(made)
    yield made
    made.dispose()


def test_bulk_rows_are_stored_as_a_plain_insert_stores_them(engine: Engine) -> None:
    rows = _patients(40)
    with engine.begin() as conn:
        conn.execute(insert(TABLE), rows)
    plain = _stored(engine)
    with engine.begin() as conn:
        conn.execute(delete(TABLE))
        insert_rows(conn, TABLE, rows)
    bulk = _stored(engine)
    assert len(bulk) == 40
    assert bulk == plain
    # Defaults the rows left out were filled as SQLAlchemy fills them.
    assert bulk[0]["sex"] == "X"
    assert bulk[0]["deleted"] is False
    assert bulk[3]["family_name"] == "O'Bulk\\3\nline"
    assert bulk[0]["accessible_information_needs"] == ["large print", {"braille": True}]


def test_a_refused_row_raises_the_same_error_and_its_savepoint_takes_it_back(
    engine: Engine,
) -> None:
    rows = _patients(20)
    with engine.begin() as conn:
        insert_rows(conn, TABLE, rows[:10])
        clash = [*_patients(10, start=100), rows[3]]  # the last one's id is taken
        with pytest.raises(IntegrityError), conn.begin_nested():
            insert_rows(conn, TABLE, clash)
        # The transaction goes on: the rows before the refused batch stay, none of it went in.
        insert_rows(conn, TABLE, rows[10:])
    stored = _stored(engine)
    assert [row["id"] for row in stored] == [row["id"] for row in rows]


def test_change_log_rows_with_every_column_given(engine: Engine) -> None:
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    device = uuid.uuid4()
    rows = [
        {
            "seq": seq,
            "table_name": "patient",
            "row_id": uuid.UUID(int=seq),
            "row_version": 1,
            "device_id": device,
            "at": at,
            "patient_id": uuid.UUID(int=seq),
            "other_patient_id": None,
        }
        for seq in range(1, 31)
    ]
    with engine.begin() as conn:
        insert_rows(conn, SyncChange.__table__, rows)  # type: ignore[arg-type]
        wanted = [uuid.UUID(int=seq) for seq in (2, 7, 29, 400)]
        found = conn.execute(
            select(SyncChange.seq).where(among(conn, SyncChange.__table__.c.row_id, wanted))
        ).scalars()
        assert sorted(found) == [2, 7, 29]
    with engine.connect() as conn:
        stored = conn.execute(select(SyncChange).order_by(SyncChange.seq)).all()
    assert [row.seq for row in stored] == list(range(1, 31))
    assert stored[0].at == at
    assert stored[0].device_id == device
