"""Booking, its refusals (each naming its field), clashes, a full session, rebook and cancel."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from clinic_app.domains.appointments.model import Appointment, AppointmentClash
from clinic_app.domains.appointments.rules import clash_id
from clinic_app.domains.appointments.views import SessionInput
from clinic_app.kernel.errors import Conflict, FormErrors, PermissionDenied, ValidationError
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from tests.core.appointments.conftest import Clinic

TOMORROW = date.today() + timedelta(days=1)


def _fields(error: FormErrors) -> dict[str, str]:
    return {e.field or "": e.code for e in error.errors}


def test_a_booking_is_kept_as_typed_in_clinic_time(clinic: Clinic) -> None:
    made = clinic.book()
    again = clinic.appointments.get(clinic.physio, made.id)
    assert again == made
    assert (made.status, made.patient_id, made.clinician_name, made.site_name) == (
        "booked",
        clinic.harriet,
        "Physio",
        "Riverside",
    )
    # 10:30 on the clinic's wall clock, stored as UTC whatever the season.
    from zoneinfo import ZoneInfo

    local = made.starts_at.astimezone(ZoneInfo("Europe/London"))
    assert (local.date(), local.hour, local.minute) == (TOMORROW, 10, 30)
    assert made.starts_at.utcoffset() == timedelta(0)
    assert [a.id for a in clinic.appointments.for_patient(clinic.physio, clinic.harriet)] == [
        made.id
    ]
    assert clinic.appointments.for_patient(clinic.physio, clinic.owen) == []


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"day": (date.today() - timedelta(days=1)).isoformat()}, "day", "appointment.in_the_past"),
        ({"day": "31/02/2027"}, "day", "appointment.day_invalid"),
        ({"time": "25:00"}, "time", "appointment.time_invalid"),
        ({"time": ""}, "time", "appointment.time_required"),
        ({"minutes": "0"}, "minutes", "appointment.minutes_invalid"),
        ({"minutes": "481"}, "minutes", "appointment.minutes_invalid"),
        ({"minutes": "-5"}, "minutes", "appointment.minutes_invalid"),
        ({"appointment_type": "massage"}, "appointment_type", "appointment.type_invalid"),
        ({"mechanism": "carrier_pigeon"}, "mechanism", "appointment.mechanism_invalid"),
        ({"clinician_id": None}, "clinician_id", "appointment.clinician_required"),
        ({"clinician_id": uuid.uuid4()}, "clinician_id", "appointment.clinician_unavailable"),
        ({"site_id": uuid.uuid4()}, "site_id", "appointment.site_unknown"),
    ],
)
def test_a_bad_booking_is_refused_with_its_field_named(
    clinic: Clinic, changes: dict[str, object], field: str, code: str
) -> None:
    with pytest.raises(FormErrors) as refused:
        clinic.appointments.check_booking(clinic.reception, clinic.booking(**changes))
    assert _fields(refused.value).get(field) == code
    with pytest.raises(FormErrors):
        clinic.book(**changes)
    assert clinic.appointments.for_patient(clinic.physio, clinic.harriet) == []


def test_earlier_today_is_in_the_past_by_its_time(clinic: Clinic) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("Europe/London"))
    if now.hour == 0 and now.minute < 2:
        pytest.skip("just after midnight there is no earlier time today")
    with pytest.raises(FormErrors) as refused:
        clinic.book(day=now.date().isoformat(), time="00:00")
    assert _fields(refused.value) == {"time": "appointment.in_the_past"}


def test_a_clinician_not_working_at_the_site_is_refused_until_a_session_is_there(
    clinic: Clinic,
) -> None:
    with pytest.raises(FormErrors) as refused:
        clinic.book(site_id=clinic.hilltop)
    assert _fields(refused.value) == {"site_id": "appointment.clinician_not_at_site"}
    clinic.appointments.save_session(
        clinic.reception,
        None,
        SessionInput(
            clinician_id=clinic.physio.id,
            site_id=clinic.hilltop,
            room="Gym",
            weekday=TOMORROW.weekday(),
            starts="09:00",
            ends="12:00",
            slot_minutes="30",
        ),
    )
    assert clinic.book(site_id=clinic.hilltop).site_name == "Hilltop"


def test_a_disabled_clinician_or_a_receptionist_cannot_be_booked(clinic: Clinic) -> None:
    with pytest.raises(FormErrors) as refused:
        clinic.book(clinician_id=clinic.reception.id)
    assert _fields(refused.value) == {"clinician_id": "appointment.clinician_unavailable"}
    clinic.services.users.set_active(SYSTEM, "physio", active=False)
    with pytest.raises(FormErrors) as refused:
        clinic.book()
    assert _fields(refused.value) == {"clinician_id": "appointment.clinician_unavailable"}


def test_a_deleted_or_merged_away_patient_is_refused(clinic: Clinic) -> None:
    from clinic_app.people.model import Patient

    with clinic.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=clinic.services.context.device_id)
        row = session.get(Patient, clinic.owen)
        assert row is not None
        row.deleted = True
    with pytest.raises(FormErrors) as refused:
        clinic.book(clinic.owen)
    assert _fields(refused.value) == {"patient": "appointment.patient_unavailable"}
    with pytest.raises(FormErrors) as refused:
        clinic.book(uuid.uuid4())
    assert _fields(refused.value) == {"patient": "appointment.patient_unavailable"}


def test_a_patient_merged_into_another_record_is_refused(clinic: Clinic) -> None:
    from datetime import UTC, datetime

    from clinic_app.people.model import PatientMerge

    with clinic.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=clinic.services.context.device_id)
        session.add(
            PatientMerge(
                survivor_id=clinic.harriet,
                merged_id=clinic.owen,
                reason="Registered twice",
                merged_at=datetime.now(UTC),
            )
        )
    with pytest.raises(FormErrors) as refused:
        clinic.book(clinic.owen)
    assert _fields(refused.value) == {"patient": "appointment.patient_merged"}
    assert clinic.book(clinic.harriet).patient_id == clinic.harriet


def test_several_bad_fields_are_named_together(clinic: Clinic) -> None:
    with pytest.raises(FormErrors) as refused:
        clinic.book(time="nine", minutes="", mechanism="")
    assert set(_fields(refused.value)) == {"time", "minutes", "mechanism"}


def test_a_clash_refuses_unless_a_reason_is_given_and_the_reason_is_kept(clinic: Clinic) -> None:
    first = clinic.book()
    check = clinic.appointments.check_booking(
        clinic.reception, clinic.booking(clinic.owen, time="10:45")
    )
    assert [c.appointment_id for c in check.clashes] == [first.id]
    assert not check.clear
    with pytest.raises(Conflict) as refused:
        clinic.book(clinic.owen, time="10:45")
    assert refused.value.code == "appointment.clash"
    # Back to back is no clash; another clinician at the same time is none either.
    assert (
        clinic.appointments.check_booking(
            clinic.reception, clinic.booking(clinic.owen, time="11:00")
        ).clashes
        == ()
    )
    assert (
        clinic.appointments.check_booking(
            clinic.reception,
            clinic.booking(clinic.owen, clinician_id=clinic.trainee.id),
        ).clashes
        == ()
    )
    kept = clinic.book(clinic.owen, time="10:45", overbook_reason="Urgent review, agreed")
    assert kept.overbooked_reason == "Urgent review, agreed"
    # A cancelled appointment holds no slot.
    clinic.appointments.cancel(
        clinic.reception, first.id, cancelled_by="patient", reason="On holiday"
    )
    assert [
        c.appointment_id
        for c in clinic.appointments.check_booking(
            clinic.reception, clinic.booking(clinic.owen, time="10:30")
        ).clashes
    ] == [kept.id]


def test_a_full_session_warns_as_overbooked(clinic: Clinic) -> None:
    clinic.appointments.save_session(
        clinic.reception,
        None,
        SessionInput(
            clinician_id=clinic.physio.id,
            site_id=clinic.riverside,
            room="Room 2",
            weekday=TOMORROW.weekday(),
            starts="09:00",
            ends="10:00",
            slot_minutes="30",
        ),
    )
    slots = clinic.appointments.slots(clinic.reception, clinic.physio.id, TOMORROW)
    assert [(s.starts_at.minute, s.free) for s in slots] == [(0, True), (30, True)]
    first = clinic.appointments.check_booking(clinic.reception, clinic.booking(time="09:00"))
    assert (first.overbooked, first.outside_sessions) == (False, False)
    clinic.book(time="09:00")
    clinic.book(clinic.owen, time="09:30")
    assert [
        s.free for s in clinic.appointments.slots(clinic.reception, clinic.physio.id, TOMORROW)
    ] == [
        False,
        False,
    ]
    full = clinic.appointments.check_booking(
        clinic.reception, clinic.booking(clinic.owen, time="09:45", minutes="10")
    )
    assert full.overbooked
    outside = clinic.appointments.check_booking(clinic.reception, clinic.booking(time="14:00"))
    assert (outside.overbooked, outside.outside_sessions) == (False, True)


def test_rebook_cancels_with_reason_and_points_back(clinic: Clinic) -> None:
    first = clinic.book()
    with pytest.raises(FormErrors) as refused:
        clinic.appointments.rebook(
            clinic.reception, first.id, clinic.booking(time="11:30"), cancelled_by="x", reason=""
        )
    assert _fields(refused.value) == {
        "cancelled_by": "appointment.cancelled_by_invalid",
        "reason": "text.empty",
    }
    # The new time may overlap the one it replaces: that one gives its slot up.
    moved = clinic.appointments.rebook(
        clinic.reception,
        first.id,
        clinic.booking(time="10:45"),
        cancelled_by="patient",
        reason="Asked for later",
    )
    old = clinic.appointments.get(clinic.reception, first.id)
    assert (old.status, old.cancelled_by, old.cancel_reason) == (
        "cancelled",
        "patient",
        "Asked for later",
    )
    assert (moved.status, moved.rebooked_from_id) == ("booked", first.id)
    with pytest.raises(Conflict) as again:
        clinic.appointments.cancel(clinic.reception, first.id, cancelled_by="service", reason="x")
    assert again.value.code == "appointment.not_booked"


def test_rebook_for_another_patient_is_refused(clinic: Clinic) -> None:
    first = clinic.book()
    with pytest.raises(Conflict) as refused:
        clinic.appointments.rebook(
            clinic.reception,
            first.id,
            clinic.booking(clinic.owen, time="11:30"),
            cancelled_by="service",
            reason="Clinic moved",
        )
    assert refused.value.code == "appointment.wrong_patient"
    assert clinic.appointments.get(clinic.reception, first.id).status == "booked"
    assert clinic.appointments.for_patient(clinic.reception, clinic.owen) == []


def _clash(clinic: Clinic, first: uuid.UUID, second: uuid.UUID) -> uuid.UUID:
    """A double booking as the server flags one when two laptops' bookings meet."""
    with clinic.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=clinic.services.context.device_id)
        row = AppointmentClash(
            first_appointment_id=first, second_appointment_id=second, clinician_id=clinic.physio.id
        )
        row.id = clash_id(first, second)
        session.add(row)
    return clash_id(second, first)


def test_a_double_booking_is_kept_on_purpose_or_resolved_by_a_cancellation(clinic: Clinic) -> None:
    one = clinic.book()
    two = clinic.book(clinic.owen, time="10:45", overbook_reason="Two laptops offline")
    three = clinic.book(time="12:00")
    four = clinic.book(clinic.owen, time="12:00", overbook_reason="Two laptops offline")
    kept, resolved = _clash(clinic, one.id, two.id), _clash(clinic, three.id, four.id)
    assert {c.id for c in clinic.appointments.clashes(clinic.reception)} == {kept, resolved}
    assert clinic.appointments.get(clinic.reception, one.id).clash_open
    with pytest.raises(ValidationError) as refused:
        clinic.appointments.keep_both(clinic.reception, kept, " ")
    assert (refused.value.code, refused.value.field) == ("text.empty", "reason")
    view = clinic.appointments.keep_both(clinic.reception, kept, "Both patients need seeing")
    assert view.status == "kept"
    clinic.appointments.cancel(clinic.reception, four.id, cancelled_by="service", reason="Moved")
    assert clinic.appointments.clashes(clinic.reception) == []
    with clinic.services.context.store.sessions() as session:
        row = session.get(AppointmentClash, resolved)
        assert row is not None
        assert (row.status, row.resolved_by) == ("resolved", clinic.reception.id)
        assert row.resolved_at is not None
    assert not clinic.appointments.get(clinic.reception, three.id).clash_open


def test_who_may_book(clinic: Clinic) -> None:
    # A clinician books their own follow-ups too; every booking is the row's own record.
    made = clinic.appointments.book(clinic.physio, clinic.booking())
    with clinic.services.context.store.sessions() as session:
        row = session.scalars(select(Appointment).where(Appointment.id == made.id)).one()
        assert row.created_by == clinic.physio.id


def test_the_patient_preference_is_offered_first(clinic: Clinic) -> None:
    assert clinic.appointments.preferred_mechanism(clinic.reception, clinic.harriet) == (
        "face_to_face"
    )
    caller = clinic.services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Ivy",
            family_name="Caller",
            date_of_birth="1950-01-01",
            sex="2",
            nhs_number="9990000034",
            preferred_contact_method="telephone",
        ),
    )
    assert clinic.appointments.preferred_mechanism(clinic.reception, caller.id) == "telephone"


def test_reception_may_not_manage_clinical_steps(clinic: Clinic) -> None:
    made = clinic.book()
    with pytest.raises(PermissionDenied):
        clinic.appointments.finish(clinic.reception, made.id)


def test_sessions_are_checked_ended_and_make_the_clinicians_sites(clinic: Clinic) -> None:
    session_input = SessionInput(
        clinician_id=clinic.physio.id,
        site_id=clinic.hilltop,
        room="Gym",
        weekday=TOMORROW.weekday(),
        starts="13:00",
        ends="12:00",
        slot_minutes="0",
    )
    with pytest.raises(FormErrors) as refused:
        clinic.appointments.save_session(clinic.reception, None, session_input)
    assert _fields(refused.value) == {
        "ends": "appointment.ends_before_starts",
        "slot_minutes": "appointment.minutes_invalid",
    }
    with pytest.raises(PermissionDenied):
        clinic.appointments.save_session(
            clinic.physio, None, replace(session_input, ends="17:00", slot_minutes="20")
        )
    made = clinic.appointments.save_session(
        clinic.reception, None, replace(session_input, ends="17:00", slot_minutes="20")
    )
    assert (made.site_name, made.starts, made.ends, made.slot_minutes) == (
        "Hilltop",
        "13:00",
        "17:00",
        20,
    )
    chosen = {c.name: c.site_ids for c in clinic.appointments.clinicians(clinic.reception)}
    assert chosen["Physio"] == (clinic.riverside, clinic.hilltop)
    assert "Reception" not in chosen
    assert [
        s.id for s in clinic.appointments.sessions(clinic.reception, site_id=clinic.hilltop)
    ] == [made.id]
    assert made.valid_from == date.today()
    # A session cannot end before it starts.
    with pytest.raises(ValidationError) as early:
        clinic.appointments.end_session(
            clinic.reception, made.id, (date.today() - timedelta(days=1)).isoformat()
        )
    assert (early.value.code, early.value.field) == (
        "appointment.ends_before_starts",
        "valid_until",
    )
    clinic.appointments.end_session(clinic.reception, made.id, date.today().isoformat())
    assert clinic.appointments.sessions(clinic.reception, site_id=clinic.hilltop)[
        0
    ].valid_until == (date.today())
    # Ended today: from tomorrow the physio no longer works at Hilltop.
    with pytest.raises(FormErrors) as refused:
        clinic.book(site_id=clinic.hilltop)
    assert _fields(refused.value) == {"site_id": "appointment.clinician_not_at_site"}
