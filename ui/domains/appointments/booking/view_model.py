"""The open patient's appointments: reading them, booking (checked first), rebooking, cancelling."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.domains.appointments.views import (
    AppointmentView,
    BookingCheck,
    BookingInput,
    Choice,
    ClashView,
    ClinicianChoice,
    Slot,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.dates import read_date
from clinic_app.kernel.errors import Conflict, NotFound, PermissionDenied
from ui.common import errors
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class AppointmentBook(Protocol):
    """The part of the appointment service the booking screen uses."""

    def clinicians(self, actor: CurrentUser) -> list[ClinicianChoice]: ...

    def sites(self, actor: CurrentUser) -> list[Choice]: ...

    def slots(self, actor: CurrentUser, clinician_id: uuid.UUID, day: date) -> list[Slot]: ...

    def preferred_mechanism(self, actor: CurrentUser, patient_id: uuid.UUID) -> str: ...

    def check_booking(
        self,
        actor: CurrentUser,
        data: BookingInput,
        *,
        rebooking: uuid.UUID | None = None,
    ) -> BookingCheck: ...

    def book(self, actor: CurrentUser, data: BookingInput) -> AppointmentView: ...

    def rebook(
        self,
        actor: CurrentUser,
        appointment_id: uuid.UUID,
        data: BookingInput,
        *,
        cancelled_by: str,
        reason: str,
    ) -> AppointmentView: ...

    def cancel(
        self, actor: CurrentUser, appointment_id: uuid.UUID, *, cancelled_by: str, reason: str
    ) -> AppointmentView: ...

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[AppointmentView]: ...

    def clashes(self, actor: CurrentUser) -> list[ClashView]: ...

    def keep_both(self, actor: CurrentUser, clash_id: uuid.UUID, reason: str) -> ClashView: ...


@dataclass(frozen=True)
class PatientAppointments:
    """One patient's appointments and the double bookings that name them."""

    patient_id: uuid.UUID
    appointments: tuple[AppointmentView, ...]
    clashes: tuple[ClashView, ...]


@dataclass(frozen=True)
class BookingChoices:
    """What the booking form offers: clinicians, sites and the patient's preferred way."""

    patient_id: uuid.UUID
    clinicians: tuple[ClinicianChoice, ...]
    sites: tuple[Choice, ...]
    preferred_mechanism: str


def _text(values: Mapping[str, object], name: str) -> str:
    value = values.get(name, "")
    return value if isinstance(value, str) else ""


def _id(values: Mapping[str, object], name: str) -> uuid.UUID | None:
    value = values.get(name)
    return value if isinstance(value, uuid.UUID) else None


class BookingViewModel(QObject):
    """The banner patient's appointments; every call names that patient and no other."""

    loaded = Signal(object)
    choices_loaded = Signal(object)
    slots_loaded = Signal(object)
    #: ``(BookingCheck)``: booking would run into these; the form asks before booking.
    warned = Signal(object)
    #: ``(AppointmentView, what)``: ``booked``, ``rebooked``, ``cancelled``, ``kept``.
    saved = Signal(object, str)
    problem = Signal(str)
    field_errors_changed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(
        self,
        appointments: AppointmentBook,
        *,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = appointments
        self._runner = runner
        self._session = session
        self._patient_id: uuid.UUID | None = None
        self._state: PatientAppointments | None = None
        self._choices: BookingChoices | None = None
        self._busy = False
        self._generation = 0

    @property
    def patient_id(self) -> uuid.UUID | None:
        return self._patient_id

    @property
    def state(self) -> PatientAppointments | None:
        return self._state

    @property
    def appointments(self) -> tuple[AppointmentView, ...]:
        return self._state.appointments if self._state is not None else ()

    @property
    def choices(self) -> BookingChoices | None:
        return self._choices

    @property
    def busy(self) -> bool:
        return self._busy

    def appointment(self, appointment_id: uuid.UUID) -> AppointmentView | None:
        return next((a for a in self.appointments if a.id == appointment_id), None)

    def clash_for(self, appointment_id: uuid.UUID) -> ClashView | None:
        """The open double booking that names this appointment, if any."""
        clashes = self._state.clashes if self._state is not None else ()
        return next(
            (c for c in clashes if appointment_id in {c.first.id, c.second.id}),
            None,
        )

    # ------------------------------------------------------------------ reading

    def start(self, patient_id: uuid.UUID) -> None:
        """Show ``patient_id``'s appointments; a different patient forgets the last one first."""
        if patient_id != self._patient_id:
            self.clear()
            self._patient_id = patient_id
        self.reload()
        self.load_choices()

    def reload(self) -> None:
        actor = self._session.user
        patient_id = self._patient_id
        if actor is None or patient_id is None:
            return
        generation = self._generation

        def read() -> PatientAppointments:
            mine = tuple(self._service.for_patient(actor, patient_id))
            ids = {a.id for a in mine}
            try:
                every = self._service.clashes(actor)
            except PermissionDenied:
                every = []  # double bookings are settled by those who book
            clashes = tuple(
                c for c in every if c.status == "open" and {c.first.id, c.second.id} & ids
            )
            return PatientAppointments(patient_id, mine, clashes)

        self._runner.run_store(
            read,
            on_done=lambda state: self._on_loaded(state, generation),
            on_failed=self._on_failed,
            supersede=f"booking-{id(self)}",
        )

    def load_choices(self) -> None:
        actor = self._session.user
        patient_id = self._patient_id
        if actor is None or patient_id is None:
            return
        generation = self._generation

        def read() -> BookingChoices:
            return BookingChoices(
                patient_id,
                tuple(self._service.clinicians(actor)),
                tuple(self._service.sites(actor)),
                self._service.preferred_mechanism(actor, patient_id),
            )

        self._runner.run_store(
            read,
            on_done=lambda choices: self._on_choices(choices, generation),
            on_failed=self._on_failed,
        )

    def load_slots(self, clinician_id: uuid.UUID | None, day_text: str) -> None:
        """The chosen clinician's slots on the typed day (none when either is missing)."""
        actor = self._session.user
        day = read_date(day_text) if day_text.strip() else None
        if actor is None or clinician_id is None or day is None:
            self.slots_loaded.emit([])
            return
        generation = self._generation
        self._runner.run_store(
            lambda: self._service.slots(actor, clinician_id, day),
            on_done=lambda slots: (
                self.slots_loaded.emit(list(slots)) if generation == self._generation else None
            ),
            on_failed=lambda _error: self.slots_loaded.emit([]),
            supersede=f"slots-{id(self)}",
        )

    # ------------------------------------------------------------------ acting

    def booking_input(self, values: Mapping[str, object]) -> BookingInput | None:
        """The form as the service takes it, always for the banner's patient."""
        if self._patient_id is None:
            return None
        return BookingInput(
            patient_id=self._patient_id,
            clinician_id=_id(values, "clinician_id"),
            site_id=_id(values, "site_id"),
            room=_text(values, "room"),
            day=_text(values, "day"),
            time=_text(values, "time"),
            minutes=_text(values, "minutes"),
            appointment_type=_text(values, "appointment_type"),
            mechanism=_text(values, "mechanism"),
            note=_text(values, "note"),
            overbook_reason=_text(values, "overbook_reason"),
        )

    def check_and_book(
        self,
        values: Mapping[str, object],
        *,
        rebooking: uuid.UUID | None = None,
        warned: bool = False,
    ) -> None:
        """Check first; book when clear, or when the person has seen the warnings (``warned``).

        Rebooking also takes ``cancelled_by`` and ``cancel_reason`` from ``values``.
        """
        data = self.booking_input(values)
        if data is None or self._busy:
            return
        actor = self._session.require_user()
        cancelled_by = _text(values, "cancelled_by")
        reason = _text(values, "cancel_reason")
        if rebooking is not None and self.appointment(rebooking) is None:
            return  # not one of the banner patient's appointments

        def work() -> BookingCheck | AppointmentView:
            check = self._service.check_booking(actor, data, rebooking=rebooking)
            if not check.clear and not warned:
                return check
            if check.clashes and not data.overbook_reason.strip():
                return check  # booking over another appointment needs its reason
            if rebooking is not None:
                return self._service.rebook(
                    actor, rebooking, data, cancelled_by=cancelled_by, reason=reason
                )
            return self._service.book(actor, data)

        self.field_errors_changed.emit({})
        self._set_busy(True)
        what = "rebooked" if rebooking is not None else "booked"
        generation = self._generation
        self._runner.run_store(
            work,
            on_done=self._for(generation, lambda result: self._on_booking_answer(result, what)),
            on_failed=self._for(generation, self._on_save_failed),
        )

    def cancel(self, appointment_id: uuid.UUID, cancelled_by: str, reason: str) -> None:
        if self._busy or self.appointment(appointment_id) is None:
            return
        actor = self._session.require_user()
        self.field_errors_changed.emit({})
        self._set_busy(True)
        generation = self._generation
        self._runner.run_store(
            lambda: self._service.cancel(
                actor, appointment_id, cancelled_by=cancelled_by, reason=reason
            ),
            on_done=self._for(generation, lambda result: self._on_saved(result, "cancelled")),
            on_failed=self._for(generation, self._on_save_failed),
        )

    def keep_both(self, clash_id: uuid.UUID, reason: str) -> None:
        state = self._state
        if self._busy or state is None or all(c.id != clash_id for c in state.clashes):
            return
        actor = self._session.require_user()
        self.field_errors_changed.emit({})
        self._set_busy(True)
        generation = self._generation
        self._runner.run_store(
            lambda: self._service.keep_both(actor, clash_id, reason),
            on_done=self._for(generation, lambda clash: self._on_saved(clash.first, "kept")),
            on_failed=self._for(generation, self._on_save_failed),
        )

    def _for(self, generation: int, answer: Callable[[Any], None]) -> Callable[[Any], None]:
        """``answer``, only while the patient it was asked for is still the one shown.

        An answer that comes once another patient is in the banner is dropped: a warning,
        a "booked" or a refusal about one patient is never shown under another's name.
        """

        def answered(result: Any) -> None:
            if generation == self._generation:
                answer(result)

        return answered

    def clear(self) -> None:
        """Forget the patient and everything read for them."""
        self._generation += 1
        self._patient_id = None
        self._state = None
        self._choices = None
        self._set_busy(False)
        self.field_errors_changed.emit({})
        self.loaded.emit(None)

    # ------------------------------------------------------------------ answers

    def _on_loaded(self, state: PatientAppointments, generation: int) -> None:
        if generation != self._generation or state.patient_id != self._patient_id:
            return
        self._state = state
        self.loaded.emit(state)

    def _on_choices(self, choices: BookingChoices, generation: int) -> None:
        if generation != self._generation or choices.patient_id != self._patient_id:
            return
        self._choices = choices
        self.choices_loaded.emit(choices)

    def _on_failed(self, error: BaseException) -> None:
        self.problem.emit(errors.explain(error))

    def _on_booking_answer(self, result: BookingCheck | AppointmentView, what: str) -> None:
        if isinstance(result, BookingCheck):
            self._set_busy(False)
            self.warned.emit(result)
            return
        self._on_saved(result, what)

    def _on_saved(self, result: AppointmentView, what: str) -> None:
        self._set_busy(False)
        self.saved.emit(result, what)
        self.reload()

    def _on_save_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        by_field = errors.errors_by_field(error)
        self.field_errors_changed.emit(by_field)
        self.problem.emit(errors.explain(error))
        if isinstance(error, Conflict | NotFound):
            self.reload()

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
