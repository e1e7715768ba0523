"""A session begun or a warning acknowledged just before the patient changes: done or said."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.support import pictures
from tests.ui.conftest import type_into
from tests.ui.late_answers import Gate
from tests.ui.shockwave.helpers import (
    add_device,
    add_session,
    fill_course,
    fill_session,
    move_on_then_answer,
    open_shockwave,
    patient_name,
    patients,
    settle,
    user_of,
)
from ui.app import MainWindow
from ui.domains.shockwave.course.screens import ShockwaveScreen


def _sessions(clinic: Services, window: MainWindow, patient: uuid.UUID) -> int:
    kept = clinic.shockwave.for_patient(user_of(window), patient)
    assert len(kept) == 1
    return len(kept[0].sessions)


def _planned(qtbot: QtBot, window: MainWindow, clinic: Services, patient: uuid.UUID):
    """A two-session course of ``patient``, saved, with no session begun."""
    device = add_device(clinic)
    screen = open_shockwave(window, clinic, patient)
    fill_course(qtbot, screen.view, device, planned=2)
    settle(window, screen)
    return screen


def _with_warning(
    qtbot: QtBot, window: MainWindow, clinic: Services, patient: uuid.UUID
) -> ShockwaveScreen:
    """``patient``'s first session begun and typed, with a warning waiting to be acknowledged."""
    screen = _planned(qtbot, window, clinic, patient)
    add_session(qtbot, window, screen)
    fill_session(qtbot, screen.view, date.today())
    settle(window, screen)
    assert screen.view.acknowledge_buttons, "the session should have a warning to acknowledge"
    return screen


def test_a_session_begun_while_a_save_is_on_its_way_is_said_not_begun_when_the_page_moves_on(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    screen = _planned(qtbot, window, clinic, a)
    form = screen.view
    gate = Gate(monkeypatch, clinic.shockwave, "save_course")
    form.planned.clear()
    type_into(qtbot, form.planned, "3")
    screen.view_model.save_now()
    gate.wait_entered(qtbot)
    qtbot.mouseClick(form.add_button, Qt.MouseButton.LeftButton)
    move_on_then_answer(window, clinic, gate, b)

    assert _sessions(clinic, window, a) == 0
    pictures.keep(window, "shockwave_session_not_begun.png")
    assert window.notice.text() == (
        f"A new shockwave session for {patient_name(clinic, window, a)} was not begun: the page "
        "moved on before the changes typed were saved. Open their record and the shockwave course "
        "to begin it."
    )


def test_a_session_begun_and_answered_after_the_patient_changed_is_said_begun(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    screen = _planned(qtbot, window, clinic, a)
    gate = Gate(monkeypatch, clinic.shockwave, "add_session")
    qtbot.mouseClick(screen.view.add_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    move_on_then_answer(window, clinic, gate, b)

    assert _sessions(clinic, window, a) == 1
    assert window.notice.text() == (
        f"A new shockwave session for {patient_name(clinic, window, a)} was begun."
    )
    # Nothing of it reached the page, which has moved on from that patient.
    assert screen.view_model.course is None
    assert screen.view_model.patient_id != a


def test_a_warning_acknowledged_while_a_save_is_on_its_way_is_said_not_acknowledged(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    screen = _with_warning(qtbot, window, clinic, a)
    form = screen.view
    warnings_before = len(form.acknowledge_buttons)
    gate = Gate(monkeypatch, clinic.shockwave, "save_session")
    type_into(qtbot, form.target, " and plantar fascia")
    screen.view_model.save_now()
    gate.wait_entered(qtbot)
    qtbot.mouseClick(next(iter(form.acknowledge_buttons.values())), Qt.MouseButton.LeftButton)
    move_on_then_answer(window, clinic, gate, b)

    assert window.notice.text() == (
        f"A warning on the shockwave session for {patient_name(clinic, window, a)} was not "
        "acknowledged: the page moved on before the changes typed were saved. Open their "
        "record and the shockwave course to acknowledge it."
    )
    # Opened again: the warning still waits, and what was typed was kept.
    again = open_shockwave(window, clinic, a)
    settle(window, again)
    assert len(again.view.acknowledge_buttons) == warnings_before
    assert again.view.target.text().endswith("and plantar fascia")
