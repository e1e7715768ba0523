"""The hash-chained audit trail: appending entries and proving nobody changed them.

Each entry's hash covers its own fields and the previous entry's hash, and the chain's
head (last sequence number and hash) is kept in ``store_meta``. A changed entry breaks its
own hash, an inserted or deleted one breaks the links or the numbering, and a cut-off tail
no longer matches the head. The store also refuses UPDATE and DELETE on the table.

Two chain versions: version 1 (the first entries of older stores) is a plain SHA-256, which
anyone holding the store key can recompute; version 2 is an HMAC-SHA256 under a per-store
audit key kept in the OS keychain beside the store key (never in the store), and also covers
the named operator of a command-line action. Neither alone stops someone who holds both keys
from rewriting the whole chain: that is what the anchor is for. The heads the server has
acknowledged (``clinic_app.sync.audit_ship``) are compared by :func:`verify`, so a chain
rewritten below an acknowledged head is reported even though every local hash re-verifies.
"""

from __future__ import annotations

import hashlib
import hmac
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
from clinic_app.kernel.store import Store

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
ANCHOR_KEY = "audit.anchor"
"""``store_meta`` key of the last head the server acknowledged (``seq:hash``): a copy only;
the anchor that counts is the server's own, read when online."""
KEY_INFO = "audit_key"
"""``Session.info`` key of the store's audit key (hex), set by :func:`use_key`."""
CHAIN_PLAIN = 1
"""Version 1: SHA-256 over the fields, no key (entries written before the chain was keyed)."""
CHAIN_KEYED = 2
"""Version 2: HMAC-SHA256 under the store's audit key, covering the operator too."""


@dataclass(frozen=True)
class Anchor:
    """A head held outside the store: sequence number and hash of an acknowledged entry."""

    seq: int
    hash: str
    source: str
    """``server`` (read from the server just now) or ``recorded`` (the copy in the store)."""

    def text(self) -> str:
        """``seq:hash``: the form printed for writing down and kept in ``store_meta``."""
        return f"{self.seq}:{self.hash}"


BACKUP_KEY_ROW = "audit.key"
"""``store_meta`` row that carries the audit key inside a backup (encrypted with the backup's
passphrase) so a restored store still verifies; removed again on restore."""


def use_key(store: Store, key: str) -> None:
    """Make every session of ``store`` append keyed entries (and backups carry the key)."""
    store.sessions.configure(info={KEY_INFO: key})
    store.info[KEY_INFO] = key


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
    chain: int = CHAIN_PLAIN,
    operator: str | None = None,
    key: str | None = None,
) -> str:
    """The seal of one entry over the canonical JSON of its fields and its predecessor's hash.

    Version 1 is a SHA-256; version 2 an HMAC-SHA256 under ``key`` that also covers the
    operator. Raises ``KeyError`` for a version 2 entry without a key.
    """
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
    if chain == CHAIN_PLAIN:
        canonical = json.dumps(fields, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(canonical.encode("ascii")).hexdigest()
    if key is None:
        raise KeyError(KEY_INFO)
    canonical = json.dumps([chain, *fields, operator], separators=(",", ":"), ensure_ascii=True)
    return hmac.new(bytes.fromhex(key), canonical.encode("ascii"), hashlib.sha256).hexdigest()


def _hash_of(entry: AuditEntry, key: str | None) -> str:
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
        chain=entry.chain,
        operator=entry.operator,
        key=key,
    )


def session_key(session: Session) -> str | None:
    """The audit key the session's store was opened with, if any."""
    key = session.info.get(KEY_INFO)
    return key if isinstance(key, str) else None


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
    operator: str | None = None,
) -> AuditEntry:
    """Add one entry to the chain inside the caller's transaction.

    ``operator`` names the person at the command line when there is no signed-in user.
    The entry is keyed (version 2) when the store was opened with its audit key.

    The caller's transaction holds the store's write lock (SQLite ``BEGIN IMMEDIATE``),
    so the head read here cannot be extended by anyone else before this commits.
    """
    last_seq, last_hash = _read_head(session)
    key = session_key(session)
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
        chain=CHAIN_PLAIN if key is None else CHAIN_KEYED,
        operator=None if operator is None else operator[:64],
    )
    entry.hash = _hash_of(entry, key)
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
    (sequence numbers skipped: entries deleted), ``head_mismatch`` (the chain ends
    somewhere other than its recorded head: entries cut off the end, or the head forged),
    ``key_missing`` (a keyed entry, and this store's audit key is not in the keychain),
    ``anchor_mismatch`` (the entry at an acknowledged head is not the one the server holds:
    the chain was rewritten) or ``anchor_missing`` (the chain ends before the acknowledged
    head: entries the server holds were removed).
    """

    seq: int
    kind: str


@dataclass(frozen=True)
class AuditReport:
    """The result of walking the whole chain."""

    entries: int
    problems: tuple[AuditProblem, ...]
    anchor: Anchor | None = None
    """The head held outside the store that the chain was compared with, if any."""

    @property
    def intact(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _entries(session: Session) -> Iterator[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000)
    yield from session.scalars(query)


def recorded_anchor(session: Session) -> Anchor | None:
    """The copy of the last server-acknowledged head kept in the store, if any."""
    row = session.get(StoreMeta, ANCHOR_KEY)
    if row is None:
        return None
    seq_text, _, hash_text = row.value.partition(":")
    return Anchor(seq=int(seq_text), hash=hash_text, source="recorded")


def verify(session: Session, anchor: Anchor | None = None) -> AuditReport:
    """Walk the chain from the first entry and report every place it does not hold.

    With an ``anchor`` (a head the server acknowledged), the entry at its sequence number
    must carry its hash: a chain re-sealed from the start re-verifies locally but not there.
    """
    key = session_key(session)
    problems: list[AuditProblem] = []
    anchored = anchor is None or anchor.seq == 0
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
        if entry.chain != CHAIN_PLAIN and key is None:
            problems.append(AuditProblem(seq=entry.seq, kind="key_missing"))
        elif _hash_of(entry, key) != entry.hash:
            problems.append(AuditProblem(seq=entry.seq, kind="changed"))
        if anchor is not None and entry.seq == anchor.seq:
            anchored = True
            if entry.hash != anchor.hash:
                problems.append(AuditProblem(seq=entry.seq, kind="anchor_mismatch"))
        # Go on from what is stored, so one tampered entry is reported once.
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
        last_seq, last_hash = entry.seq, entry.hash
    if (last_seq, last_hash) != _read_head(session):
        problems.append(AuditProblem(seq=last_seq, kind="head_mismatch"))
    if not anchored and anchor is not None:
        problems.append(AuditProblem(seq=anchor.seq, kind="anchor_missing"))
    return AuditReport(entries=count, problems=tuple(problems), anchor=anchor)
