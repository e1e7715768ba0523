"""The words for triage's error codes: referrals on the worklist and the service's targets."""

from __future__ import annotations

from ui.common.wording import FieldWords, WordTable, tr

# Field errors: the label of the field they belong to is passed in.
_FIELD_WORDS: dict[str, FieldWords] = {
    "triage.reason_required": lambda e, label: tr(
        "Enter the reason for returning the referral to the referrer."
    ),
    "service_rules.out_of_range": lambda e, label: tr(
        "Use a whole number from {minimum} to {maximum}."
    ).format(minimum=e.params.get("minimum", ""), maximum=e.params.get("maximum", "")),
    "service_rules.not_a_whole_number": lambda e, label: tr("Use a whole number of days."),
    "service_rules.not_yes_or_no": lambda e, label: tr("Choose on or off."),
    "service_rules.unknown_rule": lambda e, label: tr(
        "This target is no longer in the app's list; reopen the settings."
    ),
}

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "referral.already_triaged": (
        "This referral has already been triaged, perhaps on another device. The worklist has "
        "been refreshed."
    ),
    "triage.not_a_date": "Enter a real date as day/month/year, for example 12/03/2025.",
    "triage.before_received": "This date cannot be before the referral was received.",
    "triage.outcome_required": "Choose the outcome of triage.",
    "triage.outcome_without_date": "Enter the date the referral was triaged.",
    "triage.unknown_priority": "Choose the priority from the list.",
    "referral.not_found": "That referral could not be found. Refresh the worklist.",
}

# Faults in the app or its shipped content: the calm generic message is their words.
_FAULTS = frozenset(
    {
        "service_rules.unknown_unit",
        "working_days.not_a_date",
    }
)

WORDS = WordTable(__name__, messages=_WORDS, fields=_FIELD_WORDS, faults=_FAULTS)
