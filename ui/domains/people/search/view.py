"""The patient search panel: a search box that answers as you type, and a results table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.people.views import PatientSummary
from ui.common import formatting, theme
from ui.common.widgets import label
from ui.domains.people.search.view_model import SearchViewModel

_Index = QModelIndex | QPersistentModelIndex


class SearchResultsModel(QAbstractTableModel):
    """Search results as table rows, written the way the patient banner writes them."""

    COLUMNS = ("name", "nhs_number", "born", "age", "sex", "postcode", "alerts")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PatientSummary] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._elsewhere = QFont()
        self._elsewhere.setItalic(True)
        self._alert_colour = QColor(theme.NHS_RED)
        self._headers = (
            self.tr("Name"),
            self.tr("NHS number"),
            self.tr("Born"),
            self.tr("Age"),
            self.tr("Sex"),
            self.tr("Postcode"),
            self.tr("Alerts"),
        )

    def set_rows(self, rows: list[PatientSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        words = self._alert_words(row) if column == "alerts" else self._text(row, column)
        answers: dict[int, Any] = {
            Qt.ItemDataRole.DisplayRole: self._text(row, column),
            Qt.ItemDataRole.AccessibleTextRole: words,
            Qt.ItemDataRole.ToolTipRole: words if column in {"alerts", "name", "sex"} else None,
            Qt.ItemDataRole.ForegroundRole: (
                self._alert_colour if column == "alerts" and row.alert_count else None
            ),
            Qt.ItemDataRole.FontRole: (
                self._elsewhere
                if row.on_server and column == "alerts"
                else self._bold
                if column == "name"
                else None
            ),
        }
        return answers.get(role)

    def _text(self, row: PatientSummary, column: str) -> str:
        texts = {
            "name": lambda: formatting.patient_name(row.family_name, row.given_name),
            "nhs_number": lambda: formatting.nhs_number(row.nhs_number),
            "born": lambda: formatting.clinical_date(row.date_of_birth),
            "age": lambda: formatting.age(row.age),
            "sex": lambda: row.sex_label,
            "postcode": lambda: row.postcode or "",
            "alerts": lambda: (
                self.tr("On the server")
                if row.on_server
                else f"⚠ {row.alert_count}"
                if row.alert_count
                else ""
            ),
        }
        return texts[column]()

    def _alert_words(self, row: PatientSummary) -> str:
        if row.on_server:
            return self.tr(
                "Not on this laptop: found on the service's server. Opening brings the record "
                "here, and the opening is recorded."
            )
        if row.alert_count == 0:
            return self.tr("No alerts")
        if row.alert_count == 1:
            return self.tr("1 alert")
        return self.tr("{count} alerts").format(count=row.alert_count)


class SearchView(QWidget):
    """Type a name, an NHS number or a date of birth; arrow down into the results; Enter opens."""

    def __init__(self, view_model: SearchViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.heading = label(self.tr("Find a patient"), "heading")
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(self.tr("Name, NHS number or date of birth"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName(self.tr("Search for a patient"))
        self.hint = label("", "hint", wrap=True)
        self.hint.setObjectName("searchStatus")

        self.model = SearchResultsModel(self)
        self.table = QTableView()
        self.table.setObjectName("searchResults")
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Search results"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Long sex labels ("Indeterminate ...") are elided rather than widening the table.
        sex = SearchResultsModel.COLUMNS.index("sex")
        header.setSectionResizeMode(sex, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(sex, self.fontMetrics().horizontalAdvance(self.tr("Female")) + 30)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.search_box)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)

        self.search_box.textChanged.connect(self._vm.set_query)
        self.search_box.installEventFilter(self)
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self._vm.results_changed.connect(self._on_vm_results_changed)
        self._vm.failed.connect(self._on_vm_failed)
        self._vm.busy_changed.connect(self._on_vm_busy_changed)
        self._on_vm_results_changed([])

    def focus_search(self) -> None:
        """Put the cursor in the search box with its text selected (Ctrl+F)."""
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def reset(self) -> None:
        self.search_box.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if watched is self.search_box:
            if key == Qt.Key.Key_Down or (enter and self.model.rowCount() > 1):
                return self._enter_results()
            if enter and self.model.rowCount() == 1:
                self._vm.choose(0)
                return True
        elif watched is self.table:
            current = self.table.currentIndex()
            if enter and current.isValid():
                self._vm.choose(current.row())
                return True
            if key == Qt.Key.Key_Up and (not current.isValid() or current.row() == 0):
                self.search_box.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False

    def _enter_results(self) -> bool:
        if self.model.rowCount() == 0:
            return False
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        return True

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self._vm.choose(index.row())

    def _on_vm_results_changed(self, results: list[PatientSummary]) -> None:
        self.model.set_rows(results)
        if results:
            self.table.selectRow(0)
        query = self._vm.answered_query.strip()
        if not query:
            self.hint.setText(
                self.tr("Try a surname, “jo smi”, 999 123 4567 or a date such as 12/03/1975.")
            )
        elif self._vm.server_note == "found":
            self.hint.setText(
                self.tr(
                    "Nobody on this laptop matches. These patients are on the service's "
                    "server (another clinic's records): opening one brings the record here."
                )
            )
        elif self._vm.server_note == "unreachable":
            self.hint.setText(
                self.tr(
                    "No patients found on this laptop, and the service's server could not be "
                    "reached to look further. Check the spelling, or try again when connected."
                )
            )
        elif not results:
            self.hint.setText(
                self.tr(
                    "No patients found. Check the spelling, or search by NHS number or "
                    "date of birth."
                )
            )
        elif len(results) >= self._vm.limit:
            self.hint.setText(
                self.tr("Showing the first {count}. Type more to narrow the search.").format(
                    count=len(results)
                )
            )
        elif len(results) == 1:
            self.hint.setText(self.tr("1 patient found. Press Enter to open the record."))
        else:
            self.hint.setText(
                self.tr("{count} patients found. Press ↓ to choose, Enter to open.").format(
                    count=len(results)
                )
            )

    def _on_vm_failed(self, message: str) -> None:
        self.hint.setText(message)

    def _on_vm_busy_changed(self, busy: bool) -> None:
        self.table.setAccessibleDescription(self.tr("Searching") if busy else "")
