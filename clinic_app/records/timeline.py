"""The patient's timeline: everything clinical about a patient, in time order, by episode.

Every kind of record appears on the timeline by registering a source here: a function that
lists one patient's records of that kind as :class:`TimelineEntry` rows. The timeline knows
no record kind; a new record type appears on it by registering its source in its own
package's ``timeline`` module (found by ``clinic_app.schema``), and nothing here changes.
The query and its service are in ``records.timeline_service``; this module holds no
SQLAlchemy, so screens may import its read models at start-up.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from clinic_app.people.views import EpisodeSummary

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class EntryStatus(StrEnum):
    """Where a record on the timeline stands, in one vocabulary for every kind."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SIGNED = "signed"
    VERIFIED = "verified"
    RECORDED = "recorded"
    RECEIVED = "received"
    TRIAGED = "triaged"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class TimelineEntry:
    """One record on a patient's timeline.

    Attributes:
        patient_id: whose record it is.
        episode_id: the episode of care it belongs to (None: no episode).
        when: when it happened (signed, recorded, decided, started), timezone-aware.
        kind: its kind's stable code, e.g. ``assessment``, ``triage_decision``.
        description: one line naming it, e.g. "Assessment: knee pain"; never the patient.
        status: where it stands (:class:`EntryStatus`).
        record_id: the row it comes from.
        screen_id: the screen that opens it (None: it is read on the timeline itself).
        item_id: what that screen is opened with (often ``record_id``; a study for a report).
        can_continue: True for a draft its screen continues.
        can_add_to: True for a signed record its screen adds an addendum to.
        priority: the priority in force, for kinds that carry one (a referral: the triaged
            priority once triaged, else the referred one).
        detail: a second line (an outcome, a score, a reason), or "".
    """

    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    when: datetime
    kind: str
    description: str
    status: str
    record_id: uuid.UUID
    screen_id: str | None = None
    item_id: uuid.UUID | None = None
    can_continue: bool = False
    can_add_to: bool = False
    priority: str | None = None
    detail: str = ""


class TimelineSource(Protocol):
    """Lists one patient's records of one kind (reads only; the caller's unit of work)."""

    def __call__(self, session: Session, patient_id: uuid.UUID) -> Iterable[TimelineEntry]:
        """Every entry of the kind for the patient, in any order."""
        ...


@dataclass(frozen=True)
class EpisodeTimeline:
    """The entries of one episode of care (``episode`` None: records outside any episode)."""

    episode: EpisodeSummary | None
    entries: tuple[TimelineEntry, ...]


@dataclass(frozen=True)
class PatientTimeline:
    """A patient's timeline: episodes newest first, entries in each newest first."""

    patient_id: uuid.UUID
    episodes: tuple[EpisodeTimeline, ...]

    @property
    def entries(self) -> tuple[TimelineEntry, ...]:
        """Every entry, episode by episode, as shown."""
        return tuple(entry for group in self.episodes for entry in group.entries)

    def of_kind(self, kind: str) -> tuple[TimelineEntry, ...]:
        """The entries of one kind."""
        return tuple(entry for entry in self.entries if entry.kind == kind)


_SOURCES: dict[str, TimelineSource] = {}


def register_source(
    name: str,
    source: TimelineSource,
    *,
    replace: bool = False,
) -> None:
    """Add a source of timeline entries under ``name`` (e.g. a record type's code).

    Raises:
        ValueError: for a name already registered by another source (unless ``replace``).
    """
    known = _SOURCES.get(name)
    if known is not None and known is not source and not replace:
        raise ValueError(f"timeline source {name!r} is already registered")
    _SOURCES[name] = source


def timeline_sources() -> Mapping[str, TimelineSource]:
    """Every registered source by name."""
    return MappingProxyType(dict(_SOURCES))


def at_start_of(day: date) -> datetime:
    """A date with no time, as a moment on the timeline (its midnight, UTC)."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def aware(moment: datetime) -> datetime:
    """A stored moment as timezone-aware UTC (SQLite may hand back naive values)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
