"""Of two patients chosen one after the other, the one asked for last opens, whatever answers first.

A row of a list (here the review queue's "View the images") and the search panel each read the
chosen patient's record on the store worker; a slow store answers after the next choice.
"""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import SUPERVISOR, WAIT_MS, sign_in, wait_idle
from tests.ui.late_answers import Gate, choose_meanwhile, in_banner, settle, two_patients
from tests.ui.records import submitted_by_trainee
from ui.app import MainWindow
from ui.domains.reports.report.view import ReviewQueuePage


def _queue_row_of(qtbot: QtBot, window: MainWindow, patient_id: object) -> ReviewQueuePage:
    window.action("review").trigger()
    queue = window.screen_by_id("review").view
    qtbot.waitUntil(lambda: queue.pending.count() == 2, timeout=WAIT_MS)
    wait_idle(window)
    row = next(
        r
        for r in range(queue.pending.count())
        if queue.pending.item(r).data(256).patient_id == patient_id
    )
    queue.pending.setCurrentRow(row)
    return queue


def test_a_row_answered_after_the_search_chose_someone_else_never_opens(
    qtbot: QtBot, clinic: Services, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    a, b = two_patients(clinic, window)
    submitted_by_trainee(clinic, a)
    submitted_by_trainee(clinic, b)
    queue = _queue_row_of(qtbot, window, a.id)
    gate = Gate(monkeypatch, clinic.patients, "open")
    queue.images_button.click()  # A's record is read, slowly
    gate.wait_entered(qtbot)

    choose_meanwhile(window, b.id)  # the clinician chooses B in the search meanwhile
    gate.release()
    settle(qtbot, window)

    assert in_banner(window, b.id)
    record = window.screen_by_id("patient")
    assert record.view_model.record is not None
    assert record.view_model.record.id == b.id
    assert window.showing(record), "the page chosen last (B's record) is the one on show"
    imaging = window.screen_by_id("imaging")
    assert not window.showing(imaging)


def test_a_search_answered_after_a_row_chose_someone_else_never_opens(
    qtbot: QtBot, clinic: Services, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    a, b = two_patients(clinic, window)
    submitted_by_trainee(clinic, a)
    submitted_by_trainee(clinic, b)
    queue = _queue_row_of(qtbot, window, b.id)
    gate = Gate(monkeypatch, clinic.patients, "open")
    choose_meanwhile(window, a.id)  # A chosen in the search, read slowly
    gate.wait_entered(qtbot)

    queue.images_button.click()  # then B's images from the queue
    gate.release()
    settle(qtbot, window)

    assert in_banner(window, b.id)
    record = window.screen_by_id("patient")
    assert record.view_model.record is not None
    assert record.view_model.record.id == b.id
    assert not record.view_model.busy
    assert window.showing(window.screen_by_id("imaging"))
