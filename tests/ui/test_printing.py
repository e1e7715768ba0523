"""Saving and printing a patient's PDF: a patient-named file where the user chooses."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from clinic_app.people.views import PatientSummary
from tests.ui.conftest import WAIT_MS, wait_idle
from ui.app import MainWindow
from ui.common.printing import (
    FOLDER_SETTING,
    PdfDelivery,
    document_file_name,
    documents_folder,
    print_pages,
)

DAY = date(2026, 12, 4)
# The saved PDF kept for a person to look at, only when asked: ONESTOP_SHOTS=folder pytest ...
SHOTS = Path(os.environ["ONESTOP_SHOTS"]) if os.environ.get("ONESTOP_SHOTS") else None


@pytest.mark.parametrize(
    ("patient", "nhs", "kind", "expected"),
    [
        (
            "ASHWORTH, Harriet",
            "999 000 0018",
            "safety-net card",
            "ASHWORTH_9990000018_safety-net-card_2026-12-04.pdf",
        ),
        ("O'Brien-Núñez, Siân", "9990000026", "scan report", None),
        ("../../etc/passwd: x", None, "scan/report", None),
        # A bare family name (as screens pass the record's) is kept whole.
        ("van der Berg", "9990000018", "Scan report", None),
    ],
)
def test_file_names_name_the_patient_and_nothing_a_file_system_refuses(
    patient: str, nhs: str | None, kind: str, expected: str | None
) -> None:
    name = document_file_name(patient, nhs, kind, DAY)
    if expected is not None:
        assert name == expected
    stem = name.removesuffix(".pdf")
    assert stem.endswith("_2026-12-04")
    assert all(ch.isalnum() or ch in "-_" for ch in stem), name
    assert not any(part in name for part in ("/", "\\", ":", "..", " "))
    if nhs:
        assert "".join(filter(str.isdigit, nhs)) in name
    if "Brien" in patient:
        assert name.startswith("O-BRIEN-NUNEZ_")
    if patient == "van der Berg":
        assert name.startswith("VAN-DER-BERG_")


def test_the_configured_folder_wins_over_documents(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert documents_folder(settings) != tmp_path
    settings.setValue(FOLDER_SETTING, str(tmp_path))
    assert documents_folder(settings) == tmp_path
    settings.setValue(FOLDER_SETTING, str(tmp_path / "gone"))  # a folder since removed
    assert documents_folder(settings) != tmp_path / "gone"


def test_saved_where_chosen_then_printed_or_opened(tmp_path: Path) -> None:
    asked: list[tuple[str, str]] = []
    printed: list[Path] = []
    opened: list[Path] = []
    printer = [True]

    def choose(title: str, suggested: str) -> str:
        asked.append((title, suggested))
        return suggested

    delivery = PdfDelivery(
        None,
        choose_path=choose,
        folder=lambda: tmp_path,
        has_printer=lambda: printer[0],
        print_file=printed.append,
        open_file=opened.append,
    )
    name = document_file_name("ASHWORTH, Harriet", "9990000018", "scan report", DAY)
    path = delivery.deliver(b"%PDF-1.4 test", name, "Save the scan report")
    assert asked == [("Save the scan report", str(tmp_path / name))]
    assert path == tmp_path / name
    assert path.read_bytes() == b"%PDF-1.4 test"
    assert (printed, opened) == ([path], [])

    printer[0] = False
    again = delivery.deliver(b"%PDF-1.4 again", name, "Save the scan report")
    assert (printed, opened) == ([path], [again])
    assert list(tmp_path.iterdir()) == [path]  # no partial file left behind

    cancelled = PdfDelivery(None, choose_path=lambda _t, _s: "", open_file=opened.append)
    assert cancelled.deliver(b"%PDF", name, "Save") is None
    assert len(opened) == 1


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (poppler-utils)")
    return path


def test_the_safety_net_card_is_saved_named_for_the_patient(
    qtbot: QtBot, signed_in: MainWindow, seeded_patient: PatientSummary, tmp_path: Path
) -> None:
    window = signed_in
    window.screen_by_id("search").view_model.choose_patient(seeded_patient.id)
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("patient").view,
        timeout=WAIT_MS,
    )
    wait_idle(window)
    screen = window.screen_by_id("red_flags")
    opened: list[Path] = []
    screen.pdf_delivery.choose_path = lambda _title, suggested: suggested
    screen.pdf_delivery.folder = lambda: tmp_path
    screen.pdf_delivery.has_printer = lambda: False
    screen.pdf_delivery.open_file = opened.append

    screen._on_print_card_requested(None)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    wait_idle(window)
    (saved,) = opened
    if SHOTS is not None:
        shutil.copy(saved, SHOTS / saved.name)
    assert saved.parent == tmp_path
    assert saved.name.startswith(f"{seeded_patient.family_name.upper()}_")
    assert seeded_patient.nhs_number is not None
    assert seeded_patient.nhs_number.replace(" ", "") in saved.name
    assert "_safety-net-card_" in saved.name
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(saved), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = text.split("\f")
    named = [page for page in pages if page.strip()]
    assert named
    assert all(seeded_patient.family_name in " ".join(page.split()) for page in named)


def test_a_saved_pdf_prints_every_page(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtGui import QPainter, QPdfWriter
    from PySide6.QtPrintSupport import QPrinter

    source = tmp_path / "two-pages.pdf"
    writer = QPdfWriter(str(source))
    painter = QPainter(writer)
    painter.drawText(100, 100, "ASHWORTH 999 000 0018 page one")
    writer.newPage()
    painter.drawText(100, 100, "ASHWORTH 999 000 0018 page two")
    painter.end()

    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    assert print_pages(printer, source) == 2
    info = subprocess.run(
        [_tool("pdfinfo"), str(printed)], capture_output=True, text=True, check=True
    ).stdout
    assert [line.split()[1] for line in info.splitlines() if line.startswith("Pages:")] == ["2"]
