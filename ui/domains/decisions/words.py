"""Shared decisions' words for their error codes."""

from __future__ import annotations

from ui.common.wording import FieldWords, WordTable, tr

# ---------------------------------------------------------------- the record and its service

# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "decision.no_choice": lambda e, label: tr(
        "Record the patient's choice, or that they have not decided yet, before signing."
    ),
    "decision.no_decision_maker": lambda e, label: tr("Record who made the decision."),
    "decision.interpreter_language": lambda e, label: tr(
        "An interpreter took part: record the language they interpreted."
    ),
    "decision.unknown_option": lambda e, label: tr(
        "Choose one of the options in this decision aid."
    ),
    "decision.unknown_matter": lambda e, label: tr(
        "That statement is not in this decision aid. Open the aid again."
    ),
    "decision.rating_out_of_range": lambda e, label: tr(
        "Each rating is a whole number from {low} to {high}."
    ).format(low=e.params.get("low", 0), high=e.params.get("high", 10)),
    "decision.unknown_role": lambda e, label: tr(
        "Say whether each person was a carer, an interpreter, family or someone else."
    ),
    "decision.unknown_decision_maker": lambda e, label: tr(
        "Choose who made the decision from the list."
    ),
    "decision.wrong_item_count": lambda e, label: tr(
        "This questionnaire has {items} questions: give an answer, or none, for each."
    ).format(items=e.params.get("items", "")),
    "decision.score_out_of_range": lambda e, label: tr(
        "Each answer is a whole number from {low} to {high}."
    ).format(low=e.params.get("low", 0), high=e.params.get("high", "")),
    "decision.none_in_episode": lambda e, label: tr(
        "There is no signed shared decision for this in the patient's episode. Talk it through "
        "with a decision aid first, or give the reason to go on without one."
    ),
    "decision.not_for_this": lambda e, label: tr(
        "That shared decision did not discuss this. Choose the one that did, or give a reason."
    ),
    "decision.unknown_leads_to": lambda e, label: tr(
        "A shared decision cannot lead to this kind of record."
    ),
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "decision.signed": (
        "This shared decision is signed and cannot be changed. If the patient has changed their "
        "mind, record a change of mind instead."
    ),
    "decision.not_signed": "Only a signed shared decision can be replaced. Change the draft.",
    "decision.not_author": (
        "Only the clinician who started this shared decision can change or sign it."
    ),
    "decision.not_intact": (
        "This shared decision no longer matches what was signed, so its summary cannot be "
        "printed. Tell the service lead."
    ),
    "decision.draft_not_yours": (
        "This shared decision is still a draft of another clinician: only they can print it "
        "before it is signed."
    ),
    "decision.not_found": (
        "That shared decision could not be found. Open the patient's record again."
    ),
    "decision.wrong_patient": (
        "This shared decision belongs to another patient. Open that patient's record to use it."
    ),
    "decision.superseded": (
        "The patient's later decision replaces this one already. Start from the later one."
    ),
    "decision.other_episode": (
        "That shared decision belongs to another episode of care. Choose one from this episode, "
        "or give a reason to go on."
    ),
    "decision.unknown_aid": (
        "That decision aid is not available. The service lead can see which aids are offered "
        "and why any is not."
    ),
    "decision.no_such_option": "That option is not in this decision aid. Open the aid again.",
}

# ---------------------------------------------------------------- end of the record's words

WORDS = WordTable(__name__, messages=_WORDS, fields=_FIELD_WORDS)
