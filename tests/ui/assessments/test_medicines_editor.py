"""The medicines rows: each name is classed by the coded list as it is typed."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.ui.conftest import type_into
from ui.common import theme
from ui.domains.assessments.assessment.parts import MedicinesEditor

SHOTS = Path(os.environ["ONESTOP_SHOTS"]) if os.environ.get("ONESTOP_SHOTS") else None


def test_typed_medicines_are_classed_and_opioids_and_gabapentinoids_flagged(
    qtbot: QtBot,
) -> None:
    theme.apply_theme(QApplication.instance())  # type: ignore[arg-type]
    editor = MedicinesEditor()
    qtbot.addWidget(editor)
    editor.resize(900, 200)
    editor.show()
    typed = ["co-codamol 30/500", "Pregabalin 75 mg", "Naproxen 500mg", "paracetamol"]
    for name in typed:
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
        type_into(qtbot, editor.rows[-1].name, name)
    opioid, gabapentinoid, nsaid, other = editor.rows
    assert opioid.recognised.text() == "Opioid analgesic"
    assert gabapentinoid.recognised.text() == "Gabapentinoid"
    assert nsaid.recognised.text() == "NSAID"
    assert other.recognised.text() == "Not on the coded list"
    assert [not row.review.isHidden() for row in editor.rows] == [True, True, False, False]
    assert [value["flags"] for value in editor.values()] == [
        ["opioid"],
        ["gabapentinoid"],
        ["nsaid"],
        [],
    ]
    if SHOTS is not None:
        QApplication.processEvents()
        editor.grab().save(str(SHOTS / "medicines_entry.png"))

    # Changing the name re-classes it: no tick is left behind.
    opioid.name.clear()
    type_into(qtbot, opioid.name, "amitriptyline 10 mg")
    assert opioid.review.isHidden()
    assert opioid.flags == []
