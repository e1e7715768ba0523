"""Who is acting: the signed-in user as every service call receives them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from clinic_app.kernel.vocabulary import Role


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user, as every service call receives it."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    site_id: uuid.UUID | None = None
    site_name: str | None = None
