"""The contact note's state and commands: open or start, autosave, sign, add to, print."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from clinic_app.domains.contacts.views import ContactNoteView, QuestionnaireDue
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, NotFound
from ui.common import errors
from ui.common.draft_saver import MadeDraft, in_turn
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

AUTOSAVE_MS = 1500


class ContactNotes(Protocol):
    """The part of ``ContactNoteService`` the screen uses."""

    def start(
        self, actor: CurrentUser, patient_id: uuid.UUID, appointment_id: uuid.UUID
    ) -> ContactNoteView: ...

    def save_draft(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        content: Mapping[str, object],
        note_id: uuid.UUID | None = None,
    ) -> ContactNoteView: ...

    def sign(self, actor: CurrentUser, note_id: uuid.UUID, password: str) -> ContactNoteView: ...

    def add_addendum(
        self, actor: CurrentUser, note_id: uuid.UUID, text: str, password: str
    ) -> ContactNoteView: ...

    def get(
        self, actor: CurrentUser, note_id: uuid.UUID, patient_id: uuid.UUID | None = None
    ) -> ContactNoteView: ...

    def for_patient(
        self, actor: CurrentUser, patient_id: uuid.UUID
    ) -> tuple[ContactNoteView, ...]: ...

    def attestation_for(self, actor: CurrentUser) -> str: ...

    def questionnaires_due(
        self, actor: CurrentUser, patient_id: uuid.UUID
    ) -> tuple[QuestionnaireDue, ...]: ...

    def printable(self, actor: CurrentUser, note_id: uuid.UUID) -> bytes: ...


#: What opening finds: the note (None: a new one starts on the first words typed), the
#: sentence to sign and the questionnaires due.
Loaded = tuple[ContactNoteView | None, str, tuple[QuestionnaireDue, ...]]


class ContactNoteViewModel(QObject):
    """One contact note of one patient: the banner's, and only theirs."""

    note_changed = Signal(object)
    """The note on the form (a ``ContactNoteView``), or None for a new one."""
    due_changed = Signal(object)
    """The questionnaires due (a tuple of ``QuestionnaireDue``)."""
    field_errors_changed = Signal(object)
    problem = Signal(str)
    #: ``(words)``: something to know about the note opened (a colleague's draft beside it).
    told = Signal(str)
    sign_failed = Signal(str)
    signed = Signal(object)
    saved = Signal(object)
    addendum_added = Signal(object)
    addendum_failed = Signal(str)
    printed = Signal(bytes)
    print_left_behind = Signal(object)
    """A print asked for that was not made because the patient changed first: their id."""
    sign_left_behind = Signal(object, bool, str)
    """A sign answered after the page moved on, for that note: the patient's id, whether it
    was signed and, if not, why in plain words."""
    busy_changed = Signal(bool)

    def __init__(
        self,
        notes: ContactNotes,
        *,
        runner: TaskRunner,
        session: UserSession,
        autosave_ms: int = AUTOSAVE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._notes = notes
        self._runner = runner
        self._session = session
        self.patient_id: uuid.UUID | None = None
        self.note: ContactNoteView | None = None
        self.attestation = ""
        self.due: tuple[QuestionnaireDue, ...] = ()
        self._pending: dict[str, object] | None = None
        self._saving = False
        #: The draft a new note's first save made, as soon as the store has made it.
        self._made = MadeDraft()
        #: A print asked for waits for a save on its way.
        self._print_waiting = False
        #: The password of a sign waiting for a save on its way (None: no sign waiting).
        self._sign_waiting: str | None = None
        self._after_save: Callable[[], None] | None = None
        self._busy = False
        #: Counts opens and resets: an answer that comes after one is for what was left.
        self._epoch = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(autosave_ms)
        self._timer.timeout.connect(self.save_now)

    @property
    def is_signed(self) -> bool:
        return self.note is not None and self.note.is_signed

    @property
    def may_write(self) -> bool:
        """True while the form may be typed in: a patient open, and a new note or own draft.

        Another clinician's draft is shown read only: only its author changes or signs it.
        """
        if self.patient_id is None or self.is_signed:
            return False
        user = self._session.user
        return self.note is None or (user is not None and self.note.created_by == user.id)

    @property
    def busy(self) -> bool:
        return self._busy

    # ------------------------------------------------------------------ commands

    def open(self, patient_id: uuid.UUID, item: uuid.UUID | None = None) -> None:
        """Open a note of this patient, or the draft for one of their appointments.

        ``item`` is a contact note's id (shown) or an appointment's (its note started or
        continued); with none, the user's own draft for the patient continues, else a new
        note starts with the first words typed. Either id must be this patient's.
        """
        self._forget()
        self.patient_id = patient_id
        actor = self._session.require_user()
        epoch = self._epoch
        notes = self._notes
        colleague = [False]

        def load() -> Loaded:
            sentence = notes.attestation_for(actor)
            due = notes.questionnaires_due(actor, patient_id)
            if item is None:
                for view in notes.for_patient(actor, patient_id):
                    if not view.is_signed and view.created_by == actor.id:
                        return view, sentence, due
                return None, sentence, due
            try:
                return notes.get(actor, item, patient_id), sentence, due
            except NotFound:
                pass
            # An appointment: the user's draft for it continues; else its latest signed note
            # is shown (added to, never written again); else the user's draft starts.
            for_it = [v for v in notes.for_patient(actor, patient_id) if v.appointment_id == item]
            # A colleague's unsigned draft for the same appointment is said, never hidden.
            colleague[0] = any(not v.is_signed and v.created_by != actor.id for v in for_it)
            for view in for_it:
                if not view.is_signed and view.created_by == actor.id:
                    return view, sentence, due
            for view in for_it:
                if view.is_signed:
                    return view, sentence, due
            return notes.start(actor, patient_id, item), sentence, due

        def loaded(found: Loaded) -> None:
            if epoch != self._epoch:
                return
            self._on_loaded(found)
            if colleague[0]:
                self.told.emit(
                    self.tr(
                        "A colleague has an unsigned draft note for this appointment. This "
                        "note is yours; theirs stays theirs to finish."
                    )
                )

        self._runner.run_store(
            load,
            on_done=loaded,
            on_failed=lambda error: self._on_load_failed(error) if epoch == self._epoch else None,
        )

    def form_changed(self, values: Mapping[str, object]) -> None:
        """Something was typed: save the draft once typing pauses."""
        if not self.may_write:
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
        existing = self.note.id if self.note is not None else None
        made = self._made
        self._pending = None
        self._saving = True
        epoch = self._epoch
        notes = self._notes

        def save() -> ContactNoteView:
            # A save queued behind a new note's first one goes to the draft that one made.
            try:
                view = notes.save_draft(actor, patient_id, content, existing or made.id)
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
        if self._busy or not self.may_write:
            return
        if not password:
            self.sign_failed.emit(self.tr("Type your password to sign."))
            return
        self._set_busy(True)
        if self.note is None and self._pending is None and not self._saving:
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

    def add_addendum(self, text: str, password: str) -> None:
        """Add a signed addendum to the signed note on the form."""
        note = self.note
        if self._busy or note is None or not note.is_signed:
            return
        if not text.strip():
            self.addendum_failed.emit(self.tr("Write what you are adding first."))
            return
        if not password:
            self.addendum_failed.emit(self.tr("Type your password to add the addendum."))
            return
        actor = self._session.require_user()
        notes = self._notes
        epoch = self._epoch
        self._set_busy(True)
        self._runner.run_store(
            lambda: notes.add_addendum(actor, note.id, text, password),
            on_done=lambda view: self._on_added(view) if epoch == self._epoch else None,
            on_failed=lambda error: self._on_add_failed(error) if epoch == self._epoch else None,
        )

    def print_note(self) -> None:
        """Make the note's PDF (saved first if anything is unsaved)."""
        if self.note is None and self._pending is None:
            return
        if self._pending is not None or self._saving:
            self._print_waiting = True
            self._after_save = in_turn(self._after_save, self._print)
            self.save_now()
        else:
            self._print()

    def reset(self) -> None:
        """Forget the patient and the note (switching user saves first, then this)."""
        self._forget()
        self.patient_id = None
        self.attestation = ""
        self.due = ()
        self.note_changed.emit(None)
        self.due_changed.emit(())

    # ------------------------------------------------------------------ results

    def _forget(self) -> None:
        if self._pending is not None and self.may_write:
            # Typed while a save was on its way (or not saved yet): saved to this note now,
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
        self.note = None
        self._pending = None
        self._saving = False
        self._after_save = None
        self._set_busy(False)
        self.field_errors_changed.emit({})

    def _finish_sign_left_behind(self, patient_id: uuid.UUID, password: str) -> None:
        """Sign the note being left, as asked, after the saves on their way; say how it went.

        The store's worker takes work in order, so this follows those saves: the note is the
        one they saved (a new note's, once its first save has made it), for this patient only.
        """
        actor = self._session.require_user()
        notes = self._notes
        existing = self.note.id if self.note is not None else None
        self._made.sign_left_behind(
            self._runner,
            existing,
            lambda note_id: notes.sign(actor, note_id, password),
            missing="contact_note.not_found",
            patient_id=patient_id,
            tell=self.sign_left_behind.emit,
        )

    def _sign(self, password: str) -> None:
        self._sign_waiting = None
        note, patient_id = self.note, self.patient_id
        if note is None or patient_id is None:
            self._set_busy(False)
            return
        actor = self._session.require_user()
        notes = self._notes
        epoch = self._epoch
        # Answered after the page moved on, it is said how it went, for that patient.
        self._runner.run_store(
            lambda: notes.sign(actor, note.id, password),
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
        note, patient_id = self.note, self.patient_id
        if note is None or patient_id is None:
            return
        actor = self._session.require_user()
        notes = self._notes
        epoch = self._epoch
        # Answered after the patient changed, it is not printed (nor its failure said on the
        # next patient's page): that it was not printed is said, for its own patient.
        self._runner.run_store(
            lambda: notes.printable(actor, note.id),
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

    def _on_loaded(self, found: Loaded) -> None:
        self.note, self.attestation, self.due = found
        self.note_changed.emit(self.note)
        self.due_changed.emit(self.due)

    def _on_load_failed(self, error: BaseException) -> None:
        # Nothing of the item is shown: the form stays empty and says why.
        self.patient_id = None
        self.note_changed.emit(None)
        self.problem.emit(errors.explain(error))

    def _on_saved(self, view: ContactNoteView) -> None:
        self._saving = False
        self.note = view
        self.field_errors_changed.emit({})
        self.saved.emit(view)
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

    def _on_signed(self, view: ContactNoteView) -> None:
        self._set_busy(False)
        self.note = view
        self.field_errors_changed.emit({})
        self.note_changed.emit(view)
        self.signed.emit(view)

    def _on_sign_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.field_errors_changed.emit(errors.field_messages(error))
        self.sign_failed.emit(self._password_words(error))

    def _on_added(self, view: ContactNoteView) -> None:
        self._set_busy(False)
        self.note = view
        self.note_changed.emit(view)
        self.addendum_added.emit(view)

    def _on_add_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.addendum_failed.emit(self._password_words(error))

    def _password_words(self, error: BaseException) -> str:
        if isinstance(error, ClinicError) and error.code == "auth.failed":
            return self.tr("That password is not right. Type your own password and try again.")
        return errors.explain(error)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
