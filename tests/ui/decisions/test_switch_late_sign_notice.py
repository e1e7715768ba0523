"""A sign answered after switching user never names the first user's patient to the next."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import CLINICIAN, SUPERVISOR, sign_in, type_into
from tests.ui.decisions.test_tried_interleaved import _choose, _open, _two
from tests.ui.late_answers import Gate, settle
from ui.app import MainWindow, WindowState


def test_a_decision_signed_late_after_switch_user_is_not_announced_to_the_next_user(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    user = window.session.require_user()
    a, _b = _two(clinic, window)
    family = clinic.patients.open(user, a).family_name
    screen = _open(window, clinic, a)
    view = screen.view
    _choose(qtbot, window, screen, "scan")
    page = view.page
    qtbot.mouseClick(next(iter(page.choice_buttons.values())), Qt.MouseButton.LeftButton)
    page.decision_maker.setCurrentIndex(page.decision_maker.findData("patient"))
    gate = Gate(monkeypatch, clinic.decisions, "sign")
    type_into(qtbot, view.password, demo_password(CLINICIAN))
    qtbot.keyClick(view.password, Qt.Key.Key_Return)
    gate.wait_entered(qtbot)

    # A colleague takes the laptop while the sign is still held by a slow store.
    window.switch_user()
    assert window.state is WindowState.SIGNED_OUT
    assert not window.notice.isVisible()
    gate.release()
    settle(qtbot, window)
    on_sign_in_screen = window.notice.text() if window.notice.isVisible() else ""

    sign_in(qtbot, window, SUPERVISOR)
    settle(qtbot, window)
    seen_by_next = window.notice.text() if window.notice.isVisible() else ""
    assert family.upper() not in on_sign_in_screen.upper()
    assert family.upper() not in seen_by_next.upper()
