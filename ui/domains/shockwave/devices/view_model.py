"""The device register's state: read, add a device, change one (a new service date, say)."""

from __future__ import annotations

import builtins
import uuid
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.shockwave.views import DeviceInput, DeviceView
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class Devices(Protocol):
    """The part of the device register the screen uses."""

    def list(self, actor: CurrentUser) -> builtins.list[DeviceView]: ...

    def add(self, actor: CurrentUser, data: DeviceInput) -> DeviceView: ...

    def update(self, actor: CurrentUser, device_id: uuid.UUID, data: DeviceInput) -> DeviceView: ...


class DevicesViewModel(QObject):
    """Every device of the register, and the one being added or changed."""

    listed = Signal(object)
    """The register (a tuple of ``DeviceView``)."""
    saved = Signal(object)
    problem = Signal(str)
    field_errors_changed = Signal(object)

    def __init__(
        self,
        devices: Devices,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._devices = devices
        self._runner = runner
        self._session = session
        self.devices: tuple[DeviceView, ...] = ()
        #: The device being changed (None: a new one is being added).
        self.editing: uuid.UUID | None = None

    def load(self) -> None:
        """Read the register again."""
        actor = self._session.user
        if actor is None:
            return
        devices = self._devices
        self._runner.run_store(
            lambda: tuple(devices.list(actor)),
            on_done=self._on_listed,
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
        )

    def edit(self, device_id: uuid.UUID | None) -> None:
        """Change the device named, or add a new one (None)."""
        self.editing = device_id
        self.field_errors_changed.emit({})

    def save(self, data: DeviceInput) -> None:
        """Add the device, or change the one being changed; the register is read again."""
        actor = self._session.require_user()
        devices, editing = self._devices, self.editing

        def save() -> tuple[DeviceView, tuple[DeviceView, ...]]:
            view = (
                devices.add(actor, data)
                if editing is None
                else devices.update(actor, editing, data)
            )
            return view, tuple(devices.list(actor))

        # Answered for the device it was asked for: one chosen meanwhile stays the one edited.
        self._runner.run_store(
            save,
            on_done=lambda found: self._on_saved(editing, found),
            on_failed=lambda error: self._on_save_failed(editing, error),
        )

    def reset(self) -> None:
        self.devices = ()
        self.editing = None
        self.listed.emit(())

    def _on_listed(self, devices: tuple[DeviceView, ...]) -> None:
        self.devices = devices
        self.listed.emit(devices)

    def _on_saved(
        self, asked_for: uuid.UUID | None, found: tuple[DeviceView, tuple[DeviceView, ...]]
    ) -> None:
        view, devices = found
        if self.editing == asked_for:
            # Still on the form: saving again changes this device (it is not added twice).
            self.editing = view.id
            self.field_errors_changed.emit({})
        self._on_listed(devices)
        self.saved.emit(view)

    def _on_save_failed(self, asked_for: uuid.UUID | None, error: BaseException) -> None:
        if self.editing == asked_for:
            self.field_errors_changed.emit(errors.field_messages(error))
        self.problem.emit(errors.explain(error))


__all__ = ["Devices", "DevicesViewModel"]
