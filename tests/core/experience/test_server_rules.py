"""The server authorises a pushed response by its lifecycle, and never lets its answer change.

It takes only an answer the question offers, words the form would take, and the patient
(alone or helped) as who answered: what the device's own form allows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.domains.experience.content import fft_question
from clinic_app.domains.experience.handlers import answer_refusal, changed_answer
from clinic_app.domains.experience.model import FftResponse
from clinic_app.kernel.vocabulary import Role
from clinic_app.server.authorise import Acting, refusal
from clinic_app.sync.hooks import change_checks
from clinic_app.sync.protocol import Change, Status
from tests.support.demo_clinic import Clinic
from tests.support.server_push import NOW, PushServer, example_patient, insert, push_server

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


# ---------------------------------------------------------------- a hostile push, end to end


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PushServer]:
    made = push_server(tmp_path, (("clinician", Role.CLINICIAN),))
    yield made
    made.engine.dispose()


def _push(server: PushServer, **values: Any) -> tuple[Status, str | None]:
    """Register a patient and push their response: what the server made of the response."""
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    fields = {
        "patient_id": patient,
        "status": "recorded",
        "question_version": fft_question().version,
        "answer": "good",
        "comment": "Kind staff.",
        "answered_by": "patient",
        "recorded_at": NOW,
        "recorded_by": clinician.user_id,
        **values,
    }
    first, second = server.push(
        clinician, registered, insert(TABLE, uuid.uuid4(), clinician, **fields)
    )
    assert first == (Status.APPLIED, None)
    return second


@pytest.mark.parametrize("answer", fft_question().codes)
def test_every_answer_the_question_offers_is_applied(server: PushServer, answer: str) -> None:
    assert _push(server, answer=answer) == (Status.APPLIED, None)


def test_an_answer_given_with_help_and_no_words_is_applied(server: PushServer) -> None:
    assert _push(server, answered_by="with_help", comment="") == (Status.APPLIED, None)


@pytest.mark.parametrize(
    "tampered",
    [
        pytest.param({"answer": "banana"}, id="answer-not-offered"),
        pytest.param({"answer": ""}, id="no-answer"),
        pytest.param({"answered_by": "robot"}, id="answered-by-no-one-it-may-be"),
        pytest.param(
            {"comment": "x" * (fft_question().comment_max_length + 1)}, id="words-too-long"
        ),
    ],
)
def test_a_response_the_form_would_not_take_is_refused(
    server: PushServer, tampered: dict[str, Any]
) -> None:
    assert _push(server, **tampered) == (Status.REJECTED, "sync.bad_value")


def test_a_stored_response_is_judged_only_by_what_a_change_alters() -> None:
    # However it came to be held, a withdrawal leaves the answer as it was.
    stored = {"answer": "banana", "comment": "", "answered_by": "robot", "status": "recorded"}

    assert answer_refusal({**stored, "status": "withdrawn"}, stored) is None
    assert answer_refusal({**stored, "answered_by": "nobody"}, stored) == "sync.bad_value"


def test_a_response_recorded_by_the_app_passes_the_server_s_checks(clinic: Clinic) -> None:
    recorded = clinic.services.experience.record(
        clinic.clinician, clinic.patient, "neither", "  Long   wait.  ", answered_by="with_help"
    )
    checks = change_checks(TABLE)

    with clinic.services.context.store.engine.connect() as conn:
        table = FftResponse.__table__
        row = dict(conn.execute(select(table).where(table.c.id == recorded.id)).mappings().one())
        as_written = [check(conn, row, None) for check in checks]
        tampered = [check(conn, {**row, "answer": "banana"}, None) for check in checks]

    assert set(as_written) == {None}
    assert "sync.bad_value" in tampered
