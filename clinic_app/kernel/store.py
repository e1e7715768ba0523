"""Opening the store: an encrypted SQLite file on the device, or a server database by URL.

A wrong or missing key is an error with its own code; a store that exists is never
replaced by a fresh empty one.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, exc, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

# The outbox hooks attach to ClinicSession when imported: every store gets them.
from clinic_app.kernel import outbox as _outbox  # noqa: F401
from clinic_app.kernel.errors import StoreError
from clinic_app.kernel.migrate import ensure_schema
from clinic_app.kernel.session import READ_ONLY, ClinicSession, reader
from clinic_app.kernel.store_guard import refuse_if_kept_off

_SQLITE_PRAGMAS = (
    "PRAGMA cipher_log_level = NONE",
    "PRAGMA journal_mode = WAL",
    # FULL in WAL mode syncs the log on every commit: a commit that returned survives
    # a power cut or kill -9.
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA cache_size = -16000",
)


@dataclass
class Store:
    """An open store: its engine and the session factory units of work use."""

    engine: Engine
    sessions: sessionmaker[ClinicSession]
    path: Path | None = None
    info: dict[str, Any] = field(default_factory=dict)
    #: The patients open on a screen of this app now (set by the window, read by sync on its
    #: own thread: a whole set is put in at once). A sync round never lets go of them.
    open_patients: frozenset[uuid.UUID] = frozenset()

    @property
    def is_sqlite(self) -> bool:
        """True for the device's embedded store."""
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def sqlite_url(path: Path, key: str) -> URL:
    """The SQLAlchemy URL of an encrypted store; ``key`` is a 64-hex-digit raw key."""
    return URL.create("sqlite+pysqlcipher", password=f"x'{key}'", database=str(path))


def _sqlite_engine(path: Path, key: str) -> Engine:
    engine = create_engine(
        sqlite_url(path, key),
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=4,
        # The connection used last is handed out next: its page cache (decrypted pages) is
        # the warm one, so a read finds what the reads before it brought in.
        pool_use_lifo=True,
        # Connections are handed between the UI's worker threads, one at a time.
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in _SQLITE_PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers take the write lock up front, so two writers never deadlock mid-way
        # and the audit chain's head is read and extended under one lock. Units of work
        # that only read say so and start a plain (deferred) transaction instead.
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _check_key(engine: Engine) -> None:
    try:
        with reader(engine).connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
    except exc.DatabaseError as error:
        engine.dispose()
        if "not a database" in str(error.orig):
            raise StoreError("store.wrong_key") from None
        raise StoreError("store.unreadable", detail=type(error.orig).__name__) from None


def _refuse_threads_kept_off(_conn: Connection) -> None:
    refuse_if_kept_off()


def _make_store(engine: Engine, path: Path | None) -> Store:
    # Every transaction begins through this event, whether a session's, a raw connection's
    # or a read-only one's, so no store work escapes the check; it runs before the BEGIN
    # is sent, and the connection goes back to the pool untouched.
    event.listen(engine, "begin", _refuse_threads_kept_off, insert=True)
    sessions = sessionmaker(bind=engine, class_=ClinicSession, expire_on_commit=False)
    return Store(engine=engine, sessions=sessions, path=path)


def open_sqlite_store(path: Path, key: str) -> Store:
    """Open an existing encrypted store, upgrading its schema if it is older than the code.

    A file of 0 bytes is refused, never taken for a new store: the store that was there is
    gone, and a person decides (restore from a backup); the file is left as it is.

    Raises:
        StoreError: ``store.missing`` if there is no file, ``store.empty`` if it has no
            bytes, ``store.wrong_key`` if the key does not open it (or it is not a store
            at all).
    """
    if not path.is_file():
        raise StoreError("store.missing")
    if path.stat().st_size == 0:
        raise StoreError("store.empty")
    engine = _sqlite_engine(path, key)
    _check_key(engine)
    ensure_schema(engine)
    return _make_store(engine, path)


#: The files SQLite keeps beside a store while it is open.
_SIDE_FILES = ("-wal", "-shm", "-journal")


def create_sqlite_store(path: Path, key: str) -> Store:
    """Create a new encrypted store at ``path``; refuses if anything is already there.

    A store whose making fails part way (its schema not written: a full disk, say) is
    removed, so that trying again is not refused with ``store.exists``.

    Raises:
        StoreError: ``store.exists`` when the file exists.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes racing to create the store cannot both win.
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise StoreError("store.exists") from None
    os.close(fd)
    engine = _sqlite_engine(path, key)
    try:
        ensure_schema(engine)
        return _make_store(engine, path)
    except BaseException:
        # Nothing was ever kept in it: leave no half-made store that would refuse the next try.
        engine.dispose()
        for leftover in (path, *(path.with_name(path.name + end) for end in _SIDE_FILES)):
            leftover.unlink(missing_ok=True)
        raise


def open_url_store(url: str | URL, *, create_schema: bool = True) -> Store:
    """Open a server database (PostgreSQL) by URL and bring its schema to the newest."""
    engine = create_engine(url, pool_pre_ping=True)
    if create_schema:
        ensure_schema(engine)
    return _make_store(engine, None)
