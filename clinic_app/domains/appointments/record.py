"""The appointment as a record type: it moves by steps, each with its permission; never signed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from clinic_app.domains.appointments.model import Appointment, CareContact
from clinic_app.domains.appointments.rules import (
    STATUS_WORDS,
    TYPE_WORDS,
    Outcome,
    Status,
    on_clinic_clock,
)
from clinic_app.domains.assessments.record import episode_condition
from clinic_app.kernel.security.permissions import Action
from clinic_app.people.care import EpisodeOfCare, Referral
from clinic_app.records.facts import fact_columns
from clinic_app.records.lifecycle import Check, Lifecycle, Step, statuses
from clinic_app.records.offers import FactSource
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


def care_contact_facts() -> Select[Any]:
    """One row per care contact: when, where, with whom, and whether the patient came."""
    return select(
        *fact_columns(
            patient_id=CareContact.patient_id,
            at=CareContact.starts_at,
            site_id=CareContact.site_id,
            clinician_id=CareContact.clinician_id,
            condition=episode_condition(CareContact.episode_id),
            attended=(CareContact.outcome == Outcome.ATTENDED.value),
            did_not_attend=(CareContact.outcome == Outcome.DID_NOT_ATTEND.value),
        )
    ).where(CareContact.deleted.is_(False))


def first_contact_facts() -> Select[Any]:
    """One row per referral first seen: its first attended care contact in its episodes.

    ``at`` is when the patient was first seen, so a wait counts in the month it ended;
    ``received_on`` and ``priority`` are the referral's.
    """
    earlier = aliased(CareContact)
    episode = aliased(EpisodeOfCare)
    first_seen = (
        select(func.min(earlier.starts_at))
        .join(episode, episode.id == earlier.episode_id)
        .where(
            episode.referral_id == Referral.id,
            episode.deleted.is_(False),
            earlier.deleted.is_(False),
            earlier.outcome == Outcome.ATTENDED.value,
        )
        .correlate(Referral)
        .scalar_subquery()
    )
    return (
        select(
            *fact_columns(
                patient_id=CareContact.patient_id,
                at=CareContact.starts_at,
                site_id=CareContact.site_id,
                clinician_id=CareContact.clinician_id,
                condition=episode_condition(CareContact.episode_id),
                received_on=Referral.received_on,
                first_contact_at=CareContact.starts_at,
                priority=Referral.priority,
            )
        )
        .join(EpisodeOfCare, EpisodeOfCare.id == CareContact.episode_id)
        .join(Referral, Referral.id == EpisodeOfCare.referral_id)
        .where(
            CareContact.deleted.is_(False),
            EpisodeOfCare.deleted.is_(False),
            Referral.deleted.is_(False),
            CareContact.outcome == Outcome.ATTENDED.value,
            # Not '==': an equality with the subquery becomes a hash key, computed for every
            # referral; no attended contact is earlier than the first, so '<=' keeps the
            # same rows.
            CareContact.starts_at <= first_seen,
        )
    )


FACT_SOURCES = (
    FactSource(
        name="care_contact",
        title="Care contacts",
        select=care_contact_facts,
        columns={"attended": "flag", "did_not_attend": "flag"},
    ),
    FactSource(
        name="first_contact",
        title="Referrals first seen",
        select=first_contact_facts,
        columns={"received_on": "day", "first_contact_at": "time", "priority": "code"},
    ),
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
        fact_sources=FACT_SOURCES,
    )
)
