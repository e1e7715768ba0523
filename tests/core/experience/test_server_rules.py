"""The server authorises a pushed response by its lifecycle, and never lets its answer change."""

from __future__ import annotations

import uuid

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.domains.experience.handlers import changed_answer
from clinic_app.kernel.vocabulary import Role
from clinic_app.server.authorise import Acting, refusal
from clinic_app.sync.protocol import Change

TABLE = "fft_response"


def _change(kind: str = "insert") -> Change:
    return Change(uuid.uuid4(), TABLE, uuid.uuid4(), kind, 0, {})


def test_every_role_records_an_answer_as_itself() -> None:
    user = uuid.uuid4()
    new = {"status": "recorded", "recorded_by": user, "answer": "good"}

    for role in Role:
        assert refusal(Acting(user, role), _change(), None, new) is None, role
    someone_else = {**new, "recorded_by": uuid.uuid4()}
    assert refusal(Acting(user, Role.CLINICIAN), _change(), None, someone_else) == "sync.not_yours"


def test_a_response_is_withdrawn_once_and_never_brought_back() -> None:
    user = uuid.uuid4()
    stored = {"status": "recorded", "created_by": uuid.uuid4()}
    withdrawn = {"status": "withdrawn", "created_by": stored["created_by"]}

    assert (
        refusal(
            Acting(user, Role.ADMIN),
            _change("update"),
            stored,
            {"status": "withdrawn", "withdrawn_by": user},
        )
        is None
    )
    assert (
        refusal(Acting(user, Role.CLINICIAN), _change("update"), withdrawn, {"status": "recorded"})
        == "sync.step_refused"
    )


def test_the_answer_and_words_never_change_once_recorded() -> None:
    stored = {
        "patient_id": uuid.uuid4(),
        "episode_id": None,
        "question_version": "2020",
        "answer": "poor",
        "comment": "Slow.",
        "answered_by": "patient",
        "status": "recorded",
    }

    assert changed_answer({**stored, "status": "withdrawn"}, stored) is None
    assert changed_answer({**stored, "answer": "very_good"}, stored) == "sync.append_only"
    assert changed_answer({**stored, "comment": ""}, stored) == "sync.append_only"
    assert changed_answer(stored, None) is None
