"""A shared decision made on screen, then the injection it leads to, then a patient without one.

The whole path a clinician takes: the patient's record, the "a steroid injection?" aid talked
through with ratings and a choice, CollaboRATE answered by the patient on the device, signed;
the injection for that patient follows the decision; the next patient, with no decision in
their episode, is warned and asked for a reason before anything else.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from tests.ui.injections.helpers import PASSWORD, open_injection, patients, user_of
from ui.app import MainWindow
from ui.domains.decisions.consultation.screens import DecisionScreen


def _decide_on_screen(qtbot: QtBot, window: MainWindow, clinic: Services, patient) -> None:
    user = user_of(window)
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    window.action("decision").trigger()
    wait_idle(window)
    screen = window.screen_by_id("decision")
    assert isinstance(screen, DecisionScreen)
    screen.view_model.choose_aid("steroid_injection")
    wait_idle(window)
    view, vm = screen.view, screen.view_model
    page = view.page
    assert page is not None
    # What matters to the patient, from the keyboard; their choice and their words.
    relief = page.matters.sliders["quick_relief"]
    relief.setFocus(Qt.FocusReason.TabFocusReason)
    for _ in range(9):
        qtbot.keyClick(relief, Qt.Key.Key_Right)
    needles = page.matters.sliders["no_needles"]
    needles.setFocus(Qt.FocusReason.TabFocusReason)
    for _ in range(2):
        qtbot.keyClick(needles, Qt.Key.Key_Right)
    qtbot.mouseClick(page.choice_buttons["injection"], Qt.MouseButton.LeftButton)
    type_into(qtbot, page.choice_words, "The pain stops me sleeping; I want quick relief.")
    page.decision_maker.setCurrentIndex(page.decision_maker.findData("patient"))
    # CollaboRATE, answered by the patient holding the device.
    qtbot.mouseClick(page.hand_over_button, Qt.MouseButton.LeftButton)
    panel = view.patient_panel
    for slider in panel.answers.sliders:
        slider.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.keyClick(slider, Qt.Key.Key_End)
    type_into(qtbot, panel.password, PASSWORD)
    with qtbot.waitSignal(vm.patient_mode_changed, timeout=WAIT_MS):
        qtbot.mouseClick(panel.take_back_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, view.password, PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)


def test_a_decision_signed_on_screen_is_followed_by_the_injection_and_its_absence_warned(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    window.resize(1366, 768)
    user = user_of(window)
    first, second = patients(clinic, window, 2)

    _decide_on_screen(qtbot, window, clinic, first)
    (decision,) = clinic.decisions.for_patient(user, first)
    assert decision.is_signed
    assert decision.choice == "injection"
    assert decision.ratings["quick_relief"] == 9
    assert decision.ratings["no_needles"] == 2
    assert decision.collaborate == (9, 9, 9)

    # The injection for the same patient follows that decision: no warning, no reason asked.
    screen = open_injection(window, clinic, first)
    form = screen.view
    assert not form.decision_warning.isVisibleTo(form)
    assert form.decision_words.isVisibleTo(form)
    assert form.decision_words.text().startswith("Follows the shared decision of ")

    # The next patient has no decision in their episode: the warning comes first.
    screen = open_injection(window, clinic, second)
    form = screen.view
    assert window.context.patient is not None
    assert window.context.patient.id == second
    assert form.decision_warning.isVisibleTo(form)
    assert "No shared decision about an injection" in form.decision_warning.text()
    assert form.reason_field.isVisibleTo(form)
    QApplication.processEvents()
    pictures.keep(window, "injection_without_a_decision.png")
    # Nothing of the first patient's decision reached the second.
    assert clinic.decisions.for_patient(user, second) == []
