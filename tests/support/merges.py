"""Two registrations of one person merged, as the merge row arrives by sync."""

from __future__ import annotations

import uuid

from clinic_app.container import Services
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.session import Actor
from clinic_app.people.model import PatientMerge


def merged_by_sync(services: Services, survivor: uuid.UUID, merged: uuid.UUID) -> None:
    """``merged`` now stands as ``survivor``: a person merged them on another device."""
    with services.context.store.sessions.begin() as session:
        session.actor = Actor(device_id=services.context.device_id)
        session.add(
            PatientMerge(
                survivor_id=survivor,
                merged_id=merged,
                reason="Registered twice",
                merged_at=utcnow(),
            )
        )
