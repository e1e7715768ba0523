"""Helpers for tests of what is printed: open screens as a clinician would, catch the PDF made."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import WAIT_MS, wait_idle
from ui.app import MainWindow


def words_of(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def open_patient_screen(
    window: MainWindow, clinic: Services, patient: uuid.UUID, screen_id: str
) -> object:
    """The patient's record first, then the screen from the patient menu."""
    user = window.session.user
    assert user is not None
    window.open_screen("patient", clinic.patients.open(user, patient))
    wait_idle(window)
    action = window.action(screen_id)
    assert action.isEnabled()
    action.trigger()
    wait_idle(window)
    screen = window.screen_by_id(screen_id)
    assert window.showing(screen)
    return screen


def catch_pdfs(screen: object, folder: Path) -> list[Path]:
    """Save PDFs of ``screen`` into ``folder``; no printer, so each is 'opened' (listed)."""
    opened: list[Path] = []
    delivery = screen.pdf_delivery  # type: ignore[attr-defined]
    delivery.choose_path = lambda _title, suggested: str(folder / Path(suggested).name)
    delivery.has_printer = lambda: False
    delivery.open_file = opened.append
    return opened


def click_and_wait_pdf(
    qtbot: QtBot, window: MainWindow, button: object, opened: list[Path]
) -> Path:
    before = len(opened)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened) > before, timeout=WAIT_MS)
    wait_idle(window)
    return opened[-1]
