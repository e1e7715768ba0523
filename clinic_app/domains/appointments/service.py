"""The clinic day's use cases: one call, one user action, one transaction."""

from __future__ import annotations

import math
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, select
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
    AppointmentType,
    CancelledBy,
    DnaDecision,
    DnaRule,
    Mechanism,
    Outcome,
    PastContact,
    Status,
)
from clinic_app.domains.appointments.views import (
    AppointmentView,
    BookingCheck,
    BookingInput,
    Choice,
    ClashView,
    ClashWarning,
    ClinicianChoice,
    ContactView,
    DayEntry,
    DayList,
    DayNeeds,
    DnaCheck,
    SessionInput,
    SessionView,
    Slot,
)
from clinic_app.domains.questionnaires.content import questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.model import RedFlagAction, RedFlagResolution, RedFlagScreening
from clinic_app.domains.red_flags.rules import Level
from clinic_app.domains.reports.model import ScanReport
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, Conflict, NotFound, ValidationError
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.staff import Site, User
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.validation import Collector, optional_text, required_text
from clinic_app.kernel.vocabulary import EpisodeStatus, RecordStatus, Role
from clinic_app.people.care import EpisodeChange, EpisodeOfCare
from clinic_app.people.duplicates import merged_among
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient, PatientAlert
from clinic_app.people.sync_service import LAST_SUCCESS_KEY
from clinic_app.records.registry import record_types

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


def _open_emergencies(
    session: Session, patient_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """Open red-flag emergencies by patient, in words (one query each kind).

    Open: an emergency screening waiting for its action to be recorded (no resolution yet),
    or one whose recorded action is still outstanding.
    """
    found: dict[uuid.UUID, list[str]] = {}
    if not patient_ids:
        return found
    resolved = select(RedFlagResolution.screening_id).where(RedFlagResolution.deleted.is_(False))
    emergency = (
        RedFlagScreening.patient_id.in_(list(patient_ids)),
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
        for patient_id, screen_id in session.execute(query):
            words = f"Emergency: {_screen_title(screen_id)}"
            if words not in found.setdefault(patient_id, []):
                found[patient_id].append(words)
    return found


def _screen_title(screen_id: str) -> str:
    try:
        return red_flag_screen(screen_id).title
    except ClinicError:
        return screen_id


def _earlier_contacts(session: Session, row: Appointment) -> list[PastContact]:
    """The episode's contacts before this appointment, in the order of their appointments."""
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
            CareContact.patient_id == row.patient_id,
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


class AppointmentService:
    """Sessions, booking, the day lists, attendance and care contacts, double bookings."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)

    # ------------------------------------------------------------ who, where, sessions

    def clinicians(self, actor: CurrentUser) -> list[ClinicianChoice]:
        """Active clinical users who can be booked, by name, with the sites they work at."""
        today = self._context.today()
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.READ) as session:
            users = session.scalars(
                select(User)
                .where(
                    User.active.is_(True),
                    User.deleted.is_(False),
                    User.role.in_(list(CLINICAL_ROLES)),
                )
                .order_by(User.display_name, User.id)
            ).all()
            worked: dict[uuid.UUID, list[uuid.UUID]] = {}
            for template in session.scalars(
                select(ClinicTemplate).where(ClinicTemplate.deleted.is_(False))
            ):
                if template.valid_until is None or template.valid_until >= today:
                    worked.setdefault(template.clinician_id, []).append(template.site_id)
            return [
                ClinicianChoice(
                    id=user.id,
                    name=user.display_name,
                    site_ids=tuple(
                        dict.fromkeys(
                            [*([user.site_id] if user.site_id else []), *worked.get(user.id, [])]
                        )
                    ),
                )
                for user in users
            ]

    def sites(self, actor: CurrentUser) -> list[Choice]:
        """The service's sites, by name."""
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.READ) as session:
            return [
                Choice(site_id, name)
                for site_id, name in session.execute(
                    select(Site.id, Site.name)
                    .where(Site.deleted.is_(False))
                    .order_by(Site.name, Site.id)
                )
            ]

    def sessions(
        self,
        actor: CurrentUser,
        *,
        clinician_id: uuid.UUID | None = None,
        site_id: uuid.UUID | None = None,
    ) -> list[SessionView]:
        """Regular sessions (live ones, by clinician, weekday and time)."""
        today = self._context.today()
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.READ) as session:
            query = select(ClinicTemplate).where(ClinicTemplate.deleted.is_(False))
            if clinician_id is not None:
                query = query.where(ClinicTemplate.clinician_id == clinician_id)
            if site_id is not None:
                query = query.where(ClinicTemplate.site_id == site_id)
            rows = [
                row
                for row in session.scalars(query)
                if row.valid_until is None or row.valid_until >= today
            ]
            views = self._session_views(session, rows)
        return sorted(views, key=lambda v: (v.clinician_name, v.weekday, v.starts, str(v.id)))

    @staticmethod
    def _session_views(session: Session, rows: Sequence[ClinicTemplate]) -> list[SessionView]:
        users = _names(
            session,
            select(User.id, User.display_name).where(User.id.in_({r.clinician_id for r in rows})),
        )
        sites = _names(
            session, select(Site.id, Site.name).where(Site.id.in_({r.site_id for r in rows}))
        )
        return [
            SessionView(
                id=row.id,
                clinician_id=row.clinician_id,
                clinician_name=users.get(row.clinician_id, ""),
                site_id=row.site_id,
                site_name=sites.get(row.site_id, ""),
                room=row.room,
                weekday=row.weekday,
                starts=row.starts,
                ends=row.ends,
                slot_minutes=row.slot_minutes,
                appointment_type=row.appointment_type,
                valid_from=row.valid_from,
                valid_until=row.valid_until,
            )
            for row in rows
        ]

    def save_session(
        self, actor: CurrentUser, session_id: uuid.UUID | None, data: SessionInput
    ) -> SessionView:
        """Add a session (``session_id`` None) or change one. FormErrors name the field."""
        problems = Collector()
        starts = problems.check(lambda: rules.parse_time(data.starts, "starts"))
        ends = problems.check(lambda: rules.parse_time(data.ends, "ends"))
        slot = problems.check(lambda: rules.parse_minutes(data.slot_minutes, "slot_minutes"))
        room = problems.check(lambda: optional_text(data.room, "room", ROOM_MAX))
        if not 0 <= data.weekday <= 6:
            problems.add("appointment.weekday_invalid", "weekday")
        kind = data.appointment_type.strip() or None
        if kind is not None and kind not in set(AppointmentType):
            problems.add("appointment.type_invalid", "appointment_type")
        valid_from = (
            problems.check(lambda: rules.parse_day(data.valid_from, "valid_from"))
            if data.valid_from.strip()
            else self._context.today()
        )
        valid_until = (
            problems.check(lambda: rules.parse_day(data.valid_until, "valid_until"))
            if data.valid_until.strip()
            else None
        )
        if starts is not None and ends is not None and ends <= starts:
            problems.add("appointment.ends_before_starts", "ends")
        if valid_from and valid_until and valid_until < valid_from:
            problems.add("appointment.ends_before_starts", "valid_until")
        if data.clinician_id is None:
            problems.add("appointment.clinician_required", "clinician_id")
        if data.site_id is None:
            problems.add("appointment.site_required", "site_id")
        with self._uow(actor, Action.CLINIC_TEMPLATE_MANAGE) as session:
            if data.clinician_id is not None and not self._bookable(session, data.clinician_id):
                problems.add("appointment.clinician_unavailable", "clinician_id")
            if data.site_id is not None and not self._site_known(session, data.site_id):
                problems.add("appointment.site_unknown", "site_id")
            problems.raise_if_any()
            assert data.clinician_id is not None
            assert data.site_id is not None
            assert starts is not None
            assert ends is not None
            assert slot
            assert valid_from
            if session_id is None:
                row = ClinicTemplate(
                    clinician_id=data.clinician_id,
                    site_id=data.site_id,
                    weekday=data.weekday,
                    starts=f"{starts:%H:%M}",
                    ends=f"{ends:%H:%M}",
                    slot_minutes=slot,
                    valid_from=valid_from,
                )
                session.add(row)
            else:
                found = session.get(ClinicTemplate, session_id)
                if found is None or found.deleted:
                    raise NotFound("appointment.session_not_found")
                row = found
                row.clinician_id, row.site_id, row.weekday = (
                    data.clinician_id,
                    data.site_id,
                    data.weekday,
                )
                row.starts, row.ends, row.slot_minutes = f"{starts:%H:%M}", f"{ends:%H:%M}", slot
                row.valid_from = valid_from
            row.room, row.appointment_type, row.valid_until = room, kind, valid_until
            session.flush()
            self._uow.audit(
                session, actor, "clinic_session.save", entity="clinic_template", entity_id=row.id
            )
            return self._session_views(session, [row])[0]

    def end_session(self, actor: CurrentUser, session_id: uuid.UUID, last_day: str) -> SessionView:
        """Give a session its last day."""
        day = rules.parse_day(last_day, "valid_until")
        with self._uow(actor, Action.CLINIC_TEMPLATE_MANAGE) as session:
            row = session.get(ClinicTemplate, session_id)
            if row is None or row.deleted:
                raise NotFound("appointment.session_not_found")
            if day < row.valid_from:
                raise ValidationError("appointment.ends_before_starts", field="valid_until")
            row.valid_until = day
            session.flush()
            self._uow.audit(
                session, actor, "clinic_session.end", entity="clinic_template", entity_id=row.id
            )
            return self._session_views(session, [row])[0]

    def slots(self, actor: CurrentUser, clinician_id: uuid.UUID, day: date) -> list[Slot]:
        """The slots the clinician's sessions make on ``day``, each free or taken."""
        start, end = rules.day_bounds(day)
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.READ) as session:
            templates = _live_sessions(session, clinician_id, day)
            booked = session.execute(
                select(Appointment.starts_at, Appointment.minutes).where(
                    Appointment.clinician_id == clinician_id,
                    Appointment.deleted.is_(False),
                    Appointment.status.in_([s.value for s in LIVE]),
                    Appointment.starts_at >= start,
                    Appointment.starts_at < end,
                )
            ).all()
            sites = _names(session, select(Site.id, Site.name))
        found = [
            Slot(
                starts_at=at,
                minutes=minutes,
                clinician_id=clinician_id,
                site_id=template.site_id,
                site_name=sites.get(template.site_id, ""),
                room=template.room,
                appointment_type=template.appointment_type,
                free=not any(rules.overlaps(at, minutes, b.starts_at, b.minutes) for b in booked),
            )
            for template in templates
            for at, minutes in rules.session_slots(
                day, template.starts, template.ends, template.slot_minutes
            )
        ]
        return sorted(found, key=lambda s: s.starts_at)

    def preferred_mechanism(self, actor: CurrentUser, patient_id: uuid.UUID) -> str:
        """How the patient prefers to be seen (face_to_face, telephone, video): offered first."""
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.READ) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            return rules.mechanism_for(patient.preferred_contact_method).value

    # ------------------------------------------------------------------------ booking

    @staticmethod
    def _bookable(session: Session, clinician_id: uuid.UUID) -> User | None:
        user = session.get(User, clinician_id)
        if user is None or user.deleted or not user.active or user.role not in CLINICAL_ROLES:
            return None
        return user

    @staticmethod
    def _site_known(session: Session, site_id: uuid.UUID) -> bool:
        site = session.get(Site, site_id)
        return site is not None and not site.deleted

    def _who_and_where(
        self, session: Session, data: BookingInput, day: date | None, problems: Collector
    ) -> None:
        """The clinician is bookable, the site known, and the clinician works there that day."""
        clinician = None
        if data.clinician_id is None:
            problems.add("appointment.clinician_required", "clinician_id")
        else:
            clinician = self._bookable(session, data.clinician_id)
            if clinician is None:
                problems.add("appointment.clinician_unavailable", "clinician_id")
        if data.site_id is None:
            problems.add("appointment.site_required", "site_id")
        elif not self._site_known(session, data.site_id):
            problems.add("appointment.site_unknown", "site_id")
        elif (
            clinician is not None
            and day is not None
            and not _works_at(session, clinician, data.site_id, day)
        ):
            problems.add("appointment.clinician_not_at_site", "site_id")

    def _checked(self, session: Session, data: BookingInput) -> _Booking:
        """Every field of a booking checked; FormErrors naming each field that is wrong."""
        problems = Collector()
        day = problems.check(lambda: rules.parse_day(data.day, "day"))
        at = problems.check(lambda: rules.parse_time(data.time, "time"))
        minutes = problems.check(lambda: rules.parse_minutes(data.minutes))
        room = problems.check(lambda: optional_text(data.room, "room", ROOM_MAX))
        note = problems.check(lambda: optional_text(data.note, "note", TEXT_MAX))
        reason = problems.check(
            lambda: optional_text(data.overbook_reason, "overbook_reason", TEXT_MAX)
        )
        if data.appointment_type not in set(AppointmentType):
            problems.add("appointment.type_invalid", "appointment_type")
        if data.mechanism not in set(Mechanism):
            problems.add("appointment.mechanism_invalid", "mechanism")
        patient = session.get(Patient, data.patient_id)
        if patient is None or patient.deleted:
            problems.add("appointment.patient_unavailable", "patient")
        elif merged_among(session, [patient.id]):
            problems.add("appointment.patient_merged", "patient")
        starts_at = rules.clinic_time(day, at) if day is not None and at is not None else None
        if starts_at is not None and day is not None and starts_at < utcnow():
            field = "time" if day == rules.clinic_day(utcnow()) else "day"
            problems.add("appointment.in_the_past", field)
        self._who_and_where(session, data, day, problems)
        episode = None
        if patient is not None and not patient.deleted:
            try:
                episode = episode_for(session, patient.id, data.episode_id)
            except NotFound:
                problems.add("appointment.episode_not_found", "episode_id")
        problems.raise_if_any()
        assert starts_at is not None
        assert minutes is not None
        assert data.clinician_id is not None
        assert data.site_id is not None
        return _Booking(
            patient_id=data.patient_id,
            episode_id=episode,
            clinician_id=data.clinician_id,
            site_id=data.site_id,
            room=room,
            starts_at=starts_at,
            minutes=minutes,
            appointment_type=data.appointment_type,
            mechanism=data.mechanism,
            note=note,
            overbook_reason=reason,
        )

    def check_booking(
        self,
        actor: CurrentUser,
        data: BookingInput,
        *,
        rebooking: uuid.UUID | None = None,
    ) -> BookingCheck:
        """Check an appointment before it is booked: FormErrors for bad fields, else warnings."""
        with self._uow(actor, Action.APPOINTMENT_BOOK, mode=Mode.READ) as session:
            booking = self._checked(session, data)
            clashes = _overlapping(
                session, booking.clinician_id, booking.starts_at, booking.minutes, rebooking
            )
            full, outside = _session_state(session, booking, rebooking)
        return BookingCheck(
            clashes=tuple(ClashWarning(r.id, r.starts_at, r.minutes) for r in clashes),
            overbooked=full,
            outside_sessions=outside,
        )

    def _store(
        self, session: ClinicSession, booking: _Booking, leave_out: uuid.UUID | None
    ) -> Appointment:
        clashes = _overlapping(
            session, booking.clinician_id, booking.starts_at, booking.minutes, leave_out
        )
        if clashes and booking.overbook_reason is None:
            raise Conflict("appointment.clash", count=len(clashes))
        row = Appointment(
            patient_id=booking.patient_id,
            episode_id=booking.episode_id,
            clinician_id=booking.clinician_id,
            site_id=booking.site_id,
            room=booking.room,
            starts_at=booking.starts_at,
            minutes=booking.minutes,
            appointment_type=booking.appointment_type,
            mechanism=booking.mechanism,
            status=APPOINTMENT.lifecycle.initial,
            overbooked_reason=booking.overbook_reason,
            note=booking.note,
            rebooked_from_id=leave_out,
        )
        session.add(row)
        session.flush()
        return row

    def book(self, actor: CurrentUser, data: BookingInput) -> AppointmentView:
        """Book it. A clash refuses (Conflict ``appointment.clash``) unless a reason is given."""
        with self._uow(actor, Action.APPOINTMENT_BOOK) as session:
            row = self._store(session, self._checked(session, data), None)
            self._uow.audit(
                session,
                actor,
                "appointment.book",
                patient_id=row.patient_id,
                entity="appointment",
                entity_id=row.id,
            )
            return _view(session, row)

    @staticmethod
    def _cancel(
        session: Session, actor: CurrentUser, row: Appointment, cancelled_by: str, reason: str
    ) -> None:
        problems = Collector()
        if cancelled_by not in set(CancelledBy):
            problems.add("appointment.cancelled_by_invalid", "cancelled_by")
        words = problems.check(lambda: required_text(reason, "reason", TEXT_MAX))
        problems.raise_if_any()
        row.status = _step(row, actor, "cancel") or row.status
        row.cancelled_by, row.cancel_reason = cancelled_by, words
        _resolve_clashes(session, row.id, actor)

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
        with self._uow(actor, Action.APPOINTMENT_BOOK) as session:
            old = _appointment(session, appointment_id)
            if old.patient_id != data.patient_id:
                raise Conflict("appointment.wrong_patient")
            booking = self._checked(session, data)
            self._cancel(session, actor, old, cancelled_by, reason)
            session.flush()
            row = self._store(session, booking, old.id)
            self._uow.audit(
                session,
                actor,
                "appointment.rebook",
                patient_id=row.patient_id,
                entity="appointment",
                entity_id=row.id,
            )
            return _view(session, row)

    def cancel(
        self, actor: CurrentUser, appointment_id: uuid.UUID, *, cancelled_by: str, reason: str
    ) -> AppointmentView:
        """Cancel it: ``cancelled_by`` is ``patient`` or ``service``; the reason is required."""
        with self._uow(actor, Action.APPOINTMENT_BOOK) as session:
            row = _appointment(session, appointment_id)
            self._cancel(session, actor, row, cancelled_by, reason)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "appointment.cancel",
                patient_id=row.patient_id,
                entity="appointment",
                entity_id=row.id,
            )
            return _view(session, row)

    def get(self, actor: CurrentUser, appointment_id: uuid.UUID) -> AppointmentView:
        """One appointment."""
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.AUDITED_READ) as session:
            row = _appointment(session, appointment_id)
            self._uow.audit(
                session,
                actor,
                "appointment.open",
                patient_id=row.patient_id,
                entity="appointment",
                entity_id=row.id,
            )
            return _view(session, row)

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[AppointmentView]:
        """A patient's appointments, coming ones first then past ones, newest first."""
        now = utcnow()
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(Appointment).where(
                    Appointment.patient_id == patient_id, Appointment.deleted.is_(False)
                )
            ).all()
            self._uow.audit(session, actor, "appointment.list", patient_id=patient_id)
            views = _views(session, rows)
        coming = sorted((v for v in views if v.starts_at >= now), key=lambda v: v.starts_at)
        past = sorted((v for v in views if v.starts_at < now), key=lambda v: v.starts_at)
        return [*coming, *reversed(past)]

    # ------------------------------------------------------------------------ the day

    def day(
        self,
        actor: CurrentUser,
        *,
        day: date | None = None,
        clinician_id: uuid.UUID | None = None,
    ) -> DayList:
        """A clinician's day list (default: the actor's own, today), in time order.

        Cancelled appointments are left out; those not attended and those finished stay.
        """
        on = day or self._context.today()
        whose = clinician_id or actor.id
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.AUDITED_READ) as session:
            entries = _day_entries(session, on, Appointment.clinician_id == whose)
            synced = _synced_at(session)
            self._uow.audit(session, actor, "appointment.day_list")
        return DayList(on, whose, None, entries, synced)

    def site_day(self, actor: CurrentUser, site_id: uuid.UUID, day: date | None = None) -> DayList:
        """Every clinician's appointments at a site on a day: reception's and the lead's view."""
        on = day or self._context.today()
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.AUDITED_READ) as session:
            entries = _day_entries(session, on, Appointment.site_id == site_id)
            synced = _synced_at(session)
            self._uow.audit(session, actor, "appointment.day_list")
        return DayList(on, None, site_id, entries, synced)

    # ------------------------------------------------------------------ attendance

    def arrive(self, actor: CurrentUser, appointment_id: uuid.UUID) -> AppointmentView:
        """The patient has arrived (or, for a call, is on the line): the care contact starts."""
        with self._uow(actor, Action.APPOINTMENT_ARRIVE) as session:
            row = _appointment(session, appointment_id)
            row.status = _step(row, actor, "arrive") or row.status
            row.arrived_at = utcnow()
            if _contact_of(session, row) is None:
                session.add(_new_contact(row, row.arrived_at, Outcome.ATTENDED))
            return self._attendance(session, actor, row, "appointment.arrive")

    def call_in(self, actor: CurrentUser, appointment_id: uuid.UUID) -> AppointmentView:
        """The patient is in the room with the clinician."""
        with self._uow(actor, Action.CONTACT_RECORD) as session:
            row = _appointment(session, appointment_id)
            row.status = _step(row, actor, "call_in") or row.status
            row.called_at = utcnow()
            if _contact_of(session, row) is None:
                session.add(_new_contact(row, row.called_at, Outcome.ATTENDED))
            return self._attendance(session, actor, row, "appointment.call_in")

    def finish(
        self, actor: CurrentUser, appointment_id: uuid.UUID, *, minutes: str = ""
    ) -> AppointmentView:
        """Seen: the contact's duration is what was typed, else from the times recorded."""
        typed = rules.parse_minutes(minutes) if minutes.strip() else None
        with self._uow(actor, Action.CONTACT_RECORD) as session:
            row = _appointment(session, appointment_id)
            row.status = _step(row, actor, "finish") or row.status
            now = utcnow()
            row.finished_at = now
            contact = _contact_of(session, row)
            if contact is None:
                contact = _new_contact(row, row.arrived_at or now, Outcome.ATTENDED)
                session.add(contact)
            began = row.called_at or row.arrived_at or now
            contact.minutes = typed or max(1, math.ceil((now - began).total_seconds() / 60))
            return self._attendance(session, actor, row, "appointment.finish")

    def _attendance(
        self, session: ClinicSession, actor: CurrentUser, row: Appointment, action: str
    ) -> AppointmentView:
        session.flush()
        self._uow.audit(
            session,
            actor,
            action,
            patient_id=row.patient_id,
            entity="appointment",
            entity_id=row.id,
        )
        return _view(session, row)

    def dna_check(self, actor: CurrentUser, appointment_id: uuid.UUID) -> DnaCheck:
        """What recording a non-attendance will ask: emergencies open, the service's rule."""
        with self._uow(actor, Action.CONTACT_RECORD, mode=Mode.AUDITED_READ) as session:
            row = _appointment(session, appointment_id)
            emergencies = _open_emergencies(session, [row.patient_id]).get(row.patient_id, [])
            rule = _dna_rule(session)
            offer = rules.evaluate_dna(rule, _earlier_contacts(session, row), row.appointment_type)
            self._uow.audit(
                session,
                actor,
                "appointment.dna_check",
                patient_id=row.patient_id,
                entity="appointment",
                entity_id=row.id,
            )
        return DnaCheck(
            emergencies=tuple(emergencies),
            earlier_dnas=offer.earlier,
            discharge_offered=offer.discharge_offered,
            rule_words=rules.dna_rule_words(rule),
        )

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
        (``appointment.emergency_action_required``). When the service's rule offers
        discharge, ``decision`` says what was chosen (``discharged``: the episode is closed
        back to the referrer; ``discharge_offered_declined``); otherwise it stays empty.

        Raises:
            ValidationError: ``appointment.emergency_action_required`` (field
                ``emergency_action``); ``appointment.decision_required`` or
                ``appointment.decision_invalid`` (field ``decision``).
            Conflict: ``appointment.not_booked``.
        """
        with self._uow(actor, Action.CONTACT_RECORD) as session:
            row = _appointment(session, appointment_id)
            target = _step(row, actor, "dna")
            problems = Collector()
            action = problems.check(
                lambda: optional_text(emergency_action, "emergency_action", TEXT_MAX)
            )
            if _open_emergencies(session, [row.patient_id]) and not emergency_action.strip():
                problems.add("appointment.emergency_action_required", "emergency_action")
            offer = rules.evaluate_dna(
                _dna_rule(session), _earlier_contacts(session, row), row.appointment_type
            )
            chosen = decision.strip() or None
            if offer.discharge_offered and chosen is None:
                problems.add("appointment.decision_required", "decision")
            elif chosen is not None and (
                not offer.discharge_offered or chosen not in set(DnaDecision)
            ):
                problems.add("appointment.decision_invalid", "decision")
            problems.raise_if_any()
            row.status = target or row.status
            contact = _new_contact(row, row.starts_at, Outcome.DID_NOT_ATTEND)
            contact.emergency_action, contact.dna_decision = action, chosen
            session.add(contact)
            if chosen == DnaDecision.DISCHARGED:
                _discharge(session, actor, row, self._context.today())
            return self._attendance(session, actor, row, "appointment.did_not_attend")

    def contacts(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[ContactView]:
        """A patient's care contacts, newest first."""
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(CareContact)
                .where(CareContact.patient_id == patient_id, CareContact.deleted.is_(False))
                .order_by(CareContact.starts_at.desc(), CareContact.id.desc())
            ).all()
            self._uow.audit(session, actor, "care_contact.list", patient_id=patient_id)
            return _contact_views(session, rows)

    def contact(self, actor: CurrentUser, contact_id: uuid.UUID) -> ContactView:
        """One care contact."""
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.AUDITED_READ) as session:
            row = session.get(CareContact, contact_id)
            if row is None or row.deleted:
                raise NotFound("appointment.contact_not_found")
            self._uow.audit(
                session,
                actor,
                "care_contact.open",
                patient_id=row.patient_id,
                entity="care_contact",
                entity_id=row.id,
            )
            return _contact_views(session, [row])[0]

    # ------------------------------------------------------------- double bookings

    def clashes(self, actor: CurrentUser) -> list[ClashView]:
        """Open double bookings made apart, oldest first."""
        with self._uow(actor, Action.APPOINTMENT_BOOK, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(AppointmentClash)
                .where(AppointmentClash.status == "open", AppointmentClash.deleted.is_(False))
                .order_by(AppointmentClash.created_at, AppointmentClash.id)
            ).all()
            self._uow.audit(session, actor, "appointment.clashes")
            return self._clash_views(session, rows)

    @staticmethod
    def _clash_views(session: Session, rows: Sequence[AppointmentClash]) -> list[ClashView]:
        ids = {i for r in rows for i in (r.first_appointment_id, r.second_appointment_id)}
        appointments = session.scalars(select(Appointment).where(Appointment.id.in_(ids))).all()
        views = {view.id: view for view in _views(session, appointments)}
        found: list[ClashView] = []
        for row in rows:
            first = views.get(row.first_appointment_id)
            second = views.get(row.second_appointment_id)
            if first is None or second is None:
                continue
            found.append(
                ClashView(
                    id=row.id,
                    clinician_id=row.clinician_id,
                    clinician_name=first.clinician_name,
                    first=first,
                    second=second,
                    status=row.status,
                )
            )
        return found

    def keep_both(self, actor: CurrentUser, clash_id: uuid.UUID, reason: str) -> ClashView:
        """Keep both appointments on purpose (reason required)."""
        words = required_text(reason, "reason", TEXT_MAX)
        with self._uow(actor, Action.APPOINTMENT_BOOK) as session:
            row = session.get(AppointmentClash, clash_id)
            if row is None or row.deleted:
                raise NotFound("appointment.clash_not_found")
            if row.status != "open":
                raise Conflict("appointment.clash_settled")
            row.status, row.resolution_reason = "kept", words
            row.resolved_by, row.resolved_at = recorded_by(actor), utcnow()
            session.flush()
            self._uow.audit(
                session,
                actor,
                "appointment.keep_both",
                entity="appointment_clash",
                entity_id=row.id,
            )
            views = self._clash_views(session, [row])
            if not views:
                raise NotFound("appointment.not_found")
            return views[0]


class _Needs:
    """What each appointment of a day list needs: one query per kind, over all its patients."""

    def __init__(
        self,
        unsigned: dict[uuid.UUID, tuple[str, ...]],
        due: dict[tuple[uuid.UUID, uuid.UUID | None], tuple[str, ...]],
        red_flag: set[uuid.UUID],
        reports: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID | None, str]],
    ) -> None:
        self._unsigned = unsigned
        self._due = due
        self._red_flag = red_flag
        self._reports = reports

    @classmethod
    def of(cls, session: Session, rows: Sequence[Appointment], on: date) -> _Needs:
        patients = {row.patient_id for row in rows}
        unsigned: dict[uuid.UUID, tuple[str, ...]] = {}
        if patients:
            for record_type in record_types().values():
                if record_type.unfinished is None:
                    continue
                for patient_id in record_type.unfinished(session, patients):
                    unsigned[patient_id] = (*unsigned.get(patient_id, ()), record_type.title)
        red_flag = set(_open_emergencies(session, patients)) | set(
            session.scalars(
                select(PatientAlert.patient_id)
                .join(RedFlagAction, RedFlagAction.alert_id == PatientAlert.id)
                .where(
                    PatientAlert.patient_id.in_(patients),
                    PatientAlert.active.is_(True),
                    PatientAlert.deleted.is_(False),
                )
            )
        )
        reports = [
            (patient_id, author, supervisor, status)
            for patient_id, author, supervisor, status in session.execute(
                select(
                    ScanReport.patient_id,
                    ScanReport.author_id,
                    ScanReport.supervisor_id,
                    ScanReport.status,
                ).where(
                    ScanReport.patient_id.in_(patients),
                    ScanReport.deleted.is_(False),
                    ScanReport.status.in_(
                        [RecordStatus.DRAFT, RecordStatus.RETURNED, RecordStatus.SUBMITTED]
                    ),
                )
            )
        ]
        return cls(unsigned, _questionnaires_due(session, patients, on), red_flag, reports)

    def _report_waiting(self, row: Appointment) -> bool:
        return any(
            patient_id == row.patient_id
            and (
                (
                    status in (RecordStatus.DRAFT, RecordStatus.RETURNED)
                    and author == row.clinician_id
                )
                or (status == RecordStatus.SUBMITTED and supervisor == row.clinician_id)
            )
            for patient_id, author, supervisor, status in self._reports
        )

    def for_row(self, row: Appointment) -> DayNeeds:
        due = (
            self._due.get((row.patient_id, row.episode_id), ())
            if row.appointment_type == AppointmentType.FOLLOW_UP
            else ()
        )
        return DayNeeds(
            unsigned=self._unsigned.get(row.patient_id, ()),
            questionnaires_due=due,
            red_flag=row.patient_id in self._red_flag,
            report_waiting=self._report_waiting(row),
        )

    def opens(self, row: Appointment) -> str:
        if row.appointment_type == AppointmentType.SCAN and self._report_waiting(row):
            return "report"
        if row.appointment_type == AppointmentType.FOLLOW_UP:
            return "contact_note"
        if row.appointment_type == AppointmentType.NEW:
            return "assessment"
        return "patient"


def _synced_at(session: Session) -> datetime | None:
    """When this device last finished a sync with the server (None: never)."""
    stored = session.get(StoreMeta, LAST_SUCCESS_KEY)
    return datetime.fromisoformat(stored.value) if stored is not None else None


def _day_entries(session: Session, on: date, which: ColumnElement[bool]) -> tuple[DayEntry, ...]:
    """The day's appointments (``which``: a clinician's or a site's), with names and needs.

    One query for the appointments and their patients, then one per kind of need over all
    of the day's patients, never one per patient.
    """
    start, end = rules.day_bounds(on)
    found = session.execute(
        select(Appointment, Patient)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(
            which,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            Appointment.deleted.is_(False),
            Appointment.status != Status.CANCELLED,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    rows = [row for row, _ in found]
    views = _views(session, rows)
    needs = _Needs.of(session, rows, on)
    return tuple(
        DayEntry(
            appointment=view,
            patient_name=f"{patient.family_name.upper()}, {patient.given_name}".strip(", "),
            nhs_number=patient.nhs_number,
            date_of_birth=patient.date_of_birth,
            needs=needs.for_row(row),
            opens=needs.opens(row),
        )
        for (row, patient), view in zip(found, views, strict=True)
    )


def _questionnaires_due(
    session: Session, patients: Collection[uuid.UUID], on: date
) -> dict[tuple[uuid.UUID, uuid.UUID | None], tuple[str, ...]]:
    """By (patient, episode): questionnaires with a complete baseline and no answer on ``on``.

    The questionnaires keep no schedule of their own: a follow-up is offered at each
    follow-up contact of an episode whose baseline was taken, unless already answered that day.
    """
    if not patients:
        return {}
    start, end = rules.day_bounds(on)
    baseline: set[tuple[uuid.UUID, uuid.UUID | None, str]] = set()
    answered: set[tuple[uuid.UUID, uuid.UUID | None, str]] = set()
    for (
        patient_id,
        episode_id,
        questionnaire_id,
        timepoint,
        complete,
        recorded_at,
    ) in session.execute(
        select(
            QuestionnaireResponse.patient_id,
            QuestionnaireResponse.episode_id,
            QuestionnaireResponse.questionnaire_id,
            QuestionnaireResponse.timepoint,
            QuestionnaireResponse.complete,
            QuestionnaireResponse.recorded_at,
        ).where(
            QuestionnaireResponse.patient_id.in_(list(patients)),
            QuestionnaireResponse.deleted.is_(False),
        )
    ):
        key = (patient_id, episode_id, questionnaire_id)
        if complete and str(timepoint) == "baseline":
            baseline.add(key)
        if recorded_at is not None and start <= recorded_at < end:
            answered.add(key)
    due: dict[tuple[uuid.UUID, uuid.UUID | None], tuple[str, ...]] = {}
    for patient_id, episode_id, questionnaire_id in sorted(baseline - answered, key=str):
        try:
            title = questionnaire(questionnaire_id).title
        except ClinicError:
            title = questionnaire_id
        due[(patient_id, episode_id)] = (*due.get((patient_id, episode_id), ()), title)
    return due
