"""The clinic day's rows read and written for its use cases: one query for many rows."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from clinic_app.domains.appointments import rules
from clinic_app.domains.appointments.content import SETTING, dna_rule_with
from clinic_app.domains.appointments.model import (
    Appointment,
    AppointmentClash,
    CareContact,
    ClinicTemplate,
)
from clinic_app.domains.appointments.record import APPOINTMENT
from clinic_app.domains.appointments.rules import (
    LIVE,
    DnaRule,
    Outcome,
    PastContact,
)
from clinic_app.domains.appointments.views import (
    AppointmentView,
    ContactView,
)
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.model import RedFlagAction, RedFlagResolution, RedFlagScreening
from clinic_app.domains.red_flags.rules import Level
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, NotFound
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.staff import Site, User
from clinic_app.kernel.uow import recorded_by
from clinic_app.kernel.vocabulary import EpisodeStatus, Role
from clinic_app.people.care import EpisodeChange, EpisodeOfCare
from clinic_app.people.duplicates import identities_among, identities_of

TEXT_MAX = 2000
ROOM_MAX = 60
#: Roles whose users are booked to see patients.
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.SONOGRAPHER, Role.TRAINEE, Role.SUPERVISOR})
DISCHARGE_REASON = "Discharged back to the referrer after not attending (the service's rule)."


@dataclass(frozen=True)
class _Booking:
    """A booking checked field by field, ready to store."""

    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    clinician_id: uuid.UUID
    site_id: uuid.UUID
    room: str | None
    starts_at: datetime
    minutes: int
    appointment_type: str
    mechanism: str
    note: str | None
    overbook_reason: str | None


def _names(session: Session, query: Select[uuid.UUID, str]) -> dict[uuid.UUID, str]:
    return {key: name for key, name in session.execute(query)}


def _appointment(session: Session, appointment_id: uuid.UUID) -> Appointment:
    row = session.get(Appointment, appointment_id)
    if row is None or row.deleted:
        raise NotFound("appointment.not_found")
    return row


def _step(row: Appointment, actor: CurrentUser, name: str) -> str | None:
    """Check the lifecycle's step on ``row``; the status it leads to."""
    step = APPOINTMENT.lifecycle.check(
        name, status=row.status, role=actor.role, actor=actor.id, author=row.created_by
    )
    return step.target


def _views(session: Session, rows: Sequence[Appointment]) -> list[AppointmentView]:
    """Read models of ``rows``: names, care contacts and open clashes in one query each."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    users = _names(
        session,
        select(User.id, User.display_name).where(User.id.in_({r.clinician_id for r in rows})),
    )
    sites = _names(
        session, select(Site.id, Site.name).where(Site.id.in_({r.site_id for r in rows}))
    )
    contacts: dict[uuid.UUID | None, uuid.UUID] = {}
    for appointment_id, contact_id in session.execute(
        select(CareContact.appointment_id, CareContact.id).where(
            CareContact.appointment_id.in_(ids), CareContact.deleted.is_(False)
        )
    ):
        contacts[appointment_id] = contact_id
    clashing: set[uuid.UUID] = set()
    for first, second in session.execute(
        select(AppointmentClash.first_appointment_id, AppointmentClash.second_appointment_id)
        .where(AppointmentClash.status == "open", AppointmentClash.deleted.is_(False))
        .where(
            AppointmentClash.first_appointment_id.in_(ids)
            | AppointmentClash.second_appointment_id.in_(ids)
        )
    ):
        clashing |= {first, second}
    return [
        AppointmentView(
            id=row.id,
            patient_id=row.patient_id,
            episode_id=row.episode_id,
            clinician_id=row.clinician_id,
            clinician_name=users.get(row.clinician_id, ""),
            site_id=row.site_id,
            site_name=sites.get(row.site_id, ""),
            room=row.room,
            starts_at=row.starts_at,
            minutes=row.minutes,
            appointment_type=row.appointment_type,
            mechanism=row.mechanism,
            status=row.status,
            arrived_at=row.arrived_at,
            called_at=row.called_at,
            finished_at=row.finished_at,
            cancelled_by=row.cancelled_by,
            cancel_reason=row.cancel_reason,
            rebooked_from_id=row.rebooked_from_id,
            overbooked_reason=row.overbooked_reason,
            note=row.note,
            care_contact_id=contacts.get(row.id),
            clash_open=row.id in clashing,
        )
        for row in rows
    ]


def _view(session: Session, row: Appointment) -> AppointmentView:
    return _views(session, [row])[0]


def _contact_views(session: Session, rows: Sequence[CareContact]) -> list[ContactView]:
    users = _names(
        session,
        select(User.id, User.display_name).where(User.id.in_({r.clinician_id for r in rows})),
    )
    site_ids = {r.site_id for r in rows if r.site_id is not None}
    sites = _names(session, select(Site.id, Site.name).where(Site.id.in_(site_ids)))
    return [
        ContactView(
            id=row.id,
            patient_id=row.patient_id,
            episode_id=row.episode_id,
            appointment_id=row.appointment_id,
            clinician_id=row.clinician_id,
            clinician_name=users.get(row.clinician_id, ""),
            site_id=row.site_id,
            site_name=sites.get(row.site_id) if row.site_id else None,
            starts_at=row.starts_at,
            minutes=row.minutes,
            mechanism=row.mechanism,
            outcome=row.outcome,
            emergency_action=row.emergency_action,
            dna_decision=row.dna_decision,
        )
        for row in rows
    ]


def _live_sessions(session: Session, clinician_id: uuid.UUID, day: date) -> list[ClinicTemplate]:
    return [
        row
        for row in session.scalars(
            select(ClinicTemplate).where(
                ClinicTemplate.clinician_id == clinician_id,
                ClinicTemplate.weekday == day.weekday(),
                ClinicTemplate.deleted.is_(False),
                ClinicTemplate.valid_from <= day,
            )
        )
        if row.valid_until is None or row.valid_until >= day
    ]


def _works_at(session: Session, user: User, site_id: uuid.UUID, day: date) -> bool:
    if user.site_id == site_id:
        return True
    return any(row.site_id == site_id for row in _live_sessions(session, user.id, day))


def _overlapping(
    session: Session,
    clinician_id: uuid.UUID,
    starts_at: datetime,
    minutes: int,
    leave_out: uuid.UUID | None = None,
) -> list[Appointment]:
    """The clinician's live appointments that share a minute with this one."""
    query = select(Appointment).where(
        Appointment.clinician_id == clinician_id,
        Appointment.deleted.is_(False),
        Appointment.status.in_([s.value for s in LIVE]),
        Appointment.starts_at < starts_at + timedelta(minutes=minutes),
        Appointment.starts_at > starts_at - timedelta(minutes=rules.MAX_MINUTES),
    )
    if leave_out is not None:
        query = query.where(Appointment.id != leave_out)
    return [
        row
        for row in session.scalars(query.order_by(Appointment.starts_at))
        if rules.overlaps(row.starts_at, row.minutes, starts_at, minutes)
    ]


def _session_state(
    session: Session, booking: _Booking, leave_out: uuid.UUID | None
) -> tuple[bool, bool]:
    """(the session the time falls in is full, the time is outside every session)."""
    day = rules.clinic_day(booking.starts_at)
    for template in _live_sessions(session, booking.clinician_id, day):
        slots = rules.session_slots(day, template.starts, template.ends, template.slot_minutes)
        if not slots:
            continue
        start = slots[0][0]
        end = slots[-1][0] + timedelta(minutes=slots[-1][1])
        if not start <= booking.starts_at < end:
            continue
        query = select(Appointment.id).where(
            Appointment.clinician_id == booking.clinician_id,
            Appointment.deleted.is_(False),
            Appointment.status.in_([s.value for s in LIVE]),
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        if leave_out is not None:
            query = query.where(Appointment.id != leave_out)
        taken = len(session.scalars(query).all())
        return taken >= len(slots), False
    return False, True


def _resolve_clashes(session: Session, appointment_id: uuid.UUID, actor: CurrentUser) -> None:
    """Any open double booking naming the appointment is resolved: it no longer holds a slot."""
    for clash in session.scalars(
        select(AppointmentClash).where(
            AppointmentClash.status == "open",
            AppointmentClash.deleted.is_(False),
            (AppointmentClash.first_appointment_id == appointment_id)
            | (AppointmentClash.second_appointment_id == appointment_id),
        )
    ):
        clash.status = "resolved"
        clash.resolved_by = recorded_by(actor)
        clash.resolved_at = utcnow()


def _dna_rule(session: Session) -> DnaRule:
    row = session.get(ServiceSetting, setting_id(SETTING))
    return dna_rule_with(row.value if row is not None and not row.deleted else {})


def _asked_for(
    session: Session, patient_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Each registration of ``patient_ids`` → those of them it stands for.

    A registration since merged into a patient's record is theirs: what it holds counts for
    the patient asked about, and for any other registration of the same person asked about.
    """
    return asked_for_of(identities_among(session, patient_ids))


def asked_for_of(
    identities: Mapping[uuid.UUID, Sequence[uuid.UUID]],
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """:func:`_asked_for` from registrations already read (``identities_among``)."""
    asked_for: dict[uuid.UUID, set[uuid.UUID]] = {}
    for patient_id, registrations in identities.items():
        for registration in registrations:
            asked_for.setdefault(registration, set()).add(patient_id)
    return asked_for


def _open_emergencies(
    session: Session,
    patient_ids: Collection[uuid.UUID],
    asked_for: Mapping[uuid.UUID, set[uuid.UUID]] | None = None,
) -> dict[uuid.UUID, list[str]]:
    """Open red-flag emergencies by patient, in words (one query each kind).

    Open: an emergency screening waiting for its action to be recorded (no resolution yet),
    or one whose recorded action is still outstanding. A patient's include those screened
    under a registration since merged into their record (``asked_for``: as
    :func:`_asked_for` gives it, when the caller has it already).
    """
    found: dict[uuid.UUID, list[str]] = {}
    if not patient_ids:
        return found
    if asked_for is None:
        asked_for = _asked_for(session, patient_ids)
    resolved = select(RedFlagResolution.screening_id).where(RedFlagResolution.deleted.is_(False))
    emergency = (
        RedFlagScreening.patient_id.in_(sorted(asked_for)),
        RedFlagScreening.level == Level.EMERGENCY,
        RedFlagScreening.deleted.is_(False),
    )
    waiting = select(RedFlagScreening.patient_id, RedFlagScreening.screen_id).where(
        *emergency, RedFlagScreening.needs_action.is_(True), RedFlagScreening.id.not_in(resolved)
    )
    outstanding = (
        select(RedFlagScreening.patient_id, RedFlagScreening.screen_id)
        .join(RedFlagAction, RedFlagAction.screening_id == RedFlagScreening.id)
        .where(*emergency, RedFlagAction.status == "outstanding", RedFlagAction.deleted.is_(False))
    )
    for query in (waiting, outstanding):
        for registration, screen_id in session.execute(query):
            words = f"Emergency: {_screen_title(screen_id)}"
            for patient_id in asked_for[registration]:
                if words not in found.setdefault(patient_id, []):
                    found[patient_id].append(words)
    return found


def _screen_title(screen_id: str) -> str:
    try:
        return red_flag_screen(screen_id).title
    except ClinicError:
        return screen_id


def _earlier_contacts(session: Session, row: Appointment) -> list[PastContact]:
    """The episode's contacts before this appointment, in the order of their appointments.

    Those under a registration since merged into the patient's record count as theirs.
    """
    in_episode = (
        CareContact.episode_id.is_(None)
        if row.episode_id is None
        else CareContact.episode_id == row.episode_id
    )
    when = func.coalesce(Appointment.starts_at, CareContact.starts_at)
    query = (
        select(CareContact.outcome, Appointment.appointment_type)
        .outerjoin(Appointment, Appointment.id == CareContact.appointment_id)
        .where(
            CareContact.patient_id.in_(identities_of(session, row.patient_id)),
            in_episode,
            CareContact.deleted.is_(False),
            when < row.starts_at,
            (CareContact.appointment_id.is_(None)) | (CareContact.appointment_id != row.id),
        )
        .order_by(when, CareContact.id)
    )
    return [PastContact(outcome, kind) for outcome, kind in session.execute(query)]


def _contact_of(session: Session, row: Appointment) -> CareContact | None:
    return session.scalars(
        select(CareContact).where(
            CareContact.appointment_id == row.id, CareContact.deleted.is_(False)
        )
    ).first()


def _new_contact(row: Appointment, when: datetime, outcome: Outcome) -> CareContact:
    return CareContact(
        patient_id=row.patient_id,
        episode_id=row.episode_id,
        appointment_id=row.id,
        clinician_id=row.clinician_id,
        site_id=row.site_id,
        starts_at=when,
        minutes=0,
        mechanism=row.mechanism,
        outcome=outcome.value,
    )


def _discharge(session: Session, actor: CurrentUser, row: Appointment, today: date) -> None:
    """Close the appointment's episode (back to the referrer), as the episode service does."""
    require(actor.role, Action.REFERRAL_UPDATE_STATUS)
    if row.episode_id is None:
        return
    episode = session.get(EpisodeOfCare, row.episode_id)
    if episode is None or episode.deleted or episode.status is EpisodeStatus.CLOSED:
        return
    episode.status, episode.ended_on, episode.end_reason = (
        EpisodeStatus.CLOSED,
        today,
        DISCHARGE_REASON,
    )
    session.add(
        EpisodeChange(
            episode_id=episode.id,
            patient_id=episode.patient_id,
            change="closed",
            reason=DISCHARGE_REASON,
            effective_on=today,
            changed_at=utcnow(),
            changed_by=recorded_by(actor),
        )
    )
