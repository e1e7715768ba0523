"""The Friends and Family Test as a clinic uses it: handed to the banner's patient, handed back."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.experience.model import FftResponse
from tests.support import pictures
from tests.ui.conftest import CLINICIAN, type_into, wait_idle
from ui.app import SCREEN_SIZE, MainWindow
from ui.domains.experience.response.screens import ExperienceScreen
from ui.domains.experience.response.view_model import Step
from ui.screenshots import _render_experience

PASSWORD = demo_password(CLINICIAN)


def _two(clinic: Services, window: MainWindow) -> tuple[uuid.UUID, uuid.UUID]:
    user = window.session.user
    assert user is not None
    first, second = clinic.patients.search(user, "999", limit=2)
    return first.id, second.id


def _open(window: MainWindow, clinic: Services, patient: uuid.UUID) -> ExperienceScreen:
    """The patient's record, then Friends and Family Test from the patient menu."""
    user = window.session.user
    assert user is not None
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    action = window.action("experience")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id("experience")
    assert isinstance(screen, ExperienceScreen)
    assert window.showing(screen)
    return screen


def _responses(clinic: Services) -> list[FftResponse]:
    with clinic.context.store.sessions() as session:
        return list(session.scalars(select(FftResponse)))


def _answer_button(screen: ExperienceScreen, words: str) -> object:
    return next(b for b in screen.view.answer_group.buttons() if b.text() == words)


def test_the_patient_answers_in_their_hands_and_only_for_the_banner_patient(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    patient, other = _two(clinic, window)
    screen = _open(window, clinic, patient)
    view = screen.view
    assert view.hand_over_button.isEnabled()
    assert "Overall, how was your experience of our service?" in view.visible_text()

    qtbot.mouseClick(view.hand_over_button, Qt.MouseButton.LeftButton)
    wait_idle(window)

    # The window is the patient's: no menus, no banner, no search; only the question.
    assert not window.menuBar().isVisible()
    assert not window.banner.isVisible()
    assert not window.action("questionnaire").isEnabled()
    shown = view.visible_text()
    for words in ("Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know"):
        assert words in shown.splitlines()
    assert "your clinician does not see your answer" in shown
    assert not view.send_button.isEnabled()

    qtbot.mouseClick(_answer_button(screen, "Good"), Qt.MouseButton.LeftButton)
    type_into(qtbot, view.comment_edit, "Quick and friendly.")
    assert view.send_button.isEnabled()
    pictures.keep(window, "experience-patient.png")
    qtbot.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    wait_idle(window)

    assert screen.view_model.step is Step.THANKS
    assert "Thank you for your answer." in view.visible_text()
    [row] = _responses(clinic)
    assert (row.patient_id, row.answer, row.comment) == (patient, "good", "Quick and friendly.")
    assert row.patient_id != other
    assert row.recorded_by == window.session.user.id  # type: ignore[union-attr]

    # Handing back asks for the clinician's password; a wrong one keeps the patient's page.
    qtbot.mouseClick(view.hand_back_button, Qt.MouseButton.LeftButton)
    assert screen.view_model.step is Step.PASSWORD
    type_into(qtbot, view.password_edit, "not the password")
    qtbot.keyClick(view.password_edit, Qt.Key.Key_Return)
    wait_idle(window)
    assert screen.view_model.patient_mode
    assert "not right" in view.password_message.text()
    type_into(qtbot, view.password_edit, PASSWORD)
    qtbot.keyClick(view.password_edit, Qt.Key.Key_Return)
    wait_idle(window)

    assert not screen.view_model.patient_mode
    assert window.menuBar().isVisible()
    assert window.banner.isVisible()
    assert view.notice.isVisible()
    assert "recorded" in view.notice.text()
    # The clinician is told it was recorded, never what was answered.
    assert "good" not in view.notice.text().casefold()
    assert "Quick and friendly" not in view.visible_text()
    assert len(_responses(clinic)) == 1


def test_handing_back_without_an_answer_records_nothing(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    patient, _ = _two(clinic, window)
    screen = _open(window, clinic, patient)
    qtbot.mouseClick(screen.view.hand_over_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(_answer_button(screen, "Poor"), Qt.MouseButton.LeftButton)

    qtbot.mouseClick(screen.view.leave_button, Qt.MouseButton.LeftButton)
    screen.view_model.confirm_exit(PASSWORD)
    wait_idle(window)

    assert not screen.view_model.patient_mode
    assert _responses(clinic) == []
    assert "Nothing was recorded" in screen.view.notice.text()


def test_the_screenshot_fits_the_opening_size(
    signed_in: MainWindow, clinic: Services, tmp_path: Path
) -> None:
    window = signed_in
    patient, _ = _two(clinic, window)
    _open(window, clinic, patient)
    window.resize(*SCREEN_SIZE)

    [shot] = _render_experience(window, tmp_path, PASSWORD)

    image = QImage(str(shot))
    assert image.size().toTuple() == SCREEN_SIZE
    screen = window.screen_by_id("experience")
    assert isinstance(screen, ExperienceScreen)
    assert not screen.view_model.patient_mode
    assert _responses(clinic) == []
