"""The conversation page: everything the patient reads and answers for one aid."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.decisions.content import (
    UNDECIDED,
    DecisionAid,
    SdmMeasure,
)
from ui.common.widgets import label
from ui.domains.decisions.consultation.parts import (
    PATIENT_FACING_STYLE,
    CollaborateAnswers,
    MattersRatings,
    OptionOutcomes,
    OptionsGrid,
)
from ui.domains.decisions.consultation.view_model import (
    DECISION_MAKERS,
    PARTICIPANT_ROLES,
    Conversation,
)

_TEXT_LINES = 3

_ROLE_WORDS = {
    "carer": "&Carer",
    "interpreter": "&Interpreter",
    "family": "&Family member",
    "other": "Someone &else",
}
#: Who made the decision, in words (the record keeps the code).
MAKER_WORDS = {
    "patient": "The patient",
    "patient_and_carer": "The patient with their carer",
    "shared_with_clinician": "The patient and clinician together",
}


def _words(text: str, role: str | None = None) -> QLabel:
    made = label(text, role, wrap=True)
    made.setTextFormat(Qt.TextFormat.PlainText)
    return made


def _text_box(name: str, lines: int = _TEXT_LINES) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 24)
    return box


class ConversationPage(QWidget):
    """Everything the patient reads and answers for one aid, top to bottom, in large type."""

    changed = Signal()

    def __init__(
        self, aid: DecisionAid, measure: SdmMeasure, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patientFacing")
        self.setStyleSheet(PATIENT_FACING_STYLE)
        self.aid = aid
        #: What the page shows but does not edit, kept as it was stored.
        self._kept = Conversation()
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 16, 16)
        column.setSpacing(12)

        column.addWidget(_words(aid.title, "heading"))
        for sentence in aid.condition:
            column.addWidget(_words(sentence))
        column.addWidget(_words(self.tr("This is for: {who}").format(who=aid.for_whom), "hint"))
        self.question = _words(aid.question, "question")
        column.addWidget(self.question)

        column.addWidget(_words(self.tr("Your options side by side"), "heading"))
        self.grid = OptionsGrid(aid)
        column.addWidget(self.grid)

        column.addWidget(_words(self.tr("What could happen with each option"), "heading"))
        column.addWidget(
            _words(
                self.tr(
                    "Each picture shows 100 people like you. The filled figures are the people "
                    "the words are about."
                ),
                "hint",
            )
        )
        self.outcomes = [OptionOutcomes(option) for option in aid.options]
        for part in self.outcomes:
            column.addWidget(part)

        column.addWidget(_words(self.tr("What matters to you"), "heading"))
        column.addWidget(
            _words(
                self.tr("Move each slider to show how much it matters to you, from 0 to 10."),
                "hint",
            )
        )
        self.matters = MattersRatings(aid)
        column.addWidget(self.matters)

        column.addWidget(_words(self.tr("Your choice"), "heading"))
        column.addLayout(self._choice_part())
        column.addWidget(_words(self.tr("Your questions and who was here"), "heading"))
        column.addLayout(self._people_part())
        column.addWidget(_words(self.tr("At the end: how was this conversation?"), "heading"))
        self.collaborate = CollaborateAnswers(measure)
        column.addWidget(self.collaborate)
        self.hand_over_button = QPushButton(self.tr("Hand the device to the patient to answer"))
        row = QHBoxLayout()
        row.addWidget(self.hand_over_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(1)
        self._connect()

    # ------------------------------------------------------------------ building

    def _choice_part(self) -> QGridLayout:
        aid = self.aid
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        self.leaning = QComboBox()
        self.leaning.addItem(self.tr("No leaning yet"), "")
        for option in aid.options:
            self.leaning.addItem(option.title, option.id)
        self.leaning.setAccessibleName(self.tr("Leaning towards, as we talk"))
        leaning_label = _words(self.tr("&Leaning towards, as we talk"), "fieldLabel")
        leaning_label.setTextFormat(Qt.TextFormat.AutoText)
        leaning_label.setBuddy(self.leaning)
        self.leaning.setMaximumWidth(560)
        grid.addWidget(leaning_label, 0, 0)
        grid.addWidget(self.leaning, 0, 1)

        choice_label = _words(self.tr("Final c&hoice"), "fieldLabel")
        choice_label.setTextFormat(Qt.TextFormat.AutoText)
        grid.addWidget(choice_label, 1, 0, Qt.AlignmentFlag.AlignTop)
        self.choices = QButtonGroup(self)
        self.choice_buttons: dict[str, QRadioButton] = {}
        box = QVBoxLayout()
        box.setSpacing(4)
        for option in aid.options:
            button = QRadioButton(option.title.replace("&", "&&"))
            button.setAccessibleName(self.tr("Choose: {option}").format(option=option.title))
            self.choices.addButton(button)
            self.choice_buttons[option.id] = button
            box.addWidget(button)
        undecided = QRadioButton(self.tr("Not decided yet — I will think about it"))
        undecided.setAccessibleName(self.tr("Not decided yet — I will think about it"))
        self.choices.addButton(undecided)
        self.choice_buttons[UNDECIDED] = undecided
        box.addWidget(undecided)
        choice_label.setBuddy(next(iter(self.choice_buttons.values())))
        grid.addLayout(box, 1, 1)
        self.choice_problem = _words("", "fieldError")
        self.choice_problem.hide()
        grid.addWidget(self.choice_problem, 2, 1)

        self.choice_words = _text_box(self.tr("Why, in the patient's own words"))
        why_label = _words(self.tr("&Why, in your own words"), "fieldLabel")
        why_label.setTextFormat(Qt.TextFormat.AutoText)
        why_label.setBuddy(self.choice_words)
        grid.addWidget(why_label, 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.choice_words, 3, 1)
        grid.setColumnStretch(1, 1)
        return grid

    def _people_part(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        self.questions = _text_box(self.tr("The patient's questions"))
        questions_label = _words(self.tr("Your &questions"), "fieldLabel")
        questions_label.setTextFormat(Qt.TextFormat.AutoText)
        questions_label.setBuddy(self.questions)
        grid.addWidget(questions_label, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.questions, 0, 1, 1, 3)

        grid.addWidget(_words(self.tr("Who else took part"), "fieldLabel"), 1, 0)
        #: What the patient's record says about an interpreter (hidden when it says nothing).
        self.record_language = _words("", "hint")
        self.record_language.hide()
        grid.addWidget(self.record_language, 1, 1, 1, 3)
        self.people: dict[str, tuple[QCheckBox, QLineEdit]] = {}
        for row, role in enumerate(PARTICIPANT_ROLES, start=2):
            tick = QCheckBox(self.tr(_ROLE_WORDS[role]))
            name = QLineEdit()
            name.setMaxLength(120)
            name.setPlaceholderText(self.tr("Name"))
            plain = _ROLE_WORDS[role].replace("&", "")
            tick.setAccessibleName(self.tr("{role} took part").format(role=plain))
            name.setAccessibleName(self.tr("{role}'s name").format(role=plain))
            name.setEnabled(False)
            tick.toggled.connect(name.setEnabled)
            self.people[role] = (tick, name)
            grid.addWidget(tick, row, 0)
            grid.addWidget(name, row, 1)
        self.language = QLineEdit()
        self.language.setMaxLength(80)
        self.language.setPlaceholderText(self.tr("Language"))
        self.language.setAccessibleName(self.tr("Interpreter's language"))
        self.language.setEnabled(False)
        self.people["interpreter"][0].toggled.connect(self.language.setEnabled)
        language_row = 2 + PARTICIPANT_ROLES.index("interpreter")
        language_label = _words(self.tr("Lan&guage"), "fieldLabel")
        language_label.setTextFormat(Qt.TextFormat.AutoText)
        language_label.setBuddy(self.language)
        grid.addWidget(language_label, language_row, 2)
        grid.addWidget(self.language, language_row, 3)
        self.language_problem = _words("", "fieldError")
        self.language_problem.hide()
        grid.addWidget(self.language_problem, language_row + 1, 3)

        self._add_agreement(grid, 2 + len(PARTICIPANT_ROLES) + 1)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 1)
        return grid

    def show_record_language(self, language: str) -> None:
        """Say that the patient's record asks for an interpreter in ``language`` ("": not)."""
        self.record_language.setText(
            self.tr("The patient's record says they need an interpreter: {language}.").format(
                language=language
            )
            if language
            else ""
        )
        self.record_language.setVisible(bool(language))

    def _add_agreement(self, grid: QGridLayout, after: int) -> None:
        """Teach-back, and who made the decision, under the people who took part."""
        self.teach_back = QCheckBox(
            self.tr("&Teach-back: the patient said the options back in their own words")
        )
        self.teach_back.setAccessibleName(self.tr("Teach-back confirmed"))
        grid.addWidget(self.teach_back, after, 0, 1, 4)
        self.decision_maker = QComboBox()
        self.decision_maker.addItem(self.tr("Choose who decided"), "")
        for maker in DECISION_MAKERS:
            self.decision_maker.addItem(self.tr(MAKER_WORDS[maker]), maker)
        self.decision_maker.setAccessibleName(self.tr("Who made the decision"))
        maker_label = _words(self.tr("Who &made the decision"), "fieldLabel")
        maker_label.setTextFormat(Qt.TextFormat.AutoText)
        maker_label.setBuddy(self.decision_maker)
        grid.addWidget(maker_label, after + 1, 0)
        grid.addWidget(self.decision_maker, after + 1, 1)

    def _connect(self) -> None:
        self.grid.discussed_changed.connect(self.changed)
        self.matters.changed.connect(self.changed)
        self.leaning.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.choices.buttonToggled.connect(lambda _b, on: self.changed.emit() if on else None)
        for box in (self.choice_words, self.questions):
            box.textChanged.connect(self.changed)
        for tick, name in self.people.values():
            tick.toggled.connect(lambda _on: self.changed.emit())
            name.textChanged.connect(lambda _t: self.changed.emit())
        self.language.textChanged.connect(lambda _t: self.changed.emit())
        self.teach_back.toggled.connect(lambda _on: self.changed.emit())
        self.collaborate.changed.connect(self.changed)
        self.decision_maker.currentIndexChanged.connect(lambda _i: self.changed.emit())

    # ------------------------------------------------------------------ reading and showing

    def focus_chain(self) -> list[QWidget]:
        """The page's controls in reading order, for Tab."""
        chain: list[QWidget] = list(self.grid.discussed.values())
        chain += list(self.matters.sliders.values())
        chain.append(self.leaning)
        chain += list(self.choice_buttons.values())
        chain += [self.choice_words, self.questions]
        for role, (tick, name) in self.people.items():
            chain += [tick, name]
            if role == "interpreter":
                chain.append(self.language)
        chain += [self.teach_back, self.decision_maker, *self.collaborate.sliders]
        chain.append(self.hand_over_button)
        return chain

    def values(self) -> Conversation:
        """What the form holds now."""
        choice = next(
            (key for key, button in self.choice_buttons.items() if button.isChecked()), None
        )
        leaning = self.leaning.currentData()
        participants = tuple(
            (role, name.text().strip())
            for role, (tick, name) in self.people.items()
            if tick.isChecked()
        )
        interpreter = self.people["interpreter"][0].isChecked()
        return Conversation(
            options_discussed=self.grid.options_discussed(),
            ratings=self.matters.ratings(),
            leaning=leaning if isinstance(leaning, str) and leaning else None,
            choice=choice,
            choice_words=self.choice_words.toPlainText(),
            questions=self.questions.toPlainText(),
            participants=participants,
            interpreter_language=self.language.text().strip() if interpreter else "",
            teach_back=self.teach_back.isChecked(),
            decision_maker=str(self.decision_maker.currentData() or "") or None,
            collaborate=self.collaborate.answers(),
            sdm_q9=self._kept.sdm_q9,
        )

    def show_values(self, values: Conversation) -> None:
        """Fill the form from stored values (no change is signalled)."""
        self.blockSignals(True)
        try:
            self.grid.show_discussed(values.options_discussed)
            self.matters.show_ratings(values.ratings)
            index = self.leaning.findData(values.leaning or "")
            self.leaning.setCurrentIndex(max(index, 0))
            self.choices.setExclusive(False)
            for key, button in self.choice_buttons.items():
                button.setChecked(key == values.choice)
            self.choices.setExclusive(True)
            if self.choice_words.toPlainText() != values.choice_words:
                self.choice_words.setPlainText(values.choice_words)
            if self.questions.toPlainText() != values.questions:
                self.questions.setPlainText(values.questions)
            named = dict(values.participants)
            for role, (tick, name) in self.people.items():
                tick.setChecked(role in named)
                name.setText(named.get(role, ""))
            self.language.setText(values.interpreter_language)
            self.teach_back.setChecked(values.teach_back)
            self._kept = values
            self.collaborate.show_answers(values.collaborate)
            index = self.decision_maker.findData(values.decision_maker or "")
            self.decision_maker.setCurrentIndex(max(index, 0))
        finally:
            self.blockSignals(False)

    def set_read_only(self, read_only: bool) -> None:
        self.grid.set_read_only(read_only)
        self.matters.set_read_only(read_only)
        for widget in (self.leaning, self.decision_maker, self.teach_back):
            widget.setEnabled(not read_only)
        for button in self.choice_buttons.values():
            button.setEnabled(not read_only)
        for box in (self.choice_words, self.questions):
            box.setReadOnly(read_only)
        for tick, name in self.people.values():
            tick.setEnabled(not read_only)
            name.setReadOnly(read_only)
        self.language.setReadOnly(read_only)
        self.collaborate.set_read_only(read_only)
        self.hand_over_button.setVisible(not read_only)

    def show_field_errors(self, messages: Mapping[str, str]) -> None:
        for key, problem in (
            ("choice", self.choice_problem),
            ("interpreter_language", self.language_problem),
        ):
            text = messages.get(key, "")
            problem.setText(text)
            problem.setVisible(bool(text))
