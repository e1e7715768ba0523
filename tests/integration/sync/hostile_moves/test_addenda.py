"""An addendum is sealed as the app seals it: over the record's seal and its own words.

A laptop adds an addendum to a signed record, sealed so every laptop can tell it was not
altered. A tampered laptop could push one whose seal covers nothing, or one dated before the
record was signed: every laptop would then show a sound record as altered, or a note written
before the record it adds to.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from clinic_app.domains.assessments.model import AssessmentAddendum
from clinic_app.records.seal import note_digest
from clinic_app.sync.protocol import Status
from tests.integration.sync.hostile_moves.helpers import change, push, stored, token
from tests.support.sync_server import Device
from tests.support.two_sites import PASSWORD

pytestmark = pytest.mark.timeout(300)

#: What an assessment must hold to be signed.
_ASSESSED = {
    "presenting_complaint": "Knee pain on stairs",
    "medicines": [{"name": "paracetamol 500 mg", "dose": "2 qds"}],
    "medicine_review": {"reviewed": True, "outcome": "continue"},
}


def _addendum(assessment: Any, by: uuid.UUID, **values: Any) -> dict[str, Any]:
    signed_at = assessment["signed_at"] + timedelta(minutes=5)
    text = "Seen again: settling."
    fields = {
        "assessment_id": str(assessment["id"]),
        "text": text,
        "signed_at": signed_at.isoformat(),
        "signed_by": str(by),
        "sha256": note_digest(assessment["id"], assessment["content_sha256"], text, signed_at, by),
        "deleted": False,
    }
    return {**fields, **values}


def test_an_addendum_is_sealed_over_its_record_and_dated_after_it(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, _ = two_patients
    ann = north.actor.id
    services = north.services
    draft = services.assessments.save_draft(north.actor, mine, _ASSESSED)
    services.assessments.sign(north.actor, draft.id, PASSWORD)
    # One added in the app reaches the server as it was sealed.
    services.assessments.add_addendum(north.actor, draft.id, "Reviewed the scan.", PASSWORD)
    north.client.sync_once()
    signed = stored(db, "assessment", draft.id)
    assert signed["status"] == "signed"
    with db.connect() as conn:
        made = conn.execute(select(AssessmentAddendum.text)).scalars().all()
    assert made == ["Reviewed the scan."]
    before = signed["signed_at"] - timedelta(days=365)
    refused = {
        "sync.seal_broken": _addendum(signed, ann, sha256="0" * 64),
        "sync.bad_value": _addendum(
            signed,
            ann,
            signed_at=before.isoformat(),
            sha256=note_digest(signed["id"], signed["content_sha256"], "Late.", before, ann),
            text="Late.",
        ),
    }
    for reason, fields in refused.items():
        result = push(
            north, token(north), change("assessment_addendum", uuid.uuid4(), fields, op="insert")
        ).results[0]
        assert (result.status, result.reason) == (Status.REJECTED, reason)
    taken = push(
        north,
        token(north),
        change("assessment_addendum", uuid.uuid4(), _addendum(signed, ann), op="insert"),
    ).results[0]
    assert taken.status is Status.APPLIED
