"""The service lead lists the scanners let in, on the DICOM and PACS settings screen."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.demo import DEMO_SCANNER
from clinic_app.domains.imaging.views import KnownScanner
from clinic_app.kernel.uow import SYSTEM
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from ui.app import SCREEN_SIZE, MainWindow
from ui.domains.imaging.dicom_settings.view import DicomSettingsView

#: A 1366x768 screen less the title bar, menu and status bar (as the brief for pages says).
FITS = (1366, 700)


def _shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("ONESTOP_SHOTS")
    if folder:
        QApplication.processEvents()
        widget.grab().save(str(Path(folder) / name))


def _type_in_cell(qtbot: QtBot, view: DicomSettingsView, row: int, column: int, text: str) -> None:
    """Go to a cell, press F2 to edit it, type over it and press Enter, as a person would."""
    table = view.scanners.table
    table.setFocus(Qt.FocusReason.MouseFocusReason)
    table.setCurrentCell(row, column)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    # The cell's own editor, which F2 opened over it.
    editors = [e for e in table.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    editor = editors[0]
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The table takes the typed text when it next handles its events.
    qtbot.waitUntil(lambda: table.item(row, column).text() == text, timeout=WAIT_MS)


def _open(qtbot: QtBot, window: MainWindow) -> DicomSettingsView:
    window.action("dicom_settings").trigger()
    view = window.screen_by_id("dicom_settings").view
    assert isinstance(view, DicomSettingsView)
    qtbot.waitUntil(lambda: view.scanners.table.rowCount() > 0, timeout=WAIT_MS)
    return view


def test_the_service_lead_adds_a_scanner_and_a_bad_address_is_shown_by_the_list(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, "admin")
    view = _open(qtbot, window)
    # The demo clinic comes with its own scanner, on this laptop.
    assert view.scanners.scanners() == [
        {"name": DEMO_SCANNER.name, "ae_title": "DEMO_US", "address": "127.0.0.1"}
    ]
    assert view.listen_host.text() == "127.0.0.1"
    shown = [text.text() for text in view.findChildren(QLabel) if text.isVisible()]
    assert any("With none listed, every scanner is refused" in text for text in shown)
    assert any("127.0.0.1: this laptop only" in text for text in shown)

    qtbot.mouseClick(view.scanners.add_button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    _type_in_cell(qtbot, view, 1, 0, "Knee clinic Butterfly")
    _type_in_cell(qtbot, view, 1, 1, "POCUS1")
    _type_in_cell(qtbot, view, 1, 2, "192.168.10.300")
    view.save_button.click()
    qtbot.waitUntil(view.errors["scanners"].isVisible, timeout=WAIT_MS)
    assert "192.168.10.21" in view.errors["scanners"].text()
    _shot(window, "31-dicom-settings-scanner-refused.png")
    assert clinic.dicom_settings.current(SYSTEM).scanners == (DEMO_SCANNER,)

    _type_in_cell(qtbot, view, 1, 2, "192.168.10.21")
    with qtbot.waitSignal(window.screen_by_id("dicom_settings").view_model.saved, timeout=WAIT_MS):
        view.save_button.click()
    wait_idle(window)
    assert not view.errors["scanners"].isVisible()
    assert clinic.dicom_settings.current(SYSTEM).scanners == (
        DEMO_SCANNER,
        KnownScanner("POCUS1", "192.168.10.21", "Knee clinic Butterfly"),
    )
    window.resize(*SCREEN_SIZE)
    QApplication.processEvents()
    _shot(window, "30-dicom-settings-scanners.png")
    hint = window.minimumSizeHint()
    assert hint.width() <= FITS[0]
    assert hint.height() <= FITS[1]

    # Taking the demo scanner off the list: selected and removed.
    table = view.scanners.table
    rect = table.visualRect(table.model().index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(view.scanners.remove_button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    with qtbot.waitSignal(window.screen_by_id("dicom_settings").view_model.saved, timeout=WAIT_MS):
        view.save_button.click()
    wait_idle(window)
    assert clinic.dicom_settings.current(SYSTEM).scanners == (
        KnownScanner("POCUS1", "192.168.10.21", "Knee clinic Butterfly"),
    )


def test_a_clinician_sees_the_scanners_but_cannot_change_them(
    qtbot: QtBot, signed_in: MainWindow
) -> None:
    view = _open(qtbot, signed_in)
    assert not view.scanners.isEnabled()
    assert not view.scanners.add_button.isEnabled()
    assert view.scanners.scanners()[0]["ae_title"] == "DEMO_US"
    wait_idle(signed_in)
