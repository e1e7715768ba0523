"""Opening the server's database: schema brought up to date and the change counter in place.

Every command opens the database here, so the change counter exists from the very first
command (a user added before the server ever started) and is never behind the change log.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update

from clinic_app.kernel.store import Store, open_url_store
from clinic_app.server.apply import COUNTER
from clinic_app.sync.model import SyncChange, SyncCounter
from clinic_app.sync.ownership import owner_of, patients_of_row
from clinic_app.sync.wire import synced_tables


def ensure_counter_at_log_head(conn: Connection) -> None:
    """Create the change counter if missing, and move it up to the newest logged change.

    A counter behind the log would hand out a number already used, and every push after
    would fail on it; one at the log's head hands out the next free number.
    """
    newest = int(conn.execute(select(func.max(SyncChange.seq))).scalar() or 0)
    value = conn.execute(select(SyncCounter.value).where(SyncCounter.name == COUNTER)).scalar()
    if value is None:
        conn.execute(insert(SyncCounter).values(name=COUNTER, value=newest))
    elif int(value) < newest:
        conn.execute(update(SyncCounter).where(SyncCounter.name == COUNTER).values(value=newest))


def name_patients_in_log(conn: Connection) -> int:
    """Name the patient of changes logged before changes named them (how many were named).

    Until a change names its patient it goes to every laptop; naming it sends it only to
    laptops that hold that patient.
    """
    named = 0
    scoped = [name for name in synced_tables() if owner_of(name).scoped]
    unnamed = conn.execute(
        select(SyncChange.seq, SyncChange.table_name, SyncChange.row_id).where(
            SyncChange.patient_id.is_(None), SyncChange.table_name.in_(scoped)
        )
    ).all()
    for seq, table_name, row_id in unnamed:
        table = synced_tables()[table_name].table
        row = conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
        if row is None:
            continue
        first, second = patients_of_row(conn, table_name, row)
        if first is None:
            continue
        conn.execute(
            update(SyncChange)
            .where(SyncChange.seq == seq)
            .values(patient_id=first, other_patient_id=second)
        )
        named += 1
    return named


def open_server_store(url: str) -> Store:
    """The server's database, ready for any command."""
    store = open_url_store(url)
    with store.engine.begin() as conn:
        ensure_counter_at_log_head(conn)
        name_patients_in_log(conn)
    return store
