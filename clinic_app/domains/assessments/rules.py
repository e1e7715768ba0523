"""The structured history and examination of an assessment: its fields and their checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.records.sections import Section, SectionKind, text_sections

LONG_TEXT = 4000
SHORT_TEXT = 500
PAIN_MIN, PAIN_MAX = 0, 10
MAX_LIST = 50

#: The assessment's sections, in the order the form shows them; the checks below and the
#: signing rule iterate them.
SECTIONS: tuple[Section, ...] = (
    Section("presenting_complaint", "What brings the patient", max_length=LONG_TEXT, required=True),
    Section("body_regions", "Where it hurts", SectionKind.STRUCTURED),
    Section("onset", "Onset", max_length=SHORT_TEXT),
    Section("duration", "Duration", max_length=SHORT_TEXT),
    Section("pain_now", "Pain now", SectionKind.STRUCTURED),
    Section("pain_best", "Pain at best", SectionKind.STRUCTURED),
    Section("pain_worst", "Pain at worst", SectionKind.STRUCTURED),
    Section("aggravating", "Aggravating", max_length=LONG_TEXT),
    Section("easing", "Easing", max_length=LONG_TEXT),
    Section("pattern_24h", "24-hour pattern", max_length=LONG_TEXT),
    Section("past_history", "Past history", max_length=LONG_TEXT),
    Section("medicines", "Medicines", SectionKind.STRUCTURED),
    # Asked, and kept, only when an opioid or a gabapentinoid is listed: see
    # ``check_medicine_review`` and ``medicine_review_problems``.
    Section("medicine_review", "Medicines review", SectionKind.STRUCTURED),
    Section("work_social", "Work and social", max_length=LONG_TEXT),
    Section("psychosocial", "Psychosocial factors", max_length=LONG_TEXT),
    Section("examination", "Examination", max_length=LONG_TEXT),
    Section("diagnosis_code", "Working diagnosis", SectionKind.STRUCTURED),
    Section("diagnosis_text", "Diagnosis in words", max_length=SHORT_TEXT, letter=True),
    Section("reasoning", "Clinical reasoning", max_length=LONG_TEXT),
)
#: Free-text fields and the longest text each accepts.
TEXT_FIELDS: Mapping[str, int] = {
    section.key: section.max_length or LONG_TEXT for section in text_sections(SECTIONS)
}
#: Pain scores, each a whole number from 0 to 10.
PAIN_FIELDS: tuple[str, ...] = ("pain_now", "pain_best", "pain_worst")
#: Medicine classes flagged for review when a patient takes them (the services' KPIs name
#: opioid and gabapentinoid prescribing). Class codes are those of resources/medicines.
MEDICINE_FLAGS: frozenset[str] = frozenset({"opioid", "gabapentinoid"})
#: What a medicine's name says about its classes: the coded list's lookup (content.py).
Classify = Callable[[str], tuple[str, ...]]
#: What must be filled in before an assessment can be signed.
REQUIRED_TO_SIGN: tuple[str, ...] = tuple(section.key for section in SECTIONS if section.required)

#: Fields the service fills in itself (the picked diagnosis's label and SNOMED CT id):
#: accepted back from a form that read them, and never taken from it.
DERIVED_FIELDS: frozenset[str] = frozenset({"diagnosis"})
FIELDS: frozenset[str] = frozenset(
    {
        *TEXT_FIELDS,
        *PAIN_FIELDS,
        "body_regions",
        "medicines",
        "medicine_review",
        "diagnosis_code",
        *DERIVED_FIELDS,
    }
)
#: The medicines review's longest reason for not reviewing.
REVIEW_REASON_TEXT = SHORT_TEXT
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
_MEDICINE_KEYS = frozenset({"name", "dose", "flags"})
_REVIEW_KEYS = frozenset({"reviewed", "outcome", "reason"})


def _text(value: object, field: str, max_length: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError("assessment.not_text", field=field)
    text = value.strip()
    if len(text) > max_length:
        raise ValidationError("text.too_long", field=field, max_length=max_length)
    return text or None


def _pain(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not PAIN_MIN <= value <= PAIN_MAX:
        raise ValidationError("assessment.pain_out_of_range", field=field)
    return value


def _codes(value: object, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise ValidationError("assessment.not_a_list", field=field)
    if not all(isinstance(code, str) and _CODE.fullmatch(code) for code in value):
        raise ValidationError("assessment.bad_code", field=field)
    return list(dict.fromkeys(value))


def _medicine(value: object, field: str, classify: Classify | None) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - _MEDICINE_KEYS:
        raise ValidationError("assessment.bad_medicine", field=field)
    name = _text(value.get("name"), field, 200)
    if name is None:
        raise ValidationError("assessment.medicine_name_required", field=field)
    medicine: dict[str, Any] = {"name": name}
    dose = _text(value.get("dose"), field, 200)
    if dose is not None:
        medicine["dose"] = dose
    flags = value.get("flags") or []
    if not isinstance(flags, list) or not all(
        isinstance(flag, str) and _CODE.fullmatch(flag) for flag in flags
    ):
        raise ValidationError("assessment.bad_medicine_flag", field=field)
    # The classes come from the coded list, never from a tick: what was sent is replaced.
    medicine["flags"] = sorted(set(classify(name) if classify is not None else flags))
    return medicine


def _medicines(
    value: object, errors: list[ValidationError], classify: Classify | None
) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LIST:
        errors.append(ValidationError("assessment.not_a_list", field="medicines"))
        return []
    checked: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        try:
            checked.append(_medicine(item, f"medicines.{index}", classify))
        except ValidationError as error:
            errors.append(error)
    return checked


def _medicine_review(value: object, outcomes: Collection[str] | None) -> dict[str, Any] | None:
    """The review as stored: ``reviewed``, then the ``outcome`` if yes or the ``reason`` if no.

    An unanswered question keeps nothing (what was picked under it is not an answer).
    """
    field = "medicine_review"
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - _REVIEW_KEYS:
        raise ValidationError("assessment.bad_medicine_review", field=field)
    reviewed = value.get("reviewed")
    if reviewed is None:
        return None
    if not isinstance(reviewed, bool):
        raise ValidationError("assessment.bad_medicine_review", field=field)
    if not reviewed:
        reason = _text(value.get("reason"), field, REVIEW_REASON_TEXT)
        return {"reviewed": False} | ({"reason": reason} if reason else {})
    outcome = value.get("outcome")
    if outcome in (None, ""):
        return {"reviewed": True}
    known = outcomes is None or outcome in outcomes
    if not isinstance(outcome, str) or not _CODE.fullmatch(outcome) or not known:
        raise ValidationError("assessment.bad_code", field=field)
    return {"reviewed": True, "outcome": outcome}


def check_content(
    content: Mapping[str, object],
    classify: Classify | None = None,
    outcomes: Collection[str] | None = None,
) -> dict[str, Any]:
    """Check a (possibly partial) assessment and return it in its stored form.

    Text is trimmed and blanks left out, so the same content always stores, and hashes,
    the same way. Every field may be missing from a draft. With ``classify`` (the coded
    medicines list's lookup) each medicine's classes are derived from its name, whatever
    flags were sent; without it the flags sent are kept as they are.

    The medicines review is kept only while a medicine flagged for review is listed (the
    form asks it only then); with ``outcomes`` (the codes of
    resources/medicines/review_outcomes.json) its outcome must be one of them.

    Raises:
        FormErrors: one ValidationError per bad field (``assessment.unknown_field``,
            ``assessment.not_text``, ``text.too_long``, ``assessment.pain_out_of_range``,
            ``assessment.not_a_list``, ``assessment.bad_code``, ``assessment.bad_medicine``,
            ``assessment.medicine_name_required``, ``assessment.bad_medicine_flag``,
            ``assessment.bad_medicine_review``).
    """
    errors = [
        ValidationError("assessment.unknown_field", field=key)
        for key in sorted(set(content) - FIELDS)
    ]
    checked: dict[str, Any] = {}

    def keep(field: str, value: object) -> None:
        if value not in (None, [], ""):
            checked[field] = value

    for field, max_length in TEXT_FIELDS.items():
        try:
            keep(field, _text(content.get(field), field, max_length))
        except ValidationError as error:
            errors.append(error)
    for field in PAIN_FIELDS:
        try:
            keep(field, _pain(content.get(field), field))
        except ValidationError as error:
            errors.append(error)
    try:
        keep("body_regions", _codes(content.get("body_regions"), "body_regions"))
    except ValidationError as error:
        errors.append(error)
    code = content.get("diagnosis_code")
    if code not in (None, ""):
        try:
            keep("diagnosis_code", _codes([code], "diagnosis_code")[0])
        except ValidationError as error:
            errors.append(error)
    keep("medicines", _medicines(content.get("medicines"), errors, classify))
    try:
        review = _medicine_review(content.get("medicine_review"), outcomes)
    except ValidationError as error:
        errors.append(error)
    else:
        if medicines_for_review(checked):
            keep("medicine_review", review)
    if errors:
        raise FormErrors(errors)
    return checked


def medicine_review_problems(content: Mapping[str, Any]) -> list[ValidationError]:
    """Why the medicines review stops an assessment being signed (none: it does not).

    An assessment listing an opioid or a gabapentinoid says whether they were reviewed
    with the patient (``assessment.medicine_review_required``) and, if they were, what
    came of it (``assessment.medicine_review_outcome_required``); both on the field
    ``medicine_review``.
    """
    if not medicines_for_review(content):
        return []
    review = content.get("medicine_review")
    if not isinstance(review, dict) or not isinstance(review.get("reviewed"), bool):
        return [ValidationError("assessment.medicine_review_required", field="medicine_review")]
    if review["reviewed"] and not review.get("outcome"):
        return [
            ValidationError("assessment.medicine_review_outcome_required", field="medicine_review")
        ]
    return []


def medicines_for_review(content: Mapping[str, Any]) -> tuple[str, ...]:
    """Names of the medicines flagged for review (opioids, gabapentinoids)."""
    return tuple(
        m["name"]
        for m in content.get("medicines", ())
        if MEDICINE_FLAGS & set(m.get("flags") or ())
    )
