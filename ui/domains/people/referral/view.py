"""The new-referral form, under the banner of the patient it is for."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.vocabulary import ReferralPriority
from clinic_app.people.views import PatientRecord
from ui.common import errors
from ui.common.widgets import (
    ChoiceCombo,
    ErrorSummary,
    FormField,
    PatientBanner,
    card,
    form_grid,
    label,
    set_role,
)
from ui.domains.people.referral.view_model import ReferralViewModel, empty_form

_REASON_LINES = 5
_DATE_FORMAT = "dd/MM/yyyy"


class ReferralView(QWidget):
    """Source, date received, referrer, reason, specialty and priority; problems inline."""

    back_requested = Signal()

    def __init__(self, view_model: ReferralViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._filling = False
        self._problems: list[str] = []
        self._first_problem: FormField | None = None
        self.fields: dict[str, FormField] = {}

        self.banner = PatientBanner()
        self.heading = label(self.tr("New referral"), "heading")
        self.summary = ErrorSummary()
        self.source = ChoiceCombo()
        self.received_on = QDateEdit()
        self.received_on.setCalendarPopup(True)
        self.received_on.setDisplayFormat(_DATE_FORMAT)
        self.referrer_name = QLineEdit()
        self.referrer_organisation = QLineEdit()
        self.specialty = ChoiceCombo()
        self.routine = QRadioButton(self.tr("Routine"))
        self.priority = QRadioButton(self.tr("Priority"))
        self.urgent = QRadioButton(self.tr("Urgent"))
        self.priority_group = QButtonGroup(self)
        self.priority_group.addButton(self.routine)
        self.priority_group.addButton(self.priority)
        self.priority_group.addButton(self.urgent)
        self.routine.setChecked(True)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(
            self.tr("What the referrer asks for, and the main problem in their words")
        )
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * _REASON_LINES + 18)

        self.draft_status = label("", "hint")
        self.draft_status.setObjectName("draftStatus")
        self.back_button = QPushButton(self.tr("Back to record"))
        self.back_button.setToolTip(self.tr("Your answers are kept as a draft"))
        self.clear_button = QPushButton(self.tr("Clear form"))
        self.submit_button = QPushButton(self.tr("Save referral"))
        set_role(self.submit_button, "", variant="primary")
        self.submit_button.setToolTip(self.tr("Save this referral (Ctrl+S)"))
        self._lay_out()

        self.source.set_choices(self._vm.choices("source"), self.tr("Choose…"))
        self.specialty.set_choices(self._vm.choices("specialty"), self.tr("Choose…"))
        self._connect()
        self.fill(empty_form())

    def _form_card(self) -> QWidget:
        panel = card()
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(20, 14, 20, 18)
        panel_layout.setSpacing(12)
        panel_layout.addWidget(label(self.tr("The referral"), "subheading"))
        grid = form_grid()
        panel_layout.addLayout(grid)
        grid.addWidget(
            self._field(
                "source",
                self.tr("Referred by"),
                self.source,
                hint=self.tr("Who sent the referral to the service"),
            ),
            0,
            0,
        )
        grid.addWidget(
            self._field(
                "received_on",
                self.tr("Received on"),
                self.received_on,
                hint=self.tr("The date the referral reached the service"),
            ),
            0,
            1,
        )
        grid.addWidget(
            self._field("referrer_name", self.tr("Referrer's name"), self.referrer_name), 1, 0
        )
        grid.addWidget(
            self._field(
                "referrer_organisation",
                self.tr("Referrer's organisation"),
                self.referrer_organisation,
                optional=True,
            ),
            1,
            1,
        )
        grid.addWidget(self._field("specialty", self.tr("Specialty"), self.specialty), 2, 0)
        priority = QWidget()
        priority_layout = QHBoxLayout(priority)
        priority_layout.setContentsMargins(0, 4, 0, 4)
        priority_layout.setSpacing(18)
        priority_layout.addWidget(self.routine)
        priority_layout.addWidget(self.priority)
        priority_layout.addWidget(self.urgent)
        priority_layout.addStretch(1)
        grid.addWidget(self._field("priority", self.tr("Priority"), priority), 2, 1)
        grid.addWidget(
            self._field("reason", self.tr("Reason for referral"), self.reason), 3, 0, 1, 2
        )
        return panel

    def _lay_out(self) -> None:
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 8, 0)
        body_layout.setSpacing(14)
        body_layout.addWidget(self.heading)
        body_layout.addWidget(self.summary)
        body_layout.addWidget(self._form_card())
        body_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(body)

        actions = QHBoxLayout()
        actions.setSpacing(10)
        actions.addWidget(self.draft_status, 1)
        actions.addWidget(self.back_button)
        actions.addWidget(self.clear_button)
        actions.addWidget(self.submit_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 14, 16, 12)
        layout.setSpacing(12)
        layout.addWidget(self.banner)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(actions)

    def _field(
        self,
        name: str,
        text: str,
        editor: QWidget,
        *,
        hint: str | None = None,
        optional: bool = False,
    ) -> FormField:
        field = FormField(text, editor, hint=hint, optional=optional)
        editor.setObjectName(name)
        self.fields[name] = field
        return field

    def _connect(self) -> None:
        self.source.currentIndexChanged.connect(lambda _i: self._on_edited("source"))
        self.specialty.currentIndexChanged.connect(lambda _i: self._on_edited("specialty"))
        self.received_on.dateChanged.connect(lambda _d: self._on_edited("received_on"))
        self.referrer_name.textChanged.connect(lambda _t: self._on_edited("referrer_name"))
        self.referrer_organisation.textChanged.connect(
            lambda _t: self._on_edited("referrer_organisation")
        )
        self.reason.textChanged.connect(lambda: self._on_edited("reason"))
        self.priority_group.buttonToggled.connect(
            lambda _button, on: self._on_edited("priority") if on else None
        )
        self.submit_button.clicked.connect(self.submit)
        self.clear_button.clicked.connect(self._vm.clear_form)
        self.back_button.clicked.connect(self.back_requested)

        self._vm.patient_changed.connect(self._on_vm_patient_changed)
        self._vm.draft_restored.connect(self._on_vm_draft_restored)
        self._vm.draft_saved.connect(lambda: self.draft_status.setText(self.tr("Draft saved.")))
        self._vm.draft_failed.connect(self.draft_status.setText)
        self._vm.field_errors_changed.connect(self._on_vm_field_errors_changed)
        self._vm.problem.connect(self._on_vm_problem)
        self._vm.busy_changed.connect(self._on_vm_busy_changed)
        self._vm.form_reset.connect(self._on_vm_form_reset)

    def values(self) -> dict[str, object]:
        """What is on the form now, in the shape of the draft."""
        received = self.received_on.date()
        return {
            "source": self.source.code(),
            "received_on": date(received.year(), received.month(), received.day()).isoformat(),
            "referrer_name": self.referrer_name.text(),
            "referrer_organisation": self.referrer_organisation.text(),
            "specialty": self.specialty.code(),
            "priority": self._checked_priority().value,
            "reason": self.reason.toPlainText(),
        }

    def _checked_priority(self) -> ReferralPriority:
        if self.urgent.isChecked():
            return ReferralPriority.URGENT
        if self.priority.isChecked():
            return ReferralPriority.PRIORITY
        return ReferralPriority.ROUTINE

    def fill(self, values: Mapping[str, object]) -> None:
        """Put ``values`` (a draft) on the form without marking it as edited."""
        merged = {**empty_form(), **values}

        def text(name: str) -> str:
            value = merged.get(name)
            return value if isinstance(value, str) else ""

        self._filling = True
        try:
            self.source.set_code(text("source"))
            received = QDate.fromString(text("received_on"), Qt.DateFormat.ISODate)
            self.received_on.setDate(received if received.isValid() else QDate.currentDate())
            self.referrer_name.setText(text("referrer_name"))
            self.referrer_organisation.setText(text("referrer_organisation"))
            self.specialty.set_code(text("specialty"))
            buttons = {
                ReferralPriority.URGENT.value: self.urgent,
                ReferralPriority.PRIORITY.value: self.priority,
            }
            buttons.get(text("priority"), self.routine).setChecked(True)
            self.reason.setPlainText(text("reason"))
        finally:
            self._filling = False

    def submit(self) -> None:
        self._vm.submit(self.values())

    def focus_first_field(self) -> None:
        self.scroll_area.verticalScrollBar().setValue(0)
        self.source.setFocus(Qt.FocusReason.OtherFocusReason)

    def error_texts(self) -> dict[str, str]:
        return {name: field.error() or "" for name, field in self.fields.items() if field.error()}

    def _on_edited(self, name: str) -> None:
        if self._filling:
            return
        self.fields[name].set_error(None)
        self._vm.form_changed(self.values())

    def _on_vm_patient_changed(self, patient: PatientRecord) -> None:
        self.banner.show_record(patient)

    def _on_vm_draft_restored(self, values: Mapping[str, object]) -> None:
        self.fill(values)
        self.draft_status.setText(self.tr("Your unfinished referral was restored."))

    def _on_vm_field_errors_changed(self, by_field: Mapping[str, ValidationError]) -> None:
        self._problems = []
        self._first_problem = None
        for name, field in self.fields.items():
            error = by_field.get(name)
            message = errors.field_message(error, field.text) if error else None
            field.set_error(message)
            if message:
                self._problems.append(message)
                self._first_problem = self._first_problem or field
        for name, error in by_field.items():
            if name not in self.fields:
                self._problems.append(errors.field_message(error))
        self.summary.clear()

    def _on_vm_problem(self, message: str) -> None:
        self.summary.show_problems(message, self._problems)
        self.scroll_area.verticalScrollBar().setValue(0)
        if self._first_problem is not None:
            self._first_problem.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.submit_button.setEnabled(not busy)
        self.submit_button.setText(self.tr("Saving…") if busy else self.tr("Save referral"))

    def _on_vm_form_reset(self) -> None:
        self.fill(empty_form())
        for field in self.fields.values():
            field.set_error(None)
        self.summary.clear()
        self.draft_status.clear()
