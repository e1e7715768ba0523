"""A sync round lets go of the patient open on screen (scoped sync: they left this laptop's
scope), while the clinician is looking at them or typing about them.

The round is driven as the sync client drives it: ``scope.let_go`` on the laptop's store (what
``run_scope`` does with the plan's patients to leave), then the window hears that the round
brought something, as it does from the sync thread.
"""

from __future__ import annotations

import json
import uuid

from pytestqt.qtbot import QtBot
from sqlalchemy import delete, select

from clinic_app.container import Services
from clinic_app.domains.contacts.model import ContactNote
from clinic_app.kernel.local import Draft
from clinic_app.kernel.outbox_entry import OutboxEntry
from clinic_app.sync import scope
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.late_answers import in_banner, open_record, settle, two_patients
from tests.ui.shell.test_screens_follow_changes import sync_round_brought_something
from ui.app import MainWindow

WORDS = "Knee better; stairs still sore."


def _as_a_synced_laptop(clinic: Services) -> None:
    """The demo clinic's rows as the server sent them: nothing of theirs waits to go."""
    with clinic.context.store.engine.begin() as conn:
        conn.execute(delete(OutboxEntry))


def _round_lets_go_of(qtbot: QtBot, window: MainWindow, clinic: Services, patient: uuid.UUID):
    removed, kept = scope.let_go(clinic.context.store, [patient])
    assert removed == [patient] and kept == 0  # the round did let go of them
    sync_round_brought_something(window)
    settle(qtbot, window)


def _words_kept_anywhere(clinic: Services) -> bool:
    with clinic.context.store.engine.connect() as conn:
        notes = [json.dumps(c, default=str) for c in conn.execute(select(ContactNote.content))]
        drafts = [json.dumps(p, default=str) for p in conn.execute(select(Draft.payload))]
    return any(WORDS in text for text in notes + drafts)


def test_a_contact_note_being_typed_when_a_sync_round_lets_go_of_its_patient_is_lost_unsaid(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    """The clinician types a follow-up note for patient A (B was open before). A sync round
    lets go of A before the note's first autosave: the window jumps from the note to the
    record page, which says A "could not be found. It may have been merged", while the
    banner still names A. Back on Contact note (A still in the banner) the form is empty:
    the words typed were never saved anywhere (no note, no draft) and nothing says so.
    Typed clinical work vanishes without a word."""
    sign_in(qtbot, window, CLINICIAN)
    a, b = two_patients(clinic, window)
    _as_a_synced_laptop(clinic)
    open_record(qtbot, window, b.id)
    open_record(qtbot, window, a.id)
    window.action("contact_note").trigger()
    wait_idle(window)
    screen = window.screen_by_id("contact_note")
    qtbot.waitUntil(lambda: window.showing(screen), timeout=WAIT_MS)
    type_into(qtbot, screen.view.boxes["subjective"], WORDS)

    _round_lets_go_of(qtbot, window, clinic, a.id)

    # Back to the note, as the clinician would (A is still named in the banner).
    assert in_banner(window, a.id)
    window.action("contact_note").trigger()
    settle(qtbot, window)
    on_form = WORDS in screen.view.boxes["subjective"].toPlainText()
    said = screen.view.notice.text() + window.notice.text()
    assert on_form or _words_kept_anywhere(clinic) or "not saved" in said.lower(), (
        "the words typed are neither on the form, nor saved, nor said to be lost"
    )


def test_the_banner_keeps_naming_an_open_patient_the_record_page_says_cannot_be_found(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    """Patient A's record is open (B was open before). A sync round lets go of A: the record
    page now says "This patient's record could not be found. It may have been merged; search
    again." yet the banner still names A and every patient action (Contact note, Assessment)
    stays on for A. The banner and the page disagree, and work can be started for a patient
    this laptop no longer holds (and, it says, may have been merged)."""
    sign_in(qtbot, window, CLINICIAN)
    a, b = two_patients(clinic, window)
    _as_a_synced_laptop(clinic)
    open_record(qtbot, window, b.id)
    open_record(qtbot, window, a.id)
    record = window.screen_by_id("patient")

    _round_lets_go_of(qtbot, window, clinic, a.id)

    page_says_gone = record.view.notice.isVisible() and "could not be found" in (
        record.view.notice.text()
    )
    assert not (page_says_gone and in_banner(window, a.id)), (
        "the record page says A cannot be found while the banner still names A; "
        f"Contact note enabled: {window.action('contact_note').isEnabled()}"
    )
