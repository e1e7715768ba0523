"""Bookkeeping of sync: the server's change log and devices, and each device's sync state.

None of these rows sync themselves. The server uses ``sync_device``, ``sync_counter``,
``sync_change``, ``sync_push_receipt``, ``sync_field_versions`` and ``sync_conflict``; a
device uses ``sync_row_state`` and ``sync_issue``. Both sides share one schema (and one set of
migrations), so each simply leaves the other's tables empty.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.kernel.base import Base, utcnow
from clinic_app.kernel.ids import uuid7


class SyncDevice(Base):
    """A device enrolled with the server: pending until an admin approves it; revocable."""

    __tablename__ = "sync_device"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)


class SyncCounter(Base):
    """The last change number handed out; its row lock makes the numbers gap-free."""

    __tablename__ = "sync_counter"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class SyncChange(Base):
    """The server's change log: every applied change gets the next number, with no gaps.

    Devices pull ``seq > cursor`` in order; the row itself is read as it now stands.
    """

    __tablename__ = "sync_change"
    __table_args__ = (Index("ix_sync_change_table_row", "table_name", "row_id"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[uuid.UUID]
    row_version: Mapped[int] = mapped_column(Integer)
    device_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The patient the row belongs to when it changed (empty for reference data), and a
    #: second one for a row naming two (a merge) or the patient a moved row left.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    other_patient_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class SyncDevicePatient(Base):
    """On the server: a patient whose record a device holds (its scope, as last confirmed).

    Changes to a patient's rows are sent only to devices that hold that patient. A device
    confirms each patient it has taken in (with the rows as they stood) and each it has let
    go (once nothing of theirs was waiting to be pushed).
    """

    __tablename__ = "sync_device_patient"

    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    #: Why it came: ``scope`` (a rule in the service's settings), ``opened`` (fetched on
    #: demand) or ``written`` (the device pushed a change to the record).
    reason: Mapped[str] = mapped_column(String(12))
    since: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The change number the laptop's copy of the record stood at when it was taken in:
    #: only later changes are sent to it.
    as_of: Mapped[int] = mapped_column(BigInteger, default=0)


class SyncPushReceipt(Base):
    """A push batch's idempotency key with the answer given, so a retry is answered the same."""

    __tablename__ = "sync_push_receipt"

    batch_key: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID]
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncFieldVersions(Base):
    """For one row on the server: the row version at which each field last changed, and by whom.

    ``fields`` maps a column to ``[version, device id]``; a device's change whose base is older
    than a field's version, from another device, touches a field changed concurrently.
    """

    __tablename__ = "sync_field_versions"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SyncConflict(Base):
    """The same field changed on two devices: both values kept until a person chooses."""

    __tablename__ = "sync_conflict"
    __table_args__ = (Index("ix_sync_conflict_status", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[uuid.UUID]
    field: Mapped[str] = mapped_column(String(64))
    server_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    server_changed_by_device: Mapped[uuid.UUID | None] = mapped_column(default=None)
    server_version: Mapped[int] = mapped_column(Integer)
    device_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    device_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="open")
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class SyncRowState(Base):
    """On a device: the server's version of a row as last seen (the base of the next push)."""

    __tablename__ = "sync_row_state"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    server_version: Mapped[int] = mapped_column(Integer)


class SyncIssue(Base):
    """On a device: a change the server rejected (quarantined, never deleted) or conflicted."""

    __tablename__ = "sync_issue"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    kind: Mapped[str] = mapped_column(String(12))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[uuid.UUID] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    change: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved: Mapped[bool] = mapped_column(default=False)


class SyncUserLogin(Base):
    """On the server: a user signed in online on a device (the user's token kept as SHA-256).

    A user may sign in offline only on a device where such a sign-in happened before.
    """

    __tablename__ = "sync_user_login"

    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ServerSignInFailure(Base):
    """On the server: failed online sign-ins under one user name, and any lockout in force.

    Kept in the database, not in the server process, so a restart does not reset them and
    every server process shares them. The name is kept as its SHA-256 (whatever was typed).
    """

    __tablename__ = "server_sign_in_failure"

    name_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ServerEnrolment(Base):
    """On the server: an enrolment let through, by client address, for the rate limit's window."""

    __tablename__ = "server_enrolment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
