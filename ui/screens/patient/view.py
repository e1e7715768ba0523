"""A patient's record: banner, demographics, alerts and referrals, with a New referral button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_app.services.types import PatientRecord, ReferralSummary
from ui.common import formatting
from ui.common.widgets import NoticeBar, PatientBanner, alert_chip, card, label, set_role
from ui.screens.patient.view_model import PatientViewModel

_NOT_RECORDED = "—"


class PatientView(QWidget):
    """Read-only view of the open record; every change goes through its own form."""

    def __init__(self, view_model: PatientViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.banner = PatientBanner()
        self.notice = NoticeBar()
        self.new_referral_button = QPushButton(self.tr("New referral"))
        set_role(self.new_referral_button, "", variant="primary")
        self.new_referral_button.setToolTip(self.tr("Record a new referral (Ctrl+R)"))
        self.new_referral_button.clicked.connect(self._vm.request_new_referral)

        self._details = QFormLayout()
        self._details.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self._details.setHorizontalSpacing(16)
        self._details.setVerticalSpacing(7)
        self._details.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self._detail_labels: dict[str, QLabel] = {}
        for key, text in (
            ("address", self.tr("Address")),
            ("postcode", self.tr("Postcode")),
            ("phone", self.tr("Phone")),
            ("email", self.tr("Email")),
            ("preferred_contact", self.tr("Preferred contact")),
            ("gp_practice", self.tr("GP practice")),
            ("ethnicity", self.tr("Ethnicity")),
            ("interpreter", self.tr("Interpreter")),
            ("accessible_information", self.tr("Accessible information")),
        ):
            value = label("", wrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._detail_labels[key] = value
            self._details.addRow(label(text, "bannerKey"), value)

        details_card = card()
        details_layout = QVBoxLayout(details_card)
        details_layout.setContentsMargins(18, 14, 18, 16)
        details_layout.setSpacing(10)
        details_layout.addWidget(label(self.tr("Details"), "subheading"))
        details_layout.addLayout(self._details)
        details_layout.addStretch(1)

        self._alerts_layout = QVBoxLayout()
        self._alerts_layout.setSpacing(6)
        alerts_card = card()
        alerts_layout = QVBoxLayout(alerts_card)
        alerts_layout.setContentsMargins(18, 14, 18, 16)
        alerts_layout.setSpacing(10)
        alerts_layout.addWidget(label(self.tr("Alerts"), "subheading"))
        alerts_layout.addLayout(self._alerts_layout)
        alerts_layout.addStretch(1)

        self.referrals = QTableWidget(0, 6)
        self.referrals.setObjectName("referralList")
        self.referrals.setAccessibleName(self.tr("Referrals"))
        self.referrals.setHorizontalHeaderLabels(
            [
                self.tr("Received"),
                self.tr("Source"),
                self.tr("Specialty"),
                self.tr("Priority"),
                self.tr("Status"),
                self.tr("Reason"),
            ]
        )
        self.referrals.verticalHeader().setVisible(False)
        self.referrals.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.referrals.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.referrals.setAlternatingRowColors(True)
        self.referrals.setShowGrid(False)
        self.referrals.setWordWrap(False)
        self.referrals.setTabKeyNavigation(False)
        header = self.referrals.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        self.no_referrals = label(self.tr("No referrals recorded yet."), "hint")

        referrals_card = card()
        referrals_layout = QVBoxLayout(referrals_card)
        referrals_layout.setContentsMargins(18, 14, 18, 16)
        referrals_layout.setSpacing(10)
        heading_row = QHBoxLayout()
        heading_row.addWidget(label(self.tr("Referrals"), "subheading"))
        heading_row.addStretch(1)
        heading_row.addWidget(self.new_referral_button)
        referrals_layout.addLayout(heading_row)
        referrals_layout.addWidget(self.no_referrals)
        referrals_layout.addWidget(self.referrals)

        columns = QHBoxLayout()
        columns.setSpacing(14)
        columns.addWidget(details_card, 3)
        columns.addWidget(alerts_card, 2)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.setSpacing(14)
        body_layout.addLayout(columns)
        body_layout.addWidget(referrals_card, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 14, 16, 12)
        layout.setSpacing(12)
        layout.addWidget(self.banner)
        layout.addWidget(self.notice)
        layout.addWidget(scroll, 1)

        self._vm.record_loaded.connect(self._on_vm_record_loaded)
        self._vm.cleared.connect(self._on_vm_cleared)
        self._vm.failed.connect(self._on_vm_failed)

    def show_notice(self, text: str, tone: str = "info") -> None:
        self.notice.show_notice(text, tone)

    def focus_first(self) -> None:
        self.new_referral_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def referral_rows(self) -> list[list[str]]:
        """The referrals table as text, row by row, as a person reads it."""
        rows: list[list[str]] = []
        for row in range(self.referrals.rowCount()):
            cells = [self.referrals.item(row, column) for column in range(6)]
            rows.append([cell.text() if cell is not None else "" for cell in cells])
        return rows

    def _on_vm_record_loaded(self, record: PatientRecord) -> None:
        self.banner.show_record(record)
        self._show_details(record)
        self._show_alerts(record)
        self._show_referrals(record.referrals)

    def _on_vm_cleared(self) -> None:
        self.banner.clear()
        self.notice.hide_notice()
        for value in self._detail_labels.values():
            value.clear()
        self._show_referrals(())

    def _on_vm_failed(self, message: str) -> None:
        self.notice.show_notice(message, "problem")

    def _show_details(self, record: PatientRecord) -> None:
        practice = record.gp_practice
        if record.interpreter_needed:
            interpreter = self.tr("Needed: {language}").format(
                language=record.interpreter_language_label or record.interpreter_language or ""
            )
        else:
            interpreter = self.tr("Not needed")
        needs = ", ".join(choice.label for choice in record.accessible_information_needs)
        values = {
            "address": record.address,
            "postcode": record.postcode,
            "phone": record.phone,
            "email": record.email,
            "preferred_contact": record.preferred_contact_label,
            "gp_practice": f"{practice.name} ({practice.ods_code})" if practice else None,
            "ethnicity": record.ethnicity_label,
            "interpreter": interpreter,
            "accessible_information": needs or self.tr("None recorded"),
        }
        for key, value in values.items():
            self._detail_labels[key].setText(value or self.tr(_NOT_RECORDED))

    def _show_alerts(self, record: PatientRecord) -> None:
        while self._alerts_layout.count():
            item = self._alerts_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if not record.alerts:
            self._alerts_layout.addWidget(label(self.tr("No active alerts."), "hint"))
            return
        for alert in record.alerts:
            chip = alert_chip(alert)
            chip.setWordWrap(True)
            self._alerts_layout.addWidget(chip)

    def _show_referrals(self, referrals: tuple[ReferralSummary, ...]) -> None:
        self.referrals.setRowCount(len(referrals))
        for row, referral in enumerate(referrals):
            cells = (
                formatting.clinical_date(referral.received_on),
                referral.source_label,
                referral.specialty_label,
                referral.priority.value.capitalize(),
                referral.status.value.capitalize(),
                referral.reason,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.referrals.setItem(row, column, item)
        self.no_referrals.setVisible(not referrals)
        self.referrals.setVisible(bool(referrals))
