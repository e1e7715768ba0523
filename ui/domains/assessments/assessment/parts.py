"""Inputs only the assessment form uses: a pain score, the medicines list, a diagnosis picker."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.assessments.content import medicine_list
from clinic_app.people.views import DiagnosisChoice
from ui.common.widgets import label, set_role

NOT_RECORDED = -1
_SNOMED_ROLE = Qt.ItemDataRole.UserRole + 1
_TEXT_LINES = 3
REVIEW_STYLE = (
    "QLabel#medicineReview { background: #FFB81C; color: #212B32; font-weight: 700;"
    " border-radius: 3px; padding: 2px 8px; }"
)


class PainScore(QSpinBox):
    """A 0 to 10 score that can also be left unrecorded (shown as a dash)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(NOT_RECORDED, 10)
        self.setSpecialValueText("\u2013")  # an en dash: not recorded
        self.setValue(NOT_RECORDED)
        self.setMinimumWidth(90)

    def score(self) -> int | None:
        return None if self.value() == NOT_RECORDED else self.value()

    def set_score(self, value: object) -> None:
        self.setValue(value if isinstance(value, int) and not isinstance(value, bool) else -1)


def long_text(placeholder: str = "") -> QPlainTextEdit:
    """A few lines of free text; Tab moves on rather than typing a tab."""
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * _TEXT_LINES + 18)
    return edit


def medicine_classes(name: str) -> tuple[str, ...]:
    """The class codes the coded medicines list (from the BNF classes) gives ``name``."""
    return medicine_list().classify(name)


def _class_words(codes: list[str]) -> tuple[str, bool]:
    """The classes' names for the row, and whether any of them is flagged for review."""
    listed = medicine_list()
    classes = [c for code in codes if (c := listed.medicine_class(code)) is not None]
    return ", ".join(c.name for c in classes), any(c.review for c in classes)


class _MedicineRow(QWidget):
    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, name: str, dose: str, flags: list[str]) -> None:
        super().__init__()
        self.name = QLineEdit(name)
        self.name.setPlaceholderText(self.tr("Medicine, e.g. co-codamol 30/500"))
        self.name.setAccessibleName(self.tr("Medicine name"))
        self.dose = QLineEdit(dose)
        self.dose.setPlaceholderText(self.tr("Dose and how often"))
        self.dose.setAccessibleName(self.tr("Dose"))
        #: The classes the coded list recognises in the name (none: recorded as typed).
        self.recognised = label("", "hint")
        self.recognised.setObjectName("medicineClass")
        self.review = QLabel(self.tr("Opioid or gabapentinoid — review"))
        self.review.setObjectName("medicineReview")
        self.review.setStyleSheet(REVIEW_STYLE)
        # Columns line up from row to row whatever each row recognises.
        self.recognised.setMinimumWidth(150)
        kept = self.review.sizePolicy()
        kept.setRetainSizeWhenHidden(True)
        self.review.setSizePolicy(kept)
        self.remove = QPushButton(self.tr("Remove"))
        set_role(self.remove, "", variant="link")
        line = QHBoxLayout(self)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(8)
        line.addWidget(self.name, 3)
        line.addWidget(self.dose, 2)
        line.addWidget(self.recognised)
        line.addWidget(self.review)
        line.addWidget(self.remove)
        # What was recorded is shown as recorded until the name is changed.
        self._flags = list(flags) if name and flags else list(medicine_classes(name))
        self.name.textChanged.connect(self._on_name_changed)
        self.dose.textChanged.connect(self.changed)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self._show_classes()

    @property
    def flags(self) -> list[str]:
        """The medicine's class codes, from the coded list."""
        return list(self._flags)

    def value(self) -> dict[str, object]:
        return {"name": self.name.text(), "dose": self.dose.text(), "flags": self.flags}

    def is_blank(self) -> bool:
        return not (self.name.text().strip() or self.dose.text().strip())

    def set_read_only(self, read_only: bool) -> None:
        self.name.setReadOnly(read_only)
        self.dose.setReadOnly(read_only)
        self.remove.setVisible(not read_only)

    def _on_name_changed(self, text: str) -> None:
        self._flags = list(medicine_classes(text))
        self._show_classes()
        self.changed.emit()

    def _show_classes(self) -> None:
        words, review = _class_words(self._flags)
        #: Whether the medicine is flagged for review (an opioid or a gabapentinoid).
        self.flagged = review
        typed = bool(self.name.text().strip())
        self.recognised.setText(
            words if words else (self.tr("Not on the coded list") if typed else "")
        )
        self.recognised.setVisible(typed)
        self.review.setVisible(review)


class MedicinesEditor(QWidget):
    """Rows of medicine and dose, each classed by the coded list, with Add and Remove."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[_MedicineRow] = []
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(6)
        self.empty = label(self.tr("No medicines recorded."), "hint")
        self.add_button = QPushButton(self.tr("Add a medicine"))
        self.add_button.clicked.connect(self._on_add_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.empty)
        layout.addLayout(self._rows_layout)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def values(self) -> list[dict[str, object]]:
        """The medicines typed; rows left completely blank are not medicines yet."""
        return [row.value() for row in self.rows if not row.is_blank()]

    def for_review(self) -> list[str]:
        """The names of the medicines flagged for review, as typed."""
        return [row.name.text().strip() for row in self.rows if row.flagged]

    def set_values(self, values: object) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows.clear()
        for item in values if isinstance(values, list | tuple) else ():
            if isinstance(item, Mapping):
                flags = item.get("flags")
                self.add_row(
                    str(item.get("name") or ""),
                    str(item.get("dose") or ""),
                    [str(flag) for flag in flags] if isinstance(flags, list | tuple) else [],
                )
        self._update_empty()

    def add_row(self, name: str = "", dose: str = "", flags: list[str] | None = None) -> QLineEdit:
        row = _MedicineRow(name, dose, flags or [])
        row.changed.connect(self.changed)
        row.remove_requested.connect(self._remove)
        self._rows_layout.addWidget(row)
        self.rows.append(row)
        self._update_empty()
        return row.name

    def set_read_only(self, read_only: bool) -> None:
        self.add_button.setVisible(not read_only)
        for row in self.rows:
            row.set_read_only(read_only)

    def _update_empty(self) -> None:
        self.empty.setVisible(not self.rows)

    def _on_add_clicked(self) -> None:
        self.add_row().setFocus(Qt.FocusReason.OtherFocusReason)

    def _remove(self, row: _MedicineRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            row.deleteLater()
            self._update_empty()
            self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)
            self.changed.emit()


class DiagnosisPicker(QWidget):
    """Pick a working diagnosis from the curated list by typing any part of its name.

    Diagnoses linked to the body regions chosen on the chart come first, above a line.
    The SNOMED CT concept id of the chosen entry is shown under it where the list has one.
    """

    changed = Signal()

    def __init__(
        self,
        choices: Callable[[list[str]], list[DiagnosisChoice]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._choices = choices
        self._filling = False
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setMaxVisibleItems(16)
        line = self.combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("Type to search the list"))
            line.setClearButtonEnabled(True)
        completer = self.combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.code_label = label("", "hint")
        self.code_label.setObjectName("snomedCode")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.combo)
        layout.addWidget(self.code_label)
        self.setFocusProxy(self.combo)
        self.combo.currentIndexChanged.connect(self._on_changed)
        self.combo.editTextChanged.connect(self._on_changed)
        self.set_regions([])

    def set_regions(self, regions: list[str]) -> None:
        """Order the list for the chosen chart regions, keeping the current choice."""
        keep = self.code()
        self._filling = True
        try:
            self.combo.clear()
            self.combo.addItem("", "")
            entries = self._choices(regions)
            suggested = [e for e in entries if e.suggested]
            for entry in suggested:
                self.combo.addItem(entry.label, entry.code)
                self.combo.setItemData(
                    self.combo.count() - 1, entry.snomed_ct_id or "", _SNOMED_ROLE
                )
            if suggested:
                self.combo.insertSeparator(self.combo.count())
            for entry in entries:
                if not entry.suggested:
                    self.combo.addItem(entry.label, entry.code)
                    self.combo.setItemData(
                        self.combo.count() - 1, entry.snomed_ct_id or "", _SNOMED_ROLE
                    )
            self.set_code(keep)
        finally:
            self._filling = False

    def code(self) -> str:
        """The chosen entry's code; typed text that matches no entry is returned as typed.

        Returning what was typed lets the service say, in words, that it is not in the list.
        """
        text = self.combo.currentText().strip()
        index = self.combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if not text:
            return ""
        if index >= 0:
            return str(self.combo.itemData(index) or "")
        return text

    def set_code(self, code: str) -> None:
        index = self.combo.findData(code) if code else 0
        if index < 0:
            # A code no longer in the list: show it as typed so it is not silently dropped.
            self.combo.setEditText(code)
        else:
            self.combo.setCurrentIndex(index)
            self.combo.setEditText(self.combo.itemText(index))
        self._show_code()

    def set_read_only(self, read_only: bool) -> None:
        self.combo.setEnabled(not read_only)

    def _show_code(self) -> None:
        index = self.combo.findText(self.combo.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        if index <= 0:
            self.code_label.setText("")
            return
        snomed = self.combo.itemData(index, _SNOMED_ROLE)
        self.code_label.setText(
            self.tr("SNOMED CT {code}").format(code=snomed)
            if snomed
            else self.tr("No SNOMED CT code in the list for this one")
        )

    def _on_changed(self, *_args: object) -> None:
        self._show_code()
        if not self._filling:
            self.changed.emit()
