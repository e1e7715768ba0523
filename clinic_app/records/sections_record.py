"""Records whose form is only their sections: the columns, the service and the printout.

A record type such as a contact note, whose content is a few headed passages of text, needs
no service, PDF or screen code of its own: it declares its table with
:class:`SectionsRecordColumns`, its sections and lifecycle in its ``RecordType``, and gets
drafting, signing, reading and printing from :class:`SectionsRecordService`. Its screen is
the UI's shared sections form. A record type that needs more (structured parts, supervision,
DICOM) writes its own service, as assessments and scan reports do.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from clinic_app.kernel import pdf_kit
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, FormErrors, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.staff import User
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.auth import AuthService
from clinic_app.people.duplicates import identities_of, same_patient, survivor_of
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import format_nhs_number
from clinic_app.records.attestation import attestation
from clinic_app.records.registry import STATUS_WORDS, RecordType, day_words
from clinic_app.records.seal import intact, seal
from clinic_app.records.sections import SectionKind
from clinic_app.records.timeline import EntryStatus, TimelineEntry, TimelineSource, aware

SECTION_MAX = 8000
"""The longest a section may be when its declaration sets no limit (characters)."""


class SectionsRecordColumns:
    """The columns of a record whose content is its sections (mixed in before ``Base``).

    ``content`` maps each text section's key to its words. The seal's columns are filled in
    once, at signing, and the row never changes after that (it is ``Signable``).
    """

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    episode_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("episode_of_care.id"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(24), default=RecordStatus.DRAFT.value)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    content_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    attestation: Mapped[str | None] = mapped_column(Text, default=None)


@dataclass(frozen=True)
class SectionsRecordView:
    """One record whose content is its sections, as the form and the timeline read it."""

    id: uuid.UUID
    code: str
    """Its record type's code."""
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    status: str
    content: Mapping[str, str]
    created_at: datetime
    created_by: uuid.UUID | None
    signed_at: datetime | None
    signed_by: uuid.UUID | None
    attestation: str | None
    intact: bool
    """False when a signed row no longer matches its seal (reported, never repaired)."""
    summary: str
    """Its one line, e.g. "Contact note, signed, 3 March 2025"."""

    @property
    def is_signed(self) -> bool:
        """True once signed: it never changes again."""
        return self.status == RecordStatus.SIGNED


def checked_sections(record_type: RecordType, content: Mapping[str, object]) -> dict[str, str]:
    """The content trimmed, each text section within its length, nothing undeclared kept.

    Raises:
        FormErrors: ``text.too_long`` (field: the section's key) for each section too long,
            and ``record.not_text`` for a value that is not words.
    """
    problems: list[ValidationError] = []
    checked: dict[str, str] = {}
    for section in record_type.sections:
        if section.kind is not SectionKind.TEXT or section.amendment:
            continue
        value = content.get(section.key, "")
        if not isinstance(value, str):
            problems.append(ValidationError("record.not_text", field=section.key))
            continue
        words = value.strip()
        limit = section.max_length or SECTION_MAX
        if len(words) > limit:
            problems.append(ValidationError("text.too_long", field=section.key, max_length=limit))
        elif words:
            checked[section.key] = words
    if problems:
        raise FormErrors(problems)
    return checked


def sections_timeline(record_type: RecordType, screen_id: str) -> TimelineSource:
    """The timeline source of a sections record type: each record, opening on ``screen_id``.

    A record type registers it in its ``record.py``:
    ``register_source(NOTE.code, sections_timeline(NOTE, "contact_note"))``.
    """
    table = record_type.table

    def entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
        rows = session.scalars(
            select(table).where(table.patient_id == patient_id, table.deleted.is_(False))
        ).all()
        return [
            TimelineEntry(
                patient_id=patient_id,
                episode_id=row.episode_id,
                when=aware(row.signed_at or row.created_at),
                kind=record_type.code,
                description=record_type.describe(row),
                status=EntryStatus.SIGNED
                if row.status == RecordStatus.SIGNED
                else EntryStatus.DRAFT,
                record_id=row.id,
                screen_id=screen_id,
                item_id=row.id,
                can_continue=row.status != RecordStatus.SIGNED,
            )
            for row in rows
        ]

    return entries


class SectionsRecordService:
    """Drafting, signing, reading and printing one record type whose form is its sections.

    Its lifecycle must have an ``edit`` step (a draft's words change) and a ``sign`` step (the
    author makes it final); ``read`` is the permission to open and print one.
    """

    def __init__(
        self, context: Context, auth: AuthService, record_type: RecordType, *, read: Action
    ) -> None:
        self._uow = UnitOfWork(context)
        self._auth = auth
        self.record_type = record_type
        self._read = read
        self._entity = record_type.table_name

    # ------------------------------------------------------------------ writing

    def save_draft(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        content: Mapping[str, object],
        record_id: uuid.UUID | None = None,
        *,
        episode_id: uuid.UUID | None = None,
    ) -> SectionsRecordView:
        """Start a draft for a patient, or replace a draft's words (autosave).

        Raises:
            FormErrors: as :func:`checked_sections`.
            NotFound: ``patient.not_found`` or ``record.not_found``.
            Conflict: ``record.wrong_patient`` when the draft is another patient's, or the
                lifecycle's refusal when it is signed.
            PermissionDenied: the lifecycle's ``not_author`` for another user's draft.
        """
        checked = checked_sections(self.record_type, content)
        table = self.record_type.table
        with self._uow(actor, self.record_type.lifecycle.step("edit").permission) as session:
            if record_id is None:
                patient = session.get(Patient, patient_id)
                if patient is None or patient.deleted:
                    raise NotFound("patient.not_found")
                row = table(
                    patient_id=patient.id,
                    episode_id=episode_for(session, patient.id, episode_id),
                    status=RecordStatus.DRAFT.value,
                    content=checked,
                )
                session.add(row)
                action = "create"
            else:
                row = self._checked(session, actor, record_id, "edit")
                # The patient's own draft, or one under a registration merged with theirs.
                if not same_patient(session, row.patient_id, patient_id):
                    raise Conflict("record.wrong_patient")
                row.content = checked
                action = "save_draft"
            session.flush()
            self._audit(session, actor, action, row)
            return self._view(row)

    def sign(self, actor: CurrentUser, record_id: uuid.UUID, password: str) -> SectionsRecordView:
        """Sign a draft with the user's password: from now on it never changes.

        Raises:
            AuthenticationFailed: ``auth.failed`` (wrong password), ``auth.locked_out``.
            FormErrors: the record type's ``required_code`` for each required section empty.
            Conflict: the lifecycle's refusal when it is already signed.
            PermissionDenied: the lifecycle's ``not_author``.
        """
        permission = self.record_type.lifecycle.step("sign").permission
        require(actor.role, permission)
        self._auth.check_password(actor, password)
        with self._uow(actor, permission) as session:
            row = self._checked(session, actor, record_id, "sign")
            seal(
                self.record_type,
                row,
                session=session,
                signer=recorded_by(actor),
                attestation=self._sentence(session),
            )
            session.flush()
            self._audit(session, actor, "sign", row)
            return self._view(row)

    # ------------------------------------------------------------------ reading

    def get(self, actor: CurrentUser, record_id: uuid.UUID) -> SectionsRecordView:
        """Open one record, its seal checked (the opening is audited).

        Raises:
            NotFound: ``record.not_found``.
        """
        with self._uow(actor, self._read, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, record_id)
            self._audit(session, actor, "open", row)
            return self._view(row)

    def for_patient(
        self, actor: CurrentUser, patient_id: uuid.UUID
    ) -> tuple[SectionsRecordView, ...]:
        """The patient's records of this type, newest first (drafts and signed); audited.

        Those under a registration since merged into the record are the patient's too.
        """
        table = self.record_type.table
        with self._uow(actor, self._read, mode=Mode.AUDITED_READ) as session:
            registrations = identities_of(session, patient_id)
            rows = session.scalars(
                select(table)
                .where(table.patient_id.in_(registrations), table.deleted.is_(False))
                .order_by(table.created_at.desc(), table.id.desc())
            ).all()
            self._uow.audit(session, actor, f"{self.record_type.code}.list", patient_id=patient_id)
            return tuple(self._view(row) for row in rows)

    def attestation_for(self, actor: CurrentUser) -> str:
        """The sentence to show the actor before they sign."""
        with self._uow(actor, self._read, mode=Mode.READ) as session:
            return self._sentence(session) or ""

    def printable(self, actor: CurrentUser, record_id: uuid.UUID) -> bytes:
        """The record as a PDF naming the patient on every page (printing is audited).

        Raises:
            NotFound: ``record.not_found``.
        """
        with self._uow(actor, self._read, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, record_id)
            # Named as the record that stands for its registration now (merges followed).
            patient = session.get(Patient, survivor_of(session, row.patient_id))
            if patient is None:
                raise NotFound("patient.not_found")
            signer = session.get(User, row.signed_by) if row.signed_by is not None else None
            self._audit(session, actor, "print", row)
            printed = self._printed(row, patient, signer)
        return pdf_kit.record_pdf(printed)

    # ------------------------------------------------------------------ inside

    def _printed(self, row: Any, patient: Patient, signer: User | None) -> pdf_kit.PrintedRecord:
        record_type = self.record_type
        name = f"{patient.family_name.upper()}, {patient.given_name}".strip(", ")
        nhs = format_nhs_number(patient.nhs_number) if patient.nhs_number else "not known"
        sections = tuple(
            pdf_kit.PrintedSection(section.label, row.content.get(section.key) or words)
            for section in record_type.text_sections
            if section.prints
            and not section.amendment
            and (row.content.get(section.key) or section.empty_words is not None)
            for words in (section.empty_words or "",)
        )
        final = row.status == RecordStatus.SIGNED
        sign_off: tuple[str, ...] = ()
        if final and row.signed_at is not None:
            who = signer.display_name if signer is not None else "the system"
            sign_off = (f"Signed by {who} on {pdf_kit.time_words(row.signed_at)}.",)
            if row.attestation:
                sign_off += (f"They agreed: {row.attestation}",)
            if not intact(record_type, row):
                sign_off += ("WARNING: this record no longer matches its signature.",)
        return pdf_kit.PrintedRecord(
            title=record_type.title,
            patient_name=name,
            identity=(
                f"NHS number {nhs}",
                f"Born {day_words(patient.date_of_birth)}",
            ),
            status=f"Status: {STATUS_WORDS.get(str(row.status), str(row.status))}",
            sections=sections,
            sign_off=sign_off,
            final=final,
            date_of_birth=patient.date_of_birth,
            nhs_number=nhs if patient.nhs_number else "",
        )

    def _sentence(self, session: ClinicSession) -> str | None:
        if not self.record_type.attested:
            return None
        return attestation(session, self.record_type, "sign")

    def _load(self, session: ClinicSession, record_id: uuid.UUID) -> Any:
        row = session.get(self.record_type.table, record_id)
        if row is None or row.deleted:
            raise NotFound("record.not_found")
        return row

    def _checked(
        self, session: ClinicSession, actor: CurrentUser, record_id: uuid.UUID, step: str
    ) -> Any:
        row = self._load(session, record_id)
        self.record_type.lifecycle.check(
            step,
            status=row.status,
            role=actor.role,
            actor=recorded_by(actor),
            author=row.created_by,
        )
        return row

    def _audit(self, session: ClinicSession, actor: CurrentUser, action: str, row: Any) -> None:
        self._uow.audit(
            session,
            actor,
            f"{self.record_type.code}.{action}",
            patient_id=row.patient_id,
            entity=self._entity,
            entity_id=row.id,
        )

    def _view(self, row: Any) -> SectionsRecordView:
        return SectionsRecordView(
            id=row.id,
            code=self.record_type.code,
            patient_id=row.patient_id,
            episode_id=row.episode_id,
            status=str(row.status),
            content=MappingProxyType({k: str(v) for k, v in row.content.items()}),
            created_at=row.created_at,
            created_by=row.created_by,
            signed_at=row.signed_at,
            signed_by=row.signed_by,
            attestation=row.attestation,
            intact=intact(self.record_type, row),
            summary=self.record_type.describe(row),
        )
