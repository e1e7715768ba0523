"""A clickable body chart: front and back views, regions picked by mouse or keyboard."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ui.common import theme

FRONT = "front"
BACK = "back"

# The drawing is made in these units and scaled to the widget, keeping its shape.
_FIGURE_WIDTH = 200.0
_FIGURE_HEIGHT = 450.0
_CAPTION = 34.0
_GAP = 40.0
_CANVAS_W = 2 * _FIGURE_WIDTH + _GAP
_CANVAS_H = _FIGURE_HEIGHT + _CAPTION

_SIDED = (
    ("shoulder", "Shoulder"),
    ("upper_arm", "Upper arm"),
    ("elbow", "Elbow"),
    ("forearm", "Forearm"),
    ("wrist_hand", "Wrist and hand"),
    ("hip", "Hip"),
    ("buttock", "Buttock"),
    ("thigh", "Thigh"),
    ("knee", "Knee"),
    ("lower_leg", "Lower leg"),
    ("ankle_foot", "Ankle and foot"),
)
_MIDLINE = (
    ("head", "Head"),
    ("cervical_spine", "Neck (cervical spine)"),
    ("chest", "Chest"),
    ("abdomen", "Abdomen"),
    ("thoracic_spine", "Upper back (thoracic spine)"),
    ("lumbar_spine", "Lower back (lumbar spine)"),
)

_JOINTS = {"shoulder", "elbow", "wrist_hand", "hip", "knee", "ankle_foot"}
_LEG = {"buttock", "thigh", "knee", "lower_leg", "ankle_foot", "hip"}
# Arm segments between joints are offered the joint screens: the red-flag vocabulary has
# no "arm", and septic arthritis and giant cell arteritis are what an arm can raise.
_ARM_SEGMENTS = {"upper_arm", "forearm"}


def _red_flag_regions_for(part: str) -> frozenset[str]:
    found: set[str] = set()
    if part in _JOINTS or part in _ARM_SEGMENTS:
        found.add("any_joint")
    if part in _LEG:
        found.add("leg")
    if part in {"shoulder", "hip"}:
        # The girdle joints also carry the polymyalgia and giant cell arteritis screens.
        found.add(part)
    if part == "buttock":
        # Buttock pain is usually referred from the lower back: offer the lumbar screens too.
        found.add("lumbar_spine")
    return frozenset(found)


#: Every region code the chart offers, with its words (patient's side first).
REGION_NAMES: MappingProxyType[str, str] = MappingProxyType(
    {
        **{code: name for code, name in _MIDLINE},
        **{
            f"{side}_{part}": f"{side.capitalize()} {name.lower()}"
            for side in ("right", "left")
            for part, name in _SIDED
        },
    }
)

#: Each region code to the red-flag regions (``clinic_app.domains.red_flags.rules.BODY_REGIONS``)
#: it falls under. Most codes have one; a knee is both a joint and part of the leg.
RED_FLAG_REGIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "head": frozenset({"head"}),
        "cervical_spine": frozenset({"cervical_spine"}),
        "chest": frozenset({"thoracic_spine"}),
        "thoracic_spine": frozenset({"thoracic_spine"}),
        "abdomen": frozenset({"lumbar_spine"}),
        "lumbar_spine": frozenset({"lumbar_spine"}),
        **{
            f"{side}_{part}": _red_flag_regions_for(part)
            for side in ("right", "left")
            for part, _ in _SIDED
        },
    }
)


def red_flag_regions(codes: Iterable[str]) -> frozenset[str]:
    """The red-flag regions a selection of chart regions falls under (unknown codes ignored)."""
    found: set[str] = set()
    for code in codes:
        found |= RED_FLAG_REGIONS.get(code, frozenset())
    return frozenset(found)


def _tr(text: str) -> str:
    return QCoreApplication.translate("BodyChart", text)


def region_name(code: str) -> str:
    """A region code in words, e.g. ``right_knee`` -> "Right knee"."""
    return _tr(REGION_NAMES.get(code, code))


# ---------------------------------------------------------------- geometry


def _smooth(points: Sequence[tuple[float, float]]) -> QPainterPath:
    """A closed smooth curve through ``points`` (Catmull-Rom turned into cubic Béziers)."""
    pts = [QPointF(x, y) for x, y in points]
    path = QPainterPath(pts[0])
    count = len(pts)
    for i in range(count):
        p0, p1, p2, p3 = (pts[(i + k) % count] for k in (-1, 0, 1, 2))
        path.cubicTo(p1 + (p2 - p0) / 6.0, p2 - (p3 - p1) / 6.0, p2)
    path.closeSubpath()
    return path


def _limb(spine: Sequence[tuple[float, float, float]]) -> QPainterPath:
    """A tapered limb along centre points ``(x, y, width)``, rounded at both ends."""
    left: list[tuple[float, float]] = []
    right: list[tuple[float, float]] = []
    for index, (x, y, width) in enumerate(spine):
        before = spine[max(index - 1, 0)]
        after = spine[min(index + 1, len(spine) - 1)]
        dx, dy = after[0] - before[0], after[1] - before[1]
        length = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / length * width / 2, dx / length * width / 2
        left.append((x + nx, y + ny))
        right.append((x - nx, y - ny))
    end_x, end_y, _ = spine[-1]
    return _smooth([*left, (end_x, end_y + 4), *reversed(right)])


def _band(top: float, bottom: float, left: float = -50.0, right: float = 250.0) -> QPainterPath:
    path = QPainterPath()
    path.addRect(QRectF(left, top, right - left, bottom - top))
    return path


def _mirror(path: QPainterPath) -> QPainterPath:
    return QTransform(-1, 0, 0, 1, _FIGURE_WIDTH, 0).map(path)


_TORSO_HALF = (
    (100, 78),
    (84, 80),
    (66, 84),
    (56, 94),
    (55, 110),
    (60, 126),
    (64, 152),
    (66, 182),
    (63, 204),
    (61, 226),
    (66, 250),
    (86, 258),
)
_ARM = ((61, 100, 26), (53, 132, 19), (47, 163, 16), (42, 194, 14), (37, 224, 11), (34, 246, 16))
_LEG_SPINE = ((80, 236, 38), (80, 290, 28), (80, 334, 21), (80, 370, 21), (80, 412, 12))


@dataclass(frozen=True)
class _Parts:
    head: QPainterPath
    neck: QPainterPath
    torso: QPainterPath
    arm: QPainterPath  # viewer's left
    leg: QPainterPath  # viewer's left
    foot: QPainterPath  # viewer's left


def _parts() -> _Parts:
    head = QPainterPath()
    head.addEllipse(QPointF(100, 38), 21, 27)
    neck = QPainterPath()
    neck.addRoundedRect(QRectF(89, 56, 22, 30), 6, 6)
    torso_points = [*_TORSO_HALF, *[(200 - x, y) for x, y in reversed(_TORSO_HALF)]]
    torso = _smooth(torso_points)
    foot = _smooth(((72, 408), (88, 408), (92, 430), (82, 440), (70, 436), (69, 420)))
    return _Parts(head, neck, torso, _limb(_ARM), _limb(_LEG_SPINE), foot)


def _side_regions(parts: _Parts, view: str) -> dict[str, QPainterPath]:
    """Regions on the viewer's left half, keyed by the part (no side yet)."""
    body_left = parts.torso.united(parts.arm)
    leg = parts.leg.united(parts.foot)
    shoulder_zone = _smooth(((82, 76), (30, 80), (28, 122), (66, 126), (74, 104)))
    pelvis = parts.torso.intersected(_band(206, 270, -50, 100)).united(
        leg.intersected(_band(200, 268))
    )
    return {
        "shoulder": body_left.intersected(shoulder_zone),
        "upper_arm": parts.arm.intersected(_band(118, 152)),
        "elbow": parts.arm.intersected(_band(152, 176)),
        "forearm": parts.arm.intersected(_band(176, 218)),
        "wrist_hand": parts.arm.intersected(_band(218, 290)),
        ("hip" if view == FRONT else "buttock"): pelvis,
        "thigh": leg.intersected(_band(268, 318)),
        "knee": leg.intersected(_band(318, 350)),
        "lower_leg": leg.intersected(_band(350, 402)),
        "ankle_foot": leg.intersected(_band(402, 460)),
    }


@dataclass(frozen=True)
class Hotspot:
    """One clickable shape: which view it is on, the region code and its outline."""

    view: str
    code: str
    path: QPainterPath

    @property
    def centre(self) -> QPointF:
        return self.path.boundingRect().center()


def _figure(view: str, offset_x: float) -> tuple[QPainterPath, list[Hotspot]]:
    parts = _parts()
    left = _side_regions(parts, view)
    # From the front the patient's right is on the viewer's left; from the back it is not.
    viewer_left_side, viewer_right_side = ("right", "left") if view == FRONT else ("left", "right")
    shapes: list[tuple[str, QPainterPath]] = [
        ("head", parts.head),
        ("cervical_spine", parts.neck),
    ]
    for part, path in left.items():
        shapes.append((f"{viewer_left_side}_{part}", path))
        shapes.append((f"{viewer_right_side}_{part}", _mirror(path)))
    upper, lower = ("chest", "abdomen") if view == FRONT else ("thoracic_spine", "lumbar_spine")
    split = 150 if view == FRONT else 164
    shapes.append((upper, parts.torso.intersected(_band(70, split))))
    shapes.append((lower, parts.torso.intersected(_band(split, 214))))

    move = QTransform.fromTranslate(offset_x, _CAPTION)
    outline = QPainterPath()
    for path in (parts.head, parts.neck, parts.torso, parts.arm, parts.leg, parts.foot):
        outline = outline.united(path).united(_mirror(path))
    taken = QPainterPath()
    hotspots: list[Hotspot] = []
    # Earlier shapes win where two overlap, so every point belongs to one region only.
    for code, path in shapes:
        own = path.subtracted(taken).simplified()
        taken = taken.united(path)
        hotspots.append(Hotspot(view, code, move.map(own)))
    return move.map(outline.simplified()), hotspots


def _build() -> tuple[list[QPainterPath], list[Hotspot]]:
    front_outline, front = _figure(FRONT, 0.0)
    back_outline, back = _figure(BACK, _FIGURE_WIDTH + _GAP)
    return [front_outline, back_outline], front + back


# ---------------------------------------------------------------- widget


class BodyChart(QWidget):
    """Front and back outlines of a person; clicking a region toggles it.

    Left and right are the patient's. Keyboard: Tab focuses the chart, the arrow keys move
    the focus ring between regions, Space or Enter toggles the region under the ring.
    """

    selection_changed = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._outlines, self._hotspots = _build()
        self._selected: set[str] = set()
        self._hover: int | None = None
        self._focus_index: int | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAccessibleName(_tr("Body chart"))
        self._update_description()

    # ------------------------------------------------------------ public

    def selection(self) -> list[str]:
        """The selected region codes, in a stable order (the order of REGION_NAMES)."""
        return [code for code in REGION_NAMES if code in self._selected]

    def set_selection(self, codes: Iterable[str]) -> None:
        """Select exactly ``codes`` (unknown codes are ignored); emits if anything changed."""
        wanted = {code for code in codes if code in REGION_NAMES}
        if wanted != self._selected:
            self._selected = wanted
            self._changed()

    def toggle(self, code: str) -> None:
        """Select ``code`` if it is not selected, otherwise clear it."""
        if code not in REGION_NAMES:
            return
        self._selected ^= {code}
        self._changed()

    def hotspots(self) -> list[Hotspot]:
        """Every clickable shape, in chart units (for tests and for placing labels)."""
        return list(self._hotspots)

    def to_widget(self, point: QPointF) -> QPointF:
        """Where a point in chart units is on the widget now."""
        return self._transform().map(point)

    def focused_region(self) -> tuple[str, str] | None:
        """(view, code) under the keyboard focus ring, if any."""
        if self._focus_index is None:
            return None
        spot = self._hotspots[self._focus_index]
        return spot.view, spot.code

    # ------------------------------------------------------------ Qt overrides

    def sizeHint(self) -> QSize:
        return QSize(int(_CANVAS_W * 1.2), int(_CANVAS_H * 1.2))

    def minimumSizeHint(self) -> QSize:
        return QSize(int(_CANVAS_W / 2), int(_CANVAS_H / 2))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return round(width * _CANVAS_H / _CANVAS_W)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setTransform(self._transform())
        self._paint_outlines(painter)
        self._paint_regions(painter)
        self._paint_labels(painter)
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self._hit(event.position())
        if index != self._hover:
            self._hover = index
            self.setCursor(
                Qt.CursorShape.PointingHandCursor
                if index is not None
                else Qt.CursorShape.ArrowCursor
            )
            if index is not None:
                QToolTip.showText(event.globalPosition().toPoint(), self._spot_name(index), self)
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        self._hover = None
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        index = self._hit(event.position())
        if index is None:
            return
        self._focus_index = index
        self.toggle(self._hotspots[index].code)

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self._focus_index is None:
            self._focus_index = 0
        self._update_description()
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        steps = {
            Qt.Key.Key_Left: (-1.0, 0.0),
            Qt.Key.Key_Right: (1.0, 0.0),
            Qt.Key.Key_Up: (0.0, -1.0),
            Qt.Key.Key_Down: (0.0, 1.0),
        }
        if key in steps:
            self._move_focus(*steps[Qt.Key(key)])
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._focus_index is not None:
                self.toggle(self._hotspots[self._focus_index].code)
        else:
            super().keyPressEvent(event)

    # ------------------------------------------------------------ internals

    def _transform(self) -> QTransform:
        scale = min(self.width() / _CANVAS_W, self.height() / _CANVAS_H)
        dx = (self.width() - _CANVAS_W * scale) / 2
        dy = (self.height() - _CANVAS_H * scale) / 2
        return QTransform(scale, 0, 0, scale, dx, dy)

    def _hit(self, position: QPointF) -> int | None:
        inverse, invertible = self._transform().inverted()
        if not invertible:
            return None
        point = inverse.map(position)
        for index, spot in enumerate(self._hotspots):
            if spot.path.contains(point):
                return index
        return None

    def _move_focus(self, dx: float, dy: float) -> None:
        if self._focus_index is None:
            self._focus_index = 0
        else:
            here = self._hotspots[self._focus_index].centre
            best: tuple[float, int] | None = None
            for index, spot in enumerate(self._hotspots):
                offset = spot.centre - here
                along = offset.x() * dx + offset.y() * dy
                if index == self._focus_index or along <= 1.0:
                    continue
                across = abs(offset.x() * dy - offset.y() * dx)
                cost = along + 2.5 * across
                if best is None or cost < best[0]:
                    best = (cost, index)
            if best is None:
                return
            self._focus_index = best[1]
        self._update_description()
        self.update()

    def _spot_name(self, index: int) -> str:
        spot = self._hotspots[index]
        view = _tr("front") if spot.view == FRONT else _tr("back")
        return _tr("{region} ({view})").format(region=region_name(spot.code), view=view)

    def _changed(self) -> None:
        self._update_description()
        self.update()
        self.selection_changed.emit(self.selection())

    def _update_description(self) -> None:
        chosen = ", ".join(region_name(code) for code in self.selection()) or _tr("none")
        text = _tr("Selected: {regions}.").format(regions=chosen)
        if self._focus_index is not None:
            state = (
                _tr("selected")
                if self._hotspots[self._focus_index].code in self._selected
                else _tr("not selected")
            )
            text = _tr("{region}, {state}. {selected}").format(
                region=self._spot_name(self._focus_index), state=state, selected=text
            )
        self.setAccessibleDescription(
            text + " " + _tr("Arrow keys move between regions; Space selects or clears.")
        )

    def _paint_outlines(self, painter: QPainter) -> None:
        painter.setPen(QPen(QColor(theme.NHS_MID_GREY), 1.6))
        painter.setBrush(QColor(theme.NHS_WHITE))
        for outline in self._outlines:
            painter.drawPath(outline)

    def _paint_regions(self, painter: QPainter) -> None:
        selected = QColor(theme.NHS_BLUE)
        selected.setAlphaF(0.6)
        hover = QColor(theme.NHS_PALE_BLUE)
        painter.setPen(QPen(QColor(theme.NHS_BORDER_GREY), 0.9))
        for index, spot in enumerate(self._hotspots):
            if spot.code in self._selected:
                painter.setBrush(selected)
            elif index == self._hover:
                painter.setBrush(hover)
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(spot.path)
        if self._hover is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(theme.NHS_BLUE), 1.6))
            painter.drawPath(self._hotspots[self._hover].path)
        if self.hasFocus() and self._focus_index is not None:
            ring = self._hotspots[self._focus_index].path
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor(theme.NHS_FOCUS_YELLOW), 5.0))
            painter.drawPath(ring)
            painter.setPen(QPen(QColor(theme.NHS_BLACK), 2.0))
            painter.drawPath(ring)

    def _paint_labels(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setPixelSize(17)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(theme.NHS_BLACK))
        for view, x in ((FRONT, 0.0), (BACK, _FIGURE_WIDTH + _GAP)):
            caption = _tr("Front") if view == FRONT else _tr("Back")
            painter.setPen(QColor(theme.NHS_BLACK))
            painter.drawText(
                QRectF(x, 0, _FIGURE_WIDTH, _CAPTION - 6), Qt.AlignmentFlag.AlignCenter, caption
            )
            first, second = (_tr("R"), _tr("L")) if view == FRONT else (_tr("L"), _tr("R"))
            for text, left in ((first, x + 2), (second, x + _FIGURE_WIDTH - 26)):
                self._paint_side_letter(painter, QRectF(left, _CAPTION + 58, 24, 24), text)

    def _paint_side_letter(self, painter: QPainter, box: QRectF, text: str) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.NHS_DARK_GREY))
        painter.drawEllipse(box)
        painter.setPen(QColor(theme.NHS_WHITE))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
