"""The record type descriptor, and the registry of every kind of clinical record by its code."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from clinic_app.kernel.errors import ValidationError
from clinic_app.kernel.vocabulary import RecordStatus
from clinic_app.records.lifecycle import Lifecycle
from clinic_app.records.offers import FactSource, FhirResources, LetterSections, Measure
from clinic_app.records.sections import Section, SectionKind

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class SigningPolicy(StrEnum):
    """Who makes a record final."""

    #: Its author signs it (an assessment).
    ALONE = "alone"
    #: Its author signs it if entitled to; a trainee's is verified by a named supervisor.
    ALONE_OR_SUPERVISED = "alone_or_supervised"
    #: Never signed: a record of what happened (an appointment) that moves by its steps and
    #: is never sealed; it has no sections, no attestation and no digest.
    NONE = "none"


#: Among the patients given, those with a record of the type still unsigned.
Unfinished = Callable[["Session", Collection[uuid.UUID]], set[uuid.UUID]]


#: What stops a row being signed, from the row alone (see ``RecordType.sign_problems``).
SignProblems = Callable[[Any], list[ValidationError]]


class AddendumPolicy(StrEnum):
    """How a signed record is added to: it is never changed."""

    #: A separate signed note row pointing at the record (an assessment's addenda).
    NOTE = "note"
    #: A new row of the same table pointing at its predecessor, signed in its turn (reports).
    NEW_VERSION = "new_version"


@dataclass(frozen=True)
class RecordType:
    """One kind of clinical record, declared once.

    Attributes:
        code: its stable code, e.g. ``assessment``, ``scan_report``.
        title: how it is named in words, e.g. "Scan report".
        table: its typed table (the SQLAlchemy model class).
        sections: its parts in order; the form, the PDF and the SR iterate them.
        lifecycle: its statuses and the steps between them.
        signing: who makes it final.
        addendum: how a signed one is added to.
        digest_scheme: the name of the scheme its seal is computed with
            (see ``clinic_app.records.seal.DIGEST_SCHEMES``).
        required_code: the error code for a required section left empty at signing.
        attestations: the default sentence the signer agrees to, by step (``sign``,
            ``verify``); empty when the record type records none.
        attestation_setting: the service setting in which a service words its own sentences.
        describe: one line naming a row for the timeline, sync conflicts and the audit trail:
            the kind, its status and a date, never anything that identifies the patient.
        letter_sections: what it offers a letter (None: nothing).
        fhir_resources: its records as FHIR resources (None: none yet).
        measures: the figures it can compute.
        fact_sources: the rows of facts it offers the service's figures (see
            ``clinic_app.records.offers.FactSource``).
        unfinished: among the patients given, those with one of its records still to
            sign (a day list asks every record type once for all of the day's patients);
            None for a record type that is never left unsigned.
        sign_problems: what, besides a required section left empty, stops a row being
            signed, judged from the row alone (never from other records, the clock or the
            settings): the device asks it when its user signs, and the server again of a
            row pushed as signed (``clinic_app.records.seal.seal_refusal``).
    """

    code: str
    title: str
    table: type[Any]
    sections: tuple[Section, ...]
    lifecycle: Lifecycle
    signing: SigningPolicy
    addendum: AddendumPolicy
    digest_scheme: str
    required_code: str
    describe: Callable[[Any], str]
    attestations: Mapping[str, str] = field(default_factory=dict)
    attestation_setting: str | None = None
    letter_sections: LetterSections | None = None
    fhir_resources: FhirResources | None = None
    measures: tuple[Measure, ...] = ()
    fact_sources: tuple[FactSource, ...] = ()
    unfinished: Unfinished | None = None
    sign_problems: SignProblems | None = None

    @property
    def signed(self) -> bool:
        """True when its records are signed and sealed (False for ``SigningPolicy.NONE``)."""
        return self.signing is not SigningPolicy.NONE

    @property
    def table_name(self) -> str:
        """The name of its table."""
        return str(self.table.__tablename__)

    @property
    def text_sections(self) -> tuple[Section, ...]:
        """The sections a person writes words in."""
        return tuple(s for s in self.sections if s.kind is SectionKind.TEXT)

    @property
    def attested(self) -> bool:
        """True when its signer agrees to a sentence that is kept with it."""
        return bool(self.attestations)

    def section(self, key: str) -> Section:
        """The section kept under ``key``.

        Raises:
            KeyError: for a key the record type has no section for.
        """
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)


_REGISTRY: dict[str, RecordType] = {}
#: The same record types by table name (every pushed change asks which its table has).
_BY_TABLE: dict[str, RecordType] = {}


def register(record_type: RecordType, *, replace: bool = False) -> RecordType:
    """Add a record type to the registry (``replace`` swaps the one with the same code).

    Raises:
        ValueError: for a code or table already registered by another record type.
    """
    known = _REGISTRY.get(record_type.code)
    if known is not None and known is not record_type and not replace:
        raise ValueError(f"record type {record_type.code!r} is already registered")
    for other in _REGISTRY.values():
        if other.code != record_type.code and other.table_name == record_type.table_name:
            raise ValueError(f"table {record_type.table_name!r} already has a record type")
    if known is not None:
        _BY_TABLE.pop(known.table_name, None)
    _REGISTRY[record_type.code] = record_type
    _BY_TABLE[record_type.table_name] = record_type
    return record_type


def record_type(code: str) -> RecordType:
    """The record type with ``code``.

    Raises:
        KeyError: for a code no record type is registered under.
    """
    return _REGISTRY[code]


def record_types() -> Mapping[str, RecordType]:
    """Every registered record type by code, in the order they were registered."""
    return MappingProxyType(dict(_REGISTRY))


def record_type_for_table(table_name: str) -> RecordType | None:
    """The record type whose typed table is ``table_name``, or None for other tables."""
    return _BY_TABLE.get(table_name)


_FACTS: dict[str, FactSource] = {}


def register_facts(source: FactSource, *, replace: bool = False) -> FactSource:
    """Add a fact source that belongs to no record type (referrals, questionnaire responses).

    Raises:
        ValueError: for a name already offered by another source.
    """
    known = _FACTS.get(source.name)
    if known is not None and known is not source and not replace:
        raise ValueError(f"fact source {source.name!r} is already registered")
    _FACTS[source.name] = source
    return source


def fact_sources() -> Mapping[str, FactSource]:
    """Every fact source by name: those registered alone, then each record type's.

    Raises:
        ValueError: when two sources share a name.
    """
    found = dict(_FACTS)
    for candidate in _REGISTRY.values():
        for source in candidate.fact_sources:
            if source.name in found and found[source.name] is not source:
                raise ValueError(f"fact source {source.name!r} is offered twice")
            found[source.name] = source
    return MappingProxyType(found)


#: A status in the words of the timeline.
STATUS_WORDS: Mapping[str, str] = MappingProxyType(
    {
        RecordStatus.DRAFT: "draft",
        RecordStatus.SUBMITTED: "waiting for review",
        RecordStatus.RETURNED: "returned to its author",
        RecordStatus.SIGNED: "signed",
    }
)


def day_words(day: date | datetime | None) -> str:
    """A date as people write it (3 March 2025), or "" for none."""
    return f"{day.day} {day:%B %Y}" if day is not None else ""
