"""Records taken with nobody as the one who made them, and dates the app would never keep."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select

from clinic_app.domains.triage.model import TriageDecision
from clinic_app.people.care import EpisodeOfCare
from clinic_app.sync.protocol import Change, Status
from tests.integration.sync.hostile_moves.helpers import (
    change,
    push,
    refer_and_triage,
    stored,
    token,
)
from tests.integration.sync.hostile_moves.rows import copied
from tests.support.sync_server import Device

pytestmark = pytest.mark.timeout(300)


def _triaged(north: Device, db: Engine, patient: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """(the decision's id, the episode's id) of a referral triaged on the laptop and synced."""
    referral = refer_and_triage(north, patient)
    north.client.sync_once()
    with db.connect() as conn:
        decision = conn.execute(
            select(TriageDecision.id).where(TriageDecision.referral_id == referral)
        ).scalar_one()
        episode = conn.execute(
            select(EpisodeOfCare.id).where(EpisodeOfCare.referral_id == referral)
        ).scalar_one()
    return decision, episode


def test_a_triage_decision_decided_by_nobody_is_refused(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """A triage decision pushed with ``decided_by`` empty is stored as decided by nobody.

    The app records the signed-in clinician as the one who triaged; the service's figures
    count triage work by this column and an audit of a missed red flag asks who triaged. The
    server refuses another user's id here (``sync.not_yours``) but takes none at all. README:
    "who recorded, decided, settled or signed something is the user who pushes it
    (``sync.not_yours``)". ``authorise._whose_refusal`` checks an own column only when it
    holds a value.
    """
    mine, _ = two_patients
    decision, _ = _triaged(north, db, mine)
    made = uuid.uuid4()
    result = push(
        north,
        token(north),
        change(
            "triage_decision",
            made,
            copied(db, "triage_decision", decision, decided_by=None),
            op="insert",
        ),
    ).results[0]

    row = stored(db, "triage_decision", made)
    assert result.status is Status.REJECTED or row["decided_by"] == north.actor.id, (
        result,
        None if row is None else row["decided_by"],
    )


def test_a_change_merged_in_part_never_leaves_an_episode_ending_before_it_starts(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """The server checks a change's dates together, then stores only some of them.

    A change bringing ``started_on`` and ``ended_on`` is judged on the pair it brings (an
    end after the start); but ``started_on`` changed since the change's base, so it is kept
    as a conflict and only ``ended_on`` is written. The episode is stored ending 19 days
    before it started, a value the app can never make, on every laptop. README: "values are
    possible: ... an episode ends after it starts"; "stale bases are detected per field".
    ``apply.apply_change`` checks ``{**row, **values}`` but ``apply._merge`` writes a part.
    """
    mine, _ = two_patients
    _, episode = _triaged(north, db, mine)
    today = date.today()
    base = stored(db, "episode_of_care", episode)["row_version"]

    def sent(fields: dict[str, str]) -> Change:
        # Keys of its own making (not the app's time-ordered ones): a change made elsewhere.
        return change("episode_of_care", episode, fields, base=base)

    first = push(north, token(north), sent({"started_on": (today - timedelta(days=1)).isoformat()}))
    assert first.results[0].status is Status.APPLIED, first
    stale = push(
        north,
        token(north),
        sent(
            {
                "started_on": (today - timedelta(days=30)).isoformat(),
                "ended_on": (today - timedelta(days=20)).isoformat(),
            }
        ),
    ).results[0]

    row = stored(db, "episode_of_care", episode)
    assert row["ended_on"] is None or row["ended_on"] >= row["started_on"], (
        stale,
        row["started_on"],
        row["ended_on"],
    )
