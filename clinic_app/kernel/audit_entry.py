"""The audit trail: append-only, each entry sealed with the hash of the one before."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, utcnow
from clinic_app.kernel.ids import uuid7


class AuditEntry(Base):
    """Who did what to which patient's record, when, on which device. No clinical text.

    The store refuses UPDATE and DELETE on this table (triggers made by the migration);
    ``clinic_app.kernel.security.audit`` appends entries and verifies the chain.
    """

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid7)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    device_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    action: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str | None] = mapped_column(String(64), default=None)
    entity_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
