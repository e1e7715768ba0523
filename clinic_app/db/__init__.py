"""Engines and sessions: SQLite/SQLCipher on the device, PostgreSQL on the server."""

from __future__ import annotations

from clinic_app.db.session import Actor, ClinicSession
from clinic_app.db.store import Store, create_sqlite_store, open_sqlite_store, open_url_store

__all__ = [
    "Actor",
    "ClinicSession",
    "Store",
    "create_sqlite_store",
    "open_sqlite_store",
    "open_url_store",
]
