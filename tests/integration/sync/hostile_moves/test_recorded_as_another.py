"""Who recorded, settled or wrote something is the pushing user: never named as another."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select

from clinic_app.kernel.security import keychain
from clinic_app.kernel.staff import User
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.model import PatientDuplicate
from clinic_app.sync.protocol import Status
from tests.integration.sync.hostile_moves.helpers import (
    change,
    now,
    push,
    refer_and_triage,
    stored,
    token,
)
from tests.support.server_push import sealed
from tests.support.sync_server import Device, SyncServer, sign_in
from tests.support.two_sites import PASSWORD

pytestmark = pytest.mark.timeout(300)


def _user_id(db: Engine, name: str) -> uuid.UUID:
    with db.connect() as conn:
        return conn.execute(select(User.id).where(User.username == name)).scalar_one()


def test_an_episode_change_recorded_as_another_user(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, _ = two_patients
    refer_and_triage(north, mine)
    north.client.sync_once()
    with db.connect() as conn:
        episode = conn.execute(
            select(EpisodeOfCare.id).where(EpisodeOfCare.patient_id == mine)
        ).scalar_one()
    ben = _user_id(db, "ben")
    row_id = uuid.uuid4()
    result = push(
        north,
        token(north),
        change(
            "episode_change",
            row_id,
            {
                "episode_id": str(episode),
                "patient_id": str(mine),
                "change": "closed",
                "reason": "Discharged",
                "effective_on": date.today().isoformat(),
                "changed_at": now(),
                "changed_by": str(ben),
                "deleted": False,
            },
            op="insert",
        ),
    ).results[0]
    row = stored(db, "episode_change", row_id)
    assert result.status is Status.REJECTED, (
        f"changed_by={row['changed_by']} (ben) created_by={row['created_by']}"
    )


def test_a_possible_duplicate_dismissed_as_another_user(
    server: SyncServer, north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    server.add_user("helen", "Helen Super", "supervisor", PASSWORD)
    helen = sign_in(north, "helen", PASSWORD)
    # The same person registered again (as another laptop would): the server flags the pair.
    again = change(
        "patient",
        uuid.uuid4(),
        {
            "given_name": "Ada",
            "family_name": "Northern",
            "date_of_birth": "1960-03-14",
            "sex": "2",
            "nhs_number": "9990000026",
            "deleted": False,
        },
        op="insert",
    )
    assert (
        push(north, keychain.sync_token(north.device_id, helen.id), again).results[0].status
        is Status.APPLIED
    )
    with db.connect() as conn:
        dup = conn.execute(select(PatientDuplicate.__table__)).mappings().first()
    assert dup is not None
    ann = _user_id(db, "ann")
    result = push(
        north,
        keychain.sync_token(north.device_id, helen.id),
        change(
            "patient_duplicate",
            dup["id"],
            {
                "status": "dismissed",
                "resolved_by": str(ann),
                "resolved_at": now(),
                "resolution_reason": "Different people",
            },
            base=dup["row_version"],
        ),
    ).results[0]
    row = stored(db, "patient_duplicate", dup["id"])
    assert result.status is Status.REJECTED, (
        f"resolved_by={row['resolved_by']} is ann, pushed by helen"
    )


def test_a_verifier_makes_herself_the_author_of_a_trainees_report(
    server: SyncServer, north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, _ = two_patients
    server.add_user("sam", "Sam Trainee", "trainee", PASSWORD)
    server.add_user("helen", "Helen Super", "supervisor", PASSWORD)
    sam = sign_in(north, "sam", PASSWORD)
    helen = sign_in(north, "helen", PASSWORD)
    as_sam = keychain.sync_token(north.device_id, sam.id)
    as_helen = keychain.sync_token(north.device_id, helen.id)
    study_id, report_id = uuid.uuid4(), uuid.uuid4()
    study = change(
        "imaging_study",
        study_id,
        {
            "patient_id": str(mine),
            "episode_id": None,
            "study_uid": f"2.25.{uuid.uuid4().int}",
            "accession": None,
            "started_at": now(),
            "description": "US",
            "purpose": "clinical",
            "archived_at": None,
            "deleted": False,
        },
        op="insert",
    )
    report = change(
        "scan_report",
        report_id,
        {
            "study_id": str(study_id),
            "patient_id": str(mine),
            "episode_id": None,
            "author_id": str(sam.id),
            "status": "submitted",
            "version": 1,
            "predecessor_id": None,
            "content": {"findings": "Tear.", "impression": "Tear."},
            "supervisor_id": str(helen.id),
            "submitted_at": now(),
            "deleted": False,
        },
        op="insert",
    )
    assert [r.status for r in push(north, as_sam, study, report).results] == [Status.APPLIED] * 2
    row = stored(db, "scan_report", report_id)
    # The reviewer, saving "her words" before the verdict, rewrites who wrote it.
    retitled = push(
        north,
        as_helen,
        change("scan_report", report_id, {"author_id": str(helen.id)}, base=row["row_version"]),
    ).results[0]
    assert retitled.status is Status.REJECTED, (
        "the reviewer rewrote the trainee's report's author_id to herself"
    )
    row = stored(db, "scan_report", report_id)
    signed_at = datetime.now(UTC).replace(microsecond=0)
    verified = {"status": "signed", "verified_by": helen.id, "signed_by": helen.id}
    seal = sealed("scan_report", {**dict(row), **verified, "signed_at": signed_at})
    verify = push(
        north,
        as_helen,
        change(
            "scan_report",
            report_id,
            {
                **{k: str(v) for k, v in verified.items()},
                "signed_at": signed_at.isoformat(),
                "content_sha256": seal["content_sha256"],
            },
            base=row["row_version"],
        ),
    ).results[0]
    final = stored(db, "scan_report", report_id)
    # Her verification of the trainee's report, as the trainee wrote it, stands.
    assert verify.status is Status.APPLIED, verify.reason
    assert (final["author_id"], final["verified_by"]) == (sam.id, helen.id)
