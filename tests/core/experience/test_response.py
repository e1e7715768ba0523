"""Recording the patient's answer, withdrawing it, who reads it, and what the figures count."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from clinic_app.domains.experience.model import FftResponse
from clinic_app.domains.experience.record import FFT_RESPONSE, fft_facts
from clinic_app.figures.engine import Request, compute
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.errors import Conflict, FormErrors, NotFound, PermissionDenied
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.people.care import EpisodeOfCare
from tests.support.demo_clinic import Clinic
from tests.support.merges import merged_by_sync


def _row(clinic: Clinic, response_id: object) -> FftResponse:
    with clinic.services.context.store.sessions() as session:
        row = session.get(FftResponse, response_id)
        assert row is not None
        return row


def test_the_answer_is_recorded_under_the_clinician_in_the_open_episode(clinic: Clinic) -> None:
    experience = clinic.services.experience

    recorded = experience.record(
        clinic.clinician, clinic.patient, "very_good", "  Kind   staff.\n\nThank you  "
    )

    row = _row(clinic, recorded.id)
    assert (row.answer, row.status, row.question_version) == ("very_good", "recorded", "2020")
    assert row.comment == "Kind staff.\n\nThank you"
    assert row.recorded_by == clinic.clinician.id
    assert row.answered_by == "patient"
    with clinic.services.context.store.sessions() as session:
        episode = session.scalars(
            select(EpisodeOfCare.id).where(EpisodeOfCare.patient_id == clinic.patient)
        ).first()
        assert row.episode_id == episode
        # It syncs like every record, and its recording is in the audit trail.
        assert session.scalars(select(OutboxEntry).where(OutboxEntry.row_id == row.id)).first()
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "fft.record")).first()


def test_the_question_is_the_published_one(clinic: Clinic) -> None:
    shown = clinic.services.experience.question(clinic.clinician)

    assert shown.question == "Overall, how was your experience of our service?"
    assert shown.answers[0] == ("very_good", "Very good")
    assert len(shown.answers) == 6


@pytest.mark.parametrize(
    ("answer", "comment", "problems"),
    [
        (None, "", [("experience.no_answer", "answer")]),
        ("", "", [("experience.no_answer", "answer")]),
        ("excellent", "", [("experience.unknown_answer", "answer")]),
        ("good", "x" * 2001, [("text.too_long", "comment")]),
        (None, "x" * 2001, [("experience.no_answer", "answer"), ("text.too_long", "comment")]),
    ],
)
def test_an_answer_must_be_one_of_the_six(
    clinic: Clinic, answer: str | None, comment: str, problems: list[tuple[str, str]]
) -> None:
    with pytest.raises(FormErrors) as refused:
        clinic.services.experience.record(clinic.clinician, clinic.patient, answer, comment)

    assert [(e.code, e.field) for e in refused.value.errors] == problems


def test_the_longest_comment_is_kept_whole(clinic: Clinic) -> None:
    recorded = clinic.services.experience.record(
        clinic.clinician, clinic.patient, "good", "y" * 2000
    )

    assert _row(clinic, recorded.id).comment == "y" * 2000


def test_another_patients_episode_is_refused(clinic: Clinic) -> None:
    with clinic.services.context.store.sessions() as session:
        theirs = session.scalars(
            select(EpisodeOfCare.id).where(EpisodeOfCare.patient_id == clinic.other)
        ).first()

    with pytest.raises(NotFound) as refused:
        clinic.services.experience.record(
            clinic.clinician, clinic.patient, "good", episode_id=theirs
        )
    assert refused.value.code == "episode.not_found"


def test_a_withdrawn_answer_is_kept_and_cannot_be_withdrawn_again(clinic: Clinic) -> None:
    experience = clinic.services.experience
    recorded = experience.record(clinic.clinician, clinic.patient, "poor")
    reception = clinic.login("admin")

    with pytest.raises(NotFound):
        experience.withdraw(reception, clinic.other, recorded.id)
    experience.withdraw(reception, clinic.patient, recorded.id)

    row = _row(clinic, recorded.id)
    assert (row.status, row.answer, row.withdrawn_by) == ("withdrawn", "poor", reception.id)
    with pytest.raises(Conflict) as refused:
        experience.withdraw(clinic.clinician, clinic.patient, recorded.id)
    assert refused.value.code == "experience.withdrawn"


def test_only_the_service_lead_reads_the_answers_and_words(clinic: Clinic) -> None:
    experience = clinic.services.experience
    experience.record(clinic.clinician, clinic.patient, "neither", "The wait was long.")

    with pytest.raises(PermissionDenied):
        experience.for_patient(clinic.clinician, clinic.patient)
    lead = clinic.login("admin")
    [seen] = experience.for_patient(lead, clinic.patient)

    assert (seen.answer_words, seen.comment) == ("Neither good nor poor", "The wait was long.")
    assert experience.for_patient(lead, clinic.other) == []


def test_the_timeline_says_an_answer_was_given_never_which(clinic: Clinic) -> None:
    clinic.services.experience.record(clinic.clinician, clinic.patient, "very_poor", "Rude.")

    entries = [
        entry
        for entry in clinic.services.timeline.for_patient(clinic.clinician, clinic.patient).entries
        if entry.kind == FFT_RESPONSE.code
    ]

    assert len(entries) == 1
    shown = f"{entries[0].description} {entries[0].detail}"
    assert shown.startswith("Friends and Family Test, answered, ")
    assert "poor" not in shown.casefold()
    assert "Rude" not in shown


POSITIVE = "patient_experience_positive"


def test_the_figures_count_responses_and_positive_ones_not_withdrawn(clinic: Clinic) -> None:
    experience = clinic.services.experience
    for answer in ("very_good", "good", "neither", "poor", "dont_know", "very_good"):
        experience.record(clinic.clinician, clinic.patient, answer)
    withdrawn = experience.record(clinic.clinician, clinic.other, "good")
    experience.withdraw(clinic.clinician, clinic.other, withdrawn.id)
    now = datetime.now(UTC)
    month = now.date()
    last_year = month.replace(year=month.year - 1)

    with clinic.services.context.store.sessions() as session:
        counted = compute(session, Request(POSITIVE, month, month))
        before = compute(session, Request(POSITIVE, last_year, last_year))
        facts = session.execute(fft_facts()).mappings().all()

    # 3 of the 6 counted responses are very good or good: 50% positive.
    [row] = counted.rows
    assert (row.numerator, row.denominator, row.value, row.status) == (3, 6, 0.5, "ok")
    assert counted.status == "ok"
    assert before.status == "no data"
    assert len(facts) == 6
    assert "comment" not in facts[0]
    assert sum(f["positive"] for f in facts) == 3
    assert sum(f["answered"] for f in facts) == 5
    assert {f["clinician_id"] for f in facts} == {clinic.clinician.id}


def test_an_answer_given_under_a_merged_registration_is_withdrawn_from_the_surviving_record(
    clinic: Clinic,
) -> None:
    experience = clinic.services.experience
    recorded = experience.record(clinic.clinician, clinic.other, "poor")
    reception = clinic.login("admin")
    with pytest.raises(NotFound):  # not theirs until the registrations are merged
        experience.withdraw(reception, clinic.patient, recorded.id)

    merged_by_sync(clinic.services, survivor=clinic.patient, merged=clinic.other)

    lead = clinic.login("admin")  # the service lead
    assert [r.id for r in experience.for_patient(lead, clinic.patient)] == [recorded.id]
    experience.withdraw(reception, clinic.patient, recorded.id)
    assert _row(clinic, recorded.id).status == "withdrawn"
