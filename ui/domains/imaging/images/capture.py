"""Live video from an ultrasound machine: a frame grabber is a camera to QtMultimedia.

Frames arrive in a ``QVideoSink``; the panel shows the newest one, can freeze on it, grab it
as a still, or record a run of frames as a clip with the timing they arrived at. Without a
device it says so and nothing else changes; tests put frames into the same sink.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoSink,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.common import theme

#: The longest clip kept, and the most memory its frames may take while recording. A clip
#: that reaches either stops by itself and is kept.
MAX_CLIP_SECONDS = 30.0
MAX_CLIP_BYTES = 1_000_000_000


def frame_pixels(image: QImage) -> np.ndarray:
    """An image's pixels as a height x width x 3 RGB array of its own (a copy)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    height, width, stride = rgb.height(), rgb.width(), rgb.bytesPerLine()
    buffer = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


@dataclass(frozen=True)
class RecordedClip:
    """Frames recorded from the video, with the time between them as they arrived."""

    frames: np.ndarray
    frame_time_ms: float
    stopped_at_limit: bool


class VideoCapture(QObject):
    """The newest video frame, a freeze, and recording, whatever the frames come from."""

    #: A new frame is on show (not emitted while frozen).
    frame_changed = Signal()
    #: The camera started or stopped, or no device was found: the words to show.
    source_changed = Signal(str)
    #: Recording stopped by itself at the limit.
    clip_limit_reached = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self._on_sink_frame_changed)
        self._session: QMediaCaptureSession | None = None
        self._camera: QCamera | None = None
        self._latest: QImage | None = None
        self.frozen = False
        self._recording: list[np.ndarray] | None = None
        self._times: list[float] = []
        self._bytes = 0
        self._limit_hit = False

    # ------------------------------------------------------------ the source

    @staticmethod
    def devices() -> list[QCameraDevice]:
        """Video inputs the computer has (a frame grabber shows up as one)."""
        return list(QMediaDevices.videoInputs())

    def open_device(self, device: QCameraDevice) -> None:
        """Show live video from ``device``."""
        self.close_device()
        self._session = QMediaCaptureSession(self)
        self._camera = QCamera(device, self)
        self._camera.errorOccurred.connect(
            lambda _error, text: self.source_changed.emit(
                self.tr("The video input stopped: {reason}").format(reason=text)
            )
        )
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self.sink)
        self._camera.start()
        self.source_changed.emit(self.tr("Live: {name}").format(name=device.description()))

    def close_device(self) -> None:
        """Stop the camera (the last frame stays on show)."""
        if self._camera is not None:
            self._camera.stop()
            self._camera.deleteLater()
            self._camera = None
        if self._session is not None:
            self._session.deleteLater()
            self._session = None

    @property
    def live(self) -> bool:
        """True while a camera is running."""
        return self._camera is not None and self._camera.isActive()

    # ------------------------------------------------------------ frames

    def _on_sink_frame_changed(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        if self._recording is not None:
            self._record(frame)
        if self.frozen:
            return
        image = frame.toImage()
        if image.isNull():
            return
        self._latest = image
        self.frame_changed.emit()

    def latest_image(self) -> QImage | None:
        """The frame on show (the frozen one while frozen)."""
        return self._latest

    def freeze(self, on: bool) -> None:
        """Hold the frame on show (like a scanner's freeze key), or go live again."""
        self.frozen = on
        if not on and self._latest is not None:
            self.frame_changed.emit()

    def still(self) -> np.ndarray | None:
        """The frame on show, as RGB pixels."""
        return None if self._latest is None else frame_pixels(self._latest)

    # ------------------------------------------------------------ clips

    @property
    def recording(self) -> bool:
        """True while frames are being recorded."""
        return self._recording is not None

    def start_clip(self) -> None:
        """Record every frame from now on (recording ignores the freeze)."""
        self._recording = []
        self._times = []
        self._bytes = 0
        self._limit_hit = False

    def _record(self, frame: QVideoFrame) -> None:
        assert self._recording is not None
        image = frame.toImage()
        if image.isNull():
            return
        pixels = frame_pixels(image)
        if self._recording and pixels.shape != self._recording[0].shape:
            return  # the grabber changed resolution mid-clip: keep the clip consistent
        # The frame's own timestamp (microseconds) when the source gives one, else arrival.
        stamp = frame.startTime()
        self._times.append(stamp / 1000.0 if stamp >= 0 else time.monotonic() * 1000.0)
        self._recording.append(pixels)
        self._bytes += pixels.nbytes
        seconds = (self._times[-1] - self._times[0]) / 1000.0
        if self._bytes >= MAX_CLIP_BYTES or seconds >= MAX_CLIP_SECONDS:
            self._limit_hit = True
            self.clip_limit_reached.emit()

    def stop_clip(self) -> RecordedClip | None:
        """Stop recording; the clip, or None when fewer than two frames arrived."""
        frames, times = self._recording, self._times
        self._recording, self._times = None, []
        if not frames or len(frames) < 2:
            return None
        span = times[-1] - times[0]
        frame_time = span / (len(frames) - 1) if span > 0 else 1000.0 / 25
        return RecordedClip(np.stack(frames), frame_time, self._limit_hit)


class LiveView(QWidget):
    """Paints the capture's frame on show, scaled to fit, with a FROZEN mark when frozen."""

    def __init__(self, capture: VideoCapture, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._capture = capture
        self.placeholder = ""
        self.setMinimumSize(QSize(240, 160))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("Live ultrasound video"))
        # Clicking the picture gives it the keys: Space freezes, Enter captures, R records.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        capture.frame_changed.connect(self.update)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        image = self._capture.latest_image()
        if image is None:
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(
                self.rect().adjusted(24, 24, -24, -24),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.placeholder,
            )
            return
        scaled = image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x = (self.width() - scaled.width()) // 2
        y = (self.height() - scaled.height()) // 2
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(self.rect().adjusted(x, y, -x, -y), image)
        if self._capture.frozen or self._capture.recording:
            text = self.tr("RECORDING") if self._capture.recording else self.tr("FROZEN")
            painter.setPen(Qt.GlobalColor.white)
            mark = painter.fontMetrics().boundingRect(text).adjusted(-8, -4, 8, 4)
            mark.moveTopLeft(QPoint(12, 12))
            painter.fillRect(mark, QColor(theme.NHS_RED))
            painter.drawText(mark, Qt.AlignmentFlag.AlignCenter, text)
