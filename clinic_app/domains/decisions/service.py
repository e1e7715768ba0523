"""Shared decisions: a draft kept during the conversation, signed with the password, superseded.

Every method acts on the patient named with it: a record of another patient is refused (when
changing it) or not found (when reading it), so a screen can only ever touch the patient in
the window's banner. Records that a decision leads to (an injection, a shockwave course, a
request for imaging, an onward surgical referral) name the SDM record through
:func:`check_decision`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.decisions.content import (
    LEADS_TO,
    UNDECIDED,
    AidCatalogue,
    DecisionAid,
    decision_aids,
)
from clinic_app.domains.decisions.figures import MonthFigures, decision_figures, month_bounds
from clinic_app.domains.decisions.model import DecisionLinkColumns, DecisionRecord
from clinic_app.domains.decisions.record import DECISION
from clinic_app.domains.decisions.rules import (
    COLLABORATE_ITEMS,
    COLLABORATE_MAX,
    DECISION_MAKERS,
    NAME_MAX,
    PARTICIPANT_ROLES,
    RATING_MAX,
    RATING_MIN,
    SDM_Q9_ITEMS,
    SDM_Q9_MAX,
    TEXT_MAX,
)
from clinic_app.domains.decisions.views import DecisionInput, DecisionRecordView, Participant
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import (
    Conflict,
    FormErrors,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from clinic_app.kernel.security.permissions import Action, allows, require
from clinic_app.kernel.session import ClinicSession
from clinic_app.kernel.staff import display_name
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.people.auth import AuthService
from clinic_app.people.duplicates import identities_of, same_patient, survivor_of
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient
from clinic_app.people.nhs_number import format_nhs_number
from clinic_app.records.attestation import attestation
from clinic_app.records.seal import intact, seal, signing_problems

#: Reading an SDM record is reading the clinical record: the assessment's read permission.
READ = Action.ASSESSMENT_VIEW
REASON_MAX = 2000
"""The longest reason to go on without a shared decision (characters)."""


# ---------------------------------------------------------------- checking what is saved


def _option_or_none(aid: DecisionAid, value: str | None, field: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in aid.option_ids:
        raise ValidationError("decision.unknown_option", field=field, option=value)
    return value


def _scores(
    values: Sequence[int | None] | None, items: int, top: int, field: str
) -> list[int | None] | None:
    if values is None:
        return None
    if len(values) != items:
        raise ValidationError("decision.wrong_item_count", field=field, items=items)
    scores: list[int | None] = []
    for value in values:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top
        ):
            raise ValidationError("decision.score_out_of_range", field=field, low=0, high=top)
        scores.append(value)
    return scores


def _ratings(aid: DecisionAid, ratings: Mapping[str, int]) -> dict[str, int]:
    known = {matter.id for matter in aid.matters}
    checked: dict[str, int] = {}
    for key, value in ratings.items():
        if key not in known:
            raise ValidationError("decision.unknown_matter", field="ratings", matter=key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not RATING_MIN <= value <= RATING_MAX
        ):
            raise ValidationError(
                "decision.rating_out_of_range",
                field="ratings",
                matter=key,
                low=RATING_MIN,
                high=RATING_MAX,
            )
        checked[key] = value
    return checked


def _participants(people: Sequence[Participant]) -> list[dict[str, str]]:
    checked: list[dict[str, str]] = []
    for person in people:
        if person.role not in PARTICIPANT_ROLES:
            raise ValidationError("decision.unknown_role", field="participants", role=person.role)
        name = " ".join(person.name.split())
        if len(name) > NAME_MAX:
            raise ValidationError("text.too_long", field="participants", max_length=NAME_MAX)
        checked.append({"role": person.role, "name": name})
    return checked


def _text(value: str, field: str, limit: int = TEXT_MAX) -> str:
    text = value.strip()
    if len(text) > limit:
        raise ValidationError("text.too_long", field=field, max_length=limit)
    return text


def checked_input(aid: DecisionAid, data: DecisionInput) -> dict[str, object]:
    """The record's columns from what the screen sent, checked against the aid.

    Raises:
        FormErrors: every problem found, each naming its field: ``decision.unknown_option``
            (options_discussed, leaning, choice), ``decision.unknown_matter`` and
            ``decision.rating_out_of_range`` (ratings), ``decision.unknown_role``
            (participants), ``decision.unknown_decision_maker``,
            ``decision.wrong_item_count`` and ``decision.score_out_of_range`` (collaborate,
            sdm_q9), ``text.too_long``.
    """
    errors: list[ValidationError] = []
    values: dict[str, object] = {}

    def keep(field: str, check: Callable[[], object]) -> None:
        try:
            values[field] = check()
        except ValidationError as error:
            errors.append(error)

    def discussed() -> list[str]:
        chosen = list(dict.fromkeys(data.options_discussed))
        for option in chosen:
            _option_or_none(aid, option, "options_discussed")
        return [option for option in aid.option_ids if option in chosen]

    def choice() -> str | None:
        if data.choice == UNDECIDED:
            return UNDECIDED
        return _option_or_none(aid, data.choice, "choice")

    def maker() -> str | None:
        if data.decision_maker in (None, ""):
            return None
        if data.decision_maker not in DECISION_MAKERS:
            raise ValidationError("decision.unknown_decision_maker", field="decision_maker")
        return data.decision_maker

    keep("options_discussed", discussed)
    keep("ratings", lambda: _ratings(aid, data.ratings))
    keep("leaning", lambda: _option_or_none(aid, data.leaning, "leaning"))
    keep("choice", choice)
    keep("choice_words", lambda: _text(data.choice_words, "choice_words"))
    keep("questions", lambda: _text(data.questions, "questions"))
    keep("participants", lambda: _participants(data.participants))
    keep(
        "interpreter_language",
        lambda: _text(data.interpreter_language or "", "interpreter_language", NAME_MAX) or None,
    )
    keep("decision_maker", maker)
    keep(
        "collaborate",
        lambda: _scores(data.collaborate, COLLABORATE_ITEMS, COLLABORATE_MAX, "collaborate"),
    )
    keep("sdm_q9", lambda: _scores(data.sdm_q9, SDM_Q9_ITEMS, SDM_Q9_MAX, "sdm_q9"))
    if errors:
        raise FormErrors(errors)
    values["teach_back"] = bool(data.teach_back)
    # The option leant towards and the one chosen were talked about, whatever was ticked.
    chosen = values["choice"]
    talked = {*data.options_discussed, values["leaning"], chosen}
    talked_ids = [option for option in aid.option_ids if option in talked]
    values["options_discussed"] = talked_ids
    values["discussed_leads_to"] = _leads_to(aid, talked_ids)
    values["choice_leads_to"] = (
        aid.option(chosen).leads_to if isinstance(chosen, str) and chosen != UNDECIDED else None
    )
    return values


def _leads_to(aid: DecisionAid, option_ids: Sequence[str]) -> list[str]:
    found = {aid.option(option).leads_to for option in option_ids}
    return [kind for kind in LEADS_TO if kind in found]


# ---------------------------------------------------------------- read models


def _superseded_by(session: Session, row: DecisionRecord) -> uuid.UUID | None:
    return session.scalars(
        select(DecisionRecord.id)
        .where(
            DecisionRecord.supersedes_id == row.id,
            DecisionRecord.status == RecordStatus.SIGNED.value,
            DecisionRecord.deleted.is_(False),
        )
        .order_by(DecisionRecord.signed_at.desc(), DecisionRecord.id.desc())
        .limit(1)
    ).first()


def _local_day(moment: datetime) -> date:
    """The clinic's local day of a moment (a naive one is taken as local already)."""
    return (moment.astimezone() if moment.tzinfo is not None else moment).date()


def _scores_tuple(values: Sequence[int | None] | None) -> tuple[int | None, ...] | None:
    return None if values is None else tuple(values)


def decision_view(
    row: DecisionRecord, superseded_by: uuid.UUID | None = None
) -> DecisionRecordView:
    """The read model of one SDM record, its seal checked."""
    return DecisionRecordView(
        id=row.id,
        patient_id=row.patient_id,
        episode_id=row.episode_id,
        status=str(row.status),
        aid_id=row.aid_id,
        aid_version=row.aid_version,
        options_discussed=tuple(row.options_discussed),
        discussed_leads_to=tuple(row.discussed_leads_to),
        ratings=MappingProxyType(dict(row.ratings)),
        leaning=row.leaning,
        choice=row.choice,
        choice_leads_to=row.choice_leads_to,
        choice_words=row.choice_words,
        questions=row.questions,
        participants=tuple(
            Participant(role=str(p.get("role", "")), name=str(p.get("name", "")))
            for p in row.participants
        ),
        interpreter_language=row.interpreter_language,
        teach_back=row.teach_back,
        decision_maker=row.decision_maker,
        supersedes_id=row.supersedes_id,
        collaborate=_scores_tuple(row.collaborate),
        sdm_q9=_scores_tuple(row.sdm_q9),
        created_at=row.created_at,
        created_by=row.created_by,
        row_version=row.row_version,
        signed_at=row.signed_at,
        signed_by=row.signed_by,
        attestation=row.attestation,
        intact=intact(DECISION, row),
        superseded_by=superseded_by,
        summary=DECISION.describe(row),
    )


# ---------------------------------------------------------------- the link point


@dataclass(frozen=True)
class DecisionLink:
    """What a record led to by a decision keeps: the SDM record, or the reason to go on."""

    sdm_record_id: uuid.UUID | None
    reason: str | None


def _signed_for(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None, leads_to: str
) -> list[DecisionRecord]:
    """Signed, not superseded SDM records of the episode whose options lead to ``leads_to``.

    Those under a registration since merged into the patient's record are the patient's.
    """
    query = select(DecisionRecord).where(
        DecisionRecord.patient_id.in_(identities_of(session, patient_id)),
        DecisionRecord.status == RecordStatus.SIGNED.value,
        DecisionRecord.deleted.is_(False),
    )
    query = (
        query.where(DecisionRecord.episode_id.is_(None))
        if episode_id is None
        else query.where(DecisionRecord.episode_id == episode_id)
    )
    rows = session.scalars(
        query.order_by(DecisionRecord.signed_at.desc(), DecisionRecord.id.desc())
    ).all()
    replaced = {row.supersedes_id for row in rows if row.supersedes_id is not None}
    return [row for row in rows if row.id not in replaced and leads_to in row.discussed_leads_to]


def check_decision(
    session: Session,
    patient_id: uuid.UUID,
    episode_id: uuid.UUID | None,
    leads_to: str,
    *,
    sdm_id: uuid.UUID | None,
    reason: str | None,
) -> DecisionLink:
    """What a record that a decision leads to keeps about it, checked; used by its service.

    A named SDM record must be this patient's, signed, in this episode, and have discussed an
    option leading to ``leads_to``. With none named, the latest such record in the episode is
    linked; with none in the episode, the clinician's reason to go on is kept instead.

    Raises:
        ValueError: for a ``leads_to`` that is not a record type a decision leads to.
        NotFound: ``decision.not_found`` for a named record that does not exist.
        Conflict: ``decision.wrong_patient`` for another patient's record,
            ``decision.not_signed`` for a draft, ``decision.other_episode`` for one of
            another episode.
        ValidationError: ``decision.not_for_this`` (field ``sdm_record_id``) for a record
            whose options lead elsewhere; ``decision.none_in_episode`` (field
            ``sdm_missing_reason``) when there is no record and no reason: the screen says
            so and asks for a reason to go on; ``text.too_long`` for a reason too long.
    """
    if leads_to not in LEADS_TO:
        raise ValueError(f"a decision does not lead to {leads_to!r}")
    if sdm_id is not None:
        row = session.get(DecisionRecord, sdm_id)
        if row is None or row.deleted:
            raise NotFound("decision.not_found")
        if not same_patient(session, row.patient_id, patient_id):
            raise Conflict("decision.wrong_patient")
        if row.status != RecordStatus.SIGNED:
            raise Conflict("decision.not_signed")
        if row.episode_id != episode_id:
            raise Conflict("decision.other_episode")
        if leads_to not in row.discussed_leads_to:
            raise ValidationError("decision.not_for_this", field="sdm_record_id")
        return DecisionLink(row.id, None)
    found = _signed_for(session, patient_id, episode_id, leads_to)
    if found:
        return DecisionLink(found[0].id, None)
    words = _text(reason or "", "sdm_missing_reason", REASON_MAX)
    if not words:
        raise ValidationError(
            "decision.none_in_episode", field="sdm_missing_reason", leads_to=leads_to
        )
    return DecisionLink(None, words)


def keep_link(row: DecisionLinkColumns, link: DecisionLink) -> None:
    """Keep a checked link on a row of a record type that mixes in ``DecisionLinkColumns``."""
    row.sdm_record_id = link.sdm_record_id
    row.sdm_missing_reason = link.reason


# ---------------------------------------------------------------- the service


class DecisionService:
    """Shared decisions with decision aids, from the conversation's draft to the signed record.

    ``aids`` gives the catalogue of decision aids: the shipped ones by default (tests and the
    screens' tests may give another folder's).
    """

    def __init__(
        self,
        context: Context,
        auth: AuthService,
        aids: Callable[[], AidCatalogue] = decision_aids,
    ) -> None:
        self._context = context
        self._uow = UnitOfWork(context)
        self._auth = auth
        self.aids = aids

    # ------------------------------------------------------------ the aids

    def catalogue(self, actor: CurrentUser) -> AidCatalogue:
        """The aids offered; those who review aids also see the files refused and why.

        Raises:
            PermissionDenied: ``permission.denied`` for a role that neither records
                decisions nor reviews aids.
        """
        records = allows(actor.role, Action.DECISION_RECORD)
        reviews = allows(actor.role, Action.DECISION_AIDS_REVIEW)
        if not (records or reviews):
            require(actor.role, Action.DECISION_RECORD)
        catalogue = self.aids()
        return catalogue if reviews else AidCatalogue(catalogue.offered, ())

    def aid(self, actor: CurrentUser, aid_id: str) -> DecisionAid:
        """One offered aid.

        Raises:
            NotFound: ``decision.unknown_aid`` for an aid not offered.
        """
        require(actor.role, Action.DECISION_RECORD)
        return self._aid(aid_id)

    def _aid(self, aid_id: str) -> DecisionAid:
        aid = self.aids().get(aid_id)
        if aid is None:
            raise NotFound("decision.unknown_aid", aid=aid_id)
        return aid

    # ------------------------------------------------------------ writing

    def start(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        aid_id: str,
        episode_id: uuid.UUID | None = None,
    ) -> DecisionRecordView:
        """Start a draft with an aid's current version, every option to be discussed.

        Starting again with the same aid, for the same patient and episode, continues the
        actor's own draft (one that is not a change of mind) instead of making another, also
        one begun under a registration since merged into the patient's record.

        Raises:
            NotFound: ``patient.not_found``, ``decision.unknown_aid``, ``episode.not_found``
                (an episode of another patient).
        """
        aid = self._aid(aid_id)
        with self._uow(actor, DECISION.lifecycle.step("edit").permission) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            episode = episode_for(session, patient.id, episode_id)
            mine = recorded_by(actor)
            draft = session.scalars(
                select(DecisionRecord)
                .where(
                    DecisionRecord.patient_id.in_(identities_of(session, patient.id)),
                    DecisionRecord.aid_id == aid.id,
                    DecisionRecord.status == RecordStatus.DRAFT.value,
                    DecisionRecord.supersedes_id.is_(None),
                    DecisionRecord.deleted.is_(False),
                    DecisionRecord.episode_id.is_(None)
                    if episode is None
                    else DecisionRecord.episode_id == episode,
                    DecisionRecord.created_by == mine
                    if mine is not None
                    else DecisionRecord.created_by.is_(None),
                )
                .order_by(DecisionRecord.updated_at.desc(), DecisionRecord.id.desc())
                .limit(1)
            ).first()
            if draft is not None:
                self._audit(session, actor, "open", draft)
                return decision_view(draft)
            row = DecisionRecord(
                patient_id=patient.id,
                episode_id=episode,
                aid_id=aid.id,
                aid_version=aid.version,
                options_discussed=list(aid.option_ids),
                discussed_leads_to=_leads_to(aid, aid.option_ids),
            )
            session.add(row)
            session.flush()
            self._audit(session, actor, "create", row)
            return decision_view(row)

    def save(
        self,
        actor: CurrentUser,
        record_id: uuid.UUID,
        patient_id: uuid.UUID,
        data: DecisionInput,
    ) -> DecisionRecordView:
        """Save the draft as it stands (autosave); a choice may still be missing.

        Raises:
            FormErrors: as :func:`checked_input`.
            NotFound: ``decision.not_found``, ``decision.unknown_aid``.
            Conflict: ``decision.signed`` (a signed record never changes: record a change of
                mind instead), ``decision.wrong_patient``.
            PermissionDenied: ``decision.not_author`` for another clinician's draft.
        """
        with self._uow(actor, DECISION.lifecycle.step("edit").permission) as session:
            row = self._mine(session, actor, record_id, patient_id, "edit")
            aid = self._aid(row.aid_id)
            values = checked_input(aid, data)
            row.aid_version = aid.version
            for name, value in values.items():
                setattr(row, name, value)
            session.flush()
            self._audit(session, actor, "save_draft", row)
            return decision_view(row)

    def sign(
        self, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID, password: str
    ) -> DecisionRecordView:
        """Sign a draft with the password: from now on it never changes.

        Raises:
            AuthenticationFailed: ``auth.failed`` (wrong password), ``auth.locked_out``.
            FormErrors: ``decision.no_choice`` (a choice, or "undecided", is needed),
                ``decision.no_decision_maker``, ``decision.interpreter_language`` (an
                interpreter took part and the language is not recorded).
            NotFound: ``decision.not_found``.
            Conflict: ``decision.signed``, ``decision.wrong_patient``.
            PermissionDenied: ``decision.not_author``.
        """
        permission = DECISION.lifecycle.step("sign").permission
        require(actor.role, permission)
        self._auth.check_password(actor, password)
        with self._uow(actor, permission) as session:
            row = self._mine(session, actor, record_id, patient_id, "sign")
            problems = signing_problems(DECISION, row)
            if problems:
                raise FormErrors(problems)
            seal(
                DECISION,
                row,
                session=session,
                signer=recorded_by(actor),
                attestation=attestation(session, DECISION, "sign"),
            )
            session.flush()
            self._audit(session, actor, "sign", row)
            return decision_view(row, _superseded_by(session, row))

    def change_of_mind(
        self, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID
    ) -> DecisionRecordView:
        """A new draft that supersedes a signed record; the signed one is kept as it is.

        The draft starts from the same aid with the options, ratings and people of the earlier
        record; the choice, teach-back and the measures are asked again. If the actor already
        has a draft superseding it, that draft is given back.

        Raises:
            NotFound: ``decision.not_found``, ``decision.unknown_aid``.
            Conflict: ``decision.not_signed`` (change the draft instead),
                ``decision.wrong_patient``, ``decision.superseded`` (a later signed record
                replaces it already: start from that one).
        """
        with self._uow(actor, DECISION.lifecycle.step("supersede").permission) as session:
            earlier = self._load(session, record_id)
            if not same_patient(session, earlier.patient_id, patient_id):
                raise Conflict("decision.wrong_patient")
            self._check(actor, earlier, "supersede")
            if _superseded_by(session, earlier) is not None:
                raise Conflict("decision.superseded")
            mine = recorded_by(actor)
            draft = session.scalars(
                select(DecisionRecord).where(
                    DecisionRecord.supersedes_id == earlier.id,
                    DecisionRecord.status == RecordStatus.DRAFT.value,
                    DecisionRecord.deleted.is_(False),
                    DecisionRecord.created_by == mine
                    if mine is not None
                    else DecisionRecord.created_by.is_(None),
                )
            ).first()
            if draft is None:
                aid = self._aid(earlier.aid_id)
                kept = [o for o in earlier.options_discussed if o in aid.option_ids]
                known = {matter.id for matter in aid.matters}
                draft = DecisionRecord(
                    patient_id=earlier.patient_id,
                    episode_id=earlier.episode_id,
                    aid_id=aid.id,
                    aid_version=aid.version,
                    options_discussed=kept,
                    discussed_leads_to=_leads_to(aid, kept),
                    ratings={k: v for k, v in earlier.ratings.items() if k in known},
                    questions=earlier.questions,
                    participants=list(earlier.participants),
                    interpreter_language=earlier.interpreter_language,
                    decision_maker=earlier.decision_maker,
                    supersedes_id=earlier.id,
                )
                session.add(draft)
                session.flush()
                self._audit(session, actor, "change_of_mind", draft)
            else:
                self._audit(session, actor, "open", draft)
            return decision_view(draft)

    # ------------------------------------------------------------ reading

    def get(
        self, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID
    ) -> DecisionRecordView:
        """Open one SDM record of this patient, its seal checked (the opening is audited).

        Raises:
            NotFound: ``decision.not_found``, also for a record of another patient.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, record_id)
            # One recorded under a registration since merged into this record is theirs.
            if not same_patient(session, row.patient_id, patient_id):
                raise NotFound("decision.not_found")
            self._audit(session, actor, "open", row)
            return decision_view(row, _superseded_by(session, row))

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[DecisionRecordView]:
        """The patient's SDM records, newest first (drafts and signed); audited.

        Those under a registration since merged into the record are the patient's (a draft
        begun there is continued from the surviving record).
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            rows = session.scalars(
                select(DecisionRecord)
                .where(
                    DecisionRecord.patient_id.in_(identities_of(session, patient_id)),
                    DecisionRecord.deleted.is_(False),
                )
                .order_by(DecisionRecord.created_at.desc(), DecisionRecord.id.desc())
            ).all()
            self._uow.audit(session, actor, "sdm.list", patient_id=patient_id, entity="sdm")
            replaced = {
                row.supersedes_id: row.id
                for row in rows
                if row.supersedes_id is not None and row.status == RecordStatus.SIGNED
            }
            return [decision_view(row, replaced.get(row.id)) for row in rows]

    def decision_for(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        episode_id: uuid.UUID | None,
        leads_to: str,
    ) -> list[DecisionRecordView]:
        """Signed SDM records of the episode that discussed an option leading to ``leads_to``.

        Records superseded by a later signed one are left out; newest first (audited).

        Raises:
            ValidationError: ``decision.unknown_leads_to`` (field ``leads_to``).
        """
        if leads_to not in LEADS_TO:
            raise ValidationError("decision.unknown_leads_to", field="leads_to")
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            rows = _signed_for(session, patient_id, episode_id, leads_to)
            self._uow.audit(session, actor, "sdm.list_for", patient_id=patient_id, entity="sdm")
            return [decision_view(row) for row in rows]

    def printable(
        self, actor: CurrentUser, record_id: uuid.UUID, patient_id: uuid.UUID, on: date
    ) -> bytes:
        """The take-home summary of this patient's SDM record as a PDF (printing is audited).

        The patient's name and NHS number head every page, read from their record here, not
        taken from the screen (for a record under a registration since merged into another,
        the surviving record's); large print when their record asks for it.

        A draft prints only for the clinician writing it: a colleague could otherwise hand
        the patient a decision its clinician has not yet agreed with them.

        Raises:
            NotFound: ``decision.not_found`` (also for a record of another patient),
                ``patient.not_found``, ``decision.unknown_aid``.
            PermissionDenied: ``decision.draft_not_yours`` for another clinician's draft.
            Conflict: ``decision.not_intact`` for a signed record changed since it was signed.
        """
        with self._uow(actor, READ, mode=Mode.AUDITED_READ) as session:
            row = self._load(session, record_id)
            if not same_patient(session, row.patient_id, patient_id):
                raise NotFound("decision.not_found")
            if row.status != RecordStatus.SIGNED and row.created_by != actor.id:
                raise PermissionDenied("decision.draft_not_yours")
            patient = session.get(Patient, survivor_of(session, row.patient_id))
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            view = decision_view(row)
            if not view.intact:
                # Changed outside the app after signing: never handed to the patient.
                raise Conflict("decision.not_intact")
            aid = self._aid(row.aid_id)
            author = display_name(session, row.created_by)
            name = f"{patient.family_name.upper()}, {patient.given_name}"
            number = patient.nhs_number or ""
            born = patient.date_of_birth
            large = LARGE_PRINT in (patient.accessible_information_needs or [])
            # The day the decision was talked through: the day it was signed, however
            # long after it is printed again (a draft is printed on the day it is made).
            if row.signed_at is not None:
                on = _local_day(row.signed_at)
            replaced_on = None
            later_id = _superseded_by(session, row)
            later = session.get(DecisionRecord, later_id) if later_id is not None else None
            if later is not None and later.signed_at is not None:
                replaced_on = _local_day(later.signed_at)
            self._audit(session, actor, "print", row)
        # reportlab loads only when someone prints.
        from clinic_app.domains.decisions.pdf import TakeHome, take_home_pdf  # noqa: PLC0415

        home = TakeHome(
            patient_name=name,
            nhs_number=format_nhs_number(number) if number else "",
            date_of_birth=born,
            on=on,
            options_discussed=tuple(view.options_discussed),
            ratings=dict(view.ratings),
            choice=view.choice,
            choice_words=view.choice_words,
            questions=view.questions,
            clinician=author,
            aid_version=row.aid_version,
            draft=row.status != RecordStatus.SIGNED,
            replaced_on=replaced_on,
        )
        return take_home_pdf(aid, home, large_print=large)

    def figures(self, actor: CurrentUser, month: date) -> MonthFigures:
        """The month's figures for the service lead: aids used and CollaboRATE, per clinician.

        Counts only, no patient (see ``clinic_app.domains.decisions.figures``); clinicians in
        name order.
        """
        start, end = month_bounds(month)
        with self._uow(actor, Action.DECISION_AIDS_REVIEW, mode=Mode.READ) as session:
            service, clinicians = decision_figures(session, start, end)
            named = [
                replace(row, name=display_name(session, row.clinician_id)) for row in clinicians
            ]
            return MonthFigures(
                month=start.date(),
                service=service,
                clinicians=tuple(sorted(named, key=lambda row: (row.name, str(row.clinician_id)))),
            )

    def attestation_for(self, actor: CurrentUser) -> str:
        """The sentence to show the actor before they sign an SDM record."""
        with self._uow(actor, Action.STATUS_VIEW, mode=Mode.READ) as session:
            return attestation(session, DECISION, "sign")

    # ------------------------------------------------------------ inside

    @staticmethod
    def _load(session: ClinicSession, record_id: uuid.UUID) -> DecisionRecord:
        row = session.get(DecisionRecord, record_id)
        if row is None or row.deleted:
            raise NotFound("decision.not_found")
        return row

    @staticmethod
    def _check(actor: CurrentUser, row: DecisionRecord, step: str) -> None:
        DECISION.lifecycle.check(
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
        record_id: uuid.UUID,
        patient_id: uuid.UUID,
        step: str,
    ) -> DecisionRecord:
        """The record, once it is this patient's and the actor may take ``step`` on it."""
        row = self._load(session, record_id)
        if not same_patient(session, row.patient_id, patient_id):
            raise Conflict("decision.wrong_patient")
        self._check(actor, row, step)
        return row

    def _audit(
        self, session: ClinicSession, actor: CurrentUser, action: str, row: DecisionRecord
    ) -> None:
        self._uow.audit(
            session,
            actor,
            f"sdm.{action}",
            patient_id=row.patient_id,
            entity=DECISION.table_name,
            entity_id=row.id,
        )


#: The accessible-information need that asks for large print (NHS accessible information
#: standard code list, as the patient's record keeps it).
LARGE_PRINT = "large_print"
