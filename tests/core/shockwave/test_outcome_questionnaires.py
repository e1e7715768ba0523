"""Questionnaires counted before a course and at its follow-up: only the patient's own, their
change named with which way is better, in the course's letter and on the timeline."""

from __future__ import annotations

import uuid

import pytest

from clinic_app.demo import demo_password
from clinic_app.domains.questionnaires.content import questionnaire
from clinic_app.domains.shockwave.record import COURSE
from clinic_app.domains.shockwave.views import Outcome
from clinic_app.kernel.errors import FormErrors
from tests.core.shockwave.conftest import Clinic, heel_course

MSK_HQ = "Musculoskeletal Health Questionnaire (MSK-HQ)"


def _msk_hq(clinic: Clinic, patient: uuid.UUID, each: int) -> tuple[uuid.UUID, int]:
    """A complete MSK-HQ of ``patient``, every item answered ``each``; its id and total."""
    answers: dict[str, int | None] = {
        item.code: each for item in questionnaire("msk_hq").scored_items
    }
    questionnaires = clinic.services.questionnaires
    timepoint = questionnaires.next_timepoint(clinic.clinician, patient, "msk_hq")
    view = questionnaires.record(
        clinic.clinician, patient, "msk_hq", answers, timepoint, "clinician"
    )
    assert view.complete
    assert view.total is not None
    return view.id, view.total


def test_another_patients_response_is_refused_before_and_at_follow_up(clinic: Clinic) -> None:
    services, clinician = clinic.services, clinic.clinician
    theirs, _total = _msk_hq(clinic, clinic.other, 2)
    device = clinic.device()
    course = clinic.course(device)
    with pytest.raises(FormErrors) as before:
        services.shockwave.save_course(
            clinician,
            course.id,
            heel_course(device, outcome_before=Outcome(pain_nrs=7, responses=(theirs,))),
        )
    assert {(e.code, e.field) for e in before.value.errors} == {
        ("eswt.unknown_response", "outcome_before.responses")
    }
    clinic.sign(clinic.session(course))
    with pytest.raises(FormErrors) as after:
        services.shockwave.close_course(
            clinician,
            course.id,
            Outcome(pain_nrs=3, responses=(theirs,)),
            demo_password("clinician"),
        )
    assert {(e.code, e.field) for e in after.value.errors} == {
        ("eswt.unknown_response", "outcome_after.responses")
    }
    kept = services.shockwave.get(clinician, course.id)
    assert not kept.is_closed
    assert kept.fields.outcome_before.responses == ()


def test_the_change_and_the_letter_name_the_questionnaire_and_which_way_is_better(
    clinic: Clinic,
) -> None:
    services, clinician = clinic.services, clinic.clinician
    before, first = _msk_hq(clinic, clinic.patient, 2)
    after, last = _msk_hq(clinic, clinic.patient, 3)
    device = clinic.device()
    course = clinic.course(device, outcome_before=Outcome(pain_nrs=7, responses=(before,)))
    clinic.sign(clinic.session(course))
    services.shockwave.close_course(
        clinician, course.id, Outcome(pain_nrs=3, responses=(after,)), demo_password("clinician")
    )

    change = services.shockwave.outcome_change(clinician, course.id)
    assert [(c.measure, c.words, c.title, c.higher_is_better) for c in change.changes] == [
        ("pain_nrs", "7 -> 3", "", None),
        ("msk_hq", f"{first} -> {last}", MSK_HQ, True),
    ]
    with services.context.store.sessions() as session:
        assert COURSE.letter_sections is not None
        (offered,) = COURSE.letter_sections(session, clinic.patient, None)
    assert offered.text.splitlines() == [
        "Treated: Refractory plantar fasciitis, left, 3 sessions planned",
        "Sessions given: 1",
        "Pain (0-10): 7 -> 3",
        f"{MSK_HQ}: {first} -> {last} (higher scores are better)",
    ]
    # The patient's timeline says it on the closed course's second line too.
    (entry,) = [
        e
        for e in services.timeline.for_patient(clinician, clinic.patient).entries
        if e.kind == "eswt_course"
    ]
    assert entry.detail == (
        "Refractory plantar fasciitis, left, 3 sessions planned. Pain (0-10): 7 -> 3; "
        f"{MSK_HQ}: {first} -> {last} (higher scores are better)"
    )
