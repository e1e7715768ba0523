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

from clinic_app.kernel.errors import NotFound
from clinic_app.kernel.reference import code_list
from clinic_app.kernel.vocabulary import EpisodeStatus
from clinic_app.people.care import EpisodeOfCare, Referral
from clinic_app.people.views import EpisodeSummary


def open_episode_id(session: Session, patient_id: uuid.UUID) -> uuid.UUID | None:
    """The patient's open episode that started last, or None."""
    return session.scalar(
        select(EpisodeOfCare.id)
        .where(
            EpisodeOfCare.patient_id == patient_id,
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

    Raises:
        NotFound: ``episode.not_found`` when the named episode does not exist or belongs to
            another patient.
    """
    if episode_id is None:
        return open_episode_id(session, patient_id)
    episode = session.get(EpisodeOfCare, episode_id)
    if episode is None or episode.deleted or episode.patient_id != patient_id:
        raise NotFound("episode.not_found")
    return episode.id


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
        )
        for row in rows
    ]
    return sorted(summaries, key=lambda e: e.status is not EpisodeStatus.OPEN)
