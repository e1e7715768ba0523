"""The ITK outpatient letter rules, checked on a document Bundle: every problem, not the first.

:func:`check_bundle` takes a decoded bundle (from this app or from anywhere else) and returns
a list of :class:`Problem` — empty when the bundle is a well-formed ITK outpatient letter as
far as these rules go. It never raises on a bad bundle. Problems carry a code, where in the
bundle it was found and a short detail; never a patient's name or number.

The rules and where they come from are listed in :data:`RULES` (and in docs/fhir/README.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError as SchemaError

from clinic_app.domains.letters.fhir.itk import ItkRules, itk_rules
from clinic_app.domains.letters.fhir.narrative import div_problem
from clinic_app.kernel.errors import ValidationError
from clinic_app.people.nhs_number import normalise

RULES: dict[str, str] = {
    "fhir_letter.structure": "the bundle parses as FHIR with the library's models",
    "fhir_letter.not_document": "Bundle.type is 'document'",
    "fhir_letter.no_identifier": "the bundle has an identifier with a system and a value",
    "fhir_letter.no_timestamp": "the bundle has a timestamp",
    "fhir_letter.composition_not_first": "the first entry is the one Composition",
    "fhir_letter.full_url": "every entry has a unique urn:uuid fullUrl matching its id",
    "fhir_letter.reference_unresolved": "every reference points at an entry of the bundle",
    "fhir_letter.reference_wrong_type": "each link points at the right kind of resource",
    "fhir_letter.composition_link_missing": "the Composition names subject, encounter, author"
    " and custodian",
    "fhir_letter.document_type": "Composition.type is the SNOMED CT outpatient letter concept",
    "fhir_letter.section_missing": "every mandatory PRSB heading is present",
    "fhir_letter.section_code": "every section is coded with an outpatient letter heading",
    "fhir_letter.section_repeated": "no heading appears twice",
    "fhir_letter.section_narrative": "every section has XHTML narrative with text in it",
    "fhir_letter.nhs_number_missing": "the Patient has an NHS number identifier",
    "fhir_letter.nhs_number_invalid": "the NHS number is ten digits with a valid check digit",
    "fhir_letter.nhs_number_verification": "the NHS number carries its verification status",
    "fhir_letter.gp_practice_missing": "the Patient names a GP practice",
    "fhir_letter.ods_code": "the custodian and the GP practice carry an ODS code",
    "fhir_letter.attachment_missing": "a DocumentReference points at a Binary with the PDF",
    "fhir_letter.attachment_type": "the attachment is application/pdf and holds a PDF",
    "fhir_letter.attachment_size": "the attachment's size is the size of the PDF",
    "fhir_letter.attachment_hash": "the attachment's SHA-1 hash is the hash of the PDF",
    "fhir_letter.too_large": "the whole message stays within the ITK size limit",
}
"""Every rule checked, by problem code."""

_URN_UUID = re.compile(r"^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
_ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
_PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Problem:
    """One rule a bundle breaks.

    Attributes:
        code: the rule, a key of :data:`RULES`.
        where: the path in the bundle, e.g. ``"entry[0].resource.section[3]"``.
        detail: a short machine word or code (never patient data).
    """

    code: str
    where: str
    detail: str = ""


class _Bundle:
    """The decoded bundle with its entries indexed by fullUrl."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        raw_entries = data.get("entry")
        self.entries: list[Any] = raw_entries if isinstance(raw_entries, list) else []
        self.by_url: dict[str, tuple[int, Mapping[str, Any]]] = {}
        for index, entry in enumerate(self.entries):
            url = _get(entry, "fullUrl")
            resource = _get(entry, "resource")
            if isinstance(url, str) and isinstance(resource, Mapping):
                self.by_url.setdefault(url, (index, resource))

    def of_type(self, resource_type: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
        for index, entry in enumerate(self.entries):
            resource = _get(entry, "resource")
            if isinstance(resource, Mapping) and resource.get("resourceType") == resource_type:
                yield index, resource

    def resolve(self, reference: object) -> tuple[int, Mapping[str, Any]] | None:
        target = _get(reference, "reference")
        return self.by_url.get(target) if isinstance(target, str) else None


def _get(value: object, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def check_bundle(bundle: Mapping[str, Any], rules: ItkRules | None = None) -> list[Problem]:
    """Every ITK outpatient letter rule the bundle breaks.

    Args:
        bundle: the decoded JSON of a document Bundle.
        rules: the ITK rules; the shipped ones when None.

    Returns:
        The problems found, in the order of :data:`RULES`; empty when there are none.
    """
    rules = rules or itk_rules()
    view = _Bundle(bundle)
    problems = _structure(bundle)
    problems += _bundle_header(view)
    problems += _full_urls(view)
    problems += _references(view)
    found = _composition(view, problems)
    composition = found[1] if found is not None else None
    if found is not None:
        where = f"entry[{found[0]}].resource"
        problems += _composition_links(view, found[1], where)
        problems += _document_type(found[1], rules, where)
        problems += _sections(found[1], rules, where)
    problems += _patient(view, rules)
    problems += _organisations(view, composition, rules)
    problems += _attachment(view, rules)
    problems += _size(bundle, rules)
    order = list(RULES)
    return sorted(problems, key=lambda problem: order.index(problem.code))


def check_bundle_json(text: str, rules: ItkRules | None = None) -> list[Problem]:
    """Like :func:`check_bundle`, for JSON text (the size rule then counts the text itself)."""
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError:
        return [Problem("fhir_letter.structure", "", "not_json")]
    if not isinstance(decoded, Mapping):
        return [Problem("fhir_letter.structure", "", "not_an_object")]
    rules = rules or itk_rules()
    problems = [p for p in check_bundle(decoded, rules) if p.code != "fhir_letter.too_large"]
    if len(text.encode("utf-8")) > rules.attachment.max_message_bytes:
        problems.append(Problem("fhir_letter.too_large", "", "text"))
    return problems


def _structure(bundle: Mapping[str, Any]) -> list[Problem]:
    try:
        Bundle.model_validate(bundle)
    except SchemaError as error:
        return [
            Problem("fhir_letter.structure", _path(detail["loc"]), detail["type"])
            for detail in error.errors()
        ]
    except (TypeError, ValueError) as error:  # what the models raise outside pydantic's own
        return [Problem("fhir_letter.structure", "", type(error).__name__)]
    return []


def _path(location: tuple[int | str, ...]) -> str:
    """A validation error's location written like the other rules' paths: ``entry[0].x``."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else part
    return path


def _bundle_header(view: _Bundle) -> list[Problem]:
    problems = []
    if view.data.get("type") != "document":
        problems.append(Problem("fhir_letter.not_document", "type"))
    identifier = view.data.get("identifier")
    if not (_get(identifier, "system") and _get(identifier, "value")):
        problems.append(Problem("fhir_letter.no_identifier", "identifier"))
    if not view.data.get("timestamp"):
        problems.append(Problem("fhir_letter.no_timestamp", "timestamp"))
    return problems


def _full_urls(view: _Bundle) -> list[Problem]:
    problems = []
    urls = Counter(_get(entry, "fullUrl") for entry in view.entries)
    for index, entry in enumerate(view.entries):
        url = _get(entry, "fullUrl")
        where = f"entry[{index}].fullUrl"
        match = _URN_UUID.match(url) if isinstance(url, str) else None
        if match is None:
            problems.append(Problem("fhir_letter.full_url", where, "not_urn_uuid"))
        elif urls[url] > 1:
            problems.append(Problem("fhir_letter.full_url", where, "repeated"))
        elif _get(_get(entry, "resource"), "id") != match.group(1):
            problems.append(Problem("fhir_letter.full_url", where, "id_differs"))
    return problems


def _is_reference(key: str, item: object) -> bool:
    if not isinstance(item, str):
        return False
    return key == "reference" or (key == "url" and item.startswith("urn:uuid:"))


def _reference_paths(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Every reference in a resource: Reference.reference, and an Attachment.url to the bundle."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{path}.{key}"
            if _is_reference(key, item):
                yield here, str(item)
            else:
                yield from _reference_paths(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _reference_paths(item, f"{path}[{index}]")


def _references(view: _Bundle) -> list[Problem]:
    return [
        Problem("fhir_letter.reference_unresolved", where)
        for index, entry in enumerate(view.entries)
        for where, target in _reference_paths(_get(entry, "resource"), f"entry[{index}].resource")
        if target not in view.by_url
    ]


def _composition(view: _Bundle, problems: list[Problem]) -> tuple[int, Mapping[str, Any]] | None:
    compositions = list(view.of_type("Composition"))
    if not compositions or compositions[0][0] != 0 or len(compositions) > 1:
        detail = "none" if not compositions else "many" if len(compositions) > 1 else "not_first"
        problems.append(Problem("fhir_letter.composition_not_first", "entry[0]", detail))
    return compositions[0] if compositions else None


_COMPOSITION_LINKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("subject", ("Patient",)),
    ("encounter", ("Encounter",)),
    ("author", ("Practitioner", "PractitionerRole", "Organization")),
    ("custodian", ("Organization",)),
)


def _linked(
    view: _Bundle, reference: object, allowed: tuple[str, ...], where: str
) -> list[Problem]:
    found = view.resolve(reference)
    if found is not None and found[1].get("resourceType") not in allowed:
        return [Problem("fhir_letter.reference_wrong_type", where, str(found[1]["resourceType"]))]
    return []


def _composition_links(view: _Bundle, composition: Mapping[str, Any], where: str) -> list[Problem]:
    problems = []
    for name, allowed in _COMPOSITION_LINKS:
        value = composition.get(name)
        references = value if isinstance(value, list) else [value] if value else []
        if not references:
            problems.append(Problem("fhir_letter.composition_link_missing", f"{where}.{name}"))
        for reference in references:
            problems += _linked(view, reference, allowed, f"{where}.{name}")
    return problems


def _codings(concept: object) -> list[Mapping[str, Any]]:
    return [coding for coding in _list(_get(concept, "coding")) if isinstance(coding, Mapping)]


def _document_type(composition: Mapping[str, Any], rules: ItkRules, where: str) -> list[Problem]:
    expected = (rules.code_system, rules.document_type.code)
    for coding in _codings(composition.get("type")):
        if (coding.get("system"), coding.get("code")) == expected:
            return []
    return [Problem("fhir_letter.document_type", f"{where}.type")]


def _sections(composition: Mapping[str, Any], rules: ItkRules, where: str) -> list[Problem]:
    problems = []
    seen: Counter[str] = Counter()
    for index, section in enumerate(_list(composition.get("section"))):
        here = f"{where}.section[{index}]"
        code = _section_code(section, rules)
        if isinstance(code, Problem):
            problems.append(Problem(code.code, here, code.detail))
        else:
            seen[code] += 1
            if seen[code] == 2:
                problems.append(Problem("fhir_letter.section_repeated", here, code))
        reason = div_problem(_get(_get(section, "text"), "div"))
        if reason is not None:
            problems.append(Problem("fhir_letter.section_narrative", here, reason))
    problems += [
        Problem("fhir_letter.section_missing", f"{where}.section", heading.code)
        for heading in rules.mandatory_sections
        if heading.code not in seen
    ]
    return problems


def _section_code(section: object, rules: ItkRules) -> str | Problem:
    codings = _codings(_get(section, "code"))
    if not codings:
        return Problem("fhir_letter.section_code", "", "missing")
    coding = codings[0]
    if coding.get("system") != rules.code_system:
        return Problem("fhir_letter.section_code", "", "wrong_system")
    code = coding.get("code")
    if not isinstance(code, str) or rules.section(code) is None:
        return Problem("fhir_letter.section_code", "", "not_a_letter_heading")
    return code


def _patient(view: _Bundle, rules: ItkRules) -> list[Problem]:
    problems = []
    for index, patient in view.of_type("Patient"):
        where = f"entry[{index}].resource"
        numbers = [
            identifier
            for identifier in _list(patient.get("identifier"))
            if _get(identifier, "system") == rules.identifier_systems.nhs_number
        ]
        if not numbers:
            problems.append(Problem("fhir_letter.nhs_number_missing", f"{where}.identifier"))
        for number in numbers:
            problems += _nhs_number(number, rules, f"{where}.identifier")
        if not _list(patient.get("generalPractitioner")):
            problems.append(Problem("fhir_letter.gp_practice_missing", where))
        for gp in _list(patient.get("generalPractitioner")):
            problems += _linked(view, gp, ("Organization",), f"{where}.generalPractitioner")
    return problems


def _nhs_number(identifier: object, rules: ItkRules, where: str) -> list[Problem]:
    problems = []
    reason = _nhs_number_problem(_get(identifier, "value"))
    if reason is not None:
        problems.append(Problem("fhir_letter.nhs_number_invalid", where, reason))
    verification = rules.nhs_number_verification
    statuses = [
        extension
        for extension in _list(_get(identifier, "extension"))
        if _get(extension, "url") == verification.extension_url
    ]
    codings = [c for s in statuses for c in _codings(_get(s, "valueCodeableConcept"))]
    if not any(c.get("system") == verification.system and c.get("code") for c in codings):
        problems.append(Problem("fhir_letter.nhs_number_verification", where))
    return problems


def _nhs_number_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return "missing"
    try:
        digits = normalise(value)
    except ValidationError as error:
        return error.code
    # Sent as ten plain digits: "943 476 5919" is a valid number but not a valid value here.
    return None if digits == value else "not_plain_digits"


def _organisations(
    view: _Bundle, composition: Mapping[str, Any] | None, rules: ItkRules
) -> list[Problem]:
    targets = []
    if composition is not None:
        targets.append(("custodian", view.resolve(composition.get("custodian"))))
    for _, patient in view.of_type("Patient"):
        targets += [
            ("gp_practice", view.resolve(gp)) for gp in _list(patient.get("generalPractitioner"))
        ]
    problems = []
    for role, found in targets:
        if found is None or found[1].get("resourceType") != "Organization":
            continue  # reported by the reference rules
        codes = [
            _get(identifier, "value")
            for identifier in _list(found[1].get("identifier"))
            if _get(identifier, "system") == rules.identifier_systems.ods_organisation
        ]
        if not any(isinstance(code, str) and _ODS_CODE.match(code) for code in codes):
            problems.append(Problem("fhir_letter.ods_code", f"entry[{found[0]}].resource", role))
    return problems


def _attachment(view: _Bundle, rules: ItkRules) -> list[Problem]:
    for index, reference in view.of_type("DocumentReference"):
        for number, content in enumerate(_list(reference.get("content"))):
            attachment = _get(content, "attachment")
            found = view.resolve({"reference": _get(attachment, "url")})
            if found is not None and found[1].get("resourceType") == "Binary":
                where = f"entry[{index}].resource.content[{number}].attachment"
                return _pdf_checks(attachment, found, where, rules)
    return [Problem("fhir_letter.attachment_missing", "entry")]


def _pdf_checks(
    attachment: Mapping[str, Any],
    binary: tuple[int, Mapping[str, Any]],
    where: str,
    rules: ItkRules,
) -> list[Problem]:
    problems = []
    expected = rules.attachment.content_type
    if attachment.get("contentType") != expected:
        problems.append(Problem("fhir_letter.attachment_type", where, "attachment"))
    if binary[1].get("contentType") != expected:
        problems.append(Problem("fhir_letter.attachment_type", f"entry[{binary[0]}]", "binary"))
    try:
        data = base64.b64decode(str(binary[1].get("data") or ""), validate=True)
    except (binascii.Error, ValueError):
        return [
            *problems,
            Problem("fhir_letter.attachment_type", f"entry[{binary[0]}]", "not_base64"),
        ]
    if not data.startswith(_PDF_MAGIC):
        problems.append(Problem("fhir_letter.attachment_type", f"entry[{binary[0]}]", "not_pdf"))
    if attachment.get("size") != len(data):
        problems.append(Problem("fhir_letter.attachment_size", where))
    sha1 = base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode()
    if attachment.get("hash") != sha1:
        problems.append(Problem("fhir_letter.attachment_hash", where))
    return problems


def _size(bundle: Mapping[str, Any], rules: ItkRules) -> list[Problem]:
    try:
        size = len(json.dumps(bundle, separators=(",", ":")).encode("utf-8"))
    except (TypeError, ValueError):
        return []  # not JSON at all: the structure rule says so
    if size > rules.attachment.max_message_bytes:
        return [Problem("fhir_letter.too_large", "", str(size))]
    return []
