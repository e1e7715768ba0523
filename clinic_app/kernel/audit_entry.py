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
    chain: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """1: plain SHA-256 seal; 2: HMAC under the store's audit key (``security.audit``)."""
    operator: Mapped[str | None] = mapped_column(String(64), default=None)
    """Who ran a command-line action (there is no signed-in user to name)."""


class ServiceAuditEntry(Base):
    """On the server: every device's audit entries as shipped, append-only, per device.

    ``(device_id, seq)`` is each device's own chain; the server checks that what arrives
    continues the last head it holds and never rewrites it (``server.audit_store``). The
    server's own command-line actions form one more chain under ``SERVER_CHAIN``.
    """

    __tablename__ = "audit_service_entry"

    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    id: Mapped[uuid.UUID]
    at: Mapped[datetime]
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    action: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str | None] = mapped_column(String(64), default=None)
    entity_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    operator: Mapped[str | None] = mapped_column(String(64), default=None)
    chain: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRefusal(Base):
    """On the server: a shipment of audit entries refused (a gap, a rewrite or a fork)."""

    __tablename__ = "audit_refusal"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    device_id: Mapped[uuid.UUID]
    seq: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(48))
    at: Mapped[datetime] = mapped_column(default=utcnow)
