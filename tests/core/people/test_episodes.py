"""Episodes of care: opened by booking triage, and the home of a patient's clinical records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from clinic_app.container import Services
from clinic_app.domains.assessments.model import Assessment
from clinic_app.domains.questionnaires.content import questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.questionnaires.rules import ImportantChange
from clinic_app.domains.red_flags.model import RedFlagScreening
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.kernel.session import Actor
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import EpisodeStatus, Role
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.views import PatientInput, ReferralInput
from tests.support.merges import merged_by_sync

PASSWORD = "correct horse battery"
FIRST_DAY = date(2025, 3, 10)
LATER_DAY = date(2025, 6, 2)
NO_FLAGS = {
    "back_or_leg_pain": "yes",
    "bladder_change": "no",
    "bowel_change": "no",
    "saddle_numbness": "no",
    "bilateral_leg_symptoms": "no",
    "sexual_dysfunction": "no",
}


@dataclass
class Clinic:
    services: Services
    clinician: CurrentUser
    patient_id: uuid.UUID
    other_id: uuid.UUID


def _patient(services: Services, nhs: str, family: str) -> uuid.UUID:
    return services.patients.register(
        SYSTEM,
        PatientInput(
            given_name="Harriet",
            family_name=family,
            date_of_birth="1961-07-04",
            sex="2",
            nhs_number=nhs,
        ),
    ).id


@pytest.fixture
def clinic(services: Services) -> Clinic:
    services.users.add(
        SYSTEM, username="physio", display_name="Physio", role=Role.CLINICIAN, password=PASSWORD
    )
    services.context.today = lambda: FIRST_DAY
    return Clinic(
        services=services,
        clinician=services.auth.login("physio", PASSWORD),
        patient_id=_patient(services, "9990000018", "Ashworth"),
        other_id=_patient(services, "9990000026", "Begum"),
    )


def _referral(clinic: Clinic, patient_id: uuid.UUID | None = None) -> uuid.UUID:
    return clinic.services.referrals.create(
        SYSTEM,
        ReferralInput(
            patient_id=patient_id or clinic.patient_id,
            source="gp",
            received_on="2025-03-03",
            referrer_name="Dr A Hughes",
            reason="Knee pain",
            specialty="physiotherapy",
        ),
    ).id


def _book(
    clinic: Clinic,
    patient_id: uuid.UUID | None = None,
    *,
    on: date = FIRST_DAY,
    outcome: str = "appointment",
    pathway: str = "physiotherapy",
) -> uuid.UUID:
    """Triage a new referral into a pathway on ``on``; the episode it opened."""
    clinic.services.context.today = lambda: on
    view = clinic.services.triage.triage(
        clinic.clinician,
        _referral(clinic, patient_id),
        TriageInput(outcome=outcome, priority="routine", pathway=pathway),
    )
    assert view.episode_id is not None
    return view.episode_id


def _msk_hq(each: int) -> dict[str, int | None]:
    return {item.code: each for item in questionnaire("msk_hq").scored_items}


def _episodes(clinic: Clinic) -> list[EpisodeOfCare]:
    with clinic.services.context.store.sessions() as session:
        return list(session.scalars(select(EpisodeOfCare)))


def _close(clinic: Clinic, episode_id: uuid.UUID) -> None:
    with clinic.services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=clinic.services.context.device_id)
        row = session.get(EpisodeOfCare, episode_id)
        assert row is not None
        row.status = EpisodeStatus.CLOSED
        row.ended_on = LATER_DAY


# ---------------------------------------------------------------- opening episodes


def test_booking_triage_opens_one_episode_for_the_referral(clinic: Clinic) -> None:
    """An appointment outcome opens exactly one open episode with the pathway and referral."""
    referral = _referral(clinic)
    view = clinic.services.triage.triage(
        clinic.clinician,
        referral,
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
    )
    [episode] = _episodes(clinic)
    assert view.episode_id == episode.id
    assert (episode.patient_id, episode.referral_id, episode.pathway) == (
        clinic.patient_id,
        referral,
        "physiotherapy",
    )
    assert (episode.status, episode.started_on, episode.ended_on) == (
        EpisodeStatus.OPEN,
        FIRST_DAY,
        None,
    )
    record = clinic.services.patients.open(clinic.clinician, clinic.patient_id)
    assert [e.id for e in record.episodes] == [episode.id]
    assert record.open_episode is not None
    assert record.open_episode.id == episode.id
    assert record.open_episode.pathway_label.strip()
    assert clinic.services.patients.open(clinic.clinician, clinic.other_id).episodes == ()


def test_booking_after_diagnostics_also_opens_an_episode(clinic: Clinic) -> None:
    """The appointment-after-diagnostics outcome opens an episode in its pathway too."""
    episode_id = _book(clinic, outcome="appointment_after_diagnostics", pathway="rheumatology")
    [episode] = _episodes(clinic)
    assert (episode.id, episode.pathway) == (episode_id, "rheumatology")


def test_outcomes_that_book_nothing_open_no_episode(clinic: Clinic) -> None:
    """Signposting, returning or referring on opens no episode, even with a pathway named."""
    decisions = [
        TriageInput(outcome="signpost", priority="routine", pathway="physiotherapy"),
        TriageInput(outcome="return_to_referrer", priority="routine", reason="No examination"),
        TriageInput(outcome="onward_referral", priority="routine", pathway="orthopaedic_spinal"),
        TriageInput(outcome="emergency_onward_referral", priority="urgent"),
    ]
    for decision in decisions:
        view = clinic.services.triage.triage(clinic.clinician, _referral(clinic), decision)
        assert view.episode_id is None, decision.outcome
    assert _episodes(clinic) == []
    record = clinic.services.patients.open(clinic.clinician, clinic.patient_id)
    assert (record.episodes, record.open_episode) == ((), None)


# ---------------------------------------------------------------- records join the open episode


def test_records_made_without_an_episode_go_to_the_open_one(clinic: Clinic) -> None:
    """Responses, screenings and assessments join the latest-started open episode."""
    services, who, patient = clinic.services, clinic.clinician, clinic.patient_id
    before = services.questionnaires.record(
        who, patient, "pain_nrs", {"pain_now": 4}, "baseline", "clinician"
    )
    assert before.episode_id is None

    first = _book(clinic, on=FIRST_DAY)
    second = _book(clinic, on=LATER_DAY)
    response = services.questionnaires.record(
        who, patient, "pain_nrs", {"pain_now": 3}, "baseline", "clinician"
    )
    screening = services.red_flags.record(who, patient, "cauda_equina", NO_FLAGS)
    draft = services.assessments.save_draft(who, patient, {"presenting_complaint": "Knee pain"})
    assert (response.episode_id, draft.episode_id) == (second, second)

    # Naming an episode of the same patient puts the record there instead.
    named = services.assessments.save_draft(
        who, patient, {"presenting_complaint": "Knee pain"}, episode_id=first
    )
    assert named.episode_id == first

    # Once the later episode closes, new records go back to the one still open.
    _close(clinic, second)
    still_open = services.patients.open(who, patient).open_episode
    assert still_open is not None
    assert still_open.id == first
    later_screening = services.red_flags.record(who, patient, "cauda_equina", NO_FLAGS)
    with services.context.store.sessions() as session:
        stored = {
            row_id: episode
            for model in (QuestionnaireResponse, RedFlagScreening, Assessment)
            for row_id, episode in session.execute(select(model.id, model.episode_id))
        }
    assert stored[response.id] == second
    assert stored[screening.id] == second  # a screening's view does not show its episode
    assert stored[draft.id] == second
    assert stored[later_screening.id] == first
    assert stored[named.id] == first
    assert stored[before.id] is None


def test_records_with_no_open_episode_belong_to_none(clinic: Clinic) -> None:
    """After the only episode closes, a new record is stored with no episode."""
    episode = _book(clinic)
    _close(clinic, episode)
    record = clinic.services.patients.open(clinic.clinician, clinic.patient_id)
    assert [e.status for e in record.episodes] == [EpisodeStatus.CLOSED]
    assert record.open_episode is None
    response = clinic.services.questionnaires.record(
        clinic.clinician, clinic.patient_id, "pain_nrs", {"pain_now": 2}, "baseline", "patient"
    )
    assert response.episode_id is None


# ---------------------------------------------------------------- baselines per episode


def test_a_new_episode_starts_with_a_new_baseline(clinic: Clinic) -> None:
    """next_timepoint is baseline in a new episode though an earlier one has a complete one."""
    questionnaires, who, patient = (
        clinic.services.questionnaires,
        clinic.clinician,
        clinic.patient_id,
    )
    first = _book(clinic, on=FIRST_DAY)
    questionnaires.record(who, patient, "msk_hq", _msk_hq(1), "baseline", "clinician")
    assert questionnaires.next_timepoint(who, patient, "msk_hq") == "follow_up"

    second = _book(clinic, on=LATER_DAY)
    assert questionnaires.next_timepoint(who, patient, "msk_hq") == "baseline"
    assert questionnaires.next_timepoint(who, patient, "msk_hq", episode_id=second) == "baseline"
    assert questionnaires.next_timepoint(who, patient, "msk_hq", episode_id=first) == "follow_up"

    questionnaires.record(who, patient, "msk_hq", _msk_hq(2), "baseline", "clinician")
    assert questionnaires.next_timepoint(who, patient, "msk_hq") == "follow_up"


def test_a_second_baseline_for_the_same_episode_is_refused(clinic: Clinic) -> None:
    """Once an episode has a complete baseline, another baseline there is a coded conflict."""
    questionnaires, who, patient = (
        clinic.services.questionnaires,
        clinic.clinician,
        clinic.patient_id,
    )
    first = _book(clinic, on=FIRST_DAY)
    partial = _msk_hq(1)
    partial["mskhq_05"] = None
    # An incomplete baseline does not count: a complete one may still follow it.
    questionnaires.record(who, patient, "msk_hq", partial, "baseline", "patient")
    questionnaires.record(who, patient, "msk_hq", _msk_hq(1), "baseline", "patient")
    with pytest.raises(Conflict) as caught:
        questionnaires.record(who, patient, "msk_hq", _msk_hq(1), "baseline", "patient")
    assert caught.value.code == "questionnaire.baseline_exists"
    # Follow-ups, another questionnaire and a new episode's baseline are all still welcome.
    questionnaires.record(who, patient, "msk_hq", _msk_hq(2), "follow_up", "clinician")
    questionnaires.record(who, patient, "pain_nrs", {"pain_now": 3}, "baseline", "clinician")
    second = _book(clinic, on=LATER_DAY)
    questionnaires.record(
        who, patient, "msk_hq", _msk_hq(3), "baseline", "clinician", episode_id=second
    )
    with clinic.services.context.store.sessions() as session:
        baselines = session.scalars(
            select(QuestionnaireResponse.episode_id).where(
                QuestionnaireResponse.questionnaire_id == "msk_hq",
                QuestionnaireResponse.timepoint == "baseline",
                QuestionnaireResponse.complete.is_(True),
            )
        ).all()
    assert sorted(map(str, baselines)) == sorted([str(first), str(second)])


def test_a_closed_episode_baseline_does_not_carry_over(clinic: Clinic) -> None:
    """With the first episode closed, a second booking asks for a baseline again."""
    questionnaires, who, patient = (
        clinic.services.questionnaires,
        clinic.clinician,
        clinic.patient_id,
    )
    first = _book(clinic, on=FIRST_DAY)
    questionnaires.record(who, patient, "msk_hq", _msk_hq(1), "baseline", "clinician")
    _close(clinic, first)
    assert questionnaires.next_timepoint(who, patient, "msk_hq") == "baseline"
    _book(clinic, on=LATER_DAY)
    assert questionnaires.next_timepoint(who, patient, "msk_hq") == "baseline"


def test_history_compares_follow_ups_with_their_own_episode_baseline(clinic: Clinic) -> None:
    """A follow-up is measured against its episode's baseline, never another episode's."""
    record = clinic.services.questionnaires.record
    who, patient = clinic.clinician, clinic.patient_id
    first = _book(clinic, on=FIRST_DAY)
    base_1 = record(who, patient, "msk_hq", _msk_hq(1), "baseline", "clinician")  # 14
    up_1 = record(who, patient, "msk_hq", _msk_hq(2), "follow_up", "clinician")  # 28

    second = _book(clinic, on=LATER_DAY)
    orphan = record(who, patient, "msk_hq", _msk_hq(1), "follow_up", "patient")  # no baseline yet
    base_2 = record(who, patient, "msk_hq", _msk_hq(2), "baseline", "patient")  # 28
    # 14 is no change from the first episode's 14, but worse than this episode's 28.
    up_2 = record(who, patient, "msk_hq", _msk_hq(1), "follow_up", "patient")
    # A late follow-up named to the first episode still compares with that episode's baseline.
    late_1 = record(who, patient, "msk_hq", _msk_hq(1), "follow_up", "clinician", episode_id=first)

    history = clinic.services.questionnaires.history(who, patient, "msk_hq")
    by_id = {h.response.id: h for h in history}
    assert [h.response.id for h in history] == [
        base_1.id,
        up_1.id,
        orphan.id,
        base_2.id,
        up_2.id,
        late_1.id,
    ]
    assert (by_id[up_1.id].baseline_id, by_id[up_1.id].change) == (
        base_1.id,
        ImportantChange.IMPROVED,
    )
    assert (by_id[orphan.id].baseline_id, by_id[orphan.id].change) == (None, None)
    assert by_id[orphan.id].response.episode_id == second
    assert (by_id[up_2.id].baseline_id, by_id[up_2.id].change) == (
        base_2.id,
        ImportantChange.WORSENED,
    )
    assert by_id[late_1.id].baseline_id == base_1.id
    assert by_id[late_1.id].response.episode_id == first


# ---------------------------------------------------------------- another patient's episode


def test_another_patients_episode_is_refused(clinic: Clinic) -> None:
    """Naming another patient's (or no) episode raises episode.not_found and stores nothing."""
    services, who, other = clinic.services, clinic.clinician, clinic.other_id
    theirs = _book(clinic)  # the first patient's episode
    attempts = {
        "questionnaire": lambda e: services.questionnaires.record(
            who, other, "pain_nrs", {"pain_now": 4}, "baseline", "clinician", episode_id=e
        ),
        "red flags": lambda e: services.red_flags.record(
            who, other, "cauda_equina", NO_FLAGS, episode_id=e
        ),
        "assessment": lambda e: services.assessments.save_draft(
            who, other, {"presenting_complaint": "Knee pain"}, episode_id=e
        ),
        "next timepoint": lambda e: services.questionnaires.next_timepoint(
            who, other, "msk_hq", episode_id=e
        ),
    }
    for name, attempt in attempts.items():
        for episode in (theirs, uuid.uuid4()):
            with pytest.raises(NotFound) as caught:
                attempt(episode)
            assert caught.value.code == "episode.not_found", name
    with services.context.store.sessions() as session:
        for model in (QuestionnaireResponse, RedFlagScreening, Assessment):
            count = session.scalar(
                select(func.count()).select_from(model).where(model.patient_id == other)
            )
            assert count == 0, model.__tablename__


# ---------------------------------------------------------------- a merged registration


def _baseline_then_merged(clinic: Clinic) -> uuid.UUID:
    """The same person registered twice: triaged and given their baseline MSK-HQ under the
    second registration, which a person has since merged into this record. Its episode."""
    episode = _book(clinic, clinic.other_id)
    clinic.services.questionnaires.record(
        clinic.clinician, clinic.other_id, "msk_hq", _msk_hq(1), "baseline", "clinician"
    )
    merged_by_sync(clinic.services, survivor=clinic.patient_id, merged=clinic.other_id)
    return episode


def test_a_follow_up_msk_hq_on_the_surviving_record_is_set_against_the_merged_baseline(
    clinic: Clinic,
) -> None:
    questionnaires, who = clinic.services.questionnaires, clinic.clinician
    episode = _baseline_then_merged(clinic)
    record = clinic.services.patients.open(who, clinic.patient_id)
    assert record.open_episode is not None
    assert record.open_episode.id == episode

    # At their follow-up, on the record that stands for them, the form is a follow-up.
    clinic.services.context.today = lambda: LATER_DAY
    assert questionnaires.next_timepoint(who, clinic.patient_id, "msk_hq") == "follow_up"


def test_the_open_episode_of_a_merged_registration_takes_a_record_from_the_surviving_record(
    clinic: Clinic,
) -> None:
    questionnaires, who = clinic.services.questionnaires, clinic.clinician
    episode = _baseline_then_merged(clinic)

    # The episode the surviving record shows as open is chosen for the follow-up.
    questionnaires.record(
        who, clinic.patient_id, "msk_hq", _msk_hq(3), "follow_up", "clinician", episode_id=episode
    )
    *_, latest = questionnaires.history(who, clinic.patient_id, "msk_hq")
    assert latest.change is ImportantChange.IMPROVED


def test_a_response_given_under_a_merged_registration_opens_from_the_surviving_record(
    clinic: Clinic,
) -> None:
    questionnaires, who = clinic.services.questionnaires, clinic.clinician
    _book(clinic, clinic.other_id)
    given = questionnaires.record(
        who, clinic.other_id, "msk_hq", _msk_hq(1), "baseline", "clinician"
    )
    # Before the merge the two registrations are two patients: never opened one from the other.
    with pytest.raises(NotFound):
        questionnaires.response(who, clinic.patient_id, given.id)
    merged_by_sync(clinic.services, survivor=clinic.patient_id, merged=clinic.other_id)

    assert questionnaires.response(who, clinic.patient_id, given.id).id == given.id
    assert questionnaires.questionnaire_of(who, clinic.patient_id, given.id) == "msk_hq"
