"""The image viewer: first frame at once, cine at the stored timing, view tools, safe measuring.

Images are built here as the app and scanners make them: Secondary Capture stills and
Multi-frame True Color clips from ``capture`` (uncalibrated, JPEG-LS), US images with
ultrasound regions, and an image calibrated by Pixel Spacing.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import SecondaryCaptureImageStorage
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QInputDialog, QWidget
from pytestqt.qtbot import QtBot

from clinic_app.domains.imaging.dicom.capture import CaptureContext, clip, new_uid, still
from clinic_app.domains.imaging.dicom.measure import Annotation
from clinic_app.kernel.errors import ValidationError
from tests.support.us_image import ONE_VIEW, TWO_VIEWS_DIFFERENT_SCALE, us_image, us_multiframe
from ui.common import theme
from ui.common.image_viewer import ImageViewer
from ui.common.viewer_overlay import ViewerTool

# Screenshots for a person to look at, only when asked for: ONESTOP_SHOTS=folder pytest ...
SHOTS = Path(os.environ["ONESTOP_SHOTS"]) if os.environ.get("ONESTOP_SHOTS") else None
WAIT_MS = 5000


def _keep(widget: QWidget, name: str) -> None:
    """Save a screenshot for a person to look at, when ONESTOP_SHOTS names a folder."""
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / name))


def _context() -> CaptureContext:
    return CaptureContext(
        nhs_number="9990000018",
        family_name="Viewer",
        given_name="Test",
        birth_date=date(1970, 1, 1),
        sex="O",
        study_uid=new_uid(),
        series_uid=new_uid(),
        body_part="SHOULDER",
        laterality="R",
        operator="OKAFOR^Tom",
        when=datetime(2026, 11, 25, 10, 30, tzinfo=UTC),
    )


def _frames(count: int, rows: int = 120, columns: int = 160) -> np.ndarray:
    """Dark speckle, a bright band that moves down a row per frame, red left edge, blue right."""
    rng = np.random.default_rng(9)
    frames = rng.integers(10, 60, (count, rows, columns, 3), dtype=np.uint8)
    frames[:, :, :8] = (200, 30, 30)
    frames[:, :, -8:] = (30, 30, 200)
    for index in range(count):
        frames[index, 20 + index % 60, 20:140] = 220
    return frames


def _bytes(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _still() -> bytes:
    return _bytes(still(_frames(1)[0], _context()))


def _clip(count: int = 40, frame_time_ms: float = 100.0) -> bytes:
    return _bytes(clip(_frames(count), frame_time_ms, _context()))


def _pixel_spacing_image() -> bytes:
    """An uncompressed monochrome image of 0.2 mm pixels, 12 bits, with a window."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.SOPInstanceUID = new_uid()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ramp = np.tile(np.linspace(0, 4000, 200, dtype=np.uint16), (150, 1))
    ds.set_pixel_data(ramp, "MONOCHROME2", 12)
    ds.PixelSpacing = [0.2, 0.2]
    ds.WindowCenter = 2000
    ds.WindowWidth = 4000
    return _bytes(ds)


@pytest.fixture
def viewer(qtbot: QtBot) -> Iterator[ImageViewer]:
    theme.apply_theme(QApplication.instance())  # type: ignore[arg-type]
    widget = ImageViewer()
    qtbot.addWidget(widget)
    widget.resize(820, 640)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close_source()


def _open(qtbot: QtBot, viewer: ImageViewer, data: bytes) -> None:
    with qtbot.waitSignal(viewer.frame_shown, timeout=WAIT_MS):
        viewer.show_object(data)


def _drag(
    widget: QWidget,
    start: QPointF,
    end: QPointF,
    button: Qt.MouseButton = Qt.MouseButton.LeftButton,
) -> None:
    """Press, move in a few steps and release, as a hand on a mouse does."""

    def send(kind: QEvent.Type, at: QPointF, pressed: Qt.MouseButton) -> None:
        changed = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else button
        event = QMouseEvent(
            kind, at, widget.mapToGlobal(at), changed, pressed, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(widget, event)

    send(QEvent.Type.MouseButtonPress, start, button)
    for step in range(1, 6):
        send(QEvent.Type.MouseMove, start + (end - start) * (step / 5), button)
    send(QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


def _canvas_colour(viewer: ImageViewer, point: tuple[float, float]) -> QColor:
    image: QImage = viewer.canvas.grab().toImage()
    at = viewer.canvas.to_canvas(point)
    ratio = image.devicePixelRatio()
    return image.pixelColor(QPoint(round(at.x() * ratio), round(at.y() * ratio)))


# ---------------------------------------------------------------- first frame and cine


def test_the_first_frame_is_painted_at_once_with_its_words(
    qtbot: QtBot, viewer: ImageViewer
) -> None:
    _open(qtbot, viewer, _clip(40, 100.0))
    assert viewer.current_frame_index() == 0
    assert viewer.frame_text() == "Frame 1 of 40 · 10 fps"
    assert viewer.calibration_text() == "Uncalibrated: distances in pixels only"
    left = _canvas_colour(viewer, (3, 60))
    right = _canvas_colour(viewer, (156, 60))
    assert left.red() > 150 > left.blue()  # the red edge of frame 0, where it should be
    assert right.blue() > 150 > right.red()
    assert viewer.controls.play_button.isVisible()


def test_a_still_has_no_playback(qtbot: QtBot, viewer: ImageViewer) -> None:
    _open(qtbot, viewer, _still())
    assert viewer.frame_text() == "Still image"
    assert not viewer.controls.play_button.isVisible()
    viewer.play()
    assert not viewer.is_playing()


def test_a_clip_plays_at_its_stored_timing_and_pauses(qtbot: QtBot, viewer: ImageViewer) -> None:
    _open(qtbot, viewer, _clip(40, 100.0))
    with qtbot.waitSignal(viewer.playing_changed, timeout=WAIT_MS):
        qtbot.keyClick(viewer.canvas, Qt.Key.Key_Space)
    qtbot.wait(500)
    # 10 frames per second for half a second: about frame 5, whatever the timer's beat.
    assert 3 <= viewer.current_frame_index() <= 7
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Space)
    assert not viewer.is_playing()
    paused_at = viewer.current_frame_index()
    qtbot.wait(300)
    assert viewer.current_frame_index() == paused_at
    assert viewer.frame_text().startswith(f"Frame {paused_at + 1} of 40")


def test_a_clip_loops_and_the_clock_is_not_slowed(qtbot: QtBot, viewer: ImageViewer) -> None:
    _open(qtbot, viewer, _clip(10, 50.0))
    viewer.set_frame(8)
    viewer.play()
    qtbot.wait(400)  # 8 frames at 20 fps: from frame 8 round to about frame 6
    viewer.pause()
    assert viewer.current_frame_index() in {4, 5, 6, 7}


def test_keys_step_through_frames_and_the_slider_follows(qtbot: QtBot, viewer: ImageViewer) -> None:
    _open(qtbot, viewer, _clip(12, 100.0))
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Right)
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Right)
    assert viewer.current_frame_index() == 2
    assert viewer.controls.slider.value() == 2
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Left)
    assert viewer.current_frame_index() == 1
    viewer.controls.slider.setValue(9)
    assert viewer.current_frame_index() == 9
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Home)
    assert viewer.current_frame_index() == 0


def test_every_tool_says_what_it_does_and_its_key(viewer: ImageViewer) -> None:
    controls = viewer.controls
    buttons = [*controls.tool_buttons.values(), *controls.view_buttons(), controls.play_button]
    for button in buttons:
        assert button.accessibleName()
        assert re.search(r"\(.+\)$", button.text())  # the key, e.g. "Measure (M)"
    assert viewer.canvas.accessibleName() == "Image"
    assert viewer.canvas.focusPolicy() == Qt.FocusPolicy.StrongFocus
    assert not controls.delete_button.isEnabled()  # nothing to remove yet


# ---------------------------------------------------------------- zoom, pan, window


def test_zoom_pan_and_window_change_the_view_and_reset_restores_it(
    qtbot: QtBot, viewer: ImageViewer
) -> None:
    _open(qtbot, viewer, _still())
    fitted_zoom, fitted_offset = viewer.zoom(), viewer.pan_offset()
    start_window = viewer.window_level()
    assert start_window == (127.5, 255.0)
    before = viewer.canvas.grab().toImage()

    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Plus)
    assert viewer.zoom() == pytest.approx(fitted_zoom * 1.25)

    # The wheel zooms about the cursor: the image point under it stays put.
    cursor = QPointF(200, 150)
    under = viewer.canvas.to_image(cursor)
    wheel = QWheelEvent(
        cursor,
        viewer.canvas.mapToGlobal(cursor),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewer.canvas, wheel)
    assert viewer.zoom() == pytest.approx(fitted_zoom * 1.25**2)
    assert viewer.canvas.to_image(cursor) == pytest.approx(under)

    qtbot.keyClick(viewer.canvas, Qt.Key.Key_P)
    assert viewer.tool() is ViewerTool.PAN
    offset = viewer.pan_offset()
    _drag(viewer.canvas, QPointF(300, 300), QPointF(340, 280))
    assert viewer.pan_offset() == pytest.approx((offset[0] + 40, offset[1] - 20))
    # The middle button pans whatever the tool.
    viewer.set_tool(ViewerTool.MEASURE)
    _drag(viewer.canvas, QPointF(300, 300), QPointF(290, 300), Qt.MouseButton.MiddleButton)
    assert viewer.pan_offset() == pytest.approx((offset[0] + 30, offset[1] - 20))
    assert viewer.annotations() == []  # panning is not measuring

    qtbot.keyClick(viewer.canvas, Qt.Key.Key_W)
    _drag(viewer.canvas, QPointF(300, 300), QPointF(400, 250))
    centre, width = viewer.window_level() or (0.0, 0.0)
    assert width > start_window[1]  # dragged right: wider, less contrast
    assert centre < start_window[0]  # dragged up: brighter
    assert viewer.canvas.grab().toImage() != before

    qtbot.keyClick(viewer.canvas, Qt.Key.Key_R)
    assert viewer.zoom() == pytest.approx(fitted_zoom)
    assert viewer.pan_offset() == pytest.approx(fitted_offset)
    assert viewer.window_level() == start_window
    assert viewer.canvas.grab().toImage() == before


def test_a_monochrome_image_starts_at_the_files_window(qtbot: QtBot, viewer: ImageViewer) -> None:
    _open(qtbot, viewer, _pixel_spacing_image())
    assert viewer.window_level() == (2000.0, 4000.0)
    dark = _canvas_colour(viewer, (2, 75)).value()
    bright = _canvas_colour(viewer, (197, 75)).value()
    assert dark < 20
    assert bright > 230
    viewer.set_window(500, 200)  # a narrow window low down: most of the ramp goes white
    assert _canvas_colour(viewer, (100, 75)).value() > 240


# ---------------------------------------------------------------- measuring


def test_a_distance_on_a_calibrated_ultrasound_image_is_in_mm(
    qtbot: QtBot, viewer: ImageViewer
) -> None:
    _open(qtbot, viewer, _bytes(us_image(regions=ONE_VIEW)))
    assert viewer.calibration_text() == "Calibrated (ultrasound regions)"
    measurement = viewer.measure_between((60.0, 100.0), (160.0, 100.0))
    assert measurement is not None
    assert measurement.status == "mm"
    assert viewer.measurement_text() == "10.0 mm"  # 100 pixels at 0.1 mm
    assert viewer.refusal_text() == ""
    assert [mark.kind for mark in viewer.annotations()] == ["distance"]
    assert viewer.canvas.shown_marks()[0].label == "10.0 mm"


def test_a_distance_drawn_with_the_mouse_is_measured(qtbot: QtBot, viewer: ImageViewer) -> None:
    _open(qtbot, viewer, _bytes(us_image(regions=ONE_VIEW)))
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_M)
    start = viewer.canvas.to_canvas((80.0, 60.0))
    end = viewer.canvas.to_canvas((80.0, 180.0))
    with qtbot.waitSignal(viewer.annotations_changed, timeout=WAIT_MS):
        _drag(viewer.canvas, start, end)
    assert re.fullmatch(r"1[12]\.\d mm", viewer.measurement_text())  # about 120 pixels


def test_pixel_spacing_calibrates_the_whole_image(qtbot: QtBot, viewer: ImageViewer) -> None:
    _open(qtbot, viewer, _pixel_spacing_image())
    assert viewer.calibration_text() == "Calibrated (pixel spacing)"
    viewer.measure_between((10.0, 10.0), (40.0, 50.0))
    assert viewer.measurement_text() == "10.0 mm"  # 50 pixels at 0.2 mm


def test_a_grabbed_image_gives_pixels_marked_uncalibrated_never_mm(
    qtbot: QtBot, viewer: ImageViewer
) -> None:
    _open(qtbot, viewer, _still())
    viewer.measure_between((10.0, 10.0), (40.0, 50.0))
    assert viewer.measurement_text() == "50 pixels (uncalibrated)"
    assert "mm" not in viewer.measurement_text()
    assert "mm" not in viewer.canvas.shown_marks()[0].label


def test_a_line_across_two_views_of_different_scale_is_refused(
    qtbot: QtBot, viewer: ImageViewer
) -> None:
    _open(qtbot, viewer, _bytes(us_image(regions=TWO_VIEWS_DIFFERENT_SCALE)))
    viewer.measure_between((60.0, 100.0), (120.0, 100.0))
    assert viewer.measurement_text() == "6.0 mm"
    measurement = viewer.measure_between((100.0, 100.0), (220.0, 100.0))
    assert measurement is not None
    assert measurement.status == "different_scale"
    assert viewer.measurement_text() == ""
    refusal = viewer.refusal_text()
    assert "different scales" in refusal
    assert not re.search(r"\d", refusal)  # no number at all, not even a pixel count
    assert viewer.controls.refusal_label.isVisible()
    assert not viewer.controls.measurement_label.isVisible()
    assert len(viewer.annotations()) == 1  # the refused line is not kept as a mark
    _keep(viewer, "viewer-refused.png")


# ---------------------------------------------------------------- marks


def test_marks_are_drawn_over_the_frame_never_into_it(qtbot: QtBot, viewer: ImageViewer) -> None:
    _open(qtbot, viewer, _clip(6, 100.0))
    source = viewer.source
    assert source is not None
    pixels_before = np.array(source.frame(0), copy=True)

    qtbot.keyClick(viewer.canvas, Qt.Key.Key_A)
    _drag(viewer.canvas, viewer.canvas.to_canvas((30, 90)), viewer.canvas.to_canvas((80, 60)))
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_T)
    qtbot.mouseClick(
        viewer.canvas, Qt.MouseButton.LeftButton, pos=viewer.canvas.to_canvas((90, 30)).toPoint()
    )
    dialog = viewer.findChild(QInputDialog, "viewerLabelDialog")
    assert dialog is not None
    dialog.setTextValue("Supraspinatus tear")
    with qtbot.waitSignal(viewer.annotations_changed, timeout=WAIT_MS):
        dialog.accept()
    viewer.measure_between((20.0, 110.0), (140.0, 110.0))

    kinds = [(mark.kind, mark.frame) for mark in viewer.annotations()]
    assert kinds == [("arrow", 0), ("text", 0), ("distance", 0)]
    assert viewer.annotations()[1].text == "Supraspinatus tear"
    assert np.array_equal(source.frame(0), pixels_before)  # the image itself is untouched
    on_arrow = _canvas_colour(viewer, (55.0, 75.0))  # yellow (anti-aliased) over dark speckle
    assert (on_arrow.red() > 150, on_arrow.green() > 100, on_arrow.blue() < 80) == (True,) * 3
    _keep(viewer, "viewer-marks.png")

    # Marks belong to their frame.
    viewer.set_frame(1)
    assert viewer.canvas.shown_marks() == []
    viewer.measure_between((20.0, 20.0), (60.0, 20.0))
    assert viewer.annotations()[-1].frame == 1
    viewer.set_frame(0)
    assert len(viewer.canvas.shown_marks()) == 3

    # Delete takes the newest mark of this frame, or the one picked by clicking on it.
    with qtbot.waitSignal(viewer.annotations_changed, timeout=WAIT_MS):
        qtbot.keyClick(viewer.canvas, Qt.Key.Key_Delete)
    assert [mark.kind for mark in viewer.annotations()] == ["arrow", "text", "distance"]
    assert viewer.annotations()[-1].frame == 1
    viewer.set_tool(ViewerTool.MEASURE)
    qtbot.mouseClick(
        viewer.canvas, Qt.MouseButton.LeftButton, pos=viewer.canvas.to_canvas((45, 82)).toPoint()
    )
    selected = viewer.selected_annotation()
    assert selected is not None
    assert selected.kind == "arrow"
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Delete)
    assert [mark.kind for mark in viewer.annotations()] == ["text", "distance"]


def test_marks_set_from_storage_come_back_unchanged(qtbot: QtBot, viewer: ImageViewer) -> None:
    _open(qtbot, viewer, _clip(4, 100.0))
    marks = [
        Annotation("distance", 0, ((10.0, 10.0), (50.0, 40.0))),
        Annotation("arrow", 2, ((5.5, 6.5), (30.25, 20.0))),
        Annotation("text", 3, ((70.0, 15.0),), "Effusion"),
    ]
    stored = [Annotation.from_json(mark.to_json()) for mark in marks]
    with qtbot.assertNotEmitted(viewer.annotations_changed):
        viewer.set_annotations(stored)
    assert viewer.annotations() == marks
    assert [shown.annotation for shown in viewer.canvas.shown_marks()] == marks[:1]
    viewer.set_frame(3)
    assert [shown.annotation for shown in viewer.canvas.shown_marks()] == marks[2:]


# ---------------------------------------------------------------- the object


def test_an_unreadable_object_is_refused_and_the_image_on_screen_stays(
    qtbot: QtBot, viewer: ImageViewer
) -> None:
    _open(qtbot, viewer, _still())
    with pytest.raises(ValidationError) as refused:
        viewer.show_object(b"not a dicom file")
    assert refused.value.code == "dicom.unreadable"
    assert viewer.source is not None
    assert viewer.frame_text() == "Still image"


def test_a_second_object_replaces_the_first_and_decodes_in_the_background(
    qtbot: QtBot, viewer: ImageViewer
) -> None:
    _open(qtbot, viewer, _clip(12, 100.0))
    viewer.measure_between((10.0, 10.0), (20.0, 20.0))
    first = viewer.source
    _open(qtbot, viewer, _clip(20, 50.0))  # painted and announced, though also at frame 0
    second = viewer.source
    assert first is not None
    assert second is not None
    assert second is not first
    assert not first.prefetching
    assert viewer.annotations() == []
    assert viewer.frame_text() == "Frame 1 of 20 · 20 fps"
    assert second.wait_prefetched(WAIT_MS / 1000)


def test_closing_the_source_stops_decoding_and_clear_empties_the_viewer(
    qtbot: QtBot, viewer: ImageViewer
) -> None:
    _open(qtbot, viewer, _clip(30, 40.0))
    viewer.play()
    source = viewer.source
    assert source is not None
    qtbot.waitUntil(lambda: source.prefetching or source.cached_count == 30, timeout=WAIT_MS)
    viewer.close_source()
    assert not viewer.is_playing()
    assert not source.prefetching
    assert viewer.canvas.has_image()  # the last frame stays on screen as a picture
    viewer.clear()
    assert not viewer.canvas.has_image()
    assert viewer.annotations() == []
    assert viewer.calibration_text() == ""


def test_a_scanner_clip_plays_and_is_calibrated(qtbot: QtBot, viewer: ImageViewer) -> None:
    data = _bytes(us_multiframe(regions=ONE_VIEW, frames=8, frame_time_ms=40.0, jpeg_ls=True))
    _open(qtbot, viewer, data)
    assert viewer.frame_text() == "Frame 1 of 8 · 25 fps"
    viewer.play()
    qtbot.waitUntil(lambda: viewer.current_frame_index() >= 3, timeout=WAIT_MS)
    viewer.pause()
    viewer.measure_between((60.0, 100.0), (160.0, 100.0))
    viewer.add_arrow((200.0, 60.0), (170.0, 95.0))
    viewer.add_text((180.0, 40.0), "Tendon")
    _keep(viewer, "viewer-scanner-clip.png")
    assert viewer.measurement_text() == "10.0 mm"
