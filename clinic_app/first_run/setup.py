"""The first-run steps: check the keychain, create the store, enrol or add the first admin.

Each step runs on one thread from start to end (never the UI's) and is safe to give up: a
store made here is removed with its keys by :func:`discard` until the set-up is finished.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clinic_app import bootstrap
from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import (
    AuthenticationFailed,
    ClinicError,
    ExternalServiceError,
    FormErrors,
    PermissionDenied,
    StoreError,
    ValidationError,
)
from clinic_app.kernel.security import keychain
from clinic_app.kernel.uow import SYSTEM_ID
from clinic_app.kernel.validation import Collector, required_text
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.users import check_new_user
from clinic_app.sync.client import SyncReport
from clinic_app.sync.http import HttpTransport, check_server_url
from clinic_app.sync.protocol import UNTRUSTED_CERTIFICATE

FIRST_RUN = CurrentUser(
    id=SYSTEM_ID,
    username="first-run set-up",
    display_name="First-run set-up (in the app)",
    role=Role.ADMIN,
)
"""The actor of the set-up steps: the audit trail names the first-run set-up as how it was done."""

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
NAME_MAX = 64
_STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")
_INSECURE_KEYS = "insecure-dev-keys.json"
SERVER_CA_FILE = "server-ca.pem"
"""The service's certificate authority, copied beside the store: the file chosen may go."""


@dataclass
class NewClinic:
    """A store this set-up made, open, until the set-up finishes or is given up."""

    services: Services
    path: Path
    #: The store's folder did not exist before: given up, it goes too.
    made_folder: bool


def keychain_is_safe(*, allow_insecure: bool = False) -> bool:
    """True when the system keychain can hold the store's key (or the developer flag says so)."""
    return allow_insecure or keychain.backend_is_safe()


def computer_name() -> str:
    """This computer's name, offered as the laptop's name on the server."""
    name = socket.gethostname().split(".")[0].strip()
    return name[:NAME_MAX] or "Clinic laptop"


def _store_path(store_path: Path | None) -> Path:
    return (store_path or bootstrap.default_store_path()).resolve()


def _create(store_path: Path | None, *, allow_insecure: bool) -> NewClinic:
    """A new encrypted store with its key in the keychain; nothing left behind if it fails.

    Raises:
        KeychainError: the keychain is unsafe or unavailable (nothing was made).
        StoreError: ``store.exists`` (what is there is left as it is).
    """
    path = _store_path(store_path)
    made_folder = not path.parent.exists()
    bootstrap.prepare_keychain(allow_insecure=allow_insecure, store_path=path)
    if path.exists():
        raise StoreError("store.exists")
    try:
        services = bootstrap.create_clinic(path, allow_insecure_keyring=allow_insecure)
    except BaseException:
        _remove(path, None, made_folder=made_folder)
        raise
    return NewClinic(services, path, made_folder)


def _remove(path: Path, device_id: uuid.UUID | None, *, made_folder: bool) -> None:
    for suffix in _STORE_SUFFIXES:
        Path(str(path) + suffix).unlink(missing_ok=True)
    (path.parent / SERVER_CA_FILE).unlink(missing_ok=True)
    keychain.forget_store_key(path)
    keychain.forget_audit_key(path)
    if device_id is not None:
        keychain.forget_sync_token(device_id)
    if made_folder and path.parent.is_dir():
        keys = path.parent / _INSECURE_KEYS
        with contextlib.suppress(OSError, ValueError):
            if keys.is_file() and not json.loads(keys.read_text(encoding="utf-8")):
                keys.unlink()
        with contextlib.suppress(OSError):
            path.parent.rmdir()


def discard(clinic: NewClinic) -> None:
    """Give the set-up up: close the store, remove it and every key made for it."""
    device_id = clinic.services.context.device_id
    clinic.services.close()
    _remove(clinic.path, device_id, made_folder=clinic.made_folder)


# ---------------------------------------------------------------------- a standalone clinic


def standalone(
    store_path: Path | None,
    *,
    clinic_name: str,
    username: str,
    display_name: str,
    password: str,
    password_again: str,
    allow_insecure: bool = False,
) -> Path:
    """Create the encrypted store, the clinic's site and its first administrator.

    Every answer is checked before anything is made, by the rules ``onestop user add``
    applies; the store is closed when done and opened again by the sign-in window.

    Returns:
        The store's path.

    Raises:
        FormErrors: the clinic's name, the user name, full name or password (fields
            ``clinic_name``, ``username``, ``display_name``, ``password``, ``password_again``).
        KeychainError: the keychain is unsafe or unavailable.
    """
    errors = Collector()
    name = errors.check(lambda: required_text(clinic_name, "clinic_name", 200))
    try:
        check_new_user(username, display_name, password, None)
    except FormErrors as problems:
        errors.errors.extend(problems.errors)
    if password != password_again:
        errors.add("password.mismatch", "password_again")
    errors.raise_if_any()
    clinic = _create(store_path, allow_insecure=allow_insecure)
    try:
        users = clinic.services.users
        site = users.add_site(FIRST_RUN, name or clinic_name)
        users.add(
            FIRST_RUN,
            username=username,
            display_name=display_name,
            role=Role.ADMIN,
            password=password,
            site_id=site,
        )
    except BaseException:
        discard(clinic)
        raise
    clinic.services.close()
    return clinic.path


# ---------------------------------------------------------------------- connecting to a service


def _clean_address(server_url: str) -> str:
    address = server_url.strip().rstrip("/")
    try:
        check_server_url(address)
    except ClinicError as error:
        raise ValidationError(error.code, field="server_url") from None
    return address


def _authority(ca_file: Path | None) -> Path | None:
    if ca_file is None or not str(ca_file).strip():
        return None
    try:
        ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError, ValueError):
        raise ValidationError("first_run.ca_unreadable", field="ca_file") from None
    return ca_file.resolve()


def _plain(error: ClinicError) -> ClinicError:
    """A failure to reach or use the server, as the set-up words it."""
    if error.code == "sync.unreachable":
        if error.params.get("reason") == UNTRUSTED_CERTIFICATE:
            return ExternalServiceError("first_run.untrusted_certificate")
        return ExternalServiceError("first_run.no_answer")
    if error.code == "device.enrol_rate_limited":
        return ExternalServiceError("first_run.too_many_enrolments")
    return ExternalServiceError("first_run.not_the_service")


def _probe(address: str, authority: Path | None) -> None:
    transport = HttpTransport(address, ca_file=authority, timeout=10.0)
    try:
        answer = transport.health()
    except ClinicError as error:
        raise _plain(error) from error
    finally:
        transport.close()
    if answer.get("status") != "ok":
        raise ExternalServiceError("first_run.not_the_service")


def check_server(server_url: str, ca_file: Path | None = None) -> tuple[str, Path | None]:
    """Check the address and that the service's server answers there, trusted.

    Returns:
        The address and the certificate authority file, as they will be kept.

    Raises:
        ValidationError: ``sync.bad_url``, ``sync.insecure_url`` (field ``server_url``);
            ``first_run.ca_unreadable`` (field ``ca_file``).
        ExternalServiceError: ``first_run.no_answer``, ``first_run.untrusted_certificate``,
            ``first_run.not_the_service``.
    """
    address = _clean_address(server_url)
    authority = _authority(ca_file)
    _probe(address, authority)
    return address, authority


def connect(
    store_path: Path | None,
    *,
    server_url: str,
    device_name: str,
    ca_file: Path | None = None,
    allow_insecure: bool = False,
) -> NewClinic:
    """Create the encrypted store and enrol this laptop with the service's server.

    The server is checked first (:func:`check_server`), so a wrong address or an untrusted
    certificate makes nothing here. The laptop then waits for an administrator's approval
    (:func:`approval`); until :func:`first_sync` ends, :func:`discard` gives it all up.

    Raises:
        FormErrors: the laptop's name (``device_name``), the address (``server_url``), the
            certificate authority file (``ca_file``).
        ExternalServiceError: see :func:`check_server`; ``first_run.too_many_enrolments``.
        KeychainError: the keychain is unsafe or unavailable.
    """
    errors = Collector()
    name = errors.check(lambda: required_text(device_name, "device_name", NAME_MAX))
    address = errors.check(lambda: _clean_address(server_url))
    authority = errors.check(lambda: _authority(ca_file))
    errors.raise_if_any()
    assert name is not None
    assert address is not None
    _probe(address, authority)
    clinic = _create(store_path, allow_insecure=allow_insecure)
    try:
        kept = None
        if authority is not None:
            kept = clinic.path.parent / SERVER_CA_FILE
            shutil.copyfile(authority, kept)
        clinic.services.sync.enrol(FIRST_RUN, address, name, kept)
    except ClinicError as error:
        discard(clinic)
        raise _plain(error) from error
    except BaseException:
        discard(clinic)
        raise
    return clinic


def approval(clinic: NewClinic) -> str:
    """``pending``, ``approved`` or ``refused``: what the server's administrator decided.

    Raises:
        ExternalServiceError: ``first_run.no_answer`` while the server cannot be reached
            (ask again later), ``first_run.untrusted_certificate``.
    """
    try:
        status = clinic.services.sync.device_status()
    except (PermissionDenied, AuthenticationFailed):
        # Revoked, or forgotten by the server: this laptop will never be let in under its id.
        return REFUSED
    except ClinicError as error:
        raise _plain(error) from error
    if status == "revoked":
        return REFUSED
    return APPROVED if status == "approved" else PENDING


def first_sync(
    clinic: NewClinic,
    progress: Callable[[float], None],
    cancelled: Callable[[], bool],
) -> SyncReport:
    """The laptop's first sync: the service's users and settings (and its records) arrive.

    The store is closed at the end, for the sign-in window to open it again.

    Raises:
        ExternalServiceError: ``first_run.no_answer`` and the like (try again, nothing lost).
    """
    try:
        report = clinic.services.sync.sync_now(check=False, progress=progress, cancelled=cancelled)
    except ClinicError as error:
        raise _plain(error) from error
    if not cancelled():
        clinic.services.close()
    return report
