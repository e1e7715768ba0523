"""The parts of the one screening: a question asked once, a screen's outcome, the live alarm."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.red_flags.rules import Answer, Level, Question, RedFlagScreen
from clinic_app.domains.red_flags.views import EarlierAnswer, ScreeningView
from ui.common.widgets import label, set_role
from ui.domains.red_flags.screening.view_model import ScreenOutcome

LEVEL_WORDS = {
    Level.EMERGENCY: "Emergency: act now",
    Level.URGENT: "Urgent",
    Level.ROUTINE_WATCH: "No emergency found; keep watching",
    Level.INCOMPLETE: "Incomplete: questions not asked could still hide a red flag",
    Level.CLEAR: "Clear",
}

_ABBREVIATION = re.compile(r"\(([A-Z]{2,5})\)\s*$")
_PREFIXES = ("Suspected ", "Possible ")

_LIVE_STYLE = """
QFrame#liveEmergency { background: #D5281B; border: none; border-radius: 4px; }
QFrame#liveEmergency QLabel { color: #FFFFFF; background: transparent; }
QLabel#liveEmergencyTitle { font-size: 13pt; font-weight: 700; }
"""


def short_name(screen: RedFlagScreen) -> str:
    """A screen's name for a list: its abbreviation, else its title without "Suspected"."""
    found = _ABBREVIATION.search(screen.title)
    if found:
        return found.group(1)
    title = screen.title
    for prefix in _PREFIXES:
        if title.startswith(prefix):
            title = title[len(prefix) :]
            return title[:1].lower() + title[1:]
    return title


def brief(text: str, limit: int = 90) -> str:
    """A question shortened to its first words, for a list of what is still to ask."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


class QuestionRow(QFrame):
    """One question, asked once for every screen that reads it: Yes, No or Not asked."""

    answered = Signal(str, str)

    def __init__(self, question: Question, asked_for: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("questionRow")
        self.code = question.code
        self.buttons: dict[Answer, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 8)
        layout.setSpacing(3)
        self.text = label(question.text, "fieldLabel", wrap=True)
        layout.addWidget(self.text)
        if question.help:
            layout.addWidget(label(question.help, "hint", wrap=True))
        radios = QHBoxLayout()
        radios.setSpacing(18)
        group = QButtonGroup(self)
        for answer, text in (
            (Answer.YES, self.tr("Yes")),
            (Answer.NO, self.tr("No")),
            (Answer.NOT_ASKED, self.tr("Not asked")),
        ):
            radio = QRadioButton(text)
            radio.setObjectName(f"{question.code}_{answer.value}")
            radio.setAccessibleName(f"{question.text} {text}")
            radio.setChecked(answer is Answer.NOT_ASKED)
            radio.toggled.connect(
                lambda checked, value=answer: self._on_radio_toggled(checked, value)
            )
            group.addButton(radio)
            self.buttons[answer] = radio
            radios.addWidget(radio)
        radios.addStretch(1)
        layout.addLayout(radios)
        self.asked_for = label(asked_for, "hint", wrap=True)
        # Into the layout first: a widget shown before it has a parent becomes a window.
        layout.addWidget(self.asked_for)
        self.asked_for.setVisible(bool(asked_for))
        self.earlier = label("", "hint", wrap=True)
        self.earlier.setObjectName("earlierAnswer")
        self.earlier.setVisible(False)
        layout.addWidget(self.earlier)

    def _on_radio_toggled(self, checked: bool, value: Answer) -> None:
        if checked:
            self.answered.emit(self.code, value.value)

    def answer(self) -> Answer:
        return next(a for a, radio in self.buttons.items() if radio.isChecked())

    def set_answer(self, answer: Answer) -> None:
        self.buttons[answer].setChecked(True)

    def show_earlier(self, earlier: EarlierAnswer | None) -> None:
        """Say where an answer offered from earlier in the visit came from."""
        if earlier is None:
            self.earlier.setVisible(False)
            return
        when = earlier.recorded_at.astimezone().strftime("%H:%M")
        words = self.tr("Yes") if earlier.answer == Answer.YES.value else self.tr("No")
        self.earlier.setText(
            self.tr(
                "Answered {answer} earlier in this visit ({time}); change it if it has changed."
            ).format(answer=words, time=when)
        )
        self.earlier.setVisible(True)


class OutcomeRow(QFrame):
    """One screen's outcome: as the answers stand now, and as recorded."""

    action_requested = Signal(object)

    def __init__(self, screen: RedFlagScreen, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomeRow")
        self.screen_id = screen.screen_id
        self._screening_id: uuid.UUID | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 8)
        layout.setSpacing(2)
        layout.addWidget(label(screen.title, "fieldLabel", wrap=True))
        self.level = label("", wrap=True)
        self.level.setObjectName("outcomeLevel")
        layout.addWidget(self.level)
        self.required = label("", wrap=True)
        self.required.setObjectName("requiredAction")
        self.required.setVisible(False)
        layout.addWidget(self.required)
        self.missing = label("", "hint", wrap=True)
        self.missing.setVisible(False)
        layout.addWidget(self.missing)
        self.recorded = label("", "hint", wrap=True)
        self.recorded.setVisible(False)
        layout.addWidget(self.recorded)
        self.action_button = QPushButton(self.tr("Record the action taken…"))
        self.action_button.setVisible(False)
        self.action_button.clicked.connect(lambda: self.action_requested.emit(self._screening_id))
        row = QHBoxLayout()
        row.addWidget(self.action_button)
        row.addStretch(1)
        layout.addLayout(row)

    def show_outcome(self, outcome: ScreenOutcome, missing_words: list[str]) -> None:
        level = outcome.live.level
        self.level.setText(self.tr(LEVEL_WORDS[level]))
        self.level.setStyleSheet(
            "font-weight: 700; color: #D5281B;" if level is Level.EMERGENCY else "font-weight: 700;"
        )
        required = list(dict.fromkeys(action.text for action in outcome.live.actions))
        self.required.setText("\n".join(f"•  {text}" for text in required))
        self.required.setVisible(bool(required))
        shown = [f"•  {brief(words, 70)}" for words in missing_words[:3]]
        if len(missing_words) > len(shown):
            shown.append(
                self.tr("and {count} more of its questions").format(
                    count=len(missing_words) - len(shown)
                )
            )
        self.missing.setText(self.tr("Still to ask:") + "\n" + "\n".join(shown))
        self.missing.setVisible(bool(missing_words))
        recorded = outcome.recorded
        self._screening_id = recorded.id if recorded is not None else None
        if recorded is None:
            self.recorded.setVisible(False)
            self.action_button.setVisible(False)
            return
        when = recorded.recorded_at.astimezone().strftime("%H:%M")
        if outcome.pending:
            words = self.tr(
                "Recorded at {time} as: {level}. The answers changed since: record again."
            )
            words = words.format(time=when, level=self.tr(LEVEL_WORDS[recorded.level]))
        else:
            words = self.tr("Recorded at {time}").format(time=when)
        self.recorded.setText(words)
        self.recorded.setVisible(True)
        self.action_button.setVisible(
            recorded.level in (Level.EMERGENCY, Level.URGENT) or recorded.unresolved
        )


class LiveEmergency(QFrame):
    """Said as soon as the answers show an emergency, before anything is recorded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveEmergency")
        self.setStyleSheet(_LIVE_STYLE)
        self.setAccessibleName(self.tr("Red flag emergency found"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        self.title = label("", wrap=True)
        self.title.setObjectName("liveEmergencyTitle")
        layout.addWidget(self.title)
        self.lines = label("", wrap=True)
        layout.addWidget(self.lines)
        layout.addWidget(
            label(self.tr("Record the screening now; then record the action taken."), wrap=True)
        )

    def show_emergencies(self, outcomes: list[ScreenOutcome]) -> None:
        found = [o for o in outcomes if o.live.level is Level.EMERGENCY and o.pending]
        self.setVisible(bool(found))
        if not found:
            return
        names = ", ".join(o.screen.title for o in found)
        self.title.setText(self.tr("EMERGENCY: {names}").format(names=names))
        texts = dict.fromkeys(
            action.text
            for o in found
            for action in o.live.actions
            if action.outcome.value == Level.EMERGENCY.value
        )
        self.lines.setText("\n".join(f"•  {text}" for text in texts))

    def text(self) -> str:
        return f"{self.title.text()} {self.lines.text()}"


_LEVEL_WORDS = {
    Level.EMERGENCY: "Emergency",
    Level.URGENT: "Urgent",
    Level.ROUTINE_WATCH: "Routine watch",
    Level.INCOMPLETE: "Incomplete",
    Level.CLEAR: "Clear",
}
_ANSWER_WORDS = {"yes": "Yes", "no": "No", "not_asked": "Not asked"}


class RecordedScreeningPanel(QFrame):
    """A screening recorded earlier, read from the timeline: what was asked, what was found."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.title = label("", "subheading", wrap=True)
        self.body = label("", None, wrap=True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.hide)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 12, 20, 12)
        layout.addLayout(top)
        layout.addWidget(self.body)
        self.hide()

    def show_screening(
        self, screening: ScreeningView | None, question_words: Callable[[str], str]
    ) -> None:
        """Show ``screening`` (None hides the panel)."""
        if screening is None:
            self.hide()
            return
        local = screening.recorded_at.astimezone()
        self.title.setText(
            self.tr("Recorded {when}: {title}").format(
                when=f"{local:%d-%b-%Y %H:%M}", title=screening.screen_title
            )
        )
        lines = [
            self.tr("Outcome: {level}").format(
                level=_LEVEL_WORDS.get(screening.level, str(screening.level))
            )
        ]
        if screening.resolution is not None:
            lines.append(
                self.tr("Action recorded: {action}").format(
                    action=str(screening.resolution.action).replace("_", " ")
                )
            )
        elif screening.needs_action:
            lines.append(self.tr("No action recorded yet."))
        for code, answer in screening.answers.items():
            lines.append(f"{question_words(code)} — {_ANSWER_WORDS.get(answer, answer)}")
        self.body.setText("\n".join(lines))
        self.show()
