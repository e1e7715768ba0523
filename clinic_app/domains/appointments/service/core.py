"""The clinic day's use cases: one call, one user action, one transaction."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.appointments import rules
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
    Mechanism,
    Outcome,
)
from clinic_app.domains.appointments.service.day import (
    _day_entries,
    _synced_at,
    prepare_day_list,
)
from clinic_app.domains.appointments.service.rows import (
    CLINICAL_ROLES,
    ROOM_MAX,
    TEXT_MAX,
    _appointment,
    _Booking,
    _contact_of,
    _contact_views,
    _discharge,
    _dna_rule,
    _earlier_contacts,
    _live_sessions,
    _names,
    _new_contact,
    _open_emergencies,
    _overlapping,
    _resolve_clashes,
    _session_state,
    _step,
    _view,
    _views,
    _works_at,
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
    DayList,
    DnaCheck,
    SessionInput,
    SessionView,
    Slot,
)
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.staff import Site, User
from clinic_app.kernel.uow import SYSTEM, Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.validation import Collector, optional_text, required_text
from clinic_app.people.duplicates import identities_of, merged_among, same_patient
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient


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
        today = rules.clinic_day(utcnow())
        if day is not None and day < today:
            # A day gone is said at once, whatever (or however wrongly) the time is typed.
            problems.add("appointment.in_the_past", "day")
        elif starts_at is not None and day is not None and starts_at < utcnow():
            problems.add("appointment.in_the_past", "time" if day == today else "day")
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
            # The same patient, or one booked under a registration since merged into theirs.
            if not same_patient(session, old.patient_id, data.patient_id):
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
        """A patient's appointments, coming ones first then past ones, newest first.

        Those booked under a registration since merged into the record are theirs.
        """
        now = utcnow()
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(Appointment).where(
                    Appointment.patient_id.in_(identities_of(session, patient_id)),
                    Appointment.deleted.is_(False),
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

    def prepare(self) -> None:
        """Ready the day lists' queries before anyone signs in (see ``prepare_day_list``)."""
        with self._uow(SYSTEM, Action.APPOINTMENT_VIEW, mode=Mode.READ) as session:
            prepare_day_list(session, self._context.today())

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
        """A patient's care contacts, newest first (a merged registration's too)."""
        with self._uow(actor, Action.APPOINTMENT_VIEW, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(CareContact)
                .where(
                    CareContact.patient_id.in_(identities_of(session, patient_id)),
                    CareContact.deleted.is_(False),
                )
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
