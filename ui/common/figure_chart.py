"""Charts of a service's figures: a trend over months with its target, and bars by a breakdown.

One widget draws both. Each chart has a title, an axis named with its unit, the target drawn
as a line (with its value) where a document sets one, and a legend. Two series may be drawn
side by side (the whole service's and a clinician's own); they differ by more than colour:
the service's is a solid line with round markers, or solid bars; the clinician's own is a
dashed line with square markers, or hatched bars. A value that is not shown (suppressed to
"<5", or with no data) is never drawn as 0: its words stand where its bar or point would.
The same picture is saved as a PNG, and its accessible description says every value in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.common import theme

_MARKER = 4.5
_TICKS = 5


def _tr(text: str) -> str:
    return QCoreApplication.translate("FigureChart", text)


class ChartKind(StrEnum):
    """How the figures are drawn."""

    TREND = "trend"
    BARS = "bars"


@dataclass(frozen=True)
class ChartSeries:
    """One series of a chart.

    Attributes:
        name: whose figures ("The whole service", "Your own").
        values: one number per category, in the axis's unit; None where none is drawn.
        shown: one text per category, as the figure is written ("62%", "<5", "no data").
        own: True for a clinician's own series (dashed, square markers, hatched bars).
    """

    name: str
    values: tuple[float | None, ...]
    shown: tuple[str, ...]
    own: bool = False


@dataclass(frozen=True)
class ChartData:
    """What one chart shows.

    Attributes:
        kind: a trend over months, or bars by a breakdown.
        title: the chart's title.
        categories: the months (short) or the breakdown's values, in order.
        series: one or two series.
        axis: the value axis's name with its unit ("Share of referrals (%)").
        category_axis: the other axis's name ("Month", "Site").
        target: the target in the axis's unit, None when no document sets one.
        target_words: how the target is written ("Target: at least 75%").
        note: a line under the chart (small numbers suppressed, ...), "" for none.
        empty: what the chart says when there is nothing to draw.
        top: the axis's highest value when fixed (100 for a percentage), else None.
    """

    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    axis: str
    category_axis: str
    target: float | None = None
    target_words: str = ""
    note: str = ""
    empty: str = ""
    top: float | None = None

    @property
    def has_figures(self) -> bool:
        """True when any category has a figure, drawn or written ("<5")."""
        return any(
            value is not None or text.startswith("<")
            for series in self.series
            for value, text in zip(series.values, series.shown, strict=False)
        )


def nice_top(highest: float) -> float:
    """A round top for an axis at least ``highest`` (1, 2, 2.5 or 5 times a power of ten)."""
    if highest <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(highest))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if highest <= step * power:
            return float(step * power)
    return float(10 * power)


def summary(data: ChartData) -> str:
    """The chart in words: its title, target, and every series' value for every category."""
    if not data.categories or not data.series:
        return f"{data.title}. {data.empty}".strip()
    parts = [data.title + "."]
    if data.target_words:
        parts.append(data.target_words + ".")
    for series in data.series:
        values = "; ".join(
            f"{category}: {shown}"
            for category, shown in zip(data.categories, series.shown, strict=False)
        )
        parts.append(f"{series.name}: {values}.")
    if data.note:
        parts.append(data.note)
    return " ".join(parts)


class FigureChart(QWidget):
    """A trend or bar chart of figures, drawn with QPainter, saved as PNG."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data: ChartData | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(name)

    @property
    def data(self) -> ChartData | None:
        return self._data

    def set_data(self, data: ChartData | None) -> None:
        """Show ``data`` (None: nothing chosen yet)."""
        self._data = data
        self.setAccessibleDescription("" if data is None else summary(data))
        self.update()

    def save_png(self, path: Path, data: ChartData | None = None) -> bool:
        """Draw ``data`` (else what is shown) at a fixed size into a PNG at ``path``."""
        chosen = data or self._data
        if chosen is None:
            return False
        image = QImage(QSize(1000, 520), QImage.Format.Format_ARGB32)
        image.fill(QColor(theme.NHS_WHITE))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), theme.BASE_POINT_SIZE))
        _Drawing(painter, font, QRectF(0, 0, 1000, 520), chosen).draw()
        painter.end()
        return bool(image.save(str(path)))  # a ".png" name: saved as PNG

    # ------------------------------------------------------------ Qt overrides

    def sizeHint(self) -> QSize:
        return QSize(640, 260)

    def minimumSizeHint(self) -> QSize:
        return QSize(360, 150)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.NHS_WHITE))
        data = self._data
        if data is None:
            painter.end()
            return
        _Drawing(painter, self.font(), QRectF(self.rect()), data).draw()
        painter.end()


def _series_colour(series: ChartSeries) -> QColor:
    return QColor(theme.NHS_DARK_GREY if series.own else theme.NHS_BLUE)


class _Drawing:
    """One paint of a chart: the frame first, then the figures, then the words."""

    def __init__(self, painter: QPainter, font: QFont, area: QRectF, data: ChartData) -> None:
        self.painter = painter
        self.data = data
        self.font = QFont(font)
        self.small = QFont(font)
        self.small.setPointSizeF(max(font.pointSizeF() - 1.0, 8.0))
        self.bold = QFont(font)
        self.bold.setBold(True)
        metrics = QFontMetricsF(self.small)
        self.line = QFontMetricsF(self.font).height()
        self.small_line = metrics.height()
        self.area = area
        values = [v for s in data.series for v in s.values if v is not None]
        highest = max([*values, data.target or 0.0, 0.0])
        self.top = data.top if data.top is not None and highest <= data.top else nice_top(highest)
        top_space = self.line * 1.6 + self.small_line * 1.4  # title, then legend
        bottom_space = self.small_line * (2.6 if data.note else 1.6) + 6
        if data.kind is ChartKind.BARS:
            widest = max((metrics.horizontalAdvance(c) for c in data.categories), default=40)
            left = min(widest + 14, area.width() * 0.32)
            self.labels_width = left - 10
            bottom_space += self.small_line * 1.4  # the value axis's name
        else:
            left = metrics.horizontalAdvance(self._tick(self.top)) + self.small_line + 18
            self.labels_width = 0.0
            bottom_space += self.small_line * 1.2  # the month labels
        self.plot = QRectF(
            area.left() + left,
            area.top() + top_space,
            area.width() - left - 20,
            area.height() - top_space - bottom_space,
        )

    def _tick(self, value: float) -> str:
        return f"{value:g}"

    # ------------------------------------------------------------ the frame

    def draw(self) -> None:
        self._title()
        self._legend()
        if not self.data.categories or not self.data.has_figures:
            self.painter.setFont(self.font)
            self.painter.setPen(QColor(theme.NHS_DARK_GREY))
            self.painter.drawText(self.plot, Qt.AlignmentFlag.AlignCenter, self.data.empty)
            self._note()
            return
        if self.data.kind is ChartKind.TREND:
            self._trend_grid()
            self._target_across()
            self._trend()
        else:
            self._bar_grid()
            self._target_down()
            self._bars()
        self._note()

    def _title(self) -> None:
        painter = self.painter
        painter.setFont(self.bold)
        painter.setPen(QColor(theme.NHS_BLACK))
        painter.drawText(
            QRectF(self.area.left() + 8, self.area.top() + 2, self.area.width() - 16, self.line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.data.title,
        )

    def _legend(self) -> None:
        painter = self.painter
        painter.setFont(self.small)
        metrics = QFontMetricsF(self.small)
        y = self.area.top() + self.line * 1.5
        x = self.area.left() + 8
        for series in self.data.series:
            self._key(series, QPointF(x + 12, y + self.small_line / 2))
            painter.setPen(QColor(theme.NHS_BLACK))
            width = metrics.horizontalAdvance(series.name) + 4
            painter.drawText(
                QRectF(x + 28, y, width, self.small_line),
                Qt.AlignmentFlag.AlignVCenter,
                series.name,
            )
            x += 28 + width + 18
        if self.data.target is not None:
            pen = QPen(QColor(theme.NHS_GREEN), 2.0, Qt.PenStyle.DashDotLine)
            painter.setPen(pen)
            centre = y + self.small_line / 2
            painter.drawLine(QPointF(x, centre), QPointF(x + 22, centre))
            painter.setPen(QColor(theme.NHS_BLACK))
            width = metrics.horizontalAdvance(self.data.target_words) + 4
            painter.drawText(
                QRectF(x + 28, y, width, self.small_line),
                Qt.AlignmentFlag.AlignVCenter,
                self.data.target_words,
            )

    def _key(self, series: ChartSeries, centre: QPointF) -> None:
        """The legend's sample of a series: its line and marker, or its bar."""
        painter = self.painter
        colour = _series_colour(series)
        if self.data.kind is ChartKind.TREND:
            painter.setPen(self._line_pen(series))
            painter.drawLine(centre + QPointF(-11, 0), centre + QPointF(11, 0))
            self._marker(series, centre)
        else:
            box = QRectF(centre.x() - 10, centre.y() - 5, 20, 10)
            painter.setPen(QPen(colour, 1.0))
            painter.setBrush(self._bar_brush(series))
            painter.drawRect(box)

    def _note(self) -> None:
        if not self.data.note:
            return
        painter = self.painter
        painter.setFont(self.small)
        painter.setPen(QColor(theme.NHS_DARK_GREY))
        painter.drawText(
            QRectF(
                self.area.left() + 8,
                self.area.bottom() - self.small_line * 1.3,
                self.area.width() - 16,
                self.small_line * 1.2,
            ),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.data.note,
        )

    def _axis_name_up_the_side(self) -> None:
        painter = self.painter
        painter.save()
        painter.setFont(self.small)
        painter.setPen(QColor(theme.NHS_DARK_GREY))
        painter.translate(self.area.left() + self.small_line * 0.8, self.plot.center().y())
        painter.rotate(-90)
        painter.drawText(
            QRectF(-self.plot.height() / 2, -self.small_line, self.plot.height(), self.small_line),
            Qt.AlignmentFlag.AlignCenter,
            self.data.axis,
        )
        painter.restore()

    # ------------------------------------------------------------ the trend

    def x_of(self, index: int) -> float:
        count = len(self.data.categories)
        step = self.plot.width() / count
        return self.plot.left() + step * (index + 0.5)

    def y_of(self, value: float) -> float:
        return self.plot.bottom() - (value / self.top) * self.plot.height()

    def _trend_grid(self) -> None:
        painter = self.painter
        painter.setFont(self.small)
        for index in range(_TICKS + 1):
            value = self.top * index / _TICKS
            y = self.y_of(value)
            painter.setPen(QPen(QColor(theme.NHS_PALE_GREY), 1.0))
            painter.drawLine(QPointF(self.plot.left(), y), QPointF(self.plot.right(), y))
            painter.setPen(QColor(theme.NHS_DARK_GREY))
            painter.drawText(
                QRectF(self.plot.left() - 64, y - self.small_line / 2, 58, self.small_line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self._tick(value),
            )
        painter.setPen(QPen(QColor(theme.NHS_MID_GREY), 1.2))
        painter.drawLine(self.plot.bottomLeft(), self.plot.bottomRight())
        painter.drawLine(self.plot.bottomLeft(), self.plot.topLeft())
        self._axis_name_up_the_side()
        metrics = QFontMetricsF(self.small)
        right_edge = -math.inf
        painter.setPen(QColor(theme.NHS_DARK_GREY))
        for index, category in enumerate(self.data.categories):
            width = metrics.horizontalAdvance(category)
            left = self.x_of(index) - width / 2
            if left < right_edge + 6:
                continue  # would overlap the label before; the point still shows
            right_edge = left + width
            painter.drawText(
                QRectF(left, self.plot.bottom() + 3, width, self.small_line),
                Qt.AlignmentFlag.AlignCenter,
                category,
            )

    def _target_across(self) -> None:
        if self.data.target is None:
            return
        y = self.y_of(self.data.target)
        self.painter.setPen(QPen(QColor(theme.NHS_GREEN), 2.0, Qt.PenStyle.DashDotLine))
        self.painter.drawLine(QPointF(self.plot.left(), y), QPointF(self.plot.right(), y))

    def _line_pen(self, series: ChartSeries) -> QPen:
        style = Qt.PenStyle.DashLine if series.own else Qt.PenStyle.SolidLine
        return QPen(_series_colour(series), 2.2, style)

    def _marker(self, series: ChartSeries, centre: QPointF) -> None:
        painter = self.painter
        painter.setPen(QPen(QColor(theme.NHS_WHITE), 1.2))
        painter.setBrush(_series_colour(series))
        if series.own:
            size = _MARKER + 0.5
            painter.drawRect(QRectF(centre.x() - size, centre.y() - size, 2 * size, 2 * size))
        else:
            painter.drawEllipse(centre, _MARKER + 0.5, _MARKER + 0.5)

    def _trend(self) -> None:
        painter = self.painter
        for series in self.data.series:
            points = [
                (index, QPointF(self.x_of(index), self.y_of(value)))
                for index, value in enumerate(series.values)
                if value is not None
            ]
            # A month with no figure breaks the line rather than joining across it.
            path = QPainterPath()
            previous = -2
            for index, point in points:
                if index == previous + 1:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                previous = index
            painter.setPen(self._line_pen(series))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            for _index, point in points:
                self._marker(series, point)
            self._unshown_on_axis(series)

    def _unshown_on_axis(self, series: ChartSeries) -> None:
        """A suppressed value ("<5") is written on the axis, never drawn as a point."""
        painter = self.painter
        painter.setFont(self.small)
        painter.setPen(_series_colour(series))
        offset = -self.small_line * (1.2 if series.own else 0.1)
        for index, (value, shown) in enumerate(zip(series.values, series.shown, strict=False)):
            if value is not None or not shown.startswith("<"):
                continue
            painter.drawText(
                QRectF(
                    self.x_of(index) - 30,
                    self.plot.bottom() - self.small_line + offset,
                    60,
                    self.small_line,
                ),
                Qt.AlignmentFlag.AlignCenter,
                shown,
            )

    # ------------------------------------------------------------ the bars

    def _bar_brush(self, series: ChartSeries) -> QBrush:
        if series.own:
            return QBrush(_series_colour(series), Qt.BrushStyle.BDiagPattern)
        return QBrush(_series_colour(series))

    def x_value(self, value: float) -> float:
        return self.plot.left() + (value / self.top) * self.plot.width()

    def _bar_grid(self) -> None:
        painter = self.painter
        painter.setFont(self.small)
        for index in range(_TICKS + 1):
            value = self.top * index / _TICKS
            x = self.x_value(value)
            painter.setPen(QPen(QColor(theme.NHS_PALE_GREY), 1.0))
            painter.drawLine(QPointF(x, self.plot.top()), QPointF(x, self.plot.bottom()))
            painter.setPen(QColor(theme.NHS_DARK_GREY))
            painter.drawText(
                QRectF(x - 30, self.plot.bottom() + 3, 60, self.small_line),
                Qt.AlignmentFlag.AlignCenter,
                self._tick(value),
            )
        painter.setPen(QPen(QColor(theme.NHS_MID_GREY), 1.2))
        painter.drawLine(self.plot.bottomLeft(), self.plot.topLeft())
        painter.setPen(QColor(theme.NHS_DARK_GREY))
        painter.drawText(
            QRectF(
                self.plot.left(),
                self.plot.bottom() + self.small_line * 1.2,
                self.plot.width(),
                self.small_line,
            ),
            Qt.AlignmentFlag.AlignCenter,
            self.data.axis,
        )
        metrics = QFontMetricsF(self.small)
        band = self.plot.height() / len(self.data.categories)
        for index, category in enumerate(self.data.categories):
            text = metrics.elidedText(category, Qt.TextElideMode.ElideRight, self.labels_width)
            painter.drawText(
                QRectF(
                    self.area.left() + 4, self.plot.top() + band * index, self.labels_width, band
                ),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                text,
            )

    def _target_down(self) -> None:
        if self.data.target is None:
            return
        x = self.x_value(self.data.target)
        self.painter.setPen(QPen(QColor(theme.NHS_GREEN), 2.0, Qt.PenStyle.DashDotLine))
        self.painter.drawLine(QPointF(x, self.plot.top()), QPointF(x, self.plot.bottom()))

    def _bars(self) -> None:
        painter = self.painter
        painter.setFont(self.small)
        metrics = QFontMetricsF(self.small)
        count = len(self.data.series)
        band = self.plot.height() / len(self.data.categories)
        thickness = min(band * 0.8 / count, 26.0)
        for index in range(len(self.data.categories)):
            top = self.plot.top() + band * index + (band - thickness * count) / 2
            for number, series in enumerate(self.data.series):
                value, shown = series.values[index], series.shown[index]
                bar = QRectF(
                    self.plot.left(),
                    top + thickness * number,
                    0 if value is None else self.x_value(value) - self.plot.left(),
                    thickness - 1,
                )
                if value is not None:
                    painter.setPen(QPen(_series_colour(series), 1.0))
                    painter.setBrush(self._bar_brush(series))
                    painter.drawRect(bar)
                width = metrics.horizontalAdvance(shown) + 4
                left = min(bar.right() + 4, self.plot.right() - width)
                painter.setPen(QColor(theme.NHS_BLACK))
                painter.drawText(
                    QRectF(left, bar.top(), width, bar.height()),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    shown,
                )
