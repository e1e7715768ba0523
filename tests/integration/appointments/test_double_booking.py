"""Two laptops book one clinician into the same time offline: a person settles it, never sync.

The server runs as ``onestop-server serve`` over a fresh PostgreSQL database; each laptop is a
real encrypted store writing through its services. Reception at Northgate books Ann's 10:00 on
one laptop while the other laptop, offline, books Ann's 10:15 for someone else. Neither knew;
both bookings are kept, the server flags the pair once, both laptops show it, and the person
who rebooks one settles it everywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from clinic_app.bootstrap import create_clinic
from clinic_app.domains.appointments.model import AppointmentClash, CareContact
from clinic_app.domains.appointments.views import BookingInput
from clinic_app.domains.contacts.model import ContactNote
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict
from clinic_app.kernel.security import keychain
from clinic_app.kernel.session import Actor
from clinic_app.kernel.staff import Site, User
from clinic_app.people.views import PatientInput
from clinic_app.sync.model import SyncIssue
from clinic_app.sync.protocol import Change, PushRequest, Status
from tests.support.sync_server import Device, SyncServer, enrolled_device, sign_in

pytestmark = pytest.mark.timeout(300)
PASSWORD = "correct horse battery"


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[SyncServer]:
    with SyncServer(postgres_url, tmp_path / "server.log", scope=None) as running:
        running.set_scope({"awaiting_triage": False, "site_episodes": False})
        north = running.add_site("Northgate Health Centre")
        south = running.add_site("Southfield Clinic")
        running.add_user("ann", "Ann North", "clinician", PASSWORD)
        running.add_user("desk", "Northgate Reception", "admin", PASSWORD)
        running.add_user("ben", "Ben South", "clinician", PASSWORD)
        running.set_user_site("ann", north)
        running.set_user_site("desk", north)
        running.set_user_site("ben", south)
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


def _ids(device: Device) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """Ann's id, Northgate's and Southfield's, as pulled onto the laptop."""
    with device.services.context.store.sessions() as session:
        ann = session.scalar(select(User.id).where(User.username == "ann"))
        north = session.scalar(select(Site.id).where(Site.name.startswith("Northgate")))
        south = session.scalar(select(Site.id).where(Site.name.startswith("Southfield")))
    assert ann is not None
    assert north is not None
    assert south is not None
    return ann, north, south


def _patient(device: Device, given: str, nhs: str) -> uuid.UUID:
    return device.services.patients.register(
        device.actor,
        PatientInput(
            given_name=given,
            family_name="Testpatient",
            date_of_birth="1971-05-02",
            sex="2",
            nhs_number=nhs,
        ),
    ).id


def _booking(
    patient: uuid.UUID, clinician: uuid.UUID, site: uuid.UUID, day: date, at: str, **extra: Any
) -> BookingInput:
    return BookingInput(
        patient_id=patient,
        clinician_id=clinician,
        site_id=site,
        room="Room 2",
        day=day.strftime("%d/%m/%Y"),
        time=at,
        minutes="30",
        appointment_type="follow_up",
        mechanism="face_to_face",
        **extra,
    )


def _sync_all(*devices: Device) -> None:
    for _round in range(2):
        for device in devices:
            report = device.client.sync_once(check=True)
            assert report.statuses.get("rejected", 0) == 0, report.statuses


def _clash_rows(device: Device) -> list[AppointmentClash]:
    with device.services.context.store.sessions() as session:
        return list(session.scalars(select(AppointmentClash)))


def test_two_laptops_booking_one_slot_offline_is_flagged_and_settled_by_a_person(
    server: SyncServer, laptop_a: Device, laptop_b: Device
) -> None:
    for device in (laptop_a, laptop_b):
        sign_in(device, "ann", PASSWORD)
        sign_in(device, "desk", PASSWORD)
    ann, north, _south = _ids(laptop_a)
    tomorrow = laptop_a.services.context.today() + timedelta(days=1)

    # Each laptop's reception books Ann, neither knowing of the other's booking.
    first = _patient(laptop_a, "Ada", "9990000018")
    second = _patient(laptop_b, "Grace", "9990000026")
    at_a = laptop_a.services.appointments.book(
        laptop_a.actor, _booking(first, ann, north, tomorrow, "10:00")
    )
    at_b = laptop_b.services.appointments.book(
        laptop_b.actor, _booking(second, ann, north, tomorrow, "10:15")
    )
    _sync_all(laptop_a, laptop_b)

    # Both bookings kept, the pair flagged once, on both laptops.
    for device in (laptop_a, laptop_b):
        desk = device.actor
        assert {a.id for a in _live(device, desk, first, second)} == {at_a.id, at_b.id}
        clashes = device.services.appointments.clashes(desk)
        assert len(clashes) == 1
        assert {clashes[0].first.id, clashes[0].second.id} == {at_a.id, at_b.id}
        assert len(_clash_rows(device)) == 1

    # Booking the same time again on a laptop that now knows is a clash there and then.
    with pytest.raises(Conflict) as refused:
        laptop_a.services.appointments.book(
            laptop_a.actor, _booking(first, ann, north, tomorrow, "10:20")
        )
    assert refused.value.code == "appointment.clash"

    # Laptop B's reception moves its patient to 11:00: the double booking is settled there,
    # and everywhere once synced; no new one is flagged for the new time.
    moved = laptop_b.services.appointments.rebook(
        laptop_b.actor,
        at_b.id,
        _booking(second, ann, north, tomorrow, "11:00"),
        cancelled_by="service",
        reason="Double booked while offline",
    )
    assert laptop_b.services.appointments.clashes(laptop_b.actor) == []
    _sync_all(laptop_b, laptop_a)
    for device in (laptop_a, laptop_b):
        assert device.services.appointments.clashes(device.actor) == []
        rows = _clash_rows(device)
        assert [row.status for row in rows] == ["resolved"]
        statuses = {a.id: a.status for a in _live(device, device.actor, first, second)}
        assert statuses == {at_a.id: "booked", moved.id: "booked"}
        assert device.services.appointments.get(device.actor, at_b.id).status == "cancelled"


def _live(device: Device, actor: CurrentUser, *patients: uuid.UUID) -> list[Any]:
    found = []
    for patient in patients:
        found += [
            a
            for a in device.services.appointments.for_patient(actor, patient)
            if a.status != "cancelled"
        ]
    return found


def test_both_kept_on_purpose_is_kept_everywhere_and_not_flagged_again(
    server: SyncServer, laptop_a: Device, laptop_b: Device
) -> None:
    for device in (laptop_a, laptop_b):
        sign_in(device, "ann", PASSWORD)
        sign_in(device, "desk", PASSWORD)
    ann, north, _south = _ids(laptop_a)
    tomorrow = laptop_a.services.context.today() + timedelta(days=1)
    first = _patient(laptop_a, "Ada", "9990000018")
    second = _patient(laptop_b, "Grace", "9990000026")
    laptop_a.services.appointments.book(
        laptop_a.actor, _booking(first, ann, north, tomorrow, "14:00")
    )
    laptop_b.services.appointments.book(
        laptop_b.actor, _booking(second, ann, north, tomorrow, "14:00")
    )
    _sync_all(laptop_a, laptop_b)
    (clash,) = laptop_a.services.appointments.clashes(laptop_a.actor)
    kept = laptop_a.services.appointments.keep_both(
        laptop_a.actor, clash.id, "Short review fits alongside"
    )
    assert kept.status == "kept"
    _sync_all(laptop_a, laptop_b)
    rows = _clash_rows(laptop_b)
    assert [(row.status, row.resolution_reason) for row in rows] == [
        ("kept", "Short review fits alongside")
    ]
    assert laptop_b.services.appointments.clashes(laptop_b.actor) == []


def test_a_laptop_cannot_make_or_settle_a_double_booking_as_someone_else(
    server: SyncServer, laptop_a: Device, laptop_b: Device
) -> None:
    for device in (laptop_a, laptop_b):
        sign_in(device, "ann", PASSWORD)
        sign_in(device, "desk", PASSWORD)
    ann, north, _south = _ids(laptop_a)
    tomorrow = laptop_a.services.context.today() + timedelta(days=1)
    first = _patient(laptop_a, "Ada", "9990000018")
    second = _patient(laptop_b, "Grace", "9990000026")
    one = laptop_a.services.appointments.book(
        laptop_a.actor, _booking(first, ann, north, tomorrow, "09:00")
    )
    two = laptop_b.services.appointments.book(
        laptop_b.actor, _booking(second, ann, north, tomorrow, "09:00")
    )
    _sync_all(laptop_a, laptop_b)
    (clash,) = laptop_a.services.appointments.clashes(laptop_a.actor)
    someone_else = _ids(laptop_a)[0]  # Ann, not the reception user signed in
    base = {
        "first_appointment_id": str(min(one.id, two.id)),
        "second_appointment_id": str(max(one.id, two.id)),
        "clinician_id": str(ann),
    }
    hostile = [
        # A clash made up by a laptop (only the server flags them).
        Change(uuid.uuid4(), "appointment_clash", uuid.uuid4(), "insert", 0, base, None),
        # Settled in another user's name.
        Change(
            uuid.uuid4(),
            "appointment_clash",
            clash.id,
            "update",
            1,
            {"status": "kept", "resolved_by": str(someone_else), "resolution_reason": "x"},
            None,
        ),
    ]
    token = keychain.sync_token(laptop_a.device_id, laptop_a.actor.id)
    assert token is not None
    answer = laptop_a.transport.push(PushRequest(uuid.uuid4(), tuple(hostile)), token)
    assert [(r.status, r.reason) for r in answer.results] == [
        (Status.REJECTED, "sync.not_allowed"),
        (Status.REJECTED, "sync.not_yours"),
    ]
    laptop_b.client.sync_once(check=True)
    assert [row.status for row in _clash_rows(laptop_b)] == ["open"]


def test_a_patient_booked_at_a_laptops_site_in_the_coming_days_is_on_it_before_the_clinic(
    server: SyncServer, laptop_a: Device, laptop_b: Device
) -> None:
    sign_in(laptop_a, "desk", PASSWORD)
    sign_in(laptop_b, "ben", PASSWORD)
    _ann, _north, south = _ids(laptop_a)
    with laptop_a.services.context.store.sessions() as session:
        ben = session.scalar(select(User.id).where(User.username == "ben"))
    assert ben is not None
    today = laptop_a.services.context.today()
    soon = _patient(laptop_a, "Ada", "9990000018")
    later = _patient(laptop_a, "Grace", "9990000026")
    laptop_a.services.appointments.book(
        laptop_a.actor, _booking(soon, ben, south, today + timedelta(days=2), "10:00")
    )
    laptop_a.services.appointments.book(
        laptop_a.actor, _booking(later, ben, south, today + timedelta(days=40), "10:00")
    )
    _sync_all(laptop_a, laptop_b)
    held = {p.id for p in laptop_b.services.patients.search(laptop_b.actor, "Testpatient")}
    # Southfield's laptop holds the patient seen there in two days, not the one in forty.
    assert soon in held
    assert later not in held


def test_a_tampered_laptop_cannot_link_one_patients_records_to_anothers(
    server: SyncServer, laptop_a: Device
) -> None:
    sign_in(laptop_a, "ann", PASSWORD)
    ann, north, _south = _ids(laptop_a)
    ada = _patient(laptop_a, "Ada", "9990000018")
    grace = _patient(laptop_a, "Grace", "9990000026")
    tomorrow = laptop_a.services.context.today() + timedelta(days=1)
    adas = laptop_a.services.appointments.book(
        laptop_a.actor, _booking(ada, ann, north, tomorrow, "10:00")
    )
    _sync_all(laptop_a)
    # Written past the services, as a tampered client would: Grace's care contact and a
    # contact note of hers, both pointing at Ada's appointment.
    contact_id, note_id = uuid.uuid4(), uuid.uuid4()
    with laptop_a.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=laptop_a.device_id, user_id=laptop_a.actor.id)
        session.add(
            CareContact(
                id=contact_id,
                patient_id=grace,
                appointment_id=adas.id,
                clinician_id=ann,
                site_id=north,
                starts_at=adas.starts_at,
                minutes=20,
                mechanism="face_to_face",
                outcome="attended",
            )
        )
        session.add(ContactNote(id=note_id, patient_id=grace, appointment_id=adas.id, content={}))
    report = laptop_a.client.sync_once()
    assert report.statuses.get("rejected", 0) == 2, report.statuses
    with laptop_a.services.context.store.sessions() as session:
        reasons = {
            (issue.table_name, issue.row_id): issue.reason
            for issue in session.scalars(select(SyncIssue))
        }
    assert reasons == {
        ("care_contact", contact_id): "sync.wrong_patient",
        ("contact_note", note_id): "sync.wrong_patient",
    }
    # Ada's own contact, linked to her appointment, goes through.
    laptop_a.services.appointments.arrive(laptop_a.actor, adas.id)
    assert laptop_a.client.sync_once().statuses.get("rejected", 0) == 0
