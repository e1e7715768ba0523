"""An addendum asked for just before the patient changes, refused: the clinician is told."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import type_into
from tests.ui.injections.helpers import patients, user_of
from tests.ui.injections.test_injection_addenda import LATER, _idle, _signed_knee_injection
from tests.ui.late_answers import Gate
from ui.app import MainWindow


def test_an_addendum_refused_after_the_patient_changed_is_said_not_added(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    screen = _signed_knee_injection(qtbot, window, clinic, a)
    form = screen.view
    record = screen.view_model.record
    assert record is not None

    # Add pressed with a slip of the password; the answer comes after B is in the banner.
    gate = Gate(monkeypatch, clinic.injections, "add_addendum")
    type_into(qtbot, form.addendum_text, LATER)
    type_into(qtbot, form.addendum_password, "not my password")
    qtbot.mouseClick(form.addendum_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    window.open_screen("patient", clinic.patients.open(user_of(window), b))
    gate.release()
    _idle(window)
    _idle(window)

    stored = clinic.injections.get(user_of(window), record.id, patient_id=a).addenda
    assert not stored  # not added: the password was wrong
    record_a = clinic.patients.open(user_of(window), a)
    said = window.notice.text()
    # The words typed are gone from the screen: the clinician hears they were not added.
    assert said.startswith(
        f"The addendum to the injection record for {record_a.family_name.upper()}, "
        f"{record_a.given_name} was not added: "
    ), said
    assert said.endswith("open their injection record to add it again.")
