"""The patient's own words in the take-home PDF: markup characters, accents, long text."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, wait_idle
from tests.ui.decisions.test_tried_interleaved import _choose, _open, _two
from tests.ui.decisions.test_tried_races import _catch_pdfs
from ui.app import MainWindow

WORDS = 'Pain <3 & I\'m scared of <b>needles</b> & "ops"; São Paulo; Łódź; naïve — 50% > 40%'
LONG = "https://www.example.org/" + "averyveryverylongwordwithoutanyspaces" * 4


def test_patient_words_print_as_typed(
    qtbot: QtBot, clinic: Services, signed_in: MainWindow, tmp_path: Path
) -> None:
    window = signed_in
    a, _b = _two(clinic, window)
    screen = _open(window, clinic, a)
    view, _vm = screen.view, screen.view_model
    _choose(qtbot, window, screen, "carpal_tunnel")
    page = view.page
    qtbot.mouseClick(next(iter(page.choice_buttons.values())), Qt.MouseButton.LeftButton)
    page.choice_words.setPlainText(WORDS + "\nSecond line of my reasons.")
    page.questions.setPlainText(LONG + "\n" + ("Will I be able to knit? " * 40))
    opened = _catch_pdfs(screen, tmp_path)
    view.print_button.click()
    qtbot.waitUntil(
        lambda: bool(opened) or bool(view.notice.text() if hasattr(view.notice, "text") else ""),
        timeout=WAIT_MS,
    )
    wait_idle(window)
    assert opened
    text = subprocess.run(
        ["pdftotext", str(opened[0]), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    pictures.keep_pdf(opened[0], "pdf_words", resolution=60)
    assert WORDS in flat
