"""Care plans' words for their error codes."""

from __future__ import annotations

from ui.common.wording import FieldWords, WordTable, tr

# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "care_plan.goal_empty": lambda e, label: tr(
        "Goal {number} has no words. Write it as the patient says it, or remove it."
    ).format(number=e.params.get("number", "")),
    "care_plan.no_goals": lambda e, label: tr(
        "Write at least one goal, in the patient's own words, before signing."
    ),
    "care_plan.action_empty": lambda e, label: tr(
        "Action {number} does not say what is to be done. Say what, or remove it."
    ).format(number=e.params.get("number", "")),
    "care_plan.action_in_past": lambda e, label: tr(
        "Action {number} is due on a day that has passed. Agree a new date with the patient "
        "before signing."
    ).format(number=e.params.get("number", "")),
    "care_plan.condition_empty": lambda e, label: tr(
        "A long-term condition has no words. Name it, or remove it."
    ),
    "care_plan.treatment_empty": lambda e, label: tr(
        "A treatment tried has no name. Name it, or remove it."
    ),
    "care_plan.unknown_safety_net": lambda e, label: tr(
        "Those warning signs are not available. Choose them again from the list."
    ),
    "care_plan.unknown_service": lambda e, label: tr(
        "That support service is not in the list. Choose one from the list or write it in words."
    ),
    "care_plan.service_empty": lambda e, label: tr(
        "A support service is empty. Choose one from the list or write it in words."
    ),
    "care_plan.pifu_out_of_range": lambda e, label: tr(
        "The service lets patients book straight back for {least} to {most} months. Choose a "
        "number of months in that range, or offer no booking-back window."
    ).format(least=e.params.get("least", ""), most=e.params.get("most", "")),
    "care_plan.review_in_past": lambda e, label: tr(
        "The review date has passed. Choose today or a later day."
    ),
    "care_plan.no_review_date": lambda e, label: tr("Agree a review date before signing."),
    "care_plan.no_contact": lambda e, label: tr(
        "Name the person the patient can contact before signing."
    ),
    "care_plan.no_gp_consent": lambda e, label: tr(
        "Ask the patient whether their GP may have a copy, and record the answer, before signing."
    ),
    "care_plan.unknown_consent_giver": lambda e, label: tr(
        "Say whether the patient or someone acting for them answered."
    ),
    "care_plan.too_many": lambda e, label: tr(
        "A plan can list at most {most} of these. Keep the ones that matter most."
    ).format(most=e.params.get("most", "")),
    "care_plan.setting_out_of_range": lambda e, label: tr(
        "This setting must be a whole number from {least} to {most}, and the shortest window "
        "no longer than the longest."
    ).format(least=e.params.get("least", ""), most=e.params.get("most", "")),
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "care_plan.signed": (
        "This care plan is signed and cannot be changed. Review it to make a new version."
    ),
    "care_plan.not_signed": "Only a signed care plan can be reviewed. Change the draft instead.",
    "care_plan.not_author": (
        "Only the clinician who started this care plan can change or sign it."
    ),
    "care_plan.not_found": "That care plan could not be found. Open the patient's record again.",
    "care_plan.wrong_patient": (
        "This care plan belongs to another patient. Open that patient's record to use it."
    ),
    "care_plan.current_exists": (
        "The patient already has a current care plan in this episode. Review that plan instead "
        "of starting another."
    ),
    "care_plan.draft_exists": (
        "A colleague has a draft care plan open for this patient in this episode. Ask them to "
        "finish or sign it first."
    ),
    "care_plan.superseded": (
        "A later version of this care plan replaces it already. Review the later one."
    ),
    "care_plan.not_intact": (
        "This care plan no longer matches what was signed, so it cannot be printed. Tell the "
        "service lead."
    ),
    "care_plan.draft_not_yours": (
        "This care plan is still a draft of another clinician: only they can print it before "
        "it is signed."
    ),
}

WORDS = WordTable(__name__, messages=_WORDS, fields=_FIELD_WORDS)
