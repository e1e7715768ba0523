"""Read models of red-flag screenings: small, frozen, Qt- and ORM-free."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from clinic_app.domains.red_flags.rules import Level, RecordedAction, RedFlagScreen


@dataclass(frozen=True)
class ResolutionView:
    """The action recorded for a positive screen."""

    id: uuid.UUID
    action: RecordedAction
    reason: str | None
    recorded_at: datetime
    recorded_by: uuid.UUID | None


@dataclass(frozen=True)
class ScreeningView:
    """A recorded red-flag screening: its answers, result and (once recorded) resolution."""

    id: uuid.UUID
    patient_id: uuid.UUID
    screen_id: str
    screen_title: str
    screen_version: str
    answers: Mapping[str, str]
    level: Level
    fired_rules: tuple[str, ...]
    needs_action: bool
    accepted_actions: frozenset[RecordedAction]
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    resolution: ResolutionView | None = None
    episode_id: uuid.UUID | None = None
    """The episode of care it belongs to (None when the patient had none open)."""

    @property
    def unresolved(self) -> bool:
        """True while a positive screen waits for a recorded action."""
        return self.needs_action and self.resolution is None


class ActionKind(StrEnum):
    """The kind of action recorded for a red-flag outcome; each asks for its own details."""

    ED_HANDOVER = "ed_handover"
    URGENT_REFERRAL = "urgent_referral"
    SAFETY_NET = "safety_net"


class ActionStatus(StrEnum):
    """An action is outstanding until someone records it as done."""

    OUTSTANDING = "outstanding"
    DONE = "done"


class DetailKind(StrEnum):
    """How one detail of an action is entered and checked."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    DATE = "date"
    DATE_TIME = "date_time"


@dataclass(frozen=True)
class ActionDetail:
    """One detail an action asks for.

    Attributes:
        key: its code, the key it is stored under.
        label: its words on the form and the printed summary.
        kind: how it is entered and checked.
        required: an action of this kind is refused without it.
        choices: (code, words) for a choice.
        max_length: the longest text accepted.
    """

    key: str
    label: str
    kind: DetailKind
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 200

    def choice_label(self, code: str) -> str:
        """The words of a choice's code (the code itself if unknown)."""
        return dict(self.choices).get(code, code)


@dataclass(frozen=True)
class ActionSpec:
    """What one kind of action asks for, and when it is finished.

    Attributes:
        kind: the kind.
        title: its name in words.
        details: what it asks for, in the order asked.
        done_when_recorded: finished as soon as it is recorded (a safety net given in the
            room); otherwise it stays outstanding, on the banner, until marked done.
        done_label: what marking it done says happened.
    """

    kind: ActionKind
    title: str
    details: tuple[ActionDetail, ...]
    done_when_recorded: bool = False
    done_label: str = "Done"

    def detail(self, key: str) -> ActionDetail:
        """The detail called ``key`` (KeyError when it has none)."""
        return next(d for d in self.details if d.key == key)


_NOTES = ActionDetail("notes", "Notes", DetailKind.LONG_TEXT, required=False, max_length=4000)

#: Which details each kind of action needs: the one place this is decided.
ACTION_SPECS: Mapping[ActionKind, ActionSpec] = MappingProxyType(
    {
        ActionKind.ED_HANDOVER: ActionSpec(
            ActionKind.ED_HANDOVER,
            "Emergency department handover",
            (
                ActionDetail("hospital", "Hospital", DetailKind.TEXT),
                ActionDetail("department", "Department", DetailKind.TEXT),
                ActionDetail(
                    "handed_over_at",
                    "Time of handover (or time the patient left)",
                    DetailKind.DATE_TIME,
                ),
                ActionDetail("handed_over_to", "Handed over to (name)", DetailKind.TEXT),
                ActionDetail("handed_over_to_role", "Their role", DetailKind.TEXT),
                ActionDetail(
                    "travel",
                    "How the patient travels",
                    DetailKind.CHOICE,
                    choices=(
                        ("ambulance", "Ambulance"),
                        ("driven", "Driven by someone else"),
                        ("taxi", "Taxi"),
                        ("own_transport", "Own transport"),
                        ("already_in_hospital", "Already in hospital"),
                    ),
                ),
                _NOTES,
            ),
            done_label="Handover confirmed: the department has the patient",
        ),
        ActionKind.URGENT_REFERRAL: ActionSpec(
            ActionKind.URGENT_REFERRAL,
            "Urgent referral",
            (
                ActionDetail(
                    "to_service",
                    "Referred to",
                    DetailKind.CHOICE,
                    choices=(
                        ("mscc_coordinator", "MSCC coordinator / acute oncology"),
                        ("suspected_cancer", "Urgent suspected cancer pathway"),
                        ("rheumatology", "Rheumatology"),
                        ("orthopaedics", "Orthopaedics"),
                        ("ophthalmology", "Ophthalmology"),
                        ("gp_same_day", "GP, same day"),
                        ("urgent_imaging", "Urgent imaging"),
                        ("other", "Other (name it in the team)"),
                    ),
                ),
                ActionDetail("team", "Team or person", DetailKind.TEXT, required=False),
                ActionDetail("by_date", "To be seen or acted on by", DetailKind.DATE),
                ActionDetail(
                    "route",
                    "Sent by",
                    DetailKind.CHOICE,
                    choices=(
                        ("e_rs", "e-RS"),
                        ("phone", "Phone"),
                        ("nhsmail", "Email (NHSmail)"),
                        ("letter", "Letter"),
                    ),
                ),
                ActionDetail("reference", "Reference", DetailKind.TEXT, required=False),
                _NOTES,
            ),
            done_label="Referral sent and received",
        ),
        ActionKind.SAFETY_NET: ActionSpec(
            ActionKind.SAFETY_NET,
            "Safety net given",
            (
                ActionDetail(
                    "given_as",
                    "Safety net",
                    DetailKind.CHOICE,
                    choices=(
                        ("card_printed_and_explained", "Card printed, given and explained"),
                        ("explained_only", "Explained; no card printed"),
                    ),
                ),
                _NOTES,
            ),
            done_when_recorded=True,
            done_label="Safety net given",
        ),
    }
)

#: Which kinds of action answer each level of outcome, the first the usual one.
KINDS_FOR_LEVEL: Mapping[Level, tuple[ActionKind, ...]] = MappingProxyType(
    {
        Level.EMERGENCY: (ActionKind.ED_HANDOVER, ActionKind.URGENT_REFERRAL),
        Level.URGENT: (ActionKind.URGENT_REFERRAL, ActionKind.ED_HANDOVER),
        Level.ROUTINE_WATCH: (ActionKind.SAFETY_NET, ActionKind.URGENT_REFERRAL),
    }
)

#: The resolution an action stands for, where a screen's rules ask for one.
RESOLVES_AS: Mapping[ActionKind, tuple[RecordedAction, ...]] = MappingProxyType(
    {
        ActionKind.ED_HANDOVER: (RecordedAction.SAME_DAY_EMERGENCY_DEPARTMENT,),
        ActionKind.URGENT_REFERRAL: (
            RecordedAction.EMERGENCY_REFERRAL,
            RecordedAction.TWO_WEEK_WAIT_REFERRAL,
        ),
        ActionKind.SAFETY_NET: (),
    }
)


def _detail_words(detail: ActionDetail, value: str) -> str:
    """A stored detail as people read it: choices in words, dates as in a letter."""
    if detail.choices:
        return detail.choice_label(value)
    try:
        if detail.kind is DetailKind.DATE_TIME:
            moment = datetime.fromisoformat(value)
            return f"{moment.day} {moment:%B %Y} at {moment:%H:%M}"
        if detail.kind is DetailKind.DATE:
            day = date.fromisoformat(value)
            return f"{day.day} {day:%B %Y}"
    except ValueError:
        return value
    return value


def action_kinds_for(level: Level, accepted: frozenset[RecordedAction]) -> tuple[ActionKind, ...]:
    """The kinds of action that answer an outcome.

    When the screen's rules name the actions that resolve it, only kinds standing for one
    of those are offered; otherwise the outcome's level decides.
    """
    kinds = KINDS_FOR_LEVEL.get(level, ())
    if accepted:
        kinds = tuple(k for k in kinds if set(RESOLVES_AS[k]) & accepted)
    return kinds


@dataclass(frozen=True)
class RedFlagActionView:
    """An action recorded for a red-flag outcome, with its details and whether it is done."""

    id: uuid.UUID
    patient_id: uuid.UUID
    screening_id: uuid.UUID
    screen_title: str
    level: Level
    kind: ActionKind
    details: Mapping[str, str]
    status: ActionStatus
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    done_at: datetime | None = None
    done_by: uuid.UUID | None = None
    done_note: str | None = None
    episode_id: uuid.UUID | None = None
    """The episode of care of its screening."""

    @property
    def outstanding(self) -> bool:
        """True until it is recorded as done."""
        return self.status is ActionStatus.OUTSTANDING

    @property
    def spec(self) -> ActionSpec:
        """What its kind asks for."""
        return ACTION_SPECS[self.kind]

    def lines(self) -> tuple[tuple[str, str], ...]:
        """(label, value) of each detail given, in the order asked, in words."""
        return tuple(
            (d.label, _detail_words(d, self.details[d.key]))
            for d in self.spec.details
            if self.details.get(d.key)
        )


@dataclass(frozen=True)
class AwaitingAction:
    """A non-clear screening with no action recorded yet, and what its rules ask for."""

    screening: ScreeningView
    required: tuple[str, ...]
    kinds: tuple[ActionKind, ...]


@dataclass(frozen=True)
class EarlierAnswer:
    """An answer already recorded in this visit, offered instead of asking again."""

    answer: str
    recorded_at: datetime
    screen_id: str


@dataclass(frozen=True)
class ScreeningVisit:
    """What one screening of a patient starts from, in this visit.

    Attributes:
        patient_id: the patient screened.
        age: their age in whole years today (None when the date of birth is after today).
        episode_id: the episode the screening will belong to (None when none is open).
        screens: every shipped screen, for the clinician to add one not suggested.
        suggested: ids of the screens suggested for the regions given, in screen order.
        earlier_answers: yes or no answers recorded earlier in this visit (same patient,
            same day, same episode), the latest for each question.
        earlier: the latest screening of each screen recorded in this visit.
    """

    patient_id: uuid.UUID
    age: int | None
    episode_id: uuid.UUID | None
    screens: tuple[RedFlagScreen, ...]
    suggested: tuple[str, ...]
    earlier_answers: Mapping[str, EarlierAnswer]
    earlier: tuple[ScreeningView, ...]


@dataclass(frozen=True)
class RecordedScreening:
    """One screening recorded from one set of answers: a stored row per screen.

    Attributes:
        patient_id: the patient screened.
        screenings: one per screen, in the order the screens were given.
        missing: for each screen left incomplete, the question codes (or ``age``) whose
            answers would decide it, in the order asked.
    """

    patient_id: uuid.UUID
    screenings: tuple[ScreeningView, ...]
    missing: Mapping[str, tuple[str, ...]]

    @property
    def incomplete(self) -> tuple[str, ...]:
        """Ids of the screens recorded as incomplete."""
        return tuple(s.screen_id for s in self.screenings if s.level is Level.INCOMPLETE)
