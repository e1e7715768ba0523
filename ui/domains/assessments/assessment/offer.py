"""Before a new assessment: the patient's draft to continue and signed one to read or add to."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from clinic_app.domains.assessments.views import AssessmentOnFile, AssessmentsOnFile
from ui.common import formatting
from ui.common.widgets import card, label, set_role

_SHORT = 120


class AssessmentOffer(QWidget):
    """What is on file for the patient, offered before a new assessment is started.

    Signals:
        continue_requested(AssessmentOnFile): continue the clinician's draft.
        read_requested(AssessmentOnFile): read the signed one (and add an addendum to it).
        new_requested(): start a new assessment.
    """

    continue_requested = Signal(object)
    read_requested = Signal(object)
    new_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_file: AssessmentsOnFile | None = None
        self.looking = label(self.tr("Looking for assessments on file…"), "hint")
        self.draft_words = label("", wrap=True)
        self.signed_words = label("", wrap=True)
        self.continue_button = QPushButton(self.tr("Continue this draft"))
        set_role(self.continue_button, "", variant="primary")
        self.read_button = QPushButton(self.tr("Read it or add an addendum"))
        self.new_button = QPushButton(self.tr("Start a new assessment"))
        self.continue_button.clicked.connect(self._on_continue_clicked)
        self.read_button.clicked.connect(self._on_read_clicked)
        self.new_button.clicked.connect(self.new_requested.emit)

        panel = card()
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(18, 12, 18, 16)
        inner.setSpacing(12)
        inner.addWidget(label(self.tr("Assessments on file"), "subheading"))
        inner.addWidget(self.looking)
        self.draft_row = _row(label(self.tr("Draft"), "bannerKey"), self.draft_words)
        self.draft_row.layout().addWidget(self.continue_button)  # type: ignore[union-attr]
        self.signed_row = _row(label(self.tr("Signed"), "bannerKey"), self.signed_words)
        self.signed_row.layout().addWidget(self.read_button)  # type: ignore[union-attr]
        inner.addWidget(self.draft_row)
        inner.addWidget(self.signed_row)
        new_row = QHBoxLayout()
        new_row.addStretch(1)
        new_row.addWidget(self.new_button)
        inner.addLayout(new_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(panel)
        layout.addStretch(1)
        self.show_on_file(None)

    def show_on_file(self, on_file: AssessmentsOnFile | None) -> None:
        """Show what is on file (None: still looking)."""
        self._on_file = on_file
        self.looking.setVisible(on_file is None)
        self.new_button.setEnabled(on_file is not None)
        draft = on_file.draft if on_file is not None else None
        signed = on_file.signed if on_file is not None else None
        self.draft_row.setVisible(draft is not None)
        self.signed_row.setVisible(signed is not None)
        if draft is not None:
            self.draft_words.setText(
                self.tr("Your draft, last saved {when}. {complaint}").format(
                    when=_when(draft.when), complaint=_complaint(draft)
                )
            )
        if signed is not None:
            self.signed_words.setText(
                self.tr("Signed {when}. {complaint}").format(
                    when=_when(signed.when), complaint=_complaint(signed)
                )
            )
        if draft is not None:
            self.continue_button.setFocus(Qt.FocusReason.OtherFocusReason)
        elif signed is not None:
            self.read_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_continue_clicked(self) -> None:
        if self._on_file is not None and self._on_file.draft is not None:
            self.continue_requested.emit(self._on_file.draft)

    def _on_read_clicked(self) -> None:
        if self._on_file is not None and self._on_file.signed is not None:
            self.read_requested.emit(self._on_file.signed)


def _row(key: QLabel, words: QLabel) -> QWidget:
    row = QWidget()
    line = QHBoxLayout(row)
    line.setContentsMargins(0, 0, 0, 0)
    line.setSpacing(12)
    key.setMinimumWidth(70)
    line.addWidget(key, 0, Qt.AlignmentFlag.AlignTop)
    line.addWidget(words, 1)
    return row


def _when(moment: datetime) -> str:
    local = moment.astimezone()
    return f"{formatting.clinical_date(local.date())} {local:%H:%M}"


def _complaint(on_file: AssessmentOnFile) -> str:
    text = on_file.presenting_complaint
    return text if len(text) <= _SHORT else text[: _SHORT - 1].rstrip() + "…"
