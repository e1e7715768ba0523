"""The picture part of the image viewer: one frame, zoomed and panned, with marks drawn over it.

Marks (distances, arrows, text) are kept in image pixel coordinates and drawn on top of the
frame at paint time, in screen pixels, so their lines and words stay the same size at any
zoom and the image's own pixels are never changed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from clinic_app.domains.imaging.dicom.measure import Annotation
from ui.common import theme

ImagePoint = tuple[float, float]
Window = tuple[float, float]

#: The window that leaves 8-bit values as they are: (centre, width).
IDENTITY_WINDOW: Window = (127.5, 255.0)

MIN_ZOOM = 0.05
MAX_ZOOM = 32.0
#: One notch of a mouse wheel (or one press of + or -) zooms by this factor.
ZOOM_STEP = 1.25
#: A press and release closer than this (screen pixels) is a click, not a drag.
_CLICK_SLOP = 4.0
#: How near (screen pixels) a click must be to a mark's line to pick it.
_PICK_DISTANCE = 7.0
_ARROW_HEAD = 13.0
_END_TICK = 7.0

_BACKGROUND = QColor("#101316")
_MARK = QColor(theme.NHS_WARM_YELLOW)
_SELECTED = QColor("#41B6E6")  # NHS light blue: stands apart from the yellow marks
_REFUSED = QColor("#F4A49B")  # a pale red that still reads on a dark image
_HALO = QColor(0, 0, 0, 170)
_LABEL_FILL = QColor(16, 19, 22, 215)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ImageViewer", text)


def frame_image(pixels: np.ndarray) -> QImage:
    """A QImage over the array's own memory (no copy): keep ``pixels`` alive while it is used."""
    height, width = int(pixels.shape[0]), int(pixels.shape[1])
    colour = pixels.ndim == 3
    kind = QImage.Format.Format_RGB888 if colour else QImage.Format.Format_Grayscale8
    return QImage(pixels.data, width, height, int(pixels.strides[0]), kind)


class ScreenValues:
    """Turns a frame's values into 8-bit screen values through a window (centre, width).

    The straight line of the window is worked out once per window as a table over every
    possible value, so each frame costs one table look-up per sample.
    """

    def __init__(self) -> None:
        self._table: tuple[tuple[float, float, int], np.ndarray] | None = None

    def apply(self, pixels: np.ndarray, window: Window | None) -> np.ndarray:
        """The frame on screen: 8-bit RGB for colour, 8-bit grey for monochrome."""
        centre, width = window or IDENTITY_WINDOW
        if pixels.dtype == np.uint8 and (centre, width) == IDENTITY_WINDOW:
            return pixels  # the frame itself: nothing to copy
        shown: np.ndarray
        if pixels.dtype in (np.uint8, np.uint16):
            shown = self._lookup(centre, width, pixels.dtype.itemsize)[pixels]
        else:
            # Signed values: rare in ultrasound, so worked out directly.
            scaled = (pixels.astype(np.float32) - (centre - width / 2)) * (255.0 / width)
            shown = np.clip(scaled, 0, 255).astype(np.uint8)
        return shown

    def _lookup(self, centre: float, width: float, itemsize: int) -> np.ndarray:
        key = (centre, width, itemsize)
        if self._table is None or self._table[0] != key:
            values = np.arange(1 << (8 * itemsize), dtype=np.float32)
            table = np.clip((values - (centre - width / 2)) * (255.0 / width), 0, 255)
            self._table = (key, np.round(table).astype(np.uint8))
        lookup: np.ndarray = self._table[1]
        return lookup


class ViewerTool(StrEnum):
    """What a left-button drag on the image does."""

    PAN = "pan"
    MEASURE = "measure"
    WINDOW = "window"
    ARROW = "arrow"
    TEXT = "text"


@dataclass
class _Drag:
    """A mouse drag in progress: what it does and where it started."""

    action: str  # "pan", "window", "line" or "click"
    start: QPointF
    last: QPointF


@dataclass(frozen=True)
class ShownMark:
    """A mark to draw: its place in the viewer's list, the mark, and its words if a distance."""

    index: int
    annotation: Annotation
    label: str = ""


class ImageCanvas(QWidget):
    """Draws one frame with its marks; turns mouse gestures into image coordinates.

    It knows nothing of DICOM or measuring: the viewer gives it a QImage and the marks of the
    frame, and listens to its signals.
    """

    line_drawn = Signal(str, object, object)  # tool, start, end (image points)
    clicked = Signal(str, object)  # tool, image point
    window_dragged = Signal(float, float)  # screen pixels moved since the last report
    view_changed = Signal()
    frame_painted = Signal(int)  # the frame index just painted

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageCanvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(False)
        self.setAccessibleName(_tr("Image"))
        self.tool = ViewerTool.MEASURE
        self._image: QImage | None = None
        self._screen = ScreenValues()
        self._keep_alive: object = None
        self._frame = -1
        self._fresh = False
        self._scale = 1.0
        self._offset = QPointF(0.0, 0.0)
        self._fitted = True
        self._marks: list[ShownMark] = []
        self._selected: int | None = None
        self._draft: tuple[ImagePoint, ImagePoint] | None = None
        self._draft_label: Callable[[ImagePoint, ImagePoint], str] | None = None
        self._refused: tuple[ImagePoint, ImagePoint] | None = None
        self._drag: _Drag | None = None
        self._empty_text = _tr("No image to show")

    # ------------------------------------------------------------------ content

    def set_frame_image(
        self, image: QImage | None, pixels: object, frame: int, *, now: bool = False
    ) -> None:
        """Show ``image`` (which may point into ``pixels``: kept alive while it is shown).

        With ``now`` it is painted before this returns, as a player wants: waiting for the
        event loop lets the decoding thread take the interpreter first.
        """
        new_size = (
            image is None
            or self._image is None
            or image.width() != self._image.width()
            or image.height() != self._image.height()
        )
        self._image = image
        self._keep_alive = pixels
        self._fresh = image is not None
        if frame != self._frame:
            self._draft = None
            self._refused = None
        self._frame = frame
        if new_size:
            self._fitted = True
            self._apply_fit()
            self.view_changed.emit()
        if now and self.isVisible():
            self.repaint()
        else:
            self.update()

    def show_frame(
        self, pixels: np.ndarray | None, window: Window | None, frame: int, *, now: bool = False
    ) -> None:
        """Show a frame's values through ``window`` (None: show nothing)."""
        if pixels is None:
            self.set_frame_image(None, None, frame)
            return
        shown = self._screen.apply(pixels, window)
        self.set_frame_image(frame_image(shown), shown, frame, now=now)

    def detach(self) -> None:
        """Keep the picture on screen in memory of its own, so the frames can be let go."""
        if isinstance(self._keep_alive, np.ndarray):
            kept = np.array(self._keep_alive, copy=True)
            # The same picture: nothing to repaint, and not a newly shown frame.
            self._image = frame_image(kept)
            self._keep_alive = kept

    def has_image(self) -> bool:
        return self._image is not None

    def set_marks(self, marks: Sequence[ShownMark], selected: int | None) -> None:
        """The marks of the shown frame, and which one (by list index) is selected."""
        self._marks = list(marks)
        self._selected = selected
        self.update()

    def shown_marks(self) -> list[ShownMark]:
        """The marks drawn over the frame on screen."""
        return list(self._marks)

    def set_draft_label(self, label: Callable[[ImagePoint, ImagePoint], str] | None) -> None:
        """How to label a distance while it is being drawn."""
        self._draft_label = label

    def show_refused(self, line: tuple[ImagePoint, ImagePoint] | None) -> None:
        """A line that could not be measured, drawn dashed with no number (None to hide)."""
        self._refused = line
        self.update()

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.update()

    # ------------------------------------------------------------------ view

    @property
    def scale(self) -> float:
        """Screen pixels per image pixel."""
        return self._scale

    @property
    def offset(self) -> QPointF:
        """Where the image's top-left corner is on the canvas."""
        return QPointF(self._offset)

    def fit(self) -> None:
        """Scale the whole image to the canvas, centred; keeps fitting as the canvas resizes."""
        self._fitted = True
        self._apply_fit()
        self.view_changed.emit()
        self.update()

    def zoom_by(self, factor: float, around: QPointF | None = None) -> None:
        """Zoom keeping the image point under ``around`` (default: the centre) still."""
        if self._image is None:
            return
        anchor = around if around is not None else QPointF(self.width() / 2, self.height() / 2)
        new_scale = min(max(self._scale * factor, MIN_ZOOM), MAX_ZOOM)
        image_x, image_y = self.to_image(anchor)
        self._scale = new_scale
        self._offset = QPointF(anchor.x() - image_x * new_scale, anchor.y() - image_y * new_scale)
        self._fitted = False
        self.view_changed.emit()
        self.update()

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the image by screen pixels."""
        self._offset += QPointF(dx, dy)
        self._fitted = False
        self.view_changed.emit()
        self.update()

    def to_image(self, point: QPointF) -> ImagePoint:
        """A canvas point in image pixel coordinates (x = column, y = row)."""
        return (
            (point.x() - self._offset.x()) / self._scale,
            (point.y() - self._offset.y()) / self._scale,
        )

    def to_canvas(self, point: ImagePoint) -> QPointF:
        """An image point on the canvas."""
        return QPointF(
            self._offset.x() + point[0] * self._scale, self._offset.y() + point[1] * self._scale
        )

    def _apply_fit(self) -> None:
        if self._image is None or self._image.width() == 0 or self._image.height() == 0:
            return
        width, height = self._image.width(), self._image.height()
        scale = min(self.width() / width, self.height() / height)
        self._scale = min(max(scale, MIN_ZOOM), MAX_ZOOM)
        self._offset = QPointF(
            (self.width() - width * self._scale) / 2, (self.height() - height * self._scale) / 2
        )

    def _clamped(self, point: QPointF) -> ImagePoint:
        """An image point kept on the image, so a line never ends off its edge."""
        x, y = self.to_image(point)
        if self._image is None:
            return x, y
        return (
            min(max(x, 0.0), float(self._image.width())),
            min(max(y, 0.0), float(self._image.height())),
        )

    # ------------------------------------------------------------------ Qt overrides

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 180)

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self._fitted:
            self._apply_fit()
        super().resizeEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            self.zoom_by(ZOOM_STEP**notches, event.position())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        position = event.position()
        if event.button() == Qt.MouseButton.MiddleButton:
            self._drag = _Drag("pan", position, position)
        elif event.button() == Qt.MouseButton.LeftButton and self._image is not None:
            action = {
                ViewerTool.PAN: "pan",
                ViewerTool.WINDOW: "window",
                ViewerTool.MEASURE: "line",
                ViewerTool.ARROW: "line",
                ViewerTool.TEXT: "click",
            }[self.tool]
            self._drag = _Drag(action, position, position)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        if drag is None:
            return
        position = event.position()
        delta = position - drag.last
        drag.last = position
        if drag.action == "pan":
            self.pan_by(delta.x(), delta.y())
        elif drag.action == "window":
            self.window_dragged.emit(delta.x(), delta.y())
        elif drag.action == "line" and self._moved(drag):
            self._draft = (self._clamped(drag.start), self._clamped(position))
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None:
            return
        drag.last = event.position()
        self._draft = None
        if drag.action == "line" and self._moved(drag):
            self.line_drawn.emit(
                str(self.tool), self._clamped(drag.start), self._clamped(drag.last)
            )
        elif drag.action in {"line", "click"} and not self._moved(drag):
            self.clicked.emit(str(self.tool), self.to_image(drag.last))
        self.update()

    @staticmethod
    def _moved(drag: _Drag) -> bool:
        return math.dist(drag.start.toTuple(), drag.last.toTuple()) >= _CLICK_SLOP

    # ------------------------------------------------------------------ picking

    def mark_at(self, point: ImagePoint) -> int | None:
        """The list index of the mark nearest ``point`` (within a few screen pixels)."""
        where = self.to_canvas(point)
        metrics = QFontMetricsF(self._label_font())
        best: tuple[float, int] | None = None
        for mark in self._marks:
            points = [self.to_canvas(p) for p in mark.annotation.points]
            if mark.annotation.kind == "text":
                hit = _label_box(points[0], mark.annotation.text, metrics).contains(where)
                distance = 0.0 if hit else math.inf
            else:
                distance = _distance_to_segment(where, points[0], points[1])
            if distance <= _PICK_DISTANCE and (best is None or distance < best[0]):
                best = (distance, mark.index)
        return None if best is None else best[1]

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), _BACKGROUND)
        if self._image is None:
            painter.setPen(QColor(theme.NHS_MID_GREY))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self._empty_text)
        else:
            self._paint_image(painter)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_marks(painter)
        self._paint_focus(painter)
        painter.end()
        if self._fresh and self._image is not None:
            self._fresh = False
            self.frame_painted.emit(self._frame)

    def _paint_image(self, painter: QPainter) -> None:
        assert self._image is not None
        # Smoothing helps when shrinking; when enlarged, clinicians want to see real pixels.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._scale < 1.5)
        painter.setTransform(
            QTransform(self._scale, 0, 0, self._scale, self._offset.x(), self._offset.y())
        )
        painter.drawImage(QPointF(0, 0), self._image)
        painter.resetTransform()

    def _label_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _paint_marks(self, painter: QPainter) -> None:
        font = self._label_font()
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        for mark in self._marks:
            colour = _SELECTED if mark.index == self._selected else _MARK
            points = [self.to_canvas(p) for p in mark.annotation.points]
            if mark.annotation.kind == "distance":
                _draw_distance(
                    painter, points[0], points[1], colour, label=mark.label, metrics=metrics
                )
            elif mark.annotation.kind == "arrow":
                _draw_arrow(painter, points[0], points[1], colour)
            else:
                _draw_text(painter, points[0], mark.annotation.text, colour, metrics)
        if self._refused is not None:
            start, end = (self.to_canvas(p) for p in self._refused)
            _draw_line(painter, start, end, _REFUSED, Qt.PenStyle.DashLine)
        if self._draft is not None:
            start, end = (self.to_canvas(p) for p in self._draft)
            if self.tool == ViewerTool.ARROW:
                _draw_arrow(painter, start, end, _MARK)
            else:
                label = "" if self._draft_label is None else self._draft_label(*self._draft)
                _draw_distance(painter, start, end, _MARK, label=label, metrics=metrics)

    def _paint_focus(self, painter: QPainter) -> None:
        if not self.hasFocus():
            return
        # The clinic's focus style: yellow with a black edge, visible on any image.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(theme.NHS_FOCUS_YELLOW), 4))
        painter.drawRect(QRectF(self.rect()).adjusted(2, 2, -2, -2))
        painter.setPen(QPen(QColor(theme.NHS_BLACK), 1))
        painter.drawRect(QRectF(self.rect()).adjusted(4.5, 4.5, -4.5, -4.5))


# ---------------------------------------------------------------------- drawing marks


def _draw_line(
    painter: QPainter,
    start: QPointF,
    end: QPointF,
    colour: QColor,
    style: Qt.PenStyle = Qt.PenStyle.SolidLine,
) -> None:
    """A line with a dark halo under it, so it reads on bright and dark tissue alike."""
    painter.setBrush(Qt.BrushStyle.NoBrush)
    halo = QPen(_HALO, 4.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(halo)
    painter.drawLine(start, end)
    painter.setPen(QPen(colour, 2.0, style, Qt.PenCapStyle.RoundCap))
    painter.drawLine(start, end)


def _draw_distance(
    painter: QPainter,
    start: QPointF,
    end: QPointF,
    colour: QColor,
    *,
    label: str,
    metrics: QFontMetricsF,
) -> None:
    _draw_line(painter, start, end, colour)
    length = math.dist(start.toTuple(), end.toTuple())
    if length > 0:
        # Short ticks across each end show exactly where the calipers sit.
        nx, ny = -(end.y() - start.y()) / length, (end.x() - start.x()) / length
        tick = QPointF(nx * _END_TICK, ny * _END_TICK)
        for point in (start, end):
            _draw_line(painter, point - tick, point + tick, colour)
    if label:
        box = QRectF(0, 0, metrics.horizontalAdvance(label) + 12, metrics.height() + 6)
        box.moveCenter(_beside(start, end, box))
        _draw_label_box(painter, box, label, colour)


def _beside(start: QPointF, end: QPointF, box: QRectF) -> QPointF:
    """Where to centre a label so that it sits just clear of the line, on its upper side.

    Beside the line rather than on it, so the calipers and the tissue under them stay
    visible: the box is moved along the line's normal by its own half-extent that way.
    """
    middle = (start + end) / 2
    length = math.dist(start.toTuple(), end.toTuple())
    if length == 0:
        return middle - QPointF(0, box.height())
    nx, ny = -(end.y() - start.y()) / length, (end.x() - start.x()) / length
    if ny > 0:  # the normal that points up the screen
        nx, ny = -nx, -ny
    reach = abs(nx) * box.width() / 2 + abs(ny) * box.height() / 2 + 6
    return QPointF(middle.x() + nx * reach, middle.y() + ny * reach)


def _draw_arrow(painter: QPainter, tail: QPointF, tip: QPointF, colour: QColor) -> None:
    _draw_line(painter, tail, tip, colour)
    length = math.dist(tail.toTuple(), tip.toTuple())
    if length == 0:
        return
    ux, uy = (tip.x() - tail.x()) / length, (tip.y() - tail.y()) / length
    back = QPointF(tip.x() - ux * _ARROW_HEAD, tip.y() - uy * _ARROW_HEAD)
    side = QPointF(-uy * _ARROW_HEAD * 0.5, ux * _ARROW_HEAD * 0.5)
    head = QPolygonF([tip, back + side, back - side])
    painter.setPen(QPen(_HALO, 2.0))
    painter.setBrush(colour)
    painter.drawPolygon(head)


def _label_box(anchor: QPointF, text: str, metrics: QFontMetricsF) -> QRectF:
    return QRectF(
        anchor.x(), anchor.y(), metrics.horizontalAdvance(text) + 12, metrics.height() + 6
    )


def _draw_text(
    painter: QPainter, anchor: QPointF, text: str, colour: QColor, metrics: QFontMetricsF
) -> None:
    box = _label_box(anchor, text, metrics)
    _draw_label_box(painter, box, text, colour)
    # A dot where the label was placed: the spot the words are about.
    painter.setPen(QPen(_HALO, 1.5))
    painter.setBrush(colour)
    painter.drawEllipse(anchor, 3.0, 3.0)


def _draw_label_box(painter: QPainter, box: QRectF, text: str, colour: QColor) -> None:
    path = QPainterPath()
    path.addRoundedRect(box, 4, 4)
    painter.setPen(QPen(colour, 1.2))
    painter.setBrush(_LABEL_FILL)
    painter.drawPath(path)
    painter.setPen(QColor(theme.NHS_WHITE))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def _distance_to_segment(point: QPointF, start: QPointF, end: QPointF) -> float:
    dx, dy = end.x() - start.x(), end.y() - start.y()
    span = dx * dx + dy * dy
    if span == 0:
        return math.dist(point.toTuple(), start.toTuple())
    along = ((point.x() - start.x()) * dx + (point.y() - start.y()) * dy) / span
    along = min(max(along, 0.0), 1.0)
    nearest = QPointF(start.x() + along * dx, start.y() + along * dy)
    return math.dist(point.toTuple(), nearest.toTuple())
