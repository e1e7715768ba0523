"""The letter's FHIR document: built from plain values, parsed back by the library, kept in docs."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from fhir.resources.R4B.binary import Binary
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.composition import Composition
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.patient import Patient

from clinic_app.domains.letters.fhir import (
    SectionText,
    administrative_gender,
    build_bundle,
    build_bundle_json,
    check_bundle,
    check_bundle_json,
    itk_rules,
)
from clinic_app.domains.letters.fhir.example import EXAMPLE_PATH, example_bundle_json
from clinic_app.domains.letters.fhir.example import example_document as letter
from clinic_app.domains.letters.fhir.itk import parse_rules
from clinic_app.kernel.errors import ClinicError
from clinic_app.kernel.resource_files import read_json
from clinic_app.people.nhs_number import is_test_range, is_valid

ROOT = Path(__file__).resolve().parents[3]


def _resource(bundle: dict[str, object], resource_type: str) -> dict[str, object]:
    entries = bundle["entry"]
    assert isinstance(entries, list)
    return next(e["resource"] for e in entries if e["resource"]["resourceType"] == resource_type)


def test_a_valid_bundle_parses_back_with_the_library() -> None:
    parsed = Bundle.model_validate_json(build_bundle_json(letter()))

    assert parsed.type == "document"
    resources = [entry.resource for entry in parsed.entry or []]
    assert isinstance(resources[0], Composition)
    assert [type(r).__name__ for r in resources] == [
        "Composition",
        "Patient",
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "Organization",
        "Encounter",
        "DocumentReference",
        "Binary",
    ]
    patient = next(r for r in resources if isinstance(r, Patient))
    assert patient.identifier is not None
    assert patient.identifier[0].system == "https://fhir.nhs.uk/Id/nhs-number"
    binary = next(r for r in resources if isinstance(r, Binary))
    assert binary.data is not None
    assert binary.data == letter().pdf  # the model holds the decoded bytes
    reference = next(r for r in resources if isinstance(r, DocumentReference))
    assert reference.content[0].attachment.contentType == "application/pdf"


def test_the_built_bundle_breaks_no_itk_rule() -> None:
    assert check_bundle(build_bundle(letter())) == []
    assert check_bundle_json(build_bundle_json(letter())) == []


def test_the_same_letter_always_gives_the_same_document() -> None:
    assert build_bundle_json(letter()) == build_bundle_json(letter())
    other = dataclasses.replace(letter(), letter_id=letter().letter_id.__class__(int=1))
    assert build_bundle(other)["id"] != build_bundle(letter())["id"]


def test_sections_keep_their_order_codes_and_links() -> None:
    bundle = build_bundle(letter())
    composition = _resource(bundle, "Composition")
    sections = composition["section"]
    assert isinstance(sections, list)
    assert [s["code"]["coding"][0]["code"] for s in sections] == [s.code for s in letter().sections]
    demographics = sections[0]
    patient_url = next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert demographics["entry"] == [{"reference": patient_url}]
    assert all(s["code"]["coding"][0]["system"] == "http://snomed.info/sct" for s in sections)


def test_the_attachment_describes_the_signed_pdf() -> None:
    bundle = build_bundle(letter())
    attachment = _resource(bundle, "DocumentReference")["content"][0]["attachment"]
    pdf = letter().pdf

    assert attachment["size"] == len(pdf)
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(pdf).digest()).decode()
    assert _resource(bundle, "Binary")["contentType"] == "application/pdf"


def test_narrative_is_escaped_xhtml_with_paragraphs() -> None:
    hostile = SectionText("887181000000106", "Clinical summary", "<script>x</script> & more\n\nTwo")
    document = dataclasses.replace(
        letter(),
        sections=tuple(hostile if s.code == hostile.code else s for s in letter().sections),
    )
    bundle = build_bundle(document)
    div = _resource(bundle, "Composition")["section"][3]["text"]["div"]

    assert "<script>" not in div
    assert "&lt;script&gt;x&lt;/script&gt; &amp; more</p><p>Two</p>" in div
    assert check_bundle(bundle) == []


def test_no_known_gp_practice_is_said_with_the_default_code() -> None:
    bundle = build_bundle(dataclasses.replace(letter(), gp_practice=None))
    organisations = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Organization"
    ]

    unknown = itk_rules().gp_practice_unknown
    assert {"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "V81999"} in [
        org["identifier"][0] for org in organisations
    ]
    assert unknown.name in [org["name"] for org in organisations]
    assert check_bundle(bundle) == []


def test_an_untraced_nhs_number_says_so() -> None:
    patient = dataclasses.replace(letter().patient, nhs_number_verified=False)
    bundle = build_bundle(dataclasses.replace(letter(), patient=patient))
    status = _resource(bundle, "Patient")["identifier"][0]["extension"][0]
    assert status["valueCodeableConcept"]["coding"][0]["code"] == "02"


def test_a_registration_without_a_known_register_has_no_system() -> None:
    author = dataclasses.replace(
        letter().author, registration=dataclasses.replace(letter().author.registration, body="X")
    )
    bundle = build_bundle(dataclasses.replace(letter(), author=author))
    identifier = _resource(bundle, "Practitioner")["identifier"][0]
    assert "system" not in identifier
    assert identifier["type"] == {"text": "X"}


def test_a_time_without_a_zone_is_a_callers_mistake() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        build_bundle(dataclasses.replace(letter(), signed_at=datetime(2026, 3, 4, 16, 20)))


def test_a_blank_title_is_a_value_the_models_refuse() -> None:
    with pytest.raises(ValueError, match="validation error"):
        build_bundle(dataclasses.replace(letter(), title=""))


def test_blank_optional_values_are_left_out_not_sent_empty() -> None:
    patient = dataclasses.replace(
        letter().patient, given_names=("", "Sam"), address_lines=(" ",), postcode="", title=""
    )
    sections = (dataclasses.replace(letter().sections[0], title=" "), *letter().sections[1:])
    bundle = build_bundle(
        dataclasses.replace(letter(), patient=patient, sections=sections, kind="")
    )

    written = _resource(bundle, "Patient")
    assert written["name"] == [{"use": "official", "family": "Sample", "given": ["Sam"]}]
    assert "address" not in written
    composition = _resource(bundle, "Composition")
    assert composition["section"][0]["title"] == "Patient demographics"
    assert "text" not in composition["type"]
    assert check_bundle(bundle) == []


def test_stored_gender_codes_map_to_fhir() -> None:
    assert [administrative_gender(code) for code in ("1", "2", "9", "X", "7")] == [
        "male",
        "female",
        "other",
        "unknown",
        "unknown",
    ]


def test_the_example_in_docs_is_what_the_app_writes() -> None:
    kept = (ROOT / EXAMPLE_PATH).read_text(encoding="utf-8")
    assert kept == example_bundle_json(), (
        "docs/fhir/example-outpatient-letter.json is out of date: "
        "run python -m clinic_app.domains.letters.fhir.example"
    )


def test_the_example_patient_is_synthetic() -> None:
    number = letter().patient.nhs_number
    assert is_test_range(number)
    assert is_valid(number)
    assert json.loads((ROOT / EXAMPLE_PATH).read_text(encoding="utf-8"))["type"] == "document"


def test_the_shipped_rules_have_the_six_mandatory_headings() -> None:
    mandatory = {section.title for section in itk_rules().mandatory_sections}
    assert mandatory == {
        "Patient demographics",
        "GP practice",
        "Attendance details",
        "Clinical summary",
        "Allergies and adverse reactions",
        "Person completing record",
    }


def test_a_rules_file_listing_a_heading_twice_is_refused() -> None:
    data = read_json("letters", "itk_sections")
    assert isinstance(data, dict)
    data["sections"] = [*data["sections"], data["sections"][0]]
    with pytest.raises(ClinicError) as caught:
        parse_rules(data)
    assert caught.value.code == "content.invalid"
