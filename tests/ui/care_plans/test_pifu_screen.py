"""The PIFU windows list: whose windows, the lapse warning at its boundary, a row opened."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.care_plans.rules import pifu_ends_on
from clinic_app.kernel.current_user import CurrentUser
from tests.core.care_plans.conftest import agreed_plan
from tests.support import pictures
from tests.ui.conftest import SUPERVISOR, WAIT_MS, sign_in, wait_idle
from tests.ui.letters.helpers import SMALL_LAPTOP, patients_with_episodes
from tests.ui.shell.test_window_size import FITS
from ui.app import MainWindow
from ui.common import formatting
from ui.common.theme import NHS_WARM_YELLOW
from ui.domains.care_plans.pifu.screens import PifuWindowsScreen
from ui.domains.care_plans.pifu.view import CLINICIAN, DAYS_LEFT, STATUS
from ui.domains.care_plans.pifu.view_model import PifuWindows
from ui.domains.care_plans.plan.screens import CarePlanScreen


def _sign(
    clinic: Services, who: CurrentUser, patient: uuid.UUID, on: date | None = None, months: int = 6
) -> uuid.UUID:
    """A plan made with ``patient`` and signed by ``who`` on ``on`` (today by default)."""
    plans = clinic.care_plans
    day = on or date.today()
    plans.today = lambda: day
    try:
        started = plans.start(who, patient)
        plans.save(who, started.id, patient, replace(agreed_plan(), pifu_months=months))
        return plans.sign(who, started.id, patient, demo_password(who.username)).id
    finally:
        plans.today = date.today


def _name(clinic: Services, who: CurrentUser, patient: uuid.UUID) -> str:
    record = clinic.patients.open(who, patient)
    return f"{record.family_name.upper()}, {record.given_name}"


def _open_list(window: MainWindow, on: date | None = None) -> PifuWindowsScreen:
    """PIFU windows from the Service menu, read for ``on`` (today by default)."""
    screen = window.screen_by_id("pifu_windows")
    assert isinstance(screen, PifuWindowsScreen)
    # The screen's Protocol is the real service's shape (checked by mypy here).
    service: PifuWindows = window.context.services.care_plans
    assert service is not None
    if on is not None:
        screen.view_model.today = lambda: on
    action = window.action("pifu_windows")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    assert window.showing(screen)
    return screen


def _names(screen: PifuWindowsScreen) -> list[str]:
    table = screen.view.table
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def _signed_by_two(clinic: Services) -> tuple[tuple[uuid.UUID, str], tuple[uuid.UUID, str]]:
    """(patient, name) of a plan the clinician signed (6 months) and the supervisor's (3)."""
    clinician = clinic.auth.login("clinician", demo_password("clinician"))
    supervisor = clinic.auth.login(SUPERVISOR, demo_password(SUPERVISOR))
    (mine, _), (theirs, _) = patients_with_episodes(clinic, 2)
    _sign(clinic, clinician, mine)
    _sign(clinic, supervisor, theirs, months=3)
    return (mine, _name(clinic, clinician, mine)), (theirs, _name(clinic, clinician, theirs))


def test_a_clinician_sees_their_own_windows_a_supervisor_may_see_everyones(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    (_mine, my_name), (_theirs, their_name) = _signed_by_two(clinic)

    sign_in(qtbot, window, "clinician")
    screen = _open_list(window)
    view = screen.view
    assert _names(screen) == [my_name]
    cells = view.table.cells(0)
    ends = pifu_ends_on(date.today(), 6)
    assert cells[1].count(" ") == 2  # the NHS number, spaced
    assert cells[3] == formatting.clinical_date(ends)
    assert cells[4] == f"{(ends - date.today()).days} days left"
    assert cells[5] == "Open"
    assert "Your patients" in view.whose.text()
    assert "within 14 days" in view.whose.text()
    assert not view.whole_service.isVisibleTo(view)  # a clinician has their own list only
    assert view.table.isColumnHidden(CLINICIAN)
    for control in (view.table, view.open_button, view.refresh_button, view.whole_service):
        assert control.accessibleName(), control

    # The supervisor's own list, then every clinician's, the shorter window first.
    window.switch_user()
    wait_idle(window)
    sign_in(qtbot, window, SUPERVISOR)
    screen = _open_list(window)
    view = screen.view
    assert _names(screen) == [their_name]
    assert view.whole_service.isVisibleTo(view)
    qtbot.mouseClick(view.whole_service, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert _names(screen) == [their_name, my_name]
    assert "Every clinician's" in view.whose.text()
    assert not view.table.isColumnHidden(CLINICIAN)
    assert view.table.item(1, CLINICIAN).text().startswith("Priya Shah")


def test_the_service_lead_sees_the_whole_service_and_opens_records(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    (mine, my_name), (_theirs, their_name) = _signed_by_two(clinic)

    sign_in(qtbot, window, "admin")
    screen = _open_list(window)
    view = screen.view
    assert _names(screen) == [their_name, my_name]
    assert "Every clinician's" in view.whose.text()
    assert not view.whole_service.isVisibleTo(view)  # the service lead signs no plans
    assert view.open_button.text().replace("&", "") == "Open the record"

    # The lead opens the patient's record: the care plan screen is for clinicians.
    view.table.setCurrentCell(1, 0)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    wait_idle(window)
    qtbot.waitUntil(lambda: window.context.patient is not None, timeout=WAIT_MS)
    assert window.context.patient is not None
    assert window.context.patient.id == mine
    assert window.showing(window.screen_by_id("patient"))


def test_a_window_ending_within_the_warning_days_is_marked_about_to_lapse(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    window.resize(*SMALL_LAPTOP)
    me = window.session.user
    assert me is not None
    (first, _), (second, _) = patients_with_episodes(clinic, 2)
    # Signed a day apart, a month each: the windows end a day apart (the 1st and the 2nd of
    # the month after, so no month's end shortens either).
    opened = date.today().replace(day=1)
    _sign(clinic, me, first, opened, months=1)
    _sign(clinic, me, second, opened + timedelta(days=1), months=1)
    ends = pifu_ends_on(opened, 1)

    screen = _open_list(window, ends - timedelta(days=14))
    table = screen.view.table
    assert _names(screen) == [_name(clinic, me, first), _name(clinic, me, second)]
    lapsing, open_ = table.cells(0), table.cells(1)
    assert (lapsing[4], lapsing[5]) == ("14 days left", "About to lapse")
    assert (open_[4], open_[5]) == ("15 days left", "Open")
    assert table.item(0, STATUS).background().color() == QColor(NHS_WARM_YELLOW)
    assert table.item(0, STATUS).font().bold()
    assert table.item(0, DAYS_LEFT).font().bold()
    assert table.item(1, STATUS).background().style() == Qt.BrushStyle.NoBrush
    assert not table.item(1, DAYS_LEFT).font().bold()

    # On the last day of the first window: it ends today; the day after it is gone.
    screen = _open_list(window, ends)
    assert screen.view.table.cells(0)[4:6] == ["Ends today", "About to lapse"]
    screen = _open_list(window, ends + timedelta(days=1))
    assert _names(screen) == [_name(clinic, me, second)]

    # The page fits a small laptop with its list on show.
    screen = _open_list(window, ends - timedelta(days=14))
    screen.view.table.clearSelection()
    qtbot.wait(100)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= FITS[0]
    assert hint.height() <= FITS[1]
    pictures.keep(window, "pifu-windows.png")


def test_opening_a_row_opens_that_patients_care_plan(
    qtbot: QtBot, signed_in: MainWindow, clinic: Services
) -> None:
    window = signed_in
    me = window.session.user
    assert me is not None
    (first, _), (second, _), (third, _) = patients_with_episodes(clinic, 3)
    _sign(clinic, me, first, months=6)
    plan = _sign(clinic, me, second, months=2)
    _sign(clinic, me, third, months=4)

    screen = _open_list(window)
    assert _names(screen)[1] == _name(clinic, me, third)
    assert screen.view.open_button.text().replace("&", "") == "Open the care plan"
    screen.view.table.setCurrentCell(0, 0)
    qtbot.mouseClick(screen.view.open_button, Qt.MouseButton.LeftButton)
    wait_idle(window)

    care_plan = window.screen_by_id("care_plan")
    assert isinstance(care_plan, CarePlanScreen)
    qtbot.waitUntil(lambda: care_plan.view_model.plan is not None, timeout=WAIT_MS)
    wait_idle(window)
    assert window.showing(care_plan)
    assert window.context.patient is not None
    assert window.context.patient.id == second
    opened = care_plan.view_model.plan
    assert opened is not None
    assert (opened.id, opened.patient_id) == (plan, second)
