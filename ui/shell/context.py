"""What the shell offers the screens it builds (``ui.common.screen.ShellContext``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from clinic_app.people.views import PatientRecord
from ui.common import errors
from ui.common.epoch import Epoch
from ui.common.screen import Screen
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

if TYPE_CHECKING:
    # The services' Protocols are composed from every screen's view model: types only,
    # so that the sign-in window does not wait for the screens' modules.
    from ui.shell.services import ClinicServices
    from ui.shell.window import ShellWindow

_T = TypeVar("_T")


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
        self._body_chart_patient: Callable[[], uuid.UUID | None] | None = None
        #: Raised by each choice of patient (a list's row, the search, another patient made
        #: the window's): a record read for an earlier choice is dropped when it comes.
        self._choice = Epoch()

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
        """Make ``record`` the window's one patient (None: no patient open).

        When the patient is another one (or none), every screen about one patient saves what
        is typed and forgets its patient, and every notice goes, before anyone hears of the
        new patient: nothing of the last patient stays on screen for the next.
        """
        self._set(record, forget=True)

    def close_patient(self) -> None:
        """No patient open, the screens already reset by the caller (switching user)."""
        # A record the last user asked for never opens for the next.
        self._choice.advance()
        self._set(None, forget=False)

    def choose_patient(self, then: Callable[[_T], object]) -> Callable[[_T], None]:
        """A patient is chosen now: ``then`` for its answer, unless another is chosen first.

        Every record read for an earlier choice is late from here on: the patient last asked
        for is the one who opens, never one whose answer happened to come after.
        """
        self._choice.advance()
        return self._choice.guard(then)

    def open_listed_patient(
        self, patient_id: uuid.UUID, then: Callable[[PatientRecord], object]
    ) -> None:
        """Read a listed patient's record for ``then`` (as :meth:`choose_patient`)."""
        user = self.session.user
        if user is None:
            return
        patients = self.services.patients
        self.runner.run_store(
            lambda: patients.open(user, patient_id),
            on_done=self.choose_patient(then),
            on_failed=self._choice.guard(self.explain_failure),
        )

    def _set(self, record: PatientRecord | None, *, forget: bool) -> None:
        previous = self._patient
        before = self._patient.id if self._patient is not None else None
        after = record.id if record is not None else None
        self._patient = record
        # A sync round lets go of no patient while they are open here (their registrations
        # merged in too), nor of the one just left until what was typed for them is saved.
        self.services.sync.keep_open(_ids(record) | _ids(previous))
        if before is not None and before != after:
            self.runner.run_store(
                _nothing, on_done=lambda _done: self.services.sync.keep_open(_ids(self._patient))
            )
        if forget and before != after:
            # From no patient, what is on show came since the last one closed: it stays.
            self._window.forget_patient(notices=before is not None)
        self._window.show_patient(record)
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
        # Signed out (or switching user), nothing is said: a late answer may name a patient.
        # Locked, it is kept for unlocking, never shown on the lock screen.
        if self._window.may_say():
            self._window.say(text, kind)

    def say_on(self, screen_id: str, text: str, kind: str = "info") -> None:
        self._window.say_on(screen_id, text, kind)

    def explain_failure(self, error: BaseException) -> None:
        self.say(errors.explain(error), "problem")

    def hand_over(self, to_patient: bool) -> None:
        self._window.hand_over(to_patient)
        if not to_patient:
            # Whatever waited for the device to come back (a record read again) goes now.
            self.record_changed.emit("handed.back", None)

    @property
    def handed_over(self) -> bool:
        return self._window.handed_over

    def provide_body_regions(
        self,
        provider: Callable[[], Sequence[str]],
        patient_id: Callable[[], uuid.UUID | None],
    ) -> None:
        self._body_regions = provider
        self._body_chart_patient = patient_id

    def body_regions(self) -> tuple[str, ...]:
        # The chart stays filled after its patient is left: its regions count only while
        # it belongs to the patient in the banner.
        if self._body_regions is None or self._body_chart_patient is None:
            return ()
        if self._patient is None or self._body_chart_patient() != self._patient.id:
            return ()
        return tuple(self._body_regions())


def _ids(record: PatientRecord | None) -> set[uuid.UUID]:
    """A record's patient and the registrations merged into it."""
    return set() if record is None else {record.id, *record.merged_ids}


def _nothing() -> None:
    """Store work that waits its turn behind the saves queued before it."""
