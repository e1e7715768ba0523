"""What the server checks of a pushed response: its own patient's episode, an answer unchanged.

A response is written once; only its status may move (withdrawn), by the lifecycle's step.
A tampered device could rewrite the answer or the words, or point at another patient's
episode, so the server refuses both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clinic_app.domains.experience.model import FftResponse
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
