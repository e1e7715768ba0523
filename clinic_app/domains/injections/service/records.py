"""Injection records: a draft at the bedside, its checks, signed with the password, added to.

Every method may name the patient in the window's banner (``patient_id``): a record of
another patient is then refused when changing it and not found when reading it (one under a
registration since merged into the banner's record is the banner patient's). Saving a
draft refuses impossible values with the field named; signing refuses a hard stop, a warning
not acknowledged, or a part left empty. The shared decision that led to the injection is
linked through ``clinic_app.domains.decisions.service.check_decision`` on save and sign.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from clinic_app.domains.decisions.service import check_decision, keep_link
from clinic_app.domains.injections.figures import InjectionAudit, audit_scope, injection_audit
from clinic_app.domains.injections.model import InjectionAddendum, InjectionRecord
from clinic_app.domains.injections.record import INJECTION
from clinic_app.domains.injections.rules import signing_stops
from clinic_app.domains.injections.service.aftercare import aftercare_leaflet
from clinic_app.domains.injections.service.history import checks_for
from clinic_app.domains.injections.service.values import (
    checked_values,
    injection_view,
    sign_problems,
)
from clinic_app.domains.injections.views import (
    ADDENDUM_MAX,
    InjectionChecks,
    InjectionInput,
    InjectionView,
)
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, FormErrors, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.staff import display_name
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.people.auth import AuthService
from clinic_app.people.duplicates import identities_of
from clinic_app.records.attestation import attestation
from clinic_app.records.events import RecordAmended, raise_event
from clinic_app.records.rows import (
    check_step,
    own_draft,
    patient_and_episode,
    patient_row,
    row_audit,
)
from clinic_app.records.seal import note_digest, seal, signing_time

#: Reading an injection record is reading the clinical record: the assessment's read permission.
READ = Action.ASSESSMENT_VIEW
LEADS_TO = "injection"


class InjectionService:
    """Record, check, sign and add to injections (every change and reading is audited)."""

    def __init__(self, context: Context, auth: AuthService) -> None:
        self._uow = UnitOfWork(context)
        self._auth = auth

    # ------------------------------------------------------------ writing

    def start(
        self, actor: CurrentUser, patient_id: uuid.UUID, episode_id: uuid.UUID | None = None
    ) -> InjectionView:
        """Open the actor's own draft for the patient's episode, or start one dated today.

        Raises:
            NotFound: ``patient.not_found``, ``episode.not_found`` (another patient's).
        """
        with self._uow(actor, INJECTION.lifecycle.step("edit").permission) as session:
            patient, episode = patient_and_episode(session, patient_id, episode_id)
            draft = own_draft(session, InjectionRecord, actor, patient, episode)
            if draft is not None:
                self._audit(session, actor, "open", draft)
                return self._view(session, draft)
            row = InjectionRecord(patient_id=patient, episode_id=episode, performed_on=date.today())
            session.add(row)
            session.flush()
            self._audit(session, actor, "create", row)
            return self._view(session, row)

    def save(
        self,
        actor: CurrentUser,
        record_id: uuid.UUID,
        fields: InjectionInput,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> InjectionView:
        """Save the draft as it stands (autosave): parts may still be missing.

        An acknowledgement of a warning the draft no longer raises is dropped.

        Raises:
            FormErrors: every impossible value, each naming its field (see
                ``clinic_app.domains.injections.service.values.checked_values``).
            NotFound: ``injection.not_found``; ``decision.not_found``.
            Conflict: ``injection.signed``, ``injection.wrong_patient``; a named shared
                decision of another patient, not signed or of another episode.
            PermissionDenied: ``injection.not_author`` for another clinician's draft.
        """
        with self._uow(actor, INJECTION.lifecycle.step("edit").permission) as session:
            row = self._mine(session, actor, record_id, patient_id, "edit")
            values = checked_values(session, row, fields)
            for name, value in values.items():
                setattr(row, name, value)
            self._link(session, row, fields, strict=False)
            now = utcnow()
            warned = checks_for(session, row, recorded_by(actor), now).warning_codes
            row.acknowledgements = [a for a in row.acknowledgements if a["code"] in warned]
            session.flush()
            self._audit(session, actor, "save_draft", row)
            return self._view(session, row)

    def acknowledge(
        self,
        actor: CurrentUser,
        record_id: uuid.UUID,
        warning_code: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> InjectionView:
        """Keep the actor's acknowledgement of one warning (who and when) in the draft.

        Raises:
            ValidationError: ``injection.not_warned`` (field ``warning_code``) for a code the
                draft does not warn of now.
            NotFound, Conflict, PermissionDenied: as :meth:`save`.
        """
        with self._uow(actor, INJECTION.lifecycle.step("edit").permission) as session:
            row = self._mine(session, actor, record_id, patient_id, "edit")
            now = utcnow()
            if warning_code not in checks_for(session, row, recorded_by(actor), now).warning_codes:
                raise ValidationError("injection.not_warned", field="warning_code")
            kept = [a for a in row.acknowledgements if a["code"] != warning_code]
            by = recorded_by(actor)
            kept.append({"code": warning_code, "by": str(by) if by else "", "at": now.isoformat()})
            row.acknowledgements = kept
            session.flush()
            self._audit(session, actor, "acknowledge", row)
            return self._view(session, row)

    def sign(
        self,
        actor: CurrentUser,
        record_id: uuid.UUID,
        password: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> InjectionView:
        """Sign a draft with the password: from now on it never changes.

        Raises:
            AuthenticationFailed: ``auth.failed`` (wrong password), ``auth.locked_out``.
            FormErrors: a part left empty (``injection.required_to_sign`` and the others of
                ``sign_problems``), every hard stop (``injection.suspected_infection``,
                ``injection.allergy``, ``injection.expired``, ``injection.septic_flag``,
                ``pgd.*``), and ``injection.warning_not_acknowledged`` (field: the warning's
                code) for each warning not acknowledged; ``decision.none_in_episode`` when
                no shared decision is linked and no reason given.
            NotFound, Conflict, PermissionDenied: as :meth:`save`.
        """
        permission = INJECTION.lifecycle.step("sign").permission
        require(actor.role, permission)
        self._auth.check_password(actor, password)
        with self._uow(actor, permission) as session:
            row = self._mine(session, actor, record_id, patient_id, "sign")
            problems = sign_problems(row)
            try:
                self._link_kept(session, row)
            except ValidationError as error:
                problems.append(error)
            checks = checks_for(session, row, recorded_by(actor), utcnow())
            problems.extend(signing_stops(checks, {a["code"] for a in row.acknowledgements}))
            if problems:
                raise FormErrors(problems)
            seal(
                INJECTION,
                row,
                session=session,
                signer=recorded_by(actor),
                attestation=attestation(session, INJECTION, "sign"),
            )
            session.flush()
            self._audit(session, actor, "sign", row)
            return self._view(session, row)

    def add_addendum(
        self,
        actor: CurrentUser,
        record_id: uuid.UUID,
        text: str,
        password: str,
        *,
        patient_id: uuid.UUID | None = None,
    ) -> InjectionView:
        """Add a signed addendum (a later fact) to a signed record; the password is asked.

        Raises:
            ValidationError: ``text.empty`` or ``text.too_long`` (field ``text``).
            AuthenticationFailed: ``auth.failed``, ``auth.locked_out``.
            NotFound: ``injection.not_found``.
            Conflict: ``injection.not_signed`` (change the draft instead),
                ``injection.wrong_patient``.
        """
        step = INJECTION.lifecycle.step("amend")
        require(actor.role, step.permission)
        words = text.strip()
        if not words:
            raise ValidationError("text.empty", field="text")
        if len(words) > ADDENDUM_MAX:
            raise ValidationError("text.too_long", field="text", max_length=ADDENDUM_MAX)
        self._auth.check_password(actor, password)
        with self._uow(actor, step.permission) as session:
            row = self._mine(session, actor, record_id, patient_id, "amend")
            if row.content_sha256 is None:
                raise Conflict("injection.not_signed")
            signed_at, signer = signing_time(), recorded_by(actor)
            addendum = InjectionAddendum(
                injection_id=row.id,
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
                    INJECTION.code,
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
                "injection.addendum",
                patient_id=row.patient_id,
                entity=InjectionAddendum.__tablename__,
                entity_id=addendum.id,
            )
            return self._view(session, row)

    # ------------------------------------------------------------ reading

    def checks(
        self, actor: CurrentUser, record_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> InjectionChecks:
        """The draft's hard stops, warnings (with those acknowledged) and missing parts.

        Reads the patient's whole injection history and red flags (audited).

        Raises:
            NotFound: ``injection.not_found`` (also for a record of another patient).
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, record_id, patient_id)
            found = checks_for(session, row, recorded_by(actor), utcnow())
            self._audit(session, actor, "checks", row)
            return InjectionChecks(
                hard_stops=found.hard_stops,
                warnings=found.warnings,
                acknowledged=frozenset(a["code"] for a in row.acknowledgements),
                incomplete=tuple(sign_problems(row)),
            )

    def get(
        self, actor: CurrentUser, record_id: uuid.UUID, *, patient_id: uuid.UUID | None = None
    ) -> InjectionView:
        """Open one injection record with its addenda, every seal checked (audited).

        Raises:
            NotFound: ``injection.not_found``, also for a record of another patient.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, record_id, patient_id)
            self._audit(session, actor, "open", row)
            return self._view(session, row)

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[InjectionView]:
        """The patient's injection records, newest first (drafts and signed); audited.

        Those under a registration since merged into the patient's record are theirs.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(InjectionRecord)
                .where(
                    InjectionRecord.patient_id.in_(identities_of(session, patient_id)),
                    InjectionRecord.deleted.is_(False),
                )
                .order_by(InjectionRecord.created_at.desc(), InjectionRecord.id.desc())
            ).all()
            self._uow.audit(
                session, actor, "injection.list", patient_id=patient_id, entity="injection"
            )
            return [self._view(session, row) for row in rows]

    def aftercare(self, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID) -> bytes:
        """The aftercare leaflet of this patient's signed injection as a PDF (audited).

        See ``clinic_app.domains.injections.service.aftercare.aftercare_leaflet``.
        """
        return aftercare_leaflet(self._uow, actor, record_id, patient_id)

    def attestation_for(self, actor: CurrentUser) -> str:
        """The sentence to show the actor before they sign an injection record."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            return attestation(session, INJECTION, "sign")

    def audit(self, actor: CurrentUser, first: date, last: date) -> InjectionAudit:
        """The injections audit over the months ``first`` to ``last``: counts and rates only.

        The service lead sees everyone's and each clinician's, a clinician their own (see
        ``clinic_app.domains.injections.figures``); no patient is read, so it is not audited.

        Raises:
            PermissionDenied: for anyone who neither leads the service nor gives injections.
        """
        everyone, action = audit_scope(actor)
        with self._uow(actor, action, mode=Mode.READ) as session:
            return injection_audit(session, actor, first, last, everyone=everyone)

    # ------------------------------------------------------------ inside

    @staticmethod
    def _link(
        session: ClinicSession, row: InjectionRecord, fields: InjectionInput, *, strict: bool
    ) -> None:
        """Link the shared decision named (or the episode's latest), or keep the reason.

        While drafting, a missing decision with no reason yet is left for signing to ask.
        """
        try:
            link = check_decision(
                session,
                row.patient_id,
                row.episode_id,
                LEADS_TO,
                sdm_id=fields.sdm_record_id,
                reason=fields.sdm_missing_reason,
            )
        except ValidationError as error:
            if strict or error.code != "decision.none_in_episode":
                raise
            row.sdm_record_id, row.sdm_missing_reason = None, None
            return
        keep_link(row, link)

    @staticmethod
    def _link_kept(session: ClinicSession, row: InjectionRecord) -> None:
        """Check the link kept on the draft again, as it stands at signing."""
        link = check_decision(
            session,
            row.patient_id,
            row.episode_id,
            LEADS_TO,
            sdm_id=row.sdm_record_id,
            reason=row.sdm_missing_reason,
        )
        keep_link(row, link)

    @staticmethod
    def _load(
        session: ClinicSession, record_id: uuid.UUID, patient_id: uuid.UUID | None = None
    ) -> InjectionRecord:
        return patient_row(
            session,
            InjectionRecord,
            record_id,
            patient_id,
            missing=NotFound("injection.not_found"),
        )

    @staticmethod
    def _mine(
        session: ClinicSession,
        actor: CurrentUser,
        record_id: uuid.UUID,
        patient_id: uuid.UUID | None,
        step: str,
    ) -> InjectionRecord:
        """The record, once it is this patient's and the actor may take ``step`` on it."""
        row = patient_row(
            session,
            InjectionRecord,
            record_id,
            patient_id,
            missing=NotFound("injection.not_found"),
            wrong_patient=Conflict("injection.wrong_patient"),
        )
        check_step(INJECTION, step, row, actor)
        return row

    @staticmethod
    def _view(session: ClinicSession, row: InjectionRecord) -> InjectionView:
        addenda = session.scalars(
            select(InjectionAddendum)
            .where(InjectionAddendum.injection_id == row.id, InjectionAddendum.deleted.is_(False))
            .order_by(InjectionAddendum.signed_at, InjectionAddendum.id)
        ).all()
        signers = [row.signed_by, *(a.signed_by for a in addenda)]
        names = {user: display_name(session, user) for user in signers if user is not None}
        return injection_view(row, addenda, names)

    def _audit(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: InjectionRecord
    ) -> None:
        self._uow.audit(session, actor, f"injection.{action}", **row_audit(INJECTION, row))
