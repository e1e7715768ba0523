"""Access trail: a late answer about one NHS number never stands under another asked since."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, sign_in, type_into, wait_idle
from tests.ui.late_answers import Gate
from ui.app import MainWindow

_LEFT = Qt.MouseButton.LeftButton
#: A valid NHS number (check digit right) that no patient on this device has.
NOBODY_HERE = "9434765919"


def test_the_trail_of_the_last_number_is_not_shown_after_another_number_is_asked(  # noqa: PLR0917
    qtbot: QtBot,
    window: MainWindow,
    clinic: Services,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clinic.patients.open(clinician, seeded_patient.id)
    assert seeded_patient.nhs_number is not None
    sign_in(qtbot, window, "admin")
    window.action("access_trail").trigger()
    wait_idle(window)
    view = window.screen_by_id("access_trail").view

    # The first patient's number asked; the server is slow to answer...
    gate = Gate(monkeypatch, clinic.audit_log, "from_server")
    type_into(qtbot, view.nhs_edit, seeded_patient.nhs_number)
    qtbot.mouseClick(view.ask_button, _LEFT)
    gate.wait_entered(qtbot)
    # ...and meanwhile the administrator asks about another number: no one has it here.
    view.nhs_edit.clear()
    type_into(qtbot, view.nhs_edit, NOBODY_HERE)
    qtbot.mouseClick(view.ask_button, _LEFT)
    qtbot.waitUntil(lambda: bool(view.notice.text()), timeout=WAIT_MS)
    gate.release()
    wait_idle(window)
    wait_idle(window)

    assert view.nhs_edit.text() == NOBODY_HERE
    assert "No patient with that NHS number" in view.notice.text()
    assert view.table.rowCount() == 0, (
        "the first patient's trail arrived late and is shown under the number asked since"
    )
    assert not view.export_button.isEnabled(), (
        "Export would write the first patient's trail as the answer for the number in the box"
    )
