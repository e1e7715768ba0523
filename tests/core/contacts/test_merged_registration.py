"""Contact notes written under a registration since merged into another record."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.nhs_number import format_nhs_number
from clinic_app.people.views import PatientInput
from tests.core.contacts.booked import seen_today
from tests.support.merges import merged_by_sync

PASSWORD = demo_password("clinician")
SOAP = {
    "subjective": "Shoulder easier at night.",
    "objective": "Abduction to 150 degrees.",
    "treatment": "Progressed band work.",
    "plan": "Review in three weeks.",
}


@pytest.fixture
def clinician(demo: Services) -> CurrentUser:
    return demo.auth.login("clinician", PASSWORD)


def _registered_again(demo: Services) -> uuid.UUID:
    """The same person registered at another clinic, offline, under her maiden name."""
    return demo.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Harriet", family_name="Ashworth", date_of_birth="1961-07-04", sex="2"
        ),
    ).id


def _survivor_and_other(demo: Services, user: CurrentUser) -> tuple[uuid.UUID, uuid.UUID]:
    first, second = demo.patients.search(user, "999", limit=2)
    return first.id, second.id


def _text_of(pdf: bytes) -> str:
    found = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(found.split())


def test_a_draft_under_a_merged_registration_is_continued_and_signed_on_the_record(
    demo: Services, clinician: CurrentUser
) -> None:
    survivor, other = _survivor_and_other(demo, clinician)
    second = _registered_again(demo)
    appointment = seen_today(demo, clinician, second)
    notes = demo.contact_notes
    draft = notes.start(clinician, second, appointment)
    notes.save_draft(clinician, second, {"subjective": SOAP["subjective"]}, draft.id)
    # Before the merge, the other record knows nothing of it.
    assert notes.for_patient(clinician, survivor) == ()
    with pytest.raises(NotFound):
        notes.get(clinician, draft.id, survivor)

    merged_by_sync(demo, survivor=survivor, merged=second)

    # Listed, opened and continued from the surviving record, for the same appointment.
    assert [v.id for v in notes.for_patient(clinician, survivor)] == [draft.id]
    assert notes.get(clinician, draft.id, survivor).content["subjective"] == SOAP["subjective"]
    assert notes.start(clinician, survivor, appointment).id == draft.id
    saved = notes.save_draft(clinician, survivor, SOAP, draft.id)
    assert (saved.id, saved.patient_id) == (draft.id, second)
    signed = notes.sign(clinician, draft.id, PASSWORD)
    assert signed.is_signed
    assert signed.intact
    added = notes.add_addendum(clinician, draft.id, "Phoned: sleeping through.", PASSWORD)
    assert [a.text for a in added.addenda] == ["Phoned: sleeping through."]

    # A patient the registration was not merged into is still refused it.
    assert notes.for_patient(clinician, other) == ()
    with pytest.raises(NotFound):
        notes.get(clinician, draft.id, other)
    with pytest.raises(NotFound) as refused:
        notes.start(clinician, other, appointment)
    assert refused.value.code == "contact_note.appointment_not_found"


def test_a_draft_under_a_merged_registration_is_never_saved_as_another_patients(
    demo: Services, clinician: CurrentUser
) -> None:
    survivor, other = _survivor_and_other(demo, clinician)
    second = _registered_again(demo)
    draft = demo.contact_notes.start(clinician, second, seen_today(demo, clinician, second))
    merged_by_sync(demo, survivor=survivor, merged=second)

    with pytest.raises(Conflict) as moved:
        demo.contact_notes.save_draft(clinician, other, SOAP, draft.id)
    assert moved.value.code == "contact_note.wrong_patient"
    # Saved from the record it was merged into, it stays the same note.
    assert demo.contact_notes.save_draft(clinician, survivor, SOAP, draft.id).id == draft.id


def test_a_note_under_a_merged_registration_prints_the_surviving_records_name(
    demo: Services, clinician: CurrentUser
) -> None:
    survivor, _other = _survivor_and_other(demo, clinician)
    record = demo.patients.open(clinician, survivor)
    assert record.nhs_number is not None
    second = _registered_again(demo)
    note = demo.contact_notes.start(clinician, second, seen_today(demo, clinician, second))
    demo.contact_notes.save_draft(clinician, second, SOAP, note.id)
    merged_by_sync(demo, survivor=survivor, merged=second)

    words = _text_of(demo.contact_notes.printable(clinician, note.id))
    assert f"{record.family_name.upper()}, {record.given_name}" in words
    assert format_nhs_number(record.nhs_number) in words
    assert "ASHWORTH" not in words
    assert SOAP["plan"] in words


def test_a_note_of_an_appointment_under_a_merged_registration_has_its_contact_and_attendance(
    demo: Services, clinician: CurrentUser
) -> None:
    survivor, _other = _survivor_and_other(demo, clinician)
    second = _registered_again(demo)
    # Booked and seen under the second registration; merged before the note is written.
    appointment = seen_today(demo, clinician, second)
    merged_by_sync(demo, survivor=survivor, merged=second)

    note = demo.contact_notes.start(clinician, survivor, appointment)
    assert note.patient_id == survivor
    seen = demo.appointments.get(clinician, appointment)
    assert seen.care_contact_id is not None
    assert note.care_contact_id == seen.care_contact_id
    demo.contact_notes.save_draft(clinician, survivor, SOAP, note.id)
    words = _text_of(demo.contact_notes.printable(clinician, note.id))
    assert "Attendance details" in words
    assert "How Face to face" in words
