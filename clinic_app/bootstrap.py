"""The one place that opens the store and wires the services."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select, text

from clinic_app.container import Services
from clinic_app.kernel.errors import StoreError
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.places import APP_NAME, STORE_FILE, data_dir, default_store_path
from clinic_app.kernel.security import audit, keychain
from clinic_app.kernel.session import reader
from clinic_app.kernel.staff import User
from clinic_app.kernel.store import Store, create_sqlite_store, open_sqlite_store
from clinic_app.kernel.uow import AppConfig, Context

__all__ = [
    "APP_NAME",
    "STORE_FILE",
    "create_clinic",
    "data_dir",
    "default_store_path",
    "open_clinic",
    "prepare_keychain",
    "store_has_users",
]


def prepare_keychain(*, allow_insecure: bool, store_path: Path) -> None:
    """Check the keyring backend; in insecure development mode fall back to a plain file.

    Raises:
        KeychainError: the backend is unsafe and the insecure flag was not given.
    """
    if allow_insecure and not keychain.backend_is_safe():
        keychain.use_insecure_file_keyring(store_path.parent / "insecure-dev-keys.json")
    keychain.require_safe_backend(allow_insecure=allow_insecure)


def _device_id(store: Store) -> uuid.UUID:
    with reader(store.engine).connect() as conn:
        known = conn.execute(text("SELECT value FROM store_meta WHERE key = 'device_id'")).scalar()
    if known is not None:
        return uuid.UUID(known)
    with store.sessions.begin() as session:
        row = session.get(StoreMeta, "device_id")
        if row is None:
            row = StoreMeta(key="device_id", value=str(uuid7()))
            session.add(row)
            session.add(StoreMeta(key="store_id", value=str(uuid7())))
        return uuid.UUID(row.value)


WORDING_PACKS = "wording-packs"
"""Folder beside the store that holds imported licensed questionnaire wording."""


def _services(store: Store, config: AppConfig | None) -> Services:
    if store.path is not None:
        # Every audit entry this store appends from now on is sealed with its audit key.
        audit.use_key(store, keychain.audit_key(store.path))
    context = Context(
        store=store,
        device_id=_device_id(store),
        config=config or AppConfig(),
        wording_packs=store.path.parent / WORDING_PACKS if store.path else None,
    )
    return Services.build(context)


def create_clinic(
    store_path: Path | None = None,
    *,
    allow_insecure_keyring: bool = False,
    config: AppConfig | None = None,
) -> Services:
    """Make a new, empty encrypted store with a fresh key kept in the keychain.

    Raises:
        StoreError: ``store.exists`` if a store is already there.
        KeychainError: the keychain is unsafe or unavailable.
    """
    path = (store_path or default_store_path()).resolve()
    prepare_keychain(allow_insecure=allow_insecure_keyring, store_path=path)
    if path.exists():
        raise StoreError("store.exists")
    key = keychain.store_key(path) or keychain.new_store_key(path)
    return _services(create_sqlite_store(path, key), config)


def open_clinic(
    store_path: Path | None = None,
    *,
    allow_insecure_keyring: bool = False,
    config: AppConfig | None = None,
) -> Services:
    """Open an existing store with its key from the keychain.

    Raises:
        StoreError: ``store.missing``, ``store.key_missing`` (the keychain has no key for
            it: never answered by making a new, empty store) or ``store.wrong_key``.
        KeychainError: the keychain is unsafe or unavailable.
    """
    path = (store_path or default_store_path()).resolve()
    prepare_keychain(allow_insecure=allow_insecure_keyring, store_path=path)
    if not path.is_file():
        raise StoreError("store.missing")
    key = keychain.store_key(path)
    if key is None:
        raise StoreError("store.key_missing")
    return _services(open_sqlite_store(path, key), config)


def store_has_users(services: Services) -> bool:
    """True once at least one user exists (the app needs one to be useful)."""
    with services.context.store.sessions() as session:
        return session.scalar(select(User.id).limit(1)) is not None
