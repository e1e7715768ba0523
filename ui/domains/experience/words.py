"""The Friends and Family Test's words for its error codes."""

from __future__ import annotations

from ui.common.wording import FieldWords, WordTable, tr

_FIELD_WORDS: dict[str, FieldWords] = {
    "experience.no_answer": lambda e, label: tr("Choose one of the answers."),
    "experience.unknown_answer": lambda e, label: tr(
        "That is not one of the answers. Choose one of those shown."
    ),
}

_WORDS: dict[str, str] = {
    "experience.withdrawn": (
        "This answer was withdrawn at the patient's wish already. It is kept, and not counted."
    ),
    "experience.not_author": "Only the person who recorded this answer can change it.",
    "experience.not_found": (
        "That answer is not in this patient's record. Open the patient's record again."
    ),
}

WORDS = WordTable(__name__, messages=_WORDS, fields=_FIELD_WORDS)
