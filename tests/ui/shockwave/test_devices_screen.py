"""The register of shockwave devices as the service lead keeps it, through the real window."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.support import pictures
from tests.ui.conftest import sign_in, type_into, wait_idle
from ui.app import MainWindow
from ui.domains.shockwave.devices.screens import DevicesScreen


def _open(window: MainWindow) -> DevicesScreen:
    action = window.action("eswt_devices")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id("eswt_devices")
    assert isinstance(screen, DevicesScreen)
    assert window.showing(screen)
    return screen


def _ours(view: object) -> list[list[str]]:
    """The register's rows other than the demo clinic's own demo device."""
    return [row for row in view.row_texts() if row[0] != "DEMO ONLY"]  # type: ignore[attr-defined]


def test_the_service_lead_adds_a_device_and_records_its_service(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    sign_in(qtbot, window, "admin")
    screen = _open(window)
    view = screen.view
    # The demo clinic's own demo device is left aside.
    assert [row[0] for row in view.row_texts()] == ["DEMO ONLY"]

    type_into(qtbot, view.make, "Storz")
    type_into(qtbot, view.model, "Masterpuls MP100")
    type_into(qtbot, view.serial, "MP-0042")
    view.kind_box.setCurrentIndex(view.kind_box.findData("radial"))
    last = date.today() - timedelta(days=400)
    type_into(qtbot, view.serviced, last.strftime("%d/%m/%Y"))
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    wait_idle(window)

    rows = _ours(view)
    assert len(rows) == 1
    assert rows[0][:4] == ["Storz", "Masterpuls MP100", "MP-0042", "Radial"]
    assert rows[0][-1] == "Overdue"
    assert view.form_heading.text() == "Change Storz Masterpuls MP100, serial MP-0042"
    pictures.keep(window, "shockwave_devices.png")

    # Serviced today: no longer overdue, the same device changed (not a second one).
    view.table.selectRow([row[2] for row in view.row_texts()].index("MP-0042"))
    assert view.serial.text() == "MP-0042"
    view.serviced.clear()
    type_into(qtbot, view.serviced, date.today().strftime("%d/%m/%Y"))
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    rows = _ours(view)
    assert len(rows) == 1
    assert rows[0][-1] == ""
    lead = clinic.auth.login("admin", demo_password("admin"))
    kept = [d for d in clinic.eswt_devices.list(lead) if d.make != "DEMO ONLY"]
    assert [(d.serial, d.last_service_on, d.overdue) for d in kept] == [
        ("MP-0042", date.today(), False)
    ]

    # A second device with the same serial is refused beside the serial, in words.
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, view.make, "Storz")
    type_into(qtbot, view.model, "Duolith SD1")
    type_into(qtbot, view.serial, "MP-0042")
    view.kind_box.setCurrentIndex(view.kind_box.findData("focused"))
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert view.fields["serial"].error() == "Another device of the register has this serial number."
    assert len([d for d in clinic.eswt_devices.list(lead) if d.make != "DEMO ONLY"]) == 1


def test_a_clinician_does_not_see_the_register_in_the_menu(signed_in: MainWindow) -> None:
    assert (
        not signed_in.action("eswt_devices").isVisible()
        or not signed_in.action("eswt_devices").isEnabled()
    )
