"""Shockwave courses: opened, given session by session (each signed), closed with the scores.

Every method may name the patient in the window's banner (``patient_id``): a record of another
patient is then refused when changing it and not found when reading it (one under a
registration since merged into the banner's record is the banner patient's). Saving refuses
impossible values with the field named; signing a session refuses a hard stop (an absolute
contraindication, the guidance's governance not ticked, a future date, a session beyond the
plan), a warning not acknowledged or a part left empty. The shared decision that led to the
course is linked through ``clinic_app.domains.decisions.service.check_decision``.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select

from clinic_app.domains.decisions.service import check_decision, keep_link
from clinic_app.domains.shockwave.figures import ShockwaveAudit, audit_scope, shockwave_audit
from clinic_app.domains.shockwave.model import EswtCourse, EswtDevice, EswtSession
from clinic_app.domains.shockwave.record import COURSE, SESSION, outcome_change
from clinic_app.domains.shockwave.service.checks import checks_for
from clinic_app.domains.shockwave.service.values import (
    FIXED_ONCE_STARTED,
    checked_course,
    checked_outcome,
    checked_session,
    course_problems,
    course_view,
    session_problems,
)
from clinic_app.domains.shockwave.views import (
    CourseInput,
    CourseView,
    Outcome,
    OutcomeChange,
    SessionChecks,
    SessionInput,
)
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, FormErrors, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.auth import AuthService
from clinic_app.people.duplicates import identities_of, same_patient
from clinic_app.records.attestation import attestation
from clinic_app.records.rows import (
    check_step,
    own_draft,
    patient_and_episode,
    patient_row,
    row_audit,
)
from clinic_app.records.seal import seal

#: Reading a course is reading the clinical record: the assessment's read permission.
READ = Action.ASSESSMENT_VIEW
LEADS_TO = "eswt"


class ShockwaveService:
    """Open, give, check, sign and close shockwave courses (every change and reading audited)."""

    def __init__(self, context: Context, auth: AuthService) -> None:
        self._uow = UnitOfWork(context)
        self._auth = auth

    # ------------------------------------------------------------ the course

    def start_course(
        self, actor: CurrentUser, patient_id: uuid.UUID, episode_id: uuid.UUID | None = None
    ) -> CourseView:
        """Open the actor's own open course for the patient's episode, or start one.

        Raises:
            NotFound: ``patient.not_found``, ``episode.not_found`` (another patient's).
        """
        with self._uow(actor, COURSE.lifecycle.step("edit").permission) as session:
            patient, episode = patient_and_episode(session, patient_id, episode_id)
            row = own_draft(session, EswtCourse, actor, patient, episode)
            if row is None:
                row = EswtCourse(patient_id=patient, episode_id=episode)
                session.add(row)
                session.flush()
                self._audit(session, actor, "create", row)
            else:
                self._audit(session, actor, "open", row)
            return self._view(session, row)

    def save_course(
        self,
        actor: CurrentUser,
        course_id: uuid.UUID,
        fields: CourseInput,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> CourseView:
        """Save the open course as it stands: parts may still be missing.

        Once a session is signed, what it was given on (indication, side, device, governance,
        contraindications, the scores before) no longer changes, and the sessions planned go
        no lower than the sessions begun.

        Raises:
            FormErrors: every impossible value, each naming its field (``checked_course``).
            ValidationError: ``eswt.plan_below_given`` (field ``planned_sessions``).
            NotFound: ``eswt.not_found``; ``decision.not_found``.
            Conflict: ``eswt.course_closed``, ``eswt.wrong_patient``, ``eswt.course_started``
                (a part fixed once a session is signed); a named shared decision of another
                patient, not signed or of another episode.
            PermissionDenied: ``eswt.not_author`` for another clinician's course.
        """
        with self._uow(actor, COURSE.lifecycle.step("edit").permission) as session:
            row = self._course(session, actor, course_id, patient_id, "edit")
            values = checked_course(session, row, fields)
            numbers = [s.number for s in self._sessions(session, row.id) if s.number is not None]
            planned = values["planned_sessions"]
            if numbers and isinstance(planned, int) and planned < max(numbers):
                raise ValidationError(
                    "eswt.plan_below_given", field="planned_sessions", given=max(numbers)
                )
            if self._started(session, row.id):
                changed = sorted(n for n in FIXED_ONCE_STARTED if getattr(row, n) != values[n])
                if changed:
                    raise Conflict("eswt.course_started", fields=changed)
            for name, value in values.items():
                setattr(row, name, value)
            self._link(session, row, fields.sdm_record_id, fields.sdm_missing_reason, strict=False)
            session.flush()
            self._audit(session, actor, "save", row)
            return self._view(session, row)

    def close_course(
        self,
        actor: CurrentUser,
        course_id: uuid.UUID,
        outcome_after: Outcome,
        password: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> CourseView:
        """Close the course with the follow-up scores, signed with the password: final.

        Raises:
            AuthenticationFailed: ``auth.failed``, ``auth.locked_out``.
            FormErrors: ``eswt.required_to_close`` for each part left empty (the scores after
                among them), ``eswt.pain_out_of_range``, ``eswt.unknown_response``.
            Conflict: ``eswt.no_session_given`` (no signed session), ``eswt.session_open``
                (a session still a draft), ``eswt.course_closed``, ``eswt.wrong_patient``.
            NotFound, PermissionDenied: as :meth:`save_course`.
        """
        permission = COURSE.lifecycle.step("sign").permission
        require(actor.role, permission)
        self._auth.check_password(actor, password)
        with self._uow(actor, permission) as session:
            row = self._course(session, actor, course_id, patient_id, "sign")
            sessions = self._sessions(session, row.id)
            if any(s.status != RecordStatus.SIGNED for s in sessions):
                raise Conflict("eswt.session_open")
            if not sessions:
                raise Conflict("eswt.no_session_given")
            try:
                row.outcome_after = checked_outcome(session, row, outcome_after, "outcome_after")
            except ValidationError as error:
                raise FormErrors([error]) from error
            self._link(session, row, row.sdm_record_id, row.sdm_missing_reason, strict=True)
            seal(
                COURSE,
                row,
                session=session,
                signer=recorded_by(actor),
                attestation=attestation(session, COURSE, "sign"),
            )
            session.flush()
            self._audit(session, actor, "close", row)
            return self._view(session, row)

    # ------------------------------------------------------------ its sessions

    def add_session(
        self, actor: CurrentUser, course_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> CourseView:
        """Begin the next session (n of N) dated today, or open the actor's own draft of it.

        Raises:
            ValidationError: ``eswt.session_beyond_plan`` (field ``number``) when N sessions
                are already begun; ``eswt.required_to_sign`` (field ``planned_sessions``)
                when no N is planned yet.
            NotFound: ``eswt.not_found``.
            Conflict: ``eswt.course_closed``, ``eswt.wrong_patient``.
        """
        with self._uow(actor, SESSION.lifecycle.step("edit").permission) as session:
            row = self._load(session, course_id, patient_id, changing=True)
            if row.status != RecordStatus.DRAFT:
                raise Conflict("eswt.course_closed")
            sessions = self._sessions(session, row.id)
            mine = recorded_by(actor)
            for existing in sessions:
                if existing.status == RecordStatus.DRAFT and existing.created_by == mine:
                    return self._view(session, row)
            if row.planned_sessions is None:
                raise ValidationError("eswt.required_to_sign", field="planned_sessions")
            number = max((s.number or 0 for s in sessions), default=0) + 1
            if number > row.planned_sessions:
                raise ValidationError(
                    "eswt.session_beyond_plan", field="number", planned=row.planned_sessions
                )
            added = EswtSession(
                course_id=row.id,
                patient_id=row.patient_id,
                episode_id=row.episode_id,
                number=number,
                performed_on=date.today(),
                eswt_device_id=row.eswt_device_id,
            )
            session.add(added)
            session.flush()
            self._audit_session(session, actor, "session_create", added)
            return self._view(session, row)

    def save_session(
        self,
        actor: CurrentUser,
        session_id: uuid.UUID,
        fields: SessionInput,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> CourseView:
        """Save a session draft as it stands; an acknowledgement no longer warned is dropped.

        Raises:
            FormErrors: every impossible value, each naming its field (``checked_session``:
                ``eswt.session_in_future``, ``eswt.session_beyond_plan``,
                ``eswt.pulses_out_of_bounds``, ``eswt.wrong_measure`` and the others).
            NotFound: ``eswt.session_not_found``.
            Conflict: ``eswt.session_signed``, ``eswt.course_closed``, ``eswt.wrong_patient``.
            PermissionDenied: ``eswt.not_author`` for another clinician's session.
        """
        with self._uow(actor, SESSION.lifecycle.step("edit").permission) as session:
            row, course = self._session(session, actor, session_id, patient_id, "edit")
            device = self._device(session, course)
            values = checked_session(
                row,
                fields,
                device_kind=device.kind if device is not None else None,
                planned=course.planned_sessions,
                today=date.today(),
            )
            for name, value in values.items():
                setattr(row, name, value)
            row.eswt_device_id = course.eswt_device_id
            warned = checks_for(session, course, row, date.today()).warning_codes
            row.acknowledgements = [a for a in row.acknowledgements if a["code"] in warned]
            session.flush()
            self._audit_session(session, actor, "session_save", row)
            return self._view(session, course)

    def acknowledge(
        self,
        actor: CurrentUser,
        session_id: uuid.UUID,
        warning_code: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> CourseView:
        """Keep the actor's acknowledgement of one warning of the session (who and when).

        Raises:
            ValidationError: ``eswt.not_warned`` (field ``warning_code``) for a code the
                session does not warn of now.
            NotFound, Conflict, PermissionDenied: as :meth:`save_session`.
        """
        with self._uow(actor, SESSION.lifecycle.step("edit").permission) as session:
            row, course = self._session(session, actor, session_id, patient_id, "edit")
            if warning_code not in checks_for(session, course, row, date.today()).warning_codes:
                raise ValidationError("eswt.not_warned", field="warning_code")
            by = recorded_by(actor)
            kept = [a for a in row.acknowledgements if a["code"] != warning_code]
            kept.append(
                {"code": warning_code, "by": str(by) if by else "", "at": utcnow().isoformat()}
            )
            row.acknowledgements = kept
            session.flush()
            self._audit_session(session, actor, "acknowledge", row)
            return self._view(session, course)

    def sign_session(
        self,
        actor: CurrentUser,
        session_id: uuid.UUID,
        password: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> CourseView:
        """Sign a session with the password: from now on it never changes.

        Raises:
            AuthenticationFailed: ``auth.failed``, ``auth.locked_out``.
            FormErrors: every part left empty (``eswt.required_to_sign``,
                ``eswt.contraindication_unanswered``), every hard stop
                (``eswt.absolute_contraindication``, ``eswt.governance_not_ticked``,
                ``eswt.session_in_future``, ``eswt.session_beyond_plan``),
                ``eswt.warning_not_acknowledged`` (field: the warning's code) for each warning
                not acknowledged; ``decision.none_in_episode`` when no shared decision is
                linked and no reason given.
            NotFound, Conflict, PermissionDenied: as :meth:`save_session`.
        """
        permission = SESSION.lifecycle.step("sign").permission
        require(actor.role, permission)
        self._auth.check_password(actor, password)
        with self._uow(actor, permission) as session:
            row, course = self._session(session, actor, session_id, patient_id, "sign")
            device = self._device(session, course)
            problems = course_problems(course) + session_problems(
                row, device.kind if device is not None else None
            )
            try:
                self._link(
                    session, course, course.sdm_record_id, course.sdm_missing_reason, strict=True
                )
            except ValidationError as error:
                problems.append(error)
            checks = checks_for(session, course, row, date.today())
            problems.extend(checks.hard_stops)
            acknowledged = {a["code"] for a in row.acknowledgements}
            problems.extend(
                ValidationError("eswt.warning_not_acknowledged", field=w.code)
                for w in checks.warnings
                if w.code not in acknowledged
            )
            if problems:
                raise FormErrors(problems)
            if device is not None:
                row.eswt_device_id, row.device_serial, row.device_kind = (
                    device.id,
                    device.serial,
                    device.kind,
                )
            seal(
                SESSION,
                row,
                session=session,
                signer=recorded_by(actor),
                attestation=attestation(session, SESSION, "sign"),
            )
            session.flush()
            self._audit_session(session, actor, "session_sign", row)
            return self._view(session, course)

    # ------------------------------------------------------------ reading

    def session_checks(
        self, actor: CurrentUser, session_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> SessionChecks:
        """The session's hard stops, warnings (with those acknowledged) and missing parts.

        Reads the patient's steroid injections (audited).

        Raises:
            NotFound: ``eswt.session_not_found`` (also for a session of another patient).
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = session.get(EswtSession, session_id)
            if (
                row is None
                or row.deleted
                or (
                    patient_id is not None and not same_patient(session, row.patient_id, patient_id)
                )
            ):
                raise NotFound("eswt.session_not_found")
            course = self._load(session, row.course_id, None)
            device = self._device(session, course)
            found = checks_for(session, course, row, date.today())
            self._audit_session(session, actor, "checks", row)
            return SessionChecks(
                hard_stops=found.hard_stops,
                warnings=found.warnings,
                acknowledged=frozenset(a["code"] for a in row.acknowledgements),
                incomplete=tuple(
                    course_problems(course)
                    + session_problems(row, device.kind if device is not None else None)
                ),
            )

    def get(
        self, actor: CurrentUser, course_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> CourseView:
        """Open one course with its sessions, every seal checked (audited).

        Raises:
            NotFound: ``eswt.not_found``, also for a course of another patient.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, course_id, patient_id)
            self._audit(session, actor, "open", row)
            return self._view(session, row)

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[CourseView]:
        """The patient's courses, newest first (open and closed); audited.

        Those under a registration since merged into the patient's record are theirs.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(EswtCourse)
                .where(
                    EswtCourse.patient_id.in_(identities_of(session, patient_id)),
                    EswtCourse.deleted.is_(False),
                )
                .order_by(EswtCourse.created_at.desc(), EswtCourse.id.desc())
            ).all()
            self._uow.audit(session, actor, "eswt.list", patient_id=patient_id, entity="eswt")
            return [self._view(session, row) for row in rows]

    def outcome_change(
        self, actor: CurrentUser, course_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> OutcomeChange:
        """The course's scores before -> after (pain, then each questionnaire); audited.

        Raises:
            NotFound: ``eswt.not_found``, also for a course of another patient.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, course_id, patient_id)
            self._audit(session, actor, "outcome_change", row)
            return outcome_change(session, row)

    def attestation_for(self, actor: CurrentUser, step: str = "session") -> str:
        """The sentence to show before signing a session (``session``) or closing (``close``)."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            return attestation(session, COURSE if step == "close" else SESSION, "sign")

    def audit(self, actor: CurrentUser, first: date, last: date) -> ShockwaveAudit:
        """The shockwave audit over the months ``first`` to ``last``, per indication.

        The service lead sees everyone's and each clinician's, a clinician their own (see
        ``clinic_app.domains.shockwave.figures``); no patient is read, so it is not audited.

        Raises:
            PermissionDenied: for anyone who neither leads the service nor gives shockwave.
        """
        everyone, action = audit_scope(actor)
        with self._uow(actor, action, mode=Mode.READ) as session:
            return shockwave_audit(session, actor, first, last, everyone=everyone)

    # ------------------------------------------------------------ inside

    @staticmethod
    def _link(
        session: ClinicSession,
        row: EswtCourse,
        sdm_id: uuid.UUID | None,
        reason: str | None,
        *,
        strict: bool,
    ) -> None:
        """Link the shared decision named (or the episode's latest), or keep the reason.

        While drafting, a missing decision with no reason yet is left for signing to ask.
        """
        try:
            link = check_decision(
                session, row.patient_id, row.episode_id, LEADS_TO, sdm_id=sdm_id, reason=reason
            )
        except ValidationError as error:
            if strict or error.code != "decision.none_in_episode":
                raise
            row.sdm_record_id, row.sdm_missing_reason = None, None
            return
        keep_link(row, link)

    @staticmethod
    def _sessions(session: ClinicSession, course_id: uuid.UUID) -> list[EswtSession]:
        return list(
            session.scalars(
                select(EswtSession)
                .where(EswtSession.course_id == course_id, EswtSession.deleted.is_(False))
                .order_by(EswtSession.number, EswtSession.created_at, EswtSession.id)
            )
        )

    @staticmethod
    def _started(session: ClinicSession, course_id: uuid.UUID) -> bool:
        return bool(
            session.scalar(
                select(func.count(EswtSession.id)).where(
                    EswtSession.course_id == course_id,
                    EswtSession.status == RecordStatus.SIGNED.value,
                    EswtSession.deleted.is_(False),
                )
            )
        )

    @staticmethod
    def _device(session: ClinicSession, course: EswtCourse) -> EswtDevice | None:
        if course.eswt_device_id is None:
            return None
        device = session.get(EswtDevice, course.eswt_device_id)
        return None if device is None or device.deleted else device

    @staticmethod
    def _load(
        session: ClinicSession,
        course_id: uuid.UUID,
        patient_id: uuid.UUID | None,
        *,
        changing: bool = False,
    ) -> EswtCourse:
        return patient_row(
            session,
            EswtCourse,
            course_id,
            patient_id,
            missing=NotFound("eswt.not_found"),
            wrong_patient=Conflict("eswt.wrong_patient") if changing else None,
        )

    def _course(
        self,
        session: ClinicSession,
        actor: CurrentUser,
        course_id: uuid.UUID,
        patient_id: uuid.UUID | None,
        step: str,
    ) -> EswtCourse:
        """The course, once it is this patient's and the actor may take ``step`` on it."""
        row = self._load(session, course_id, patient_id, changing=True)
        check_step(COURSE, step, row, actor)
        return row

    def _session(
        self,
        session: ClinicSession,
        actor: CurrentUser,
        session_id: uuid.UUID,
        patient_id: uuid.UUID | None,
        step: str,
    ) -> tuple[EswtSession, EswtCourse]:
        """The session and its open course, once the actor may take ``step`` on the session."""
        row = patient_row(
            session,
            EswtSession,
            session_id,
            patient_id,
            missing=NotFound("eswt.session_not_found"),
            wrong_patient=Conflict("eswt.wrong_patient"),
        )
        check_step(SESSION, step, row, actor)
        course = self._load(session, row.course_id, None)
        if course.status != RecordStatus.DRAFT:
            raise Conflict("eswt.course_closed")
        return row, course

    def _view(self, session: ClinicSession, row: EswtCourse) -> CourseView:
        return course_view(row, self._sessions(session, row.id))

    def _audit(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: EswtCourse
    ) -> None:
        self._uow.audit(session, actor, f"eswt.{action}", **row_audit(COURSE, row))

    def _audit_session(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: EswtSession
    ) -> None:
        self._uow.audit(session, actor, f"eswt.{action}", **row_audit(SESSION, row))
