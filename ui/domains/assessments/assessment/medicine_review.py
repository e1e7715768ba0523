"""The medicines review: asked in the assessment when an opioid or a gabapentinoid is listed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QLineEdit, QRadioButton, QVBoxLayout, QWidget

from clinic_app.domains.assessments.content import review_outcomes
from ui.common.form_parts import YesNo
from ui.common.widgets import label


class MedicineReview(QWidget):
    """Whether the flagged medicines were reviewed with the patient; what came of it, or why not.

    Its value is the assessment's ``medicine_review``: ``{"reviewed": True, "outcome": code}``
    or ``{"reviewed": False, "reason": words}``; None while the question is unanswered.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.listed = label("", "hint", wrap=True)
        self.listed.setObjectName("reviewListed")
        self.reviewed = YesNo(self.tr("Reviewed with the patient"))
        self.outcome_group = QButtonGroup(self)
        self.outcomes: dict[str, QRadioButton] = {}
        self.outcome_part = QWidget()
        outcome_column = QVBoxLayout(self.outcome_part)
        outcome_column.setContentsMargins(0, 4, 0, 0)
        outcome_column.setSpacing(2)
        outcome_column.addWidget(label(self.tr("What came of it"), "fieldLabel"))
        for outcome in review_outcomes():
            button = QRadioButton(outcome.label)
            button.setObjectName(f"outcome_{outcome.code}")
            self.outcome_group.addButton(button)
            self.outcomes[outcome.code] = button
            outcome_column.addWidget(button)
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Why the medicines were not reviewed"))
        self.reason.setPlaceholderText(self.tr("For example: reviewed by the pain team last week"))
        self.reason.setMaxLength(500)
        self.reason.setMaximumWidth(560)
        self.reason_part = QWidget()
        reason_column = QVBoxLayout(self.reason_part)
        reason_column.setContentsMargins(0, 4, 0, 0)
        reason_column.setSpacing(3)
        reason_column.addWidget(label(self.tr("Why not (optional)"), "fieldLabel"))
        reason_column.addWidget(self.reason)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.listed)
        layout.addWidget(self.reviewed)
        layout.addWidget(self.outcome_part)
        layout.addWidget(self.reason_part)
        self._show_parts()
        self.reviewed.changed.connect(self._on_answered)
        self.outcome_group.buttonToggled.connect(lambda _button, _on: self.changed.emit())
        self.reason.textChanged.connect(lambda _text: self.changed.emit())

    def set_listed(self, names: Sequence[str]) -> None:
        """Name the medicines the question is about."""
        self.listed.setText(
            self.tr("Flagged for review: {names}").format(names=", ".join(names)) if names else ""
        )

    def value(self) -> dict[str, object] | None:
        answer = self.reviewed.answer()
        if answer is None:
            return None
        if answer == "no":
            return {"reviewed": False, "reason": self.reason.text()}
        chosen = next((code for code, b in self.outcomes.items() if b.isChecked()), None)
        return {"reviewed": True, "outcome": chosen}

    def set_value(self, value: object) -> None:
        review = value if isinstance(value, Mapping) else {}
        reviewed = review.get("reviewed")
        self.reviewed.set_answer(
            {True: "yes", False: "no"}.get(reviewed) if isinstance(reviewed, bool) else None
        )
        self.outcome_group.setExclusive(False)
        for code, button in self.outcomes.items():
            button.setChecked(code == review.get("outcome"))
        self.outcome_group.setExclusive(True)
        self.reason.setText(str(review.get("reason") or ""))
        self._show_parts()

    def set_read_only(self, read_only: bool) -> None:
        for button in (self.reviewed.yes, self.reviewed.no, *self.outcomes.values()):
            button.setEnabled(not read_only)
        self.reason.setReadOnly(read_only)

    def _on_answered(self) -> None:
        self._show_parts()
        self.changed.emit()

    def _show_parts(self) -> None:
        answer = self.reviewed.answer()
        self.outcome_part.setVisible(answer == "yes")
        self.reason_part.setVisible(answer == "no")
