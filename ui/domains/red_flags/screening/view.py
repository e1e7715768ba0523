"""Red-flag screens to answer, the emergency banner that cannot be dismissed, the safety net."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.red_flags.rules import (
    Answer,
    Level,
    RecordedAction,
    RedFlagScreen,
    SafetyNetCard,
)
from clinic_app.domains.red_flags.views import ScreeningView
from ui.common.widgets import label, set_role
from ui.domains.red_flags.screening.view_model import OwedAction, RedFlagsViewModel

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


_LEVEL_WORDS = {
    Level.EMERGENCY: "Emergency: act now",
    Level.URGENT: "Urgent",
    Level.ROUTINE_WATCH: "No emergency found; keep watching",
    Level.INCOMPLETE: "Incomplete: questions not asked could still hide a red flag",
    Level.CLEAR: "Clear",
}


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


class ScreenCard(QFrame):
    """One screen's questions, each answered Yes, No or Not asked (the default)."""

    record_requested = Signal(str, object)
    action_requested = Signal(object)

    def __init__(self, screen: RedFlagScreen, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.red_flag_screen = screen
        self.groups: dict[str, QButtonGroup] = {}
        self.buttons: dict[str, dict[Answer, QRadioButton]] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 18)
        layout.setSpacing(10)
        layout.addWidget(label(screen.title, "subheading", wrap=True))
        for question in screen.questions:
            layout.addWidget(label(question.text, "fieldLabel", wrap=True))
            if question.help:
                layout.addWidget(label(question.help, "hint", wrap=True))
            row = QHBoxLayout()
            row.setSpacing(18)
            group = QButtonGroup(self)
            self.groups[question.code] = group
            self.buttons[question.code] = {}
            for answer, text in (
                (Answer.YES, self.tr("Yes")),
                (Answer.NO, self.tr("No")),
                (Answer.NOT_ASKED, self.tr("Not asked")),
            ):
                radio = QRadioButton(text)
                radio.setObjectName(f"{question.code}_{answer.value}")
                radio.setChecked(answer is Answer.NOT_ASKED)
                group.addButton(radio)
                self.buttons[question.code][answer] = radio
                row.addWidget(radio)
            row.addStretch(1)
            layout.addLayout(row)
        actions = QHBoxLayout()
        self.result = label("", "subheading", wrap=True)
        self.record_button = QPushButton(self.tr("Record screen"))
        set_role(self.record_button, "", variant="primary")
        self.record_button.clicked.connect(
            lambda: self.record_requested.emit(screen.screen_id, self.answers())
        )
        actions.addWidget(self.result, 1)
        actions.addWidget(self.record_button)
        layout.addLayout(actions)
        self.required = label("", wrap=True)
        self.required.setObjectName("requiredAction")
        self.required.setVisible(False)
        layout.addWidget(self.required)
        self.action_button = QPushButton(self.tr("Record the action taken…"))
        set_role(self.action_button, "", variant="primary")
        self.action_button.setVisible(False)
        self._screening_id: uuid.UUID | None = None
        self.action_button.clicked.connect(lambda: self.action_requested.emit(self._screening_id))
        row = QHBoxLayout()
        row.addWidget(self.action_button)
        row.addStretch(1)
        layout.addLayout(row)

    def answers(self) -> dict[str, str]:
        return {
            code: next(a.value for a, radio in by_answer.items() if radio.isChecked())
            for code, by_answer in self.buttons.items()
        }

    def set_answer(self, code: str, answer: Answer) -> None:
        self.buttons[code][answer].setChecked(True)

    def show_result(self, screening: ScreeningView) -> None:
        self.result.setText(
            self.tr("Recorded: {level}").format(level=self.tr(_LEVEL_WORDS[screening.level]))
        )
        fired = set(screening.fired_rules)
        required = [
            action.text
            for rule in self.red_flag_screen.rules
            if rule.rule_id in fired
            for action in rule.actions
        ]
        self._screening_id = screening.id
        self.required.setText("\n".join(f"•  {text}" for text in required))
        self.required.setVisible(bool(required))
        self.action_button.setVisible(
            bool(required) and screening.level not in (Level.CLEAR, Level.INCOMPLETE)
        )


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
    """The screens offered for the chosen regions, under any banner still owed an action."""

    print_card_requested = Signal(object)
    action_requested = Signal(object)
    """``(screening id)``: the clinician wants to record the action taken for it."""

    def __init__(self, view_model: RedFlagsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.banners: list[EmergencyBanner] = []
        self.screen_cards: dict[str, ScreenCard] = {}
        self.safety_panels: list[SafetyNetPanel] = []
        self.heading = label(self.tr("Red-flag screening"), "heading")
        self.intro = label(
            self.tr(
                "Ask each question. Leave Not asked when you did not ask: it never counts as No."
            ),
            "hint",
            wrap=True,
        )
        self.message = label("", "fieldError", wrap=True)
        self.message.setVisible(False)
        self.empty = label(
            self.tr("Choose the painful regions on the body chart to see the screens."), "hint"
        )

        self._banner_area = QVBoxLayout()
        self._banner_area.setSpacing(6)
        body = QWidget()
        self._body = QVBoxLayout(body)
        self._body.setContentsMargins(0, 0, 8, 0)
        self._body.setSpacing(14)
        self._body.addWidget(self.heading)
        self._body.addWidget(self.intro)
        self._body.addWidget(self.message)
        self._body.addWidget(self.empty)
        self._cards = QVBoxLayout()
        self._cards.setSpacing(14)
        self._body.addLayout(self._cards)
        self._body.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self._banner_area)
        inner = QVBoxLayout()
        inner.setContentsMargins(12, 14, 16, 12)
        inner.addWidget(self.scroll_area, 1)
        layout.addLayout(inner, 1)

        view_model.screens_changed.connect(self._on_vm_screens_changed)
        view_model.owed_changed.connect(self._on_vm_owed_changed)
        view_model.recorded.connect(self._on_vm_recorded)
        view_model.resolve_failed.connect(self._on_vm_resolve_failed)
        view_model.problem.connect(self._on_vm_problem)

    def banner_texts(self) -> list[str]:
        """What the banners say, as a person reads them (empty when none is up)."""
        return [
            " ".join(child.text() for child in banner.findChildren(type(self.heading)))
            for banner in self.banners
            if banner.isVisibleTo(self)
        ]

    # ------------------------------------------------------------------ reactions

    def _on_vm_screens_changed(self, screens: tuple[RedFlagScreen, ...]) -> None:
        for widget in [*self.screen_cards.values(), *self.safety_panels]:
            widget.deleteLater()
        self.screen_cards.clear()
        self.safety_panels.clear()
        for screen in screens:
            screen_card = ScreenCard(screen)
            screen_card.record_requested.connect(self._vm.record)
            screen_card.action_requested.connect(self.action_requested)
            self.screen_cards[screen.screen_id] = screen_card
            self._cards.addWidget(screen_card)
            if screen.safety_net_card is not None:
                panel = SafetyNetPanel(screen.safety_net_card)
                panel.print_requested.connect(self.print_card_requested)
                self.safety_panels.append(panel)
                self._cards.addWidget(panel)
        self.empty.setVisible(not screens)

    def _on_vm_owed_changed(self, owed: list[OwedAction]) -> None:
        for banner in self.banners:
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

    def _on_vm_recorded(self, screening: ScreeningView) -> None:
        screen_card = self.screen_cards.get(screening.screen_id)
        if screen_card is not None:
            screen_card.show_result(screening)

    def _on_vm_resolve_failed(self, screening_id: str, message: str) -> None:
        for banner in self.banners:
            if str(banner.owed.screening.id) == screening_id:
                banner.show_error(message)

    def _on_vm_problem(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(True)
