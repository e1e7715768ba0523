"""Every ITK rule the checker knows, each broken on its own: one negative case per rule."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from clinic_app.domains.letters.fhir import RULES, build_bundle, check_bundle, check_bundle_json
from clinic_app.domains.letters.fhir.example import example_document, tiny_pdf

Bundle = dict[str, Any]


def _valid() -> Bundle:
    return build_bundle(example_document())


def _index(bundle: Bundle, resource_type: str) -> int:
    return next(
        i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == resource_type
    )


def _res(bundle: Bundle, resource_type: str) -> dict[str, Any]:
    resource: dict[str, Any] = bundle["entry"][_index(bundle, resource_type)]["resource"]
    return resource


def _sections(bundle: Bundle) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = _res(bundle, "Composition")["section"]
    return sections


def _structure(b: Bundle) -> None:
    _res(b, "Composition")["nonsense"] = 1


def _not_document(b: Bundle) -> None:
    b["type"] = "collection"


def _no_identifier(b: Bundle) -> None:
    del b["identifier"]


def _no_timestamp(b: Bundle) -> None:
    del b["timestamp"]


def _composition_not_first(b: Bundle) -> None:
    b["entry"].append(b["entry"].pop(0))


def _full_url(b: Bundle) -> None:
    b["entry"][1]["fullUrl"] = "Patient/1"


def _reference_unresolved(b: Bundle) -> None:
    _res(b, "Encounter")["serviceProvider"] = {
        "reference": "urn:uuid:00000000-0000-4000-8000-000000000000"
    }


def _reference_wrong_type(b: Bundle) -> None:
    composition = _res(b, "Composition")
    composition["subject"] = copy.deepcopy(composition["custodian"])


def _composition_link_missing(b: Bundle) -> None:
    del _res(b, "Composition")["custodian"]


def _document_type(b: Bundle) -> None:
    _res(b, "Composition")["type"]["coding"][0]["code"] = "371531000"


def _section_missing(b: Bundle) -> None:
    sections = _sections(b)
    sections[:] = [s for s in sections if s["code"]["coding"][0]["code"] != "886921000000105"]


def _section_code(b: Bundle) -> None:
    _sections(b)[-1]["code"]["coding"][0]["system"] = "http://loinc.org"


def _section_repeated(b: Bundle) -> None:
    _sections(b).append(copy.deepcopy(_sections(b)[3]))


def _section_narrative(b: Bundle) -> None:
    _sections(b)[3]["text"]["div"] = "<div><p>no namespace</p></div>"


def _nhs_number_missing(b: Bundle) -> None:
    _res(b, "Patient")["identifier"][0]["system"] = "https://example.org/mrn"


def _nhs_number_invalid(b: Bundle) -> None:
    number = _res(b, "Patient")["identifier"][0]
    number["value"] = number["value"][:9] + str((int(number["value"][9]) + 1) % 10)


def _nhs_number_verification(b: Bundle) -> None:
    del _res(b, "Patient")["identifier"][0]["extension"]


def _gp_practice_missing(b: Bundle) -> None:
    del _res(b, "Patient")["generalPractitioner"]


def _ods_code(b: Bundle) -> None:
    _res(b, "Organization")["identifier"][0]["system"] = "https://example.org/org"


def _attachment_missing(b: Bundle) -> None:
    del b["entry"][_index(b, "Binary")]
    del _res(b, "DocumentReference")["content"][0]["attachment"]["url"]


def _attachment_type(b: Bundle) -> None:
    _res(b, "DocumentReference")["content"][0]["attachment"]["contentType"] = "text/plain"


def _attachment_size(b: Bundle) -> None:
    _res(b, "DocumentReference")["content"][0]["attachment"]["size"] += 1


def _attachment_hash(b: Bundle) -> None:
    other = tiny_pdf("Another letter")
    _res(b, "Binary")["data"] = base64.b64encode(other).decode()
    _res(b, "DocumentReference")["content"][0]["attachment"]["size"] = len(other)


def _too_large(b: Bundle) -> None:
    padding = "x" * 5_000_001
    _sections(b)[3]["text"]["div"] = f'<div xmlns="http://www.w3.org/1999/xhtml">{padding}</div>'


BREAKS: dict[str, Callable[[Bundle], None]] = {
    "fhir_letter.structure": _structure,
    "fhir_letter.not_document": _not_document,
    "fhir_letter.no_identifier": _no_identifier,
    "fhir_letter.no_timestamp": _no_timestamp,
    "fhir_letter.composition_not_first": _composition_not_first,
    "fhir_letter.full_url": _full_url,
    "fhir_letter.reference_unresolved": _reference_unresolved,
    "fhir_letter.reference_wrong_type": _reference_wrong_type,
    "fhir_letter.composition_link_missing": _composition_link_missing,
    "fhir_letter.document_type": _document_type,
    "fhir_letter.section_missing": _section_missing,
    "fhir_letter.section_code": _section_code,
    "fhir_letter.section_repeated": _section_repeated,
    "fhir_letter.section_narrative": _section_narrative,
    "fhir_letter.nhs_number_missing": _nhs_number_missing,
    "fhir_letter.nhs_number_invalid": _nhs_number_invalid,
    "fhir_letter.nhs_number_verification": _nhs_number_verification,
    "fhir_letter.gp_practice_missing": _gp_practice_missing,
    "fhir_letter.ods_code": _ods_code,
    "fhir_letter.attachment_missing": _attachment_missing,
    "fhir_letter.attachment_type": _attachment_type,
    "fhir_letter.attachment_size": _attachment_size,
    "fhir_letter.attachment_hash": _attachment_hash,
    "fhir_letter.too_large": _too_large,
}


def test_every_rule_has_a_negative_case() -> None:
    assert set(BREAKS) == set(RULES)


@pytest.mark.parametrize("code", list(BREAKS))
def test_each_broken_rule_is_found_and_nothing_else(code: str) -> None:
    bundle = _valid()
    BREAKS[code](bundle)

    found = {problem.code for problem in check_bundle(bundle)}

    assert code in found
    # Removing or renaming an entry also orphans the links to it; otherwise a break is
    # reported alone.
    allowed_with = {
        "fhir_letter.attachment_missing": {"fhir_letter.reference_unresolved"},
        "fhir_letter.full_url": {"fhir_letter.reference_unresolved"},
    }
    assert found - {code} <= allowed_with.get(code, set())


def test_a_structure_problem_says_where_like_the_other_rules() -> None:
    bundle = _valid()
    _structure(bundle)

    assert [p.where for p in check_bundle(bundle)] == ["entry[0].resource.nonsense"]


def test_every_problem_is_returned_at_once() -> None:
    bundle = _valid()
    for code in ("fhir_letter.section_missing", "fhir_letter.nhs_number_invalid"):
        BREAKS[code](bundle)
    _res(bundle, "Composition")["section"][0]["text"]["div"] = ""

    codes = [problem.code for problem in check_bundle(bundle)]

    assert codes == [
        "fhir_letter.section_missing",
        "fhir_letter.section_narrative",
        "fhir_letter.nhs_number_invalid",
    ]


def test_every_missing_mandatory_heading_is_named() -> None:
    bundle = _valid()
    _res(bundle, "Composition")["section"] = _sections(bundle)[6:]

    missing = [p.detail for p in check_bundle(bundle) if p.code == "fhir_letter.section_missing"]

    assert len(missing) == 6


def test_problems_name_no_patient_data() -> None:
    bundle = _valid()
    _nhs_number_invalid(bundle)
    number = _res(bundle, "Patient")["identifier"][0]["value"]

    problems = check_bundle(bundle)

    assert problems
    assert all(number not in f"{p.where} {p.detail}" for p in problems)


@pytest.mark.parametrize(
    ("div", "reason"),
    [
        (
            '<div xmlns="http://www.w3.org/1999/xhtml"><p>x</p><script>y</script></div>',
            "forbidden_element",
        ),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="y">x</p></div>', "event_attribute"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><p> </p></div>', "empty"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"><p>x</div>', "not_xml"),
        ('<p xmlns="http://www.w3.org/1999/xhtml">x</p>', "not_xhtml_div"),
    ],
)
def test_narrative_that_is_not_plain_xhtml_is_named(div: str, reason: str) -> None:
    bundle = _valid()
    _sections(bundle)[3]["text"]["div"] = div

    details = [p.detail for p in check_bundle(bundle) if p.code == "fhir_letter.section_narrative"]

    assert details == [reason]


def test_a_binary_that_is_not_a_pdf_is_named() -> None:
    bundle = _valid()
    data = b"not a pdf"
    _res(bundle, "Binary")["data"] = base64.b64encode(data).decode()

    details = {p.detail for p in check_bundle(bundle) if p.code == "fhir_letter.attachment_type"}

    assert details == {"not_pdf"}


def test_json_text_that_is_not_a_bundle_is_a_problem_not_an_error() -> None:
    assert [p.detail for p in check_bundle_json("{not json")] == ["not_json"]
    assert [p.detail for p in check_bundle_json("[]")] == ["not_an_object"]
    assert check_bundle_json(json.dumps(_valid())) == []


def test_a_bundle_with_nothing_in_it_breaks_many_rules_without_raising() -> None:
    codes = {p.code for p in check_bundle({"resourceType": "Bundle"})}
    assert {
        "fhir_letter.not_document",
        "fhir_letter.composition_not_first",
        "fhir_letter.attachment_missing",
    } <= codes


@pytest.mark.parametrize(
    ("value", "detail"),
    [("999 000 0018", "not_plain_digits"), ("99900000", "nhs_number.length"), (None, "missing")],
)
def test_an_nhs_number_not_sent_as_ten_plain_valid_digits_is_named(
    value: str | None, detail: str
) -> None:
    bundle = _valid()
    _res(bundle, "Patient")["identifier"][0]["value"] = value

    details = [p.detail for p in check_bundle(bundle) if p.code == "fhir_letter.nhs_number_invalid"]

    assert details == [detail]
