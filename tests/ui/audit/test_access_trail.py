"""An administrator asks who opened a patient's record, reads the answer and exports it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientSummary
from tests.support import pictures
from tests.ui.conftest import WAIT_MS, sign_in, type_into, wait_idle
from ui.app import MainWindow, WindowState

_LEFT = Qt.MouseButton.LeftButton


def _ask(qtbot: QtBot, window: MainWindow, nhs_number: str) -> None:
    view = window.screen_by_id("access_trail").view
    view.nhs_edit.clear()
    type_into(qtbot, view.nhs_edit, nhs_number)
    qtbot.mouseClick(view.ask_button, _LEFT)
    qtbot.waitUntil(lambda: view.source.text() not in {"", "Looking…"}, timeout=WAIT_MS)
    wait_idle(window)


def test_the_clinician_has_no_access_trail(qtbot: QtBot, signed_in: MainWindow) -> None:
    assert not signed_in.action("access_trail").isEnabled()


def test_an_admin_sees_who_opened_the_record_and_exports_it(  # noqa: PLR0917 - fixtures
    qtbot: QtBot,
    window: MainWindow,
    clinic: Services,
    clinician: CurrentUser,
    seeded_patient: PatientSummary,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clinic.patients.open(clinician, seeded_patient.id)
    clinic.referrals.for_patient(clinician, seeded_patient.id)
    window.resize(1366, 700)
    sign_in(qtbot, window, "admin")
    assert window.state is WindowState.WORKING
    action = window.action("access_trail")
    assert action.isEnabled()
    action.trigger()
    view = window.screen_by_id("access_trail").view
    assert window.pages.currentWidget() is view
    assert seeded_patient.nhs_number is not None
    _ask(qtbot, window, seeded_patient.nhs_number)

    rows = [
        [view.table.item(r, c).text() for c in range(view.table.columnCount())]
        for r in range(view.table.rowCount())
    ]
    what = [row[4] for row in rows]
    assert "Opened the record" in what
    assert "Read the referrals" in what
    assert "Asked who opened the record" in what
    opened = rows[what.index("Opened the record")]
    assert opened[1] == "Priya Shah (Advanced Physiotherapist) (clinician)"
    assert opened[2] == "Clinician"
    assert view.source.text().startswith("This computer only")
    pictures.keep(view, "audit-access-trail.png")

    target = tmp_path / "sar.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(target), ""))
    )
    qtbot.mouseClick(view.export_button, _LEFT)
    qtbot.waitUntil(lambda: target.exists() and "Exported" in view.notice.text(), timeout=WAIT_MS)
    wait_idle(window)
    with target.open(encoding="utf-8") as handle:
        exported = list(csv.reader(handle))
    assert exported[0] == ["when", "action", "user", "role", "device", "record", "record_id"]
    assert len(exported) - 1 == len(rows)
    text = target.read_text(encoding="utf-8")
    # The request's own patient only, and none of their details.
    for detail in (
        seeded_patient.family_name,
        seeded_patient.given_name,
        seeded_patient.nhs_number,
    ):
        assert detail not in text
    assert target.stat().st_mode & 0o077 == 0


def test_an_unknown_number_is_said_in_words(qtbot: QtBot, window: MainWindow) -> None:
    sign_in(qtbot, window, "admin")
    window.action("access_trail").trigger()
    view = window.screen_by_id("access_trail").view
    type_into(qtbot, view.nhs_edit, "943 476 5919")
    qtbot.mouseClick(view.ask_button, _LEFT)
    qtbot.waitUntil(
        lambda: "No patient with that NHS number" in view.notice.text(), timeout=WAIT_MS
    )
    wait_idle(window)
    assert view.table.rowCount() == 0
    assert not view.export_button.isEnabled()
