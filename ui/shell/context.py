"""What the shell offers the screens it builds (``ui.common.screen.ShellContext``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from clinic_app.people.views import PatientRecord
from ui.common import errors
from ui.common.screen import Screen
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

if TYPE_CHECKING:
    # The services' Protocols are composed from every screen's view model: types only,
    # so that the sign-in window does not wait for the screens' modules.
    from ui.shell.services import ClinicServices
    from ui.shell.window import ShellWindow


class WindowContext(QObject):
    """The patient in the window, the one broadcast of changed records, and ways to open pages.

    Screens hold this, never the window: they cannot reach into each other through it.
    """

    record_changed = Signal(str, object)
    patient_changed = Signal(object)
    signed_in = Signal(object)

    def __init__(self, window: ShellWindow) -> None:
        super().__init__(window)
        self._window = window
        self._patient: PatientRecord | None = None
        self._body_regions: Callable[[], Sequence[str]] | None = None

    @property
    def services(self) -> ClinicServices:
        return self._window.services

    @property
    def runner(self) -> TaskRunner:
        return self._window.runner

    @property
    def session(self) -> UserSession:
        return self._window.session

    @property
    def owner(self) -> QObject:
        return self._window

    @property
    def patient(self) -> PatientRecord | None:
        return self._patient

    def set_patient(self, record: PatientRecord | None) -> None:
        self._patient = record
        self.patient_changed.emit(record)
        self._window.update_actions()

    def announce(self, kind: str, patient_id: uuid.UUID | None) -> None:
        self.record_changed.emit(kind, patient_id)

    def open(self, screen_id: str, item: object = None) -> None:
        self._window.open_screen(screen_id, item)

    def show(self, screen: Screen) -> None:
        self._window.show_screen(screen)

    def is_showing(self, screen: Screen) -> bool:
        return self._window.showing(screen)

    def say(self, text: str, kind: str = "problem") -> None:
        self._window.notice.show_notice(text, kind)

    def say_on(self, screen_id: str, text: str, kind: str = "info") -> None:
        self._window.say_on(screen_id, text, kind)

    def explain_failure(self, error: BaseException) -> None:
        self.say(errors.explain(error), "problem")

    def hand_over(self, to_patient: bool) -> None:
        self._window.hand_over(to_patient)

    def provide_body_regions(self, provider: Callable[[], Sequence[str]]) -> None:
        self._body_regions = provider

    def body_regions(self) -> tuple[str, ...]:
        return tuple(self._body_regions()) if self._body_regions is not None else ()
