"""What pages that list many patients share: their table, and opening a row's patient.

A row names a patient who is not the one in the banner: opening it makes that patient the
window's, shows their record, then (if asked) the screen for what the row is about.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from clinic_app.people.views import PatientRecord
from ui.common.screen import ShellContext


class ListTable(QTableWidget):
    """Rows chosen whole, one at a time, never edited; the ``stretch`` column takes the room."""

    row_opened = Signal(int)
    """The row a person opened (Enter on it, or a double click)."""

    def __init__(
        self,
        headings: Sequence[str],
        name: str,
        *,
        stretch: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(0, len(headings), parent)
        self.setAccessibleName(name)
        self.setHorizontalHeaderLabels(list(headings))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.cellDoubleClicked.connect(lambda r, _c: self.row_opened.emit(r))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.row_opened.emit(self.currentRow())
            return
        super().keyPressEvent(event)

    def show_rows(self, rows: Sequence[Sequence[str]]) -> None:
        """Replace every row with ``rows`` (each its cells' words, left to right)."""
        self.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                self.setItem(r, c, QTableWidgetItem(text))

    def cells(self, r: int) -> list[str]:
        """The words of row ``r``, left to right."""
        items = (self.item(r, c) for c in range(self.columnCount()))
        return [item.text() if item is not None else "" for item in items]

    def mark(
        self,
        r: int,
        c: int,
        *,
        background: str | None = None,
        foreground: str | None = None,
        bold: bool = False,
    ) -> None:
        """Colour cell (``r``, ``c``) and make it bold; colours are theme names like "#FFB81C"."""
        item = self._cell(r, c)
        if background is not None:
            item.setBackground(QBrush(QColor(background)))
        if foreground is not None:
            item.setForeground(QBrush(QColor(foreground)))
        if bold:
            font = QFont(item.font())
            font.setBold(True)
            item.setFont(font)

    def _cell(self, r: int, c: int) -> QTableWidgetItem:
        """The item of cell (``r``, ``c``), made empty if the cell has none."""
        item = self.item(r, c)
        if item is None:
            item = QTableWidgetItem()
            self.setItem(r, c, item)
        return item


def open_row_patient(
    context: ShellContext, patient_id: uuid.UUID, screen_id: str | None = None, item: object = None
) -> None:
    """Open a listed patient's record (the banner then names them), then ``screen_id``.

    The record is read on the store worker; ``screen_id`` is opened with ``item`` once the
    patient is the window's, so it acts on them and no one else. If another patient is
    chosen before the record comes, it is dropped (``ShellContext.choose_patient``).
    """

    def show(record: PatientRecord) -> None:
        context.set_patient(record)
        context.open("patient", record)
        if screen_id is not None:
            context.open(screen_id, item)

    context.open_listed_patient(patient_id, show)
