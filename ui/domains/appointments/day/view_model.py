"""A day list's state: which day (and site), its appointments, and the attendance steps."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.appointments.views import (
    AppointmentView,
    Choice,
    DayEntry,
    DayList,
    DnaCheck,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.people.views import PatientRecord
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner

#: The attendance steps the list offers, by the status each may start from.
STEP_FROM: dict[str, frozenset[str]] = {
    "arrive": frozenset({"booked"}),
    "call_in": frozenset({"booked", "arrived"}),
    "finish": frozenset({"arrived", "in_room"}),
    "dna": frozenset({"booked"}),
}

ARRIVAL = "arrival"
"""Who may take a step: marking arrivals (reception too)."""
CONTACT = "contact"
"""Who may take a step: recording the contact itself (clinicians only)."""
STEP_NEEDS = {"arrive": ARRIVAL, "call_in": CONTACT, "finish": CONTACT, "dna": CONTACT}


class DayKeeper(Protocol):
    """The part of the appointment service the day lists use."""

    def sites(self, actor: CurrentUser) -> list[Choice]: ...

    def day(
        self,
        actor: CurrentUser,
        *,
        day: date | None = None,
        clinician_id: uuid.UUID | None = None,
    ) -> DayList: ...

    def site_day(
        self, actor: CurrentUser, site_id: uuid.UUID, day: date | None = None
    ) -> DayList: ...

    def arrive(self, actor: CurrentUser, appointment_id: uuid.UUID) -> AppointmentView: ...

    def call_in(self, actor: CurrentUser, appointment_id: uuid.UUID) -> AppointmentView: ...

    def finish(
        self, actor: CurrentUser, appointment_id: uuid.UUID, *, minutes: str = ""
    ) -> AppointmentView: ...

    def dna_check(self, actor: CurrentUser, appointment_id: uuid.UUID) -> DnaCheck: ...

    def did_not_attend(
        self,
        actor: CurrentUser,
        appointment_id: uuid.UUID,
        *,
        emergency_action: str = "",
        decision: str = "",
    ) -> AppointmentView: ...


class RecordOpener(Protocol):
    """The part of the patient service that opens a record."""

    def open(self, actor: CurrentUser, patient_id: uuid.UUID) -> PatientRecord: ...


def step_allowed(step: str, status: str) -> bool:
    """True when the appointment's lifecycle lets ``step`` start from ``status``."""
    return status in STEP_FROM.get(step, frozenset())


def _as_asked(then: Callable[[Any], object]) -> Callable[[Any], None]:
    """``then`` for every answer (no window to say which patient was chosen last)."""

    def answered(value: Any) -> None:
        then(value)

    return answered


class DayViewModel(QObject):
    """One day list (a clinician's own, or a site's), read and acted on off the UI thread."""

    day_loaded = Signal(object)
    sites_loaded = Signal(object)
    #: ``(AppointmentView, step)``: a step was recorded.
    stepped = Signal(object, str)
    #: ``(DayEntry, DnaCheck)``: what recording a non-attendance asks.
    dna_asked = Signal(object, object)
    #: ``(PatientRecord, screen_id, item)``: the chosen row's record is ready to open.
    record_ready = Signal(object, str, object)
    problem = Signal(str)
    field_errors_changed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(
        self,
        appointments: DayKeeper,
        patients: RecordOpener,
        *,
        runner: TaskRunner,
        session: UserSession,
        site_view: bool = False,
        may: Callable[[str], bool] | None = None,
        server_set_up: Callable[[], bool] | None = None,
        chosen: Callable[[Callable[[Any], object]], Callable[[Any], None]] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        #: Guards a row's record as the window's choice of patient (dropped if another
        #: patient is asked for before it comes).
        self._chosen = chosen or _as_asked
        self._appointments = appointments
        self._patients = patients
        self._runner = runner
        self._session = session
        self.site_view = site_view
        self._may = may or (lambda _who: True)
        self._server_set_up = server_set_up
        #: True when the list has never been synced although a server is set up (with none
        #: set up, the laptop holds the whole list).
        self.never_synced = False
        self._key = f"day-list-{id(self)}"
        self._day: date | None = None
        self._site_id: uuid.UUID | None = None
        self._list: DayList | None = None
        self._sites: list[Choice] = []
        self._busy = False
        #: Moves on when the list is cleared: answers asked for before are dropped.
        self._generation = 0

    # ------------------------------------------------------------------ reading

    @property
    def day_list(self) -> DayList | None:
        return self._list

    @property
    def entries(self) -> tuple[DayEntry, ...]:
        return self._list.entries if self._list is not None else ()

    @property
    def day(self) -> date | None:
        """The day asked for (None: the clinic's today)."""
        return self._day

    @property
    def site_id(self) -> uuid.UUID | None:
        return self._site_id

    @property
    def sites(self) -> list[Choice]:
        return list(self._sites)

    @property
    def busy(self) -> bool:
        return self._busy

    def entry(self, appointment_id: uuid.UUID) -> DayEntry | None:
        return next((e for e in self.entries if e.appointment.id == appointment_id), None)

    def may_ever(self, step: str) -> bool:
        """True when the signed-in user may take ``step`` at all (whatever a row's status)."""
        return self._session.user is not None and self._may(STEP_NEEDS[step])

    def may_step(self, step: str, entry: DayEntry | None) -> bool:
        """True when ``step`` is offered for ``entry``: its lifecycle and the user allow it."""
        if entry is None or self._busy or self._session.user is None:
            return False
        return step_allowed(step, entry.appointment.status) and self._may(STEP_NEEDS[step])

    def refresh(self) -> None:
        """Read the day again; a newer read supersedes an older one."""
        actor = self._session.user
        if actor is None:
            return
        day = self._day
        generation = self._generation
        if self.site_view:
            if not self._sites:
                self.load_sites()
                return
            site_id = self._site_id
            if site_id is None:
                return
            self._runner.run_store(
                lambda: self._with_sync(self._appointments.site_day(actor, site_id, day)),
                on_done=lambda read: self._on_day_read(read, generation),
                on_failed=self._on_failed,
                supersede=self._key,
            )
        else:
            self._runner.run_store(
                lambda: self._with_sync(self._appointments.day(actor, day=day)),
                on_done=lambda read: self._on_day_read(read, generation),
                on_failed=self._on_failed,
                supersede=self._key,
            )

    def load_sites(self) -> None:
        """The sites to choose from (the site view); the first is chosen if none is."""
        actor = self._session.user
        if actor is None:
            return
        generation = self._generation
        self._runner.run_store(
            lambda: self._appointments.sites(actor),
            on_done=lambda sites: self._on_sites_read(sites, generation),
            on_failed=self._on_failed,
        )

    def choose_site(self, site_id: uuid.UUID | None) -> None:
        if site_id != self._site_id:
            self._site_id = site_id
            self._list = None
            self.refresh()

    def go_to(self, day: date | None) -> None:
        """Show ``day`` (None: today)."""
        self._day = day
        self.refresh()

    def step_days(self, days: int) -> None:
        """The day before (-1) or after (+1) the one on show."""
        shown = self._list.day if self._list is not None else self._day
        if shown is None:
            return
        self.go_to(shown + timedelta(days=days))

    # ------------------------------------------------------------------ acting

    def take_step(self, step: str, appointment_id: uuid.UUID) -> None:
        """Arrived, in room or seen for the appointment; the list is read again after."""
        entry = self.entry(appointment_id)
        if not self.may_step(step, entry) or step == "dna":
            return
        actor = self._session.require_user()
        calls: dict[str, Callable[[], AppointmentView]] = {
            "arrive": lambda: self._appointments.arrive(actor, appointment_id),
            "call_in": lambda: self._appointments.call_in(actor, appointment_id),
            "finish": lambda: self._appointments.finish(actor, appointment_id),
        }
        self._set_busy(True)
        generation = self._generation
        self._runner.run_store(
            calls[step],
            on_done=self._for(generation, lambda result: self._on_stepped(result, step)),
            on_failed=self._for(generation, self._on_step_failed),
        )

    def ask_dna(self, appointment_id: uuid.UUID) -> None:
        """Find out what recording a non-attendance asks; ``dna_asked`` follows."""
        entry = self.entry(appointment_id)
        if entry is None or not self.may_step("dna", entry):
            return
        actor = self._session.require_user()
        self._set_busy(True)
        generation = self._generation
        self._runner.run_store(
            lambda: self._appointments.dna_check(actor, appointment_id),
            on_done=self._for(generation, lambda check: self._on_dna_checked(entry, check)),
            on_failed=self._for(generation, self._on_step_failed),
        )

    def record_dna(self, appointment_id: uuid.UUID, emergency_action: str, decision: str) -> None:
        """Record the non-attendance with what the dialog asked for."""
        actor = self._session.require_user()
        self.field_errors_changed.emit({})
        self._set_busy(True)
        generation = self._generation
        self._runner.run_store(
            lambda: self._appointments.did_not_attend(
                actor, appointment_id, emergency_action=emergency_action, decision=decision
            ),
            on_done=self._for(generation, lambda result: self._on_stepped(result, "dna")),
            on_failed=self._for(generation, self._on_dna_failed),
        )

    def open_entry(self, appointment_id: uuid.UUID) -> None:
        """Read the row's patient's record; ``record_ready`` says where to open it."""
        entry = self.entry(appointment_id)
        actor = self._session.user
        if entry is None or actor is None:
            return
        patient_id = entry.appointment.patient_id
        item = appointment_id if entry.opens == "contact_note" else None
        generation = self._generation

        def ready(record: PatientRecord) -> None:
            # Only the patient the row names (or the record it was since merged into), and
            # only for the user who asked.
            theirs = record.id == patient_id or patient_id in record.merged_ids
            if theirs and generation == self._generation:
                self.record_ready.emit(record, entry.opens, item)

        self._runner.run_store(
            lambda: self._patients.open(actor, patient_id),
            on_done=self._chosen(ready),
            on_failed=self._on_failed,
            supersede=f"{self._key}-open",
        )

    def clear(self) -> None:
        """Forget the list, the day and the site (after sign-out)."""
        self._generation += 1
        self._list = None
        self._day = None
        self._site_id = None
        self._sites = []
        self._set_busy(False)
        self.field_errors_changed.emit({})
        self.day_loaded.emit(None)

    # ------------------------------------------------------------------ answers

    def _for(self, generation: int, answer: Callable[[Any], None]) -> Callable[[Any], None]:
        """``answer``, only while the list it was asked from is still shown (same user).

        After a sign-out or a switch of user, an answer for the last user's list is dropped:
        no dialog of theirs opens, and nothing of theirs is said, to the next user.
        """

        def answered(result: Any) -> None:
            if generation == self._generation:
                answer(result)

        return answered

    def _with_sync(self, day_list: DayList) -> tuple[DayList, bool]:
        """The list, and whether it was never synced with the server set up (if one is)."""
        set_up = self._server_set_up
        if day_list.synced_at is not None or set_up is None:
            return day_list, False
        return day_list, set_up()

    def _on_day_read(self, read: tuple[DayList, bool], generation: int) -> None:
        if generation != self._generation:
            return
        day_list, self.never_synced = read
        self._list = day_list
        self.day_loaded.emit(day_list)

    def _on_sites_read(self, sites: list[Choice], generation: int) -> None:
        if generation != self._generation:
            return
        self._sites = list(sites)
        if self._site_id is None and self._sites:
            self._site_id = self._sites[0].id
        self.sites_loaded.emit(self.sites)
        if self._site_id is not None:
            self.refresh()

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))

    def _on_stepped(self, result: AppointmentView, step: str) -> None:
        self._set_busy(False)
        self.stepped.emit(result, step)
        self.refresh()

    def _on_step_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.problem.emit(errors.explain(error))
        self.refresh()

    def _on_dna_checked(self, entry: DayEntry, check: DnaCheck) -> None:
        self._set_busy(False)
        self.dna_asked.emit(entry, check)

    def _on_dna_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        by_field = errors.errors_by_field(error)
        self.field_errors_changed.emit(by_field)
        if not by_field:
            self.problem.emit(errors.explain(error))
            self.refresh()

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
