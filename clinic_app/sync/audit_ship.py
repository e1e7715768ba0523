"""Shipping the audit trail to the server: append-only, continuing the last acknowledged head.

After the record push, each sync round sends the device's audit entries the server has not
acknowledged yet, oldest first, in batches. The server keeps them per device and refuses a
batch that does not continue the chain it holds (a gap, a rewritten entry or a fork). The
head it acknowledges is the chain's anchor outside this store: it is kept in ``store_meta``
as a copy, and ``onestop audit verify`` reads it from the server again when online.

The record push format is untouched: this is its own endpoint (``/v1/audit``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Connection, delete, insert, select

from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.local import StoreMeta
from clinic_app.kernel.security.audit import ANCHOR_KEY, Anchor
from clinic_app.kernel.store import Store

log = logging.getLogger("onestop.sync.audit")

#: Most entries in one shipment.
MAX_ENTRIES = 500
REFUSED_KEY = "audit.ship_refused"
"""``store_meta`` key of the server's last refusal code, kept until a shipment goes through."""

_FIELDS = (
    "seq",
    "id",
    "at",
    "device_id",
    "user_id",
    "patient_id",
    "action",
    "entity",
    "entity_id",
    "operator",
    "chain",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class ShippedEntry:
    """One audit entry as it travels: the fields of ``AuditEntry``, nothing else."""

    seq: int
    id: uuid.UUID
    at: datetime
    device_id: uuid.UUID | None
    user_id: uuid.UUID | None
    patient_id: uuid.UUID | None
    action: str
    entity: str | None
    entity_id: uuid.UUID | None
    operator: str | None
    chain: int
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, entry: Any) -> ShippedEntry:
        """From a stored entry (a row with the same attribute names)."""
        return cls(**{name: getattr(entry, name) for name in _FIELDS})

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: ids as text, time as ISO 8601."""
        out: dict[str, Any] = {}
        for name in _FIELDS:
            value = getattr(self, name)
            if isinstance(value, uuid.UUID):
                value = str(value)
            elif isinstance(value, datetime):
                value = value.isoformat()
            out[name] = value
        return out

    @classmethod
    def from_json(cls, data: object) -> ShippedEntry:
        """Strict parse; anything malformed is ``sync.bad_message``."""
        if not isinstance(data, Mapping) or set(data) != set(_FIELDS):
            raise ClinicError("sync.bad_message", reason="audit_entry")
        try:
            return cls(
                seq=_count(data["seq"]),
                id=uuid.UUID(str(data["id"])),
                at=datetime.fromisoformat(str(data["at"])),
                device_id=_maybe_uuid(data["device_id"]),
                user_id=_maybe_uuid(data["user_id"]),
                patient_id=_maybe_uuid(data["patient_id"]),
                action=_text(data["action"], 48),
                entity=_maybe_text(data["entity"], 64),
                entity_id=_maybe_uuid(data["entity_id"]),
                operator=_maybe_text(data["operator"], 64),
                chain=_count(data["chain"]),
                prev_hash=_hex(data["prev_hash"]),
                hash=_hex(data["hash"]),
            )
        except (ValueError, TypeError):
            raise ClinicError("sync.bad_message", reason="audit_entry") from None


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise ValueError(value)
    return value


def _maybe_uuid(value: object) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def _text(value: object, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ValueError(value)
    return value


def _maybe_text(value: object, limit: int) -> str | None:
    return None if value is None else _text(value, limit)


def _hex(value: object) -> str:
    text = _text(value, 64)
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(value)
    return text


def entries_json(entries: Sequence[ShippedEntry]) -> dict[str, Any]:
    """The body of a shipment."""
    return {"entries": [entry.to_json() for entry in entries]}


def entries_from_json(body: object) -> list[ShippedEntry]:
    """Parse a shipment's body; at most ``MAX_ENTRIES`` entries."""
    if not isinstance(body, Mapping) or not isinstance(body.get("entries"), list):
        raise ClinicError("sync.bad_message", reason="not_an_object")
    raw = body["entries"]
    if len(raw) > MAX_ENTRIES:
        raise ClinicError("sync.bad_message", reason="too_many")
    return [ShippedEntry.from_json(item) for item in raw]


def head_from_json(body: object) -> Anchor:
    """The server's acknowledged head for this device (``seq`` 0: nothing held yet)."""
    if not isinstance(body, Mapping):
        raise ClinicError("sync.bad_answer", status=200)
    seq, hash_ = body.get("seq"), body.get("hash")
    if isinstance(seq, bool) or not isinstance(seq, int) or not isinstance(hash_, str):
        raise ClinicError("sync.bad_answer", status=200)
    return Anchor(seq=seq, hash=hash_, source="server")


@runtime_checkable
class AuditTransport(Protocol):
    """What shipping needs from the transport (the HTTP one has it)."""

    def push_audit(self, body: dict[str, Any]) -> dict[str, Any]:
        """Send a shipment; the server's acknowledged head."""
        ...

    def audit_head(self) -> dict[str, Any]:
        """The server's acknowledged head for this device."""
        ...


@dataclass
class ShipReport:
    """What one shipping step did."""

    shipped: int = 0
    anchor: Anchor | None = None
    refused: str | None = None
    """The server's refusal code (``audit.gap``, ``audit.rewrite``, ``audit.fork``, ...)."""


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(StoreMeta.value).where(StoreMeta.key == key)).scalar()


def _set_meta(conn: Connection, key: str, value: str | None) -> None:
    conn.execute(delete(StoreMeta).where(StoreMeta.key == key))
    if value is not None:
        conn.execute(insert(StoreMeta).values(key=key, value=value))


def _acknowledged(conn: Connection) -> int:
    value = _meta(conn, ANCHOR_KEY)
    return int(value.partition(":")[0]) if value else 0


def _unshipped(store: Store, after: int) -> list[ShippedEntry]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry)
            .where(AuditEntry.seq > after)
            .order_by(AuditEntry.seq)
            # One more than a batch tells whether another round is needed.
            .limit(MAX_ENTRIES)
        ).all()
    return [ShippedEntry.of(row) for row in rows]


def read_anchor(transport: object) -> Anchor | None:
    """The head the server holds for this device, or None if it cannot be asked."""
    if not isinstance(transport, AuditTransport):
        return None
    return head_from_json(transport.audit_head())


def ship(store: Store, transport: object) -> ShipReport:
    """Send every entry the server has not acknowledged, and keep the head it answers.

    A refusal is kept (``store_meta``) and logged by code only; the round goes on, and the
    entries stay here. A transport that cannot carry audit entries ships nothing.
    """
    report = ShipReport()
    if not isinstance(transport, AuditTransport):
        return report
    while True:
        with store.engine.connect() as conn:
            after = _acknowledged(conn)
        entries = _unshipped(store, after)
        if not entries:
            return report
        try:
            answer = transport.push_audit(entries_json(entries))
        except ClinicError as error:
            if not error.code.startswith("audit."):
                raise
            log.warning("audit shipment refused: %s", error.code)
            with store.engine.begin() as conn:
                _set_meta(conn, REFUSED_KEY, error.code)
            report.refused = error.code
            return report
        anchor = head_from_json(answer)
        with store.engine.begin() as conn:
            _set_meta(conn, ANCHOR_KEY, anchor.text())
            _set_meta(conn, REFUSED_KEY, None)
        report.shipped += len(entries)
        report.anchor = anchor
        if anchor.seq < entries[-1].seq:
            # The server holds less than was sent: never loop on it.
            return report
