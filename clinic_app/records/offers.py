"""What a record type offers to letters, FHIR and figures, so none of them reads its table.

A record type may offer letter sections, FHIR resources and measures (see ``RecordType``).
Letters and figures compose across record types only through these, the way OpenEyes's
letters read other modules only through their shortcodes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    # Types only: the screens read record types at sign-in, before SQLAlchemy is loaded.
    from sqlalchemy import Select
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class LetterSection:
    """A part a letter may quote from one record.

    Attributes:
        heading: e.g. "Ultrasound report: Knee, 3 March 2025".
        text: the words quoted, as signed.
        record_type: the code of the record type it comes from.
        source_id: the row it was taken from (the version, for a record with versions).
        final: True only when its record is final (signed or verified); a letter never
            presents anything else as final.
        when: when the record was made final (None while it is not).
    """

    heading: str
    text: str
    record_type: str
    source_id: uuid.UUID
    final: bool
    when: datetime | None = None


class LetterSections(Protocol):
    """What a record type offers a letter about a patient (and one episode of theirs)."""

    def __call__(
        self, session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None
    ) -> list[LetterSection]:
        """The sections, oldest first; ``episode_id`` None means every episode."""
        ...


class FhirResources(Protocol):
    """A record type's records of a patient as FHIR resources (JSON objects)."""

    def __call__(
        self, session: Session, patient_id: uuid.UUID, episode_id: uuid.UUID | None
    ) -> list[dict[str, Any]]:
        """The resources; ``episode_id`` None means every episode."""
        ...


class MeasureFunction(Protocol):
    """Computes one measure over a period, for the service's figures."""

    def __call__(self, session: Session, start: datetime, end: datetime) -> float:
        """The measure over ``start`` (included) to ``end`` (excluded)."""
        ...


@dataclass(frozen=True)
class Measure:
    """A named figure a record type can compute, e.g. scan reports made final.

    Attributes:
        name: its stable name, e.g. ``scan_report.final``.
        title: how it is named in words.
        unit: what it counts or measures, e.g. "reports".
        compute: the function that computes it.
    """

    name: str
    title: str
    unit: str
    compute: MeasureFunction


#: The columns every fact source gives, whatever else it gives: the patient, the moment that
#: places the fact in a month (``at``), where and by whom (ids, or NULL when not known) and the
#: condition (a code, or NULL when the record type does not know it).
STANDARD_FACT_COLUMNS: tuple[str, ...] = (
    "patient_id",
    "at",
    "site_id",
    "clinician_id",
    "condition",
)


@dataclass(frozen=True)
class FactSource:
    """Rows of facts a record type offers the service's figures, one row per fact.

    ``select`` builds a SQLAlchemy Core select (no session: it is a statement, compiled into
    the figures' own statement as a subquery) whose columns are labelled with the
    ``STANDARD_FACT_COLUMNS`` and then ``columns``. Only finished facts are given (a signed
    record, a contact that happened); deleted rows never. ``at`` is a timestamp or a day.

    Attributes:
        name: its stable name, which a measure names, e.g. ``referral``.
        title: what one row is, in words, e.g. "Referrals received".
        columns: its own columns by name, each with what it holds ("day", "time",
            "number", "flag", "code"), so a measure's file can be checked against them.
        select: the function that builds the select.
    """

    name: str
    title: str
    select: Callable[[], Select[Any]]
    columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def all_columns(self) -> tuple[str, ...]:
        """The standard columns, then its own."""
        return STANDARD_FACT_COLUMNS + tuple(self.columns)
