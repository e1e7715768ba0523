"""An icon array on screen: 100 figures, the affected ones filled, with the number in words.

The figures are drawn from the core's one description of an icon array (``icon_array``), so
the screen and the printed summary show the same picture: ten rows of ten, filled first, row
by row from the top left. Benefits and risks differ in colour, and never by colour alone:
the people a number is about are filled figures, everyone else an outline.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from clinic_app.domains.decisions.content import IconArray, icon_array, in_100_words
from ui.common.theme import NHS_BLUE, NHS_MID_GREY, NHS_WHITE

#: The colour of the people a benefit is about.
BENEFIT_COLOUR = NHS_BLUE
#: The colour of the people a risk is about (told from blue by people who cannot tell
#: red from green).
RISK_COLOUR = "#B35900"
#: Everyone else: an outline, so that the number reads without colour.
OUTLINE_COLOUR = NHS_MID_GREY

#: The side of the drawing when nothing else decides it (pixels at 100% scale).
DEFAULT_SIDE = 150
#: The smallest drawing in which the figures still read as people.
MINIMUM_SIDE = 90


def colour_for(kind: str) -> str:
    """The colour of the filled figures of a ``benefit`` or a ``risk``."""
    return RISK_COLOUR if kind == "risk" else BENEFIT_COLOUR


def figure_path(cell: QRectF) -> QPainterPath:
    """One person in ``cell``: a round head over rounded shoulders, centred."""
    side = min(cell.width(), cell.height())
    centre_x = cell.center().x()
    top = cell.center().y() - side / 2
    path = QPainterPath()
    head = side * 0.17
    path.addEllipse(QPointF(centre_x, top + side * 0.24), head, head)
    body = QRectF(centre_x - side * 0.28, top + side * 0.46, side * 0.56, side * 0.46)
    path.addRoundedRect(body, side * 0.2, side * 0.2)
    return path


def paint_icon_array(painter: QPainter, area: QRectF, array: IconArray, colour: str) -> None:
    """Draw ``array`` as people in the largest square grid that fits in ``area``."""
    cell = min(area.width() / array.columns, area.height() / array.rows)
    if cell <= 0:
        return
    left = area.left() + (area.width() - cell * array.columns) / 2
    top = area.top() + (area.height() - cell * array.rows) / 2
    filled_pen = QPen(QColor(colour))
    filled_pen.setWidthF(max(0.8, cell * 0.06))
    outline_pen = QPen(QColor(OUTLINE_COLOUR))
    outline_pen.setWidthF(max(0.8, cell * 0.07))
    fill = QColor(colour)
    blank = QColor(NHS_WHITE)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for index, is_filled in enumerate(array.cells):
        row, column = divmod(index, array.columns)
        box = QRectF(left + column * cell, top + row * cell, cell, cell)
        path = figure_path(box.adjusted(cell * 0.06, cell * 0.06, -cell * 0.06, -cell * 0.06))
        painter.setPen(filled_pen if is_filled else outline_pen)
        painter.setBrush(fill if is_filled else blank)
        painter.drawPath(path)
    painter.restore()


class IconGrid(QWidget):
    """The 100 figures alone, drawn to fill the widget (it keeps them square)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._array = icon_array(0)
        self._colour = BENEFIT_COLOUR
        self._side = DEFAULT_SIDE
        self.setMinimumSize(MINIMUM_SIDE, MINIMUM_SIDE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    @property
    def array(self) -> IconArray:
        return self._array

    @property
    def colour(self) -> str:
        return self._colour

    def show_array(self, array: IconArray, colour: str) -> None:
        """Draw ``array`` with its filled figures in ``colour``."""
        self._array = array
        self._colour = colour
        self.update()

    def set_side(self, side: int) -> None:
        """The side the drawing asks for (the layout may give it more or less)."""
        self._side = max(MINIMUM_SIDE, side)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        return QSize(self._side, self._side)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            paint_icon_array(painter, QRectF(self.rect()), self._array, self._colour)
        finally:
            painter.end()


class IconArrayView(QWidget):
    """One benefit or risk: its 100 figures with the number written out beside them.

    Screen readers hear the same words as are written: "40 in 100 people have less pain".
    """

    def __init__(
        self,
        per_100: int,
        text: str,
        kind: str = "benefit",
        time_frame: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.grid = IconGrid(self)
        self.words = QLabel(self)
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        self.words.setProperty("role", "iconWords")
        self.time_frame = QLabel(self)
        self.time_frame.setWordWrap(True)
        self.time_frame.setTextFormat(Qt.TextFormat.PlainText)
        self.time_frame.setProperty("role", "hint")
        beside = QVBoxLayout()
        beside.setContentsMargins(0, 0, 0, 0)
        beside.setSpacing(2)
        beside.addWidget(self.words)
        beside.addWidget(self.time_frame)
        beside.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.grid, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(beside, 1)
        self.per_100 = 0
        self.kind = kind
        self.show_number(per_100, text, kind, time_frame)

    def show_number(self, per_100: int, text: str, kind: str, time_frame: str = "") -> None:
        """Show "``per_100`` in 100 people ``text``" as figures and words."""
        self.per_100 = per_100
        self.kind = kind
        sentence = in_100_words(per_100, text)
        self.grid.show_array(icon_array(per_100), colour_for(kind))
        self.words.setText(sentence)
        self.time_frame.setText(time_frame)
        self.time_frame.setVisible(bool(time_frame))
        # A screen reader hears the number, what happens and when, as the eye reads them.
        heard = f"{sentence}, {time_frame}" if time_frame else sentence
        picture = self.tr("A picture of 100 people, {n} of them coloured in.").format(n=per_100)
        for widget in (self, self.grid):
            widget.setAccessibleName(heard)
            widget.setAccessibleDescription(picture)

    @property
    def sentence(self) -> str:
        """The words written beside the figures."""
        return self.words.text()

    def set_side(self, side: int) -> None:
        """How large the figures are drawn (pixels a side)."""
        self.grid.set_side(side)
        self.grid.setFixedSize(max(MINIMUM_SIDE, side), max(MINIMUM_SIDE, side))
