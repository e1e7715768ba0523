"""The words for red-flag screening's error codes."""

from __future__ import annotations

from ui.common.wording import FieldWords, WordTable, tr

# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "red_flags.override_reason_required": lambda e, label: tr(
        "Write why you are overriding this red flag: your clinical reasoning."
    ),
    "red_flags.override_reason_too_short": lambda e, label: tr(
        "Say a little more about why: the reason must be at least {n} characters."
    ).format(n=e.params.get("minimum", e.params.get("min_length", 20))),
    "red_flags.action_not_accepted": lambda e, label: tr(
        "That action does not answer this red flag. Choose one of the actions offered."
    ),
    "red_flags.action_detail_required": lambda e, label: (
        tr("Fill in {label}: this action needs it.").format(label=label.lower())
        if label
        else tr("Fill in this detail: the action needs it.")
    ),
    "red_flags.action_bad_choice": lambda e, label: tr("Choose one of the options offered."),
    "red_flags.action_bad_date": lambda e, label: tr(
        "Enter a real date (and time where asked), such as 4 December 2026 at 10:40."
    ),
    "red_flags.action_date_past": lambda e, label: tr(
        "This date has passed. Enter today or a later date."
    ),
    "red_flags.action_kind_not_offered": lambda e, label: tr(
        "That kind of action does not answer this outcome. Choose one of those offered."
    ),
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "red_flag.already_resolved": "An action has already been recorded for this red flag.",
    "red_flags.no_card": "There is no safety-net card for this screen.",
    "red_flag.screening_not_found": (
        "That red-flag screen could not be found. Open the patient's record again."
    ),
    "red_flags.bad_age": (
        "The patient's age is outside what the red-flag screens cover. Check the date of birth."
    ),
    "red_flags.bad_answer": "Choose one of the answers offered for this question.",
    "red_flags.nothing_to_resolve": "This screen found no red flag, so there is nothing to act on.",
    "red_flags.unknown_action": "Choose one of the actions offered.",
    "red_flags.unknown_region": "Choose the body regions from the list.",
    "red_flags.action_wrong_patient": (
        "This red flag belongs to another patient's record, so nothing was saved. Open the "
        "record of the patient it belongs to and record the action there."
    ),
    "red_flags.action_not_found": (
        "That red-flag action could not be found. Open the patient's record again."
    ),
    "red_flags.action_already_done": "This action has already been recorded as done.",
    "red_flags.no_screens": "Choose at least one red-flag screen to ask.",
}

# Faults in the app or its shipped content: the calm generic message is their words.
_FAULTS = frozenset(
    {
        "content.unknown_screen",
        "red_flags.bad_setting",
        "red_flags.unknown_question",
        "red_flags.question_conflict",
        "red_flags.unknown_action_kind",
        "red_flags.action_unknown_detail",
    }
)

WORDS = WordTable(__name__, messages=_WORDS, fields=_FIELD_WORDS, faults=_FAULTS)
