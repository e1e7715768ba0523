"""The server scores a pushed questionnaire response again, and keeps it to its own patient.

A tampered device could push answers no questionnaire offers with any total it likes (the
service's MSK-HQ figures read the total as it stands), a questionnaire that does not exist,
or a response in another patient's episode: the server refuses each.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from clinic_app import schema  # noqa: F401 - every table registered
from clinic_app.container import Services
from clinic_app.domains.questionnaires.content import ALL_QUESTIONNAIRES, questionnaire
from clinic_app.domains.questionnaires.handlers import score_refusal
from clinic_app.domains.questionnaires.model import QuestionnaireResponse
from clinic_app.domains.questionnaires.rules import score
from clinic_app.domains.questionnaires.service import scored_columns
from clinic_app.kernel.vocabulary import Role
from clinic_app.people.care import EpisodeOfCare
from clinic_app.sync.hooks import change_checks
from clinic_app.sync.protocol import Status
from tests.support.demo_clinic import demo_clinic
from tests.support.server_push import NOW, PushServer, example_patient, insert, push_server

TABLE = "questionnaire_response"


def _answers(questionnaire_id: str, pick: int = -1, **given: int | None) -> dict[str, int | None]:
    """Every item answered with its value at ``pick`` (as the form stores them), then ``given``."""
    definition = questionnaire(questionnaire_id)
    answers = {item.code: item.values()[pick] for item in definition.items}
    return {**answers, **given}


def _fields(name: str, answers: dict[str, int | None], /, **values: Any) -> dict[str, Any]:
    """A response as the device's service writes it: its answers scored as they are stored."""
    definition = questionnaire(name)
    return {
        "questionnaire_id": definition.id,
        "questionnaire_version": definition.version,
        "timepoint": "baseline",
        "mode": "clinician",
        "answers": answers,
        **scored_columns(score(definition, answers)),
        "recorded_at": NOW,
        **values,
    }


# ---------------------------------------------------------------- a hostile push, end to end


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PushServer]:
    made = push_server(tmp_path, (("clinician", Role.CLINICIAN),))
    yield made
    made.engine.dispose()


def _push(server: PushServer, **fields: Any) -> tuple[Status, str | None]:
    """Register a patient and push a response of theirs: what the server made of the response."""
    clinician = server.acting["clinician"]
    patient, registered = example_patient(clinician)
    response = insert(
        TABLE,
        uuid.uuid4(),
        clinician,
        patient_id=patient,
        recorded_by=clinician.user_id,
        **fields,
    )
    first, second = server.push(clinician, registered, response)
    assert first == (Status.APPLIED, None)
    return second


@pytest.mark.parametrize("qid", ALL_QUESTIONNAIRES)
@pytest.mark.parametrize("pick", [0, -1])
def test_a_complete_response_as_the_app_scores_it_is_applied(
    server: PushServer, qid: str, pick: int
) -> None:
    assert _push(server, **_fields(qid, _answers(qid, pick))) == (Status.APPLIED, None)


def test_an_incomplete_response_with_no_total_is_applied(server: PushServer) -> None:
    answers = _answers("start_back", sb_03=None, sb_09=None)
    fields = _fields("start_back", answers)
    assert (fields["complete"], fields["total"], fields["score_group"]) == (False, None, None)

    assert _push(server, **fields) == (Status.APPLIED, None)


def test_msk_hq_answers_out_of_range_with_a_total_to_match_are_refused(
    server: PushServer,
) -> None:
    answers = _answers("msk_hq", mskhq_01=99, mskhq_02=-5)

    tampered = _fields(
        "msk_hq", _answers("msk_hq"), answers=answers, total=200, complete=True, subscales={}
    )

    assert _push(server, **tampered) == (Status.REJECTED, "sync.bad_value")


def _start_back(**values: Any) -> dict[str, Any]:
    """A STarT Back response (it has a subscale and risk groups) with ``values`` changed."""
    return _fields("start_back", _answers("start_back", 0), **values)


@pytest.mark.parametrize(
    "tampered",
    [
        pytest.param(_start_back(questionnaire_id="made_up"), id="unknown-questionnaire"),
        pytest.param(_start_back(questionnaire_version="0"), id="unknown-version"),
        pytest.param(
            _start_back(answers=_answers("start_back", 0, sb_01=2)), id="answer-out-of-range"
        ),
        pytest.param(
            _start_back(answers={**_answers("start_back", 0), "mskhq_01": 4}),
            id="item-of-another-questionnaire",
        ),
        pytest.param(_start_back(answers=[0, 0, 0]), id="answers-not-by-item"),
        pytest.param(_start_back(total=1), id="total"),
        pytest.param(_start_back(subscales={"distress": 3}), id="subscale"),
        pytest.param(_start_back(subscales={}), id="subscale-left-out"),
        pytest.param(_start_back(score_group="high"), id="group"),
        pytest.param(
            _start_back(complete=False, total=None, subscales={}, score_group=None),
            id="complete-said-incomplete",
        ),
        pytest.param(
            _fields("start_back", _answers("start_back", 0, sb_09=None), total=0, complete=True),
            id="incomplete-said-complete",
        ),
        pytest.param(
            _fields("start_back", _answers("start_back", 0, sb_05=1), subscales={"distress": True}),
            id="subscale-not-a-number",
        ),
    ],
)
def test_a_response_whose_score_does_not_follow_from_its_answers_is_refused(
    server: PushServer, tampered: dict[str, Any]
) -> None:
    assert _push(server, **tampered) == (Status.REJECTED, "sync.bad_value")


def test_a_stored_response_is_judged_only_by_what_a_change_alters() -> None:
    # Scored by an earlier definition: kept as it was, whatever the server would make of it.
    legacy = _fields("msk_hq", _answers("msk_hq"), questionnaire_version="0", total=61)

    assert score_refusal(legacy, legacy) is None
    assert score_refusal({**legacy, "total": 1}, legacy) == "sync.bad_value"
    assert score_refusal(legacy, None) == "sync.bad_value"


# ---------------------------------------------------------------- the row the app writes


def test_a_response_recorded_by_the_app_passes_and_another_patient_s_episode_is_refused(
    demo: Services,
) -> None:
    clinic = demo_clinic(demo)
    recorded = demo.questionnaires.record(
        clinic.clinician, clinic.patient, "msk_hq", _answers("msk_hq", 1), "follow_up", "clinician"
    )
    checks = change_checks(TABLE)

    with demo.context.store.engine.connect() as conn:
        table = QuestionnaireResponse.__table__
        row = dict(conn.execute(select(table).where(table.c.id == recorded.id)).mappings().one())
        theirs = conn.execute(
            select(EpisodeOfCare.id).where(EpisodeOfCare.patient_id == clinic.other)
        ).scalar()
        assert row["episode_id"] is not None
        assert theirs is not None
        as_written = [check(conn, row, None) for check in checks]
        crossed = [check(conn, {**row, "episode_id": theirs}, None) for check in checks]

    assert set(as_written) == {None}
    assert "sync.wrong_patient" in crossed
