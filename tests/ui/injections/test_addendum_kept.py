"""An addendum being written on a signed injection is its writer's draft of that record: kept
through opening another patient and switching user, never shown under another patient or user."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, switch_user_to, type_into, wait_idle
from tests.ui.injections.helpers import PASSWORD, open_injection, patients
from tests.ui.injections.test_injection_addenda import LATER, _add, _signed_knee_injection
from ui.app import MainWindow
from ui.domains.injections.injection.screens import InjectionScreen


def _reopen(
    window: MainWindow, clinic: Services, patient: uuid.UUID, record: uuid.UUID
) -> InjectionScreen:
    """The patient's record, then their signed injection from the timeline."""
    user = window.session.require_user()
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    window.open_screen("injection", record)
    wait_idle(window)
    screen = window.screen_by_id("injection")
    assert isinstance(screen, InjectionScreen)
    return screen


def test_an_unsent_addendum_stays_with_its_injection_and_its_writer(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    user = window.session.require_user()
    a, b = patients(clinic, window)
    screen = _signed_knee_injection(qtbot, window, clinic, a)
    record = screen.view_model.record
    assert record is not None
    form = screen.view
    type_into(qtbot, form.addendum_text, LATER)

    # Another patient: an empty box. Back to the injection: the words as they were left.
    open_injection(window, clinic, b)
    assert LATER not in form.addendum_text.toPlainText()
    _reopen(window, clinic, a, record.id)
    qtbot.waitUntil(lambda: form.addendum_text.toPlainText() == LATER, timeout=WAIT_MS)

    # Another user never sees them; the writer does, and adding them ends the draft.
    switch_user_to(qtbot, window, SUPERVISOR)
    _reopen(window, clinic, a, record.id)
    assert form.addendum_text.toPlainText() == ""
    switch_user_to(qtbot, window, CLINICIAN)
    screen = _reopen(window, clinic, a, record.id)
    qtbot.waitUntil(lambda: form.addendum_text.toPlainText() == LATER, timeout=WAIT_MS)
    _add(qtbot, window, screen, PASSWORD)
    assert [x.text for x in clinic.injections.get(user, record.id).addenda] == [LATER]
    assert clinic.drafts.load(user, "injection.addendum", str(record.id)) is None
