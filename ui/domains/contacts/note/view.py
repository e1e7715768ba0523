"""The contact note form: its sections, an exercises table, questionnaires due, sign, addenda."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.appointments.rules import on_clinic_clock
from clinic_app.domains.contacts.rules import (
    DETAIL_TEXT,
    EXERCISES,
    NAME_TEXT,
    NOTES_TEXT,
    REPS_MAX,
    REPS_MIN,
    SECTIONS,
    SETS_MAX,
    SETS_MIN,
)
from clinic_app.domains.contacts.views import ContactNoteView as NoteRecord
from clinic_app.domains.contacts.views import QuestionnaireDue
from clinic_app.records.sections import SectionKind
from ui.common import formatting
from ui.common.widgets import ErrorSummary, NoticeBar, card, label, set_role
from ui.domains.contacts.note.view_model import ContactNoteViewModel

_TEXT_LINES = 3
#: How long the page keeps to its end while it grows to show a new addendum (ms).
_FOLLOW_MS = 400
#: The words parts of an exercise row: key, column heading, longest, stretch.
_WORDS_COLUMNS: tuple[tuple[str, str, int, int], ...] = (
    ("load", "Load", DETAIL_TEXT, 2),
    ("frequency", "How often", DETAIL_TEXT, 2),
    ("notes", "Notes", NOTES_TEXT, 3),
)


def _when(value: datetime) -> str:
    """A stored (UTC) moment as the clinic's wall clock shows it: ``14-Jul-2026 09:15``."""
    local = on_clinic_clock(value)
    return f"{formatting.clinical_date(local.date())} {local:%H:%M}"


class ExerciseRow:
    """One exercise's widgets: name, sets, reps, load, how often, notes, and Remove."""

    def __init__(self, parent: QWidget) -> None:
        self.name = QLineEdit(parent)
        self.name.setMaxLength(NAME_TEXT)
        self.name.setPlaceholderText(parent.tr("e.g. Sit to stand"))
        self.name.setAccessibleName(parent.tr("Exercise"))
        self.sets = QSpinBox(parent)
        self.sets.setRange(SETS_MIN, SETS_MAX)
        self.sets.setAccessibleName(parent.tr("Sets"))
        self.sets.setValue(3)
        self.reps = QSpinBox(parent)
        self.reps.setRange(REPS_MIN, REPS_MAX)
        self.reps.setAccessibleName(parent.tr("Repetitions"))
        self.reps.setValue(10)
        self.words: dict[str, QLineEdit] = {}
        for key, heading, longest, _stretch in _WORDS_COLUMNS:
            box = QLineEdit(parent)
            box.setMaxLength(longest)
            box.setAccessibleName(parent.tr(heading))
            self.words[key] = box
        self.remove = QPushButton(parent.tr("Remove"), parent)

    @property
    def widgets(self) -> list[QWidget]:
        return [self.name, self.sets, self.reps, *self.words.values(), self.remove]

    def values(self) -> dict[str, object]:
        found: dict[str, object] = {
            "name": self.name.text(),
            "sets": self.sets.value(),
            "reps": self.reps.value(),
        }
        found |= {key: box.text() for key, box in self.words.items()}
        return found

    def show(self, exercise: Mapping[str, Any]) -> None:
        self.name.setText(str(exercise.get("name", "")))
        self.sets.setValue(int(exercise.get("sets", SETS_MIN)))
        self.reps.setValue(int(exercise.get("reps", REPS_MIN)))
        for key, box in self.words.items():
            box.setText(str(exercise.get(key, "")))

    def set_read_only(self, read_only: bool) -> None:
        self.name.setReadOnly(read_only)
        for spin in (self.sets, self.reps):
            spin.setReadOnly(read_only)
            spin.setButtonSymbols(
                QSpinBox.ButtonSymbols.NoButtons
                if read_only
                else QSpinBox.ButtonSymbols.UpDownArrows
            )
        for box in self.words.values():
            box.setReadOnly(read_only)
        self.remove.setVisible(not read_only)


class ExercisesTable(QWidget):
    """The exercises given: a row each, added and removed; sets and reps as whole numbers."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ExerciseRow] = []
        self._read_only = False
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(4)
        headings = ("Exercise", "Sets", "Reps", *(c[1] for c in _WORDS_COLUMNS))
        for column, heading in enumerate(headings):
            self.grid.addWidget(label(self.tr(heading), "fieldLabel"), 0, column)
        self.grid.setColumnStretch(0, 4)
        for offset, (*_rest, stretch) in enumerate(_WORDS_COLUMNS):
            self.grid.setColumnStretch(3 + offset, stretch)
        self.empty = label(self.tr("No exercises given."), "hint")
        self.hint = label(self.tr("An exercise is kept once it has a name."), "hint")
        self.add_button = QPushButton(self.tr("Add exercise"))
        self.add_button.clicked.connect(self._on_add)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.grid)
        layout.addWidget(self.empty)
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.hint)
        bar.addStretch(1)
        layout.addLayout(bar)
        self._refresh()

    def add_row(self, exercise: Mapping[str, Any] | None = None) -> ExerciseRow:
        """A new row at the end (filled with ``exercise`` if given)."""
        row = ExerciseRow(self)
        if exercise is not None:
            row.show(exercise)
        at = len(self.rows) + 1
        for column, widget in enumerate(row.widgets):
            self.grid.addWidget(widget, at, column)
        row.name.textChanged.connect(self.changed)
        row.sets.valueChanged.connect(self.changed)
        row.reps.valueChanged.connect(self.changed)
        for box in row.words.values():
            box.textChanged.connect(self.changed)
        row.remove.clicked.connect(lambda: self._remove(row))
        row.set_read_only(self._read_only)
        self.rows.append(row)
        self._refresh()
        return row

    def values(self) -> list[dict[str, object]]:
        """Each named row as typed, in order.

        A row is an exercise once it is named: an unnamed one is left out of the draft
        rather than stopping the note's words from being saved while it is filled in.
        """
        return [row.values() for row in self.rows if row.name.text().strip()]

    def show_exercises(self, exercises: Sequence[Mapping[str, Any]]) -> None:
        """Show exactly ``exercises`` (no signal: it is what is stored)."""
        self.blockSignals(True)
        try:
            while self.rows:
                self._drop(self.rows[-1])
            for exercise in exercises:
                self.add_row(exercise)
        finally:
            self.blockSignals(False)
        self._refresh()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self.rows:
            row.set_read_only(read_only)
        self._refresh()

    def _on_add(self) -> None:
        row = self.add_row()
        row.name.setFocus()
        self.changed.emit()

    def _remove(self, row: ExerciseRow) -> None:
        self._drop(row)
        # The rows below move up a line: laid out again in order.
        for kept in self.rows:
            for widget in kept.widgets:
                self.grid.removeWidget(widget)
        for at, kept in enumerate(self.rows, start=1):
            for column, widget in enumerate(kept.widgets):
                self.grid.addWidget(widget, at, column)
        self._refresh()
        self.changed.emit()

    def _drop(self, row: ExerciseRow) -> None:
        self.rows.remove(row)
        for widget in row.widgets:
            self.grid.removeWidget(widget)
            widget.deleteLater()

    def _refresh(self) -> None:
        self.empty.setVisible(not self.rows)
        self.add_button.setVisible(not self._read_only)
        self.hint.setVisible(not self._read_only and bool(self.rows))


class ContactNoteView(QWidget):
    """Write the note as the patient is seen; it is kept as a draft; sign; then only addenda."""

    print_requested = Signal()
    questionnaire_requested = Signal(str)

    def __init__(self, view_model: ContactNoteViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._loading = False
        self._follow_addenda = False
        self.title = label(self.tr("Contact note"), "heading")
        self.state = label("", "hint", wrap=True)
        self.notice = NoticeBar()
        self.summary = ErrorSummary()
        self.boxes: dict[str, QPlainTextEdit] = {}
        self.field_errors: dict[str, QLabel] = {}
        self.exercises = ExercisesTable()
        self.due_box = card()
        self.due_rows = QVBoxLayout()
        self.due_buttons: dict[str, QPushButton] = {}
        self._build_due()

        self.addenda_box = QWidget()
        self.addenda_list = QVBoxLayout()
        self.addendum_text = QPlainTextEdit()
        self.addendum_text.setTabChangesFocus(True)
        self.addendum_text.setPlaceholderText(self.tr("What you are adding, and why"))
        self.addendum_text.setAccessibleName(self.tr("Addendum"))
        self.addendum_text.setFixedHeight(self.addendum_text.fontMetrics().lineSpacing() * 3 + 18)
        self.addendum_password = self._password(self.tr("Password to add the addendum"))
        self.addendum_button = QPushButton(self.tr("Add addendum"))
        set_role(self.addendum_button, "", variant="primary")
        self.addendum_problem = label("", "fieldError", wrap=True)
        self.addendum_problem.hide()
        self._build_addenda()

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self._fields())
        self.scroll_area.verticalScrollBar().rangeChanged.connect(self._on_range_changed)

        bar = self._signing_bar()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.attestation)
        layout.addLayout(bar)
        layout.addWidget(self.sign_problem)
        self._connect()
        self._show_note(None)
        self._show_due(())

    # ------------------------------------------------------------------ building

    def _signing_bar(self) -> QHBoxLayout:
        self.attestation = label("", "hint", wrap=True)
        self.password = self._password(self.tr("Password to sign"))
        self.password_label = label(self.tr("Password to sign"), "fieldLabel")
        self.sign_button = QPushButton(self.tr("Sign"))
        set_role(self.sign_button, "", variant="primary")
        self.print_button = QPushButton(self.tr("Print…"))
        self.sign_problem = label("", "fieldError", wrap=True)
        self.sign_problem.hide()
        bar = QHBoxLayout()
        bar.addWidget(self.password_label)
        bar.addWidget(self.password)
        bar.addWidget(self.sign_button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        return bar

    def _password(self, name: str) -> QLineEdit:
        box = QLineEdit()
        box.setEchoMode(QLineEdit.EchoMode.Password)
        box.setPlaceholderText(self.tr("Your password"))
        box.setAccessibleName(name)
        box.setMaximumWidth(220)
        return box

    def _build_due(self) -> None:
        column = QVBoxLayout(self.due_box)
        column.setContentsMargins(10, 8, 10, 8)
        column.addWidget(label(self.tr("Questionnaires due"), "fieldLabel"))
        column.addLayout(self.due_rows)

    def _build_addenda(self) -> None:
        column = QVBoxLayout(self.addenda_box)
        column.setContentsMargins(0, 8, 0, 0)
        column.addWidget(label(self.tr("Addenda"), "subheading"))
        column.addWidget(
            label(self.tr("A signed note cannot be changed. Add an addendum."), "hint")
        )
        column.addLayout(self.addenda_list)
        column.addWidget(self.addendum_text)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.addendum_password)
        row.addWidget(self.addendum_button)
        column.addLayout(row)
        column.addWidget(self.addendum_problem)

    def _fields(self) -> QWidget:
        fields = QWidget()
        column = QVBoxLayout(fields)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(self.due_box)
        for section in SECTIONS:
            needed = self.tr(" (needed to sign)") if section.required else ""
            heading = label(section.label + needed, "fieldLabel")
            problem = label("", "fieldError", wrap=True)
            problem.hide()
            self.field_errors[section.key] = problem
            column.addWidget(heading)
            if section.kind is SectionKind.STRUCTURED:
                column.addWidget(self.exercises)
            else:
                box = QPlainTextEdit()
                box.setAccessibleName(section.label)
                box.setTabChangesFocus(True)
                box.setFixedHeight(box.fontMetrics().lineSpacing() * _TEXT_LINES + 18)
                heading.setBuddy(box)
                column.addWidget(box)
                self.boxes[section.key] = box
                box.textChanged.connect(self._on_typed)
            column.addWidget(problem)
        column.addWidget(self.addenda_box)
        column.addStretch(1)
        return fields

    def _connect(self) -> None:
        vm = self._vm
        self.exercises.changed.connect(self._on_typed)
        self.sign_button.clicked.connect(self._on_sign)
        self.password.returnPressed.connect(self._on_sign)
        self.print_button.clicked.connect(self.print_requested)
        self.addendum_button.clicked.connect(self._on_addendum)
        self.addendum_password.returnPressed.connect(self._on_addendum)
        vm.note_changed.connect(self._show_note)
        vm.due_changed.connect(self._show_due)
        vm.field_errors_changed.connect(self._show_field_errors)
        vm.problem.connect(lambda text: self.notice.show_notice(text, "problem"))
        vm.told.connect(lambda text: self.notice.show_notice(text, "info"))
        vm.sign_failed.connect(self._show_sign_problem)
        vm.addendum_failed.connect(self._show_addendum_problem)
        vm.addendum_added.connect(self._on_added)
        vm.signed.connect(lambda _view: self._show_addendum_box())
        vm.busy_changed.connect(self.sign_button.setDisabled)
        vm.busy_changed.connect(self.addendum_button.setDisabled)

    # ------------------------------------------------------------------ reading the form

    def values(self) -> dict[str, object]:
        """What is typed: each section's words by key, and the exercises."""
        found: dict[str, object] = {key: box.toPlainText() for key, box in self.boxes.items()}
        found[EXERCISES] = self.exercises.values()
        return found

    def focus_first_field(self) -> None:
        for box in self.boxes.values():
            if not box.isReadOnly():
                box.setFocus()
                return

    def _on_typed(self) -> None:
        if not self._loading:
            self._vm.form_changed(self.values())

    def _on_sign(self) -> None:
        password = self.password.text()
        self.password.clear()
        self._vm.sign(password)

    def _on_addendum(self) -> None:
        password = self.addendum_password.text()
        self.addendum_password.clear()
        self.addendum_problem.hide()
        self._vm.add_addendum(self.addendum_text.toPlainText(), password)

    # ------------------------------------------------------------------ showing

    def _show_note(self, note: NoteRecord | None) -> None:
        signed = note is not None and note.is_signed
        writable = self._vm.may_write
        self._loading = True
        try:
            content: Mapping[str, str] = note.content if note is not None else {}
            for key, box in self.boxes.items():
                if box.toPlainText() != content.get(key, ""):
                    box.setPlainText(content.get(key, ""))
                box.setReadOnly(not writable)
            self.exercises.show_exercises(note.exercises if note is not None else ())
            self.exercises.set_read_only(not writable)
        finally:
            self._loading = False
        for widget in (self.password_label, self.password, self.sign_button):
            widget.setVisible(writable)
        self.sign_problem.hide()
        self.print_button.setEnabled(note is not None)
        self.addenda_box.setVisible(signed)
        self._show_addenda(note)
        self.state.setText(self._state_words(note))
        if signed and note is not None:
            sentence = note.attestation or ""
            words = self.tr("They agreed: {sentence}").format(sentence=sentence)
        else:
            sentence = self._vm.attestation
            words = self.tr("By signing: {sentence}").format(sentence=sentence)
        self.attestation.setText(words if sentence else "")
        self.attestation.setVisible(bool(sentence))

    def _state_words(self, note: NoteRecord | None) -> str:
        if self._vm.patient_id is None:
            return self.tr("Open a patient's appointment to write its note.")
        if note is None:
            return self.tr("New — kept as a draft as you type.")
        broken = not note.intact or any(not item.intact for item in note.addenda)
        if broken:
            return self.tr("{summary}. It no longer matches its signature: report this.").format(
                summary=note.summary
            )
        if note.is_signed and note.signed_at is not None:
            return self.tr("Signed by {who}, {when}. Read only.").format(
                who=note.signer_name or self.tr("its author"), when=_when(note.signed_at)
            )
        if not self._vm.may_write:
            return self.tr(
                "{summary}: another clinician's draft. Only they can change or sign it."
            ).format(summary=note.summary)
        return self.tr("Draft — kept as you type. Sign when the note is complete.")

    def _show_addenda(self, note: NoteRecord | None) -> None:
        while self.addenda_list.count():
            item = self.addenda_list.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if note is None:
            return
        for addendum in note.addenda:
            heading = self.tr("{when}, {who}").format(
                when=_when(addendum.signed_at), who=addendum.signer_name
            )
            box = card()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(10, 6, 10, 6)
            inner.addWidget(label(heading, "fieldLabel"))
            inner.addWidget(label(addendum.text, wrap=True))
            self.addenda_list.addWidget(box)

    def _show_due(self, due: tuple[QuestionnaireDue, ...]) -> None:
        while self.due_rows.count():
            item = self.due_rows.takeAt(0)
            layout = item.layout() if item is not None else None
            if layout is not None:
                while layout.count():
                    inner = layout.takeAt(0)
                    widget = inner.widget() if inner is not None else None
                    if widget is not None:
                        widget.deleteLater()
        self.due_buttons = {}
        for questionnaire in due:
            row = QHBoxLayout()
            words = self.tr("{title}: follow-up due (baseline {day})").format(
                title=questionnaire.title,
                day=formatting.clinical_date(questionnaire.baseline_at.date()),
            )
            row.addWidget(label(words, wrap=True), 1)
            button = QPushButton(self.tr("Record the follow-up"))
            button.setAccessibleName(
                self.tr("Record the {title} follow-up").format(title=questionnaire.title)
            )
            qid = questionnaire.questionnaire_id
            button.clicked.connect(
                lambda _checked=False, q=qid: self.questionnaire_requested.emit(q)
            )
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignRight)
            self.due_buttons[qid] = button
            self.due_rows.addLayout(row)
        self.due_box.setVisible(bool(due))

    def _show_field_errors(self, messages: Mapping[str, str]) -> None:
        by_section: dict[str, list[str]] = {}
        for field, message in messages.items():
            key, _, rest = field.partition(".")
            words = message
            if key == EXERCISES and rest:
                index, _, _part = rest.partition(".")
                words = self.tr("Exercise {n}: {words}").format(
                    n=int(index) + 1 if index.isdigit() else index, words=message
                )
            by_section.setdefault(key, []).append(words)
        for key, problem in self.field_errors.items():
            text = "\n".join(by_section.get(key, ()))
            problem.setText(text)
            problem.setVisible(bool(text))
        if messages:
            self.summary.show_problems(
                self.tr("Some parts need changing"), [w for ws in by_section.values() for w in ws]
            )
        else:
            self.summary.clear()

    def _on_added(self, _note: NoteRecord) -> None:
        self.addendum_text.clear()
        self._show_addendum_box()

    def _show_addendum_box(self) -> None:
        # The newest addendum and the box for the next are where the eye goes next: the
        # page scrolls to its end once it has grown to hold them.
        self._follow_addenda = True
        QTimer.singleShot(0, self, self._scroll_to_end)
        QTimer.singleShot(_FOLLOW_MS, self, self._stop_following)

    def _on_range_changed(self, _low: int, _high: int) -> None:
        if self._follow_addenda:
            self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        bar = self.scroll_area.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _stop_following(self) -> None:
        self._follow_addenda = False

    def _show_sign_problem(self, text: str) -> None:
        self.sign_problem.setText(text)
        self.sign_problem.show()

    def _show_addendum_problem(self, text: str) -> None:
        self.addendum_problem.setText(text)
        self.addendum_problem.show()
