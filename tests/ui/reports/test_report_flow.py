"""A trainee's scan report through return, resubmission and verification, by two people."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from tests.ui.records import verify_the_report_waiting
from ui.app import MainWindow, WindowState


def _shot(window: MainWindow, name: str) -> None:
    if folder := os.environ.get("ONESTOP_SHOTS"):
        QApplication.processEvents()
        window.grab().save(str(Path(folder) / name))


def _switch_to(qtbot: QtBot, window: MainWindow, username: str) -> None:
    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, username)
    assert window.state is WindowState.WORKING


def test_trainee_report_returned_resubmitted_and_verified_across_two_users(
    qtbot: QtBot, clinic: Services, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    trainee = clinic.auth.login("trainee", demo_password("trainee"))
    frame = np.random.default_rng(3).integers(0, 90, (96, 128, 3), dtype=np.uint8)
    clinic.imaging.capture_still(
        trainee, seeded_patient.id, frame, body_part="SHOULDER", laterality="R"
    )

    _trainee_writes_and_submits(qtbot, window, seeded_patient)
    _supervisor_returns_it(qtbot, window)
    _trainee_changes_and_resubmits(qtbot, window)
    _supervisor_verifies(qtbot, window)

    supervisor = clinic.auth.login("supervisor", demo_password("supervisor"))
    (final,) = clinic.reports.final_reports(supervisor, seeded_patient.id)
    assert (final.verified, final.supervision_mode, final.agreement) == (
        True,
        "retrospective",
        "agree",
    )
    assert final.author_name.startswith(trainee.display_name.split(" (")[0])
    assert final.supervisor_words == "Agree."
    assert final.feedback == ("Say whether the bursa is thickened.",)
    # The final report shows how it was verified, and the supervisor's own words as theirs.
    window.screen_by_id("report").view_model.open(final.id, seeded_patient.id)
    qtbot.waitUntil(
        lambda: window.screen_by_id("report").view.state.text().startswith("Verified by"),
        timeout=WAIT_MS,
    )
    words = window.screen_by_id("report").view.feedback.text()
    assert "Reviewed the images afterwards · Agree" in words
    assert "in the supervisor's own words: Agree." in words
    assert not window.screen_by_id("report").view.marking.isVisible()
    wait_idle(window)


def _trainee_writes_and_submits(
    qtbot: QtBot, window: MainWindow, seeded_patient: PatientSummary
) -> None:
    """The trainee writes the report from the imaging screen and sends it for review."""
    sign_in(qtbot, window, "trainee")
    window.screen_by_id("search").view_model.choose_patient(seeded_patient.id)
    qtbot.waitUntil(
        lambda: window.screen_by_id("patient").view_model.record is not None, timeout=WAIT_MS
    )
    wait_idle(window)
    window.action("imaging").trigger()
    qtbot.waitUntil(
        lambda: window.screen_by_id("imaging").view.studies.topLevelItemCount() == 1,
        timeout=WAIT_MS,
    )
    window.screen_by_id("imaging").view.report_button.click()

    qtbot.waitUntil(
        lambda: window.screen_by_id("report").view_model.report is not None, timeout=WAIT_MS
    )
    wait_idle(window)
    page = window.screen_by_id("report").view
    assert page.marking.text() == "PRELIMINARY — awaiting supervisor"
    assert not page.sign_button.isVisible()  # a trainee never signs alone
    page.body_region.setText("Shoulder")
    page.fields["history"].setPlainText("Painful arc for 3 months.")
    page.submit_button.click()
    wait_idle(window)
    assert page.errors["findings"].isVisible()  # findings and impression come first
    page.fields["findings"].setPlainText("Supraspinatus tendon thickened, no tear.")
    page.fields["impression"].setPlainText("Supraspinatus tendinopathy.")
    _shot(window, "24-report-editor.png")
    with qtbot.waitSignal(window.screen_by_id("report").view_model.moved_on, timeout=WAIT_MS):
        page.submit_button.click()
    wait_idle(window)
    assert page.state.text().startswith("With ")


def _supervisor_returns_it(qtbot: QtBot, window: MainWindow) -> None:
    """The supervisor is told, finds it in the queue, and returns it with feedback."""
    _switch_to(qtbot, window, "supervisor")
    qtbot.waitUntil(lambda: "wait for your review" in window.notice.text(), timeout=WAIT_MS)
    window.action("review").trigger()
    queue = window.screen_by_id("review").view
    qtbot.waitUntil(lambda: queue.pending.count() == 1, timeout=WAIT_MS)
    assert "Supraspinatus tendon thickened" in queue.reading.text()
    queue.feedback.setPlainText("Say whether the bursa is thickened.")
    _shot(window, "25-supervisor-queue.png")
    with qtbot.waitSignal(window.screen_by_id("review").view_model.reviewed, timeout=WAIT_MS):
        queue.return_button.click()
    qtbot.waitUntil(lambda: queue.pending.count() == 0, timeout=WAIT_MS)
    wait_idle(window)


def _trainee_changes_and_resubmits(qtbot: QtBot, window: MainWindow) -> None:
    """The trainee sees the feedback, changes the report and sends it again."""
    page = window.screen_by_id("report").view
    _switch_to(qtbot, window, "trainee")
    qtbot.waitUntil(lambda: "came back with feedback" in window.notice.text(), timeout=WAIT_MS)
    window.action("review").trigger()
    qtbot.waitUntil(
        lambda: window.screen_by_id("review").view.returned.count() == 1, timeout=WAIT_MS
    )
    window.screen_by_id("review").view.returned.setCurrentRow(0)
    window.screen_by_id("review").view.open_button.click()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("report").page, timeout=WAIT_MS
    )
    wait_idle(window)
    assert "bursa" in page.feedback.text()
    page.fields["findings"].setPlainText(
        "Supraspinatus tendon thickened, no tear. Subacromial bursa 2 mm, not thickened."
    )
    with qtbot.waitSignal(window.screen_by_id("report").view_model.moved_on, timeout=WAIT_MS):
        page.submit_button.click()
    wait_idle(window)


def _supervisor_verifies(qtbot: QtBot, window: MainWindow) -> None:
    """The supervisor verifies: how they supervised, agreement, password, attestation."""
    _switch_to(qtbot, window, "supervisor")
    window.action("review").trigger()
    queue = window.screen_by_id("review").view
    qtbot.waitUntil(lambda: queue.pending.count() == 1, timeout=WAIT_MS)
    assert not queue.verify_button.isEnabled()  # only after "I have reviewed the images"
    queue.confirm.setChecked(True)
    queue.verify_button.click()
    wait_idle(window)
    assert queue.errors["supervision_mode"].isVisible()
    verify_the_report_waiting(qtbot, window)  # images reviewed afterwards, agreed
