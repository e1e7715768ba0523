"""A supervisor's review form belongs to the report chosen: never put to another patient's."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import SUPERVISOR, WAIT_MS, sign_in, wait_idle
from tests.ui.late_answers import settle, two_patients
from tests.ui.records import submitted_by_trainee
from ui.app import MainWindow
from ui.domains.reports.report.view import ReviewQueuePage

WORDS = "Agree: supraspinatus tendinopathy, for this patient only"


def _queue(qtbot: QtBot, window: MainWindow) -> ReviewQueuePage:
    window.action("review").trigger()
    queue = window.screen_by_id("review").view
    qtbot.waitUntil(lambda: queue.pending.count() == 2, timeout=WAIT_MS)
    wait_idle(window)
    return queue


def _fill(queue: ReviewQueuePage) -> None:
    queue.mode_buttons[0].setChecked(True)
    queue.agreement_buttons[0].setChecked(True)
    queue.supervisor_words.setPlainText(WORDS)
    queue.feedback.setPlainText("Well seen.")
    queue.confirm.setChecked(True)


def _empty(queue: ReviewQueuePage) -> bool:
    return (
        queue.modes.checkedId() < 0
        and queue.agreements.checkedId() < 0
        and not queue.supervisor_words.toPlainText()
        and not queue.feedback.toPlainText()
        and not queue.confirm.isChecked()
        and not queue.password.text()
        and not queue.verify_button.isEnabled()
    )


def _chosen_id(queue: ReviewQueuePage) -> uuid.UUID:
    item = queue.pending.currentItem()
    assert item is not None
    return item.data(256).id


def test_a_queue_read_again_keeps_the_report_under_review_and_verify_signs_that_one(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    a, b = two_patients(clinic, window)
    submitted_by_trainee(clinic, a)
    submitted_by_trainee(clinic, b)
    queue = _queue(qtbot, window)
    queue.pending.setCurrentRow(1)
    meant = _chosen_id(queue)
    _fill(queue)
    queue.password.setText(demo_password("supervisor"))

    # A sync round brings something in just before Verify is pressed: the queue is read again.
    window.context.announce("sync.received", None)
    settle(qtbot, window)
    assert _chosen_id(queue) == meant
    assert queue.supervisor_words.toPlainText() == WORDS
    queue.verify_button.click()
    qtbot.waitUntil(lambda: queue.pending.count() == 1, timeout=WAIT_MS)
    settle(qtbot, window)

    user = window.session.user
    assert user is not None
    waiting = [p.report.id for p in clinic.reports.pending_reviews(user)]
    assert meant not in waiting
    assert len(waiting) == 1
    assert "Patient:" in queue.notice.text()


def test_choosing_another_report_empties_the_review_form(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    a, b = two_patients(clinic, window)
    submitted_by_trainee(clinic, a)
    submitted_by_trainee(clinic, b)
    queue = _queue(qtbot, window)
    queue.pending.setCurrentRow(1)
    _fill(queue)
    assert queue.verify_button.isEnabled()

    queue.pending.setCurrentRow(0)
    assert _empty(queue)


def test_a_report_dealt_with_elsewhere_leaves_the_form_empty_and_says_so(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    a, b = two_patients(clinic, window)
    submitted_by_trainee(clinic, a)
    submitted_by_trainee(clinic, b)
    queue = _queue(qtbot, window)
    queue.pending.setCurrentRow(1)
    gone = queue.pending.currentItem().data(256)
    _fill(queue)

    # Returned to the trainee on another laptop (here, by the service directly), then synced.
    supervisor = clinic.auth.login("supervisor", demo_password("supervisor"))
    clinic.reports.return_to_trainee(supervisor, gone.id, "Please add the measurements.")
    window.context.announce("sync.received", None)
    qtbot.waitUntil(lambda: queue.pending.count() == 1, timeout=WAIT_MS)
    settle(qtbot, window)

    assert _chosen_id(queue) != gone.id
    assert _empty(queue)
    assert "no longer waiting" in queue.notice.text()


def test_switching_user_leaves_nothing_of_the_last_review(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, SUPERVISOR)
    a, b = two_patients(clinic, window)
    submitted_by_trainee(clinic, a)
    submitted_by_trainee(clinic, b)
    queue = _queue(qtbot, window)
    queue.pending.setCurrentRow(1)
    _fill(queue)

    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, SUPERVISOR)
    queue = _queue(qtbot, window)
    assert _empty(queue)
