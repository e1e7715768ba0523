"""The store key really lives in the OS keychain: gnome-keyring's Secret Service, end to end.

Every test gets its own private Secret Service (see ``tests/support/secret_service.py``), and
keyring's real SecretService backend replaces the in-memory keychain the other tests use. The
key is read and removed with secretstorage directly, never through the app's own code.
"""

from __future__ import annotations

import gc
import hashlib
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

if sys.platform != "linux":
    pytest.skip("the Secret Service is the Linux keychain", allow_module_level=True)

import keyring
import secretstorage
from keyring.backends.SecretService import Keyring as SecretServiceKeyring

from clinic_app import bootstrap
from clinic_app.kernel.errors import KeychainError, StoreError
from clinic_app.kernel.security import keychain
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import Role
from tests.support.postgres import running_in_ci
from tests.support.secret_service import (
    DEFAULT_COLLECTION,
    SecretService,
    SecretServiceStartError,
    SecretServiceUnavailableError,
)

# The keychain entry's service name: a rename would orphan every clinic's existing key.
SERVICE = "OneStop MSK"
PASSWORD = "correct horse battery"
SQLITE_HEADER = b"SQLite format 3\x00"

# A hung unlock prompt would otherwise hold the run for the suite's whole timeout.
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def secret_service() -> Iterator[SecretService]:
    """A private Secret Service; skipped where it cannot run, but never in CI."""
    service = SecretService()
    problem = None
    try:
        service.start()
    except (SecretServiceUnavailableError, SecretServiceStartError) as error:
        problem = f"the Secret Service could not be started: {error}"
    if problem is not None:
        # The test command installs gnome-keyring and dbus: in CI a skip would hide that.
        if running_in_ci():
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(autouse=True)
def _fresh_keychain(secret_service: SecretService) -> Iterator[None]:
    """Overrides the in-memory keychain of tests/conftest.py with the real Secret Service."""
    previous = keyring.get_keyring()
    keyring.set_keyring(SecretServiceKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def _app_items(service: SecretService) -> list[tuple[dict[str, str], str]]:
    """Attributes and secret of every item the app keeps, read through secretstorage."""
    with service.connection() as connection:
        collection = secretstorage.Collection(connection, DEFAULT_COLLECTION)
        return [
            (item.get_attributes(), item.get_secret().decode("utf-8"))
            for item in collection.search_items({"service": SERVICE})
        ]


def _delete_app_items(service: SecretService) -> None:
    with service.connection() as connection:
        collection = secretstorage.Collection(connection, DEFAULT_COLLECTION)
        for item in collection.search_items({"service": SERVICE}):
            item.delete()


def _lock_login_collection(service: SecretService) -> None:
    with service.connection() as connection:
        collection = secretstorage.Collection(connection, DEFAULT_COLLECTION)
        collection.lock()
        assert collection.is_locked()


def _login_collection_is_locked(service: SecretService) -> bool:
    with service.connection() as connection:
        return bool(secretstorage.Collection(connection, DEFAULT_COLLECTION).is_locked())


def _create_closed_clinic(store_path: Path) -> None:
    services = bootstrap.create_clinic(store_path)
    try:
        services.users.add(
            SYSTEM, username="lead", display_name="Lead", role=Role.ADMIN, password=PASSWORD
        )
    finally:
        services.close()


def _keychain_refusal(call: Callable[[], object]) -> tuple[str, dict[str, object]]:
    """The code and parameters of the KeychainError the call must raise."""
    try:
        call()
    except KeychainError as error:
        return error.code, dict(error.params)
    pytest.fail("the keychain was locked, yet the call went through")


def _folder_snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_the_secret_service_backend_counts_as_safe() -> None:
    assert keychain.backend_name() == "keyring.backends.SecretService.Keyring"
    assert keychain.backend_is_safe()
    keychain.require_safe_backend(allow_insecure=False)


def test_create_clinic_keeps_a_random_key_in_the_secret_service(
    secret_service: SecretService, store_path: Path
) -> None:
    assert _app_items(secret_service) == []

    bootstrap.create_clinic(store_path).close()

    items = _app_items(secret_service)
    # The store's key, and beside it the key its audit chain is sealed with.
    assert sorted(a["username"].split("-key-")[0] for a, _ in items) == ["audit", "store"]
    [(attributes, key)] = [item for item in items if item[0]["username"].startswith("store-")]
    digest = hashlib.sha256(str(store_path.resolve()).encode("utf-8")).hexdigest()[:24]
    assert attributes["username"] == f"store-key-{digest}"
    assert re.fullmatch(r"[0-9a-f]{64}", key), "the store key is 256 bits as 64 hex digits"
    # The store is encrypted, and the key is not lying around in plain files.
    assert store_path.read_bytes()[: len(SQLITE_HEADER)] != SQLITE_HEADER
    assert sorted(path.name for path in store_path.parent.iterdir()) == [store_path.name]
    login_keyring = secret_service.keyrings_dir / "login.keyring"
    assert login_keyring.is_file()
    assert key.encode("ascii") not in login_keyring.read_bytes()


def test_a_reopened_store_opens_with_its_key_from_the_secret_service(
    secret_service: SecretService, store_path: Path
) -> None:
    _create_closed_clinic(store_path)
    [(_, key_at_creation)] = [
        item for item in _app_items(secret_service) if item[0]["username"].startswith("store-")
    ]

    services = bootstrap.open_clinic(store_path)
    try:
        lead = services.auth.login("Lead", PASSWORD)
        assert lead.username == "lead"
        assert lead.role is Role.ADMIN
        assert bootstrap.store_has_users(services)
    finally:
        services.close()

    [(_, key_after)] = [
        item for item in _app_items(secret_service) if item[0]["username"].startswith("store-")
    ]
    assert key_after == key_at_creation


def test_a_key_gone_from_the_secret_service_leaves_the_store_untouched(
    secret_service: SecretService, store_path: Path
) -> None:
    _create_closed_clinic(store_path)
    _delete_app_items(secret_service)
    before = _folder_snapshot(store_path.parent)

    with pytest.raises(StoreError) as raised:
        bootstrap.open_clinic(store_path)

    assert raised.value.code == "store.key_missing"
    assert _folder_snapshot(store_path.parent) == before
    assert _app_items(secret_service) == [], "no new key may be made for an existing store"


def test_a_locked_keychain_is_refused_with_a_clear_code_and_no_new_store(
    secret_service: SecretService, store_path: Path
) -> None:
    _create_closed_clinic(store_path)
    _lock_login_collection(secret_service)
    before = _folder_snapshot(store_path.parent)
    second_store = store_path.parent / "second-clinic.db"

    # keyring's SecretService backend leaves its D-Bus connection open when the collection
    # stays locked (keyring 25.7, get_preferred_collection): its socket is collected here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        started = time.monotonic()
        refusals = [
            _keychain_refusal(lambda: bootstrap.open_clinic(store_path)),
            _keychain_refusal(lambda: bootstrap.create_clinic(second_store)),
        ]
        took = time.monotonic() - started
        gc.collect()

    assert refusals == [("keychain.unavailable", {"reason": "KeyringLocked"})] * 2
    assert took < 5, "a locked keychain is refused at once, not after waiting on a prompt"
    assert _folder_snapshot(store_path.parent) == before, "no store is made or changed"
    assert _login_collection_is_locked(secret_service)
    with secret_service.connection() as connection:
        # Locked items can be found but not read: the store's key and its audit key are
        # still there.
        collection = secretstorage.Collection(connection, DEFAULT_COLLECTION)
        assert len(list(collection.search_items({"service": SERVICE}))) == 2
