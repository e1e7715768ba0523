"""Opening the server's database: schema brought up to date and the change counter in place.

Every command opens the database here, so the change counter exists from the very first
command (a user added before the server ever started) and is never behind the change log.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update

from clinic_app.kernel.store import Store, open_url_store
from clinic_app.server.apply import COUNTER
from clinic_app.sync.model import SyncChange, SyncCounter


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


def open_server_store(url: str) -> Store:
    """The server's database, ready for any command."""
    store = open_url_store(url)
    with store.engine.begin() as conn:
        ensure_counter_at_log_head(conn)
    return store
