"""Who opened or changed a patient's record, where and when: the admin's access trail."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.common import formatting
from ui.common.widgets import NoticeBar, label, set_role
from ui.domains.audit.access.view_model import AccessTrailViewModel

if TYPE_CHECKING:
    # Types only: the service module brings SQLAlchemy, which building the window must not.
    from clinic_app.people.audit_log import PatientTrail, TrailLine

#: What each recorded action says on screen; anything else shows its code, never nothing.
_ACTIONS = {
    "patient.open": "Opened the record",
    "patient.fetch": "Fetched the record to a computer that did not hold it",
    "patient.search": "Shown in a search of all the service's patients",
    "patient.linked": "Taken to a computer as a possible duplicate of a patient held there",
    "patient.register": "Registered the patient",
    "timeline.view": "Read the timeline",
    "referral.create": "Added a referral",
    "referral.list": "Read the referrals",
    "report.open": "Opened a scan report",
    "report.print": "Printed a scan report",
    "report.list_final": "Listed the final scan reports",
    "imaging.list_studies": "Listed the scans",
    "image.view": "Looked at an image",
    "attachment.read": "Opened an attached file",
    "assessment.open": "Opened an assessment",
    "questionnaire.history": "Read questionnaire results",
    "red_flag.screenings": "Read red-flag screenings",
    "red_flag.open_screening": "Started a red-flag screening",
    "red_flag.record": "Recorded a red-flag screening",
    "audit.patient_trail": "Asked who opened the record",
    "audit.patient_trail_export": "Exported this list",
}

_COLUMNS = ("When", "Who", "Role", "Device", "What")


def action_words(action: str) -> str:
    """A recorded action in words (its code when there are none yet)."""
    return _ACTIONS.get(action, action)


class AccessTrailView(QWidget):
    """NHS number in, the trail out: user, role, device, action, when; export as CSV."""

    def __init__(self, view_model: AccessTrailViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.heading = label(self.tr("Who opened or changed a record"), "heading")
        self.explain = label(
            self.tr(
                "For an information governance question or a subject access request. Asking is "
                "itself recorded. Only this patient's entries are shown or exported, and no "
                "clinical content."
            ),
            "hint",
            wrap=True,
        )
        self.nhs_edit = QLineEdit()
        self.nhs_edit.setObjectName("auditNhsNumber")
        self.nhs_edit.setPlaceholderText(self.tr("NHS number"))
        self.nhs_edit.setAccessibleName(self.tr("NHS number of the patient"))
        self.nhs_edit.setMaximumWidth(220)
        self.ask_button = QPushButton(self.tr("Show"))
        set_role(self.ask_button, "", variant="primary")
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setEnabled(False)
        self.source = label("", "subheading", wrap=True)
        self.source.setObjectName("auditSource")
        self.notice = NoticeBar()
        self.table = self._make_table()
        self._lay_out()
        self.ask_button.clicked.connect(self._ask)
        self.nhs_edit.returnPressed.connect(self._ask)
        self.export_button.clicked.connect(self._export)
        view_model.loaded.connect(self._on_vm_loaded)
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        view_model.exported.connect(
            lambda path: self.notice.show_notice(
                self.tr("Exported to {path}.").format(path=path), "success"
            )
        )

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, len(_COLUMNS))
        table.setObjectName("auditTrailTable")
        table.setAccessibleName(self.tr("Who opened or changed the record"))
        table.setHorizontalHeaderLabels([self.tr(c) for c in _COLUMNS])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return table

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addWidget(self.explain)
        row = QHBoxLayout()
        row.addWidget(self.nhs_edit)
        row.addWidget(self.ask_button)
        row.addStretch(1)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        layout.addWidget(self.notice)
        layout.addWidget(self.source)
        layout.addWidget(self.table, 1)

    def _ask(self) -> None:
        self.notice.hide_notice()
        self.export_button.setEnabled(False)
        self.source.setText(self.tr("Looking…"))
        self.table.setRowCount(0)
        self._vm.ask(self.nhs_edit.text())

    def _on_vm_loaded(self, trail: PatientTrail | None) -> None:
        self.table.setRowCount(0)
        if trail is None:
            self.source.setText("")
            self.export_button.setEnabled(False)
            return
        if trail.source == "service":
            where = self.tr("From the server: every device of the service.")
        else:
            where = self.tr(
                "This computer only: the server could not be asked (offline, not set up, or "
                "you have not signed in online here). Ask again when online for every device."
            )
        count = self.tr("{count} entries.").format(count=len(trail.lines))
        self.source.setText(f"{where} {count}")
        for line in trail.lines:
            self._add(line)
        self.export_button.setEnabled(True)

    def _add(self, line: TrailLine) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        when = line.at.astimezone()
        cells = (
            f"{formatting.clinical_date(when.date())} {when:%H:%M}",
            line.user,
            formatting.display_role(line.role),
            line.device,
            action_words(line.action),
        )
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, column, item)

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the access trail"),
            "access-trail.csv",
            self.tr("CSV files (*.csv)"),
        )
        if path:
            self._vm.export(Path(path))
