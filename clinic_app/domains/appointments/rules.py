"""Pure rules of the clinic day: times, clashes, statuses, the non-attendance rule."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from clinic_app.kernel.dates import read_date
from clinic_app.kernel.errors import ValidationError

#: The clinic's wall clock: times are typed and shown in it; ``starts_at`` is stored in UTC.
CLINIC_ZONE = ZoneInfo("Europe/London")
#: The longest one appointment may be booked for (a whole clinic session), in minutes.
MAX_MINUTES = 8 * 60

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


class AppointmentType(StrEnum):
    """What an appointment is for."""

    NEW = "new"
    FOLLOW_UP = "follow_up"
    PROCEDURE = "procedure"
    SCAN = "scan"
    GROUP = "group"


class Mechanism(StrEnum):
    """How the patient is seen."""

    FACE_TO_FACE = "face_to_face"
    TELEPHONE = "telephone"
    VIDEO = "video"


class Status(StrEnum):
    """Where an appointment stands; it moves only by its lifecycle's steps."""

    BOOKED = "booked"
    ARRIVED = "arrived"
    IN_ROOM = "in_room"
    FINISHED = "finished"
    DNA = "dna"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    """A care contact's outcome, as the Community Services Data Set counts it."""

    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"


class CancelledBy(StrEnum):
    """Who cancelled an appointment."""

    PATIENT = "patient"
    SERVICE = "service"


class DnaDecision(StrEnum):
    """What the clinician chose when the non-attendance rule offered discharge."""

    DISCHARGED = "discharged"
    DISCHARGE_OFFERED_DECLINED = "discharge_offered_declined"


TYPE_WORDS: Mapping[str, str] = MappingProxyType(
    {
        AppointmentType.NEW: "New patient",
        AppointmentType.FOLLOW_UP: "Follow-up",
        AppointmentType.PROCEDURE: "Procedure",
        AppointmentType.SCAN: "Scan",
        AppointmentType.GROUP: "Group class",
    }
)
MECHANISM_WORDS: Mapping[str, str] = MappingProxyType(
    {
        Mechanism.FACE_TO_FACE: "face to face",
        Mechanism.TELEPHONE: "telephone",
        Mechanism.VIDEO: "video",
    }
)
STATUS_WORDS: Mapping[str, str] = MappingProxyType(
    {
        Status.BOOKED: "booked",
        Status.ARRIVED: "arrived",
        Status.IN_ROOM: "in room",
        Status.FINISHED: "finished",
        Status.DNA: "did not attend",
        Status.CANCELLED: "cancelled",
    }
)
#: Statuses of an appointment that still holds its slot (a clash is only with these).
LIVE = frozenset({Status.BOOKED, Status.ARRIVED, Status.IN_ROOM, Status.FINISHED})

#: The patient's stated preference (``Patient.preferred_contact_method``) to how they are
#: offered to be seen first; any other preference (letter, email, none) offers face to face.
_PREFERENCE = MappingProxyType(
    {
        "phone": Mechanism.TELEPHONE,
        "telephone": Mechanism.TELEPHONE,
        "video": Mechanism.VIDEO,
        "face_to_face": Mechanism.FACE_TO_FACE,
    }
)


def mechanism_for(preferred_contact_method: str | None) -> Mechanism:
    """How to offer to see a patient first, from their stated preference."""
    return _PREFERENCE.get((preferred_contact_method or "").strip().lower(), Mechanism.FACE_TO_FACE)


def read_time(text: str) -> time | None:
    """The time written in ``text`` ("9:30", "09:30", "14.05"), or None if it is not one."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hours, minutes = (int(part) for part in match.groups())
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def parse_time(text: str, field: str) -> time:
    """Like :func:`read_time`, raising a field error.

    Raises:
        ValidationError: ``appointment.time_required`` or ``appointment.time_invalid``.
    """
    if not text.strip():
        raise ValidationError("appointment.time_required", field=field)
    parsed = read_time(text)
    if parsed is None:
        raise ValidationError("appointment.time_invalid", field=field)
    return parsed


def parse_day(text: str, field: str) -> date:
    """The day as staff write it (12/03/2027 or 2027-03-12).

    Raises:
        ValidationError: ``appointment.day_required`` or ``appointment.day_invalid``.
    """
    if not text.strip():
        raise ValidationError("appointment.day_required", field=field)
    parsed = read_date(text)
    if parsed is None:
        raise ValidationError("appointment.day_invalid", field=field)
    return parsed


def parse_minutes(text: str, field: str = "minutes") -> int:
    """An appointment's length in whole minutes, more than none and at most a session.

    Raises:
        ValidationError: ``appointment.minutes_invalid`` (params ``max``).
    """
    value = text.strip()
    if not value.isdigit() or not 0 < int(value) <= MAX_MINUTES:
        raise ValidationError("appointment.minutes_invalid", field=field, max=MAX_MINUTES)
    return int(value)


def clinic_time(day: date, at: time) -> datetime:
    """The UTC instant of ``at`` on ``day`` on the clinic's wall clock."""
    return datetime.combine(day, at, tzinfo=CLINIC_ZONE).astimezone(UTC)


def on_clinic_clock(instant: datetime) -> datetime:
    """A stored (UTC) instant as the clinic's wall clock shows it."""
    return instant.astimezone(CLINIC_ZONE)


def clinic_day(instant: datetime) -> date:
    """The clinic's date at ``instant``."""
    return on_clinic_clock(instant).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which the clinic's ``day`` starts and the next one starts."""
    return clinic_time(day, time(0, 0)), clinic_time(day + timedelta(days=1), time(0, 0))


def overlaps(first: datetime, first_minutes: int, second: datetime, second_minutes: int) -> bool:
    """True when two appointments share any minute (one ending as the other starts do not)."""
    return first < second + timedelta(minutes=second_minutes) and second < first + timedelta(
        minutes=first_minutes
    )


def session_slots(
    day: date, starts: str, ends: str, slot_minutes: int
) -> tuple[tuple[datetime, int], ...]:
    """The slots a session from ``starts`` to ``ends`` ("HH:MM") makes on ``day`` (UTC, length).

    A part slot left at the end of the session is not offered.
    """
    start, end = read_time(starts), read_time(ends)
    if start is None or end is None or slot_minutes <= 0:
        return ()
    first, last = clinic_time(day, start), clinic_time(day, end)
    slots: list[tuple[datetime, int]] = []
    at = first
    while at + timedelta(minutes=slot_minutes) <= last:
        slots.append((at, slot_minutes))
        at += timedelta(minutes=slot_minutes)
    return tuple(slots)


#: The namespace of double-booking ids: the same pair gives the same id on every device.
_CLASH_NAMESPACE = uuid.UUID("0b6a1f43-59a1-4c7e-b0a6-6d6c3e1f9a27")


def clash_id(first: uuid.UUID, second: uuid.UUID) -> uuid.UUID:
    """The id of the double booking of two appointments, whichever order they come in."""
    low, high = sorted((first, second))
    return uuid.uuid5(_CLASH_NAMESPACE, f"appointment-clash:{low}:{high}")


# ------------------------------------------------------------------ the non-attendance rule


@dataclass(frozen=True)
class DnaRule:
    """The service's rule for when a non-attendance offers discharge back to the referrer.

    Attributes:
        offer_discharge_after: the non-attendance (counting this one) at which discharge is
            offered, e.g. 2: at the second.
        consecutive: only non-attendances since the patient last attended count.
        first_new_patient_dna_counts: a non-attendance at a new patient appointment counts.
    """

    offer_discharge_after: int
    consecutive: bool
    first_new_patient_dna_counts: bool


@dataclass(frozen=True)
class PastContact:
    """An earlier contact of the episode, as the rule reads it: its outcome and its kind."""

    outcome: str
    appointment_type: str | None


@dataclass(frozen=True)
class DnaOffer:
    """What the rule makes of a non-attendance: how many count before it, and the offer."""

    earlier: int
    discharge_offered: bool


def _counts(rule: DnaRule, appointment_type: str | None) -> bool:
    return rule.first_new_patient_dna_counts or appointment_type != AppointmentType.NEW


def evaluate_dna(rule: DnaRule, earlier: Sequence[PastContact], this_type: str) -> DnaOffer:
    """Whether a non-attendance at an appointment of ``this_type`` offers discharge.

    Args:
        rule: the service's rule in force.
        earlier: the episode's earlier contacts, oldest first.
        this_type: the kind of the appointment not attended.
    """
    counted = 0
    for contact in earlier:
        if contact.outcome == Outcome.ATTENDED and rule.consecutive:
            counted = 0
        elif contact.outcome == Outcome.DID_NOT_ATTEND and _counts(rule, contact.appointment_type):
            counted += 1
    total = counted + (1 if _counts(rule, this_type) else 0)
    return DnaOffer(earlier=counted, discharge_offered=total >= rule.offer_discharge_after > 0)


def dna_rule_words(rule: DnaRule) -> str:
    """The rule in words, e.g. "Discharge is offered at the 2nd consecutive non-attendance"."""
    n = rule.offer_discharge_after
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n if n < 20 else n % 10, "th")
    run = " consecutive" if rule.consecutive else ""
    words = f"Discharge back to the referrer is offered at the {n}{suffix}{run} non-attendance"
    words += " in the episode"
    if not rule.first_new_patient_dna_counts:
        words += " (not counting a new patient appointment)"
    return words + "."
