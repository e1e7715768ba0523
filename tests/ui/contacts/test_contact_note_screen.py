"""The contact note screen, used as a clinician would: written, signed and added to."""

from __future__ import annotations

import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import cast

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Table, update

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.kernel.vocabulary import ResponseMode, Timepoint
from tests.core.contacts.booked import seen_today
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, WAIT_MS, type_into, wait_idle
from tests.ui.late_answers import Gate, print_refused_with_its_save
from ui.app import MainWindow
from ui.common.theme import apply_theme
from ui.domains.contacts.note.screens import ContactNoteScreen

PASSWORD = demo_password(CLINICIAN)


def _shot(widget: object, name: str) -> None:
    pictures.keep(widget, name)


def _two(clinic: Services, window: MainWindow) -> tuple[uuid.UUID, uuid.UUID]:
    user = window.session.user
    assert user is not None
    first, second = clinic.patients.search(user, "999", limit=2)
    return first.id, second.id


def _open(
    window: MainWindow, clinic: Services, patient: uuid.UUID, item: object
) -> ContactNoteScreen:
    user = window.session.user
    assert user is not None
    # Through the record, as a person opens one: a clinician signs in to their day list, a
    # list of many patients on which patient actions are off.
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    window.open_screen("contact_note", item)
    wait_idle(window)
    screen = window.screen_by_id("contact_note")
    assert isinstance(screen, ContactNoteScreen)
    return screen


def _due_msk_hq(clinic: Services, window: MainWindow, patient: uuid.UUID) -> None:
    """A baseline MSK-HQ six weeks ago in the patient's episode: its follow-up is due."""
    user = window.session.user
    assert user is not None
    responses = cast(Table, QuestionnaireResponse.__table__)
    with clinic.context.store.engine.begin() as connection:
        connection.execute(
            update(responses).where(responses.c.patient_id == patient).values(deleted=True)
        )
    items = clinic.questionnaires.definition("msk_hq").scored_items
    baseline = clinic.questionnaires.record(
        user,
        patient,
        "msk_hq",
        {i.code: 2 for i in items},
        Timepoint.BASELINE,
        ResponseMode.CLINICIAN,
    )
    assert baseline.recorded_at is not None
    with clinic.context.store.engine.begin() as connection:
        connection.execute(
            update(responses)
            .where(responses.c.id == baseline.id)
            .values(recorded_at=baseline.recorded_at - timedelta(days=42))
        )


def _write(qtbot: QtBot, screen: ContactNoteScreen) -> None:
    """Type the sections and the exercises, as a clinician would (one row added, one removed)."""
    view = screen.view
    type_into(qtbot, view.boxes["subjective"], "Knee better; stairs still sore.")
    type_into(qtbot, view.boxes["objective"], "Flexion 120, no effusion.")
    type_into(qtbot, view.boxes["treatment"], "Progressed loading.")
    qtbot.mouseClick(view.exercises.add_button, Qt.MouseButton.LeftButton)
    row = view.exercises.rows[0]
    type_into(qtbot, row.name, "Sit to stand")
    row.sets.selectAll()
    qtbot.keyClicks(row.sets, "4")
    row.reps.selectAll()
    qtbot.keyClicks(row.reps, "12")
    type_into(qtbot, row.words["frequency"], "Twice a day")
    qtbot.mouseClick(view.exercises.add_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, view.exercises.rows[1].name, "Wall squat")
    qtbot.mouseClick(view.exercises.rows[1].remove, Qt.MouseButton.LeftButton)
    type_into(qtbot, view.boxes["plan"], "Review in four weeks.")


def _sign(qtbot: QtBot, screen: ContactNoteScreen, sentence: str) -> None:
    """A wrong password is refused and the note stays a draft; the right one signs it."""
    view, vm = screen.view, screen.view_model
    type_into(qtbot, view.password, "not my password")
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    assert "password is not right" in view.sign_problem.text()
    assert not view.boxes["plan"].isReadOnly()
    assert view.attestation.text() == f"By signing: {sentence}"
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    assert vm.is_signed
    assert all(box.isReadOnly() for box in view.boxes.values())
    assert view.exercises.rows[0].name.isReadOnly()
    assert not view.exercises.add_button.isVisibleTo(view)
    assert not view.sign_button.isVisibleTo(view)
    assert view.state.text().startswith("Signed by Priya Shah")
    assert view.addenda_box.isVisibleTo(view)
    assert view.attestation.text() == f"They agreed: {sentence}"


def _add_addendum(qtbot: QtBot, screen: ContactNoteScreen) -> None:
    view, vm = screen.view, screen.view_model
    type_into(qtbot, view.addendum_text, "Phoned: pain settled after the session.")
    type_into(qtbot, view.addendum_password, PASSWORD)
    with qtbot.waitSignal(vm.addendum_added, timeout=WAIT_MS):
        qtbot.mouseClick(view.addendum_button, Qt.MouseButton.LeftButton)
    assert vm.note is not None
    assert [a.text for a in vm.note.addenda] == ["Phoned: pain settled after the session."]
    assert view.addendum_text.toPlainText() == ""


def _print(
    qtbot: QtBot, window: MainWindow, screen: ContactNoteScreen, folder: Path, family: str
) -> None:
    """Printed where the user chooses, under a name that says whose it is."""
    delivery = screen.pdf_delivery
    delivery.choose_path = lambda _title, suggested: str(folder / Path(suggested).name)
    delivery.has_printer = lambda: False
    opened: list[Path] = []
    delivery.open_file = opened.append
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    [pdf] = opened
    assert pdf.name.startswith(family.upper())
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Sit to stand" in words
    assert "Phoned: pain settled" in words
    pictures.keep_pdf(pdf, "contact_note_pdf")


def test_a_follow_up_note_is_written_signed_and_added_to(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, tmp_path: Path
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    window = signed_in
    window.resize(1366, 768)
    user = window.session.user
    assert user is not None
    patient, _other = _two(clinic, window)
    _due_msk_hq(clinic, window, patient)
    appointment = seen_today(clinic, user, patient)

    screen = _open(window, clinic, patient, appointment)
    view, vm = screen.view, screen.view_model
    assert window.showing(screen)
    assert vm.note is not None
    assert vm.note.appointment_id == appointment
    # The follow-up questionnaire is offered, and opens for the banner's patient.
    assert list(view.due_buttons) == ["msk_hq"]
    assert view.due_box.isVisibleTo(view)

    _write(qtbot, screen)
    screen.save_now()
    wait_idle(window)
    qtbot.waitUntil(window.runner.is_idle, timeout=WAIT_MS)
    stored = clinic.contact_notes.get(user, vm.note.id)
    assert stored.content["plan"] == "Review in four weeks."
    assert [dict(e) for e in stored.exercises] == [
        {"name": "Sit to stand", "sets": 4, "reps": 12, "frequency": "Twice a day"}
    ]
    _shot(window, "contact_note_writing.png")

    sentence = clinic.contact_notes.attestation_for(user)
    _sign(qtbot, screen, sentence)
    _add_addendum(qtbot, screen)
    wait_idle(window)
    qtbot.wait(50)  # the page scrolls to the addenda once laid out again
    _shot(window, "contact_note_signed.png")
    _print(qtbot, window, screen, tmp_path, clinic.patients.open(user, patient).family_name)

    # Reopened from the timeline, it is the same signed note, read only.
    (entry,) = clinic.timeline.for_patient(user, patient).of_kind("contact_note")
    window.open_screen("contact_note", entry)
    wait_idle(window)
    assert vm.note.id == entry.item_id
    assert vm.is_signed

    # The questionnaire offered opens for the same patient.
    qtbot.mouseClick(view.due_buttons["msk_hq"], Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert window.showing(window.screen_by_id("questionnaire"))
    assert window.context.patient is not None
    assert window.context.patient.id == patient


def test_switching_patient_or_user_leaves_nothing_behind(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, other = _two(clinic, window)
    screen = _open(window, clinic, patient, seen_today(clinic, user, patient))
    view, vm = screen.view, screen.view_model
    type_into(qtbot, view.boxes["subjective"], "Shoulder easier")
    qtbot.mouseClick(view.exercises.add_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, view.exercises.rows[0].name, "Pendulum")
    draft = vm.note
    assert draft is not None

    # Another patient in the banner: the form is empty, and what was typed is kept as theirs.
    window.context.set_patient(clinic.patients.open(user, other))
    wait_idle(window)
    assert vm.patient_id is None
    assert vm.note is None
    assert all(box.toPlainText() == "" for box in view.boxes.values())
    assert view.exercises.rows == []
    kept = clinic.contact_notes.get(user, draft.id)
    assert kept.patient_id == patient
    assert kept.content["subjective"] == "Shoulder easier"
    assert [e["name"] for e in kept.exercises] == ["Pendulum"]

    # The other patient's screen never shows the first one's appointment or note.
    window.open_screen("contact_note", draft.id)
    wait_idle(window)
    assert vm.note is None
    assert view.notice.message.text().startswith("That appointment or note is not this patient's.")
    assert all(box.toPlainText() == "" for box in view.boxes.values())
    assert clinic.contact_notes.for_patient(user, other) == ()

    # Back to the first: the draft continues; switching user then forgets it all.
    screen = _open(window, clinic, patient, None)
    assert vm.note is not None
    assert vm.note.id == draft.id
    assert view.boxes["subjective"].toPlainText() == "Shoulder easier"
    window.switch_user()
    wait_idle(window)
    assert vm.patient_id is None
    assert vm.note is None
    assert view.boxes["subjective"].toPlainText() == ""
    assert view.exercises.rows == []


def test_an_unnamed_exercise_never_stops_the_words_being_saved(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient, seen_today(clinic, user, patient))
    view, vm = screen.view, screen.view_model
    qtbot.mouseClick(view.exercises.add_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, view.boxes["plan"], "Home exercise programme.")
    screen.save_now()
    wait_idle(window)
    assert vm.note is not None
    saved = clinic.contact_notes.get(user, vm.note.id)
    assert saved.content["plan"] == "Home exercise programme."
    assert saved.exercises == ()
    assert not view.summary.isVisibleTo(view)
    # Named, it is kept; signing without the subjective names what is missing.
    type_into(qtbot, view.exercises.rows[0].name, "Clam")
    screen.save_now()
    wait_idle(window)
    assert [e["name"] for e in clinic.contact_notes.get(user, vm.note.id).exercises] == ["Clam"]
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.sign_failed, timeout=WAIT_MS):
        qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    assert view.field_errors["subjective"].text() == "Fill this in before signing the note."
    assert view.field_errors["subjective"].isVisibleTo(view)
    assert not vm.is_signed


def test_another_clinicians_draft_is_shown_read_only(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    patient, _other = _two(clinic, window)
    helen = clinic.auth.login("supervisor", demo_password("supervisor"))
    theirs = clinic.contact_notes.start(helen, patient, seen_today(clinic, helen, patient))
    clinic.contact_notes.save_draft(helen, patient, {"plan": "Her plan"}, theirs.id)
    screen = _open(window, clinic, patient, theirs.id)
    view, vm = screen.view, screen.view_model
    assert vm.note is not None
    assert vm.note.id == theirs.id
    assert view.boxes["plan"].toPlainText() == "Her plan"
    assert view.boxes["plan"].isReadOnly()
    assert not view.sign_button.isVisibleTo(view)
    assert "another clinician's draft" in view.state.text()
    qtbot.keyClicks(view.boxes["plan"], " and mine")
    screen.save_now()
    wait_idle(window)
    assert clinic.contact_notes.get(helen, theirs.id).content["plan"] == "Her plan"


def test_a_colleagues_draft_for_the_appointment_is_said_when_the_note_is_opened(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, _other = _two(clinic, window)
    appointment = seen_today(clinic, user, patient)
    # A supervisor started a note for the same appointment from the site's day list.
    colleague = clinic.auth.login("supervisor", demo_password("supervisor"))
    theirs = clinic.contact_notes.start(colleague, patient, appointment)
    clinic.contact_notes.save_draft(colleague, patient, {"subjective": "Seen at 9."}, theirs.id)

    screen = _open(window, clinic, patient, appointment)
    qtbot.waitUntil(lambda: screen.view_model.note is not None, timeout=WAIT_MS)
    wait_idle(window)

    assert screen.view_model.note.id != theirs.id
    assert "A colleague has an unsigned draft note" in screen.view.notice.text()


def test_words_typed_while_a_save_is_on_its_way_are_kept_when_the_patient_changes(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, other = _two(clinic, window)
    screen = _open(window, clinic, patient, seen_today(clinic, user, patient))
    view, vm = screen.view, screen.view_model
    draft = vm.note
    assert draft is not None
    # A save is held on the store's worker while the clinician types on.
    gate = Gate(monkeypatch, clinic.contact_notes, "save_draft")
    type_into(qtbot, view.boxes["subjective"], "Shoulder easier")
    vm.save_now()
    gate.wait_entered(qtbot)
    type_into(qtbot, view.boxes["plan"], "Review in two weeks.")

    # The next patient is chosen before that save is back.
    window.context.set_patient(clinic.patients.open(user, other))
    gate.release()
    wait_idle(window)
    wait_idle(window)

    kept = clinic.contact_notes.get(user, draft.id)
    assert kept.patient_id == patient
    assert kept.content["subjective"] == "Shoulder easier"
    assert kept.content["plan"] == "Review in two weeks."
    assert clinic.contact_notes.for_patient(user, other) == ()


def test_a_print_waiting_for_a_save_when_the_patient_changes_is_said_not_made(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, other = _two(clinic, window)
    screen = _open(window, clinic, patient, seen_today(clinic, user, patient))
    view, vm = screen.view, screen.view_model
    delivered: list[bytes] = []
    vm.printed.connect(delivered.append)
    gate = Gate(monkeypatch, clinic.contact_notes, "save_draft")
    type_into(qtbot, view.boxes["subjective"], "Shoulder easier")
    vm.save_now()
    gate.wait_entered(qtbot)
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)

    window.context.set_patient(clinic.patients.open(user, other))
    gate.release()
    wait_idle(window)
    wait_idle(window)

    assert delivered == []
    record = clinic.patients.open(user, patient)
    assert window.notice.text().startswith(
        f"The contact note for {record.family_name.upper()}, {record.given_name}"
    )
    assert window.notice.text().endswith(
        "was not printed: the page moved on before it was ready. Open it again from their "
        "record to print it."
    )


def test_words_typed_during_a_new_notes_first_save_reach_that_note_not_a_second_one(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, other = _two(clinic, window)
    screen = _open(window, clinic, patient, None)
    view, vm = screen.view, screen.view_model
    assert vm.note is None  # no appointment, no draft: a new note
    before = {note.id for note in clinic.contact_notes.for_patient(user, patient)}
    gate = Gate(monkeypatch, clinic.contact_notes, "save_draft")
    type_into(qtbot, view.boxes["subjective"], "Shoulder easier")
    vm.save_now()
    gate.wait_entered(qtbot)
    type_into(qtbot, view.boxes["plan"], "Review in two weeks.")

    window.context.set_patient(clinic.patients.open(user, other))
    gate.release()
    wait_idle(window)
    wait_idle(window)

    # One new note, holding everything typed: the second save went to the note the first made.
    new = [n for n in clinic.contact_notes.for_patient(user, patient) if n.id not in before]
    assert [(n.content.get("subjective"), n.content.get("plan")) for n in new] == [
        ("Shoulder easier", "Review in two weeks.")
    ]


@pytest.mark.parametrize("order", ["print,sign", "sign,print"])
def test_print_and_sign_asked_for_behind_a_save_are_both_done(
    qtbot: QtBot,
    clinic: Services,
    signed_in: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    order: str,
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient, seen_today(clinic, user, patient))
    view, vm = screen.view, screen.view_model
    draft = vm.note
    assert draft is not None
    printed: list[bytes] = []
    vm.printed.connect(printed.append)
    screen.pdf_delivery.choose_path = lambda _title, _suggested: ""  # the dialog cancelled
    gate = Gate(monkeypatch, clinic.contact_notes, "save_draft")
    for key in view.boxes:
        type_into(qtbot, view.boxes[key], "Seen today.")
    vm.save_now()
    gate.wait_entered(qtbot)
    for step in order.split(","):
        if step == "print":
            qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
        else:
            type_into(qtbot, view.password, PASSWORD)
            qtbot.keyClick(view.password, Qt.Key.Key_Return)
    gate.release()
    wait_idle(window)
    wait_idle(window)

    # Neither replaced the other: the note is signed, printed once, and the form free again.
    assert clinic.contact_notes.get(user, draft.id).is_signed
    assert len(printed) == 1
    assert not vm.busy


def test_a_print_whose_save_is_refused_says_why_and_leaves_the_sign_box_alone(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    """Only a print waited for the save: the refusal is said, and not as a failed sign."""
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient, seen_today(clinic, user, patient))
    view, vm = screen.view, screen.view_model
    for box in view.boxes.values():
        type_into(qtbot, box, "Shoulder easier.")
    screen.save_now()
    wait_idle(window)
    assert vm.note is not None
    # Signed meanwhile from another window: the next save of this page is refused.
    clinic.contact_notes.sign(user, vm.note.id, PASSWORD)
    type_into(qtbot, view.boxes["plan"], " Review in two weeks.")

    assert "signed" in print_refused_with_its_save(qtbot, window, view, vm)


def test_signing_a_new_note_while_its_first_save_is_on_its_way_signs_the_words_typed(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sign waits for that save; it never saves an empty note over the words first."""
    window = signed_in
    user = window.session.user
    assert user is not None
    patient, _other = _two(clinic, window)
    screen = _open(window, clinic, patient, None)
    view, vm = screen.view, screen.view_model
    assert vm.note is None
    before = {note.id for note in clinic.contact_notes.for_patient(user, patient)}
    gate = Gate(monkeypatch, clinic.contact_notes, "save_draft")
    for box in view.boxes.values():
        type_into(qtbot, box, "Shoulder easier.")
    vm.save_now()
    gate.wait_entered(qtbot)
    type_into(qtbot, view.password, PASSWORD)
    qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)

    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        gate.release()
    wait_idle(window)

    [new] = [n for n in clinic.contact_notes.for_patient(user, patient) if n.id not in before]
    assert new.is_signed
    assert new.content["subjective"] == "Shoulder easier."
    assert new.content["plan"] == "Shoulder easier."
