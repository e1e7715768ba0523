"""Choosing the patient's completed questionnaires that count at one time of a course."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QVBoxLayout, QWidget

from clinic_app.domains.shockwave.views import OutcomeChange
from ui.common import formatting
from ui.common.form_parts import choose, combo
from ui.common.widgets import label
from ui.domains.shockwave.course.outcomes import ResponseChoice


def _tr(text: str) -> str:
    return QCoreApplication.translate("OutcomeChoices", text)


def change_text(change: OutcomeChange) -> str:
    """A closed course's scores before -> after, a line each, pain first.

    Each questionnaire says which way is better for it, when the questionnaire engine knows.
    """
    lines = [_tr("Before -> after the course:")]
    for item in change.changes:
        if item.measure == "pain_nrs":
            lines.append(_tr("Pain (0-10): {change}").format(change=item.words))
            continue
        line = _tr("{measure}: {change}").format(
            measure=item.title or item.measure, change=item.words
        )
        if item.higher_is_better is not None:
            better = (
                _tr("(higher scores are better)")
                if item.higher_is_better
                else _tr("(lower scores are better)")
            )
            line = f"{line} {better}"
        lines.append(line)
    return "\n".join(lines)


class OutcomeChoices(QWidget):
    """The questionnaires counted at one time ("before the course", "at follow-up").

    At most one response a measure counts; a response chosen earlier that is no longer offered
    (not a questionnaire the app ships) is kept as it was.
    """

    changed = Signal()

    def __init__(self, when: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._when = when
        self.boxes: dict[str, QComboBox] = {}
        self._titles: dict[str, str] = {}
        self._kept: tuple[uuid.UUID, ...] = ()
        self.none_words = label(
            self.tr("No completed questionnaire is on record for this patient."), "hint", wrap=True
        )
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(20)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.none_words)
        layout.addLayout(self.grid)

    def set_choices(self, choices: Sequence[ResponseChoice], chosen: Iterable[uuid.UUID]) -> None:
        """Offer ``choices`` (one drop-down a measure) with ``chosen`` shown as chosen."""
        picked = tuple(chosen)
        self._clear()
        measures: dict[str, list[ResponseChoice]] = {}
        for choice in choices:
            measures.setdefault(choice.questionnaire_id, []).append(choice)
        for index, (measure, offered) in enumerate(measures.items()):
            title = offered[0].title
            box = combo(
                self.tr("{measure} {when}").format(measure=title, when=self._when),
                [(self._words(c), str(c.id)) for c in offered],
                self.tr("Not counted"),
            )
            mine = next((c.id for c in offered if c.id in picked), None)
            choose(box, str(mine) if mine is not None else None)
            box.currentIndexChanged.connect(lambda _index: self.changed.emit())
            # The measure's name under the field's own label, in plain type.
            name = label(title, None, wrap=True)
            name.setBuddy(box)
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(3)
            column.addWidget(name)
            column.addWidget(box)
            self.grid.addWidget(cell, index // 2, index % 2)
            self.boxes[measure] = box
            self._titles[measure] = title
        offered_ids = {c.id for c in choices}
        self._kept = tuple(r for r in picked if r not in offered_ids)
        self.none_words.setVisible(not measures)

    def chosen(self) -> tuple[uuid.UUID, ...]:
        """The responses counted: one a measure as chosen, and any kept from before."""
        picked = [uuid.UUID(value) for box in self.boxes.values() if (value := box.currentData())]
        return (*picked, *self._kept)

    def choice_words(self) -> list[str]:
        """What each drop-down shows, e.g. "MSK-HQ: 3 March 2027, total 28" (for tests)."""
        return [
            f"{self._titles[measure]}: {box.currentText()}" for measure, box in self.boxes.items()
        ]

    def offered(self, measure: str) -> list[str]:
        """The words of every response offered for ``measure`` (the first means none)."""
        box = self.boxes.get(measure)
        return [box.itemText(i) for i in range(box.count())] if box is not None else []

    def pick(self, response: uuid.UUID) -> None:
        """Show ``response`` as chosen in its measure's drop-down."""
        for box in self.boxes.values():
            if box.findData(str(response)) >= 0:
                choose(box, str(response))
                return
        raise KeyError(response)

    def clear(self) -> None:
        """Nothing offered and nothing chosen (another patient, or none)."""
        self._clear()
        self.none_words.setVisible(False)

    def _clear(self) -> None:
        self._kept = ()
        self.boxes = {}
        self._titles = {}
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _words(self, choice: ResponseChoice) -> str:
        return self.tr("{day}, total {total}").format(
            day=formatting.clinical_date(choice.recorded_on), total=choice.total
        )


__all__ = ["OutcomeChoices", "change_text"]
