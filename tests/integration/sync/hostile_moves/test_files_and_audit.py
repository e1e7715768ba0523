"""A laptop reads only files of records it holds, and ships audit entries only of its own users."""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from clinic_app.kernel.audit_entry import ServiceAuditEntry
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.security.audit import CHAIN_PLAIN, entry_hash
from clinic_app.kernel.staff import User
from clinic_app.sync.audit_ship import ShippedEntry, entries_json
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


def test_a_file_uploaded_by_another_site_is_not_downloaded_by_its_name(
    north: Device, south: Device
) -> None:
    data = b"DICM" + b"a Southfield patient's scan " * 100
    sha = hashlib.sha256(data).hexdigest()
    south.transport.upload_piece(sha, 0, data)
    south.transport.complete_file(sha, len(data))

    with pytest.raises(ClinicError):
        b"".join(north.transport.download(sha))


def _entry(
    north: Device, user: uuid.UUID | None, patient: uuid.UUID, at: datetime | None = None
) -> ShippedEntry:
    """A correctly chained and sealed "patient opened" entry, next on the laptop's chain."""
    head = north.transport.audit_head()
    fields = {
        "seq": int(head["seq"]) + 1,
        "at": at or datetime.now(UTC),
        "device_id": north.device_id,
        "user_id": user,
        "patient_id": patient,
        "action": "patient.open",
        "entity": "patient",
        "entity_id": patient,
        "prev_hash": str(head["hash"]),
    }
    entry_id = uuid.uuid4()
    seal = entry_hash(entry_id=entry_id, **fields)
    return ShippedEntry(id=entry_id, operator=None, chain=CHAIN_PLAIN, hash=seal, **fields)


def test_audit_entries_naming_a_user_who_never_signed_in_there_are_refused(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _mine, theirs = two_patients
    with db.connect() as conn:
        ben = conn.execute(select(User.id).where(User.username == "ben")).scalar_one()
    framed = _entry(north, ben, theirs)
    unknown_chain = ShippedEntry(**{**framed.__dict__, "user_id": north.actor.id, "chain": 9})

    for entries in ([framed], [unknown_chain]):
        with pytest.raises(ClinicError):
            north.transport.push_audit(entries_json(entries))

    with db.connect() as conn:
        kept = conn.execute(
            select(ServiceAuditEntry.seq).where(
                ServiceAuditEntry.device_id == north.device_id, ServiceAuditEntry.user_id == ben
            )
        ).all()
    assert not kept


def test_a_batch_of_2000_changes_to_another_sites_patient_is_refused_whole_and_quickly(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _mine, theirs = two_patients
    ids = [uuid.uuid4() for _ in range(2000)]
    alert = {
        "patient_id": str(theirs),
        "kind": "communication",
        "text": "DO NOT TREAT",
        "active": True,
        "created_at": now(),
        "updated_at": now(),
        "deleted": False,
    }
    started = time.monotonic()
    results = push(
        north, token(north), *(change("patient_alert", i, alert, op="insert") for i in ids)
    )
    took = time.monotonic() - started

    assert {(r.status, r.reason) for r in results.results} == {
        (Status.REJECTED, "sync.patient_not_held")
    }
    assert all(stored(db, "patient_alert", i) is None for i in ids[:50])
    assert not holds(db, north, theirs)
    print(f"2,000 refused changes answered in {took:.2f} s")


def test_an_addendum_to_another_sites_record_or_to_none_is_refused(
    north: Device, south: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _mine, theirs = two_patients
    their_assessment = uuid.uuid4()
    drafted = {
        "patient_id": str(theirs),
        "status": "draft",
        "content": {"h": "x"},
        "deleted": False,
    }
    made = push(south, token(south), change("assessment", their_assessment, drafted, op="insert"))
    assert made.results[0].status is Status.APPLIED
    fields = {
        "text": "Note",
        "signed_at": now(),
        "signed_by": str(north.actor.id),
        "sha256": "0" * 64,
        "deleted": False,
    }

    results = push(
        north,
        token(north),
        change(
            "assessment_addendum",
            uuid.uuid4(),
            {**fields, "assessment_id": str(their_assessment)},
            op="insert",
        ),
        change(
            "assessment_addendum",
            uuid.uuid4(),
            {**fields, "assessment_id": str(uuid.uuid4())},
            op="insert",
        ),
    ).results

    assert [r.status for r in results] == [Status.REJECTED, Status.REJECTED]
    assert not holds(db, north, theirs)
    north.client.sync_once()
    assert not has(north, theirs)


@pytest.mark.parametrize("ahead", [timedelta(0), timedelta(days=3650)])
def test_an_audit_entry_never_brings_another_sites_patient_into_a_laptops_scope(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID], ahead: timedelta
) -> None:
    _mine, theirs = two_patients
    north.transport.push_audit(
        entries_json([_entry(north, None, theirs, datetime.now(UTC) + ahead)])
    )

    assert str(theirs) not in north.transport.scope_plan()["enter"]
    with pytest.raises(ClinicError):
        north.transport.scope_rows([str(theirs)])
    alert = {
        "patient_id": str(theirs),
        "kind": "communication",
        "text": "DO NOT TREAT",
        "active": True,
        "created_at": now(),
        "updated_at": now(),
        "deleted": False,
    }
    pushed = push(north, token(north), change("patient_alert", uuid.uuid4(), alert, op="insert"))
    assert pushed.results[0].reason == "sync.patient_not_held"
    assert not holds(db, north, theirs)


def test_a_patient_fetched_from_another_site_is_recorded_on_the_server(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _mine, theirs = two_patients

    fetched = north.transport.scope_rows([str(theirs)], token(north))

    assert fetched["rows"]
    with db.connect() as conn:
        recorded = conn.execute(
            select(ServiceAuditEntry.action, ServiceAuditEntry.user_id).where(
                ServiceAuditEntry.patient_id == theirs,
                ServiceAuditEntry.action == "patient.fetch",
            )
        ).all()
    assert [(action, user) for action, user in recorded] == [("patient.fetch", north.actor.id)]


def test_each_patient_a_search_of_the_service_shows_is_recorded_on_the_server(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _mine, theirs = two_patients

    found = north.transport.search_patients("Southern", token(north))
    nothing = north.transport.search_patients("Nobody-by-this-name", token(north))

    assert [item["id"] for item in found] == [str(theirs)]
    assert nothing == []
    with db.connect() as conn:
        recorded = conn.execute(
            select(
                ServiceAuditEntry.action,
                ServiceAuditEntry.patient_id,
                ServiceAuditEntry.user_id,
                ServiceAuditEntry.operator,
            ).where(ServiceAuditEntry.action == "patient.search")
        ).all()
    # Once for the one patient shown, as Ann, from her laptop; what she typed is not kept.
    assert [(row.patient_id, row.user_id) for row in recorded] == [(theirs, north.actor.id)]
    assert recorded[0].operator == f"device {north.device_id}"
    with db.connect() as conn:
        kept = " ".join(
            str(value) for row in conn.execute(select(ServiceAuditEntry)) for value in row
        )
    assert "Southern" not in kept


def test_a_patient_taken_in_only_as_a_possible_duplicate_is_recorded_on_the_server(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _mine, theirs = two_patients

    # Ann registers someone with the Southfield patient's NHS number: the server flags the
    # pair, and her laptop takes the other record in so the person who merges sees both.
    twin = register(north, "9990000034", "Southerne")
    north.client.sync_once()
    north.client.sync_once()
    assert has(north, theirs)

    with db.connect() as conn:
        recorded = conn.execute(
            select(ServiceAuditEntry.patient_id, ServiceAuditEntry.operator).where(
                ServiceAuditEntry.action == "patient.linked"
            )
        ).all()
    assert [(row.patient_id, row.operator) for row in recorded] == [
        (theirs, f"device {north.device_id}")
    ]
    # Once: later rounds send changes, not the record again, and record nothing more.
    north.client.sync_once()
    with db.connect() as conn:
        again = conn.execute(
            select(ServiceAuditEntry.id).where(ServiceAuditEntry.action == "patient.linked")
        ).all()
    assert len(again) == 1
    assert twin != theirs


def _server_actions(db: Engine, patient: uuid.UUID) -> list[tuple[str, uuid.UUID | None]]:
    with db.connect() as conn:
        return [
            (row.action, row.user_id)
            for row in conn.execute(
                select(ServiceAuditEntry.action, ServiceAuditEntry.user_id)
                .where(
                    ServiceAuditEntry.patient_id == patient,
                    ServiceAuditEntry.operator.startswith("device "),
                )
                .order_by(ServiceAuditEntry.at)
            )
        ]


def test_a_hold_asked_for_without_the_rows_is_recorded_as_a_fetch(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _mine, theirs = two_patients

    # A modified laptop skips the rows and asks only to hold the patient, then pulls
    # their whole record from the start: the hold is recorded as the rows would be.
    north.transport.scope_held([str(theirs)], [], reason="opened", user_token=token(north))
    page = north.transport.pull(0, 1000)

    assert [row for row in page.rows if str(theirs) in str(row.row)]
    assert _server_actions(db, theirs) == [("patient.fetch", north.actor.id)]
    # The rows asked for afterwards (as the app does) add nothing more.
    north.transport.scope_rows([str(theirs)], token(north))
    assert _server_actions(db, theirs) == [("patient.fetch", north.actor.id)]


def test_writing_to_a_patient_linked_only_as_a_possible_duplicate_is_recorded(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    _mine, theirs = two_patients
    twin = uuid.uuid4()
    registered = {
        "given_name": "Ada",
        "family_name": "Twin",
        "date_of_birth": "1960-03-14",
        "sex": "2",
        "ethnicity": "Z",
        "nhs_number": "9990000034",
        "deleted": False,
        "created_at": now(),
        "updated_at": now(),
    }
    assert (
        push(north, token(north), change("patient", twin, registered, op="insert"))
        .results[0]
        .status
        is Status.APPLIED
    )
    version = stored(db, "patient", theirs).row_version

    # Knowing the number, the laptop writes to the other site's patient before any scope
    # step: it now holds them, and the server has recorded who took them in.
    phone = change("patient", theirs, {"phone": "0113 496 0999"}, base=version)
    assert push(north, token(north), phone).results[0].status is Status.APPLIED
    assert holds(db, north, theirs)
    assert ("patient.linked", north.actor.id) in _server_actions(db, theirs)
