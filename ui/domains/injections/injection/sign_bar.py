"""The injection form's sign bar: the attestation, Save draft, the draft's state, and signing."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.common.form_card import password_box, plain_words
from ui.common.widgets import label, set_role


class SignBar(QWidget):
    """What the signer attests, Save draft, whether the draft is saved, the password and Sign.

    ``sign_problem`` (why signing failed) is the form's to place, under the bar.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft_state = plain_words("", "hint")
        self.attestation = plain_words("", "hint")
        self.attestation.setObjectName("attestation")
        self.save_button = QPushButton(self.tr("Save &draft"))
        self.password = password_box(self.tr("Password to sign"))
        self.password_label = label(self.tr("&Your password to sign"), "fieldLabel")
        self.password_label.setBuddy(self.password)
        self.sign_button = QPushButton(self.tr("Sig&n"))
        set_role(self.sign_button, "", variant="primary")
        self.sign_problem = plain_words("", "fieldError")
        self.sign_problem.setObjectName("signProblem")
        self.sign_problem.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.attestation)
        bar = QHBoxLayout()
        bar.addWidget(self.save_button)
        bar.addWidget(self.draft_state, 1)
        bar.addWidget(self.password_label)
        bar.addWidget(self.password)
        bar.addWidget(self.sign_button)
        column.addLayout(bar)


__all__ = ["SignBar"]
