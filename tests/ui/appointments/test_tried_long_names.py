"""A long name on the day list wraps: the status, the needs and a red flag stay in view at
1366x768, with no sideways scrolling."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import update

from clinic_app.container import Services
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.people.model import Patient
from tests.ui.appointments.conftest import Day
from tests.ui.appointments.test_day_list import day_screen
from tests.ui.conftest import CLINICIAN, WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow
from ui.domains.appointments.day.screens import DayScreen

LONG_FAMILY = "Featherstonehaugh-Cholmondeley-Wolstenholme"
LONG_GIVEN = "Anne-Marie Josephine Alexandra"


def _all_columns_in_view(screen: DayScreen) -> None:
    table = screen.view.table
    assert table.horizontalScrollBar().maximum() == 0
    header = table.horizontalHeader()
    last = table.model().columnCount() - 1
    assert header.sectionViewportPosition(last) < table.viewport().width()


def test_a_long_name_wraps_and_keeps_the_red_flag_in_view(
    qtbot: QtBot, clinic: Services, window: MainWindow, day: Day
) -> None:
    patient = day.patients[0]
    with clinic.context.store.sessions.begin() as session:
        session.execute(
            update(Patient)
            .where(Patient.id == patient.id)
            .values(family_name=LONG_FAMILY, given_name=LONG_GIVEN)
        )
    codes = red_flag_screen("cauda_equina").question_codes
    clinic.red_flags.record(day.clinician, patient.id, "cauda_equina", dict.fromkeys(codes, "yes"))
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    sign_in(qtbot, window, CLINICIAN)
    screen = day_screen(qtbot, window)
    qtbot.wait(50)
    wait_idle(window)

    entry = next(e for e in screen.view_model.entries if e.appointment.patient_id == patient.id)
    assert LONG_FAMILY.upper() in screen.view.model.text(entry, "patient")
    _all_columns_in_view(screen)
    row = screen.view.model.row_of(entry.appointment.id)
    # Wrapped onto more lines than a short name's row.
    short = screen.view.model.row_of(day.mine[1].id)
    qtbot.waitUntil(
        lambda: screen.view.table.rowHeight(row) > screen.view.table.rowHeight(short),
        timeout=WAIT_MS,
    )

    # The site's list, with its clinician column too.
    site = window.screen_by_id("site_day")
    window.action("site_day").trigger()
    qtbot.waitUntil(lambda: window.showing(site), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: site.view_model.day_list is not None, timeout=WAIT_MS)  # type: ignore[attr-defined]
    qtbot.wait(50)
    wait_idle(window)
    assert isinstance(site, DayScreen)
    _all_columns_in_view(site)
