"""The injections audit on screen: the months chosen, the table, and "Export as CSV…"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.common.printing import documents_folder
from ui.common.widgets import NoticeBar, label
from ui.domains.injections.audit.view_model import InjectionAuditViewModel


def _month_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat("MMM yyyy")
    edit.setAccessibleName(name)
    edit.setCalendarPopup(False)
    return edit


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def ask_where_to_save_csv(parent: QWidget | None, title: str, suggested: str) -> str:
    """The save dialog for a CSV file, opened on the suggested path; "" when cancelled."""
    path, _ = QFileDialog.getSaveFileName(
        parent, title, suggested, parent.tr("CSV files (*.csv)") if parent else "*.csv"
    )
    return path


class InjectionAuditView(QWidget):
    """The chosen months' injection figures for whom the user may see, and their export."""

    def __init__(self, view_model: InjectionAuditViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        #: Asks where to save (title, suggested path) -> the path, "" when cancelled.
        self.choose_path: Callable[[str, str], str] = lambda title, suggested: (
            ask_where_to_save_csv(self, title, suggested)
        )
        self.folder: Callable[[], Path] = documents_folder
        self.notice = NoticeBar()
        self.first = _month_edit(self.tr("First month"))
        self.last = _month_edit(self.tr("Last month"))
        self.show_button = QPushButton(self.tr("&Show these months"))
        self.export_button = QPushButton(self.tr("E&xport as CSV…"))
        self.table = QTableWidget(0, 0)
        self.table.setAccessibleName(self.tr("Injection figures"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.scope = label("", "hint", wrap=True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(label(self.tr("Injections audit"), "heading"))
        layout.addWidget(self.notice)
        self.no_patient = label(
            self.tr(
                "Counts and rates only: no patient is named, numbered or identified in "
                "these figures or in the saved file. A repeat injection is a signed "
                "injection whose repeat-too-soon or yearly-count warning was acknowledged."
            ),
            "hint",
            wrap=True,
        )
        layout.addWidget(self.no_patient)
        layout.addWidget(self.scope)
        months = QHBoxLayout()
        first_label = label(self.tr("&From"))
        first_label.setBuddy(self.first)
        last_label = label(self.tr("&To"))
        last_label.setBuddy(self.last)
        for widget in (first_label, self.first, last_label, self.last, self.show_button):
            months.addWidget(widget)
        months.addStretch(1)
        months.addWidget(self.export_button)
        layout.addLayout(months)
        layout.addWidget(self.table, 1)

        self.show_button.clicked.connect(self._choose)
        self.export_button.clicked.connect(self.export)
        view_model.loaded.connect(self._show)
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        self._show()

    def _choose(self) -> None:
        first, last = self.first.date(), self.last.date()
        self._vm.choose(date(first.year(), first.month(), 1), date(last.year(), last.month(), 1))

    def export(self) -> Path | None:
        """Ask where to save the table shown as CSV, and save it there."""
        if self._vm.audit is None:
            return None
        chosen = self.choose_path(
            self.tr("Save the injections audit as CSV"),
            str(self.folder() / self._vm.file_name()),
        )
        if not chosen:
            return None
        saved = self._vm.save_csv(Path(chosen))
        if saved is not None:
            self.notice.show_notice(self.tr("Saved as {name}.").format(name=saved.name), "success")
        return saved

    def _show(self) -> None:
        vm = self._vm
        this_month = _qdate(vm.this_month)
        for edit, month in ((self.first, vm.first), (self.last, vm.last)):
            edit.setMaximumDate(this_month)
            edit.setDate(_qdate(month))
        audit = vm.audit
        if audit is None:
            self.scope.setText("")
        elif audit.everyone:
            self.scope.setText(self.tr("Everyone's injections, and each clinician's."))
        else:
            self.scope.setText(self.tr("Your own injections."))
        headings, rows = vm.table()
        self.export_button.setEnabled(audit is not None)
        self.table.clear()
        self.table.setColumnCount(len(headings))
        self.table.setHorizontalHeaderLabels(headings)
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, words in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(words))
        header = self.table.horizontalHeader()
        if headings:
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            for column in range(1, len(headings)):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeRowsToContents()
