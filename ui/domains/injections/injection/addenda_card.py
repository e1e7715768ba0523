"""The injection form's card "Added since signing": a signed record's addenda, and a box to add.

A signed record never changes; a later fact is added here, signed with the user's password.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.appointments.rules import on_clinic_clock
from clinic_app.domains.injections.views import ADDENDUM_MAX, AddendumView, InjectionView
from ui.common import formatting
from ui.common.form_card import FormCard, password_box, plain_words
from ui.common.widgets import FormField, label, set_role


def _when(value: datetime) -> str:
    """A stored (UTC) moment as the clinic's wall clock shows it: ``14-Jul-2026 09:15``."""
    local = on_clinic_clock(value)
    return f"{formatting.clinical_date(local.date())} {local:%H:%M}"


class AddendaCard(FormCard):
    """The addenda of a signed record, oldest first, and the box to add one.

    Args:
        signer_name: who signed, in words, from the signer's id and the name kept with it.
    """

    add_requested = Signal(str, str)
    """Add was pressed: the words typed and the password (the box is emptied)."""

    def __init__(
        self,
        signer_name: Callable[[uuid.UUID | None, str], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Added since signing"), parent)
        self.setObjectName("injectionAddenda")
        self._signer_name = signer_name
        inner = self.inner
        inner.addWidget(
            plain_words(
                self.tr(
                    "A signed record never changes. A later fact (a reaction reported the next "
                    "day, a test result) is added here, signed with your password."
                ),
                "hint",
            )
        )
        self.addenda_box = QWidget()
        self.addenda_list = QVBoxLayout(self.addenda_box)
        self.addenda_list.setContentsMargins(0, 0, 0, 0)
        self.addenda_list.setSpacing(6)
        #: What each addendum on show says (its heading, words and any mark), for reading.
        self.addenda_lines: list[str] = []
        inner.addWidget(self.addenda_box)
        self.addendum_text = QPlainTextEdit()
        self.addendum_text.setTabChangesFocus(True)
        self.addendum_text.setFixedHeight(72)
        self.addendum_text.setAccessibleName(self.tr("What you are adding to this record"))
        self.addendum_password = password_box(self.tr("Password to add to this record"))
        self.addendum_button = QPushButton(self.tr("Add"))
        self.addendum_button.setAccessibleName(self.tr("Add to this record"))
        set_role(self.addendum_button, "", variant="primary")
        self.addendum_error = plain_words("", "fieldError")
        self.addendum_error.setObjectName("addendumError")
        self.addendum_error.hide()
        self.addendum_form = QWidget()
        column = QVBoxLayout(self.addendum_form)
        column.setContentsMargins(0, 4, 0, 0)
        column.setSpacing(4)
        column.addWidget(
            FormField(
                self.tr("Add to this record"),
                self.addendum_text,
                hint=self.tr("Up to {count} characters.").format(count=ADDENDUM_MAX),
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.addendum_error, 1)
        # Holds the password and the button to the right while no problem is shown.
        row.addStretch(1)
        password_label = label(self.tr("Password"), "fieldLabel")
        password_label.setBuddy(self.addendum_password)
        row.addWidget(password_label)
        row.addWidget(self.addendum_password)
        row.addWidget(self.addendum_button)
        column.addLayout(row)
        inner.addWidget(self.addendum_form)
        self.hide()
        self.addendum_button.clicked.connect(self._on_add)
        self.addendum_password.returnPressed.connect(self._on_add)

    def clear_entry(self, *, words: bool = True) -> None:
        """No password and no problem shown; nothing typed to add unless ``words`` is False.

        The words are left when whoever keeps them as a draft empties and fills the box as the
        record shown changes (the screen's ``TextDraft``).
        """
        if words:
            self.addendum_text.clear()
        self.addendum_password.clear()
        self.addendum_error.hide()

    def show_addenda(self, record: InjectionView | None, may_amend: bool) -> None:
        """The record's addenda, oldest first, and the box to add one for those who may."""
        while self.addenda_list.count():
            item = self.addenda_list.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.addenda_lines = []
        self.setVisible(record is not None)
        self.addendum_form.setVisible(record is not None and may_amend)
        if record is None:
            return
        if not record.addenda:
            self._line(self.tr("Nothing has been added yet."), "hint")
        for addendum in record.addenda:
            self._show_addendum(addendum)

    def show_problem(self, text: str) -> None:
        """Why the addendum was not added; the focus goes where the user is to act."""
        self.addendum_error.setText(text)
        self.addendum_error.setVisible(bool(text))
        target = (
            self.addendum_text
            if not self.addendum_text.toPlainText().strip()
            else self.addendum_password
        )
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def added(self) -> None:
        self.addendum_text.clear()
        self.addendum_error.hide()

    def _show_addendum(self, addendum: AddendumView) -> None:
        self._line(
            self.tr("{when}, {who}").format(
                when=_when(addendum.signed_at),
                who=self._signer_name(addendum.signed_by, addendum.signer_name),
            ),
            "fieldLabel",
        )
        self._line(addendum.text, None)
        if not addendum.intact:
            self._line(
                self.tr("This addendum no longer matches its signature: report this."),
                "fieldError",
            )

    def _line(self, text: str, role: str | None) -> None:
        self.addenda_lines.append(text)
        self.addenda_list.addWidget(plain_words(text, role))

    def _on_add(self) -> None:
        self.addendum_error.hide()
        password = self.addendum_password.text()
        self.addendum_password.clear()
        self.add_requested.emit(self.addendum_text.toPlainText(), password)


__all__ = ["AddendaCard"]
