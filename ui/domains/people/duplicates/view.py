"""Possible duplicates: the pairs on the left, the chosen pair's two records side by side."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.people.views import DuplicateSide, PossibleDuplicate
from ui.common.widgets import NoticeBar, card, label
from ui.domains.people.duplicates.view_model import DuplicatesViewModel

_MATCHED_ON = {
    "nhs_number": "the same NHS number",
    "demographics": "the same names, date of birth and sex",
}
_OUTCOME = {
    "merged": "Merged. Both records' history now shows under the record kept.",
    "dismissed": "Recorded as two different people. They will not be offered again.",
}
#: The rows compared side by side: (label, how to read it from a side).
_ROWS: tuple[tuple[str, str], ...] = (
    ("NHS number", "nhs"),
    ("Name", "name"),
    ("Date of birth", "born"),
    ("Sex", "sex"),
    ("Address", "address"),
    ("Postcode", "postcode"),
    ("Phone", "phone"),
    ("Registered", "registered"),
    ("Referrals", "referrals"),
    ("Episodes of care", "episodes"),
)


def _value(side: DuplicateSide, key: str) -> str:
    values = {
        "nhs": side.nhs_number or "not recorded",
        "name": f"{side.family_name.upper()}, {side.given_name}"
        + (f" ({side.title})" if side.title else ""),
        "born": side.date_of_birth.strftime("%d/%m/%Y"),
        "sex": side.sex_label,
        "address": side.address or "—",
        "postcode": side.postcode or "—",
        "phone": side.phone or "—",
        "registered": side.registered_at.strftime("%d/%m/%Y %H:%M"),
        "referrals": str(side.referrals),
        "episodes": str(side.episodes),
    }
    return values[key]


class DuplicatesView(QWidget):
    """Choose a pair, compare both records, keep one and give the reason, or dismiss."""

    def __init__(self, view_model: DuplicatesViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        #: The pair on show, and whether the list is being filled again (not a choice made).
        self._shown_pair: uuid.UUID | None = None
        self._shown_value: PossibleDuplicate | None = None
        self._refilling = False
        self.heading = label(self.tr("Possible duplicate patients"), "heading")
        self.intro = label(
            self.tr(
                "Two records that may be one person: registered twice, often by two clinics "
                "offline. Compare them, then merge them into the record to keep, or record "
                "that they are not the same person. Nothing of either record is lost."
            ),
            "hint",
            wrap=True,
        )
        self.notice = NoticeBar()
        self.pairs = QListWidget()
        self.pairs.setAccessibleName(self.tr("Possible duplicates"))
        self.pairs.setMinimumWidth(260)
        self.pairs.setMaximumWidth(340)
        self.empty = label(self.tr("No possible duplicates are waiting."), "hint", wrap=True)

        self.detail = card()
        self._build_detail()

        left = QVBoxLayout()
        left.addWidget(self.pairs, 1)
        left.addWidget(self.empty)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(self.detail, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.notice)
        layout.addLayout(body, 1)

        self.pairs.currentRowChanged.connect(self._on_pairs_row_changed)
        self.merge_button.clicked.connect(self._on_merge_clicked)
        self.dismiss_button.clicked.connect(self._on_dismiss_clicked)
        view_model.loaded.connect(self._on_vm_loaded)
        view_model.resolved.connect(self._on_vm_resolved)
        view_model.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        view_model.field_errors_changed.connect(self._on_vm_field_errors)
        view_model.busy_changed.connect(self._on_vm_busy)
        self._show(None)

    def _build_detail(self) -> None:
        """The pair's two records side by side, which to keep, the reason and the buttons."""
        self.matched = label("", "subheading", wrap=True)
        self.keep = {0: QRadioButton(self.tr("Keep this record")), 1: QRadioButton()}
        self.keep[1].setText(self.tr("Keep this record"))
        self.keep_group = QButtonGroup(self)
        for index, button in self.keep.items():
            self.keep_group.addButton(button, index)
        self.keep[0].setChecked(True)
        grid = QGridLayout()
        grid.addWidget(label(self.tr("Record 1"), "subheading"), 0, 1)
        grid.addWidget(label(self.tr("Record 2"), "subheading"), 0, 2)
        self.cells: dict[tuple[str, int], QLabel] = {}
        for row, (title, key) in enumerate(_ROWS, start=1):
            grid.addWidget(label(self.tr(title), "hint"), row, 0)
            for column in (0, 1):
                cell = label("", wrap=True)
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.cells[(key, column)] = cell
                grid.addWidget(cell, row, column + 1)
        grid.addWidget(self.keep[0], len(_ROWS) + 1, 1)
        grid.addWidget(self.keep[1], len(_ROWS) + 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.setPlaceholderText(
            self.tr("Why: for example, same NHS number, address and GP confirmed with the patient")
        )
        self.reason.setFixedHeight(64)
        self.reason.setTabChangesFocus(True)
        self.reason_error = label("", "fieldError", wrap=True)
        self.reason_error.setVisible(False)
        self.merge_button = QPushButton(self.tr("&Merge into the record kept"))
        self.dismiss_button = QPushButton(self.tr("&Not the same person"))
        self.waiting = label("", "hint", wrap=True)

        detail = QVBoxLayout(self.detail)
        detail.addWidget(self.matched)
        detail.addLayout(grid)
        detail.addWidget(label(self.tr("Reason (kept with the decision)"), "hint"))
        detail.addWidget(self.reason)
        detail.addWidget(self.reason_error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.dismiss_button)
        buttons.addStretch(1)
        detail.addLayout(buttons)
        detail.addWidget(self.waiting)
        detail.addStretch(1)

    def chosen(self) -> PossibleDuplicate | None:
        row = self.pairs.currentRow()
        pairs = self._vm.pairs
        return pairs[row] if 0 <= row < len(pairs) else None

    def reset(self) -> None:
        self._shown_pair = None
        self._shown_value = None
        self.pairs.clear()
        self.reason.clear()
        self.notice.hide_notice()
        self._show(None)

    def _side_id(self) -> uuid.UUID | None:
        pair = self.chosen()
        if pair is None:
            return None
        return pair.first.id if self.keep_group.checkedId() == 0 else pair.second.id

    def _on_vm_loaded(self, pairs: list[PossibleDuplicate]) -> None:
        # Read again while a pair is on show (a sync round): that pair stays, with the record
        # chosen to keep and the reason typed; one resolved elsewhere leaves nothing chosen.
        before = self._shown_pair
        # The record ticked, read from the pair on show: the list has already been read
        # again, and its row there may hold another pair now, or none.
        shown = self._shown_value
        keep_id = None
        if shown is not None:
            keep_id = shown.first.id if self.keep_group.checkedId() == 0 else shown.second.id
        self._refilling = True
        try:
            self._fill_pairs(pairs)
        finally:
            self._refilling = False
        self.empty.setVisible(not pairs)
        ids = [pair.id for pair in pairs]
        if before is None:
            if pairs:
                self.pairs.setCurrentRow(0)
            else:
                self._show(None)
            return
        if before not in ids:
            self.reason.clear()
            self._show(None)
            self.notice.show_notice(
                self.tr(
                    "The pair you were comparing was merged or marked as two people elsewhere. "
                    "Nothing was done here."
                ),
                "info",
            )
            return
        row = ids.index(before)
        self._refilling = True
        try:
            self.pairs.setCurrentRow(row)
        finally:
            self._refilling = False
        pair = pairs[row]
        self._show(pair)
        self.keep[1 if keep_id == pair.second.id else 0].setChecked(True)

    def _fill_pairs(self, pairs: list[PossibleDuplicate]) -> None:
        self.pairs.clear()
        for pair in pairs:
            side = pair.first
            text = self.tr("{family}, {given} — born {born}").format(
                family=side.family_name.upper(),
                given=side.given_name,
                born=side.date_of_birth.strftime("%d/%m/%Y"),
            )
            QListWidgetItem(text, self.pairs)

    def _on_pairs_row_changed(self, _row: int) -> None:
        if self._refilling:
            return  # the list read again: what is on show is dealt with once it is filled
        self.reason.clear()
        self.reason_error.setVisible(False)
        self._show(self.chosen())

    def _show(self, pair: PossibleDuplicate | None) -> None:
        self._shown_pair = pair.id if pair is not None else None
        self._shown_value = pair
        self.detail.setVisible(pair is not None)
        if pair is None:
            return
        self.matched.setText(
            self.tr("Found by {rule}, {when}").format(
                rule=self.tr(_MATCHED_ON.get(pair.matched_on, pair.matched_on)),
                when=pair.found_at.strftime("%d/%m/%Y %H:%M"),
            )
        )
        for key in (key for _title, key in _ROWS):
            for column, side in enumerate((pair.first, pair.second)):
                cell = self.cells[(key, column)]
                cell.setText(_value(side, key))
        self.keep[0].setChecked(True)
        self.waiting.setText(
            ""
            if pair.on_server
            else self.tr("Found on this computer; it can be merged once the server confirms it.")
        )
        self._on_vm_busy(self._vm.busy)

    def _on_merge_clicked(self) -> None:
        pair, survivor = self.chosen(), self._side_id()
        if pair is not None and survivor is not None:
            self._vm.merge(pair.id, survivor, self.reason.toPlainText())

    def _on_dismiss_clicked(self) -> None:
        pair = self.chosen()
        if pair is not None:
            self._vm.dismiss(pair.id, self.reason.toPlainText())

    def _on_vm_resolved(self, outcome: str) -> None:
        # Resolved here: the list read next starts again from its first pair.
        self._shown_pair = None
        self._shown_value = None
        self.reason.clear()
        self.notice.show_notice(self.tr(_OUTCOME[outcome]), "success")

    def _on_vm_field_errors(self, by_field: dict[str, str]) -> None:
        words = by_field.get("reason")
        self.reason_error.setVisible(words is not None)
        self.reason_error.setText(words or "")

    def _on_vm_busy(self, busy: bool) -> None:
        pair = self.chosen()
        ready = pair is not None and pair.on_server and not busy
        self.merge_button.setEnabled(ready)
        self.dismiss_button.setEnabled(ready)
