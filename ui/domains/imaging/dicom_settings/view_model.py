"""The DICOM settings' state: what is in force, whether this user may change it, saving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.imaging.views import DicomSettings, ListenerState
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import FormErrors
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class DicomSettingsStore(Protocol):
    """The part of the DICOM settings service this screen uses."""

    def current(self, actor: CurrentUser) -> DicomSettings: ...

    def change(self, actor: CurrentUser, **changes: Any) -> DicomSettings: ...


class Listeners(Protocol):
    """The app's DICOM listeners, restarted after a change."""

    @property
    def state(self) -> ListenerState: ...

    def start(self) -> ListenerState: ...


class DicomSettingsViewModel(QObject):
    """Loads the settings and the listeners' state; saves a change and restarts them."""

    loaded = Signal(object, object)
    saved = Signal(object, object)
    problem = Signal(str)
    field_errors_changed = Signal(object)

    def __init__(
        self,
        settings: DicomSettingsStore,
        listeners: Listeners,
        *,
        runner: TaskRunner,
        session: UserSession,
        can_change: Callable[[CurrentUser], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._listeners = listeners
        self._runner = runner
        self._session = session
        self._can_change = can_change
        self.can_change = False

    def load(self) -> None:
        """Read the settings in force and whether the listeners run."""
        actor = self._session.user
        if actor is None:
            return
        self.can_change = bool(self._can_change(actor))
        settings, listeners = self._settings, self._listeners
        self._runner.run_store(
            lambda: (settings.current(actor), listeners.state),
            on_done=lambda loaded: self.loaded.emit(*loaded),
            on_failed=self._on_failed,
        )

    def save(self, changes: dict[str, Any]) -> None:
        """Change the settings, then start (or stop) the listeners to match."""
        actor = self._session.user
        if actor is None:
            return
        settings, listeners = self._settings, self._listeners

        def work() -> tuple[DicomSettings, ListenerState]:
            return settings.change(actor, **changes), listeners.start()

        def done(result: tuple[DicomSettings, ListenerState]) -> None:
            self.field_errors_changed.emit({})
            self.saved.emit(*result)

        self._runner.run_store(work, on_done=done, on_failed=self._on_failed)

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, FormErrors):
            self.field_errors_changed.emit(errors.field_messages(error))
            return
        self.problem.emit(errors.explain(error))
