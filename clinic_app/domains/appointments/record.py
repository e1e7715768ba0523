"""The appointment as a record type: it moves by steps, each with its permission; never signed."""

from __future__ import annotations

from typing import Any

from clinic_app.domains.appointments.model import Appointment
from clinic_app.domains.appointments.rules import STATUS_WORDS, TYPE_WORDS, Status, on_clinic_clock
from clinic_app.kernel.security.permissions import Action
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
from clinic_app.records.registry import (
    AddendumPolicy,
    RecordType,
    SigningPolicy,
    day_words,
    register,
)

_STATUS = (Check.STATUS,)

#: Reception books, moves and cancels, and marks arrivals; seeing the patient in and out and
#: recording that they did not come are a clinician's. The server authorises every pushed
#: change of an appointment by these same steps.
LIFECYCLE = Lifecycle(
    steps=(
        Step(
            "edit",
            statuses(Status.BOOKED),
            None,
            Action.APPOINTMENT_BOOK,
            _STATUS,
            refused="appointment.not_booked",
        ),
        Step(
            "arrive",
            statuses(Status.BOOKED),
            Status.ARRIVED,
            Action.APPOINTMENT_ARRIVE,
            _STATUS,
            refused="appointment.not_booked",
        ),
        Step(
            "undo_arrival",
            statuses(Status.ARRIVED),
            Status.BOOKED,
            Action.APPOINTMENT_ARRIVE,
            _STATUS,
            refused="appointment.not_arrived",
        ),
        Step(
            "call_in",
            statuses(Status.BOOKED, Status.ARRIVED),
            Status.IN_ROOM,
            Action.CONTACT_RECORD,
            _STATUS,
            refused="appointment.cannot_call_in",
        ),
        Step(
            "finish",
            statuses(Status.ARRIVED, Status.IN_ROOM),
            Status.FINISHED,
            Action.CONTACT_RECORD,
            _STATUS,
            refused="appointment.cannot_finish",
        ),
        Step(
            "dna",
            statuses(Status.BOOKED),
            Status.DNA,
            Action.CONTACT_RECORD,
            _STATUS,
            refused="appointment.not_booked",
        ),
        Step(
            "cancel",
            statuses(Status.BOOKED),
            Status.CANCELLED,
            Action.APPOINTMENT_BOOK,
            _STATUS,
            refused="appointment.not_booked",
        ),
    ),
    not_author="appointment.not_author",
    initial=Status.BOOKED.value,
)


def describe(row: Any) -> str:
    """E.g. "Follow-up appointment, did not attend, 9 March 2027"."""
    kind = TYPE_WORDS.get(str(row.appointment_type), "")
    return ", ".join(
        words
        for words in (
            f"{kind} appointment" if kind else "Appointment",
            STATUS_WORDS.get(str(row.status), ""),
            day_words(on_clinic_clock(row.starts_at)) if row.starts_at else "",
        )
        if words
    )


APPOINTMENT = register(
    RecordType(
        code="appointment",
        title="Appointment",
        table=Appointment,
        sections=(),
        lifecycle=LIFECYCLE,
        signing=SigningPolicy.NONE,
        addendum=AddendumPolicy.NOTE,
        digest_scheme="",
        required_code="appointment.not_signed",
        describe=describe,
    )
)
