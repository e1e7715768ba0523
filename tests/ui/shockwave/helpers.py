"""Opening the shockwave course screen from a patient's record and filling it as a clinician
would."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from clinic_app.domains.shockwave.views import DeviceInput, DeviceView
from clinic_app.kernel.current_user import CurrentUser
from tests.ui.conftest import CLINICIAN, WAIT_MS, type_into, wait_idle
from tests.ui.late_answers import Gate
from ui.app import MainWindow
from ui.common import formatting
from ui.domains.shockwave.course.screens import ShockwaveScreen
from ui.domains.shockwave.course.view import CourseForm

PASSWORD = demo_password(CLINICIAN)
REASON = "Talked through at the last visit; no decision aid was used then."


def user_of(window: MainWindow) -> CurrentUser:
    user = window.session.user
    assert user is not None
    return user


def patients(clinic: Services, window: MainWindow, count: int = 2) -> list[uuid.UUID]:
    """Demo patients (with the 999 test numbers), in the order the search gives them."""
    found = clinic.patients.search(user_of(window), "999", limit=count)
    return [patient.id for patient in found]


def add_device(
    clinic: Services, *, kind: str = "radial", serviced_days_ago: int = 30
) -> DeviceView:
    """The service lead adds a device to the register."""
    lead = clinic.auth.login("admin", demo_password("admin"))
    return clinic.eswt_devices.add(
        lead,
        DeviceInput(
            make="Storz",
            model="Masterpuls MP100" if kind == "radial" else "Duolith SD1",
            serial=f"SW-{kind}-{serviced_days_ago}",
            kind=kind,
            last_service_on=date.today() - timedelta(days=serviced_days_ago),
        ),
    )


def open_shockwave(window: MainWindow, clinic: Services, patient: uuid.UUID) -> ShockwaveScreen:
    """The patient's record first, then Shockwave course from the patient menu."""
    window.open_screen("patient", clinic.patients.open(user_of(window), patient))
    wait_idle(window)
    action = window.action("shockwave")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id("shockwave")
    assert isinstance(screen, ShockwaveScreen)
    assert window.showing(screen)
    return screen


def pick(box: QComboBox, value: object) -> None:
    index = box.findData(value)
    assert index >= 0, value
    box.setCurrentIndex(index)


def settle(window: MainWindow, screen: ShockwaveScreen) -> None:
    """What is typed saved, and every answer back."""
    screen.view_model.save_now()
    wait_idle(window)
    wait_idle(window)


def fill_course(
    qtbot: QtBot, form: CourseForm, device: DeviceView, *, planned: int = 3, pain: int = 7
) -> None:
    """Plantar fasciitis on the left, ``planned`` sessions, every question answered no."""
    qtbot.mouseClick(form.reason, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.reason, REASON)
    pick(form.indication, "plantar_fasciitis")
    pick(form.side, "left")
    type_into(qtbot, form.planned, str(planned))
    pick(form.device, str(device.id))
    for box in form.governance.values():
        box.setChecked(True)
    for asked in form.contraindications.values():
        asked.no.setChecked(True)
    type_into(qtbot, form.pain_before, str(pain))


def fill_session(qtbot: QtBot, form: CourseForm, on: date) -> None:
    """A typical radial session at the heel."""
    form.performed_on.clear()
    type_into(qtbot, form.performed_on, on.strftime("%d/%m/%Y"))
    type_into(qtbot, form.applicator, "15 mm")
    type_into(qtbot, form.pressure, "2.5")
    type_into(qtbot, form.frequency, "10")
    type_into(qtbot, form.pulses, "2000")
    type_into(qtbot, form.target, "Medial calcaneal tubercle")
    type_into(qtbot, form.pain_during, "5")


def acknowledge_every_warning(qtbot: QtBot, window: MainWindow, screen: ShockwaveScreen) -> None:
    for _ in range(10):
        buttons = list(screen.view.acknowledge_buttons.values())
        if not buttons:
            return
        qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
        wait_idle(window)
        wait_idle(window)


def sign_session(qtbot: QtBot, window: MainWindow, screen: ShockwaveScreen) -> None:
    form = screen.view
    type_into(qtbot, form.password, PASSWORD)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not screen.view_model.busy, timeout=WAIT_MS)
    wait_idle(window)
    wait_idle(window)


def add_session(qtbot: QtBot, window: MainWindow, screen: ShockwaveScreen) -> None:
    qtbot.mouseClick(screen.view.add_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    wait_idle(window)


def patient_name(clinic: Services, window: MainWindow, patient: uuid.UUID) -> str:
    """The patient's name as the window's words give it."""
    record = clinic.patients.open(user_of(window), patient)
    return formatting.patient_name(record.family_name, record.given_name, record.title)


def move_on_then_answer(
    window: MainWindow, clinic: Services, gate: Gate, patient: uuid.UUID
) -> None:
    """The clinician opens ``patient``'s record, then the held answer comes back."""
    window.open_screen("patient", clinic.patients.open(user_of(window), patient))
    gate.release()
    wait_idle(window)
    wait_idle(window)
