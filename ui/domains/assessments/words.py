"""The assessment's words for its error codes."""

from __future__ import annotations

from ui.common.wording import FieldWords, WordTable, tr

# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "assessment.pain_out_of_range": lambda e, label: tr("Pain scores go from 0 to 10."),
    "assessment.required_to_sign": lambda e, label: tr(
        "Fill this in before signing the assessment."
    ),
    "assessment.medicine_name_required": lambda e, label: tr("Enter the medicine's name."),
    "assessment.medicine_review_required": lambda e, label: tr(
        "Say whether you reviewed the opioid or gabapentinoid with the patient before signing."
    ),
    "assessment.medicine_review_outcome_required": lambda e, label: tr(
        "Choose what came of the medicines review before signing."
    ),
    "assessment.bad_medicine_review": lambda e, label: tr(
        "The medicines review could not be kept. Answer yes or no again."
    ),
    "assessment.unknown_diagnosis": lambda e, label: tr(
        "That is not in the list. Pick one from the list, or write the diagnosis in words."
    ),
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "assessment.signed": (
        "This assessment is signed and cannot be changed. Add an addendum to it instead."
    ),
    "assessment.not_author": "Only the clinician who started this draft can change or sign it.",
    "assessment.bad_code": "Choose the answer from the list.",
    "assessment.bad_medicine": "This medicine could not be kept. Check its name and dose.",
    "assessment.not_found": "That assessment could not be found. Open the patient's record again.",
    "assessment.not_signed": (
        "Only a signed assessment can have an addendum. Change the draft instead."
    ),
    "assessment.wrong_patient": (
        "This assessment belongs to another patient. Open that patient's record to change it."
    ),
    "assessment.referral_not_found": (
        "That referral is not this patient's, or could not be found. Nothing was saved. "
        "Open the assessment again from this patient's referral."
    ),
}

# Faults in the app or its shipped content: the calm generic message is their words.
_FAULTS = frozenset(
    {
        "assessment.bad_medicine_flag",
        "assessment.not_a_list",
        "assessment.not_text",
        "assessment.unknown_field",
    }
)

WORDS = WordTable(__name__, messages=_WORDS, fields=_FIELD_WORDS, faults=_FAULTS)
