"""The clinic day's use cases: one call, one user action, one transaction.

(Signatures agreed between the core and the screens; bodies are being written.)
"""

from __future__ import annotations

import uuid
from datetime import date

from clinic_app.domains.appointments.views import (
    AppointmentView,
    BookingCheck,
    BookingInput,
    Choice,
    ClashView,
    ClinicianChoice,
    ContactView,
    DayList,
    DnaCheck,
    SessionInput,
    SessionView,
    Slot,
)
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.uow import Context


class AppointmentService:
    """Sessions, booking, the day lists, attendance and care contacts, double bookings."""

    def __init__(self, context: Context) -> None:
        self._context = context

    # ------------------------------------------------------------ who, where, sessions

    def clinicians(self, actor: CurrentUser) -> list[ClinicianChoice]:
        """Active clinical users who can be booked, by name, with the sites they work at."""
        raise NotImplementedError

    def sites(self, actor: CurrentUser) -> list[Choice]:
        """The service's sites, by name."""
        raise NotImplementedError

    def sessions(
        self,
        actor: CurrentUser,
        *,
        clinician_id: uuid.UUID | None = None,
        site_id: uuid.UUID | None = None,
    ) -> list[SessionView]:
        """Regular sessions (live ones, by clinician, weekday and time)."""
        raise NotImplementedError

    def save_session(
        self, actor: CurrentUser, session_id: uuid.UUID | None, data: SessionInput
    ) -> SessionView:
        """Add a session (``session_id`` None) or change one. FormErrors name the field."""
        raise NotImplementedError

    def end_session(self, actor: CurrentUser, session_id: uuid.UUID, last_day: str) -> SessionView:
        """Give a session its last day."""
        raise NotImplementedError

    def slots(self, actor: CurrentUser, clinician_id: uuid.UUID, day: date) -> list[Slot]:
        """The slots the clinician's sessions make on ``day``, each free or taken."""
        raise NotImplementedError

    def preferred_mechanism(self, actor: CurrentUser, patient_id: uuid.UUID) -> str:
        """How the patient prefers to be seen (face_to_face, telephone, video): offered first."""
        raise NotImplementedError

    # ------------------------------------------------------------------------ booking

    def check_booking(
        self,
        actor: CurrentUser,
        data: BookingInput,
        *,
        rebooking: uuid.UUID | None = None,
    ) -> BookingCheck:
        """Check an appointment before it is booked: FormErrors for bad fields, else warnings."""
        raise NotImplementedError

    def book(self, actor: CurrentUser, data: BookingInput) -> AppointmentView:
        """Book it. A clash refuses (Conflict ``appointment.clash``) unless a reason is given."""
        raise NotImplementedError

    def rebook(
        self,
        actor: CurrentUser,
        appointment_id: uuid.UUID,
        data: BookingInput,
        *,
        cancelled_by: str,
        reason: str,
    ) -> AppointmentView:
        """Cancel the appointment (by patient or service, with reason) and book the new one."""
        raise NotImplementedError

    def cancel(
        self, actor: CurrentUser, appointment_id: uuid.UUID, *, cancelled_by: str, reason: str
    ) -> AppointmentView:
        """Cancel it: ``cancelled_by`` is ``patient`` or ``service``; the reason is required."""
        raise NotImplementedError

    def get(self, actor: CurrentUser, appointment_id: uuid.UUID) -> AppointmentView:
        """One appointment."""
        raise NotImplementedError

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[AppointmentView]:
        """A patient's appointments, coming ones first then past ones, newest first."""
        raise NotImplementedError

    # ------------------------------------------------------------------------ the day

    def day(
        self,
        actor: CurrentUser,
        *,
        day: date | None = None,
        clinician_id: uuid.UUID | None = None,
    ) -> DayList:
        """A clinician's day list (default: the actor's own, today), in time order."""
        raise NotImplementedError

    def site_day(self, actor: CurrentUser, site_id: uuid.UUID, day: date | None = None) -> DayList:
        """Every clinician's appointments at a site on a day: reception's and the lead's view."""
        raise NotImplementedError

    # ------------------------------------------------------------------ attendance

    def arrive(self, actor: CurrentUser, appointment_id: uuid.UUID) -> AppointmentView:
        """The patient has arrived (or, for a call, is on the line): the care contact starts."""
        raise NotImplementedError

    def call_in(self, actor: CurrentUser, appointment_id: uuid.UUID) -> AppointmentView:
        """The patient is in the room with the clinician."""
        raise NotImplementedError

    def finish(
        self, actor: CurrentUser, appointment_id: uuid.UUID, *, minutes: str = ""
    ) -> AppointmentView:
        """Seen: the contact's duration is what was typed, else from the times recorded."""
        raise NotImplementedError

    def dna_check(self, actor: CurrentUser, appointment_id: uuid.UUID) -> DnaCheck:
        """What recording a non-attendance will ask: emergencies open, the service's rule."""
        raise NotImplementedError

    def did_not_attend(
        self,
        actor: CurrentUser,
        appointment_id: uuid.UUID,
        *,
        emergency_action: str = "",
        decision: str = "",
    ) -> AppointmentView:
        """Record a non-attendance (a care contact).

        With an open red-flag emergency the action taken is required
        (``appointment.emergency_action_required``).
        """
        raise NotImplementedError

    def contacts(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[ContactView]:
        """A patient's care contacts, newest first."""
        raise NotImplementedError

    def contact(self, actor: CurrentUser, contact_id: uuid.UUID) -> ContactView:
        """One care contact."""
        raise NotImplementedError

    # ------------------------------------------------------------- double bookings

    def clashes(self, actor: CurrentUser) -> list[ClashView]:
        """Open double bookings made apart, oldest first."""
        raise NotImplementedError

    def keep_both(self, actor: CurrentUser, clash_id: uuid.UUID, reason: str) -> ClashView:
        """Keep both appointments on purpose (reason required)."""
        raise NotImplementedError
