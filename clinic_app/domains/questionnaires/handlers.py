"""What the server checks of a pushed questionnaire response: its answers, its score, its links.

A device scores a response as it stores it (``rules.score`` over the shipped definition) and
never stores an answer its questionnaire does not offer. A tampered device could push any
answers with any total, and the service's figures read the total as it stands, so the server
scores the answers again with the same function and the definition of the questionnaire and
version the row names, and refuses (``sync.bad_value``) an unknown questionnaire or version,
an answer that is not one of its items' or is out of range, and a completeness, total,
subscales or group other than what scoring gives. A licensed questionnaire ships its
structure and scoring without its wording, which scoring never needs. A response links only
its own patient's episode (``sync.wrong_patient``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic_app.domains.questionnaires.content import questionnaire
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.questionnaires.rules import score
from clinic_app.domains.questionnaires.service import scored_columns
from clinic_app.kernel.errors import NotFound, ValidationError
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked

#: What the score is worked out from, and what is worked out.
SCORED = (
    "questionnaire_id",
    "questionnaire_version",
    "answers",
    "complete",
    "total",
    "subscales",
    "score_group",
)


def _same(kept: object, expected: object) -> bool:
    """Equal and of the same kind: a pushed ``true`` is no total of 1."""
    if isinstance(expected, Mapping):
        return (
            isinstance(kept, Mapping)
            and kept.keys() == expected.keys()
            and all(_same(kept[key], value) for key, value in expected.items())
        )
    return type(kept) is type(expected) and kept == expected


def score_refusal(row: Mapping[str, Any], stored: Mapping[str, Any] | None) -> str | None:
    """``sync.bad_value`` when a pushed response's score does not follow from its answers.

    A stored response is judged only when the change alters what its score comes from or
    says (a response is append-only, so such a change is refused anyway).
    """
    if stored is not None and all(_same(row.get(c), stored.get(c)) for c in SCORED):
        return None
    name, answers = row.get("questionnaire_id"), row.get("answers")
    if not isinstance(name, str) or not isinstance(answers, Mapping):
        return "sync.bad_value"
    try:
        definition = questionnaire(name)
        if row.get("questionnaire_version") != definition.version:
            return "sync.bad_value"
        expected = scored_columns(score(definition, answers))
    except (NotFound, ValidationError):
        return "sync.bad_value"
    if not all(_same(row.get(column), value) for column, value in expected.items()):
        return "sync.bad_value"
    return None


TABLE = QuestionnaireResponse.__tablename__

on_checked(
    TABLE,
    "same_patient",
    lambda conn, row, _stored: link_refusal(conn, row, {"episode_id": EpisodeOfCare}),
)


on_checked(TABLE, "scored_from_answers", lambda _conn, row, stored: score_refusal(row, stored))
