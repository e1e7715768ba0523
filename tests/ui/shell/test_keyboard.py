"""One full piece of work done with the keyboard alone, as a keyboard user would do it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow, WindowState

CTRL = Qt.KeyboardModifier.ControlModifier


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def _press(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(_focused(), key, modifier)


def _type(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(_focused(), text)


def _tab_to(qtbot: QtBot, target: QWidget, limit: int = 6) -> None:
    for _ in range(limit):
        if _focused() is target:
            return
        _press(qtbot, Qt.Key.Key_Tab)
    assert _focused() is target, f"Tab never reached {target.objectName()}"


def _sign_in_by_keys(qtbot: QtBot, window: MainWindow) -> None:
    login = window.login_view
    assert _focused() is login.username_edit
    _type(qtbot, CLINICIAN)
    _press(qtbot, Qt.Key.Key_Tab)
    assert _focused() is login.password_edit
    _type(qtbot, demo_password(CLINICIAN))
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.state is WindowState.WORKING, timeout=WAIT_MS)
    wait_idle(window)


def _open_by_keys(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    _press(qtbot, Qt.Key.Key_F, CTRL)
    search = window.screen_by_id("search").view
    assert _focused() is search.search_box
    _type(qtbot, patient.nhs_number or "")
    qtbot.waitUntil(
        lambda: search.model.rowCount() == 1 and window.runner.is_idle(), timeout=WAIT_MS
    )
    _press(qtbot, Qt.Key.Key_Down)
    assert _focused() is search.table
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view, timeout=WAIT_MS
    )
    wait_idle(window)


def _referral_by_keys(qtbot: QtBot, window: MainWindow) -> None:
    _press(qtbot, Qt.Key.Key_R, CTRL)
    form = window.screen_by_id("referral").view
    assert window.pages.currentWidget() is form
    assert _focused() is form.source
    _press(qtbot, Qt.Key.Key_Down)
    assert form.source.code() == "gp"
    _tab_to(qtbot, form.received_on)
    _tab_to(qtbot, form.referrer_name)
    _type(qtbot, "Dr K Board")
    _tab_to(qtbot, form.specialty)
    _press(qtbot, Qt.Key.Key_Down)
    assert form.specialty.code() != ""
    _tab_to(qtbot, form.routine)
    _press(qtbot, Qt.Key.Key_Right)
    assert form.priority.isChecked()
    _press(qtbot, Qt.Key.Key_Right)
    assert form.urgent.isChecked()
    _tab_to(qtbot, form.reason)
    _type(qtbot, "Knee pain on stairs.")
    _press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view, timeout=WAIT_MS
    )
    qtbot.waitUntil(
        lambda: any(
            row[-1] == "Knee pain on stairs."
            for row in window.screen_by_id("patient").view.referral_rows()
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)


def test_a_referral_from_sign_in_to_lock_with_keys_only(
    qtbot: QtBot, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    _sign_in_by_keys(qtbot, window)
    _open_by_keys(qtbot, window, seeded_patient)
    _referral_by_keys(qtbot, window)

    # The register form opens with the cursor in its first field.
    _press(qtbot, Qt.Key.Key_N, CTRL)
    assert window.pages.currentWidget() is window.screen_by_id("register").view
    assert _focused() is window.screen_by_id("register").view.nhs_number

    # Lock, then unlock back to the same place.
    _press(qtbot, Qt.Key.Key_L, CTRL)
    assert window.state is WindowState.LOCKED
    assert _focused() is window.login_view.password_edit
    _type(qtbot, demo_password(CLINICIAN))
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.state is WindowState.WORKING, timeout=WAIT_MS)
    wait_idle(window)
    assert _focused() is window.screen_by_id("register").view.nhs_number


@pytest.mark.parametrize("user", ["clinician", "admin", "trainee"])
def test_each_menu_gives_each_of_its_items_a_letter_of_its_own(
    qtbot: QtBot, window: MainWindow, user: str
) -> None:
    """Alt and a letter reaches one item: no two items of a menu share their underlined letter."""
    sign_in(qtbot, window, user)
    for menu in window.menuBar().findChildren(QMenu):
        letters: dict[str, str] = {}
        for action in menu.actions():
            text = action.text().replace("&&", "")
            if action.isSeparator() or "&" not in text:
                continue
            letter = text[text.index("&") + 1].lower()
            assert letter not in letters, (menu.title(), letters[letter], text)
            letters[letter] = text
