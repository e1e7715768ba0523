"""A red-flag emergency screened under a registration since merged into the record."""

from __future__ import annotations

import uuid

import pytest

from clinic_app.kernel.errors import FormErrors
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from tests.core.appointments.conftest import Clinic
from tests.core.appointments.test_attendance import CES_EMERGENCY
from tests.support.merges import merged_by_sync


def _emergency_under_a_merged_registration(clinic: Clinic) -> uuid.UUID:
    """Harriet registered again at Hilltop (offline, no NHS number typed) and screened there:
    a cauda equina emergency with no action recorded. That registration is since merged into
    her record. Returns the second registration's id."""
    second = clinic.services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Harriet", family_name="Ashworth", date_of_birth="1961-07-04", sex="2"
        ),
    ).id
    clinic.services.red_flags.record(clinic.consultant, second, "cauda_equina", CES_EMERGENCY)
    merged_by_sync(clinic.services, survivor=clinic.harriet, merged=second)
    # The record's banner already follows the merge.
    assert clinic.services.red_flags.unresolved(clinic.physio, clinic.harriet)
    return second


def test_a_dna_asks_for_the_action_on_an_emergency_screened_under_a_merged_registration(
    clinic: Clinic,
) -> None:
    _emergency_under_a_merged_registration(clinic)
    made = clinic.book()  # booked on the surviving record, as the merge requires

    check = clinic.appointments.dna_check(clinic.physio, made.id)
    assert len(check.emergencies) == 1
    with pytest.raises(FormErrors) as refused:
        clinic.appointments.did_not_attend(clinic.physio, made.id, emergency_action="")
    assert [(e.code, e.field) for e in refused.value.errors] == [
        ("appointment.emergency_action_required", "emergency_action")
    ]


def test_the_day_list_marks_an_emergency_screened_under_a_merged_registration(
    clinic: Clinic,
) -> None:
    _emergency_under_a_merged_registration(clinic)
    made = clinic.book()

    (entry,) = clinic.appointments.day(clinic.physio, day=made.starts_at.date()).entries
    assert entry.needs.red_flag


def test_an_appointment_under_a_merged_registration_is_listed_and_rebooked_on_the_record(
    clinic: Clinic,
) -> None:
    booked = clinic.book(clinic.owen)  # under Owen's registration, before the merge
    merged_by_sync(clinic.services, survivor=clinic.harriet, merged=clinic.owen)

    assert booked.id in {
        a.id for a in clinic.appointments.for_patient(clinic.reception, clinic.harriet)
    }
    moved = clinic.appointments.rebook(
        clinic.reception,
        booked.id,
        clinic.booking(clinic.harriet, time="11:30"),
        cancelled_by="patient",
        reason="Asked for later",
    )
    assert (moved.patient_id, moved.rebooked_from_id) == (clinic.harriet, booked.id)


def test_the_day_list_offers_the_follow_up_of_a_baseline_given_under_a_merged_registration(
    clinic: Clinic,
) -> None:
    clinic.services.questionnaires.record(
        clinic.physio, clinic.owen, "pain_nrs", {"pain_now": 6}, "baseline", "clinician"
    )
    merged_by_sync(clinic.services, survivor=clinic.harriet, merged=clinic.owen)
    made = clinic.book(clinic.harriet, time="09:00")

    (entry,) = clinic.appointments.day(clinic.physio, day=made.starts_at.date()).entries
    assert len(entry.needs.questionnaires_due) == 1


def test_the_day_list_marks_a_draft_left_under_a_merged_registration_as_unsigned_work(
    clinic: Clinic,
) -> None:
    # An assessment begun at another clinic under Owen's registration, never signed; that
    # registration is since merged into Harriet's record.
    clinic.services.assessments.save_draft(
        clinic.physio, clinic.owen, {"presenting_complaint": "Hip pain on stairs"}
    )
    made = clinic.book()
    (entry,) = clinic.appointments.day(clinic.physio, day=made.starts_at.date()).entries
    assert entry.needs.unsigned == ()

    merged_by_sync(clinic.services, survivor=clinic.harriet, merged=clinic.owen)

    (entry,) = clinic.appointments.day(clinic.physio, day=made.starts_at.date()).entries
    assert entry.needs.unsigned == ("Assessment",)
