"""A sonographer imports DICOM files the app cannot keep: the notice says the real reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydicom.encaps import encapsulate
from pydicom.uid import MPEG4HP41
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clinic_app.container import Services
from clinic_app.people.views import PatientSummary
from tests.support.us_image import us_multiframe
from tests.ui.conftest import WAIT_MS, sign_in, wait_idle
from ui.app import MainWindow, WindowState
from ui.domains.imaging.images.view import ImagingView


def _open_imaging(qtbot: QtBot, window: MainWindow, patient: PatientSummary) -> ImagingView:
    window.screen_by_id("search").view_model.choose_patient(patient.id)
    qtbot.waitUntil(
        lambda: window.screen_by_id("patient").view_model.record is not None, timeout=WAIT_MS
    )
    wait_idle(window)
    window.action("imaging").trigger()
    qtbot.waitUntil(
        lambda: window.pages.currentWidget() is window.screen_by_id("imaging").page, timeout=WAIT_MS
    )
    wait_idle(window)
    return window.screen_by_id("imaging").view


def _h264_clip(path: Path) -> None:
    ds = us_multiframe(frames=1, colour=False)
    ds.PixelData = encapsulate([b"\x00\x00\x00\x01" + b"\x67" * 63])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = MPEG4HP41
    ds.save_as(path, enforce_file_format=True)


def _cut_short(path: Path) -> None:
    whole = path.parent / "whole.dcm"
    us_multiframe(frames=4, colour=False).save_as(whole, enforce_file_format=True)
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) - 5000])


def _import_refused(qtbot: QtBot, view: ImagingView, chosen: Path) -> None:
    """Import the file for the left knee and wait for the notice that nothing was kept."""
    view.choose_import = lambda: str(chosen)
    panel = view.capture_panel
    panel.body_part.setCurrentIndex(panel.body_part.findData("KNEE"))
    panel.side.setCurrentIndex(panel.side.findData("L"))
    view.import_button.click()
    qtbot.waitUntil(lambda: "nothing was kept" in view.notice.text().lower(), timeout=WAIT_MS)


@pytest.mark.parametrize(
    ("make", "words", "shot"),
    [
        (_h264_clip, ["mpeg-4 avc/h.264", "not damaged"], "import-unsupported-compression.png"),
        (_cut_short, ["cut short"], "import-cut-short.png"),
        (lambda path: path.write_bytes(b""), ["the file is empty"], "import-empty.png"),
    ],
    ids=["h264", "cut short", "empty"],
)
def test_a_refused_dicom_file_says_why_and_nothing_is_kept(  # noqa: PLR0917 - fixtures
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    seeded_patient: PatientSummary,
    tmp_path: Path,
    make: object,
    words: list[str],
    shot: str,
) -> None:
    sign_in(qtbot, window, "sonographer")
    assert window.state is WindowState.WORKING
    view = _open_imaging(qtbot, window, seeded_patient)
    chosen = tmp_path / "from-the-scanner.dcm"
    make(chosen)  # type: ignore[operator]
    _import_refused(qtbot, view, chosen)
    notice = view.notice.text().lower()
    for expected in words:
        assert expected in notice
    assert "something went wrong" not in notice
    if folder := os.environ.get("ONESTOP_SHOTS"):
        QApplication.processEvents()
        window.grab().save(str(Path(folder) / shot))
    user = window.session.user
    assert user is not None
    assert clinic.imaging.studies(user, seeded_patient.id) == []


def test_a_clip_on_a_laptop_without_the_video_add_on_says_to_ask_it(  # noqa: PLR0917 - fixtures
    qtbot: QtBot,
    clinic: Services,
    window: MainWindow,
    seeded_patient: PatientSummary,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from clinic_app.domains.imaging.dicom import video
    from tests.support.clips import bars, encode_clip

    monkeypatch.setattr(video, "worker_command", lambda: None)
    sign_in(qtbot, window, "sonographer")
    view = _open_imaging(qtbot, window, seeded_patient)
    chosen = tmp_path / "from-the-phone.mp4"
    encode_clip(chosen, bars(5))
    _import_refused(qtbot, view, chosen)
    assert "the video add-on is not installed. Ask IT." in view.notice.text()
    user = window.session.user
    assert user is not None
    assert clinic.imaging.studies(user, seeded_patient.id) == []


def test_a_cancelled_clip_import_stops_the_add_on_at_once(
    qtbot: QtBot,
    window: MainWindow,
    seeded_patient: PatientSummary,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys
    import time

    import psutil

    from clinic_app.domains.imaging.dicom import video
    from tests.support.clips import bars, encode_clip
    from ui.common.tasks import Task

    # An add-on that reads the clip and then takes far longer than anyone would wait.
    stuck = "import sys, time; sys.stdin.buffer.read(); time.sleep(120)"
    monkeypatch.setattr(video, "worker_command", lambda: [sys.executable, "-c", stuck])
    sign_in(qtbot, window, "sonographer")
    view = _open_imaging(qtbot, window, seeded_patient)
    chosen = tmp_path / "from-the-phone.mp4"
    encode_clip(chosen, bars(5))
    tasks: list[Task] = []
    run_long = window.runner.run_long
    monkeypatch.setattr(
        window.runner, "run_long", lambda *a, **k: tasks.append(run_long(*a, **k)) or tasks[-1]
    )
    view.choose_import = lambda: str(chosen)
    view.import_button.click()

    def running() -> list[psutil.Process]:
        # Only the add-on started here: other tests in this process leave helpers of their own
        # (a multiprocessing fork server, for one).
        found = []
        for child in psutil.Process().children(recursive=True):
            try:
                if child.status() != psutil.STATUS_ZOMBIE and stuck in child.cmdline():
                    found.append(child)
            except psutil.NoSuchProcess:
                continue
        return found

    qtbot.waitUntil(lambda: bool(running()), timeout=WAIT_MS)
    assert len(tasks) == 1
    # Cancelled, as the runner cancels everything when the app quits: the add-on is stopped.
    started = time.monotonic()
    window.runner.cancel(tasks[0])
    qtbot.waitUntil(lambda: not running(), timeout=5000)
    assert time.monotonic() - started < 5
