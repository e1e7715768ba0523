"""The register-patient form: every field of PatientInput, problems shown beside each field."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.kernel.errors import ValidationError
from clinic_app.people.views import PracticeSummary
from ui.common import errors
from ui.common.widgets import (
    ChoiceCombo,
    ErrorSummary,
    FormField,
    card,
    form_grid,
    label,
    set_role,
)
from ui.domains.people.register.parts import AlertsEditor, GpPracticePicker
from ui.domains.people.register.view_model import RegisterViewModel, empty_form

_ADDRESS_LINES = 3


class RegisterView(QWidget):
    """Fill in, submit, see every problem at once; a draft is kept while typing."""

    def __init__(self, view_model: RegisterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._filling = False
        self.fields: dict[str, FormField] = {}
        self._problems: list[str] = []
        self._first_problem: FormField | None = None

        self.nhs_number = QLineEdit()
        self.title_edit = QLineEdit()
        self.given_name = QLineEdit()
        self.family_name = QLineEdit()
        self.date_of_birth = QLineEdit()
        self.date_of_birth.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.sex = ChoiceCombo()
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        line_height = self.address.fontMetrics().lineSpacing()
        self.address.setFixedHeight(line_height * _ADDRESS_LINES + 18)
        self.postcode = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.preferred_contact = ChoiceCombo()
        self.gp_practice = GpPracticePicker()
        self.ethnicity = ChoiceCombo()
        self.interpreter_needed = QCheckBox(self.tr("Needed"))
        self.interpreter_needed.setAccessibleName(self.tr("The patient needs an interpreter"))
        self.interpreter_language = ChoiceCombo()
        self.interpreter_language.setAccessibleName(self.tr("Interpreter language"))
        self.needs_boxes: dict[str, QCheckBox] = {}
        self.alerts = AlertsEditor()

        self.heading = label(self.tr("Register a patient"), "heading")
        self.intro = label(
            self.tr(
                "Answer every question unless it says optional. What you type is kept as a "
                "draft, so nothing is lost if you are called away."
            ),
            "hint",
            wrap=True,
        )
        self.summary = ErrorSummary()
        self.draft_status = label("", "hint")
        self.draft_status.setObjectName("draftStatus")
        self.clear_button = QPushButton(self.tr("Clear form"))
        self.submit_button = QPushButton(self.tr("Register patient"))
        set_role(self.submit_button, "", variant="primary")
        self.submit_button.setToolTip(self.tr("Register this patient (Ctrl+S)"))
        self._lay_out()
        self._fill_lists()
        self._connect()
        self._on_interpreter_toggled(False)

    # ------------------------------------------------------------------ layout

    def _lay_out(self) -> None:
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 8, 0)
        body_layout.setSpacing(14)
        body_layout.addWidget(self.heading)
        body_layout.addWidget(self.intro)
        body_layout.addWidget(self.summary)
        body_layout.addWidget(self._identity_card())
        body_layout.addWidget(self._contact_card())
        body_layout.addWidget(self._care_card())
        body_layout.addWidget(self._alerts_card())
        body_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        # The form reflows to the panel's width; it never scrolls sideways.
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(body)

        actions = QHBoxLayout()
        actions.setSpacing(10)
        actions.addWidget(self.draft_status, 1)
        actions.addWidget(self.clear_button)
        actions.addWidget(self.submit_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 14, 16, 12)
        layout.setSpacing(10)
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

    def _section(self, title: str) -> tuple[QWidget, QGridLayout]:
        panel = card()
        outer = QVBoxLayout(panel)
        outer.setContentsMargins(20, 14, 20, 18)
        outer.setSpacing(12)
        outer.addWidget(label(title, "subheading"))
        grid = form_grid()
        outer.addLayout(grid)
        return panel, grid

    def _identity_card(self) -> QWidget:
        panel, grid = self._section(self.tr("Who the patient is"))
        grid.addWidget(
            self._field(
                "nhs_number",
                self.tr("NHS number"),
                self.nhs_number,
                hint=self.tr("10 digits, for example 999 000 0018"),
                optional=True,
            ),
            0,
            0,
        )
        grid.addWidget(
            self._field(
                "title",
                self.tr("Title"),
                self.title_edit,
                hint=self.tr("For example Mrs, Mr, Mx or Dr"),
                optional=True,
            ),
            0,
            1,
        )
        grid.addWidget(self._field("given_name", self.tr("Given name"), self.given_name), 1, 0)
        grid.addWidget(self._field("family_name", self.tr("Family name"), self.family_name), 1, 1)
        grid.addWidget(
            self._field(
                "date_of_birth",
                self.tr("Date of birth"),
                self.date_of_birth,
                hint=self.tr("For example 12/03/1975"),
            ),
            2,
            0,
        )
        grid.addWidget(
            self._field("sex", self.tr("Sex"), self.sex, hint=self.tr("As the patient states it")),
            2,
            1,
        )
        return panel

    def _contact_card(self) -> QWidget:
        panel, grid = self._section(self.tr("How to contact them"))
        grid.addWidget(
            self._field("address", self.tr("Address"), self.address, optional=True), 0, 0, 1, 2
        )
        grid.addWidget(
            self._field("postcode", self.tr("Postcode"), self.postcode, optional=True), 1, 0
        )
        grid.addWidget(self._field("phone", self.tr("Phone"), self.phone, optional=True), 1, 1)
        grid.addWidget(self._field("email", self.tr("Email"), self.email, optional=True), 2, 0)
        grid.addWidget(
            self._field(
                "preferred_contact_method",
                self.tr("Preferred contact"),
                self.preferred_contact,
                optional=True,
            ),
            2,
            1,
        )
        return panel

    def _care_card(self) -> QWidget:
        panel, grid = self._section(self.tr("GP and communication"))
        grid.addWidget(
            self._field("gp_practice_id", self.tr("GP practice"), self.gp_practice, optional=True),
            0,
            0,
            1,
            2,
        )
        grid.addWidget(self._field("ethnicity", self.tr("Ethnicity"), self.ethnicity), 1, 0)
        interpreter = QWidget()
        interpreter_layout = QHBoxLayout(interpreter)
        interpreter_layout.setContentsMargins(0, 0, 0, 0)
        interpreter_layout.setSpacing(8)
        interpreter_layout.addWidget(self.interpreter_needed)
        interpreter_layout.addWidget(self.interpreter_language, 1)
        grid.addWidget(
            self._field("interpreter_language", self.tr("Interpreter"), interpreter), 1, 1
        )

        needs = QWidget()
        needs_grid = QGridLayout(needs)
        needs_grid.setContentsMargins(0, 2, 0, 0)
        needs_grid.setHorizontalSpacing(16)
        needs_grid.setVerticalSpacing(4)
        choices = self._vm.choices("accessible_information_needs")
        rows = (len(choices) + 1) // 2
        for index, choice in enumerate(choices):
            box = QCheckBox(choice.label)
            box.setObjectName(f"need_{choice.code}")
            self.needs_boxes[choice.code] = box
            needs_grid.addWidget(box, index % rows, index // rows)
        grid.addWidget(
            self._field(
                "accessible_information_needs",
                self.tr("Accessible information needs"),
                needs,
                hint=self.tr("Tick any support the patient needs to read or hear from us."),
                optional=True,
            ),
            2,
            0,
            1,
            2,
        )
        return panel

    def _alerts_card(self) -> QWidget:
        panel, grid = self._section(self.tr("Alerts"))
        grid.addWidget(
            self._field(
                "alerts",
                self.tr("Alerts shown on the banner"),
                self.alerts,
                hint=self.tr("Allergies, safeguarding, communication or access needs."),
                optional=True,
            ),
            0,
            0,
            1,
            2,
        )
        return panel

    def _fill_lists(self) -> None:
        self.sex.set_choices(self._vm.choices("sex"), self.tr("Choose…"))
        self.ethnicity.set_choices(self._vm.choices("ethnicity"))
        self.preferred_contact.set_choices(
            self._vm.choices("preferred_contact_method"), self.tr("Not stated")
        )
        self.interpreter_language.set_choices(
            self._vm.choices("interpreter_language"), self.tr("Language…")
        )
        self.ethnicity.set_code("99")

    def _connect(self) -> None:
        for edit in (
            self.nhs_number,
            self.title_edit,
            self.given_name,
            self.family_name,
            self.date_of_birth,
            self.postcode,
            self.phone,
            self.email,
        ):
            edit.textChanged.connect(lambda _text, e=edit: self._on_edited(e.objectName()))
        self.address.textChanged.connect(lambda: self._on_edited("address"))
        for name, combo in (
            ("sex", self.sex),
            ("ethnicity", self.ethnicity),
            ("preferred_contact_method", self.preferred_contact),
            ("interpreter_language", self.interpreter_language),
        ):
            combo.currentIndexChanged.connect(lambda _i, n=name: self._on_edited(n))
        self.gp_practice.currentTextChanged.connect(lambda _t: self._on_edited("gp_practice_id"))
        self.interpreter_needed.toggled.connect(self._on_interpreter_toggled)
        for box in self.needs_boxes.values():
            box.toggled.connect(lambda _on: self._on_edited("accessible_information_needs"))
        self.alerts.changed.connect(lambda: self._on_edited("alerts"))
        self.nhs_number.textChanged.connect(self._on_nhs_number_typed)
        self.nhs_number.editingFinished.connect(self._on_nhs_number_finished)
        self.date_of_birth.editingFinished.connect(self._on_date_of_birth_finished)
        self.submit_button.clicked.connect(self.submit)
        self.clear_button.clicked.connect(self._vm.clear_form)

        self._vm.practices_loaded.connect(self._on_vm_practices_loaded)
        self._vm.draft_restored.connect(self._on_vm_draft_restored)
        self._vm.draft_saved.connect(self._on_vm_draft_saved)
        self._vm.draft_failed.connect(self.draft_status.setText)
        self._vm.field_errors_changed.connect(self._on_vm_field_errors_changed)
        self._vm.problem.connect(self._on_vm_problem)
        self._vm.busy_changed.connect(self._on_vm_busy_changed)
        self._vm.form_reset.connect(self._on_vm_form_reset)

    # ------------------------------------------------------------------ reading and writing

    def values(self) -> dict[str, object]:
        """What is on the form now, in the shape of the draft."""
        return {
            "nhs_number": self.nhs_number.text(),
            "title": self.title_edit.text(),
            "given_name": self.given_name.text(),
            "family_name": self.family_name.text(),
            "date_of_birth": self.date_of_birth.text(),
            "sex": self.sex.code(),
            "address": self.address.toPlainText(),
            "postcode": self.postcode.text(),
            "phone": self.phone.text(),
            "email": self.email.text(),
            "preferred_contact_method": self.preferred_contact.code(),
            "gp_practice_id": self.gp_practice.practice_id(),
            "ethnicity": self.ethnicity.code(),
            "interpreter_needed": self.interpreter_needed.isChecked(),
            "interpreter_language": self.interpreter_language.code(),
            "accessible_information_needs": [
                code for code, box in self.needs_boxes.items() if box.isChecked()
            ],
            "alerts": self.alerts.values(),
        }

    def fill(self, values: Mapping[str, object]) -> None:
        """Put ``values`` (a draft) on the form without marking it as edited."""
        merged = {**empty_form(), **values}

        def text(name: str) -> str:
            value = merged.get(name)
            return value if isinstance(value, str) else ""

        self._filling = True
        try:
            for edit in (
                self.nhs_number,
                self.title_edit,
                self.given_name,
                self.family_name,
                self.date_of_birth,
                self.postcode,
                self.phone,
                self.email,
            ):
                edit.setText(text(edit.objectName()))
            self.address.setPlainText(text("address"))
            self.sex.set_code(text("sex"))
            self.ethnicity.set_code(text("ethnicity") or "99")
            self.preferred_contact.set_code(text("preferred_contact_method"))
            self.gp_practice.set_practice_id(text("gp_practice_id"))
            self.interpreter_needed.setChecked(bool(merged.get("interpreter_needed")))
            self.interpreter_language.set_code(text("interpreter_language"))
            chosen = merged.get("accessible_information_needs")
            chosen_codes = {str(code) for code in chosen} if isinstance(chosen, list) else set()
            for code, box in self.needs_boxes.items():
                box.setChecked(code in chosen_codes)
            self.alerts.set_values(merged.get("alerts"))
            self._on_interpreter_toggled(self.interpreter_needed.isChecked())
        finally:
            self._filling = False

    def submit(self) -> None:
        """Send the form (the button, Enter on the button, or Ctrl+S)."""
        self._vm.submit(self.values())

    def focus_first_field(self) -> None:
        self.scroll_area.verticalScrollBar().setValue(0)
        self.nhs_number.setFocus(Qt.FocusReason.OtherFocusReason)

    def error_texts(self) -> dict[str, str]:
        """The inline messages on screen, by field, as a person reads them."""
        return {name: field.error() or "" for name, field in self.fields.items() if field.error()}

    # ------------------------------------------------------------------ reactions

    def _on_edited(self, name: str) -> None:
        if self._filling:
            return
        field = self.fields.get(name)
        if field is not None and name != "nhs_number":
            field.set_error(None)
        self._vm.form_changed(self.values())

    def _on_interpreter_toggled(self, needed: bool) -> None:
        self.interpreter_language.setEnabled(needed)
        if not needed:
            self.fields["interpreter_language"].set_error(None)
        self._on_edited("interpreter_needed")

    def _on_nhs_number_typed(self, text: str) -> None:
        if not self._filling:
            self._show_light_check("nhs_number", self._vm.check_nhs_number(text, finished=False))

    def _on_nhs_number_finished(self) -> None:
        error = self._vm.check_nhs_number(self.nhs_number.text(), finished=True)
        self._show_light_check("nhs_number", error)

    def _on_date_of_birth_finished(self) -> None:
        error = self._vm.check_date_of_birth(self.date_of_birth.text())
        if error is not None:
            self._show_light_check("date_of_birth", error)

    def _show_light_check(self, name: str, error: ValidationError | None) -> None:
        field = self.fields[name]
        field.set_error(errors.field_message(error, field.text) if error else None)

    def _on_vm_practices_loaded(self, practices: list[PracticeSummary]) -> None:
        self._filling = True
        try:
            self.gp_practice.set_practices(practices)
        finally:
            self._filling = False

    def _on_vm_draft_restored(self, values: Mapping[str, object]) -> None:
        self.fill(values)
        self.draft_status.setText(self.tr("Your unfinished form was restored."))

    def _on_vm_draft_saved(self) -> None:
        self.draft_status.setText(self.tr("Draft saved."))

    def _on_vm_field_errors_changed(self, by_field: Mapping[str, ValidationError]) -> None:
        self._problems = []
        first: FormField | None = None
        for name, field in self.fields.items():
            error = by_field.get(name)
            message = errors.field_message(error, field.text) if error else None
            field.set_error(message)
            if message:
                self._problems.append(message)
                first = first or field
        for name, error in by_field.items():
            if name not in self.fields:
                self._problems.append(errors.field_message(error))
        self.summary.clear()
        self._first_problem = first

    def _on_vm_problem(self, message: str) -> None:
        self.summary.show_problems(message, self._problems)
        self.scroll_area.verticalScrollBar().setValue(0)
        first = self._first_problem
        if first is not None:
            first.editor.setFocus(Qt.FocusReason.OtherFocusReason)
            self.scroll_area.ensureWidgetVisible(first)

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.submit_button.setEnabled(not busy)
        self.submit_button.setText(self.tr("Registering…") if busy else self.tr("Register patient"))

    def _on_vm_form_reset(self) -> None:
        self.fill(empty_form())
        for field in self.fields.values():
            field.set_error(None)
        self.summary.clear()
        self.draft_status.clear()
