"""Tried by hand: keyboard only and screen-reader names, on a shipped aid at 1366x768."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QScrollArea, QScrollBar, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, WAIT_MS, wait_idle
from tests.ui.decisions.test_tried_interleaved import _two
from ui.app import MainWindow
from ui.common.theme import apply_theme

PASSWORD = demo_password(CLINICIAN)


def _name(w: QWidget) -> str:
    if w.accessibleName():
        return w.accessibleName()
    if isinstance(w, QAbstractButton):
        return w.text().replace("&", "")
    return ""


def test_keyboard_only_from_patient_record_to_signed(  # noqa: PLR0915 - one journey by keyboard
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    apply_theme(QApplication.instance())
    window = signed_in
    window.resize(1366, 768)
    user = window.session.user
    a, _b = _two(clinic, window)
    window.open_screen("patient", clinic.patients.open(user, a))
    wait_idle(window)
    qtbot.keyClick(
        window,
        Qt.Key.Key_D,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    wait_idle(window)
    screen = window.screen_by_id("decision")
    view, vm = screen.view, screen.view_model
    assert window.showing(screen)
    assert QApplication.focusWidget() is view.chooser.aids, QApplication.focusWidget()
    # Down to "Knee..." then Enter
    chooser = view.chooser.aids
    while chooser.currentItem().data(Qt.ItemDataRole.UserRole) != "knee_osteoarthritis":
        qtbot.keyClick(chooser, Qt.Key.Key_Down)
    qtbot.keyClick(chooser, Qt.Key.Key_Return)
    wait_idle(window)
    page = view.page
    assert page is not None
    # Tab all the way round, checking names and that the focused control is on screen.
    chain = []
    unnamed = []
    offscreen = []
    w = QApplication.focusWidget()
    for _step in range(200):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        QApplication.processEvents()
        w = QApplication.focusWidget()
        if w is None:
            break
        if w in chain:
            break
        chain.append(w)
        if not _name(w) and not isinstance(w, QScrollArea | QScrollBar):
            unnamed.append(type(w).__name__ + f"@{w.objectName()}")
        top_left = w.mapTo(window, QPoint(0, 0))
        if not window.rect().contains(top_left) or not w.visibleRegion().boundingRect().height():
            offscreen.append(_name(w) or type(w).__name__)
    [(type(x).__name__, _name(x)) for x in chain]
    assert any(b in chain for b in page.choice_buttons.values())
    assert view.sign_button in chain
    assert view.print_button in chain
    assert unnamed == []
    assert offscreen == []
    # Choose with the arrow keys inside the radio group, pick who decided, sign with the keyboard.
    radio = next(b for b in page.choice_buttons.values() if b in chain)
    radio.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(radio, Qt.Key.Key_Space)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    [k for k, b in page.choice_buttons.items() if b.isChecked()]
    page.decision_maker.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(page.decision_maker, Qt.Key.Key_Down)
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is view.password
    qtbot.keyClicks(view.password, PASSWORD)
    with qtbot.waitSignal(vm.signed, timeout=WAIT_MS):
        qtbot.keyClick(view.password, Qt.Key.Key_Return)
    wait_idle(window)
    pictures.keep(window, "kb_signed.png")


def test_icon_arrays_and_values_speak(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    window.resize(1366, 768)
    user = window.session.user
    a, _b = _two(clinic, window)
    window.open_screen("patient", clinic.patients.open(user, a))
    wait_idle(window)
    window.open_screen("decision", "low_back_pain")
    wait_idle(window)
    view = window.screen_by_id("decision").view
    page = view.page
    for part in page.outcomes:
        for arr in part.arrays:
            assert arr.accessibleName(), arr
