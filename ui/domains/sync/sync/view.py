"""Sync: how this device stands with the server, and what waits for a person."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.kernel.errors import ClinicError
from clinic_app.people.views import ConflictView, IssueView, StoreStatus
from ui.common import errors, formatting
from ui.common.shell import sync_words
from ui.common.widgets import NoticeBar, card, label, set_role
from ui.domains.sync.sync.view_model import SyncViewModel

_REASONS = {
    "sync.unknown_row": "the server has no such record (it may have been restored from a backup)",
    "sync.append_only": "this kind of record is never changed once written",
    "sync.signed": "a signed record cannot be changed: add an addendum",
    "sync.unknown_table": "the server does not know this kind of record (it may be older)",
    "sync.bad_value": "a value was not in the form the server expects",
    "sync.refused_by_database": "the server's database refused it",
    "sync.conflict": "changed on another device at the same time",
}


def _reason_words(reason: str) -> str:
    """Why the server refused a change: the screen's own words, or its domain's table."""
    if reason in _REASONS:
        return _REASONS[reason]
    if errors.has_words(reason):
        return errors.message_for(ClinicError(reason))
    return reason


def _value_words(value: object) -> str:
    if value is None or value == "":
        return "(empty)"
    return str(value)


class SyncView(QWidget):
    """Status, conflicts with a choice per field, and changes the server refused."""

    def __init__(self, view_model: SyncViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.heading = label(self.tr("Sync"), "heading")
        self.summary = label("", "subheading", wrap=True)
        self.summary.setObjectName("syncSummary")
        self.server = label("", "hint", wrap=True)
        self.notice = NoticeBar()
        self.sync_button = QPushButton(self.tr("Sync now"))
        set_role(self.sync_button, "", variant="primary")
        self.conflicts_card = card()
        self.conflicts_grid = QGridLayout(self.conflicts_card)
        self.conflicts_grid.setContentsMargins(20, 14, 20, 18)
        self.conflicts_grid.setHorizontalSpacing(14)
        self.issues_card = card()
        self.issues_layout = QVBoxLayout(self.issues_card)
        self.issues_layout.setContentsMargins(20, 14, 20, 18)
        self.choice_buttons: list[QPushButton] = []
        self.issue_labels: list[QLabel] = []
        self._lay_out()
        vm = view_model
        vm.status_loaded.connect(self._on_vm_status_loaded)
        vm.issues_loaded.connect(self._on_vm_issues_loaded)
        vm.conflicts_loaded.connect(self._on_vm_conflicts_loaded)
        vm.conflicts_unavailable.connect(self._on_vm_conflicts_unavailable)
        vm.resolved.connect(
            lambda _id: self.notice.show_notice(
                self.tr("Kept. Every device gets this value at its next sync."), "success"
            )
        )
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        self.sync_button.clicked.connect(self._vm.sync_now)

    def _lay_out(self) -> None:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(14)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.sync_button)
        column.addLayout(top)
        column.addWidget(self.summary)
        column.addWidget(self.server)
        column.addWidget(self.notice)
        column.addWidget(self.conflicts_card)
        column.addWidget(self.issues_card)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.addWidget(scroll)

    def _on_vm_status_loaded(self, status: StoreStatus) -> None:
        parts = [sync_words(status.sync_state)]
        parts.append(
            self.tr("{count} change(s) waiting to go").format(count=status.pending_changes)
        )
        if status.waiting_for_sign_in:
            parts.append(
                self.tr(
                    "changes made by {name} wait until they sign in on this computer while it "
                    "is connected"
                ).format(name=status.waiting_for_sign_in)
            )
        if status.last_sync_at is not None:
            when = status.last_sync_at.astimezone()
            parts.append(
                self.tr("last successful sync {date} {time}").format(
                    date=formatting.clinical_date(when.date()), time=f"{when:%H:%M}"
                )
            )
        self.summary.setText(" · ".join(parts))
        configured = self._vm.configured
        self.sync_button.setEnabled(configured)
        self.server.setText(
            self.tr("Server: {url}").format(url=self._vm.server_url)
            if configured
            else self.tr(
                "This device is not set up to sync: everything stays on this device. An "
                "administrator sets it up with 'onestop sync enrol'."
            )
        )

    @staticmethod
    def _clear(layout: QLayout) -> None:
        while layout.count():
            taken = layout.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()

    def _on_vm_conflicts_loaded(self, conflicts: list[ConflictView]) -> None:
        grid = self.conflicts_grid
        self._clear(grid)
        self.choice_buttons = []
        grid.addWidget(label(self.tr("Conflicts waiting for a person"), "subheading"), 0, 0, 1, 4)
        if not conflicts:
            grid.addWidget(label(self.tr("None."), "hint"), 1, 0, 1, 4)
            return
        grid.addWidget(
            label(
                self.tr(
                    "The same detail was changed on two devices. Both values are kept: choose "
                    "the right one. Nothing changes until you do."
                ),
                "hint",
                wrap=True,
            ),
            1,
            0,
            1,
            4,
        )
        line = 2
        for conflict in conflicts:
            field = conflict.field.replace("_", " ")
            grid.addWidget(label(f"{conflict.record} · {field}", "fieldLabel"), line, 0, 1, 4)
            kept = QPushButton(
                self.tr("Keep “{value}” (in force; {who})").format(
                    value=_value_words(conflict.kept_value), who=conflict.kept_by
                )
            )
            other = QPushButton(
                self.tr("Keep “{value}” ({who}, {when})").format(
                    value=_value_words(conflict.other_value),
                    who=conflict.other_by,
                    when=f"{formatting.clinical_date(conflict.other_at.date())} "
                    f"{conflict.other_at.astimezone():%H:%M}",
                )
            )
            kept.clicked.connect(lambda _c=False, c=conflict: self._vm.choose(c, c.kept_value))
            other.clicked.connect(lambda _c=False, c=conflict: self._vm.choose(c, c.other_value))
            grid.addWidget(kept, line + 1, 0)
            grid.addWidget(other, line + 1, 1)
            grid.setColumnStretch(2, 1)
            self.choice_buttons += [kept, other]
            line += 2

    def _on_vm_conflicts_unavailable(self, text: str) -> None:
        self._clear(self.conflicts_grid)
        self.conflicts_grid.addWidget(
            label(self.tr("Conflicts waiting for a person"), "subheading"), 0, 0
        )
        self.conflicts_grid.addWidget(
            label(
                self.tr(
                    "The server cannot be reached, so its conflicts cannot be shown now. {why}"
                ).format(why=text),
                "hint",
                wrap=True,
            ),
            1,
            0,
        )

    def _on_vm_issues_loaded(self, issues: list[IssueView]) -> None:
        self._clear(self.issues_layout)
        self.issue_labels = []
        self.issues_layout.addWidget(
            label(self.tr("Changes the server did not take"), "subheading")
        )
        refused = [issue for issue in issues if issue.kind == "rejected"]
        if not refused:
            self.issues_layout.addWidget(label(self.tr("None."), "hint"))
            return
        self.issues_layout.addWidget(
            label(
                self.tr(
                    "Kept on this device, never deleted. Tell the service's IT lead; the record "
                    "itself is unchanged here."
                ),
                "hint",
                wrap=True,
            )
        )
        for issue in refused:
            why = _reason_words(issue.reason)
            text = self.tr("{record}: {fields} — {why} ({when})").format(
                record=issue.record,
                fields=", ".join(field.replace("_", " ") for field in issue.fields) or "record",
                why=why,
                when=formatting.clinical_date(issue.at.date()),
            )
            entry = label(text, wrap=True)
            entry.setTextFormat(Qt.TextFormat.PlainText)
            self.issue_labels.append(entry)
            self.issues_layout.addWidget(entry)
