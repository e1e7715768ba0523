"""The letters due as a table: most urgent first, breaches in words and in colour."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.letters.views import DueLetter
from ui.common.chosen_row import ChosenRow
from ui.common.theme import NHS_PALE_RED, NHS_RED, NHS_WARM_YELLOW
from ui.common.widgets import NoticeBar, label, set_role
from ui.domains.letters.due.view_model import DueRow, LettersDueViewModel, Urgency


class _Table(QTableWidget):
    """Enter opens the chosen row, as a double click does."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.activated_row.emit(self.currentRow())
            return
        super().keyPressEvent(event)


class LettersDuePage(QWidget):
    """Discharges and onward referrals whose letter is not signed, with the days left."""

    open_requested = Signal(object)
    """A ``DueLetter`` whose letter is to be written."""

    def __init__(self, view_model: LettersDueViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view_model = view_model
        self.title = label(self.tr("Letters due"), "title")
        self.whose = label("", "hint", wrap=True)
        self.notice = NoticeBar()
        self.empty = label(
            self.tr(
                "No letters are due: every discharge and onward referral has its letter signed."
            ),
            wrap=True,
        )
        self.headings = [
            self.tr("Patient"),
            self.tr("NHS number"),
            self.tr("Letter due"),
            self.tr("Since"),
            self.tr("Due by"),
            self.tr("Time left"),
            self.tr("GP practice"),
            self.tr("Letter"),
        ]
        self.table = _Table(0, len(self.headings))
        self.table.setAccessibleName(self.tr("Letters due"))
        self.table.setHorizontalHeaderLabels(self.headings)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.open_button = QPushButton(self.tr("&Open the letter"))
        self.open_button.setAccessibleName(self.tr("Open the letter of the chosen row"))
        set_role(self.open_button, "", variant="primary")
        self.refresh_button = QPushButton(self.tr("Re&fresh"))
        self.refresh_button.setAccessibleName(self.tr("Read the letters due again"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.whose)
        layout.addWidget(self.notice)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.cellDoubleClicked.connect(lambda r, _c: self._open(r))
        self.table.activated_row.connect(self._open)
        self.open_button.clicked.connect(lambda: self._open(self.table.currentRow()))
        self._chosen = ChosenRow(self.table)
        self.table.currentCellChanged.connect(lambda *_cells: self._update_open())
        self.refresh_button.clicked.connect(view_model.load)
        view_model.rows_changed.connect(self.show_rows)
        view_model.problem.connect(lambda words: self.notice.show_notice(words, "problem"))
        self.show_rows([])

    def show_rows(self, rows: list[DueRow]) -> None:
        before = self._chosen.chosen()
        self.whose.setText(
            self.tr("Every clinician's discharges and onward referrals whose letter is not signed.")
            if self.view_model.everyone
            else self.tr("Your discharges and onward referrals whose letter is not signed.")
        )
        self.table.setRowCount(len(rows))
        for r, shown in enumerate(rows):
            cells = (
                shown.patient,
                shown.nhs_number,
                shown.letter,
                shown.since,
                shown.due_on,
                shown.days_left,
                shown.gp,
                shown.draft,
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if shown.urgency == Urgency.BREACHED:
                    item.setBackground(QBrush(QColor(NHS_PALE_RED)))
                    if c == 5:
                        item.setForeground(QBrush(QColor(NHS_RED)))
                elif shown.urgency == Urgency.SOON and c == 5:
                    item.setBackground(QBrush(QColor(NHS_WARM_YELLOW)))
                if c == 5 or (c == 6 and shown.item.no_gp_practice):
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                if c == 6 and shown.item.no_gp_practice:
                    item.setForeground(QBrush(QColor(NHS_RED)))
                self.table.setItem(r, c, item)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        kept = self._chosen.shown([_due_key(shown.item) for shown in rows], before)
        if not kept:
            self.notice.show_notice(
                self.tr("The letter you had chosen is no longer due. Choose a row to open."),
                "info",
            )
        self._update_open()

    def _update_open(self) -> None:
        chosen = self.table.currentRow() >= 0
        self.open_button.setEnabled(chosen and self.view_model.may_open)

    def _open(self, r: int) -> None:
        rows = self.view_model.rows
        if 0 <= r < len(rows) and self.view_model.may_open:
            item: DueLetter = rows[r].item
            self.open_requested.emit(item)


def _due_key(item: DueLetter) -> tuple[object, ...]:
    """What identifies a letter due across re-reads of the list."""
    return (item.patient_id, item.episode_id, item.onward_decision_id, item.reason)
