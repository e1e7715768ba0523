"""An assessment's state: the draft kept as the clinician types, signing, and addenda."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from clinic_app.domains.assessments.views import AssessmentsOnFile, AssessmentView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.vocabulary import AssessmentStatus
from clinic_app.records.registry import record_type
from ui.common import errors
from ui.common.draft_saver import MadeDraft
from ui.common.drafts import AUTOSAVE_MS
from ui.common.epoch import Epoch
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class AssessmentRecorder(Protocol):
    """The part of the assessment service this screen uses."""

    def save_draft(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        content: Mapping[str, object],
        assessment_id: uuid.UUID | None = None,
    ) -> AssessmentView: ...

    def sign(
        self, actor: CurrentUser, assessment_id: uuid.UUID, password: str
    ) -> AssessmentView: ...

    def add_addendum(
        self, actor: CurrentUser, assessment_id: uuid.UUID, text: str, password: str
    ) -> AssessmentView: ...

    def get(
        self, actor: CurrentUser, assessment_id: uuid.UUID, patient_id: uuid.UUID | None = None
    ) -> AssessmentView: ...

    def on_file(self, actor: CurrentUser, patient_id: uuid.UUID) -> AssessmentsOnFile: ...


class AssessmentViewModel(QObject):
    """One assessment of one patient: autosaved while a draft, immutable once signed."""

    assessment_changed = Signal(object)
    on_file_loaded = Signal(object)
    draft_saved = Signal(object)
    field_errors_changed = Signal(object)
    problem = Signal(str)
    sign_failed = Signal(str)
    signed = Signal(object)
    sign_left_behind = Signal(object, bool, str)
    """``(patient id, signed, why not)``: a sign asked for just before the patient changed,
    finished after the page moved on."""
    addendum_failed = Signal(str)
    addendum_added = Signal(object)
    busy_changed = Signal(bool)

    def __init__(
        self,
        assessments: AssessmentRecorder,
        *,
        runner: TaskRunner,
        session: UserSession,
        autosave_ms: int = AUTOSAVE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._assessments = assessments
        self._runner = runner
        self._session = session
        self._patient_id: uuid.UUID | None = None
        self._assessment: AssessmentView | None = None
        self._pending: dict[str, object] | None = None
        self._saving = False
        #: The draft a new assessment's first save made, as soon as the store has made it.
        self._made = MadeDraft()
        self._after_save: Callable[[], None] | None = None
        #: The password of a sign asked for that waits for a save on its way.
        self._sign_waiting: str | None = None
        self._busy = False
        #: Counts resets: a save answered after one belongs to who and what was forgotten.
        self._epoch = Epoch()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(autosave_ms)
        self._timer.timeout.connect(self.save_now)

    # ------------------------------------------------------------------ state

    @property
    def assessment(self) -> AssessmentView | None:
        return self._assessment

    @property
    def patient_id(self) -> uuid.UUID | None:
        return self._patient_id

    @property
    def is_signed(self) -> bool:
        return self._assessment is not None and self._assessment.status is AssessmentStatus.SIGNED

    @property
    def attestation(self) -> str:
        """The sentence agreed to at signing: kept with a signed one, else the one to agree to.

        "" for an assessment signed before the sentence was kept with it.
        """
        view = self._assessment
        if view is not None and view.attestation:
            return view.attestation
        return "" if self.is_signed else record_type("assessment").attestations["sign"]

    @property
    def has_unsaved_changes(self) -> bool:
        return self._pending is not None or self._saving

    @property
    def busy(self) -> bool:
        return self._busy

    def signer_name(self) -> str:
        """Who signed, in words: the signed-in user by name, anyone else as a colleague."""
        view = self._assessment
        user = self._session.user
        if view is None or view.signed_by is None:
            return self.tr("the system")
        if user is not None and user.id == view.signed_by:
            return user.display_name
        return self.tr("another clinician")

    # ------------------------------------------------------------------ commands

    def start(self, patient_id: uuid.UUID, assessment_id: uuid.UUID | None = None) -> None:
        """Open a new assessment of a patient, or an existing one by id.

        What was typed into the assessment shown is saved first, to that assessment.
        """
        self._save_before_leaving()
        self._finish_sign_left_behind()
        self._made = MadeDraft()
        self._timer.stop()
        # Whatever was asked for the assessment shown before answers too late for this one.
        self._epoch.advance()
        self._saving = False
        self._set_busy(False)
        self._patient_id = patient_id
        self._assessment = None
        self._pending = None
        self._after_save = None
        self.field_errors_changed.emit({})
        self.assessment_changed.emit(None)
        if assessment_id is not None:
            actor = self._session.require_user()
            self._runner.run_store(
                # Only ever one of the patient's (a registration merged into theirs counts).
                lambda: self._assessments.get(actor, assessment_id, patient_id),
                on_done=self._epoch.guard(self._on_loaded),
                on_failed=self._epoch.guard(lambda error: self.problem.emit(errors.explain(error))),
            )

    def find_on_file(self, patient_id: uuid.UUID) -> None:
        """Look for the patient's draft and signed assessment; emits ``on_file_loaded``.

        What is being typed is saved first (the store worker runs one job at a time), so a
        draft in progress is among what is found.
        """
        self.save_now()
        actor = self._session.require_user()
        self._runner.run_store(
            lambda: self._assessments.on_file(actor, patient_id),
            on_done=self._epoch.guard(self.on_file_loaded.emit),
            on_failed=self._epoch.guard(lambda error: self.problem.emit(errors.explain(error))),
            supersede="assessment-on-file",
        )

    def form_changed(self, values: Mapping[str, object]) -> None:
        """Something was typed: save the draft once typing pauses."""
        if self.is_signed or self._patient_id is None:
            return
        self._pending = dict(values)
        self._timer.start()

    def save_now(self) -> None:
        """Save what is typed at once (when the pause ends, on lock, on leaving the screen)."""
        self._timer.stop()
        if self._pending is None or self._saving or self._patient_id is None:
            return
        actor = self._session.require_user()
        patient_id = self._patient_id
        content = self._pending
        existing = self._assessment.id if self._assessment is not None else None
        made = self._made
        assessments = self._assessments
        self._pending = None
        self._saving = True

        def save() -> AssessmentView:
            # A save queued behind a new assessment's first one goes to the draft that one
            # made (the store's worker runs them in order), never to a second new draft.
            try:
                view = assessments.save_draft(actor, patient_id, content, existing or made.id)
            except Exception as error:
                made.refusal = error
                raise
            made.id, made.refusal = view.id, None
            return view

        self._runner.run_store(
            save,
            on_done=self._epoch.guard(self._on_draft_saved),
            on_failed=self._epoch.guard(self._on_draft_failed),
        )

    def _save_before_leaving(self) -> None:
        """Save what was typed now, even behind a save on its way, before it is forgotten.

        The store's worker takes work in order, so this save follows the one on its way, for
        the same patient and assessment.
        """
        if self._pending is not None and self._patient_id is not None and not self.is_signed:
            self._saving = False
            self.save_now()

    def reset(self) -> None:
        """Forget the patient and the assessment (switching user saves first, then this).

        What was typed and not saved yet is saved first, to that patient's assessment.
        """
        self._save_before_leaving()
        self._finish_sign_left_behind()
        self._made = MadeDraft()
        self._timer.stop()
        self._epoch.advance()
        self._patient_id = None
        self._assessment = None
        self._pending = None
        self._saving = False
        self._after_save = None
        self._set_busy(False)
        self.field_errors_changed.emit({})
        self.assessment_changed.emit(None)

    def sign(self, password: str) -> None:
        """Save anything unsaved, then sign with the user's password."""
        if self._busy or self.is_signed or self._patient_id is None:
            return
        if not password:
            self.sign_failed.emit(self.tr("Type your password to sign."))
            return
        self._set_busy(True)
        if self._assessment is None and self._pending is None and not self._saving:
            # Nothing typed yet: an empty draft is made, so signing says what is missing.
            # (A first save on its way already makes it: an empty one behind it would
            # save nothing over the words typed.)
            self._pending = {}
        if self._pending is not None or self._saving:
            self._sign_waiting = password
            self._after_save = lambda: self._sign(password)
            self.save_now()
        else:
            self._sign(password)

    def add_addendum(self, text: str, password: str) -> None:
        """Add a signed note to a signed assessment (the password is asked again)."""
        view = self._assessment
        if self._busy or view is None or not self.is_signed:
            return
        if not password:
            self.addendum_failed.emit(self.tr("Type your password to add the addendum."))
            return
        actor = self._session.require_user()
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._assessments.add_addendum(actor, view.id, text, password),
            on_done=self._epoch.guard(self._on_addendum_added),
            on_failed=self._epoch.guard(self._on_addendum_failed),
        )

    # ------------------------------------------------------------------ results

    def _finish_sign_left_behind(self) -> None:
        """Sign the assessment being left, as asked, after the saves on their way; say how.

        The store's worker takes work in order, so this follows those saves (the one just
        queued for what was typed too): the assessment they saved, for this patient only.
        """
        password, self._sign_waiting = self._sign_waiting, None
        patient_id = self._patient_id
        if password is None or patient_id is None:
            return
        actor = self._session.require_user()
        assessments = self._assessments
        existing = self._assessment.id if self._assessment is not None else None
        self._made.sign_left_behind(
            self._runner,
            existing,
            lambda assessment_id: assessments.sign(actor, assessment_id, password),
            missing="assessment.not_found",
            patient_id=patient_id,
            tell=self.sign_left_behind.emit,
        )

    def _sign(self, password: str) -> None:
        self._sign_waiting = None
        view, patient_id = self._assessment, self._patient_id
        if view is None or patient_id is None:
            self._set_busy(False)
            return
        actor = self._session.require_user()
        assessments = self._assessments
        # Answered after the page moved on, it is said how it went, for that patient.
        self._runner.run_store(
            lambda: assessments.sign(actor, view.id, password),
            on_done=self._epoch.guard_or(
                self._on_signed, lambda _view: self.sign_left_behind.emit(patient_id, True, "")
            ),
            on_failed=self._epoch.guard_or(
                self._on_sign_failed,
                lambda error: self.sign_left_behind.emit(patient_id, False, errors.explain(error)),
            ),
        )

    def _on_loaded(self, view: AssessmentView) -> None:
        self._assessment = view
        self.assessment_changed.emit(view)

    def _on_draft_saved(self, view: AssessmentView) -> None:
        self._saving = False
        self._assessment = view
        self.field_errors_changed.emit({})
        self.draft_saved.emit(view)
        follow_on, self._after_save = self._after_save, None
        if self._pending is not None:
            # More was typed while saving: save that first, then do what was waiting.
            self._after_save = follow_on
            self.save_now()
        elif follow_on is not None:
            follow_on()

    def _on_draft_failed(self, error: BaseException) -> None:
        self._saving = False
        sign_waited, self._sign_waiting = self._sign_waiting is not None, None
        self._after_save = None
        self._emit_field_errors(error)
        message = errors.explain(error)
        self.problem.emit(message)
        if sign_waited:
            self._set_busy(False)
            self.sign_failed.emit(message)

    def _on_signed(self, view: AssessmentView) -> None:
        self._set_busy(False)
        self._assessment = view
        self.field_errors_changed.emit({})
        self.assessment_changed.emit(view)
        self.signed.emit(view)

    def _on_sign_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._emit_field_errors(error)
        self.sign_failed.emit(self._password_words(error))

    def _on_addendum_added(self, view: AssessmentView) -> None:
        self._set_busy(False)
        self._assessment = view
        self.assessment_changed.emit(view)
        self.addendum_added.emit(view)

    def _on_addendum_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.addendum_failed.emit(self._password_words(error))

    def _password_words(self, error: BaseException) -> str:
        if isinstance(error, ClinicError) and error.code == "auth.failed":
            return self.tr("That password is not right. Type your own password and try again.")
        if isinstance(error, ClinicError) and error.code == "text.empty":
            return self.tr("Type the addendum first.")
        return errors.explain(error)

    def _emit_field_errors(self, error: BaseException) -> None:
        by_field = errors.errors_by_field(error)
        self.field_errors_changed.emit(by_field)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
