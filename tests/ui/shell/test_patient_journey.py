"""Two patients and two users interleaved, as a clinic morning moves: nothing of one leaks."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QRadioButton
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.triage.views import WorklistItem
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientSummary
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, SUPERVISOR, WAIT_MS, sign_in, wait_idle
from tests.ui.questionnaires.test_questionnaire_flow import PACK
from tests.ui.shell.test_patient_context import open_record, two_patients
from ui.app import MainWindow, WindowState
from ui.common import formatting
from ui.domains.questionnaires.questionnaire.view_model import Mode

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _shot(window: MainWindow, name: str) -> None:
    pictures.keep(window, name)


def _texts_on_screen(window: MainWindow) -> str:
    """Everything written on the window that a person can see now."""
    return "\n".join(
        found.text() for found in window.findChildren(QLabel) if found.isVisible() and found.text()
    )


def _submitted_report_for(clinic: Services, patient_id: object) -> None:
    """The trainee scans the patient and sends a report to their supervisor."""
    trainee = clinic.auth.login("trainee", demo_password("trainee"))
    frame = np.random.default_rng(5).integers(0, 90, (96, 128, 3), dtype=np.uint8)
    clinic.imaging.capture_still(trainee, patient_id, frame, body_part="KNEE", laterality="L")
    (study,) = clinic.imaging.studies(trainee, patient_id)
    report = clinic.reports.start(trainee, study.id)
    clinic.reports.save(
        trainee,
        report.id,
        {"body_region": "Knee", "findings": "Small effusion.", "impression": "Effusion."},
    )
    clinic.reports.submit(trainee, report.id)


def _switch_to(qtbot: QtBot, window: MainWindow, username: str) -> None:
    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, username)
    assert window.state is WindowState.WORKING


def _start_assessment(qtbot: QtBot, window: MainWindow) -> Any:
    """Ctrl+Shift+A; if what is on file is offered first, start a new assessment."""
    qtbot.keyClick(window, Qt.Key.Key_A, CTRL_SHIFT)
    assessment = window.screen_by_id("assessment")
    qtbot.waitUntil(
        lambda: (
            assessment.view_model.patient_id is not None or assessment.offer.new_button.isVisible()
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)
    if assessment.view_model.patient_id is None:
        qtbot.mouseClick(assessment.offer.new_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: assessment.view_model.patient_id is not None, timeout=WAIT_MS)
        wait_idle(window)
    return assessment


def _a_then_the_worklist(
    qtbot: QtBot, window: MainWindow, first: PatientSummary, referral: WorklistItem
) -> None:
    """The clinician opens A, goes to the worklist, chooses B's referral and opens B's record."""
    a_nhs = formatting.nhs_number(first.nhs_number)
    b_nhs = formatting.nhs_number(referral.nhs_number)
    # A's record, and A's assessment with the knee picked on the chart.
    open_record(qtbot, window, first.id)
    assert window.banner.nhs_number_label.text() == a_nhs
    _shot(window, "banner-patient.png")
    assessment = _start_assessment(qtbot, window)
    assert assessment.view_model.patient_id == first.id
    assessment.view.body_chart.set_selection(["left_knee"])
    assert window.context.body_regions() == ("left_knee",)

    # The worklist: B's referral chosen; patient actions are off, Find shows the search box.
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    worklist = window.screen_by_id("worklist")
    qtbot.waitUntil(lambda: bool(worklist.view_model.items), timeout=WAIT_MS)
    wait_idle(window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search_box = window.screen_by_id("search").view.search_box
    assert search_box.isVisible()
    assert search_box.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.showing(worklist), timeout=WAIT_MS)
    wait_idle(window)
    worklist.view.select(referral.referral_id)
    assert worklist.view.panel.open_record_button.isVisible()
    assert "patient actions are off" in window.banner.note_label.text()
    _shot(window, "worklist-selected-referral.png")
    qtbot.keyClick(window, Qt.Key.Key_A, CTRL_SHIFT)
    wait_idle(window)
    assert window.showing(worklist)  # not A's assessment, nor B's
    assert window.context.patient is not None
    assert window.context.patient.id == first.id

    # Enter on the chosen referral opens B's record: the banner names B.
    worklist.view.table.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClick(worklist.view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            window.context.patient is not None and window.context.patient.id == referral.patient_id
        ),
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert window.showing(window.screen_by_id("patient"))
    assert window.banner.nhs_number_label.text() == b_nhs
    assert window.banner.note_label.text() == ""


def _b_assessed_then_back_to_a(
    qtbot: QtBot, window: MainWindow, first: PatientSummary, referral: WorklistItem
) -> None:
    """B's assessment and red flags from B's own chart; then A again."""
    a_nhs = formatting.nhs_number(first.nhs_number)
    assessment = window.screen_by_id("assessment")
    # B's assessment starts from B's own (empty) chart, not A's knee.
    assert window.context.body_regions() == ()
    _start_assessment(qtbot, window)
    assert assessment.view_model.patient_id == referral.patient_id
    assert "left_knee" not in assessment.view.body_chart.selection()
    assessment.view.body_chart.set_selection(["lumbar_spine"])
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL_SHIFT)
    red_flags = window.screen_by_id("red_flags")
    assert window.showing(red_flags)
    assert red_flags.view_model.patient_id == referral.patient_id
    assert window.context.body_regions() == ("lumbar_spine",)
    qtbot.waitUntil(lambda: bool(red_flags.view_model.chosen), timeout=WAIT_MS)
    wait_idle(window)

    # Back to A: B's chart counts for nobody; red flags are A's.
    open_record(qtbot, window, first.id)
    assert window.banner.nhs_number_label.text() == a_nhs
    assert "lumbar_spine" not in window.context.body_regions()
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL_SHIFT)
    assert red_flags.view_model.patient_id == first.id
    wait_idle(window)


def _b_triaged_then_the_supervisor(
    qtbot: QtBot, window: MainWindow, first: PatientSummary, referral: WorklistItem
) -> None:
    """A triage for B leaves a notice; the supervisor who signs in next sees no one."""
    worklist = window.screen_by_id("worklist")
    # A triage recorded for B leaves a notice naming B ...
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.showing(worklist), timeout=WAIT_MS)
    wait_idle(window)
    worklist.view.select(referral.referral_id)
    button = worklist.view.findChild(QRadioButton, "appointment")
    assert isinstance(button, QRadioButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(12, button.height() // 2))
    with qtbot.waitSignal(worklist.view_model.triaged, timeout=WAIT_MS):
        qtbot.mouseClick(worklist.view.panel.record_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert referral.family_name.upper() in worklist.view.notice.text().upper()

    # ... which the next user never sees; nor A, nor B, until they open them.
    _switch_to(qtbot, window, SUPERVISOR)
    assert window.banner.name_label.text() == "No patient open"
    for family in (first.family_name, referral.family_name):
        assert family.upper() not in _texts_on_screen(window).upper()
    assert not worklist.view.notice.isVisible()
    assert worklist.view.notice.text() == "" or not worklist.view.notice.isVisibleTo(window)
    window.action("worklist").trigger()
    qtbot.waitUntil(lambda: window.showing(worklist), timeout=WAIT_MS)
    wait_idle(window)
    assert not worklist.view.notice.isVisible()


def _the_queue_names_its_patients(
    qtbot: QtBot, window: MainWindow, first: PatientSummary, referral: WorklistItem
) -> None:
    """The supervisor's queue names each report's patient, and shows the study's images."""
    b_nhs = formatting.nhs_number(referral.nhs_number)
    # The review queue names the patient of each report, and shows the images on request.
    window.action("review").trigger()
    queue = window.screen_by_id("review").view
    qtbot.waitUntil(lambda: queue.pending.count() == 1, timeout=WAIT_MS)
    wait_idle(window)
    row = queue.pending.item(0).text()
    assert b_nhs in row
    assert referral.family_name.upper() in row.upper()
    assert b_nhs in queue.identity.text()
    _shot(window, "review-queue-identities.png")
    queue.images_button.click()
    imaging = window.screen_by_id("imaging")
    qtbot.waitUntil(lambda: window.showing(imaging), timeout=WAIT_MS)
    wait_idle(window)
    assert imaging.view_model.patient_id == referral.patient_id
    assert window.banner.nhs_number_label.text() == b_nhs


def _handed_to_the_patient_and_back(
    qtbot: QtBot, window: MainWindow, first: PatientSummary, referral: WorklistItem
) -> None:
    """The MSK-HQ handed to A and back: the logbook and Quit are there again."""
    # The questionnaire handed to A and back: the logbook and Quit are there again.
    open_record(qtbot, window, first.id)
    window.action("questionnaire").trigger()
    questionnaire = window.screen_by_id("questionnaire")
    qtbot.waitUntil(lambda: window.showing(questionnaire), timeout=WAIT_MS)
    wait_idle(window)
    view = questionnaire.view
    qtbot.mouseClick(view.hand_over_button, Qt.MouseButton.LeftButton)
    assert questionnaire.view_model.mode is Mode.PATIENT
    assert not window.banner.isVisible()
    assert not window.action("quit").isEnabled()
    # The patient reads what the questions are about (the recall period), then starts.
    assert questionnaire.view_model.on_introduction
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    for _item in questionnaire.view_model.items:
        qtbot.mouseClick(view._answer_group.buttons()[0], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert questionnaire.view_model.finished
    qtbot.mouseClick(view.hand_back_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(view.password_edit, demo_password(SUPERVISOR))
    qtbot.mouseClick(view.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: questionnaire.view_model.mode is Mode.CLINICIAN, timeout=WAIT_MS)
    wait_idle(window)
    assert window.banner.isVisible()
    assert window.action("logbook").isEnabled()
    assert window.action("quit").isEnabled()
    _switch_to(qtbot, window, CLINICIAN)
    assert window.action("quit").isEnabled()
    assert window.action("lock").isEnabled()


def test_two_patients_two_users_worklist_record_assessment_red_flags_and_back(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    clinic.questionnaires.import_wording_pack(SYSTEM, PACK)
    window.resize(1366, 700)
    sign_in(qtbot, window, CLINICIAN)
    first, referral = two_patients(clinic, window)
    _submitted_report_for(clinic, referral.patient_id)
    _shot(window, "banner-no-patient.png")
    assert window.banner.name_label.text() == "No patient open"
    _a_then_the_worklist(qtbot, window, first, referral)
    _b_assessed_then_back_to_a(qtbot, window, first, referral)
    _b_triaged_then_the_supervisor(qtbot, window, first, referral)
    _the_queue_names_its_patients(qtbot, window, first, referral)
    _handed_to_the_patient_and_back(qtbot, window, first, referral)
