"""The letter on screen: choose the kind, read and edit each section, sign, print."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.letters.rules import ReadingWarning
from clinic_app.domains.letters.views import LetterView
from ui.common import formatting
from ui.common.widgets import NoticeBar, label, set_role
from ui.domains.letters.letter.kinds import KINDS, kind_label
from ui.domains.letters.letter.view_model import LetterViewModel

#: The most lines a section's box shows before it scrolls (the page scrolls past it).
_LINES_SHOWN = 9
#: Above this reading grade (a university reader) a paragraph is said to be very hard.
_HARDEST_GRADE = 16


class SectionEditor(QFrame):
    """One section of the letter: its heading, its words, and what is said beside them."""

    edited = Signal(str, str)

    def __init__(self, key: str, title: str, mandatory: bool, parent: QWidget | None = None):
        super().__init__(parent)
        set_role(self, "card")
        self.key = key
        self.mandatory = mandatory
        self.empty_words = ""
        heading = title + (self.tr(" (must say something)") if mandatory else "")
        self.heading = label(heading, "subheading")
        self.words = QPlainTextEdit()
        self.words.setAccessibleName(title)
        self.words.setTabChangesFocus(True)
        self.hint = label("", "hint", wrap=True)
        self.side = label("", "hint", wrap=True)
        self.side.setAccessibleName(self.tr("About {title}").format(title=title))
        self.side.setMinimumWidth(280)
        self.side.setMaximumWidth(360)
        self.side.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.problem = label("", "fieldError", wrap=True)
        self.problem.setVisible(False)
        left = QVBoxLayout()
        left.setSpacing(4)
        left.addWidget(self.heading)
        left.addWidget(self.problem)
        left.addWidget(self.words)
        left.addWidget(self.hint)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 10, 12, 10)
        row.addLayout(left, 3)
        row.addWidget(self.side, 2)
        self.words.textChanged.connect(self._changed)

    def show_words(self, text: str, filled: bool, read_only: bool) -> None:
        # What an empty section prints is its stated emptiness ("No allergies recorded").
        self.empty_words = "" if filled else text
        self.words.blockSignals(True)
        self.words.setPlainText(text)
        self.words.blockSignals(False)
        self.words.setReadOnly(read_only)
        self._fit()
        self._say_empty()

    def _fit(self) -> None:
        """As tall as the words (up to a few lines: then the box scrolls)."""
        text = self.words.toPlainText()
        room = self.words.viewport().width()
        # Before the page is laid out the box has no width yet: a wide box is assumed.
        width = room // max(1, self.words.fontMetrics().averageCharWidth()) if room > 200 else 100
        lines = sum(1 + len(line) // width for line in text.split("\n"))
        shown = max(2, min(_LINES_SHOWN, lines + 1))
        self.words.setFixedHeight(self.words.fontMetrics().lineSpacing() * shown + 14)

    def show_reading(self, warnings: list[ReadingWarning]) -> None:
        single = len(re.split(r"\n\s*\n", self.words.toPlainText().strip())) == 1
        lines = [self._reading_words(w, single) for w in warnings]
        self.side.setText("\n\n".join(lines))
        set_role(self.side, "fieldError" if lines else "hint")

    def _reading_words(self, warning: ReadingWarning, single: bool) -> str:
        which = (
            self.tr("This section")
            if single
            else self.tr("Paragraph {n}").format(n=warning.paragraph + 1)
        )
        if warning.grade > _HARDEST_GRADE:
            level = self.tr("is very hard to read")
        else:
            level = self.tr("reads at about school grade {grade:.0f}").format(grade=warning.grade)
        return self.tr(
            "{which} {level}; the service aims for grade {target:.0f} or below. Shorter "
            "sentences and everyday words help."
        ).format(which=which, level=level, target=warning.target)

    def show_problem(self, words: str) -> None:
        self.problem.setText(words)
        self.problem.setVisible(bool(words))
        self._say_empty()

    def _say_empty(self) -> None:
        typed = self.words.toPlainText().strip()
        if typed and typed != self.empty_words:
            self.hint.setText("")
        elif typed:
            self.hint.setText(
                self.tr("Nothing is recorded for this heading: the letter prints these words.")
            )
        elif self.mandatory:
            self.hint.setText(
                self.tr("Empty: the letter cannot be signed until this section says something.")
            )
        else:
            self.hint.setText(self.tr("Empty: the heading is printed with nothing under it."))
        # A refusal beside the section says it already.
        self.hint.setVisible(bool(self.hint.text()) and not self.problem.text())

    def _changed(self) -> None:
        self._fit()
        self._say_empty()
        self.edited.emit(self.key, self.words.toPlainText())


class LetterPage(QWidget):
    """A letter of the banner's patient, from the kind chosen to the signed, printed letter."""

    print_requested = Signal()

    def __init__(self, view_model: LetterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view_model = view_model
        self.sections: dict[str, SectionEditor] = {}

        self.title = label(self.tr("Letter"), "title")
        chooser = self._build_chooser()
        self.about = label("", wrap=True)
        self.about.setAccessibleName(self.tr("Who the letter is to"))
        self.status = label("", "hint", wrap=True)
        self.notice = NoticeBar()
        self._build_sections()
        self._build_signing()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addLayout(chooser)
        layout.addWidget(self.notice)
        layout.addWidget(self.about)
        layout.addWidget(self.status)
        layout.addWidget(self.area, 1)
        layout.addWidget(self.sign_problem)
        layout.addWidget(self.sign_row)

        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.draft_button.clicked.connect(self._draft)
        self.sign_button.clicked.connect(self._sign)
        self.password.returnPressed.connect(self._sign)
        self.print_button.clicked.connect(self.print_requested.emit)
        view_model.letter_changed.connect(self.show_letter)
        view_model.saved.connect(self._show_reading)
        view_model.field_errors_changed.connect(self._show_problems)
        view_model.problem.connect(lambda words: self.notice.show_notice(words, "problem"))
        view_model.sign_failed.connect(self._sign_failed)
        view_model.signed.connect(self._on_signed)
        view_model.busy_changed.connect(self._busy)
        self._kind_chosen()
        self.show_letter(None)

    def _build_chooser(self) -> QHBoxLayout:
        self.kind = QComboBox()
        self.kind.setAccessibleName(self.tr("Kind of letter"))
        for kind in KINDS:
            self.kind.addItem(kind_label(kind), kind)
        self.provider = QLineEdit()
        self.provider.setAccessibleName(self.tr("Provider the patient chose"))
        self.provider.setPlaceholderText(self.tr("Provider the patient chose"))
        self.provider.setMaxLength(300)
        self.draft_button = QPushButton(self.tr("Draft from the record"))
        self.draft_button.setAccessibleName(self.tr("Draft the letter from the record"))
        set_role(self.draft_button, "", variant="primary")
        chooser = QHBoxLayout()
        kind_label_widget = label(self.tr("Kind of letter"), "fieldLabel")
        kind_label_widget.setBuddy(self.kind)
        chooser.addWidget(kind_label_widget)
        chooser.addWidget(self.kind)
        chooser.addWidget(self.provider, 1)
        chooser.addWidget(self.draft_button)
        chooser.addStretch(0)
        return chooser

    def _build_sections(self) -> None:
        self._body = QWidget()
        self._body_layout = QVBoxLayout(self._body)
        self._body_layout.setContentsMargins(0, 0, 8, 0)
        self._body_layout.setSpacing(8)
        self._body_layout.addStretch(1)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setWidget(self._body)
        self.area.setAccessibleName(self.tr("Sections of the letter"))

    def _build_signing(self) -> None:
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Your password, to sign"))
        self.password.setPlaceholderText(self.tr("Your password, to sign"))
        self.password.setMinimumWidth(240)
        self.password.setMaximumWidth(300)
        self.sign_button = QPushButton(self.tr("Sign"))
        self.sign_button.setAccessibleName(self.tr("Sign the letter"))
        set_role(self.sign_button, "", variant="primary")
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.setAccessibleName(self.tr("Print the letter"))
        self.sign_problem = label("", "fieldError", wrap=True)
        self.sign_problem.setAccessibleName(self.tr("Why the letter was not signed"))
        self.sign_problem.setVisible(False)
        self.sign_row = QWidget()
        actions = QHBoxLayout(self.sign_row)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.password)
        actions.addWidget(self.sign_button)
        actions.addStretch(1)
        actions.addWidget(self.print_button)

    # ------------------------------------------------------------------ showing

    def show_letter(self, letter: LetterView | None) -> None:
        self._clear_sections()
        self.sign_problem.setVisible(False)
        if letter is None:
            self.about.setText(
                self.tr("Choose the kind of letter, then draft it from the patient's record.")
            )
            self.status.setText("")
            self.sign_row.setVisible(False)
            return
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(max(0, self.kind.findData(letter.kind)))
        self.kind.blockSignals(False)
        self._kind_chosen()
        recipient = letter.recipient.replace("\n", ", ")
        self.about.setText(
            self.tr("{kind}, addressed to {recipient}").format(
                kind=kind_label(letter.kind), recipient=recipient
            )
        )
        self.status.setText(" ".join(self._status_words(letter)))
        read_only = not self.view_model.may_write
        for index, section in enumerate(letter.sections):
            # Only letters on the PRSB headings refuse to be signed with a section empty.
            # (Said only while the letter may still be changed.)
            mandatory = section.mandatory and letter.kind != "patient" and not read_only
            editor = SectionEditor(section.key, section.title, mandatory)
            editor.show_words(section.text, section.filled, read_only)
            editor.show_reading([w for w in letter.reading if w.section == section.key])
            editor.edited.connect(self.view_model.section_edited)
            self._body_layout.insertWidget(index, editor)
            self.sections[section.key] = editor
        self.sign_row.setVisible(True)
        self.password.setVisible(not read_only)
        self.sign_button.setVisible(not read_only)
        self.password.clear()

    def _status_words(self, letter: LetterView) -> list[str]:
        words: list[str] = []
        if letter.signed:
            when = letter.signed_at.astimezone() if letter.signed_at else None
            words.append(
                self.tr("Signed on {day} at {time}: it can no longer be changed.").format(
                    day=formatting.clinical_date(when.date()) if when else "",
                    time=when.strftime("%H:%M") if when else "",
                )
            )
        elif self.view_model.may_write:
            words.append(self.tr("Draft: your changes are kept as you type."))
        else:
            words.append(self.tr("A colleague's draft: only they can change or sign it."))
        if letter.no_gp_practice and letter.kind != "patient":
            words.append(self.tr("No GP practice is recorded: the letter says so."))
        if letter.large_print:
            words.append(self.tr("Prints in large print, as the patient's record asks."))
        return words

    def _show_reading(self, letter: LetterView) -> None:
        for key, editor in self.sections.items():
            editor.show_reading([w for w in letter.reading if w.section == key])

    def _show_problems(self, problems: dict[str, str]) -> None:
        for key, editor in self.sections.items():
            editor.show_problem(problems.get(key, ""))
        first = next((self.sections[k] for k in self.sections if k in problems), None)
        if first is not None:
            self.area.ensureWidgetVisible(first)

    def _clear_sections(self) -> None:
        for editor in self.sections.values():
            editor.setParent(None)
            editor.deleteLater()
        self.sections = {}

    # ------------------------------------------------------------------ commands

    def _kind_chosen(self) -> None:
        self.provider.setVisible(self.kind.currentData() == "onward_referral")

    def _draft(self) -> None:
        patient_id = self.view_model.patient_id
        if patient_id is None:
            return
        self.view_model.save_now()
        self.notice.hide_notice()
        provider = self.provider.text() if self.provider.isVisible() else ""
        self.view_model.draft(patient_id, str(self.kind.currentData()), provider=provider)

    def _sign(self) -> None:
        self.sign_problem.setVisible(False)
        self.view_model.sign(self.password.text())

    def _sign_failed(self, words: str) -> None:
        self.sign_problem.setText(words)
        self.sign_problem.setVisible(True)
        self.password.selectAll()

    def _on_signed(self, _letter: LetterView) -> None:
        self.password.clear()
        self.notice.show_notice(self.tr("The letter is signed. It can now be printed."), "success")

    def _busy(self, busy: bool) -> None:
        self.sign_button.setEnabled(not busy)
        self.draft_button.setEnabled(not busy)
