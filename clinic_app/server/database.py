"""Opening the server's database: schema brought up to date and the change counter in place.

Every command opens the database here, so the change counter exists from the very first
command (a user added before the server ever started) and is never behind the change log.

Several server instances may share one PostgreSQL database and start at the same moment: the
schema upgrade and the counter set-up run under a PostgreSQL advisory lock, so one instance
upgrades while the others wait, then find the schema current and go on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, func, insert, select, text, update

from clinic_app.kernel.migrate import ensure_schema
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


#: The advisory lock key of the schema upgrade (any fixed 64-bit number; "OneStop" in ASCII).
SCHEMA_LOCK = 0x4F6E6553746F70


@contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's schema lock (PostgreSQL; SQLite's own write lock serves there).

    The lock belongs to a connection of its own, so it is held across the upgrade's
    transactions, and PostgreSQL lets it go if this process dies while holding it.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK})
        holder.commit()
        try:
            yield
        finally:
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK})
            holder.commit()


def prepare_server_database(engine: Engine) -> None:
    """Bring the schema to the newest and the change counter to the log's head, under the lock."""
    with schema_lock(engine):
        ensure_schema(engine)
        with engine.begin() as conn:
            ensure_counter_at_log_head(conn)
            name_patients_in_log(conn)


def open_server_store(url: str) -> Store:
    """The server's database, ready for any command."""
    store = open_url_store(url, create_schema=False)
    try:
        prepare_server_database(store.engine)
    except BaseException:
        store.close()
        raise
    return store
