"""The triage worklist: what it lists, how pressing items stand out, and triaging from it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary, ReferralSummary
from tests.ui.conftest import WAIT_MS
from tests.ui.records import urgent_referral
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.domains.triage.worklist.view import WorklistModel, WorklistView
from ui.domains.triage.worklist.view_model import WorklistViewModel

NAME = WorklistModel.COLUMNS.index("name")
DAYS_LEFT = WorklistModel.COLUMNS.index("days_left")


@pytest.fixture
def overdue_referral(
    clinic: Services, clinician: CurrentUser, seeded_patient: PatientSummary
) -> ReferralSummary:
    """An urgent referral received a month ago and never triaged."""
    return urgent_referral(clinic, clinician, seeded_patient)


@pytest.fixture
def waiting(clinic: Services, clinician: CurrentUser) -> Callable[[], list[uuid.UUID]]:
    """The referral ids the service lists as waiting for triage, in its order."""
    return lambda: [item.referral_id for item in clinic.triage.worklist(clinician)]


@pytest.fixture
def view(
    qtbot: QtBot,
    clinic: Services,
    clinician: CurrentUser,
    runner: TaskRunner,
    overdue_referral: ReferralSummary,
) -> Iterator[WorklistView]:
    """The worklist screen, signed in as the demo clinician, its list read once."""
    session = UserSession()
    session.sign_in(clinician)
    view_model = WorklistViewModel(clinic.triage, clinic.reference, runner=runner, session=session)
    screen = WorklistView(view_model)
    qtbot.addWidget(screen)
    screen.resize(1280, 760)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    with qtbot.waitSignal(view_model.items_changed, timeout=WAIT_MS):
        view_model.refresh()
    yield screen
    runner.wait_idle(timeout=WAIT_MS / 1000)


def _settle(runner: TaskRunner) -> None:
    runner.wait_idle(timeout=WAIT_MS / 1000)
    QApplication.processEvents()


def _cell(screen: WorklistView, row: int, column: int) -> str:
    return str(screen.model.index(row, column).data())


def _row_ids(screen: WorklistView) -> list[object]:
    return [screen.model.item_at(row).referral_id for row in range(screen.model.rowCount())]  # type: ignore[union-attr]


def _outcome(screen: WorklistView, code: str) -> QRadioButton:
    button = screen.findChild(QRadioButton, code)
    assert isinstance(button, QRadioButton)
    return button


def _click_outcome(qtbot: QtBot, screen: WorklistView, code: str) -> None:
    """Click an outcome's circle, where a person would (the row is wider than its words)."""
    button = _outcome(screen, code)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(12, button.height() // 2))
    assert button.isChecked()


def _choose(screen: WorklistView, referral: ReferralSummary) -> None:
    """Pick a referral in the list and let the side panel lay itself out."""
    screen.select(referral.id)
    QApplication.processEvents()


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def test_lists_untriaged_referrals_in_the_services_order(
    view: WorklistView, clinic: Services, clinician: CurrentUser
) -> None:
    expected = clinic.triage.worklist(clinician)
    assert expected, "the demo clinic has referrals waiting"
    assert _row_ids(view) == [item.referral_id for item in expected]
    first = expected[0]
    name, nhs_number = _cell(view, 0, NAME).splitlines()
    assert name == f"{first.family_name.upper()}, {first.given_name}"
    assert nhs_number.replace(" ", "") == first.nhs_number
    assert str(len(expected)) in view.count.text()


def test_an_overdue_referral_says_so_in_words_and_bold(
    view: WorklistView, overdue_referral: ReferralSummary
) -> None:
    row = view.model.row_of(overdue_referral.id)
    assert row >= 0
    assert _cell(view, row, DAYS_LEFT).endswith("overdue")
    assert view.model.index(row, NAME).data(Qt.ItemDataRole.FontRole).bold()
    assert "overdue" in view.count.text()


def test_triaging_as_an_appointment_takes_it_off_the_list(
    qtbot: QtBot,
    view: WorklistView,
    runner: TaskRunner,
    waiting: Callable[[], list[uuid.UUID]],
    overdue_referral: ReferralSummary,
) -> None:
    _choose(view, overdue_referral)
    assert view.panel.item is not None
    assert view.panel.item.referral_id == overdue_referral.id
    _click_outcome(qtbot, view, "appointment")
    assert view.panel.pathway.isVisible()
    assert view.panel.pathway.code() == "physiotherapy"
    view.panel.diagnostics.setChecked(True)
    with qtbot.waitSignal(view._vm.triaged, timeout=WAIT_MS) as signal:
        qtbot.mouseClick(view.panel.record_button, Qt.MouseButton.LeftButton)
    _settle(runner)
    assert signal.args[0].outcome == "appointment_after_diagnostics"
    assert view.model.row_of(overdue_referral.id) == -1
    assert "Triage recorded" in view.notice.text()
    remaining = waiting()
    assert overdue_referral.id not in remaining
    assert _row_ids(view) == remaining


def test_returning_without_a_reason_asks_for_one_and_keeps_the_referral(
    qtbot: QtBot, view: WorklistView, runner: TaskRunner, overdue_referral: ReferralSummary
) -> None:
    _choose(view, overdue_referral)
    _click_outcome(qtbot, view, "return_to_referrer")
    assert not view.panel.pathway.isVisible()
    with qtbot.waitSignal(view._vm.field_errors_changed, timeout=WAIT_MS):
        qtbot.mouseClick(view.panel.record_button, Qt.MouseButton.LeftButton)
    _settle(runner)
    assert view.panel.fields["reason"].error()
    assert view.panel.summary.isVisible()
    assert view.model.row_of(overdue_referral.id) >= 0
    assert view.panel.item is not None
    assert view.panel.item.referral_id == overdue_referral.id
    assert view.panel.reason.hasFocus()


def test_a_referral_can_be_triaged_with_the_keyboard_alone(
    qtbot: QtBot, view: WorklistView, runner: TaskRunner
) -> None:
    view.focus_list()
    assert _focused() is view.table
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    chosen = view.panel.item
    assert chosen is not None
    assert view.model.row_of(chosen.referral_id) == 1

    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    first = _outcome(view, "appointment")
    assert _focused() is first
    qtbot.keyClick(first, Qt.Key.Key_Space)
    assert first.isChecked()
    assert view.panel.pathway.isVisible()
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is view.panel.pathway
    for _ in range(6):
        if _focused() is view.panel.advice:
            break
        qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is view.panel.advice
    qtbot.keyClicks(view.panel.advice, "Exercise leaflet sent")
    with qtbot.waitSignal(view._vm.triaged, timeout=WAIT_MS):
        qtbot.keyClick(_focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    _settle(runner)
    assert view.model.row_of(chosen.referral_id) == -1
    assert _focused() is view.table
    assert view.panel.item is not None
    assert view.panel.item.referral_id != chosen.referral_id


def test_days_left_in_plain_words(view: WorklistView) -> None:
    words = {_cell(view, row, DAYS_LEFT) for row in range(view.model.rowCount())}
    allowed = ("left", "overdue", "Due today", "No target")
    assert all(any(part in text for part in allowed) for text in words)
