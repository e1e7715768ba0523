"""A service's own settings, shared by every device of the service through sync."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, Syncable

#: Settings ids are derived from their key, so two devices that first save the same
#: setting offline make the same row, and sync merges it field by field.
SETTINGS_NAMESPACE = uuid.UUID("5f0c1c53-8f0e-4d55-9a55-2f4b6f8a9c01")


def setting_id(key: str) -> uuid.UUID:
    """The row id of the setting called ``key``."""
    return uuid.uuid5(SETTINGS_NAMESPACE, key)


class ServiceSetting(Syncable, Base):
    """One named setting of the service, e.g. its own waiting-time amounts."""

    __tablename__ = "service_setting"

    key: Mapped[str] = mapped_column(String(80), unique=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
