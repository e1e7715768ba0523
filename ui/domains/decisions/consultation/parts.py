"""The parts of the conversation page: the options grid, the outcomes, and what matters."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.decisions.content import DecisionAid, Option, SdmMeasure
from ui.common.widgets import label, set_role
from ui.domains.decisions.consultation.icon_array import IconArrayView

#: How many icon arrays stand side by side under an option.
ICON_COLUMNS = 3
#: The side of each icon array on the conversation page (pixels at 100% scale).
ICON_SIDE = 130

#: The page's own look: large type for a patient reading across the desk.
PATIENT_FACING_STYLE = """
QWidget#patientFacing QLabel, QWidget#patientFacing QCheckBox,
QWidget#patientFacing QRadioButton, QWidget#patientFacing QPlainTextEdit,
QWidget#patientFacing QLineEdit, QWidget#patientFacing QComboBox { font-size: 14pt; }
QWidget#patientFacing QLabel[role="question"] {
    font-size: 19pt; font-weight: 700; color: #003087;
}
QWidget#patientFacing QLabel[role="heading"] { font-size: 17pt; font-weight: 700; }
QWidget#patientFacing QLabel[role="optionTitle"] { font-size: 15pt; font-weight: 700; }
QWidget#patientFacing QLabel[role="iconWords"] { font-size: 14pt; font-weight: 700; }
QWidget#patientFacing QLabel[role="hint"] { font-size: 12pt; color: #425563; }
QWidget#patientFacing QLabel[role="gridHead"] {
    font-size: 14pt; font-weight: 700; background: #E8F1FA; color: #003087;
    border: 1px solid #D8DDE0; padding: 8px;
}
QWidget#patientFacing QLabel[role="gridRow"] {
    font-size: 14pt; font-weight: 700; background: #F0F4F5;
    border: 1px solid #D8DDE0; padding: 8px;
}
QWidget#patientFacing QLabel[role="gridCell"] {
    font-size: 14pt; background: #FFFFFF; border: 1px solid #D8DDE0; padding: 8px;
}
QWidget#patientFacing QLabel[role="sliderValue"] { font-size: 14pt; font-weight: 700; }
"""


def _words(text: str, role: str | None = None) -> QLabel:
    """A label of plain words that wraps (never read as rich text)."""
    made = label(text, role, wrap=True)
    made.setTextFormat(Qt.TextFormat.PlainText)
    return made


class OptionsGrid(QWidget):
    """The options side by side: the patient's questions as rows, the options as columns.

    Each column's heading carries a tick for "we talked about this"; the grid wraps its
    words to the page's width, so the page never scrolls sideways.
    """

    discussed_changed = Signal()

    def __init__(self, aid: DecisionAid, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.aid = aid
        self.discussed: dict[str, QCheckBox] = {}
        self.cells: dict[tuple[str, str], QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        corner = _words(self.tr("Your questions"), "gridHead")
        grid.addWidget(corner, 0, 0)
        grid.setColumnStretch(0, 2)
        for column, option in enumerate(aid.options, start=1):
            head = QFrame(self)
            head_layout = QVBoxLayout(head)
            head_layout.setContentsMargins(0, 0, 0, 0)
            head_layout.setSpacing(0)
            title = _words(option.title, "gridHead")
            head_layout.addWidget(title, 1)
            tick = QCheckBox(self.tr("We talked about this"), head)
            tick.setChecked(True)
            tick.setAccessibleName(self.tr("We talked about: {option}").format(option=option.title))
            tick.toggled.connect(self.discussed_changed)
            head_layout.addWidget(tick)
            self.discussed[option.id] = tick
            grid.addWidget(head, 0, column)
            grid.setColumnStretch(column, 3)
        for row_number, row in enumerate(aid.rows, start=1):
            question = _words(row.text, "gridRow")
            question.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(question, row_number, 0)
            for column, option in enumerate(aid.options, start=1):
                cell = _words(option.answers.get(row.id, ""), "gridCell")
                cell.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                cell.setAccessibleName(f"{option.title}: {row.text}")
                self.cells[(row.id, option.id)] = cell
                grid.addWidget(cell, row_number, column)

    def options_discussed(self) -> tuple[str, ...]:
        return tuple(option_id for option_id, tick in self.discussed.items() if tick.isChecked())

    def show_discussed(self, option_ids: tuple[str, ...]) -> None:
        for option_id, tick in self.discussed.items():
            tick.blockSignals(True)
            tick.setChecked(option_id in option_ids)
            tick.blockSignals(False)

    def set_read_only(self, read_only: bool) -> None:
        for tick in self.discussed.values():
            tick.setEnabled(not read_only)


class OptionOutcomes(QFrame):
    """One option: what it involves, recovery, time off work, and its numbers as icon arrays."""

    def __init__(self, option: Option, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.option = option
        self.arrays: list[IconArrayView] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        layout.addWidget(_words(option.title, "optionTitle"))
        facts = QGridLayout()
        facts.setHorizontalSpacing(14)
        facts.setVerticalSpacing(4)
        for at, (heading, words) in enumerate(
            (
                (self.tr("What it involves"), option.involves),
                (self.tr("Recovery"), option.recovery),
                (self.tr("Time off work"), option.time_off_work),
            )
        ):
            facts.addWidget(_words(heading, "fieldLabel"), at, 0, Qt.AlignmentFlag.AlignTop)
            facts.addWidget(_words(words), at, 1)
        facts.setColumnStretch(1, 1)
        layout.addLayout(facts)
        if not option.outcomes:
            layout.addWidget(
                _words(self.tr("No numbers for this option: ask what is known."), "hint")
            )
            return
        arrays = QGridLayout()
        arrays.setHorizontalSpacing(18)
        arrays.setVerticalSpacing(12)
        ordered = sorted(option.outcomes, key=lambda o: 0 if o.kind == "benefit" else 1)
        for at, outcome in enumerate(ordered):
            view = IconArrayView(outcome.per_100, outcome.text, outcome.kind, outcome.time_frame)
            view.set_side(ICON_SIDE)
            self.arrays.append(view)
            arrays.addWidget(view, at // ICON_COLUMNS, at % ICON_COLUMNS)
        for column in range(ICON_COLUMNS):
            arrays.setColumnStretch(column, 1)
        layout.addLayout(arrays)


class MattersRatings(QWidget):
    """One slider per statement, 0 (does not matter to me) to 10 (matters most).

    A statement counts as rated once its slider has been moved (or it was rated before).
    """

    changed = Signal()

    def __init__(self, aid: DecisionAid, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sliders: dict[str, QSlider] = {}
        self.values: dict[str, QLabel] = {}
        self._rated: set[str] = set()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        grid.addWidget(_words(self.tr("Does not matter to me"), "hint"), 0, 1)
        most = _words(self.tr("Matters most"), "hint")
        most.setAlignment(Qt.AlignmentFlag.AlignRight)
        grid.addWidget(most, 0, 1)
        for row, matter in enumerate(aid.matters, start=1):
            words = _words(matter.text)
            slider = QSlider(Qt.Orientation.Horizontal, self)
            slider.setRange(0, 10)
            slider.setPageStep(1)
            slider.setTickPosition(QSlider.TickPosition.TicksBelow)
            slider.setTickInterval(1)
            slider.setMinimumWidth(260)
            slider.setAccessibleName(
                self.tr("How much this matters, 0 to 10: {text}").format(text=matter.text)
            )
            words.setBuddy(slider)
            value = _words(self.tr("Not rated yet"), "sliderValue")
            value.setMinimumWidth(150)
            slider.valueChanged.connect(lambda _value, key=matter.id: self._on_moved(key))
            # A key or click that leaves the value where it is (0, at the start) still answers.
            slider.actionTriggered.connect(lambda _action, key=matter.id: self._on_moved(key))
            slider.sliderPressed.connect(lambda key=matter.id: self._on_moved(key))
            self.sliders[matter.id] = slider
            self.values[matter.id] = value
            grid.addWidget(words, row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(value, row, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

    def ratings(self) -> dict[str, int]:
        return {key: slider.value() for key, slider in self.sliders.items() if key in self._rated}

    def show_ratings(self, ratings: Mapping[str, int]) -> None:
        self._rated = {key for key in ratings if key in self.sliders}
        for key, slider in self.sliders.items():
            slider.blockSignals(True)
            slider.setValue(int(ratings.get(key, 0)))
            slider.blockSignals(False)
            self._show_value(key)

    def set_read_only(self, read_only: bool) -> None:
        for slider in self.sliders.values():
            slider.setEnabled(not read_only)

    def _on_moved(self, key: str) -> None:
        self._rated.add(key)
        self._show_value(key)
        self.changed.emit()

    def _show_value(self, key: str) -> None:
        slider = self.sliders[key]
        if key in self._rated:
            words = self.tr("{value} out of 10").format(value=slider.value())
        else:
            words = self.tr("Not rated yet")
        self.values[key].setText(words)
        slider.setAccessibleDescription(words)


class CollaborateAnswers(QFrame):
    """CollaboRATE, asked of the patient at the end: three questions, each 0 to 9.

    An item counts as answered once its slider has been moved (or it was answered before);
    the three are kept together, with None for one not answered.
    """

    changed = Signal()

    def __init__(self, measure: SdmMeasure, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.measure = measure
        self.sliders: list[QSlider] = []
        self.values: list[QLabel] = []
        self._answered: set[int] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        layout.addWidget(_words(measure.introduction))
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        low = _words(f"0: {measure.scale.min_label}", "hint")
        high = _words(f"{measure.scale.max}: {measure.scale.max_label}", "hint")
        high.setAlignment(Qt.AlignmentFlag.AlignRight)
        grid.addWidget(low, 0, 1)
        grid.addWidget(high, 0, 1)
        for row, item in enumerate(measure.items, start=1):
            words = _words(item.text)
            slider = QSlider(Qt.Orientation.Horizontal, self)
            slider.setRange(measure.scale.min, measure.scale.max)
            slider.setPageStep(1)
            slider.setTickPosition(QSlider.TickPosition.TicksBelow)
            slider.setTickInterval(1)
            slider.setMinimumWidth(260)
            slider.setAccessibleName(
                self.tr("{text} From {low} to {high}").format(
                    text=item.text, low=measure.scale.min, high=measure.scale.max
                )
            )
            words.setBuddy(slider)
            value = _words(self.tr("Not answered"), "sliderValue")
            value.setMinimumWidth(150)
            index = row - 1
            slider.valueChanged.connect(lambda _value, at=index: self._on_moved(at))
            # A key or click that leaves the value where it is (0, at the start) still answers.
            slider.actionTriggered.connect(lambda _action, at=index: self._on_moved(at))
            slider.sliderPressed.connect(lambda at=index: self._on_moved(at))
            self.sliders.append(slider)
            self.values.append(value)
            grid.addWidget(words, row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(value, row, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        layout.addLayout(grid)
        layout.addWidget(_words(f"{measure.title}. {measure.source}", "hint"))

    def answers(self) -> tuple[int | None, ...] | None:
        """The answers in order (None for one not given), or None when none was given."""
        if not self._answered:
            return None
        return tuple(
            slider.value() if at in self._answered else None
            for at, slider in enumerate(self.sliders)
        )

    def show_answers(self, answers: tuple[int | None, ...] | None) -> None:
        given = answers or ()
        self._answered = {at for at, value in enumerate(given) if value is not None}
        for at, slider in enumerate(self.sliders):
            value = given[at] if at < len(given) else None
            slider.blockSignals(True)
            slider.setValue(value if value is not None else self.measure.scale.min)
            slider.blockSignals(False)
            self._show_value(at)

    def set_read_only(self, read_only: bool) -> None:
        for slider in self.sliders:
            slider.setEnabled(not read_only)

    def _on_moved(self, at: int) -> None:
        self._answered.add(at)
        self._show_value(at)
        self.changed.emit()

    def _show_value(self, at: int) -> None:
        slider = self.sliders[at]
        if at in self._answered:
            words = self.tr("{value} out of {high}").format(
                value=slider.value(), high=self.measure.scale.max
            )
        else:
            words = self.tr("Not answered")
        self.values[at].setText(words)
        slider.setAccessibleDescription(words)
