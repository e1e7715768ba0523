"""A batch key is answered again only for the changes it was first answered for."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import Engine

from clinic_app.kernel.errors import Conflict
from clinic_app.sync.protocol import PushRequest, Status
from tests.integration.sync.hostile_moves.helpers import change, now, stored, token
from tests.support.sync_server import Device

pytestmark = pytest.mark.timeout(300)


def _alert(patient_id: uuid.UUID, text: str) -> dict[str, object]:
    return {
        "patient_id": str(patient_id),
        "kind": "communication",
        "text": text,
        "active": True,
        "created_at": now(),
        "updated_at": now(),
        "deleted": False,
    }


def test_a_batch_key_sent_with_other_changes_is_refused_and_they_are_not_taken(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, _theirs = two_patients
    first = change(
        "patient_alert", uuid.uuid4(), _alert(mine, "Hearing aid, left ear"), op="insert"
    )
    made = north.transport.push(PushRequest(uuid.uuid4(), (first,)), token(north))
    assert [r.status for r in made.results] == [Status.APPLIED]
    key = uuid.uuid4()
    edit = change("patient_alert", first.row_id, {"text": "Hearing aid, both ears"}, base=1)
    answered = north.transport.push(PushRequest(key, (edit,)), token(north))
    assert [r.status for r in answered.results] == [Status.APPLIED]

    # Sent again as a laptop does when an answer is lost (its base moved on by a pull since).
    again = PushRequest(key, (replace(edit, base_version=2),))
    assert north.transport.push(again, token(north)).results == answered.results
    other = change("patient_alert", uuid.uuid4(), _alert(mine, "Prefers phone calls"), op="insert")
    with pytest.raises(Conflict) as refused:
        north.transport.push(PushRequest(key, (other,)), token(north))

    assert refused.value.code == "sync.batch_key_reused"
    assert stored(db, "patient_alert", other.row_id) is None
    assert stored(db, "patient_alert", first.row_id)["row_version"] == 2
