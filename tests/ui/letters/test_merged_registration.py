"""A GP letter written from a record another registration of the patient was merged into."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, update

from clinic_app.container import Services
from clinic_app.domains.injections.model import InjectionRecord
from clinic_app.kernel.base import utcnow
from clinic_app.people.model import Patient
from clinic_app.people.text import search_key
from clinic_app.people.views import PatientSummary
from tests.support.merges import merged_by_sync
from tests.ui.conftest import WAIT_MS, wait_idle
from tests.ui.late_answers import open_record, settle
from tests.ui.letters.helpers import open_letter, patients_with_episodes, pdf_text, printing_to
from tests.ui.records import second_registration
from ui.app import MainWindow
from ui.domains.letters.letter.screens import LetterScreen


def _injected_under(
    clinic: Services, patient: uuid.UUID, episode: uuid.UUID, by: uuid.UUID, days_ago: int
) -> None:
    """A signed left-knee steroid injection, as it arrived by sync from the other clinic."""
    now = utcnow()
    with clinic.context.store.sessions.begin() as session:
        session.execute(
            insert(InjectionRecord.__table__).values(
                id=uuid.uuid4(),
                patient_id=patient,
                episode_id=episode,
                status="signed",
                performed_on=date.today() - timedelta(days=days_ago),
                target="knee_joint",
                side="left",
                approach="superolateral",
                guidance="landmark",
                consent_risks=[],
                checklist={},
                drugs=[{"product_id": "methylprednisolone_acetate_40", "mg": 40, "ml": 1}],
                immediate_reaction="",
                aftercare_given=True,
                steroid_card_considered=True,
                acknowledgements=[],
                signed_at=now - timedelta(days=days_ago),
                signed_by=by,
                content_sha256="0" * 64,
                created_at=now,
                updated_at=now,
                created_by=by,
                device_id=uuid.UUID("01900000-0000-7000-8000-0000000000ee"),
                row_version=1,
                deleted=False,
            )
        )


def _summary(clinic: Services, patient: uuid.UUID) -> PatientSummary:
    with clinic.context.store.sessions() as session:
        row = session.get(Patient, patient)
        assert row is not None
        return PatientSummary(
            row.id,
            row.nhs_number,
            row.family_name,
            row.given_name,
            row.date_of_birth,
            0,
            "",
            row.postcode,
            0,
        )


def test_the_gp_clinic_letter_from_the_surviving_record_names_the_merged_registrations_injection(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    user = window.session.require_user()
    ((first, episode),) = patients_with_episodes(clinic, 1)
    # Her left knee was injected three weeks ago under the first registration, in the
    # episode still open; that registration is then merged into the second.
    _injected_under(clinic, first, episode, user.id, days_ago=21)
    survivor = second_registration(clinic, _summary(clinic, first))
    merged_by_sync(clinic, survivor, first)

    screen = open_letter(window, clinic, survivor)
    assert window.context.patient is not None
    assert window.context.patient.id == survivor
    view = screen.view
    view.kind.setCurrentIndex(view.kind.findData("gp_clinic"))
    with qtbot.waitSignal(screen.view_model.letter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(view.draft_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    letter = screen.view_model.letter
    assert letter is not None
    assert letter.episode_id == episode  # the open episode: the merged registration's
    words = "\n".join(s.text for s in letter.sections)
    assert "Methylprednisolone" in words, words


def test_a_follow_up_note_from_the_surviving_record_offers_the_questionnaire_due(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    user = window.session.require_user()
    ((first, _episode),) = patients_with_episodes(clinic, 1)
    # Her MSK-HQ baseline was given under the first registration, in the open episode.
    due = {d.questionnaire_id for d in clinic.contact_notes.questionnaires_due(user, first)}
    assert due
    survivor = second_registration(clinic, _summary(clinic, first))
    merged_by_sync(clinic, survivor, first)

    window.open_screen("patient", clinic.patients.open(user, survivor))
    wait_idle(window)
    window.action("contact_note").trigger()
    wait_idle(window)
    wait_idle(window)
    note = window.screen_by_id("contact_note")
    assert window.showing(note)
    # Today's follow-up contact offers the follow-up questionnaire against that baseline.
    assert set(note.view.due_buttons) == due


def test_a_questionnaire_given_under_the_merged_registration_opens_from_the_survivors_timeline(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    user = window.session.require_user()
    ((first, _episode),) = patients_with_episodes(clinic, 1)
    survivor = second_registration(clinic, _summary(clinic, first))
    merged_by_sync(clinic, survivor, first)

    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    entry = next(
        e
        for e in record.view_model.timeline.entries
        if e.patient_id == first and e.screen_id == "questionnaire"
    )
    record.view_model.open_entry(entry)
    settle(qtbot, window)

    # The questionnaires service opens it for the surviving record; the page does too.
    assert clinic.questionnaires.response(user, survivor, entry.record_id) is not None
    assert window.showing(window.screen_by_id("questionnaire")), record.view.notice.text()


def test_a_letter_begun_under_the_merged_registration_opens_from_the_survivors_timeline(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    window = signed_in
    user = window.session.require_user()
    ((first, episode),) = patients_with_episodes(clinic, 1)
    # A letter to the GP was begun under the first registration; that registration is then
    # merged into the second, whose record names her Whitfield.
    draft = clinic.letters.draft(user, first, "gp_clinic", episode)
    clinic.letters.edit(user, draft.id, first, {"clinical_summary": "Knee pain easing."})
    stale = _summary(clinic, first).family_name
    survivor = second_registration(clinic, _summary(clinic, first))
    with clinic.context.store.engine.begin() as conn:
        conn.execute(
            update(Patient.__table__)
            .where(Patient.__table__.c.id == survivor)
            .values(family_name="Whitfield", family_key=search_key("Whitfield"))
        )
    merged_by_sync(clinic, survivor, first)

    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    entry = next(
        e
        for e in record.view_model.timeline.entries
        if e.patient_id == first and e.screen_id == "letter"
    )
    record.view_model.open_entry(entry)
    settle(qtbot, window)

    # The letter is shown, the surviving record in the banner ...
    screen = window.screen_by_id("letter")
    assert isinstance(screen, LetterScreen)
    assert window.showing(screen), record.view.notice.text()
    assert window.context.patient is not None
    assert window.context.patient.id == survivor
    letter = screen.view_model.letter
    assert letter is not None
    assert letter.id == draft.id
    summary = screen.view.sections["clinical_summary"]
    assert summary.words.toPlainText() == "Knee pain easing."
    assert not summary.words.isReadOnly()
    # ... and what is typed is saved to that same letter, said of the surviving record.
    changed: list[tuple[str, object]] = []
    window.context.record_changed.connect(lambda kind, patient: changed.append((kind, patient)))
    with qtbot.waitSignal(screen.view_model.saved, timeout=WAIT_MS):
        summary.words.setPlainText("Knee pain settled with exercise.")
    wait_idle(window)
    kept = clinic.letters.get(user, draft.id, survivor)
    assert next(s.text for s in kept.sections if s.key == "clinical_summary") == (
        "Knee pain settled with exercise."
    )
    assert [letter.id for letter in clinic.letters.for_patient(user, survivor)] == [draft.id]
    assert ("letter.saved", survivor) in changed

    # Printed, it names her as the surviving record does.
    printed = printing_to(screen, tmp_path)
    with qtbot.waitSignal(screen.view_model.printed, timeout=WAIT_MS):
        qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert len(printed) == 1
    words = pdf_text(printed[0])
    assert "WHITFIELD" in words
    assert stale.upper() not in words
    assert "Knee pain settled with exercise." in words
