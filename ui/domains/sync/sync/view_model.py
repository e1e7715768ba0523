"""The sync screen's state: status, refused changes, conflicts, and choosing a value."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import ConflictView, IssueView, StoreStatus
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class SyncControls(Protocol):
    """The part of the sync service this screen uses."""

    def configured(self) -> bool: ...

    def server_url(self) -> str | None: ...

    def issues(self, actor: CurrentUser) -> list[IssueView]: ...

    def conflicts(self, actor: CurrentUser) -> list[ConflictView]: ...

    def resolve(self, actor: CurrentUser, conflict: ConflictView, value: Any) -> None: ...

    def wake(self) -> None: ...


class StatusSource(Protocol):
    """The status bar's source, reused for the screen's summary."""

    def current(self, actor: CurrentUser) -> StoreStatus: ...


class SyncViewModel(QObject):
    """Loads what the screen shows; the network parts on the I/O pool, never the UI thread."""

    status_loaded = Signal(object)
    issues_loaded = Signal(object)
    conflicts_loaded = Signal(object)
    conflicts_unavailable = Signal(str)
    resolved = Signal(str)
    problem = Signal(str)

    def __init__(
        self,
        sync: SyncControls,
        status: StatusSource,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sync = sync
        self._status = status
        self._runner = runner
        self._session = session
        self.configured = False
        self.server_url: str | None = None

    def load(self) -> None:
        """Read the status and the local problems, then ask the server for conflicts."""
        actor = self._session.user
        if actor is None:
            return
        sync = self._sync

        def local() -> tuple[StoreStatus, list[IssueView], bool, str | None]:
            return (
                self._status.current(actor),
                sync.issues(actor),
                sync.configured(),
                sync.server_url(),
            )

        self._runner.run_store(local, on_done=self._on_local, on_failed=self._on_failed)

    def _on_local(self, loaded: tuple[StoreStatus, list[IssueView], bool, str | None]) -> None:
        status, issues, self.configured, self.server_url = loaded
        self.status_loaded.emit(status)
        self.issues_loaded.emit(issues)
        if not self.configured:
            self.conflicts_loaded.emit([])
            return
        actor = self._session.user
        if actor is None:
            return
        self._runner.run_io(
            lambda: self._sync.conflicts(actor),
            on_done=self.conflicts_loaded.emit,
            on_failed=lambda error: self.conflicts_unavailable.emit(errors.explain(error)),
            supersede="sync-conflicts",
        )

    def sync_now(self) -> None:
        """Ask background sync to run now."""
        self._sync.wake()

    def choose(self, conflict: ConflictView, value: Any) -> None:
        """Keep ``value`` for a conflict's field, everywhere."""
        actor = self._session.require_user()
        self._runner.run_io(
            lambda: self._sync.resolve(actor, conflict, value),
            on_done=lambda _none: self._on_resolved(conflict),
            on_failed=self._on_failed,
        )

    def _on_resolved(self, conflict: ConflictView) -> None:
        self.resolved.emit(conflict.id)
        self.load()

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))
