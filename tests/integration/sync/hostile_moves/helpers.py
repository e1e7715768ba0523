"""Pushing hand-made changes as the app would never send them, and reading the server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from clinic_app.domains.triage.views import TriageInput
from clinic_app.kernel.security import keychain
from clinic_app.people.model import Patient
from clinic_app.people.views import ReferralInput
from clinic_app.sync.model import SyncDevicePatient
from clinic_app.sync.protocol import Change, PushRequest, PushResponse
from clinic_app.sync.wire import synced_table
from tests.support.sync_server import Device


def refer_and_triage(device: Device, patient_id: uuid.UUID) -> uuid.UUID:
    referral = device.services.referrals.create(
        device.actor,
        ReferralInput(
            patient_id=patient_id,
            source="gp",
            received_on="2026-01-20",
            referrer_name="Dr A Hughes",
            reason="Knee pain on stairs, worse for a month",
            specialty="physiotherapy",
        ),
    ).id
    device.services.triage.triage(
        device.actor,
        referral,
        TriageInput(outcome="appointment", priority="routine", pathway="physiotherapy"),
    )
    return referral


def has(device: Device, patient_id: uuid.UUID) -> bool:
    """The laptop's own store holds the patient."""
    with device.services.context.store.sessions() as session:
        return session.get(Patient, patient_id) is not None


def token(device: Device) -> str:
    """The signed-in user's sync token on this laptop."""
    found = keychain.sync_token(device.device_id, device.actor.id)
    assert found
    return found


def push(device: Device, user_token: str | None, *changes: Change) -> PushResponse:
    return device.transport.push(PushRequest(uuid.uuid4(), changes), user_token)


def change(
    table: str, row_id: uuid.UUID, fields: dict[str, Any], *, base: int = 0, op: str = "update"
) -> Change:
    return Change(uuid.uuid4(), table, row_id, op, base, fields)


def now() -> str:
    return datetime.now(UTC).isoformat()


def stored(db: Engine, table: str, row_id: uuid.UUID) -> Any:
    """The row as the server holds it (None if it has none)."""
    rows = synced_table(table).table
    with db.connect() as conn:
        return conn.execute(select(rows).where(rows.c.id == row_id)).mappings().first()


def holds(db: Engine, device: Device, patient_id: uuid.UUID) -> bool:
    """The server counts the laptop as holding the patient."""
    with db.connect() as conn:
        found = conn.execute(
            select(SyncDevicePatient.patient_id).where(
                SyncDevicePatient.device_id == device.device_id,
                SyncDevicePatient.patient_id == patient_id,
            )
        ).first()
    return found is not None
