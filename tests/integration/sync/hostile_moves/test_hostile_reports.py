"""Scan report side rows a tampered laptop makes up: reviews that never happened, SRs of nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from clinic_app.kernel.security import keychain
from clinic_app.sync.protocol import Status
from tests.integration.sync.hostile_moves.helpers import change, push, stored, token
from tests.integration.sync.hostile_moves.rows import imaged, study
from tests.support.sync_server import Device, SyncServer, sign_in
from tests.support.two_sites import PASSWORD, register

pytestmark = pytest.mark.timeout(300)

_WRITTEN = {"findings": "Full-thickness tear.", "impression": "Supraspinatus tear."}


def _report(study_id: uuid.UUID, patient: uuid.UUID, author: uuid.UUID, **more: Any) -> dict:
    return {
        "study_id": str(study_id),
        "patient_id": str(patient),
        "author_id": str(author),
        "status": "draft",
        "version": 1,
        "content": _WRITTEN,
        "deleted": False,
        **more,
    }


def _new_report(
    device: Device, user_token: str, patient: uuid.UUID, author: uuid.UUID, **more: Any
) -> uuid.UUID:
    study_id, report = uuid.uuid4(), uuid.uuid4()
    results = push(
        device,
        user_token,
        change("imaging_study", study_id, study(patient), op="insert"),
        change("scan_report", report, _report(study_id, patient, author, **more), op="insert"),
    ).results
    assert [r.status for r in results] == [Status.APPLIED] * 2, results
    return report


def test_a_supervisors_verified_review_of_a_report_never_submitted_to_her_is_refused(
    server: SyncServer, north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """A "verified" review row for a trainee's draft that nobody submitted or verified.

    The app writes a ``scan_report_review`` only in the verify and return steps, by the named
    supervisor of a submitted report, naming its author as the trainee. Pushed on its own it
    is taken from any supervisor for any report, naming any trainee: Sam's logbook (the
    count of verified scans and agreement a trainee is signed off on) gains a supervised,
    agreed scan though the report is still his unsubmitted draft. README: a change is taken
    only if the user may make it by "each record type's lifecycle ... a trainee never
    verifies, a verifier is never the author"; ``authorise.TABLE_RULES['scan_report_review']``
    asks only for the verify permission and the reviewer's own id.
    """
    mine, _ = two_patients
    server.add_user("sam", "Sam Example", "trainee", PASSWORD)
    server.add_user("helen", "Helen Example", "supervisor", PASSWORD)
    sam = sign_in(north, "sam", PASSWORD)
    helen = sign_in(north, "helen", PASSWORD)
    as_sam = keychain.sync_token(north.device_id, sam.id)
    as_helen = keychain.sync_token(north.device_id, helen.id)
    assert as_sam
    assert as_helen
    report = _new_report(north, as_sam, mine, sam.id)  # a draft, submitted to nobody

    review = uuid.uuid4()
    result = push(
        north,
        as_helen,
        change(
            "scan_report_review",
            review,
            {
                "report_id": str(report),
                "reviewer_id": str(helen.id),
                "trainee_id": str(sam.id),
                "outcome": "verified",
                "feedback": "",
                "supervision_mode": "present",
                "agreement": "agree",
                "reviewed_at": datetime.now(UTC).isoformat(),
            },
            op="insert",
        ),
    ).results[0]

    assert stored(db, "scan_report", report)["status"] == "draft"
    assert result.status is Status.REJECTED, result
    assert stored(db, "scan_report_review", review) is None


def test_a_kept_dicom_row_for_an_unsigned_report_naming_another_patients_image_is_refused(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """A ``scan_report_dicom`` row ("this final version is kept as this SR") for a draft.

    The app makes it only in the transaction that signs or verifies a report, naming the SR
    image it has just made in the report's own study. Pushed alone it is taken for a report
    that is not signed, naming as its SR an image of another patient (its instance ids are
    not foreign keys and nothing checks them). The report then reads as final with another
    patient's object as its SR, and (``report_id`` being unique) the SR made when it is
    really signed can no longer be stored. README: "a record links only to its own patient's
    records (``sync.wrong_patient``)", "a report's key images ... are images of its own
    study"; ``authorise.TABLE_RULES['scan_report_dicom']`` checks only the sign permission.
    """
    mine, _ = two_patients
    other = register(north, "9990000042", "Otherside")
    north.client.sync_once()
    _, _, others_image, _ = imaged(north, other)
    report = _new_report(north, token(north), mine, north.actor.id)

    kept = uuid.uuid4()
    result = push(
        north,
        token(north),
        change(
            "scan_report_dicom",
            kept,
            {"report_id": str(report), "sr_instance_id": str(others_image)},
            op="insert",
        ),
    ).results[0]

    assert stored(db, "scan_report", report)["status"] == "draft"
    assert result.status is Status.REJECTED, result
    assert stored(db, "scan_report_dicom", kept) is None
