"""The service's audit trail on the server: every device's chain, append-only, checked.

A device ships its entries in order. Each must continue the chain the server holds for that
device: the next sequence number, linked to the last hash held. An entry the server already
holds must arrive unchanged. Anything else is refused whole, and the refusal is kept:

- ``audit.gap``: entries missing between the head held and what arrived;
- ``audit.rewrite``: an entry the server holds arrived with a different seal;
- ``audit.fork``: the next entry does not link to the head held (the chain was re-sealed
  or branched below it);
- ``audit.broken``: the shipment's own entries do not link to each other, or a plain
  (version 1) entry's seal does not match its fields;
- ``audit.wrong_device``: an entry names another device;
- ``audit.wrong_user``: an entry names a user of the service who never signed in on the
  device (or its chain is of no version the server knows: ``audit.broken``).

The server cannot recompute a keyed (version 2) seal, since the key stays on the laptop; it
holds the heads, which is what makes a rewritten laptop chain visible.

The server's own command-line actions form one more chain, under ``SERVER_CHAIN``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, insert, or_, select, text

from clinic_app.kernel.audit_entry import AuditRefusal, ServiceAuditEntry
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import Conflict
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.security.audit import CHAIN_KEYED, CHAIN_PLAIN, GENESIS, entry_hash
from clinic_app.kernel.staff import User
from clinic_app.people.audit_log import TrailLine
from clinic_app.people.duplicates import identities_of, standing_for_number
from clinic_app.sync.audit_ship import ShippedEntry
from clinic_app.sync.model import SyncDevice, SyncUserLogin

SERVER_CHAIN = uuid.UUID(int=1)
#: The PostgreSQL advisory lock that keeps the server's own chain in order.
_SERVER_CHAIN_LOCK = 0x0A5D17
"""The device id under which the server's own command-line actions are chained."""


class AuditRefused(Conflict):
    """A shipment that does not continue the chain held; ``seq`` is where it went wrong."""


def head(conn: Connection, device_id: uuid.UUID) -> tuple[int, str]:
    """The last sequence number and hash held for a device (``0`` and the genesis if none)."""
    row = conn.execute(
        select(ServiceAuditEntry.seq, ServiceAuditEntry.hash)
        .where(ServiceAuditEntry.device_id == device_id)
        .order_by(ServiceAuditEntry.seq.desc())
        .limit(1)
    ).first()
    return (0, GENESIS) if row is None else (int(row.seq), str(row.hash))


def _held_hash(conn: Connection, device_id: uuid.UUID, seq: int) -> str | None:
    return conn.execute(
        select(ServiceAuditEntry.hash).where(
            ServiceAuditEntry.device_id == device_id, ServiceAuditEntry.seq == seq
        )
    ).scalar()


def _plain_seal(entry: ShippedEntry) -> str:
    return entry_hash(
        seq=entry.seq,
        entry_id=entry.id,
        at=entry.at,
        device_id=entry.device_id,
        user_id=entry.user_id,
        patient_id=entry.patient_id,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        prev_hash=entry.prev_hash,
    )


def _strangers(
    conn: Connection, device_id: uuid.UUID, entries: Sequence[ShippedEntry]
) -> set[uuid.UUID]:
    """Users of the service named by the entries who never signed in on this device.

    A user signs in on a laptop (even offline) only after an online sign-in there, so an
    entry of the laptop's naming any other user of the service is not the laptop's to make.
    A name the server does not know (a laptop's own set-up account) cannot be checked.
    """
    named = {entry.user_id for entry in entries if entry.user_id is not None}
    if not named or device_id == SERVER_CHAIN:
        return set()
    known = set(conn.execute(select(User.id).where(User.id.in_(named))).scalars())
    if not known:
        return set()
    signed_in = set(
        conn.execute(
            select(SyncUserLogin.user_id).where(
                SyncUserLogin.device_id == device_id, SyncUserLogin.user_id.in_(known)
            )
        ).scalars()
    )
    return known - signed_in


def _check(
    conn: Connection, device_id: uuid.UUID, entries: Sequence[ShippedEntry]
) -> list[ShippedEntry]:
    """The entries not held yet, after checking the whole shipment continues the chain."""
    last_seq, last_hash = head(conn, device_id)
    strangers = _strangers(conn, device_id, entries)
    new: list[ShippedEntry] = []
    for entry in entries:
        if entry.device_id != device_id:
            raise AuditRefused("audit.wrong_device", seq=entry.seq)
        if entry.chain not in (CHAIN_PLAIN, CHAIN_KEYED):
            raise AuditRefused("audit.broken", seq=entry.seq)
        if entry.chain == CHAIN_PLAIN and _plain_seal(entry) != entry.hash:
            raise AuditRefused("audit.broken", seq=entry.seq)
        if entry.user_id in strangers:
            raise AuditRefused("audit.wrong_user", seq=entry.seq)
        if entry.seq <= last_seq and not new:
            held = _held_hash(conn, device_id, entry.seq)
            if held != entry.hash:
                raise AuditRefused("audit.rewrite", seq=entry.seq)
            continue
        if entry.seq != last_seq + 1:
            raise AuditRefused("audit.gap", seq=entry.seq)
        if entry.prev_hash != last_hash:
            raise AuditRefused("audit.fork" if not new else "audit.broken", seq=entry.seq)
        new.append(entry)
        last_seq, last_hash = entry.seq, entry.hash
    return new


def receive(
    conn: Connection, device_id: uuid.UUID, entries: Sequence[ShippedEntry]
) -> tuple[int, str]:
    """Append what continues the device's chain; the head now held.

    Raises:
        AuditRefused: the shipment does not continue the chain (nothing is appended).
    """
    new = _check(conn, device_id, entries)
    if new:
        now = utcnow()
        conn.execute(
            insert(ServiceAuditEntry),
            [
                {
                    "device_id": device_id,
                    "seq": e.seq,
                    "id": e.id,
                    "at": e.at,
                    "user_id": e.user_id,
                    "patient_id": e.patient_id,
                    "action": e.action,
                    "entity": e.entity,
                    "entity_id": e.entity_id,
                    "operator": e.operator,
                    "chain": e.chain,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                    "received_at": now,
                }
                for e in new
            ],
        )
    return head(conn, device_id)


def record_refusal(conn: Connection, device_id: uuid.UUID, error: AuditRefused) -> None:
    """Keep a refused shipment's code and place (in its own transaction)."""
    seq = error.params.get("seq", 0)
    conn.execute(
        insert(AuditRefusal).values(
            id=uuid7(),
            device_id=device_id,
            seq=seq if isinstance(seq, int) else 0,
            code=error.code,
            at=utcnow(),
        )
    )


def refusals(conn: Connection) -> list[tuple[datetime, uuid.UUID, int, str]]:
    """Every refused shipment, newest first: when, device, where, code."""
    rows = conn.execute(
        select(
            AuditRefusal.at, AuditRefusal.device_id, AuditRefusal.seq, AuditRefusal.code
        ).order_by(AuditRefusal.at.desc())
    ).all()
    return [(row.at, row.device_id, int(row.seq), str(row.code)) for row in rows]


def record_server_action(
    conn: Connection,
    *,
    operator: str,
    action: str,
    entity: str | None = None,
    entity_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
) -> None:
    """Chain one of the server's own actions, naming its operator or user.

    Requests are answered on several threads (and server processes): the chain's head is read
    and extended under one lock held to the end of the transaction, so two actions never take
    the same place in it.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SERVER_CHAIN_LOCK})
    last_seq, last_hash = head(conn, SERVER_CHAIN)
    entry = ShippedEntry(
        seq=last_seq + 1,
        id=uuid7(),
        at=utcnow(),
        device_id=SERVER_CHAIN,
        user_id=user_id,
        patient_id=patient_id,
        action=action[:48],
        entity=entity,
        entity_id=entity_id,
        operator=operator[:64],
        chain=CHAIN_PLAIN,
        prev_hash=last_hash,
        hash="",
    )
    sealed = ShippedEntry(**{**entry.__dict__, "hash": _plain_seal(entry)})
    receive(conn, SERVER_CHAIN, [sealed])


def record_patient_reached(
    conn: Connection,
    device: uuid.UUID,
    action: str,
    patient_id: uuid.UUID,
    user_id: uuid.UUID | None,
) -> None:
    """Chain that a patient's record (or identity) reached ``device``, asked by ``user_id``."""
    record_server_action(
        conn,
        operator=_device_operator(device),
        action=action,
        entity="patient",
        entity_id=patient_id,
        patient_id=patient_id,
        user_id=user_id,
    )


def patient_reached_since(
    conn: Connection, device: uuid.UUID, action: str, patient_id: uuid.UUID, since: datetime
) -> bool:
    """Whether :func:`record_patient_reached` chained this since ``since``."""
    found = conn.execute(
        select(ServiceAuditEntry.id)
        .where(
            ServiceAuditEntry.device_id == SERVER_CHAIN,
            ServiceAuditEntry.patient_id == patient_id,
            ServiceAuditEntry.action == action,
            ServiceAuditEntry.operator == _device_operator(device),
            ServiceAuditEntry.at >= since,
        )
        .limit(1)
    ).first()
    return found is not None


def _device_operator(device: uuid.UUID) -> str:
    return f"device {device}"


def patient_trail(conn: Connection, patient_id: uuid.UUID) -> list[TrailLine]:
    """Every entry about one patient on every device, oldest first, with names resolved.

    Entries name the patient by id or are about a record of theirs named as the entity
    (the patient row itself). A person registered twice, the registrations since merged, is
    one patient: the entries about each registration are theirs.
    """
    registrations = identities_of(conn, patient_id)
    rows = conn.execute(
        select(
            ServiceAuditEntry.at,
            ServiceAuditEntry.action,
            ServiceAuditEntry.operator,
            ServiceAuditEntry.entity,
            ServiceAuditEntry.entity_id,
            User.username,
            User.display_name,
            User.role,
            SyncDevice.name.label("device_name"),
            ServiceAuditEntry.device_id,
            ServiceAuditEntry.user_id,
        )
        .outerjoin(User, User.id == ServiceAuditEntry.user_id)
        .outerjoin(SyncDevice, SyncDevice.id == ServiceAuditEntry.device_id)
        .where(
            or_(
                ServiceAuditEntry.patient_id.in_(registrations),
                ServiceAuditEntry.entity_id.in_(registrations),
            )
        )
        .order_by(ServiceAuditEntry.at, ServiceAuditEntry.device_id, ServiceAuditEntry.seq)
    ).all()
    lines = []
    for row in rows:
        if row.username is not None:
            user = f"{row.display_name} ({row.username})"
            role = str(row.role)
        elif row.user_id is not None:
            user, role = f"user {row.user_id}", "unknown"
        else:
            user = f"{row.operator or 'unnamed'} (command line)"
            role = "operator"
        lines.append(
            TrailLine(
                at=row.at,
                action=row.action,
                user=user,
                role=role,
                device=row.device_name or str(row.device_id),
                entity=row.entity or "",
                entity_id=str(row.entity_id or ""),
            )
        )
    return lines


def patient_id_for(conn: Connection, nhs_number: str) -> uuid.UUID | None:
    """The patient with this NHS number, if the server holds one (digits only compared).

    Registrations of the number merged into one record are that record's patient; two
    registrations not merged (a duplicate not yet resolved) are not one patient.
    """
    digits = "".join(c for c in nhs_number if c.isdigit())
    standing = standing_for_number(conn, digits)
    return standing.pop() if len(standing) == 1 else None


def count_entries(conn: Connection) -> int:
    """How many entries the server holds, across devices."""
    return int(conn.execute(select(func.count()).select_from(ServiceAuditEntry)).scalar() or 0)
