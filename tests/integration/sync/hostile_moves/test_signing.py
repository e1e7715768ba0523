"""Signing and verifying a scan report, pushed as the app would never push them.

Whoever takes a record to signed is its signer; an author signing alone records no verdict on
their own report; a supervisor verifying adds her verdict and seal and leaves what the trainee
wrote as it was. A tampered laptop could push each of these otherwise, and every laptop, the
printed report and the SR sent to the PACS would then say what nobody signed.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from clinic_app.kernel.security import keychain
from clinic_app.sync.protocol import Status
from tests.integration.sync.hostile_moves.helpers import change, now, push, stored, token
from tests.support.server_push import sealed
from tests.support.sync_server import Device, SyncServer, sign_in
from tests.support.two_sites import PASSWORD, register

pytestmark = pytest.mark.timeout(300)

_WRITTEN = {"findings": "Full-thickness tear.", "impression": "Supraspinatus tear."}


def _study(patient: uuid.UUID) -> dict[str, Any]:
    return {
        "patient_id": str(patient),
        "study_uid": f"2.25.{uuid.uuid4().int}",
        "started_at": now(),
        "description": "US shoulder",
        "purpose": "clinical",
        "deleted": False,
    }


def _report(study: uuid.UUID, patient: uuid.UUID, author: uuid.UUID, **more: Any) -> dict[str, Any]:
    return {
        "study_id": str(study),
        "patient_id": str(patient),
        "author_id": str(author),
        "status": "draft",
        "version": 1,
        "content": _WRITTEN,
        "deleted": False,
        **more,
    }


def _signing(row: Any, **values: Any) -> dict[str, Any]:
    """A change taking ``row`` to signed with ``values`` (by column), its seal matching."""
    signed_at = datetime.now(UTC).replace(microsecond=0)
    whole = {**dict(row), "status": "signed", "signed_at": signed_at, **values}
    fields = {
        "status": "signed",
        "signed_at": signed_at.isoformat(),
        "content_sha256": sealed("scan_report", whole)["content_sha256"],
    }
    fields.update({k: str(v) if isinstance(v, uuid.UUID) else v for k, v in values.items()})
    return fields


def _new_report(
    device: Device, user_token: str, patient: uuid.UUID, author: uuid.UUID, **more: Any
) -> uuid.UUID:
    study, report = uuid.uuid4(), uuid.uuid4()
    results = push(
        device,
        user_token,
        change("imaging_study", study, _study(patient), op="insert"),
        change("scan_report", report, _report(study, patient, author, **more), op="insert"),
    ).results
    assert [r.status for r in results] == [Status.APPLIED] * 2, results
    return report


def test_a_report_is_signed_by_whoever_signs_it_and_records_no_verdict_of_its_author(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, _ = two_patients
    ann = north.actor.id
    report = _new_report(north, token(north), mine, ann)
    row = stored(db, "scan_report", report)
    attempts = {
        # Signed, with nobody named as its signer.
        "sync.nobody_named": _signing(row, signed_by=None),
        # Signed alone, and marked verified by its own author, with a verdict.
        "sync.step_columns": _signing(
            row, signed_by=ann, verified_by=ann, agreement="agree", supervision_mode="present"
        ),
    }
    for reason, fields in attempts.items():
        result = push(
            north, token(north), change("scan_report", report, fields, base=row["row_version"])
        ).results[0]
        assert (result.status, result.reason) == (Status.REJECTED, reason)
        assert stored(db, "scan_report", report)["status"] == "draft"
    signed = push(
        north,
        token(north),
        change("scan_report", report, _signing(row, signed_by=ann), base=row["row_version"]),
    ).results[0]
    assert signed.status is Status.APPLIED
    final = stored(db, "scan_report", report)
    assert (final["status"], final["signed_by"], final["verified_by"]) == ("signed", ann, None)


def test_a_supervisor_verifying_leaves_the_trainees_words_as_they_were(
    server: SyncServer, north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    mine, _ = two_patients
    server.add_user("sam", "Sam Example", "trainee", PASSWORD)
    server.add_user("helen", "Helen Example", "supervisor", PASSWORD)
    sam = sign_in(north, "sam", PASSWORD)
    helen = sign_in(north, "helen", PASSWORD)
    as_sam = keychain.sync_token(north.device_id, sam.id)
    as_helen = keychain.sync_token(north.device_id, helen.id)
    assert as_sam
    assert as_helen
    report = _new_report(
        north, as_sam, mine, sam.id, status="submitted", supervisor_id=str(helen.id)
    )
    row = stored(db, "scan_report", report)
    verdict = {"verified_by": helen.id, "agreement": "agree", "supervision_mode": "present"}
    rewritten = {"findings": "Normal tendon.", "impression": "No tear."}
    result = push(
        north,
        as_helen,
        change(
            "scan_report",
            report,
            _signing(row, content=rewritten, signed_by=helen.id, **verdict),
            base=row["row_version"],
        ),
    ).results[0]
    assert (result.status, result.reason) == (Status.REJECTED, "sync.step_columns")
    assert stored(db, "scan_report", report)["content"] == _WRITTEN
    # Her verdict and her own words, as the app verifies it: taken.
    verified = push(
        north,
        as_helen,
        change(
            "scan_report",
            report,
            _signing(row, signed_by=helen.id, supervisor_words="Agree.", **verdict),
            base=row["row_version"],
        ),
    ).results[0]
    assert verified.status is Status.APPLIED
    final = stored(db, "scan_report", report)
    assert (final["content"], final["verified_by"], final["author_id"]) == (
        _WRITTEN,
        helen.id,
        sam.id,
    )


def _image(device: Device, patient: uuid.UUID, study: uuid.UUID) -> uuid.UUID:
    """An image of ``study`` (``patient``'s), its file on the server: the image's id."""
    data = b"DICM" + uuid.uuid4().bytes * 64
    sha256 = hashlib.sha256(data).hexdigest()
    device.transport.upload_piece(sha256, 0, data)
    device.transport.complete_file(sha256, len(data))
    attachment, image = uuid.uuid4(), uuid.uuid4()
    made = push(
        device,
        token(device),
        change("imaging_study", study, _study(patient), op="insert"),
        change(
            "attachment",
            attachment,
            {
                "patient_id": str(patient),
                "sha256": sha256,
                "size": len(data),
                "media_type": "application/dicom",
                "filename": "image.dcm",
                "deleted": False,
            },
            op="insert",
        ),
        change(
            "image_instance",
            image,
            {
                "study_id": str(study),
                "attachment_id": str(attachment),
                "sop_class_uid": "1.2.840.10008.5.1.4.1.1.6.1",
                "sop_instance_uid": f"2.25.{uuid.uuid4().int}",
                "series_uid": f"2.25.{uuid.uuid4().int}",
                "source": "grabbed",
                "deleted": False,
            },
            op="insert",
        ),
    ).results
    assert [r.status for r in made] == [Status.APPLIED] * 3, made
    return image


def test_a_report_names_images_of_its_own_study_only(
    north: Device, db: Engine, two_patients: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """Its key images show under the banner and its SR points at them: never another's."""
    mine, _ = two_patients
    other = register(north, "9990000042", "Otherside")
    north.client.sync_once()
    ann = north.actor.id
    theirs = _image(north, other, uuid.uuid4())
    study = uuid.uuid4()
    own = _image(north, mine, study)
    report = uuid.uuid4()

    def content(image: uuid.UUID) -> dict[str, Any]:
        measured = {"label": "Tear", "mm": 9.0, "instance_id": str(image), "frame": 0}
        return {**_WRITTEN, "key_images": [str(image)], "measurements": [measured]}

    made = push(
        north,
        token(north),
        change("scan_report", report, _report(study, mine, ann, content=content(own)), op="insert"),
    ).results[0]
    assert made.status is Status.APPLIED
    row = stored(db, "scan_report", report)
    for fields in (
        {"content": content(theirs)},
        {"content": {**_WRITTEN, "key_images": [str(own), str(theirs)]}},
        _signing(row, content=content(theirs), signed_by=ann),
    ):
        result = push(
            north, token(north), change("scan_report", report, fields, base=row["row_version"])
        ).results[0]
        assert (result.status, result.reason) == (Status.REJECTED, "sync.wrong_patient")
    assert stored(db, "scan_report", report)["content"] == content(own)
