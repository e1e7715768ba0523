"""A viewer for ultrasound stills and clips: cine at stored timing, zoom, window, measure, mark.

The first frame is on screen as soon as it is decoded; the rest of a clip is decoded in the
background (see :mod:`clinic_app.domains.imaging.dicom.frames`). A clip plays against the clock
at the frame timing stored in the file: when decoding falls behind, frames are skipped rather
than the clip slowed, so what a clinician sees moves at the speed it was scanned. Distances are
given in mm only where the image says how big its pixels are, and never across two parts of the
image.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from clinic_app.domains.imaging.dicom.frames import FrameSource
from clinic_app.domains.imaging.dicom.measure import MAX_ANNOTATION_TEXT, Annotation, Measurement
from clinic_app.kernel.errors import ValidationError
from ui.common.viewer_controls import ViewerControls, measurement_words, refusal_words
from ui.common.viewer_overlay import (
    IDENTITY_WINDOW,
    ZOOM_STEP,
    ImageCanvas,
    ImagePoint,
    ShownMark,
    ViewerTool,
)

#: A clip that does not say how fast it was recorded plays at 25 frames per second.
DEFAULT_FRAME_TIME_MS = 40.0
#: How far ahead of the clock, at most, the decoding thread is sent while playing.
_MAX_LEAD_FRAMES = 8

_TOOL_KEYS = {
    Qt.Key.Key_P: ViewerTool.PAN,
    Qt.Key.Key_M: ViewerTool.MEASURE,
    Qt.Key.Key_W: ViewerTool.WINDOW,
    Qt.Key.Key_A: ViewerTool.ARROW,
    Qt.Key.Key_T: ViewerTool.TEXT,
}
_NOT_SHORTCUT_KEYS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ImageViewer", text)


class ImageViewer(QWidget):
    """Shows one DICOM image or clip, plays it, and lets a clinician measure and mark it.

    Signals:
        annotations_changed: a person added or removed a mark (not :meth:`set_annotations`).
        frame_changed(int): another frame is now the current one.
        frame_shown(int): a frame has been painted on screen.
        playing_changed(bool): playback started or stopped.
    """

    annotations_changed = Signal()
    frame_changed = Signal(int)
    frame_shown = Signal(int)
    playing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self._source: FrameSource | None = None
        self._index = 0
        self._pixels: np.ndarray | None = None
        self._window: tuple[float, float] | None = None
        self._default_window: tuple[float, float] | None = None
        self._annotations: list[Annotation] = []
        self._selected: int | None = None
        self._measurement_text = ""
        self._refusal_text = ""
        self._playing = False
        self._clock_start = 0.0
        self._clock_frame = 0
        self._prefetch_due = False

        self.canvas = ImageCanvas(self)
        self.canvas.set_draft_label(self._distance_label)
        self.controls = ViewerControls(self, self.canvas)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._wire()
        self._refresh_marks()
        self._show_state()

    def _wire(self) -> None:
        controls = self.controls
        for tool, button in controls.tool_buttons.items():
            button.toggled.connect(partial(self._on_tool_button_toggled, tool))
        controls.zoom_in_button.clicked.connect(self.zoom_in)
        controls.zoom_out_button.clicked.connect(self.zoom_out)
        controls.fit_button.clicked.connect(self.fit)
        controls.reset_button.clicked.connect(self.reset_view)
        controls.delete_button.clicked.connect(self.delete_annotation)
        controls.play_button.clicked.connect(self.toggle_playback)
        controls.slider.valueChanged.connect(self._on_slider_value_changed)
        self.canvas.line_drawn.connect(self._on_canvas_line_drawn)
        self.canvas.clicked.connect(self._on_canvas_clicked)
        self.canvas.window_dragged.connect(self._on_canvas_window_dragged)
        self.canvas.view_changed.connect(self._show_view)
        self.canvas.frame_painted.connect(self._on_canvas_frame_painted)

    def sizeHint(self) -> QSize:
        return QSize(760, 640)

    def hideEvent(self, event: QHideEvent) -> None:
        # A clip nobody can see should not keep painting frames.
        self.pause()
        super().hideEvent(event)

    def _on_tool_button_toggled(self, tool: ViewerTool, checked: bool) -> None:
        if checked:
            self.set_tool(tool)

    # ------------------------------------------------------------------ the object

    @property
    def source(self) -> FrameSource | None:
        """The open image's frames (None when nothing is open)."""
        return self._source

    def show_object(self, data: bytes) -> None:
        """Open a stored DICOM image or clip and show its first frame at once.

        The other frames are decoded in the background once the first is painted. Marks of
        the previous image are dropped; give this image's marks with :meth:`set_annotations`.

        Raises:
            ValidationError: ``dicom.unreadable`` when the object cannot be shown; the viewer
                then keeps what it was showing.
        """
        source = FrameSource.open(data)
        self.close_source()
        self._source = source
        self._index = 0
        self._annotations = []
        self._selected = None
        self._set_result("", "")
        self._default_window = self._window = self._starting_window(source)
        self._prefetch_due = source.count > 1
        self.canvas.show_refused(None)
        self._present(0)
        self.canvas.fit()
        self._show_state()

    def close_source(self) -> None:
        """Stop playing and decoding and let go of the decoded frames.

        The frame on screen stays, as a picture, with its marks; it cannot be played on.
        """
        self.pause()
        source, self._source = self._source, None
        if source is None:
            return
        source.close()
        # The picture stays in memory of its own, so the decoded clip itself can be let go.
        self.canvas.detach()
        self._pixels = None
        self._prefetch_due = False
        self._show_state()

    def clear(self) -> None:
        """Show nothing: close the image and forget its marks."""
        self.close_source()
        self._annotations = []
        self._selected = None
        self._window = self._default_window = None
        self._set_result("", "")
        self.canvas.show_refused(None)
        self.canvas.show_frame(None, None, 0)
        self._refresh_marks()
        self._show_state()

    def _starting_window(self, source: FrameSource) -> tuple[float, float]:
        if source.is_colour:
            return IDENTITY_WINDOW
        if source.window is not None:
            return source.window
        first = source.frame(0)
        if first.dtype == np.uint8:
            return IDENTITY_WINDOW
        low, high = float(first.min()), float(first.max())
        return (low + high) / 2, max(high - low, 1.0)

    # ------------------------------------------------------------------ frames

    def current_frame_index(self) -> int:
        """The 0-based index of the frame on screen."""
        return self._index

    def frame_count(self) -> int:
        """How many frames the open image has (0 when none is open)."""
        return 0 if self._source is None else self._source.count

    def frame_time_ms(self) -> float | None:
        """The time between frames used for playback (None for a still or nothing open)."""
        if self._source is None or self._source.count < 2:
            return None
        return self._source.frame_time_ms or DEFAULT_FRAME_TIME_MS

    def set_frame(self, index: int) -> None:
        """Show frame ``index`` (wrapped into range); while playing, play on from there."""
        if self._source is None:
            return
        index %= self._source.count
        if self._playing:
            self._anchor_clock(index)
        if index != self._index:
            self._present(index)

    def step(self, frames: int) -> None:
        """Pause, and show the frame ``frames`` on (negative: back)."""
        self.pause()
        self.set_frame(self._index + frames)

    def _present(self, index: int, *, move_playhead: bool = True) -> None:
        source = self._source
        if source is None:
            return
        try:
            pixels = source.frame(index, move_playhead=move_playhead)
        except ValidationError:
            self.pause()
            message = _tr("Frame {number} could not be read from the stored image.")
            self._set_result("", message.format(number=index + 1))
            return
        self._index = index
        self._pixels = pixels
        self._refresh_marks()  # first, so the frame and its marks are painted together
        self.canvas.show_frame(pixels, self._window, index, now=self._playing)
        self._show_position()
        self.frame_changed.emit(index)

    def _redraw(self) -> None:
        if self._pixels is not None:
            self.canvas.show_frame(self._pixels, self._window, self._index)

    # ------------------------------------------------------------------ playback

    def is_playing(self) -> bool:
        return self._playing

    def play(self) -> None:
        """Play the clip from the current frame, looping, at its stored frame timing."""
        if self._playing or self._source is None or self._source.count < 2:
            return
        self._playing = True
        self._start_prefetch()
        self._anchor_clock(self._index)
        self._schedule_tick()
        self.controls.show_playing(True)
        self.playing_changed.emit(True)

    def pause(self) -> None:
        """Stop on the frame on screen."""
        if not self._playing:
            return
        self._playing = False
        self._timer.stop()
        self.controls.show_playing(False)
        self.playing_changed.emit(False)

    def toggle_playback(self) -> None:
        if self._playing:
            self.pause()
        else:
            self.play()

    def _anchor_clock(self, index: int) -> None:
        self._clock_start = time.monotonic()
        self._clock_frame = index

    def _elapsed_ms(self) -> float:
        return (time.monotonic() - self._clock_start) * 1000.0

    def _schedule_tick(self) -> None:
        frame_time = self.frame_time_ms() or DEFAULT_FRAME_TIME_MS
        # Woken at the next frame boundary rather than on a fixed beat.
        wait = frame_time - self._elapsed_ms() % frame_time
        self._timer.start(max(1, math.ceil(wait)))

    def _on_timer_timeout(self) -> None:
        if not self._playing or self._source is None:
            return
        frame_time = self.frame_time_ms() or DEFAULT_FRAME_TIME_MS
        # The frame is chosen by the clock, not counted: a slow decode skips frames.
        steps = int(self._elapsed_ms() // frame_time)
        target = (self._clock_frame + steps) % self._source.count
        if target != self._index:
            # Never wait for a decode while playing: show the newest frame that is ready
            # up to the one due, and send the decoding thread to the frame that will be due
            # by the time it is decoded, so that it is ready when the clock gets there.
            decode_ms = self._source.decode_ms or frame_time
            lead = min(math.ceil(decode_ms / frame_time), _MAX_LEAD_FRAMES)
            self._source.set_playhead(target + lead)
            ready = self._source.latest_cached(self._index + 1, target)
            if ready is not None:
                self._present(ready, move_playhead=False)
        if self._playing:
            self._schedule_tick()

    def _start_prefetch(self) -> None:
        self._prefetch_due = False
        if self._source is not None:
            self._source.prefetch()

    def _on_canvas_frame_painted(self, index: int) -> None:
        self.frame_shown.emit(index)
        if self._prefetch_due:
            # After this paint, not during it: decoding competes with the UI thread, and the
            # first frame should not wait for it.
            self._prefetch_due = False
            QTimer.singleShot(0, self._start_prefetch)

    def _on_slider_value_changed(self, value: int) -> None:
        if value != self._index:
            self.set_frame(value)

    # ------------------------------------------------------------------ view

    def zoom(self) -> float:
        """Screen pixels per image pixel."""
        return self.canvas.scale

    def pan_offset(self) -> tuple[float, float]:
        """Where the image's top-left corner is on the canvas, in screen pixels."""
        offset = self.canvas.offset
        return offset.x(), offset.y()

    def zoom_in(self) -> None:
        self.canvas.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.canvas.zoom_by(1 / ZOOM_STEP)

    def fit(self) -> None:
        self.canvas.fit()

    def window_level(self) -> tuple[float, float] | None:
        """The display window as (centre, width) in the frame's values; None with no image."""
        return self._window

    def set_window(self, centre: float, width: float) -> None:
        """Change brightness (centre) and contrast (width) of the displayed frames."""
        if self._source is None:
            return
        self._window = (centre, max(width, 1.0))
        self._redraw()
        self._show_view()

    def reset_view(self) -> None:
        """Fit the image and return to its starting window."""
        self.canvas.fit()
        if self._default_window is not None and self._window != self._default_window:
            self._window = self._default_window
            self._redraw()
        self._show_view()

    def _on_canvas_window_dragged(self, dx: float, dy: float) -> None:
        if self._window is None or self._default_window is None:
            return
        # One screen pixel moves the window by 1/256 of its starting width, so a drag across
        # the image spans the useful range whatever the bit depth.
        step = max(self._default_window[1], 1.0) / 256.0
        centre, width = self._window
        # Dragging up brightens (lowers the centre); dragging right widens (less contrast).
        self.set_window(centre + dy * step, width + dx * step)

    # ------------------------------------------------------------------ tools and keys

    def tool(self) -> ViewerTool:
        return self.canvas.tool

    def set_tool(self, tool: ViewerTool) -> None:
        """Choose what a left-button drag on the image does."""
        self.canvas.tool = tool
        button = self.controls.tool_buttons[tool]
        if not button.isChecked():
            button.setChecked(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Keys reach here from the image and from buttons that do not use them.
        key = Qt.Key(event.key())
        action = None if event.modifiers() & _NOT_SHORTCUT_KEYS else self._key_actions().get(key)
        if action is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()

    def _key_actions(self) -> dict[Qt.Key, Callable[[], object]]:
        actions: dict[Qt.Key, Callable[[], object]] = {
            Qt.Key.Key_Space: self.toggle_playback,
            Qt.Key.Key_Plus: self.zoom_in,
            Qt.Key.Key_Equal: self.zoom_in,
            Qt.Key.Key_Minus: self.zoom_out,
            Qt.Key.Key_Underscore: self.zoom_out,
            Qt.Key.Key_F: self.fit,
            Qt.Key.Key_R: self.reset_view,
            Qt.Key.Key_Delete: self.delete_annotation,
            Qt.Key.Key_Backspace: self.delete_annotation,
            Qt.Key.Key_Left: lambda: self.step(-1),
            Qt.Key.Key_Right: lambda: self.step(1),
            Qt.Key.Key_Home: lambda: self.set_frame(0),
            Qt.Key.Key_End: lambda: self.set_frame(self.frame_count() - 1),
        }
        for key, tool in _TOOL_KEYS.items():
            actions[key] = partial(self.set_tool, tool)
        return actions

    # ------------------------------------------------------------------ measuring

    def measure_between(self, start: ImagePoint, end: ImagePoint) -> Measurement | None:
        """Measure a line between two image points, as if drawn with the measure tool.

        A measurable line (mm, or pixels on an uncalibrated image) is kept as a distance
        mark on the current frame; one that cannot be measured is shown dashed, with the
        reason in words and no number. Returns None with no image open.
        """
        if self._source is None:
            return None
        measurement = self._source.calibration.measure(start, end)
        words = measurement_words(measurement)
        if words:
            self.canvas.show_refused(None)
            self._set_result(words, "")
            self._add(Annotation("distance", self._index, (start, end)))
        else:
            self.canvas.show_refused((start, end))
            self._set_result("", refusal_words(measurement.status))
        return measurement

    def measurement_text(self) -> str:
        """The last measured length as shown ("" when none, or when it was refused)."""
        return self._measurement_text

    def refusal_text(self) -> str:
        """Why the last line was not measured, or why a frame cannot be shown ("" if neither)."""
        return self._refusal_text

    def calibration_text(self) -> str:
        """The permanent words about the image's calibration."""
        return self.controls.calibration_label.text()

    def frame_text(self) -> str:
        """The frame counter as shown, e.g. "Frame 12 of 300 · 25 fps"."""
        return self.controls.frame_label.text()

    def _distance_label(self, start: ImagePoint, end: ImagePoint) -> str:
        if self._source is None:
            return ""
        words = measurement_words(self._source.calibration.measure(start, end))
        return words or _tr("no distance")

    def _set_result(self, measurement: str, refusal: str) -> None:
        self._measurement_text = measurement
        self._refusal_text = refusal
        self.controls.show_result(measurement, refusal)
        self._describe()

    def _on_canvas_line_drawn(self, tool: str, start: ImagePoint, end: ImagePoint) -> None:
        if tool == ViewerTool.MEASURE:
            self.measure_between(start, end)
        elif tool == ViewerTool.ARROW:
            self.add_arrow(start, end)

    def _on_canvas_clicked(self, tool: str, point: ImagePoint) -> None:
        picked = self.canvas.mark_at(point)
        if picked is not None or tool != ViewerTool.TEXT:
            self.select_annotation(picked)
        else:
            self.ask_for_text(point)

    def ask_for_text(self, point: ImagePoint) -> QInputDialog:
        """Ask, without blocking, for the words of a label to put at ``point``."""
        dialog = QInputDialog(self)
        dialog.setObjectName("viewerLabelDialog")
        dialog.setWindowTitle(_tr("Add a label"))
        dialog.setLabelText(_tr("Words to show on the image (they are not written into it):"))
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setOkButtonText(_tr("Add label"))
        for edit in dialog.findChildren(QLineEdit):
            edit.setMaxLength(MAX_ANNOTATION_TEXT)
        frame = self._index
        dialog.textValueSelected.connect(lambda text: self.add_text(point, text, frame=frame))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ marks

    def annotations(self) -> list[Annotation]:
        """Every mark on the image, all frames, in the order they were made."""
        return list(self._annotations)

    def set_annotations(self, marks: Sequence[Annotation]) -> None:
        """Replace the marks (for example with those saved for this image)."""
        self._annotations = list(marks)
        self._selected = None
        self._refresh_marks()

    def add_arrow(self, tail: ImagePoint, tip: ImagePoint) -> Annotation:
        """Add an arrow pointing from ``tail`` to ``tip`` on the current frame."""
        mark = Annotation("arrow", self._index, (tail, tip))
        self._add(mark)
        return mark

    def add_text(
        self, point: ImagePoint, text: str, *, frame: int | None = None
    ) -> Annotation | None:
        """Add a text label at ``point`` on ``frame`` (default: this one); None if blank."""
        words = " ".join(text.split())[:MAX_ANNOTATION_TEXT]
        if not words:
            return None
        mark = Annotation("text", self._index if frame is None else frame, (point,), words)
        self._add(mark)
        return mark

    def select_annotation(self, index: int | None) -> None:
        """Select a mark by its place in :meth:`annotations` (None to select none)."""
        valid = index is not None and 0 <= index < len(self._annotations)
        self._selected = index if valid else None
        self._refresh_marks()

    def selected_annotation(self) -> Annotation | None:
        return None if self._selected is None else self._annotations[self._selected]

    def delete_annotation(self) -> bool:
        """Remove the selected mark, or else the newest mark on this frame."""
        index = self._selected
        if index is None:
            on_frame = [i for i, mark in enumerate(self._annotations) if mark.frame == self._index]
            index = on_frame[-1] if on_frame else None
        if index is None:
            return False
        del self._annotations[index]
        self._selected = None
        self._refresh_marks()
        self.annotations_changed.emit()
        return True

    def _add(self, mark: Annotation) -> None:
        self._annotations.append(mark)
        self._selected = None
        self._refresh_marks()
        self.annotations_changed.emit()

    def _refresh_marks(self) -> None:
        shown = [
            ShownMark(
                index,
                mark,
                self._distance_label(mark.points[0], mark.points[1])
                if mark.kind == "distance"
                else "",
            )
            for index, mark in enumerate(self._annotations)
            if mark.frame == self._index
        ]
        self.canvas.set_marks(shown, self._selected)
        self.controls.delete_button.setEnabled(bool(shown))

    # ------------------------------------------------------------------ words on screen

    def _show_state(self) -> None:
        source = self._source
        self.controls.show_state(
            has_image=self.canvas.has_image(), is_clip=source is not None and source.count > 1
        )
        if source is not None:
            self.controls.show_calibration(source.calibration)
        elif not self.canvas.has_image():
            self.controls.show_calibration(None)
        self._show_position()
        self._show_view()

    def _show_position(self) -> None:
        source = self._source
        if source is None:
            if not self.canvas.has_image():
                self.controls.show_position(0, 0, DEFAULT_FRAME_TIME_MS)
            return
        self.controls.show_position(
            self._index,
            source.count,
            source.frame_time_ms or DEFAULT_FRAME_TIME_MS,
            stored=source.frame_time_ms is not None,
        )
        if not self._playing:
            self._describe()

    def _describe(self) -> None:
        """What the image is, for a screen reader: the frame counter and the calibration."""
        parts = [self.frame_text(), self.calibration_text(), self._measurement_text]
        self.canvas.setAccessibleDescription(". ".join(part for part in parts if part))

    def _show_view(self) -> None:
        has_image = self.canvas.has_image()
        self.controls.show_view(self.zoom() if has_image else None, self._window)
