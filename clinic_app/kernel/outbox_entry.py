"""The transactional outbox: every change to a syncable row, queued in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, utcnow
from clinic_app.kernel.ids import uuid7


class OutboxEntry(Base):
    """One change waiting to be pushed to the server.

    ``seq`` is this device's gap-free change counter; ``idempotency_key`` lets the server
    apply a retried push once. An entry is removed only when the server acknowledged it.
    """

    __tablename__ = "sync_outbox"
    # AUTOINCREMENT: SQLite never hands out a number again, even after acknowledged
    # entries are removed, so (device, seq) names one change for ever.
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid7)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[uuid.UUID] = mapped_column(index=True)
    operation: Mapped[str] = mapped_column(String(12))
    changed: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_version: Mapped[int] = mapped_column(Integer)
    new_version: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
