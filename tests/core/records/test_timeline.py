"""The patient's timeline: every registered kind, in time order, by episode, one patient only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, ValidationError
from clinic_app.kernel.uow import SYSTEM
from clinic_app.kernel.vocabulary import EpisodeStatus, Role
from clinic_app.people.views import PatientInput, ReferralInput
from clinic_app.records.timeline import PatientTimeline, TimelineEntry, timeline_sources

PASSWORD = "correct horse battery"
NO_FLAGS = {
    "back_or_leg_pain": "yes",
    "bladder_change": "no",
    "bowel_change": "no",
    "saddle_numbness": "no",
    "bilateral_leg_symptoms": "no",
    "sexual_dysfunction": "no",
}
CLINICAL_KINDS = {
    "referral",
    "triage_decision",
    "episode",
    "assessment",
    "assessment_addendum",
    "red_flag_screening",
    "questionnaire_response",
    "imaging_study",
    "scan_report",
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
    services.context.today = lambda: date(2025, 3, 10)
    return Clinic(
        services=services,
        clinician=services.auth.login("physio", PASSWORD),
        patient_id=_patient(services, "9990000018", "Ashworth"),
        other_id=_patient(services, "9990000026", "Begum"),
    )


def _referral(clinic: Clinic, patient_id: uuid.UUID, priority: str = "urgent") -> uuid.UUID:
    return clinic.services.referrals.create(
        SYSTEM,
        ReferralInput(
            patient_id=patient_id,
            source="gp",
            received_on="2025-03-03",
            referrer_name="Dr A Hughes",
            reason="Low back pain for six weeks",
            specialty="physiotherapy",
            priority=priority,
        ),
    ).id


def _everything(clinic: Clinic, patient_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """One of each clinical record for a patient, as a morning in clinic makes them."""
    services, who = clinic.services, clinic.clinician
    referral = _referral(clinic, patient_id)
    triage = services.triage.triage(
        who,
        referral,
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
    )
    response = services.questionnaires.record(
        who, patient_id, "pain_nrs", {"pain_now": 6}, "baseline", "clinician"
    )
    screening = services.red_flags.record(who, patient_id, "cauda_equina", NO_FLAGS)
    signed = services.assessments.save_draft(
        who,
        patient_id,
        {
            "presenting_complaint": "Low back pain",
            "duration": "Six weeks",
            "examination": "Reduced flexion",
            "diagnosis_text": "Non-specific low back pain",
        },
    )
    services.assessments.sign(who, signed.id, PASSWORD)
    services.assessments.add_addendum(who, signed.id, "Telephoned: improving.", PASSWORD)
    draft = services.assessments.save_draft(who, patient_id, {"presenting_complaint": "Review"})
    frame = np.random.default_rng(1).integers(0, 90, (48, 64, 3), dtype=np.uint8)
    image = services.imaging.capture_still(who, patient_id, frame, body_part="KNEE", laterality="R")
    assert image.study_id is not None
    report = services.reports.start(who, image.study_id)
    services.reports.save(
        who,
        report.id,
        {
            "findings": "Small effusion.",
            "impression": "Effusion.",
            "body_region": "Knee",
            "key_images": [str(image.id)],
        },
    )
    services.reports.sign(who, report.id, PASSWORD)
    assert triage.episode_id is not None
    return {
        "referral": referral,
        "triage_decision": triage.id,
        "episode": triage.episode_id,
        "questionnaire_response": response.id,
        "red_flag_screening": screening.id,
        "assessment": signed.id,
        "draft": draft.id,
        "imaging_study": image.study_id,
        "scan_report": report.id,
    }


def _timeline(clinic: Clinic, patient_id: uuid.UUID) -> PatientTimeline:
    return clinic.services.timeline.for_patient(clinic.clinician, patient_id)


def _one(timeline: PatientTimeline, kind: str, record_id: uuid.UUID) -> TimelineEntry:
    [entry] = [e for e in timeline.of_kind(kind) if e.record_id == record_id]
    return entry


def test_every_kind_appears_and_opens_where_it_is_read_continued_or_added_to(
    clinic: Clinic,
) -> None:
    """Each registered kind is on the timeline; drafts continue, signed records are added to."""
    made = _everything(clinic, clinic.patient_id)
    timeline = _timeline(clinic, clinic.patient_id)
    assert {entry.kind for entry in timeline.entries} == CLINICAL_KINDS
    assert set(timeline_sources()) >= {
        "referral",
        "assessment",
        "red_flag_screening",
        "questionnaire_response",
        "imaging_study",
        "scan_report",
        "episode",
    }

    draft = _one(timeline, "assessment", made["draft"])
    assert (draft.status, draft.can_continue, draft.can_add_to) == ("draft", True, False)
    assert (draft.screen_id, draft.item_id) == ("assessment", made["draft"])
    signed = _one(timeline, "assessment", made["assessment"])
    assert (signed.status, signed.can_continue, signed.can_add_to) == ("signed", False, True)
    [addendum] = timeline.of_kind("assessment_addendum")
    assert (addendum.item_id, addendum.can_add_to) == (made["assessment"], True)

    report = _one(timeline, "scan_report", made["scan_report"])
    assert (report.status, report.screen_id, report.item_id, report.detail) == (
        "signed",
        "report",
        made["scan_report"],
        "Knee",
    )
    response = _one(timeline, "questionnaire_response", made["questionnaire_response"])
    assert response.detail.startswith("Score 6")
    screening = _one(timeline, "red_flag_screening", made["red_flag_screening"])
    assert screening.detail.startswith("Outcome: ")
    study = _one(timeline, "imaging_study", made["imaging_study"])
    assert (study.screen_id, study.detail) == ("imaging", "1 image")


def test_a_triage_downgrade_is_shown_and_the_referral_carries_the_triaged_priority(
    clinic: Clinic,
) -> None:
    """Referred urgent, triaged routine: the referral shows routine, the decision says so."""
    made = _everything(clinic, clinic.patient_id)
    timeline = _timeline(clinic, clinic.patient_id)
    referral = _one(timeline, "referral", made["referral"])
    assert (referral.priority, referral.status) == ("routine", "triaged")
    decision = _one(timeline, "triage_decision", made["triage_decision"])
    assert decision.priority == "routine"
    assert "downgraded from urgent" in decision.detail

    waiting = _referral(clinic, clinic.patient_id, priority="urgent")
    untriaged = _one(_timeline(clinic, clinic.patient_id), "referral", waiting)
    assert (untriaged.priority, untriaged.status, untriaged.episode_id) == (
        "urgent",
        "received",
        None,
    )


def test_entries_come_newest_first_grouped_by_episode(clinic: Clinic) -> None:
    """Within each episode newest first; records made before any episode group apart."""
    services, who = clinic.services, clinic.clinician
    before = services.questionnaires.record(
        who, clinic.patient_id, "pain_nrs", {"pain_now": 8}, "baseline", "clinician"
    )
    made = _everything(clinic, clinic.patient_id)
    timeline = _timeline(clinic, clinic.patient_id)

    [episode, loose] = timeline.episodes
    assert episode.episode is not None
    assert episode.episode.id == made["episode"]
    assert loose.episode is None
    assert [e.record_id for e in loose.entries] == [before.id]
    assert all(e.episode_id == made["episode"] for e in episode.entries)
    moments = [e.when for e in episode.entries]
    assert moments == sorted(moments, reverse=True)
    # The episode opened on the day of triage; the referral came in the week before.
    assert episode.entries[-1].kind == "referral"
    assert episode.entries[-2].kind == "episode"


def test_a_record_of_another_patient_never_appears(clinic: Clinic) -> None:
    """Two patients with the same kinds of record: each timeline holds only its own."""
    mine = _everything(clinic, clinic.patient_id)
    theirs = _everything(clinic, clinic.other_id)
    own = _timeline(clinic, clinic.patient_id)
    other = _timeline(clinic, clinic.other_id)
    assert {e.patient_id for e in own.entries} == {clinic.patient_id}
    assert {e.patient_id for e in other.entries} == {clinic.other_id}
    own_ids = {e.record_id for e in own.entries}
    assert not own_ids & {e.record_id for e in other.entries}
    assert set(mine.values()) - {mine["draft"]} <= own_ids | {mine["episode"]}
    assert not set(theirs.values()) & own_ids
    assert len(own.entries) == len(other.entries)


def test_an_episode_is_closed_and_reopened_with_reasons_kept_and_audited(
    clinic: Clinic,
) -> None:
    """Discharge closes the episode; reopening keeps the close; both are on the timeline."""
    made = _everything(clinic, clinic.patient_id)
    episodes = clinic.services.episodes
    with pytest.raises(ValidationError) as blank:
        episodes.close(clinic.clinician, made["episode"], "   ")
    assert (blank.value.code, blank.value.field) == ("text.empty", "reason")

    closed = episodes.close(clinic.clinician, made["episode"], "Goals met; self-managing")
    assert (closed.status, closed.ended_on, closed.end_reason) == (
        EpisodeStatus.CLOSED,
        date(2025, 3, 10),
        "Goals met; self-managing",
    )
    with pytest.raises(Conflict) as twice:
        episodes.close(clinic.clinician, made["episode"], "Again")
    assert twice.value.code == "episode.already_closed"
    record = clinic.services.patients.open(clinic.clinician, clinic.patient_id)
    assert record.open_episode is None

    reopened = episodes.reopen(clinic.clinician, made["episode"], "Pain returned within 6 weeks")
    assert (reopened.status, reopened.ended_on, reopened.end_reason) == (
        EpisodeStatus.OPEN,
        None,
        None,
    )
    with pytest.raises(Conflict) as open_already:
        episodes.reopen(clinic.clinician, made["episode"], "Again")
    assert open_already.value.code == "episode.already_open"

    changes = [
        (e.description, e.detail, e.status)
        for e in _timeline(clinic, clinic.patient_id).of_kind("episode")
        if e.record_id != made["episode"]
    ]
    assert changes == [
        ("Episode reopened", "Pain returned within 6 weeks", "open"),
        ("Discharged: episode closed", "Goals met; self-managing", "closed"),
    ]
    with clinic.services.context.store.sessions() as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action).where(AuditEntry.patient_id == clinic.patient_id)
            )
        )
    assert actions.count("episode.close") == 1
    assert actions.count("episode.reopen") == 1
