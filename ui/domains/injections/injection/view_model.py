"""The injection record's state and commands: open, draft, check, acknowledge, sign, add to."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.decisions.views import DecisionRecordView
from clinic_app.domains.imaging.views import StudyView
from clinic_app.domains.injections.views import (
    InjectionChecks,
    InjectionInput,
    InjectionView,
    PackCodeView,
    PgdView,
    products_by_gtin,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, ValidationError
from ui.common import errors
from ui.common.draft_saver import DraftSaver
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

AUTOSAVE_MS = 1500
#: What an injection follows from, as shared decisions name it.
LEADS_TO = "injection"


class Injections(Protocol):
    """The part of the injection service the screen uses."""

    def start(
        self, actor: CurrentUser, patient_id: uuid.UUID, episode_id: uuid.UUID | None = None
    ) -> InjectionView: ...

    def save(
        self,
        actor: CurrentUser,
        record_id: uuid.UUID,
        fields: InjectionInput,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> InjectionView: ...

    def acknowledge(
        self,
        actor: CurrentUser,
        record_id: uuid.UUID,
        warning_code: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> InjectionView: ...

    def sign(
        self,
        actor: CurrentUser,
        record_id: uuid.UUID,
        password: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> InjectionView: ...

    def add_addendum(
        self,
        actor: CurrentUser,
        record_id: uuid.UUID,
        text: str,
        password: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> InjectionView: ...

    def checks(
        self, actor: CurrentUser, record_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> InjectionChecks: ...

    def get(
        self, actor: CurrentUser, record_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> InjectionView: ...

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[InjectionView]: ...

    def attestation_for(self, actor: CurrentUser) -> str: ...

    def aftercare(
        self, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID
    ) -> bytes: ...


class SharedDecisions(Protocol):
    """Finds the signed shared decisions an injection may follow."""

    def decision_for(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        episode_id: uuid.UUID | None,
        leads_to: str,
    ) -> list[DecisionRecordView]: ...


class PgdRegister(Protocol):
    """The PGD register, read."""

    def list(self, actor: CurrentUser, on: date | None = None) -> builtins.list[PgdView]: ...


class PackCodeList(Protocol):
    """The service's pack codes, read (a scanned pack's GTIN names its product)."""

    def list(self, actor: CurrentUser) -> Sequence[PackCodeView]: ...


class Studies(Protocol):
    """The patient's imaging studies, read (for an ultrasound-guided injection)."""

    def studies(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[StudyView]: ...


@dataclass(frozen=True)
class Opened:
    """What opening the screen for a patient finds."""

    record: InjectionView | None
    checks: InjectionChecks | None
    decision: DecisionRecordView | None
    pgds: tuple[PgdView, ...]
    studies: tuple[StudyView, ...]
    attestation: str
    pack_codes: Mapping[str, str] = field(default_factory=dict)
    """Each GTIN of the service's list and the product it names."""


def _own_draft(
    injections: Injections, actor: CurrentUser, patient_id: uuid.UUID, episode: uuid.UUID | None
) -> InjectionView | None:
    """The user's own draft injection for this patient's episode, if any (newest first)."""
    for view in injections.for_patient(actor, patient_id):
        if not view.is_signed and view.created_by == actor.id and view.episode_id == episode:
            return view
    return None


class InjectionViewModel(QObject):
    """One injection of one patient: the banner's, and only theirs."""

    opened = Signal(object)
    """What was found on opening (an ``Opened``), for the form to show."""
    record_changed = Signal(object)
    """The record on the form (an ``InjectionView``), or None before the first save."""
    checks_changed = Signal(object)
    """What stands before signing (an ``InjectionChecks``), or None before the first save."""
    decision_changed = Signal(object)
    """The episode's signed shared decision about an injection, read again (or None)."""
    field_errors_changed = Signal(object)
    problem = Signal(str)
    saved = Signal(object)
    signed = Signal(object)
    sign_failed = Signal(str)
    busy_changed = Signal(bool)
    left_behind = Signal(object, object, str)
    """A sign asked for just before the patient changed, finished for that patient: their id,
    the signed record (None if it was not signed) and, if not, why in plain words."""
    printed = Signal(bytes)
    """The aftercare leaflet of the signed record on show, as a PDF."""
    print_left_behind = Signal(object)
    """A print asked for that was not made because the patient changed first: their id."""
    addendum_added = Signal(object)
    """The signed record on show with the addendum just added (an ``InjectionView``)."""
    addendum_failed = Signal(str)
    """Why the addendum was not added, in plain words (what was typed stays)."""
    addendum_left_behind = Signal(object, bool, str)
    """An addendum asked for just before the patient changed, answered after: their id,
    whether it was added and, if not, why in plain words (what was typed is gone)."""

    def __init__(
        self,
        injections: Injections,
        *,
        decisions: SharedDecisions,
        pgds: PgdRegister,
        imaging: Studies,
        runner: TaskRunner,
        session: UserSession,
        pack_codes: PackCodeList | None = None,
        today: Callable[[], date] = date.today,
        autosave_ms: int = AUTOSAVE_MS,
        may_amend: Callable[[CurrentUser], bool] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """Keep the services the screen uses.

        ``may_amend`` says whether a user may add to a signed record (the record type's
        "amend" step); without it no one is offered the box (the service decides anyway).
        """
        super().__init__(parent)
        self._may_amend = may_amend
        self._injections = injections
        self._decisions = decisions
        self._pgds = pgds
        self._imaging = imaging
        self._pack_codes = pack_codes
        #: Each GTIN of the service's list and the product it names, as read on opening.
        self.pack_codes: Mapping[str, str] = {}
        self._runner = runner
        self._session = session
        self._today = today
        self.patient_id: uuid.UUID | None = None
        self.episode_id: uuid.UUID | None = None
        self.record: InjectionView | None = None
        self.checks: InjectionChecks | None = None
        self.decision: DecisionRecordView | None = None
        self.loaded = False
        self.values = InjectionInput()
        self._pending: InjectionInput | None = None
        self._drafts = DraftSaver(
            self, save_now=self.save_now, on_busy=self.busy_changed.emit, autosave_ms=autosave_ms
        )

    # ------------------------------------------------------------------ state

    @property
    def is_signed(self) -> bool:
        return self.record is not None and self.record.is_signed

    @property
    def may_write(self) -> bool:
        """True while the form may change: loaded, and a new record or the user's own draft."""
        if self.patient_id is None or not self.loaded or self.is_signed:
            return False
        user = self._session.user
        return self.record is None or (user is not None and self.record.created_by == user.id)

    @property
    def may_amend(self) -> bool:
        """True when the record on show is signed and the user may add an addendum to it."""
        user = self._session.user
        return (
            self.is_signed
            and self.patient_id is not None
            and user is not None
            and self._may_amend is not None
            and self._may_amend(user)
        )

    @property
    def busy(self) -> bool:
        return self._drafts.busy

    def signer_name(self, signed_by: uuid.UUID | None, known: str = "") -> str:
        """Who signed, in words: by name when the service knows them, else as a colleague."""
        user = self._session.user
        if user is not None and signed_by is not None and user.id == signed_by:
            return user.display_name
        return known or self.tr("another clinician")

    @property
    def has_unsaved(self) -> bool:
        return self._pending is not None or self._drafts.saving

    # ------------------------------------------------------------------ commands

    def open(
        self,
        patient_id: uuid.UUID,
        episode_id: uuid.UUID | None,
        record_id: uuid.UUID | None = None,
    ) -> None:
        """Open the record named, else the user's own draft of the episode, else a new form.

        A record named (from the timeline) must be this patient's: the service does not find
        another's.

        Reads the episode's signed shared decision about an injection, the PGDs in force
        today, the patient's scans and the sentence signed. Nothing is saved until the user
        types something.
        """
        self._forget()
        self.patient_id = patient_id
        self.episode_id = episode_id
        self.loaded = False
        actor = self._session.require_user()
        injections, decisions, pgds, imaging, pack_codes = (
            self._injections,
            self._decisions,
            self._pgds,
            self._imaging,
            self._pack_codes,
        )
        today = self._today()

        def load() -> Opened:
            record = (
                injections.get(actor, record_id, patient_id=patient_id)
                if record_id is not None
                else _own_draft(injections, actor, patient_id, episode_id)
            )
            checks = (
                injections.checks(actor, record.id, patient_id=patient_id)
                if record is not None and not record.is_signed
                else None
            )
            episode = record.episode_id if record is not None else episode_id
            found = decisions.decision_for(actor, patient_id, episode, LEADS_TO)
            return Opened(
                record=record,
                checks=checks,
                decision=found[0] if found else None,
                pgds=tuple(pgds.list(actor, on=today)),
                studies=tuple(imaging.studies(actor, patient_id)),
                attestation=injections.attestation_for(actor),
                pack_codes=(
                    products_by_gtin(pack_codes.list(actor)) if pack_codes is not None else {}
                ),
            )

        self._runner.run_store(
            load,
            on_done=self._drafts.guard(self._on_opened),
            on_failed=self._drafts.guard(self._on_load_failed),
        )

    def form_changed(self, values: InjectionInput) -> None:
        """Something changed on the form: kept as a draft once the changes pause."""
        if not self.may_write:
            return
        self.values = values
        self._pending = values
        self._drafts.later()

    def save_now(self) -> None:
        """Save what is on the form at once (Save, leaving, locking, switching patient)."""
        self._drafts.stop()
        if self._pending is None or self._drafts.saving or self.patient_id is None:
            return
        actor = self._session.require_user()
        patient_id, episode_id, values = self.patient_id, self.episode_id, self._pending
        existing = self.record.id if self.record is not None else None
        self._pending = None
        self._drafts.saving = True
        injections = self._injections

        def save() -> tuple[InjectionView, InjectionChecks]:
            record_id = existing
            if record_id is None:
                record_id = injections.start(actor, patient_id, episode_id).id
            view = injections.save(actor, record_id, values, patient_id=patient_id)
            return view, injections.checks(actor, record_id, patient_id=patient_id)

        self._runner.run_store(
            save,
            on_done=self._drafts.guard(lambda found: self._on_saved(*found)),
            on_failed=self._drafts.guard(self._on_save_failed),
        )

    def save(self) -> None:
        """The Save button: keep the draft now, even with nothing changed since opening."""
        if not self.may_write:
            return
        if self._pending is None and self.record is None:
            self._pending = self.values
        self.save_now()

    def then(self, action: Callable[[], None], *, keep: bool = False) -> None:
        """Run ``action`` once what is typed is saved (at once when nothing is waiting).

        With ``keep``, a form never saved is kept first even with nothing typed (signing
        needs a record to refuse or sign).
        """
        if keep and self.may_write and self.record is None and self._pending is None:
            self._pending = self.values
        self._drafts.then(action, unsaved=self.has_unsaved)

    def acknowledge(self, warning_code: str) -> None:
        """Acknowledge one warning (saved first), then read the checks again."""
        if self._drafts.busy or not self.may_write:
            return
        self.then(lambda: self._acknowledge(warning_code))

    def sign(self, password: str) -> None:
        """Save anything unsaved, then sign with the user's password."""
        if self._drafts.busy or not self.may_write:
            return
        if not password:
            self.sign_failed.emit(self.tr("Type your password to sign."))
            return
        self._drafts.set_busy(True)
        if self.has_unsaved or self.record is None:
            self._drafts.sign_waiting = password
        self.then(lambda: self._sign(password), keep=True)

    def add_addendum(self, text: str, password: str) -> None:
        """Add a signed addendum to the signed record on show (the password is asked again).

        For the banner's patient only: an answer that comes after the patient changed is
        dropped (the addendum is kept in the store all the same).
        """
        record, patient_id = self.record, self.patient_id
        if self._drafts.busy or record is None or patient_id is None or not self.is_signed:
            return
        if not text.strip():
            self.addendum_failed.emit(self.tr("Type what you are adding to the record first."))
            return
        if not password:
            self.addendum_failed.emit(self.tr("Type your password to add it."))
            return
        actor = self._session.require_user()
        injections = self._injections
        self._drafts.set_busy(True)
        self._runner.run_store(
            lambda: injections.add_addendum(
                actor, record.id, text, password, patient_id=patient_id
            ),
            on_done=self._drafts.guard_or(
                self._on_addendum_added,
                lambda _view: self.addendum_left_behind.emit(patient_id, True, ""),
            ),
            on_failed=self._drafts.guard_or(
                self._on_addendum_failed,
                lambda error: self.addendum_left_behind.emit(
                    patient_id, False, errors.explain(error)
                ),
            ),
        )

    def refresh_decision(self) -> None:
        """Read the episode's shared decision again (one was signed or changed meanwhile)."""
        patient_id = self.patient_id
        if patient_id is None or not self.loaded or self.is_signed:
            return
        actor = self._session.require_user()
        episode_id = self.episode_id
        decisions = self._decisions
        self._runner.run_store(
            lambda: decisions.decision_for(actor, patient_id, episode_id, LEADS_TO),
            on_done=self._drafts.guard(self._on_decision),
            on_failed=self._drafts.guard(self._on_failed),
        )

    def reset(self) -> None:
        """Forget the patient and the form (saved first by the screen)."""
        self._forget()
        self.patient_id = None
        self.episode_id = None
        self.decision = None
        self.loaded = False
        self.values = InjectionInput()
        self.record_changed.emit(None)
        self.checks_changed.emit(None)

    # ------------------------------------------------------------------ results

    def _forget(self) -> None:
        if self._drafts.sign_waiting is not None:
            self._finish_sign_left_behind(self._drafts.sign_waiting)
        elif self._pending is not None and self._drafts.saving and self.may_write:
            # Typed while a save was on its way: queued behind it now (the store worker runs
            # in order), for this patient, before the screen forgets them.
            self._drafts.saving = False
            self.save_now()
        self.record = None
        self.checks = None
        self.pack_codes = {}
        self._pending = None
        self._drafts.forget()
        self.field_errors_changed.emit({})

    def _acknowledge(self, code: str) -> None:
        record, patient_id = self.record, self.patient_id
        if record is None or patient_id is None:
            return
        actor = self._session.require_user()
        injections = self._injections

        def acknowledge() -> tuple[InjectionView, InjectionChecks]:
            view = injections.acknowledge(actor, record.id, code, patient_id=patient_id)
            return view, injections.checks(actor, record.id, patient_id=patient_id)

        self._runner.run_store(
            acknowledge,
            on_done=self._drafts.guard(lambda found: self._on_checked(*found)),
            on_failed=self._drafts.guard(self._on_failed),
        )

    def _finish_sign_left_behind(self, password: str) -> None:
        """Sign what is on the form for the patient being left, as asked, and say how it went.

        The sign was waiting for a save still on its way. The store's thread takes work in
        order, so this runs after that save: the form's last state is saved again and signed,
        for this patient only.
        """
        patient_id, episode_id = self.patient_id, self.episode_id
        if patient_id is None or not self.may_write:
            return
        actor = self._session.require_user()
        existing = self.record.id if self.record is not None else None
        values = self._pending if self._pending is not None else self.values
        injections = self._injections

        def finish() -> InjectionView:
            record_id = existing
            if record_id is None:
                draft = _own_draft(injections, actor, patient_id, episode_id)
                record_id = (
                    draft.id
                    if draft is not None
                    else injections.start(actor, patient_id, episode_id).id
                )
            injections.save(actor, record_id, values, patient_id=patient_id)
            return injections.sign(actor, record_id, password, patient_id=patient_id)

        self._runner.run_store(
            finish,
            on_done=lambda view: self.left_behind.emit(patient_id, view, ""),
            on_failed=lambda error: self.left_behind.emit(patient_id, None, errors.explain(error)),
        )

    def print_aftercare(self) -> None:
        """Make the aftercare leaflet of the signed record on show (this patient's only)."""
        record, patient_id = self.record, self.patient_id
        if record is None or patient_id is None or not record.is_signed:
            return
        actor = self._session.require_user()
        injections = self._injections
        # Answered after the patient changed, it is not printed: that is said, for them.
        self._runner.run_store(
            lambda: injections.aftercare(actor, record.id, patient_id),
            on_done=self._drafts.guard_or(
                self.printed.emit, lambda _pdf: self.print_left_behind.emit(patient_id)
            ),
            on_failed=self._drafts.guard_or(
                lambda error: self.problem.emit(errors.explain(error)),
                lambda _error: self.print_left_behind.emit(patient_id),
            ),
        )

    def _sign(self, password: str) -> None:
        self._drafts.sign_waiting = None
        record, patient_id = self.record, self.patient_id
        if record is None or patient_id is None:
            self._drafts.set_busy(False)
            return
        actor = self._session.require_user()
        injections = self._injections
        # An answer that comes after the patient changed is still told, for that patient.
        self._runner.run_store(
            lambda: injections.sign(actor, record.id, password, patient_id=patient_id),
            on_done=self._drafts.guard_or(
                self._on_signed, lambda view: self.left_behind.emit(patient_id, view, "")
            ),
            on_failed=self._drafts.guard_or(
                self._on_sign_failed,
                lambda error: self.left_behind.emit(patient_id, None, errors.explain(error)),
            ),
        )

    def _on_opened(self, found: Opened) -> None:
        self.record = found.record
        if found.record is not None:
            self.episode_id = found.record.episode_id
        self.checks = found.checks
        self.decision = found.decision
        self.pack_codes = found.pack_codes
        self.values = found.record.fields if found.record is not None else InjectionInput()
        self.loaded = True
        self.opened.emit(found)
        self.record_changed.emit(found.record)
        self.checks_changed.emit(found.checks)

    def product_for(self, gtin: str) -> str | None:
        """The product a scanned GTIN names in the service's list, or None: never a guess."""
        return self.pack_codes.get(gtin)

    def _on_decision(self, found: list[DecisionRecordView]) -> None:
        self.decision = found[0] if found else None
        self.decision_changed.emit(self.decision)

    def _on_load_failed(self, error: BaseException) -> None:
        self.patient_id = None
        self.loaded = False
        self.record_changed.emit(None)
        self.problem.emit(errors.explain(error))

    def _on_saved(self, view: InjectionView, checks: InjectionChecks) -> None:
        self._drafts.saving = False
        self.record = view
        self.field_errors_changed.emit({})
        self._show_checks(checks)
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

    def _on_checked(self, view: InjectionView, checks: InjectionChecks) -> None:
        self.record = view
        self._show_checks(checks)

    def _show_checks(self, checks: InjectionChecks) -> None:
        self.checks = checks
        self.checks_changed.emit(checks)

    def _on_signed(self, view: InjectionView) -> None:
        self._drafts.set_busy(False)
        self.record = view
        self.values = view.fields
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
        self._refresh_checks()

    def _refresh_checks(self) -> None:
        record, patient_id = self.record, self.patient_id
        if record is None or patient_id is None:
            return
        actor = self._session.require_user()
        injections = self._injections
        self._runner.run_store(
            lambda: injections.checks(actor, record.id, patient_id=patient_id),
            on_done=self._drafts.guard(self._show_checks),
            on_failed=self._drafts.guard(self._on_failed),
        )

    def _on_addendum_added(self, view: InjectionView) -> None:
        self._drafts.set_busy(False)
        self.record = view
        self.record_changed.emit(view)
        self.addendum_added.emit(view)

    def _on_addendum_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        if isinstance(error, ClinicError) and error.code == "auth.failed":
            words = self.tr("That password is not right. Type your own password and try again.")
        elif isinstance(error, ClinicError) and error.code == "text.empty":
            words = self.tr("Type what you are adding to the record first.")
        elif isinstance(error, ValidationError) and error.code == "text.too_long":
            words = errors.field_message(error, self.tr("Addendum"))
        else:
            words = errors.explain(error)
        self.addendum_failed.emit(words)

    def _on_failed(self, error: BaseException) -> None:
        self._drafts.set_busy(False)
        self.problem.emit(errors.explain(error))


__all__ = [
    "LEADS_TO",
    "InjectionViewModel",
    "Injections",
    "Opened",
    "PgdRegister",
    "SharedDecisions",
    "Studies",
]
