"""A shockwave course's close asked for just before the patient changes: done or not, and said."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import type_into
from tests.ui.late_answers import Gate
from tests.ui.shockwave.helpers import (
    PASSWORD,
    acknowledge_every_warning,
    add_device,
    add_session,
    fill_course,
    fill_session,
    move_on_then_answer,
    open_shockwave,
    patient_name,
    patients,
    settle,
    sign_session,
    user_of,
)
from ui.app import MainWindow
from ui.domains.shockwave.course.screens import ShockwaveScreen


def _ready_to_close(
    qtbot: QtBot, window: MainWindow, clinic: Services, patient: uuid.UUID
) -> ShockwaveScreen:
    """A one-session course of ``patient``, its session signed: the close card on show."""
    device = add_device(clinic)
    screen = open_shockwave(window, clinic, patient)
    form = screen.view
    fill_course(qtbot, form, device, planned=1)
    settle(window, screen)
    add_session(qtbot, window, screen)
    fill_session(qtbot, form, date.today())
    settle(window, screen)
    acknowledge_every_warning(qtbot, window, screen)
    sign_session(qtbot, window, screen)
    assert form.close_card.isVisible()
    return screen


def _course(clinic: Services, window: MainWindow, patient: uuid.UUID):
    kept = clinic.shockwave.for_patient(user_of(window), patient)
    assert len(kept) == 1
    return kept[0]


def test_a_close_waiting_for_a_save_when_the_patient_changes_is_done_or_said(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    screen = _ready_to_close(qtbot, window, clinic, a)
    form = screen.view
    # The plan is changed (it still may be) and that save is on its way when Close is clicked.
    gate = Gate(monkeypatch, clinic.shockwave, "save_course")
    form.planned.clear()
    type_into(qtbot, form.planned, "1")
    screen.view_model.save_now()
    gate.wait_entered(qtbot)
    type_into(qtbot, form.pain_after, "3")
    type_into(qtbot, form.close_password, PASSWORD)
    qtbot.mouseClick(form.close_button, Qt.MouseButton.LeftButton)
    assert screen.view_model.busy  # the close waits for the save
    move_on_then_answer(window, clinic, gate, b)

    # Not closed once the page moved on, and said, naming the patient: never dropped.
    assert not _course(clinic, window, a).is_closed
    assert window.notice.text() == (
        f"The shockwave course for {patient_name(clinic, window, a)} was not closed: the page "
        "moved on before the changes typed were saved. It is still open: open their record and the "
        "shockwave course to close it."
    )


def test_a_close_answered_after_the_patient_changed_is_said_how_it_went(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = signed_in
    a, b = patients(clinic, window)
    screen = _ready_to_close(qtbot, window, clinic, a)
    form = screen.view
    gate = Gate(monkeypatch, clinic.shockwave, "close_course")
    type_into(qtbot, form.pain_after, "3")
    # A slip of the password; the answer comes after the next patient is opened.
    type_into(qtbot, form.close_password, "not my password")
    qtbot.mouseClick(form.close_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    move_on_then_answer(window, clinic, gate, b)

    assert not _course(clinic, window, a).is_closed
    said = window.notice.text()
    assert said.startswith(
        f"The shockwave course for {patient_name(clinic, window, a)} was not closed: "
    ), said
    assert "password" in said
