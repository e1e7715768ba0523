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

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from clinic_app.kernel.base import utcnow
from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.signing import content_digest
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.events import RecordAmended, RecordSigned, raise_event
from clinic_app.records.registry import RecordType
from clinic_app.records.sections import missing_sections, require_sections

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


def signing_problems(record_type: RecordType, row: Any) -> list[ValidationError]:
    """What stops ``row`` being signed, judged from the row alone, each with its field.

    Its required sections left empty (the record type's ``required_code``), then what its
    record type adds (``RecordType.sign_problems``); a field named by the latter is not
    named again by the former. The device asks this when its user
    signs; the server asks it again of a row pushed as signed (:func:`seal_refusal`).
    """
    own = [] if record_type.sign_problems is None else record_type.sign_problems(row)
    named = {problem.field for problem in own}
    # A field the record type says more about is named once, with its own words.
    return [
        ValidationError(record_type.required_code, field=key)
        for key in missing_sections(record_type.sections, row.content or {})
        if key not in named
    ] + own


def becomes_signed(after: Mapping[str, Any], stored: Mapping[Any, Any] | None) -> bool:
    """True when a pushed change makes a row signed: new and signed, or moved to signed."""
    return after.get("status") == RecordStatus.SIGNED and (
        stored is None or stored.get("status") != RecordStatus.SIGNED
    )


def seal_refusal(
    record_type: RecordType, after: Mapping[str, Any], stored: Mapping[Any, Any] | None
) -> str | None:
    """Why a pushed change may not make a row signed, as a code; None when it may.

    Only a change that makes the row signed is asked (a new row pushed already signed, or
    a stored one moved to signed): the row as it would stand must be one its device could
    have signed (``sync.not_signable``: :func:`signing_problems` finds something), and its
    seal must match what it covers (``sync.seal_broken``). A modified device cannot make
    the server hold as signed what the app would never have signed.

    Args:
        record_type: the row's record type.
        after: the row as it would stand after the change, by column name.
        stored: the row as the server holds it now (None when it is new).
    """
    # Only the step that signs: whether a signed row may change at all is its lifecycle's to say.
    if not record_type.signed or not becomes_signed(after, stored):
        return None
    row = transient_row(record_type, after)
    if signing_problems(record_type, row):
        return "sync.not_signable"
    if row.signed_at is None or not intact(record_type, row):
        return "sync.seal_broken"
    return None


def transient_row(record_type: RecordType, values: Mapping[str, Any]) -> Any:
    """A row of the record type's table holding ``values`` (by column name), in no session.

    The checks and the digest read a row as the app's own code does, through its attributes
    (some record types' content is a property made from their columns).
    """
    mapper = inspect(record_type.table)
    return record_type.table(
        **{
            prop.key: values[prop.columns[0].name]
            for prop in mapper.column_attrs
            if prop.columns[0].name in values
        }
    )


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
