"""Clinicians' regular sessions: the list, adding and changing one, giving one its last day."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.appointments.views import (
    Choice,
    ClinicianChoice,
    SessionInput,
    SessionView,
)
from clinic_app.kernel.current_user import CurrentUser
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class SessionKeeper(Protocol):
    """The part of the appointment service the sessions screen uses."""

    def clinicians(self, actor: CurrentUser) -> list[ClinicianChoice]: ...

    def sites(self, actor: CurrentUser) -> list[Choice]: ...

    def sessions(
        self,
        actor: CurrentUser,
        *,
        clinician_id: uuid.UUID | None = None,
        site_id: uuid.UUID | None = None,
    ) -> list[SessionView]: ...

    def save_session(
        self, actor: CurrentUser, session_id: uuid.UUID | None, data: SessionInput
    ) -> SessionView: ...

    def end_session(
        self, actor: CurrentUser, session_id: uuid.UUID, last_day: str
    ) -> SessionView: ...


@dataclass(frozen=True)
class SessionsOnFile:
    """The sessions, and who and where they can be for."""

    sessions: tuple[SessionView, ...]
    clinicians: tuple[ClinicianChoice, ...]
    sites: tuple[Choice, ...]


def _text(values: Mapping[str, object], name: str) -> str:
    value = values.get(name, "")
    return value if isinstance(value, str) else ""


def _id(values: Mapping[str, object], name: str) -> uuid.UUID | None:
    value = values.get(name)
    return value if isinstance(value, uuid.UUID) else None


def session_input(values: Mapping[str, object]) -> SessionInput:
    """The form as the service takes it."""
    weekday = values.get("weekday")
    return SessionInput(
        clinician_id=_id(values, "clinician_id"),
        site_id=_id(values, "site_id"),
        room=_text(values, "room"),
        weekday=weekday if isinstance(weekday, int) else -1,
        starts=_text(values, "starts"),
        ends=_text(values, "ends"),
        slot_minutes=_text(values, "slot_minutes"),
        appointment_type=_text(values, "appointment_type"),
        valid_from=_text(values, "valid_from"),
        valid_until=_text(values, "valid_until"),
    )


class SessionsViewModel(QObject):
    """The sessions on file, read and changed off the UI thread."""

    loaded = Signal(object)
    #: ``(SessionView, what)``: ``added``, ``changed`` or ``ended``.
    saved = Signal(object, str)
    problem = Signal(str)
    field_errors_changed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(
        self,
        appointments: SessionKeeper,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = appointments
        self._runner = runner
        self._session = session
        self._on_file: SessionsOnFile | None = None
        self._busy = False
        self._generation = 0

    @property
    def on_file(self) -> SessionsOnFile | None:
        return self._on_file

    @property
    def busy(self) -> bool:
        return self._busy

    def session_view(self, session_id: uuid.UUID) -> SessionView | None:
        sessions = self._on_file.sessions if self._on_file is not None else ()
        return next((s for s in sessions if s.id == session_id), None)

    def load(self) -> None:
        actor = self._session.user
        if actor is None:
            return
        generation = self._generation

        def read() -> SessionsOnFile:
            return SessionsOnFile(
                tuple(self._service.sessions(actor)),
                tuple(self._service.clinicians(actor)),
                tuple(self._service.sites(actor)),
            )

        self._runner.run_store(
            read,
            on_done=lambda found: self._on_loaded(found, generation),
            on_failed=lambda error: self.problem.emit(errors.explain(error)),
            supersede=f"sessions-{id(self)}",
        )

    def save(self, session_id: uuid.UUID | None, values: Mapping[str, object]) -> None:
        """Add a session (``session_id`` None) or change one."""
        if self._busy:
            return
        actor = self._session.require_user()
        data = session_input(values)
        what = "added" if session_id is None else "changed"
        self._start()
        self._runner.run_store(
            lambda: self._service.save_session(actor, session_id, data),
            on_done=lambda result: self._on_saved(result, what),
            on_failed=self._on_failed,
        )

    def end(self, session_id: uuid.UUID, last_day: str) -> None:
        """Give the session its last day."""
        if self._busy or self.session_view(session_id) is None:
            return
        actor = self._session.require_user()
        self._start()
        self._runner.run_store(
            lambda: self._service.end_session(actor, session_id, last_day),
            on_done=lambda result: self._on_saved(result, "ended"),
            on_failed=self._on_failed,
        )

    def clear(self) -> None:
        self._generation += 1
        self._on_file = None
        self._set_busy(False)
        self.field_errors_changed.emit({})
        self.loaded.emit(None)

    def _start(self) -> None:
        self.field_errors_changed.emit({})
        self._set_busy(True)

    def _on_loaded(self, found: SessionsOnFile, generation: int) -> None:
        if generation == self._generation:
            self._on_file = found
            self.loaded.emit(found)

    def _on_saved(self, result: SessionView, what: str) -> None:
        self._set_busy(False)
        self.saved.emit(result, what)
        self.load()

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.field_errors_changed.emit(errors.errors_by_field(error))
        self.problem.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
