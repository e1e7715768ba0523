"""Shockwave courses recorded under a registration merged into the record: continued there."""

from __future__ import annotations

import uuid

import pytest

from clinic_app.demo import demo_password
from clinic_app.domains.shockwave.views import CourseView, DeviceView, Outcome
from clinic_app.kernel.errors import Conflict, FormErrors, NotFound
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientInput
from tests.core.shockwave.conftest import Clinic, heel_course, radial_session
from tests.support.merges import merged_by_sync


def _registered(clinic: Clinic) -> uuid.UUID:
    """A patient registered with no referral yet, so with no episode of care."""
    return clinic.services.patients.register(
        SYSTEM,
        PatientInput(given_name="Iris", family_name="Lund", date_of_birth="1950-01-02", sex="2"),
    ).id


def _course(
    clinic: Clinic, patient: uuid.UUID, device: DeviceView, **changes: object
) -> CourseView:
    """The clinician's heel course for ``patient``, saved, its first session begun and saved."""
    services, clinician = clinic.services, clinic.clinician
    started = services.shockwave.start_course(clinician, patient)
    services.shockwave.save_course(clinician, started.id, heel_course(device, **changes))
    view = services.shockwave.add_session(clinician, started.id)
    draft = next(s for s in view.sessions if not s.is_signed)
    return services.shockwave.save_session(clinician, draft.id, radial_session())


def _pseq(clinic: Clinic, patient: uuid.UUID, score: int) -> uuid.UUID:
    """A complete PSEQ answered by ``patient``, every item scored ``score``."""
    questionnaires, clinician = clinic.services.questionnaires, clinic.clinician
    answers = {item.code: score for item in questionnaires.definition("pseq").items}
    timepoint = questionnaires.next_timepoint(clinician, patient, "pseq")
    return questionnaires.record(clinician, patient, "pseq", answers, timepoint, "clinician").id


def test_a_course_under_a_merged_registration_is_continued_on_the_surviving_record(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    survivor, second, stranger = _registered(clinic), _registered(clinic), _registered(clinic)
    device = clinic.device()
    # Begun at another clinic under the second registration, then the two were merged. The
    # third registration, alike in every detail, was never merged: another patient's course.
    course = _course(clinic, second, device)
    theirs = _course(clinic, stranger, device)
    merged_by_sync(services, survivor=survivor, merged=second)

    assert services.shockwave.start_course(clinician, survivor).id == course.id
    assert [c.id for c in services.shockwave.for_patient(clinician, survivor)] == [course.id]
    opened = services.shockwave.get(clinician, course.id, patient_id=survivor)
    (draft,) = opened.sessions
    assert services.shockwave.session_checks(clinician, draft.id, patient_id=survivor).can_sign
    services.shockwave.save_course(
        clinician, course.id, heel_course(device, planned_sessions=4), patient_id=survivor
    )
    services.shockwave.save_session(
        clinician, draft.id, radial_session(pulses=2200), patient_id=survivor
    )
    signed = services.shockwave.sign_session(
        clinician, draft.id, demo_password("clinician"), patient_id=survivor
    )
    assert signed.sessions[0].is_signed
    assert signed.fields.planned_sessions == 4
    added = services.shockwave.add_session(clinician, course.id, patient_id=survivor)
    assert [s.number for s in added.sessions] == [1, 2]

    (stranger_draft,) = theirs.sessions
    with pytest.raises(NotFound):
        services.shockwave.get(clinician, theirs.id, patient_id=survivor)
    with pytest.raises(NotFound):
        services.shockwave.session_checks(clinician, stranger_draft.id, patient_id=survivor)
    with pytest.raises(Conflict) as saving:
        services.shockwave.save_course(
            clinician, theirs.id, heel_course(device), patient_id=survivor
        )
    assert saving.value.code == "eswt.wrong_patient"
    with pytest.raises(Conflict) as giving:
        services.shockwave.save_session(
            clinician, stranger_draft.id, radial_session(), patient_id=survivor
        )
    assert giving.value.code == "eswt.wrong_patient"
    with pytest.raises(Conflict) as adding:
        services.shockwave.add_session(clinician, theirs.id, patient_id=survivor)
    assert adding.value.code == "eswt.wrong_patient"


def test_a_course_under_a_merged_registration_closes_with_the_survivors_scores(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    survivor, second, stranger = _registered(clinic), _registered(clinic), _registered(clinic)
    before = _pseq(clinic, second, 2)
    course = _course(
        clinic, second, clinic.device(), outcome_before=Outcome(pain_nrs=7, responses=(before,))
    )
    clinic.sign(course.sessions[0].id)
    merged_by_sync(services, survivor=survivor, merged=second)
    # The follow-up answered after the merge, on the surviving record.
    after = _pseq(clinic, survivor, 5)
    not_hers = _pseq(clinic, stranger, 6)

    with pytest.raises(FormErrors) as refused:
        services.shockwave.close_course(
            clinician,
            course.id,
            Outcome(pain_nrs=3, responses=(not_hers,)),
            demo_password("clinician"),
            patient_id=survivor,
        )
    assert [e.code for e in refused.value.errors] == ["eswt.unknown_response"]
    closed = services.shockwave.close_course(
        clinician,
        course.id,
        Outcome(pain_nrs=3, responses=(after,)),
        demo_password("clinician"),
        patient_id=survivor,
    )
    assert closed.is_closed
    change = services.shockwave.outcome_change(clinician, course.id, patient_id=survivor)
    assert [(c.measure, c.before, c.after) for c in change.changes] == [
        ("pain_nrs", 7, 3),
        ("pseq", 10 * 2, 10 * 5),  # ten items
    ]
