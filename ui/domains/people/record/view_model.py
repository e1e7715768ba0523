"""Loads one patient's record and timeline for display; each opening is audited by the service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import ClinicError
from clinic_app.people.views import EpisodeSummary, PatientRecord
from clinic_app.records.timeline import PatientTimeline, TimelineEntry
from ui.common import errors
from ui.common.epoch import Epoch
from ui.common.session import UserSession
from ui.common.tasks import TaskRunner


class PatientRecords(Protocol):
    """The part of the patient service this screen uses."""

    def open(self, actor: CurrentUser, patient_id: uuid.UUID) -> PatientRecord: ...


class PatientTimelines(Protocol):
    """The part of the timeline service this screen uses."""

    def for_patient(self, actor: CurrentUser, patient_id: uuid.UUID) -> PatientTimeline: ...


class EpisodeChanges(Protocol):
    """The part of the episode service this screen uses."""

    def close(self, actor: CurrentUser, episode_id: uuid.UUID, reason: str) -> EpisodeSummary: ...

    def reopen(self, actor: CurrentUser, episode_id: uuid.UUID, reason: str) -> EpisodeSummary: ...


class PatientViewModel(QObject):
    """The open patient and their timeline, and the commands the record screen offers."""

    record_loaded = Signal(object)
    timeline_loaded = Signal(object)
    entry_open_requested = Signal(object)
    episode_changed = Signal(object)
    episode_change_failed = Signal(str)
    cleared = Signal()
    failed = Signal(str)
    busy_changed = Signal(bool)
    new_referral_requested = Signal(object)

    def __init__(
        self,
        patients: PatientRecords,
        *,
        timelines: PatientTimelines | None = None,
        episodes: EpisodeChanges | None = None,
        runner: TaskRunner,
        session: UserSession,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._patients = patients
        self._timelines = timelines
        self._episodes = episodes
        self._timeline: PatientTimeline | None = None
        self._runner = runner
        self._session = session
        self._record: PatientRecord | None = None
        self._busy = False
        #: Raised by :meth:`clear`: a record or timeline asked for before (for another patient,
        #: or by the user before a switch) is dropped when it comes.
        self._epoch = Epoch()

    @property
    def record(self) -> PatientRecord | None:
        return self._record

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def timeline(self) -> PatientTimeline | None:
        """The open patient's timeline, once loaded (None before, and for no patient)."""
        return self._timeline

    def open_patient(
        self,
        patient_id: uuid.UUID,
        *,
        chosen: Callable[[Callable[[Any], object]], Callable[[Any], None]] | None = None,
    ) -> None:
        """Load the record of ``patient_id``; emits ``record_loaded`` or ``failed``.

        ``chosen`` guards the answer as the window's choice of patient: it is dropped if
        another patient is asked for (from a list, say) before it comes.
        """
        actor = self._session.require_user()
        if self._record is not None and self._record.id != patient_id:
            # Never leave another patient's banner up while this one loads.
            self.clear()
        self._set_busy(True)
        on_done = self._epoch.guard(self._on_record_opened)
        self._runner.run_store(
            lambda: self._patients.open(actor, patient_id),
            on_done=chosen(on_done) if chosen is not None else on_done,
            on_failed=self._epoch.guard(self._on_open_failed),
            supersede="patient-open",
        )

    def show_record(self, record: PatientRecord) -> None:
        """Show a record the caller already has (for example one just registered)."""
        self._set_busy(False)
        if self._timeline is not None and self._timeline.patient_id != record.id:
            self._timeline = None
            self.timeline_loaded.emit(None)
        self._record = record
        self.record_loaded.emit(record)
        self.load_timeline()

    def load_timeline(self) -> None:
        """Load the open patient's timeline; emits ``timeline_loaded``."""
        record = self._record
        if record is None or self._timelines is None:
            return
        actor = self._session.require_user()
        timelines, patient_id = self._timelines, record.id
        self._runner.run_store(
            lambda: timelines.for_patient(actor, patient_id),
            on_done=self._epoch.guard(self._on_timeline_loaded),
            on_failed=self._epoch.guard(self._on_open_failed),
            supersede="patient-timeline",
        )

    def open_entry(self, entry: TimelineEntry) -> None:
        """Open a timeline entry where it is read, continued or added to."""
        record = self._record
        if record is None or entry.screen_id is None:
            return
        # The record's own entries, and those of registrations since merged into it: every
        # screen's service reads a merged registration's records as the patient's.
        if entry.patient_id != record.id and entry.patient_id not in record.merged_ids:
            return
        self.entry_open_requested.emit(entry)

    def close_episode(self, episode_id: uuid.UUID, reason: str) -> None:
        """Close (discharge) an episode of the open patient with the reason given."""
        if self._episodes is not None:
            episodes = self._episodes
            self._change_episode(lambda actor: episodes.close(actor, episode_id, reason))

    def reopen_episode(self, episode_id: uuid.UUID, reason: str) -> None:
        """Reopen a closed episode of the open patient with the reason given."""
        if self._episodes is not None:
            episodes = self._episodes
            self._change_episode(lambda actor: episodes.reopen(actor, episode_id, reason))

    def _change_episode(self, work: Callable[[CurrentUser], EpisodeSummary]) -> None:
        if self._record is None:
            return
        actor = self._session.require_user()
        self._runner.run_store(
            lambda: work(actor),
            on_done=self._on_episode_changed,
            on_failed=lambda error: self.episode_change_failed.emit(errors.explain(error)),
        )

    def _on_episode_changed(self, episode: EpisodeSummary) -> None:
        self.episode_changed.emit(episode)
        self.reload()

    def _on_timeline_loaded(self, timeline: PatientTimeline) -> None:
        # A timeline answered after the patient changed belongs to the one before.
        if self._record is None or timeline.patient_id != self._record.id:
            return
        self._timeline = timeline
        self.timeline_loaded.emit(timeline)

    def reload(self) -> None:
        """Load the open record again (after a referral was added)."""
        if self._record is not None:
            self.open_patient(self._record.id)

    def request_new_referral(self) -> None:
        if self._record is not None:
            self.new_referral_requested.emit(self._record)

    def clear(self) -> None:
        """Forget the open patient (on sign-out)."""
        self._epoch.advance()
        self._set_busy(False)
        self._record = None
        self._timeline = None
        self.cleared.emit()

    def _on_record_opened(self, record: PatientRecord) -> None:
        self._set_busy(False)
        self.show_record(record)

    def _on_open_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, ClinicError) and error.code == "patient.not_found":
            # The record is not here (merged, or no longer held on this laptop): nobody stays
            # named in the banner for it, and no work can be started for them.
            self.clear()
        self.failed.emit(errors.explain(error))

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
