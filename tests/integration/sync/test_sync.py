"""Two devices, a real server process and a real PostgreSQL: offline work converges.

The server runs as ``onestop-server serve`` on loopback over a fresh PostgreSQL database;
each device is a real encrypted store that writes through its services and session hooks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from clinic_app.bootstrap import create_clinic
from clinic_app.domains.injections.model import PackCode
from clinic_app.kernel.errors import PermissionDenied
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.kernel.security import keychain
from clinic_app.kernel.session import Actor
from clinic_app.people.model import Patient
from clinic_app.people.views import PatientInput
from clinic_app.sync.client import SyncClient, SyncReport
from clinic_app.sync.http import HttpTransport
from clinic_app.sync.model import SyncIssue
from clinic_app.sync.protocol import Change, PushRequest, Status
from tests.core.injections.pack_numbers import example_gtin
from tests.support.sync_server import Device, SyncServer, enrolled_device, sign_in

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log") as running:
        running.add_user("priya", "Priya Shah", "clinician", PASSWORD)
        yield running


def _device(server: SyncServer, tmp_path: Path, name: str) -> Iterator[Device]:
    services = create_clinic(tmp_path / f"{name}.db")
    device = enrolled_device(server, services, name)
    sign_in(device, "priya", PASSWORD)
    yield device
    device.transport.close()
    services.close()


@pytest.fixture
def laptop_a(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from _device(server, tmp_path, "laptop-a")


@pytest.fixture
def laptop_b(server: SyncServer, tmp_path: Path) -> Iterator[Device]:
    yield from _device(server, tmp_path, "laptop-b")


def _register(device: Device, nhs_number: str, family: str) -> uuid.UUID:
    record = device.services.patients.register(
        device.actor,
        PatientInput(
            given_name="Ada",
            family_name=family,
            date_of_birth="1960-03-14",
            sex="2",
            nhs_number=nhs_number,
            phone="0113 496 0000",
            postcode="LS1 4AP",
        ),
    )
    return record.id


def _edit(device: Device, patient_id: uuid.UUID, **values: Any) -> None:
    """Change a patient the way any feature does: through a session with an actor."""
    context = device.services.context
    with context.store.sessions.begin() as session:
        session.actor = Actor(device_id=context.device_id, user_id=device.actor.id)
        patient = session.get(Patient, patient_id)
        assert patient is not None
        for name, value in values.items():
            setattr(patient, name, value)


def _patient(device: Device, patient_id: uuid.UUID) -> dict[str, Any]:
    with device.services.context.store.sessions() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        return {
            "phone": patient.phone,
            "postcode": patient.postcode,
            "email": patient.email,
            "row_version": patient.row_version,
        }


@pytest.mark.parametrize("first", ["a", "b"])
def test_two_laptops_offline_converge_in_either_order_with_the_conflict_kept(
    laptop_a: Device, laptop_b: Device, first: str
) -> None:
    shared = _register(laptop_a, "9990000018", "Lovelace")
    only_a = _register(laptop_a, "9990000026", "Byron")
    laptop_a.client.sync_once()
    laptop_b.client.sync_once()
    assert _patient(laptop_b, shared)["postcode"] == "LS1 4AP"

    # A day offline: A changes the phone; B changes the postcode, the email and the phone.
    _edit(laptop_a, shared, phone="0113 496 0001")
    _edit(laptop_b, shared, postcode="LS2 9JT", email="ada@example.org", phone="0113 496 0999")
    only_b = _register(laptop_b, "9990000034", "Somerville")
    _edit(laptop_a, only_a, postcode="LS6 2AB")

    order = [laptop_a, laptop_b] if first == "a" else [laptop_b, laptop_a]
    reports = [device.client.sync_once() for device in order]
    for device in order:
        device.client.sync_once(check=True)

    a, b = _patient(laptop_a, shared), _patient(laptop_b, shared)
    assert a == b
    # Disjoint fields merged; the phone changed on both sides kept the first to reach the
    # server, and the other value waits in the conflict queue for a person.
    assert (a["postcode"], a["email"]) == ("LS2 9JT", "ada@example.org")
    winner, loser = ("0113 496 0001", "0113 496 0999")
    if first == "b":
        winner, loser = loser, winner
    assert a["phone"] == winner
    conflicts = laptop_a.transport.conflicts()
    assert [(c["field"], c["server_value"], c["device_value"]) for c in conflicts] == [
        ("phone", winner, loser)
    ]
    assert reports[1].statuses.get(Status.CONFLICT.value) == 1
    # Both laptops hold every patient, and the same versions as the server.
    for device in (laptop_a, laptop_b):
        for patient_id in (shared, only_a, only_b):
            assert _patient(device, patient_id)
        assert device.client.local_digests() == device.transport.check()["tables"]
        assert device.client.outbox_size() == 0
    late = laptop_b.services.context.store
    with late.sessions() as session:
        issues = session.scalars(select(SyncIssue.kind)).all()
    assert issues == (["conflict"] if first == "a" else [])


def _split_push(
    laptop_a: Device,
    laptop_b: Device,
    a_first: dict[str, str],
    a_then: dict[str, str],
    b: dict[str, str],
) -> tuple[uuid.UUID, SyncReport]:
    """A and B hold one patient; offline, A changes it twice and B once; B syncs, then A
    pushes one change per batch (as when more than a batch's worth of changes, or another
    user's, come between its two)."""
    shared = _register(laptop_a, "9990000018", "Lovelace")
    laptop_a.client.sync_once()
    laptop_b.client.sync_once()
    _edit(laptop_a, shared, **a_first)
    _edit(laptop_a, shared, **a_then)
    _edit(laptop_b, shared, **b)
    laptop_b.client.sync_once()
    one_at_a_time = SyncClient(laptop_a.services.context.store, laptop_a.transport, batch_size=1)
    return shared, one_at_a_time.sync_once()


def test_a_field_both_laptops_changed_is_kept_for_a_person_when_one_push_splits_the_row(
    laptop_a: Device, laptop_b: Device
) -> None:
    _shared, report = _split_push(
        laptop_a,
        laptop_b,
        {"email": "ada@example.org"},
        {"phone": "0113 496 0001"},
        {"phone": "0113 496 0999"},
    )
    assert report.pushed == 2
    conflicts = laptop_a.transport.conflicts()
    assert [(c["field"], c["server_value"], c["device_value"]) for c in conflicts] == [
        ("phone", "0113 496 0999", "0113 496 0001")
    ]


def test_a_laptops_later_change_of_its_own_field_wins_in_a_later_batch_after_a_merge(
    laptop_a: Device, laptop_b: Device
) -> None:
    # B's change makes the server merge A's first batch; A keeps its base until it pulls.
    shared, report = _split_push(
        laptop_a,
        laptop_b,
        {"email": "ada@example.org"},
        {"email": "ada.lovelace@example.org"},
        {"postcode": "LS2 9JT"},
    )
    assert report.statuses == {Status.MERGED.value: 2}
    # Its own newer value follows its older one: no conflict with itself.
    assert laptop_a.transport.conflicts() == []
    laptop_b.client.sync_once()
    for device in (laptop_a, laptop_b):
        patient = _patient(device, shared)
        assert (patient["email"], patient["postcode"]) == ("ada.lovelace@example.org", "LS2 9JT")


def test_a_retried_batch_is_applied_once_and_answered_the_same(
    laptop_a: Device, server: SyncServer
) -> None:
    patient_id = _register(laptop_a, "9990000018", "Lovelace")
    with laptop_a.services.context.store.sessions() as session:
        entry = session.scalars(select(OutboxEntry).where(OutboxEntry.row_id == patient_id)).one()
        change = Change(
            key=entry.idempotency_key,
            table=entry.table_name,
            row_id=entry.row_id,
            operation=entry.operation,
            base_version=0,
            fields=entry.changed,
        )
    request = PushRequest(uuid.uuid4(), (change,))
    token = keychain.sync_token(laptop_a.device_id, laptop_a.actor.id)
    first = laptop_a.transport.push(request, token)
    again = laptop_a.transport.push(request, token)
    assert first == again
    assert first.results[0].status is Status.APPLIED
    # A new batch carrying the same insert is recognised as already there.
    later = laptop_a.transport.push(PushRequest(uuid.uuid4(), (change,)), token)
    assert later.results[0].status is Status.DUPLICATE
    assert later.last_seq == first.last_seq


def test_a_revoked_or_unapproved_device_is_refused(
    laptop_a: Device, server: SyncServer, tmp_path: Path
) -> None:
    laptop_a.client.sync_once()
    server.revoke(laptop_a.device_id)
    with pytest.raises(PermissionDenied) as refused:
        laptop_a.client.sync_once()
    assert refused.value.code == "device.revoked"

    services = create_clinic(tmp_path / "stranger.db")
    try:
        transport = HttpTransport(server.url)
        transport.enrol(str(services.context.device_id), "not yet approved")
        with pytest.raises(PermissionDenied) as waiting:
            SyncClient(services.context.store, transport).sync_once()
        assert waiting.value.code == "device.not_approved"
        transport.close()
    finally:
        services.close()


def test_a_change_to_a_row_the_server_does_not_know_is_quarantined_not_lost(
    laptop_a: Device,
) -> None:
    patient_id = _register(laptop_a, "9990000018", "Lovelace")
    # The insert never reached the server (say the server was restored from an older backup).
    with laptop_a.services.context.store.engine.begin() as conn:
        conn.execute(OutboxEntry.__table__.delete())
    _edit(laptop_a, patient_id, phone="0113 496 0002")
    report = laptop_a.client.sync_once()
    assert report.statuses == {Status.REJECTED.value: 1}
    with laptop_a.services.context.store.sessions() as session:
        issue = session.scalars(select(SyncIssue)).one()
        remaining = session.scalar(select(func.count()).select_from(OutboxEntry))
    assert (issue.kind, issue.reason) == ("rejected", "sync.unknown_row")
    assert issue.change["fields"]["phone"] == "0113 496 0002"
    assert remaining == 0
    assert _patient(laptop_a, patient_id)["phone"] == "0113 496 0002"


def test_a_deletion_travels_as_a_tombstone(
    server: SyncServer, laptop_a: Device, laptop_b: Device
) -> None:
    # The one row the app removes: a pack code the service lead takes off the list.
    server.add_user("lead", "Lee Lead", "admin", PASSWORD)
    lead = sign_in(laptop_a, "lead", PASSWORD)
    listed = laptop_a.services.pack_codes.add(
        lead, "methylprednisolone_acetate_40", example_gtin(13435)
    )
    laptop_a.client.sync_once()
    laptop_b.client.sync_once()
    laptop_a.services.pack_codes.remove(lead, listed.id)
    report = laptop_a.client.sync_once()
    assert report.statuses == {Status.APPLIED.value: 1}
    laptop_b.client.sync_once()
    with laptop_b.services.context.store.sessions() as session:
        kept = session.get(PackCode, listed.id)
        assert kept is not None  # a tombstone: the row stays, marked deleted
        assert kept.deleted
        assert kept.deleted_at is not None


def test_a_patient_removed_on_a_laptop_is_refused_and_stays_everywhere(
    laptop_a: Device, laptop_b: Device
) -> None:
    # The app never removes a patient: a laptop whose store was changed to is refused.
    patient_id = _register(laptop_a, "9990000018", "Lovelace")
    laptop_a.client.sync_once()
    context = laptop_a.services.context
    with context.store.sessions.begin() as session:
        session.actor = Actor(device_id=context.device_id, user_id=laptop_a.actor.id)
        patient = session.get(Patient, patient_id)
        assert patient is not None
        patient.tombstone()
    report = laptop_a.client.sync_once()
    assert report.statuses == {Status.REJECTED.value: 1}
    laptop_b.client.sync_once()
    with laptop_b.services.context.store.sessions() as session:
        kept = session.get(Patient, patient_id)
        assert kept is not None
        assert not kept.deleted
