"""The injections audit through the real window: the service lead's and a clinician's, as CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import demo_password
from tests.core.injections.audit_seed import PGD_NAME, patient_identifiers, seed_injections
from tests.support import pictures
from tests.ui.conftest import sign_in, wait_idle
from ui.app import MainWindow
from ui.common.theme import apply_theme
from ui.domains.injections.audit.screens import InjectionAuditScreen
from ui.domains.injections.audit.view_model import InjectionAuditSource


def _seed(clinic: Services) -> None:
    clinician = clinic.auth.login("clinician", demo_password("clinician"))
    colleague = clinic.auth.login("supervisor", demo_password("supervisor"))
    patient = clinic.patients.search(clinician, "999", limit=1)[0].id
    seed_injections(clinic, clinician, colleague, patient)


def _open(qtbot: QtBot, window: MainWindow, who: str) -> InjectionAuditScreen:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app)
    window.resize(1366, 768)
    sign_in(qtbot, window, who)
    action = window.action("injection_audit")
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id("injection_audit")
    assert isinstance(screen, InjectionAuditScreen)
    assert window.showing(screen)
    return screen


def _cells(screen: InjectionAuditScreen) -> dict[str, list[str]]:
    table = screen.view.table
    return {
        table.item(row, 0).text(): [
            table.item(row, column).text() for column in range(1, table.columnCount())
        ]
        for row in range(table.rowCount())
    }


def test_the_service_lead_sees_everyone_and_saves_it_as_csv(
    qtbot: QtBot, clinic: Services, window: MainWindow, tmp_path: Path
) -> None:
    source: InjectionAuditSource = clinic.injections  # the Protocol is the service's shape
    assert source is clinic.injections
    _seed(clinic)
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
    assert cells["Injections signed"] == ["5", "1", "4"]
    assert cells["Target: Knee joint"] == ["3", "1", "2"]
    assert cells["Guidance: Ultrasound guided"] == ["3", "1", "2"]
    assert cells[f"Authority: Under the PGD {PGD_NAME} (version 2.1)"] == ["2", "0", "2"]
    assert cells["Authority: Patient-specific direction"] == ["1", "0", "1"]
    repeats = "Repeat injections (a repeat-too-soon or yearly-count warning acknowledged)"
    assert cells[repeats] == ["3 of 5 (60%)", "1 of 1 (100%)", "2 of 4 (50%)"]
    assert cells["Addenda written"] == ["3", "1", "2"]
    assert "no patient is named" in view.no_patient.text()
    pictures.keep(window, "injection_audit_lead.png")

    asked: list[tuple[str, str]] = []
    chosen = tmp_path / "audit"
    view.choose_path = lambda title, suggested: asked.append((title, suggested)) or str(chosen)
    saved = view.export()

    assert saved == tmp_path / "audit.csv"
    assert view.notice.text() == "Saved as audit.csv."
    assert asked[0][1].endswith(".csv")
    with saved.open(encoding="utf-8-sig", newline="") as file:
        read = list(csv.reader(file))
    assert read[0][1:] == headings[1:]
    assert read[1:] == [[k, *v] for k, v in cells.items()]
    text = saved.read_text(encoding="utf-8-sig")
    for identifier in patient_identifiers(clinic, _patient(clinic)):
        assert identifier not in text
    # Cancelling the dialog saves nothing.
    view.choose_path = lambda _title, _suggested: ""
    assert view.export() is None


def _patient(clinic: Services) -> object:
    clinician = clinic.auth.login("clinician", demo_password("clinician"))
    return clinic.patients.search(clinician, "999", limit=1)[0].id


def test_a_clinician_sees_their_own_over_the_months_chosen(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    _seed(clinic)
    screen = _open(qtbot, window, "clinician")
    view = screen.view

    assert view.table.columnCount() == 2
    assert view.table.horizontalHeaderItem(1).text() == "Priya Shah (Advanced Physiotherapist)"
    assert _cells(screen)["Injections signed"] == ["4"]
    assert view.scope.text() == "Your own injections."
    assert window.minimumSizeHint().width() <= 1366
    assert window.minimumSizeHint().height() <= 768
    pictures.keep(window, "injection_audit_clinician.png")

    # The month of 14 months ago alone: the one injection signed then.
    first = view.first.date().addMonths(-3)
    view.first.setDate(first)
    view.last.setDate(first)
    view.show_button.click()
    wait_idle(window)
    assert _cells(screen)["Injections signed"] == ["1"]
    assert _cells(screen)["Target: Acromioclavicular joint"] == ["1"]


def test_a_trainee_has_no_audit(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window, "trainee")
    assert not window.action("injection_audit").isEnabled()


def test_a_place_that_cannot_be_written_is_said_and_nothing_is_saved(
    qtbot: QtBot, clinic: Services, window: MainWindow, tmp_path: Path
) -> None:
    _seed(clinic)
    view = _open(qtbot, window, "admin").view
    nowhere = tmp_path / "no such folder" / "audit.csv"
    view.choose_path = lambda _title, _suggested: str(nowhere)

    assert view.export() is None

    assert not nowhere.exists()
    assert "could not be saved there" in view.notice.text()


def test_months_still_to_come_are_not_offered(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    view = _open(qtbot, window, "admin").view
    shown = view.last.date()

    view.last.setDate(shown.addMonths(3))
    view.show_button.click()
    wait_idle(window)

    assert view.last.date() == shown
    assert _cells(view_screen(window))["Injections signed"] == ["0"]


def view_screen(window: MainWindow) -> InjectionAuditScreen:
    screen = window.screen_by_id("injection_audit")
    assert isinstance(screen, InjectionAuditScreen)
    return screen
