"""The contact note: started from an appointment, drafted, signed, added to, printed."""

from __future__ import annotations

import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Table, select, text, update

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.appointments.rules import Status, clinic_day
from clinic_app.domains.contacts.model import ContactNote
from clinic_app.domains.contacts.record import CONTACT_NOTE
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    FormErrors,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from clinic_app.kernel.vocabulary import ResponseMode, Timepoint
from clinic_app.people.model import Patient
from tests.core.contacts.booked import seen_today
from tests.support.printed import page_words, pages_missing, without_nhs_number

PASSWORD = demo_password("clinician")

SOAP = {
    "subjective": "Knee better since last seen; stairs still sore.",
    "objective": "Flexion 120 degrees, no effusion.",
    "treatment": "Progressed loading programme.",
    "plan": "Review in four weeks.",
}
SQUATS = {"name": "Sit to stand", "sets": 3, "reps": 10, "load": "Body weight"}


@pytest.fixture
def clinician(demo: Services) -> CurrentUser:
    return demo.auth.login("clinician", PASSWORD)


def _two_patients(demo: Services, user: CurrentUser) -> tuple[uuid.UUID, uuid.UUID]:
    first, second = demo.patients.search(user, "999", limit=2)
    return first.id, second.id


def test_a_note_starts_from_the_appointment_once_and_drafts_its_sections(
    demo: Services, clinician: CurrentUser
) -> None:
    patient, _other = _two_patients(demo, clinician)
    appointment = seen_today(demo, clinician, patient)
    notes = demo.contact_notes
    started = notes.start(clinician, patient, appointment)
    assert started.appointment_id == appointment
    assert started.care_contact_id is not None
    assert started.status == "draft"
    assert not started.is_signed
    # Starting again continues the same draft.
    assert notes.start(clinician, patient, appointment).id == started.id
    saved = notes.save_draft(
        clinician, patient, {**SOAP, "subjective": "  Better  ", "exercises": [SQUATS]}, started.id
    )
    assert saved.content["subjective"] == "Better"
    assert [dict(e) for e in saved.exercises] == [SQUATS]
    assert saved.summary.startswith("Contact note, draft, ")
    assert [v.id for v in notes.for_patient(clinician, patient)] == [started.id]


def test_an_appointment_of_another_patient_is_refused(
    demo: Services, clinician: CurrentUser
) -> None:
    patient, other = _two_patients(demo, clinician)
    theirs = seen_today(demo, clinician, other)
    with pytest.raises(NotFound) as refused:
        demo.contact_notes.start(clinician, patient, theirs)
    assert refused.value.code == "contact_note.appointment_not_found"
    assert demo.contact_notes.for_patient(clinician, patient) == ()
    assert demo.contact_notes.for_patient(clinician, other) == ()
    # And a draft never moves to another patient, nor is shown under another's banner.
    mine = demo.contact_notes.start(clinician, patient, seen_today(demo, clinician, patient))
    with pytest.raises(Conflict) as moved:
        demo.contact_notes.save_draft(clinician, other, SOAP, mine.id)
    assert moved.value.code == "contact_note.wrong_patient"
    with pytest.raises(NotFound):
        demo.contact_notes.get(clinician, mine.id, other)


def test_no_note_for_a_cancelled_appointment_or_a_non_attendance(
    demo: Services, clinician: CurrentUser
) -> None:
    patient, _other = _two_patients(demo, clinician)
    for status in (Status.CANCELLED, Status.DNA):
        appointment = seen_today(demo, clinician, patient, status=status)
        with pytest.raises(Conflict) as refused:
            demo.contact_notes.start(clinician, patient, appointment)
        assert refused.value.code == "contact_note.not_seen"


@pytest.mark.parametrize(
    ("exercise", "field", "code"),
    [
        ({"name": "", "sets": 3, "reps": 10}, "exercises.0.name", "exercise_name_required"),
        ({"name": "Bridge", "sets": 0, "reps": 10}, "exercises.0.sets", "exercise_sets_range"),
        ({"name": "Bridge", "sets": 21, "reps": 10}, "exercises.0.sets", "exercise_sets_range"),
        ({"name": "Bridge", "sets": "2.5", "reps": 10}, "exercises.0.sets", "exercise_sets_range"),
        ({"name": "Bridge", "sets": True, "reps": 10}, "exercises.0.sets", "exercise_sets_range"),
        ({"name": "Bridge", "sets": 3, "reps": 0}, "exercises.0.reps", "exercise_reps_range"),
        ({"name": "Bridge", "sets": 3, "reps": 201}, "exercises.0.reps", "exercise_reps_range"),
        ({"name": "Bridge", "sets": 3}, "exercises.0.reps", "exercise_reps_range"),
        ({"name": "B" * 121, "sets": 3, "reps": 5}, "exercises.0.name", "text.too_long"),
        ({"name": "Bridge", "sets": 3, "reps": 5, "notes": "n" * 501}, "exercises.0.notes", None),
    ],
)
def test_each_bad_exercise_is_named_by_its_field(
    demo: Services,
    clinician: CurrentUser,
    exercise: dict[str, object],
    field: str,
    code: str | None,
) -> None:
    patient, _other = _two_patients(demo, clinician)
    note = demo.contact_notes.start(clinician, patient, seen_today(demo, clinician, patient))
    with pytest.raises(FormErrors) as bad:
        demo.contact_notes.save_draft(
            clinician, patient, {**SOAP, "exercises": [exercise]}, note.id
        )
    expected = code if code is None or "." in code else f"contact_note.{code}"
    assert [(e.field, e.code) for e in bad.value.errors] == [(field, expected or "text.too_long")]


def test_a_good_row_before_a_bad_one_is_kept_apart_and_strings_of_digits_count(
    demo: Services, clinician: CurrentUser
) -> None:
    patient, _other = _two_patients(demo, clinician)
    note = demo.contact_notes.start(clinician, patient, seen_today(demo, clinician, patient))
    with pytest.raises(FormErrors) as bad:
        demo.contact_notes.save_draft(
            clinician,
            patient,
            {"exercises": [SQUATS, {"name": "", "sets": 99, "reps": "8"}]},
            note.id,
        )
    assert [(e.field, e.code) for e in bad.value.errors] == [
        ("exercises.1.name", "contact_note.exercise_name_required"),
        ("exercises.1.sets", "contact_note.exercise_sets_range"),
    ]
    saved = demo.contact_notes.save_draft(
        clinician,
        patient,
        {"exercises": [{"name": "Calf raise", "sets": "2", "reps": "15"}]},
        note.id,
    )
    assert [dict(e) for e in saved.exercises] == [{"name": "Calf raise", "sets": 2, "reps": 15}]


def test_signing_needs_the_password_and_the_plan_then_nothing_changes(
    demo: Services, clinician: CurrentUser
) -> None:
    patient, _other = _two_patients(demo, clinician)
    note = demo.contact_notes.start(clinician, patient, seen_today(demo, clinician, patient))
    demo.contact_notes.save_draft(clinician, patient, {"objective": "Full range"}, note.id)
    with pytest.raises(FormErrors) as missing:
        demo.contact_notes.sign(clinician, note.id, PASSWORD)
    assert [(e.code, e.field) for e in missing.value.errors] == [
        ("contact_note.required_to_sign", "subjective"),
        ("contact_note.required_to_sign", "plan"),
    ]
    demo.contact_notes.save_draft(clinician, patient, {**SOAP, "exercises": [SQUATS]}, note.id)
    with pytest.raises(AuthenticationFailed):
        demo.contact_notes.sign(clinician, note.id, "not my password")
    other = demo.auth.login("supervisor", demo_password("supervisor"))
    with pytest.raises(PermissionDenied) as not_author:
        demo.contact_notes.sign(other, note.id, demo_password("supervisor"))
    assert not_author.value.code == "contact_note.not_author"
    signed = demo.contact_notes.sign(clinician, note.id, PASSWORD)
    assert signed.is_signed
    assert signed.intact
    assert signed.attestation == CONTACT_NOTE.attestations["sign"]
    assert signed.signer_name.startswith("Priya Shah")
    with pytest.raises(Conflict) as after:
        demo.contact_notes.save_draft(clinician, patient, {**SOAP, "plan": "changed"}, note.id)
    assert after.value.code == "contact_note.signed"
    with pytest.raises(Conflict):
        demo.contact_notes.sign(clinician, note.id, PASSWORD)
    # Starting from the same appointment again gives a new draft, never the signed note.
    again = demo.contact_notes.start(clinician, patient, signed.appointment_id or uuid.uuid4())
    assert again.id != signed.id
    assert not again.is_signed
    # The seal covers the exercises: changing one outside the app is reported.
    with demo.context.store.engine.begin() as connection:
        stored = connection.execute(
            text("SELECT content FROM contact_note WHERE id = :i"), {"i": note.id.hex}
        ).scalar_one()
        connection.execute(
            text("UPDATE contact_note SET content = :c WHERE id = :i"),
            {"c": stored.replace('"sets": 3', '"sets": 4'), "i": note.id.hex},
        )
    assert not demo.contact_notes.get(clinician, note.id).intact


def test_a_signed_note_is_added_to_by_signed_addenda(
    demo: Services, clinician: CurrentUser
) -> None:
    patient, _other = _two_patients(demo, clinician)
    note = demo.contact_notes.start(clinician, patient, seen_today(demo, clinician, patient))
    with pytest.raises(Conflict) as draft:
        demo.contact_notes.add_addendum(clinician, note.id, "Too early", PASSWORD)
    assert draft.value.code == "contact_note.not_signed"
    demo.contact_notes.save_draft(clinician, patient, SOAP, note.id)
    demo.contact_notes.sign(clinician, note.id, PASSWORD)
    with pytest.raises(ValidationError) as empty:
        demo.contact_notes.add_addendum(clinician, note.id, "   ", PASSWORD)
    assert (empty.value.code, empty.value.field) == ("text.empty", "text")
    with pytest.raises(AuthenticationFailed):
        demo.contact_notes.add_addendum(clinician, note.id, "Phoned patient", "wrong")
    added = demo.contact_notes.add_addendum(clinician, note.id, " Phoned: pain settled. ", PASSWORD)
    [addendum] = added.addenda
    assert addendum.text == "Phoned: pain settled."
    assert addendum.intact
    assert added.intact
    assert added.content["plan"] == SOAP["plan"]
    entries = demo.timeline.for_patient(clinician, patient)
    (entry,) = entries.of_kind("contact_note")
    assert (entry.status, entry.can_add_to, entry.screen_id, entry.item_id) == (
        "signed",
        True,
        "contact_note",
        note.id,
    )
    (later,) = entries.of_kind("contact_note_addendum")
    assert later.item_id == note.id


def test_the_unfinished_offer_names_patients_with_a_draft(
    demo: Services, clinician: CurrentUser
) -> None:
    patient, other = _two_patients(demo, clinician)
    appointment = seen_today(demo, clinician, patient)
    note = demo.contact_notes.start(clinician, patient, appointment)
    signed = demo.contact_notes.start(clinician, other, seen_today(demo, clinician, other))
    demo.contact_notes.save_draft(clinician, other, SOAP, signed.id)
    demo.contact_notes.sign(clinician, signed.id, PASSWORD)
    offer = CONTACT_NOTE.unfinished
    assert offer is not None
    # Opened and nothing written yet: no unfinished work to flag.
    with demo.context.store.sessions() as session:
        assert offer(session, [patient, other]) == set()
    demo.contact_notes.save_draft(clinician, patient, {**SOAP, "plan": ""}, note.id)
    with demo.context.store.sessions() as session:
        assert offer(session, [patient, other]) == {patient}
        assert offer(session, [other]) == set()
        assert offer(session, []) == set()
    # The clinician's day list names the draft among what that appointment needs.
    day = clinic_day(demo.appointments.get(clinician, appointment).starts_at)
    needs = {
        entry.appointment.id: entry.needs.unsigned
        for entry in demo.appointments.day(clinician, day=day).entries
    }
    assert "Contact note" in needs[appointment]
    demo.contact_notes.save_draft(clinician, patient, SOAP, note.id)
    demo.contact_notes.sign(clinician, note.id, PASSWORD)
    with demo.context.store.sessions() as session:
        assert offer(session, [patient, other]) == set()
    needs = {
        entry.appointment.id: entry.needs.unsigned
        for entry in demo.appointments.day(clinician, day=day).entries
    }
    assert "Contact note" not in needs[appointment]


def test_the_printout_has_the_sections_the_exercise_table_and_the_addenda(
    demo: Services, clinician: CurrentUser, tmp_path: Path
) -> None:
    patient, _other = _two_patients(demo, clinician)
    record = demo.patients.open(clinician, patient)
    note = demo.contact_notes.start(clinician, patient, seen_today(demo, clinician, patient))
    bridge = {"name": "Bridge", "sets": 2, "reps": 12, "frequency": "Twice a day"}
    demo.contact_notes.save_draft(
        clinician, patient, {**SOAP, "exercises": [SQUATS, bridge]}, note.id
    )
    draft = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=demo.contact_notes.printable(clinician, note.id),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "DRAFT - not signed" in draft
    demo.contact_notes.sign(clinician, note.id, PASSWORD)
    demo.contact_notes.add_addendum(clinician, note.id, "Phoned: pain settled.", PASSWORD)
    pdf = tmp_path / "note.pdf"
    pdf.write_bytes(demo.contact_notes.printable(clinician, note.id))
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert record.family_name.upper() in words
    assert "DRAFT" not in words
    for label in ("Subjective", "Objective", "Treatment given", "Exercises", "Plan"):
        assert label in words
    for value in SOAP.values():
        assert value in " ".join(words.split())
    lines = [" ".join(line.split()) for line in words.splitlines()]
    assert any(line.startswith("Exercise Sets Reps Load How often") for line in lines)
    assert any(line.startswith("Sit to stand 3 10 Body weight") for line in lines)
    assert any(line.startswith("Bridge 2 12 Twice a day") for line in lines)
    assert "Phoned: pain settled." in words
    assert "Signed by Priya Shah" in words


def test_questionnaires_due_are_those_with_a_baseline_not_answered_today(
    demo: Services, clinician: CurrentUser
) -> None:
    patient, _other = _two_patients(demo, clinician)
    episode = demo.patients.open(clinician, patient).open_episode
    responses = cast(Table, QuestionnaireResponse.__table__)
    # Earlier answers of the demo's are set aside (answers are append-only: below the app).
    with demo.context.store.engine.begin() as connection:
        connection.execute(
            update(responses).where(responses.c.patient_id == patient).values(deleted=True)
        )
    assert demo.contact_notes.questionnaires_due(clinician, patient) == ()
    definition = demo.questionnaires.definition("msk_hq")
    answers = {item.code: 2 for item in definition.scored_items}
    baseline = demo.questionnaires.record(
        clinician, patient, "msk_hq", answers, Timepoint.BASELINE, ResponseMode.CLINICIAN
    )
    # Answered today: nothing more is due today.
    assert demo.contact_notes.questionnaires_due(clinician, patient) == ()
    assert baseline.recorded_at is not None
    with demo.context.store.engine.begin() as connection:
        connection.execute(
            update(responses)
            .where(responses.c.id == baseline.id)
            .values(recorded_at=baseline.recorded_at - timedelta(days=42))
        )
    [due] = demo.contact_notes.questionnaires_due(clinician, patient)
    assert (due.questionnaire_id, due.title) == ("msk_hq", definition.title)
    with demo.context.store.sessions() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None
        assert (entry.action, entry.patient_id) == ("contact_note.questionnaires_due", patient)
    demo.questionnaires.record(
        clinician, patient, "msk_hq", answers, Timepoint.FOLLOW_UP, ResponseMode.CLINICIAN
    )
    assert demo.contact_notes.questionnaires_due(clinician, patient) == ()
    assert episode is None or baseline.episode_id == episode.id


def test_a_note_with_no_patient_row_is_not_started(demo: Services, clinician: CurrentUser) -> None:
    with demo.context.store.sessions() as session:
        assert session.get(Patient, uuid.uuid4()) is None
        assert session.scalars(select(ContactNote)).first() is None
    with pytest.raises(NotFound):
        demo.contact_notes.start(clinician, uuid.uuid4(), uuid.uuid4())


def test_letters_quote_signed_notes_only(demo: Services, clinician: CurrentUser) -> None:
    patient, _other = _two_patients(demo, clinician)
    offer = CONTACT_NOTE.letter_sections
    assert offer is not None
    note = demo.contact_notes.start(clinician, patient, seen_today(demo, clinician, patient))
    demo.contact_notes.save_draft(clinician, patient, {**SOAP, "exercises": [SQUATS]}, note.id)
    with demo.context.store.sessions() as session:
        assert offer(session, patient, None) == []
    demo.contact_notes.sign(clinician, note.id, PASSWORD)
    with demo.context.store.sessions() as session:
        [quoted] = offer(session, patient, None)
    assert quoted.final
    assert quoted.source_id == note.id
    assert quoted.heading.startswith("Contact note, ")
    assert quoted.text.splitlines() == [
        f"Subjective: {SOAP['subjective']}",
        f"Treatment given: {SOAP['treatment']}",
        "Exercises: Sit to stand: 3 sets of 10, Body weight",
        f"Plan: {SOAP['plan']}",
    ]
    assert SOAP["objective"] not in quoted.text


def test_a_note_started_before_the_patient_is_seen_is_linked_to_the_contact_later(
    demo: Services, clinician: CurrentUser
) -> None:
    patient, _other = _two_patients(demo, clinician)
    appointment = seen_today(demo, clinician, patient, status=Status.BOOKED)
    note = demo.contact_notes.start(clinician, patient, appointment)
    assert note.care_contact_id is None
    demo.appointments.arrive(clinician, appointment)
    demo.appointments.call_in(clinician, appointment)
    seen = demo.appointments.get(clinician, appointment)
    saved = demo.contact_notes.save_draft(clinician, patient, SOAP, note.id)
    assert seen.care_contact_id is not None
    assert saved.care_contact_id == seen.care_contact_id


def test_a_patient_with_no_nhs_number_is_named_with_their_date_of_birth_on_every_page(
    demo: Services, clinician: CurrentUser
) -> None:
    patient, _other = _two_patients(demo, clinician)
    born = without_nhs_number(demo, clinician, patient)
    note = demo.contact_notes.start(clinician, patient, seen_today(demo, clinician, patient))
    long_plan = "Walk for ten minutes each day and add a minute each week. " * 60
    demo.contact_notes.save_draft(clinician, patient, {**SOAP, "plan": long_plan}, note.id)

    pdf = demo.contact_notes.printable(clinician, note.id)

    assert len(page_words(pdf)) > 1
    assert pages_missing(pdf, born, "DRAFT - not signed") == []
