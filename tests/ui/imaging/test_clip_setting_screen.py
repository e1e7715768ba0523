"""The service lead chooses how clips are kept, on the DICOM and PACS settings screen."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.kernel.uow import SYSTEM
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from ui.app import SCREEN_SIZE, MainWindow
from ui.domains.imaging.dicom_settings.view import DicomSettingsView

#: A 1366x768 screen less the title bar, menu and status bar.
FITS = (1366, 700)


def _shot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("ONESTOP_SHOTS")
    if folder:
        QApplication.processEvents()
        widget.grab().save(str(Path(folder) / name))


def _open(qtbot: QtBot, window: MainWindow) -> DicomSettingsView:
    window.action("dicom_settings").trigger()
    view = window.screen_by_id("dicom_settings").view
    assert isinstance(view, DicomSettingsView)
    qtbot.waitUntil(lambda: view.ae_title.text() != "", timeout=WAIT_MS)
    return view


def test_the_service_lead_makes_clips_smaller_and_every_device_is_told(
    qtbot: QtBot, clinic: Services, window: MainWindow
) -> None:
    sign_in(qtbot, window, "admin")
    view = _open(qtbot, window)
    # Lossless until the service decides otherwise; the quality means nothing until then.
    assert view.clip_compression.currentText() == "Exactly (lossless)"
    assert not view.clip_quality.isEnabled()
    assert "Stills are always kept exactly." in view.clip_compression.toolTip()

    view.clip_compression.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(view.clip_compression, Qt.Key.Key_Down)
    assert view.clip_compression.currentText() == "Smaller (lossy JPEG)"
    assert view.clip_quality.isEnabled()
    view.clip_quality.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(view.clip_quality, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.clip_quality, "85")
    with qtbot.waitSignal(window.screen_by_id("dicom_settings").view_model.saved, timeout=WAIT_MS):
        view.save_button.click()
    wait_idle(window)
    settings = clinic.dicom_settings.current(SYSTEM)
    assert (settings.clip_compression, settings.clip_quality) == ("lossy", 85)
    assert not view.errors["clip_quality"].isVisible()

    window.resize(*SCREEN_SIZE)
    QApplication.processEvents()
    _shot(window, "32-dicom-settings-clips.png")
    hint = window.minimumSizeHint()
    assert hint.width() <= FITS[0]
    assert hint.height() <= FITS[1]

    # Back to lossless: the quality is kept for next time but greyed out.
    qtbot.keyClick(view.clip_compression, Qt.Key.Key_Up)
    assert not view.clip_quality.isEnabled()
    with qtbot.waitSignal(window.screen_by_id("dicom_settings").view_model.saved, timeout=WAIT_MS):
        view.save_button.click()
    wait_idle(window)
    assert clinic.dicom_settings.current(SYSTEM).clip_compression == "lossless"


def test_a_clinician_sees_how_clips_are_kept_but_cannot_change_it(
    qtbot: QtBot, signed_in: MainWindow
) -> None:
    view = _open(qtbot, signed_in)
    assert not view.clip_compression.isEnabled()
    assert not view.clip_quality.isEnabled()
    wait_idle(signed_in)
