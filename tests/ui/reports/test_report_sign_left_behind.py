"""A scan report's sign answered after the page moved on to another patient: said how it went."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.ui.conftest import WAIT_MS, sign_in
from tests.ui.late_answers import Gate, in_banner, open_record, settle, two_patients
from tests.ui.reports.test_report_late import _report_of, _study
from ui.app import MainWindow


@pytest.mark.parametrize("password", ["not my password", "right"])
def test_a_report_sign_answered_after_the_patient_changed_is_said(
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    password: str,
) -> None:
    sign_in(qtbot, window, "sonographer")
    user = window.session.user
    assert user is not None
    a, b = two_patients(clinic, window)
    study_a = _study(clinic, a.id, 1)
    screen = window.screen_by_id("report")
    open_record(qtbot, window, a.id)
    _report_of(qtbot, window, study_a)
    settle(qtbot, window)
    page = screen.view
    for edit in page.fields.values():
        edit.setPlainText("Normal appearances.")
    report_id = screen.view_model.report.id

    # Sign with a slip of the password; the answer comes once B's record is open.
    gate = Gate(monkeypatch, clinic.reports, "sign")
    page.password.setText(demo_password("sonographer") if password == "right" else password)
    qtbot.mouseClick(page.sign_button, Qt.MouseButton.LeftButton)
    gate.wait_entered(qtbot)
    window.screen_by_id("search").view_model.choose_patient(b.id)
    gate.release()
    qtbot.waitUntil(lambda: in_banner(window, b.id), timeout=WAIT_MS)
    settle(qtbot, window)

    name = f"{a.family_name.upper()}, {a.given_name}"
    said = window.notice.text()
    if password == "right":
        assert clinic.reports.get(user, report_id).status == "signed"
        assert said == f"The scan report for {name} was signed."
    else:
        assert clinic.reports.get(user, report_id).status != "signed"
        # The sign was refused: the sonographer hears so, for A.
        assert said.startswith(f"The scan report for {name} was not signed: "), said
        assert said.endswith("Open the report again from their imaging to see where it is.")
