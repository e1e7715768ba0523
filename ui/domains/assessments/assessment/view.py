"""The assessment form: structured history and examination, signing, then addenda."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.assessments.views import AssessmentView as AssessmentRecord
from clinic_app.kernel.errors import ValidationError
from clinic_app.people.views import DiagnosisChoice
from ui.common import errors, formatting
from ui.common.body_chart import BodyChart, region_name
from ui.common.widgets import ErrorSummary, FormField, NoticeBar, card, form_grid, label, set_role
from ui.domains.assessments.assessment.medicine_review import MedicineReview
from ui.domains.assessments.assessment.parts import (
    DiagnosisPicker,
    MedicinesEditor,
    PainScore,
    long_text,
)
from ui.domains.assessments.assessment.view_model import AssessmentViewModel

# Free-text fields by section, in the order the form shows them.
_LONG_FIELDS = (
    "presenting_complaint",
    "aggravating",
    "easing",
    "pattern_24h",
    "past_history",
    "work_social",
    "psychosocial",
    "examination",
    "reasoning",
)
_SHORT_FIELDS = ("onset", "duration", "diagnosis_text")
_PAIN_FIELDS = ("pain_now", "pain_best", "pain_worst")


class AssessmentView(QWidget):
    """Type the history; it is kept as a draft; sign with the password; then only addenda."""

    decide_requested = Signal(str)
    """The plan's "share a decision" was pressed: the working diagnosis's code ("" for none)."""

    def __init__(
        self,
        view_model: AssessmentViewModel,
        diagnoses: Callable[[list[str]], list[DiagnosisChoice]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._filling = False
        self.fields: dict[str, FormField] = {}
        self.texts: dict[str, QPlainTextEdit] = {name: long_text() for name in _LONG_FIELDS}
        self.lines: dict[str, QLineEdit] = {name: QLineEdit() for name in _SHORT_FIELDS}
        self.pain: dict[str, PainScore] = {name: PainScore() for name in _PAIN_FIELDS}
        self.body_chart = BodyChart()
        # Big enough to click a wrist, small enough to leave room for the history beside it.
        self.body_chart.setFixedWidth(440)
        self.regions_label = label("", "hint", wrap=True)
        self.medicines = MedicinesEditor()
        self.medicine_review = MedicineReview()
        self.diagnosis = DiagnosisPicker(diagnoses)
        self.decide_button = QPushButton(self.tr("Share a decision with the patient"))
        self.decide_button.setAccessibleDescription(
            self.tr("Opens a decision aid for the working diagnosis, with this patient")
        )

        self.heading = label(self.tr("Assessment"), "heading")
        self.status_label = label("", "subheading")
        self.integrity = NoticeBar()
        self.integrity.close_button.setVisible(False)
        self.summary = ErrorSummary()
        self.draft_status = label("", "hint")
        self.draft_status.setObjectName("draftStatus")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Your password"))
        self.password.setAccessibleName(self.tr("Password to sign"))
        self.password.setMaximumWidth(220)
        self.sign_button = QPushButton(self.tr("Sign assessment"))
        set_role(self.sign_button, "", variant="primary")
        self.sign_error = label("", "fieldError", wrap=True)
        self.sign_error.setVisible(False)
        #: The sentence the signer agrees to; kept with the signed assessment.
        self.attestation = label("", "hint", wrap=True)
        self.attestation.setObjectName("attestation")

        self.signed_card = card()
        self.signed_label = label("", "subheading", wrap=True)
        self.addenda_list = QVBoxLayout()
        self.addendum_text = long_text(self.tr("What you are adding, and why"))
        self.addendum_text.setAccessibleName(self.tr("Addendum"))
        self.addendum_password = QLineEdit()
        self.addendum_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.addendum_password.setPlaceholderText(self.tr("Your password"))
        self.addendum_password.setAccessibleName(self.tr("Password to add the addendum"))
        self.addendum_password.setMaximumWidth(220)
        self.addendum_button = QPushButton(self.tr("Add addendum"))
        set_role(self.addendum_button, "", variant="primary")
        self.addendum_error = label("", "fieldError", wrap=True)
        self.addendum_error.setVisible(False)

        self._lay_out()
        self._connect()
        self._show(None)

    # ------------------------------------------------------------------ layout

    def _lay_out(self) -> None:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(14)
        heading = QHBoxLayout()
        heading.addWidget(self.heading)
        heading.addStretch(1)
        heading.addWidget(self.status_label)
        column.addLayout(heading)
        column.addWidget(self.integrity)
        column.addWidget(self.summary)
        column.addWidget(self._signed_panel())
        column.addWidget(self._complaint_card())
        column.addWidget(self._pain_card())
        column.addWidget(self._history_card())
        column.addWidget(self._medicines_card())
        column.addWidget(self._person_card())
        column.addWidget(self._diagnosis_card())
        self.plan_card = self._plan_card()
        column.addWidget(self.plan_card)
        column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(body)

        self.sign_bar = QWidget()
        bar = QGridLayout(self.sign_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setHorizontalSpacing(10)
        bar.addWidget(self.draft_status, 0, 0)
        bar.setColumnStretch(0, 1)
        bar.addWidget(label(self.tr("Password to sign"), "fieldLabel"), 0, 1)
        bar.addWidget(self.password, 0, 2)
        bar.addWidget(self.sign_button, 0, 3)
        # Right-aligned text across the bar's width: a right-aligned cell would squeeze the
        # wrapped words into the width of their first line and cut the rest off.
        self.sign_error.setAlignment(Qt.AlignmentFlag.AlignRight)
        bar.addWidget(self.sign_error, 1, 0, 1, 4)
        bar.addWidget(self.attestation, 2, 0, 1, 4)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.sign_bar)

    def _section(self, title: str, hint: str = "") -> tuple[QWidget, QGridLayout]:
        panel = card()
        outer = QVBoxLayout(panel)
        outer.setContentsMargins(20, 14, 20, 18)
        outer.setSpacing(12)
        outer.addWidget(label(title, "subheading"))
        if hint:
            outer.addWidget(label(hint, "hint", wrap=True))
        grid = form_grid()
        outer.addLayout(grid)
        return panel, grid

    def _field(self, name: str, text: str, *, hint: str | None = None) -> FormField:
        editor: QWidget = (
            self.texts.get(name)
            or self.lines.get(name)
            or self.pain.get(name)
            or {"diagnosis_code": self.diagnosis}[name]
        )
        editor.setObjectName(name)
        field = FormField(text, editor, hint=hint)
        self.fields[name] = field
        return field

    def _complaint_card(self) -> QWidget:
        panel, grid = self._section(self.tr("Presenting complaint"))
        grid.addWidget(
            self._field("presenting_complaint", self.tr("What brings the patient")), 0, 0, 1, 2
        )
        chart = QWidget()
        chart_layout = QVBoxLayout(chart)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(label(self.tr("Where it hurts"), "fieldLabel"))
        chart_layout.addWidget(
            label(self.tr("Click each region; the patient's right is on your left."), "hint")
        )
        chart_layout.addWidget(self.body_chart)
        side = QVBoxLayout()
        side.setSpacing(12)
        side.addWidget(self.regions_label)
        side.addWidget(self._field("onset", self.tr("Onset"), hint=self.tr("How it started")))
        side.addWidget(
            self._field("duration", self.tr("Duration"), hint=self.tr("For example 6 weeks"))
        )
        side.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(20)
        row.addWidget(chart, 0)
        row.addLayout(side, 1)
        grid.addLayout(row, 1, 0, 1, 2)
        return panel

    def _pain_card(self) -> QWidget:
        panel, grid = self._section(
            self.tr("Pain"), self.tr("0 is no pain, 10 the worst imaginable. A dash is not asked.")
        )
        row = QHBoxLayout()
        row.setSpacing(20)
        for name, text in (
            ("pain_now", self.tr("Now")),
            ("pain_best", self.tr("At best")),
            ("pain_worst", self.tr("At worst")),
        ):
            row.addWidget(self._field(name, text))
        row.addStretch(1)
        grid.addLayout(row, 0, 0, 1, 2)
        return panel

    def _history_card(self) -> QWidget:
        panel, grid = self._section(self.tr("History"))
        grid.addWidget(self._field("aggravating", self.tr("Aggravating")), 0, 0)
        grid.addWidget(self._field("easing", self.tr("Easing")), 0, 1)
        grid.addWidget(self._field("pattern_24h", self.tr("24-hour pattern")), 1, 0)
        grid.addWidget(self._field("past_history", self.tr("Past history")), 1, 1)
        return panel

    def _medicines_card(self) -> QWidget:
        panel, grid = self._section(
            self.tr("Medicines"),
            self.tr(
                "Each medicine is matched to its BNF class; opioids and gabapentinoids are"
                " flagged for review."
            ),
        )
        grid.addWidget(self.medicines, 0, 0, 1, 2)
        self.medicine_review.setObjectName("medicine_review")
        self.review_field = FormField(
            self.tr("Did you review these medicines with the patient?"), self.medicine_review
        )
        self.fields["medicine_review"] = self.review_field
        # Set apart from the list above it: a question about the list, not another row.
        spaced = self.review_field.layout()
        if spaced is not None:
            spaced.setContentsMargins(0, 10, 0, 0)
        grid.addWidget(self.review_field, 1, 0, 1, 2)
        return panel

    def _person_card(self) -> QWidget:
        panel, grid = self._section(self.tr("The person"))
        grid.addWidget(self._field("work_social", self.tr("Work and social")), 0, 0)
        grid.addWidget(
            self._field(
                "psychosocial",
                self.tr("Psychosocial factors"),
                hint=self.tr("Beliefs, mood, worries, what they hope for"),
            ),
            0,
            1,
        )
        return panel

    def _diagnosis_card(self) -> QWidget:
        panel, grid = self._section(self.tr("Examination and diagnosis"))
        grid.addWidget(self._field("examination", self.tr("Examination")), 0, 0, 1, 2)
        grid.addWidget(
            self._field(
                "diagnosis_code",
                self.tr("Working diagnosis"),
                hint=self.tr("From the list; the chosen regions' come first"),
            ),
            1,
            0,
        )
        grid.addWidget(
            self._field(
                "diagnosis_text",
                self.tr("In words"),
                hint=self.tr("Detail, or the diagnosis if it is not in the list"),
            ),
            1,
            1,
        )
        grid.addWidget(self._field("reasoning", self.tr("Clinical reasoning")), 2, 0, 1, 2)
        return panel

    def _plan_card(self) -> QWidget:
        panel, grid = self._section(
            self.tr("Plan"),
            self.tr(
                "Before a test, an injection or a referral to a surgeon, talk the options "
                "through with the patient using a decision aid: the aid for the working "
                "diagnosis opens first. The decision is kept as its own signed record."
            ),
        )
        row = QHBoxLayout()
        row.addWidget(self.decide_button)
        row.addStretch(1)
        grid.addLayout(row, 0, 0)
        return panel

    def set_decisions_offered(self, offered: bool) -> None:
        """Show the plan's decision aid button only to those who may record a decision."""
        self.plan_card.setVisible(offered)

    def _signed_panel(self) -> QWidget:
        outer = QVBoxLayout(self.signed_card)
        outer.setContentsMargins(20, 14, 20, 18)
        outer.setSpacing(10)
        outer.addWidget(self.signed_label)
        self.signed_attestation = label("", "hint", wrap=True)
        outer.addWidget(self.signed_attestation)
        outer.addWidget(
            label(self.tr("A signed assessment cannot be changed. Add an addendum."), "hint")
        )
        outer.addLayout(self.addenda_list)
        outer.addWidget(label(self.tr("Addendum"), "fieldLabel"))
        outer.addWidget(self.addendum_text)
        row = QHBoxLayout()
        row.addWidget(self.addendum_error, 1)
        row.addWidget(label(self.tr("Password"), "fieldLabel"))
        row.addWidget(self.addendum_password)
        row.addWidget(self.addendum_button)
        outer.addLayout(row)
        return self.signed_card

    def _connect(self) -> None:
        for name, edit in self.texts.items():
            edit.textChanged.connect(lambda name=name: self._on_edited(name))
        for name, line in self.lines.items():
            line.textChanged.connect(lambda _text, name=name: self._on_edited(name))
        for name, spin in self.pain.items():
            spin.valueChanged.connect(lambda _value, name=name: self._on_edited(name))
        self.body_chart.selection_changed.connect(self._on_chart_selection_changed)
        self.medicines.changed.connect(self._on_medicines_edited)
        self.medicine_review.changed.connect(lambda: self._on_edited("medicine_review"))
        self.diagnosis.changed.connect(lambda: self._on_edited("diagnosis_code"))
        self.sign_button.clicked.connect(self._on_sign_clicked)
        self.password.returnPressed.connect(self._on_sign_clicked)
        self.addendum_button.clicked.connect(self._on_addendum_clicked)
        self.decide_button.clicked.connect(
            lambda: self.decide_requested.emit(self.diagnosis.code())
        )
        vm = self._vm
        vm.assessment_changed.connect(self._show)
        vm.draft_saved.connect(self._on_vm_draft_saved)
        vm.field_errors_changed.connect(self._on_vm_field_errors_changed)
        vm.problem.connect(self._on_vm_problem)
        vm.sign_failed.connect(self._on_vm_sign_failed)
        vm.addendum_failed.connect(self._on_vm_addendum_failed)
        vm.addendum_added.connect(self._on_vm_addendum_added)
        vm.busy_changed.connect(self._on_vm_busy_changed)

    # ------------------------------------------------------------------ values

    def values(self) -> dict[str, object]:
        """The form as the service stores it (blank text is left for the service to drop)."""
        values: dict[str, object] = {n: e.toPlainText() for n, e in self.texts.items()}
        values.update({n: e.text() for n, e in self.lines.items()})
        values.update({n: s.score() for n, s in self.pain.items()})
        values["body_regions"] = self.body_chart.selection()
        values["medicines"] = self.medicines.values()
        # Asked only while a medicine flagged for review is listed.
        values["medicine_review"] = (
            self.medicine_review.value() if self.medicines.for_review() else None
        )
        values["diagnosis_code"] = self.diagnosis.code()
        return values

    def fill(self, content: Mapping[str, object]) -> None:
        self._filling = True
        try:
            for name, edit in self.texts.items():
                edit.setPlainText(str(content.get(name) or ""))
            for name, line in self.lines.items():
                line.setText(str(content.get(name) or ""))
            for name, spin in self.pain.items():
                spin.set_score(content.get(name))
            regions = content.get("body_regions")
            self.body_chart.set_selection(regions if isinstance(regions, list | tuple) else ())
            self.medicines.set_values(content.get("medicines"))
            self.medicine_review.set_value(content.get("medicine_review"))
            self._show_review()
            self.diagnosis.set_regions(self.body_chart.selection())
            self.diagnosis.set_code(str(content.get("diagnosis_code") or ""))
            self._show_regions()
        finally:
            self._filling = False

    def set_read_only(self, read_only: bool) -> None:
        for edit in self.texts.values():
            edit.setReadOnly(read_only)
        for line in self.lines.values():
            line.setReadOnly(read_only)
        for spin in self.pain.values():
            spin.setReadOnly(read_only)
        self.body_chart.setEnabled(not read_only)
        self.medicines.set_read_only(read_only)
        self.medicine_review.set_read_only(read_only)
        self.diagnosis.set_read_only(read_only)
        self.sign_bar.setVisible(not read_only)
        self.signed_card.setVisible(read_only)

    def is_read_only(self) -> bool:
        return self.texts["presenting_complaint"].isReadOnly()

    def error_texts(self) -> dict[str, str]:
        return {name: f.error() or "" for name, f in self.fields.items() if f.error()}

    # ------------------------------------------------------------------ reactions

    def _show(self, view: AssessmentRecord | None) -> None:
        words = self._vm.attestation
        self.attestation.setText(self.tr("By signing: {words}").format(words=words))
        self.signed_attestation.setText(
            self.tr("They agreed: {words}").format(words=words) if words else ""
        )
        self.signed_attestation.setVisible(bool(words))
        if view is None:
            self.fill({})
            self.status_label.setText(self.tr("New draft"))
            self.draft_status.clear()
            self.integrity.hide_notice()
            self.set_read_only(False)
            return
        self.fill(view.content)
        signed = self._vm.is_signed
        self.set_read_only(signed)
        self.status_label.setText(self.tr("Signed") if signed else self.tr("Draft"))
        if signed and view.signed_at is not None:
            self.signed_label.setText(
                self.tr("Signed by {name} on {when}").format(
                    name=self._vm.signer_name(),
                    when=f"{formatting.clinical_date(view.signed_at.date())} "
                    f"{view.signed_at:%H:%M}",
                )
            )
        broken = not view.intact or any(not item.intact for item in view.addenda)
        if broken:
            self.integrity.show_notice(
                self.tr(
                    "This record has changed since it was signed: its check does not match. "
                    "Do not rely on it; tell your information governance lead."
                ),
                "problem",
            )
        else:
            self.integrity.hide_notice()
        self._show_addenda(view)

    def _show_addenda(self, view: AssessmentRecord) -> None:
        while self.addenda_list.count():
            item = self.addenda_list.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for addendum in view.addenda:
            when = (
                f"{formatting.clinical_date(addendum.signed_at.date())} {addendum.signed_at:%H:%M}"
            )
            entry = label(
                self.tr("Addendum, {when}: {text}").format(when=when, text=addendum.text), wrap=True
            )
            entry.setObjectName("addendumEntry")
            entry.setTextFormat(Qt.TextFormat.PlainText)
            self.addenda_list.addWidget(entry)

    def _show_regions(self) -> None:
        chosen = [region_name(code) for code in self.body_chart.selection()]
        self.regions_label.setText(
            self.tr("Chosen: {regions}").format(regions=", ".join(chosen))
            if chosen
            else self.tr("No regions chosen yet.")
        )

    def _show_review(self) -> None:
        """The medicines review, shown only while a medicine flagged for review is listed."""
        flagged = self.medicines.for_review()
        self.medicine_review.set_listed(flagged)
        self.review_field.setVisible(bool(flagged))

    def _on_medicines_edited(self) -> None:
        self._show_review()
        self._on_edited("medicines")

    def _on_chart_selection_changed(self, codes: list[str]) -> None:
        self._show_regions()
        self.diagnosis.set_regions(list(codes))
        self._on_edited("body_regions")

    def _on_edited(self, name: str) -> None:
        if self._filling:
            return
        field = self.fields.get(name)
        if field is not None:
            field.set_error(None)
        self.draft_status.setText(self.tr("Changes not saved yet…"))
        self._vm.form_changed(self.values())

    def _on_sign_clicked(self) -> None:
        self.sign_error.setVisible(False)
        password = self.password.text()
        self.password.clear()
        self._vm.sign(password)

    def _on_addendum_clicked(self) -> None:
        self.addendum_error.setVisible(False)
        password = self.addendum_password.text()
        self.addendum_password.clear()
        self._vm.add_addendum(self.addendum_text.toPlainText(), password)

    def _on_vm_draft_saved(self, _view: AssessmentRecord) -> None:
        if not self._vm.has_unsaved_changes:
            self.draft_status.setText(self.tr("Draft saved."))
        self.summary.clear()

    def _on_vm_field_errors_changed(self, by_field: Mapping[str, ValidationError]) -> None:
        for name, field in self.fields.items():
            error = by_field.get(name)
            field.set_error(self._field_words(error, field.text) if error else None)
        # The first part refused is brought into view (the sign bar is below the form).
        first = next((f for n, f in self.fields.items() if n in by_field), None)
        if first is not None:
            self.scroll_area.ensureWidgetVisible(first)
        medicine_errors = [e for key, e in by_field.items() if key.startswith("medicines")]
        if medicine_errors:
            self.summary.show_problems(self.tr("Check the medicines: each needs a name."), [])

    def _field_words(self, error: ValidationError, text: str) -> str:
        if error.code == "assessment.required_to_sign":
            return self.tr("Fill this in before signing.")
        if error.code == "assessment.bad_code":
            return self.tr("Use letters, digits, dots or dashes only.")
        return errors.field_message(error, text)

    def _on_vm_problem(self, message: str) -> None:
        self.draft_status.setText(message)

    def _on_vm_sign_failed(self, message: str) -> None:
        self.sign_error.setText(message)
        self.sign_error.setVisible(True)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_vm_addendum_failed(self, message: str) -> None:
        self.addendum_error.setText(message)
        self.addendum_error.setVisible(True)

    def _on_vm_addendum_added(self, _view: AssessmentRecord) -> None:
        self.addendum_text.clear()
        self.addendum_error.setVisible(False)

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.sign_button.setEnabled(not busy)
        self.addendum_button.setEnabled(not busy)
        self.sign_button.setText(self.tr("Signing…") if busy else self.tr("Sign assessment"))
