"""Red-flag screening: an emergency raises a banner that stays until an action is recorded."""

from __future__ import annotations

import os
import tempfile

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.domains.red_flags.rules import Answer
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, type_into
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.common.theme import apply_theme
from ui.domains.red_flags.screening.view import RedFlagsView
from ui.domains.red_flags.screening.view_model import RedFlagsViewModel

CAUDA_EQUINA = "cauda_equina"
HANDOVER = {
    "hospital": "Leeds General Infirmary",
    "department": "Emergency department",
    "handed_over_at": "2026-12-04T10:40",
    "handed_over_to": "Dr Priya Shah",
    "handed_over_to_role": "ED registrar",
    "travel": "ambulance",
}


def _screen(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    user: CurrentUser,
    patient: PatientSummary,
    *,
    regions: tuple[str, ...] = ("lumbar_spine",),
) -> tuple[RedFlagsViewModel, RedFlagsView]:
    session = UserSession()
    session.sign_in(user)
    vm = RedFlagsViewModel(clinic.red_flags, runner=runner, session=session)
    view = RedFlagsView(vm)
    qtbot.addWidget(view)
    view.resize(1100, 900)
    view.show()
    vm.start(patient.id, regions)
    qtbot.waitUntil(lambda: CAUDA_EQUINA in view.screen_cards and runner.is_idle(), timeout=WAIT_MS)
    return vm, view


def _click_in_scroll(qtbot: QtBot, view: RedFlagsView, button: QPushButton) -> None:
    """Scroll the button into view first: a click lands where a person would see it."""
    view.scroll_area.ensureWidgetVisible(button)
    qtbot.wait(20)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _answer_all(view: RedFlagsView, answer: Answer) -> None:
    screen_card = view.screen_cards[CAUDA_EQUINA]
    for code in screen_card.buttons:
        screen_card.set_answer(code, answer)


def test_every_question_starts_not_asked(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    _, view = _screen(qtbot, clinic, runner, clinician, seeded_patient)
    answers = view.screen_cards[CAUDA_EQUINA].answers()
    assert set(answers.values()) == {Answer.NOT_ASKED.value}


def test_all_no_raises_no_banner(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    vm, view = _screen(qtbot, clinic, runner, clinician, seeded_patient)
    _answer_all(view, Answer.NO)
    screen_card = view.screen_cards[CAUDA_EQUINA]
    with qtbot.waitSignal(vm.recorded, timeout=WAIT_MS):
        _click_in_scroll(qtbot, view, screen_card.record_button)
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)
    assert screen_card.result.text() == "Recorded: Clear"
    assert view.banners == []
    assert vm.owed == []


def test_emergency_banner_stays_until_an_action_is_recorded(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    vm, view = _screen(qtbot, clinic, runner, clinician, seeded_patient)
    _answer_all(view, Answer.NO)
    screen_card = view.screen_cards[CAUDA_EQUINA]
    screen_card.set_answer("back_or_leg_pain", Answer.YES)
    screen_card.set_answer("saddle_numbness", Answer.YES)
    _click_in_scroll(qtbot, view, screen_card.record_button)
    # The banner is made when the result arrives and shown once the layout has run.
    qtbot.waitUntil(lambda: len(view.banner_texts()) == 1 and runner.is_idle(), timeout=WAIT_MS)

    banner = view.banners[0]
    text = view.banner_texts()[0]
    assert text.startswith("EMERGENCY: Suspected cauda equina syndrome")
    assert "emergency department now" in text
    buttons = [b.text() for b in banner.findChildren(QPushButton)]
    assert "Dismiss" not in buttons
    assert not any("close" in b.lower() for b in buttons)
    # Nothing clears it in one click: its button asks for the action's details elsewhere.
    assert not any("emergency department today" in b for b in buttons)
    with qtbot.waitSignal(view.action_requested, timeout=WAIT_MS) as asked:
        qtbot.mouseClick(banner.record_action_button, Qt.MouseButton.LeftButton)
    assert asked.args == [banner.owed.screening.id]
    assert len(view.banners) == 1

    # Opening the patient again (as after a restart) brings the banner back from the store.
    vm2, view2 = _screen(qtbot, clinic, runner, clinician, seeded_patient)
    qtbot.waitUntil(lambda: len(view2.banner_texts()) == 1, timeout=WAIT_MS)
    assert view2.banners[0].owed.screening.id == banner.owed.screening.id
    assert view2.banners[0].owed.required == banner.owed.required
    view2.hide()
    view.activateWindow()

    qtbot.mouseClick(banner.override_button, Qt.MouseButton.LeftButton)
    assert banner.override_box.isVisibleTo(view)
    type_into(qtbot, banner.reason, "Seen before")
    with qtbot.waitSignal(vm.resolve_failed, timeout=WAIT_MS):
        qtbot.mouseClick(banner.confirm_override, Qt.MouseButton.LeftButton)
    assert banner.error.isVisibleTo(view)
    assert "at least 20 characters" in banner.error.text()
    assert view.banners == [banner]

    # The handover recorded with its details (as the actions screen does) clears it.
    clinic.red_flags.record_action(
        clinician, seeded_patient.id, banner.owed.screening.id, "ed_handover", HANDOVER
    )
    vm.refresh_owed()
    qtbot.waitUntil(lambda: not view.banners and runner.is_idle(), timeout=WAIT_MS)
    assert clinic.red_flags.unresolved(clinician, seeded_patient.id) == []

    vm2.refresh_owed()
    qtbot.waitUntil(lambda: not view2.banners and runner.is_idle(), timeout=WAIT_MS)


def test_safety_net_card_prints_through_a_signal(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    _, view = _screen(qtbot, clinic, runner, clinician, seeded_patient)
    panel = next(p for p in view.safety_panels if "cauda equina" in p.safety_card.intro)
    with qtbot.waitSignal(view.print_card_requested, timeout=WAIT_MS) as printed:
        _click_in_scroll(qtbot, view, panel.print_button)
    assert printed.args == [panel.safety_card]


def test_screenshot_of_the_banner(
    qtbot: QtBot,
    clinic: Services,
    runner: TaskRunner,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
) -> None:
    """Grab the banner to a private folder when ONESTOP_SCREENSHOTS is set (for review)."""
    if not os.environ.get("ONESTOP_SCREENSHOTS"):
        return
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    vm, view = _screen(qtbot, clinic, runner, clinician, seeded_patient)
    screen_card = view.screen_cards[CAUDA_EQUINA]
    screen_card.set_answer("back_or_leg_pain", Answer.YES)
    screen_card.set_answer("bladder_change", Answer.YES)
    _click_in_scroll(qtbot, view, screen_card.record_button)
    qtbot.waitUntil(lambda: len(view.banners) == 1 and runner.is_idle(), timeout=WAIT_MS)
    banner = view.banners[0]
    qtbot.mouseClick(banner.override_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, banner.reason, "Too short")
    with qtbot.waitSignal(vm.resolve_failed, timeout=WAIT_MS):
        qtbot.mouseClick(banner.confirm_override, Qt.MouseButton.LeftButton)
    view.resize(1100, 1000)
    folder = tempfile.mkdtemp(prefix="red-flag-shots-")
    view.grab().save(os.path.join(folder, "red_flag_banner.png"))
    print(folder)
    qtbot.waitUntil(runner.is_idle, timeout=WAIT_MS)
