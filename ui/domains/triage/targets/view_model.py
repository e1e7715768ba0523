"""The waiting-time targets' state: read, change and put back the service's own amounts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.triage.content import ServiceRules
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class SettingsStore(Protocol):
    """The part of the settings service this screen uses."""

    def waiting_times(self, actor: CurrentUser) -> ServiceRules: ...

    def default_waiting_times(self) -> ServiceRules: ...

    def can_manage(self, actor: CurrentUser) -> bool: ...

    def set_waiting_times(
        self,
        actor: CurrentUser,
        amounts: Mapping[str, object] | None = None,
        *,
        active: Mapping[str, object] | None = None,
        near: Mapping[str, object] | None = None,
        reset: Iterable[str] = (),
    ) -> ServiceRules: ...


class WaitingTimesViewModel(QObject):
    """The rules in force, whether this user may change them, and saving a change."""

    loaded = Signal(object)
    saved = Signal(object)
    problem = Signal(str)
    field_errors_changed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(
        self,
        settings: SettingsStore,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._runner = runner
        self._session = session
        self.rules: ServiceRules | None = None
        self.defaults: ServiceRules | None = None
        self.can_change = False
        self._busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    def load(self) -> None:
        """Read the rules in force and what the service changed."""
        actor = self._session.user
        if actor is None:
            return
        settings = self._settings

        def read() -> tuple[ServiceRules, ServiceRules, bool]:
            return (
                settings.waiting_times(actor),
                settings.default_waiting_times(),
                settings.can_manage(actor),
            )

        self._runner.run_store(read, on_done=self._on_loaded, on_failed=self._on_failed)

    def save(
        self,
        amounts: Mapping[str, int],
        active: Mapping[str, bool],
        near: Mapping[str, int],
    ) -> None:
        """Store the values shown; only those that differ from the defaults are kept."""
        self._write(
            lambda actor: self._settings.set_waiting_times(actor, amounts, active=active, near=near)
        )

    def reset_all(self) -> None:
        """Put every rule and the near thresholds back to the shipped, cited defaults."""
        rule_ids = [rule.rule_id for rule in self.rules.rules] if self.rules else []
        self._write(
            lambda actor: self._settings.set_waiting_times(actor, reset=[*rule_ids, "near"])
        )

    def _write(self, work: Callable[[CurrentUser], ServiceRules]) -> None:
        if self._busy:
            return
        actor = self._session.require_user()
        self.field_errors_changed.emit({})
        self._set_busy(True)
        self._runner.run_store(
            lambda: work(actor), on_done=self._on_saved, on_failed=self._on_save_failed
        )

    def _on_loaded(self, loaded: tuple[ServiceRules, ServiceRules, bool]) -> None:
        self.rules, self.defaults, self.can_change = loaded
        self.loaded.emit(self.rules)

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))

    def _on_saved(self, rules: ServiceRules) -> None:
        self._set_busy(False)
        self.saved.emit(rules)
        self.load()

    def _on_save_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        by_field = errors.errors_by_field(error)
        self.field_errors_changed.emit(by_field)
        self.problem.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
