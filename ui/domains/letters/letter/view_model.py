"""A letter's state and commands: draft from the record, edit with autosave, sign, print."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.letters.views import LetterView
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.vocabulary import EpisodeStatus
from clinic_app.people.views import EpisodeSummary
from ui.common import errors
from ui.common.draft_saver import DraftSaver, MadeDraft
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

AUTOSAVE_MS = 1500

#: Where a refusal about the whole letter is shown: beside the section it is about.
_REPORT_SECTIONS = ("investigation_results", "scans")
_RED_FLAG_SECTIONS = ("clinical_summary", "found", "actions")


@dataclass(frozen=True)
class LetterRequest:
    """A letter asked for: the kind, and the discharge or onward referral it is about.

    ``draft_id`` names a draft already started for it (opened instead of a new one).
    """

    kind: str
    episode_id: uuid.UUID | None = None
    onward_decision_id: uuid.UUID | None = None
    draft_id: uuid.UUID | None = None


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

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[LetterView]: ...

    def printable(
        self, actor: CurrentUser, letter_id: uuid.UUID, patient_id: uuid.UUID
    ) -> bytes: ...


def section_problems(error: BaseException, keys: tuple[str, ...]) -> dict[str, str]:
    """Words for each refusal, keyed by the section of the letter it is about.

    A mandatory heading left empty names its own section; a preliminary scan report goes
    beside the scan results, a red-flag emergency with no action beside the summary (or the
    first section, when the letter has no such heading).
    """
    found: dict[str, str] = {}
    for item in errors.field_errors(error):
        key = item.field or ""
        if key not in keys:
            wanted = (
                _REPORT_SECTIONS
                if item.code == "letter.report_preliminary"
                else _RED_FLAG_SECTIONS
                if item.code == "letter.red_flag_no_action"
                else ()
            )
            key = next((k for k in wanted if k in keys), keys[0] if keys else key)
        words = errors.field_message(item)
        found[key] = f"{found[key]} {words}" if key in found and words not in found[key] else words
    return found


class LetterViewModel(QObject):
    """One letter of one patient: the banner's, and only theirs."""

    letter_changed = Signal(object)
    """The letter shown (a ``LetterView``), or None."""
    field_errors_changed = Signal(object)
    """``{section key: words}`` of the refusals, beside the sections they are about."""
    problem = Signal(str)
    saved = Signal(object)
    signed = Signal(object)
    sign_failed = Signal(str)
    printed = Signal(bytes)
    print_left_behind = Signal(object)
    sign_left_behind = Signal(object, bool, str)
    """A sign answered after the page moved on: the patient's id, whether the letter was
    signed and, if not, why in plain words."""
    """A print asked for that was not made because the patient changed first: their id."""
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
        #: The patient's episodes of care (from the banner's record), newest first.
        self.episodes: tuple[EpisodeSummary, ...] = ()
        self._pending: dict[str, str] = {}
        #: How the last save of this letter went: a sign or print behind a refused one is not
        #: made on the words saved before.
        self._last_save = MadeDraft()
        self._drafts = DraftSaver(
            self, save_now=self.save_now, on_busy=self.busy_changed.emit, autosave_ms=autosave_ms
        )

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
        return self._drafts.busy

    @property
    def unsaved(self) -> bool:
        """Words typed and not yet kept."""
        return bool(self._pending) or self._drafts.saving

    def episode_for(self, kind: str) -> uuid.UUID | None:
        """The episode a new letter of ``kind`` is about.

        A discharge letter is about the episode that ended last (even while another is open);
        any other letter about the open episode (None: the service takes the open one).
        """
        if kind != "gp_discharge":
            return None
        closed = [
            e for e in self.episodes if e.status is EpisodeStatus.CLOSED and e.ended_on is not None
        ]
        if not closed:
            return None
        return max(closed, key=lambda e: (e.ended_on, e.started_on)).id

    # ------------------------------------------------------------------ commands

    def start(self, patient_id: uuid.UUID) -> None:
        """Nothing shown yet for this patient: a kind of letter is to be chosen."""
        self._forget()
        self.patient_id = patient_id
        self.letter_changed.emit(None)

    def open(self, patient_id: uuid.UUID, letter_id: uuid.UUID) -> None:
        """Show one letter of this patient."""
        self._forget()
        self.patient_id = patient_id
        actor = self._session.require_user()
        letters = self._letters
        self._runner.run_store(
            lambda: letters.get(actor, letter_id, patient_id),
            on_done=self._drafts.guard(self._on_loaded),
            on_failed=self._drafts.guard(self._on_failed),
        )

    def draft(
        self,
        patient_id: uuid.UUID,
        kind: str,
        episode_id: uuid.UUID | None = None,
        provider: str = "",
        onward_decision_id: uuid.UUID | None = None,
    ) -> None:
        """Start a letter of ``kind`` assembled from what is signed in the record now."""
        self._forget()
        self.patient_id = patient_id
        if episode_id is None:
            episode_id = self.episode_for(kind)
        actor = self._session.require_user()
        letters = self._letters
        self._drafts.set_busy(True)

        # A provider typed names whom the letter goes to: a draft to another is not it.
        named = " ".join(provider.split())

        def work() -> LetterView:
            # The same letter asked for again (the same kind, about the same episode or
            # onward referral): this user's draft of it goes on, never a second blank one.
            for letter in letters.for_patient(actor, patient_id):
                if (
                    letter.status == "draft"
                    and letter.created_by == actor.id
                    and letter.kind == kind
                    and letter.onward_decision_id == onward_decision_id
                    and (episode_id is None or letter.episode_id == episode_id)
                    and (not named or letter.recipient == named)
                ):
                    return letter
            return letters.draft(
                actor,
                patient_id,
                kind,
                episode_id,
                onward_decision_id=onward_decision_id,
                provider=provider,
            )

        self._runner.run_store(
            work,
            on_done=self._drafts.guard(self._on_loaded),
            on_failed=self._drafts.guard(self._on_failed),
        )

    def request(self, patient_id: uuid.UUID, asked: LetterRequest) -> None:
        """The letter a list asked for: its draft if one is started, else a new draft."""
        if asked.draft_id is not None:
            self.open(patient_id, asked.draft_id)
        else:
            self.draft(
                patient_id,
                asked.kind,
                asked.episode_id,
                onward_decision_id=asked.onward_decision_id,
            )

    def section_edited(self, key: str, words: str) -> None:
        """A section's words were changed: saved once typing pauses."""
        if not self.may_write:
            return
        self._pending[key] = words
        self._drafts.later()

    def save_now(self) -> None:
        """Save what is typed at once (on pausing, leaving, locking, switching user)."""
        self._drafts.stop()
        letter, patient_id = self.letter, self.patient_id
        if not self._pending or self._drafts.saving or letter is None or patient_id is None:
            return
        actor = self._session.require_user()
        texts, self._pending = dict(self._pending), {}
        self._drafts.saving = True
        letters = self._letters
        last = self._last_save

        def save() -> LetterView:
            # Kept for the sign or print queued behind this save: never made on older words.
            try:
                view = letters.edit(actor, letter.id, patient_id, texts)
            except Exception as error:
                last.refusal = error
                raise
            last.refusal = None
            return view

        self._runner.run_store(
            save,
            on_done=self._drafts.guard(self._on_saved),
            on_failed=self._drafts.guard(lambda error: self._on_save_failed(error, texts)),
        )

    def sign(self, password: str) -> None:
        """Save what is typed, then sign with the user's password."""
        letter, patient_id = self.letter, self.patient_id
        if self.busy or not self.may_write or letter is None or patient_id is None:
            return
        if not password:
            self.sign_failed.emit(self.tr("Type your password to sign."))
            return
        actor = self._session.require_user()
        texts, self._pending = dict(self._pending), {}
        self._drafts.stop()
        letters = self._letters
        self._drafts.set_busy(True)
        saved = self._saved_first(letter.id, patient_id, texts)

        def work() -> LetterView:
            saved()
            return letters.sign(actor, letter.id, patient_id, password)

        def refused(error: BaseException) -> None:
            self._keep_unsaved(texts, saved)
            self._on_sign_failed(error)

        # Answered after the page moved on, it is said how it went, for that patient.
        self._runner.run_store(
            work,
            on_done=self._drafts.guard_or(
                self._on_signed, lambda _view: self.sign_left_behind.emit(patient_id, True, "")
            ),
            on_failed=self._drafts.guard_or(
                refused,
                lambda error: self.sign_left_behind.emit(patient_id, False, errors.explain(error)),
            ),
        )

    def _saved_first(
        self, letter_id: uuid.UUID, patient_id: uuid.UUID, texts: dict[str, str]
    ) -> _SavedFirst:
        """Store work saving ``texts`` (typed since the last save) before a sign or print.

        The store's worker runs in order, so a save on its way is taken first. If that save
        was refused, what follows is refused with it (after ``texts`` are saved): a letter
        is never signed or printed on words older than those on the screen.
        """
        return _SavedFirst(
            self._letters,
            self._session.require_user(),
            letter=letter_id,
            patient=patient_id,
            texts=texts,
            last=self._last_save,
        )

    def _keep_unsaved(self, texts: dict[str, str], saved: _SavedFirst) -> None:
        """What was typed and not saved waits to be saved again, beside anything typed since."""
        if not saved.done:
            self._pending = {**texts, **self._pending}

    def print_letter(self) -> None:
        """Make the letter's PDF (for the print preview and the print dialog)."""
        letter, patient_id = self.letter, self.patient_id
        if letter is None or patient_id is None:
            return
        actor = self._session.require_user()
        texts, self._pending = dict(self._pending), {}
        self._drafts.stop()
        letters = self._letters
        saved = self._saved_first(letter.id, patient_id, texts)

        def work() -> tuple[LetterView | None, bytes]:
            # What was typed since is saved first, so the PDF holds every word on the screen.
            view = saved()
            return view, letters.printable(actor, letter.id, patient_id)

        def printed(answer: tuple[LetterView | None, bytes]) -> None:
            view, pdf = answer
            if view is not None:
                self.letter = view
                self.saved.emit(view)
            self.printed.emit(pdf)

        def refused(error: BaseException) -> None:
            self._keep_unsaved(texts, saved)
            self.field_errors_changed.emit(section_problems(error, self._keys()))
            self.problem.emit(errors.explain(error))

        # Answered after the patient changed, it is not printed: that is said, for them.
        self._runner.run_store(
            work,
            on_done=self._drafts.guard_or(
                printed, lambda _answer: self.print_left_behind.emit(patient_id)
            ),
            on_failed=self._drafts.guard_or(
                refused, lambda _error: self.print_left_behind.emit(patient_id)
            ),
        )

    def reset(self) -> None:
        """Forget the patient and the letter (switching user saves first, then this)."""
        self._forget()
        self.patient_id = None
        self.letter_changed.emit(None)

    # ------------------------------------------------------------------ results

    def _keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.letter.sections) if self.letter is not None else ()

    def _forget(self) -> None:
        if self._pending and self.may_write:
            # What was typed is saved to this letter before the screen forgets it, even
            # behind a save on its way (the store's worker runs them in order).
            self._drafts.saving = False
            self.save_now()
        self._drafts.forget()
        self._last_save = MadeDraft()
        self.letter = None
        self._pending = {}
        self.field_errors_changed.emit({})

    def _on_loaded(self, view: LetterView) -> None:
        self._drafts.set_busy(False)
        self.letter = view
        self.letter_changed.emit(view)

    def _on_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        self.patient_id = None
        self.letter_changed.emit(None)
        self.problem.emit(errors.explain(error))

    def _on_saved(self, view: LetterView) -> None:
        self._drafts.saving = False
        self.letter = view
        self.field_errors_changed.emit({})
        self.saved.emit(view)
        self._drafts.follow_on(more_typed=bool(self._pending))

    def _on_save_failed(self, error: BaseException, texts: dict[str, str]) -> None:
        self._drafts.save_failed()
        # Not saved: what was typed waits to be saved again, beside anything typed since.
        self._pending = {**texts, **self._pending}
        self.field_errors_changed.emit(section_problems(error, self._keys()))
        self.problem.emit(errors.explain(error))

    def _on_signed(self, view: LetterView) -> None:
        self._drafts.set_busy(False)
        self.letter = view
        self.field_errors_changed.emit({})
        self.letter_changed.emit(view)
        self.signed.emit(view)

    def _on_sign_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        self.field_errors_changed.emit(section_problems(error, self._keys()))
        if isinstance(error, ClinicError) and error.code == "auth.failed":
            self.sign_failed.emit(
                self.tr("That password is not right. Type your own password and try again.")
            )
        elif errors.field_errors(error):
            self.sign_failed.emit(
                self.tr("The letter was not signed. What stops it is shown beside its section.")
            )
        else:
            self.sign_failed.emit(errors.explain(error))


class _SavedFirst:
    """Store work saving what was typed since the last save, before a sign or a print.

    Called on the store's worker. Refused when the save queued before it was (after saving
    its own words, which stand on their own); ``done`` says whether its words were saved.
    """

    def __init__(
        self,
        letters: Letters,
        actor: CurrentUser,
        *,
        letter: uuid.UUID,
        patient: uuid.UUID,
        texts: dict[str, str],
        last: MadeDraft,
    ) -> None:
        self._letters, self._actor = letters, actor
        self._letter_id, self._patient_id = letter, patient
        self._texts, self._last = texts, last
        self.done = not texts

    def __call__(self) -> LetterView | None:
        view = None
        if self._texts:
            view = self._letters.edit(self._actor, self._letter_id, self._patient_id, self._texts)
            self.done = True
        if self._last.refusal is not None:
            raise self._last.refusal
        return view
