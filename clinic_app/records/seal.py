"""Sealing a record when it is signed, and checking a seal: one path for every record type.

A seal stamps who signed, when (whole seconds, so the time reads back identically on every
engine) and the sentence they agreed to, then stores a SHA-256 computed by the record type's
named digest scheme. Schemes are never changed once rows are sealed with them: a new kind of
seal is a new scheme name, so every stored digest stays checkable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.signing import content_digest
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.events import RecordAmended, RecordSigned, raise_event
from clinic_app.records.registry import RecordType
from clinic_app.records.sections import require_sections

#: A digest scheme: the SHA-256 (64 hex digits) of what a sealed row's signature covers.
DigestScheme = Callable[[Any], str]


def _content_v1(row: Any) -> str:
    # The content alone (assessments since the first release).
    return content_digest(row.content)


def _signed_v1(row: Any) -> str:
    # The content with who wrote, supervised and signed it, when, the sentence agreed to and
    # the version it adds to (scan reports since the first release).
    return content_digest(
        {
            "content": row.content,
            "author": str(row.author_id),
            "supervisor_words": row.supervisor_words or "",
            "supervision_mode": row.supervision_mode or "",
            "agreement": row.agreement or "",
            "signed_by": str(row.signed_by),
            "signed_at": row.signed_at.isoformat(),
            "attestation": row.attestation,
            "predecessor": str(row.predecessor_id or ""),
        }
    )


def _record_v1(row: Any) -> str:
    # The content with whose record it is, who signed it, when, and the sentence agreed to
    # (records whose form is only their sections, since the first of them).
    return content_digest(
        {
            "content": row.content,
            "patient": str(row.patient_id),
            "signed_by": str(row.signed_by),
            "signed_at": row.signed_at.isoformat(),
            "attestation": row.attestation or "",
        }
    )


#: Every digest scheme by name. Never change one: add a new name instead.
DIGEST_SCHEMES: Mapping[str, DigestScheme] = MappingProxyType(
    {"content-v1": _content_v1, "signed-v1": _signed_v1, "record-v1": _record_v1}
)
#: The scheme of a NOTE addendum's digest (it covers the sealed record's digest).
NOTE_SCHEME = "note-v1"


def signing_time(when: datetime | None = None) -> datetime:
    """``when`` (by default now, in UTC) in whole seconds, as a seal records it."""
    return (when or utcnow()).replace(microsecond=0)


def digest(record_type: RecordType, row: Any) -> str:
    """The digest of ``row`` by its record type's scheme, as it stands now.

    Raises:
        ValueError: for a record type that is never signed (it has no digest).
    """
    if not record_type.signed:
        raise ValueError(f"record type {record_type.code!r} is never signed")
    return DIGEST_SCHEMES[record_type.digest_scheme](row)


def seal(
    record_type: RecordType,
    row: Any,
    *,
    session: Session | None,
    signer: uuid.UUID | None,
    attestation: str | None,
    when: datetime | None = None,
    step: str = "sign",
) -> None:
    """Make ``row`` final: who signed, when, the sentence agreed to, and its digest.

    Args:
        record_type: the row's record type (its sections, attestation and digest scheme).
        row: a row of the record type's table, not yet signed.
        session: the unit of work's session, in which :class:`RecordSigned` is raised (and
            :class:`RecordAmended` for a version that adds to another), so their handlers
            run before it commits; None only for a row outside any store.
        signer: who signs (None for the command-line system actor).
        attestation: the sentence the signer was shown; kept when the type is attested.
        when: the signing time (now by default); kept in whole seconds.
        step: the lifecycle step that makes it final (``sign`` or ``verify``).

    Raises:
        FormErrors: the record type's ``required_code`` for each required section left empty.
        ValueError: for a record type that is never signed.
    """
    if not record_type.signed:
        raise ValueError(f"record type {record_type.code!r} is never signed")
    require_sections(record_type.sections, row.content, record_type.required_code)
    row.signed_at = signing_time(when)
    row.signed_by = signer
    if record_type.attested:
        row.attestation = attestation
    row.content_sha256 = digest(record_type, row)
    row.status = RecordStatus.SIGNED
    if session is not None:
        _raise_signed(session, record_type, row, signer, step)


def _raise_signed(
    session: Session, record_type: RecordType, row: Any, signer: uuid.UUID | None, step: str
) -> None:
    if row.id is None:
        session.flush()
    episode = getattr(row, "episode_id", None)
    raise_event(
        session,
        RecordSigned(record_type.code, row.id, row.patient_id, episode, signer, step=step),
    )
    predecessor = getattr(row, "predecessor_id", None)
    if predecessor is not None:
        raise_event(
            session,
            RecordAmended(
                record_type.code, predecessor, row.patient_id, episode, signer, addition_id=row.id
            ),
        )


def intact(record_type: RecordType, row: Any) -> bool:
    """False when a signed row no longer matches its seal (changed outside the app).

    A row that is not signed has no seal to check and is intact.
    """
    if row.status != RecordStatus.SIGNED:
        return True
    return row.content_sha256 is not None and digest(record_type, row) == row.content_sha256


def note_digest(
    record_id: uuid.UUID,
    record_sha256: str,
    text: str,
    signed_at: datetime,
    signed_by: uuid.UUID | None,
) -> str:
    """The digest a NOTE addendum is signed with: it covers the sealed record's digest.

    The keys name an assessment because its addenda were the first notes sealed this way;
    they stay as they are so that every stored note digest still checks.
    """
    return content_digest(
        {
            "assessment_id": str(record_id),
            "assessment_sha256": record_sha256,
            "text": text,
            "signed_at": signed_at.isoformat(),
            "signed_by": str(signed_by) if signed_by else None,
        }
    )
