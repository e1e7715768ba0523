"""The decision conversation's state and commands: choose an aid, keep the record, sign, print."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.decisions.content import UNDECIDED, AidCatalogue, DecisionAid
from clinic_app.domains.decisions.views import (
    DecisionAbout,
    DecisionInput,
    DecisionRecordView,
    Participant,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, NotFound
from ui.common import errors
from ui.common.draft_saver import DraftSaver
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

AUTOSAVE_MS = 1500

#: Who took part besides the patient and the clinician, as the record names them.
PARTICIPANT_ROLES = ("carer", "interpreter", "family", "other")
#: Who made the decision, as the record names them.
DECISION_MAKERS = ("patient", "patient_and_carer", "shared_with_clinician")


class Decisions(Protocol):
    """The part of the decisions service the screen uses."""

    def catalogue(self, actor: CurrentUser) -> AidCatalogue: ...

    def start(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        aid_id: str,
        episode_id: uuid.UUID | None = None,
    ) -> DecisionRecordView: ...

    def save(
        self,
        actor: CurrentUser,
        record_id: uuid.UUID,
        patient_id: uuid.UUID,
        data: DecisionInput,
    ) -> DecisionRecordView: ...

    def sign(
        self, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID, password: str
    ) -> DecisionRecordView: ...

    def change_of_mind(
        self, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID
    ) -> DecisionRecordView: ...

    def get(
        self, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID
    ) -> DecisionRecordView: ...

    def for_patient(
        self, actor: CurrentUser, patient_id: uuid.UUID
    ) -> list[DecisionRecordView]: ...

    def printable(
        self, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID, on: date
    ) -> bytes: ...


class PasswordCheck(Protocol):
    """Asks whether a password is the signed-in clinician's (the auth service fits)."""

    def check_password(self, actor: CurrentUser, password: str) -> None: ...


@dataclass(frozen=True)
class Conversation:
    """What the form holds, as the patient and clinician put it."""

    options_discussed: tuple[str, ...] = ()
    ratings: Mapping[str, int] = field(default_factory=dict)
    leaning: str | None = None
    choice: str | None = None
    """An option's id, ``UNDECIDED`` ("not decided yet"), or None (nothing chosen yet)."""
    choice_words: str = ""
    questions: str = ""
    participants: tuple[tuple[str, str], ...] = ()
    """(role, name) of each person who took part besides the patient and clinician."""
    interpreter_language: str = ""
    teach_back: bool = False
    decision_maker: str | None = None
    collaborate: tuple[int | None, ...] | None = None
    """CollaboRATE's three answers (0..9, None for one not given), or None if not asked."""
    sdm_q9: tuple[int | None, ...] | None = None
    """Kept as stored: SDM-Q-9 is entered from its own licensed wording, not here."""

    def as_input(self) -> DecisionInput:
        """The service's input for these values."""
        return DecisionInput(
            options_discussed=tuple(self.options_discussed),
            ratings=dict(self.ratings),
            leaning=self.leaning,
            choice=self.choice,
            choice_words=self.choice_words,
            questions=self.questions,
            participants=tuple(Participant(role, name) for role, name in self.participants),
            interpreter_language=self.interpreter_language or None,
            teach_back=self.teach_back,
            decision_maker=self.decision_maker,
            collaborate=self.collaborate,
            sdm_q9=self.sdm_q9,
        )


def conversation_of(record: DecisionRecordView) -> Conversation:
    """The form's values for a stored record."""
    return Conversation(
        options_discussed=tuple(record.options_discussed),
        ratings=dict(record.ratings),
        leaning=record.leaning,
        choice=record.choice,
        choice_words=record.choice_words,
        questions=record.questions,
        participants=tuple((person.role, person.name) for person in record.participants),
        interpreter_language=record.interpreter_language or "",
        teach_back=record.teach_back,
        decision_maker=record.decision_maker,
        collaborate=record.collaborate,
        sdm_q9=record.sdm_q9,
    )


def _own_draft(
    decisions: Decisions, actor: CurrentUser, patient_id: uuid.UUID, aid_id: str | None
) -> DecisionRecordView | None:
    """The user's latest draft for this patient (with ``aid_id``, when one is named)."""
    for view in decisions.for_patient(actor, patient_id):
        mine = not view.is_signed and view.created_by == actor.id
        if mine and (aid_id is None or view.aid_id == aid_id):
            return view
    return None


#: What opening finds: the aids offered, the record to show (None: a new conversation, or
#: choose an aid) and the aid to start with (None: choose one).
Loaded = tuple[AidCatalogue, DecisionRecordView | None, str | None]


class DecisionViewModel(QObject):
    """One shared decision of one patient: the banner's, and only theirs."""

    catalogue_changed = Signal(object)
    """The aids offered (an ``AidCatalogue``)."""
    aid_changed = Signal(object)
    """The aid on show (a ``DecisionAid``), or None while one is being chosen."""
    record_changed = Signal(object)
    """The record on the form (a ``DecisionRecordView``), or None before the first save."""
    field_errors_changed = Signal(object)
    problem = Signal(str)
    saved = Signal(object)
    signed = Signal(object)
    sign_failed = Signal(str)
    printed = Signal(bytes)
    print_left_behind = Signal(object)
    """A print asked for that was not made because the patient changed first: their id."""
    busy_changed = Signal(bool)
    patient_mode_changed = Signal(bool)
    """True while the patient holds the device to answer CollaboRATE."""
    hand_back_failed = Signal(str)
    recorded_without_aid = Signal(object)
    """A record whose aid is no longer offered (a ``DecisionRecordView``): read only, plain."""
    left_behind = Signal(object, object, str)
    """A sign asked for just before the patient changed, finished for that patient: their id,
    the signed record (None if it was not signed) and, if not, why in plain words."""

    def __init__(
        self,
        decisions: Decisions,
        *,
        passwords: PasswordCheck,
        runner: TaskRunner,
        session: UserSession,
        today: Callable[[], date] = date.today,
        autosave_ms: int = AUTOSAVE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._decisions = decisions
        self._passwords = passwords
        self._runner = runner
        #: Who handed the device to the patient (None: the clinician holds it).
        self.handed_over_by: CurrentUser | None = None
        self._session = session
        self._today = today
        self.patient_id: uuid.UUID | None = None
        self.catalogue: AidCatalogue | None = None
        self.aid: DecisionAid | None = None
        self.record: DecisionRecordView | None = None
        self.values = Conversation()
        #: The language the patient's record asks an interpreter for ("" for none): a new
        #: conversation starts with it as the interpreter's language.
        self.record_language = ""
        self._pending: Conversation | None = None
        self._drafts = DraftSaver(
            self, save_now=self.save_now, on_busy=self.busy_changed.emit, autosave_ms=autosave_ms
        )

    # ------------------------------------------------------------------ state

    @property
    def is_signed(self) -> bool:
        return self.record is not None and self.record.is_signed

    @property
    def may_write(self) -> bool:
        """True while the form may be changed: an aid open, and a new record or own draft."""
        if self.patient_id is None or self.aid is None or self.is_signed:
            return False
        user = self._session.user
        return self.record is None or (user is not None and self.record.created_by == user.id)

    @property
    def busy(self) -> bool:
        return self._drafts.busy

    @property
    def _saving(self) -> bool:
        """A save is on its way to the store."""
        return self._drafts.saving

    @property
    def past_review(self) -> bool:
        """The aid on show is on or past its review date (it still opens, and says so)."""
        return self.aid is not None and self.aid.is_due_for_review(self._today())

    @property
    def version_changed(self) -> bool:
        """The record was made with another version of the aid than the one on show."""
        return (
            self.record is not None
            and self.aid is not None
            and self.record.aid_version != self.aid.version
        )

    def offered(self) -> tuple[DecisionAid, ...]:
        """The aids to choose from, by title."""
        if self.catalogue is None:
            return ()
        return tuple(sorted(self.catalogue.offered, key=lambda aid: aid.title.casefold()))

    def is_due(self, aid: DecisionAid) -> bool:
        return aid.is_due_for_review(self._today())

    def top_matters(self, most: int = 3) -> list[tuple[str, int]]:
        """The statements the patient rated highest (text, rating), highest first."""
        if self.aid is None:
            return []
        rated = [
            (matter.text, self.values.ratings[matter.id])
            for matter in self.aid.matters
            if matter.id in self.values.ratings
        ]
        rated.sort(key=lambda pair: -pair[1])
        return [pair for pair in rated if pair[1] > 0][:most]

    # ------------------------------------------------------------------ commands

    def open(
        self, patient_id: uuid.UUID, item: uuid.UUID | str | DecisionAbout | None = None
    ) -> None:
        """Open a decision of this patient.

        ``item`` is an SDM record's id (reopened), an aid's id (a conversation with it
        starts; the record is made on the first change), what another record asks a decision
        about (the aid written for its diagnosis, if any, as if named), or None: the user's
        own draft for this patient continues, else the aids are offered to choose from. A
        record must be this patient's: the service refuses another's.
        """
        self._forget()
        self.patient_id = patient_id
        self.aid = None
        actor = self._session.require_user()
        decisions = self._decisions

        def load() -> Loaded:
            catalogue = decisions.catalogue(actor)
            if isinstance(item, uuid.UUID):
                return catalogue, decisions.get(actor, item, patient_id), None
            aid_id = item if isinstance(item, str) else None
            if isinstance(item, DecisionAbout):
                suggested = catalogue.for_diagnosis(item.diagnosis_code)
                aid_id = suggested.id if suggested is not None else None
            return catalogue, _own_draft(decisions, actor, patient_id, aid_id), aid_id

        self._runner.run_store(
            load,
            on_done=self._drafts.guard(self._on_loaded),
            on_failed=self._drafts.guard(self._on_load_failed),
        )

    def choose_aid(self, aid_id: str) -> None:
        """Talk through ``aid_id`` with the patient.

        The user's own draft with this aid for this patient continues; otherwise a new
        conversation starts, kept as a record from its first change.
        """
        patient_id = self.patient_id
        if patient_id is None or self.catalogue is None:
            return
        aid = self.catalogue.get(aid_id)
        if aid is None:
            self.problem.emit(self.tr("That decision aid is not offered. Choose another."))
            return
        if self._drafts.saving:
            # A save is on its way: choose once it is kept, so nothing typed is lost.
            self._drafts.after_save = lambda: self.choose_aid(aid_id)
            return
        # Anything typed is queued to be kept first: the store worker runs in order, so the
        # look-up below sees it.
        self.save_now()
        self._forget()
        actor = self._session.require_user()
        decisions = self._decisions
        self._runner.run_store(
            lambda: _own_draft(decisions, actor, patient_id, aid.id),
            on_done=self._drafts.guard(lambda found: self._show_conversation(aid, found)),
            on_failed=self._drafts.guard(self._on_load_failed),
        )

    def choose_again(self) -> None:
        """Back to the list of aids (what is typed is saved first)."""
        if self._drafts.saving:
            self._drafts.after_save = self.choose_again
            return
        self.save_now()
        self._forget()
        self.aid = None
        self.values = Conversation()
        self.aid_changed.emit(None)
        self.record_changed.emit(None)

    def form_changed(self, values: Conversation) -> None:
        """Something changed on the form: kept as a draft once the changes pause."""
        if not self.may_write:
            return
        self.values = values
        self._pending = values
        self._drafts.later()

    def save_now(self) -> None:
        """Save what is on the form at once (Save, leaving, locking, switching user)."""
        self._drafts.stop()
        aid = self.aid
        if self._pending is None or self._drafts.saving or self.patient_id is None or aid is None:
            return
        actor = self._session.require_user()
        patient_id, values = self.patient_id, self._pending
        existing = self.record.id if self.record is not None else None
        self._pending = None
        self._drafts.saving = True
        decisions = self._decisions

        def save() -> DecisionRecordView:
            record_id = existing
            if record_id is None:
                record_id = decisions.start(actor, patient_id, aid.id).id
            return decisions.save(actor, record_id, patient_id, values.as_input())

        self._runner.run_store(
            save,
            on_done=self._drafts.guard(self._on_saved),
            on_failed=self._drafts.guard(self._on_save_failed),
        )

    def save(self) -> None:
        """The Save button: keep the draft now, even with nothing changed since opening."""
        if not self.may_write:
            return
        if self._pending is None and self.record is None:
            self._pending = self.values
        self.save_now()

    def sign(self, password: str) -> None:
        """Save anything unsaved, then sign with the user's password."""
        if self._drafts.busy or not self.may_write:
            return
        if not password:
            self.sign_failed.emit(self.tr("Type your password to sign."))
            return
        self._drafts.set_busy(True)
        if self.record is None and self._pending is None:
            self._pending = self.values
        unsaved = self._pending is not None or self._drafts.saving
        if unsaved:
            self._drafts.sign_waiting = password
        self._drafts.then(lambda: self._sign(password), unsaved=unsaved)

    def change_of_mind(self) -> None:
        """The patient changed their mind: a new draft that replaces the signed record.

        The signed record is kept as it was; the new one names it.
        """
        record = self.record
        if self._drafts.busy or record is None or not self.is_signed or self.patient_id is None:
            return
        actor = self._session.require_user()
        patient_id = self.patient_id
        decisions = self._decisions
        self._drafts.set_busy(True)
        self._runner.run_store(
            lambda: decisions.change_of_mind(actor, record.id, patient_id),
            on_done=self._drafts.guard(self._on_changed_mind),
            on_failed=self._drafts.guard(self._on_failed),
        )

    def print_summary(self) -> None:
        """Make the take-home summary's PDF (saved first if anything is unsaved)."""
        if self.aid is None:
            return
        if self.record is None and self._pending is None and self.may_write:
            self._pending = self.values
        patient_id = self.patient_id
        self._drafts.then(
            self._print,
            unsaved=self._pending is not None or self._drafts.saving,
            dropped=lambda: self.print_left_behind.emit(patient_id),
        )

    def hand_to_patient(self) -> None:
        """The patient holds the device to answer CollaboRATE; remembers who handed it over."""
        if not self.may_write or self.handed_over_by is not None:
            return
        self.handed_over_by = self._session.require_user()
        self.patient_mode_changed.emit(True)

    def hand_back(self, password: str) -> None:
        """Back to the clinician, once ``password`` is the handing-over clinician's."""
        actor = self.handed_over_by
        if actor is None or self._drafts.busy:
            return
        if not password:
            self.hand_back_failed.emit(self.tr("Type your password to take the device back."))
            return
        self._drafts.set_busy(True)
        passwords = self._passwords
        self._runner.run_store(
            lambda: passwords.check_password(actor, password),
            on_done=self._drafts.guard(lambda _none: self._on_handed_back()),
            on_failed=self._drafts.guard(self._on_hand_back_refused),
        )

    def reset(self) -> None:
        """Forget the patient and the conversation (switching user saves first, then this)."""
        self._forget()
        self.patient_id = None
        self.catalogue = None
        self.aid = None
        self.values = Conversation()
        self.aid_changed.emit(None)
        self.record_changed.emit(None)

    # ------------------------------------------------------------------ results

    def _forget(self) -> None:
        if self._drafts.sign_waiting is not None:
            self._finish_sign_left_behind(self._drafts.sign_waiting)
        elif self._pending is not None and self._drafts.saving and self.may_write:
            # Typed while a save was on its way: queued behind that save now (the store
            # worker runs in order), for this patient, before the screen forgets them.
            self._drafts.saving = False
            self.save_now()
        if self.handed_over_by is not None:
            self.handed_over_by = None
            self.patient_mode_changed.emit(False)
        self.record = None
        self._pending = None
        self._drafts.forget()
        self.field_errors_changed.emit({})

    def _finish_sign_left_behind(self, password: str) -> None:
        """Sign what is on the form for the patient being left, as asked, and say how it went.

        The sign was waiting for a save still on its way. The store's thread takes work in
        order, so this runs after that save: the form's last state is saved again (the
        record is the one that save made or changed) and signed, for this patient only.
        """
        patient_id, aid = self.patient_id, self.aid
        if patient_id is None or aid is None or not self.may_write:
            return
        actor = self._session.require_user()
        existing = self.record.id if self.record is not None else None
        values = self.values.as_input()
        decisions = self._decisions

        def finish() -> DecisionRecordView:
            record_id = existing
            if record_id is None:
                draft = _own_draft(decisions, actor, patient_id, aid.id)
                if draft is None:
                    raise NotFound("decision.not_found")
                record_id = draft.id
            decisions.save(actor, record_id, patient_id, values)
            return decisions.sign(actor, record_id, patient_id, password)

        self._runner.run_store(
            finish,
            on_done=lambda view: self.left_behind.emit(patient_id, view, ""),
            on_failed=lambda error: self.left_behind.emit(patient_id, None, errors.explain(error)),
        )

    def _sign(self, password: str) -> None:
        self._drafts.sign_waiting = None
        record = self.record
        patient_id = self.patient_id
        if record is None or patient_id is None:
            self._drafts.set_busy(False)
            return
        actor = self._session.require_user()
        decisions = self._decisions
        # An answer that comes after the patient changed is still told, for that patient.
        self._runner.run_store(
            lambda: decisions.sign(actor, record.id, patient_id, password),
            on_done=self._drafts.guard_or(
                self._on_signed, lambda view: self.left_behind.emit(patient_id, view, "")
            ),
            on_failed=self._drafts.guard_or(
                self._on_sign_failed,
                lambda error: self.left_behind.emit(patient_id, None, errors.explain(error)),
            ),
        )

    def _print(self) -> None:
        record, patient_id = self.record, self.patient_id
        if record is None or patient_id is None:
            self.problem.emit(self.tr("Save the decision before printing its summary."))
            return
        actor = self._session.require_user()
        decisions = self._decisions
        on = self._today()
        # The store reads the record and the patient's name and needs, and audits the print.
        # Answered after the patient changed, it is not printed: that is said, for them.
        self._runner.run_store(
            lambda: decisions.printable(actor, record.id, patient_id, on),
            on_done=self._drafts.guard_or(
                self.printed.emit, lambda _pdf: self.print_left_behind.emit(patient_id)
            ),
            on_failed=self._drafts.guard_or(
                lambda error: self.problem.emit(errors.explain(error)),
                lambda _error: self.print_left_behind.emit(patient_id),
            ),
        )

    def _on_loaded(self, found: Loaded) -> None:
        catalogue, record, aid_id = found
        self.catalogue = catalogue
        self.catalogue_changed.emit(catalogue)
        if record is not None:
            aid = catalogue.get(record.aid_id)
            if aid is None:
                # The list of aids first, then the reason above it and what the record holds
                # (showing the list clears the page's notices).
                self.aid_changed.emit(None)
                self.problem.emit(
                    self.tr(
                        "The decision aid this record used is no longer offered, so the "
                        "record is shown as plain words, read only. Tell the service lead; "
                        "the record itself is kept unchanged."
                    )
                )
                self.recorded_without_aid.emit(record)
                return
            self._show_conversation(aid, record)
            return
        aid = catalogue.get(aid_id) if aid_id is not None else None
        if aid is not None:
            self._show_conversation(aid, None)
            return
        self.aid_changed.emit(None)
        if aid_id is not None:
            self.problem.emit(self.tr("That decision aid is not offered. Choose another."))

    def _show_conversation(self, aid: DecisionAid, record: DecisionRecordView | None) -> None:
        """Show ``aid`` with ``record`` on the form (None: a new conversation)."""
        self.aid = aid
        self.record = record
        self.values = (
            conversation_of(record)
            if record is not None
            else Conversation(
                options_discussed=aid.option_ids, interpreter_language=self.record_language
            )
        )
        self.aid_changed.emit(aid)
        self.record_changed.emit(record)

    def _on_load_failed(self, error: BaseException) -> None:
        # Nothing of the item is shown: the screen stays empty and says why.
        self.patient_id = None
        self.aid = None
        self.aid_changed.emit(None)
        self.record_changed.emit(None)
        self.problem.emit(errors.explain(error))

    def _on_saved(self, view: DecisionRecordView) -> None:
        self._drafts.saving = False
        self.record = view
        self.field_errors_changed.emit({})
        self.saved.emit(view)
        self._drafts.follow_on(more_typed=self._pending is not None)

    def _on_save_failed(self, error: BaseException) -> None:
        sign_waited = self._drafts.save_failed()
        self.field_errors_changed.emit(errors.field_messages(error))
        message = errors.explain(error)
        self.problem.emit(message)
        if sign_waited:
            self._drafts.set_busy(False)
            self.sign_failed.emit(message)

    def _on_signed(self, view: DecisionRecordView) -> None:
        self._drafts.set_busy(False)
        self.record = view
        self.values = conversation_of(view)
        self.field_errors_changed.emit({})
        self.record_changed.emit(view)
        self.signed.emit(view)

    def _on_sign_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        self.field_errors_changed.emit(errors.field_messages(error))
        if isinstance(error, ClinicError) and error.code == "auth.failed":
            self.sign_failed.emit(
                self.tr("That password is not right. Type your own password and try again.")
            )
        else:
            self.sign_failed.emit(errors.explain(error))

    def _on_changed_mind(self, view: DecisionRecordView) -> None:
        self._drafts.set_busy(False)
        self.record = view
        self.values = conversation_of(view)
        self.record_changed.emit(view)
        self.saved.emit(view)

    def _on_handed_back(self) -> None:
        self._drafts.set_busy(False)
        self.handed_over_by = None
        self.patient_mode_changed.emit(False)
        self.save_now()

    def _on_hand_back_refused(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        if isinstance(error, ClinicError) and error.code == "auth.failed":
            self.hand_back_failed.emit(
                self.tr("That password is not right. Only the clinician can take the device back.")
            )
        else:
            self.hand_back_failed.emit(errors.explain(error))

    def _on_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        self.problem.emit(errors.explain(error))


__all__ = [
    "DECISION_MAKERS",
    "PARTICIPANT_ROLES",
    "UNDECIDED",
    "Conversation",
    "DecisionViewModel",
    "Decisions",
    "conversation_of",
]
