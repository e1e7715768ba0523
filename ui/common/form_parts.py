"""Small pieces of a bedside form: typed dates, times and numbers read from text, yes/no pairs."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QWidget,
)

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2}|[A-Za-z]{3})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def _tr(text: str) -> str:
    return QCoreApplication.translate("FormParts", text)


class NotValid(ValueError):
    """Text that does not read as the value asked for; ``words`` say what to type."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


def read_date(text: str) -> date | None:
    """A date typed as 05/03/2026, 5-Mar-2026 or 2026-03-05; None for nothing typed.

    Raises:
        NotValid: for text that is not a date.
    """
    text = text.strip()
    if not text:
        return None
    try:
        iso = _ISO.match(text)
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        found = _DAY_MONTH_YEAR.match(text)
        if found:
            month_text = found[2].lower()
            month = _MONTHS.index(month_text) + 1 if month_text.isalpha() else int(month_text)
            return date(int(found[3]), month, int(found[1]))
    except ValueError:
        pass
    raise NotValid(_tr("Enter a date as day/month/year, for example 05/03/2026."))


def read_time(day_text: str, time_text: str) -> datetime | None:
    """A date and a time of day (24-hour, 14:30); None when neither is typed.

    Raises:
        NotValid: for a date or time that cannot be read, or a time with no date.
    """
    day = read_date(day_text)
    clock = time_text.strip()
    if day is None:
        if clock:
            raise NotValid(_tr("Enter the date as well as the time."))
        return None
    if not clock:
        return datetime(day.year, day.month, day.day)
    found = _TIME.match(clock)
    if found and int(found[1]) < 24 and int(found[2]) < 60:
        return datetime(day.year, day.month, day.day, int(found[1]), int(found[2]))
    raise NotValid(_tr("Enter the time as hours and minutes, for example 14:30."))


def read_number(text: str, *, whole: bool = False) -> float | None:
    """A number typed (a comma taken as a decimal point); None for nothing typed.

    Raises:
        NotValid: for text that is not a number.
    """
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text) if not whole else float(int(text))
    except ValueError:
        raise NotValid(
            _tr("Enter a whole number.") if whole else _tr("Enter a number, for example 1.5.")
        ) from None
    if not math.isfinite(value):
        raise NotValid(_tr("Enter a number, for example 1.5."))
    return value


def date_text(value: date | None) -> str:
    """A date as the form shows it (day/month/year); "" for none."""
    return value.strftime("%d/%m/%Y") if value is not None else ""


def number_text(value: float | int | None) -> str:
    """A number as the form shows it, with no trailing zeros; "" for none."""
    return f"{value:g}" if value is not None else ""


def combo(name: str, items: Sequence[tuple[str, object]], placeholder: str) -> QComboBox:
    """A drop-down of (words, value) with a first entry meaning "nothing chosen" (None)."""
    box = QComboBox()
    box.setAccessibleName(name)
    # Long names are shown in full in the open list; the closed box stays narrow.
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(14)
    box.addItem(placeholder, None)
    for words, value in items:
        box.addItem(words, value)
    return box


def wrapped_tick(words: str) -> tuple[QWidget, QCheckBox]:
    """A tick box whose words wrap to the width given (a plain QCheckBox never wraps)."""
    box = QCheckBox()
    box.setAccessibleName(words)
    text = QLabel(words)
    text.setWordWrap(True)
    text.setBuddy(box)
    # Clicking the words ticks the box, as clicking a tick box's own text does.
    text.mousePressEvent = lambda _event: box.toggle()  # type: ignore[method-assign]
    line = QWidget()
    row = QHBoxLayout(line)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
    row.addWidget(text, 1)
    return line, box


def choose(box: QComboBox, value: object) -> None:
    """Show ``value`` as chosen (the placeholder when it is not offered)."""
    for index in range(box.count()):
        if box.itemData(index) == value:
            box.setCurrentIndex(index)
            return
    box.setCurrentIndex(0)


class YesNo(QWidget):
    """One checklist question answered yes or no; nothing chosen at first."""

    changed = Signal()

    def __init__(self, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.yes = QRadioButton(_tr("Yes"))
        self.no = QRadioButton(_tr("No"))
        self.yes.setAccessibleName(_tr("{question}: yes").format(question=question))
        self.no.setAccessibleName(_tr("{question}: no").format(question=question))
        self.group = QButtonGroup(self)
        self.group.addButton(self.yes)
        self.group.addButton(self.no)
        self.group.buttonToggled.connect(lambda _button, _on: self.changed.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.yes)
        layout.addWidget(self.no)
        layout.addStretch(1)

    def answer(self) -> str | None:
        if self.yes.isChecked():
            return "yes"
        if self.no.isChecked():
            return "no"
        return None

    def set_answer(self, answer: str | None) -> None:
        self.group.setExclusive(False)
        self.yes.setChecked(answer == "yes")
        self.no.setChecked(answer == "no")
        self.group.setExclusive(True)
