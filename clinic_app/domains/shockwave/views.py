"""Read models of shockwave courses, sessions and devices, and what a screen sends to save them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from clinic_app.domains.shockwave.rules import CheckWarning
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.vocabulary import RecordStatus


@dataclass(frozen=True)
class DeviceInput:
    """A device as the service lead enters it (all of it, every time)."""

    make: str
    model: str
    serial: str
    kind: str
    last_service_on: date | None = None


@dataclass(frozen=True)
class DeviceView:
    """One device of the register, with whether its service is overdue today."""

    id: uuid.UUID
    make: str
    model: str
    serial: str
    kind: str
    last_service_on: date | None
    service_due_on: date | None
    overdue: bool
    row_version: int
    #: True when the service has set no service interval, so a due date cannot be known.
    service_unchecked: bool = False


@dataclass(frozen=True)
class Outcome:
    """Outcome scores at one time: pain (0-10) and questionnaire responses by their ids."""

    pain_nrs: int | None = None
    responses: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class CourseInput:
    """What the course screen saves (all of it, every time).

    Attributes:
        indication: an indication id of resources/shockwave/indications.json.
        side: ``left`` or ``right``.
        planned_sessions: N, the sessions planned.
        eswt_device_id: the device of the register the course is given with.
        governance: requirement id → ticked (the NICE information given, the audit entered).
        contraindications: item id → ``yes`` or ``no``.
        outcome_before: the scores before the course.
        sdm_record_id: the shared decision that led to it (None: the latest of the episode).
        sdm_missing_reason: why the clinician went on with no shared decision recorded.
    """

    indication: str | None = None
    side: str | None = None
    planned_sessions: int | None = None
    eswt_device_id: uuid.UUID | None = None
    governance: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({}))
    contraindications: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    outcome_before: Outcome = Outcome()
    sdm_record_id: uuid.UUID | None = None
    sdm_missing_reason: str | None = None


@dataclass(frozen=True)
class SessionInput:
    """What the session screen saves (all of it, every time).

    ``pressure_bar`` for a radial device, ``energy_mj_mm2`` for a focused one.
    """

    performed_on: date | None = None
    applicator: str = ""
    pressure_bar: float | None = None
    energy_mj_mm2: float | None = None
    frequency_hz: float | None = None
    pulses: int | None = None
    target: str = ""
    ultrasound_guided: bool = False
    local_anaesthetic: bool = False
    pain_during: int | None = None
    side_effects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Acknowledgement:
    """A warning acknowledged before signing: what, who and when."""

    code: str
    by: uuid.UUID | None
    at: datetime


@dataclass(frozen=True)
class SessionView:
    """One session of a course."""

    id: uuid.UUID
    course_id: uuid.UUID
    number: int | None
    status: str
    fields: SessionInput
    eswt_device_id: uuid.UUID | None
    device_serial: str | None
    device_kind: str | None
    acknowledgements: tuple[Acknowledgement, ...]
    created_by: uuid.UUID | None
    row_version: int
    signed_at: datetime | None = None
    signed_by: uuid.UUID | None = None
    intact: bool = True

    @property
    def is_signed(self) -> bool:
        """True once signed: it never changes again."""
        return self.status == RecordStatus.SIGNED


@dataclass(frozen=True)
class CourseView:
    """One course with its sessions, as screens and letters read it."""

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    status: str
    fields: CourseInput
    outcome_after: Outcome
    sessions: tuple[SessionView, ...]
    created_by: uuid.UUID | None
    row_version: int
    signed_at: datetime | None = None
    signed_by: uuid.UUID | None = None
    intact: bool = True
    summary: str = ""
    #: NICE's note on local anaesthetic, for the screen beside the tick box.
    local_anaesthetic_note: str = ""

    @property
    def is_closed(self) -> bool:
        """True once closed with its follow-up scores: it never changes again."""
        return self.status == RecordStatus.SIGNED


@dataclass(frozen=True)
class SessionChecks:
    """What stands before signing a session."""

    hard_stops: tuple[ValidationError, ...]
    warnings: tuple[CheckWarning, ...]
    acknowledged: frozenset[str]
    incomplete: tuple[ValidationError, ...] = ()

    @property
    def unacknowledged(self) -> tuple[CheckWarning, ...]:
        """The warnings not acknowledged yet."""
        return tuple(w for w in self.warnings if w.code not in self.acknowledged)

    @property
    def can_sign(self) -> bool:
        """True when nothing stops signing and every warning is acknowledged."""
        return not self.hard_stops and not self.unacknowledged and not self.incomplete


@dataclass(frozen=True)
class ScoreChange:
    """One score before and after the course, e.g. pain 7 -> 3.

    Attributes:
        measure: ``pain_nrs``, or the questionnaire's id.
        title: the questionnaire's name ("" for pain, or one the app does not ship).
        higher_is_better: which way is better for its total (None: not known).
    """

    measure: str
    before: int | None
    after: int | None
    title: str = ""
    higher_is_better: bool | None = None

    @property
    def words(self) -> str:
        """E.g. "7 -> 3" ("-" for a score not recorded)."""
        before = "-" if self.before is None else str(self.before)
        after = "-" if self.after is None else str(self.after)
        return f"{before} -> {after}"


@dataclass(frozen=True)
class OutcomeChange:
    """The course's scores before -> after: pain, then each questionnaire answered at both."""

    changes: tuple[ScoreChange, ...]
