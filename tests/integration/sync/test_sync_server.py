"""The server itself: an SQLite file for a one-machine trial, TLS, logs, and self-healing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from clinic_app.bootstrap import create_clinic
from clinic_app.cli import message_for
from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput
from clinic_app.sync.http import HttpTransport
from clinic_app.sync.protocol import UNTRUSTED_CERTIFICATE
from tests.support.sync_server import SyncServer
from tests.support.tls import self_signed_certificate
from ui.common.errors import message_for as screen_words
from ui.common.errors import register_words
from ui.domains.sync.words import WORDS as SYNC_WORDS

pytestmark = pytest.mark.timeout(300)


PASSWORD = "correct horse battery"
#: The clinician signed in on each laptop, by the laptop's device id.
_SIGNED_IN: dict[uuid.UUID, CurrentUser] = {}


def _register(services: Services, nhs_number: str, family: str) -> None:
    services.patients.register(
        _SIGNED_IN[services.context.device_id],
        PatientInput(
            given_name="Ada",
            family_name=family,
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs_number,
        ),
    )


def _laptop(server: SyncServer, path: Path, name: str, ca: Path | None = None) -> Services:
    services = create_clinic(path)
    services.sync.enrol(SYSTEM, server.url, name, ca)
    server.approve(services.context.device_id)
    # A clinician of the laptop's own signs in on it online first, as at a first sign-in.
    username = f"clinician{name}"
    server.add_user(username, "Test Clinician", "clinician", PASSWORD)
    _SIGNED_IN[services.context.device_id] = services.auth.login(username, PASSWORD)
    return services


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[SyncServer]:
    url = f"sqlite:///{tmp_path / 'trial-server.db'}"
    with SyncServer(url, tmp_path / "server.log") as running:
        yield running


def test_an_sqlite_file_serves_a_one_machine_trial(
    sqlite_server: SyncServer, tmp_path: Path
) -> None:
    a = _laptop(sqlite_server, tmp_path / "a.db", "a")
    b = _laptop(sqlite_server, tmp_path / "b.db", "b")
    try:
        _register(a, "9990000018", "Lovelace")
        _register(b, "9990000026", "Byron")
        for device in (a, b, a):
            device.sync.sync_now()
        for device in (a, b):
            with device.context.store.sessions() as session:
                names = sorted(p.family_name for p in session.query(Patient))
            assert names == ["Byron", "Lovelace"]
    finally:
        a.close()
        b.close()


def _screen(error: ClinicError) -> str:
    """The words the app's screens give ``error``."""
    register_words(SYNC_WORDS)
    return screen_words(error)


def test_tls_by_certificate_paths_and_the_device_checks_the_server(
    postgres_url: str, tmp_path: Path
) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with SyncServer(postgres_url, tmp_path / "server.log", tls=(cert, key)) as server:
        assert server.url.startswith("https://")
        trusting = _laptop(server, tmp_path / "a.db", "a", ca=cert)
        try:
            _register(trusting, "9990000018", "Lovelace")
            assert trusting.sync.sync_now().pushed == 1
        finally:
            trusting.close()
        # A device that does not trust the certificate refuses to talk to the server.
        doubting = create_clinic(tmp_path / "b.db")
        try:
            with pytest.raises(ClinicError) as refused:
                doubting.sync.enrol(SYSTEM, server.url, "b")
            assert refused.value.code == "sync.unreachable"
            # Said as the certificate's fault, not as a server that is down: IT's to fix.
            assert refused.value.params["reason"] == UNTRUSTED_CERTIFICATE
            assert "certificate" in message_for(refused.value)
            assert "does not trust its certificate" in _screen(refused.value)
        finally:
            doubting.close()
    # The same server down: unreachable, and said so.
    with pytest.raises(ClinicError) as down:
        HttpTransport(server.url, ca_file=cert).health()
    assert down.value.code == "sync.unreachable"
    assert down.value.params["reason"] != UNTRUSTED_CERTIFICATE
    assert "did not answer" in _screen(down.value)


def test_the_server_log_names_no_patient(sqlite_server: SyncServer, tmp_path: Path) -> None:
    a = _laptop(sqlite_server, tmp_path / "a.db", "a")
    try:
        _register(a, "9990000018", "Zebedee-Lovelace")
        a.sync.sync_now()
    finally:
        a.close()
    sqlite_server.stop()
    log = (tmp_path / "server.log").read_text()
    assert '"event": "push"' in log
    assert "Zebedee" not in log
    assert "9990000018" not in log


def test_a_device_that_drifted_from_the_server_pulls_everything_again(
    sqlite_server: SyncServer, tmp_path: Path
) -> None:
    a = _laptop(sqlite_server, tmp_path / "a.db", "a")
    try:
        _register(a, "9990000018", "Lovelace")
        a.sync.sync_now()
        # Something changed the row behind sync's back (a restored file, a bug...).
        with a.context.store.engine.begin() as conn:
            conn.execute(update(Patient).values(family_name="Wrong", row_version=99))
        report = a.sync.sync_now()
        assert report.repulled
        with a.context.store.sessions() as session:
            patient = session.query(Patient).one()
        assert (patient.family_name, patient.row_version) == ("Lovelace", 1)
    finally:
        a.close()
