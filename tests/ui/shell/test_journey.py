"""One referral all the way: worklist, triage, the episode it opens, MSK-HQ, signed assessment."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QRadioButton
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.triage.views import WorklistItem
from tests.ui.conftest import CLINICIAN, WAIT_MS, type_into, wait_idle
from ui.app import MainWindow


def _triage_the_first_referral(qtbot: QtBot, window: MainWindow) -> tuple[WorklistItem, Any]:
    """Triage the most pressing referral into physiotherapy; the episode it opened."""
    window.action("worklist").trigger()
    qtbot.waitUntil(lambda: bool(window.screen_by_id("worklist").view_model.items), timeout=WAIT_MS)
    wait_idle(window)
    item = window.screen_by_id("worklist").view_model.items[0]
    worklist = window.screen_by_id("worklist").view
    worklist.select(item.referral_id)
    QApplication.processEvents()
    button = worklist.findChild(QRadioButton, "appointment")
    assert isinstance(button, QRadioButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(12, button.height() // 2))
    worklist.panel.pathway.set_code("physiotherapy")
    with qtbot.waitSignal(
        window.screen_by_id("worklist").view_model.triaged, timeout=WAIT_MS
    ) as triaged:
        qtbot.mouseClick(worklist.panel.record_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    episode_id = triaged.args[0].episode_id
    assert episode_id is not None
    assert worklist.model.row_of(item.referral_id) == -1
    return item, episode_id


def test_a_referral_from_the_worklist_to_a_signed_assessment_with_a_scored_msk_hq(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    item, episode_id = _triage_the_first_referral(qtbot, window)

    # The patient's record now names the episode on every clinical page.
    window.screen_by_id("search").view_model.choose_patient(item.patient_id)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view, timeout=WAIT_MS
    )
    wait_idle(window)
    record = window.screen_by_id("patient").view_model.record
    assert record is not None
    assert record.open_episode is not None
    assert record.open_episode.id == episode_id

    # MSK-HQ entered by the clinician: the episode's baseline, scored.
    window.action("questionnaire").trigger()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("questionnaire").page,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert (
        window.screen_by_id("questionnaire").banner.episode_label.text().startswith("Physiotherapy")
    )
    assert (
        window.screen_by_id("questionnaire").view.timepoint_label.text()
        == "Baseline for this episode"
    )
    for number in range(1, 15):
        window.screen_by_id("questionnaire").view_model.set_answer(f"mskhq_{number:02d}", 3)
    with qtbot.waitSignal(
        window.screen_by_id("questionnaire").view_model.result_ready, timeout=WAIT_MS
    ):
        qtbot.mouseClick(
            window.screen_by_id("questionnaire").view.record_button, Qt.MouseButton.LeftButton
        )
    wait_idle(window)
    history = clinic.questionnaires.history(user, item.patient_id, "msk_hq")
    assert history[-1].response.episode_id == episode_id
    assert history[-1].response.total == 42  # 14 items answered 3

    # The assessment, with a diagnosis from the list, signed with the password.
    window.action("assessment").trigger()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("assessment").page,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    form = window.screen_by_id("assessment").view
    type_into(qtbot, form.texts["presenting_complaint"], "Shoulder pain reaching overhead")
    form.body_chart.toggle("right_shoulder")
    form.diagnosis.set_code("rotator_cuff_disorder")
    type_into(qtbot, form.password, demo_password(CLINICIAN))
    with qtbot.waitSignal(
        window.screen_by_id("assessment").view_model.signed, timeout=WAIT_MS
    ) as signed:
        qtbot.keyClick(form.password, Qt.Key.Key_Return)
    wait_idle(window)
    assessment = signed.args[0]
    assert assessment.episode_id == episode_id
    assert assessment.content["diagnosis"]["snomed_ct_id"] == "414033006"
    assert form.is_read_only()
