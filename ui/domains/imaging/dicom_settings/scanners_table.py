"""The scanners the service lets reach the app: a small table a service lead edits."""

from __future__ import annotations

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

from clinic_app.domains.imaging.views import KnownScanner

#: The columns, in order, as the settings store them.
_COLUMNS = ("name", "ae_title", "address")


class ScannersTable(QWidget):
    """Name, AE title and address of each scanner let in; rows left blank are dropped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("AE title"), self.tr("Address")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAccessibleName(self.tr("Scanners let in"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(120)
        self.add_button = QPushButton(self.tr("Add scanner"))
        self.remove_button = QPushButton(self.tr("Remove scanner"))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)

    def set_scanners(self, scanners: tuple[KnownScanner, ...]) -> None:
        """Show the scanners in force."""
        self.table.setRowCount(0)
        for scanner in scanners:
            self._add_row(scanner.name, scanner.ae_title, scanner.address)

    def scanners(self) -> list[dict[str, str]]:
        """The rows as typed, for the settings to check (blank rows left out)."""
        rows: list[dict[str, str]] = []
        for row in range(self.table.rowCount()):
            values = {}
            for column, name in enumerate(_COLUMNS):
                item = self.table.item(row, column)
                values[name] = item.text().strip() if item is not None else ""
            if any(values.values()):
                rows.append(values)
        return rows

    def _add_row(self, name: str, ae_title: str, address: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate((name, ae_title, address)):
            self.table.setItem(row, column, QTableWidgetItem(text))
        return row

    def _on_add_clicked(self) -> None:
        row = self._add_row("", "", "")
        self.table.setCurrentCell(row, 0)
        item = self.table.item(row, 0)
        if item is not None:
            self.table.editItem(item)

    def _on_remove_clicked(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
