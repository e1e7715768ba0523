"""Open conflicts are shown to, and settled by, only the laptops that hold their patient."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine

from clinic_app.kernel.errors import NotFound
from clinic_app.sync.protocol import Status
from tests.integration.sync.hostile_moves.helpers import change, push, stored, token
from tests.support.sync_server import Device, SyncServer

pytestmark = pytest.mark.timeout(300)


def _conflict_on(south: Device, db: Engine, patient: uuid.UUID) -> None:
    """Two edits of the patient's phone from the same base: one conflict kept."""
    base = stored(db, "patient", patient)["row_version"]
    first = push(
        south, token(south), change("patient", patient, {"phone": "07700 900001"}, base=base)
    )
    second = push(
        south, token(south), change("patient", patient, {"phone": "07700 900002"}, base=base)
    )
    assert first.results[0].status is Status.APPLIED
    assert second.results[0].status is Status.CONFLICT


def test_a_conflict_is_listed_and_settled_only_where_its_patient_is_held(
    north: Device, south: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _mine, theirs = two_patients
    _conflict_on(south, db, theirs)

    # Southfield holds the patient: it sees the conflict.
    listed = [c for c in south.transport.conflicts() if c["row_id"] == str(theirs)]
    assert len(listed) == 1
    # Northgate never held them: neither the values nor the conflict reach it.
    assert not [c for c in north.transport.conflicts() if c["row_id"] == str(theirs)]
    with pytest.raises(NotFound):
        north.transport.resolve_conflict(listed[0]["id"], listed[0]["device_value"], token(north))
    assert stored(db, "patient", theirs)["phone"] == "07700 900001"


def test_the_server_log_names_no_patient_after_hostile_pushes(
    server: SyncServer,
    north: Device,
    south: Device,
    db: Engine,
    two_patients: tuple[uuid.UUID, uuid.UUID],
) -> None:
    mine, theirs = two_patients
    _conflict_on(south, db, theirs)
    bad_patient = {
        "family_name": "Leaky",
        "given_name": "X",
        "nhs_number": "1234",
        "sex": "2",
        "date_of_birth": "1960-01-01",
    }
    push(north, token(north), change("patient", uuid.uuid4(), bad_patient, op="insert"))
    push(
        north,
        token(north),
        change("patient", mine, {"date_of_birth": "not-a-date", "family_name": "Leaky2"}, base=1),
    )
    text = server.log_text()
    for secret in ("Southern", "Northern", "Leaky", "07700", "0113 496", "9990000034"):
        assert secret not in text, secret
