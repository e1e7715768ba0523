"""A signed letter to the GP or the next service as its FHIR document.

The letter's own sealed words (its PRSB sections) and its printed PDF go in as they are; the
patient, their GP practice, the service and the author are read from the record as it stands.
Only letters on the PRSB outpatient-letter headings become documents: the letter to the
patient has headings of its own and goes to the GP as a copy of the discharge letter.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from clinic_app.domains.letters.content import prsb_headings
from clinic_app.domains.letters.fhir.bundle import administrative_gender, build_bundle_json
from clinic_app.domains.letters.fhir.checks import Problem, check_bundle_json
from clinic_app.domains.letters.fhir.document import (
    Attendance,
    Author,
    LetterDocument,
    Organisation,
    PatientDetails,
    Registration,
    SectionText,
)
from clinic_app.domains.letters.model import LetterRecord
from clinic_app.domains.letters.record import kind_title
from clinic_app.domains.letters.rules import PRSB_KINDS, LetterKind
from clinic_app.domains.letters.views import LetterView
from clinic_app.kernel.staff import Site, User
from clinic_app.people.care import EpisodeOfCare
from clinic_app.people.duplicates import survivor_of
from clinic_app.people.model import GpPractice, Patient

#: What kind of attendance a letter reports on, as the document says it.
ATTENDANCE_WORDS = "Community musculoskeletal (MSK) service, episode of care"


def is_document_kind(kind: str) -> bool:
    """True for the letters laid out on the PRSB headings (every letter but the patient's)."""
    return kind in {k.value for k in PRSB_KINDS}


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day`` (an episode's dates have no time)."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def author_of(user: User | None) -> Author:
    """The signer as the document names them: the name shown, split at its last word."""
    shown = (user.display_name if user is not None else "").strip()
    name, _, rest = shown.partition(" (")
    words = name.split() or ["Unknown"]
    role = rest.rstrip(")") if rest else ((user.profession or "") if user is not None else "")
    registration = (
        Registration(user.professional_body, user.registration_number)
        if user is not None and user.professional_body and user.registration_number
        else None
    )
    return Author(
        given_names=tuple(words[:-1]),
        family_name=words[-1],
        role=role or "Clinician",
        registration=registration,
    )


def patient_details(row: Patient) -> PatientDetails:
    """The patient as the document's demographics give them, from their record as it stands."""
    lines = tuple(
        part.strip()
        for part in (row.address or "").replace("\n", ",").split(",")
        if part.strip() and part.strip() != (row.postcode or "").strip()
    )
    return PatientDetails(
        nhs_number=row.nhs_number or "",
        nhs_number_verified=False,  # no trace against the national service is made here
        given_names=tuple(row.given_name.split()),
        family_name=row.family_name,
        birth_date=row.date_of_birth,
        gender=administrative_gender(row.sex),
        address_lines=lines,
        postcode=row.postcode or None,
        title=row.title or None,
    )


def gp_practice_of(session: Session, patient: Patient) -> Organisation | None:
    """The patient's registered GP practice by its ODS code; None when none is recorded."""
    practice = session.get(GpPractice, patient.gp_practice_id) if patient.gp_practice_id else None
    if practice is None or practice.deleted:
        return None
    return Organisation(practice.ods_code, practice.name)


def service_of(session: Session, site_id: object) -> Organisation:
    """The service that holds the record (the custodian); an empty ODS code when unknown."""
    site = session.get(Site, site_id) if site_id is not None else None
    return Organisation(
        (site.ods_code or "") if site is not None else "",
        site.name if site is not None else "",
    )


def episode_attendance(
    session: Session, episode_id: object, fallback: datetime, type_text: str
) -> Attendance:
    """The episode of care as the document's attendance; ``fallback`` starts it when none."""
    episode = session.get(EpisodeOfCare, episode_id) if episode_id is not None else None
    return Attendance(
        start=day_start(episode.started_on) if episode is not None else fallback,
        end=day_start(episode.ended_on) if episode is not None and episode.ended_on else None,
        type_text=type_text,
    )


def letter_document(
    session: Session, row: LetterRecord, view: LetterView, pdf: bytes, site_id: object
) -> LetterDocument:
    """The document values of a signed letter (the caller checks it is signed and intact).

    The patient is the record standing for the letter's now (the survivor of a merge), as
    its printed copy names them.
    """
    patient = session.get(Patient, survivor_of(session, row.patient_id))
    if patient is None:
        raise LookupError("patient")
    signed_at = view.signed_at or view.created_at
    codes = {heading.key: heading.snomed for heading in prsb_headings()}
    title = kind_title(view.kind)
    return LetterDocument(
        letter_id=view.id,
        kind=title,
        title=f"{ATTENDANCE_WORDS}: {title}",
        signed_at=signed_at,
        patient=patient_details(patient),
        gp_practice=gp_practice_of(session, patient),
        service=service_of(session, site_id),
        author=author_of(session.get(User, view.signed_by) if view.signed_by else None),
        attendance=episode_attendance(session, row.episode_id, signed_at, ATTENDANCE_WORDS),
        sections=tuple(
            SectionText(codes[section.key], section.title, section.text)
            for section in view.sections
            if section.key in codes
        ),
        pdf=pdf,
        pdf_title=f"{LetterKind(view.kind).value}.pdf",
    )


def letter_bundle(document: LetterDocument) -> tuple[str, list[Problem]]:
    """The document Bundle as JSON, and every ITK rule it breaks (none for a complete letter)."""
    text = build_bundle_json(document, assembled_at=document.signed_at)
    return text, check_bundle_json(text)
