"""The service's settings are set on the server, and every laptop uses them after a pull.

A laptop's own change to a service setting is refused by the server, so an administrator
runs ``onestop-server settings set NAME VALUE`` (a real command, against the server's real
database), naming themselves for the audit trail. The value is checked by the same
definition the laptop's settings screen uses; a bad one is refused in plain words and
nothing changes.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from clinic_app.bootstrap import create_clinic
from clinic_app.kernel.audit_entry import ServiceAuditEntry
from clinic_app.kernel.settings import ServiceSetting, setting_id
from tests.support.sync_server import (
    Device,
    SyncServer,
    enrolled_device,
    server_command,
    signed_in_user,
)

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture(params=["postgresql", "sqlite"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SyncServer]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'server.db'}"
    with SyncServer(url, tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def laptop(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    services = create_clinic(tmp_path / "laptop.db")
    device = enrolled_device(server, services, "laptop")
    yield device
    device.transport.close()
    services.close()


def _settings(server: SyncServer, *args: str) -> subprocess.CompletedProcess[str]:
    """``onestop-server settings ARGS``, run by a named operator."""
    return subprocess.run(
        server_command("settings", *args, "--db", server.db_url, "--operator", "lee.lead"),
        capture_output=True,
        text=True,
        check=False,
    )


def _stored(server: SyncServer, key: str) -> object:
    engine = create_engine(server.db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                select(ServiceSetting.value).where(ServiceSetting.id == setting_id(key))
            ).scalar()
    finally:
        engine.dispose()


def test_a_setting_set_on_the_server_is_used_by_a_laptop_after_its_pull(
    server: SyncServer, laptop: Device
) -> None:
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    assert laptop.services.dicom_settings.current(priya).pacs_host == ""

    for name, value in (
        ("dicom.pacs_host", "pacs.example.nhs.uk"),
        ("dicom.pacs_port", "4242"),
        ("report_attestation.sign", "I confirm  this report is my own   work."),
    ):
        done = _settings(server, "set", name, value)
        assert done.returncode == 0, done.stderr
        assert "every device gets it at its next sync" in done.stdout

    laptop.client.pull()
    dicom = laptop.services.dicom_settings.current(priya)
    assert (dicom.pacs_host, dicom.pacs_port) == ("pacs.example.nhs.uk", 4242)
    # Checked and tidied by the same definition the laptop's own screen uses.
    assert laptop.services.reports.attestation_for(priya, "sign") == (
        "I confirm this report is my own work."
    )
    listed = _settings(server, "list")
    assert 'dicom.pacs_host = "pacs.example.nhs.uk"\n' in listed.stdout
    assert "dicom.ae_title = " in listed.stdout

    # Audited on the server's own chain, naming who ran the command and what it changed.
    engine = create_engine(server.db_url)
    try:
        with engine.connect() as conn:
            entries = conn.execute(
                select(
                    ServiceAuditEntry.action,
                    ServiceAuditEntry.operator,
                    ServiceAuditEntry.entity_id,
                ).where(ServiceAuditEntry.action == "server.settings.set")
            ).all()
    finally:
        engine.dispose()
    assert [(e.operator, e.entity_id) for e in entries] == [
        ("lee.lead", setting_id("dicom")),
        ("lee.lead", setting_id("dicom")),
        ("lee.lead", setting_id("report_attestation")),
    ]


def test_a_bad_value_is_refused_in_plain_words_and_nothing_changes(
    server: SyncServer, laptop: Device
) -> None:
    priya = signed_in_user(server, laptop, "priya", "clinician", PASSWORD)
    assert _settings(server, "set", "dicom.pacs_host", "pacs.example.nhs.uk").returncode == 0
    before = _stored(server, "dicom")

    refusals = {
        ("dicom.pacs_port", "70000"): "The pacs port must be a whole number from 1 to 65535.",
        ("dicom.pacs_port", "one hundred"): (
            "The pacs port must be a whole number from 1 to 65535."
        ),
        ("dicom.pacs_method", "carrier pigeon"): "The PACS method must be c-store or stow-rs.",
        ("dicom.colour", "blue"): "There is no DICOM setting called colour.",
        ("printer.tray", "2"): "There is no setting called printer.tray.",
        ("report_attestation.sign", "x" * 601): "must be at most 600 characters",
    }
    for (name, value), words in refusals.items():
        refused = _settings(server, "set", name, value)
        assert refused.returncode == 2, name
        assert words in refused.stderr, (name, refused.stderr)
        assert "Traceback" not in refused.stderr
        assert "dicom." not in refused.stderr.split(" ", 1)[0]  # words, not a code
    assert _stored(server, "dicom") == before
    assert _stored(server, "report_attestation") is None
    laptop.client.pull()
    assert laptop.services.dicom_settings.current(priya).pacs_port == 104
