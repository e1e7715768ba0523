"""A contact note written under a registration since merged into the record, opened there."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from clinic_app.records.timeline import TimelineEntry
from tests.core.contacts.booked import seen_today
from tests.support.merges import merged_by_sync
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.contacts.test_contact_note_screen import _add_addendum
from tests.ui.late_answers import open_record
from tests.ui.people.test_merged_registration import _family_name
from tests.ui.records import second_registration
from ui.app import MainWindow
from ui.domains.contacts.note.screens import ContactNoteScreen

PASSWORD = demo_password(CLINICIAN)
SOAP = {
    "subjective": "Knee giving way on stairs.",
    "objective": "Flexion 110 degrees, small effusion.",
    "treatment": "Quadriceps loading started.",
    "plan": "Review in three weeks.",
}


def _open_from_the_timeline(
    qtbot: QtBot, window: MainWindow, survivor: uuid.UUID, merged: uuid.UUID
) -> ContactNoteScreen:
    """Open the survivor's record, then the note listed on it from the merged registration."""
    open_record(qtbot, window, survivor)
    record = window.screen_by_id("patient")
    qtbot.waitUntil(lambda: record.view_model.timeline is not None, timeout=WAIT_MS)
    entries: list[TimelineEntry] = record.view_model.timeline.entries
    entry = next(e for e in entries if e.screen_id == "contact_note" and e.patient_id == merged)
    record.view_model.open_entry(entry)
    wait_idle(window)
    screen = window.screen_by_id("contact_note")
    assert isinstance(screen, ContactNoteScreen)
    qtbot.waitUntil(lambda: screen.view_model.note is not None, timeout=WAIT_MS)
    wait_idle(window)
    assert window.showing(screen), record.view.notice.text()
    assert window.context.patient is not None
    assert window.context.patient.id == survivor
    assert screen.view_model.patient_id == survivor
    return screen


def test_a_draft_note_under_the_merged_registration_is_continued_from_the_surviving_record(
    qtbot: QtBot, window: MainWindow, clinic: Services, seeded_patient: PatientSummary
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.require_user()
    # Started at her appointment under the first registration, then merged away.
    appointment = seen_today(clinic, user, seeded_patient.id)
    draft = clinic.contact_notes.start(user, seeded_patient.id, appointment)
    clinic.contact_notes.save_draft(
        user, seeded_patient.id, {"subjective": SOAP["subjective"]}, draft.id
    )
    survivor = second_registration(clinic, seeded_patient)
    merged_by_sync(clinic, survivor, seeded_patient.id)

    screen = _open_from_the_timeline(qtbot, window, survivor, seeded_patient.id)
    view, vm = screen.view, screen.view_model
    assert vm.note is not None
    assert vm.note.id == draft.id
    assert view.boxes["subjective"].toPlainText() == SOAP["subjective"]
    assert vm.may_write
    assert not view.boxes["plan"].isReadOnly()

    # What is added is kept in the same note, not a second one.
    view.boxes["subjective"].moveCursor(QTextCursor.MoveOperation.End)
    type_into(qtbot, view.boxes["subjective"], " Better on the flat.")
    type_into(qtbot, view.boxes["plan"], SOAP["plan"])
    screen.save_now()
    wait_idle(window)
    qtbot.waitUntil(window.runner.is_idle, timeout=WAIT_MS)
    assert not view.notice.isVisible(), view.notice.text()
    assert not window.notice.isVisible(), window.notice.text()
    stored = clinic.contact_notes.get(user, draft.id, survivor)
    assert stored.content["subjective"] == f"{SOAP['subjective']} Better on the flat."
    assert stored.content["plan"] == SOAP["plan"]
    assert [n.id for n in clinic.contact_notes.for_patient(user, survivor)] == [draft.id]

    # Opened again from the surviving record with no note named, it is the one continued.
    window.open_screen("contact_note")
    wait_idle(window)
    qtbot.waitUntil(lambda: vm.note is not None, timeout=WAIT_MS)
    assert vm.note is not None
    assert vm.note.id == draft.id


def test_a_signed_note_under_the_merged_registration_is_read_added_to_and_printed(
    qtbot: QtBot,
    window: MainWindow,
    clinic: Services,
    seeded_patient: PatientSummary,
    tmp_path: Path,
) -> None:
    sign_in(qtbot, window, CLINICIAN)
    user = window.session.require_user()
    note = clinic.contact_notes.start(
        user, seeded_patient.id, seen_today(clinic, user, seeded_patient.id)
    )
    clinic.contact_notes.save_draft(user, seeded_patient.id, SOAP, note.id)
    clinic.contact_notes.sign(user, note.id, PASSWORD)
    # She is registered again under her married name; the first registration is merged in.
    survivor = second_registration(clinic, seeded_patient)
    _family_name(clinic, survivor, "Hughes")
    merged_by_sync(clinic, survivor, seeded_patient.id)

    screen = _open_from_the_timeline(qtbot, window, survivor, seeded_patient.id)
    view, vm = screen.view, screen.view_model
    assert vm.note is not None
    assert vm.note.id == note.id
    assert vm.is_signed
    assert view.boxes["plan"].toPlainText() == SOAP["plan"]
    assert view.boxes["plan"].isReadOnly()
    _add_addendum(qtbot, screen)

    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _title, suggested: str(tmp_path / Path(suggested).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    with qtbot.waitSignal(vm.printed, timeout=WAIT_MS):
        view.print_requested.emit()
    wait_idle(window)
    [pdf] = opened
    assert pdf.name.startswith("HUGHES")
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"HUGHES, {seeded_patient.given_name}" in words
    assert f"{seeded_patient.family_name.upper()}, " not in words
    assert "Phoned: pain settled" in words
