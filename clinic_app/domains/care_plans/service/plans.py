"""Care plans: a draft made with the patient, signed with the password, reviewed as versions.

Every method acts on the patient named with it: a plan of another patient is refused (when
changing it) or not found (when reading it). A plan made under a registration since merged
into the patient's record is theirs. Only one plan is current per patient and
episode: a new plan is refused while one is current (review it instead), and a review is
refused once another review replaced the same version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from clinic_app.domains.care_plans.content import (
    SETTING,
    SafetyNets,
    SupportServices,
    rules_with,
    safety_nets,
    shipped_rules,
    support_services,
)
from clinic_app.domains.care_plans.model import CarePlan
from clinic_app.domains.care_plans.record import CARE_PLAN
from clinic_app.domains.care_plans.rules import PifuRules, pifu_ends_on
from clinic_app.domains.care_plans.service.checks import checked_input, sign_problems
from clinic_app.domains.care_plans.service.pifu import open_windows
from clinic_app.domains.care_plans.service.reading import plan_view
from clinic_app.domains.care_plans.views import CarePlanInput, CarePlanView, PifuWindow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, FormErrors, NotFound, PermissionDenied
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.settings import ServiceSetting, setting_id
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.auth import AuthService
from clinic_app.people.duplicates import identities_of, same_patient, survivor_of
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient
from clinic_app.records.attestation import attestation
from clinic_app.records.seal import intact, seal, signing_time

#: What a review's new draft keeps of the version it replaces; the review date, the consent
#: to share and the PIFU window's dates are asked and set again.
KEPT_BY_REVIEW: tuple[str, ...] = (
    "what_matters",
    "strengths",
    "goals",
    "actions",
    "conditions",
    "treatments",
    "self_management",
    "flare_plan",
    "seek_help",
    "safety_nets",
    "support_services",
    "named_contact",
    "contact_route",
    "pifu_months",
)

#: Reading a care plan is reading the clinical record: the assessment's read permission.
READ = Action.ASSESSMENT_VIEW


def pifu_rules(session: Session) -> PifuRules:
    """The PIFU settings in force: the shipped defaults with what the service changed."""
    row = session.get(ServiceSetting, setting_id(SETTING))
    if row is None or row.deleted or not row.value:
        return shipped_rules()
    return rules_with(row.value)


def _in_episode(episode: uuid.UUID | None) -> ColumnElement[bool]:
    return CarePlan.episode_id.is_(None) if episode is None else CarePlan.episode_id == episode


def _replaced_by(session: Session, row: CarePlan) -> uuid.UUID | None:
    """The signed version that replaced ``row`` after a review, if any."""
    return session.scalars(
        select(CarePlan.id).where(
            CarePlan.supersedes_id == row.id,
            CarePlan.status == RecordStatus.SIGNED.value,
            CarePlan.deleted.is_(False),
        )
    ).first()


def current_plan(
    session: Session, patient_id: uuid.UUID, episode: uuid.UUID | None
) -> CarePlan | None:
    """The patient's current plan in the episode: signed, and replaced by no signed version.

    One signed under a registration since merged into the patient's record counts.
    """
    rows = session.scalars(
        select(CarePlan).where(
            CarePlan.patient_id.in_(identities_of(session, patient_id)),
            CarePlan.status == RecordStatus.SIGNED.value,
            CarePlan.deleted.is_(False),
            _in_episode(episode),
        )
    ).all()
    replaced = {row.supersedes_id for row in rows}
    current = [row for row in rows if row.id not in replaced]
    return max(current, key=lambda r: (r.signed_at, r.id), default=None)


class CarePlanService:
    """Personalised care and support plans, from the draft made with the patient to review.

    ``today`` gives the day the rules are checked against (the clinic's date by default).
    """

    def __init__(
        self,
        context: Context,
        auth: AuthService,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._uow = UnitOfWork(context)
        self._auth = auth
        self.today = today
        self.nets: Callable[[], SafetyNets] = safety_nets
        self.services: Callable[[], SupportServices] = support_services

    # ------------------------------------------------------------ writing

    def start(
        self, actor: CurrentUser, patient_id: uuid.UUID, episode_id: uuid.UUID | None = None
    ) -> CarePlanView:
        """Start the patient's plan in the episode (their open one by default).

        Starting again continues the actor's own draft. The PIFU window starts at the
        service's default length; the format and language come from the patient's record.

        Raises:
            NotFound: ``patient.not_found``, ``episode.not_found``.
            Conflict: ``care_plan.current_exists`` (a signed plan is current: review it),
                ``care_plan.draft_exists`` (a colleague's draft is open in the episode).
        """
        with self._uow(actor, CARE_PLAN.lifecycle.step("edit").permission) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            episode = episode_for(session, patient.id, episode_id)
            draft = self._open_draft(session, actor, patient.id, episode)
            if draft is not None:
                self._audit(session, actor, "open", draft)
                return plan_view(draft)
            if current_plan(session, patient.id, episode) is not None:
                raise Conflict("care_plan.current_exists")
            row = CarePlan(
                patient_id=patient.id,
                episode_id=episode,
                pifu_months=pifu_rules(session).default_months,
            )
            _copy_needs(row, patient)
            session.add(row)
            session.flush()
            self._audit(session, actor, "create", row)
            return plan_view(row)

    def save(
        self,
        actor: CurrentUser,
        plan_id: uuid.UUID,
        patient_id: uuid.UUID,
        data: CarePlanInput,
    ) -> CarePlanView:
        """Save the draft as it stands (autosave); what signing needs may still be missing.

        Consent to share with the GP is kept with who recorded it and when, each time it
        changes.

        Raises:
            FormErrors: as ``checks.checked_input``.
            NotFound: ``care_plan.not_found``.
            Conflict: ``care_plan.signed`` (review it instead), ``care_plan.wrong_patient``.
            PermissionDenied: ``care_plan.not_author`` for another clinician's draft.
        """
        with self._uow(actor, CARE_PLAN.lifecycle.step("edit").permission) as session:
            row = self._mine(session, actor, plan_id, patient_id, "edit")
            values = checked_input(
                data, pifu_rules(session), self.nets(), self.services(), self.today()
            )
            consent = (values["gp_consent"], values["gp_consent_given_by"])
            if consent != (row.gp_consent, row.gp_consent_given_by):
                asked = consent[0] is not None
                row.gp_consent_recorded_by = recorded_by(actor) if asked else None
                row.gp_consent_recorded_at = signing_time() if asked else None
            for name, value in values.items():
                setattr(row, name, value)
            patient = session.get(Patient, survivor_of(session, row.patient_id))
            if patient is not None:
                _copy_needs(row, patient)
            session.flush()
            self._audit(session, actor, "save_draft", row)
            return plan_view(row)

    def sign(
        self, actor: CurrentUser, plan_id: uuid.UUID, patient_id: uuid.UUID, password: str
    ) -> CarePlanView:
        """Sign a draft with the password: it never changes again; its PIFU window opens.

        Raises:
            AuthenticationFailed: ``auth.failed``, ``auth.locked_out``.
            FormErrors: ``care_plan.no_goals``, ``care_plan.action_in_past``,
                ``care_plan.pifu_out_of_range``, ``care_plan.no_review_date``,
                ``care_plan.review_in_past``, ``care_plan.no_contact``,
                ``care_plan.no_gp_consent``.
            NotFound: ``care_plan.not_found``.
            Conflict: ``care_plan.signed``, ``care_plan.wrong_patient``,
                ``care_plan.current_exists`` (another plan became current meanwhile),
                ``care_plan.superseded`` (the version reviewed was replaced meanwhile).
            PermissionDenied: ``care_plan.not_author``.
        """
        permission = CARE_PLAN.lifecycle.step("sign").permission
        require(actor.role, permission)
        self._auth.check_password(actor, password)
        today = self.today()
        with self._uow(actor, permission) as session:
            row = self._mine(session, actor, plan_id, patient_id, "sign")
            problems = sign_problems(row, pifu_rules(session), today)
            if problems:
                raise FormErrors(problems)
            current = current_plan(session, row.patient_id, row.episode_id)
            if current is not None and current.id != row.supersedes_id:
                raise Conflict(
                    "care_plan.superseded" if row.supersedes_id else "care_plan.current_exists"
                )
            if row.supersedes_id is not None and current is None:
                raise Conflict("care_plan.superseded")
            if row.pifu_months is not None:
                row.pifu_starts_on = today
                row.pifu_ends_on = pifu_ends_on(today, row.pifu_months)
            seal(
                CARE_PLAN,
                row,
                session=session,
                signer=recorded_by(actor),
                attestation=attestation(session, CARE_PLAN, "sign"),
            )
            session.flush()
            self._audit(session, actor, "sign", row)
            return plan_view(row)

    def review(self, actor: CurrentUser, plan_id: uuid.UUID, patient_id: uuid.UUID) -> CarePlanView:
        """A new draft version from the current signed plan; the signed one stays as it is.

        The draft starts with everything of the version it replaces except the review date,
        the consent to share (asked again) and the PIFU window (opened again when signed).
        An actor who already has a draft reviewing it is given that draft back.

        Raises:
            NotFound: ``care_plan.not_found``.
            Conflict: ``care_plan.not_signed`` (change the draft instead),
                ``care_plan.wrong_patient``, ``care_plan.superseded`` (a later version is
                current: review that one), ``care_plan.draft_exists`` (a colleague is
                reviewing it).
        """
        with self._uow(actor, CARE_PLAN.lifecycle.step("review").permission) as session:
            earlier = self._load(session, plan_id)
            if not same_patient(session, earlier.patient_id, patient_id):
                raise Conflict("care_plan.wrong_patient")
            self._check(actor, earlier, "review")
            if _replaced_by(session, earlier) is not None:
                raise Conflict("care_plan.superseded")
            draft = self._open_draft(session, actor, earlier.patient_id, earlier.episode_id)
            if draft is not None and draft.supersedes_id == earlier.id:
                self._audit(session, actor, "open", draft)
                return plan_view(draft)
            if draft is not None:
                raise Conflict("care_plan.draft_exists")
            row = CarePlan(patient_id=earlier.patient_id, episode_id=earlier.episode_id)
            for name in KEPT_BY_REVIEW:
                setattr(row, name, getattr(earlier, name))
            row.supersedes_id = earlier.id
            patient = session.get(Patient, survivor_of(session, earlier.patient_id))
            if patient is not None:
                _copy_needs(row, patient)
            session.add(row)
            session.flush()
            self._audit(session, actor, "review", row)
            return plan_view(row)

    # ------------------------------------------------------------ reading

    def get(self, actor: CurrentUser, plan_id: uuid.UUID, patient_id: uuid.UUID) -> CarePlanView:
        """Open one version of this patient's plan, its seal checked (audited).

        Raises:
            NotFound: ``care_plan.not_found``, also for a plan of another patient.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, plan_id)
            if not same_patient(session, row.patient_id, patient_id):
                raise NotFound("care_plan.not_found")
            self._audit(session, actor, "open", row)
            return plan_view(row, _replaced_by(session, row))

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[CarePlanView]:
        """Every version of the patient's plans, newest first (drafts and signed); audited.

        Those made under a registration since merged into the record are theirs.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(CarePlan)
                .where(
                    CarePlan.patient_id.in_(identities_of(session, patient_id)),
                    CarePlan.deleted.is_(False),
                )
                .order_by(CarePlan.created_at.desc(), CarePlan.id.desc())
            ).all()
            self._uow.audit(
                session, actor, "care_plan.list", patient_id=patient_id, entity="care_plan"
            )
            replaced = {
                row.supersedes_id: row.id
                for row in rows
                if row.supersedes_id is not None and row.status == RecordStatus.SIGNED
            }
            return [plan_view(row, replaced.get(row.id)) for row in rows]

    def pifu_windows(
        self, actor: CurrentUser, on: date | None = None, *, whole_service: bool = False
    ) -> list[PifuWindow]:
        """Open PIFU windows on ``on`` (today by default), those ending soonest first.

        A clinician's own (the plans they signed) by default; every clinician's with
        ``whole_service``, for the service lead and supervisors. Each window says whether it
        is about to lapse (ends within the service's warning days). Names patients: audited.

        Raises:
            PermissionDenied: ``permission.denied`` for ``whole_service`` without oversight,
                or a role that makes no plans asking for its own.
        """
        needed = Action.PIFU_OVERSIGHT if whole_service else Action.CARE_PLAN_RECORD
        day = on or self.today()
        with self._uow(actor, needed, mode=Mode.AUDITED_READ) as session:
            rules = pifu_rules(session)
            signer = None if whole_service else recorded_by(actor)
            windows = open_windows(session, day, rules, signer=signer, everyone=whole_service)
            self._uow.audit(session, actor, "care_plan.pifu_list", entity="care_plan")
            return windows

    def rules(self, actor: CurrentUser) -> PifuRules:
        """The PIFU settings in force (the window's range, its default, the warning days)."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            return pifu_rules(session)

    def printable(self, actor: CurrentUser, plan_id: uuid.UUID, patient_id: uuid.UUID) -> bytes:
        """The patient's copy of the plan as a PDF (printing is audited).

        Addressed to the patient, their goals first; large print when their record asks for
        it. A draft prints only for its clinician, marked as a draft.

        Raises:
            NotFound: ``care_plan.not_found`` (also another patient's), ``patient.not_found``.
            PermissionDenied: ``care_plan.draft_not_yours``.
            Conflict: ``care_plan.not_intact`` for a signed plan changed since signing.
        """
        from clinic_app.domains.care_plans.service.printing import copy_for_patient  # noqa: PLC0415

        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, plan_id)
            if not same_patient(session, row.patient_id, patient_id):
                raise NotFound("care_plan.not_found")
            if row.status != RecordStatus.SIGNED and row.created_by != actor.id:
                raise PermissionDenied("care_plan.draft_not_yours")
            if not intact(CARE_PLAN, row):
                raise Conflict("care_plan.not_intact")
            copy = copy_for_patient(session, row, self.nets(), self.services())
            self._audit(session, actor, "print", row)
        return copy.render()

    def attestation_for(self, actor: CurrentUser) -> str:
        """The sentence to show the actor before they sign a care plan."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            return attestation(session, CARE_PLAN, "sign")

    # ------------------------------------------------------------ inside

    @staticmethod
    def _open_draft(
        session: Session, actor: CurrentUser, patient_id: uuid.UUID, episode: uuid.UUID | None
    ) -> CarePlan | None:
        """The draft open in the episode: the actor's, else a colleague's is refused.

        One left under a registration since merged into the patient's record is theirs.
        """
        drafts = session.scalars(
            select(CarePlan).where(
                CarePlan.patient_id.in_(identities_of(session, patient_id)),
                CarePlan.status == RecordStatus.DRAFT.value,
                CarePlan.deleted.is_(False),
                _in_episode(episode),
            )
        ).all()
        mine = [row for row in drafts if row.created_by == recorded_by(actor)]
        if mine:
            return max(mine, key=lambda r: (r.updated_at, r.id))
        if drafts:
            raise Conflict("care_plan.draft_exists")
        return None

    @staticmethod
    def _load(session: ClinicSession, plan_id: uuid.UUID) -> CarePlan:
        row = session.get(CarePlan, plan_id)
        if row is None or row.deleted:
            raise NotFound("care_plan.not_found")
        return row

    @staticmethod
    def _check(actor: CurrentUser, row: CarePlan, step: str) -> None:
        CARE_PLAN.lifecycle.check(
            step,
            status=row.status,
            role=actor.role,
            actor=recorded_by(actor),
            author=row.created_by,
        )

    def _mine(
        self,
        session: ClinicSession,
        actor: CurrentUser,
        plan_id: uuid.UUID,
        patient_id: uuid.UUID,
        step: str,
    ) -> CarePlan:
        row = self._load(session, plan_id)
        if not same_patient(session, row.patient_id, patient_id):
            raise Conflict("care_plan.wrong_patient")
        self._check(actor, row, step)
        return row

    def _audit(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: CarePlan
    ) -> None:
        self._uow.audit(
            session,
            actor,
            f"care_plan.{action}",
            patient_id=row.patient_id,
            entity=CARE_PLAN.table_name,
            entity_id=row.id,
        )


def _copy_needs(row: CarePlan, patient: Patient) -> None:
    """The format and language the patient needs, as their record keeps them now."""
    row.information_needs = sorted(patient.accessible_information_needs or [])
    row.language = patient.interpreter_language if patient.interpreter_needed else None
