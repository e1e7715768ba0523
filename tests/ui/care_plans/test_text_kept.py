"""A review date or an action's date the care plan cannot read yet ("end of June") is kept for
that patient and that clinician through opening another patient, and comes back beside its
action with its problem shown; never on another patient's plan."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.care_plans.test_care_plan_screen import _add_row, _open, _two
from tests.ui.conftest import WAIT_MS, type_into, wait_idle
from ui.app import MainWindow


def test_unreadable_dates_come_back_for_their_patient_only(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow
) -> None:
    window = signed_in
    a, b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, vm = screen.view, screen.view_model
    page = view.page
    type_into(qtbot, page.what_matters, "Gardening again")
    _add_row(qtbot, page.goals, "Dig the vegetable bed")
    _add_row(qtbot, page.action_rows, "Daily knee exercises", "Me", "every morning")
    _add_row(qtbot, page.action_rows, "Book the hydrotherapy", "Physio", "")
    type_into(qtbot, page.review_on, "end of June")
    screen.save_now()
    wait_idle(window)
    qtbot.waitUntil(lambda: vm.plan is not None, timeout=WAIT_MS)
    assert page.fields["review_on"].error_label.isVisibleTo(view)
    assert page.fields["actions"].error_label.isVisibleTo(view)

    screen = _open(window, clinic, b)
    assert page.review_on.text() == ""
    assert page.action_rows.values() == []

    screen = _open(window, clinic, a)
    qtbot.waitUntil(lambda: page.review_on.text() == "end of June", timeout=WAIT_MS)
    assert page.action_rows.values() == [
        ("Daily knee exercises", "Me", "every morning"),
        ("Book the hydrotherapy", "Physio", ""),
    ]
    assert page.fields["review_on"].error_label.isVisibleTo(view)
    assert page.fields["actions"].error_label.isVisibleTo(view)
    assert vm.plan is not None
    assert vm.plan.plan.review_on is None
