"""The questionnaire screen: the clinician's form, and patient mode that cannot reach the record."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.domains.questionnaires.content import (
    DisplayItem,
    introduction,
    merge_wording,
    parse_wording_pack,
    questionnaire,
)
from clinic_app.domains.questionnaires.rules import (
    QuestionnaireDefinition,
    QuestionnaireResult,
    score,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import AuthenticationFailed
from clinic_app.kernel.vocabulary import Role
from ui.common import theme
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.questionnaires.questionnaire.view import QuestionnaireView
from ui.domains.questionnaires.questionnaire.view_model import Mode, QuestionnaireViewModel

CLINICIAN = CurrentUser(
    id=uuid.uuid4(), username="tester", display_name="Test Clinician", role=Role.CLINICIAN
)
PATIENT_ID = uuid.uuid4()
RIGHT = "right-password"
WAIT_MS = 3000
# Screenshots for a person to look at, only when asked for: ONESTOP_SHOTS=folder pytest ...
SHOTS = Path(os.environ["ONESTOP_SHOTS"]) if os.environ.get("ONESTOP_SHOTS") else None


def _test_pack(definition: QuestionnaireDefinition) -> dict[str, object]:
    """A wording pack made up for tests: placeholder words, not the licensed ones."""
    items: dict[str, object] = {}
    for number, item in enumerate(definition.items, 1):
        entry: dict[str, object] = {"text": f"Test question {number} about {item.domain.lower()}"}
        if item.options:
            entry["options"] = {str(o.value): f"Test answer {o.value}" for o in item.options}
        items[item.code] = entry
    return {
        "questionnaire": definition.id,
        "version": definition.version,
        "licence": {"holder": "Test holder", "reference": "TEST-1"},
        "items": items,
    }


class FakeRecorder:
    """Serves shipped definitions (MSK-HQ with a test wording pack) and keeps what is recorded."""

    def __init__(self) -> None:
        self.recorded: list[dict[str, object]] = []

    def definition(self, questionnaire_id: str) -> QuestionnaireDefinition:
        return questionnaire(questionnaire_id)

    def display_items(self, questionnaire_id: str) -> Sequence[DisplayItem]:
        definition = questionnaire(questionnaire_id)
        if questionnaire_id == "msk_hq":
            return merge_wording(definition, parse_wording_pack(_test_pack(definition)))
        return merge_wording(definition)

    def introduction(self, questionnaire_id: str) -> str:
        return introduction(questionnaire(questionnaire_id))

    def record(  # noqa: PLR0917 - the service's own arguments, in its order
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        questionnaire_id: str,
        answers: Mapping[str, int | None],
        timepoint: str,
        mode: str,
        *,
        episode_id: uuid.UUID | None = None,
    ) -> QuestionnaireResult:
        self.recorded.append(
            {
                "actor": actor.username,
                "patient_id": patient_id,
                "answers": dict(answers),
                "timepoint": timepoint,
                "mode": mode,
            }
        )
        return score(questionnaire(questionnaire_id), answers)


class FakeAuth:
    def __init__(self) -> None:
        self.tried: list[str] = []

    def check_password(self, actor: CurrentUser, password: str) -> None:
        self.tried.append(password)
        if password != RIGHT:
            raise AuthenticationFailed("auth.failed")


class Screen:
    """The screen inside a stand-in main window that has a menu, a shortcut and a button."""

    def __init__(self, qtbot: QtBot, runner: TaskRunner, questionnaire_id: str) -> None:
        theme.apply_theme(QApplication.instance())  # type: ignore[arg-type]
        session = UserSession()
        session.sign_in(CLINICIAN)
        self.recorder = FakeRecorder()
        self.auth = FakeAuth()
        self.vm = QuestionnaireViewModel(self.recorder, self.auth, runner=runner, session=session)
        self.view = QuestionnaireView(self.vm)
        self.window = QMainWindow()
        self.record_opened = 0
        self.other_screen = QPushButton("Open the patient record")
        self.other_screen.clicked.connect(self._open_record)
        action = QAction("Find a patient", self.window)
        action.setShortcut(QKeySequence("Ctrl+F"))
        action.triggered.connect(self._open_record)
        self.window.menuBar().addMenu("Patient").addAction(action)
        self.window.addAction(action)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.other_screen)
        layout.addWidget(self.view, 1)
        self.window.setCentralWidget(body)
        qtbot.addWidget(self.window)
        self.window.resize(1024, 760)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.runner = runner
        self.qtbot = qtbot
        self.vm.start(questionnaire_id, PATIENT_ID, timepoint="baseline")
        runner.wait_idle()

    def _open_record(self) -> None:
        self.record_opened += 1

    def click(self, button: QPushButton) -> None:
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    def hand_over(self) -> None:
        """Hand the device over and, as the patient, read the introduction and start."""
        self.click(self.view.hand_over_button)
        if self.vm.introduction:
            assert self.view.patient_steps.currentWidget() is self.view.introduction_screen
            assert self.vm.introduction in self.view.visible_text()
            self.click(self.view.start_button)

    def answer_patient(self, index: int) -> None:
        self.click(self.view._answer_group.buttons()[index])

    def close(self) -> None:
        self.view.guard.set_active(False)
        self.runner.wait_idle()


@pytest.fixture
def msk_hq(qtbot: QtBot, runner: TaskRunner) -> Screen:
    screen = Screen(qtbot, runner, "msk_hq")
    yield screen
    screen.close()


def test_clinician_mode_shows_every_question_and_records_a_total(msk_hq: Screen) -> None:
    count = len(msk_hq.vm.items)
    assert count == 15
    for group in msk_hq.view._item_groups.values():
        last = group.buttons()[-1]
        msk_hq.view.form_scroll.ensureWidgetVisible(last)
        QApplication.processEvents()
        msk_hq.click(last)
    msk_hq.click(msk_hq.view.record_button)
    msk_hq.runner.wait_idle()

    assert msk_hq.recorder.recorded[0]["mode"] == "clinician"
    assert msk_hq.view.notice.text() == "Total score: 56"


def test_patient_mode_one_question_per_screen_and_next_needs_an_answer(msk_hq: Screen) -> None:
    view, vm = msk_hq.view, msk_hq.vm
    msk_hq.hand_over()

    assert vm.mode is Mode.PATIENT
    assert view.pages.currentWidget() is view.patient_page
    assert view.progress.text() == "Question 1 of 15"
    assert view.question.text().startswith("Test question 1 ")
    assert "Test question 2" not in view.visible_text()
    assert not view.next_button.isEnabled()
    assert view.question.font().pointSizeF() >= 16 or _style_point_size(view) >= 16

    msk_hq.answer_patient(2)
    assert view.next_button.isEnabled()
    msk_hq.click(view.next_button)
    assert view.progress.text() == "Question 2 of 15"
    assert not view.next_button.isEnabled()
    msk_hq.click(view.back_button)
    assert view.progress.text() == "Question 1 of 15"
    assert view._answer_group.checkedId() == 2


def test_completing_in_patient_mode_records_the_answers_and_hides_the_score(
    msk_hq: Screen,
) -> None:
    view, vm = msk_hq.view, msk_hq.vm
    msk_hq.hand_over()
    expected: dict[str, int | None] = {}
    for step, item in enumerate(vm.items):
        if item.code == "mskhq_03":
            msk_hq.click(view.skip_button)
            expected[item.code] = None
            continue
        choice = step % len(item.options) if item.options else 0
        msk_hq.answer_patient(choice)
        expected[item.code] = item.options[choice].value if item.options else item.minimum
        msk_hq.click(view.next_button)
    msk_hq.runner.wait_idle()

    assert view.patient_steps.currentWidget() is view.finish_screen
    assert msk_hq.recorder.recorded[0]["answers"] == expected
    assert msk_hq.recorder.recorded[0]["mode"] == "patient"
    assert msk_hq.recorder.recorded[0]["actor"] == "tester"
    shown = view.visible_text()
    assert "Incomplete" not in shown
    assert "Total" not in shown
    assert "hand the device back" in shown.lower()
    _save(view, "questionnaire_patient_finish.png")

    msk_hq.click(view.hand_back_button)
    msk_hq.qtbot.keyClicks(view.password_edit, RIGHT)
    msk_hq.click(view.unlock_button)
    msk_hq.runner.wait_idle()

    assert vm.mode is Mode.CLINICIAN
    assert view.notice.text() == "Incomplete: 1 questions not answered"


def test_patient_mode_cannot_reach_the_record(msk_hq: Screen) -> None:
    view = msk_hq.view
    msk_hq.hand_over()
    msk_hq.answer_patient(0)
    _save(view, "questionnaire_patient_question.png")

    msk_hq.qtbot.keyClick(view.next_button, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    msk_hq.click(msk_hq.other_screen)
    QApplication.processEvents()
    for _ in range(30):
        # Offscreen, a busy machine can briefly leave no widget focused; what matters is
        # that focus never lands outside the patient page.
        msk_hq.qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
        focused = QApplication.focusWidget()
        assert focused is not None, "focus left the window"
        assert view.patient_page.isAncestorOf(focused), focused.objectName() or focused.text()
        msk_hq.qtbot.keyClick(focused, Qt.Key.Key_Tab)
    msk_hq.window.close()

    assert msk_hq.record_opened == 0
    assert msk_hq.window.isVisible()
    assert msk_hq.vm.mode is Mode.PATIENT


def test_leaving_patient_mode_needs_the_clinicians_password(msk_hq: Screen) -> None:
    view, vm = msk_hq.view, msk_hq.vm
    msk_hq.hand_over()
    msk_hq.answer_patient(1)
    msk_hq.click(view.leave_button)
    assert view.patient_steps.currentWidget() is view.password_screen

    msk_hq.qtbot.keyClicks(view.password_edit, "guess")
    msk_hq.qtbot.keyClick(view.password_edit, Qt.Key.Key_Return)
    msk_hq.runner.wait_idle()
    assert vm.mode is Mode.PATIENT
    assert view.password_message.text() == (
        "That password is not right. The questionnaire stays open."
    )
    assert view.password_edit.text() == ""

    msk_hq.click(view.cancel_exit_button)
    assert view.patient_steps.currentWidget() is view.question_screen
    msk_hq.click(view.leave_button)
    msk_hq.qtbot.keyClicks(view.password_edit, RIGHT)
    msk_hq.qtbot.keyClick(view.password_edit, Qt.Key.Key_Return)
    msk_hq.runner.wait_idle()

    assert msk_hq.auth.tried == ["guess", RIGHT]
    assert vm.mode is Mode.CLINICIAN
    assert view.pages.currentWidget() is view.clinician_page
    assert not view.guard.active
    # What the patient answered so far is on the clinician's form.
    assert view._item_groups["mskhq_01"].checkedId() == 1
    assert msk_hq.recorder.recorded == []


def test_without_licensed_wording_it_cannot_be_handed_over(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    screen = Screen(qtbot, runner, "start_back")
    try:
        assert not screen.view.hand_over_button.isEnabled()
        assert "wording is not installed" in screen.view.wording_note.text()
    finally:
        screen.close()


def test_a_scale_question_in_patient_mode(qtbot: QtBot, runner: TaskRunner) -> None:
    screen = Screen(qtbot, runner, "pain_nrs")
    try:
        screen.hand_over()
        buttons = screen.view._answer_group.buttons()
        assert [b.text() for b in buttons] == [str(n) for n in range(11)]
        assert screen.view.next_button.text() == "Finish"
        screen.answer_patient(7)
        _save(screen.view, "questionnaire_patient_scale.png")
        screen.click(screen.view.next_button)
        runner.wait_idle()
        assert screen.recorder.recorded[0]["answers"] == {"pain_now": 7}
        assert "7" not in screen.view.finish_text.text()
    finally:
        screen.close()


def _style_point_size(view: QuestionnaireView) -> float:
    return view.question.fontInfo().pointSizeF()


def _save(widget: QWidget, name: str) -> None:
    if SHOTS is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        QApplication.processEvents()
    widget.grab().save(str(SHOTS / name))
