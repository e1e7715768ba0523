"""The words for questionnaires' error codes, and for their licensed wording packs."""

from __future__ import annotations

from ui.common.wording import WordTable

# Everything that is not about one field.
_WORDS: dict[str, str] = {
    "questionnaire.answer_out_of_range": (
        "That answer is outside what the questionnaire allows. Choose one of the answers offered."
    ),
    "questionnaire.baseline_exists": (
        "This episode already has a baseline for this questionnaire, so these answers were not"
        " saved again. Open the questionnaire again to record a follow-up."
    ),
    "questionnaire.response_not_found": (
        "Those answers are not in this patient's record. Open the patient's record again and "
        "choose from its timeline."
    ),
    "questionnaire.incomplete": "Some questions are not answered yet. Answer them all to save.",
    "questionnaire.unknown_item": (
        "These answers do not match this questionnaire. Start the questionnaire again."
    ),
    "questionnaire.wrong_questionnaire": (
        "These answers belong to a different questionnaire. Start the questionnaire again."
    ),
    "wording_pack.invalid": (
        "This wording pack is not laid out as the app expects. Ask its supplier for a fresh copy."
    ),
    "wording_pack.not_json": (
        "This file is not a wording pack. Choose the .json file you were sent."
    ),
    "wording_pack.not_utf8": (
        "This file is not a wording pack. Choose the .json file you were sent."
    ),
    "wording_pack.unreadable": "The wording pack could not be read. Check the file and try again.",
    "wording_pack.no_folder": (
        "There is nowhere on this computer to keep wording packs. Contact IT support."
    ),
    "wording_pack.not_needed": "This questionnaire has its wording in the app; no pack is needed.",
    "wording_pack.unknown_questionnaire": (
        "This wording pack is for a questionnaire the app does not have."
    ),
    "wording_pack.wrong_questionnaire": "This wording pack is for a different questionnaire.",
    "wording_pack.wrong_version": (
        "This wording pack is for another version of the questionnaire. Ask its supplier for "
        "the pack that matches."
    ),
    "wording_pack.missing_items": (
        "This wording pack leaves out some of the questionnaire's questions. Ask its supplier "
        "for the pack that matches."
    ),
    "wording_pack.extra_items": (
        "This wording pack has questions the questionnaire does not. Ask its supplier for the "
        "pack that matches."
    ),
    "wording_pack.missing_options": (
        "This wording pack leaves out some answers. Ask its supplier for the pack that matches."
    ),
    "wording_pack.extra_options": (
        "This wording pack has answers the questionnaire does not. Ask its supplier for the "
        "pack that matches."
    ),
    "wording_pack.range_labels_on_options_item": (
        "This wording pack does not match how the questions are answered. Ask its supplier "
        "for the pack that matches."
    ),
}

# Faults in the app or its shipped content: the calm generic message is their words.
_FAULTS = frozenset(
    {
        "content.unknown_questionnaire",
        "questionnaire.invalid_definition",
        "questionnaire.no_minimal_important_change",
    }
)

WORDS = WordTable(__name__, messages=_WORDS, faults=_FAULTS)
