"""The decision aid's take-home summary ("what was decided"), as a patient reads it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.decisions.content import decision_aids
from clinic_app.kernel.pdf_kit import day_words
from tests.ui.conftest import CLINICIAN, WAIT_MS, type_into, wait_idle
from tests.ui.decisions.printed import catch_pdfs, click_and_wait_pdf, open_patient_screen, words_of
from ui.app import MainWindow
from ui.domains.decisions.consultation.screens import DecisionScreen

AIDS = Path(__file__).parents[2] / "core" / "decisions" / "aids" / "good"


@pytest.fixture(autouse=True)
def _test_aids(clinic: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = decision_aids(AIDS)
    monkeypatch.setattr(clinic.decisions, "aids", lambda: catalogue)


def _signed_decision(qtbot: QtBot, window: MainWindow, screen: DecisionScreen) -> None:
    view, vm = screen.view, screen.view_model
    chooser = view.chooser
    # The aids are listed once the store answers (later on a loaded machine): one is chosen
    # as a clinician would, by the row the list shows first.
    qtbot.waitUntil(lambda: chooser.aids.count() > 0, timeout=WAIT_MS)
    if chooser.aids.currentRow() < 0:
        chooser.aids.setCurrentRow(0)
    chooser.aids.setFocus()
    qtbot.keyClick(chooser.aids, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.page is not None, timeout=WAIT_MS)
    wait_idle(window)
    page = view.page
    assert page is not None
    qtbot.mouseClick(page.choice_buttons["self_management"], Qt.MouseButton.LeftButton)
    type_into(qtbot, page.choice_words, "I would rather avoid needles for now.")
    page.decision_maker.setCurrentIndex(page.decision_maker.findData("patient"))
    type_into(qtbot, view.password, demo_password(CLINICIAN))
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)


def test_a_summary_reprinted_a_week_later_is_dated_the_day_of_the_talk(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, tmp_path: Path
) -> None:
    """The summary says "Talked through on <day> with <clinician>": the day of the conversation.

    A patient who lost their copy comes back a week later; the clinician opens the signed
    decision from the timeline and prints it again. The reprint says the decision was talked
    through on the day of the reprint, a day the patient and clinician never discussed it:
    the take-home record of a shared decision misdates the conversation (the care plan copy
    prints the day it was signed; the decision summary prints "today").
    """
    window = signed_in
    user = window.session.user
    assert user is not None
    patient = clinic.patients.search(user, "999", limit=1)[0].id
    screen = open_patient_screen(window, clinic, patient, "decision")
    assert isinstance(screen, DecisionScreen)
    _signed_decision(qtbot, window, screen)
    record = screen.view_model.record
    assert record is not None
    assert record.is_signed
    talked_on = record.signed_at.astimezone().date()

    # A week later (the screen's own clock), reopened from the patient's timeline.
    later = talked_on + timedelta(days=7)
    screen._today = lambda: later
    screen.view_model._today = lambda: later
    (entry,) = clinic.timeline.for_patient(user, patient).of_kind("sdm")
    window.open_screen("decision", entry)
    wait_idle(window)
    assert screen.view_model.record is not None
    assert screen.view_model.record.id == record.id

    opened = catch_pdfs(screen, tmp_path)
    pdf = click_and_wait_pdf(qtbot, window, screen.view.print_button, opened)
    words = words_of(pdf)
    assert f"Talked through on {day_words(talked_on)}" in words, words[:300]
    assert f"Talked through on {day_words(later)}" not in words


def test_a_summary_for_mrs_van_der_berg_is_saved_under_her_whole_family_name(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, tmp_path: Path
) -> None:
    """The saved PDF's file name is meant to say whose document it is (family name first).

    Every screen hands the bare family name to ``document_file_name``, which reads it as
    "Given Family" and keeps only its last word: Anna VAN DER BERG's summary is saved as
    ``BERG_decision-summary_<date>.pdf``. With no NHS number on her record yet nothing else
    in the name is hers: the file is filed under, and found again as, another surname
    (a Mr Berg's papers), and searching the folder for "Van der Berg" finds nothing.
    """
    from clinic_app.people.views import PatientInput

    window = signed_in
    user = window.session.user
    assert user is not None
    patient = clinic.patients.register(
        user,
        PatientInput(
            given_name="Anna", family_name="Van der Berg", date_of_birth="1961-03-02", sex="2"
        ),
    )
    screen = open_patient_screen(window, clinic, patient.id, "decision")
    assert isinstance(screen, DecisionScreen)
    view = screen.view
    view.chooser.aids.setFocus()
    qtbot.keyClick(view.chooser.aids, Qt.Key.Key_Return)
    wait_idle(window)
    assert view.page is not None
    type_into(qtbot, view.page.questions, "Can I keep cycling?")
    opened = catch_pdfs(screen, tmp_path)
    pdf = click_and_wait_pdf(qtbot, window, view.print_button, opened)
    assert "VAN DER BERG, Anna" in words_of(pdf)  # the document itself is hers
    assert pdf.name.startswith("VAN-DER-BERG_"), pdf.name
