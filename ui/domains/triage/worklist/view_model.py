"""The triage worklist's state: the referrals waiting for triage and recording a decision."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.triage.views import TriageInput, TriageView, WorklistItem
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.people.views import Choice
from ui.common import errors
from ui.common.drafts import DraftStore, FormDraft
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

#: The outcome that books an appointment; with diagnostics first it becomes the next one.
APPOINTMENT = "appointment"
APPOINTMENT_AFTER_DIAGNOSTICS = "appointment_after_diagnostics"
RETURN_TO_REFERRER = "return_to_referrer"
_REFRESH_KEY = "triage-worklist"
#: What the form fills in from the referral itself: not typing of the user's own.
_FILLED_IN = frozenset({"priority", "pathway"})


class TriageRecorder(Protocol):
    """The part of the triage service this screen uses."""

    def worklist(self, actor: CurrentUser, today: date | None = None) -> list[WorklistItem]: ...

    def triage(
        self, actor: CurrentUser, referral_id: uuid.UUID, data: TriageInput
    ) -> TriageView: ...


class ReferenceChoices(Protocol):
    """Reference lists as choices (cheap, cached lookups)."""

    def choices(self, list_name: str) -> list[Choice]: ...


def _text(values: Mapping[str, object], name: str) -> str:
    value = values.get(name, "")
    return value if isinstance(value, str) else ""


def outcome_code(outcome: str, diagnostics: bool) -> str:
    """The stored outcome: an appointment with diagnostics first has a code of its own."""
    if outcome == APPOINTMENT and diagnostics:
        return APPOINTMENT_AFTER_DIAGNOSTICS
    return outcome


def books_appointment(outcome: str) -> bool:
    """True when the outcome books an appointment, so a pathway is chosen."""
    return outcome in {APPOINTMENT, APPOINTMENT_AFTER_DIAGNOSTICS}


class WorklistViewModel(QObject):
    """Holds the worklist; refreshes it and records triage decisions on the store worker."""

    items_changed = Signal(object)
    triaged = Signal(object)
    problem = Signal(str)
    field_errors_changed = Signal(object)
    busy_changed = Signal(bool)
    #: ``(referral_id, values)``: the signed-in user's unrecorded triage of that referral.
    draft_restored = Signal(object, object)

    def __init__(
        self,
        triage: TriageRecorder,
        reference: ReferenceChoices,
        *,
        runner: TaskRunner,
        session: UserSession,
        drafts: DraftStore | None = None,
        today: Callable[[], date | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._triage = triage
        # What a user types about a referral is kept as their draft of it until recorded,
        # through choosing another referral, locking and switching user.
        self._draft = (
            FormDraft(drafts, runner, session, "triage", ignore_for_blank=_FILLED_IN, parent=self)
            if drafts is not None
            else None
        )
        if self._draft is not None:
            self._draft.restored.connect(self._on_draft_restored)
        self._reference = reference
        self._runner = runner
        self._session = session
        # None lets the service use the clinic's own today; tests may fix the day.
        self._today = today or (lambda: None)
        self._items: list[WorklistItem] = []
        self._lists: dict[str, list[Choice]] = {}
        self._busy = False
        self._loaded = False

    @property
    def items(self) -> list[WorklistItem]:
        return list(self._items)

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def loaded(self) -> bool:
        """True once the worklist has been read at least once."""
        return self._loaded

    def item(self, referral_id: uuid.UUID) -> WorklistItem | None:
        """The worklist entry for ``referral_id``, if it is still waiting."""
        return next((item for item in self._items if item.referral_id == referral_id), None)

    def choices(self, list_name: str) -> list[Choice]:
        """A reference list (cached)."""
        if list_name not in self._lists:
            self._lists[list_name] = list(self._reference.choices(list_name))
        return list(self._lists[list_name])

    def outcome_choices(self) -> list[Choice]:
        """Outcomes as the form offers them: diagnostics first is a tick under "appointment"."""
        return [
            c for c in self.choices("triage_outcome") if c.code != APPOINTMENT_AFTER_DIAGNOSTICS
        ]

    def label(self, list_name: str, code: str | None) -> str:
        """The words for ``code`` in ``list_name``; the code itself when the list lacks it."""
        if not code:
            return ""
        return next((c.label for c in self.choices(list_name) if c.code == code), code)

    def refresh(self) -> None:
        """Read the worklist again; a newer refresh supersedes an older one."""
        actor = self._session.user
        if actor is None:
            return
        today = self._today()
        self._runner.run_store(
            lambda: self._triage.worklist(actor, today=today),
            on_done=self._on_worklist_read,
            on_failed=self._on_refresh_failed,
            supersede=_REFRESH_KEY,
        )

    def triage(self, referral_id: uuid.UUID, values: Mapping[str, object]) -> None:
        """Record the triage of one referral; ``triaged`` or the problems to show follow."""
        if self._busy:
            return
        actor = self._session.require_user()
        diagnostics = values.get("diagnostics") is True
        outcome = outcome_code(_text(values, "outcome"), diagnostics)
        data = TriageInput(
            outcome=outcome,
            priority=_text(values, "priority"),
            pathway=_text(values, "pathway") if books_appointment(outcome) else "",
            reason=_text(values, "reason"),
            advice=_text(values, "advice"),
        )
        self.field_errors_changed.emit({})
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._triage.triage(actor, referral_id, data),
            on_done=self._on_triaged,
            on_failed=self._on_triage_failed,
        )

    def choose(self, referral_id: uuid.UUID | None) -> None:
        """The referral the form is now about: the last one's typing is kept, this one's read."""
        if self._draft is not None:
            self._draft.move_to(str(referral_id) if referral_id is not None else None)

    def form_changed(self, referral_id: uuid.UUID, values: Mapping[str, object]) -> None:
        """Something was typed about ``referral_id``: kept as a draft once typing pauses."""
        if self._draft is not None and self._draft.key == str(referral_id):
            self._draft.update(values)

    def save_draft_now(self) -> None:
        """Write what was typed now (on lock, on switching user)."""
        if self._draft is not None:
            self._draft.save_now()

    def clear(self) -> None:
        """Forget the list without touching the store (after sign-out)."""
        if self._draft is not None:
            self._draft.forget()
            self._draft.set_key(None)
        self._items = []
        self._loaded = False
        self.field_errors_changed.emit({})
        self.items_changed.emit([])

    def _on_worklist_read(self, items: list[WorklistItem]) -> None:
        self._items = list(items)
        self._loaded = True
        self.items_changed.emit(self.items)

    def _on_refresh_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))

    def _on_draft_restored(self, payload: object) -> None:
        key = self._draft.key if self._draft is not None else None
        if key is not None:
            self.draft_restored.emit(uuid.UUID(key), payload)

    def _on_triaged(self, result: TriageView) -> None:
        self._set_busy(False)
        # Recorded: its draft goes (before the form moves on to the next referral).
        if self._draft is not None and self._draft.key == str(result.referral_id):
            self._draft.discard()
        # The decided referral leaves at once; the refresh then picks up others' changes.
        self._items = [item for item in self._items if item.referral_id != result.referral_id]
        self.items_changed.emit(self.items)
        self.triaged.emit(result)
        self.refresh()

    def _on_triage_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        by_field = errors.errors_by_field(error)
        self.field_errors_changed.emit(by_field)
        self.problem.emit(errors.explain(error))
        if isinstance(error, Conflict | NotFound):
            # Someone else triaged it, or it went: show the list as it is now.
            self.refresh()

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
