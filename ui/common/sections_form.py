"""The one form for records whose form is only their sections (a contact note, a plan ...).

A record type declared with text sections and served by ``SectionsRecordService`` needs no
view or view model of its own: its ``screens.py`` declares a screen built by
:func:`sections_screen`. The form offers the patient's own draft to continue, autosaves
while the clinician types, signs with the password, and prints.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from clinic_app.people.views import PatientRecord
from ui.common import errors, formatting
from ui.common.draft_saver import MadeDraft, in_turn
from ui.common.printing import LeftBehind, PdfDelivery, document_file_name
from ui.common.screen import ShellContext, under_banner
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner
from ui.common.widgets import ErrorSummary, NoticeBar, label

if TYPE_CHECKING:
    # Type names only: the screen starts without the core's storage libraries loaded.
    from clinic_app.records.registry import RecordType
    from clinic_app.records.sections_record import SectionsRecordView

AUTOSAVE_MS = 1500


class SectionsRecords(Protocol):
    """The part of a ``SectionsRecordService`` the form uses."""

    @property
    def record_type(self) -> RecordType: ...

    def save_draft(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        content: Mapping[str, object],
        record_id: uuid.UUID | None = None,
    ) -> SectionsRecordView: ...

    def sign(
        self, actor: CurrentUser, record_id: uuid.UUID, password: str
    ) -> SectionsRecordView: ...

    def get(self, actor: CurrentUser, record_id: uuid.UUID) -> SectionsRecordView: ...

    def for_patient(
        self, actor: CurrentUser, patient_id: uuid.UUID
    ) -> tuple[SectionsRecordView, ...]: ...

    def attestation_for(self, actor: CurrentUser) -> str: ...

    def printable(self, actor: CurrentUser, record_id: uuid.UUID) -> bytes: ...


class SectionsFormViewModel(QObject):
    """One record of one patient: continued if a draft of theirs exists, autosaved, signed."""

    record_changed = Signal(object)
    """The record on the form (a ``SectionsRecordView``), or None for a new one."""
    field_errors_changed = Signal(object)
    problem = Signal(str)
    sign_failed = Signal(str)
    signed = Signal(object)
    printed = Signal(bytes)
    print_left_behind = Signal(object)
    sign_left_behind = Signal(object, bool, str)
    """``(patient id, signed, why not)``: a sign asked for just before the patient changed,
    finished after the form moved on."""
    """A print asked for that was not made because the patient changed first: their id."""
    busy_changed = Signal(bool)

    def __init__(
        self,
        records: SectionsRecords,
        *,
        runner: TaskRunner,
        session: UserSession,
        autosave_ms: int = AUTOSAVE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._records = records
        self._runner = runner
        self._session = session
        self.record_type = records.record_type
        self.patient_id: uuid.UUID | None = None
        self.record: SectionsRecordView | None = None
        self.attestation = ""
        self._pending: dict[str, object] | None = None
        self._saving = False
        #: The draft a new record's first save made, as soon as the store has made it.
        self._made = MadeDraft()
        #: A print asked for waits for a save on its way.
        self._print_waiting = False
        #: The password of a sign asked for that waits for a save on its way.
        self._sign_waiting: str | None = None
        self._after_save: Callable[[], None] | None = None
        self._busy = False
        #: Counts starts and resets: an answer that comes after one is for what was left.
        self._epoch = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(autosave_ms)
        self._timer.timeout.connect(self.save_now)

    @property
    def is_signed(self) -> bool:
        return self.record is not None and self.record.is_signed

    @property
    def busy(self) -> bool:
        return self._busy

    # ------------------------------------------------------------------ commands

    def start(self, patient_id: uuid.UUID, record_id: uuid.UUID | None = None) -> None:
        """Open ``record_id``, or the user's own draft for this patient, or a new record."""
        self._forget()
        self.patient_id = patient_id
        actor = self._session.require_user()
        epoch = self._epoch
        records = self._records

        def load() -> tuple[SectionsRecordView | None, str]:
            sentence = records.attestation_for(actor)
            if record_id is not None:
                return records.get(actor, record_id), sentence
            for view in records.for_patient(actor, patient_id):
                if not view.is_signed and view.created_by == actor.id:
                    return records.get(actor, view.id), sentence
            return None, sentence

        self._runner.run_store(
            load,
            on_done=lambda found: self._on_loaded(found) if epoch == self._epoch else None,
            on_failed=lambda error: (
                self.problem.emit(errors.explain(error)) if epoch == self._epoch else None
            ),
        )

    def start_new(self) -> None:
        """Leave the record on the form and start a new one for the same patient."""
        patient_id = self.patient_id
        if patient_id is None:
            return
        self.save_now()
        self._forget()
        self.patient_id = patient_id
        self.record_changed.emit(None)

    def form_changed(self, values: Mapping[str, object]) -> None:
        """Something was typed: save the draft once typing pauses."""
        if self.is_signed or self.patient_id is None:
            return
        self._pending = dict(values)
        self._timer.start()

    def save_now(self) -> None:
        """Save what is typed at once (on pausing, leaving, locking, switching user)."""
        self._timer.stop()
        if self._pending is None or self._saving or self.patient_id is None:
            return
        actor = self._session.require_user()
        patient_id, content = self.patient_id, self._pending
        existing = self.record.id if self.record is not None else None
        made = self._made
        self._pending = None
        self._saving = True
        epoch = self._epoch
        records = self._records

        def save() -> SectionsRecordView:
            # A save queued behind a new record's first one goes to the draft that one made.
            try:
                view = records.save_draft(actor, patient_id, content, existing or made.id)
            except Exception as error:
                made.refusal = error
                raise
            made.id, made.refusal = view.id, None
            return view

        self._runner.run_store(
            save,
            on_done=lambda view: self._on_saved(view) if epoch == self._epoch else None,
            on_failed=lambda error: self._on_save_failed(error) if epoch == self._epoch else None,
        )

    def sign(self, password: str) -> None:
        """Save anything unsaved, then sign with the user's password."""
        if self._busy or self.is_signed or self.patient_id is None:
            return
        if not password:
            self.sign_failed.emit(self.tr("Type your password to sign."))
            return
        self._set_busy(True)
        if self.record is None and self._pending is None and not self._saving:
            # Nothing typed yet: an empty draft is made, so signing says what is missing.
            # (A first save on its way already makes it: an empty one behind it would
            # save nothing over the words typed.)
            self._pending = {}
        if self._pending is not None or self._saving:
            self._sign_waiting = password
            self._after_save = in_turn(self._after_save, lambda: self._sign(password))
            self.save_now()
        else:
            self._sign(password)

    def print_record(self) -> None:
        """Make the record's PDF (saved first if anything is unsaved)."""
        if self.record is None and self._pending is None:
            return
        if self._pending is not None or self._saving:
            self._print_waiting = True
            self._after_save = in_turn(self._after_save, self._print)
            self.save_now()
        else:
            self._print()

    def reset(self) -> None:
        """Forget the patient and the record (switching user saves first, then this)."""
        self._forget()
        self.patient_id = None
        self.record_changed.emit(None)

    # ------------------------------------------------------------------ results

    def _forget(self) -> None:
        if self._pending is not None and not self.is_signed:
            # Typed while a save was on its way (or not saved yet): saved to this record now,
            # behind that save (the store's worker runs them in order), before it is forgotten.
            self._saving = False
            self.save_now()
        if self._print_waiting and self.patient_id is not None:
            # The print waited for a save: it is not made for a patient no longer on show.
            self.print_left_behind.emit(self.patient_id)
        self._print_waiting = False
        if self._sign_waiting is not None and self.patient_id is not None:
            self._finish_sign_left_behind(self.patient_id, self._sign_waiting)
        self._sign_waiting = None
        self._made = MadeDraft()
        self._timer.stop()
        self._epoch += 1
        self.record = None
        self._pending = None
        self._saving = False
        self._after_save = None
        self._set_busy(False)
        self.field_errors_changed.emit({})

    def _finish_sign_left_behind(self, patient_id: uuid.UUID, password: str) -> None:
        """Sign the record being left, as asked, after the saves on their way; say how it went.

        The store's worker takes work in order, so this follows those saves: the record is
        the one they saved (a new record's, once its first save has made it), for this
        patient only, and never on words older than those on the screen.
        """
        actor = self._session.require_user()
        records = self._records
        existing = self.record.id if self.record is not None else None
        self._made.sign_left_behind(
            self._runner,
            existing,
            lambda record_id: records.sign(actor, record_id, password),
            missing="record.not_found",
            patient_id=patient_id,
            tell=self.sign_left_behind.emit,
        )

    def _sign(self, password: str) -> None:
        self._sign_waiting = None
        record, patient_id = self.record, self.patient_id
        if record is None or patient_id is None:
            self._set_busy(False)
            return
        actor = self._session.require_user()
        records = self._records
        epoch = self._epoch
        # Answered after the form moved on, it is said how it went, for that patient.
        self._runner.run_store(
            lambda: records.sign(actor, record.id, password),
            on_done=lambda view: (
                self._on_signed(view)
                if epoch == self._epoch
                else self.sign_left_behind.emit(patient_id, True, "")
            ),
            on_failed=lambda error: (
                self._on_sign_failed(error)
                if epoch == self._epoch
                else self.sign_left_behind.emit(patient_id, False, errors.explain(error))
            ),
        )

    def _print(self) -> None:
        self._print_waiting = False
        record, patient_id = self.record, self.patient_id
        if record is None or patient_id is None:
            return
        actor = self._session.require_user()
        records = self._records
        epoch = self._epoch
        # Handed to the screen only while the record it shows is still the one on show: the
        # screen names the file for the patient in its banner. Answered later, it is not
        # printed, and that is said for its own patient.
        self._runner.run_store(
            lambda: records.printable(actor, record.id),
            on_done=lambda pdf: (
                self.printed.emit(pdf)
                if epoch == self._epoch
                else self.print_left_behind.emit(patient_id)
            ),
            on_failed=lambda error: (
                self.problem.emit(errors.explain(error))
                if epoch == self._epoch
                else self.print_left_behind.emit(patient_id)
            ),
        )

    def _on_loaded(self, found: tuple[SectionsRecordView | None, str]) -> None:
        self.record, self.attestation = found
        self.record_changed.emit(self.record)

    def _on_saved(self, view: SectionsRecordView) -> None:
        self._saving = False
        self.record = view
        self.field_errors_changed.emit({})
        follow_on, self._after_save = self._after_save, None
        if self._pending is not None:
            self._after_save = follow_on
            self.save_now()
        elif follow_on is not None:
            follow_on()

    def _on_save_failed(self, error: BaseException) -> None:
        self._saving = False
        self._print_waiting = False
        # A sign waiting for this save is refused with it; a print alone is said as the problem.
        sign_waited, self._sign_waiting = self._sign_waiting is not None, None
        self._after_save = None
        self.field_errors_changed.emit(errors.field_messages(error))
        message = errors.explain(error)
        self.problem.emit(message)
        if sign_waited:
            self._set_busy(False)
            self.sign_failed.emit(message)

    def _on_signed(self, view: SectionsRecordView) -> None:
        self._set_busy(False)
        self.record = view
        self.field_errors_changed.emit({})
        self.record_changed.emit(view)
        self.signed.emit(view)

    def _on_sign_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.field_errors_changed.emit(errors.field_messages(error))
        if isinstance(error, ClinicError) and error.code == "auth.failed":
            self.sign_failed.emit(
                self.tr("That password is not right. Type your own password and try again.")
            )
        else:
            self.sign_failed.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)


class SectionsFormView(QWidget):
    """A heading and a box for each text section, then sign and print."""

    print_requested = Signal()

    def __init__(self, view_model: SectionsFormViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = view_model
        self._loading = False
        record_type = view_model.record_type
        self.title = label(record_type.title, "heading")
        self.state = label("", "hint", wrap=True)
        self.notice = NoticeBar()
        self.summary = ErrorSummary()
        self.boxes: dict[str, QPlainTextEdit] = {}
        self.field_errors: dict[str, QLabel] = {}
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._fields(record_type))

        self.attestation = label("", "hint", wrap=True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Your password"))
        self.password.setAccessibleName(self.tr("Password to sign"))
        self.password.setMaximumWidth(220)
        self.sign_button = QPushButton(self.tr("Sign"))
        self.print_button = QPushButton(self.tr("Print…"))
        self.new_button = QPushButton(self.tr("Start a new one"))
        self.sign_problem = label("", "fieldError", wrap=True)
        self.sign_problem.hide()
        self.password_label = label(self.tr("Password to sign"), "fieldLabel")
        bar = QHBoxLayout()
        bar.addWidget(self.password_label)
        bar.addWidget(self.password)
        bar.addWidget(self.sign_button)
        bar.addStretch(1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.print_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.notice)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.attestation)
        layout.addLayout(bar)
        layout.addWidget(self.sign_problem)

        self._connect(view_model)
        self._show_record(None)

    def _fields(self, record_type: RecordType) -> QWidget:
        fields = QWidget()
        column = QVBoxLayout(fields)
        column.setContentsMargins(0, 0, 8, 0)
        for section in record_type.text_sections:
            if section.amendment:
                continue
            words = section.label + (self.tr(" (needed to sign)") if section.required else "")
            heading = label(words, "fieldLabel")
            box = QPlainTextEdit()
            box.setAccessibleName(section.label)
            box.setTabChangesFocus(True)
            box.setMinimumHeight(70)
            heading.setBuddy(box)
            problem = label("", "fieldError", wrap=True)
            problem.hide()
            column.addWidget(heading)
            column.addWidget(box)
            column.addWidget(problem)
            self.boxes[section.key] = box
            self.field_errors[section.key] = problem
            box.textChanged.connect(self._on_typed)
        column.addStretch(1)
        return fields

    def _connect(self, view_model: SectionsFormViewModel) -> None:
        self.sign_button.clicked.connect(self._on_sign)
        self.password.returnPressed.connect(self._on_sign)
        self.print_button.clicked.connect(self.print_requested)
        self.new_button.clicked.connect(view_model.start_new)
        view_model.record_changed.connect(self._show_record)
        view_model.field_errors_changed.connect(self._show_field_errors)
        view_model.problem.connect(self._show_problem)
        view_model.sign_failed.connect(self._show_sign_problem)
        view_model.busy_changed.connect(self.sign_button.setDisabled)

    def _show_problem(self, text: str) -> None:
        self.notice.show_notice(text, "problem")

    def values(self) -> dict[str, object]:
        """What is typed, by section key."""
        return {key: box.toPlainText() for key, box in self.boxes.items()}

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

    def _show_record(self, record: SectionsRecordView | None) -> None:
        self._loading = True
        try:
            content: Mapping[str, str] = record.content if record is not None else {}
            for key, box in self.boxes.items():
                if box.toPlainText() != content.get(key, ""):
                    box.setPlainText(content.get(key, ""))
                box.setReadOnly(record is not None and record.is_signed)
        finally:
            self._loading = False
        signed = record is not None and record.is_signed
        for widget in (self.password_label, self.password, self.sign_button):
            widget.setVisible(not signed)
        self.sign_problem.hide()
        self.print_button.setEnabled(record is not None)
        self.new_button.setEnabled(record is not None)
        if record is None:
            self.state.setText(self.tr("New — kept as a draft as you type."))
        elif not record.intact:
            self.state.setText(
                self.tr("{summary}. It no longer matches its signature: report this.").format(
                    summary=record.summary
                )
            )
        else:
            self.state.setText(record.summary)
        sentence = record.attestation if signed and record is not None else self._vm.attestation
        self.attestation.setText(sentence or "")
        self.attestation.setVisible(bool(sentence))

    def _show_field_errors(self, messages: Mapping[str, str]) -> None:
        for key, problem in self.field_errors.items():
            text = messages.get(key)
            problem.setText(text or "")
            problem.setVisible(bool(text))
        if messages:
            self.summary.show_problems(self.tr("Some parts need changing"), list(messages.values()))
        else:
            self.summary.clear()

    def _show_sign_problem(self, text: str) -> None:
        self.sign_problem.setText(text)
        self.sign_problem.show()


class SectionsScreen:
    """A declared screen showing the sections form under the patient's banner."""

    def __init__(
        self,
        context: ShellContext,
        records: SectionsRecords,
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._context = context
        self._today = today
        self._patient: PatientRecord | None = None
        self.view_model = SectionsFormViewModel(
            records, runner=context.runner, session=context.session, parent=context.owner
        )
        self.view = SectionsFormView(self.view_model)
        self.pdf_delivery = PdfDelivery(self.view)
        self._page, self.banner = under_banner(self.view)
        code = records.record_type.code
        self.view_model.signed.connect(
            lambda view: context.announce(f"{code}.signed", view.patient_id)
        )
        self.view_model.printed.connect(self._save_pdf)
        code_title = records.record_type.title
        self._left = LeftBehind(
            context.signed_in,
            context.say,
            lambda: self.view.tr("The {what}").format(what=code_title.lower()),
        )
        self.view_model.print_left_behind.connect(self._left.not_printed)
        self.view_model.sign_left_behind.connect(self._on_sign_left_behind)
        self.view.print_requested.connect(self.view_model.print_record)

    @property
    def page(self) -> QWidget:
        return self._page

    def open(self, patient: PatientRecord | None, item: object = None) -> None:
        if patient is None:
            return
        self.save_now()
        self._patient = patient
        self._left.opened(
            patient.id,
            formatting.patient_name(patient.family_name, patient.given_name, patient.title),
        )
        self.banner.show_record(patient)
        self.view_model.start(patient.id, _record_id(item))
        self._context.show(self)
        self.view.focus_first_field()

    def submit(self) -> None:
        self.view_model.save_now()

    def save_now(self) -> None:
        self.view_model.save_now()

    def reset(self) -> None:
        self._patient = None
        self.banner.clear()
        self.view_model.reset()

    def _on_sign_left_behind(self, patient_id: uuid.UUID, signed: bool, why: str) -> None:
        """A sign asked for just before the form moved on has finished: say how, and whose."""
        if signed:
            self._context.announce(f"{self.view_model.record_type.code}.signed", patient_id)
        self._left.sign_finished(patient_id, signed, why)

    def _save_pdf(self, pdf: bytes) -> None:
        patient = self._patient
        if patient is None:
            return
        title = self.view_model.record_type.title
        name = document_file_name(patient.family_name, patient.nhs_number, title, self._today())
        try:
            saved = self.pdf_delivery.deliver(
                pdf, name, self.view.tr("Save the {what}").format(what=title.lower())
            )
        except OSError:
            self.view.notice.show_notice(
                self.view.tr("The PDF could not be saved there. Choose another folder."), "problem"
            )
            return
        if saved is not None:
            self.view.notice.show_notice(
                self.view.tr("Saved as {name}.").format(name=saved.name), "info"
            )


def _record_id(item: object) -> uuid.UUID | None:
    """The record to open: its id, or the id a timeline entry carries."""
    if isinstance(item, uuid.UUID):
        return item
    found = getattr(item, "item_id", None)
    return found if isinstance(found, uuid.UUID) else None


def sections_screen(service: str) -> Callable[[ShellContext], SectionsScreen]:
    """How a declared screen is built: the sections form over ``services.<service>``."""

    def build(context: ShellContext) -> SectionsScreen:
        records: SectionsRecords = getattr(context.services, service)
        return SectionsScreen(context, records)

    return build
