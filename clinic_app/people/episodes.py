"""Episodes of care: opened when triage books a patient into a pathway.

Assessments, red-flag screenings and questionnaire responses belong to an episode, so a
baseline and its follow-ups are compared within one spell of care. A record made without
naming an episode goes to the patient's open episode (the most recently started one), or
to none when the patient has no open episode.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.kernel import validation as check
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import Conflict, NotFound
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import Context, UnitOfWork, recorded_by
from clinic_app.kernel.vocabulary import EpisodeStatus
from clinic_app.people.care import EpisodeChange, EpisodeOfCare, Referral
from clinic_app.people.duplicates import identities_of, same_patient
from clinic_app.people.views import EpisodeSummary

#: The longest reason kept for closing or reopening an episode.
REASON_MAX = 2000
CLOSED = "closed"
REOPENED = "reopened"


def open_episode_id(session: Session, patient_id: uuid.UUID) -> uuid.UUID | None:
    """The patient's open episode that started last, or None.

    A registration since merged into the patient's record is theirs: its episodes count, as
    the record's page shows them.
    """
    return session.scalar(
        select(EpisodeOfCare.id)
        .where(
            EpisodeOfCare.patient_id.in_(identities_of(session, patient_id)),
            EpisodeOfCare.status == EpisodeStatus.OPEN,
            EpisodeOfCare.deleted.is_(False),
        )
        .order_by(EpisodeOfCare.started_on.desc(), EpisodeOfCare.id.desc())
        .limit(1)
    )


def episode_for(
    session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The episode a new record belongs to: the one named, else the patient's open one.

    An episode of a registration since merged into the patient's record is theirs.

    Raises:
        NotFound: ``episode.not_found`` when the named episode does not exist or belongs to
            another patient.
    """
    if episode_id is None:
        return open_episode_id(session, patient_id)
    episode = session.get(EpisodeOfCare, episode_id)
    if (
        episode is None
        or episode.deleted
        or not same_patient(session, episode.patient_id, patient_id)
    ):
        raise NotFound("episode.not_found")
    return episode.id


def last_ended_episode_id(session: Session, patient_id: uuid.UUID) -> uuid.UUID | None:
    """The patient's episode that ended last (None when none has ended), merged ones too."""
    return session.scalars(
        select(EpisodeOfCare.id)
        .where(
            EpisodeOfCare.patient_id.in_(identities_of(session, patient_id)),
            EpisodeOfCare.status == EpisodeStatus.CLOSED,
            EpisodeOfCare.ended_on.is_not(None),
            EpisodeOfCare.deleted.is_(False),
        )
        .order_by(EpisodeOfCare.ended_on.desc(), EpisodeOfCare.id)
        .limit(1)
    ).first()


def open_episode(
    session: Session, referral: Referral, pathway: str, started_on: date, lead: uuid.UUID | None
) -> EpisodeOfCare:
    """Start an episode for a referral booked into ``pathway`` (flushed by the caller)."""
    episode = EpisodeOfCare(
        patient_id=referral.patient_id,
        referral_id=referral.id,
        pathway=pathway,
        started_on=started_on,
        lead_clinician_id=lead,
    )
    session.add(episode)
    return episode


def episode_summaries(session: Session, patient_id: uuid.UUID) -> list[EpisodeSummary]:
    """A patient's episodes, open ones first, then the latest started first."""
    rows = session.scalars(
        select(EpisodeOfCare)
        .where(EpisodeOfCare.patient_id == patient_id, EpisodeOfCare.deleted.is_(False))
        .order_by(EpisodeOfCare.started_on.desc(), EpisodeOfCare.id.desc())
    ).all()
    specialties = code_list("specialty")
    summaries = [
        EpisodeSummary(
            id=row.id,
            referral_id=row.referral_id,
            pathway=row.pathway,
            pathway_label=(specialties.label_for(row.pathway) or row.pathway)
            if row.pathway
            else "",
            started_on=row.started_on,
            ended_on=row.ended_on,
            status=row.status,
            end_reason=row.end_reason,
        )
        for row in rows
    ]
    return sorted(summaries, key=lambda e: e.status is not EpisodeStatus.OPEN)


class EpisodeService:
    """Closing (discharging) an episode of care and reopening it, each with a reason."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._uow = UnitOfWork(context)

    def close(self, actor: CurrentUser, episode_id: uuid.UUID, reason: str) -> EpisodeSummary:
        """Close an open episode today: the patient is discharged from it.

        Raises:
            ValidationError: ``text.empty`` or ``text.too_long`` (field ``reason``).
            NotFound: ``episode.not_found``.
            Conflict: ``episode.already_closed``.
        """
        return self._change(actor, episode_id, reason, CLOSED)

    def reopen(self, actor: CurrentUser, episode_id: uuid.UUID, reason: str) -> EpisodeSummary:
        """Reopen a closed episode (the patient returns for the same problem).

        Raises:
            ValidationError: ``text.empty`` or ``text.too_long`` (field ``reason``).
            NotFound: ``episode.not_found``.
            Conflict: ``episode.already_open``.
        """
        return self._change(actor, episode_id, reason, REOPENED)

    def _change(
        self, actor: CurrentUser, episode_id: uuid.UUID, reason: str, change: str
    ) -> EpisodeSummary:
        words = check.required_text(reason, "reason", REASON_MAX)
        today = self._context.today()
        with self._uow(actor, Action.REFERRAL_UPDATE_STATUS) as session:
            row = session.get(EpisodeOfCare, episode_id)
            if row is None or row.deleted:
                raise NotFound("episode.not_found")
            if change == CLOSED:
                if row.status is EpisodeStatus.CLOSED:
                    raise Conflict("episode.already_closed")
                row.status, row.ended_on, row.end_reason = EpisodeStatus.CLOSED, today, words
            else:
                if row.status is EpisodeStatus.OPEN:
                    raise Conflict("episode.already_open")
                row.status, row.ended_on, row.end_reason = EpisodeStatus.OPEN, None, None
            record = EpisodeChange(
                episode_id=row.id,
                patient_id=row.patient_id,
                change=change,
                reason=words,
                effective_on=today,
                changed_at=utcnow(),
                changed_by=recorded_by(actor),
            )
            session.add(record)
            session.flush()
            self._uow.audit(
                session,
                actor,
                f"episode.{'close' if change == CLOSED else 'reopen'}",
                patient_id=row.patient_id,
                entity="episode_change",
                entity_id=record.id,
            )
            return next(e for e in episode_summaries(session, row.patient_id) if e.id == row.id)
