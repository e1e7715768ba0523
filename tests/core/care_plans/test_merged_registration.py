"""Care plans made under a registration since merged into another record."""

from __future__ import annotations

import re
import subprocess
import uuid

import pytest

from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from tests.core.care_plans.conftest import Clinic, agreed_plan
from tests.support.merges import merged_by_sync

PASSWORD = "clinician-demo-2026"


def _merged_into_a_new_registration(clinic: Clinic) -> uuid.UUID:
    """The patient registered again at another clinic under her married name, needing large
    print; her first registration (with the episode and the plan) is merged into it."""
    survivor = clinic.services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Harriet",
            family_name="Hughes",
            date_of_birth="1961-07-04",
            sex="2",
            accessible_information_needs=("large_print",),
        ),
    ).id
    merged_by_sync(clinic.services, survivor=survivor, merged=clinic.patient)
    return survivor


def _words(pdf: bytes) -> str:
    found = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", " ", found.stdout.decode())


def test_a_draft_under_a_merged_registration_is_continued_signed_and_printed_on_the_record(
    clinic: Clinic,
) -> None:
    plans = clinic.services.care_plans
    draft = plans.start(clinic.clinician, clinic.patient)
    plans.save(clinic.clinician, draft.id, clinic.patient, agreed_plan())
    merged_name = clinic.services.patients.open(clinic.clinician, clinic.patient).family_name
    survivor = _merged_into_a_new_registration(clinic)

    # Listed and opened on the surviving record; starting there continues it.
    assert [p.id for p in plans.for_patient(clinic.clinician, survivor)] == [draft.id]
    assert plans.get(clinic.clinician, draft.id, survivor).plan.goals == (
        "Walk to the shops and back without stopping",
        "Sleep through the night",
    )
    assert plans.start(clinic.clinician, survivor).id == draft.id
    saved = plans.save(clinic.clinician, draft.id, survivor, agreed_plan())
    # The format the patient needs is the surviving record's.
    assert saved.information_needs == ("large_print",)
    signed = plans.sign(clinic.clinician, draft.id, survivor, PASSWORD)
    assert signed.is_current

    words = _words(plans.printable(clinic.clinician, draft.id, survivor))
    assert "HUGHES, Harriet" in words
    assert f"{merged_name.upper()}," not in words
    assert "Walk to the shops" in words

    # It is her current plan: reviewed, not made a second time.
    with pytest.raises(Conflict) as starting:
        plans.start(clinic.clinician, survivor)
    assert starting.value.code == "care_plan.current_exists"
    review = plans.review(clinic.clinician, draft.id, survivor)
    assert review.supersedes_id == draft.id
    assert review.information_needs == ("large_print",)


def test_a_plan_under_a_merged_registration_is_still_refused_to_another_patient(
    clinic: Clinic,
) -> None:
    plans = clinic.services.care_plans
    draft = plans.start(clinic.clinician, clinic.patient)
    survivor = _merged_into_a_new_registration(clinic)
    # Continued from the record it was merged into ...
    plans.save(clinic.clinician, draft.id, survivor, agreed_plan())

    # ... and never from a patient it was not merged into.
    assert plans.for_patient(clinic.clinician, clinic.other) == []
    with pytest.raises(Conflict) as saving:
        plans.save(clinic.clinician, draft.id, clinic.other, agreed_plan())
    with pytest.raises(Conflict) as signing:
        plans.sign(clinic.clinician, draft.id, clinic.other, PASSWORD)
    with pytest.raises(NotFound) as opening:
        plans.get(clinic.clinician, draft.id, clinic.other)
    with pytest.raises(NotFound) as printing:
        plans.printable(clinic.clinician, draft.id, clinic.other)
    assert saving.value.code == signing.value.code == "care_plan.wrong_patient"
    assert opening.value.code == printing.value.code == "care_plan.not_found"
    plans.sign(clinic.clinician, draft.id, survivor, PASSWORD)
    with pytest.raises(Conflict) as reviewing:
        plans.review(clinic.clinician, draft.id, clinic.other)
    assert reviewing.value.code == "care_plan.wrong_patient"
