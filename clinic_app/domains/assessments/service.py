"""Assessments: drafts that autosave, signing with the password, addenda after signing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import select

from clinic_app.domains.assessments.content import check_content, working_diagnoses
from clinic_app.domains.assessments.model import Assessment, AssessmentAddendum
from clinic_app.domains.assessments.record import ASSESSMENT
from clinic_app.domains.assessments.rules import medicines_for_review
from clinic_app.domains.assessments.views import (
    AddendumView,
    AssessmentOnFile,
    AssessmentsOnFile,
    AssessmentView,
)
from clinic_app.kernel import validation as check
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, FormErrors, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import AssessmentStatus
from clinic_app.people.auth import AuthService
from clinic_app.people.care import Referral
from clinic_app.people.duplicates import identities_of, same_patient
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient
from clinic_app.records.attestation import attestation
from clinic_app.records.events import RecordAmended, raise_event
from clinic_app.records.seal import intact, note_digest, seal, signing_problems, signing_time

ADDENDUM_MAX = 4000


def _addendum_view(row: AssessmentAddendum, assessment: Assessment) -> AddendumView:
    expected = note_digest(
        assessment.id, assessment.content_sha256 or "", row.text, row.signed_at, row.signed_by
    )
    return AddendumView(
        id=row.id,
        text=row.text,
        signed_at=row.signed_at,
        signed_by=row.signed_by,
        sha256=row.sha256,
        intact=expected == row.sha256,
    )


def assessment_view(
    row: Assessment, addenda: tuple[AssessmentAddendum, ...] = ()
) -> AssessmentView:
    """The read model of an assessment, its digest and its addenda's digests checked."""
    return AssessmentView(
        id=row.id,
        patient_id=row.patient_id,
        episode_id=row.episode_id,
        status=row.status,
        content=MappingProxyType(dict(row.content)),
        row_version=row.row_version,
        signed_at=row.signed_at,
        signed_by=row.signed_by,
        content_sha256=row.content_sha256,
        attestation=row.attestation,
        intact=intact(ASSESSMENT, row),
        addenda=tuple(_addendum_view(a, row) for a in addenda),
        medicines_for_review=medicines_for_review(row.content),
    )


def _on_file(row: Assessment, when: datetime | None) -> AssessmentOnFile:
    return AssessmentOnFile(
        id=row.id,
        status=row.status,
        when=when or row.updated_at,
        presenting_complaint=" ".join(str(row.content.get("presenting_complaint") or "").split()),
    )


def _load(session: ClinicSession, assessment_id: uuid.UUID) -> Assessment:
    row = session.get(Assessment, assessment_id)
    if row is None or row.deleted:
        raise NotFound("assessment.not_found")
    return row


def _addenda(session: ClinicSession, assessment_id: uuid.UUID) -> tuple[AssessmentAddendum, ...]:
    return tuple(
        session.scalars(
            select(AssessmentAddendum)
            .where(
                AssessmentAddendum.assessment_id == assessment_id,
                AssessmentAddendum.deleted.is_(False),
            )
            .order_by(AssessmentAddendum.signed_at, AssessmentAddendum.id)
        ).all()
    )


def checked_content(content: Mapping[str, object]) -> dict[str, Any]:
    """Checked content with the picked diagnosis's label and SNOMED CT id kept beside its code.

    They are stored (and signed) with the assessment, so what was recorded does not change
    when a later version of the list does.

    Raises:
        FormErrors: as ``clinical.assessment.check_content``, together with
            ``assessment.unknown_diagnosis`` (field ``diagnosis_code``) for a code that is not
            in the curated list, so a form shows every problem at once.
    """
    errors: list[ValidationError] = []
    try:
        checked = check_content(content)
    except FormErrors as problems:
        errors.extend(problems.errors)
        checked = {}
    code = content.get("diagnosis_code")
    entry = working_diagnoses().get(code) if isinstance(code, str) and code else None
    if isinstance(code, str) and code and entry is None:
        # One clear message for the field, whatever shape the typed text had.
        errors = [error for error in errors if error.field != "diagnosis_code"]
        errors.append(ValidationError("assessment.unknown_diagnosis", field="diagnosis_code"))
    if errors:
        raise FormErrors(errors)
    if entry is None:
        return checked
    diagnosis = {"label": entry.label, "list_version": working_diagnoses().version}
    if entry.snomed_ct_id is not None:
        diagnosis["snomed_ct_id"] = entry.snomed_ct_id
    return {**checked, "diagnosis": diagnosis}


def _referral_of(
    session: ClinicSession, patient_id: uuid.UUID, referral_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The referral an assessment answers, checked to be this patient's.

    Raises:
        NotFound: ``assessment.referral_not_found`` when it does not exist or is another
            patient's.
    """
    if referral_id is None:
        return None
    referral = session.get(Referral, referral_id)
    # The patient's own referral, or one under a registration merged with theirs.
    if (
        referral is None
        or referral.deleted
        or not same_patient(session, referral.patient_id, patient_id)
    ):
        raise NotFound("assessment.referral_not_found")
    return referral.id


class AssessmentService:
    """A clinician's structured assessment of a patient, from draft to signed record."""

    def __init__(self, context: Context, auth: AuthService) -> None:
        self._context = context
        self._uow = UnitOfWork(context)
        self._auth = auth

    def save_draft(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        content: Mapping[str, object],
        assessment_id: uuid.UUID | None = None,
        *,
        episode_id: uuid.UUID | None = None,
        referral_id: uuid.UUID | None = None,
    ) -> AssessmentView:
        """Create a draft, or replace a draft's content (autosave).

        Raises:
            FormErrors: as ``clinical.assessment.check_content``.
            NotFound: ``patient.not_found``, ``assessment.not_found``, ``episode.not_found``
                or ``assessment.referral_not_found`` (another patient's episode or referral,
                too).
            Conflict: ``assessment.signed`` (a signed assessment is never changed; add an
                addendum) or ``assessment.wrong_patient``.
            PermissionDenied: ``assessment.not_author`` for another user's draft.
        """
        checked = checked_content(content)
        with self._uow(actor, ASSESSMENT.lifecycle.step("edit").permission) as session:
            if assessment_id is None:
                patient = session.get(Patient, patient_id)
                if patient is None or patient.deleted:
                    raise NotFound("patient.not_found")
                row = Assessment(
                    patient_id=patient.id,
                    episode_id=episode_for(session, patient.id, episode_id),
                    referral_id=_referral_of(session, patient.id, referral_id),
                    content=checked,
                )
                session.add(row)
                action = "assessment.create"
            else:
                row = self._checked(session, actor, assessment_id, "edit")
                # A draft left under a registration since merged into the record is theirs.
                if not same_patient(session, row.patient_id, patient_id):
                    raise Conflict("assessment.wrong_patient")
                row.content = checked
                action = "assessment.save_draft"
            session.flush()
            self._uow.audit(
                session,
                actor,
                action,
                patient_id=row.patient_id,
                entity="assessment",
                entity_id=row.id,
            )
            return assessment_view(row)

    def sign(self, actor: CurrentUser, assessment_id: uuid.UUID, password: str) -> AssessmentView:
        """Sign a draft: the password is asked again, and the content becomes immutable.

        Raises:
            AuthenticationFailed: ``auth.failed`` (wrong password), ``auth.locked_out``.
            FormErrors: ``assessment.required_to_sign`` for each field still empty, and
                ``assessment.medicine_review_required`` or
                ``assessment.medicine_review_outcome_required`` (field ``medicine_review``)
                when an opioid or a gabapentinoid is listed and its review is not answered.
            Conflict: ``assessment.signed`` when it is already signed.
            PermissionDenied: ``assessment.not_author``.
        """
        permission = ASSESSMENT.lifecycle.step("sign").permission
        require(actor.role, permission)
        self._auth.check_password(actor, password)
        with self._uow(actor, permission) as session:
            row = self._checked(session, actor, assessment_id, "sign")
            problems = signing_problems(ASSESSMENT, row)
            if problems:
                raise FormErrors(problems)
            seal(
                ASSESSMENT,
                row,
                session=session,
                signer=recorded_by(actor),
                attestation=attestation(session, ASSESSMENT, "sign"),
            )
            session.flush()
            self._uow.audit(
                session,
                actor,
                "assessment.sign",
                patient_id=row.patient_id,
                entity="assessment",
                entity_id=row.id,
            )
            return assessment_view(row, _addenda(session, row.id))

    def add_addendum(
        self, actor: CurrentUser, assessment_id: uuid.UUID, text: str, password: str
    ) -> AssessmentView:
        """Add a signed addendum to a signed assessment (the password is asked again).

        Raises:
            ValidationError: ``text.empty`` or ``text.too_long`` (field ``text``).
            AuthenticationFailed: ``auth.failed`` (wrong password), ``auth.locked_out``.
            NotFound: ``assessment.not_found``.
            Conflict: ``assessment.not_signed`` (change the draft instead).
        """
        step = ASSESSMENT.lifecycle.step("amend")
        require(actor.role, step.permission)
        note = check.required_text(text, "text", ADDENDUM_MAX)
        self._auth.check_password(actor, password)
        with self._uow(actor, step.permission) as session:
            row = self._checked(session, actor, assessment_id, "amend")
            if row.content_sha256 is None:
                raise Conflict(step.refused)
            signed_at, signer = signing_time(), recorded_by(actor)
            addendum = AssessmentAddendum(
                assessment_id=row.id,
                text=note,
                signed_at=signed_at,
                signed_by=signer,
                sha256=note_digest(row.id, row.content_sha256, note, signed_at, signer),
            )
            session.add(addendum)
            session.flush()
            raise_event(
                session,
                RecordAmended(
                    ASSESSMENT.code,
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
                "assessment.addendum",
                patient_id=row.patient_id,
                entity="assessment_addendum",
                entity_id=addendum.id,
            )
            return assessment_view(row, _addenda(session, row.id))

    def get(
        self, actor: CurrentUser, assessment_id: uuid.UUID, patient_id: uuid.UUID | None = None
    ) -> AssessmentView:
        """Open an assessment with its addenda, checking every stored digest.

        A mismatch is reported in ``intact`` (never hidden, never repaired). With
        ``patient_id`` (the banner's patient), an assessment of anyone else is not found; one
        recorded under a registration since merged into that patient's record is theirs.

        Raises:
            NotFound: ``assessment.not_found``.
        """
        with self._uow(actor, Action.ASSESSMENT_VIEW) as session:
            row = _load(session, assessment_id)
            if patient_id is not None and not same_patient(session, row.patient_id, patient_id):
                raise NotFound("assessment.not_found")
            self._uow.audit(
                session,
                actor,
                "assessment.open",
                patient_id=row.patient_id,
                entity="assessment",
                entity_id=row.id,
            )
            return assessment_view(row, _addenda(session, row.id))

    def on_file(self, actor: CurrentUser, patient_id: uuid.UUID) -> AssessmentsOnFile:
        """The actor's own draft saved last and the patient's assessment signed last.

        A read: nothing clinical is shown until one of them is opened (``get``, audited).
        Those under a registration since merged into the record are the patient's (a draft
        being typed as the merge arrived is offered again on the surviving record).
        """
        with self._uow(actor, Action.ASSESSMENT_VIEW, mode=Mode.READ) as session:
            mine = recorded_by(actor)
            registrations = identities_of(session, patient_id)
            draft = session.scalars(
                select(Assessment)
                .where(
                    Assessment.patient_id.in_(registrations),
                    Assessment.status == AssessmentStatus.DRAFT,
                    Assessment.created_by == mine
                    if mine is not None
                    else Assessment.created_by.is_(None),
                    Assessment.deleted.is_(False),
                )
                .order_by(Assessment.updated_at.desc(), Assessment.id.desc())
                .limit(1)
            ).one_or_none()
            signed = session.scalars(
                select(Assessment)
                .where(
                    Assessment.patient_id.in_(registrations),
                    Assessment.status == AssessmentStatus.SIGNED,
                    Assessment.deleted.is_(False),
                )
                .order_by(Assessment.signed_at.desc(), Assessment.id.desc())
                .limit(1)
            ).one_or_none()
            return AssessmentsOnFile(
                patient_id=patient_id,
                draft=_on_file(draft, draft.updated_at) if draft is not None else None,
                signed=_on_file(signed, signed.signed_at) if signed is not None else None,
            )

    def attestation_for(self, actor: CurrentUser) -> str:
        """The sentence to show the actor before they sign an assessment."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            return attestation(session, ASSESSMENT, "sign")

    @staticmethod
    def _checked(
        session: ClinicSession, actor: CurrentUser, assessment_id: uuid.UUID, step: str
    ) -> Assessment:
        """The assessment, once the actor may take ``step`` on it (its lifecycle's codes)."""
        row = _load(session, assessment_id)
        ASSESSMENT.lifecycle.check(
            step,
            status=row.status,
            role=actor.role,
            actor=recorded_by(actor),
            author=row.created_by,
        )
        return row
