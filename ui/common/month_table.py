"""A table of figures over a range of months, read on the store's thread and saved as CSV.

The audits of a service (injections, shockwave courses, ...) all look alike: choose the first
and last month, read the figures for whom the user may see, show one row per figure and one
column per whom it counts, and save the same table as a CSV file. A domain supplies how to read
its figures, how to lay them out, and its words; this module does the rest once.

The figures a domain reads carry the months they cover (``first`` and ``last``, firsts of the
month) and whether they count everyone (``everyone``): an answer for months since left is
dropped. Neither the table nor its file names a patient: the core's figures hold none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication, QDate, QObject, Signal
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

from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.printing import documents_folder
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.common.widgets import NoticeBar, label

#: How many months a table shows at first, this month included.
DEFAULT_MONTHS = 12

Table = tuple[list[str], list[list[str]]]


def _tr(text: str) -> str:
    return QCoreApplication.translate("MonthTable", text)


class MonthFigures(Protocol):
    """What a domain's figures over a range of months tell this module."""

    @property
    def first(self) -> date: ...

    @property
    def last(self) -> date: ...

    @property
    def everyone(self) -> bool: ...


def months_before(month: date, months: int) -> date:
    """The first of the month ``months`` before ``month``'s."""
    index = month.year * 12 + month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period_words(first: date, last: date) -> str:
    """The months covered, as a heading says them ("Jan 2026 to Dec 2026")."""
    return _tr("{first} to {last}").format(
        first=first.strftime("%b %Y"), last=last.strftime("%b %Y")
    )


def write_csv(path: Path, headings: list[str], rows: list[list[str]]) -> None:
    """Save a table as CSV (UTF-8 with a byte-order mark, which spreadsheets read).

    Written beside the target and then moved into place, so a failed write leaves no half file
    and never spoils a file saved before.
    """
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(headings)
    writer.writerows(rows)
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(text.getvalue().encode("utf-8-sig"))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def ask_where_to_save_csv(parent: QWidget | None, title: str, suggested: str) -> str:
    """The save dialog for a CSV file, opened on the suggested path; "" when cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, _tr("CSV files (*.csv)"))
    return path


class MonthTableViewModel(QObject):
    """Reads a domain's figures over the chosen months; lays them out; saves them as CSV.

    Args:
        read: the domain's figures for a user over the months ``first`` to ``last``.
        lay_out: the headings and rows of those figures.
        file_stem: the start of the suggested file name ("injections-audit").
        runner: runs the read on the store's thread.
        session: the signed-in user.
        today: the clinic's day (tests set it).
    """

    loaded = Signal()
    problem = Signal(str)

    def __init__(
        self,
        read: Callable[[CurrentUser, date, date], Any],
        lay_out: Callable[[Any], Table],
        file_stem: str,
        *,
        runner: TaskRunner,
        session: UserSession,
        today: Callable[[], date] = date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._read = read
        self._lay_out = lay_out
        self._file_stem = file_stem
        self._runner = runner
        self._session = session
        self._today = today
        self.last = today().replace(day=1)
        self.first = months_before(self.last, DEFAULT_MONTHS - 1)
        self.audit: Any = None

    @property
    def this_month(self) -> date:
        return self._today().replace(day=1)

    def choose(self, first: date, last: date) -> None:
        """Show the months ``first`` to ``last`` (in either order; none still to come)."""
        first, last = sorted((first.replace(day=1), last.replace(day=1)))
        self.first, self.last = min(first, self.this_month), min(last, self.this_month)
        self.load()

    def load(self) -> None:
        """Read the chosen months' figures afresh."""
        actor = self._session.user
        if actor is None:
            return
        read, first, last = self._read, self.first, self.last
        self._runner.run_store(
            lambda: read(actor, first, last),
            on_done=self._on_loaded,
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
            supersede=self._file_stem,
        )

    def table(self) -> Table:
        """The table shown (and saved): empty until read."""
        return ([], []) if self.audit is None else self._lay_out(self.audit)

    def file_name(self) -> str:
        """The name suggested for the CSV: what and which months, no person."""
        return f"{self._file_stem}_{self.first:%Y-%m}_to_{self.last:%Y-%m}.csv"

    def save_csv(self, path: Path) -> Path | None:
        """Save the table shown at ``path`` (".csv" added if missing); the path saved at.

        None when nothing is read yet or the file could not be written (``problem`` says so).
        """
        if self.audit is None:
            return None
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        headings, rows = self._lay_out(self.audit)
        try:
            write_csv(path, headings, rows)
        except OSError:
            self.problem.emit(_tr("The file could not be saved there. Choose another place."))
            return None
        return path

    def reset(self) -> None:
        self.audit = None
        self.last = self.this_month
        self.first = months_before(self.last, DEFAULT_MONTHS - 1)
        self.loaded.emit()

    def _on_loaded(self, audit: MonthFigures) -> None:
        if (audit.first, audit.last) != (self.first, self.last):
            return  # months since left
        self.audit = audit
        self.loaded.emit()


@dataclass(frozen=True)
class MonthTableWords:
    """The words of one domain's table, translated by the domain."""

    heading: str
    explanation: str
    table_name: str
    save_title: str
    everyone: str
    own: str


def _month_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat("MMM yyyy")
    edit.setAccessibleName(name)
    edit.setCalendarPopup(False)
    return edit


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class MonthTableView(QWidget):
    """The chosen months' figures for whom the user may see, and "Export as CSV…"."""

    def __init__(
        self,
        view_model: MonthTableViewModel,
        words: MonthTableWords,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._words = words
        #: Asks where to save (title, suggested path) -> the path, "" when cancelled.
        self.choose_path: Callable[[str, str], str] = lambda title, suggested: (
            ask_where_to_save_csv(self, title, suggested)
        )
        self.folder: Callable[[], Path] = documents_folder
        self.notice = NoticeBar()
        self.first = _month_edit(_tr("First month"))
        self.last = _month_edit(_tr("Last month"))
        self.show_button = QPushButton(_tr("&Show these months"))
        self.export_button = QPushButton(_tr("E&xport as CSV…"))
        self.table = QTableWidget(0, 0)
        self.table.setAccessibleName(words.table_name)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.scope = label("", "hint", wrap=True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(label(words.heading, "heading"))
        layout.addWidget(self.notice)
        self.no_patient = label(words.explanation, "hint", wrap=True)
        layout.addWidget(self.no_patient)
        layout.addWidget(self.scope)
        months = QHBoxLayout()
        first_label = label(_tr("&From"))
        first_label.setBuddy(self.first)
        last_label = label(_tr("&To"))
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
        chosen = self.choose_path(self._words.save_title, str(self.folder() / self._vm.file_name()))
        if not chosen:
            return None
        saved = self._vm.save_csv(Path(chosen))
        if saved is not None:
            self.notice.show_notice(_tr("Saved as {name}.").format(name=saved.name), "success")
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
        else:
            self.scope.setText(self._words.everyone if audit.everyone else self._words.own)
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


def whom_columns(audit: Any) -> list[Any]:
    """The columns of an audit: the whole service and each clinician, or the user alone."""
    return [audit.overall, *audit.clinicians] if audit.everyone else [audit.overall]


def whom_headings(audit: MonthFigures, columns: list[Any]) -> list[str]:
    """The headings of an audit's table: its months, then whom each column counts."""
    period = period_words(audit.first, audit.last)
    return [_tr("Figure, {period}").format(period=period)] + [
        _tr("The whole service") if figures.clinician_id is None else figures.name
        for figures in columns
    ]
