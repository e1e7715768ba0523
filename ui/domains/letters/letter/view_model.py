"""A letter's state and commands: draft from the record, edit with autosave, sign, print."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from clinic_app.domains.letters.views import LetterView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

AUTOSAVE_MS = 1500


class Letters(Protocol):
    """The part of ``LetterService`` the screen uses."""

    def draft(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        kind: str,
        episode_id: uuid.UUID | None = None,
        *,
        onward_decision_id: uuid.UUID | None = None,
        provider: str = "",
    ) -> LetterView: ...

    def edit(
        self,
        actor: CurrentUser,
        letter_id: uuid.UUID,
        patient_id: uuid.UUID,
        texts: Mapping[str, str],
    ) -> LetterView: ...

    def sign(
        self, actor: CurrentUser, letter_id: uuid.UUID, patient_id: uuid.UUID, password: str
    ) -> LetterView: ...

    def get(
        self, actor: CurrentUser, letter_id: uuid.UUID, patient_id: uuid.UUID
    ) -> LetterView: ...

    def printable(
        self, actor: CurrentUser, letter_id: uuid.UUID, patient_id: uuid.UUID
    ) -> bytes: ...


class LetterViewModel(QObject):
    """One letter of one patient: the banner's, and only theirs."""

    letter_changed = Signal(object)
    """The letter shown (a ``LetterView``), or None."""
    field_errors_changed = Signal(object)
    problem = Signal(str)
    saved = Signal(object)
    signed = Signal(object)
    sign_failed = Signal(str)
    printed = Signal(bytes)
    busy_changed = Signal(bool)

    def __init__(
        self,
        letters: Letters,
        *,
        runner: TaskRunner,
        session: UserSession,
        autosave_ms: int = AUTOSAVE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._letters = letters
        self._runner = runner
        self._session = session
        self.patient_id: uuid.UUID | None = None
        self.letter: LetterView | None = None
        self._pending: dict[str, str] = {}
        self._saving = False
        self._busy = False
        #: Counts opens and resets: an answer that comes after one is for what was left.
        self._epoch = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(autosave_ms)
        self._timer.timeout.connect(self.save_now)

    @property
    def may_write(self) -> bool:
        """True for the user's own draft; a signed letter or a colleague's draft is read only."""
        user = self._session.user
        letter = self.letter
        return (
            letter is not None
            and not letter.signed
            and user is not None
            and letter.created_by == user.id
        )

    @property
    def busy(self) -> bool:
        return self._busy

    # ------------------------------------------------------------------ commands

    def open(self, patient_id: uuid.UUID, letter_id: uuid.UUID) -> None:
        """Show one letter of this patient."""
        self._forget()
        self.patient_id = patient_id
        actor = self._session.require_user()
        letters, epoch = self._letters, self._epoch
        self._runner.run_store(
            lambda: letters.get(actor, letter_id, patient_id),
            on_done=lambda view: self._on_loaded(view) if epoch == self._epoch else None,
            on_failed=lambda error: self._on_failed(error) if epoch == self._epoch else None,
        )

    def draft(
        self,
        patient_id: uuid.UUID,
        kind: str,
        episode_id: uuid.UUID | None = None,
        provider: str = "",
    ) -> None:
        """Start a letter of ``kind`` assembled from what is signed in the record now."""
        self._forget()
        self.patient_id = patient_id
        actor = self._session.require_user()
        letters, epoch = self._letters, self._epoch
        self._set_busy(True)
        self._runner.run_store(
            lambda: letters.draft(actor, patient_id, kind, episode_id, provider=provider),
            on_done=lambda view: self._on_loaded(view) if epoch == self._epoch else None,
            on_failed=lambda error: self._on_failed(error) if epoch == self._epoch else None,
        )

    def section_edited(self, key: str, words: str) -> None:
        """A section's words were changed: saved once typing pauses."""
        if not self.may_write:
            return
        self._pending[key] = words
        self._timer.start()

    def save_now(self) -> None:
        """Save what is typed at once (on pausing, leaving, locking, switching user)."""
        self._timer.stop()
        letter, patient_id = self.letter, self.patient_id
        if not self._pending or self._saving or letter is None or patient_id is None:
            return
        actor = self._session.require_user()
        texts, self._pending = dict(self._pending), {}
        self._saving = True
        letters, epoch = self._letters, self._epoch
        self._runner.run_store(
            lambda: letters.edit(actor, letter.id, patient_id, texts),
            on_done=lambda view: self._on_saved(view) if epoch == self._epoch else None,
            on_failed=lambda error: self._on_save_failed(error) if epoch == self._epoch else None,
        )

    def sign(self, password: str) -> None:
        """Save what is typed, then sign with the user's password."""
        letter, patient_id = self.letter, self.patient_id
        if self._busy or not self.may_write or letter is None or patient_id is None:
            return
        if not password:
            self.sign_failed.emit(self.tr("Type your password to sign."))
            return
        actor = self._session.require_user()
        texts, self._pending = dict(self._pending), {}
        self._timer.stop()
        letters, epoch = self._letters, self._epoch
        self._set_busy(True)

        def work() -> LetterView:
            if texts:
                letters.edit(actor, letter.id, patient_id, texts)
            return letters.sign(actor, letter.id, patient_id, password)

        self._runner.run_store(
            work,
            on_done=lambda view: self._on_signed(view) if epoch == self._epoch else None,
            on_failed=lambda error: self._on_sign_failed(error) if epoch == self._epoch else None,
        )

    def print_letter(self) -> None:
        """Make the letter's PDF (for the print preview and the print dialog)."""
        letter, patient_id = self.letter, self.patient_id
        if letter is None or patient_id is None:
            return
        actor = self._session.require_user()
        letters, epoch = self._letters, self._epoch
        self._runner.run_store(
            lambda: letters.printable(actor, letter.id, patient_id),
            on_done=lambda pdf: self.printed.emit(pdf) if epoch == self._epoch else None,
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
        )

    def reset(self) -> None:
        """Forget the patient and the letter (switching user saves first, then this)."""
        self._forget()
        self.patient_id = None
        self.letter_changed.emit(None)

    # ------------------------------------------------------------------ results

    def _forget(self) -> None:
        self._timer.stop()
        self._epoch += 1
        self.letter = None
        self._pending = {}
        self._saving = False
        self._set_busy(False)
        self.field_errors_changed.emit({})

    def _on_loaded(self, view: LetterView) -> None:
        self._set_busy(False)
        self.letter = view
        self.letter_changed.emit(view)

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.patient_id = None
        self.letter_changed.emit(None)
        self.problem.emit(errors.explain(error))

    def _on_saved(self, view: LetterView) -> None:
        self._saving = False
        self.letter = view
        self.field_errors_changed.emit({})
        self.saved.emit(view)
        if self._pending:
            self.save_now()

    def _on_save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.field_errors_changed.emit(errors.field_messages(error))
        self.problem.emit(errors.explain(error))

    def _on_signed(self, view: LetterView) -> None:
        self._set_busy(False)
        self.letter = view
        self.field_errors_changed.emit({})
        self.letter_changed.emit(view)
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
