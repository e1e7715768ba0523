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
