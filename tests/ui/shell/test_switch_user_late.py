"""A record asked for by the first user, answered after switching user."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import CLINICIAN, SUPERVISOR, sign_in
from tests.ui.late_answers import Gate, choose_meanwhile, settle, two_patients
from ui.app import MainWindow, WindowState


def test_a_record_answered_after_switching_user_never_opens_for_the_next_user(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    first, _second = two_patients(clinic, window)
    gate = Gate(monkeypatch, clinic.patients, "open")

    # The first clinician clicks a patient; the store is slow to answer.
    choose_meanwhile(window, first.id)
    gate.wait_entered(qtbot)
    # A colleague takes over: switching user waits ~5 s for the store, then goes on anyway.
    window.switch_user()
    assert window.state is WindowState.SIGNED_OUT
    assert window.context.patient is None
    gate.release()
    settle(qtbot, window)

    # Nobody is signed in: no patient may be in the window behind the sign-in screen.
    behind_sign_in = window.context.patient
    sign_in(qtbot, window, SUPERVISOR)
    settle(qtbot, window)
    assert window.session.user is not None
    assert window.session.user.username != CLINICIAN
    # ... and the next user finds no patient open: not in the banner, not on the record page.
    assert behind_sign_in is None
    assert window.context.patient is None
    assert window.screen_by_id("patient").view_model.record is None
