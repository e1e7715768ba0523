"""Two laptops register one patient offline: sync never stalls, a person merges, both follow.

The server runs as ``onestop-server serve`` over a fresh PostgreSQL database; each laptop is a
real encrypted store writing through its services.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from clinic_app.bootstrap import create_clinic
from clinic_app.kernel.errors import Conflict
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.security import keychain
from clinic_app.kernel.session import Actor
from clinic_app.kernel.vocabulary import AlertKind
from clinic_app.people.model import GpPractice, PatientAlert
from clinic_app.people.views import PatientInput, ReferralInput
from clinic_app.sync.client import CURSOR_KEY
from tests.support.sync_server import (
    Device,
    SyncServer,
    enrolled_device,
    server_command,
    sign_in,
)

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"
NHS = "9990000018"


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        yield running


def _device(server: SyncServer, tmp_path: Path, name: str) -> Iterator[Device]:
    services = create_clinic(tmp_path / f"{name}.db")
    device = enrolled_device(server, services, name)
    yield device
    device.transport.close()
    services.close()


@pytest.fixture
def laptop_a(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from _device(server, tmp_path, "laptop-a")


@pytest.fixture
def laptop_b(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from _device(server, tmp_path, "laptop-b")


def _register(device: Device, reason: str) -> uuid.UUID:
    services = device.services
    patient = services.patients.register(
        device.actor,
        PatientInput(
            given_name="Ada",
            family_name="Lovelace",
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=NHS,
        ),
    )
    services.referrals.create(
        device.actor,
        ReferralInput(
            patient_id=patient.id,
            source="gp",
            received_on="2026-11-30",
            referrer_name="Dr A Hughes",
            reason=reason,
            specialty="physiotherapy",
        ),
    )
    return patient.id


def _cursor(device: Device) -> int:
    with device.services.context.store.engine.connect() as conn:
        value = conn.execute(select(StoreMeta.value).where(StoreMeta.key == CURSOR_KEY)).scalar()
    return int(value or 0)


def _add_alert(device: Device, patient_id: uuid.UUID, text: str) -> None:
    with device.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=device.device_id, user_id=device.actor.id)
        session.add(PatientAlert(patient_id=patient_id, kind=AlertKind.ALLERGY, text=text))


def test_two_laptops_register_one_patient_offline_and_a_supervisor_merges_them(
    server: SyncServer, laptop_a: Device, laptop_b: Device, postgres_url: str
) -> None:
    server.add_user("lead", "Lead Physio", "supervisor", PASSWORD)
    server.add_user("physio", "A Physio", "clinician", PASSWORD)
    # Changes reach the server only as a signed-in user's: both sign in online on both.
    for device in (laptop_a, laptop_b):
        sign_in(device, "lead", PASSWORD)
        sign_in(device, "physio", PASSWORD)

    # Both clinics see Ada offline and register her under the same NHS number.
    at_a = _register(laptop_a, "Knee pain")
    at_b = _register(laptop_b, "Shoulder pain")
    laptop_a.client.sync_once()
    before = _cursor(laptop_b)
    report = laptop_b.client.sync_once()
    assert report.statuses.get("rejected", 0) == 0
    assert _cursor(laptop_b) > before
    laptop_a.client.sync_once()

    # Sync goes on for both: an alert added on A afterwards reaches B, and back.
    _add_alert(laptop_a, at_a, "Latex")
    for _round in range(2):
        for device in (laptop_a, laptop_b):
            device.client.sync_once(check=True)
    lead_a = laptop_a.services.auth.login("lead", PASSWORD)
    lead_b = laptop_b.services.auth.login("lead", PASSWORD)
    physio_b = laptop_b.services.auth.login("physio", PASSWORD)
    assert [a.text for a in laptop_b.services.patients.open(physio_b, at_a).alerts] == ["Latex"]

    # The duplicate shows on both, flagged once, as the server flagged it.
    pairs = {
        name: device.services.duplicates.open_duplicates(lead)
        for name, device, lead in (("a", laptop_a, lead_a), ("b", laptop_b, lead_b))
    }
    for listed in pairs.values():
        assert [({d.first.id, d.second.id}, d.on_server) for d in listed] == [({at_a, at_b}, True)]
    assert pairs["a"][0].id == pairs["b"][0].id

    laptop_a.services.duplicates.merge(lead_a, pairs["a"][0].id, at_a, "Same NHS number")
    for device in (laptop_a, laptop_b, laptop_a):
        device.client.sync_once(check=True)

    assert laptop_b.services.duplicates.open_duplicates(lead_b) == []
    for device in (laptop_a, laptop_b):
        physio = device.services.auth.login("physio", PASSWORD)
        found = device.services.patients.search(physio, NHS)
        assert [p.id for p in found] == [at_a]
        record = device.services.patients.open(physio, at_b)
        assert record.id == at_a
        assert sorted(r.reason for r in record.referrals) == ["Knee pain", "Shoulder pain"]
        assert [a.text for a in record.alerts] == ["Latex"]
    assert laptop_b.client.outbox_size() == 0

    # A subject access request by her NHS number: one patient, whose trail holds what was
    # done under each registration, on each laptop (B registered her under the one merged).
    for device in (laptop_b, laptop_a):
        device.client.sync_once(check=True)
    asked = subprocess.run(
        server_command("audit", "patient", NHS, "--db", postgres_url),
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "ONESTOP_OPERATOR": "ig.officer"},
    )
    assert asked.returncode == 0, asked.stderr
    assert f"for patient {at_a}:" in asked.stdout
    registered = [line for line in asked.stdout.splitlines() if "patient.register" in line]
    assert sorted(line.rsplit(" on ", 1)[1] for line in registered) == ["laptop-a", "laptop-b"]


def _practice(device: Device, ods: str) -> uuid.UUID:
    with device.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=device.device_id, user_id=device.actor.id)
        practice = GpPractice(ods_code=ods, name=f"Practice {ods}")
        session.add(practice)
        session.flush()
        return practice.id


def _set_ods(device: Device, practice_id: uuid.UUID, ods: str) -> None:
    with device.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=device.device_id, user_id=device.actor.id)
        practice = session.get(GpPractice, practice_id)
        assert practice is not None
        practice.ods_code = ods


def test_resolving_a_conflict_into_a_value_another_row_holds_is_refused_with_a_code(
    server: SyncServer, laptop_a: Device, laptop_b: Device
) -> None:
    server.add_user("physio", "A Physio", "clinician", PASSWORD)
    for device in (laptop_a, laptop_b):
        sign_in(device, "physio", PASSWORD)
    first = _practice(laptop_a, "B99001")
    second = _practice(laptop_a, "B99002")
    laptop_a.client.sync_once()
    laptop_b.client.sync_once()
    # Offline, A and B give the first practice different codes: a conflict a person resolves.
    _set_ods(laptop_a, first, "B99003")
    _set_ods(laptop_b, first, "B99004")
    laptop_a.client.sync_once()
    laptop_b.client.sync_once()
    (conflict,) = laptop_b.transport.conflicts()
    # Meanwhile the second practice takes the code B wanted.
    _set_ods(laptop_a, second, "B99004")
    laptop_a.client.sync_once()

    physio = keychain.sync_token(laptop_b.device_id, laptop_b.actor.id)
    assert physio is not None
    with pytest.raises(Conflict) as refused:
        laptop_b.transport.resolve_conflict(conflict["id"], "B99004", physio)
    assert refused.value.code == "sync.value_taken"
    # The server is still well and the conflict still open for another choice.
    laptop_b.transport.resolve_conflict(conflict["id"], "B99003", physio)
    assert laptop_b.transport.conflicts() == []
