"""The shockwave audit through the real window: the service lead's and a clinician's, as CSV."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.core.injections.audit_seed import patient_identifiers
from tests.core.shockwave.audit_seed import QUESTIONNAIRE, seed_courses
from tests.support import pictures
from tests.ui.conftest import sign_in, wait_idle
from ui.app import MainWindow
from ui.common.theme import apply_theme
from ui.domains.shockwave.audit.screens import ShockwaveAuditScreen
from ui.domains.shockwave.audit.view_model import ShockwaveAuditSource

HEEL = "Refractory plantar fasciitis"


def _seed(clinic: Services) -> uuid.UUID:
    clinician = clinic.auth.login("clinician", demo_password("clinician"))
    colleague = clinic.auth.login("supervisor", demo_password("supervisor"))
    patient = clinic.patients.search(clinician, "999", limit=1)[0].id
    seed_courses(clinic, clinician, colleague, patient)
    return patient


def _open(qtbot: QtBot, window: MainWindow, who: str) -> ShockwaveAuditScreen:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    window.resize(1366, 768)
    sign_in(qtbot, window, who)
    action = window.action("shockwave_audit")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id("shockwave_audit")
    assert isinstance(screen, ShockwaveAuditScreen)
    assert window.showing(screen)
    return screen


def _cells(screen: ShockwaveAuditScreen) -> dict[str, list[str]]:
    table = screen.view.table
    return {
        table.item(row, 0).text(): [
            table.item(row, column).text() for column in range(1, table.columnCount())
        ]
        for row in range(table.rowCount())
    }


def test_the_service_lead_sees_each_indication_and_saves_it_as_csv(
    qtbot: QtBot, clinic: Services, window: MainWindow, tmp_path: Path
) -> None:
    source: ShockwaveAuditSource = clinic.shockwave  # the Protocol is the service's shape
    assert source is clinic.shockwave
    patient = _seed(clinic)
    screen = _open(qtbot, window, "admin")
    view = screen.view

    headings = [
        view.table.horizontalHeaderItem(column).text() for column in range(view.table.columnCount())
    ]
    assert headings[1:] == [
        "The whole service",
        "Dr Helen Marsh (POCUS Supervisor)",
        "Priya Shah (Advanced Physiotherapist)",
    ]
    cells = _cells(screen)
    assert cells["Courses closed, every indication"] == ["4", "1", "3"]
    assert cells[f"{HEEL}: courses closed"] == ["3", "1", "2"]
    assert cells[f"{HEEL}: mean change in pain (0 to 10)"] == [
        "-3.5 over 2 courses",
        "none recorded",
        "-3.5 over 2 courses",
    ]
    assert cells[f"{HEEL}: mean change in {QUESTIONNAIRE} total"] == [
        "-18.0 over 1 course",
        "none recorded",
        "-18.0 over 1 course",
    ]
    assert cells["Lateral elbow tendinopathy (tennis elbow): courses closed"] == ["1", "0", "1"]
    assert "no patient is named" in view.no_patient.text()
    pictures.keep(window, "shockwave_audit_lead.png")

    chosen = tmp_path / "eswt.csv"
    view.choose_path = lambda _title, suggested: str(chosen) if suggested.endswith(".csv") else ""
    saved = view.export()

    assert saved == chosen
    with chosen.open(encoding="utf-8-sig", newline="") as file:
        read = list(csv.reader(file))
    assert read[0] == headings
    assert read[1:] == [[k, *v] for k, v in cells.items()]
    text = chosen.read_text(encoding="utf-8-sig")
    for identifier in patient_identifiers(clinic, patient):
        assert identifier not in text


def test_a_clinician_sees_their_own(qtbot: QtBot, clinic: Services, window: MainWindow) -> None:
    _seed(clinic)
    screen = _open(qtbot, window, "clinician")
    view = screen.view

    assert view.table.columnCount() == 2
    assert _cells(screen)["Courses closed, every indication"] == ["3"]
    assert view.scope.text() == "Your own closed courses."
    assert window.minimumSizeHint().width() <= 1366
    assert window.minimumSizeHint().height() <= 768
    pictures.keep(window, "shockwave_audit_clinician.png")


def test_a_sonographer_has_no_shockwave_audit(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window, "sonographer")
    assert not window.action("shockwave_audit").isEnabled()
