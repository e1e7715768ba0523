"""Patient experience: the Friends and Family Test recorded from the patient's own answer.

The clinician opens the question for the patient in the banner and hands the device over;
the patient answers and hands it back; the answer is recorded in one unit of work under the
clinician who handed it over. A response is never edited; at the patient's wish it is
withdrawn (kept, no longer counted). Every call names the patient it acts on: a response of
another patient is not found.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from clinic_app.domains.experience.content import FftQuestion, fft_question
from clinic_app.domains.experience.model import FftResponse
from clinic_app.domains.experience.record import FFT_RESPONSE
from clinic_app.domains.experience.rules import (
    AnsweredBy,
    Status,
    check_answered_by,
    checked_answer,
)
from clinic_app.domains.experience.views import FftResponseView, QuestionView, RecordedView
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import NotFound
from clinic_app.kernel.security.permissions import Action, require
from clinic_app.kernel.uow import Context, Mode, UnitOfWork, recorded_by
from clinic_app.people.duplicates import identities_of, same_patient
from clinic_app.people.episodes import episode_for
from clinic_app.people.model import Patient


def question_view(question: FftQuestion) -> QuestionView:
    """The question as a screen shows it."""
    return QuestionView(
        title=question.title,
        question=question.question,
        answers=tuple((answer.code, answer.label) for answer in question.answers),
        introduction=question.introduction,
        follow_up=question.follow_up,
        kept_with_record=question.kept_with_record,
        comment_max_length=question.comment_max_length,
    )


def response_view(row: FftResponse) -> FftResponseView:
    """A response in full (for the service lead)."""
    return FftResponseView(
        id=row.id,
        patient_id=row.patient_id,
        episode_id=row.episode_id,
        status=row.status,
        answer=row.answer,
        answer_words=fft_question().label(row.answer),
        comment=row.comment,
        answered_by=row.answered_by,
        recorded_at=row.recorded_at,
        question_version=row.question_version,
    )


class ExperienceService:
    """The Friends and Family Test: the question, recording an answer, withdrawing one."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    def question(self, actor: CurrentUser) -> QuestionView:
        """The question and its answers, to hand to the patient.

        Raises:
            PermissionDenied: ``permission.denied`` for a role that may not record one.
        """
        require(actor.role, Action.EXPERIENCE_RECORD)
        return question_view(fft_question())

    def record(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        answer: str | None,
        comment: str = "",
        *,
        episode_id: uuid.UUID | None = None,
        answered_by: str = AnsweredBy.PATIENT.value,
    ) -> RecordedView:
        """Record the patient's answer, under ``actor`` (who handed the device over).

        The response belongs to the episode named, else the patient's open one (or none).

        Raises:
            FormErrors: ``experience.no_answer``, ``experience.unknown_answer`` (field
                ``answer``); ``text.too_long`` (field ``comment``).
            ValidationError: ``code.unknown`` (field ``answered_by``).
            NotFound: ``patient.not_found``; ``episode.not_found`` for another patient's.
            PermissionDenied: ``permission.denied``.
        """
        question = fft_question()
        words = checked_answer(answer, comment, question.codes, question.comment_max_length)
        check_answered_by(answered_by)
        with self._uow(actor, Action.EXPERIENCE_RECORD) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            FFT_RESPONSE.lifecycle.check(
                "record", status=Status.RECORDED, role=actor.role, actor=actor.id, author=actor.id
            )
            row = FftResponse(
                patient_id=patient.id,
                episode_id=episode_for(session, patient.id, episode_id),
                status=Status.RECORDED.value,
                question_version=question.version,
                answer=str(answer),
                comment=words,
                answered_by=answered_by,
                recorded_at=utcnow(),
                recorded_by=recorded_by(actor),
            )
            session.add(row)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "fft.record",
                patient_id=patient.id,
                entity=FFT_RESPONSE.table_name,
                entity_id=row.id,
            )
            return RecordedView(row.id, row.patient_id, row.recorded_at or utcnow())

    def withdraw(
        self, actor: CurrentUser, patient_id: uuid.UUID, response_id: uuid.UUID
    ) -> RecordedView:
        """Withdraw a response at the patient's wish: kept, no longer counted in the figures.

        Raises:
            NotFound: ``experience.not_found`` (none, or another patient's).
            Conflict: ``experience.withdrawn`` when it is withdrawn already.
            PermissionDenied: ``permission.denied``.
        """
        with self._uow(actor, Action.EXPERIENCE_RECORD) as session:
            row = session.get(FftResponse, response_id)
            # The patient's own, or one given under a registration merged with theirs.
            if row is None or row.deleted or not same_patient(session, row.patient_id, patient_id):
                raise NotFound("experience.not_found")
            step = FFT_RESPONSE.lifecycle.check(
                "withdraw", status=row.status, role=actor.role, actor=actor.id, author=None
            )
            row.status = str(step.target)
            row.withdrawn_at = utcnow()
            row.withdrawn_by = recorded_by(actor)
            session.flush()
            self._uow.audit(
                session,
                actor,
                "fft.withdraw",
                patient_id=patient_id,
                entity=FFT_RESPONSE.table_name,
                entity_id=row.id,
            )
            return RecordedView(row.id, row.patient_id, row.withdrawn_at)

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> list[FftResponseView]:
        """The patient's responses in full, newest first, for the service lead; audited.

        Those given under a registration since merged into the record are the patient's too.

        Raises:
            PermissionDenied: ``permission.denied`` for anyone but the service lead.
        """
        with self._uow(actor, Action.EXPERIENCE_VIEW, mode=Mode.AUDITED_READ) as session:
            registrations = identities_of(session, patient_id)
            rows = session.scalars(
                select(FftResponse)
                .where(FftResponse.patient_id.in_(registrations), FftResponse.deleted.is_(False))
                .order_by(FftResponse.created_at.desc(), FftResponse.id.desc())
            ).all()
            self._uow.audit(
                session, actor, "fft.list", patient_id=patient_id, entity=FFT_RESPONSE.table_name
            )
            return [response_view(row) for row in rows]
