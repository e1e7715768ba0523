"""Two registrations of one person merged, as the merge row arrives by sync."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from clinic_app.container import Services
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.session import Actor
from clinic_app.people.model import Patient, PatientMerge
from clinic_app.people.text import search_key


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


def renamed(services: Services, patient: uuid.UUID, family_name: str) -> None:
    """``patient``'s record now gives ``family_name`` (as another clinic registered them)."""
    table = Patient.__table__
    with services.context.store.engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == patient)
            .values(family_name=family_name, family_key=search_key(family_name))
        )
