"""The MSK-HQ from the patient record: clinician entry, and handing the device to the patient."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.kernel.uow import SYSTEM
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, wait_idle
from ui.app import MainWindow, WindowState
from ui.common import formatting
from ui.domains.questionnaires.questionnaire.view import direction_text
from ui.domains.questionnaires.questionnaire.view_model import Mode

PACK = (
    Path(__file__).parents[2]
    / "core"
    / "questionnaires"
    / "wording_packs"
    / "msk_hq_synthetic.json"
)


def _open_questionnaire(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> None:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view, timeout=WAIT_MS
    )
    wait_idle(window)
    assert window.action("questionnaire").isEnabled()
    window.action("questionnaire").trigger()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("questionnaire").page,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    # Always under the banner of the patient it is for.
    assert window.screen_by_id(
        "questionnaire"
    ).banner.nhs_number_label.text() == formatting.nhs_number(patient.nhs_number)


def test_without_the_licensed_wording_it_cannot_be_handed_to_the_patient(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    _open_questionnaire(qtbot, signed_in, seeded_patient)
    assert signed_in.screen_by_id("questionnaire").view_model.mode is Mode.CLINICIAN
    assert not signed_in.screen_by_id("questionnaire").view.hand_over_button.isEnabled()


def test_patient_mode_hides_the_record_and_needs_the_password_to_leave(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    clinic.questionnaires.import_wording_pack(SYSTEM, PACK)
    window = signed_in
    _open_questionnaire(qtbot, window, seeded_patient)
    view = window.screen_by_id("questionnaire").view
    assert view.hand_over_button.isEnabled()

    qtbot.mouseClick(view.hand_over_button, Qt.MouseButton.LeftButton)
    assert window.screen_by_id("questionnaire").view_model.mode is Mode.PATIENT
    assert not window.menuBar().isVisible()
    assert not window.screen_by_id("search").view.isVisible()
    assert not window.screen_by_id("questionnaire").banner.isVisible()
    assert not window.action("lock").isEnabled()
    assert not window.action("search").isEnabled()
    window.lock()  # even a direct call cannot put the sign-in screen behind the patient
    assert window.state is WindowState.WORKING

    qtbot.mouseClick(view.leave_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(view.password_edit, demo_password("clinician"))
    qtbot.mouseClick(view.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.screen_by_id("questionnaire").view_model.mode is Mode.CLINICIAN,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert window.menuBar().isVisible()
    assert window.screen_by_id("search").view.isVisible()
    assert window.action("lock").isEnabled()


def test_scores_over_time_show_once_there_is_a_history(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    user = window.session.user
    assert user is not None
    answers: dict[str, int | None] = {f"mskhq_{n:02d}": 2 for n in range(1, 15)}
    clinic.questionnaires.record(
        user, seeded_patient.id, "msk_hq", answers, "baseline", "clinician"
    )
    _open_questionnaire(qtbot, window, seeded_patient)
    qtbot.waitUntil(window.screen_by_id("questionnaire").score_chart.isVisible, timeout=WAIT_MS)
    assert window.screen_by_id("questionnaire").score_chart.baseline() is not None
    assert window.screen_by_id("questionnaire").score_chart.baseline()[1] == 28  # 14 items scored 2


def _responses(clinic: Services, patient: PatientSummary, questionnaire_id: str) -> int:
    user = clinic.auth.login("clinician", demo_password("clinician"))
    return len(clinic.questionnaires.history(user, patient.id, questionnaire_id))


def _patient_with_episode(clinic: Services, open_episode: bool) -> PatientSummary:
    """A demo patient who has (or has not) an open episode of care."""
    user = clinic.auth.login("clinician", demo_password("clinician"))
    for patient in clinic.patients.search(user, "999", limit=60):
        record = clinic.patients.open(user, patient.id)
        if (record.open_episode is not None) == open_episode:
            return patient
    raise AssertionError("the demo clinic has no such patient")


def test_answers_from_patient_mode_are_recorded_once(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    clinic.questionnaires.import_wording_pack(SYSTEM, PACK)
    window = signed_in
    _open_questionnaire(qtbot, window, seeded_patient)
    screen = window.screen_by_id("questionnaire")
    view, vm = screen.view, screen.view_model
    before = _responses(clinic, seeded_patient, "msk_hq")

    qtbot.mouseClick(view.hand_over_button, Qt.MouseButton.LeftButton)
    # The patient reads the recall period before the first question.
    assert view.patient_steps.currentWidget() is view.introduction_screen
    assert "last 2 weeks" in view.visible_text() or "Introduction text" in view.visible_text()
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    for _ in vm.items:
        qtbot.mouseClick(view._answer_group.buttons()[-1], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    qtbot.mouseClick(view.hand_back_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(view.password_edit, demo_password("clinician"))
    qtbot.mouseClick(view.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vm.mode is Mode.CLINICIAN, timeout=WAIT_MS)
    wait_idle(window)

    assert _responses(clinic, seeded_patient, "msk_hq") == before + 1
    assert not view.record_button.isEnabled()
    assert view.record_button.text() == "Answers recorded"
    assert not view.hand_over_button.isEnabled()
    vm.record()  # even asked directly, the same answers are not saved again
    wait_idle(window)
    assert _responses(clinic, seeded_patient, "msk_hq") == before + 1


def test_baseline_is_only_offered_in_an_open_episode(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    screen = window.screen_by_id("questionnaire")
    _open_questionnaire(qtbot, window, _patient_with_episode(clinic, open_episode=False))
    assert screen.view.timepoint_label.text() == "No episode open"
    assert screen.view.episode_note.isVisibleTo(screen.view)
    assert "no open episode of care" in screen.view.episode_note.text()
    assert "Baseline for this episode" not in screen.view.visible_text()

    _open_questionnaire(qtbot, window, _patient_with_episode(clinic, open_episode=True))
    assert screen.view.timepoint_label.text() in {
        "Baseline for this episode",
        "Follow-up in this episode",
    }
    assert not screen.view.episode_note.isVisibleTo(screen.view)


def test_every_shipped_questionnaire_is_reachable_from_the_chooser(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, seeded_patient: PatientSummary
) -> None:
    window = signed_in
    _open_questionnaire(qtbot, window, seeded_patient)
    screen = window.screen_by_id("questionnaire")
    chooser = screen.view.chooser
    shipped = sorted(
        p.stem for p in Path(resources.files("resources") / "questionnaires").glob("*.json")
    )
    offered = [chooser.itemData(index) for index in range(chooser.count())]
    assert sorted(offered) == shipped
    for questionnaire_id in offered:
        chooser.setCurrentIndex(chooser.findData(questionnaire_id))
        chooser.activated.emit(chooser.currentIndex())
        qtbot.waitUntil(
            lambda q=questionnaire_id: (
                screen.view_model.definition is not None and screen.view_model.definition.id == q
            ),
            timeout=WAIT_MS,
        )
        wait_idle(window)
        title = clinic.questionnaires.definition(questionnaire_id).title
        assert screen.view.title.text() == title
        assert window.pages.currentWidget() is screen.page
        # Every scored item names which end is which.
        for item in screen.view_model.items:
            if item.scored:
                assert direction_text(item), item.code


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_the_questionnaire_page_fits_a_laptop_screen(
    qtbot: QtBot,
    clinic: Services,
    signed_in: MainWindow,
    seeded_patient: PatientSummary,
    size: tuple[int, int],
) -> None:
    width, height = size
    window = signed_in
    user = window.session.user
    assert user is not None
    answers: dict[str, int | None] = {f"mskhq_{n:02d}": 2 for n in range(1, 15)}
    clinic.questionnaires.record(
        user, seeded_patient.id, "msk_hq", answers, "baseline", "clinician"
    )
    _open_questionnaire(qtbot, window, seeded_patient)
    screen = window.screen_by_id("questionnaire")
    qtbot.waitUntil(screen.score_chart.isVisible, timeout=WAIT_MS)
    usable = height - 68  # title bar, menu and status bar
    window.resize(width, height)
    QApplication.processEvents()
    for state in ("chart", "patient"):
        if state == "patient":
            clinic.questionnaires.import_wording_pack(SYSTEM, PACK)
            _open_questionnaire(qtbot, window, seeded_patient)
            qtbot.mouseClick(screen.view.hand_over_button, Qt.MouseButton.LeftButton)
        hint = screen.page.minimumSizeHint()
        assert hint.width() <= width, (state, hint)
        assert hint.height() <= usable, (state, hint)
        window_hint = window.minimumSizeHint()
        assert window_hint.width() <= width, (state, window_hint)
        assert window_hint.height() <= height - 30, (state, window_hint)
    screen.view_model.confirm_exit(demo_password("clinician"))
    qtbot.waitUntil(lambda: screen.view_model.mode is Mode.CLINICIAN, timeout=WAIT_MS)
    wait_idle(window)
