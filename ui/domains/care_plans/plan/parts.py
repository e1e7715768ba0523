"""The care plan form's parts: lists the patient adds to, and the large type turned to them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.common.widgets import label, set_role

#: Large type for the patient sitting beside the clinician (as the questionnaires' patient
#: mode and the decision aids show it).
PATIENT_FACING_STYLE = """
QWidget#carePlanPage QLabel, QWidget#carePlanPage QCheckBox,
QWidget#carePlanPage QRadioButton, QWidget#carePlanPage QPlainTextEdit,
QWidget#carePlanPage QLineEdit, QWidget#carePlanPage QComboBox,
QWidget#carePlanPage QPushButton { font-size: 14pt; }
QWidget#carePlanPage QLabel[role="heading"] { font-size: 17pt; font-weight: 700; color: #003087; }
QWidget#carePlanPage QLabel[role="fieldLabel"] { font-size: 14pt; font-weight: 700; }
QWidget#carePlanPage QLabel[role="hint"] { font-size: 12pt; color: #425563; }
QWidget#carePlanPage QLabel[role="fieldError"] { font-size: 13pt; }
"""


class RowList(QWidget):
    """A list the patient adds to: each row one or more boxes, and a button to remove it.

    Args:
        name: what one row is, for screen readers ("Goal").
        columns: each box's name and the words shown in it while empty.
        add_words: the words of the button that adds a row.
    """

    changed = Signal()
    rows_changed = Signal()
    """A row was added or removed (the tab order is set again)."""

    def __init__(
        self,
        name: str,
        columns: Sequence[tuple[str, str]],
        add_words: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._name = name
        self._columns = tuple(columns)
        self.rows: list[tuple[list[QLineEdit], QPushButton]] = []
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(8)
        for column in range(len(self._columns)):
            self._grid.setColumnStretch(column, 3 if column == 0 else 2)
        self.add_button = QPushButton(add_words)
        self.add_button.setAccessibleName(add_words)
        set_role(self.add_button, "", variant="secondary")
        self.add_button.clicked.connect(self._on_add)
        self._read_only = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        if len(self._columns) > 1:
            # Each box's name above its column (row 0 of the grid; the rows start under it).
            for column, (title, _hint) in enumerate(self._columns):
                self._grid.addWidget(label(title, "hint"), 0, column)
        layout.addLayout(self._grid)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)

    def values(self) -> list[tuple[str, ...]]:
        """Each row's words, rows left empty dropped."""
        rows = [tuple(box.text().strip() for box in boxes) for boxes, _remove in self.rows]
        return [row for row in rows if any(row)]

    def set_values(self, rows: Sequence[Sequence[str]]) -> None:
        """Show ``rows`` (each the words of its boxes), nothing else."""
        self._clear()
        for values in rows:
            self._add_row(values)
        self.rows_changed.emit()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.add_button.setVisible(not read_only)
        for boxes, remove in self.rows:
            for box in boxes:
                box.setReadOnly(read_only)
            remove.setVisible(not read_only)

    def focus_chain(self) -> list[QWidget]:
        """The boxes and buttons, row by row, then the add button."""
        chain: list[QWidget] = []
        for boxes, remove in self.rows:
            chain.extend(boxes)
            chain.append(remove)
        chain.append(self.add_button)
        return chain

    def _add_row(self, values: Sequence[str] = ()) -> list[QLineEdit]:
        number = len(self.rows) + 1
        boxes: list[QLineEdit] = []
        for column, (title, hint) in enumerate(self._columns):
            box = QLineEdit(values[column] if column < len(values) else "")
            box.setPlaceholderText(hint)
            named = title if len(self._columns) > 1 else self._name
            box.setAccessibleName(
                self.tr("{name} {number}").format(name=named, number=number)
                if len(self._columns) == 1
                else self.tr("{name} {number}: {column}").format(
                    name=self._name, number=number, column=named
                )
            )
            box.setReadOnly(self._read_only)
            box.textChanged.connect(self.changed)
            self._grid.addWidget(box, number, column)
            boxes.append(box)
        remove = QPushButton(self.tr("Remove"))
        remove.setAccessibleName(
            self.tr("Remove {name} {number}").format(name=self._name.lower(), number=number)
        )
        set_role(remove, "", variant="link")
        remove.setVisible(not self._read_only)
        remove.clicked.connect(lambda: self._on_remove(remove))
        self._grid.addWidget(remove, number, len(self._columns))
        self.rows.append((boxes, remove))
        return boxes

    def _on_add(self) -> None:
        boxes = self._add_row()
        self.rows_changed.emit()
        boxes[0].setFocus()

    def _on_remove(self, button: QPushButton) -> None:
        for index, (_boxes, remove) in enumerate(self.rows):
            if remove is button:
                self._remove_row(index)
                return

    def _clear(self) -> None:
        for boxes, remove in self.rows:
            for box in boxes:
                self._grid.removeWidget(box)
                box.deleteLater()
            self._grid.removeWidget(remove)
            remove.deleteLater()
        self.rows = []

    def _remove_row(self, index: int) -> None:
        """The rows after it move up (numbered again for screen readers)."""
        values = [tuple(box.text() for box in boxes) for boxes, _remove in self.rows]
        del values[index]
        self._clear()
        for row in values:
            self._add_row(row)
        self.rows_changed.emit()
        self.changed.emit()
        if self.rows:
            self.rows[min(index, len(self.rows) - 1)][0][0].setFocus()
        else:
            self.add_button.setFocus()


__all__ = ["PATIENT_FACING_STYLE", "RowList"]
