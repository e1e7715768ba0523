"""Red-flag actions: a form per outcome waiting for its action, and actions still outstanding."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDateTimeEdit,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.domains.red_flags.rules import Level
from clinic_app.domains.red_flags.views import (
    ACTION_SPECS,
    ActionDetail,
    ActionKind,
    AwaitingAction,
    DetailKind,
    RedFlagActionView,
)
from clinic_app.people.views import Choice
from ui.common import errors, formatting
from ui.common.widgets import ChoiceCombo, ErrorSummary, FormField, form_grid, label, set_role
from ui.domains.red_flags.action.view_model import RedFlagActionsViewModel


def _when(moment: datetime) -> str:
    """A moment on the clinic's clock, written the NHS way: ``04-Dec-2026 10:40``."""
    local = moment.astimezone() if moment.tzinfo is not None else moment
    return f"{formatting.clinical_date(local.date())} {local:%H:%M}"


_LEVEL_WORDS = {
    Level.EMERGENCY: "EMERGENCY",
    Level.URGENT: "URGENT",
    Level.ROUTINE_WATCH: "SAFETY NET",
}


class DetailsForm(QWidget):
    """The details one kind of action asks for, laid out from its table."""

    edited = Signal()
    """The user changed a detail (not when a draft fills the form)."""

    def __init__(self, kind: ActionKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._filling = False
        self.fields: dict[str, FormField] = {}
        self._editors: dict[str, QWidget] = {}
        grid = form_grid(2)
        grid.setContentsMargins(0, 0, 0, 0)
        row = column = 0
        for detail in ACTION_SPECS[kind].details:
            editor = self._editor(detail)
            editor.setObjectName(detail.key)
            field = FormField(self.tr(detail.label), editor, optional=not detail.required)
            self.fields[detail.key] = field
            self._editors[detail.key] = editor
            wide = detail.kind is DetailKind.LONG_TEXT
            if wide and column:
                row, column = row + 1, 0
            grid.addWidget(field, row, column, 1, 2 if wide else 1)
            column = 0 if wide or column else 1
            row += 1 if column == 0 else 0
        self.setLayout(grid)
        # What an untouched form holds (today's date, no choice): not typing to keep.
        self._untouched = self.values()
        for editor in self._editors.values():
            self._watch(editor)

    def _watch(self, editor: QWidget) -> None:
        if isinstance(editor, ChoiceCombo):
            editor.currentIndexChanged.connect(self._on_edited)
        elif isinstance(editor, QDateTimeEdit):  # a QDateEdit is one too
            editor.dateTimeChanged.connect(self._on_edited)
        elif isinstance(editor, QPlainTextEdit | QLineEdit):
            editor.textChanged.connect(self._on_edited)

    def _on_edited(self, *_args: object) -> None:
        if not self._filling:
            self.edited.emit()

    def _editor(self, detail: ActionDetail) -> QWidget:
        if detail.kind is DetailKind.CHOICE:
            combo = ChoiceCombo()
            combo.set_choices(
                [Choice(code, self.tr(words)) for code, words in detail.choices],
                placeholder=self.tr("Choose…"),
            )
            return combo
        if detail.kind is DetailKind.DATE:
            day = QDateEdit(QDate.currentDate())
            day.setCalendarPopup(True)
            day.setDisplayFormat("d MMM yyyy")
            return day
        if detail.kind is DetailKind.DATE_TIME:
            moment = QDateTimeEdit(QDateTime.currentDateTime())
            moment.setCalendarPopup(True)
            moment.setDisplayFormat("d MMM yyyy HH:mm")
            return moment
        if detail.kind is DetailKind.LONG_TEXT:
            notes = QPlainTextEdit()
            notes.setTabChangesFocus(True)
            notes.setFixedHeight(notes.fontMetrics().lineSpacing() * 3 + 18)
            return notes
        line = QLineEdit()
        line.setMaxLength(detail.max_length)
        return line

    def editor(self, key: str) -> QWidget:
        return self._editors[key]

    def values(self) -> dict[str, str]:
        """What was entered, as the service takes it (dates ISO, choices by code)."""
        found: dict[str, str] = {}
        for key, editor in self._editors.items():
            if isinstance(editor, ChoiceCombo):
                found[key] = editor.code()
            elif isinstance(editor, QDateTimeEdit) and not isinstance(editor, QDateEdit):
                found[key] = editor.dateTime().toString("yyyy-MM-ddTHH:mm")
            elif isinstance(editor, QDateEdit):
                found[key] = editor.date().toString("yyyy-MM-dd")
            elif isinstance(editor, QPlainTextEdit):
                found[key] = editor.toPlainText()
            elif isinstance(editor, QLineEdit):
                found[key] = editor.text()
        return found

    def typed(self) -> dict[str, str]:
        """What the user changed from an untouched form, as ``values()`` gives it."""
        return {k: v for k, v in self.values().items() if v != self._untouched.get(k)}

    def fill(self, values: Mapping[str, object]) -> None:
        """Put back what was typed (a draft); what it does not name stays as it is."""
        self._filling = True
        try:
            for key, value in values.items():
                editor = self._editors.get(key)
                if isinstance(value, str) and editor is not None:
                    _set_value(editor, value)
        finally:
            self._filling = False

    def show_errors(self, by_field: dict[str, str]) -> None:
        for key, field in self.fields.items():
            field.set_error(by_field.get(key))


def _set_value(editor: QWidget, value: str) -> None:
    """One editor given a value as ``DetailsForm.values()`` gives it."""
    if isinstance(editor, ChoiceCombo):
        editor.set_code(value)
    elif isinstance(editor, QDateEdit):
        day = QDate.fromString(value, "yyyy-MM-dd")
        if day.isValid():
            editor.setDate(day)
    elif isinstance(editor, QDateTimeEdit):
        moment = QDateTime.fromString(value, "yyyy-MM-ddTHH:mm")
        if moment.isValid():
            editor.setDateTime(moment)
    elif isinstance(editor, QPlainTextEdit):
        editor.setPlainText(value)
    elif isinstance(editor, QLineEdit):
        editor.setText(value)


class ActionForm(QFrame):
    """One outcome waiting for its action: what the rules ask, the kind chosen, its details."""

    save_requested = Signal(object, object, object)
    changed = Signal()
    """The kind chosen or a detail typed changed, by the user."""

    def __init__(self, awaiting: AwaitingAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.awaiting = awaiting
        # Set up (and a draft put back) is not the user choosing: no change is told.
        self._filling = True
        screening = awaiting.screening
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 16)
        layout.setSpacing(8)
        level = self.tr(_LEVEL_WORDS.get(screening.level, screening.level.value))
        title = label(f"{level}: {screening.screen_title}", "subheading", wrap=True)
        layout.addWidget(title)
        layout.addWidget(
            label(
                self.tr("Screened {when}. What the outcome asks for:").format(
                    when=_when(screening.recorded_at)
                ),
                "hint",
                wrap=True,
            )
        )
        for text in awaiting.required:
            line = label(f"•  {text}", wrap=True)
            line.setObjectName("requiredAction")
            layout.addWidget(line)
        layout.addWidget(label(self.tr("Action taken"), "fieldLabel"))
        kinds = QHBoxLayout()
        kinds.setSpacing(18)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[ActionKind, QRadioButton] = {}
        self.forms: dict[ActionKind, DetailsForm] = {}
        for kind in awaiting.kinds:
            radio = QRadioButton(self.tr(ACTION_SPECS[kind].title))
            radio.setObjectName(f"kind_{kind.value}")
            self.kind_group.addButton(radio)
            self.kind_buttons[kind] = radio
            kinds.addWidget(radio)
            radio.toggled.connect(lambda on, k=kind: self._on_kind_toggled(k, on))
        kinds.addStretch(1)
        layout.addLayout(kinds)
        self.summary = ErrorSummary()
        layout.addWidget(self.summary)
        for kind in awaiting.kinds:
            form = DetailsForm(kind)
            form.edited.connect(self.changed)
            form.setVisible(False)
            self.forms[kind] = form
            layout.addWidget(form)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("Record action"))
        set_role(self.save_button, "", variant="primary")
        self.save_button.clicked.connect(self._on_save_clicked)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        if awaiting.kinds:
            self.kind_buttons[awaiting.kinds[0]].setChecked(True)
        self._filling = False

    @property
    def kind(self) -> ActionKind:
        return next(k for k, radio in self.kind_buttons.items() if radio.isChecked())

    @property
    def form(self) -> DetailsForm:
        return self.forms[self.kind]

    def typed(self) -> dict[str, str]:
        """The details typed into the form of the kind chosen."""
        return self.form.typed()

    def restore(self, kind: str, details: Mapping[str, object]) -> None:
        """Put back a draft: the kind chosen, then its details."""
        chosen = next((k for k in self.kind_buttons if k.value == kind), None)
        if chosen is None:
            return
        self._filling = True
        try:
            self.kind_buttons[chosen].setChecked(True)
        finally:
            self._filling = False
        self.forms[chosen].fill(details)

    def _on_kind_toggled(self, kind: ActionKind, on: bool) -> None:
        if on:
            self._show_kind(kind)
            if not self._filling:
                self.changed.emit()

    def _show_kind(self, kind: ActionKind) -> None:
        for each, form in self.forms.items():
            form.setVisible(each is kind)
        self.summary.clear()

    def _on_save_clicked(self) -> None:
        self.save_requested.emit(self.awaiting.screening.id, self.kind, self.form.values())

    def show_failure(self, headline: str, error: BaseException) -> None:
        by_field = {
            item.field: errors.field_message(
                item, self.form.fields[item.field].text if item.field in self.form.fields else None
            )
            for item in errors.field_errors(error)
            if item.field
        }
        self.form.show_errors(by_field)
        self.summary.show_problems(headline, list(by_field.values()))


class OutstandingCard(QFrame):
    """An action recorded and not yet done: its details, and a way to mark it done."""

    done_requested = Signal(object, str)

    def __init__(self, action: RedFlagActionView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        set_role(self, "card")
        self.action = action
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 16)
        layout.setSpacing(6)
        layout.addWidget(
            label(
                self.tr("Outstanding: {title} ({screen})").format(
                    title=self.tr(action.spec.title), screen=action.screen_title
                ),
                "subheading",
                wrap=True,
            )
        )
        layout.addWidget(
            label(
                self.tr("Recorded {when}").format(when=_when(action.recorded_at)),
                "hint",
            )
        )
        for caption, value in action.lines():
            layout.addWidget(label(f"{self.tr(caption)}: {value}", wrap=True))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("Note (optional), e.g. who confirmed it"))
        self.note.setAccessibleName(self.tr("Note on marking it done"))
        self.error = label("", "fieldError", wrap=True)
        self.error.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        self.done_button = QPushButton(self.tr(action.spec.done_label))
        self.done_button.clicked.connect(
            lambda: self.done_requested.emit(action.id, self.note.text())
        )
        row.addWidget(self.done_button)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)


class RedFlagActionsView(QWidget):
    """Forms for outcomes waiting for an action, then actions outstanding, then those done."""

    def __init__(self, view_model: RedFlagActionsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self.forms: dict[uuid.UUID, ActionForm] = {}
        self.outstanding: dict[uuid.UUID, OutstandingCard] = {}
        self.done_lines: list[str] = []
        self.heading = label(self.tr("Red-flag actions"), "heading")
        self.intro = label(
            self.tr(
                "Record what was done for each red flag, with its details. An action stays on "
                "the record's banner until you mark it done."
            ),
            "hint",
            wrap=True,
        )
        self.message = label("", "fieldError", wrap=True)
        self.message.setVisible(False)
        self.empty = label(self.tr("No red-flag action is waiting for this patient."), "hint")
        body = QWidget()
        self._body = QVBoxLayout(body)
        self._body.setContentsMargins(0, 0, 8, 0)
        self._body.setSpacing(14)
        for widget in (self.heading, self.intro, self.message, self.empty):
            self._body.addWidget(widget)
        self._cards = QVBoxLayout()
        self._cards.setSpacing(14)
        self._body.addLayout(self._cards)
        self.done_label = label("", "hint", wrap=True)
        self._body.addWidget(self.done_label)
        self._body.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 14, 16, 12)
        layout.addWidget(self.scroll_area, 1)

        view_model.loaded.connect(self._on_vm_loaded)
        view_model.save_failed.connect(self._on_vm_save_failed)
        view_model.done_failed.connect(self._on_vm_done_failed)
        view_model.problem.connect(self._on_vm_problem)
        view_model.draft_restored.connect(self._on_vm_draft_restored)
        view_model.busy_changed.connect(self._on_vm_busy_changed)

    def _on_vm_loaded(
        self, awaiting: list[AwaitingAction], actions: list[RedFlagActionView]
    ) -> None:
        # A note typed on an outstanding action stays with that action (by its id) when the
        # list is read again, as after another action is marked done.
        notes = {key: card.note.text() for key, card in self.outstanding.items()}
        for widget in [*self.forms.values(), *self.outstanding.values()]:
            widget.deleteLater()
        self.forms.clear()
        self.outstanding.clear()
        self.message.setVisible(False)
        for item in awaiting:
            form = ActionForm(item)
            form.save_requested.connect(self._vm.record)
            form.changed.connect(lambda f=form: self._on_form_changed(f))
            self.forms[item.screening.id] = form
            self._cards.addWidget(form)
        self._on_vm_draft_restored(self._vm.typed)
        for action in actions:
            if action.outstanding:
                card = OutstandingCard(action)
                card.note.setText(notes.get(action.id, ""))
                card.done_requested.connect(self._vm.mark_done)
                self.outstanding[action.id] = card
                self._cards.addWidget(card)
        self.done_lines = [
            self.tr("{title} ({screen}): {done}").format(
                title=self.tr(a.spec.title),
                screen=a.screen_title,
                done=_when(a.done_at) if a.done_at else "",
            )
            for a in actions
            if not a.outstanding
        ]
        self.done_label.setText(
            self.tr("Done: ") + "; ".join(self.done_lines) if self.done_lines else ""
        )
        self.empty.setVisible(not awaiting and not self.outstanding)

    def _on_form_changed(self, form: ActionForm) -> None:
        self._vm.form_changed(str(form.awaiting.screening.id), form.kind.value, form.typed())

    def _on_vm_draft_restored(self, typed: Mapping[str, Mapping[str, object]]) -> None:
        for screening_id, form in self.forms.items():
            entry = typed.get(str(screening_id))
            details = entry.get("details") if entry is not None else None
            kind = entry.get("kind") if entry is not None else None
            if isinstance(kind, str) and isinstance(details, Mapping):
                form.restore(kind, details)

    def _on_vm_save_failed(self, screening_id: str, headline: str, error: object) -> None:
        for key, form in self.forms.items():
            if str(key) == screening_id and isinstance(error, BaseException):
                form.show_failure(headline, error)
                self.scroll_area.ensureWidgetVisible(form.summary)

    def _on_vm_done_failed(self, action_id: str, message: str) -> None:
        for key, card in self.outstanding.items():
            if str(key) == action_id:
                card.show_error(message)

    def _on_vm_problem(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(True)

    def _on_vm_busy_changed(self, busy: bool) -> None:
        for form in self.forms.values():
            form.save_button.setEnabled(not busy)
        for card in self.outstanding.values():
            card.done_button.setEnabled(not busy)
