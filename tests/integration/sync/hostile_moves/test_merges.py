"""Merges of registrations and possible duplicates pushed as the app would never push them.

On a laptop a person merges only a pair the server flagged as possibly one person, into one of
its two records, and names themselves as who merged it. A tampered laptop could merge any two
patients: every laptop would then show one person's record as another's. The server holds a
pushed merge to the app's rules, and a pair to its steps (open, then merged or dismissed).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select

from clinic_app.kernel.security import keychain
from clinic_app.people.duplicates import survivor_of
from clinic_app.people.model import PatientDuplicate, PatientMerge
from clinic_app.sync.protocol import Change, Status
from tests.integration.sync.hostile_moves.helpers import change, has, now, push, stored
from tests.support.sync_server import Device, SyncServer, sign_in
from tests.support.two_sites import PASSWORD, register

pytestmark = pytest.mark.timeout(300)


def _supervisor(server: SyncServer, device: Device) -> tuple[uuid.UUID, str]:
    """Helen, a supervisor (who may merge), signed in online on ``device``: (id, token)."""
    server.add_user("helen", "Helen Example", "supervisor", PASSWORD)
    helen = sign_in(device, "helen", PASSWORD)
    found = keychain.sync_token(device.device_id, helen.id)
    assert found
    return helen.id, found


def _merge(
    survivor: uuid.UUID, merged: uuid.UUID, by: uuid.UUID | None, pair: Any = None
) -> dict[str, Any]:
    return {
        "survivor_id": str(survivor),
        "merged_id": str(merged),
        "duplicate_id": str(pair) if pair else None,
        "reason": "Registered twice",
        "merged_by": str(by) if by else None,
        "merged_at": now(),
        "deleted": False,
    }


def _new_merge(fields: dict[str, Any]) -> Change:
    return change("patient_merge", uuid.uuid4(), fields, op="insert")


def _second_registration(device: Device, user_token: str, number: str) -> uuid.UUID:
    """The same person registered again under ``number``: the server flags the pair."""
    twin = uuid.uuid4()
    fields = {
        "given_name": "Ada",
        "family_name": "Northern",
        "date_of_birth": "1960-03-14",
        "sex": "2",
        "ethnicity": "Z",
        "nhs_number": number,
        "deleted": False,
        "created_at": now(),
        "updated_at": now(),
    }
    result = push(device, user_token, change("patient", twin, fields, op="insert"))
    assert result.results[0].status is Status.APPLIED
    return twin


def _pair(db: Engine) -> Any:
    with db.connect() as conn:
        return conn.execute(select(PatientDuplicate.__table__)).mappings().one()


def _merges(db: Engine) -> list[tuple[uuid.UUID, uuid.UUID]]:
    with db.connect() as conn:
        rows = conn.execute(select(PatientMerge.survivor_id, PatientMerge.merged_id))
        return [(row.survivor_id, row.merged_id) for row in rows]


def _settle(pair: Any, status: str, by: uuid.UUID | None) -> Any:
    return change(
        "patient_duplicate",
        pair["id"],
        {
            "status": status,
            "resolved_by": str(by) if by else None,
            "resolved_at": now() if by else None,
            "resolution_reason": "Checked with the patient" if by else None,
        },
        base=pair["row_version"],
    )


def test_two_people_never_flagged_as_one_are_not_merged(
    server: SyncServer, north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, _ = two_patients
    other = register(north, "9990000042", "Otherside")  # another number: another person
    north.client.sync_once()
    helen, as_helen = _supervisor(server, north)
    for survivor, merged in ((mine, other), (mine, mine)):
        result = push(
            north,
            as_helen,
            _new_merge(_merge(survivor, merged, helen)),
        ).results[0]
        assert (result.status, result.reason) == (Status.REJECTED, "sync.merge_not_a_pair")
    assert _merges(db) == []
    north.client.sync_once()
    with north.services.context.store.sessions() as session:
        assert survivor_of(session, other) == other


def test_a_merge_names_its_pair_and_who_merged_it(
    server: SyncServer, north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, _ = two_patients
    helen, as_helen = _supervisor(server, north)
    twin = _second_registration(north, as_helen, "9990000026")
    pair = _pair(db)["id"]
    other = register(north, "9990000042", "Otherside")
    north.client.sync_once()
    attempts = {
        # Nobody named as having merged them, or someone else.
        "sync.nobody_named": _merge(mine, twin, None, pair),
        # The pair's id, but a third patient in it.
        "sync.merge_not_a_pair": _merge(other, twin, helen, pair),
    }
    for reason, fields in attempts.items():
        result = push(north, as_helen, _new_merge(fields)).results[0]
        assert (result.status, result.reason) == (Status.REJECTED, reason)
    assert _merges(db) == []
    # As the app makes it: the pair's new status first, then the merge naming the pair.
    made = push(
        north,
        as_helen,
        _settle(_pair(db), "merged", helen),
        _new_merge(_merge(mine, twin, helen, pair)),
    ).results
    assert [r.status for r in made] == [Status.APPLIED, Status.APPLIED], made
    assert _merges(db) == [(mine, twin)]


def test_a_merged_pair_is_never_opened_again_nor_dismissed(
    server: SyncServer, north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, _ = two_patients
    helen, as_helen = _supervisor(server, north)
    twin = _second_registration(north, as_helen, "9990000026")
    pair = _pair(db)
    made = push(
        north,
        as_helen,
        _new_merge(_merge(mine, twin, helen, pair["id"])),
    ).results[0]
    assert made.status is Status.APPLIED
    # The merge came first: the pair is still marked open, and may not be dismissed now.
    dismissed = push(north, as_helen, _settle(_pair(db), "dismissed", helen)).results[0]
    assert (dismissed.status, dismissed.reason) == (Status.REJECTED, "sync.step_refused")
    settled = push(north, as_helen, _settle(_pair(db), "merged", helen)).results[0]
    assert settled.status is Status.APPLIED
    for status, by in (("open", None), ("dismissed", helen)):
        result = push(north, as_helen, _settle(_pair(db), status, by)).results[0]
        assert (result.status, result.reason) == (Status.REJECTED, "sync.step_refused")
    assert _pair(db)["status"] == "merged"


def test_a_pair_said_to_be_two_people_is_not_merged_and_lets_the_other_site_go(
    server: SyncServer, north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """Flagged with another site's patient, the pair brings that patient to this laptop (for
    the person who settles it to see both); once dismissed, the pair keeps them here no more
    (only the laptop's own recent use of the record would, for its days, here none)."""
    _, theirs = two_patients
    helen, as_helen = _supervisor(server, north)
    twin = _second_registration(north, as_helen, "9990000034")  # the Southfield number
    north.client.sync_once()
    north.client.sync_once()
    assert has(north, theirs)
    pair = _pair(db)
    nobody = push(north, as_helen, _settle(pair, "dismissed", None)).results[0]
    assert (nobody.status, nobody.reason) == (Status.REJECTED, "sync.nobody_named")
    dismissed = push(north, as_helen, _settle(_pair(db), "dismissed", helen)).results[0]
    assert dismissed.status is Status.APPLIED
    result = push(
        north,
        as_helen,
        _new_merge(_merge(twin, theirs, helen, pair["id"])),
    ).results[0]
    assert (result.status, result.reason) == (Status.REJECTED, "sync.merge_dismissed")
    server.set_scope({"awaiting_triage": False, "recent_days": 0})
    north.client.sync_once()
    assert not has(north, theirs)
    assert stored(db, "patient", theirs) is not None  # still Southfield's, on the server


def test_a_pair_merged_twice_offline_is_taken_and_names_one_record(
    server: SyncServer, north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """Two supervisors merging one flagged pair on two laptops offline, each keeping the other
    record, push two merges of the same two registrations: both are of one person, so both
    are taken, and every reader follows them to the same one record."""
    mine, _ = two_patients
    helen, as_helen = _supervisor(server, north)
    twin = _second_registration(north, as_helen, "9990000026")
    pair = _pair(db)
    first = push(
        north,
        as_helen,
        _settle(pair, "merged", helen),
        _new_merge(_merge(mine, twin, helen, pair["id"])),
    ).results
    assert [r.status for r in first] == [Status.APPLIED, Status.APPLIED], first
    again = push(north, as_helen, _new_merge(_merge(twin, mine, helen, pair["id"]))).results[0]
    assert again.status is Status.APPLIED
    with db.connect() as conn:
        assert survivor_of(conn, mine) == survivor_of(conn, twin)
    north.client.sync_once()
    with north.services.context.store.sessions() as session:
        assert survivor_of(session, mine) == survivor_of(session, twin)
