"""A patient's record: banner, timeline by episode, referrals, alerts and demographics."""

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

from clinic_app.kernel.vocabulary import ReferralPriority, ReferralStatus
from clinic_app.people.views import PatientRecord, ReferralSummary
from clinic_app.records.timeline import PatientTimeline
from ui.common import formatting
from ui.common.widgets import NoticeBar, PatientBanner, alert_kind_chip, card, label, set_role
from ui.domains.people.record.timeline_panel import TimelinePanel
from ui.domains.people.record.view_model import PatientViewModel

_NOT_RECORDED = "—"


# One column: at the record panel's width, two columns wrapped most values over lines.
_DETAIL_COLUMNS = (
    (
        "address",
        "postcode",
        "phone",
        "email",
        "preferred_contact",
        "gp_practice",
        "ethnicity",
        "interpreter",
        "accessible_information",
    ),
)
_VISIBLE_REFERRAL_ROWS = 8
_WIDEST_COLUMN_CHARS = 18
_PRIORITY_COLUMN = 3


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
        self._detail_labels: dict[str, QLabel] = {}
        self._alerts_layout = QVBoxLayout()
        self._alerts_layout.setSpacing(8)
        self.referrals = self._referral_table()
        self.no_referrals = label(self.tr("No referrals recorded yet."), "hint")
        self.timeline = TimelinePanel()
        self.timeline.open_requested.connect(self._vm.open_entry)
        self.timeline.close_requested.connect(self._vm.close_episode)
        self.timeline.reopen_requested.connect(self._vm.reopen_episode)
        self._referral_list: tuple[ReferralSummary, ...] = ()
        #: The priority in force of each triaged referral, from the timeline.
        self._priority_in_force: dict[object, str] = {}

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 8, 0)
        body_layout.setSpacing(14)
        body_layout.addWidget(self.timeline)
        body_layout.addWidget(self._referrals_card())
        body_layout.addWidget(self._alerts_card())
        body_layout.addWidget(self._details_card())
        body_layout.addStretch(1)
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
        self._vm.timeline_loaded.connect(self._on_vm_timeline_loaded)
        self._vm.episode_change_failed.connect(self.timeline.show_episode_problem)

    def _detail_names(self) -> dict[str, str]:
        return {
            "address": self.tr("Address"),
            "postcode": self.tr("Postcode"),
            "phone": self.tr("Phone"),
            "email": self.tr("Email"),
            "preferred_contact": self.tr("Preferred contact"),
            "gp_practice": self.tr("GP practice"),
            "ethnicity": self.tr("Ethnicity"),
            "interpreter": self.tr("Interpreter"),
            "accessible_information": self.tr("Accessible information"),
        }

    def _details_card(self) -> QWidget:
        names = self._detail_names()
        panel, inner = _section(self.tr("Details"))
        columns = QHBoxLayout()
        columns.setSpacing(24)
        for keys in _DETAIL_COLUMNS:
            form = QFormLayout()
            form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            form.setHorizontalSpacing(14)
            form.setVerticalSpacing(8)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for key in keys:
                value = label("", wrap=True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self._detail_labels[key] = value
                key_label = label(names[key], "bannerKey")
                key_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                form.addRow(key_label, value)
            columns.addLayout(form, 1)
        inner.addLayout(columns)
        return panel

    def _alerts_card(self) -> QWidget:
        panel, inner = _section(self.tr("Alerts"))
        inner.addLayout(self._alerts_layout)
        return panel

    def _referrals_card(self) -> QWidget:
        panel = card()
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(18, 12, 18, 16)
        inner.setSpacing(10)
        heading_row = QHBoxLayout()
        heading_row.addWidget(label(self.tr("Referrals"), "subheading"))
        heading_row.addStretch(1)
        heading_row.addWidget(self.new_referral_button)
        inner.addLayout(heading_row)
        inner.addWidget(self.no_referrals)
        inner.addWidget(self.referrals)
        return panel

    def _referral_table(self) -> QTableWidget:
        table = QTableWidget(0, 6)
        table.setObjectName("referralList")
        table.setAccessibleName(self.tr("Referrals"))
        table.setHorizontalHeaderLabels(
            [
                self.tr("Received"),
                self.tr("Source"),
                self.tr("Specialty"),
                self.tr("Priority"),
                self.tr("Status"),
                self.tr("Reason"),
            ]
        )
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        return table

    def show_notice(self, text: str, tone: str = "info") -> None:
        self.notice.show_notice(text, tone)

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

    def _on_vm_timeline_loaded(self, timeline: PatientTimeline | None) -> None:
        self.timeline.show_timeline(timeline)
        entries = timeline.of_kind("referral") if timeline is not None else ()
        self._priority_in_force = {
            entry.record_id: entry.priority for entry in entries if entry.priority
        }
        self._show_referrals(self._referral_list)

    def _on_vm_cleared(self) -> None:
        self.timeline.show_timeline(None)
        self._priority_in_force = {}
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
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.setSpacing(12)
            chip = alert_kind_chip(alert.kind)
            chip.setMinimumWidth(chip.sizeHint().width())
            line.addWidget(chip, 0, Qt.AlignmentFlag.AlignTop)
            text = label(alert.text, wrap=True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            line.addWidget(text, 1)
            self._alerts_layout.addWidget(row)

    def _fit_columns(self) -> None:
        """Size columns to their text, but never so wide that the reason is squeezed out."""
        table = self.referrals
        widest = table.fontMetrics().averageCharWidth() * _WIDEST_COLUMN_CHARS
        for column in range(5):
            table.resizeColumnToContents(column)
            # The priority may say what triage changed it from ("Routine (referred urgent)").
            limit = widest * 3 // 2 if column == _PRIORITY_COLUMN else widest
            table.setColumnWidth(column, min(table.columnWidth(column), limit))

    def _priority_words(self, referral: ReferralSummary) -> str:
        """The priority in force: triage's once triaged, saying what was referred if it differs."""
        words = {
            ReferralPriority.ROUTINE: self.tr("Routine"),
            ReferralPriority.PRIORITY: self.tr("Priority"),
            ReferralPriority.URGENT: self.tr("Urgent"),
        }
        referred = words.get(referral.priority, str(referral.priority).capitalize())
        decided = self._priority_in_force.get(referral.id)
        if decided is None or decided == referral.priority.value:
            return referred
        in_force = words.get(ReferralPriority(decided), decided.capitalize())
        return self.tr("{in_force} (referred {referred})").format(
            in_force=in_force, referred=referred.lower()
        )

    def _status_words(self, referral: ReferralSummary) -> str:
        words = {
            ReferralStatus.RECEIVED: self.tr("Received"),
            ReferralStatus.TRIAGED: self.tr("Triaged"),
            ReferralStatus.ACCEPTED: self.tr("Accepted"),
            ReferralStatus.RETURNED: self.tr("Returned to referrer"),
            ReferralStatus.DISCHARGED: self.tr("Discharged"),
            ReferralStatus.CANCELLED: self.tr("Cancelled"),
        }
        return words.get(referral.status, str(referral.status).capitalize())

    def _show_referrals(self, referrals: tuple[ReferralSummary, ...]) -> None:
        self._referral_list = referrals
        self.referrals.setRowCount(len(referrals))
        for row, referral in enumerate(referrals):
            cells = (
                formatting.clinical_date(referral.received_on),
                referral.source_label,
                referral.specialty_label,
                self._priority_words(referral),
                self._status_words(referral),
                referral.reason,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.referrals.setItem(row, column, item)
        self._fit_columns()
        self.no_referrals.setVisible(not referrals)
        self.referrals.setVisible(bool(referrals))
        # Tall enough for the rows (up to a limit): the page scrolls, not a small table.
        shown = max(1, min(len(referrals), _VISIBLE_REFERRAL_ROWS))
        self.referrals.resizeRowsToContents()
        row_height = self.referrals.verticalHeader().defaultSectionSize()
        if referrals:
            row_height = self.referrals.rowHeight(0)
        header_height = self.referrals.horizontalHeader().sizeHint().height()
        frame = self.referrals.frameWidth() * 2
        self.referrals.setFixedHeight(header_height + row_height * shown + frame + 2)


def _section(title: str) -> tuple[QWidget, QVBoxLayout]:
    panel = card()
    inner = QVBoxLayout(panel)
    inner.setContentsMargins(18, 12, 18, 16)
    inner.setSpacing(10)
    inner.addWidget(label(title, "subheading"))
    return panel, inner
