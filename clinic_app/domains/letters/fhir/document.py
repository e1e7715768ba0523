"""What a FHIR letter document is made from: plain values, no record or session.

The letters domain fills a :class:`LetterDocument` from a signed letter (or care plan) and its
signed PDF; :func:`clinic_app.domains.letters.fhir.bundle.build_bundle` turns it into the
document Bundle. Nothing here reads the store, so the bundle can be rebuilt from the same
values at any time and always comes out the same.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

AdministrativeGender = Literal["male", "female", "other", "unknown"]


@dataclass(frozen=True)
class PatientDetails:
    """The patient the letter is about, as the demographics section gives them.

    Attributes:
        nhs_number: ten digits, no spaces.
        nhs_number_verified: True when the number was traced against the national service.
        given_names: given names in order.
        family_name: family name.
        birth_date: date of birth.
        gender: FHIR administrative gender (map the stored code with ``administrative_gender``).
        address_lines: the usual address, one line each, without the postcode.
        postcode: the postcode, if known.
        title: a prefix such as "Mrs", if recorded.
    """

    nhs_number: str
    nhs_number_verified: bool
    given_names: tuple[str, ...]
    family_name: str
    birth_date: date
    gender: AdministrativeGender
    address_lines: tuple[str, ...] = ()
    postcode: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Organisation:
    """An organisation known by its ODS code: the patient's GP practice or the service."""

    ods_code: str
    name: str


@dataclass(frozen=True)
class Registration:
    """A professional registration, e.g. body "HCPC" and number "PH123456"."""

    body: str
    number: str


@dataclass(frozen=True)
class Author:
    """The clinician who wrote and signed the letter.

    Attributes:
        given_names: given names in order.
        family_name: family name.
        role: the job as a reader should see it, e.g. "Advanced practice physiotherapist".
        registration: the professional registration, when the clinician has one.
        prefix: e.g. "Dr", if used.
    """

    given_names: tuple[str, ...]
    family_name: str
    role: str
    registration: Registration | None = None
    prefix: str | None = None


@dataclass(frozen=True)
class Attendance:
    """The clinic attendance (or the episode) the letter reports on.

    Attributes:
        start: when it began (timezone-aware).
        end: when it ended (timezone-aware); None while open.
        type_text: what kind of attendance, in words, e.g. "MSK clinic, face to face".
        type_code: a SNOMED CT concept for it, when the service has one.
    """

    start: datetime
    end: datetime | None
    type_text: str
    type_code: str | None = None


@dataclass(frozen=True)
class SectionText:
    """One heading of the letter: its PRSB SNOMED CT code, its title as printed, its text.

    ``text`` is plain text: a blank line starts a new paragraph and a single line break is
    kept as a line break. It is escaped before it goes into the XHTML narrative.
    """

    code: str
    title: str
    text: str


@dataclass(frozen=True)
class LetterDocument:
    """Everything a letter's FHIR document carries.

    Attributes:
        letter_id: the letter record's id; the Composition identifier and the seed of
            every resource id in the bundle, so the same letter gives the same ids.
        kind: what the letter is, in words (e.g. "Discharge letter to the GP").
        title: the document title (ITK: care setting then document type).
        signed_at: when the author signed it (timezone-aware).
        patient: the patient.
        gp_practice: the registered GP practice; None when not known (the bundle then
            says "No known GP practice" with the Data Dictionary default code).
        service: the organisation that holds the record (the custodian).
        author: who wrote and signed it.
        attendance: the attendance it reports on.
        sections: the headings in the order they are printed.
        pdf: the signed PDF exactly as kept in the record.
        pdf_title: the attachment's file title.
    """

    letter_id: uuid.UUID
    kind: str
    title: str
    signed_at: datetime
    patient: PatientDetails
    gp_practice: Organisation | None
    service: Organisation
    author: Author
    attendance: Attendance
    sections: tuple[SectionText, ...]
    pdf: bytes = field(repr=False)
    pdf_title: str = "letter.pdf"
