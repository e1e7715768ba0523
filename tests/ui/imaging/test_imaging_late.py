"""An image captured for one patient, kept after the sonographer moved on to another."""

from __future__ import annotations

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from tests.ui.late_answers import Gate, in_banner, open_record, settle, two_patients
from ui.app import MainWindow


def _open_imaging(qtbot: QtBot, window: MainWindow) -> None:
    window.action("imaging").trigger()
    page = window.screen_by_id("imaging").page
    qtbot.waitUntil(lambda: window.pages.currentWidget() is page, timeout=WAIT_MS)


def test_a_still_of_one_patient_kept_late_stays_off_the_next_patients_screen(
    qtbot: QtBot, clinic: Services, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, window, "sonographer")
    user = window.session.user
    assert user is not None
    a, b = two_patients(clinic, window)
    open_record(qtbot, window, a.id)
    _open_imaging(qtbot, window)
    wait_idle(window)
    screen = window.screen_by_id("imaging")
    model, view = screen.view_model, screen.view

    # A still of A, its DICOM made slowly on the I/O pool (the store worker stays free) ...
    gate = Gate(monkeypatch, clinic.imaging, "encode")
    frame = np.random.default_rng(3).integers(0, 90, (96, 128, 3), dtype=np.uint8)
    model.capture_still(frame, "KNEE", "R", False)
    gate.wait_entered(qtbot)
    # ... while the sonographer opens B, and B's imaging.
    window.screen_by_id("search").view_model.choose_patient(b.id)
    qtbot.waitUntil(lambda: in_banner(window, b.id), timeout=WAIT_MS)
    _open_imaging(qtbot, window)
    qtbot.wait(200)
    notices: list[str] = []
    model.notice.connect(notices.append)
    gate.release()
    settle(qtbot, window)

    # Kept for A, where it was captured; nothing of it on B's screen, and it says so.
    (study,) = clinic.imaging.studies(user, a.id)
    assert len(study.instances) == 1
    assert clinic.imaging.studies(user, b.id) == []
    assert in_banner(window, b.id)
    assert window.showing(screen)
    assert view.capture_panel.strip.count() == 0
    assert view.studies.topLevelItemCount() == 0
    assert model.shown is None
    assert any("kept in that patient's record" in text for text in notices)
