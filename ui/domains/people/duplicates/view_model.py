"""The possible duplicates' state: the open pairs, and merging or dismissing the one chosen."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PossibleDuplicate
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class DuplicateStore(Protocol):
    """The part of the duplicates service this screen uses."""

    def open_duplicates(self, actor: CurrentUser) -> list[PossibleDuplicate]: ...

    def merge(
        self, actor: CurrentUser, duplicate_id: uuid.UUID, survivor_id: uuid.UUID, reason: str
    ) -> uuid.UUID: ...

    def dismiss(self, actor: CurrentUser, duplicate_id: uuid.UUID, reason: str) -> None: ...


class DuplicatesViewModel(QObject):
    """The pairs waiting for a decision, and a person's decision on one of them."""

    loaded = Signal(object)
    resolved = Signal(str)
    problem = Signal(str)
    field_errors_changed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(
        self,
        duplicates: DuplicateStore,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._duplicates = duplicates
        self._runner = runner
        self._session = session
        self.pairs: list[PossibleDuplicate] = []
        self._busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    def load(self) -> None:
        """Read the pairs waiting for a decision."""
        actor = self._session.user
        if actor is None:
            return
        duplicates = self._duplicates
        self._runner.run_store(
            lambda: duplicates.open_duplicates(actor),
            on_done=self._on_loaded,
            on_failed=self._on_failed,
        )

    def merge(self, duplicate_id: uuid.UUID, survivor_id: uuid.UUID, reason: str) -> None:
        """Merge the pair into the record to keep, with the reason given."""
        self._write(
            lambda actor: self._duplicates.merge(actor, duplicate_id, survivor_id, reason),
            "merged",
        )

    def dismiss(self, duplicate_id: uuid.UUID, reason: str) -> None:
        """Record that the two are not the same person."""
        self._write(
            lambda actor: self._duplicates.dismiss(actor, duplicate_id, reason), "dismissed"
        )

    def clear(self) -> None:
        self.pairs = []
        self.loaded.emit([])

    def _write(self, work: Callable[[CurrentUser], object], outcome: str) -> None:
        if self._busy:
            return
        actor = self._session.require_user()
        self.field_errors_changed.emit({})
        self._set_busy(True)

        def done(_result: object) -> None:
            self._set_busy(False)
            self.resolved.emit(outcome)
            self.load()

        self._runner.run_store(lambda: work(actor), on_done=done, on_failed=self._on_write_failed)

    def _on_loaded(self, pairs: list[PossibleDuplicate]) -> None:
        self.pairs = list(pairs)
        self.loaded.emit(self.pairs)

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))

    def _on_write_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.field_errors_changed.emit(errors.field_messages(error))
        self.problem.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
