"""A record a laptop holds, moved by a pushed change to another patient: always refused."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import Engine

from clinic_app.kernel.errors import PermissionDenied
from clinic_app.sync.protocol import Status
from tests.integration.sync.hostile_moves.helpers import (
    change,
    has,
    holds,
    now,
    push,
    stored,
    token,
)
from tests.support.sync_server import Device
from tests.support.two_sites import register

pytestmark = pytest.mark.timeout(300)


def _alert(patient_id: uuid.UUID, text: str) -> dict[str, Any]:
    return {
        "patient_id": str(patient_id),
        "kind": "communication",
        "text": text,
        "active": True,
        "created_at": now(),
        "updated_at": now(),
        "deleted": False,
    }


def _study(patient_id: uuid.UUID) -> dict[str, Any]:
    return {
        "patient_id": str(patient_id),
        "episode_id": None,
        "study_uid": f"2.25.{uuid.uuid4().int}",
        "accession": None,
        "started_at": now(),
        "description": "US",
        "purpose": "clinical",
        "archived_at": None,
        "deleted": False,
    }


def test_an_alert_moved_to_a_patient_the_laptop_does_not_hold_is_refused_and_hands_nothing_over(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, theirs = two_patients
    alert_id = uuid.uuid4()
    made = push(
        north,
        token(north),
        change("patient_alert", alert_id, _alert(mine, "Prefers letters"), op="insert"),
    ).results[0]
    assert made.status is Status.APPLIED
    moved = push(
        north,
        token(north),
        change(
            "patient_alert", alert_id, {"patient_id": str(theirs), "text": "DO NOT TREAT"}, base=1
        ),
    ).results[0]

    assert moved.status is Status.REJECTED
    assert moved.reason in ("sync.patient_not_held", "sync.record_moved")
    row = stored(db, "patient_alert", alert_id)
    assert (row["patient_id"], row["text"], row["row_version"]) == (mine, "Prefers letters", 1)
    # The laptop was not made a holder of the other patient: their record stays away from it.
    assert not holds(db, north, theirs)
    north.client.sync_once()
    assert not has(north, theirs)
    with pytest.raises(PermissionDenied):
        north.transport.scope_rows([str(theirs)])


def test_a_record_is_never_moved_between_two_patients_the_laptop_holds(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, _theirs = two_patients
    other = register(north, "9990000042", "Otherside")
    north.client.sync_once()
    alert_id, study_id = uuid.uuid4(), uuid.uuid4()
    made = push(
        north,
        token(north),
        change("patient_alert", alert_id, _alert(mine, "Prefers letters"), op="insert"),
        change("imaging_study", study_id, _study(mine), op="insert"),
    ).results
    assert [r.status for r in made] == [Status.APPLIED, Status.APPLIED]

    moved = push(
        north,
        token(north),
        change("patient_alert", alert_id, {"patient_id": str(other)}, base=1),
        change("imaging_study", study_id, {"patient_id": str(other)}, base=1),
    ).results

    assert [(r.status, r.reason) for r in moved] == [(Status.REJECTED, "sync.record_moved")] * 2
    assert stored(db, "patient_alert", alert_id)["patient_id"] == mine
    assert stored(db, "imaging_study", study_id)["patient_id"] == mine


def test_a_row_made_and_moved_in_one_batch_stays_with_its_first_patient(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, theirs = two_patients
    alert_id = uuid.uuid4()
    results = push(
        north,
        token(north),
        change("patient_alert", alert_id, _alert(mine, "Prefers letters"), op="insert"),
        change("patient_alert", alert_id, {"patient_id": str(theirs)}, base=1),
    ).results

    assert results[1].status is Status.REJECTED
    row = stored(db, "patient_alert", alert_id)
    assert row is None or row["patient_id"] == mine
    assert not holds(db, north, theirs)
