"""The query behind the patient's timeline, its service, and the episodes' own entries."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import Context, Mode, UnitOfWork
from clinic_app.people.care import EpisodeChange, EpisodeOfCare
from clinic_app.people.duplicates import identities_of
from clinic_app.people.episodes import CLOSED, episode_summaries
from clinic_app.records.timeline import (
    EntryStatus,
    EpisodeTimeline,
    PatientTimeline,
    TimelineEntry,
    at_start_of,
    aware,
    register_source,
    timeline_sources,
)


def patient_timeline(session: Session, patient_id: uuid.UUID) -> PatientTimeline:
    """The patient's timeline from every registered source, grouped by episode.

    Episodes come open ones first, then the latest started first; entries outside any episode
    come last. Entries of an entry's episode that belongs to another patient are never shown:
    every entry is checked against ``patient_id``. A patient merged into another shows as the
    survivor, whose timeline holds every merged record's entries too.
    """
    identities = identities_of(session, patient_id)
    patient_id = identities[0]
    entries = [
        entry
        for one in identities
        for source in timeline_sources().values()
        for entry in source(session, one)
        if entry.patient_id == one
    ]
    entries.sort(key=lambda e: (aware(e.when), e.record_id.bytes), reverse=True)
    episodes = [e for one in identities for e in episode_summaries(session, one)]
    known = {episode.id for episode in episodes}
    groups = [
        EpisodeTimeline(episode, tuple(e for e in entries if e.episode_id == episode.id))
        for episode in episodes
    ]
    loose = tuple(e for e in entries if e.episode_id is None or e.episode_id not in known)
    if loose:
        groups.append(EpisodeTimeline(None, loose))
    return PatientTimeline(patient_id, tuple(groups))


class TimelineService:
    """Reads a patient's timeline for the record page."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> PatientTimeline:
        """The patient's timeline: what was recorded, when, by whom (reading it is audited)."""
        with self._uow(actor, Action.PATIENT_OPEN, mode=Mode.AUDITED_READ) as session:
            self._uow.audit(session, actor, "timeline.view", patient_id=patient_id)
            return patient_timeline(session, patient_id)


def _episode_changes(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Episodes opened, closed (discharged) and reopened, with the reason given."""
    entries: list[TimelineEntry] = []
    for episode in session.scalars(
        select(EpisodeOfCare).where(
            EpisodeOfCare.patient_id == patient_id, EpisodeOfCare.deleted.is_(False)
        )
    ):
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=episode.id,
                when=at_start_of(episode.started_on),
                kind="episode",
                description="Episode of care opened",
                status=EntryStatus.OPEN,
                record_id=episode.id,
            )
        )
    for change in session.scalars(
        select(EpisodeChange).where(
            EpisodeChange.patient_id == patient_id, EpisodeChange.deleted.is_(False)
        )
    ):
        closed = change.change == CLOSED
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=change.episode_id,
                when=aware(change.changed_at),
                kind="episode",
                description="Discharged: episode closed" if closed else "Episode reopened",
                status=EntryStatus.CLOSED if closed else EntryStatus.OPEN,
                record_id=change.id,
                detail=change.reason,
            )
        )
    return entries


register_source("episode", _episode_changes)
