"""Red-flag actions: outcomes waiting for an action, actions outstanding, recording and done."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.red_flags.views import (
    ActionKind,
    AwaitingAction,
    RedFlagActionView,
)
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.drafts import DraftStore, FormDraft
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

DRAFT_KIND = "red_flag_actions"

#: What was typed into one outcome's form and not recorded: ``{"kind": ..., "details": {...}}``.
TypedAction = dict[str, object]


class RedFlagActions(Protocol):
    """The part of the red-flag service this screen uses."""

    def awaiting_action(
        self, actor: CurrentUser, patient_id: uuid.UUID
    ) -> list[AwaitingAction]: ...

    def actions(
        self, actor: CurrentUser, patient_id: uuid.UUID, *, outstanding_only: bool = False
    ) -> list[RedFlagActionView]: ...

    def record_action(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        screening_id: uuid.UUID,
        kind: ActionKind | str,
        details: Mapping[str, str],
    ) -> RedFlagActionView: ...

    def mark_action_done(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        action_id: uuid.UUID,
        note: str | None = None,
    ) -> RedFlagActionView: ...


class RedFlagActionsViewModel(QObject):
    """One patient's red-flag outcomes still to act on and actions still to finish."""

    loaded = Signal(object, object)
    """``(awaiting: list[AwaitingAction], actions: list[RedFlagActionView])``."""
    saved = Signal(object)
    done = Signal(object)
    save_failed = Signal(str, object, object)
    """``(screening id, headline, {field: words})``."""
    done_failed = Signal(str, str)
    """``(action id, words)``."""
    problem = Signal(str)
    busy_changed = Signal(bool)
    draft_restored = Signal(object)
    """``{screening id: TypedAction}``: the user's draft for this patient, back on the forms."""

    def __init__(
        self,
        red_flags: RedFlagActions,
        drafts: DraftStore,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = red_flags
        self._runner = runner
        self._session = session
        self._patient_id: uuid.UUID | None = None
        self._busy = False
        self.awaiting: list[AwaitingAction] = []
        self.actions: list[RedFlagActionView] = []
        #: What was typed and not recorded, by screening id: the user's draft for the patient.
        self.typed: dict[str, TypedAction] = {}
        self._draft = FormDraft(drafts, runner, session, DRAFT_KIND, parent=self)
        self._draft.restored.connect(self._on_draft_restored)
        self._draft.failed.connect(self.problem)

    @property
    def patient_id(self) -> uuid.UUID | None:
        return self._patient_id

    def start(self, patient_id: uuid.UUID) -> None:
        """Show this patient's outcomes waiting for an action and the actions recorded."""
        if patient_id != self._patient_id:
            self.awaiting, self.actions = [], []
            self.loaded.emit(self.awaiting, self.actions)
        self._patient_id = patient_id
        self.refresh()
        # Another patient's typing is kept first; this one's comes back after the forms.
        if self._draft.move_to(str(patient_id)):
            self.typed = {}

    def form_changed(self, screening_id: str, kind: str, details: Mapping[str, str]) -> None:
        """Something was typed into an outcome's form: kept as the draft once typing pauses."""
        if self._patient_id is None or self._draft.key != str(self._patient_id):
            return
        if details:
            self.typed[screening_id] = {"kind": kind, "details": dict(details)}
        else:
            self.typed.pop(screening_id, None)
        self._draft.update(dict(self.typed))

    def save_draft_now(self) -> None:
        """Keep what is typed and not recorded as the user's draft, now (lock, switch user)."""
        self._draft.save_now()

    def forget_draft(self) -> None:
        """Drop the typing held in memory, the store untouched (switching user or patient)."""
        self._draft.forget()
        self._draft.set_key(None)
        self.typed = {}

    def clear(self) -> None:
        """Forget the patient (switching user or patient)."""
        self._patient_id = None
        self.awaiting, self.actions = [], []
        self.loaded.emit(self.awaiting, self.actions)

    def refresh(self) -> None:
        patient_id = self._patient_id
        if patient_id is None:
            return
        actor = self._session.require_user()
        service = self._service

        def load() -> tuple[list[AwaitingAction], list[RedFlagActionView]]:
            return service.awaiting_action(actor, patient_id), service.actions(actor, patient_id)

        self._runner.run_store(
            load,
            on_done=lambda result: self._on_loaded(patient_id, result),
            on_failed=self._on_failed,
            supersede="red_flags.actions",
        )

    def record(self, screening_id: uuid.UUID, kind: ActionKind, details: Mapping[str, str]) -> None:
        """Record the action taken for a screening of the patient on show."""
        patient_id = self._patient_id
        if patient_id is None or self._busy:
            return
        actor = self._session.require_user()
        chosen = dict(details)
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._service.record_action(actor, patient_id, screening_id, kind, chosen),
            on_done=self._on_saved,
            on_failed=lambda error: self._on_save_failed(screening_id, error),
        )

    def mark_done(self, action_id: uuid.UUID, note: str = "") -> None:
        """Record that an outstanding action is done."""
        patient_id = self._patient_id
        if patient_id is None or self._busy:
            return
        actor = self._session.require_user()
        self._set_busy(True)
        self._runner.run_store(
            lambda: self._service.mark_action_done(actor, patient_id, action_id, note or None),
            on_done=self._on_done,
            on_failed=lambda error: self._on_done_failed(action_id, error),
        )

    # ------------------------------------------------------------------ results

    def _on_loaded(
        self,
        patient_id: uuid.UUID,
        result: tuple[list[AwaitingAction], list[RedFlagActionView]],
    ) -> None:
        if patient_id != self._patient_id:
            return  # another patient was opened meanwhile
        self.awaiting, self.actions = result
        self.loaded.emit(self.awaiting, self.actions)

    def _on_draft_restored(self, payload: dict[str, object]) -> None:
        if self._draft.key != str(self._patient_id):
            return  # never another patient's typing
        self.typed = {
            screening_id: {"kind": entry.get("kind"), "details": entry.get("details")}
            for screening_id, entry in payload.items()
            if isinstance(entry, dict)
            and isinstance(entry.get("kind"), str)
            and isinstance(entry.get("details"), dict)
        }
        self.draft_restored.emit(dict(self.typed))

    def _on_saved(self, action: RedFlagActionView) -> None:
        self._set_busy(False)
        key = str(action.screening_id)
        if action.patient_id == self._patient_id and key in self.typed:
            # Recorded: its typing is no longer a draft (the rest of the patient's stays).
            del self.typed[key]
            self._draft.update(dict(self.typed))
            self._draft.save_now()
        self.saved.emit(action)
        self.refresh()

    def _on_save_failed(self, screening_id: uuid.UUID, error: BaseException) -> None:
        self._set_busy(False)
        self.save_failed.emit(str(screening_id), errors.message_for(error), error)

    def _on_done(self, action: RedFlagActionView) -> None:
        self._set_busy(False)
        self.done.emit(action)
        self.refresh()

    def _on_done_failed(self, action_id: uuid.UUID, error: BaseException) -> None:
        self._set_busy(False)
        self.done_failed.emit(str(action_id), errors.explain(error))

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
