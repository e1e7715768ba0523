"""A letter about a patient tells what was recorded under a registration merged into theirs."""

from __future__ import annotations

from clinic_app.container import Services
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.model import PatientAlert
from clinic_app.people.views import PatientInput
from tests.core.letters.test_letters import _clinician, _patient_with_episode
from tests.support.merges import merged_by_sync


def test_an_allergy_recorded_under_a_merged_registration_is_in_the_gp_letter(
    demo: Services,
) -> None:
    me = _clinician(demo)
    patient, episode = _patient_with_episode(demo)
    # The same person registered a second time at another clinic, where their allergy was
    # recorded; a person has since merged that registration into this record.
    second = demo.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Second", family_name="Registration", date_of_birth="1960-03-03", sex="2"
        ),
    ).id
    with demo.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=demo.context.device_id)
        session.add(PatientAlert(patient_id=second, kind="allergy", text="Latex: anaphylaxis"))
    merged_by_sync(demo, survivor=patient, merged=second)
    # The record's banner shows it ...
    assert "Latex: anaphylaxis" in [a.text for a in demo.patients.open(me, patient).alerts]

    # ... and the letter to the GP must not leave it out.
    draft = demo.letters.draft(me, patient, "gp_clinic", episode)
    allergies = next(s for s in draft.sections if s.key == "allergies")
    assert "Latex: anaphylaxis" in allergies.text
