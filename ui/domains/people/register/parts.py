"""Inputs only the register form uses: the GP practice picker and the alerts editor."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.kernel.vocabulary import AlertKind
from clinic_app.people.views import PracticeSummary
from ui.common.widgets import alert_kind_label, set_role


class GpPracticePicker(QComboBox):
    """Pick a GP practice by typing part of its name, code or postcode."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(20)
        completer = QCompleter(self.model(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        line = self.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("Type the practice name, code or postcode"))
        self._wanted = ""

    def set_practices(self, practices: list[PracticeSummary]) -> None:
        wanted = self.practice_id() or self._wanted
        self.blockSignals(True)
        self.clear()
        self.addItem("", "")
        for practice in practices:
            text = f"{practice.name} ({practice.ods_code})"
            if practice.postcode:
                text = f"{text}, {practice.postcode}"
            self.addItem(text, str(practice.id))
        self.blockSignals(False)
        self.set_practice_id(wanted)

    def practice_id(self) -> str:
        """The chosen practice's id, or the typed text when it matches no practice.

        Unmatched text is passed on as it is, so the service can say it is not known.
        """
        text = self.currentText().strip()
        if not text:
            return ""
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if index > 0:
            data = self.itemData(index)
            return data if isinstance(data, str) else ""
        return text

    def set_practice_id(self, value: str) -> None:
        index = self.findData(value) if value else 0
        if index >= 0:
            self._wanted = ""
            self.setCurrentIndex(index)
        else:
            # The list may not have loaded yet: remember what to select when it has.
            self._wanted = value
            self.setCurrentIndex(0)
            self.setEditText("")


class AlertsEditor(QWidget):
    """Rows of alert kind and text, with Add and Remove buttons."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[QWidget, QComboBox, QLineEdit]] = []
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(6)
        self.add_button = QPushButton(self.tr("Add an alert"))
        self.add_button.clicked.connect(self._on_add_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(self._rows_layout)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def values(self) -> list[list[str]]:
        return [[str(kind.currentData()), text.text()] for _, kind, text in self._rows]

    def set_values(self, values: object) -> None:
        self.clear()
        for item in values if isinstance(values, list | tuple) else ():
            if isinstance(item, list | tuple) and len(item) == 2:
                self.add_row(str(item[0]), str(item[1]))

    def clear(self) -> None:
        for row, _, _ in self._rows:
            row.deleteLater()
        self._rows.clear()

    def add_row(self, kind: str = AlertKind.CLINICAL.value, text: str = "") -> QLineEdit:
        row = QWidget()
        kind_box = QComboBox()
        for alert_kind in AlertKind:
            kind_box.addItem(alert_kind_label(alert_kind), alert_kind.value)
        kind_box.setAccessibleName(self.tr("Kind of alert"))
        index = kind_box.findData(kind)
        kind_box.setCurrentIndex(max(index, 0))
        text_edit = QLineEdit(text)
        text_edit.setAccessibleName(self.tr("Alert text"))
        text_edit.setPlaceholderText(self.tr("For example: allergic to penicillin"))
        remove = QPushButton(self.tr("Remove"))
        set_role(remove, "", variant="link")
        remove.setAccessibleName(self.tr("Remove this alert"))
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(8)
        line.addWidget(kind_box)
        line.addWidget(text_edit, 1)
        line.addWidget(remove)
        self._rows_layout.addWidget(row)
        entry = (row, kind_box, text_edit)
        self._rows.append(entry)
        kind_box.currentIndexChanged.connect(self.changed)
        text_edit.textChanged.connect(self.changed)
        remove.clicked.connect(lambda: self._remove(entry))
        return text_edit

    def _on_add_clicked(self) -> None:
        self.add_row().setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def _remove(self, entry: tuple[QWidget, QComboBox, QLineEdit]) -> None:
        if entry in self._rows:
            self._rows.remove(entry)
            entry[0].deleteLater()
            self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)
            self.changed.emit()
