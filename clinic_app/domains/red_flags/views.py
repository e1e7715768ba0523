"""Read models of red-flag screenings: small, frozen, Qt- and ORM-free."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from clinic_app.domains.red_flags.rules import Level, RecordedAction


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

    @property
    def unresolved(self) -> bool:
        """True while a positive screen waits for a recorded action."""
        return self.needs_action and self.resolution is None
