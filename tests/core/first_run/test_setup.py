"""The first-run steps without a window: what they make, what they refuse, what they remove."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from clinic_app import bootstrap, first_run
from clinic_app.kernel.errors import ExternalServiceError, FormErrors, KeychainError, StoreError
from clinic_app.kernel.security import keychain
from tests.support.memory_keyring import MemoryKeyring
from tests.support.sync_server import free_port

PASSWORD = "correct horse battery"


def _secrets() -> dict[tuple[str, str], str]:
    backend = keyring.get_keyring()
    assert isinstance(backend, MemoryKeyring)
    return backend.secrets


def _standalone(store: Path, **changes: str) -> Path:
    answers = {
        "clinic_name": "Riverside MSK",
        "username": "amina",
        "display_name": "Amina Okafor",
        "password": PASSWORD,
        "password_again": PASSWORD,
    } | changes
    return first_run.standalone(store, **answers)


def test_a_standalone_clinic_is_refused_over_a_store_that_is_there_and_it_is_left_alone(
    tmp_path: Path,
) -> None:
    store = tmp_path / "clinic.db"
    store.write_bytes(b"someone's clinic")

    with pytest.raises(StoreError) as refused:
        _standalone(store)

    assert refused.value.code == "store.exists"
    assert store.read_bytes() == b"someone's clinic"
    assert _secrets() == {}


def test_every_problem_with_the_answers_is_found_before_anything_is_made(tmp_path: Path) -> None:
    store = tmp_path / "data" / "clinic.db"

    with pytest.raises(FormErrors) as refused:
        _standalone(store, clinic_name=" ", username="a b", password="amina", password_again="x")

    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("clinic_name", "text.empty"),
        ("username", "user.username_invalid"),
        ("password", "password.too_short"),
        ("password_again", "password.mismatch"),
    }
    assert not store.parent.exists()


def test_a_finished_standalone_clinic_opens_with_its_key(tmp_path: Path) -> None:
    store = _standalone(tmp_path / "clinic.db")

    services = bootstrap.open_clinic(store)
    try:
        admin = services.auth.login("amina", PASSWORD)
        assert admin.site_name == "Riverside MSK"
    finally:
        services.close()


def test_an_unsafe_keychain_makes_nothing(tmp_path: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    store = tmp_path / "data" / "clinic.db"

    assert not first_run.keychain_is_safe()
    assert first_run.keychain_is_safe(allow_insecure=True)
    with pytest.raises(KeychainError):
        _standalone(store)
    assert not store.parent.exists()


def test_no_server_at_the_address_makes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "data" / "clinic.db"

    with pytest.raises(ExternalServiceError) as refused:
        first_run.connect(store, server_url=f"http://127.0.0.1:{free_port()}", device_name="Room 3")

    assert refused.value.code == "first_run.no_answer"
    assert not store.parent.exists()
    assert _secrets() == {}


def test_discarding_removes_the_store_its_keys_and_its_folder(tmp_path: Path) -> None:
    store = tmp_path / "data" / "clinic.db"
    services = bootstrap.create_clinic(store)
    device = services.context.device_id
    keychain.set_sync_token(device, "a token the server gave")
    clinic = first_run.NewClinic(services, store, made_folder=True)
    assert len(_secrets()) == 3

    first_run.discard(clinic)

    assert not store.parent.exists()
    assert _secrets() == {}


def test_the_computer_s_name_is_offered_for_the_laptop() -> None:
    name = first_run.computer_name()

    assert name.strip()
    assert len(name) <= 64
