"""Files in a patient's record: kept encrypted in the store, synced by their own path."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.kernel.attachments import Attachment
from clinic_app.kernel.current_user import CurrentUser
from clinic_app.kernel.errors import NotFound, ValidationError
from clinic_app.kernel.security.permissions import Action
from clinic_app.kernel.uow import Context, Mode, UnitOfWork
from clinic_app.people.model import Patient
from clinic_app.sync.files import CHUNK_SIZE, read_bytes, store_bytes, stored_size

#: The largest file accepted (a long cine clip fits; a mistaken disk image does not).
MAX_SIZE = 2 * 1024 * 1024 * 1024
_NAME_MAX = 255


class FileSource(Protocol):
    """A file's bytes kept where only a stream reads them (a sealed file, never in the clear)."""

    @property
    def size(self) -> int:
        """The length of the file's bytes."""
        ...

    def open(self) -> BinaryIO:
        """The file's bytes, from the start."""
        ...


@dataclass(frozen=True)
class AttachmentView:
    """A file in the record."""

    id: uuid.UUID
    patient_id: uuid.UUID | None
    sha256: str
    size: int
    media_type: str
    filename: str


def keep_file(
    session: Session,
    patient_id: uuid.UUID | None,
    filename: str,
    media_type: str,
    data: bytes | Path | FileSource,
) -> Attachment:
    """Keep a file's bytes (once per content) and add its row, in the caller's transaction.

    ``data`` is the file's bytes, or a file on disk (or a :class:`FileSource`), which is read
    a chunk at a time (twice: once for its SHA-256, once into the store) and so never held
    whole in memory.

    Raises:
        ValidationError: ``file.empty``, ``file.too_large`` or ``file.no_name``.
        OSError: when a file on disk cannot be read.
    """
    if isinstance(data, bytes):
        size = len(data)
    elif isinstance(data, Path):
        size = data.stat().st_size
    else:
        size = data.size
    if not size:
        raise ValidationError("file.empty", field="file")
    if size > MAX_SIZE:
        raise ValidationError("file.too_large", field="file")
    name = filename.strip()[-_NAME_MAX:]
    if not name:
        raise ValidationError("file.no_name", field="file")
    sha256 = _sha256(data)
    connection = session.connection()
    if stored_size(connection, sha256) != size:
        store_bytes(connection, sha256, _pieces(data))
    row = Attachment(
        patient_id=patient_id,
        sha256=sha256,
        size=size,
        media_type=media_type.strip()[:100] or "application/octet-stream",
        filename=name,
    )
    session.add(row)
    session.flush()
    return row


def _pieces(data: bytes | Path | FileSource) -> Iterator[bytes]:
    """A file's bytes in store-sized chunks, from memory or read from disk as needed."""
    if isinstance(data, bytes):
        yield from (data[i : i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE))
        return
    with data.open("rb") if isinstance(data, Path) else data.open() as stream:
        while chunk := stream.read(CHUNK_SIZE):
            yield chunk


def _sha256(data: bytes | Path | FileSource) -> str:
    digest = hashlib.sha256()
    for piece in _pieces(data):
        digest.update(piece)
    return digest.hexdigest()


def file_named(
    session: Session, patient_id: uuid.UUID, filename: str, media_type: str
) -> Attachment | None:
    """The first file of a patient's record kept under this name and type (None: none yet)."""
    return session.scalars(
        select(Attachment)
        .where(
            Attachment.patient_id == patient_id,
            Attachment.filename == filename,
            Attachment.media_type == media_type,
            Attachment.deleted.is_(False),
        )
        .order_by(Attachment.created_at, Attachment.id)
        .limit(1)
    ).first()


def kept_bytes(session: Session, attachment: Attachment | None) -> bytes | None:
    """A file's bytes, or None while they have not arrived by sync yet (or there is no row)."""
    if attachment is None:
        return None
    connection = session.connection()
    if stored_size(connection, attachment.sha256) != attachment.size:
        return None
    return b"".join(read_bytes(connection, attachment.sha256))


class AttachmentService:
    """Adding a file to a record and reading it back."""

    def __init__(self, context: Context) -> None:
        self._uow = UnitOfWork(context)

    def add(
        self,
        actor: CurrentUser,
        patient_id: uuid.UUID,
        filename: str,
        media_type: str,
        data: bytes,
    ) -> AttachmentView:
        """Keep a file with a patient's record (the same bytes are kept once).

        Raises:
            ValidationError: ``file.empty``, ``file.too_large`` or ``file.no_name``.
            NotFound: ``patient.not_found``.
        """
        with self._uow(actor, Action.ATTACHMENT_ADD) as session:
            patient = session.get(Patient, patient_id)
            if patient is None or patient.deleted:
                raise NotFound("patient.not_found")
            row = keep_file(session, patient.id, filename, media_type, data)
            self._uow.audit(
                session,
                actor,
                "attachment.add",
                patient_id=patient.id,
                entity="attachment",
                entity_id=row.id,
            )
            return AttachmentView(
                row.id, row.patient_id, row.sha256, row.size, row.media_type, row.filename
            )

    def read(self, actor: CurrentUser, attachment_id: uuid.UUID) -> bytes:
        """A file's bytes.

        Raises:
            NotFound: ``attachment.not_found``, or ``file.not_here`` when the row has arrived
                by sync but its bytes have not yet.
        """
        with self._uow(actor, Action.ATTACHMENT_VIEW, mode=Mode.AUDITED_READ) as session:
            row = session.get(Attachment, attachment_id)
            if row is None or row.deleted:
                raise NotFound("attachment.not_found")
            data = kept_bytes(session, row)
            if data is None:
                raise NotFound("file.not_here")
            self._uow.audit(
                session,
                actor,
                "attachment.read",
                patient_id=row.patient_id,
                entity="attachment",
                entity_id=row.id,
            )
            return data
