"""An assessment recorded under a registration since merged into the record opens from it."""

from __future__ import annotations

import uuid

import pytest

from clinic_app.domains.assessments.model import Assessment
from clinic_app.kernel.errors import NotFound
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import ReferralPriority
from clinic_app.people.views import PatientInput, ReferralInput
from tests.core.assessments.conftest import Clinic
from tests.support.merges import merged_by_sync


def _registered(clinic: Clinic, family_name: str) -> uuid.UUID:
    return clinic.services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Iris", family_name=family_name, date_of_birth="1950-01-02", sex="2"
        ),
    ).id


def test_an_assessment_under_a_merged_registration_opens_for_the_surviving_record(
    clinic: Clinic,
) -> None:
    assessments, clinician = clinic.services.assessments, clinic.clinician
    second = _registered(clinic, "Lund")
    draft = assessments.save_draft(clinician, second, {"presenting_complaint": "Hip pain"})
    # Before the merge, the banner's patient is someone else: it is not theirs to open.
    with pytest.raises(NotFound):
        assessments.get(clinician, draft.id, clinic.patient_id)

    merged_by_sync(clinic.services, survivor=clinic.patient_id, merged=second)

    opened = assessments.get(clinician, draft.id, clinic.patient_id)
    assert opened.content["presenting_complaint"] == "Hip pain"
    # Opened for the registration merged away, it is the same person's too.
    assert assessments.get(clinician, draft.id, second).id == draft.id


def test_an_assessment_of_another_patient_is_never_opened_for_the_banners_patient(
    clinic: Clinic,
) -> None:
    assessments, clinician = clinic.services.assessments, clinic.clinician
    other = _registered(clinic, "Other")
    merged_away = _registered(clinic, "Lund")
    merged_by_sync(clinic.services, survivor=clinic.patient_id, merged=merged_away)
    draft = assessments.save_draft(clinician, other, {"presenting_complaint": "Hip pain"})

    with pytest.raises(NotFound):
        assessments.get(clinician, draft.id, clinic.patient_id)
    with pytest.raises(NotFound):
        assessments.get(clinician, draft.id, merged_away)


def test_a_referral_under_a_merged_registration_is_answered_from_the_surviving_record(
    clinic: Clinic,
) -> None:
    """The record lists the referrals of registrations merged into it: an assessment from it
    may answer one; another patient's referral is still refused."""
    assessments, clinician = clinic.services.assessments, clinic.clinician
    second, stranger = _registered(clinic, "Lund"), _registered(clinic, "Other")
    theirs, strangers = (
        clinic.services.referrals.create(
            clinician,
            ReferralInput(
                patient_id=who,
                source="gp",
                received_on=clinic.services.context.today().isoformat(),
                referrer_name="Dr A Test",
                reason="Hip pain",
                specialty="physiotherapy",
                priority=ReferralPriority.ROUTINE,
            ),
        ).id
        for who in (second, stranger)
    )
    merged_by_sync(clinic.services, survivor=clinic.patient_id, merged=second)

    listed = clinic.services.patients.open(clinician, clinic.patient_id).referrals
    assert theirs in {r.id for r in listed}
    assert theirs in {
        r.id for r in clinic.services.referrals.for_patient(clinician, clinic.patient_id)
    }
    draft = assessments.save_draft(
        clinician, clinic.patient_id, {"presenting_complaint": "Hip pain"}, referral_id=theirs
    )
    with clinic.services.context.store.sessions() as session:
        assert session.get(Assessment, draft.id).referral_id == theirs  # type: ignore[union-attr]
    with pytest.raises(NotFound) as refused:
        assessments.save_draft(
            clinician, clinic.patient_id, {"presenting_complaint": "Hip"}, referral_id=strangers
        )
    assert refused.value.code == "assessment.referral_not_found"
