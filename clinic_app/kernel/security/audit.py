"""The hash-chained audit trail: appending entries and proving nobody changed them.

Each entry's hash covers its own fields and the previous entry's hash, and the chain's
head (last sequence number and hash) is kept in ``store_meta``. A changed entry breaks its
own hash, an inserted or deleted one breaks the links or the numbering, and a cut-off tail
no longer matches the head. The store also refuses UPDATE and DELETE on the table.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.kernel.audit_entry import AuditEntry
from clinic_app.kernel.base import utcnow
from clinic_app.kernel.ids import uuid7
from clinic_app.kernel.local import StoreMeta

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def entry_hash(
    *,
    seq: int,
    entry_id: uuid.UUID,
    at: datetime,
    device_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    patient_id: uuid.UUID | None,
    action: str,
    entity: str | None,
    entity_id: uuid.UUID | None,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of an entry's fields and its predecessor's hash."""
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [
        seq,
        str(entry_id),
        stamp,
        _text(device_id),
        _text(user_id),
        _text(patient_id),
        action,
        entity,
        _text(entity_id),
        prev_hash,
    ]
    canonical = json.dumps(fields, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _hash_of(entry: AuditEntry) -> str:
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


def _read_head(session: Session) -> tuple[int, str]:
    head = session.get(StoreMeta, HEAD_KEY)
    if head is None:
        return 0, GENESIS
    seq_text, hash_text = head.value.split(":", 1)
    return int(seq_text), hash_text


def is_chain_row(obj: object) -> bool:
    """True for what appending to the chain writes: an entry, or the chain's head."""
    return isinstance(obj, AuditEntry) or (isinstance(obj, StoreMeta) and obj.key == HEAD_KEY)


def append(
    session: Session,
    *,
    action: str,
    device_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    patient_id: uuid.UUID | None = None,
    entity: str | None = None,
    entity_id: uuid.UUID | None = None,
) -> AuditEntry:
    """Add one entry to the chain inside the caller's transaction.

    The caller's transaction holds the store's write lock (SQLite ``BEGIN IMMEDIATE``),
    so the head read here cannot be extended by anyone else before this commits.
    """
    last_seq, last_hash = _read_head(session)
    entry = AuditEntry(
        seq=last_seq + 1,
        id=uuid7(),
        at=utcnow(),
        device_id=device_id,
        user_id=user_id,
        patient_id=patient_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        prev_hash=last_hash,
        hash="",
    )
    entry.hash = _hash_of(entry)
    session.add(entry)
    head = session.get(StoreMeta, HEAD_KEY)
    value = f"{entry.seq}:{entry.hash}"
    if head is None:
        session.add(StoreMeta(key=HEAD_KEY, value=value))
    else:
        head.value = value
    return entry


@dataclass(frozen=True)
class AuditProblem:
    """One place where the chain does not hold.

    ``kind`` is ``changed`` (an entry's content no longer matches its hash), ``broken_link``
    (an entry does not follow the one before: inserted or reordered), ``missing``
    (sequence numbers skipped: entries deleted) or ``head_mismatch`` (the chain ends
    somewhere other than its recorded head: entries cut off the end, or the head forged).
    """

    seq: int
    kind: str


@dataclass(frozen=True)
class AuditReport:
    """The result of walking the whole chain."""

    entries: int
    problems: tuple[AuditProblem, ...]

    @property
    def intact(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _entries(session: Session) -> Iterator[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000)
    yield from session.scalars(query)


def verify(session: Session) -> AuditReport:
    """Walk the chain from the first entry and report every place it does not hold."""
    problems: list[AuditProblem] = []
    expected_seq = 1
    prev_hash = GENESIS
    count = 0
    last_seq, last_hash = 0, GENESIS
    for entry in _entries(session):
        count += 1
        if entry.seq != expected_seq:
            problems.append(AuditProblem(seq=expected_seq, kind="missing"))
        if entry.prev_hash != prev_hash:
            problems.append(AuditProblem(seq=entry.seq, kind="broken_link"))
        if _hash_of(entry) != entry.hash:
            problems.append(AuditProblem(seq=entry.seq, kind="changed"))
        # Go on from what is stored, so one tampered entry is reported once.
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
        last_seq, last_hash = entry.seq, entry.hash
    if (last_seq, last_hash) != _read_head(session):
        problems.append(AuditProblem(seq=last_seq, kind="head_mismatch"))
    return AuditReport(entries=count, problems=tuple(problems))
