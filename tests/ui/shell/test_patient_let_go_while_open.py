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
    """A round whose plan says the patient left this laptop's scope; what it let go of."""
    removed, _kept = scope.let_go(clinic.context.store, [patient])
    sync_round_brought_something(window)
    settle(qtbot, window)
    return removed


def _words_kept_anywhere(clinic: Services) -> bool:
    with clinic.context.store.engine.connect() as conn:
        notes = [json.dumps(c, default=str) for c in conn.execute(select(ContactNote.content))]
        drafts = [json.dumps(p, default=str) for p in conn.execute(select(Draft.payload))]
    return any(WORDS in text for text in notes + drafts)


def test_a_contact_note_being_typed_stays_when_a_sync_round_would_let_go_of_its_patient(
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

    assert _round_lets_go_of(qtbot, window, clinic, a.id) == []  # kept: open on screen

    # Back to the note, as the clinician would (A is still named in the banner).
    assert in_banner(window, a.id)
    window.action("contact_note").trigger()
    settle(qtbot, window)
    on_form = WORDS in screen.view.boxes["subjective"].toPlainText()
    said = screen.view.notice.text() + window.notice.text()
    assert on_form or _words_kept_anywhere(clinic) or "not saved" in said.lower(), (
        "the words typed are neither on the form, nor saved, nor said to be lost"
    )


def test_a_round_keeps_the_open_patient_and_lets_go_once_they_are_closed(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    """Patient A's record is open (B was open before). A round whose plan says A left this
    laptop's scope keeps A while A is on screen: the banner and the page still agree. Once
    another patient is open, the next round lets A go."""
    sign_in(qtbot, window, CLINICIAN)
    a, b = two_patients(clinic, window)
    _as_a_synced_laptop(clinic)
    open_record(qtbot, window, b.id)
    open_record(qtbot, window, a.id)
    record = window.screen_by_id("patient")

    assert _round_lets_go_of(qtbot, window, clinic, a.id) == []
    assert in_banner(window, a.id)
    assert not (
        record.view.notice.isVisible() and "could not be found" in record.view.notice.text()
    )

    open_record(qtbot, window, b.id)
    assert _round_lets_go_of(qtbot, window, clinic, a.id) == [a.id]


def test_the_banner_names_nobody_once_the_record_page_says_its_patient_cannot_be_found(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    """A's record is open when its rows go from the laptop (a round that began letting go of
    A in the moment before A was opened). The record page says "This patient's record could
    not be found"; the banner must not go on naming A, with every patient action (Contact
    note, Assessment) on for a patient this laptop no longer holds."""
    sign_in(qtbot, window, CLINICIAN)
    a, b = two_patients(clinic, window)
    _as_a_synced_laptop(clinic)
    open_record(qtbot, window, b.id)
    open_record(qtbot, window, a.id)
    record = window.screen_by_id("patient")

    store = clinic.context.store
    store.open_patients = frozenset()  # the round looked before A was opened
    removed, _kept = scope.let_go(store, [a.id])
    assert removed == [a.id]
    sync_round_brought_something(window)
    settle(qtbot, window)

    page_says_gone = record.view.notice.isVisible() and "could not be found" in (
        record.view.notice.text()
    )
    assert page_says_gone, "the record page should say the record is not here"
    assert not in_banner(window, a.id), (
        "the record page says A cannot be found while the banner still names A; "
        f"Contact note enabled: {window.action('contact_note').isEnabled()}"
    )
    assert not window.action("contact_note").isEnabled()
