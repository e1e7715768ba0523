"""One red-flag screening per visit, the emergency banner that stays, the safety net."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.red_flags.rules import (
    Answer,
    ComposedScreening,
    Level,
    Question,
    RecordedAction,
    SafetyNetCard,
)
from clinic_app.domains.red_flags.views import RecordedScreening
from ui.common.widgets import label, set_role
from ui.domains.red_flags.screening.parts import (
    LiveEmergency,
    OutcomeRow,
    QuestionRow,
    RecordedScreeningPanel,
    short_name,
)
from ui.domains.red_flags.screening.view_model import (
    OwedAction,
    RedFlagsViewModel,
    ScreenOutcome,
)

# NHS emergency style: white on red, bold, no way to close it.
_BANNER_STYLE = """
QFrame#emergencyBanner { background: #D5281B; border: none; border-radius: 0; }
QFrame#emergencyBanner QLabel { color: #FFFFFF; background: transparent; }
QLabel#emergencyTitle { font-size: 14pt; font-weight: 700; }
QFrame#emergencyBanner QPushButton { background: #FFFFFF; color: #212B32; font-weight: 700;
    border: 2px solid #FFFFFF; border-radius: 4px; padding: 6px 12px; }
QFrame#emergencyBanner QPushButton:focus { background: #FFEB3B; border-color: #212B32; }
QFrame#emergencyBanner QPlainTextEdit { background: #FFFFFF; color: #212B32; }
QLabel#overrideError { background: #FFFFFF; color: #D5281B; font-weight: 700; padding: 4px 8px; }
"""


def action_label(action: RecordedAction) -> str:
    """Words on the button that records an action."""
    return {
        RecordedAction.SAME_DAY_EMERGENCY_DEPARTMENT: "Sent to emergency department today",
        RecordedAction.EMERGENCY_REFERRAL: "Emergency referral made",
        RecordedAction.TWO_WEEK_WAIT_REFERRAL: "2-week-wait referral made",
        RecordedAction.CLINICIAN_OVERRIDE: "Clinician override",
    }[action]


class EmergencyBanner(QFrame):
    """One positive screen that still needs a recorded action. It has no close button."""

    action_chosen = Signal(object, object, object)
    action_requested = Signal(object)

    def __init__(self, owed: OwedAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.owed = owed
        self.setObjectName("emergencyBanner")
        self.setStyleSheet(_BANNER_STYLE)
        self.setAccessibleName(self.tr("Red flag emergency"))
        screening = owed.screening
        level = self.tr("EMERGENCY") if screening.level is Level.EMERGENCY else self.tr("URGENT")
        title = label(f"{level}: {owed.title}", wrap=True)
        title.setObjectName("emergencyTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 16)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(label(self.tr("This stays until you record what was done."), wrap=True))
        for text in owed.required or (self.tr("Act on this red flag today."),):
            line = label(f"•  {text}", wrap=True)
            line.setObjectName("requiredAction")
            layout.addWidget(line)
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        # No one-click clearing: the action is recorded with its details on its own form.
        self.record_action_button = QPushButton(self.tr("Record the action taken…"))
        self.record_action_button.clicked.connect(
            lambda: self.action_requested.emit(owed.screening.id)
        )
        buttons.addWidget(self.record_action_button)
        self.override_button = QPushButton(self.tr("Clinician override"))
        self.override_button.clicked.connect(self._on_override_clicked)
        buttons.addWidget(self.override_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.override_box = QWidget()
        box = QVBoxLayout(self.override_box)
        box.setContentsMargins(0, 4, 0, 0)
        box.addWidget(label(self.tr("Why no emergency action is needed"), "fieldLabel"))
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName(self.tr("Reason for the override"))
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 3 + 18)
        box.addWidget(self.reason)
        self.error = label("", wrap=True)
        self.error.setObjectName("overrideError")
        self.error.setVisible(False)
        box.addWidget(self.error)
        confirm = QHBoxLayout()
        self.confirm_override = QPushButton(self.tr("Record override"))
        self.confirm_override.clicked.connect(
            lambda: self._choose(RecordedAction.CLINICIAN_OVERRIDE, self.reason.toPlainText())
        )
        confirm.addWidget(self.confirm_override)
        confirm.addStretch(1)
        box.addLayout(confirm)
        self.override_box.setVisible(False)
        layout.addWidget(self.override_box)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        self.override_box.setVisible(True)

    def _on_override_clicked(self) -> None:
        self.override_box.setVisible(True)
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def _choose(self, action: RecordedAction, reason: str | None = None) -> None:
        self.error.setVisible(False)
        self.action_chosen.emit(self.owed.screening.id, action, reason)


class SafetyNetPanel(QFrame):
    """The safety-net card's words, as the patient will read them, with a Print button."""

    print_requested = Signal(object)

    def __init__(self, safety_card: SafetyNetCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.safety_card = safety_card
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 18)
        layout.setSpacing(8)
        heading = QHBoxLayout()
        heading.addWidget(label(self.tr("Safety-net card for the patient"), "subheading"), 1)
        self.print_button = QPushButton(self.tr("Print"))
        self.print_button.clicked.connect(lambda: self.print_requested.emit(safety_card))
        heading.addWidget(self.print_button)
        layout.addLayout(heading)
        layout.addWidget(label(safety_card.title, "fieldLabel", wrap=True))
        layout.addWidget(label(safety_card.intro, wrap=True))
        layout.addWidget(label(self.tr("Warning signs"), "fieldLabel"))
        for sign in safety_card.warning_signs:
            layout.addWidget(label(f"•  {sign}", wrap=True))
        layout.addWidget(label(self.tr("What to do"), "fieldLabel"))
        for step in safety_card.what_to_do:
            layout.addWidget(label(f"•  {step}", wrap=True))


class RedFlagsView(QWidget):
    """One screening for the visit: each question once, every screen's outcome beside it."""

    print_card_requested = Signal(object)
    action_requested = Signal(object)
    """``(screening id)``: the clinician wants to record the action taken for it."""

    def __init__(self, view_model: RedFlagsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._filling = False
        self.banners: list[EmergencyBanner] = []
        self.question_rows: dict[str, QuestionRow] = {}
        self.outcome_rows: dict[str, OutcomeRow] = {}
        self.safety_panels: list[SafetyNetPanel] = []
        self._built: list[QWidget] = []
        self.heading = label(self.tr("Red-flag screening"), "heading")
        self.intro = label(
            self.tr(
                "One screening for this visit: each question is asked once, for every screen "
                "that needs it. Leave Not asked when you did not ask: it never counts as No. "
                "Questions asked for more than one screen come first, then each screen's own."
            ),
            "hint",
            wrap=True,
        )
        self.message = label("", "fieldError", wrap=True)
        self.message.setVisible(False)
        self.empty = label(self.tr("Open a patient to screen them for red flags."), "hint")

        self.screens_card = self._screens_card()
        self.questions_card = QFrame()
        set_role(self.questions_card, "card")
        self._questions = QVBoxLayout(self.questions_card)
        self._questions.setContentsMargins(20, 14, 20, 16)
        self._questions.setSpacing(4)
        self.scroll_area = self._scroll_area()
        self.side_area = self._side_area()
        self._banner_area = QVBoxLayout()
        self._banner_area.setSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self._banner_area)
        self.recorded_panel = RecordedScreeningPanel()
        layout.addWidget(self.recorded_panel)
        inner = QHBoxLayout()
        inner.setContentsMargins(12, 14, 12, 12)
        inner.setSpacing(12)
        inner.addWidget(self.scroll_area, 1)
        inner.addWidget(self.side_area)
        layout.addLayout(inner, 1)
        self._show_screening(None)

        view_model.screening_changed.connect(self._show_screening)
        view_model.outcomes_changed.connect(self._on_vm_outcomes_changed)
        view_model.owed_changed.connect(self._on_vm_owed_changed)
        view_model.recorded.connect(self._on_vm_recorded)
        view_model.resolve_failed.connect(self._on_vm_resolve_failed)
        view_model.problem.connect(self._on_vm_problem)
        view_model.draft_restored.connect(self._on_vm_draft_restored)
        view_model.busy_changed.connect(lambda _busy: self._update_record_button())
        view_model.shown_recorded.connect(
            lambda screening: self.recorded_panel.show_screening(
                screening, view_model.question_words
            )
        )

    def _scroll_area(self) -> QScrollArea:
        """The questions, under the screens asked, in a page that scrolls."""
        body = QWidget()
        self._body = QVBoxLayout(body)
        self._body.setContentsMargins(0, 0, 8, 0)
        self._body.setSpacing(14)
        for widget in (self.heading, self.intro, self.message, self.empty, self.screens_card):
            self._body.addWidget(widget)
        self._body.addWidget(self.questions_card)
        self._cards = QVBoxLayout()
        self._cards.setSpacing(14)
        self._body.addLayout(self._cards)
        self._body.addStretch(1)
        scroll_area = QScrollArea()
        scroll_area.setWidgetResizable(True)
        scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll_area.setWidget(body)
        return scroll_area

    def _screens_card(self) -> QFrame:
        """Which screens are asked, and a chooser to add one not suggested."""
        screens_card = QFrame()
        set_role(screens_card, "card")
        screens = QVBoxLayout(screens_card)
        screens.setContentsMargins(20, 14, 20, 16)
        screens.setSpacing(8)
        screens.addWidget(label(self.tr("Screens in this screening"), "subheading"))
        self.screens_list = label("", wrap=True)
        screens.addWidget(self.screens_list)
        self.regions_hint = label(
            self.tr(
                "Mark the painful regions on the assessment's body chart to have the "
                "regional screens suggested, or add a screen here."
            ),
            "hint",
            wrap=True,
        )
        screens.addWidget(self.regions_hint)
        chooser = QHBoxLayout()
        chooser.addWidget(label(self.tr("Add a screen"), "fieldLabel"))
        self.screen_chooser = QComboBox()
        self.screen_chooser.setAccessibleName(self.tr("Add a screen"))
        self.screen_chooser.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.screen_chooser.setMinimumContentsLength(24)
        chooser.addWidget(self.screen_chooser, 1)
        self.add_screen_button = QPushButton(self.tr("Add"))
        self.add_screen_button.clicked.connect(self._on_add_clicked)
        chooser.addWidget(self.add_screen_button)
        screens.addLayout(chooser)

        return screens_card

    def _side_area(self) -> QScrollArea:
        """The outcome beside the questions, so it stays in view while answering."""
        side = QWidget()
        self._side = QVBoxLayout(side)
        self._side.setContentsMargins(0, 0, 8, 0)
        self._side.setSpacing(10)
        self.live_emergency = LiveEmergency()
        self.live_emergency.setVisible(False)
        self._side.addWidget(self.live_emergency)
        self.outcome_card = QFrame()
        set_role(self.outcome_card, "card")
        outcome = QVBoxLayout(self.outcome_card)
        outcome.setContentsMargins(16, 12, 16, 14)
        outcome.setSpacing(6)
        outcome.addWidget(label(self.tr("Outcome as answered"), "subheading"))
        self._outcomes = QVBoxLayout()
        self._outcomes.setSpacing(2)
        outcome.addLayout(self._outcomes)
        self.record_button = QPushButton(self.tr("Record screening"))
        set_role(self.record_button, "", variant="primary")
        self.record_button.clicked.connect(self._vm.record)
        self.record_button.setEnabled(False)
        outcome.addWidget(self.record_button)
        self.record_status = label("", "hint", wrap=True)
        outcome.addWidget(self.record_status)
        self._side.addWidget(self.outcome_card)
        self._side.addStretch(1)
        side_area = QScrollArea()
        side_area.setWidgetResizable(True)
        side_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_area.setFrameShape(QScrollArea.Shape.NoFrame)
        side_area.setWidget(side)
        side_area.setFixedWidth(340)

        return side_area

    def banner_texts(self) -> list[str]:
        """What the banners say, as a person reads them (empty when none is up)."""
        return [
            " ".join(child.text() for child in banner.findChildren(type(self.heading)))
            for banner in self.banners
            if banner.isVisibleTo(self)
        ]

    def answers(self) -> dict[str, str]:
        """The answer each question shows, by code."""
        return {code: row.answer().value for code, row in self.question_rows.items()}

    # ------------------------------------------------------------------ reactions

    def _show_screening(self, composed: ComposedScreening | None) -> None:
        for widget in self._built:
            widget.setParent(None)
            widget.deleteLater()
        self._built = []
        self.question_rows.clear()
        self.outcome_rows.clear()
        self.safety_panels.clear()
        self.message.setVisible(False)
        has = composed is not None
        self.empty.setVisible(self._vm.patient_id is None)
        self.screens_card.setVisible(self._vm.patient_id is not None)
        self.questions_card.setVisible(has)
        self.outcome_card.setVisible(has)
        self._fill_chooser()
        if composed is None:
            self.screens_list.setText("")
            self.live_emergency.setVisible(False)
            return
        names = {s.screen_id: short_name(s) for s in composed.screens}
        suggested = set(self._vm.suggested)
        self.screens_list.setText(
            "; ".join(
                s.title
                if s.screen_id in suggested
                else self.tr("{title} (added)").format(title=s.title)
                for s in composed.screens
            )
        )
        self.regions_hint.setVisible(len(suggested) <= 2)
        self._filling = True
        shared = [q for q in composed.questions if len(composed.asked_by[q.code]) > 1]
        if shared:
            self._add_heading(self.tr("Asked for more than one screen"))
            for question in shared:
                self._add_question(question, composed, names)
        for screen in composed.screens:
            own = [q for q in screen.questions if len(composed.asked_by[q.code]) == 1]
            if own:
                self._add_heading(self.tr("For {screen}").format(screen=screen.title))
                for question in own:
                    self._add_question(question, composed, names)
        self._filling = False
        for screen in composed.screens:
            row = OutcomeRow(screen)
            row.action_requested.connect(self.action_requested)
            self.outcome_rows[screen.screen_id] = row
            self._outcomes.addWidget(row)
            self._built.append(row)
            if screen.safety_net_card is not None:
                panel = SafetyNetPanel(screen.safety_net_card)
                panel.print_requested.connect(self.print_card_requested)
                self.safety_panels.append(panel)
                self._cards.addWidget(panel)
                self._built.append(panel)

    def _add_heading(self, text: str) -> None:
        heading = label(text, "subheading", wrap=True)
        heading.setContentsMargins(0, 10, 0, 2)
        self._questions.addWidget(heading)
        self._built.append(heading)

    def _add_question(
        self, question: Question, composed: ComposedScreening, names: dict[str, str]
    ) -> None:
        askers = composed.asked_by[question.code]
        asked_for = (
            self.tr("Asked for: {screens}").format(screens=", ".join(names[s] for s in askers))
            if len(askers) > 1
            else ""
        )
        row = QuestionRow(question, asked_for)
        row.set_answer(self._vm.answers.get(question.code, Answer.NOT_ASKED))
        row.show_earlier(self._vm.earlier.get(question.code))
        row.answered.connect(self._on_row_answered)
        self.question_rows[question.code] = row
        self._questions.addWidget(row)
        self._built.append(row)

    def _fill_chooser(self) -> None:
        chosen = set(self._vm.chosen)
        self.screen_chooser.clear()
        for screen in self._vm.catalogue:
            if screen.screen_id not in chosen:
                self.screen_chooser.addItem(screen.title, screen.screen_id)
        self.add_screen_button.setEnabled(self.screen_chooser.count() > 0)

    def _on_add_clicked(self) -> None:
        screen_id = self.screen_chooser.currentData()
        if isinstance(screen_id, str):
            self._vm.add_screen(screen_id)

    def _on_row_answered(self, code: str, answer: str) -> None:
        if not self._filling:
            self._vm.set_answer(code, answer)

    def _on_vm_outcomes_changed(self, outcomes: list[ScreenOutcome]) -> None:
        for outcome in outcomes:
            row = self.outcome_rows.get(outcome.screen.screen_id)
            if row is not None:
                row.show_outcome(outcome, [self._vm.question_words(c) for c in outcome.missing])
        self.live_emergency.show_emergencies(outcomes)
        self._update_record_button()

    def _update_record_button(self) -> None:
        pending = self._vm.pending
        self.record_button.setEnabled(bool(pending) and not self._vm.busy)
        if self._vm.busy:
            self.record_status.setText(self.tr("Recording…"))
        elif not self._vm.outcomes:
            self.record_status.setText("")
        elif pending:
            self.record_status.setText(
                self.tr("{count} of {total} screens to record.").format(
                    count=len(pending), total=len(self._vm.outcomes)
                )
            )
        else:
            self.record_status.setText(self.tr("Every screen is recorded as answered."))

    def _on_vm_owed_changed(self, owed: list[OwedAction]) -> None:
        for banner in self.banners:
            banner.setParent(None)
            banner.deleteLater()
        self.banners = []
        for item in owed:
            banner = EmergencyBanner(item)
            banner.action_chosen.connect(self._on_banner_action_chosen)
            banner.action_requested.connect(self.action_requested)
            self.banners.append(banner)
            self._banner_area.addWidget(banner)

    def _on_banner_action_chosen(
        self, screening_id: uuid.UUID, action: RecordedAction, reason: str | None
    ) -> None:
        self._vm.resolve(screening_id, action, reason)

    def _on_vm_recorded(self, result: RecordedScreening) -> None:
        names = {s.screen_id: short_name(s) for s in self._vm.catalogue}
        incomplete = [names.get(s, s) for s in result.incomplete]
        if not incomplete:
            self.message.setVisible(False)
            return
        self.message.setText(
            self.tr(
                "Recorded, but incomplete for {screens}: questions not asked could still hide "
                "a red flag. What is still to ask is listed under each screen's outcome."
            ).format(screens=", ".join(incomplete))
        )
        self.message.setVisible(True)
        self.scroll_area.ensureWidgetVisible(self.message)

    def _on_vm_resolve_failed(self, screening_id: str, message: str) -> None:
        for banner in self.banners:
            if str(banner.owed.screening.id) == screening_id:
                banner.show_error(message)

    def _on_vm_draft_restored(self) -> None:
        self.message.setText(
            self.tr(
                "Your answers from earlier are back: they were kept as your draft and are "
                "not recorded yet. Check them, then record the screening."
            )
        )
        self.message.setVisible(True)

    def _on_vm_problem(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(True)
