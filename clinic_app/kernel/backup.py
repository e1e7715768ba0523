"""Backups: a consistent, encrypted copy taken while the app runs, and its restore.

A backup is its own SQLCipher file, keyed by a passphrase the service keeps (not the
device's keychain key), so it can be restored on a replacement laptop.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3

from clinic_app.kernel.errors import StoreError, ValidationError
from clinic_app.kernel.store import Store

MIN_PASSPHRASE = 12
_ALIAS = "backup_copy"
#: SQLCipher's page: every whole store or backup file is a multiple of it.
PAGE_SIZE = 4096


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote."""

    path: Path
    size_bytes: int
    tables: int


def check_passphrase(passphrase: str) -> None:
    """A backup passphrase must be long enough to resist guessing offline.

    Raises:
        ValidationError: ``backup.passphrase_too_short``.
    """
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(
            "backup.passphrase_too_short", field="passphrase", minimum=MIN_PASSPHRASE
        )


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_store(store: Store, destination: Path, passphrase: str) -> BackupResult:
    """Copy the whole store into a new file encrypted with ``passphrase``.

    The copy is made inside one read transaction, so it is consistent even while the app
    keeps writing; it is written beside the destination and renamed into place only when
    complete, so a failed backup never leaves a half file under the final name.

    Raises:
        StoreError: ``backup.exists`` if the destination exists, ``backup.failed``.
        ValidationError: the passphrase is too short.
    """
    check_passphrase(passphrase)
    destination = destination.resolve()
    if destination.exists():
        raise StoreError("backup.exists")
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    _create_private(partial)
    raw = store.engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        driver.execute("BEGIN")
        try:
            driver.execute(f"ATTACH DATABASE ? AS {_ALIAS} KEY ?", (str(partial), passphrase))
            driver.execute(f"SELECT sqlcipher_export('{_ALIAS}')")
            _carry_audit_key(driver, store)
            version = driver.execute("PRAGMA user_version").fetchone()[0]
            driver.execute(f"PRAGMA {_ALIAS}.user_version = {int(version)}")
            tables = driver.execute(
                f"SELECT count(*) FROM {_ALIAS}.sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
            driver.execute("COMMIT")
        except sqlcipher3.Error:
            with contextlib.suppress(sqlcipher3.Error):
                driver.execute("ROLLBACK")
            partial.unlink(missing_ok=True)
            raise StoreError("backup.failed") from None
        finally:
            with contextlib.suppress(sqlcipher3.Error):
                driver.execute(f"DETACH DATABASE {_ALIAS}")
    finally:
        raw.close()
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    partial.replace(destination)
    _fsync_dir(destination.parent)
    return BackupResult(destination, destination.stat().st_size, int(tables))


def _create_private(path: Path) -> None:
    """An empty file only its owner reads; SQLite writes into it (and keeps its mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def check_backup_file(backup: Path) -> None:
    """Refuse a backup file that cannot be whole, before any passphrase is tried.

    Raises:
        StoreError: ``backup.missing``, ``backup.empty`` (0 bytes), ``backup.incomplete``
            (not a whole number of pages: a copy cut short).
    """
    if not backup.is_file():
        raise StoreError("backup.missing")
    size = backup.stat().st_size
    if size == 0:
        raise StoreError("backup.empty")
    if size % PAGE_SIZE:
        raise StoreError("backup.incomplete")


def _carry_audit_key(driver: Any, store: Store) -> None:
    """Put the audit key in the backup (under its passphrase): a restore must verify."""
    key = store.info.get("audit_key")
    if isinstance(key, str):
        driver.execute(
            f"INSERT INTO {_ALIAS}.store_meta (key, value) VALUES ('audit.key', ?)", (key,)
        )


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def restore_store(backup: Path, passphrase: str, target: Path, key: str) -> None:
    """Write a new store at ``target`` (encrypted with ``key``) from a backup file.

    The backup is checked (passphrase, integrity) before anything is written, and the
    target must not exist: an existing store is never overwritten here.

    Raises:
        StoreError: ``backup.missing``, ``backup.empty``, ``backup.incomplete``,
            ``backup.no_passphrase``, ``backup.wrong_passphrase``, ``backup.damaged``,
            ``store.exists``.
    """
    check_backup_file(backup)
    if not passphrase:
        raise StoreError("backup.no_passphrase")
    if target.exists():
        raise StoreError("store.exists")
    source = sqlcipher3.connect(str(backup), isolation_level=None)
    try:
        source.execute("PRAGMA cipher_log_level = NONE")
        source.execute(f"PRAGMA key = {_quote(passphrase)}")
        try:
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as error:
            # Only "not a database" means the first page did not decrypt: anything else
            # (a malformed image, pages missing) is a damaged file, not a wrong passphrase.
            if "not a database" in str(error):
                raise StoreError("backup.wrong_passphrase") from None
            raise StoreError("backup.damaged") from None
        try:
            intact = source.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            tables = source.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlcipher3.DatabaseError:
            intact = False
        if not intact:
            raise StoreError("backup.damaged")
        if not tables:
            raise StoreError("backup.empty")
        version = int(source.execute("PRAGMA user_version").fetchone()[0])
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        _create_private(partial)
        try:
            source.execute(f"ATTACH DATABASE ? AS restored KEY \"x'{key}'\"", (str(partial),))
            source.execute("SELECT sqlcipher_export('restored')")
            source.execute(f"PRAGMA restored.user_version = {version}")
            source.execute("DETACH DATABASE restored")
        except sqlcipher3.Error:
            partial.unlink(missing_ok=True)
            raise StoreError("restore.failed") from None
    finally:
        source.close()
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    partial.replace(target)
    _fsync_dir(target.parent)
