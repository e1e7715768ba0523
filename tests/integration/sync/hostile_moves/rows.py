"""Hand-made rows for hostile pushes, as a tampered laptop would send them."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import Engine

from clinic_app.sync.protocol import Status
from clinic_app.sync.wire import synced_table
from tests.integration.sync.hostile_moves.helpers import change, now, push, stored, token
from tests.support.sync_server import Device


def study(patient: uuid.UUID) -> dict[str, Any]:
    return {
        "patient_id": str(patient),
        "study_uid": f"2.25.{uuid.uuid4().int}",
        "started_at": now(),
        "description": "US shoulder",
        "purpose": "clinical",
        "deleted": False,
    }


def upload(device: Device, data: bytes) -> str:
    """Put a file's bytes on the server from ``device``; its SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    device.transport.upload_piece(sha256, 0, data)
    device.transport.complete_file(sha256, len(data))
    return sha256


def attachment(patient: uuid.UUID | None, sha256: str, size: int) -> dict[str, Any]:
    return {
        "patient_id": str(patient) if patient else None,
        "sha256": sha256,
        "size": size,
        "media_type": "application/dicom",
        "filename": "image.dcm",
        "deleted": False,
    }


def instance(study_id: uuid.UUID, attachment_id: uuid.UUID) -> dict[str, Any]:
    return {
        "study_id": str(study_id),
        "attachment_id": str(attachment_id),
        "sop_class_uid": "1.2.840.10008.5.1.4.1.1.6.1",
        "sop_instance_uid": f"2.25.{uuid.uuid4().int}",
        "series_uid": f"2.25.{uuid.uuid4().int}",
        "source": "grabbed",
        "deleted": False,
    }


def imaged(
    device: Device, patient: uuid.UUID, user_token: str | None = None
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, str]:
    """A study of ``patient`` with one image, its file on the server, pushed by ``device``.

    Returns (study id, attachment id, image id, the file's SHA-256).
    """
    data = b"DICM" + uuid.uuid4().bytes * 64
    sha256 = upload(device, data)
    study_id, attachment_id, image_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    made = push(
        device,
        user_token or token(device),
        change("imaging_study", study_id, study(patient), op="insert"),
        change("attachment", attachment_id, attachment(patient, sha256, len(data)), op="insert"),
        change("image_instance", image_id, instance(study_id, attachment_id), op="insert"),
    ).results
    assert [r.status for r in made] == [Status.APPLIED] * 3, made
    return study_id, attachment_id, image_id, sha256


def copied(db: Engine, table: str, row_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    """The server's row as wire fields (no id or version), with ``overrides`` put in."""
    row = dict(stored(db, table, row_id))
    row.update(overrides)
    fields = synced_table(table).encode(row)
    for name in ("id", "row_version"):
        fields.pop(name, None)
    return dict(fields)
