"""Letters: drafted from the signed record, edited, signed with the password, never changed.

Facts come through the other domains' services (final scan reports, red-flag screenings,
questionnaire histories) and the record types' letter offers; nothing here writes another
domain's table. Every method acts on the patient named with it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection, Mapping
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.letters.content import TARGET_KEYS, prsb_headings, shipped_targets
from clinic_app.domains.letters.due import due_discharges, due_onward, named
from clinic_app.domains.letters.model import LetterRecord
from clinic_app.domains.letters.record import LETTER, kind_title, letter_sections
from clinic_app.domains.letters.rules import (
    LetterFacts,
    LetterKind,
    Quoted,
    RedFlagFact,
    ReportFact,
    ScoreFact,
    assemble,
    greeting,
    reading_warnings,
    recipient,
)
from clinic_app.domains.letters.views import DueLetter, LetterView
from clinic_app.domains.questionnaires.service import QuestionnaireService
from clinic_app.domains.red_flags.rules import Level
from clinic_app.domains.red_flags.service import RedFlagService
from clinic_app.domains.reports.service import ReportService
from clinic_app.domains.triage.model import TriageDecision
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import (
    Conflict,
    FormErrors,
    NotFound,
    ValidationError,
)
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.staff import Site, User, display_name
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import AlertKind, RecordStatus
from clinic_app.people.auth import AuthService
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.duplicates import identities_of, same_patient, survivor_of
from clinic_app.people.episodes import episode_for, last_ended_episode_id
from clinic_app.people.model import GpPractice, Patient, PatientAlert
from clinic_app.people.nhs_number import format_nhs_number
from clinic_app.records.attachments import file_named, keep_file, kept_bytes
from clinic_app.records.attestation import attestation
from clinic_app.records.registry import record_types
from clinic_app.records.seal import intact, seal, signing_problems

if TYPE_CHECKING:
    # Only named here: the PDF module loads reportlab, which loads when someone prints.
    from clinic_app.domains.letters.pdf import PrintedLetter

READ = Action.ASSESSMENT_VIEW
TEXT_MAX = 20000
"""The longest a section of a letter may be (characters)."""
PROVIDER_MAX = 300
TARGETS = "letter_targets"
TARGET_DAYS_MAX = 60
"""The longest turnaround a service may set (days): beyond it a letter is no longer timely."""
GRADE_MAX = 16
"""The highest reading grade a service may set (a university reader)."""
#: The accessible-information need that asks for large print (as the patient's record keeps it).
LARGE_PRINT = "large_print"
#: Record types quoted, by the part of a letter they go to.
_DIAGNOSIS_TYPES = ("assessment",)
_DECISION_TYPES = ("sdm",)
_PROCEDURE_TYPES = ("injection", "eswt_course", "eswt_session")
_REPORT_TYPE = "scan_report"
_PLAN_TYPES = ("care_plan",)


def letter_view(row: LetterRecord, grade_target: float | None = None) -> LetterView:
    """The read model of one letter, its seal checked."""
    sections = letter_sections(row)
    reading = (
        tuple(reading_warnings(sections, grade_target))
        if grade_target is not None and row.kind == LetterKind.PATIENT
        else ()
    )
    return LetterView(
        id=row.id,
        patient_id=row.patient_id,
        episode_id=row.episode_id,
        onward_decision_id=row.onward_decision_id,
        kind=row.kind,
        title=kind_title(row.kind),
        status=str(row.status),
        recipient=row.recipient,
        sections=sections,
        cited_reports=tuple(uuid.UUID(value) for value in row.cited_reports),
        no_gp_practice=row.no_gp_practice,
        large_print=row.large_print,
        assembled_on=row.assembled_on,
        created_at=row.created_at,
        created_by=row.created_by,
        row_version=row.row_version,
        signed_at=row.signed_at,
        signed_by=row.signed_by,
        attestation=row.attestation,
        intact=intact(LETTER, row),
        summary=LETTER.describe(row),
        reading=reading,
    )


def targets_in_force(session: Session) -> dict[str, int]:
    """The shipped targets with the service's own setting applied."""
    values = {key: target.value for key, target in shipped_targets().items()}
    row = session.get(ServiceSetting, setting_id(TARGETS))
    stored = row.value if row is not None and not row.deleted else {}
    for key, value in (stored or {}).items():
        if key in values and isinstance(value, int) and not isinstance(value, bool):
            values[key] = value
    return values


def _full_name(patient: Patient) -> str:
    """Title, given and family name, as a letter addresses the patient."""
    return " ".join(p for p in (patient.title, patient.given_name, patient.family_name) if p)


def _postal_address(patient: Patient) -> str:
    return ", ".join(p for p in (patient.address, patient.postcode) if p)


def _patient_recipient(patient: Patient) -> str:
    """A letter to the patient's address block: their name, then their address."""
    return "\n".join(part for part in (_full_name(patient), _postal_address(patient)) if part)


def _kind(value: str) -> LetterKind:
    try:
        return LetterKind(value)
    except ValueError:
        raise ValidationError("letter.unknown_kind", field="kind", kind=value) from None


def _offered(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None, codes: tuple[str, ...]
) -> tuple[Quoted, ...]:
    quoted: list[Quoted] = []
    # What was recorded under a registration since merged into the record is the patient's:
    # a letter from the surviving record tells the GP of it too.
    registrations = identities_of(session, patient_id)
    for code, record_type in record_types().items():
        if code not in codes or record_type.letter_sections is None:
            continue
        for registration in registrations:
            for section in record_type.letter_sections(session, registration, episode_id):
                if section.final:
                    quoted.append(
                        Quoted(
                            section.heading, section.text, section.record_type, section.source_id
                        )
                    )
    return tuple(quoted)


def _plan_words(plans: tuple[Quoted, ...]) -> str:
    """The current signed care plan as the letter quotes it ("" when there is none)."""
    return "\n".join(f"{plan.heading}\n{plan.text}" for plan in plans)


PDF_TYPE = "application/pdf"


def _letter_episode(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None, kind: LetterKind
) -> uuid.UUID | None:
    """The episode named, else for a discharge letter the one that ended last, else the open."""
    if episode_id is None and kind is LetterKind.GP_DISCHARGE:
        episode_id = last_ended_episode_id(session, patient_id)
    return episode_for(session, patient_id, episode_id)


def _pdf_name(letter_id: uuid.UUID) -> str:
    """The file name a letter's signed PDF is kept under in the patient's record."""
    return f"letter-{letter_id}.pdf"


def _draw(printed: PrintedLetter) -> bytes:
    """The letter drawn as a PDF (reportlab loads only when someone prints or signs)."""
    from clinic_app.domains.letters.pdf import letter_pdf  # noqa: PLC0415 - on demand

    return letter_pdf(printed)


class LetterService:
    """Letters from the draft assembled from the record to the signed, immutable letter."""

    def __init__(
        self,
        context: Context,
        auth: AuthService,
        reports: ReportService,
        red_flags: RedFlagService,
        questionnaires: QuestionnaireService,
    ) -> None:
        self._context = context
        self._uow = UnitOfWork(context)
        self._auth = auth
        self._reports = reports
        self._red_flags = red_flags
        self._questionnaires = questionnaires

    # ------------------------------------------------------------ gathering the facts

    def _red_flag_facts(self, actor: CurrentUser, patient_id: uuid.UUID) -> tuple[RedFlagFact, ...]:
        return tuple(
            RedFlagFact(
                screen=view.screen_title,
                level=str(view.level),
                action=str(view.resolution.action).replace("_", " ")
                if view.resolution is not None
                else None,
            )
            for view in self._red_flags.screenings(actor, patient_id)
        )

    def _score_facts(
        self, actor: CurrentUser, patient_id: uuid.UUID, episode_id: uuid.UUID | None
    ) -> tuple[ScoreFact, ...]:
        scores: list[ScoreFact] = []
        for questionnaire_id, title in self._questionnaires.catalogue():
            history = [
                entry
                for entry in self._questionnaires.history(actor, patient_id, questionnaire_id)
                if episode_id is None or entry.response.episode_id == episode_id
            ]
            if not history:
                continue
            definition = self._questionnaires.definition(questionnaire_id)
            first, last = history[0], history[-1]
            mic = definition.minimal_important_change
            scores.append(
                ScoreFact(
                    questionnaire=title,
                    baseline=first.response.total if last is not first else None,
                    latest=last.response.total,
                    change=str(last.change) if last.change is not None else None,
                    mic=mic.value if mic is not None else None,
                )
            )
        return tuple(scores)

    def _final_report_ids(self, actor: CurrentUser, patient_id: uuid.UUID) -> set[uuid.UUID]:
        """The co-reporting guard: only what the reports domain says is final."""
        return {view.id for view in self._reports.final_reports(actor, patient_id) if view.final}

    def gather(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        kind: str,
        episode_id: uuid.UUID | None = None,
        provider: str = "",
    ) -> LetterFacts:
        """Everything a letter of ``kind`` may say about the patient, from the signed record.

        Raises:
            NotFound: ``patient.not_found``, ``episode.not_found``.
            ValidationError: ``letter.unknown_kind``.
        """
        letter_kind = _kind(kind)
        require(actor.role, Action.LETTER_WRITE)
        red_flags = self._red_flag_facts(actor, patient_id)
        final_ids = self._final_report_ids(actor, patient_id)
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            episode_id = _letter_episode(session, patient_id, episode_id, letter_kind)
            episode = session.get(EpisodeOfCare, episode_id) if episode_id else None
            scores_episode = episode.id if episode is not None else None
            gp = session.get(GpPractice, patient.gp_practice_id) if patient.gp_practice_id else None
            clinic = _clinic(session, actor.site_id, episode)
            # Alerts recorded under a registration since merged into the record too: the
            # banner shows them, and a letter must not say "no allergies" over them.
            alerts = session.scalars(
                select(PatientAlert).where(
                    PatientAlert.patient_id.in_(identities_of(session, patient_id)),
                    PatientAlert.active.is_(True),
                    PatientAlert.deleted.is_(False),
                )
            ).all()
            reports = tuple(
                ReportFact(q.source_id, q.heading, q.text, q.source_id in final_ids, None)
                for q in _offered(session, patient_id, episode_id, (_REPORT_TYPE,))
            )
            facts = LetterFacts(
                kind=letter_kind,
                on=self._context.today(),
                patient_name=_full_name(patient),
                given_name=patient.given_name,
                nhs_number=format_nhs_number(patient.nhs_number) if patient.nhs_number else "",
                date_of_birth=patient.date_of_birth,
                address=_postal_address(patient),
                gp_name=gp.name if gp is not None and not gp.deleted else None,
                gp_address=", ".join(p for p in (gp.address, gp.postcode) if p) if gp else "",
                gp_ods=gp.ods_code if gp is not None else "",
                clinician=display_name(session, actor.id) or actor.display_name,
                site=clinic.name if clinic is not None else "",
                site_phone=clinic.phone if clinic is not None else None,
                site_id=clinic.id if clinic is not None else None,
                episode_started=episode.started_on if episode else None,
                episode_ended=episode.ended_on if episode else None,
                end_reason=(episode.end_reason or "") if episode else "",
                pathway=(episode.pathway or "") if episode else "",
                assessments=_offered(session, patient_id, episode_id, _DIAGNOSIS_TYPES),
                red_flags=red_flags,
                decisions=_offered(session, patient_id, episode_id, _DECISION_TYPES),
                procedures=_offered(session, patient_id, episode_id, _PROCEDURE_TYPES),
                plan=_plan_words(_offered(session, patient_id, episode_id, _PLAN_TYPES)),
                reports=reports,
                allergies=tuple(a.text for a in alerts if a.kind is AlertKind.ALLERGY),
                safety_alerts=tuple(
                    a.text for a in alerts if a.kind in {AlertKind.SAFEGUARDING, AlertKind.CLINICAL}
                ),
                needs=tuple(patient.accessible_information_needs or ())
                + (
                    (
                        "Interpreter needed ("
                        f"{patient.interpreter_language or 'language not recorded'})",
                    )
                    if patient.interpreter_needed
                    else ()
                ),
                provider=provider,
            )
            self._uow.audit(
                session, actor, "letter.gather", patient_id=patient_id, entity="patient"
            )
        scores = self._score_facts(actor, patient_id, scores_episode)
        return LetterFacts(**{**facts.__dict__, "scores": scores})

    # ------------------------------------------------------------ writing

    def draft(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        kind: str,
        episode_id: uuid.UUID | None = None,
        *,
        onward_decision_id: uuid.UUID | None = None,
        provider: str = "",
    ) -> LetterView:
        """A new draft letter assembled from what is signed in the record now.

        Raises:
            NotFound: ``patient.not_found``, ``episode.not_found``,
                ``letter.onward_decision_not_found``.
            ValidationError: ``letter.unknown_kind``, ``text.too_long`` (provider).
        """
        provider = " ".join(provider.split())
        if len(provider) > PROVIDER_MAX:
            raise ValidationError("text.too_long", field="provider", max_length=PROVIDER_MAX)
        facts = self.gather(actor, patient_id, kind, episode_id, provider)
        sections = assemble(facts, prsb_headings())
        cited = [str(r.id) for r in facts.reports if r.final]
        with self._uow(actor, LETTER.lifecycle.step("edit").permission) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            if onward_decision_id is not None:
                decision = session.get(TriageDecision, onward_decision_id)
                if decision is None or not same_patient(session, decision.patient_id, patient_id):
                    raise NotFound("letter.onward_decision_not_found")
            row = LetterRecord(
                patient_id=patient_id,
                # The clinic its words were gathered from: kept for its heading.
                site_id=facts.site_id,
                episode_id=_letter_episode(session, patient_id, episode_id, facts.kind),
                onward_decision_id=onward_decision_id,
                kind=facts.kind.value,
                recipient=recipient(facts),
                sections=[
                    {
                        "key": s.key,
                        "title": s.title,
                        "text": s.text,
                        "mandatory": s.mandatory,
                        "filled": s.filled,
                    }
                    for s in sections
                ],
                cited_reports=cited,
                no_gp_practice=facts.gp_name is None,
                large_print=LARGE_PRINT in (patient.accessible_information_needs or []),
                assembled_on=facts.on,
            )
            session.add(row)
            session.flush()
            self._audit(session, actor, "create", row)
            return letter_view(row, targets_in_force(session)["patient_letter_grade"])

    def edit(
        self,
        actor: CurrentUser,
        letter_id: uuid.UUID,
        patient_id: uuid.UUID,
        texts: Mapping[str, str],
    ) -> LetterView:
        """Change the words of sections of a draft (the records it quotes never change).

        Raises:
            FormErrors: ``letter.unknown_section``, ``text.too_long``.
            NotFound: ``letter.not_found``.
            Conflict: ``letter.signed``, ``letter.wrong_patient``.
            PermissionDenied: ``letter.not_author``.
        """
        with self._uow(actor, LETTER.lifecycle.step("edit").permission) as session:
            row = self._mine(session, actor, letter_id, patient_id, "edit")
            known = {part["key"] for part in row.sections}
            errors = [
                ValidationError("letter.unknown_section", field=key)
                for key in texts
                if key not in known
            ] + [
                ValidationError("text.too_long", field=key, max_length=TEXT_MAX)
                for key, value in texts.items()
                if len(value) > TEXT_MAX
            ]
            if errors:
                raise FormErrors(errors)
            row.sections = [
                {
                    **part,
                    "text": texts[part["key"]].strip(),
                    "filled": bool(texts[part["key"]].strip()),
                }
                if part["key"] in texts
                else part
                for part in row.sections
            ]
            session.flush()
            self._audit(session, actor, "edit", row)
            return letter_view(row, targets_in_force(session)["patient_letter_grade"])

    def sign(
        self, actor: CurrentUser, letter_id: uuid.UUID, patient_id: uuid.UUID, password: str
    ) -> LetterView:
        """Sign a draft with the password: from now on it never changes.

        Refused while a mandatory PRSB section is empty, while a scan report it cites is not
        final (asked again of the reports domain now), while a red-flag emergency on the
        record waits for its action, or, for a discharge letter, while its episode is open.

        Raises:
            AuthenticationFailed: ``auth.failed``, ``auth.locked_out``.
            FormErrors: ``letter.mandatory_empty`` (field: the heading),
                ``letter.report_preliminary``, ``letter.red_flag_no_action``,
                ``letter.episode_open`` (a discharge letter while its episode is open).
            NotFound: ``letter.not_found``.
            Conflict: ``letter.signed``, ``letter.wrong_patient``.
            PermissionDenied: ``letter.not_author``.
        """
        permission = LETTER.lifecycle.step("sign").permission
        require(actor.role, permission)
        self._auth.check_password(actor, password)
        with self._uow(actor, READ, mode=Mode.READ) as session:
            row = self._mine(session, actor, letter_id, patient_id, "sign")
            cited = [uuid.UUID(value) for value in row.cited_reports]
            problems = signing_problems(LETTER, row)
            episode = (
                session.get(EpisodeOfCare, row.episode_id) if row.episode_id is not None else None
            )
            if row.kind == LetterKind.GP_DISCHARGE and episode is not None and not episode.ended_on:
                # A GP told of a discharge that has not happened would stop expecting news.
                problems.append(ValidationError("letter.episode_open", field="sections"))
        if cited:
            final = self._final_report_ids(actor, patient_id)
            problems += [
                ValidationError("letter.report_preliminary", field="sections", report=str(rid))
                for rid in cited
                if rid not in final
            ]
        waiting = [
            item
            for item in self._red_flags.awaiting_action(actor, patient_id)
            if item.screening.level is Level.EMERGENCY
        ]
        if waiting:
            problems.append(
                ValidationError(
                    "letter.red_flag_no_action",
                    field="sections",
                    screen=waiting[0].screening.screen_title,
                )
            )
        if problems:
            raise FormErrors(problems)
        with self._uow(actor, permission) as session:
            row = self._mine(session, actor, letter_id, patient_id, "sign")
            if row.kind == LetterKind.PATIENT:
                # Signed as addressed now: the name and address the record holds today.
                addressed = session.get(Patient, survivor_of(session, row.patient_id))
                if addressed is not None:
                    row.recipient = _patient_recipient(addressed)
            seal(
                LETTER,
                row,
                session=session,
                signer=recorded_by(actor),
                attestation=attestation(session, LETTER, "sign"),
            )
            session.flush()
            # The PDF as signed is kept in the record: what was sent can always be shown.
            pdf = _draw(self._printed(session, row, letter_view(row), actor))
            keep_file(session, row.patient_id, _pdf_name(row.id), PDF_TYPE, pdf)
            self._audit(session, actor, "sign", row)
            return letter_view(row, targets_in_force(session)["patient_letter_grade"])

    # ------------------------------------------------------------ reading

    def get(self, actor: CurrentUser, letter_id: uuid.UUID, patient_id: uuid.UUID) -> LetterView:
        """Open one letter of this patient, its seal checked (audited).

        Raises:
            NotFound: ``letter.not_found``, also for a letter of another patient.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, letter_id)
            # One written under a registration since merged into this record is theirs.
            if not same_patient(session, row.patient_id, patient_id):
                raise NotFound("letter.not_found")
            self._audit(session, actor, "open", row)
            return letter_view(row, targets_in_force(session)["patient_letter_grade"])

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[LetterView]:
        """The patient's letters, newest first (drafts and signed); audited.

        Those written under a registration since merged into the record are the patient's
        (a draft begun there is continued from the surviving record).
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(LetterRecord)
                .where(
                    LetterRecord.patient_id.in_(identities_of(session, patient_id)),
                    LetterRecord.deleted.is_(False),
                )
                .order_by(LetterRecord.created_at.desc(), LetterRecord.id.desc())
            ).all()
            self._uow.audit(session, actor, "letter.list", patient_id=patient_id, entity="letter")
            grade = targets_in_force(session)["patient_letter_grade"]
            return [letter_view(row, grade) for row in rows]

    def targets(self, actor: CurrentUser) -> dict[str, int]:
        """The letters' targets in force (shipped defaults with the service's setting)."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            return targets_in_force(session)

    def set_targets(
        self, actor: CurrentUser, values: Mapping[str, object], reset: Collection[str] = ()
    ) -> dict[str, int]:
        """Change the service's letter targets, or put some back to the cited default.

        Only what differs from the shipped default is stored, so a later default applies.

        Raises:
            FormErrors: ``letter.unknown_target``, ``letter.bad_target`` (a whole number of
                days from 0 to :data:`TARGET_DAYS_MAX`, or a grade from 1 to
                :data:`GRADE_MAX`); nothing is stored unless every value is valid.
        """
        errors: list[ValidationError] = []
        for key, value in values.items():
            top = GRADE_MAX if key == "patient_letter_grade" else TARGET_DAYS_MAX
            bottom = 1 if key == "patient_letter_grade" else 0
            if key not in TARGET_KEYS:
                errors.append(ValidationError("letter.unknown_target", field=key))
            elif (
                isinstance(value, bool) or not isinstance(value, int) or not bottom <= value <= top
            ):
                errors.append(ValidationError("letter.bad_target", field=key, low=bottom, high=top))
        errors += [
            ValidationError("letter.unknown_target", field=key)
            for key in reset
            if key not in TARGET_KEYS
        ]
        if errors:
            raise FormErrors(errors)
        shipped = shipped_targets()
        with self._uow(actor, Action.SETTINGS_MANAGE) as session:
            row = session.get(ServiceSetting, setting_id(TARGETS))
            stored = dict(row.value or {}) if row is not None and not row.deleted else {}
            stored.update(values)
            stored = {
                key: value
                for key, value in stored.items()
                if key in TARGET_KEYS and key not in reset and value != shipped[key].value
            }
            if row is None:
                session.add(ServiceSetting(id=setting_id(TARGETS), key=TARGETS, value=stored))
            else:
                row.value = stored
                row.deleted = False
            session.flush()
            self._uow.audit(session, actor, "settings.letter_targets", entity="service_setting")
            return targets_in_force(session)

    def printable(self, actor: CurrentUser, letter_id: uuid.UUID, patient_id: uuid.UUID) -> bytes:
        """The letter as a PDF: a signed letter's as it was signed, a draft's drawn now.

        A signed letter's PDF is kept in the record when it is signed (a file, synced); a
        letter signed on another laptop whose file has not arrived yet is drawn again from its
        sealed words, which give the same bytes: a letter signed before its registration was
        merged into another record prints as it was sent. A draft is drawn naming the patient
        as the surviving record does. Printing is audited.

        Raises:
            NotFound: ``letter.not_found``.
            PermissionDenied: ``letter.draft_not_yours`` for another clinician's draft.
            Conflict: ``letter.not_intact`` for a signed letter changed since it was signed.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, letter_id)
            if not same_patient(session, row.patient_id, patient_id):
                raise NotFound("letter.not_found")
            if row.status != RecordStatus.SIGNED and row.created_by != actor.id:
                raise Conflict("letter.draft_not_yours")
            view = letter_view(row)
            if not view.intact:
                raise Conflict("letter.not_intact")
            # A signed letter prints as it was sent, also after its registration was merged
            # into another record (a draft is drawn naming the patient as that record does).
            kept = (
                kept_bytes(
                    session, file_named(session, row.patient_id, _pdf_name(row.id), PDF_TYPE)
                )
                if row.status == RecordStatus.SIGNED
                else None
            )
            if kept is not None:
                self._audit(session, actor, "print", row)
                return kept
            printed = self._printed(session, row, view, actor)
            self._audit(session, actor, "print", row)
        return _draw(printed)

    @staticmethod
    def _printed(
        session: Session, row: LetterRecord, view: LetterView, actor: CurrentUser
    ) -> PrintedLetter:
        """What the printed letter says beside its sections: names, number, signer, greeting.

        The patient is named as their record names them now: for a letter written under a
        registration since merged into another, as the surviving record does.
        """
        patient = session.get(Patient, survivor_of(session, row.patient_id))
        if patient is None:
            raise NotFound("patient.not_found")
        site = _letter_site(session, row, actor)
        from clinic_app.domains.letters.pdf import PrintedLetter  # noqa: PLC0415 - on demand

        if view.kind == LetterKind.PATIENT.value and view.status != "signed":
            # A draft is posted to the patient as their record names them now (merged, or
            # moved house since it was begun); a signed letter prints as it was signed.
            view = dataclasses.replace(view, recipient=_patient_recipient(patient))
        return PrintedLetter(
            view=view,
            patient_name=f"{patient.family_name.upper()}, {patient.given_name}",
            nhs_number=format_nhs_number(patient.nhs_number) if patient.nhs_number else "",
            date_of_birth=patient.date_of_birth,
            signer=display_name(session, row.signed_by or row.created_by),
            # The clinic the letter was written at, whoever prints it and wherever: its
            # words (the number to ring) were written there too.
            service=site.name if site is not None else "OneStop MSK",
            greeting=greeting(view.kind, patient.given_name),
            sender=_sender(site),
        )

    def fhir_document(self, actor: CurrentUser, letter_id: uuid.UUID, patient_id: uuid.UUID) -> str:
        """A signed letter on the PRSB headings as a FHIR document Bundle (JSON, ITK-checked).

        Raises:
            As :meth:`printable`; Conflict ``letter.not_signed`` for a draft,
            ``letter.no_document_for_kind`` for the letter to the patient, and
            ``letter.document_incomplete`` (``rules``: the ITK rules broken, e.g. the service
            has no ODS code).
        """
        pdf = self.printable(actor, letter_id, patient_id)
        from clinic_app.domains.letters.fhir import from_letter  # noqa: PLC0415 - on demand

        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, letter_id)
            view = letter_view(row)
            if not view.signed:
                raise Conflict("letter.not_signed")
            if not from_letter.is_document_kind(view.kind):
                raise Conflict("letter.no_document_for_kind")
            # Held by the clinic the letter was written at, whoever exports it.
            site = _letter_site(session, row, actor)
            document = from_letter.letter_document(
                session, row, view, pdf, site.id if site is not None else None
            )
            self._audit(session, actor, "fhir_document", row)
        if not document.service.ods_code:
            # The custodian is named by its ODS code: without one there is no document.
            raise Conflict("letter.document_incomplete", rules="service_ods_code")
        text, problems = from_letter.letter_bundle(document)
        if problems:
            rules = ", ".join(sorted({problem.code for problem in problems}))
            raise Conflict("letter.document_incomplete", rules=rules)
        return text

    def care_plan_document(
        self, actor: CurrentUser, plan_id: uuid.UUID, patient_id: uuid.UUID
    ) -> str:
        """The patient's current signed care plan as a FHIR document Bundle (JSON, ITK-checked).

        The plan is read through the care plans domain; its printed copy is the attachment,
        drawn the same way every time, so the same plan gives the same bytes. Audited.

        Raises:
            NotFound: ``care_plan.not_found`` (also another patient's plan).
            Conflict: ``letter.plan_not_signed`` for a draft, ``letter.plan_superseded`` for
                a version a review replaced, ``letter.plan_not_shared`` when the patient did
                not agree to share it with the GP, ``care_plan.not_intact``,
                ``letter.no_service_ods_code``, ``letter.plan_document_incomplete``
                (``rules``: the ITK rules broken).
        """
        # On demand: the care plans domain and reportlab load only when a plan is sent.
        from clinic_app.domains.care_plans.content import (  # noqa: PLC0415
            safety_nets,
            support_services,
        )
        from clinic_app.domains.care_plans.service.plans import CarePlanService  # noqa: PLC0415
        from clinic_app.domains.letters.fhir import from_care_plan, from_letter  # noqa: PLC0415

        plans = CarePlanService(self._context, self._auth)
        view = plans.get(actor, plan_id, patient_id)
        if not view.is_signed:
            raise Conflict("letter.plan_not_signed")
        if not view.is_current:
            raise Conflict("letter.plan_superseded")
        if view.plan.gp_consent is not True:
            raise Conflict("letter.plan_not_shared")
        with from_care_plan.same_bytes_pdf():
            pdf = plans.printable(actor, plan_id, patient_id)
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            document = from_care_plan.care_plan_document(
                session, view, pdf, actor.site_id, nets=safety_nets(), services=support_services()
            )
            self._uow.audit(
                session,
                actor,
                "letter.care_plan_document",
                patient_id=patient_id,
                entity="care_plan",
                entity_id=plan_id,
            )
        if not document.service.ods_code:
            raise Conflict("letter.no_service_ods_code")
        text, problems = from_letter.letter_bundle(document)
        if problems:
            rules = ", ".join(sorted({problem.code for problem in problems}))
            raise Conflict("letter.plan_document_incomplete", rules=rules)
        return text

    # ------------------------------------------------------------ letters due

    def due(
        self, actor: CurrentUser, today: date | None = None, clinician_id: uuid.UUID | None = None
    ) -> list[DueLetter]:
        """Discharges and onward referrals whose letter is not signed, most urgent first.

        ``clinician_id`` narrows it to one clinician's (the episode's lead, the referral's
        triager); None is the whole service.
        """
        on = today or self._context.today()
        with self._uow(actor, Action.LETTERS_DUE, mode=Mode.AUDITED_READ) as session:
            targets = targets_in_force(session)
            due = named(
                session,
                due_discharges(session, on, targets, clinician_id)
                + due_onward(session, on, targets, clinician_id),
            )
            self._uow.audit(session, actor, "letter.due", entity="letter")
        return sorted(due, key=lambda item: (item.days_left, item.since, str(item.patient_id)))

    # ------------------------------------------------------------ inside

    @staticmethod
    def _load(session: ClinicSession, letter_id: uuid.UUID) -> LetterRecord:
        row = session.get(LetterRecord, letter_id)
        if row is None or row.deleted:
            raise NotFound("letter.not_found")
        return row

    def _mine(
        self,
        session: ClinicSession,
        actor: CurrentUser,
        letter_id: uuid.UUID,
        patient_id: uuid.UUID,
        step: str,
    ) -> LetterRecord:
        row = self._load(session, letter_id)
        if not same_patient(session, row.patient_id, patient_id):
            raise Conflict("letter.wrong_patient")
        LETTER.lifecycle.check(
            step,
            status=row.status,
            role=actor.role,
            actor=recorded_by(actor),
            author=row.created_by,
        )
        return row

    def _audit(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: LetterRecord
    ) -> None:
        self._uow.audit(
            session,
            actor,
            f"letter.{action}",
            patient_id=row.patient_id,
            entity=LETTER.table_name,
            entity_id=row.id,
        )


def _edited(part: dict[str, object], words: str) -> dict[str, object]:
    return {**part, "text": words.strip(), "filled": bool(words.strip())}


__all__ = ["TARGET_KEYS", "LetterService", "letter_view", "targets_in_force"]


def _site(session: Session, site_id: uuid.UUID | None) -> Site | None:
    return session.get(Site, site_id) if site_id is not None else None


def _clinic(
    session: Session, site_id: uuid.UUID | None, episode: EpisodeOfCare | None
) -> Site | None:
    """The clinic a letter comes from: the writer's; else the episode's; else the only one.

    A writer kept with no clinic (a user added without one) still sends a letter a patient
    or GP can answer: the clinic the episode is held at, or the service's only clinic. With
    neither, no clinic is named (a service of several clinics is never guessed at).
    """
    site = _site(session, site_id)
    if site is None and episode is not None:
        site = _site(session, episode.site_id)
    if site is None:
        only = session.scalars(select(Site).where(Site.deleted.is_(False)).limit(2)).all()
        site = only[0] if len(only) == 1 else None
    return site


def _letter_site(session: Session, row: LetterRecord, actor: CurrentUser) -> Site | None:
    """The clinic a letter was written at: the one kept when it was drafted.

    A letter drafted before letters kept their clinic: its author's (the actor's, for an
    author unknown), by the same rule as a new letter's.
    """
    if row.site_id is not None:
        return _site(session, row.site_id)
    author = session.get(User, row.created_by) if row.created_by is not None else None
    episode = session.get(EpisodeOfCare, row.episode_id) if row.episode_id is not None else None
    return _clinic(session, author.site_id if author is not None else actor.site_id, episode)


def _sender(site: Site | None) -> tuple[str, ...]:
    """How to reach the site a letter comes from: address, telephone, email (those known)."""
    if site is None:
        return ()
    return tuple(
        part
        for part in (
            site.address,
            f"Telephone {site.phone}" if site.phone else None,
            f"Email {site.email}" if site.email else None,
        )
        if part
    )
