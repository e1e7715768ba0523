"""A line chart of one questionnaire's scores over time, with the minimal important change band."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from clinic_app.domains.questionnaires.rules import QuestionnaireDefinition
from ui.common import theme

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NICE_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
_MAX_TICKS = 7
_MARKER = 5.5

ScorePoint = tuple[date, float | None]


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScoreChart", text)


def short_date(value: date) -> str:
    """A date as the chart's axis writes it: ``05-Mar-25``."""
    return f"{value.day:02d}-{_MONTHS[value.month - 1]}-{value.year % 100:02d}"


def _step(span: float) -> int:
    for step in _NICE_STEPS:
        if span / step <= _MAX_TICKS - 1:
            return step
    return math.ceil(span / (_MAX_TICKS - 1))


class ScoreChart(QWidget):
    """Scores of one questionnaire over time.

    The first scored point is the baseline; when the questionnaire has a minimal important
    change, a band of that size either side of the baseline shows which later scores are a
    real change. An incomplete response has no score, so it is drawn as a hollow marker on
    the bottom edge and explained in a note, never as a made-up value.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._definition: QuestionnaireDefinition | None = None
        self._points: list[ScorePoint] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(_tr("Score chart"))
        self._describe()

    def set_series(
        self, definition: QuestionnaireDefinition | None, points: Sequence[ScorePoint]
    ) -> None:
        """Show ``points`` (date, total or ``None`` when incomplete) for ``definition``."""
        self._definition = definition
        self._points = sorted(points, key=lambda point: point[0])
        self._describe()
        self.update()

    def baseline(self) -> ScorePoint | None:
        """The first point with a score, if any."""
        return next((point for point in self._points if point[1] is not None), None)

    def incomplete_count(self) -> int:
        return sum(1 for _, value in self._points if value is None)

    def empty_text(self) -> str:
        """What the chart says when there is nothing to draw ("" when there is)."""
        if self._definition is None or not self._points:
            return _tr("No scores recorded yet.")
        return ""

    # ------------------------------------------------------------ Qt overrides

    def sizeHint(self) -> QSize:
        return QSize(560, 300)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 200)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.NHS_WHITE))
        if self.empty_text() or self._definition is None:
            painter.setPen(QColor(theme.NHS_DARK_GREY))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self.empty_text())
            painter.end()
            return
        _Drawing(painter, self.font(), QRectF(self.rect()), self._definition, self._points).draw()
        painter.end()

    def _describe(self) -> None:
        if self.empty_text() or self._definition is None:
            self.setAccessibleDescription(self.empty_text())
            return
        parts = [
            _tr("{when}: {score}").format(
                when=short_date(when),
                score=_tr("incomplete") if value is None else f"{value:g}",
            )
            for when, value in self._points
        ]
        self.setAccessibleDescription(f"{self._definition.title}. " + "; ".join(parts))


class _Drawing:
    """One paint of the chart: works out the plot area, then draws layer by layer."""

    def __init__(
        self,
        painter: QPainter,
        font: QFont,
        area: QRectF,
        definition: QuestionnaireDefinition,
        points: list[ScorePoint],
    ) -> None:
        self.painter = painter
        self.font = QFont(font)
        self.small = QFont(font)
        self.small.setPointSizeF(max(font.pointSizeF() - 1.0, 8.0))
        self.definition = definition
        self.points = points
        metrics = QFontMetricsF(self.font)
        line = metrics.height()
        label_width = metrics.horizontalAdvance(str(definition.max_total)) + 10
        incomplete = any(value is None for _, value in points)
        bottom_space = line * (2.6 if incomplete else 1.6)
        self.plot = QRectF(
            area.left() + label_width + line + 8,
            area.top() + line * 1.8,
            area.width() - label_width - line - 8 - 24,
            area.height() - line * 1.8 - bottom_space - 8,
        )
        self.line = line
        self.low, self.high = definition.min_total, definition.max_total
        first, last = points[0][0], points[-1][0]
        self.first = first
        self.days = max((last - first).days, 0)

    def x(self, when: date) -> float:
        if self.days == 0:
            return self.plot.center().x()
        inset = 18.0
        fraction = (when - self.first).days / self.days
        return self.plot.left() + inset + fraction * (self.plot.width() - 2 * inset)

    def y(self, value: float) -> float:
        fraction = (value - self.low) / (self.high - self.low)
        return self.plot.bottom() - fraction * self.plot.height()

    def draw(self) -> None:
        self._title()
        self._band()
        self._grid()
        self._series()
        self._date_labels()

    def _title(self) -> None:
        painter = self.painter
        painter.setFont(self.font)
        painter.setPen(QColor(theme.NHS_BLACK))
        bold = QFont(self.font)
        bold.setBold(True)
        painter.setFont(bold)
        top = QRectF(self.plot.left(), 0, self.plot.width(), self.line * 1.5)
        painter.drawText(
            top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.definition.title
        )
        better = _tr("Better ↑") if self.definition.higher_is_better else _tr("Better ↓")
        painter.setPen(QColor(theme.NHS_GREEN))
        painter.drawText(top, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, better)
        # The axis title, turned to run up the left edge.
        painter.save()
        painter.setFont(self.small)
        painter.setPen(QColor(theme.NHS_DARK_GREY))
        painter.translate(self.line * 0.9, self.plot.center().y())
        painter.rotate(-90)
        # "Better" with its arrow, top right, says which way is good; the axis just names it.
        axis = _tr("Score")
        painter.drawText(
            QRectF(-self.plot.height() / 2, -self.line, self.plot.height(), self.line * 1.2),
            Qt.AlignmentFlag.AlignCenter,
            axis,
        )
        painter.restore()

    def _band(self) -> None:
        mic = self.definition.minimal_important_change
        baseline = next((value for _, value in self.points if value is not None), None)
        if mic is None or baseline is None:
            return
        top = self.y(min(baseline + mic.value, self.high))
        bottom = self.y(max(baseline - mic.value, self.low))
        band = QRectF(self.plot.left(), top, self.plot.width(), bottom - top)
        fill = QColor(theme.NHS_BLUE)
        fill.setAlphaF(0.12)
        self.painter.fillRect(band, fill)
        self.painter.setPen(QPen(QColor(theme.NHS_BLUE), 1.0, Qt.PenStyle.DashLine))
        self.painter.drawLine(band.topLeft(), band.topRight())
        self.painter.drawLine(band.bottomLeft(), band.bottomRight())
        self.painter.setFont(self.small)
        self.painter.setPen(QColor(theme.NHS_DARK_BLUE))
        label = _tr("Minimal important change (±{value:g})").format(value=mic.value)
        self.painter.drawText(
            band.adjusted(6, 4, -8, -5),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
            label,
        )

    def _grid(self) -> None:
        painter = self.painter
        painter.setFont(self.small)
        step = _step(self.high - self.low)
        value = math.ceil(self.low / step) * step
        ticks = sorted({self.low, self.high, *range(value, self.high + 1, step)})
        for tick in ticks:
            y = self.y(tick)
            painter.setPen(QPen(QColor(theme.NHS_PALE_GREY), 1.0))
            painter.drawLine(QPointF(self.plot.left(), y), QPointF(self.plot.right(), y))
            painter.setPen(QColor(theme.NHS_DARK_GREY))
            painter.drawText(
                QRectF(self.plot.left() - 60, y - self.line / 2, 54, self.line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(tick),
            )
        painter.setPen(QPen(QColor(theme.NHS_MID_GREY), 1.2))
        painter.drawLine(self.plot.bottomLeft(), self.plot.bottomRight())
        painter.drawLine(self.plot.bottomLeft(), self.plot.topLeft())

    def _series(self) -> None:
        painter = self.painter
        scored = [(when, value) for when, value in self.points if value is not None]
        if len(scored) > 1:
            path = QPainterPath(QPointF(self.x(scored[0][0]), self.y(scored[0][1])))
            for when, value in scored[1:]:
                path.lineTo(self.x(when), self.y(value))
            painter.setPen(QPen(QColor(theme.NHS_BLUE), 2.4))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        for index, (when, value) in enumerate(scored):
            centre = QPointF(self.x(when), self.y(value))
            painter.setPen(QPen(QColor(theme.NHS_WHITE), 1.5))
            painter.setBrush(QColor(theme.NHS_DARK_BLUE if index == 0 else theme.NHS_BLUE))
            size = _MARKER + (1.5 if index == 0 else 0)
            painter.drawEllipse(centre, size, size)
            painter.setFont(self.small)
            painter.setPen(QColor(theme.NHS_BLACK))
            text = f"{value:g}" if index else _tr("Baseline {value}").format(value=f"{value:g}")
            width = QFontMetricsF(self.small).horizontalAdvance(text) + 2
            # Kept inside the plot so a label at either end never runs over the axis.
            left = min(max(centre.x() - width / 2, self.plot.left() + 4), self.plot.right() - width)
            painter.drawText(
                QRectF(left, centre.y() - self.line - 8, width, self.line),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                text,
            )
        self._incomplete()

    def _incomplete(self) -> None:
        painter = self.painter
        missing = [when for when, value in self.points if value is None]
        if not missing:
            return
        painter.setPen(QPen(QColor(theme.NHS_DARK_GREY), 2.0))
        painter.setBrush(QColor(theme.NHS_WHITE))
        for when in missing:
            painter.drawEllipse(QPointF(self.x(when), self.plot.bottom()), _MARKER, _MARKER)
        painter.setFont(self.small)
        note = _tr("○ Incomplete response: not scored, shown on the bottom edge ({count})").format(
            count=len(missing)
        )
        painter.drawText(
            QRectF(
                self.plot.left(),
                self.plot.bottom() + self.line * 1.3,
                self.plot.width(),
                self.line * 1.2,
            ),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            note,
        )

    def _date_labels(self) -> None:
        painter = self.painter
        painter.setFont(self.small)
        painter.setPen(QColor(theme.NHS_DARK_GREY))
        metrics = QFontMetricsF(self.small)
        right_edge = -math.inf
        for when in sorted({when for when, _ in self.points}):
            text = short_date(when)
            width = metrics.horizontalAdvance(text)
            left = self.x(when) - width / 2
            if left < right_edge + 8:
                continue  # would overlap the previous label; the point still shows
            right_edge = left + width
            painter.drawText(
                QRectF(left, self.plot.bottom() + 4, width, self.line),
                Qt.AlignmentFlag.AlignCenter,
                text,
            )
