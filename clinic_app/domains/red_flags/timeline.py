"""Red-flag screenings and their outcomes on the patient's timeline.

Each screening shows its outcome as it was shown to the clinician, and the action recorded
to resolve it. Each red-flag action (a handover to an emergency department, an urgent
referral, safety-net advice) is an entry of its own, outstanding until marked done; it opens
the actions screen for its screening.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.domains.red_flags.content import red_flag_screen
from clinic_app.domains.red_flags.model import (
    RedFlagAction,
    RedFlagResolution,
    RedFlagScreening,
)
from clinic_app.domains.red_flags.rules import Level
from clinic_app.domains.red_flags.views import ACTION_SPECS, ActionKind, ActionStatus
from clinic_app.kernel.errors import ClinicError
from clinic_app.records.timeline import EntryStatus, TimelineEntry, aware, register_source

#: The screen that shows red-flag screenings.
SCREEN = "red_flags"
#: The screen where a screening's actions are recorded and marked done.
ACTIONS_SCREEN = "red_flag_actions"

_LEVEL_WORDS = {
    Level.EMERGENCY: "Emergency",
    Level.URGENT: "Urgent",
    Level.ROUTINE_WATCH: "Routine watch",
    Level.INCOMPLETE: "Incomplete",
    Level.CLEAR: "Clear",
}


def _screen_title(screen_id: str) -> str:
    try:
        return red_flag_screen(screen_id).title
    except (ClinicError, KeyError):
        # A screen retired since: its id still names what was screened.
        return screen_id.replace("_", " ")


def screening_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each screening with its outcome, and the action recorded when one was needed."""
    rows = session.scalars(
        select(RedFlagScreening).where(
            RedFlagScreening.patient_id == patient_id, RedFlagScreening.deleted.is_(False)
        )
    ).all()
    actions: dict[uuid.UUID, str] = {}
    if rows:
        for resolution in session.scalars(
            select(RedFlagResolution)
            .where(
                RedFlagResolution.screening_id.in_([row.id for row in rows]),
                RedFlagResolution.deleted.is_(False),
            )
            .order_by(RedFlagResolution.created_at)
        ):
            actions[resolution.screening_id] = resolution.action.replace("_", " ")
    entries = []
    for row in rows:
        outcome = _LEVEL_WORDS.get(row.level, str(row.level))
        if row.id in actions:
            detail = f"Outcome: {outcome}. Action recorded: {actions[row.id]}"
        elif row.needs_action:
            detail = f"Outcome: {outcome}. No action recorded yet"
        else:
            detail = f"Outcome: {outcome}"
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=row.episode_id,
                when=aware(row.recorded_at or row.created_at),
                kind="red_flag_screening",
                description=f"Red-flag screen: {_screen_title(row.screen_id)}",
                status=EntryStatus.RECORDED,
                record_id=row.id,
                screen_id=SCREEN,
                item_id=row.id,
                detail=detail,
            )
        )
    return entries


def action_entries(session: Session, patient_id: uuid.UUID) -> list[TimelineEntry]:
    """Each action taken for a red-flag outcome: what, and whether it is done."""
    rows = session.scalars(
        select(RedFlagAction).where(
            RedFlagAction.patient_id == patient_id, RedFlagAction.deleted.is_(False)
        )
    ).all()
    if not rows:
        return []
    screenings = {
        row.id: row
        for row in session.scalars(
            select(RedFlagScreening).where(
                RedFlagScreening.id.in_([action.screening_id for action in rows])
            )
        )
    }
    entries = []
    for row in rows:
        screening = screenings.get(row.screening_id)
        try:
            title = ACTION_SPECS[ActionKind(row.kind)].title
        except ValueError:
            title = row.kind.replace("_", " ")
        done = row.status == ActionStatus.DONE
        screen = _screen_title(screening.screen_id) if screening is not None else ""
        entries.append(
            TimelineEntry(
                patient_id=patient_id,
                episode_id=screening.episode_id if screening is not None else None,
                when=aware(row.recorded_at or row.created_at),
                kind="red_flag_action",
                description=f"Red-flag action: {title}",
                status=EntryStatus.RECORDED if done else EntryStatus.OPEN,
                record_id=row.id,
                screen_id=ACTIONS_SCREEN,
                item_id=row.screening_id,
                detail=f"For {screen}. " + ("Done" if done else "Outstanding: not yet done"),
            )
        )
    return entries


register_source("red_flag_screening", screening_entries)
register_source("red_flag_action", action_entries)
