"""The contact note and the signed addenda that follow it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable
from clinic_app.kernel.signed import AppendOnly, Signable
from clinic_app.records.sections_record import SectionsRecordColumns


class ContactNote(SectionsRecordColumns, Signable, Syncable, Base):
    """The note of one follow-up contact: subjective, objective, treatment given, plan.

    Drafted and signed by its author like an assessment; after signing it never changes and
    is added to by addenda.
    """

    __tablename__ = "contact_note"

    care_contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("care_contact.id"), default=None, index=True
    )
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointment.id"), default=None, index=True
    )


class ContactNoteAddendum(AppendOnly, Syncable, Base):
    """A later note on a signed contact note, signed when written and never changed.

    Its digest covers the note's digest, so it points at exactly the version it adds to.
    """

    __tablename__ = "contact_note_addendum"

    contact_note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contact_note.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime]
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    sha256: Mapped[str] = mapped_column(String(64))
