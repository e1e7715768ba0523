"""The clinic day as its screens read it: frozen read models, and the inputs as typed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Choice:
    """Someone or somewhere to pick from a list: its id and its name."""

    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class ClinicianChoice:
    """A clinician who can be booked, and the sites they work at (home site and sessions)."""

    id: uuid.UUID
    name: str
    site_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class SessionInput:
    """A clinician's regular session as typed on the sessions screen (times "HH:MM")."""

    clinician_id: uuid.UUID | None
    site_id: uuid.UUID | None
    room: str
    weekday: int
    starts: str
    ends: str
    slot_minutes: str
    appointment_type: str = ""
    valid_from: str = ""
    valid_until: str = ""


@dataclass(frozen=True)
class SessionView:
    """A clinician's regular session."""

    id: uuid.UUID
    clinician_id: uuid.UUID
    clinician_name: str
    site_id: uuid.UUID
    site_name: str
    room: str | None
    weekday: int
    starts: str
    ends: str
    slot_minutes: int
    appointment_type: str | None
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True)
class Slot:
    """One slot of a session on one day, and whether it is taken."""

    starts_at: datetime
    minutes: int
    clinician_id: uuid.UUID
    site_id: uuid.UUID
    site_name: str
    room: str | None
    appointment_type: str | None
    free: bool


@dataclass(frozen=True)
class BookingInput:
    """An appointment as typed: the day as staff write it, the time "HH:MM" (clinic time)."""

    patient_id: uuid.UUID
    clinician_id: uuid.UUID | None
    site_id: uuid.UUID | None
    room: str
    day: str
    time: str
    minutes: str
    appointment_type: str
    mechanism: str
    episode_id: uuid.UUID | None = None
    note: str = ""
    #: Given to book over another appointment of the clinician, on purpose.
    overbook_reason: str = ""


@dataclass(frozen=True)
class ClashWarning:
    """Another live appointment of the same clinician that overlaps: its times only."""

    appointment_id: uuid.UUID
    starts_at: datetime
    minutes: int


@dataclass(frozen=True)
class BookingCheck:
    """What booking would run into: clashes, a full session, a time outside any session."""

    clashes: tuple[ClashWarning, ...]
    overbooked: bool
    outside_sessions: bool

    @property
    def clear(self) -> bool:
        """Nothing to warn about."""
        return not self.clashes and not self.overbooked


@dataclass(frozen=True)
class AppointmentView:
    """One appointment and what became of it."""

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    clinician_id: uuid.UUID
    clinician_name: str
    site_id: uuid.UUID
    site_name: str
    room: str | None
    starts_at: datetime
    minutes: int
    appointment_type: str
    mechanism: str
    status: str
    arrived_at: datetime | None
    called_at: datetime | None
    finished_at: datetime | None
    cancelled_by: str | None
    cancel_reason: str | None
    rebooked_from_id: uuid.UUID | None
    overbooked_reason: str | None
    note: str | None
    care_contact_id: uuid.UUID | None
    #: An open double booking (from two devices) names this appointment.
    clash_open: bool


@dataclass(frozen=True)
class DayNeeds:
    """What an appointment on the day list needs doing before or during it."""

    #: The titles of the patient's records still unsigned ("Assessment", "Contact note"),
    #: asked of every record type (``RecordType.unfinished``).
    unsigned: tuple[str, ...]
    questionnaires_due: tuple[str, ...]
    red_flag: bool
    report_waiting: bool


@dataclass(frozen=True)
class DayEntry:
    """One line of a day list: the appointment, whose it is and what it needs."""

    appointment: AppointmentView
    patient_name: str
    nhs_number: str | None
    date_of_birth: date | None
    needs: DayNeeds
    #: The screen the record opens at for this appointment (e.g. ``contact_note`` for a
    #: follow-up, ``assessment`` for a new patient, ``report`` for a scan report waiting).
    opens: str


@dataclass(frozen=True)
class DayList:
    """A clinician's or a site's appointments on one day, in time order."""

    day: date
    clinician_id: uuid.UUID | None
    site_id: uuid.UUID | None
    entries: tuple[DayEntry, ...]
    #: When this device last had the server's changes (None: never synced, or standalone).
    synced_at: datetime | None


@dataclass(frozen=True)
class DnaCheck:
    """What marking a non-attendance runs into: an emergency, and the service's rule."""

    #: Open red-flag emergencies of the patient, in words (none: nothing to ask).
    emergencies: tuple[str, ...]
    #: Non-attendances in this episode before this one.
    earlier_dnas: int
    #: The rule offers discharge back to the GP (the rule's words say why).
    discharge_offered: bool
    rule_words: str


@dataclass(frozen=True)
class ContactView:
    """A care contact: attended or not, when, how long, how, with whom, where."""

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    appointment_id: uuid.UUID | None
    clinician_id: uuid.UUID
    clinician_name: str
    site_id: uuid.UUID | None
    site_name: str | None
    starts_at: datetime
    minutes: int
    mechanism: str
    outcome: str
    emergency_action: str | None
    dna_decision: str | None


@dataclass(frozen=True)
class ClashView:
    """A double booking made apart (two devices offline), waiting for a person."""

    id: uuid.UUID
    clinician_id: uuid.UUID
    clinician_name: str
    first: AppointmentView
    second: AppointmentView
    status: str
