"""Contact notes: started from an appointment, autosaved, signed with the password, added to."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, select

from clinic_app.domains.appointments.model import Appointment, CareContact
from clinic_app.domains.appointments.rules import (
    Mechanism,
    Status,
    clinic_day,
    day_bounds,
    on_clinic_clock,
)
from clinic_app.domains.contacts.model import ContactNote, ContactNoteAddendum
from clinic_app.domains.contacts.pdf import PrintedNote, note_pdf
from clinic_app.domains.contacts.record import CONTACT_NOTE
from clinic_app.domains.contacts.rules import EXERCISES, checked_exercises
from clinic_app.domains.contacts.views import ContactNoteView, NoteAddendumView, QuestionnaireDue
from clinic_app.domains.questionnaires.content import questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.kernel import validation as check
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import (
    ClinicError,
    Conflict,
    FormErrors,
    NotFound,
    ValidationError,
)
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.staff import Site, display_name
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import RecordStatus, Timepoint
from clinic_app.people.auth import AuthService
from clinic_app.people.duplicates import identities_of, same_patient, survivor_of
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import format_nhs_number
from clinic_app.records.attestation import attestation
from clinic_app.records.events import RecordAmended, raise_event
from clinic_app.records.registry import STATUS_WORDS, day_words
from clinic_app.records.seal import intact, note_digest, seal, signing_time
from clinic_app.records.sections_record import checked_sections

ADDENDUM_MAX = 4000
#: Reading a note is reading the clinical record: the assessment's read permission.
READ = Action.ASSESSMENT_VIEW
#: An appointment with no contact to write about: nobody was seen.
_NOT_SEEN = frozenset({Status.CANCELLED.value, Status.DNA.value})
#: How the patient was seen, as the printed note says it.
_HOW_WORDS = {
    Mechanism.FACE_TO_FACE.value: "Face to face",
    Mechanism.TELEPHONE.value: "Telephone",
    Mechanism.VIDEO.value: "Video",
}


def checked_content(content: Mapping[str, object]) -> dict[str, Any]:
    """The sections' words trimmed and the exercises checked, every problem at once.

    Raises:
        FormErrors: ``text.too_long`` on a section, and the exercise checks of
            ``rules.checked_exercises`` on fields like ``exercises.0.sets``.
    """
    problems: list[ValidationError] = []
    try:
        kept: dict[str, Any] = checked_sections(CONTACT_NOTE, content)
    except FormErrors as found:
        problems.extend(found.errors)
        kept = {}
    try:
        exercises = checked_exercises(content.get(EXERCISES))
    except FormErrors as found:
        problems.extend(found.errors)
        exercises = []
    if problems:
        raise FormErrors(problems)
    if exercises:
        kept[EXERCISES] = exercises
    return kept


def _contact_of(
    session: ClinicSession, patient_id: uuid.UUID, appointment_id: uuid.UUID
) -> uuid.UUID | None:
    """The care contact recorded for this patient's appointment, once there is one.

    One recorded under a registration since merged into the patient's record is theirs.
    """
    return session.scalars(
        select(CareContact.id)
        .where(
            CareContact.appointment_id == appointment_id,
            CareContact.patient_id.in_(identities_of(session, patient_id)),
            CareContact.deleted.is_(False),
        )
        .order_by(CareContact.created_at, CareContact.id)
        .limit(1)
    ).one_or_none()


class ContactNoteService:
    """The note of a follow-up contact, from a draft started at the appointment to signed."""

    record_type = CONTACT_NOTE

    def __init__(self, context: Context, auth: AuthService) -> None:
        self._uow = UnitOfWork(context)
        self._auth = auth

    # ------------------------------------------------------------------ writing

    def start(
        self, actor: CurrentUser, patient_id: uuid.UUID, appointment_id: uuid.UUID
    ) -> ContactNoteView:
        """The actor's draft for this appointment, started now if they have none.

        A new draft is linked to the appointment, its care contact (once one is recorded)
        and its episode. A signed note for the appointment is not reopened: a new draft is
        started beside it only when the actor has none (signed notes are added to instead).

        Raises:
            NotFound: ``contact_note.appointment_not_found`` for no such appointment of
                this patient (another patient's appointment is never named).
            Conflict: ``contact_note.not_seen`` for a cancelled appointment or a
                non-attendance.
        """
        permission = CONTACT_NOTE.lifecycle.step("edit").permission
        with self._uow(actor, permission) as session:
            appointment = session.get(Appointment, appointment_id)
            # One booked under a registration since merged into the record is the patient's.
            if (
                appointment is None
                or appointment.deleted
                or not same_patient(session, appointment.patient_id, patient_id)
            ):
                raise NotFound("contact_note.appointment_not_found")
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            if appointment.status in _NOT_SEEN:
                raise Conflict("contact_note.not_seen")
            mine = recorded_by(actor)
            # A draft started under a registration since merged into the record continues.
            row = session.scalars(
                select(ContactNote)
                .where(
                    ContactNote.appointment_id == appointment.id,
                    ContactNote.patient_id.in_(identities_of(session, patient_id)),
                    ContactNote.status == RecordStatus.DRAFT.value,
                    ContactNote.created_by == mine
                    if mine is not None
                    else ContactNote.created_by.is_(None),
                    ContactNote.deleted.is_(False),
                )
                .order_by(ContactNote.created_at.desc(), ContactNote.id.desc())
                .limit(1)
            ).one_or_none()
            action = "open"
            if row is None:
                row = ContactNote(
                    patient_id=patient.id,
                    episode_id=episode_for(session, patient.id, appointment.episode_id),
                    appointment_id=appointment.id,
                    care_contact_id=_contact_of(session, patient.id, appointment.id),
                    status=RecordStatus.DRAFT.value,
                    content={},
                )
                session.add(row)
                session.flush()
                action = "create"
            self._audit(session, actor, action, row)
            return self._view(session, row)

    def save_draft(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        content: Mapping[str, object],
        note_id: uuid.UUID | None = None,
    ) -> ContactNoteView:
        """Replace a draft's words and exercises (autosave), or start one with no appointment.

        Raises:
            FormErrors: as :func:`checked_content`.
            NotFound: ``patient.not_found`` or ``contact_note.not_found``.
            Conflict: ``contact_note.wrong_patient`` for another patient's note, or
                ``contact_note.signed`` (a signed note is never changed: add an addendum).
            PermissionDenied: ``contact_note.not_author`` for another user's draft.
        """
        checked = checked_content(content)
        with self._uow(actor, CONTACT_NOTE.lifecycle.step("edit").permission) as session:
            if note_id is None:
                patient = session.get(Patient, patient_id)
                if patient is None or patient.deleted:
                    raise NotFound("patient.not_found")
                row = ContactNote(
                    patient_id=patient.id,
                    episode_id=episode_for(session, patient.id, None),
                    status=RecordStatus.DRAFT.value,
                    content=checked,
                )
                session.add(row)
                action = "create"
            else:
                row = self._load(session, note_id)
                # A draft left under a registration since merged into the record is theirs.
                if not same_patient(session, row.patient_id, patient_id):
                    raise Conflict("contact_note.wrong_patient")
                self._check(actor, row, "edit")
                row.content = checked
                if row.care_contact_id is None and row.appointment_id is not None:
                    # Started before the patient was marked seen: linked once they are.
                    row.care_contact_id = _contact_of(session, row.patient_id, row.appointment_id)
                action = "save_draft"
            session.flush()
            self._audit(session, actor, action, row)
            return self._view(session, row)

    def sign(self, actor: CurrentUser, note_id: uuid.UUID, password: str) -> ContactNoteView:
        """Sign a draft with the user's password: from now on it never changes.

        Raises:
            AuthenticationFailed: ``auth.failed`` (wrong password), ``auth.locked_out``.
            FormErrors: ``contact_note.required_to_sign`` for each required section empty.
            Conflict: ``contact_note.signed`` when it is signed already.
            PermissionDenied: ``contact_note.not_author``.
        """
        permission = CONTACT_NOTE.lifecycle.step("sign").permission
        require(actor.role, permission)
        self._auth.check_password(actor, password)
        with self._uow(actor, permission) as session:
            row = self._load(session, note_id)
            self._check(actor, row, "sign")
            seal(
                CONTACT_NOTE,
                row,
                session=session,
                signer=recorded_by(actor),
                attestation=attestation(session, CONTACT_NOTE, "sign"),
            )
            session.flush()
            self._audit(session, actor, "sign", row)
            return self._view(session, row)

    def add_addendum(
        self, actor: CurrentUser, note_id: uuid.UUID, text: str, password: str
    ) -> ContactNoteView:
        """Add a signed addendum to a signed note (the password is asked again).

        Raises:
            ValidationError: ``text.empty`` or ``text.too_long`` (field ``text``).
            AuthenticationFailed: ``auth.failed`` (wrong password), ``auth.locked_out``.
            NotFound: ``contact_note.not_found``.
            Conflict: ``contact_note.not_signed`` (change the draft instead).
        """
        step = CONTACT_NOTE.lifecycle.step("amend")
        require(actor.role, step.permission)
        words = check.required_text(text, "text", ADDENDUM_MAX)
        self._auth.check_password(actor, password)
        with self._uow(actor, step.permission) as session:
            row = self._load(session, note_id)
            self._check(actor, row, "amend")
            if row.content_sha256 is None:
                raise Conflict("contact_note.not_signed")
            signed_at, signer = signing_time(), recorded_by(actor)
            addendum = ContactNoteAddendum(
                contact_note_id=row.id,
                text=words,
                signed_at=signed_at,
                signed_by=signer,
                sha256=note_digest(row.id, row.content_sha256, words, signed_at, signer),
            )
            session.add(addendum)
            session.flush()
            raise_event(
                session,
                RecordAmended(
                    CONTACT_NOTE.code,
                    row.id,
                    row.patient_id,
                    row.episode_id,
                    signer,
                    addition_id=addendum.id,
                ),
            )
            self._uow.audit(
                session,
                actor,
                "contact_note.addendum",
                patient_id=row.patient_id,
                entity="contact_note_addendum",
                entity_id=addendum.id,
            )
            return self._view(session, row)

    # ------------------------------------------------------------------ reading

    def get(
        self, actor: CurrentUser, note_id: uuid.UUID, patient_id: uuid.UUID | None = None
    ) -> ContactNoteView:
        """Open one note with its addenda, every seal checked (the opening is audited).

        With ``patient_id``, a note of another patient is not found (the banner's patient
        is the only one a screen may show); one written under a registration since merged
        into their record is theirs.

        Raises:
            NotFound: ``contact_note.not_found``.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, note_id)
            if patient_id is not None and not same_patient(session, row.patient_id, patient_id):
                raise NotFound("contact_note.not_found")
            self._audit(session, actor, "open", row)
            return self._view(session, row)

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> tuple[ContactNoteView, ...]:
        """The patient's contact notes, newest first (drafts and signed); audited.

        Those written under a registration since merged into the record are theirs.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(ContactNote)
                .where(
                    ContactNote.patient_id.in_(identities_of(session, patient_id)),
                    ContactNote.deleted.is_(False),
                )
                .order_by(ContactNote.created_at.desc(), ContactNote.id.desc())
            ).all()
            self._uow.audit(session, actor, "contact_note.list", patient_id=patient_id)
            return tuple(self._view(session, row) for row in rows)

    def attestation_for(self, actor: CurrentUser) -> str:
        """The sentence to show the actor before they sign a contact note."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            return attestation(session, CONTACT_NOTE, "sign")

    def questionnaires_due(
        self, actor: CurrentUser, patient_id: uuid.UUID
    ) -> tuple[QuestionnaireDue, ...]:
        """The questionnaires whose follow-up is due at today's contact (audited).

        The questionnaires domain keeps one schedule: a baseline in the episode, then
        follow-ups. So one is due when the patient's open episode has a complete baseline
        of it and nothing of it has been answered on the clinic's today; no interval is
        invented here. The day list offers the same at each follow-up.
        """
        with self._uow(actor, Action.QUESTIONNAIRE_VIEW, mode=Mode.AUDITED_READ) as session:
            episode = episode_for(session, patient_id, None)
            in_episode = (
                QuestionnaireResponse.episode_id.is_(None)
                if episode is None
                else QuestionnaireResponse.episode_id == episode
            )
            live = (
                # Answers given under a registration since merged into the record count.
                QuestionnaireResponse.patient_id.in_(identities_of(session, patient_id)),
                in_episode,
                QuestionnaireResponse.deleted.is_(False),
            )
            baselines = session.execute(
                select(
                    QuestionnaireResponse.questionnaire_id,
                    func.min(QuestionnaireResponse.recorded_at),
                )
                .where(
                    *live,
                    QuestionnaireResponse.complete.is_(True),
                    QuestionnaireResponse.timepoint == Timepoint.BASELINE,
                )
                .group_by(QuestionnaireResponse.questionnaire_id)
            ).all()
            start, end = day_bounds(clinic_day(utcnow()))
            answered_today = set(
                session.scalars(
                    select(QuestionnaireResponse.questionnaire_id).where(
                        *live,
                        QuestionnaireResponse.recorded_at >= start,
                        QuestionnaireResponse.recorded_at < end,
                    )
                )
            )
            self._uow.audit(
                session, actor, "contact_note.questionnaires_due", patient_id=patient_id
            )
        due: list[QuestionnaireDue] = []
        for questionnaire_id, baseline_at in sorted(baselines, key=lambda found: str(found[0])):
            if questionnaire_id in answered_today or baseline_at is None:
                continue
            try:
                title = questionnaire(questionnaire_id).title
            except ClinicError:
                continue  # a questionnaire this version no longer ships: nothing to offer
            due.append(QuestionnaireDue(questionnaire_id, title, baseline_at))
        return tuple(due)

    def printable(self, actor: CurrentUser, note_id: uuid.UUID) -> bytes:
        """The note as a PDF naming the patient on every page (printing is audited).

        The patient is named as their record stands now: a note written under a registration
        since merged into another record prints the surviving record's name and number.

        Raises:
            NotFound: ``contact_note.not_found``.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, note_id)
            patient = session.get(Patient, survivor_of(session, row.patient_id))
            if patient is None:
                raise NotFound("patient.not_found")
            view = self._view(session, row)
            attendance = _attendance(session, row)
            self._audit(session, actor, "print", row)
        return note_pdf(_printed(view, patient, attendance))

    # ------------------------------------------------------------------ inside

    @staticmethod
    def _load(session: ClinicSession, note_id: uuid.UUID) -> ContactNote:
        row = session.get(ContactNote, note_id)
        if row is None or row.deleted:
            raise NotFound("contact_note.not_found")
        return row

    @staticmethod
    def _check(actor: CurrentUser, row: ContactNote, step: str) -> None:
        CONTACT_NOTE.lifecycle.check(
            step,
            status=row.status,
            role=actor.role,
            actor=recorded_by(actor),
            author=row.created_by,
        )

    def _audit(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: ContactNote
    ) -> None:
        self._uow.audit(
            session,
            actor,
            f"contact_note.{action}",
            patient_id=row.patient_id,
            entity="contact_note",
            entity_id=row.id,
        )

    @staticmethod
    def _view(session: ClinicSession, row: ContactNote) -> ContactNoteView:
        addenda = session.scalars(
            select(ContactNoteAddendum)
            .where(
                ContactNoteAddendum.contact_note_id == row.id,
                ContactNoteAddendum.deleted.is_(False),
            )
            .order_by(ContactNoteAddendum.signed_at, ContactNoteAddendum.id)
        ).all()
        content = row.content or {}
        return ContactNoteView(
            id=row.id,
            patient_id=row.patient_id,
            episode_id=row.episode_id,
            appointment_id=row.appointment_id,
            care_contact_id=row.care_contact_id,
            status=str(row.status),
            content=MappingProxyType({k: str(v) for k, v in content.items() if k != EXERCISES}),
            exercises=tuple(MappingProxyType(dict(e)) for e in content.get(EXERCISES) or ()),
            created_at=row.created_at,
            created_by=row.created_by,
            signed_at=row.signed_at,
            signed_by=row.signed_by,
            signer_name=display_name(session, row.signed_by),
            attestation=row.attestation,
            intact=intact(CONTACT_NOTE, row),
            summary=CONTACT_NOTE.describe(row),
            addenda=tuple(
                NoteAddendumView(
                    id=note.id,
                    text=note.text,
                    signed_at=note.signed_at,
                    signed_by=note.signed_by,
                    signer_name=display_name(session, note.signed_by),
                    intact=row.content_sha256 is not None
                    and note.sha256
                    == note_digest(
                        row.id, row.content_sha256, note.text, note.signed_at, note.signed_by
                    ),
                )
                for note in addenda
            ),
        )


def _attendance(session: ClinicSession, row: ContactNote) -> tuple[tuple[str, str], ...]:
    """When, how, where and with whom the note's contact was, on the clinic's clock.

    The day and time are the appointment's; how, who and how long are the care contact's
    where one is recorded (what happened), else the appointment's (what was booked).
    Nothing for a note with neither, and never another patient's (one booked or seen under
    a registration since merged with the note's is the same patient's).
    """
    appointment = (
        session.get(Appointment, row.appointment_id) if row.appointment_id is not None else None
    )
    contact = (
        session.get(CareContact, row.care_contact_id) if row.care_contact_id is not None else None
    )
    if appointment is not None and not same_patient(
        session, appointment.patient_id, row.patient_id
    ):
        appointment = None
    if contact is not None and not same_patient(session, contact.patient_id, row.patient_id):
        contact = None
    source = contact or appointment
    if source is None:
        return ()
    starts = on_clinic_clock((appointment or source).starts_at)
    lines = [("Date", day_words(starts.date())), ("Time", f"{starts:%H:%M}")]
    if contact is not None and contact.minutes:
        lines.append(("Length", f"{contact.minutes} minutes"))
    elif appointment is not None:
        lines.append(("Length", f"{appointment.minutes} minutes booked"))
    lines.append(("How", _HOW_WORDS.get(source.mechanism, source.mechanism)))
    site_id = source.site_id or (appointment.site_id if appointment is not None else None)
    site = session.get(Site, site_id) if site_id is not None else None
    where = [site.name] if site is not None else []
    if appointment is not None and appointment.room:
        where.append(appointment.room)
    if where:
        lines.append(("Where", ", ".join(where)))
    seen_by = display_name(session, source.clinician_id)
    if seen_by:
        lines.append(("With", seen_by))
    return tuple(lines)


def _printed(
    view: ContactNoteView, patient: Patient, attendance: tuple[tuple[str, str], ...] = ()
) -> PrintedNote:
    parts: list[tuple[str, Any]] = []
    for section in CONTACT_NOTE.sections:
        if not section.prints:
            continue
        if section.key == EXERCISES:
            parts.append((section.label, [dict(e) for e in view.exercises]))
            continue
        words = view.content.get(section.key) or section.empty_words or ""
        parts.append((section.label, words))
    sign_off: tuple[str, ...] = ()
    if view.is_signed and view.signed_at is not None:
        signed = on_clinic_clock(view.signed_at)
        sign_off = (
            f"Signed by {view.signer_name or 'the clinician'} on {day_words(signed.date())} "
            f"at {signed:%H:%M}.",
            *((view.attestation,) if view.attestation else ()),
        )
    addenda = tuple(
        (
            f"Addendum, {day_words(clinic_day(note.signed_at))}, "
            f"by {note.signer_name or 'the clinician'}",
            note.text,
        )
        for note in view.addenda
    )
    nhs = format_nhs_number(patient.nhs_number) if patient.nhs_number else ""
    return PrintedNote(
        title=CONTACT_NOTE.title,
        patient_name=f"{patient.family_name.upper()}, {patient.given_name}".strip(", "),
        nhs_number=nhs,
        date_of_birth=patient.date_of_birth,
        identity=(
            f"NHS number {nhs or 'not known'}",
            f"Born {day_words(patient.date_of_birth)}",
        ),
        status=f"Status: {STATUS_WORDS.get(view.status, view.status)}",
        attendance=attendance,
        parts=tuple(parts),
        none_given=CONTACT_NOTE.section(EXERCISES).empty_words or "",
        sign_off=sign_off,
        addenda=addenda,
        final=view.is_signed,
    )
