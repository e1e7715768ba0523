"""What the server checks of a pushed response: its answer, its own patient's episode, no edit.

A response is written once; only its status may move (withdrawn), by the lifecycle's step.
A tampered device could rewrite the answer or the words, or point at another patient's
episode, so the server refuses both. It could also push an answer the question does not
offer, words longer than the form takes, or someone other than the patient (or the patient
with help) as who answered: the server checks these with the device's own rules
(``sync.bad_value``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic_app.domains.experience.content import fft_question
from clinic_app.domains.experience.model import FftResponse
from clinic_app.domains.experience.rules import check_answered_by, checked_answer
from clinic_app.kernel.errors import FormErrors, ValidationError
from clinic_app.people.care import EpisodeOfCare
from clinic_app.records.links import link_refusal
from clinic_app.sync.hooks import on_checked

#: What is fixed once the response is recorded.
FIXED = ("patient_id", "episode_id", "question_version", "answer", "comment", "answered_by")


def changed_answer(row: Mapping[str, Any], stored: Mapping[Any, Any] | None) -> str | None:
    """``sync.append_only`` when a pushed change alters what was answered; None otherwise."""
    if stored is None:
        return None
    for column in FIXED:
        if column in row and row[column] != stored[column]:
            return "sync.append_only"
    return None


def _differs(row: Mapping[str, Any], stored: Mapping[Any, Any] | None, *columns: str) -> bool:
    return stored is None or any(row.get(column) != stored[column] for column in columns)


def answer_refusal(row: Mapping[str, Any], stored: Mapping[Any, Any] | None) -> str | None:
    """``sync.bad_value`` when the answer, the words or who answered is not what the form takes.

    Judged as the device's form judges them (``rules.checked_answer``, ``rules.AnsweredBy``),
    each only on a new response or when the change alters it.
    """
    question = fft_question()
    try:
        if _differs(row, stored, "answer", "comment"):
            checked_answer(
                row.get("answer"),
                row.get("comment"),
                question.codes,
                question.comment_max_length,
            )
        if _differs(row, stored, "answered_by"):
            check_answered_by(row.get("answered_by"))
    except (FormErrors, ValidationError):
        return "sync.bad_value"
    return None


on_checked(
    FftResponse.__tablename__,
    "same_patient",
    lambda conn, row, _stored: link_refusal(conn, row, {"episode_id": EpisodeOfCare}),
)
on_checked(
    FftResponse.__tablename__,
    "answer_unchanged",
    lambda _conn, row, stored: changed_answer(row, stored),
)
on_checked(
    FftResponse.__tablename__,
    "an_answer_offered",
    lambda _conn, row, stored: answer_refusal(row, stored),
)
