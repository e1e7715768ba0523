"""The shockwave form's card "Close the course": the scores after, the password, the change."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.shockwave.views import OutcomeChange
from ui.common.form_card import FormCard, password_box, plain_words
from ui.domains.shockwave.course.outcome_choices import OutcomeChoices, change_text


class CloseCard(FormCard):
    """The pain and questionnaires after the course, closed with the password; then the change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Close the course"), parent)
        inner = self.inner
        self.change_words = plain_words("")
        self.change_words.setObjectName("outcomeChange")
        self.pain_after = QLineEdit()
        self.pain_after.setAccessibleName(self.tr("Pain after the course (0-10)"))
        self.after_choices = OutcomeChoices(self.tr("at follow-up"))
        self.close_password = password_box(self.tr("Password to close the course"))
        self.close_button = QPushButton(self.tr("&Close the course"))
        self.close_problem = plain_words("", "fieldError")
        self.close_problem.setObjectName("closeProblem")
        self.close_problem.hide()
        self.close_form = QWidget()
        column = QVBoxLayout(self.close_form)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(
            self.field(
                "outcome_after.responses",
                self.tr("Questionnaires at follow-up"),
                self.after_choices,
                hint=self.tr("Choose the one of each that counts after the course."),
            )
        )
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        row.addWidget(self.field("outcome_after", self.tr("Pain after (0-10)"), self.pain_after))
        row.addStretch(1)
        row.addWidget(self.close_password, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignBottom)
        inner.addWidget(self.close_form)
        inner.addWidget(self.close_problem)
        inner.addWidget(self.change_words)

    def show_change(self, change: OutcomeChange | None) -> None:
        """The scores before -> after of a closed course, or nothing."""
        self.change_words.setText(change_text(change) if change is not None else "")
        self.change_words.setVisible(change is not None)

    def clear_entry(self) -> None:
        """Nothing typed, chosen or said of closing."""
        self.close_password.clear()
        self.pain_after.clear()
        self.after_choices.clear()
        self.close_problem.hide()


__all__ = ["CloseCard"]
