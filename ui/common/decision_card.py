"""The card "The decision behind it" at the top of a treatment record (an injection, a course).

It says which shared decision the treatment follows or, when none is recorded, warns of it,
asks for the reason to go on without one and offers to share a decision now. Once the record is
signed it says what the signed record holds, not what the episode holds now.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QWidget

from ui.common import formatting
from ui.common.form_card import FormCard, plain_words
from ui.common.widgets import FormField

#: The form field the reason is sent as.
REASON_FIELD = "sdm_missing_reason"


class DecisionCard(FormCard):
    """The decision a record follows, or the warning, the reason and "Share a decision now".

    Args:
        warning: what is said when no shared decision about this treatment is recorded.
        reason_height: the height of the reason's box.
        share_first: the share button above the reason (else below it).
    """

    def __init__(
        self,
        warning: str,
        *,
        reason_height: int,
        share_first: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("The decision behind it"), parent)
        inner = self.inner
        self.decision_words = plain_words("")
        self.decision_words.setObjectName("decisionFollowed")
        self.decision_warning = plain_words(warning, "fieldError")
        self.decision_warning.setObjectName("noDecisionWarning")
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(reason_height)
        self.reason_field = self.field(
            REASON_FIELD, self.tr("Your reason to go on without one"), self.reason
        )
        self.share_button = QPushButton(self.tr("S&hare a decision now"))
        self.share_button.setAccessibleName(self.tr("Share a decision now"))
        self.share_row = QWidget()
        row = QHBoxLayout(self.share_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.share_button)
        row.addStretch(1)
        inner.addWidget(self.decision_words)
        inner.addWidget(self.decision_warning)
        below = [self.reason_field, self.share_row]
        for widget in reversed(below) if share_first else below:
            inner.addWidget(widget)

    def show_nothing(self) -> None:
        """No patient: nothing of the card's lines is shown."""
        self.decision_words.hide()
        self.decision_warning.hide()
        self.reason_field.hide()
        self.share_row.hide()

    def show_signed(self, linked: bool) -> None:
        """What a signed record holds: a linked decision, or the reason given without one."""
        self.decision_words.setText(
            self.tr("Given after a shared decision with the patient, recorded and linked.")
            if linked
            else self.tr("Given with no shared decision recorded, for the reason below.")
        )
        self.decision_words.setVisible(True)
        self.decision_warning.setVisible(False)
        self.reason_field.setVisible(not linked)
        self.share_row.setVisible(False)

    def show_open(self, decided_on: date | None, *, may_share: bool) -> None:
        """The decision followed (decided on ``decided_on``), or none with the reason asked for.

        ``may_share``: "Share a decision now" is offered while no decision is followed.
        """
        followed = decided_on is not None
        if decided_on is not None:
            self.decision_words.setText(
                self.tr("Follows the shared decision of {day}.").format(
                    day=formatting.clinical_date(decided_on)
                )
            )
        self.decision_words.setVisible(followed)
        self.decision_warning.setVisible(not followed)
        self.reason_field.setVisible(not followed)
        self.share_row.setVisible(not followed and may_share)


class DecisionParts:
    """The decision card's parts by the names a form has always shown them under.

    For a form that keeps its ``DecisionCard`` as ``decision_card``.
    """

    decision_card: DecisionCard

    @property
    def decision_words(self) -> QLabel:
        return self.decision_card.decision_words

    @property
    def decision_warning(self) -> QLabel:
        return self.decision_card.decision_warning

    @property
    def reason(self) -> QPlainTextEdit:
        return self.decision_card.reason

    @property
    def reason_field(self) -> FormField:
        return self.decision_card.reason_field

    @property
    def share_button(self) -> QPushButton:
        return self.decision_card.share_button

    @property
    def share_row(self) -> QWidget:
        return self.decision_card.share_row


__all__ = ["REASON_FIELD", "DecisionCard", "DecisionParts"]
