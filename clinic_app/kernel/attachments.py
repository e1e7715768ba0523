"""Files kept with the record (images, PDFs): a syncing row, its bytes kept apart.

The row names the file by its SHA-256; the bytes live in ``attachment_chunk`` rows of the
device's encrypted store (so they are encrypted at rest like everything else) and travel
to the server separately, in resumable chunks, checked by hash on arrival.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable
from clinic_app.kernel.signed import AppendOnly


class Attachment(AppendOnly, Syncable, Base):
    """A file in a patient's record, named by the SHA-256 of its bytes; never changed."""

    __tablename__ = "attachment"

    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("patient.id"), default=None, index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))


class AttachmentChunk(Base):
    """On a device: one piece of a file's bytes (local only; files sync by their own path)."""

    __tablename__ = "attachment_chunk"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
