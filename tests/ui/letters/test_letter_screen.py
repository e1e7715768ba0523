"""The letter screen as a clinician uses it: from a discharge to signed, printed letters."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.letters.content import prsb_headings
from clinic_app.domains.letters.rules import day
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.model import Patient
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, WAIT_MS, type_into, wait_idle
from tests.ui.late_answers import Gate
from tests.ui.letters.helpers import (
    SMALL_LAPTOP,
    discharge,
    open_letter,
    patients_with_episodes,
    pdf_text,
    printing_to,
)
from ui.app import MainWindow
from ui.domains.letters.letter.screens import LetterScreen
from ui.domains.letters.letter.view_model import Letters

PASSWORD = demo_password(CLINICIAN)
HARD = (
    "Notwithstanding the considerable heterogeneity characterising musculoskeletal "
    "presentations, conservative multidisciplinary rehabilitation demonstrated "
    "substantially improved functional outcomes comparatively."
)


def _names(clinic: Services, user: CurrentUser, patient: object) -> tuple[str, str]:
    with clinic.context.store.sessions() as session:
        row = session.get(Patient, patient)
        assert row is not None
        return row.family_name, row.given_name


def _draft(qtbot: QtBot, window: MainWindow, screen: LetterScreen, kind: str) -> None:
    view = screen.view
    view.kind.setCurrentIndex(view.kind.findData(kind))
    with qtbot.waitSignal(screen.view_model.letter_changed, timeout=WAIT_MS):
        qtbot.mouseClick(view.draft_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    letter = screen.view_model.letter
    assert letter is not None
    assert letter.kind == kind
    assert list(view.sections) == [s.key for s in letter.sections]


def _sign(qtbot: QtBot, window: MainWindow, screen: LetterScreen) -> None:
    view = screen.view
    view.password.clear()
    type_into(qtbot, view.password, PASSWORD)
    qtbot.mouseClick(view.sign_button, Qt.MouseButton.LeftButton)
    wait_idle(window)


def _print(qtbot: QtBot, window: MainWindow, screen: LetterScreen, folder: Path, stem: str) -> str:
    printed = printing_to(screen, folder)
    with qtbot.waitSignal(screen.view_model.printed, timeout=WAIT_MS):
        qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert len(printed) == 1
    assert printed[0].suffix == ".pdf"
    assert "Saved as" in screen.view.notice.text()
    pictures.keep_pdf(printed[0], stem, resolution=80)
    return pdf_text(printed[0])


def _read_as_the_gp(words: str, family: str, given: str, ended: date) -> None:
    """The printed GP letter: each mandatory heading, the patient, the discharge, no draft."""
    for heading in prsb_headings():
        if heading.mandatory:
            assert heading.title in words, heading.title
    assert family.upper() in words
    assert given in words
    assert "Knee pain settled with exercise." in words
    # The discharge letter is about the episode that ended, with its end date.
    assert f"to {day(ended)}." in words
    assert "preliminary" not in words.lower()


def _patient_letter(
    qtbot: QtBot, window: MainWindow, screen: LetterScreen, folder: Path, given: str
) -> None:
    """The letter to the patient: readability warned beside the paragraph, signed, printed."""
    view = screen.view
    _draft(qtbot, window, screen, "patient")
    assert not any(editor.words.isReadOnly() for editor in view.sections.values())
    actions = view.sections["actions"]
    with qtbot.waitSignal(screen.view_model.saved, timeout=WAIT_MS):
        actions.words.setPlainText(f"Keep doing your exercises.\n\n{HARD}")
    wait_idle(window)
    assert "Paragraph 2 is very hard to read" in actions.side.text()
    pictures.keep(window, "letter-patient-warned.png")
    with qtbot.waitSignal(screen.view_model.saved, timeout=WAIT_MS):
        actions.words.setPlainText("Keep doing your exercises every day.")
    wait_idle(window)
    assert actions.side.text() == ""
    _sign(qtbot, window, screen)
    assert screen.view_model.letter is not None
    assert screen.view_model.letter.signed
    words = _print(qtbot, window, screen, folder, "letter-patient-pdf")
    assert f"Dear {given}" in words
    assert "What you need to do" in words
    assert "Keep doing your exercises every day." in words
    assert "preliminary" not in words.lower()


def test_from_a_discharge_to_a_signed_gp_letter_and_a_signed_patient_letter_both_printed(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    window = signed_in
    window.resize(*SMALL_LAPTOP)
    user = window.session.user
    assert user is not None
    ((patient, episode),) = patients_with_episodes(clinic, 1)
    ended = date.today() - timedelta(days=1)
    discharge(clinic, episode, ended, user)
    family, given = _names(clinic, user, patient)
    screen = open_letter(window, clinic, patient)
    view = screen.view
    assert not view.sign_row.isVisible()  # nothing to sign before a kind is drafted

    _draft(qtbot, window, screen, "gp_discharge")
    mandatory = {h.key for h in prsb_headings() if h.mandatory}
    for key in mandatory:
        assert "(must say something)" in view.sections[key].heading.text()
    # An empty mandatory section is refused beside itself, in plain words.
    who = view.sections["person_completing_record"].words
    who.setPlainText("")
    assert "cannot be signed" in view.sections["person_completing_record"].hint.text()
    _sign(qtbot, window, screen)
    assert not screen.view_model.letter.signed  # type: ignore[union-attr]
    problem = view.sections["person_completing_record"].problem
    assert problem.isVisible()
    assert "must say something" in problem.text()
    assert "beside its section" in view.sign_problem.text()
    pictures.keep(window, "letter-refused.png")

    who.setPlainText("Alex Physio, MSK clinic")
    view.sections["clinical_summary"].words.setPlainText("Knee pain settled with exercise.")
    _sign(qtbot, window, screen)
    letter = screen.view_model.letter
    assert letter is not None
    assert letter.signed
    assert not view.sections["person_completing_record"].problem.isVisible()
    assert all(editor.words.isReadOnly() for editor in view.sections.values())
    assert not view.sign_button.isVisible()
    assert view.print_button.isVisible()
    assert "can no longer be changed" in view.status.text()
    pictures.keep(window, "letter-gp-signed.png")

    words = _print(qtbot, window, screen, tmp_path, "letter-gp-pdf")
    _read_as_the_gp(words, family, given, ended)

    _patient_letter(qtbot, window, screen, tmp_path, given)
    # Both signed letters are on the patient's timeline, opened from there read only.
    entries = clinic.timeline.for_patient(user, patient).of_kind("letter")
    assert len(entries) == 2
    assert all(e.screen_id == "letter" for e in entries)
    window.open_screen("letter", entries[0])
    wait_idle(window)
    assert screen.view_model.letter is not None
    assert screen.view_model.letter.signed


def test_a_wrong_password_is_said_in_plain_words(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    service: Letters = clinic.letters  # the screen's Protocol is the service's shape
    assert service is clinic.letters
    ((patient, _episode),) = patients_with_episodes(clinic, 1)
    screen = open_letter(window, clinic, patient)
    _draft(qtbot, window, screen, "gp_clinic")
    type_into(qtbot, screen.view.password, "not the password")
    qtbot.keyClick(screen.view.password, Qt.Key.Key_Return)
    wait_idle(window)
    assert "password is not right" in screen.view.sign_problem.text()
    assert not screen.view_model.letter.signed  # type: ignore[union-attr]


def test_two_patients_in_turn_and_a_late_answer_is_dropped(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    (first, _e1), (second, _e2) = patients_with_episodes(clinic, 2)
    user = window.session.user
    assert user is not None
    first_family, _ = _names(clinic, user, first)
    screen = open_letter(window, clinic, first)
    _draft(qtbot, window, screen, "gp_clinic")
    assert screen.view_model.patient_id == first

    # Another patient in the banner: the letter goes.
    window.open_screen("patient", clinic.patients.open(user, second))
    wait_idle(window)
    assert screen.view_model.letter is None
    assert not screen.view.sections

    # A draft asked for the first patient, answered after the second is in the banner.
    open_letter(window, clinic, first)
    screen.view.kind.setCurrentIndex(screen.view.kind.findData("gp_clinic"))
    screen.view.draft_button.click()
    window.open_screen("patient", clinic.patients.open(user, second))
    wait_idle(window)
    assert screen.view_model.letter is None
    assert not screen.view.sections

    screen = open_letter(window, clinic, second)
    _draft(qtbot, window, screen, "patient")
    letter = screen.view_model.letter
    assert letter is not None
    assert letter.patient_id == second
    shown = " ".join(e.words.toPlainText() for e in screen.view.sections.values())
    assert first_family not in shown


def test_the_letter_page_fits_a_small_laptop(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    window.resize(*SMALL_LAPTOP)
    ((patient, _episode),) = patients_with_episodes(clinic, 1)
    screen = open_letter(window, clinic, patient)
    _draft(qtbot, window, screen, "gp_discharge")
    assert window.minimumSizeHint().width() <= SMALL_LAPTOP[0]
    assert window.minimumSizeHint().height() <= SMALL_LAPTOP[1]
    view = screen.view
    assert view.area.horizontalScrollBar().maximum() == 0  # the page scrolls up and down only
    assert view.sign_button.isVisible()
    assert view.print_button.isVisible()
    top = view.sign_button.mapTo(window, view.sign_button.rect().bottomRight())
    assert top.y() <= window.height()
    assert top.x() <= window.width()
    pictures.keep(window, "letter-gp.png")


def test_words_typed_while_a_save_is_on_its_way_reach_the_letter_when_the_patient_changes(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    (a, _), (b, _) = patients_with_episodes(clinic, 2)
    screen = open_letter(window, clinic, a)
    _draft(qtbot, window, screen, "patient")
    editor = screen.view.sections["actions"].words
    # The first save is held on the store's worker (a sync round, a slow disk).
    gate = Gate(monkeypatch, clinic.letters, "edit")
    editor.setPlainText("Walk every day.")
    screen.view_model.save_now()
    gate.wait_entered(qtbot)
    editor.setPlainText("Walk every day. Use the stairs slowly.")

    # The clinician chooses the next patient before that save is back.
    window.open_screen("patient", clinic.patients.open(user, b))
    gate.release()
    wait_idle(window)

    (letter,) = clinic.letters.for_patient(user, a)
    actions = next(s.text for s in letter.sections if s.key == "actions")
    assert actions == "Walk every day. Use the stairs slowly."
    assert not clinic.letters.for_patient(user, b)


def test_a_letter_printed_after_the_patient_changed_is_never_printed_and_that_is_said(
    qtbot: QtBot,
    signed_in: MainWindow,
    clinic: Services,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    (a, _), (b, _) = patients_with_episodes(clinic, 2)
    screen = open_letter(window, clinic, a)
    _draft(qtbot, window, screen, "patient")
    folder = tmp_path / "printed"
    folder.mkdir()
    printed = printing_to(screen, folder)
    # The letter's PDF is being made on the store's worker when the next patient is chosen.
    gate = Gate(monkeypatch, clinic.letters, "printable")
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    window.open_screen("patient", clinic.patients.open(user, b))
    gate.release()
    wait_idle(window)

    # Nothing of A's is printed or saved while B is on show; the clinician is told, of A.
    assert printed == []
    assert list(folder.iterdir()) == []
    family, given = _names(clinic, user, a)
    assert window.notice.text() == (
        f"The letter for {family.upper()}, {given} was not printed: the page moved on "
        "before it was ready. Open it again from their record to print it."
    )


def test_a_letter_printed_while_a_save_is_on_its_way_holds_every_word_typed(
    qtbot: QtBot,
    signed_in: MainWindow,
    clinic: Services,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    window = signed_in
    (a, _), *_others = patients_with_episodes(clinic, 1)
    screen = open_letter(window, clinic, a)
    _draft(qtbot, window, screen, "patient")
    printed = printing_to(screen, tmp_path)
    editor = screen.view.sections["actions"].words
    gate = Gate(monkeypatch, clinic.letters, "edit")
    editor.setPlainText("Walk every day.")
    screen.view_model.save_now()
    gate.wait_entered(qtbot)
    # Typed on, and printed, before that save is back.
    editor.setPlainText("Walk every day. Use the stairs slowly.")
    qtbot.mouseClick(screen.view.print_button, Qt.MouseButton.LeftButton)
    gate.release()
    qtbot.waitUntil(lambda: len(printed) == 1, timeout=WAIT_MS)
    wait_idle(window)

    assert "Use the stairs slowly." in " ".join(pdf_text(printed[0]).split())
    user = window.session.user
    assert user is not None
    (letter,) = clinic.letters.for_patient(user, a)
    actions = next(s.text for s in letter.sections if s.key == "actions")
    assert actions == "Walk every day. Use the stairs slowly."


@pytest.mark.parametrize("password", [PASSWORD, "not my password"])
def test_a_sign_answered_after_the_patient_changed_is_said_how_it_went(
    qtbot: QtBot,
    signed_in: MainWindow,
    clinic: Services,
    monkeypatch: pytest.MonkeyPatch,
    password: str,
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    (a, _), (b, _) = patients_with_episodes(clinic, 2)
    screen = open_letter(window, clinic, a)
    _draft(qtbot, window, screen, "patient")
    gate = Gate(monkeypatch, clinic.letters, "sign")
    screen.view.password.clear()
    type_into(qtbot, screen.view.password, password)
    qtbot.mouseClick(screen.view.sign_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    window.open_screen("patient", clinic.patients.open(user, b))
    gate.release()
    wait_idle(window)
    wait_idle(window)

    (letter,) = clinic.letters.for_patient(user, a)
    family, given = _names(clinic, user, a)
    said = window.notice.text()
    if password == PASSWORD:
        assert letter.signed
        assert said == f"The letter for {family.upper()}, {given} was signed."
    else:
        assert not letter.signed
        assert said.startswith(f"The letter for {family.upper()}, {given} was not signed: ")
