"""Secrets in the OS keychain (via keyring): the store key above all.

keyring falls back to backends that do not keep a secret safe: the ``fail`` and ``null``
backends, and the plaintext file backends of ``keyrings.alt``. The app refuses them unless
started with the explicit insecure development flag.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import uuid
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

from clinic_app.kernel.errors import KeychainError

SERVICE = "OneStop MSK"
_UNSAFE_MODULE_PREFIXES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
_UNSAFE_NAME_WORDS = ("plaintext", "unencrypted")


def backend_name() -> str:
    """Module and class of the keyring backend in use."""
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def backend_is_safe() -> bool:
    """False for keyring backends that store nothing or store secrets in the clear."""
    backends = [keyring.get_keyring()]
    # A chainer is only as safe as the backends it would write to.
    backends += list(getattr(backends[0], "backends", []))
    for backend in backends:
        module = type(backend).__module__
        name = type(backend).__name__.casefold()
        if module.startswith(_UNSAFE_MODULE_PREFIXES):
            return False
        if any(word in name for word in _UNSAFE_NAME_WORDS):
            return False
    return True


def require_safe_backend(*, allow_insecure: bool) -> None:
    """Refuse to go on with an unsafe keyring backend unless the developer flag is set.

    Raises:
        KeychainError: ``keychain.insecure_backend`` naming the backend.
    """
    if not allow_insecure and not backend_is_safe():
        raise KeychainError("keychain.insecure_backend", backend=backend_name())


def store_key_name(store_path: Path) -> str:
    """The keychain entry name for a store: tied to the file's absolute location."""
    digest = hashlib.sha256(str(store_path.resolve()).encode("utf-8")).hexdigest()[:24]
    return f"store-key-{digest}"


def _get(name: str) -> str | None:
    try:
        value = keyring.get_password(SERVICE, name)
    except (keyring.errors.KeyringError, OSError) as error:
        # OSError: the keychain's transport (the D-Bus session) went away under us.
        raise KeychainError("keychain.unavailable", reason=type(error).__name__) from None
    return value if isinstance(value, str) else None


def _set(name: str, value: str) -> None:
    try:
        keyring.set_password(SERVICE, name, value)
    except (keyring.errors.KeyringError, OSError) as error:
        # OSError: the keychain's transport (the D-Bus session) went away under us.
        raise KeychainError("keychain.unavailable", reason=type(error).__name__) from None


def new_store_key(store_path: Path) -> str:
    """Make a random 256-bit key for a new store and keep it in the keychain.

    Raises:
        KeychainError: ``keychain.key_exists`` if the store already has a key: a key is
            never replaced, because the store it opens would be lost.
    """
    name = store_key_name(store_path)
    if _get(name) is not None:
        raise KeychainError("keychain.key_exists")
    key = secrets.token_hex(32)
    _set(name, key)
    if _get(name) != key:
        raise KeychainError("keychain.unavailable", reason="read-back differs")
    return key


def store_key(store_path: Path) -> str | None:
    """The key kept for this store, or None if the keychain has none."""
    return _get(store_key_name(store_path))


def forget_store_key(store_path: Path) -> None:
    """Remove a store's key (only after the store file itself is gone)."""
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(SERVICE, store_key_name(store_path))


def forget_audit_key(store_path: Path) -> None:
    """Remove a store's audit key (only after the store file itself is gone)."""
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(SERVICE, audit_key_name(store_path))


def audit_key_name(store_path: Path) -> str:
    """The keychain entry of a store's audit key (the key sealing its audit chain)."""
    return "audit-key-" + store_key_name(store_path).removeprefix("store-key-")


def audit_key(store_path: Path) -> str:
    """The key sealing this store's audit chain, made on first use and never replaced.

    It is kept beside the store key, never in the store, so someone holding only the store
    key (a copied file and a leaked key) cannot re-seal a changed entry.
    """
    name = audit_key_name(store_path)
    key = _get(name)
    if key is None:
        key = secrets.token_hex(32)
        _set(name, key)
        if _get(name) != key:
            raise KeychainError("keychain.unavailable", reason="read-back differs")
    return key


def set_audit_key(store_path: Path, key: str) -> None:
    """Keep the audit key a restored store's chain was sealed with (from its backup)."""
    _set(audit_key_name(store_path), key)


def sync_token_name(device_id: uuid.UUID, user_id: uuid.UUID | None = None) -> str:
    """The keychain entry of a device's sync token, or of one user's token on it."""
    return f"sync-{device_id}" + (f"-user-{user_id}" if user_id else "")


def set_sync_token(device_id: uuid.UUID, token: str, user_id: uuid.UUID | None = None) -> None:
    """Keep a token the server issued (for the device, or for a user on this device)."""
    _set(sync_token_name(device_id, user_id), token)


def sync_token(device_id: uuid.UUID, user_id: uuid.UUID | None = None) -> str | None:
    """A token kept by :func:`set_sync_token`, or None."""
    return _get(sync_token_name(device_id, user_id))


def forget_sync_token(device_id: uuid.UUID, user_id: uuid.UUID | None = None) -> None:
    """Remove a token kept by :func:`set_sync_token` (its device's store is gone)."""
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(SERVICE, sync_token_name(device_id, user_id))


class UnencryptedFileKeyring(keyring.backend.KeyringBackend):
    """Development only: secrets in a JSON file, readable by anyone who can read the file.

    Used only when the app is started with the explicit insecure flag (the demo clinic on a
    machine without an OS keychain). ``backend_is_safe`` names it unsafe.
    """

    priority = 0.1

    def __init__(self, path: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._path = path

    def _load(self) -> dict[str, str]:
        if not self._path.is_file():
            return {}
        loaded = json.loads(self._path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in loaded.items()}

    def _save(self, values: dict[str, str]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(json.dumps(values), encoding="utf-8")
        temporary.chmod(0o600)
        temporary.replace(self._path)

    def get_password(self, service: str, username: str) -> str | None:
        """Read a secret."""
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        """Write a secret."""
        values = self._load()
        values[f"{service}/{username}"] = password
        self._save(values)

    def delete_password(self, service: str, username: str) -> None:
        """Remove a secret."""
        values = self._load()
        if values.pop(f"{service}/{username}", None) is None:
            raise keyring.errors.PasswordDeleteError(username)
        self._save(values)


def use_insecure_file_keyring(path: Path) -> None:
    """Keep secrets in a plain file: development and demo only, never a real clinic."""
    keyring.set_keyring(UnencryptedFileKeyring(path))
