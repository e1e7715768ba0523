"""The scan logbook: a trainee's verified scans over a period, saved as CSV or PDF."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.reports.views import Logbook
from ui.common import formatting, theme
from ui.common.widgets import NoticeBar, card, label, set_role
from ui.domains.reports.logbook.view_model import LogbookViewModel

#: As every date on screen: 05-Mar-2026, English month names whatever the machine's locale.
_DATE_FORMAT = "dd-MMM-yyyy"
#: Changing a date waits this long for the next keystroke before the logbook is read again.
_RELOAD_DELAY_MS = 400
_CSV_FILTER = "Spreadsheet (CSV) files (*.csv)"
_PDF_FILTER = "PDF documents (*.pdf)"


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    edit.setDisplayFormat(_DATE_FORMAT)
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setMinimumWidth(140)
    return edit


def _day(edit: QDateEdit) -> date:
    shown = edit.date()
    return date(shown.year(), shown.month(), shown.day())


class LogbookView(QWidget):
    """Choose a trainee and a period; see scans by body region and supervision; save them."""

    def __init__(self, view_model: LogbookViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        #: Asks where to save: (suggested file name, file-type filter) -> path, "" if cancelled.
        #: Tests replace it; the app uses the system's save dialog.
        self.choose_file: Callable[[str, str], str] = self._ask_for_file
        self.heading = label(self.tr("Scan logbook"), "heading")
        self.intro = label(
            self.tr(
                "A trainee's scans verified by their supervisor, by body region and by how "
                "they were supervised, with how often the supervisor agreed: for the "
                "accreditation portfolio."
            ),
            "hint",
            wrap=True,
        )
        self.notice = NoticeBar()
        self.trainee = QComboBox()
        self.trainee.setObjectName("logbookTrainee")
        self.trainee.setAccessibleName(self.tr("Trainee"))
        self.trainee.setMinimumWidth(220)
        self.start = _date_edit("logbookFrom")
        self.start.setAccessibleName(self.tr("From"))
        self.end = _date_edit("logbookTo")
        self.end.setAccessibleName(self.tr("To"))
        self.show_button = QPushButton(self.tr("Show"))
        set_role(self.show_button, "", variant="primary")
        self.title = label("", "subheading", wrap=True)
        self.title.setObjectName("logbookTitle")
        self.summary = label("", wrap=True)
        self.summary.setObjectName("logbookSummary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = label("", "hint", wrap=True)
        self.empty.setObjectName("logbookEmpty")
        self.table = self._make_table()
        self.csv_button = QPushButton(self.tr("Export CSV…"))
        self.pdf_button = QPushButton(self.tr("Export PDF…"))
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(_RELOAD_DELAY_MS)
        self._lay_out()
        self._set_dates()
        self._show_nothing(self.tr("Choose a trainee and a period."))

        vm = view_model
        vm.trainees_loaded.connect(self._on_vm_trainees_loaded)
        vm.logbook_loaded.connect(self._on_vm_logbook_loaded)
        vm.exported.connect(self._on_vm_exported)
        vm.problem.connect(self._on_vm_problem)
        vm.busy_changed.connect(lambda _busy: self._enable_exports())
        self.show_button.clicked.connect(self._on_show_clicked)
        self.trainee.currentIndexChanged.connect(lambda _index: self._request())
        self.start.dateChanged.connect(lambda _date: self._reload.start())
        self.end.dateChanged.connect(lambda _date: self._reload.start())
        self._reload.timeout.connect(self._request)
        self.csv_button.clicked.connect(lambda: self._export(".csv", _CSV_FILTER))
        self.pdf_button.clicked.connect(lambda: self._export(".pdf", _PDF_FILTER))

    # ------------------------------------------------------------ layout

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, 3)
        table.setObjectName("logbookTable")
        table.setAccessibleName(self.tr("Verified scans by body region and supervision"))
        table.setHorizontalHeaderLabels(
            [self.tr("Body region"), self.tr("Supervision"), self.tr("Scans")]
        )
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(2, 110)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        scans = table.horizontalHeaderItem(2)
        if scans is not None:
            scans.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return table

    def _lay_out(self) -> None:
        choices = card()
        grid = QGridLayout(choices)
        grid.setContentsMargins(20, 14, 20, 16)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        for column, (text, editor) in enumerate(
            (
                (self.tr("Trainee"), self.trainee),
                (self.tr("From"), self.start),
                (self.tr("To"), self.end),
            )
        ):
            caption = label(text, "fieldLabel")
            caption.setBuddy(editor)
            grid.addWidget(caption, 0, column)
            grid.addWidget(editor, 1, column)
        grid.addWidget(self.show_button, 1, 3)
        grid.setColumnStretch(4, 1)

        results = card()
        inside = QVBoxLayout(results)
        inside.setContentsMargins(20, 14, 20, 18)
        inside.setSpacing(10)
        inside.addWidget(self.title)
        inside.addWidget(self.summary)
        inside.addWidget(self.table)
        inside.addWidget(self.empty)

        body = QWidget()
        page = QVBoxLayout(body)
        page.setContentsMargins(0, 0, 8, 0)
        page.setSpacing(14)
        page.addWidget(self.heading)
        page.addWidget(self.intro)
        page.addWidget(self.notice)
        page.addWidget(choices)
        page.addWidget(results)
        page.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        buttons = QHBoxLayout()
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.pdf_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    # ------------------------------------------------------------ user input

    def _set_dates(self) -> None:
        for edit, value in ((self.start, self._vm.start), (self.end, self._vm.end)):
            edit.blockSignals(True)
            edit.setDate(QDate(value.year, value.month, value.day))
            edit.blockSignals(False)

    def _request(self) -> None:
        self._reload.stop()
        trainee_id = self.trainee.currentData()
        if trainee_id is None:
            return
        self.notice.hide_notice()
        self._vm.show(trainee_id, _day(self.start), _day(self.end))

    def _on_show_clicked(self) -> None:
        self._request()

    def _export(self, suffix: str, file_filter: str) -> None:
        if self._vm.book is None:
            return
        path = self.choose_file(self._vm.suggested_file_name(suffix), self.tr(file_filter))
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix
        self.notice.hide_notice()
        if suffix == ".csv":
            self._vm.export_csv(path)
        else:
            self._vm.export_pdf(path)

    def _ask_for_file(self, suggested: str, file_filter: str) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start_at = os.path.join(folder, suggested) if folder else suggested
        path, _chosen = QFileDialog.getSaveFileName(
            self, self.tr("Save the logbook"), start_at, file_filter
        )
        return path

    # ------------------------------------------------------------ the view model's news

    def _on_vm_trainees_loaded(self, trainees: list[tuple[object, str]]) -> None:
        self.trainee.blockSignals(True)
        self.trainee.clear()
        for trainee_id, name in trainees:
            self.trainee.addItem(name, trainee_id)
        self.trainee.blockSignals(False)
        self.trainee.setEnabled(self._vm.can_choose_trainee)
        for control in (self.start, self.end, self.show_button):
            control.setEnabled(bool(trainees))
        self._set_dates()
        if trainees:
            self._show_nothing("")  # the first trainee's logbook follows
        else:
            self._show_nothing(
                self.tr("Nobody has named you as their supervisor, so there is no logbook to show.")
            )

    def _on_vm_logbook_loaded(self, book: Logbook) -> None:
        period = self._vm.period
        if period is not None:
            self.title.setText(
                self.tr("{name} · {first} to {last}").format(
                    name=book.trainee_name,
                    first=formatting.clinical_date(period[0]),
                    last=formatting.clinical_date(period[1]),
                )
            )
        self.title.setVisible(period is not None)
        self.summary.setText(self._vm.summary())
        self.summary.setVisible(True)
        rows = self._vm.rows()
        self._fill_table(rows, book.verified)
        self.table.setVisible(bool(rows))
        self.empty.setText(self.tr("No verified scans in this period."))
        self.empty.setVisible(not rows)
        self._enable_exports()

    def _fill_table(self, rows: list[tuple[str, str, int]], total: int) -> None:
        table = self.table
        table.setRowCount(len(rows) + 1)
        for line, (region, supervision, scans) in enumerate(rows):
            self._put(line, (region, supervision, str(scans)))
        bold = QFont(table.font())
        bold.setBold(True)
        self._put(len(rows), (self.tr("Total"), "", str(total)), font=bold, shaded=True)
        table.resizeRowsToContents()
        height = table.horizontalHeader().sizeHint().height() + table.frameWidth() * 2
        height += sum(table.rowHeight(line) for line in range(table.rowCount()))
        table.setFixedHeight(height)

    def _put(
        self,
        line: int,
        texts: tuple[str, str, str],
        *,
        font: QFont | None = None,
        shaded: bool = False,
    ) -> None:
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if column == 2:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if font is not None:
                item.setFont(font)
            if shaded:
                item.setBackground(QBrush(QColor(theme.NHS_PALE_GREY)))
            self.table.setItem(line, column, item)

    def _show_nothing(self, why: str) -> None:
        self.title.setText("")
        self.title.setVisible(False)
        self.summary.setVisible(False)
        self.table.setRowCount(0)
        self.table.setVisible(False)
        self.empty.setText(why)
        self.empty.setVisible(True)
        self._enable_exports()

    def _on_vm_exported(self, path: str) -> None:
        saved = Path(path)
        self.notice.show_notice(
            self.tr("Saved {name} in {folder}.").format(name=saved.name, folder=saved.parent),
            "success",
        )

    def _on_vm_problem(self, text: str) -> None:
        self.notice.show_notice(text, "problem")
        if self._vm.book is None and self._vm.trainees:
            self._show_nothing(self.tr("The logbook could not be shown."))

    def _enable_exports(self) -> None:
        ready = self._vm.book is not None and not self._vm.exporting
        self.csv_button.setEnabled(ready)
        self.pdf_button.setEnabled(ready)

    # ------------------------------------------------------------ for tests and screen readers

    def table_texts(self) -> list[tuple[str, str, str]]:
        """Every row of the table as shown, the totals row last."""
        shown: list[tuple[str, str, str]] = []
        for line in range(self.table.rowCount()):
            cells = [self.table.item(line, column) for column in range(3)]
            texts = [cell.text() if cell is not None else "" for cell in cells]
            shown.append((texts[0], texts[1], texts[2]))
        return shown
