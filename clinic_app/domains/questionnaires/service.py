"""Outcome questionnaires: recording and scoring responses, and their history over an episode."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.questionnaires.content import (
    ALL_QUESTIONNAIRES,
    DisplayItem,
    WordingPack,
    introduction,
    load_wording_pack,
    merge_wording,
    questionnaire,
)
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.questionnaires.rules import (
    QuestionnaireDefinition,
    QuestionnaireResult,
    change_is_important,
    score,
)
from clinic_app.domains.questionnaires.views import HistoryEntry, ResponseView
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError, Conflict, NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import ResponseMode, Timepoint
from clinic_app.people.duplicates import identities_of, same_patient
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient


def _result(row: QuestionnaireResponse) -> QuestionnaireResult:
    return QuestionnaireResult(
        questionnaire_id=row.questionnaire_id,
        version=row.questionnaire_version,
        complete=row.complete,
        total=row.total,
        subscales=MappingProxyType(dict(row.subscales)),
        group=row.score_group,
    )


def response_view(row: QuestionnaireResponse, missing: tuple[str, ...] = ()) -> ResponseView:
    """The read model of a stored response."""
    return ResponseView(
        id=row.id,
        patient_id=row.patient_id,
        episode_id=row.episode_id,
        questionnaire_id=row.questionnaire_id,
        questionnaire_version=row.questionnaire_version,
        timepoint=row.timepoint,
        mode=row.mode,
        answers=MappingProxyType(dict(row.answers)),
        complete=row.complete,
        total=row.total,
        subscales=MappingProxyType(dict(row.subscales)),
        group=row.score_group,
        missing_items=missing,
        recorded_at=row.recorded_at or row.created_at,
        recorded_by=row.recorded_by,
    )


def scored_columns(result: QuestionnaireResult) -> dict[str, Any]:
    """What a response keeps of its scoring: completeness, total, subscales and group.

    The server compares a pushed response with these, worked out again from its answers.
    """
    return {
        "complete": result.complete,
        "total": result.total,
        "subscales": dict(result.subscales),
        "score_group": result.group,
    }


def _choice(kind: type[Timepoint] | type[ResponseMode], value: str, field: str) -> str:
    try:
        return kind(value).value
    except ValueError as error:
        raise ValidationError("code.unknown", field=field) from error


class QuestionnaireService:
    """Questionnaires entered by the clinician or by the patient, scored as they are stored."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)

    def display_items(self, questionnaire_id: str) -> tuple[DisplayItem, ...]:
        """The items with the words to show.

        Licensed wording when its pack is imported, otherwise shipped wording, otherwise our
        domain names (marked as such).

        Raises:
            NotFound: ``content.unknown_questionnaire``.
            ValidationError: an imported pack no longer matches (``wording_pack.*``).
        """
        definition = questionnaire(questionnaire_id)
        return merge_wording(definition, self._pack_for(definition))

    def introduction(self, questionnaire_id: str) -> str:
        """What to show before the first question: the pack's introduction, else our own.

        Raises:
            NotFound: ``content.unknown_questionnaire``.
            ValidationError: an imported pack no longer matches (``wording_pack.*``).
        """
        definition = questionnaire(questionnaire_id)
        return introduction(definition, self._pack_for(definition))

    @staticmethod
    def catalogue() -> tuple[tuple[str, str], ...]:
        """Every questionnaire the app ships, as (id, title), in the order they are offered."""
        return tuple((name, questionnaire(name).title) for name in ALL_QUESTIONNAIRES)

    def import_wording_pack(self, actor: CurrentUser, source: Path) -> str:
        """Check a licensed wording pack and keep it for display; returns the questionnaire id.

        Raises:
            ValidationError: the pack does not match the shipped definition (``wording_pack.*``).
            ClinicError: ``wording_pack.no_folder`` when this store has no folder for packs.
        """
        require(actor.role, Action.WORDING_PACK_IMPORT)
        pack = load_wording_pack(source)
        folder = self._context.wording_packs
        if folder is None:
            raise ClinicError("wording_pack.no_folder")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{pack.questionnaire_id}.json"
        partial = target.with_suffix(".partial")
        partial.write_bytes(source.read_bytes())
        partial.replace(target)
        with self._uow(actor, Action.WORDING_PACK_IMPORT) as session:
            self._uow.audit(session, actor, "wording_pack.import")
        return pack.questionnaire_id

    def _pack_for(self, definition: QuestionnaireDefinition) -> WordingPack | None:
        folder = self._context.wording_packs
        if folder is None:
            return None
        path = folder / f"{definition.id}.json"
        return load_wording_pack(path, definition) if path.is_file() else None

    @staticmethod
    def definition(questionnaire_id: str) -> QuestionnaireDefinition:
        """A questionnaire's definition (structure and scoring; content, not patient data).

        Raises:
            NotFound: ``content.unknown_questionnaire``.
        """
        return questionnaire(questionnaire_id)

    def record(  # noqa: PLR0917 - the use case's own arguments, in the order a form gives them
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        questionnaire_id: str,
        answers: Mapping[str, int | None],
        timepoint: Timepoint | str,
        mode: ResponseMode | str,
        *,
        episode_id: uuid.UUID | None = None,
    ) -> ResponseView:
        """Score and store a response. An incomplete one is stored as incomplete, with no total.

        Raises:
            NotFound: ``patient.not_found`` or ``content.unknown_questionnaire``.
            ValidationError: ``questionnaire.unknown_item``,
                ``questionnaire.answer_out_of_range``, or ``code.unknown`` (field
                ``timepoint`` or ``mode``).
            Conflict: ``questionnaire.baseline_exists`` when a baseline is recorded for an
                episode that already has a complete baseline of this questionnaire.
        """
        definition = questionnaire(questionnaire_id)
        when = Timepoint(_choice(Timepoint, str(timepoint), "timepoint"))
        how = ResponseMode(_choice(ResponseMode, str(mode), "mode"))
        result = score(definition, answers)
        with self._uow(actor, Action.QUESTIONNAIRE_RECORD) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            episode = episode_for(session, patient.id, episode_id)
            if when is Timepoint.BASELINE and self._has_baseline(
                session, patient.id, definition.id, episode
            ):
                raise Conflict("questionnaire.baseline_exists", questionnaire=definition.id)
            row = QuestionnaireResponse(
                patient_id=patient.id,
                episode_id=episode,
                questionnaire_id=definition.id,
                questionnaire_version=definition.version,
                timepoint=when,
                mode=how,
                answers={item.code: answers.get(item.code) for item in definition.items},
                **scored_columns(result),
                recorded_at=utcnow(),
                recorded_by=recorded_by(actor),
            )
            session.add(row)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "questionnaire.record",
                patient_id=patient.id,
                entity="questionnaire_response",
                entity_id=row.id,
            )
            return response_view(row, result.missing_items)

    def next_timepoint(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        questionnaire_id: str,
        *,
        episode_id: uuid.UUID | None = None,
    ) -> Timepoint:
        """Baseline until the episode has a complete baseline of this questionnaire.

        After that every response in the episode is a follow-up. The episode is the one
        named, else the patient's open episode; a new episode starts with a new baseline.

        Raises:
            NotFound: ``episode.not_found`` when the named episode is not the patient's.
        """
        definition = questionnaire(questionnaire_id)
        with self._uow(actor, Action.QUESTIONNAIRE_VIEW, mode=Mode.READ) as session:
            episode = episode_for(session, patient_id, episode_id)
            has_baseline = self._has_baseline(session, patient_id, definition.id, episode)
        return Timepoint.FOLLOW_UP if has_baseline else Timepoint.BASELINE

    @staticmethod
    def _has_baseline(
        session: Session,
        patient_id: uuid.UUID,
        questionnaire_id: str,
        episode: uuid.UUID | None,
    ) -> bool:
        """Whether ``episode`` (None: outside any episode) has a complete baseline already.

        One recorded under a registration since merged into the patient's record counts.
        """
        in_episode = (
            QuestionnaireResponse.episode_id.is_(None)
            if episode is None
            else QuestionnaireResponse.episode_id == episode
        )
        found = session.scalar(
            select(QuestionnaireResponse.id)
            .where(
                QuestionnaireResponse.patient_id.in_(identities_of(session, patient_id)),
                QuestionnaireResponse.questionnaire_id == questionnaire_id,
                in_episode,
                QuestionnaireResponse.timepoint == Timepoint.BASELINE,
                QuestionnaireResponse.complete.is_(True),
                QuestionnaireResponse.deleted.is_(False),
            )
            .limit(1)
        )
        return found is not None

    def questionnaire_of(
        self, actor: CurrentUser, patient_id: uuid.UUID, response_id: uuid.UUID
    ) -> str:
        """The questionnaire a recorded response of this patient answers (its id).

        Raises:
            NotFound: ``questionnaire.response_not_found`` for no such response of this
                patient (another patient's response is never named here).
        """
        with self._uow(actor, Action.QUESTIONNAIRE_VIEW, mode=Mode.READ) as session:
            row = session.get(QuestionnaireResponse, response_id)
            if row is None or row.deleted or not same_patient(session, row.patient_id, patient_id):
                raise NotFound("questionnaire.response_not_found")
            return row.questionnaire_id

    def response(
        self, actor: CurrentUser, patient_id: uuid.UUID, response_id: uuid.UUID
    ) -> ResponseView:
        """One recorded response of this patient, its answers as recorded (an audited read).

        Raises:
            NotFound: ``questionnaire.response_not_found`` for no such response of this
                patient (another patient's response is never shown here).
        """
        with self._uow(actor, Action.QUESTIONNAIRE_VIEW) as session:
            row = session.get(QuestionnaireResponse, response_id)
            if row is None or row.deleted or not same_patient(session, row.patient_id, patient_id):
                raise NotFound("questionnaire.response_not_found")
            self._uow.audit(
                session,
                actor,
                "questionnaire.response_read",
                patient_id=patient_id,
                entity="questionnaire_response",
                entity_id=response_id,
            )
            return response_view(row)

    def history(
        self, actor: CurrentUser, patient_id: uuid.UUID, questionnaire_id: str
    ) -> list[HistoryEntry]:
        """A patient's responses to one questionnaire, oldest first.

        Each complete follow-up is compared with the latest complete baseline of the same
        episode recorded before it, and flagged when the change reaches the minimal
        important change. Responses recorded under a registration since merged into the
        patient's record are theirs.
        """
        definition = questionnaire(questionnaire_id)
        with self._uow(actor, Action.QUESTIONNAIRE_VIEW) as session:
            rows = session.scalars(
                select(QuestionnaireResponse)
                .where(
                    QuestionnaireResponse.patient_id.in_(identities_of(session, patient_id)),
                    QuestionnaireResponse.questionnaire_id == definition.id,
                    QuestionnaireResponse.deleted.is_(False),
                )
                .order_by(QuestionnaireResponse.recorded_at, QuestionnaireResponse.id)
            ).all()
            self._uow.audit(
                session, actor, "questionnaire.history", patient_id=patient_id, entity="patient"
            )
        baselines: dict[uuid.UUID | None, QuestionnaireResponse] = {}
        entries: list[HistoryEntry] = []
        for row in rows:
            if row.timepoint is Timepoint.BASELINE:
                if row.complete:
                    baselines[row.episode_id] = row
                entries.append(HistoryEntry(response_view(row)))
                continue
            baseline = baselines.get(row.episode_id)
            change = None
            if (
                baseline is not None
                and row.complete
                and definition.minimal_important_change is not None
            ):
                change = change_is_important(_result(baseline), _result(row), definition)
            entries.append(
                HistoryEntry(
                    response_view(row),
                    baseline_id=baseline.id if baseline is not None else None,
                    change=change,
                )
            )
        return entries
