"""A supervisor's review feedback, typed for one trainee report, is never lost."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import SUPERVISOR, WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.late_answers import Gate, settle, two_patients
from tests.ui.records import submitted_by_trainee
from ui.app import MainWindow
from ui.domains.reports.report.view import ReviewQueuePage


def _queue(qtbot: QtBot, window: MainWindow, count: int) -> ReviewQueuePage:
    window.action("review").trigger()
    queue = window.screen_by_id("review").view
    qtbot.waitUntil(lambda: queue.pending.count() == count, timeout=WAIT_MS)
    wait_idle(window)
    return queue


def test_returning_one_report_does_not_wipe_feedback_being_typed_for_the_next(
    qtbot: QtBot, clinic: Services, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    a, b = two_patients(clinic, window)
    user = window.session.user
    assert user is not None
    c = next(
        p
        for p in clinic.patients.search(user, "999", limit=60)
        if p.nhs_number and p.family_name not in (a.family_name, b.family_name)
    )
    for patient in (a, b, c):
        submitted_by_trainee(clinic, patient)
    queue = _queue(qtbot, window, 3)

    # Return the first report with feedback; the store is slow to answer.
    gate = Gate(monkeypatch, clinic.reports, "return_to_trainee")
    queue.pending.setCurrentRow(0)
    type_into(qtbot, queue.feedback, "Please add the measurements.")
    queue.return_button.click()
    gate.wait_entered(qtbot)

    # Meanwhile the supervisor moves on to the second report and starts its feedback.
    queue.pending.setCurrentRow(1)
    next_id = queue.pending.currentItem().data(256).id
    type_into(qtbot, queue.feedback, "Good views of the long head of biceps.")
    gate.release()
    qtbot.waitUntil(lambda: queue.pending.count() == 2, timeout=WAIT_MS)
    settle(qtbot, window)

    # Still on the report they were typing for, and their words are still there.
    assert queue.pending.currentItem().data(256).id == next_id
    assert queue.feedback.toPlainText() == "Good views of the long head of biceps."


def test_feedback_typed_for_a_report_is_still_there_on_coming_back_to_it(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    a, b = two_patients(clinic, window)
    submitted_by_trainee(clinic, a)
    submitted_by_trainee(clinic, b)
    queue = _queue(qtbot, window, 2)
    queue.pending.setCurrentRow(0)
    type_into(qtbot, queue.feedback, "Scan the bursa in two planes next time.")

    # A glance at the other report waiting (its form is empty: nothing carries over)...
    queue.pending.setCurrentRow(1)
    assert queue.feedback.toPlainText() == ""
    # ...and back: the feedback written for the first is not gone.
    queue.pending.setCurrentRow(0)
    qtbot.waitUntil(
        lambda: queue.feedback.toPlainText() == "Scan the bursa in two planes next time.",
        timeout=WAIT_MS,
    )


def test_feedback_typed_before_a_switch_of_user_is_there_when_the_supervisor_returns(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    a, b = two_patients(clinic, window)
    submitted_by_trainee(clinic, a)
    submitted_by_trainee(clinic, b)
    queue = _queue(qtbot, window, 2)
    queue.pending.setCurrentRow(1)
    chosen = queue.pending.currentItem().data(256).id
    type_into(qtbot, queue.feedback, "Anisotropy at the insertion: tilt the probe.")

    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, SUPERVISOR)
    queue = _queue(qtbot, window, 2)
    row = next(
        r for r in range(queue.pending.count()) if queue.pending.item(r).data(256).id == chosen
    )
    queue.pending.setCurrentRow(row)
    qtbot.waitUntil(
        lambda: queue.feedback.toPlainText() == "Anisotropy at the insertion: tilt the probe.",
        timeout=WAIT_MS,
    )


def test_a_refusal_of_one_reports_verify_is_not_shown_as_about_the_next_report(
    qtbot: QtBot, clinic: Services, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    a, b = two_patients(clinic, window)
    submitted_by_trainee(clinic, a)
    submitted_by_trainee(clinic, b)
    queue = _queue(qtbot, window, 2)
    queue.pending.setCurrentRow(0)
    refused = queue.pending.currentItem().data(256)
    # Verify pressed with nothing chosen and a wrong password; the store is slow to answer.
    queue.confirm.setChecked(True)
    queue.password.setText("not-the-password")
    gate = Gate(monkeypatch, clinic.reports, "verify")
    queue.verify_button.click()
    gate.wait_entered(qtbot)
    queue.pending.setCurrentRow(1)
    gate.release()
    settle(qtbot, window)

    # The refusal is about the first report: the second's form is not marked as wrong, and
    # what is said names whose report was refused.
    shown = [e.text() for e in queue.errors.values() if e.isVisibleTo(queue)]
    assert shown == []
    said = queue.notice.text()
    assert said == "" or refused.patient.family_name.casefold() in said.casefold()
