"""The decision conversation, turned towards the patient: the options, the numbers, the choice."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.decisions.content import (
    UNDECIDED,
    AidCatalogue,
    DecisionAid,
    SdmMeasure,
    collaborate,
)
from clinic_app.domains.decisions.views import DecisionRecordView
from ui.common import formatting
from ui.common.widgets import ErrorSummary, NoticeBar, label, set_role
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
    DecisionViewModel,
)

_TEXT_LINES = 3

_ROLE_WORDS = {
    "carer": "&Carer",
    "interpreter": "&Interpreter",
    "family": "&Family member",
    "other": "Someone &else",
}
_MAKER_WORDS = {
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


class AidChooser(QWidget):
    """The decision aids offered: one is chosen to talk through with the patient."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = _words(
            self.tr(
                "Each aid sets out the options, including doing nothing for now, with their "
                "benefits and risks in numbers. Turn the screen towards the patient once open."
            ),
            "hint",
        )
        self.aids = QListWidget()
        self.aids.setAccessibleName(self.tr("Decision aids offered"))
        self.aids.itemActivated.connect(self._on_activated)
        caption = label(self.tr("&Decision aids"), "fieldLabel")
        caption.setBuddy(self.aids)
        self.open_button = QPushButton(self.tr("&Open aid"))
        set_role(self.open_button, "", variant="primary")
        self.open_button.clicked.connect(self._on_open)
        self.empty = _words(self.tr("No decision aids are offered on this computer."), "hint")
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(caption)
        layout.addWidget(self.aids, 1)
        layout.addWidget(self.empty)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        layout.addLayout(row)

    def show_aids(self, aids: tuple[DecisionAid, ...], due: set[str]) -> None:
        self.aids.clear()
        for aid in aids:
            words = aid.title
            if aid.id in due:
                words += self.tr("  (due for review)")
            item = QListWidgetItem(words)
            item.setData(Qt.ItemDataRole.UserRole, aid.id)
            item.setToolTip(aid.for_whom)
            self.aids.addItem(item)
        if aids:
            self.aids.setCurrentRow(0)
        self.empty.setVisible(not aids)
        self.open_button.setEnabled(bool(aids))

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _on_open(self) -> None:
        item = self.aids.currentItem()
        if item is not None:
            self._on_activated(item)


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
            self.decision_maker.addItem(self.tr(_MAKER_WORDS[maker]), maker)
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


class PatientPanel(QWidget):
    """What the patient sees while holding the device: CollaboRATE's three questions only."""

    changed = Signal()
    take_back_requested = Signal(str)

    def __init__(self, measure: SdmMeasure, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientFacing")
        self.setStyleSheet(PATIENT_FACING_STYLE)
        self.answers = CollaborateAnswers(measure)
        self.answers.changed.connect(self.changed)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaximumWidth(260)
        self.password.setAccessibleName(self.tr("Clinician's password to take the device back"))
        caption = label(self.tr("For your clinician: password to take the device &back"), "hint")
        caption.setBuddy(self.password)
        self.take_back_button = QPushButton(self.tr("Take the device back"))
        self.problem = _words("", "fieldError")
        self.problem.hide()
        self.password.returnPressed.connect(self._on_take_back)
        self.take_back_button.clicked.connect(self._on_take_back)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(_words(self.tr("A few questions about today's conversation"), "heading"))
        layout.addWidget(self.answers)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.password)
        row.addWidget(self.take_back_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.problem)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _on_take_back(self) -> None:
        password = self.password.text()
        self.password.clear()
        self.show_problem("")
        self.take_back_requested.emit(password)


class DecisionView(QWidget):
    """Choose an aid, then talk it through: kept as a draft, signed, printed to take home."""

    print_requested = Signal()

    def __init__(self, view_model: DecisionViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._loading = False
        self.page: ConversationPage | None = None
        self.title = label(self.tr("Shared decision"), "heading")
        self.state = _words("", "hint")
        self.review_banner = NoticeBar()
        self.review_banner.close_button.hide()
        self.notice = NoticeBar()
        self.summary = ErrorSummary()
        self.chooser = AidChooser()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.chooser)
        self.stack.addWidget(self.scroll_area)
        self.patient_panel = PatientPanel(collaborate())
        self.stack.addWidget(self.patient_panel)
        self._build_signing_bar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.review_banner)
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.bar_box)
        layout.addWidget(self.sign_problem)
        self._connect()
        self._show_aid(None)

    # ------------------------------------------------------------------ building

    def _build_signing_bar(self) -> None:
        self.bar_box = QWidget()
        self.save_button = QPushButton(self.tr("Save &draft"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Your password"))
        self.password.setAccessibleName(self.tr("Password to sign"))
        self.password.setMaximumWidth(220)
        self.password_label = label(self.tr("&Your password to sign"), "fieldLabel")
        self.password_label.setBuddy(self.password)
        self.sign_button = QPushButton(self.tr("Sig&n"))
        set_role(self.sign_button, "", variant="primary")
        self.print_button = QPushButton(self.tr("P&rint to take home…"))
        self.change_button = QPushButton(self.tr("Rec&ord a change of mind"))
        self.again_button = QPushButton(self.tr("Choose another &aid"))
        self.sign_problem = _words("", "fieldError")
        self.sign_problem.hide()
        self.bar_widgets: list[QWidget] = [
            self.save_button,
            self.password,
            self.sign_button,
            self.change_button,
            self.again_button,
            self.print_button,
        ]
        bar = QHBoxLayout(self.bar_box)
        bar.setContentsMargins(0, 4, 0, 0)
        bar.addWidget(self.save_button)
        bar.addWidget(self.password_label)
        bar.addWidget(self.password)
        bar.addWidget(self.sign_button)
        bar.addWidget(self.change_button)
        bar.addStretch(1)
        bar.addWidget(self.again_button)
        bar.addWidget(self.print_button)

    def _connect(self) -> None:
        vm = self._vm
        self.chooser.chosen.connect(vm.choose_aid)
        self.save_button.clicked.connect(vm.save)
        self.sign_button.clicked.connect(self._on_sign)
        self.password.returnPressed.connect(self._on_sign)
        self.print_button.clicked.connect(self.print_requested)
        self.change_button.clicked.connect(vm.change_of_mind)
        self.again_button.clicked.connect(vm.choose_again)
        vm.catalogue_changed.connect(self._show_catalogue)
        vm.aid_changed.connect(self._show_aid)
        vm.record_changed.connect(self._show_record)
        vm.saved.connect(lambda _record: self._show_state())
        vm.field_errors_changed.connect(self._show_field_errors)
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.sign_failed.connect(self._show_sign_problem)
        vm.busy_changed.connect(self.sign_button.setDisabled)
        vm.patient_mode_changed.connect(self._show_patient_mode)
        vm.hand_back_failed.connect(self.patient_panel.show_problem)
        self.patient_panel.changed.connect(self._on_patient_answered)
        self.patient_panel.take_back_requested.connect(vm.hand_back)

    # ------------------------------------------------------------------ input

    def focus_first_field(self) -> None:
        if self.page is None:
            self.chooser.aids.setFocus()
        else:
            self.scroll_area.setFocus()

    def _on_changed(self) -> None:
        if not self._loading and self.page is not None:
            self._vm.form_changed(self.page.values())

    def _on_patient_answered(self) -> None:
        # The patient's answers go straight onto the form, and are kept as they come.
        if self.page is not None:
            self.page.collaborate.show_answers(self.patient_panel.answers.answers())
            self._on_changed()

    def _show_patient_mode(self, on: bool) -> None:
        """While the patient holds the device, only CollaboRATE's questions are on show."""
        for widget in (self.title, self.state, self.bar_box):
            widget.setVisible(not on)
        if on and self.page is not None:
            self.review_banner.hide()
            self.patient_panel.answers.show_answers(self.page.collaborate.answers())
            self.patient_panel.show_problem("")
            self.stack.setCurrentWidget(self.patient_panel)
            self.patient_panel.answers.sliders[0].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.patient_panel.password.clear()
        self.review_banner.setVisible(self._vm.past_review)
        self.stack.setCurrentWidget(self.scroll_area if self.page is not None else self.chooser)

    def _on_sign(self) -> None:
        password = self.password.text()
        self.password.clear()
        self.sign_problem.hide()
        self._vm.sign(password)

    # ------------------------------------------------------------------ showing

    def _show_catalogue(self, _catalogue: AidCatalogue) -> None:
        offered = self._vm.offered()
        due = {aid.id for aid in offered if self._vm.is_due(aid)}
        self.chooser.show_aids(offered, due)

    def _show_aid(self, aid: DecisionAid | None) -> None:
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self.page = None
        self.notice.hide_notice()
        self.summary.clear()
        self.sign_problem.hide()
        if aid is None:
            self.stack.setCurrentWidget(self.chooser)
            self.title.setText(self.tr("Shared decision"))
            self.review_banner.hide_notice()
            self.bar_box.hide()
            self._show_state()
            return
        self.page = ConversationPage(aid, collaborate())
        self.page.changed.connect(self._on_changed)
        self.page.hand_over_button.clicked.connect(self._vm.hand_to_patient)
        self.scroll_area.setWidget(self.page)
        self._order_tabs(self.page)
        self.scroll_area.verticalScrollBar().setValue(0)
        self.stack.setCurrentWidget(self.scroll_area)
        self.title.setText(self.tr("Shared decision with the patient"))
        if self._vm.past_review:
            self.review_banner.show_notice(
                self.tr(
                    "This decision aid was due for review on {day}. It still opens, but its "
                    "numbers may be out of date: tell the service lead."
                ).format(day=formatting.clinical_date(aid.review_by)),
                "problem",
            )
        else:
            self.review_banner.hide_notice()
        self.bar_box.show()
        self._show_values()

    def _order_tabs(self, page: ConversationPage) -> None:
        """Tab runs down the page, top to bottom, then along the buttons under it."""
        chain = [*page.focus_chain(), *self.bar_widgets]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _show_record(self, _record: DecisionRecordView | None) -> None:
        if self.page is not None:
            self._show_values()
        else:
            self._show_state()

    def _show_values(self) -> None:
        page = self.page
        if page is None:
            return
        self._loading = True
        try:
            page.show_values(self._vm.values)
        finally:
            self._loading = False
        writable = self._vm.may_write
        page.set_read_only(not writable)
        for widget in (self.save_button, self.password_label, self.password, self.sign_button):
            widget.setVisible(writable)
        self.change_button.setVisible(self._vm.is_signed)
        self.again_button.setVisible(self._vm.record is None or writable)
        self._show_state()

    def _show_state(self) -> None:
        vm = self._vm
        record = vm.record
        if vm.patient_id is None:
            words = self.tr("Open a patient's record to talk through a decision.")
        elif vm.aid is None:
            words = self.tr("Choose the decision aid to talk through with the patient.")
        elif record is None:
            words = self.tr("New — kept as a draft as soon as anything is changed.")
        elif vm.is_signed:
            signed_at = record.signed_at
            when = formatting.clinical_date(signed_at.astimezone().date()) if signed_at else ""
            words = self.tr(
                "Signed {when}. Read only: a change of mind is recorded as a new decision."
            ).format(when=when)
        elif not vm.may_write:
            words = self.tr("Another clinician's draft. Only they can change or sign it.")
        else:
            words = self.tr("Draft — kept as you go. Sign once the patient has chosen.")
            if record.supersedes_id is not None:
                words += " " + self.tr(
                    "It replaces the earlier signed decision (a change of mind)."
                )
        if vm.version_changed and record is not None and vm.aid is not None:
            words += " " + self.tr(
                "Recorded with version {then} of the aid; it is now version {now}."
            ).format(then=record.aid_version, now=vm.aid.version)
        self.state.setText(words)

    def _show_field_errors(self, messages: Mapping[str, str]) -> None:
        if self.page is not None:
            self.page.show_field_errors(messages)
        if messages:
            self.summary.show_problems(self.tr("Some parts need changing"), list(messages.values()))
        else:
            self.summary.clear()

    def _show_sign_problem(self, text: str) -> None:
        self.sign_problem.setText(text)
        self.sign_problem.show()
