"""The sync screen's state: status, refused changes, conflicts, and choosing a value."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import ConflictView, IssueView, StoreStatus
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

_CONFLICTS = "sync-conflicts"


class SyncControls(Protocol):
    """The part of the sync service this screen uses."""

    def configured(self) -> bool: ...

    def server_url(self) -> str | None: ...

    def issues(self, actor: CurrentUser) -> list[IssueView]: ...

    def server_for_conflicts(self, actor: CurrentUser) -> Any: ...

    def fetch_conflicts(self, server: Any) -> list[Any]: ...

    def describe_conflicts(self, actor: CurrentUser, found: list[Any]) -> list[ConflictView]: ...

    def server_for_choice(self, actor: CurrentUser, conflict: ConflictView) -> Any: ...

    def send_choice(
        self, server: Any, actor: CurrentUser, conflict: ConflictView, value: Any
    ) -> None: ...

    def mark_resolved(self, conflict: ConflictView) -> None: ...

    def wake(self) -> None: ...


class StatusSource(Protocol):
    """The status bar's source, reused for the screen's summary."""

    def current(self, actor: CurrentUser) -> StoreStatus: ...


class SyncViewModel(QObject):
    """Loads what the screen shows: store reads on the store worker, the server on the I/O pool."""

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
        sync = self._sync

        def unavailable(error: BaseException) -> None:
            self.conflicts_unavailable.emit(errors.explain(error))

        # Three steps, each superseding the one before under the same key, so a newer load
        # drops whichever step an older one has reached: who may look and where the server
        # is (store), the server's answer (network), then whose records they are (store).
        def describe(found: list[Any]) -> None:
            self._runner.run_store(
                lambda: sync.describe_conflicts(actor, found),
                on_done=self.conflicts_loaded.emit,
                on_failed=unavailable,
                supersede=_CONFLICTS,
            )

        def fetch(server: Any) -> None:
            self._runner.run_io(
                lambda: sync.fetch_conflicts(server),
                on_done=describe,
                on_failed=unavailable,
                supersede=_CONFLICTS,
            )

        self._runner.run_store(
            lambda: sync.server_for_conflicts(actor),
            on_done=fetch,
            on_failed=unavailable,
            supersede=_CONFLICTS,
        )

    def sync_now(self) -> None:
        """Ask background sync to run now."""
        self._sync.wake()

    def choose(self, conflict: ConflictView, value: Any) -> None:
        """Keep ``value`` for a conflict's field, everywhere.

        The choice is audited on the store worker, sent to the server on the I/O pool, then
        this device's note of the conflict is closed on the store worker.
        """
        actor = self._session.require_user()
        sync = self._sync

        def mark(_sent: None) -> None:
            self._runner.run_store(
                lambda: sync.mark_resolved(conflict),
                on_done=lambda _none: self._on_resolved(conflict),
                on_failed=self._on_failed,
            )

        def send(server: Any) -> None:
            self._runner.run_io(
                lambda: sync.send_choice(server, actor, conflict, value),
                on_done=mark,
                on_failed=self._on_failed,
            )

        self._runner.run_store(
            lambda: sync.server_for_choice(actor, conflict), on_done=send, on_failed=self._on_failed
        )

    def _on_resolved(self, conflict: ConflictView) -> None:
        self.resolved.emit(conflict.id)
        self.load()

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))
