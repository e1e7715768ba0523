"""The local store: encrypted on disk, durable, never replaced, and at the expected schema."""

from __future__ import annotations

import hashlib
import stat
import time
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.backends.null
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from clinic_app.bootstrap import create_clinic, open_clinic
from clinic_app.container import Services
from clinic_app.kernel.base import Base
from clinic_app.kernel.errors import KeychainError, StoreError
from clinic_app.kernel.migrate import current_revision
from clinic_app.kernel.migrations import HEAD
from clinic_app.kernel.security import keychain
from clinic_app.kernel.store import create_sqlite_store, open_sqlite_store
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from tests.support.memory_keyring import MemoryKeyring

SURNAME = "Quarrendon"
NHS = "9990000034"
SQLITE_HEADER = b"SQLite format 3\x00"


class PlaintextKeyring(keyring.backend.KeyringBackend):
    """A backend that, by its own name, keeps secrets in the clear."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username))


class WrappingKeyring(MemoryKeyring):
    """Looks safe itself but hands secrets on to the backends it chains."""

    def __init__(self, inner: keyring.backend.KeyringBackend) -> None:
        super().__init__()
        self.backends = [inner]


def _register(services: Services) -> None:
    services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Imogen",
            family_name=SURNAME,
            date_of_birth="1975-03-12",
            sex="2",
            nhs_number=NHS,
        ),
    )


def _folder_snapshot(folder: Path) -> dict[str, str]:
    """Every file in the folder and a digest of its bytes."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


@pytest.fixture
def closed_store(services: Services, store_path: Path) -> Path:
    """A store holding one patient, closed so everything is in the main file."""
    _register(services)
    services.close()
    return store_path


# ---------------------------------------------------------------- encryption at rest


def test_store_files_are_encrypted_while_open(services: Services, store_path: Path) -> None:
    _register(services)
    files = [p for p in store_path.parent.iterdir() if p.name.startswith(store_path.name)]
    assert store_path in files
    for path in files:
        raw = path.read_bytes()
        assert SQLITE_HEADER not in raw, path.name
        assert SURNAME.encode() not in raw, path.name
        assert SURNAME.upper().encode() not in raw, path.name
        assert NHS.encode() not in raw, path.name


def test_store_file_is_encrypted_after_close(closed_store: Path) -> None:
    raw = closed_store.read_bytes()
    assert len(raw) > 4096
    assert not raw.startswith(SQLITE_HEADER)
    assert SQLITE_HEADER not in raw
    for needle in (SURNAME, SURNAME.casefold(), NHS, "patient", "CREATE TABLE"):
        assert needle.encode() not in raw, needle
    # ... and the patient really is in there, for whoever holds the key.
    services = open_clinic(closed_store)
    try:
        assert [p.family_name for p in services.patients.search(SYSTEM, SURNAME)] == [SURNAME]
    finally:
        services.close()


def test_store_file_is_private_to_its_owner(closed_store: Path) -> None:
    assert stat.S_IMODE(closed_store.stat().st_mode) & 0o077 == 0


# ---------------------------------------------------------------- durability settings


def test_wal_and_full_sync_on_every_connection(services: Services) -> None:
    engine = services.context.store.engine
    # Two pooled connections at once (raw, so neither takes the write lock): the settings
    # must hold on each, not just on the first one made.
    first, second = engine.raw_connection(), engine.raw_connection()
    try:
        assert first.driver_connection is not second.driver_connection
        for conn in (first, second):
            cursor = conn.cursor()
            try:
                assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)
                assert cursor.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
                assert cursor.execute("PRAGMA foreign_keys").fetchone() == (1,)
            finally:
                cursor.close()
    finally:
        first.close()
        second.close()


def test_reading_is_not_blocked_by_an_open_write(services: Services) -> None:
    # WAL's point: a search still answers while another unit of work holds the write lock.
    _register(services)
    writer = services.context.store.sessions()
    try:
        writer.execute(text("UPDATE store_meta SET value = value WHERE key = 'device_id'"))
        started = time.monotonic()
        assert len(services.patients.search(SYSTEM, SURNAME)) == 1
        assert time.monotonic() - started < 2  # not a busy-wait that happened to end
    finally:
        writer.rollback()
        writer.close()


# ---------------------------------------------------------------- refusing to open


def test_wrong_key_is_refused_and_file_untouched(closed_store: Path) -> None:
    before = _folder_snapshot(closed_store.parent)
    with pytest.raises(StoreError) as caught:
        open_sqlite_store(closed_store, "ab" * 32)
    assert caught.value.code == "store.wrong_key"
    assert _folder_snapshot(closed_store.parent) == before


def test_wrong_key_in_the_keychain_is_refused(closed_store: Path) -> None:
    keyring.set_password(keychain.SERVICE, keychain.store_key_name(closed_store), "cd" * 32)
    before = _folder_snapshot(closed_store.parent)
    with pytest.raises(StoreError) as caught:
        open_clinic(closed_store)
    assert caught.value.code == "store.wrong_key"
    assert _folder_snapshot(closed_store.parent) == before


def test_missing_key_is_refused_and_no_new_store_is_made(closed_store: Path) -> None:
    keyring.set_keyring(MemoryKeyring())  # the keychain lost the key
    size = closed_store.stat().st_size
    before = _folder_snapshot(closed_store.parent)
    with pytest.raises(StoreError) as caught:
        open_clinic(closed_store)
    assert caught.value.code == "store.key_missing"
    assert closed_store.stat().st_size == size
    assert _folder_snapshot(closed_store.parent) == before
    # No key was made up for it either: that would lock the real data away for good.
    assert keychain.store_key(closed_store) is None


def test_an_empty_store_file_is_refused_and_left_as_it_is(closed_store: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(str(closed_store) + suffix).unlink(missing_ok=True)
    closed_store.write_bytes(b"")
    with pytest.raises(StoreError) as caught:
        open_clinic(closed_store)
    assert caught.value.code == "store.empty"
    assert closed_store.stat().st_size == 0
    assert sorted(p.name for p in closed_store.parent.iterdir()) == [closed_store.name]


def test_a_new_stores_folder_is_private(tmp_path: Path) -> None:
    services = create_clinic(tmp_path / "new" / "clinic.db")
    services.close()
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) & 0o077 == 0


def test_create_over_an_existing_store_is_refused(closed_store: Path) -> None:
    key = keychain.store_key(closed_store)
    before = _folder_snapshot(closed_store.parent)
    with pytest.raises(StoreError) as caught:
        create_clinic(closed_store)
    assert caught.value.code == "store.exists"
    with pytest.raises(StoreError) as caught:
        create_sqlite_store(closed_store, "ef" * 32)
    assert caught.value.code == "store.exists"
    assert _folder_snapshot(closed_store.parent) == before
    assert keychain.store_key(closed_store) == key


def test_a_store_whose_making_fails_is_not_left_to_refuse_the_next_try(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clinic_app.kernel import store as store_module

    real_schema = store_module.ensure_schema

    def disk_fills(engine: object) -> None:
        with engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(text("CREATE TABLE half_made (id INTEGER)"))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "ensure_schema", disk_fills)
    with pytest.raises(OSError, match="No space left"):
        create_clinic(store_path)
    assert list(store_path.parent.iterdir()) == []

    monkeypatch.setattr(store_module, "ensure_schema", real_schema)
    services = create_clinic(store_path)
    try:
        assert current_revision(services.context.store.engine) == HEAD
    finally:
        services.close()


def test_create_over_any_existing_file_is_refused(store_path: Path) -> None:
    store_path.write_bytes(b"someone else's file")
    with pytest.raises(StoreError) as caught:
        create_clinic(store_path)
    assert caught.value.code == "store.exists"
    assert store_path.read_bytes() == b"someone else's file"


def test_missing_store_is_reported_not_created(store_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        open_clinic(store_path)
    assert caught.value.code == "store.missing"
    with pytest.raises(StoreError) as caught:
        open_sqlite_store(store_path, "ab" * 32)
    assert caught.value.code == "store.missing"
    assert not store_path.exists()
    assert list(store_path.parent.iterdir()) == []


def test_store_reopens_with_its_key(closed_store: Path) -> None:
    services = open_clinic(closed_store)
    try:
        assert len(services.patients.search(SYSTEM, NHS)) == 1
    finally:
        services.close()


# ---------------------------------------------------------------- keychain backends


UNSAFE_BACKENDS = {
    "fail": keyring.backends.fail.Keyring,
    "null": keyring.backends.null.Keyring,
    "plaintext": PlaintextKeyring,
    "chain-with-plaintext": lambda: WrappingKeyring(PlaintextKeyring()),
}


@pytest.mark.parametrize("backend", list(UNSAFE_BACKENDS))
def test_unsafe_keychain_is_refused(store_path: Path, backend: str) -> None:
    unsafe = UNSAFE_BACKENDS[backend]()
    keyring.set_keyring(unsafe)
    with pytest.raises(KeychainError) as caught:
        create_clinic(store_path)
    assert caught.value.code == "keychain.insecure_backend"
    assert caught.value.params["backend"].endswith(type(unsafe).__name__)
    assert not store_path.exists()
    assert getattr(unsafe, "secrets", {}) == {}


@pytest.mark.parametrize("backend", ["fail", "plaintext"])
def test_unsafe_keychain_is_refused_when_opening(closed_store: Path, backend: str) -> None:
    keyring.set_keyring(UNSAFE_BACKENDS[backend]())
    before = _folder_snapshot(closed_store.parent)
    with pytest.raises(KeychainError) as caught:
        open_clinic(closed_store)
    assert caught.value.code == "keychain.insecure_backend"
    assert _folder_snapshot(closed_store.parent) == before


@pytest.mark.parametrize("backend", ["fail", "plaintext"])
def test_unsafe_keychain_allowed_only_with_the_insecure_flag(
    store_path: Path, backend: str
) -> None:
    keyring.set_keyring(UNSAFE_BACKENDS[backend]())
    services = create_clinic(store_path, allow_insecure_keyring=True)
    try:
        _register(services)
    finally:
        services.close()
    key_file = store_path.parent / "insecure-dev-keys.json"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    with pytest.raises(KeychainError):
        open_clinic(store_path)
    services = open_clinic(store_path, allow_insecure_keyring=True)
    try:
        assert len(services.patients.search(SYSTEM, SURNAME)) == 1
    finally:
        services.close()


def test_test_keychain_counts_as_safe() -> None:
    # Guards the tests above: the refusals are about the backends, not about every backend.
    keyring.set_keyring(MemoryKeyring())
    assert keychain.backend_is_safe()
    keychain.require_safe_backend(allow_insecure=False)


# ---------------------------------------------------------------- schema migrations


def _script_heads() -> list[str]:
    config = Config()
    config.set_main_option("script_location", "clinic_app.kernel:migrations")
    return list(ScriptDirectory.from_config(config).get_heads())


def test_head_constant_is_the_only_migration_head() -> None:
    assert _script_heads() == [HEAD]


def test_new_store_is_at_head(services: Services) -> None:
    assert current_revision(services.context.store.engine) == HEAD


def test_migrations_build_exactly_the_model(services: Services) -> None:
    engine = services.context.store.engine
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        tables = set(inspect(conn).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


def test_reopening_an_up_to_date_store_changes_nothing(closed_store: Path) -> None:
    services = open_clinic(closed_store)
    try:
        assert current_revision(services.context.store.engine) == HEAD
        with services.context.store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [tuple(v) for v in versions] == [(HEAD,)]
    finally:
        services.close()
