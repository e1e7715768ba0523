"""A signed letter as a FHIR R4 document Bundle shaped as the ITK3 outpatient letter.

The bundle holds, in this order: the Composition (the letter's headings as sections with
their PRSB SNOMED CT codes and narrative), the Patient (NHS number), the Practitioner and
PractitionerRole of the author, the service Organization (custodian), the GP practice
Organization, the Encounter, a DocumentReference describing the signed PDF and the Binary
carrying it. Every entry's fullUrl is ``urn:uuid:<id>`` and every reference points at one.

Each resource is checked by the ``fhir.resources`` models before it is written out, so a
bundle that leaves this module is structurally valid FHIR. Those models are the library's
R4B package: from version 7 the library ships R5 at the top and R4B beneath it, and no longer
ships R4 itself. R4B changed only the medication-definition, evidence and subscription
resources; every resource used here is the same in R4 and R4B, so the JSON written is R4.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from clinic_app.domains.letters.fhir.document import (
    AdministrativeGender,
    Attendance,
    Author,
    LetterDocument,
    Organisation,
    PatientDetails,
)
from clinic_app.domains.letters.fhir.itk import ItkRules, itk_rules
from clinic_app.domains.letters.fhir.narrative import narrative_div

SNOMED = "http://snomed.info/sct"

# The sections that point at the resource they describe (PRSB heading -> bundle entry).
_SECTION_ENTRIES = {
    "886731000000109": "patient",
    "886711000000101": "gp_practice",
    "1077881000000105": "encounter",
    "887231000000104": "practitioner_role",
    "887181000000106": "pdf_reference",
}
_ROLES = (
    "composition",
    "patient",
    "practitioner",
    "practitioner_role",
    "service",
    "gp_practice",
    "encounter",
    "pdf_reference",
    "pdf",
)


def administrative_gender(person_stated_gender: str) -> AdministrativeGender:
    """FHIR administrative gender for the app's stored person stated gender code.

    A code the map does not know gives ``"unknown"``: the letter then claims nothing.
    """
    mapping = itk_rules().administrative_gender.from_person_stated_gender
    return mapping.get(person_stated_gender, "unknown")


def _ids(letter_id: uuid.UUID) -> dict[str, uuid.UUID]:
    # Derived, not random: the same signed letter always gives the same document.
    return {role: uuid.uuid5(letter_id, f"itk-outpatient-letter/{role}") for role in _ROLES}


def _ref(ids: dict[str, uuid.UUID], role: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{ids[role]}"}


def _instant(moment: datetime, name: str) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A caller's mistake, not a user's: every time in the record is stored with its zone.
        raise ValueError(f"{name}: naive datetime given to a FHIR instant")
    return moment.isoformat()


def _coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


def _human_name(family: str, given: tuple[str, ...], prefix: str | None) -> dict[str, Any]:
    # Empty parts are left out rather than sent as empty strings, which FHIR forbids.
    name: dict[str, Any] = {"use": "official"}
    if family.strip():
        name["family"] = family
    if any(part.strip() for part in given):
        name["given"] = [part for part in given if part.strip()]
    if prefix and prefix.strip():
        name["prefix"] = [prefix]
    return name


def _patient(patient: PatientDetails, rules: ItkRules, gp_ref: dict[str, str]) -> dict[str, Any]:
    verification = rules.nhs_number_verification
    status = verification.verified if patient.nhs_number_verified else verification.not_traced
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [
            {
                "extension": [
                    {
                        "url": verification.extension_url,
                        "valueCodeableConcept": {
                            "coding": [_coding(verification.system, status.code, status.display)]
                        },
                    }
                ],
                "system": rules.identifier_systems.nhs_number,
                "value": patient.nhs_number,
            }
        ],
        "name": [_human_name(patient.family_name, patient.given_names, patient.title)],
        "gender": patient.gender,
        "birthDate": patient.birth_date.isoformat(),
        "generalPractitioner": [gp_ref],
    }
    lines = [line for line in patient.address_lines if line.strip()]
    if lines or (patient.postcode and patient.postcode.strip()):
        address: dict[str, Any] = {"use": "home"}
        if lines:
            address["line"] = lines
        if patient.postcode and patient.postcode.strip():
            address["postalCode"] = patient.postcode
        resource["address"] = [address]
    return resource


def _organisation(organisation: Organisation, rules: ItkRules) -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "identifier": [
            {"system": rules.identifier_systems.ods_organisation, "value": organisation.ods_code}
        ],
        "name": organisation.name,
    }


def _practitioner(author: Author, rules: ItkRules) -> dict[str, Any]:
    name = _human_name(author.family_name, author.given_names, author.prefix)
    resource: dict[str, Any] = {"resourceType": "Practitioner", "name": [name]}
    if author.registration is not None:
        identifier: dict[str, Any] = {
            "type": {"text": author.registration.body},
            "value": author.registration.number,
        }
        system = rules.registration_system(author.registration.body)
        if system is not None:
            identifier["system"] = system
        resource["identifier"] = [identifier]
    return resource


def _encounter(attendance: Attendance, rules: ItkRules, ids: dict[str, uuid.UUID]) -> Any:
    period = {"start": _instant(attendance.start, "attendance.start")}
    if attendance.end is not None:
        period["end"] = _instant(attendance.end, "attendance.end")
    encounter_type: dict[str, Any] = {"text": attendance.type_text}
    if attendance.type_code:
        encounter_type["coding"] = [{"system": SNOMED, "code": attendance.type_code}]
    klass = rules.encounter_class
    return {
        "resourceType": "Encounter",
        "status": "finished" if attendance.end is not None else "in-progress",
        "class": _coding(klass.system, klass.code, klass.display),
        "type": [encounter_type],
        "subject": _ref(ids, "patient"),
        "participant": [{"individual": _ref(ids, "practitioner")}],
        "period": period,
        "serviceProvider": _ref(ids, "service"),
    }


def _document_type(rules: ItkRules, kind: str) -> dict[str, Any]:
    kind_type = rules.document_type
    concept: dict[str, Any] = {
        "coding": [_coding(rules.code_system, kind_type.code, kind_type.display)]
    }
    if kind.strip():
        concept["text"] = kind
    return concept


def _composition(
    document: LetterDocument, rules: ItkRules, ids: dict[str, uuid.UUID]
) -> dict[str, Any]:
    sections = []
    for section in document.sections:
        heading = rules.section(section.code)
        coding: dict[str, str] = {"system": rules.code_system, "code": section.code}
        if heading is not None:
            coding["display"] = heading.title
        entry: dict[str, Any] = {
            "title": section.title.strip() or (heading.title if heading else section.code),
            "code": {"coding": [coding]},
            "text": {"status": "additional", "div": narrative_div(section.text)},
        }
        if section.code in _SECTION_ENTRIES:
            entry["entry"] = [_ref(ids, _SECTION_ENTRIES[section.code])]
        sections.append(entry)
    signed = _instant(document.signed_at, "signed_at")
    return {
        "resourceType": "Composition",
        "identifier": {
            "system": rules.identifier_systems.document,
            "value": f"urn:uuid:{document.letter_id}",
        },
        "status": "final",
        "type": _document_type(rules, document.kind),
        "subject": _ref(ids, "patient"),
        "encounter": _ref(ids, "encounter"),
        "date": signed,
        "author": [_ref(ids, "practitioner_role")],
        "title": document.title,
        "attester": [{"mode": "legal", "time": signed, "party": _ref(ids, "practitioner_role")}],
        "custodian": _ref(ids, "service"),
        "section": sections,
    }


def _pdf_resources(
    document: LetterDocument, rules: ItkRules, ids: dict[str, uuid.UUID]
) -> tuple[dict[str, Any], dict[str, Any]]:
    content_type = rules.attachment.content_type
    # FHIR R4 Attachment.hash is the SHA-1 of the data, base64-encoded; it identifies the
    # bytes, it is not a signature.
    sha1 = base64.b64encode(hashlib.sha1(document.pdf, usedforsecurity=False).digest()).decode()
    reference = {
        "resourceType": "DocumentReference",
        "status": "current",
        "docStatus": "final",
        "type": _document_type(rules, document.kind),
        "subject": _ref(ids, "patient"),
        "date": _instant(document.signed_at, "signed_at"),
        "author": [_ref(ids, "practitioner_role")],
        "custodian": _ref(ids, "service"),
        "description": document.title,
        "content": [
            {
                "attachment": {
                    "contentType": content_type,
                    "url": f"urn:uuid:{ids['pdf']}",
                    "size": len(document.pdf),
                    "hash": sha1,
                    "title": document.pdf_title,
                    "creation": _instant(document.signed_at, "signed_at"),
                }
            }
        ],
        "context": {"encounter": [_ref(ids, "encounter")]},
    }
    binary = {
        "resourceType": "Binary",
        "contentType": content_type,
        "data": base64.b64encode(document.pdf).decode("ascii"),
    }
    return reference, binary


def _resources(document: LetterDocument, rules: ItkRules, ids: dict[str, uuid.UUID]) -> Any:
    practice = document.gp_practice or Organisation(
        rules.gp_practice_unknown.ods_code, rules.gp_practice_unknown.name
    )
    pdf_reference, pdf = _pdf_resources(document, rules, ids)
    role = {
        "resourceType": "PractitionerRole",
        "practitioner": _ref(ids, "practitioner"),
        "organization": _ref(ids, "service"),
        "code": [{"text": document.author.role}],
    }
    return {
        "composition": _composition(document, rules, ids),
        "patient": _patient(document.patient, rules, _ref(ids, "gp_practice")),
        "practitioner": _practitioner(document.author, rules),
        "practitioner_role": role,
        "service": _organisation(document.service, rules),
        "gp_practice": _organisation(practice, rules),
        "encounter": _encounter(document.attendance, rules, ids),
        "pdf_reference": pdf_reference,
        "pdf": pdf,
    }


def _bundle_model(document: LetterDocument, assembled_at: datetime | None) -> Bundle:
    rules = itk_rules()
    ids = _ids(document.letter_id)
    resources = _resources(document, rules, ids)
    bundle_id = uuid.uuid5(document.letter_id, "itk-outpatient-letter/bundle")
    timestamp = _instant(assembled_at or document.signed_at, "assembled_at")
    entries = [
        {"fullUrl": f"urn:uuid:{ids[role]}", "resource": {**resources[role], "id": str(ids[role])}}
        for role in _ROLES
    ]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": str(bundle_id),
            "meta": {"lastUpdated": timestamp},
            "identifier": {
                "system": rules.identifier_systems.document,
                "value": f"urn:uuid:{bundle_id}",
            },
            "type": "document",
            "timestamp": timestamp,
            "entry": entries,
        }
    )


def build_bundle_json(document: LetterDocument, assembled_at: datetime | None = None) -> str:
    """The letter's FHIR document as JSON text (two-space indent, fields in FHIR order).

    Empty optional values (a blank given name, address line, postcode or section title) are
    left out or filled from the heading, since FHIR forbids empty strings; whatever else is
    wrong with the letter is for :func:`~clinic_app.domains.letters.fhir.checks.check_bundle`
    to report.

    Args:
        document: the signed letter's values.
        assembled_at: when the bundle is put together (Bundle.timestamp); the signing time
            when None, so the same letter always gives the same text.

    Raises:
        ValueError: a caller's mistake: a datetime without a time zone, or a value the FHIR
            models refuse (a blank document title, for one); the message says which.
    """
    return _bundle_model(document, assembled_at).model_dump_json(indent=2) + "\n"


def build_bundle(document: LetterDocument, assembled_at: datetime | None = None) -> dict[str, Any]:
    """The letter's FHIR document as a JSON object (see :func:`build_bundle_json`)."""
    decoded: dict[str, Any] = json.loads(build_bundle_json(document, assembled_at))
    return decoded
