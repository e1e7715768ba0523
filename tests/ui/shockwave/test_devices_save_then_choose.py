"""Shockwave devices: a device chosen while the last save is on its way stays the one edited."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.shockwave.views import DeviceInput
from tests.ui.conftest import sign_in, type_into, wait_idle
from tests.ui.shockwave.test_devices_screen import _open
from ui.app import MainWindow


def test_a_device_chosen_while_the_last_save_is_answered_is_the_one_saved(
    qtbot: QtBot, window: MainWindow, clinic: Services
) -> None:
    lead = clinic.auth.login("admin", demo_password("admin"))
    long_ago = date.today() - timedelta(days=400)
    storz = clinic.eswt_devices.add(lead, DeviceInput("Storz", "MP100", "S-1", "radial", long_ago))
    zimmer = clinic.eswt_devices.add(
        lead, DeviceInput("Zimmer", "enPuls", "Z-1", "radial", long_ago)
    )
    sign_in(qtbot, window, "admin")
    view = _open(window).view
    serials = [row[2] for row in view.row_texts()]

    # The Storz serviced today: Save pressed...
    view.table.selectRow(serials.index("S-1"))
    assert view.serial.text() == "S-1"
    view.serviced.clear()
    type_into(qtbot, view.serviced, date.today().strftime("%d/%m/%Y"))
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    # ...and, before the store has answered, the lead goes on to the Zimmer.
    view.table.selectRow(serials.index("Z-1"))
    assert view.serial.text() == "Z-1"
    wait_idle(window)

    # The form shows the Zimmer: it is the Zimmer that is changed by the next save.
    assert view._vm.editing == zimmer.id, (
        "the Storz's save answer made the Storz the device edited again, under the Zimmer's "
        "details on the form"
    )
    assert "Zimmer" in view.form_heading.text()
    view.serviced.clear()
    type_into(qtbot, view.serviced, date.today().strftime("%d/%m/%Y"))
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    kept = {d.id: d for d in clinic.eswt_devices.list(lead)}
    assert kept[zimmer.id].last_service_on == date.today()
    assert kept[storz.id].serial == "S-1"
