"""Rows that belong to this device only and never sync: store settings, drafts, throttles."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, utcnow
from clinic_app.kernel.ids import uuid7


class StoreMeta(Base):
    """Key/value facts about this store: its id, this device's id, the audit chain head."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class Draft(Base):
    """Unsaved form content, kept per user so nobody sees or loses another's work."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("user_id", "kind", "subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    user_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(Base):
    """Failed sign-ins per user name on this device, to slow down password guessing."""

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
