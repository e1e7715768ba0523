"""Devices: enrolled by themselves, approved or revoked by an administrator.

A device holds a random token (kept in its OS keychain); the server keeps only the token's
SHA-256, so a copy of the server database cannot be used to pose as a device.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied
from clinic_app.sync.model import SyncDevice

PENDING, APPROVED, REVOKED = "pending", "approved", "revoked"
NAME_MAX = 64
#: How finely a device's last contact is kept (``device list`` shows it).
SEEN_TO = timedelta(minutes=1)


def clean_name(name: str) -> str:
    """A device's name as kept: printable characters only, spaces collapsed, at most 64.

    A name is typed on the device and shown to an administrator in a terminal, so control
    characters (terminal escape codes, new lines) never get in.
    """
    printable = "".join(char if char.isprintable() else " " for char in name)
    return " ".join(printable.split())[:NAME_MAX].strip() or "unnamed device"


def shown_name(name: str) -> str:
    """A stored name made safe to print: anything not printable shown as an escape."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in name
    )


def token_digest(token: str) -> str:
    """What the server stores of a device token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class DeviceView:
    """A device as an administrator sees it."""

    id: uuid.UUID
    name: str
    status: str
    enrolled_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    last_seen_at: datetime | None


def enrol(conn: Connection, device_id: uuid.UUID, name: str) -> str:
    """Register a new device, waiting for approval; returns its token (shown once).

    Raises:
        Conflict: ``device.exists`` when the device is already known (an administrator
            revokes it first, and the device enrols under a new id).
    """
    known = conn.execute(select(SyncDevice.id).where(SyncDevice.id == device_id)).first()
    if known is not None:
        raise Conflict("device.exists")
    token = secrets.token_urlsafe(32)
    conn.execute(
        insert(SyncDevice).values(
            id=device_id,
            name=clean_name(name),
            status=PENDING,
            token_sha256=token_digest(token),
            enrolled_at=utcnow(),
        )
    )
    return token


def authenticate(conn: Connection, token: str, *, approved: bool = True) -> uuid.UUID:
    """The device a token belongs to.

    Raises:
        AuthenticationFailed: ``device.unknown`` for a token the server never issued.
        PermissionDenied: ``device.revoked``, or ``device.not_approved`` when ``approved``.
    """
    row = conn.execute(
        select(SyncDevice.id, SyncDevice.status, SyncDevice.last_seen_at).where(
            SyncDevice.token_sha256 == token_digest(token)
        )
    ).first()
    if row is None:
        raise AuthenticationFailed("device.unknown")
    if row.status == REVOKED:
        raise PermissionDenied("device.revoked")
    if approved and row.status != APPROVED:
        raise PermissionDenied("device.not_approved")
    now = utcnow()
    # Last seen to the minute: a sync round's dozens of requests write it once, not each.
    if row.last_seen_at is None or now - _aware(row.last_seen_at) >= SEEN_TO:
        conn.execute(update(SyncDevice).where(SyncDevice.id == row.id).values(last_seen_at=now))
    return uuid.UUID(str(row.id))


def _aware(moment: datetime) -> datetime:
    """A stored time as UTC (SQLite hands it back without its zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def status_of(conn: Connection, device_id: uuid.UUID) -> str:
    """A device's status."""
    status = conn.execute(select(SyncDevice.status).where(SyncDevice.id == device_id)).scalar()
    if status is None:
        raise NotFound("device.not_found")
    return str(status)


def decide(conn: Connection, device_id: uuid.UUID, status: str, by: str) -> None:
    """Approve or revoke a device (a revoked device is refused from then on, for good).

    Raises:
        NotFound: ``device.not_found``.
        Conflict: ``device.revoked`` to approve a device that was revoked.
    """
    current = status_of(conn, device_id)
    if current == REVOKED and status != REVOKED:
        raise Conflict("device.revoked")
    conn.execute(
        update(SyncDevice)
        .where(SyncDevice.id == device_id)
        .values(status=status, decided_at=utcnow(), decided_by=by[:64])
    )


def list_devices(conn: Connection) -> list[DeviceView]:
    """Every device, newest enrolment first."""
    rows = conn.execute(select(SyncDevice).order_by(SyncDevice.enrolled_at.desc())).all()
    return [
        DeviceView(
            id=row.id,
            name=row.name,
            status=row.status,
            enrolled_at=row.enrolled_at,
            decided_at=row.decided_at,
            decided_by=row.decided_by,
            last_seen_at=row.last_seen_at,
        )
        for row in rows
    ]
