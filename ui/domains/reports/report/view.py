"""The scan report page, and the review queue (supervisors) with returned reports (trainees)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.reports.views import PendingReview, PrintableReport, ReportView
from clinic_app.records.registry import record_type
from ui.common import formatting
from ui.common.printing import PdfDelivery, document_file_name
from ui.common.text_draft import TextDraft
from ui.common.widgets import NoticeBar, card, label, set_role
from ui.domains.reports.report.view_model import ReportViewModel, ReviewQueueViewModel


def _sections() -> tuple[tuple[str, str], ...]:
    """The report's written sections (key, label), as its record type declares them."""
    return tuple((s.key, s.label) for s in record_type("scan_report").text_sections)


def _label(key: str) -> str:
    return record_type("scan_report").section(key).label


def _amendments() -> tuple[str, ...]:
    return tuple(s.key for s in record_type("scan_report").text_sections if s.amendment)


MODES = (
    ("present", "Present at the scan"),
    ("remote_live", "Watching live, remotely"),
    ("retrospective", "Reviewed the images afterwards"),
)
AGREEMENTS = (
    ("agree", "Agree"),
    ("minor", "Minor discordance"),
    ("major", "Major discordance"),
)


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone()
    return f"{formatting.clinical_date(local.date())} {local:%H:%M}"


def status_words(report: ReportView) -> str:
    """Where a report stands, in a sentence."""
    if report.status == "signed" and report.verified:
        return f"Verified by {report.supervisor_name} on {_when(report.signed_at)}"
    if report.status == "signed":
        return f"Signed by {report.author_name} on {_when(report.signed_at)}"
    if report.status == "submitted":
        return f"With {report.supervisor_name} for review"
    if report.status == "returned":
        return "Returned by your supervisor with feedback"
    return "Draft"


def _tr(text: str) -> str:
    return QCoreApplication.translate("ReportPage", text)


def identity_words(report: ReportView) -> str:
    """Who a report is about: name, NHS number (3 3 4) and date of birth, on one line."""
    who = report.patient
    if who is None:
        return _tr("Patient not in this store")
    return _tr("{name} · NHS number {nhs} · born {born}").format(
        name=formatting.patient_name(who.family_name, who.given_name, who.title),
        nhs=formatting.nhs_number(who.nhs_number),
        born=formatting.clinical_date(who.date_of_birth),
    )


def identity_lines(report: ReportView) -> str:
    """Who a report is about, on two short lines for a list row: name; NHS number and birth."""
    who = report.patient
    if who is None:
        return _tr("Patient not in this store")
    return _tr("{name}\nNHS number {nhs} · born {born}").format(
        name=formatting.patient_name(who.family_name, who.given_name, who.title),
        nhs=formatting.nhs_number(who.nhs_number),
        born=formatting.clinical_date(who.date_of_birth),
    )


def _password() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText("Your password")
    field.setMaximumWidth(220)
    return field


class ReportPage(QWidget):
    """Write the report of a study; send it for review, or sign it; then only addenda."""

    def __init__(self, view_model: ReportViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.heading = label(self.tr("Scan report"), "heading")
        self.state = label("", "subheading", wrap=True)
        self.marking = label("", "fieldError", wrap=True)
        self.marking.setObjectName("preliminaryMarking")
        self.notice = NoticeBar()
        self.feedback = label("", "hint", wrap=True)
        self.feedback.setObjectName("supervisorFeedback")
        self.body_region = QLineEdit()
        self.body_region.setAccessibleName(self.tr(_label("body_region")))
        self.fields: dict[str, QPlainTextEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self._sections = _sections()
        self._form_layout: QFormLayout | None = None
        for name, words in self._sections:
            edit = QPlainTextEdit()
            edit.setAccessibleName(self.tr(words))
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(64)
            self.fields[name] = edit
        self.print_button = QPushButton(self.tr("Print or save as PDF…"))
        #: Save the PDF where the user chooses, named for the patient, then print; tests
        #: replace its steps.
        self.pdf_delivery = PdfDelivery(self)
        self.save_button = QPushButton(self.tr("Save draft"))
        self.submit_button = QPushButton(self.tr("Send to my supervisor"))
        set_role(self.submit_button, "", variant="primary")
        self.attestation = label("", "hint", wrap=True)
        self.password = _password()
        self.password.setAccessibleName(self.tr("Password to sign"))
        self.sign_button = QPushButton(self.tr("Sign"))
        set_role(self.sign_button, "", variant="primary")
        self.key_images = QListWidget()
        self.key_images.setAccessibleName(self.tr(_label("key_images")))
        self.key_images.setMaximumHeight(110)
        self.measurements = QListWidget()
        self.measurements.setAccessibleName(self.tr("Measurements to include"))
        self.measurements.setMaximumHeight(110)
        self.addendum_text = QPlainTextEdit()
        self.addendum_text.setAccessibleName(self.tr("Addendum"))
        self.addendum_text.setMaximumHeight(80)
        self.addendum_button = QPushButton(self.tr("Start an addendum"))
        self._lay_out()
        self._connect(view_model)

    def _connect(self, view_model: ReportViewModel) -> None:
        view_model.loaded.connect(self._on_vm_loaded)
        view_model.cleared.connect(self._on_vm_cleared)
        view_model.saved.connect(
            lambda _r: self.notice.show_notice(self.tr("Draft saved."), "success")
        )
        view_model.moved_on.connect(lambda _r, words: self.notice.show_notice(words, "success"))
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        view_model.field_errors_changed.connect(self._on_vm_field_errors_changed)
        self.save_button.clicked.connect(lambda: view_model.save(self.values()))
        self.submit_button.clicked.connect(lambda: view_model.submit(self.values()))
        self.sign_button.clicked.connect(self._on_sign_clicked)
        self.password.returnPressed.connect(self._on_sign_clicked)
        self.print_button.clicked.connect(view_model.print_pdf)
        view_model.pdf_ready.connect(self._on_vm_pdf_ready)
        self.addendum_button.clicked.connect(
            lambda: view_model.addendum(self.addendum_text.toPlainText())
        )

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        self._form_layout = form
        form.addRow(self.tr(_label("body_region")), self.body_region)
        for name, words in self._sections:
            error = label("", "fieldError", wrap=True)
            error.hide()
            self.errors[name] = error
            holder = QWidget()
            holder_column = QVBoxLayout(holder)
            holder_column.setContentsMargins(0, 0, 0, 0)
            holder_column.setSpacing(2)
            holder_column.addWidget(self.fields[name])
            holder_column.addWidget(error)
            form.addRow(self.tr(words), holder)
        form.addRow(self.tr(_label("key_images")), self.key_images)
        form.addRow(self.tr(_label("measurements")), self.measurements)
        return form

    def _lay_out(self) -> None:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(8)
        column.addWidget(self.feedback)
        column.addLayout(self._form())
        self.addendum_row = QWidget()
        addendum = QHBoxLayout(self.addendum_row)
        addendum.setContentsMargins(0, 0, 0, 0)
        addendum.addWidget(self.addendum_text, 1)
        addendum.addWidget(self.addendum_button)
        column.addWidget(self.addendum_row)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        self.action_bar = QWidget()
        bar = QHBoxLayout(self.action_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addWidget(self.submit_button)
        bar.addStretch(1)
        bar.addWidget(self.password)
        bar.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.state)
        layout.addLayout(top)
        layout.addWidget(self.marking)
        layout.addWidget(self.notice)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.attestation)
        layout.addWidget(self.action_bar)

    def unsaved_values(self) -> dict[str, Any] | None:
        """What is written, if it differs from the report as kept and may still be changed."""
        report = self._vm.report
        if report is None or report.status not in ("draft", "returned"):
            return None
        values = self.values()
        for name, value in values.items():
            kept = report.content.get(name)
            if isinstance(value, list):
                if value != list(kept or []):
                    return values
            elif value != str(kept or ""):
                return values
        return None

    def values(self) -> dict[str, Any]:
        """What is written, as the service takes it (key images and measurements kept)."""
        report = self._vm.report
        values: dict[str, Any] = {name: edit.toPlainText() for name, edit in self.fields.items()}
        values["body_region"] = self.body_region.text()
        values["key_images"] = [
            item.data(Qt.ItemDataRole.UserRole)
            for item in _items(self.key_images)
            if item.checkState() == Qt.CheckState.Checked
        ]
        values["measurements"] = [
            item.data(Qt.ItemDataRole.UserRole)
            for item in _items(self.measurements)
            if item.checkState() == Qt.CheckState.Checked
        ]
        if report is not None and report.status not in ("draft", "returned"):
            values["key_images"] = report.content.get("key_images", [])
            values["measurements"] = report.content.get("measurements", [])
        return values

    def _fill_choices(self, report: ReportView, editable: bool) -> None:
        chosen = set(report.content.get("key_images", []))
        self.key_images.clear()
        for image in self._vm.images:
            kind = "Still" if image["frames"] <= 1 else f"Clip, {image['frames']} frames"
            words = " · ".join(
                bit for bit in (kind, image["body_part"].title(), image["laterality"]) if bit
            )
            item = QListWidgetItem(words)
            item.setData(Qt.ItemDataRole.UserRole, image["id"])
            item.setCheckState(
                Qt.CheckState.Checked if image["id"] in chosen else Qt.CheckState.Unchecked
            )
            if not editable:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            self.key_images.addItem(item)
        kept = list(report.content.get("measurements", []))
        offered = kept + [m for m in self._vm.offered if m not in kept]
        self.measurements.clear()
        for measurement in offered:
            item = QListWidgetItem(f"{measurement['label']}: {measurement['mm']:.1f} mm")
            item.setData(Qt.ItemDataRole.UserRole, measurement)
            item.setCheckState(
                Qt.CheckState.Checked if measurement in kept else Qt.CheckState.Unchecked
            )
            if not editable:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            self.measurements.addItem(item)
        if not offered:
            placeholder = QListWidgetItem(
                self.tr("No distances measured in mm yet: measure on a calibrated image.")
            )
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.measurements.addItem(placeholder)

    def _show_amendments(self, shown: bool) -> None:
        for name in _amendments():
            holder = self.fields[name].parentWidget()
            if holder is not None and self._form_layout is not None:
                self._form_layout.setRowVisible(holder, shown)

    def _on_vm_cleared(self) -> None:
        """Nothing of a report dropped stays on the page (nor can be saved or signed from it)."""
        for edit in self.fields.values():
            edit.clear()
            edit.setReadOnly(True)
        self.body_region.clear()
        self.body_region.setReadOnly(True)
        self._show_amendments(False)
        self.key_images.clear()
        self.measurements.clear()
        for text in (self.state, self.marking, self.feedback):
            text.clear()
        self.password.clear()
        self.addendum_text.clear()
        for widget in (
            self.marking,
            self.feedback,
            self.save_button,
            self.submit_button,
            self.password,
            self.sign_button,
            self.attestation,
            self.addendum_row,
        ):
            widget.setVisible(False)

    def _on_vm_loaded(self, report: ReportView) -> None:
        editable = report.status in ("draft", "returned")
        for name, edit in self.fields.items():
            edit.setPlainText(str(report.content.get(name) or ""))
            edit.setReadOnly(not editable)
        # Only a version that adds to another has an addendum (its label goes with it).
        self._show_amendments(report.predecessor_id is not None)
        self.body_region.setText(str(report.content.get("body_region") or ""))
        self._fill_choices(report, editable)
        self.body_region.setReadOnly(not editable)
        version = self.tr(" · version {n}").format(n=report.version) if report.version > 1 else ""
        self.state.setText(status_words(report) + version)
        self.marking.setText(report.marking)
        self.marking.setVisible(bool(report.marking))
        self.feedback.setText(
            self.tr("Your supervisor's feedback: {words}").format(words=report.feedback[-1])
            if report.feedback and report.status == "returned"
            else ""
        )
        if report.status == "signed" and report.verified:
            modes, agreements = dict(MODES), dict(AGREEMENTS)
            verified = self.tr("{mode} · {agreement}").format(
                mode=modes.get(report.supervision_mode or "", ""),
                agreement=agreements.get(report.agreement or "", ""),
            )
            if report.supervisor_words:
                verified += self.tr(" · in the supervisor's own words: {words}").format(
                    words=report.supervisor_words
                )
            self.feedback.setText(verified)
        self.feedback.setVisible(bool(self.feedback.text()))
        alone = self._vm.reports_alone
        self.save_button.setVisible(editable)
        self.submit_button.setVisible(editable and not alone)
        for widget in (self.password, self.sign_button, self.attestation):
            widget.setVisible(editable and alone)
        self.attestation.setText(self.tr("By signing: {words}").format(words=self._vm.attestation))
        self.addendum_row.setVisible(report.status == "signed")

    def _on_vm_pdf_ready(self, printed: PrintableReport, pdf: bytes) -> None:
        # Named for the patient whose report it is, never for whoever is on the page now.
        name = document_file_name(
            printed.patient_name, printed.nhs_number, "scan report", date.today()
        )
        path = self.pdf_delivery.deliver(pdf, name, self.tr("Save the scan report"))
        if path is not None:
            self.notice.show_notice(self.tr("Saved {name}.").format(name=path.name), "success")

    def _on_sign_clicked(self) -> None:
        password = self.password.text()
        self.password.clear()
        self._vm.sign(self.values(), password)

    def _on_vm_field_errors_changed(self, messages: dict[str, str]) -> None:
        for name, error in self.errors.items():
            error.setText(messages.get(name, ""))
            error.setVisible(bool(messages.get(name)))


class ReviewQueuePage(QWidget):
    """Reports waiting for the supervisor, oldest first; reports returned to the trainee."""

    #: The report the review form's choices, words and tick were made for: the form is
    #: emptied whenever another report (or none) is chosen.
    _form_for: uuid.UUID | None
    #: A report asked for by name (from the day list): chosen when the queue is next read.
    _wanted: uuid.UUID | None

    #: A trainee opens a returned report to change it.
    open_requested = Signal(object)
    #: ``(report)``: show the images of the study the chosen report is about.
    images_requested = Signal(object)

    def __init__(  # noqa: PLR0915 - one statement a part of the page, in order
        self, view_model: ReviewQueueViewModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.heading = label(self.tr("Scan reports waiting"), "heading")
        self.notice = NoticeBar()
        self.pending = QListWidget()
        self.pending.setAccessibleName(self.tr("Waiting for your review"))
        self.returned = QListWidget()
        self.returned.setAccessibleName(self.tr("Returned to you"))
        self.open_button = QPushButton(self.tr("Open to change"))
        self.identity = label("", "subheading", wrap=True)
        self.identity.setObjectName("reviewPatient")
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.images_button = QPushButton(self.tr("View the images"))
        self.images_button.setObjectName("viewImages")
        self.images_button.setToolTip(
            self.tr("Open this patient's record and the images of this study")
        )
        self.reading = label("", None, wrap=True)
        self.reading.setObjectName("reportText")
        self.reading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.modes = QButtonGroup(self)
        self.agreements = QButtonGroup(self)
        self.mode_buttons = [QRadioButton(self.tr(words)) for _code, words in MODES]
        self.agreement_buttons = [QRadioButton(self.tr(words)) for _code, words in AGREEMENTS]
        for group, buttons in (
            (self.modes, self.mode_buttons),
            (self.agreements, self.agreement_buttons),
        ):
            for index, button in enumerate(buttons):
                group.addButton(button, index)
        self.supervisor_words = QPlainTextEdit()
        self.supervisor_words.setAccessibleName(self.tr("Your words, added to the report"))
        self.supervisor_words.setMaximumHeight(70)
        self.feedback = QPlainTextEdit()
        self.feedback.setAccessibleName(self.tr("Feedback to the trainee"))
        self.feedback.setMaximumHeight(70)
        self.attestation = label("", "hint", wrap=True)
        self.confirm = QCheckBox(self.tr("I have reviewed the images"))
        self.password = _password()
        self.password.setAccessibleName(self.tr("Password to verify"))
        self.return_button = QPushButton(self.tr("Return with feedback"))
        self.verify_button = QPushButton(self.tr("Verify"))
        set_role(self.verify_button, "", variant="primary")
        self.errors = {
            name: label("", "fieldError", wrap=True)
            for name in ("supervision_mode", "agreement", "feedback")
        }
        self._form_for = self._wanted = None
        #: The feedback being written, kept as the reviewer's draft of that report (set by
        #: the screen, which has the drafts).
        self.feedback_draft: TextDraft | None = None
        self._lay_out()
        view_model.queues_loaded.connect(self._on_vm_queues_loaded)
        view_model.reviewed.connect(self._on_vm_reviewed)
        view_model.refused.connect(self._on_vm_refused)
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        self.pending.currentItemChanged.connect(lambda *_a: self._show_selected())
        self.returned.currentItemChanged.connect(lambda *_a: self._update_buttons())
        self.return_button.clicked.connect(self._on_return_clicked)
        self.verify_button.clicked.connect(self._on_verify_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.images_button.clicked.connect(self._on_images_clicked)
        self.confirm.toggled.connect(lambda _on: self._update_buttons())

    def _choices(self) -> QHBoxLayout:
        choices = QHBoxLayout()
        mode_column = QVBoxLayout()
        mode_column.addWidget(label(self.tr("How you supervised"), "fieldLabel"))
        for button in self.mode_buttons:
            mode_column.addWidget(button)
        mode_column.addWidget(self.errors["supervision_mode"])
        agreement_column = QVBoxLayout()
        agreement_column.addWidget(label(self.tr("Your agreement"), "fieldLabel"))
        for button in self.agreement_buttons:
            agreement_column.addWidget(button)
        agreement_column.addWidget(self.errors["agreement"])
        choices.addLayout(mode_column)
        choices.addLayout(agreement_column)
        return choices

    def _review_panel(self) -> QWidget:
        """Who the report is about and Verify stay in view; the report and the choices scroll.

        On a small screen the middle scrolls, so the patient's name above and the Verify row
        below are never off the screen.
        """
        review = card()
        review_column = QVBoxLayout(review)
        review_column.setContentsMargins(16, 12, 16, 12)
        who_row = QHBoxLayout()
        who_row.addWidget(self.identity, 1)
        who_row.addWidget(self.images_button, 0, Qt.AlignmentFlag.AlignTop)
        review_column.addLayout(who_row)
        middle = QWidget()
        middle_column = QVBoxLayout(middle)
        middle_column.setContentsMargins(0, 0, 8, 0)
        middle_column.addWidget(self.reading)
        middle_column.addLayout(self._choices())
        middle_column.addWidget(
            label(self.tr("Your words, added to the report as yours"), "fieldLabel")
        )
        middle_column.addWidget(self.supervisor_words)
        middle_column.addWidget(label(self.tr("Feedback to the trainee"), "fieldLabel"))
        middle_column.addWidget(self.feedback)
        middle_column.addWidget(self.errors["feedback"])
        middle_column.addWidget(self.attestation)
        middle_column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(middle)
        # The card's own white shows through: the scrolling part is not a box of its own.
        scroll.setStyleSheet(
            "QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }"
        )
        review_column.addWidget(scroll, 1)
        bar = QHBoxLayout()
        bar.addWidget(self.return_button)
        bar.addStretch(1)
        bar.addWidget(self.confirm)
        bar.addWidget(self.password)
        bar.addWidget(self.verify_button)
        review_column.addLayout(bar)
        for error in self.errors.values():
            error.hide()
        return review

    def _lay_out(self) -> None:
        lists = QWidget()
        lists_column = QVBoxLayout(lists)
        lists_column.setContentsMargins(0, 0, 0, 0)
        lists_column.addWidget(
            label(self.tr("Waiting for your review (oldest first)"), "subheading")
        )
        lists_column.addWidget(self.pending, 2)
        lists_column.addWidget(label(self.tr("Returned to you"), "subheading"))
        lists_column.addWidget(self.returned, 1)
        lists_column.addWidget(self.open_button)
        review = self._review_panel()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(lists)
        splitter.addWidget(review)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 880])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)

    def _on_vm_queues_loaded(
        self, pending: list[PendingReview], returned: list[ReportView]
    ) -> None:
        # Read again while open (a sync round, a report submitted): the report being reviewed
        # stays the one chosen, so a verdict typed for it is never put to another report.
        before = self._selected()
        typed = self._form_started()
        keep_id = before.id if before is not None else None
        if self._wanted is not None:
            keep_id, typed, self._wanted = self._wanted, False, None
        self.pending.blockSignals(True)
        self.pending.clear()
        self.pending.blockSignals(False)
        for waiting in pending:
            report = waiting.report
            hours = waiting.waiting_hours
            age = (
                self.tr("{n} h").format(n=int(hours))
                if hours < 48
                else self.tr("{n} days").format(n=int(hours // 24))
            )
            region = report.content.get("body_region") or self.tr("region not given")
            item = QListWidgetItem(
                f"{identity_lines(report)}\n{report.author_name} · {region} · "
                f"{self.tr('waiting')} {age}"
            )
            item.setData(Qt.ItemDataRole.UserRole, report)
            self.pending.addItem(item)
        self.returned.clear()
        for report in returned:
            words = report.feedback[-1] if report.feedback else ""
            region = report.content.get("body_region") or ""
            item = QListWidgetItem(f"{identity_lines(report)}\n{region}\n{words}")
            item.setData(Qt.ItemDataRole.UserRole, report)
            self.returned.addItem(item)
        self.attestation.setText(
            self.tr("By verifying: {words}").format(words=self._vm.attestation)
        )
        keep = next((row for row, w in enumerate(pending) if w.report.id == keep_id), None)
        if keep is not None:
            self.pending.setCurrentRow(keep)
        elif pending:
            self.pending.setCurrentRow(0)
        if before is not None and keep is None and typed:
            self.notice.show_notice(
                self.tr(
                    "The report you were reviewing ({who}) is no longer waiting: it was "
                    "verified or returned elsewhere. Nothing you typed was sent."
                ).format(who=identity_words(before)),
                "info",
            )
        self._show_selected()

    def _selected(self) -> ReportView | None:
        item = self.pending.currentItem()
        report = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return report if isinstance(report, ReportView) else None

    def _show_selected(self) -> None:
        report = self._selected()
        chosen = report.id if report is not None else None
        if chosen != self._form_for:
            # Another report: nothing chosen, typed or ticked for the last one stays (the
            # feedback being written is kept as the reviewer's draft of that report).
            if self.feedback_draft is not None:
                self.feedback_draft.about(str(chosen) if chosen is not None else None)
            self.clear_form()
            self._form_for = chosen
        self.identity.setText(identity_words(report) if report is not None else "")
        self.images_button.setVisible(report is not None)
        if report is None:
            self.reading.setText(self.tr("Nothing is waiting for your review."))
        else:
            parts = [
                f"<span style='color:#D5281B; font-weight:700'>{_html(report.marking)}</span>",
                f"<b>{self.tr('Written by')}</b> {report.author_name}",
            ]
            for name, words in _sections():
                text = str(report.content.get(name) or "")
                if text:
                    parts.append(f"<b>{self.tr(words)}</b><br>{_html(text)}")
            for item in report.content.get("measurements", []):
                parts.append(f"{_html(item.get('label') or 'Measurement')}: {item['mm']:.1f} mm")
            self.reading.setText("<br><br>".join(parts))
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self._selected() is not None
        self.return_button.setEnabled(chosen)
        self.verify_button.setEnabled(chosen and self.confirm.isChecked())
        self.open_button.setEnabled(self.returned.currentItem() is not None)

    def _on_return_clicked(self) -> None:
        report = self._selected()
        if report is not None:
            self._vm.return_report(report.id, self.feedback.toPlainText())

    def _on_verify_clicked(self) -> None:
        report = self._selected()
        if report is None:
            return
        mode, agreement = self.modes.checkedId(), self.agreements.checkedId()
        password = self.password.text()
        self.password.clear()
        self._vm.verify(
            report.id,
            password,
            {
                "supervision_mode": MODES[mode][0] if mode >= 0 else "",
                "agreement": AGREEMENTS[agreement][0] if agreement >= 0 else "",
                "supervisor_words": self.supervisor_words.toPlainText(),
                "feedback": self.feedback.toPlainText(),
            },
        )

    def _on_open_clicked(self) -> None:
        item = self.returned.currentItem()
        if item is not None:
            self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def _on_images_clicked(self) -> None:
        report = self._selected()
        if report is not None:
            self.images_requested.emit(report)

    def clear_form(self) -> None:
        """Empty the review form: choices, words, feedback, tick, password and errors."""
        for group in (self.modes, self.agreements):
            group.setExclusive(False)
            for button in group.buttons():
                button.setChecked(False)
            group.setExclusive(True)
        self.supervisor_words.clear()
        if self.feedback.toPlainText():  # emptied already when its draft moved on
            self.feedback.clear()
        self.confirm.setChecked(False)
        self.password.clear()
        self._on_vm_field_errors_changed({})

    def choose_when_read(self, report_id: uuid.UUID) -> None:
        """Choose this report once the queue is next read (asked for from the day list)."""
        self._wanted = report_id

    def forget(self) -> None:
        """Nothing of the last user's review stays (switching user)."""
        if self.feedback_draft is not None:
            self.feedback_draft.about(None)  # the feedback being written kept, then emptied
        self.clear_form()
        self._form_for = None
        self._wanted = None
        self.notice.hide_notice()

    def _form_started(self) -> bool:
        return bool(
            self.modes.checkedId() >= 0
            or self.agreements.checkedId() >= 0
            or self.supervisor_words.toPlainText().strip()
            or self.feedback.toPlainText().strip()
            or self.confirm.isChecked()
        )

    def _on_vm_reviewed(self, report_id: uuid.UUID, words: str) -> None:
        self.notice.show_notice(words, "success")
        if report_id == self._form_for:
            # Only that report's form is emptied: another chosen meanwhile keeps its words.
            if self.feedback_draft is not None:
                self.feedback_draft.done()
            self.clear_form()

    def _on_vm_refused(self, report_id: uuid.UUID, by_field: dict[str, str], words: str) -> None:
        if report_id == self._form_for:
            self._on_vm_field_errors_changed(by_field)
            self.notice.show_notice(words, "problem")
            return
        # Answered after another report was chosen: said as about that report, by name.
        report = next((w.report for w in self._vm.pending if w.report.id == report_id), None)
        who = identity_words(report) if report is not None else self.tr("another patient")
        self.notice.show_notice(
            self.tr("The report for {who} was not returned or verified: {why}").format(
                who=who, why=words
            ),
            "problem",
        )

    def _on_vm_field_errors_changed(self, messages: dict[str, str]) -> None:
        for name, error in self.errors.items():
            error.setText(messages.get(name, ""))
            error.setVisible(bool(messages.get(name)))


def _items(widget: QListWidget) -> list[QListWidgetItem]:
    found = [widget.item(row) for row in range(widget.count())]
    return [item for item in found if item is not None and item.data(Qt.ItemDataRole.UserRole)]


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
    )
